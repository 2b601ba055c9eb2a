"""Whether the held-out error chooses the best alpha, with one repeat or three.

``ConservativeObjectiveRegressorCV`` trains its candidate alphas on the designs below
the top 10% and keeps the one that predicts those top designs best; within a repeat
the candidates start from one initialization, and ``n_repeats`` averages the error
over independent ones. This script measures, per task and seed:

- the proposals of each candidate alpha fixed (``OfflineDesignOptimizer`` on a model
  of that single alpha: 128 designs, normalized 100th / 50th percentile by the
  task's oracle), the hindsight that a user does not have;
- the alpha that the selection chooses with ``allow_plain=True`` (0 among the
  candidates on every data set) and ``n_repeats`` of 1 and 3. The final network of
  a selection is that of the fixed-alpha run of the same seed, so its proposals are
  those of the chosen alpha's row.

The model is the package's default for the task's design space (the squared error
with 10-step paths on continuous data with no more designs than features, where the
default chooses with ``allow_plain=True, n_repeats=3``: its proposals are the
three-repeat column's). The
default tasks are the four 256-D functions of ``quality_benchmark.py`` with 200
visible designs; ``--tasks`` takes any task of that script, and the instances of
``path_lengths.py`` that no other script measures. ``--choices-only``
leaves out the fixed alphas (their cells stay empty, and so does the count of
choices that were best in hindsight): a cheaper check of what each repeat count
chooses. Results are appended to ``--output`` as they come (JSON lines) and
``--report`` prints the table.

    python examples/alpha_repeats.py --seeds 8          # about 15 minutes
    python examples/alpha_repeats.py --tasks branin ackley --choices-only
    python examples/alpha_repeats.py --report
    python examples/alpha_repeats.py --quick            # seconds
"""

import argparse
import os
import sys
import time

import numpy as np

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import normalize_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from path_lengths import CHECKS  # noqa: E402
from quality_benchmark import (  # noqa: E402
    OFF_CENTRE,
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

TASKS = {**SHIPPED, **UNSHIPPED, **WIDE_CHECKS, **OFF_CENTRE, **CHECKS}
WIDE = ["ackley256-n200", "rosenbrock256-n200", "sphere256-n200", "linear256-n200"]
ALPHAS = (0.0, 0.01, 0.1, 1.0)
REPEATS = (1, 3)
N_DESIGNS = 128


def _model(task, max_iter, **params):
    small = {} if max_iter is None else {"max_iter": max_iter}
    return default_model(
        task.is_discrete,
        underdetermined=underdetermined(task),
        allow_plain=True,
        **small,
        **params,
    )


def run_one(task, seed, max_iter=None, hindsight=True):
    """The proposals of every fixed alpha (unless not ``hindsight``), and the
    choice of each repeat count."""
    start = time.perf_counter()
    fixed = {}
    for alpha in ALPHAS if hindsight else ():
        model = _model(task, max_iter, alphas=(alpha,))
        optimizer = OfflineDesignOptimizer(model, random_state=seed)
        scores = normalize_score(
            task.oracle(optimizer.fit(task.X, task.y).propose(N_DESIGNS)), task
        )
        fixed[f"{alpha:g}"] = [float(np.max(scores)), float(np.median(scores))]
    chosen, errors, selected = {}, {}, {}
    for n_repeats in REPEATS:
        model = _model(task, max_iter, alphas=ALPHAS, n_repeats=n_repeats)
        # the optimizer seeds its model as in the fixed-alpha runs
        fitted = OfflineDesignOptimizer(model, random_state=seed).fit(task.X, task.y)
        chosen[str(n_repeats)] = float(fitted.estimator_.alpha_)
        errors[str(n_repeats)] = fitted.estimator_.holdout_mse_.tolist()
        scores = normalize_score(task.oracle(fitted.propose(N_DESIGNS)), task)
        selected[str(n_repeats)] = [float(np.max(scores)), float(np.median(scores))]
    return {
        "fixed": fixed,
        "chosen": chosen,
        "selected": selected,
        "holdout_mse": errors,
        "seconds": time.perf_counter() - start,
    }


def run(args, tasks):
    run_task_seeds(
        args,
        tasks,
        __file__,
        lambda task, seed: run_one(task, seed, args.max_iter, not args.choices_only),
        lambda r: (
            f"{r['task']:>20} seed {r['seed']}: chosen "
            + ", ".join(f"{k} repeat(s) {v:g}" for k, v in r["chosen"].items())
        ),
    )


def report(path):
    """A row per task: each fixed alpha, then each repeat count's choices."""
    records = _done(path)
    if not records:
        return f"no results in {path}"
    alphas = [f"{a:g}" for a in ALPHAS]
    repeats = [str(n) for n in REPEATS]
    lines = [
        made_by(records, __file__),
        "",
        "| task | seeds | "
        + " | ".join(f"alpha={a}" for a in alphas)
        + " | "
        + " | ".join(
            f"n_repeats={n}: chosen (best in hindsight) | scores" for n in repeats
        )
        + " |",
        "|---|---|" + "---|" * (len(alphas) + 2 * len(repeats)),
    ]
    for task in dict.fromkeys(r["task"] for r in records):
        runs = sorted(
            (r for r in records if r["task"] == task), key=lambda r: r["seed"]
        )
        # runs with --choices-only have no fixed alphas: empty cells, no hindsight
        hindsight = all(r["fixed"] for r in runs)
        cells = []
        for a in alphas:
            if hindsight:
                p100, p50 = np.mean([r["fixed"][a] for r in runs], axis=0)
                cells.append(f"{p100:.3f} / {p50:.3f}")
            else:
                cells.append("")
        for n in repeats:
            picks, scores, best = [], [], 0
            for r in runs:
                pick = f"{r['chosen'][n]:g}"
                picks.append(pick)
                scores.append(r["selected"][n])
                # best in hindsight: the highest median of the fixed alphas
                if hindsight:
                    best += pick == max(alphas, key=lambda a: r["fixed"][a][1])
            p100, p50 = np.mean(scores, axis=0)
            count = f" ({best} of {len(runs)})" if hindsight else ""
            cells.append(f"{', '.join(picks)}{count}")
            cells.append(f"{p100:.3f} / {p50:.3f}")
        lines.append(f"| {task} | {len(runs)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", choices=list(TASKS), default=WIDE)
    add_seed_arguments(parser, 8)
    parser.add_argument("--output", default="alpha_repeats.jsonl")
    parser.add_argument("--report", action="store_true", help="print the table only")
    parser.add_argument(
        "--choices-only",
        action="store_true",
        help="only the choices and their proposals, no fixed alphas (no hindsight)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one 256-D function, 2 epochs, 1 seed"
    )
    args = parser.parse_args(argv)
    check_seed_arguments(parser, args)
    args.max_iter = None
    if args.quick:
        args.seeds, args.max_iter, args.tasks = 1, 2, WIDE[-1:]
    return args, {name: TASKS[name] for name in args.tasks}


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
