"""Choose the conservatism alpha of COMs without an oracle, and check the choice.

For each task and seed, a fixed-alpha grid is searched three ways:

- ``topk``: ``GridSearchCV`` with :class:`~skcoms.model_selection.TopKSplit` (train
  on the designs below the top 10%, test on the top 10%), ranked by
  ``OfflineDesignOptimizer.score``; the row ``topk-mse`` ranks the same fits by
  ``neg_mean_squared_error`` on the held-out top;
- ``kfold``: ``GridSearchCV`` with an ordinary shuffled ``KFold``, ranked by the
  same ``OfflineDesignOptimizer.score``; ``kfold-mse`` by ``neg_mean_squared_error``;
- ``hindsight``: the alpha whose proposals score best by the task's oracle (what a
  real user cannot do): by the 100th percentile (ties: the mean of both
  percentiles); ``hindsight-p50`` by the 50th percentile.

Every alpha of the grid is also fitted on all the visible data, proposes 128 designs
and is scored by the oracle with :func:`skcoms.benchmark.evaluate` (normalized 100th
and 50th percentile, the Design-Bench protocol); a method's score on a seed is the
oracle score of the alpha it picked on that seed. The table shows the mean over seeds
and the method's mean percentiles relative to those of the hindsight choices: ``vs
best p100`` to ``hindsight``, ``vs best p50`` to ``hindsight-p50``.

The tasks are TFBind8 (a random subset of its visible designs, the same for every
method), Branin and Hartmann-6 (visible designs below the median of a uniform
sample). The models are small (two hidden layers of 64, a few epochs) so that the
whole run takes minutes on a CPU.

    python examples/choose_alpha.py                # 3 seeds
    python examples/choose_alpha.py --seeds 5
    python examples/choose_alpha.py --quick        # smoke test, seconds
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.benchmark import evaluate, provenance
from skcoms.datasets import Task, load_tfbind8, make_test_function_task
from skcoms.model_selection import TopKSplit

ALPHAS = [0.0, 0.01, 0.1, 1.0]
METHODS = ["topk", "topk-mse", "kfold", "kfold-mse", "hindsight", "hindsight-p50"]


def _tfbind8(n_samples, seed):
    """TFBind8 with a random subset of ``n_samples`` of its visible designs."""
    full = load_tfbind8()
    rows = np.random.RandomState(seed).choice(full.n_samples, n_samples, replace=False)
    return Task(
        name="tfbind8",
        X=full.X[rows],
        y=full.y[rows],
        oracle=full.oracle,
        y_min=full.y_min,
        y_max=full.y_max,
        n_categories=full.n_categories,
        alphabet=full.alphabet,
        description=f"{full.description} Subset of {n_samples} visible designs.",
    )


def make_tasks(quick, seed):
    n_continuous = 300 if quick else 2000
    tasks = {"tfbind8": _tfbind8(300 if quick else 3000, seed)}
    for name in ("branin", "hartmann6"):
        tasks[name] = make_test_function_task(
            name, n_samples=n_continuous, random_state=seed
        )
    return tasks


def make_optimizer(task, quick):
    """COMs with a fixed alpha (set by the search); the reference's ascent steps."""
    discrete = task.is_discrete
    model = ConservativeObjectiveRegressor(
        (16, 16) if quick else (64, 64),
        alpha=0.0,
        n_ascent_steps=10,
        ascent_step_size=2.0 if discrete else 0.05,
        max_iter=(1 if discrete else 2) if quick else (10 if discrete else 20),
        n_iter_no_change=0,
        device="cpu",
    )
    return OfflineDesignOptimizer(model)


def _optimizer_score(optimizer, X, y):
    return optimizer.score(X, y)


def cv_choices(task, seed, quick):
    """The alpha each cross-validation picks: {method: alpha}."""
    optimizer = make_optimizer(task, quick)
    optimizer.set_params(estimator__random_state=seed, random_state=seed)
    scoring = {"score": _optimizer_score, "mse": "neg_mean_squared_error"}
    splitters = {
        "topk": TopKSplit(top_k=0.1, n_splits=2, train_size=0.8, random_state=seed),
        "kfold": KFold(n_splits=2, shuffle=True, random_state=seed),
    }
    choices = {}
    for name, cv in splitters.items():
        search = GridSearchCV(
            optimizer,
            {"estimator__alpha": ALPHAS},
            cv=cv,
            scoring=scoring,
            refit=False,
            error_score="raise",
        ).fit(task.X, task.y)
        for key, suffix in (("score", ""), ("mse", "-mse")):
            best = int(np.argmax(search.cv_results_[f"mean_test_{key}"]))
            choices[name + suffix] = ALPHAS[best]
    return choices


