"""The optimizer base: a new optimizer is its parameters and two hooks."""

import re
import sys
import threading
from numbers import Real

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from skcoms import (
    ConservativeObjectiveRegressor,
    ConservativeObjectiveRegressorCV,
    EnsembleObjectiveRegressor,
)
from skcoms._base import _BaseModelOptimizer
from skcoms._compat import Interval
from skcoms._defaults import default_model
from skcoms._optional import has_optional, import_optional
from skcoms.baselines import CMAESOptimizer, GradientAscentOptimizer
from tests.test_optimizer import axes_data, small_model


class RandomLocalSearch(_BaseModelOptimizer):
    """The smallest optimizer: keep the best of a few random moves per start point."""

    _parameter_constraints = {
        **_BaseModelOptimizer._parameter_constraints,
        "radius": [Interval(Real, 0, None, closed="neither")],
    }
    _private_fitted = ("_seed",)
    _step_parameter = "radius"

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        radius=0.5,
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.radius = radius
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    def _fit_search(self):
        self._seed = np.random.RandomState(self.random_state).randint(2**31 - 1)

    def _search(self, Z0, y0):
        rng = np.random.RandomState(self._seed)
        moves = Z0[None] + self.radius * rng.standard_normal((8, *Z0.shape))
        scores = self.estimator_.predict(moves.reshape(-1, Z0.shape[1]))
        best = scores.reshape(8, -1).argmax(axis=0)
        end = moves[best, np.arange(len(Z0))]
        start = self.estimator_.predict(Z0)
        return end, np.stack([start, self.estimator_.predict(end)])


def test_a_subclass_needs_only_its_parameters_and_two_hooks():
    X, y = axes_data(n=100)
    opt = RandomLocalSearch(small_model(max_iter=5), random_state=0).fit(X, y)
    designs, scores = opt.propose(6, return_scores=True)
    assert designs.shape == (6, 2) and opt.trajectory_.shape == (2, 6)
    assert np.all(np.diff(scores) <= 0)
    np.testing.assert_array_equal(designs, opt.propose(6))
    assert opt.score(X[:10], y[:10]) <= 1.0
    assert clone(opt).get_params()["radius"] == 0.5
    with pytest.raises(ValueError, match="radius"):
        RandomLocalSearch(radius=-1.0).fit(X, y)


def test_a_failed_fit_removes_the_private_state_of_every_level():
    X, y = axes_data(n=50)
    opt = RandomLocalSearch(small_model(max_iter=2), random_state=0).fit(X, y)
    assert hasattr(opt, "_seed") and hasattr(opt, "_designs")
    with pytest.raises(ValueError):
        opt.fit(X, y[:-1])
    assert not any(hasattr(opt, name) for name in ("_seed", "_designs", "_scores"))
    with pytest.raises(NotFittedError):
        opt.propose(2)


def test_score_leaves_the_trajectory_of_the_last_propose():
    X, y = axes_data(n=100)
    opt = GradientAscentOptimizer(small_model(max_iter=3), n_steps=4, random_state=0)
    opt.fit(X, y)
    assert not hasattr(opt, "trajectory_")
    opt.score(X[:20], y[:20])
    assert not hasattr(opt, "trajectory_")
    opt.propose(3)
    trajectory = opt.trajectory_
    opt.score(X[:20], y[:20])
    assert opt.trajectory_ is trajectory


def test_cmaes_declares_only_its_own_parameters():
    params = CMAESOptimizer().get_params()
    assert "n_steps" not in params and "step_size" not in params
    assert {"n_generations", "sigma0", "population_size"} <= set(params)


def test_default_model_of_each_design_space():
    discrete = default_model(True)
    assert isinstance(discrete, ConservativeObjectiveRegressorCV)
    assert discrete.ascent_step_size == 2.0
    continuous = default_model(False)
    # continuous designs: the ranking loss at a temperature of 8, 15-step paths
    expected = ConservativeObjectiveRegressorCV(
        loss="listnet", listnet_temperature=8.0, n_ascent_steps=15
    ).get_params()
    assert continuous.get_params() == expected
    # a setting of dual descent asks for the dual-descent model
    dual = default_model(True, alpha="auto")
    assert type(dual) is ConservativeObjectiveRegressor
    assert (dual.ascent_step_size, dual.overestimation_limit) == (2.0, 2.0)
    assert default_model(False, overestimation_limit=1.0).alpha == "auto"
    plain = default_model(True, conservative=False, max_iter=3)
    assert (plain.alpha, plain.ascent_step_size, plain.max_iter) == (0.0, 2.0, 3)
    ensemble = default_model(False, conservative=False, ensemble=True, n_members=2)
    assert isinstance(ensemble, EnsembleObjectiveRegressor)
    assert (ensemble.alpha, ensemble.n_members) == (0.0, 2)


def test_import_optional_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "cma", None)
    with pytest.raises(ImportError, match=r"CMAESOptimizer needs .*skcoms\[cma\]"):
        import_optional("cma", extra="cma", feature="CMAESOptimizer")
    assert not has_optional("cma")
    assert import_optional("math", extra="none").sqrt(4.0) == 2.0


def test_cmaes_in_two_threads_gives_the_single_thread_results():
    pytest.importorskip("cma")
    X, y = axes_data(n=100)
    model = small_model(alpha=0.0, max_iter=3)
    optimizers = [
        CMAESOptimizer(model, n_generations=15, random_state=seed).fit(X, y)
        for seed in (0, 1)
    ]
    expected = [opt.propose(8, return_scores=True) for opt in optimizers]
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    results = [[None] * 4, [None] * 4]

    def run(i):
        for k in range(4):
            results[i][k] = optimizers[i].propose(8, return_scores=True)

    threads = [threading.Thread(target=run, args=(i,)) for i in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in (0, 1):
        for designs, scores in results[i]:
            np.testing.assert_array_equal(designs, expected[i][0])
            np.testing.assert_array_equal(scores, expected[i][1])
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_a_shortfall_names_a_sequence_space_with_no_new_designs_left():
    """All 8 binary sequences of length 3 are in the data: no search finds more."""
    X = np.array([[int(b) for b in f"{i:03b}"] for i in range(8)] * 3)
    y = X @ np.array([1.0, 2.0, 4.0])
    opt = GradientAscentOptimizer(small_model(), drop_duplicates=True).fit(X, y)
    message = "holds only 8 designs (2 tokens at 3 positions), 8 of them in the data"
    with pytest.warns(UserWarning, match=re.escape(message)):
        assert len(opt.propose(2)) == 0
    # with one design of the space left out of the data, one new design remains,
    # and asking for two still names the space
    opt.fit(X[X @ [4, 2, 1] != 7], y[X @ [4, 2, 1] != 7])
    with pytest.warns(UserWarning, match="7 of them in the data") as record:
        assert len(opt.propose(2)) <= 1
    assert "A path finds none" not in str(record[0].message)
