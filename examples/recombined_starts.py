"""Where the proposer's paths start: the data's best designs, or means of them.

``OfflineDesignOptimizer`` starts one path of gradient ascent on its model from
each of the data's 128 best designs (continuous designs). Means of a few of those
designs, which no model proposes, score above the default's proposals on the
Hopper controller and on the Ackley functions (README, "Means of the data's best
designs"), while the model rates them below the data's best. This script asks
whether the model's ascent does better from such means, per continuous task and
seed: the package default ``OfflineDesignOptimizer(random_state=seed)`` is fitted
once, then proposes 128 designs from each plan of start points of ``--plans``:

- ``data``: the data's 128 best designs (the default);
- ``means-m``: 128 means of ``m`` designs drawn at random among the data's 128
  best, the package's ``OfflineDesignOptimizer(recombine=m)`` (seeded by the
  seed);
- ``half-m``: the data's 64 best designs and 64 means of ``m``,
  ``OfflineDesignOptimizer(recombine=m, recombine_fraction=0.5)``;
- ``quarter-m``: the data's 96 best designs and 32 means of ``m``
  (``recombine_fraction=0.25``);
- ``pick-m``: the data's 128 best designs and 128 means of ``m`` (drawn here, as
  for the next plans, with ``numpy.random.RandomState(seed)``), 256 paths of
  which the model keeps its 128 best (as ``paths_per_design=2`` does);
- ``local-m``: each of the data's 128 best designs averaged with its ``m - 1``
  nearest among them (Euclidean distance in standard deviations of the data),
  so that a mean stays among designs close to each other;
- ``raw-m``: the 128 means of ``m`` themselves, no model (the reference).

Every plan searches with the same fitted model and the proposer's rules (its path
lengths, each path's best design by the model, no design of the data, no
near-copies); should a plan's paths find too few designs, more start from the
data's best. The table gives the normalized 100th / 50th percentile by the task's
oracle (mean over seeds), then each plan's difference from ``data``, paired by
seed.

The tasks: the continuous test functions with more designs than features of
``path_lengths.py`` (shipped, unshipped and its further instances) and the
off-centre Ackleys of ``quality_benchmark.py``; ``--tasks`` also takes the Hopper
controller and the 256-D functions (200 and 100 designs). Results are appended to
``--output`` as they come (JSON lines); ``--report`` prints the tables of the file.

    python examples/recombined_starts.py --seeds 4                # about an hour
    python examples/recombined_starts.py --tasks hopper --seeds 4
    python examples/recombined_starts.py --report
    python examples/recombined_starts.py --quick                  # seconds
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from path_lengths import DEFAULT_TASKS, report_differences  # noqa: E402
from quality_benchmark import (  # noqa: E402
    OFF_CENTRE,
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

RUN_BY_DEFAULT = {**DEFAULT_TASKS, **OFF_CENTRE}
# data with no more designs than features: the Hopper controller and the 256-D
# functions with 200 and 100 designs
WIDE = {name: UNSHIPPED[name] for name in UNSHIPPED if "256" in name}
TASKS = {**RUN_BY_DEFAULT, "hopper": SHIPPED["hopper"], **WIDE, **WIDE_CHECKS}
PLANS = ("data", "means-2", "means-8", "half-8", "pick-8", "raw-8")
KINDS = ("data", "means", "half", "quarter", "pick", "local", "raw")
# the share of the paths that start from means, per kind of plan that uses the
# package's recombine
FRACTIONS = {"means": 1.0, "half": 0.5, "quarter": 0.25}
N_DESIGNS = 128


def parse_plan(plan):
    """``"means-8"`` -> ``("means", 8)``; ``"data"`` -> ``("data", None)``."""
    kind, _, size = plan.partition("-")
    if kind == "data" and not size:
        return kind, None
    if kind not in KINDS[1:] or not size.isdigit() or not 2 <= int(size) <= N_DESIGNS:
        raise ValueError(
            f"a plan is 'data' or one of {KINDS[1:]} with a size in 2..{N_DESIGNS} "
            f"(as 'means-8'), got {plan!r}"
        )
    return kind, int(size)


def _means(Z, y, m, n, seed):
    """``n`` means of ``m`` rows of ``Z`` (and of ``y``), the sets seeded."""
    rng = np.random.RandomState(seed)
    sets = np.array([rng.choice(len(Z), m, replace=False) for _ in range(n)])
    return Z[sets].mean(axis=1), y[sets].mean(axis=1)


def _local_means(Z, y, m, scale):
    """Each row of ``Z`` (and of ``y``) averaged with its ``m - 1`` nearest rows,
    the distance measured in units of ``scale`` per column."""
    U = Z / scale
    distances = ((U[:, None, :] - U[None, :, :]) ** 2).sum(axis=2)
    # stable: a row comes first among rows at distance 0 from it
    nearest = np.argsort(distances, axis=1, kind="stable")[:, :m]
    return Z[nearest].mean(axis=1), y[nearest].mean(axis=1)


def propose_from(optimizer, Z0, y0, n_designs):
    """``optimizer.propose(n_designs)`` with its paths started from ``Z0``.

    ``Z0``: encoded start points, ``y0`` their scores; the data's best designs
    follow, should the paths from ``Z0`` find too few designs.
    """
    data_first = optimizer._start_points

    def starts(n):
        yield Z0, y0
        yield from data_first(n)

    optimizer._start_points = starts
    try:
        return optimizer.propose(n_designs)
    finally:
        del optimizer._start_points


def run_one(task, seed, plans, max_iter=None):
    """Fit the default once; the scores of its proposals from every plan's starts."""
    optimizer = OfflineDesignOptimizer(random_state=seed)
    if max_iter is not None:
        model = default_model(
            task.is_discrete, underdetermined=underdetermined(task), max_iter=max_iter
        )
        optimizer.set_params(estimator=model)
    start = time.perf_counter()
    optimizer.fit(task.X, task.y)
    space = optimizer.design_space_
    order = np.argsort(-task.y, kind="stable")[:N_DESIGNS]
    Z, y = space.encode(task.X[order]), task.y[order]
    cells = {}
    for plan in plans:
        kind, m = parse_plan(plan)
        if kind == "data":
            optimizer.set_params(recombine=None)
            designs = optimizer.propose(N_DESIGNS)
        elif kind in FRACTIONS:
            optimizer.set_params(recombine=m, recombine_fraction=FRACTIONS[kind])
            designs = optimizer.propose(N_DESIGNS)
            optimizer.set_params(recombine=None)
        elif kind == "local":
            std = space.encode(task.X).std(axis=0)
            scale = np.where(std > 0, std, 1.0)
            Zm, ym = _local_means(Z, y, m, scale)
            designs = propose_from(optimizer, Zm, ym, N_DESIGNS)
        else:
            Zm, ym = _means(Z, y, m, N_DESIGNS, seed)
            if kind == "raw":
                designs = space.decode(Zm)
            else:  # pick
                Z0, y0 = np.concatenate([Z, Zm]), np.concatenate([y, ym])
                designs = propose_from(optimizer, Z0, y0, N_DESIGNS)
        scores = normalize_score(task.oracle(designs), task)
        cells[plan] = {"p100": float(np.max(scores)), "p50": float(np.median(scores))}
    alpha = getattr(optimizer.estimator_, "alpha_", None)
    return {
        "cells": cells,
        "alpha": None if alpha is None else float(alpha),
        "seconds": time.perf_counter() - start,
    }


