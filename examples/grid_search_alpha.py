"""Choose alpha without an oracle: GridSearchCV with TopKSplit.

Ordinary cross-validation tests a model on designs like the ones it trained on,
and so favours alpha=0. ``TopKSplit`` holds out the best designs instead, which is
where an optimizer needs the model to be right, and the top-k AUC scorer asks
whether the model ranks those held-out designs above the others.

The task is Hartmann-6 with the visible data cut at the median score.

    python examples/grid_search_alpha.py            # about 40 s on a laptop CPU
    python examples/grid_search_alpha.py --quick    # a few seconds
    python examples/grid_search_alpha.py --scheduler tcp://10.0.0.5:8786  # on Dask
"""

import argparse
import contextlib

from sklearn.model_selection import GridSearchCV

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.benchmark import normalize_score
from skcoms.datasets import make_test_function_task
from skcoms.model_selection import TopKSplit, make_top_k_auc_scorer


def main(quick=False, scheduler=None):
    task = make_test_function_task(
        "hartmann6", n_samples=1000 if quick else 4000, random_state=0
    )
    X, y = task.X, task.y
    optimizer = OfflineDesignOptimizer(
        ConservativeObjectiveRegressor(
            hidden_layer_sizes=(32, 32) if quick else (128, 128),
            max_iter=5 if quick else 40,
            random_state=0,
        ),
        random_state=0,
    )
    search = GridSearchCV(
        optimizer,
        {"estimator__alpha": [0.0, 0.1, 1.0, "auto"]},
        cv=TopKSplit(top_k=0.1, n_splits=2 if quick else 3, random_state=0),
        scoring=make_top_k_auc_scorer(X, y),
        n_jobs=-1 if scheduler else None,
    )
    if scheduler:
        # every fit of the search runs on the cluster's workers
        import joblib
        from dask.distributed import Client

        client = Client(scheduler)
        backend = joblib.parallel_config(backend="dask")
    else:
        client, backend = None, contextlib.nullcontext()
    with backend:
        search.fit(X, y)
    if client is not None:
        client.close()

    print("alpha      top-k AUC (mean +- std over splits)")
    results = search.cv_results_
    for alpha, mean, std in zip(
        results["param_estimator__alpha"],
        results["mean_test_score"],
        results["std_test_score"],
    ):
        print(f"{alpha!s:<10} {mean:.3f} +- {std:.3f}")
    print(f"chosen: alpha={search.best_params_['estimator__alpha']}")

    # the search refits the chosen candidate on all the data
    designs = search.best_estimator_.propose(32)
    scores = normalize_score(task.oracle(designs), task)
    print(
        f"its 32 proposals: best normalized score {scores.max():.3f} "
        f"(best in the data: {normalize_score(y.max(), task):.3f})"
    )
    return search


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller budget")
    parser.add_argument(
        "--scheduler", help="address of a Dask scheduler to run the search on"
    )
    args = parser.parse_args()
    main(args.quick, args.scheduler)
