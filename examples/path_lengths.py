"""The proposer's path lengths on continuous designs: one length, or several cycled.

``OfflineDesignOptimizer(n_steps=k)`` runs ``k`` ascent steps from every start
point; ``n_steps=(a, b)`` runs ``a`` steps from the best, third, fifth... design of
the data and ``b`` from the others; the default, ``n_steps="auto"``, is ``(n, 2 *
n)`` on continuous designs with more designs than features (``n`` the model's
``n_ascent_steps``, 15 for the default model there) and ``n`` elsewhere. This
script fits the package default ``OfflineDesignOptimizer()`` once per task and
seed, searches it with every plan of ``--plans`` (``15`` one length, ``15+30`` two
cycled; ``n_steps`` is read when ``propose`` runs, so the fitted model is shared)
and prints the normalized 100th / 50th percentile of 128 proposals (mean over
seeds) per task and plan, then each plan's difference from the default's plan of
the task, paired by seed. It is the
measurement behind ``n_steps="auto"`` (README, "The path length").

The tasks: the continuous test functions of ``quality_benchmark.py`` with more
designs than features, shipped and unshipped, and eleven more instances of their
families that no other measurement of the package uses (other draws of the data,
other sizes, data below other percentiles), a check of the choice off the
instances it could have been tuned on. ``--tasks`` also takes every other task of
``quality_benchmark.py`` (sequences, and data with no more designs than features).

Each (task, seed) result is appended to ``--output`` (JSON lines) as soon as it is
done, so a run can be stopped and resumed; ``--report`` prints the tables of the
file without running anything.

    python examples/path_lengths.py --seeds 8                     # about an hour
    python examples/path_lengths.py --tasks ackley branin --plans 15 20 15+30
    python examples/path_lengths.py --tasks rna14 --plans 10 10+20 20
    python examples/path_lengths.py --report
    python examples/path_lengths.py --quick                       # seconds
"""

import argparse
import os
import sys
import time
from functools import partial

import numpy as np

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import normalize_score
from skcoms.datasets import make_test_function_task, make_toy_quadratic

# the reading and writing of results files are those of quality_benchmark.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_benchmark import (  # noqa: E402
    LARGER,
    QUICK,
    SHIPPED,
    UNSHIPPED,
    WIDE_CHECKS,
    _done,
    add_seed_arguments,
    check_seed_arguments,
    made_by,
    run_task_seeds,
    underdetermined,
)

MEASURED = {
    name: {**SHIPPED, **UNSHIPPED}[name]
    for name in (
        "toy-quadratic",
        "branin",
        "hartmann6",
        "ackley",
        "rosenbrock",
        "hartmann6-r1",
        "hartmann6-r2",
        "ackley-r1",
        "ackley32",
        "rosenbrock32",
    )
}
# instances of the same families that no other script measures
CHECKS = {
    "toy-quadratic-r1": lambda: make_toy_quadratic(random_state=1),
    "branin-r1": lambda: make_test_function_task("branin", random_state=1),
    "branin-r2": lambda: make_test_function_task("branin", random_state=2),
    "hartmann6-r3": lambda: make_test_function_task("hartmann6", random_state=3),
    "hartmann6-p20": lambda: make_test_function_task(
        "hartmann6", percentile=20.0, random_state=4
    ),
    "rosenbrock-r1": lambda: make_test_function_task("rosenbrock", random_state=1),
    "rosenbrock4-r3": lambda: make_test_function_task(
        "rosenbrock", n_features=4, random_state=3
    ),
    "rosenbrock16-r5": lambda: make_test_function_task(
        "rosenbrock", n_features=16, random_state=5
    ),
    "ackley6-r2": lambda: make_test_function_task(
        "ackley", n_features=6, random_state=2
    ),
    "ackley16-r4": lambda: make_test_function_task(
        "ackley", n_features=16, random_state=4
    ),
    "ackley-p30": lambda: make_test_function_task(
        "ackley", percentile=30.0, random_state=6
    ),
}
# run by default: every continuous task above; --tasks also takes the other tasks
# of quality_benchmark.py (sequences, its larger sequence tasks, data with no more
# designs than features), where "auto" is one length, the model's 10 steps
DEFAULT_TASKS = {**MEASURED, **CHECKS}
TASKS = {**DEFAULT_TASKS, **SHIPPED, **UNSHIPPED, **WIDE_CHECKS, **LARGER}
PLANS = ("10", "15", "20", "30", "40", "60", "15+30", "15+40", "20+40", "10+20+40")
N_DESIGNS = 128


def parse_plan(plan):
    """``"15"`` -> 15, ``"15+30"`` -> (15, 30): the value of ``n_steps``."""
    try:
        lengths = tuple(int(part) for part in plan.split("+"))
    except ValueError:
        raise ValueError(f"a plan is lengths joined by '+', got {plan!r}") from None
    if any(n < 0 for n in lengths):
        raise ValueError(f"path lengths are >= 0, got {plan!r}")
    return lengths[0] if len(lengths) == 1 else lengths


