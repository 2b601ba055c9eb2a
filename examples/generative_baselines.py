"""TFBind8: CbAS, Autofocused CbAS, MINs, REINFORCE and BO-qEI beside published numbers.

Runs each method on the Design-Bench TFBind8 task (visible data: the designs at or
below the median score), 128 proposals per seed, and prints the 100th and 50th
percentile of their normalized scores (mean and std over seeds) beside the
published 100th percentiles of the design-baselines README (8 trials): Auto. CbAS
0.910 +- 0.044, CbAS 0.927 +- 0.051, MINs 0.905 +- 0.052, REINFORCE 0.948 +- 0.028,
BO-qEI 0.798 +- 0.083 (Trabucco, Geng, Kumar, Levine, "Design-Bench", ICML 2022).

Every (method, seed) run is appended to ``--output`` as one JSON line as soon as it
ends, so a long run can be followed, interrupted and resumed (runs already in the
file are skipped). Each run uses one torch thread; ``--n-jobs`` runs several at
once. The table's ``cpu s`` is the mean processor time of a seed: its cost on one
core, however busy the machine was.

    python examples/generative_baselines.py --seeds 8 --n-jobs 2
    python examples/generative_baselines.py --methods cbas,mins --seeds 0,1
    python examples/generative_baselines.py --quick          # a smoke test
"""

import argparse
import json
import os
import time

import numpy as np

from skcoms import (
    BOqEIOptimizer,
    CbASOptimizer,
    ConservativeObjectiveRegressor,
    MINsOptimizer,
    REINFORCEOptimizer,
)
from skcoms.benchmark import PUBLISHED_SCORES, evaluate, provenance
from skcoms.datasets import load_tfbind8

# The rows of these methods in skcoms.benchmark.PUBLISHED_SCORES (100th percentile,
# mean over 8 trials), and the std over the trials from the design-baselines README.
LABELS = {
    "cbas": "CbAS",
    "autofocused-cbas": "Auto. CbAS",
    "mins": "MINs",
    "reinforce": "REINFORCE",
    "bo-qei": "BO-qEI",
}
PUBLISHED_STD = {
    "cbas": 0.051,
    "autofocused-cbas": 0.044,
    "mins": 0.052,
    "reinforce": 0.028,
    "bo-qei": 0.083,
}
PUBLISHED = {
    method: (PUBLISHED_SCORES["TFBind8"][label], PUBLISHED_STD[method])
    for method, label in LABELS.items()
}


def make_optimizer(method, quick=False):
    """The optimizer of ``method`` with its defaults (tiny budgets when quick)."""
    model = None
    if quick:
        model = ConservativeObjectiveRegressor(
            (16,), alpha=0.0, max_iter=1, batch_size=4096
        )
    if method in ("cbas", "autofocused-cbas"):
        budget = {}
        if quick:
            budget = dict(n_rounds=1, samples_per_round=100, prior_epochs=1,
                          model_epochs=1, round_epochs=1, batch_size=4096,
                          n_members=2, hidden_layer_sizes=(16,),
                          model_hidden_layer_sizes=(16,))  # fmt: skip
        return CbASOptimizer(autofocus=method == "autofocused-cbas", **budget)
    if method == "mins":
        budget = {}
        if quick:
            budget = dict(n_epochs=1, batch_size=4096, hidden_layer_sizes=(16,))
        return MINsOptimizer(model, **budget)
    if method == "reinforce":
        return REINFORCEOptimizer(model, **({"n_iterations": 5} if quick else {}))
    if method == "bo-qei":
        budget = {}
        if quick:
            budget = dict(n_data=130, n_rounds=1, batch_size=4, num_restarts=1,
                          raw_samples=8, maxiter=5)  # fmt: skip
        return BOqEIOptimizer(model, **budget)
    raise ValueError(f"Unknown method {method!r}; choose from {sorted(PUBLISHED)}.")


