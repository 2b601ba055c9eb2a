"""Baselines: naive and ensemble gradient ascent, best of dataset, CMA-ES."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.baselines import (
    BestOfDataset,
    CMAESOptimizer,
    EnsembleObjectiveRegressor,
    GradientAscentOptimizer,
)
from skcoms.spaces import Box
from tests.test_optimizer import additive_task, axes_data, quadratic, small_model


def small_ensemble(**params):
    defaults = {
        "hidden_layer_sizes": (32, 32),
        "max_iter": 30,
        "n_members": 3,
        "device": "cpu",
        "random_state": 0,
    }
    return EnsembleObjectiveRegressor(**{**defaults, **params})


# ---- naive gradient ascent -----------------------------------------------------


def test_gradient_ascent_uses_a_plain_regressor():
    X, y = axes_data(n=100)
    opt = GradientAscentOptimizer(n_steps=3, random_state=0)
    opt.set_params(estimator=None).fit(X, y)
    assert isinstance(opt.estimator_, ConservativeObjectiveRegressor)
    assert opt.estimator_.alpha == 0.0
    assert isinstance(opt, OfflineDesignOptimizer)
    X, y, _ = additive_task(n=50)
    strings = ["".join("ACGT"[t] for t in row) for row in X]
    opt = GradientAscentOptimizer(n_steps=3, random_state=0).fit(strings, y)
    assert opt.estimator_.alpha == 0.0 and opt.estimator_.ascent_step_size == 2.0


def test_gradient_ascent_beats_the_data_on_the_quadratic():
    X, y = axes_data()
    model = small_model(alpha=0.0, max_iter=40)
    designs = GradientAscentOptimizer(model, random_state=0).fit(X, y).propose(8)
    # the data's best is about -4.0
    assert quadratic(designs).max() > y.max() + 1.0


# ---- ensembles -----------------------------------------------------------------


def test_ensemble_trains_its_members_together():
    X, y = axes_data(n=200)
    model = small_ensemble(n_members=4, learning_rate_init=3e-3).fit(X, y)
    assert model.network_.n_members == 4
    assert model.alpha == 0.0
    # the members differ: they were initialized independently
    w = model.network_.weights[0]
    assert not torch.equal(w[0], w[1])
    assert model.score(X, y) > 0.8
    # one member is exactly the single model with the same seed
    single = small_ensemble(n_members=1).fit(X, y)
    plain = small_model(alpha=0.0, n_ascent_steps=10).fit(X, y)
    np.testing.assert_array_equal(single.predict(X), plain.predict(X))


def test_ensemble_min_is_below_mean():
    X, y = axes_data(n=200)
    model = small_ensemble(aggregate="mean").fit(X, y)
    grid = np.random.RandomState(0).uniform(-5, 5, size=(50, 2))
    mean = model.predict(grid)
    model.set_params(aggregate="min")
    low = model.predict(grid)
    assert np.all(low <= mean + 1e-6) and np.any(low < mean - 1e-3)
    # the ascent climbs the same aggregate as predict
    objective = model.design_objective()
    values, _ = objective(torch.as_tensor(grid, dtype=objective.dtype))
    np.testing.assert_allclose(values.numpy(), low, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("aggregate", ["mean", "min"])
def test_ensemble_gradient_ascent_beats_the_data(aggregate):
    X, y = axes_data()
    model = small_ensemble(aggregate=aggregate, max_iter=40)
    designs = GradientAscentOptimizer(model, random_state=0).fit(X, y).propose(8)
    assert quadratic(designs).max() > y.max() + 1.0


def test_ensemble_rejects_bad_parameters():
    X, y = axes_data(n=20)
    with pytest.raises(ValueError, match="n_members"):
        small_ensemble(n_members=0).fit(X, y)
    with pytest.raises(ValueError, match="aggregate"):
        small_ensemble(aggregate="median").fit(X, y)


# ---- best of dataset -----------------------------------------------------------


def test_best_of_dataset_returns_the_top_designs():
    X, y = axes_data(n=50)
    designs, scores = BestOfDataset().fit(X, y).propose(5, return_scores=True)
    top = np.argsort(-y)[:5]
    np.testing.assert_array_equal(designs, X[top])
    np.testing.assert_array_equal(scores, y[top])


def test_best_of_dataset_strings_and_duplicates():
    X = ["AAT", "CCG", "CCG", "GTA"]
    y = [0.1, 0.7, 0.7, 0.4]
    best = BestOfDataset().fit(X, y)
    assert best.propose(2).tolist() == ["CCG", "CCG"]
    best.set_params(drop_duplicates=True)
    assert best.propose(2).tolist() == ["CCG", "GTA"]
    with pytest.warns(UserWarning, match="holds 3"):
        assert len(best.propose(5)) == 3


def test_best_of_dataset_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        BestOfDataset().fit(["AAT", "CC"], [0.0, 1.0])
    with pytest.raises(ValueError, match="positive integer"):
        BestOfDataset().fit(["AAT", "CCA"], [0.0, 1.0]).propose(0)


# ---- CMA-ES --------------------------------------------------------------------


def test_cmaes_beats_the_data_within_bounds():
    pytest.importorskip("cma")
    X, y = axes_data()
    model = small_model(alpha=0.0, max_iter=40)
    box = Box(low=[-4.5, -5.0], high=[4.5, 5.0])
    opt = CMAESOptimizer(model, design_space=box, n_generations=20, random_state=0)
    designs, scores = opt.fit(X, y).propose(8, return_scores=True)
    assert quadratic(designs).max() > y.max() + 1.0
    assert np.all(designs >= [-4.5, -5.0]) and np.all(designs <= [4.5, 5.0])
    assert np.all(np.diff(scores) <= 0)
    assert opt.trajectory_.shape == (21, 8)
    # the best predicted score of a run never falls below its start
    assert np.all(opt.trajectory_.max(axis=0) >= opt.trajectory_[0] - 1e-9)


def test_cmaes_is_repeatable_and_leaves_the_global_rng_alone():
    pytest.importorskip("cma")
    X, y = axes_data(n=100)
    model = small_model(alpha=0.0, max_iter=5)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    a = CMAESOptimizer(model, n_generations=5, random_state=0).fit(X, y).propose(3)
    b = CMAESOptimizer(model, n_generations=5, random_state=0).fit(X, y).propose(3)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


def test_cmaes_on_sequences_decodes_to_the_alphabet():
    pytest.importorskip("cma")
    X, y, score = additive_task(n=300)
    strings = ["".join("ACGT"[t] for t in row) for row in X]
    model = small_model(alpha=0.0, ascent_step_size=2.0)
    opt = CMAESOptimizer(model, n_generations=10, random_state=0).fit(strings, y)
    designs = opt.propose(4)
    assert designs.dtype.kind == "U"
    assert all(len(s) == 8 and set(s) <= set("ACGT") for s in designs)


def test_cmaes_without_cma_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "cma", None)
    X, y = axes_data(n=20)
    with pytest.raises(ImportError, match=r"skcoms\[cma\]"):
        CMAESOptimizer(small_model(max_iter=1)).fit(X, y)


def test_importing_skcoms_does_not_import_optional_packages():
    code = (
        "import sys, skcoms, skcoms.baselines; "
        "assert 'cma' not in sys.modules, 'cma imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
