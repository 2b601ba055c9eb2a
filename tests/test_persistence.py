"""Pickle and joblib round trips, version records, threads and worker processes."""

import pickle
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

import skcoms
from skcoms import (
    Box,
    CategoricalSequence,
    ConservativeObjectiveRegressor,
    OfflineDesignOptimizer,
)
from skcoms.baselines import (
    BestOfDataset,
    CMAESOptimizer,
    EnsembleObjectiveRegressor,
    GradientAscentOptimizer,
)
from skcoms.exceptions import InconsistentVersionWarning

TINY = {"hidden_layer_sizes": (8,), "max_iter": 2, "n_ascent_steps": 2}
RNG = np.random.RandomState(0)
X = RNG.uniform(-1, 1, size=(30, 3))
Y = -(X**2).sum(axis=1)
TOKENS = RNG.randint(0, 4, size=(30, 5))
Y_TOKENS = TOKENS.sum(axis=1).astype(float)


def tiny(**params):
    return ConservativeObjectiveRegressor(**{**TINY, "random_state": 0, **params})


def _predictions(model):
    return model.predict(X)


def _proposals(optimizer):
    designs, scores = optimizer.propose(4, return_scores=True)
    return np.concatenate([np.asarray(designs, dtype=float).ravel(), scores])


# (name, unfitted estimator, data, output of the fitted estimator)
ESTIMATORS = [
    ("regressor", lambda: tiny(), (X, Y), _predictions),
    (
        "ensemble",
        lambda: EnsembleObjectiveRegressor(**TINY, n_members=2, random_state=0),
        (X, Y),
        _predictions,
    ),
    (
        "optimizer",
        lambda: OfflineDesignOptimizer(tiny(), n_steps=3),
        (X, Y),
        _proposals,
    ),
    (
        "optimizer on tokens",
        lambda: OfflineDesignOptimizer(tiny(), n_steps=3, step_size=2.0),
        (TOKENS, Y_TOKENS),
        _proposals,
    ),
    (
        "gradient ascent",
        lambda: GradientAscentOptimizer(tiny(alpha=0.0), n_steps=3),
        (X, Y),
        _proposals,
    ),
    (
        "CMA-ES",
        lambda: CMAESOptimizer(tiny(), n_generations=2, random_state=0),
        (X, Y),
        _proposals,
    ),
    ("best of dataset", lambda: BestOfDataset(), (X, Y), _proposals),
    ("box", lambda: Box(), (X,), lambda space: space.decode(space.encode(X))),
    (
        "categorical sequence",
        lambda: CategoricalSequence(),
        (TOKENS,),
        lambda space: space.decode(space.encode(TOKENS)),
    ),
]


def _round_trip(estimator, how, tmp_path):
    if how == "pickle":
        return pickle.loads(pickle.dumps(estimator))
    path = tmp_path / "estimator.joblib"
    joblib.dump(estimator, path)
    return joblib.load(path)


@pytest.mark.parametrize("how", ["pickle", "joblib"])
@pytest.mark.parametrize(
    "make, data, output",
    [case[1:] for case in ESTIMATORS],
    ids=[case[0] for case in ESTIMATORS],
)
def test_fitted_round_trip_keeps_outputs_identical(make, data, output, how, tmp_path):
    estimator = make().fit(*data)
    expected = output(estimator)
    restored = _round_trip(estimator, how, tmp_path)
    np.testing.assert_array_equal(output(restored), expected)
    # the original is untouched by pickling (no version key left in its state)
    assert "_skcoms_version" not in vars(estimator)
    np.testing.assert_array_equal(output(estimator), expected)


@pytest.mark.parametrize("how", ["pickle", "joblib"])
@pytest.mark.parametrize(
    "make, data, output",
    [case[1:] for case in ESTIMATORS],
    ids=[case[0] for case in ESTIMATORS],
)
def test_unfitted_round_trip_fits_the_same(make, data, output, how, tmp_path):
    estimator = make()
    restored = _round_trip(estimator, how, tmp_path)
    assert restored.get_params().keys() == estimator.get_params().keys()
    np.testing.assert_array_equal(
        output(restored.fit(*data)), output(estimator.fit(*data))
    )


def test_loading_across_minor_versions_warns_with_the_version_needed(monkeypatch):
    model = tiny().fit(X, Y)
    monkeypatch.setattr(skcoms, "__version__", "7.3.1")
    payload = pickle.dumps(model)
    monkeypatch.setattr(skcoms, "__version__", "7.4.0")
    with pytest.warns(InconsistentVersionWarning, match=r"skcoms==7\.3\.1") as record:
        restored = pickle.loads(payload)
    warning = record[0].message
    assert (warning.original_version, warning.current_version) == ("7.3.1", "7.4.0")
    assert warning.estimator_name == "ConservativeObjectiveRegressor"
    # it still loads, and works
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))


def test_loading_across_patch_versions_is_silent(monkeypatch):
    monkeypatch.setattr(skcoms, "__version__", "7.3.1")
    payload = pickle.dumps(OfflineDesignOptimizer(tiny(), n_steps=2).fit(X, Y))
    monkeypatch.setattr(skcoms, "__version__", "7.3.5")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = pickle.loads(payload)
    assert restored.propose(2).shape == (2, 3)


def test_a_pickle_from_before_a_parameter_existed_loads_with_its_default():
    model = tiny().fit(X, Y)
    state = model.__getstate__()
    # a model pickled before the sharpness constraint was added
    for name in ("sharpness_limit", "sharpness_radius", "sharpness_learning_rate"):
        del state[name]
    restored = type(model).__new__(type(model))
    restored.__setstate__(state)
    assert restored.get_params() == model.get_params()
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    np.testing.assert_array_equal(
        restored.fit(X, Y).predict(X), clone(model).fit(X, Y).predict(X)
    )


def test_proposing_from_several_threads_agrees():
    opt = OfflineDesignOptimizer(tiny(), n_steps=5).fit(X, Y)
    expected = opt.propose(6, return_scores=True)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: opt.propose(6, return_scores=True), range(8)))
    for designs, scores in results:
        np.testing.assert_array_equal(designs, expected[0])
        np.testing.assert_array_equal(scores, expected[1])


def test_grid_search_over_the_optimizer_in_worker_processes():
    search = GridSearchCV(
        OfflineDesignOptimizer(tiny(), n_steps=2),
        {"estimator__alpha": [0.0, "auto"]},
        cv=2,
        n_jobs=2,
    ).fit(X, Y)
    assert search.best_params_["estimator__alpha"] in (0.0, "auto")
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    # the refitted optimizer came back from a worker and proposes
    assert search.best_estimator_.propose(2).shape == (2, 3)
