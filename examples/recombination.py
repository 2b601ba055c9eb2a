"""Means of the data's best designs, scored by the oracle, per continuous task.

An oracle-free proposal that no model-based method of the package makes: take the
128 best designs of the data (by their recorded scores), draw 128 sets of ``m`` of
them at random and propose the mean of each set. Where the data are noisy copies
of better designs (as the Hopper controller's, which augmented random search made
by perturbing a few policies, README "The Hopper controller"), the mean of a few
of them removes part of the noise and scores above every one of them; on the test
functions it is a plain interpolation between good designs. The table gives, per
``m``, the normalized 100th / 50th percentile of the 128 scores, mean ± standard
error over ``--draws`` draws of the sets (the draws play the role of seeds), beside
the data's best 128 designs themselves. With ``--model``, ``OfflineDesignOptimizer``
is fitted once per draw (``random_state`` the draw) and its model ranks its own 128
proposals together with the means: the last columns give its proposals, the 128
its model ranks highest, and the share of means among them.

    python examples/recombination.py                        # minutes
    python examples/recombination.py --tasks hopper --draws 8
    python examples/recombination.py --model                # the default's model
    python examples/recombination.py --quick                # seconds
"""

import argparse
import os
import sys

import numpy as np

from skcoms import OfflineDesignOptimizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_sensitivity import (  # noqa: E402
    N_DESIGNS,
    add_task_arguments,
    chosen_tasks,
    made_by,
    percentiles,
)


def _means(best, m, draw):
    """128 means of ``m`` designs of ``best``, the sets drawn with seed ``draw``."""
    rng = np.random.RandomState(draw)
    sets = np.array([rng.choice(len(best), m, replace=False) for _ in range(N_DESIGNS)])
    return best[sets].mean(axis=1)


def means_of_best(task, sizes, n_draws):
    """Percentiles of the data's best designs, then of means of ``m`` of them."""
    best = task.X[np.argsort(-task.y, kind="stable")[:N_DESIGNS]]
    rows = {1: [percentiles(task, best)]}
    for m in sizes:
        rows[m] = [percentiles(task, _means(best, m, draw)) for draw in range(n_draws)]
    return rows


def model_picks(task, sizes, n_draws):
    """What the default's own model makes of the means, draw by draw.

    ``OfflineDesignOptimizer(random_state=draw)`` is fitted on the task and proposes
    128 designs; its model then ranks those together with the means of every size
    (the sets of the means columns), and keeps its 128 best. Per draw: the
    percentiles of its proposals, of the 128 it keeps, and the share of means among
    those.
    """
    best = task.X[np.argsort(-task.y, kind="stable")[:N_DESIGNS]]
    rows = {"default": [], "picked": [], "share": []}
    for draw in range(n_draws):
        optimizer = OfflineDesignOptimizer(random_state=draw).fit(task.X, task.y)
        proposals = optimizer.propose(N_DESIGNS)
        means = np.concatenate([_means(best, m, draw) for m in sizes])
        candidates = np.concatenate([proposals, means])
        top = np.argsort(-optimizer.predict(candidates), kind="stable")[:N_DESIGNS]
        rows["default"].append(percentiles(task, proposals))
        rows["picked"].append(percentiles(task, candidates[top]))
        rows["share"].append(float(np.mean(top >= len(proposals))))
    return rows


def _cell(values):
    values = np.asarray(values)
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():.3f} ± {error:.3f}"


def table(results, picks=None):
    sizes = list(next(iter(results.values())))[1:]
    header = ["data's best 128", *(f"means of {m}" for m in sizes)]
    if picks:
        header += [
            "OfflineDesignOptimizer()",
            "its model's best 128 of both",
            "means among them",
        ]
    lines = [
        "| task | " + " | ".join(header) + " |",
        "|---|" + "---|" * len(header),
    ]
    for task_name, rows in results.items():
        ((p100, p50),) = rows[1]
        cells = [f"{p100:.3f} / {p50:.3f}"]
        for key in [*sizes, *(("default", "picked") if picks else ())]:
            draws = np.array(rows[key] if key in sizes else picks[task_name][key])
            cells.append(f"{_cell(draws[:, 0])} / {_cell(draws[:, 1])}")
        if picks:
            cells.append(f"{np.mean(picks[task_name]['share']):.0%}")
        lines.append(f"| {task_name} | " + " | ".join(cells) + " |")
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_task_arguments(parser, 8, "draws of the sets")
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=int,
        default=(2, 4, 8),
        help="designs per mean, one column each",
    )
    parser.add_argument(
        "--model",
        action="store_true",
        help="also fit OfflineDesignOptimizer() once per draw and let its model "
        "choose 128 of its proposals and the means",
    )
    args = parser.parse_args(argv)
    if any(not 2 <= m <= N_DESIGNS for m in args.sizes):
        parser.error(f"--sizes must be between 2 and {N_DESIGNS}")
    return args, chosen_tasks(parser, args)


def main(argv=None):
    args, tasks = parse_args(argv)
    results, picks = {}, {}
    for name, make in tasks.items():
        task = make()
        if task.n_samples < N_DESIGNS:
            raise SystemExit(f"{name} has {task.n_samples} designs, fewer than 128")
        results[name] = means_of_best(task, args.sizes, args.draws)
        if args.model:
            picks[name] = model_picks(task, args.sizes, args.draws)
        print(f"{name}: done", flush=True)
    print(made_by(__file__, f"mean ± standard error over {args.draws} draws"))
    print("\n".join(table(results, picks)))


if __name__ == "__main__":
    main()
