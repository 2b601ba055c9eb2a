"""GridSearchCV and compare on a Dask cluster, through joblib's dask backend.

A real cluster on the loopback interface: a scheduler and two worker processes
of one thread each. The runs are seeded, so the cluster must give the results of
a single process. Needs the ``distributed`` extra (``pip install
skcoms[distributed]``); skipped without it.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skcoms import BestOfDataset, ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.benchmark import compare
from skcoms.datasets import make_toy_quadratic
from skcoms.model_selection import TopKSplit

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")


def _model():
    return ConservativeObjectiveRegressor((16,), max_iter=5, random_state=0)


@pytest.mark.slow
def test_grid_search_and_compare_on_a_local_dask_cluster():
    task = make_toy_quadratic(n_samples=100, random_state=0)
    search = GridSearchCV(
        OfflineDesignOptimizer(_model(), random_state=0),
        {"estimator__alpha": [0.0, 0.1, 1.0]},
        cv=TopKSplit(top_k=0.2, n_splits=2, random_state=0),
        scoring="neg_mean_squared_error",
        n_jobs=-1,
    )
    optimizers = {"COMs": OfflineDesignOptimizer(_model()), "best": BestOfDataset()}

    local_search = clone(search).set_params(n_jobs=None).fit(task.X, task.y)
    local_table = compare(optimizers, task, seeds=2, n_designs=16, as_frame=False)

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with (
            distributed.get_task_stream(client) as tasks,
            joblib.parallel_config(backend="dask"),
        ):
            search.fit(task.X, task.y)
            table = compare(
                optimizers, task, seeds=2, n_designs=16, n_jobs=-1, as_frame=False
            )
        workers = set(cluster.scheduler.workers)
        scheduler = cluster.scheduler_address

    # loopback only
    assert scheduler.startswith("tcp://127.0.0.1:")
    assert all(worker.startswith("tcp://127.0.0.1:") for worker in workers)
    # the work ran on both workers of the cluster, not in this process
    assert {task["worker"] for task in tasks.data} == workers
    assert len(workers) == 2

    # seeded fits on the CPU: the same numbers as in one process (rtol 1e-6, for
    # the order of float32 reductions with another number of threads)
    assert search.best_params_ == local_search.best_params_
    np.testing.assert_allclose(
        search.cv_results_["mean_test_score"],
        local_search.cv_results_["mean_test_score"],
        rtol=1e-6,
    )
    np.testing.assert_allclose(
        search.best_estimator_.propose(8),
        local_search.best_estimator_.propose(8),
        rtol=1e-6,
    )
    assert [(row["method"], row["n_seeds"]) for row in table] == [
        ("COMs", 2),
        ("best", 2),
    ]
    for row, local_row in zip(table, local_table, strict=True):
        for key in ("p100_mean", "p100_std", "p50_mean", "p50_std"):
            assert row[key] == pytest.approx(local_row[key], rel=1e-6, abs=1e-9)
