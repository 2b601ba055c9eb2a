"""Tasks with constraints: Task.is_feasible and the share of feasible proposals."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from skcoms.benchmark import compare, evaluate
from skcoms.datasets import Task, make_ehrlich_task, make_toy_quadratic


class FixedDesigns(BaseEstimator):
    """Proposes the rows of ``designs``, whatever the data."""

    def __init__(self, designs=None, random_state=None):
        self.designs = designs
        self.random_state = random_state

    def fit(self, X, y):
        return self

    def propose(self, n_designs):
        return np.asarray(self.designs)[:n_designs]


class FirstDesigns(BaseEstimator):
    """Proposes the first designs of the data."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.X_ = X
        return self

    def propose(self, n_designs):
        return self.X_[:n_designs]


def _small_task():
    return make_ehrlich_task(
        n_states=8, length=12, n_motifs=2, motif_length=3, n_samples=300
    )


def _half_feasible(task):
    """Four designs, the first two feasible, the last two not."""
    optimum = task.oracle.optimal_solution()
    broken = optimum.copy()
    broken[-1] = np.flatnonzero(~task.oracle.allowed[broken[-2]])[0]
    return np.array([optimum, task.X[0], broken, broken])


def test_task_without_constraints_is_all_feasible():
    task = make_toy_quadratic(random_state=0)
    assert not task.has_constraints
    np.testing.assert_array_equal(task.is_feasible(task.X[:5]), [True] * 5)
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        task.is_feasible(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        task.is_feasible([[0.0, np.nan]])
    with pytest.raises(ValueError, match="at least one design"):
        task.is_feasible(np.zeros((0, 2)))


def test_custom_feasibility_function():
    X = np.array([[0, 1], [1, 0], [1, 1]])

    def oracle(designs):
        return np.asarray(designs).sum(axis=1).astype(float)

    def no_repeats(designs):
        return designs[:, 0] != designs[:, 1]

    task = Task("pairs", X, oracle(X), oracle, 0.0, 2.0, n_categories=2,
                feasibility=no_repeats)  # fmt: skip
    np.testing.assert_array_equal(task.is_feasible(X), [True, True, False])
    with pytest.raises(ValueError, match=r"0 \.\. 1"):
        task.is_feasible([[0, 2]])
    with pytest.raises(TypeError, match="feasibility must be None or callable"):
        Task("pairs", X, oracle(X), oracle, 0.0, 2.0, n_categories=2, feasibility=1)
    bad = Task("pairs", X, oracle(X), oracle, 0.0, 2.0, n_categories=2,
               feasibility=lambda designs: np.ones(len(designs)))  # fmt: skip
    with pytest.raises(ValueError, match="must return a bool array"):
        bad.is_feasible(X)


def test_evaluate_reports_the_share_feasible():
    task = _small_task()
    designs = _half_feasible(task)
    result = evaluate(FixedDesigns(designs), task, n_designs=4, seeds=2)
    np.testing.assert_array_equal(result["feasible"], [0.5, 0.5])
    assert result["feasible_mean"] == 0.5
    # the infeasible proposals score 0 and count in the percentiles
    np.testing.assert_array_equal(result["scores"][0][2:], [0.0, 0.0])
    assert result["p100_mean"] == 1.0
    unconstrained = make_toy_quadratic(random_state=0)
    result = evaluate(FixedDesigns(unconstrained.X[:3]), unconstrained, seeds=1)
    assert "feasible" not in result and "feasible_mean" not in result


@pytest.mark.parametrize("per_seed", [False, True])
def test_compare_has_a_feasible_column(per_seed):
    task = _small_task()
    quadratic = make_toy_quadratic(random_state=0)
    optimizers = {"fixed": FixedDesigns(_half_feasible(task))}
    table = compare(
        optimizers, {"ehrlich": task}, seeds=2, per_seed=per_seed, as_frame=False
    )
    key = "feasible" if per_seed else "feasible_mean"
    assert [row[key] for row in table] == [0.5] * len(table)
    # a task without constraints beside it: NaN in its rows
    table = compare(
        {"first": FirstDesigns()},
        {"ehrlich": task, "quadratic": quadratic},
        seeds=1,
        per_seed=per_seed,
        as_frame=True,
    )
    assert table["task"].tolist() == ["ehrlich", "quadratic"]
    assert table[key].iloc[0] == 1.0  # the visible data are feasible
    assert np.isnan(table[key].iloc[1])
    # without constrained tasks, no column
    table = compare({"first": FirstDesigns()}, [quadratic], seeds=1, as_frame=False)
    assert "feasible_mean" not in table[0]
