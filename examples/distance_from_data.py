"""How far designs lie from the data, and what a model and the oracle make of them.

Per continuous task and seed, the script fits the default model's fit term (the
squared error with 10-step paths on data with no more designs than features,
ListNet otherwise) at each fixed alpha of ``--alphas`` (the default chooses among
such candidates), and lets ``OfflineDesignOptimizer`` search each model with every
path length of ``--steps`` (``n_steps``, read when ``propose`` runs, so one fit
serves them all). It scores with the oracle and with the model: those proposals,
the data's 128 best designs, means of ``m`` of them (``recombination.py``'s sets,
``--sizes``) and ``MINsOptimizer()``'s proposals. Per row: the median over the 128
designs of their distance to the nearest design of the data (root-mean-square over
the features, in standard deviations of the data), the median of the model's
normalized scores, and the oracle's normalized 100th / 50th percentile; means over
``--draws`` seeds (each seed fits the models and MINs and draws the sets).

Where the oracle's score falls along the rows of a model while the model's rises,
the model over-rates its own ascent there; where designs far from the data score
high with the oracle and low with every model, the plain one included, the models
do not see what makes them better, and no path length or alpha of ascent on them
reaches such designs (README, "How far the proposals move on the Hopper
controller").

    python examples/distance_from_data.py --draws 4         # the Hopper controller
    python examples/distance_from_data.py --tasks ackley hartmann6 --draws 4
    python examples/distance_from_data.py --quick           # seconds
"""

import argparse
import os
import sys

import numpy as np

from skcoms import MINsOptimizer, OfflineDesignOptimizer
from skcoms._defaults import DEFAULT_FIT, default_model, is_underdetermined
from skcoms.benchmark import normalize_score

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle_sensitivity import (  # noqa: E402
    N_DESIGNS,
    add_task_arguments,
    chosen_tasks,
    made_by,
)
from recombination import _cell, _means  # noqa: E402

# the settings of the default model's fit that a fixed-alpha model takes over
FIT_TERM = ("loss", "listnet_temperature", "n_ascent_steps")


class Distances:
    """The distance of designs to the nearest design of ``X``, root-mean-square
    over the features, in standard deviations of ``X`` (features that never vary
    in ``X`` count in their own units)."""

    def __init__(self, X):
        scale = X.std(axis=0)
        self.scale = np.where(scale > 0, scale, 1.0)
        self.data = X / self.scale
        self.squares = (self.data**2).sum(axis=1)

    def __call__(self, designs):
        designs = designs / self.scale
        squared = (
            (designs**2).sum(axis=1)[:, None]
            + self.squares[None, :]
            - 2.0 * designs @ self.data.T
        )
        nearest = np.maximum(squared.min(axis=1), 0.0)
        return np.sqrt(nearest / designs.shape[1])


def _oracle(task, distances, designs):
    """What does not depend on the model: the median distance and the oracle's
    percentiles."""
    oracle = normalize_score(task.oracle(designs), task)
    return (
        float(np.median(distances(designs))),
        float(oracle.max()),
        float(np.median(oracle)),
    )


def _row(task, model, designs, measured):
    """Median distance, the model's median normalized score, the oracle's
    percentiles (``measured``: those of ``_oracle``)."""
    distance, p100, p50 = measured
    predicted = normalize_score(model.predict(designs), task)
    return (distance, float(np.median(predicted)), p100, p50)


def measure(task, alphas, steps, sizes, seed, max_iter=None):
    """One seed's rows, keyed by (alpha, what the designs are)."""
    X, y = task.X, task.y
    distances = Distances(X)
    best = X[np.argsort(-y, kind="stable")[:N_DESIGNS]]
    references = {"the data's best 128": best}
    for m in sizes:
        references[f"means of {m}"] = _means(best, m, seed)
    mins = MINsOptimizer(random_state=seed)
    if max_iter is not None:
        mins.set_params(n_epochs=max_iter)
    references["MINsOptimizer()"] = mins.fit(X, y).propose(N_DESIGNS)
    # the oracle scores each reference set once, whatever the model
    measured = {
        name: _oracle(task, distances, designs) for name, designs in references.items()
    }
    # the default model's fit term and path length for these data, at a fixed alpha
    kind = "underdetermined" if is_underdetermined(X) else "continuous"
    fit = {key: DEFAULT_FIT[kind][key] for key in FIT_TERM}
    if max_iter is not None:
        fit["max_iter"] = max_iter
    rows = {}
    for alpha in alphas:
        model = default_model(False, alpha=alpha, **fit)
        optimizer = OfflineDesignOptimizer(model, random_state=seed).fit(X, y)
        for name, designs in references.items():
            rows[alpha, name] = _row(task, optimizer, designs, measured[name])
        for n_steps in steps:
            optimizer.set_params(n_steps=n_steps)
            proposals = optimizer.propose(N_DESIGNS)
            rows[alpha, f"its proposals, {n_steps} steps"] = _row(
                task, optimizer, proposals, _oracle(task, distances, proposals)
            )
    return rows


def table(results):
    lines = [
        "| task | alpha | designs | distance | model's median | oracle 100th / 50th |",
        "|---|---|---|---|---|---|",
    ]
    for task_name, seeds in results.items():
        for key in seeds[0]:
            values = np.array([rows[key] for rows in seeds])
            alpha, name = key
            lines.append(
                f"| {task_name} | {alpha:g} | {name} | {np.mean(values[:, 0]):.3f} "
                f"| {_cell(values[:, 1])} | {_cell(values[:, 2])} / "
                f"{_cell(values[:, 3])} |"
            )
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_task_arguments(parser, 2, "seeds")
    parser.set_defaults(tasks=["hopper"])
    parser.add_argument(
        "--alphas", nargs="+", type=float, default=(0.0, 0.1, 1.0), help="one each"
    )
    parser.add_argument(
        "--steps", nargs="+", type=int, default=(5, 10, 20, 40, 80), help="n_steps"
    )
    parser.add_argument("--sizes", nargs="+", type=int, default=(2, 8))
    args = parser.parse_args(argv)
    if any(not a >= 0 for a in args.alphas):
        parser.error("--alphas must be non-negative")
    if any(s < 1 for s in args.steps):
        parser.error("--steps must be at least 1")
    if any(not 2 <= m <= N_DESIGNS for m in args.sizes):
        parser.error(f"--sizes must be between 2 and {N_DESIGNS}")
    return args, chosen_tasks(parser, args)


def main(argv=None):
    args, tasks = parse_args(argv)
    max_iter = 3 if args.quick else None
    results = {}
    for name, make in tasks.items():
        task = make()
        if task.n_samples < N_DESIGNS:
            raise SystemExit(f"{name} has {task.n_samples} designs, fewer than 128")
        results[name] = [
            measure(task, args.alphas, args.steps, args.sizes, seed, max_iter)
            for seed in range(args.draws)
        ]
        print(f"{name}: done", flush=True)
    print(
        made_by(
            __file__,
            f"mean ± standard error over {args.draws} seeds; distance: median over "
            "the designs, standard deviations of the data",
        )
    )
    print("\n".join(table(results)))


if __name__ == "__main__":
    main()