def _describe(record):
    cells = record["cells"]
    return f"{record['task']:>20} seed {record['seed']}: " + ", ".join(
        f"{plan} {c['p100']:.3f} / {c['p50']:.3f}" for plan, c in cells.items()
    )


def run(args, tasks):
    measure = partial(run_one, plans=args.plans, max_iter=args.max_iter)
    run_task_seeds(args, tasks, __file__, measure, _describe)


def report(path):
    """Two markdown tables: the scores per plan, and their differences from
    ``data`` paired by seed."""
    records = _done(path)
    if not records:
        return f"no results in {path}"
    return report_differences(
        records,
        made_by(records, __file__),
        'Minus the default\'s start points (the column "data"), paired by seed: '
        "mean ± standard error, 100th / 50th percentile.",
        lambda record: "data",
        "reference",
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", nargs="+", choices=list(TASKS), default=list(RUN_BY_DEFAULT)
    )
    parser.add_argument(
        "--plans",
        nargs="+",
        default=PLANS,
        help="start points, one column each: data, means-M, half-M, quarter-M, "
        "pick-M, local-M, raw-M",
    )
    add_seed_arguments(parser, 4)
    parser.add_argument("--output", default="recombined_starts.jsonl")
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
    if "data" not in args.plans:
        parser.error("--plans must include 'data', the reference of the differences")
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
