"""The trust region of continuous designs (max_distance), on every continuous task.

``OfflineDesignOptimizer(max_distance=r)`` moves every iterate of the ascent back to
at most ``r`` root-mean-square standardized units (standard deviations of the data,
averaged over the features) from its start. This script fits the package default
``OfflineDesignOptimizer()`` once per task and seed, searches it without a trust
region and with each radius of ``--radii`` (``max_distance`` is read when the
search runs, so the fitted model is shared), and prints the normalized 100th / 50th
percentile of 128 proposals (mean over seeds) per task and radius, and how far the
proposals without a trust region lie from the data: the median over proposals of
the root-mean-square standardized distance to the nearest design of the data. It
is the measurement behind the default of ``max_distance`` (README, "The trust
region"); the tasks are the continuous ones of ``quality_benchmark.py``, shipped and
unshipped.

Each (task, seed) result is appended to ``--output`` (JSON lines) as soon as it is
done, so a run can be stopped and resumed; ``--report`` prints the table of the file
without running anything.

    python examples/trust_region.py --seeds 4            # about an hour
    python examples/trust_region.py --tasks hopper --radii 0.05 0.1
    python examples/trust_region.py --report
    python examples/trust_region.py --quick              # seconds
"""

import argparse
import json
import os
import sys
import time

import numpy as np

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import normalize_score, provenance

# the tasks, and the reading of a results file, are those of quality_benchmark.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listnet_temperature import CONTINUOUS  # noqa: E402
from quality_benchmark import QUICK, _done  # noqa: E402

NONE = "none"
N_DESIGNS = 128


def distance_to_data(designs, X, scale):
    """Per design: the rms standardized distance to the nearest row of ``X``."""
    A, B = designs / scale, X / scale
    squared = (A**2).sum(1)[:, None] - 2 * A @ B.T + (B**2).sum(1)[None]
    return np.sqrt(np.maximum(squared.min(1), 0.0) / X.shape[1])


def run_one(task, seed, radii, max_iter=None):
    """Fit the default once; the scores of its proposals at every radius."""
    optimizer = OfflineDesignOptimizer(random_state=seed)
    if max_iter is not None:
        # the default model of continuous designs, with fewer epochs
        optimizer.set_params(estimator=default_model(False, max_iter=max_iter))
    start = time.perf_counter()
    optimizer.fit(task.X, task.y)
    scale = task.X.std(axis=0)
    scale[scale == 0] = 1.0
    cells = {}
    for radius in (NONE, *radii):
        optimizer.set_params(max_distance=None if radius == NONE else radius)
        designs = optimizer.propose(N_DESIGNS)
        scores = normalize_score(task.oracle(designs), task)
        cells[str(radius)] = {
            "p100": float(np.max(scores)),
            "p50": float(np.median(scores)),
            "distance": float(np.median(distance_to_data(designs, task.X, scale))),
        }
    alpha = getattr(optimizer.estimator_, "alpha_", None)
    return {
        "cells": cells,
        "alpha": None if alpha is None else float(alpha),
        "seconds": time.perf_counter() - start,
    }


def run(args, tasks):
    done = {(r["task"], r["seed"]) for r in _done(args.output)}
    for task_name, make in tasks.items():
        task = None
        for seed in range(args.seeds):
            if (task_name, seed) in done:
                continue
            task = make() if task is None else task
            record = {
                "task": task_name,
                "seed": seed,
                **run_one(task, seed, args.radii, args.max_iter),
                **provenance(__file__),
            }
            with open(args.output, "a") as file:
                file.write(json.dumps(record) + "\n")
            best = max(record["cells"].items(), key=lambda c: c[1]["p50"])
            print(
                f"{task_name:>14} seed {seed}: no trust region "
                f"{record['cells'][NONE]['p100']:.3f} / "
                f"{record['cells'][NONE]['p50']:.3f}; highest median at "
                f"{best[0]}: {best[1]['p100']:.3f} / {best[1]['p50']:.3f}",
                flush=True,
            )


def report(path):
    """A markdown table: one row per task, one column per radius."""
    records = _done(path)
    if not records:
        return f"no results in {path}"
    made_by = sorted({f"skcoms {r['skcoms']} at commit {r['commit']}" for r in records})
    radii = sorted(
        {radius for r in records for radius in r["cells"] if radius != NONE},
        key=float,
    )
    header = ["no trust region", *(f"max_distance={r}" for r in radii)]
    lines = [
        f"{', '.join(made_by)}; "
        f"`python examples/{os.path.basename(__file__)} {' '.join(sys.argv[1:])}`",
        "",
        "| task | seeds | alpha chosen | distance to the data | "
        + " | ".join(header)
        + " |",
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
        distance = np.mean([r["cells"][NONE]["distance"] for r in runs])
        alphas = ", ".join(
            "-" if r["alpha"] is None else f"{r['alpha']:g}"
            for r in sorted(runs, key=lambda r: r["seed"])
        )
        lines.append(
            f"| {task} | {len(runs)} | {alphas} | {distance:.3f} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", nargs="+", choices=list(CONTINUOUS), default=list(CONTINUOUS)
    )
    parser.add_argument(
        "--radii",
        nargs="+",
        type=float,
        default=(0.02, 0.05, 0.1, 0.2, 0.5, 1.0),
        help="values of max_distance, one column each (no trust region is always run)",
    )
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--output", default="trust_region.jsonl")
    parser.add_argument("--report", action="store_true", help="print the table only")
    parser.add_argument(
        "--quick", action="store_true", help="a small Branin, 2 epochs, 1 seed"
    )
    args = parser.parse_args(argv)
    if any(not r > 0 for r in args.radii):
        parser.error("--radii must be positive")
    args.max_iter = None
    if args.quick:
        args.seeds, args.max_iter = 1, 2
        return args, {"branin": QUICK["branin"]}
    return args, {name: CONTINUOUS[name] for name in args.tasks}


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
