"""Every method of the package on sequence tasks with infeasible regions.

Runs every optimizer of the package (COMs, naive gradient ascent, the 5-member ensemble
mean and min ascents, CMA-ES, CbAS, Autofocused CbAS, MINs, REINFORCE, BO-qEI, which
needs ``skcoms[botorch]``, and the best designs of the data) on Ehrlich functions
(Stanton et al. 2024; designs with a banned transition are infeasible and score 0) and
FLEXS' RNA binding landscapes (needs ``pip install "skcoms[rna]"``). Each method
proposes 128 designs per seed; the table gives the normalized score of the proposals at
the 100th and 50th percentile and the share of feasible proposals, mean and std over
seeds. Each (method, task) row is appended to ``--output`` (JSON lines) as soon as it is
done, so a long run can be stopped and resumed: rows already in the file are skipped.

Cost: CMA-ES runs 128 searches in ``length * (n_categories - 1)`` dimensions, with
a full covariance up to 1,000 of them; on ehrlich32 (992) one generation takes about
14 s on a loaded 2-core CPU, so ``--cma-generations 100`` costs about 25 minutes per
seed there. BO-qEI took about 6 minutes per seed on rna14 (``--max-iter 5``), CbAS
about 2 minutes per seed on ehrlich32; the gradient methods take seconds to a minute.

    python examples/sequence_tasks.py                     # everything, 8 seeds: hours
    python examples/sequence_tasks.py --seeds 2 --tasks ehrlich32 rna14 \\
        --methods coms grad best-of-data --max-iter 5
    python examples/sequence_tasks.py --quick             # a minute
"""

import argparse
import json
import os
import time

import numpy as np

from skcoms import (
    BestOfDataset,
    BOqEIOptimizer,
    CbASOptimizer,
    CMAESOptimizer,
    ConservativeObjectiveRegressor,
    EnsembleObjectiveRegressor,
    GradientAscentOptimizer,
    MINsOptimizer,
    OfflineDesignOptimizer,
    REINFORCEOptimizer,
)
from skcoms.benchmark import compare
from skcoms.datasets import load_rna_binding, make_ehrlich_task
from skcoms.spaces import CategoricalSequence

# name: how to make the task. The ehrlich* presets take 32 states like holo-bench;
# ehrlich128 is holo-bench's (128, 4 motifs of 4), ehrlich256 its default config.
TASKS = {
    "ehrlich32": lambda: make_ehrlich_task(32, 32, 2, 4),
    "ehrlich32-m4": lambda: make_ehrlich_task(32, 32, 4, 4),
    "ehrlich128": lambda: make_ehrlich_task(32, 128, 4, 4),
    "ehrlich256": lambda: make_ehrlich_task(32, 256, 4, 8),
    "rna14": lambda: load_rna_binding(14),
    "rna50": lambda: load_rna_binding(50),
    "rna100": lambda: load_rna_binding(100),
}
QUICK_TASKS = {
    "ehrlich-small": lambda: make_ehrlich_task(8, 12, 2, 3, n_samples=1000),
    "rna14": lambda: load_rna_binding(14),
}
METHODS = (
    "coms",
    "grad",
    "grad-mean",
    "grad-min",
    "cmaes",
    "cbas",
    "autofocused-cbas",
    "mins",
    "reinforce",
    "bo-qei",
    "best-of-data",
)

# --quick: the smallest budgets that still run every step of each method
QUICK_BUDGETS = {
    "cbas": dict(n_rounds=1, samples_per_round=100, prior_epochs=1, round_epochs=1,
                 n_members=2, model_epochs=1),
    "mins": dict(n_epochs=1),
    "reinforce": dict(n_iterations=5),
    "bo-qei": dict(n_data=130, n_rounds=1, batch_size=4, num_restarts=1,
                   raw_samples=8, maxiter=5),
}  # fmt: skip
QUICK_BUDGETS["autofocused-cbas"] = QUICK_BUDGETS["cbas"]


