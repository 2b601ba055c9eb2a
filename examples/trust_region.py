"""The trust regions (max_distance, max_changes) of the default, on every task.

``OfflineDesignOptimizer(max_distance=r)`` moves every iterate of the ascent on
continuous designs back to at most ``r`` root-mean-square standardized units
(standard deviations of the data, averaged over the features) from its start;
``max_changes=k`` keeps every decoded sequence within ``k`` tokens of its start.
This script fits the package default ``OfflineDesignOptimizer()`` once per task and
seed, searches it without a trust region and with each radius (``--radii`` for
continuous tasks, ``--changes`` for sequence tasks; both are read when the search
runs, so the fitted model is shared), and prints the normalized 100th / 50th
percentile of 128 proposals (mean over seeds) per task and radius, with how far the
proposals without a trust region lie from the data: the median over proposals of
the root-mean-square standardized distance (continuous designs) or the number of
differing tokens (sequences) to the nearest design of the data. It is the
measurement behind the defaults of ``max_distance`` and ``max_changes`` (README,
"The trust regions"); the tasks are those of ``quality_benchmark.py``, shipped and
unshipped, and ``--tasks`` also takes its larger sequence tasks (``rna50-t3`` and
the others), run only when named.

Each (task, seed) result is appended to ``--output`` (JSON lines) as soon as it is
done, so a run can be stopped and resumed; ``--report`` prints the tables of the
file without running anything.

    python examples/trust_region.py --seeds 4            # hours
    python examples/trust_region.py --tasks hopper --radii 0.05 0.1
    python examples/trust_region.py --tasks tfbind8 rna14 --changes 1 2
    python examples/trust_region.py --report
    python examples/trust_region.py --quick              # seconds
"""

import argparse
import os
import sys
import time
from functools import partial

import numpy as np
from sklearn.metrics import pairwise_distances_argmin_min

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import normalize_score

# the tasks, and the reading of a results file, are those of quality_benchmark.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listnet_temperature import CONTINUOUS  # noqa: E402
from quality_benchmark import (  # noqa: E402
    LARGER,
    QUICK,
    SHIPPED,
    UNSHIPPED,
    _done,
    add_seed_arguments,
    check_seed_arguments,
    made_by,
    run_task_seeds,
    underdetermined,
)

# every task of quality_benchmark.py: its sequence tasks, then the continuous ones
SEQUENCES = {
    name: make
    for name, make in {**SHIPPED, **UNSHIPPED}.items()
    if name not in CONTINUOUS
}
TASKS = {**SEQUENCES, **CONTINUOUS}
# run when named: the larger sequence tasks of quality_benchmark.py
CHOICES = {**TASKS, **LARGER}

NONE = "none"
N_DESIGNS = 128
# the trust region of each kind of design space, and its distance column
PARAMETERS = {
    "max_distance": "rms distance to the data",
    "max_changes": "tokens from the data",
}


def distance_to_data(designs, X, scale):
    """Per design: the rms standardized distance to the nearest row of ``X``."""
    _, nearest = pairwise_distances_argmin_min(designs / scale, X / scale)
    return nearest / np.sqrt(X.shape[1])


def changes_from_data(designs, X):
    """Per design: the number of tokens in which it differs from the nearest row."""
    _, nearest = pairwise_distances_argmin_min(designs, X, metric="hamming")
    return np.rint(nearest * X.shape[1]).astype(int)


def run_one(task, seed, radii, changes, max_iter=None):
    """Fit the default once; the scores of its proposals at every radius."""
    optimizer = OfflineDesignOptimizer(random_state=seed)
    if max_iter is not None:
        # the default model of the design space, with fewer epochs
        model = default_model(
            task.is_discrete, underdetermined=underdetermined(task), max_iter=max_iter
        )
        optimizer.set_params(estimator=model)
    start = time.perf_counter()
    optimizer.fit(task.X, task.y)
    if task.is_discrete:
        parameter, values = "max_changes", changes
        distance = partial(changes_from_data, X=task.X)
    else:
        parameter, values = "max_distance", radii
        scale = task.X.std(axis=0)
        scale[scale == 0] = 1.0
        distance = partial(distance_to_data, X=task.X, scale=scale)
    cells = {}
    for radius in (NONE, *values):
        optimizer.set_params(**{parameter: None if radius == NONE else radius})
        designs = optimizer.propose(N_DESIGNS)
        scores = normalize_score(task.oracle(designs), task)
        cells[str(radius)] = {
            "p100": float(np.max(scores)),
            "p50": float(np.median(scores)),
            "distance": float(np.median(distance(designs))),
        }
        if task.has_constraints:
            cells[str(radius)]["feasible"] = float(np.mean(task.is_feasible(designs)))
    alpha = getattr(optimizer.estimator_, "alpha_", None)
    return {
        "cells": cells,
        "alpha": None if alpha is None else float(alpha),
        "seconds": time.perf_counter() - start,
    }