def run_one(method, seed, quick):
    """One seed of one method; the summary of :func:`skcoms.benchmark.evaluate`."""
    import torch

    torch.set_num_threads(1)
    start, cpu_start = time.perf_counter(), time.process_time()
    result = evaluate(make_optimizer(method, quick), load_tfbind8(), seeds=[seed])
    return {
        "method": method,
        "seed": seed,
        "p100": float(result["p100"][0]),
        "p50": float(result["p50"][0]),
        "time": time.perf_counter() - start,
        # the processor time of the run: its cost on one core, whatever else the
        # machine was doing
        "cpu_time": time.process_time() - cpu_start,
        **provenance(__file__),
    }


def read_runs(path):
    """The runs already recorded in ``path`` (a JSON line each)."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def table(runs, methods):
    """One line per method: percentiles over seeds beside the published ones."""
    made_by = {
        f"skcoms {r['skcoms']} at commit {r['commit']}" for r in runs if "skcoms" in r
    }
    lines = [
        "Made by " + ", ".join(sorted(made_by) or ["runs that did not record it"]),
        f"{'method':<18}{'seeds':>6}{'100th (ours)':>18}{'50th (ours)':>18}"
        f"{'cpu s':>7}{'100th (published)':>20}",
    ]
    for method in methods:
        mine = [r for r in runs if r["method"] == method]
        if not mine:
            continue
        p100 = np.array([r["p100"] for r in mine])
        p50 = np.array([r["p50"] for r in mine])
        seconds = np.mean([r.get("cpu_time", r["time"]) for r in mine])
        mean, std = PUBLISHED[method]
        lines.append(
            f"{method:<18}{len(mine):>6}"
            f"{f'{p100.mean():.3f} +- {p100.std():.3f}':>18}"
            f"{f'{p50.mean():.3f} +- {p50.std():.3f}':>18}"
            f"{seconds:>7.0f}{f'{mean:.3f} +- {std:.3f}':>20}"
        )
    return "\n".join(lines)


def parse_seeds(text):
    """``"8"`` means seeds 0..7; ``"0,3"`` lists them."""
    if "," in text:
        return [int(s) for s in text.split(",") if s]
    return list(range(int(text)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--methods",
        default=",".join(PUBLISHED),
        help="comma-separated, from: " + ", ".join(PUBLISHED),
    )
    parser.add_argument(
        "--seeds",
        default="2",
        help="a count n (seeds 0..n-1) or a comma-separated list",
    )
    parser.add_argument(
        "--n-jobs", type=int, default=1, help="runs at once, one torch thread each"
    )
    parser.add_argument(
        "--output",
        default="generative_baselines.jsonl",
        help="JSON lines file the runs are appended to",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny budgets and one seed: a smoke test"
    )
    args = parser.parse_args(argv)  # fmt: skip
    methods = [m for m in args.methods.split(",") if m]
    for method in methods:
        make_optimizer(method, quick=True)  # unknown names fail before any run
    seeds = [0] if args.quick else parse_seeds(args.seeds)

    done = {(r["method"], r["seed"]) for r in read_runs(args.output)}
    # seed by seed, so that an interrupted run has every method on its first seeds
    jobs = [(m, s) for s in seeds for m in methods if (m, s) not in done]
    print(f"{len(jobs)} runs to do, {len(done)} already in {args.output}")
    from joblib import Parallel, delayed

    results = Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
        delayed(run_one)(method, seed, args.quick) for method, seed in jobs
    )
    with open(args.output, "a") as f:
        for run in results:
            f.write(json.dumps(run) + "\n")
            f.flush()
            print(f"{run['method']} seed {run['seed']}: 100th {run['p100']:.3f}, "
                  f"50th {run['p50']:.3f} ({run['cpu_time']:.0f} s of processor "
                  f"time, {run['time']:.0f} s elapsed)", flush=True)  # fmt: skip
    runs = [r for r in read_runs(args.output) if r["seed"] in seeds]
    print(table(runs, methods))


if __name__ == "__main__":
    main()