def oracle_scores(task, seed, quick):
    """{alpha: (p100, p50)} of each alpha fitted on all the visible data.

    A model conservative enough that no ascent path leaves the data proposes no
    new design (``OfflineDesignOptimizer`` warns and returns none). Such an alpha
    is scored by what it leaves a user, the paths' best designs with
    ``drop_duplicates=False``: designs of the data, the best of them first.
    """
    scores = {}
    for alpha in ALPHAS:
        optimizer = make_optimizer(task, quick).set_params(estimator__alpha=alpha)
        try:
            result = evaluate(optimizer, task, n_designs=128, seeds=[seed])
        except ValueError as exc:
            if "returned no designs" not in str(exc):
                raise
            print(f"[{task.name} seed {seed}] alpha {alpha:g}: no new design; "
                  "scored with drop_duplicates=False", flush=True)  # fmt: skip
            optimizer.set_params(drop_duplicates=False)
            result = evaluate(optimizer, task, n_designs=128, seeds=[seed])
        scores[alpha] = (result["p100_mean"], result["p50_mean"])
    return scores


def hindsight_choices(scores):
    """The best alpha by the oracle's 100th percentile, and by its 50th."""
    by_p100 = max(ALPHAS, key=lambda a: (scores[a][0], sum(scores[a])))
    by_p50 = max(ALPHAS, key=lambda a: (scores[a][1], sum(scores[a])))
    return by_p100, by_p50


def run(seeds, quick):
    rows = []  # (task, seed, method, alpha, p100, p50)
    for seed in seeds:
        for task_name, task in make_tasks(quick, seed).items():
            scores = oracle_scores(task, seed, quick)
            choices = cv_choices(task, seed, quick)
            choices["hindsight"], choices["hindsight-p50"] = hindsight_choices(scores)
            for method in METHODS:
                alpha = choices[method]
                rows.append((task_name, seed, method, alpha, *scores[alpha]))
            picked = ", ".join(f"{m}={choices[m]:g}" for m in METHODS)
            grid = ", ".join(f"{a:g}: {p:.3f}/{q:.3f}" for a, (p, q) in scores.items())
            print(f"[{task_name} seed {seed}] oracle p100/p50 by alpha {grid}")
            print(f"[{task_name} seed {seed}] picked {picked}", flush=True)
    return rows


def table(rows):
    tasks = list(dict.fromkeys(row[0] for row in rows))
    lines = [
        "| task | method | alphas picked (per seed) | 100th pct | 50th pct "
        "| vs best p100 | vs best p50 |",
        "|---|---|---|---|---|---|---|",
    ]
    for task in tasks:
        best = np.mean([r[4] for r in rows if r[0] == task and r[2] == "hindsight"])
        best50 = np.mean(
            [r[5] for r in rows if r[0] == task and r[2] == "hindsight-p50"]
        )
        for method in METHODS:
            mine = [r for r in rows if r[0] == task and r[2] == method]
            p100 = np.array([r[4] for r in mine])
            p50 = np.array([r[5] for r in mine])
            alphas = " ".join(f"{r[3]:g}" for r in mine)
            lines.append(
                f"| {task} | {method} | {alphas} | {p100.mean():.3f} ± {p100.std():.3f}"
                f" | {p50.mean():.3f} ± {p50.std():.3f} | {p100.mean() / best:.1%}"
                f" | {p50.mean() / best50:.1%} |"
            )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="number of seeds")
    parser.add_argument(
        "--quick", action="store_true", help="tiny data and models, one seed"
    )
    args = parser.parse_args(argv)
    seeds = [0] if args.quick else list(range(args.seeds))
    start = time.perf_counter()
    with warnings.catch_warnings():
        # a fixed alpha of 0 trains a plain regression model, as intended here
        warnings.filterwarnings("ignore", message=".*alpha reached its lower bound")
        rows = run(seeds, args.quick)
    print()
    made = provenance(__file__)
    print(f"skcoms {made['skcoms']} at commit {made['commit']}")
    print(f"alpha grid {ALPHAS}, seeds {seeds}")
    print(table(rows))
    print(f"\nwall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