def _measure(task, seed, args):
    return {
        "parameter": "max_changes" if task.is_discrete else "max_distance",
        **run_one(task, seed, args.radii, args.changes, args.max_iter),
    }


def _describe(record):
    none = record["cells"][NONE]
    best = max(record["cells"].items(), key=lambda c: c[1]["p50"])
    return (
        f"{record['task']:>14} seed {record['seed']}: no trust region "
        f"{none['p100']:.3f} / {none['p50']:.3f}; highest median at "
        f"{best[0]}: {best[1]['p100']:.3f} / {best[1]['p50']:.3f}"
    )


def run(args, tasks):
    run_task_seeds(args, tasks, __file__, partial(_measure, args=args), _describe)


def report(path):
    """Markdown tables, one per parameter: a row per task, a column per radius."""
    # records that name no parameter come from the script's continuous-only form
    records = [{"parameter": "max_distance", **r} for r in _done(path)]
    if not records:
        return f"no results in {path}"
    lines = [made_by(records, __file__)]
    for parameter, distance in PARAMETERS.items():
        of_kind = [r for r in records if r["parameter"] == parameter]
        if of_kind:
            lines += ["", *_table(of_kind, parameter, distance)]
    return "\n".join(lines)


def _table(records, parameter, distance):
    radii = sorted(
        {radius for r in records for radius in r["cells"] if radius != NONE},
        key=float,
    )
    header = ["no trust region", *(f"{parameter}={r}" for r in radii)]
    lines = [
        f"| task | seeds | alpha chosen | {distance} | " + " | ".join(header) + " |",
        "|---|---|---|---|" + "---|" * len(header),
    ]
    for task in dict.fromkeys(r["task"] for r in records):
        runs = [r for r in records if r["task"] == task]
        cells = []
        for radius in (NONE, *radii):
            values = [r["cells"][radius] for r in runs if radius in r["cells"]]
            if values:
                p100 = np.mean([v["p100"] for v in values])
                p50 = np.mean([v["p50"] for v in values])
                cells.append(f"{p100:.3f} / {p50:.3f}")
            else:
                cells.append("")
        moved = np.mean([r["cells"][NONE]["distance"] for r in runs])
        alphas = ", ".join(
            "-" if r["alpha"] is None else f"{r['alpha']:g}"
            for r in sorted(runs, key=lambda r: r["seed"])
        )
        lines.append(
            f"| {task} | {len(runs)} | {alphas} | {moved:.3g} | "
            + " | ".join(cells)
            + " |"
        )
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", nargs="+", choices=list(CHOICES), default=list(TASKS)
    )
    parser.add_argument(
        "--radii",
        nargs="+",
        type=float,
        default=(0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
        help="values of max_distance for continuous tasks, one column each (every "
        "task is also searched without a trust region)",
    )
    parser.add_argument(
        "--changes",
        nargs="+",
        type=int,
        default=(1, 2, 3, 4),
        help="values of max_changes for sequence tasks, one column each",
    )
    add_seed_arguments(parser, 4)
    parser.add_argument("--output", default="trust_region.jsonl")
    parser.add_argument("--report", action="store_true", help="print the table only")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a small Branin and a small Ehrlich function, 2 epochs, 1 seed",
    )
    args = parser.parse_args(argv)
    if any(not r > 0 for r in args.radii):
        parser.error("--radii must be positive")
    check_seed_arguments(parser, args)
    if any(k < 0 for k in args.changes):
        parser.error("--changes must be non-negative")
    args.max_iter = None
    if args.quick:
        args.seeds, args.max_iter = 1, 2
        return args, dict(QUICK)
    return args, {name: CHOICES[name] for name in args.tasks}


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
