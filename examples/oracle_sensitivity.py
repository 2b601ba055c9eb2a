"""How much the oracle's score moves when the designs barely move, per continuous task.

A design's normalized score should not depend on the last digits of its numbers.
This script takes the 128 best designs of each task's data (what ``BestOfDataset``
proposes), scores them with the task's oracle, then adds Gaussian noise of
``eps`` standard deviations of the data to every number (``--eps``; 1e-7 is the
rounding of float32 numbers near 1) and scores them again, ``--draws`` times per
``eps``. The table gives the normalized 100th / 50th percentile of the 128 scores:
unperturbed, then the mean over draws with the lowest and highest 100th
percentile of the draws. Where a perturbation far below any optimizer's step
changes the percentiles, differences of that size between methods on that task
are the oracle's noise, not the methods' (README, "The Hopper controller").

    python examples/oracle_sensitivity.py                   # minutes
    python examples/oracle_sensitivity.py --tasks hopper --draws 8
    python examples/oracle_sensitivity.py --quick           # seconds
"""

import argparse
import os
import sys

import numpy as np

from skcoms.benchmark import normalize_score, provenance

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listnet_temperature import CONTINUOUS  # noqa: E402
from quality_benchmark import OFF_CENTRE, QUICK  # noqa: E402

N_DESIGNS = 128
# the tasks ``--tasks`` takes: the continuous tasks, and the off-centre Ackleys
TASKS = {**CONTINUOUS, **OFF_CENTRE}


def percentiles(task, designs):
    """Normalized 100th and 50th percentile of the oracle's scores."""
    scores = normalize_score(task.oracle(designs), task)
    return float(np.max(scores)), float(np.median(scores))


def sensitivity(task, eps_values, n_draws, random_state=0):
    """Percentiles of the data's best designs, unperturbed and per ``eps``."""
    rng = np.random.RandomState(random_state)
    best = task.X[np.argsort(-task.y, kind="stable")[:N_DESIGNS]]
    scale = task.X.std(axis=0)
    rows = {"0": [percentiles(task, best)]}
    for eps in eps_values:
        rows[f"{eps:g}"] = [
            percentiles(task, best + eps * scale * rng.standard_normal(best.shape))
            for _ in range(n_draws)
        ]
    return rows


def table(results):
    eps_columns = list(next(iter(results.values())))[1:]
    header = ["data's best 128", *(f"eps = {eps}" for eps in eps_columns)]
    lines = [
        "| task | " + " | ".join(header) + " |",
        "|---|" + "---|" * len(header),
    ]
    for task_name, rows in results.items():
        ((p100, p50),) = rows["0"]
        cells = [f"{p100:.3f} / {p50:.3f}"]
        for eps in eps_columns:
            draws = np.array(rows[eps])
            cells.append(
                f"{draws[:, 0].mean():.3f} [{draws[:, 0].min():.3f}, "
                f"{draws[:, 0].max():.3f}] / {draws[:, 1].mean():.3f}"
            )
        lines.append(f"| {task_name} | " + " | ".join(cells) + " |")
    return lines


def add_task_arguments(parser, draws, draws_help):
    """``--tasks`` (the continuous tasks by default; the off-centre Ackleys of
    ``quality_benchmark.py`` when named), ``--draws`` and ``--quick``."""
    parser.add_argument(
        "--tasks", nargs="+", choices=list(TASKS), default=list(CONTINUOUS)
    )
    parser.add_argument("--draws", type=int, default=draws, help=draws_help)
    parser.add_argument("--quick", action="store_true", help="a small Branin")


def chosen_tasks(parser, args):
    """The tasks of ``add_task_arguments``' options, by name; refuses no draws."""
    if args.draws < 1:
        parser.error("--draws must be at least 1")
    if args.quick:
        return {"branin": QUICK["branin"]}
    return {name: TASKS[name] for name in args.tasks}


def made_by(script, what):
    """The line naming the package, the commit, what the table holds and the
    command that printed it."""
    info = provenance(script)
    return (
        f"\nskcoms {info['skcoms']} at commit {info['commit']}; normalized 100th / "
        f"50th percentile of {N_DESIGNS} designs, {what}; "
        f"`python examples/{os.path.basename(script)} {' '.join(sys.argv[1:])}`\n"
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_task_arguments(parser, 3, "draws per eps")
    parser.add_argument(
        "--eps",
        nargs="+",
        type=float,
        default=(1e-7, 1e-6, 1e-4),
        help="noise in standard deviations of the data, one column each",
    )
    args = parser.parse_args(argv)
    if any(not e > 0 for e in args.eps):
        parser.error("--eps must be positive")
    return args, chosen_tasks(parser, args)


def main(argv=None):
    args, tasks = parse_args(argv)
    results = {}
    for name, make in tasks.items():
        results[name] = sensitivity(make(), args.eps, args.draws)
        print(f"{name}: done", flush=True)
    print(
        made_by(
            __file__,
            f"{args.draws} draws per eps (mean [lowest, highest 100th percentile] "
            "/ mean 50th)",
        )
    )
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