def build_method(method, n_categories, max_iter=None, cma_generations=100):
    """The optimizer of ``method`` with the task's design space fixed.

    ``max_iter`` (None: each method's default) caps the training epochs of every
    model: the regressors' ``max_iter``, CbAS's ``model_epochs`` and MINs'
    ``n_epochs``.
    """
    space = {"design_space": CategoricalSequence(n_categories=n_categories)}
    budget = {} if max_iter is None else {"max_iter": max_iter}
    plain = {"alpha": 0.0, "ascent_step_size": 2.0, **budget}
    if method == "coms":
        coms = ConservativeObjectiveRegressor(
            ascent_step_size=2.0, overestimation_limit=2.0, **budget
        )
        return OfflineDesignOptimizer(coms, **space)
    if method == "grad":
        return GradientAscentOptimizer(ConservativeObjectiveRegressor(**plain), **space)
    if method in ("grad-mean", "grad-min"):
        aggregate = method.removeprefix("grad-")
        ensemble = EnsembleObjectiveRegressor(n_members=5, aggregate=aggregate, **plain)
        return GradientAscentOptimizer(ensemble, **space)
    if method == "cmaes":
        model = ConservativeObjectiveRegressor(**plain)
        return CMAESOptimizer(model, n_generations=cma_generations, **space)
    if method in ("cbas", "autofocused-cbas"):
        epochs = {} if max_iter is None else {"model_epochs": max_iter}
        return CbASOptimizer(autofocus=method == "autofocused-cbas", **epochs, **space)
    if method == "mins":
        epochs = {} if max_iter is None else {"n_epochs": max_iter}
        return MINsOptimizer(**epochs, **space)
    if method == "reinforce":
        return REINFORCEOptimizer(ConservativeObjectiveRegressor(**plain), **space)
    if method == "bo-qei":
        return BOqEIOptimizer(ConservativeObjectiveRegressor(**plain), **space)
    if method == "best-of-data":
        return BestOfDataset(**space)
    raise ValueError(f"Unknown method {method!r}; choose from {list(METHODS)}.")


def _done(output):
    if not os.path.exists(output):
        return set()
    with open(output) as file:
        return {(row["method"], row["task"]) for row in map(json.loads, file)}


def run(args):
    """Run every (task, method) pair not yet in ``args.output``; return the rows."""
    tasks = QUICK_TASKS if args.quick else TASKS
    done = _done(args.output)
    rows = []
    for task_name in args.tasks or list(tasks):
        task = None
        for method in args.methods:
            if (method, task_name) in done:
                print(f"{method:>16} {task_name:<14} already in {args.output}")
                continue
            task = task or tasks[task_name]()
            optimizer = build_method(
                method, task.n_categories, args.max_iter, args.cma_generations
            )
            if args.quick:
                optimizer.set_params(**QUICK_BUDGETS.get(method, {}))
            start = time.perf_counter()
            (row,) = compare(
                {method: optimizer},
                {task_name: task},
                seeds=args.seeds,
                n_designs=args.n_designs,
                n_jobs=args.n_jobs,
                as_frame=False,
            )
            row["wall_s"] = time.perf_counter() - start
            row["max_iter"] = args.max_iter
            row["feasible_mean"] = row.get("feasible_mean", np.nan)
            with open(args.output, "a") as file:
                file.write(json.dumps(row) + "\n")
            rows.append(row)
            print(
                f"{method:>16} {task_name:<14} 100th {row['p100_mean']:.3f} "
                f"+- {row['p100_std']:.3f}  50th {row['p50_mean']:.3f} "
                f"+- {row['p50_std']:.3f}  feasible {row['feasible_mean']:.2f}  "
                f"({row['wall_s']:.0f} s)",
                flush=True,
            )
    return rows


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=None, help="default: all")
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--n-designs", type=int, default=128)
    parser.add_argument("--n-jobs", type=int, default=None, help="joblib workers")
    parser.add_argument(
        "--max-iter", type=int, default=None, help="epochs of every model"
    )
    parser.add_argument("--cma-generations", type=int, default=100)
    parser.add_argument("--output", default="sequence_tasks.jsonl")
    parser.add_argument("--quick", action="store_true", help="small tasks, 1 seed")
    args = parser.parse_args(argv)
    if args.quick:
        args.seeds, args.max_iter, args.cma_generations = 1, 2, 5
    choices = QUICK_TASKS if args.quick else TASKS
    for name in args.tasks or []:
        if name not in choices:
            parser.error(f"unknown task {name!r}; choose from {sorted(choices)}")
    for name in args.methods:
        if name not in METHODS:
            parser.error(f"unknown method {name!r}; choose from {list(METHODS)}")
    return args


if __name__ == "__main__":
    run(parse_args())