def run_one(task, seed, plans, max_iter=None):
    """Fit the default once; the scores of its proposals with every plan."""
    optimizer = OfflineDesignOptimizer(random_state=seed)
    if max_iter is not None:
        model = default_model(
            task.is_discrete, underdetermined=underdetermined(task), max_iter=max_iter
        )
        optimizer.set_params(estimator=model)
    start = time.perf_counter()
    optimizer.fit(task.X, task.y)
    chosen = list(optimizer.path_lengths_)
    cells = {}
    for plan in plans:
        optimizer.set_params(n_steps=parse_plan(plan))
        scores = normalize_score(task.oracle(optimizer.propose(N_DESIGNS)), task)
        cells[plan] = {"p100": float(np.max(scores)), "p50": float(np.median(scores))}
    alpha = getattr(optimizer.estimator_, "alpha_", None)
    return {
        "cells": cells,
        "auto": chosen,
        "alpha": None if alpha is None else float(alpha),
        "seconds": time.perf_counter() - start,
    }


def _describe(record):
    best = max(record["cells"].items(), key=lambda c: c[1]["p50"])
    return (
        f"{record['task']:>16} seed {record['seed']}: highest median with "
        f"{best[0]}: {best[1]['p100']:.3f} / {best[1]['p50']:.3f}"
    )


def run(args, tasks):
    measure = partial(run_one, plans=args.plans, max_iter=args.max_iter)
    run_task_seeds(args, tasks, __file__, measure, _describe)


def _plan_name(lengths):
    """``[15, 30]`` -> ``"15+30"``."""
    return "+".join(str(n) for n in lengths)


def report(path):
    """Two markdown tables: the scores per plan, and their paired differences.

    Each plan is paired with the default's plan of its task (``n_steps="auto"``,
    recorded per run), where that plan ran too.
    """
    records = _done(path)
    if not records:
        return f"no results in {path}"
    return report_differences(
        records,
        made_by(records, __file__),
        'Minus the default\'s plan (`n_steps="auto"`, the column "auto"), paired '
        "by seed: mean ± standard error, 100th / 50th percentile.",
        lambda record: _plan_name(record["auto"]),
        "auto",
    )


def report_differences(records, first_line, caption, reference, label):
    """The tables of :func:`report` for any records with per-plan ``cells``.

    ``reference(record)``: the plan each of the record's plans is paired with,
    named in a column headed ``label``.
    """
    plans = list(dict.fromkeys(p for r in records for p in r["cells"]))
    tasks = list(dict.fromkeys(r["task"] for r in records))
    lines = [first_line, ""]
    lines += [
        "| task | seeds | " + " | ".join(plans) + " |",
        "|---|---|" + "---|" * len(plans),
    ]
    for task in tasks:
        runs = [r for r in records if r["task"] == task]
        cells = []
        for plan in plans:
            values = [r["cells"][plan] for r in runs if plan in r["cells"]]
            p100 = np.mean([v["p100"] for v in values]) if values else np.nan
            p50 = np.mean([v["p50"] for v in values]) if values else np.nan
            cells.append(f"{p100:.3f} / {p50:.3f}" if values else "")
        lines.append(f"| {task} | {len(runs)} | " + " | ".join(cells) + " |")
    paired = [r for r in records if reference(r) in r["cells"]]
    if not paired:
        return "\n".join(lines)
    lines += [
        "",
        caption,
        "",
        f"| task | {label} | " + " | ".join(plans) + " |",
        "|---|---|" + "---|" * len(plans),
    ]
    for task in tasks:
        runs = [r for r in paired if r["task"] == task]
        if not runs:
            continue
        name = reference(runs[0])
        cells = []
        for plan in plans:
            pairs = [r["cells"] for r in runs if plan in r["cells"]]
            if plan == name or not pairs:
                cells.append("")
                continue
            cell = []
            for key in ("p100", "p50"):
                diff = np.array([c[plan][key] - c[name][key] for c in pairs])
                error = diff.std() / np.sqrt(len(diff)) if len(diff) > 1 else 0.0
                cell.append(f"{diff.mean():+.3f} ± {error:.3f}")
            cells.append(" / ".join(cell))
        lines.append(f"| {task} | {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", nargs="+", choices=list(TASKS), default=list(DEFAULT_TASKS)
    )
    parser.add_argument(
        "--plans",
        nargs="+",
        default=PLANS,
        help="values of n_steps, one column each: a length, or lengths joined by "
        "'+' and cycled over the start points",
    )
    add_seed_arguments(parser, 8)
    parser.add_argument("--output", default="path_lengths.jsonl")
    parser.add_argument("--report", action="store_true", help="print the tables only")
    parser.add_argument(
        "--quick", action="store_true", help="a small Branin, 2 epochs, 1 seed"
    )
    args = parser.parse_args(argv)
    for plan in args.plans:
        try:
            parse_plan(plan)
        except ValueError as exc:
            parser.error(f"--plans: {exc}")
    check_seed_arguments(parser, args)
    args.max_iter = None
    if args.quick:
        args.seeds, args.max_iter = 1, 2
        return args, {"branin": QUICK["branin"]}
    return args, {name: TASKS[name] for name in args.tasks}


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
