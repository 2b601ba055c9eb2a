"""Behaviour of ConservativeObjectiveRegressor that users rely on."""

import pickle
import re
import warnings

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skcoms import ConservativeObjectiveRegressor
from skcoms._torch.ascent import gradient_ascent

SMALL = {"hidden_layer_sizes": (32, 32), "max_iter": 30, "n_ascent_steps": 5}


def linear_with_cliff(X):
    """Rises along every axis inside [-1, 1]^d and falls off sharply outside it."""
    return X.sum(axis=1) - 10.0 * (np.maximum(np.abs(X) - 1.0, 0.0) ** 2).sum(axis=1)


@pytest.fixture(scope="module")
def cliff_data():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(500, 4))
    return X, linear_with_cliff(X)


def test_fits_a_smooth_function():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(400, 3))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2]
    model = ConservativeObjectiveRegressor(
        (64, 64), alpha=0.0, max_iter=80, random_state=0
    ).fit(X, y)
    assert model.score(X, y) > 0.9


def test_raw_scales_are_standardized_internally():
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(300, 2))
    y = -(X**2).sum(axis=1)
    params = dict(SMALL, alpha=0.0, dtype="float64", random_state=0)
    unit = ConservativeObjectiveRegressor(**params).fit(X, y)
    raw = ConservativeObjectiveRegressor(**params).fit(X * 1000.0 + 5.0, y * 1e4 + 3e4)
    # the network sees the same standardized problem; predictions come in y's units
    np.testing.assert_allclose(
        raw.predict(X * 1000.0 + 5.0), unit.predict(X) * 1e4 + 3e4, rtol=1e-6
    )
    np.testing.assert_allclose(raw.x_mean_, X.mean(0) * 1000 + 5, rtol=1e-10)
    assert raw.y_scale_ == pytest.approx(y.std() * 1e4)


def test_conservative_model_overestimates_less_after_ascent(cliff_data):
    """Ascent from the data climbs off it, where plain regression over-estimates."""
    X, y = cliff_data
    gaps = {}
    for alpha in (0.0, "auto", 1.0):
        model = ConservativeObjectiveRegressor(
            (64, 64), alpha=alpha, max_iter=30, random_state=0
        ).fit(X, y)
        objective = model.design_objective()
        start = torch.as_tensor(X, dtype=objective.dtype, device=objective.device)
        end, _ = gradient_ascent(
            objective,
            start,
            n_steps=model.n_ascent_steps,
            step_size=model.ascent_step_size_,
        )
        predicted = objective(end)[0].cpu().numpy()
        end = end.cpu().numpy().astype(float)
        gaps[alpha] = np.mean(predicted - linear_with_cliff(end))
    # measured over seeds 0-2: about +0.15 (alpha=0), -0.07 (auto), -0.26 (alpha=1)
    assert gaps[0.0] > 0.05
    assert gaps["auto"] < gaps[0.0] - 0.1
    assert gaps[1.0] < gaps[0.0] - 0.2


def test_dual_descent_moves_alpha_toward_the_limit(cliff_data):
    X, y = cliff_data
    params = dict(SMALL, n_iter_no_change=0, random_state=0)
    loose = ConservativeObjectiveRegressor(**params, overestimation_limit=50.0).fit(
        X, y
    )
    tight = ConservativeObjectiveRegressor(**params, overestimation_limit=-1.0).fit(
        X, y
    )
    assert loose.alpha_ < 0.1 < tight.alpha_
    # with a fixed alpha nothing moves
    fixed = ConservativeObjectiveRegressor(**params, alpha=0.3).fit(X, y)
    assert fixed.alpha_curve_ == [pytest.approx(0.3)] * fixed.n_iter_


def test_fitted_attributes_for_notebooks(cliff_data):
    X, y = cliff_data
    model = ConservativeObjectiveRegressor(**SMALL, random_state=0).fit(X, y)
    assert 1 <= model.n_iter_ <= SMALL["max_iter"]
    for curve in (
        model.loss_curve_,
        model.mse_curve_,
        model.overestimation_curve_,
        model.alpha_curve_,
    ):
        assert len(curve) == model.n_iter_
        assert np.all(np.isfinite(curve))
    assert model.n_features_in_ == 4
    assert model.ascent_step_size_ == pytest.approx(0.05 * 2.0)


def test_feature_names_from_a_dataframe(cliff_data):
    pd = pytest.importorskip("pandas")
    X, y = cliff_data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    model = ConservativeObjectiveRegressor(**SMALL, random_state=0).fit(frame, y)
    assert list(model.feature_names_in_) == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(model.predict(frame), model.predict(X))


def test_same_seed_same_fit_and_global_rng_untouched(cliff_data):
    X, y = cliff_data
    np_state = np.random.get_state()[1].copy()
    torch_state = torch.get_rng_state().clone()
    first = ConservativeObjectiveRegressor(**SMALL, random_state=3).fit(X, y)
    second = ConservativeObjectiveRegressor(**SMALL, random_state=3).fit(X, y)
    other = ConservativeObjectiveRegressor(**SMALL, random_state=4).fit(X, y)
    unseeded = ConservativeObjectiveRegressor(**SMALL).fit(X, y)
    unseeded.predict(X)
    np.testing.assert_array_equal(first.predict(X), second.predict(X))
    assert first.loss_curve_ == second.loss_curve_
    assert not np.array_equal(first.predict(X), other.predict(X))
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


def test_float64_dtype(cliff_data):
    X, y = cliff_data
    model = ConservativeObjectiveRegressor(**SMALL, dtype="float64", random_state=0)
    model.fit(X, y)
    assert model.network_.weights[0].dtype == torch.float64
    assert model.predict(X).dtype == np.float64


def test_works_inside_a_pipeline(cliff_data):
    X, y = cliff_data
    pipe = make_pipeline(
        StandardScaler(), ConservativeObjectiveRegressor(**SMALL, random_state=0)
    )
    pipe.fit(X, y)
    assert pipe.score(X, y) > 0.8


def test_grid_search_over_alpha_in_parallel(cliff_data):
    X, y = cliff_data
    pipe = make_pipeline(
        StandardScaler(), ConservativeObjectiveRegressor(**SMALL, random_state=0)
    )
    search = GridSearchCV(
        pipe,
        {"conservativeobjectiveregressor__alpha": [0.0, 0.5, "auto"]},
        cv=KFold(3, shuffle=True, random_state=0),
        n_jobs=2,
    )
    search.fit(X, y)
    assert search.best_params_["conservativeobjectiveregressor__alpha"] in (
        0.0,
        0.5,
        "auto",
    )
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (3,)
    assert np.all(scores > 0.5)


def test_grid_search_over_the_overestimation_limit(cliff_data):
    X, y = cliff_data
    search = GridSearchCV(
        ConservativeObjectiveRegressor(**SMALL, random_state=0),
        {"overestimation_limit": [0.1, 1.0]},
        cv=2,
    ).fit(X, y)
    assert search.best_params_["overestimation_limit"] in (0.1, 1.0)


def test_pickle_and_clone_keep_predictions(cliff_data):
    X, y = cliff_data
    model = ConservativeObjectiveRegressor(**SMALL, random_state=0).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict(X), model.predict(X))
    fresh = clone(model)
    assert fresh.get_params() == model.get_params()
    assert not hasattr(fresh, "network_")


def test_model_fitted_on_cuda_loads_without_cuda(cliff_data, monkeypatch):
    X, y = cliff_data
    # fitted on the CPU so that the predictions compare exactly after loading there
    model = ConservativeObjectiveRegressor(**SMALL, device="cpu", random_state=0)
    model.fit(X, y)
    expected = model.predict(X)
    # a pickle written on a GPU machine records the CUDA device; weights are on the CPU
    model.device_ = torch.device("cuda", 0)
    payload = pickle.dumps(model)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="CUDA is not available"):
        restored = pickle.loads(payload)
    assert restored.device_ == torch.device("cpu")
    np.testing.assert_array_equal(restored.predict(X), expected)


def test_verbose_prints_one_line_per_epoch(cliff_data, capsys):
    X, y = cliff_data
    model = ConservativeObjectiveRegressor(
        **dict(SMALL, max_iter=3), verbose=True, random_state=0
    ).fit(X, y)
    lines = [line for line in capsys.readouterr().out.splitlines() if line]
    assert len(lines) == model.n_iter_ == 3
    assert re.match(
        r"Epoch 1/3: loss=\S+ mse=\S+ overestimation=\S+ alpha=\S+", lines[0]
    )


def test_diverging_training_raises_a_clear_error(cliff_data):
    X, y = cliff_data
    model = ConservativeObjectiveRegressor(
        **SMALL, learning_rate_init=1e6, random_state=0
    )
    with pytest.raises(FloatingPointError, match="diverged at epoch 1"):
        model.fit(X, y)


X_OK = np.random.RandomState(0).uniform(size=(20, 3))
Y_OK = X_OK.sum(axis=1)


def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


BAD_FIT = [
    ("nan in X", {}, _with(X_OK, (0, 0), np.nan), Y_OK, ValueError, "NaN"),
    ("inf in X", {}, _with(X_OK, (1, 2), np.inf), Y_OK, ValueError, "infinity"),
    ("nan in y", {}, X_OK, _with(Y_OK, 3, np.nan), ValueError, "NaN"),
    ("inf in y", {}, X_OK, _with(Y_OK, 3, -np.inf), ValueError, "infinity"),
    ("lengths", {}, X_OK, Y_OK[:-1], ValueError, "inconsistent numbers of samples"),
    ("empty", {}, X_OK[:0], Y_OK[:0], ValueError, "0 sample"),
    ("one sample", {}, X_OK[:1], Y_OK[:1], ValueError, "1 sample(s)"),
    ("2-D y", {}, X_OK, np.c_[Y_OK, Y_OK], ValueError, "1d array"),
    ("1-D X", {}, Y_OK, Y_OK, ValueError, "Expected 2D array"),
    (
        "strings in X",
        {},
        np.full((20, 3), "a", dtype=object),
        Y_OK,
        ValueError,
        "convert",
    ),
    ("complex X", {}, X_OK + 1j, Y_OK, ValueError, "Complex data not supported"),
    ("negative alpha", {"alpha": -1.0}, X_OK, Y_OK, ValueError, "'alpha'"),
    ("bad alpha string", {"alpha": "big"}, X_OK, Y_OK, ValueError, "'alpha'"),
    ("zero steps", {"n_ascent_steps": 0}, X_OK, Y_OK, ValueError, "'n_ascent_steps'"),
    ("zero epochs", {"max_iter": 0}, X_OK, Y_OK, ValueError, "'max_iter'"),
    (
        "zero temperature",
        {"loss": "listnet", "listnet_temperature": 0.0},
        X_OK,
        Y_OK,
        ValueError,
        "'listnet_temperature'",
    ),
    (
        "zero sharpness limit",
        {"sharpness_limit": 0.0},
        X_OK,
        Y_OK,
        ValueError,
        "'sharpness_limit'",
    ),
    (
        "negative sharpness radius",
        {"sharpness_radius": -0.1},
        X_OK,
        Y_OK,
        ValueError,
        "'sharpness_radius'",
    ),
    (
        "sharpness limit at the radius",
        {"sharpness_limit": 0.05, "sharpness_radius": 0.05},
        X_OK,
        Y_OK,
        ValueError,
        "sharpness_limit=0.05 can never be met",
    ),
    (
        "zero sharpness rate",
        {"sharpness_learning_rate": 0.0},
        X_OK,
        Y_OK,
        ValueError,
        "'sharpness_learning_rate'",
    ),
    ("zero step size", {"ascent_step_size": 0.0}, X_OK, Y_OK, ValueError, "step"),
    ("bad activation", {"activation": "gelu"}, X_OK, Y_OK, ValueError, "activation"),
    ("bad layers", {"hidden_layer_sizes": (8, 0)}, X_OK, Y_OK, ValueError, "positive"),
    ("bad dtype", {"dtype": "float16"}, X_OK, Y_OK, ValueError, "'dtype'"),
    ("unknown device", {"device": "tpu"}, X_OK, Y_OK, ValueError, "device='tpu'"),
]


@pytest.mark.parametrize(
    "params, X, y, error, message",
    [case[1:] for case in BAD_FIT],
    ids=[case[0] for case in BAD_FIT],
)
def test_bad_fit_input_raises_a_clear_error(params, X, y, error, message):
    model = ConservativeObjectiveRegressor(**dict(SMALL, **params))
    with pytest.raises(error, match=re.escape(message)):
        model.fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_device_without_cuda_is_a_clear_error():
    model = ConservativeObjectiveRegressor(**SMALL, device="cuda")
    with pytest.raises(ValueError, match="CUDA is not available"):
        model.fit(X_OK, Y_OK)


def test_predict_checks_its_input():
    model = ConservativeObjectiveRegressor(**SMALL)
    with pytest.raises(NotFittedError):
        model.predict(X_OK)
    model.set_params(max_iter=2, random_state=0).fit(X_OK, Y_OK)
    with pytest.raises(ValueError, match="expecting 3 features"):
        model.predict(X_OK[:, :2])
    with pytest.raises(ValueError, match="NaN"):
        model.predict(_with(X_OK, (0, 0), np.nan))


def test_predict_from_several_threads_agrees(cliff_data):
    from concurrent.futures import ThreadPoolExecutor

    X, y = cliff_data
    model = ConservativeObjectiveRegressor(**SMALL, random_state=0).fit(X, y)
    expected = model.predict(X)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(model.predict, [X] * 8))
    for result in results:
        np.testing.assert_allclose(result, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_fit_matches_cpu_and_pickles_to_cpu(cliff_data):
    X, y = cliff_data
    params = dict(SMALL, alpha=0.5, dtype="float64", random_state=0)
    cpu = ConservativeObjectiveRegressor(**params, device="cpu").fit(X, y)
    gpu = ConservativeObjectiveRegressor(**params, device="cuda").fit(X, y)
    assert gpu.device_.type == "cuda"
    # same seed, same initial weights and minibatches: float64 agrees closely
    np.testing.assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-6, atol=1e-6)
    state = pickle.dumps(gpu)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = pickle.loads(state)
    np.testing.assert_array_equal(restored.predict(X), gpu.predict(X))
    assert all(
        w.device.type == "cpu"
        for w in pickle.loads(state).network_.__getstate__()["weights"]
    )


def test_interrupt_keeps_the_last_completed_epoch(cliff_data, monkeypatch):
    import skcoms._torch.train as train

    X, y = cliff_data
    calls = []
    real_order = train._epoch_order

    def interrupt_in_third_epoch(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real_order(*args)

    params = dict(SMALL, n_iter_no_change=0, random_state=0)
    monkeypatch.setattr(train, "_epoch_order", interrupt_in_third_epoch)
    with pytest.warns(UserWarning, match=r"interrupted.*\(2 of 30\)"):
        model = ConservativeObjectiveRegressor(**params).fit(X, y)
    assert model.n_iter_ == 2 and len(model.loss_curve_) == 2
    monkeypatch.setattr(train, "_epoch_order", real_order)
    two_epochs = ConservativeObjectiveRegressor(**dict(params, max_iter=2)).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), two_epochs.predict(X))


def test_interrupt_in_the_first_epoch_leaves_the_model_unfitted(
    cliff_data, monkeypatch
):
    import skcoms._torch.train as train

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "_epoch_order", interrupt)
    model = ConservativeObjectiveRegressor(**SMALL)
    with pytest.raises(KeyboardInterrupt):
        model.fit(*cliff_data)
    with pytest.raises(NotFittedError):
        model.predict(cliff_data[0])


def test_dual_descent_warns_when_the_target_is_out_of_reach(cliff_data):
    from sklearn.exceptions import ConvergenceWarning

    X, y = cliff_data
    model = ConservativeObjectiveRegressor(
        **dict(SMALL, max_iter=3, n_iter_no_change=0),
        overestimation_limit=-5.0,
        random_state=0,
    )
    with pytest.warns(ConvergenceWarning, match="never came down"):
        model.fit(X, y)


def test_a_fixed_alpha_whose_gap_runs_away_warns(cliff_data, monkeypatch):
    # the runaway itself takes a large network and many epochs (TFBind8: the gap
    # reaches -4e9 to -2e10); here the threshold moves above any gap, so that every fit
    # with a conservative term crosses it
    from sklearn.exceptions import ConvergenceWarning

    import skcoms._regressor as regressor

    X, y = cliff_data
    params = dict(SMALL, max_iter=3, n_iter_no_change=0, random_state=0)
    # at the package's threshold this fit's gap is far from running away
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model = ConservativeObjectiveRegressor(**params, alpha=0.5).fit(X, y)
    assert abs(model.overestimation_curve_[-1]) < regressor.RUNAWAY_GAP
    monkeypatch.setattr(regressor, "RUNAWAY_GAP", -1e30)
    with pytest.warns(ConvergenceWarning, match="conservative term ran away"):
        ConservativeObjectiveRegressor(**params, alpha=0.5).fit(X, y)
    # no conservative term, no gap: nothing to warn about
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        ConservativeObjectiveRegressor(**params, alpha=0.0).fit(X, y)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_data_too_large_for_the_gpu_is_streamed(cliff_data, monkeypatch):
    import skcoms._torch.network as network

    X, y = cliff_data
    params = dict(SMALL, dtype="float64", device="cuda", random_state=0)
    resident = ConservativeObjectiveRegressor(**params).fit(X, y)
    monkeypatch.setattr(network, "_RESIDENT_FRACTION", 0.0)
    streamed = ConservativeObjectiveRegressor(**params).fit(X, y)
    np.testing.assert_allclose(streamed.predict(X), resident.predict(X), rtol=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_listnet_ranks_and_predicts_in_the_units_of_y(alpha):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(600, 4))
    y = 100.0 - 30.0 * ((X - 0.3) ** 2).sum(axis=1)  # far from mean 0, std 1
    model = ConservativeObjectiveRegressor(
        (32, 32), loss="listnet", alpha=alpha, max_iter=40, random_state=0
    ).fit(X, y)
    X_test = rng.uniform(-1, 1, size=(300, 4))
    y_test = 100.0 - 30.0 * ((X_test - 0.3) ** 2).sum(axis=1)
    pred = model.predict(X_test)
    # the order is learned; least squares after training restores scale and offset
    assert np.corrcoef(pred, y_test)[0, 1] > 0.95
    assert model.score(X_test, y_test) > 0.85
    assert abs(model.predict(X).mean() - y.mean()) < 1e-3 * y.std()


def test_unknown_loss_is_a_clear_error(cliff_data):
    X, y = cliff_data
    with pytest.raises(ValueError, match="'loss' parameter"):
        ConservativeObjectiveRegressor(loss="hinge", **SMALL).fit(X, y)


def test_sharpness_limit_holds_the_sharpness_near_it_and_is_inert_above_it():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(500, 8))
    y = -(X**2).sum(axis=1)
    base = ConservativeObjectiveRegressor(
        (64, 64), alpha=0.0, max_iter=20, n_iter_no_change=0, random_state=0
    )
    plain = clone(base).fit(X, y)
    # a limit never reached leaves the multiplier at 0: the same fit, bit for bit
    loose = clone(base).set_params(sharpness_limit=1e6).fit(X, y)
    np.testing.assert_array_equal(loose.predict(X), plain.predict(X))
    assert plain.sharpness_curve_ == []
    assert len(loose.sharpness_curve_) == loose.n_iter_ == 20
    free = loose.sharpness_curve_[-1]
    # the sharpness is at least the radius (the output bias alone): 0.6 * free
    # (about 0.08) is a limit the network can reach
    assert 0.6 * free > 1.5 * base.sharpness_radius
    tight = clone(base).set_params(sharpness_limit=0.6 * free)
    tight.set_params(sharpness_learning_rate=10.0).fit(X, y)
    # within 15% of the limit by the last epoch, and a worse fit for it
    assert tight.sharpness_curve_[-1] == pytest.approx(0.6 * free, rel=0.15)
    assert tight.score(X, y) < plain.score(X, y)


@pytest.mark.parametrize("name", ["ensemble", "cv"])
def test_sharpness_limit_reaches_every_network_of_ensembles_and_the_cv_model(name):
    from skcoms import ConservativeObjectiveRegressorCV, EnsembleObjectiveRegressor

    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(200, 4))
    y = np.sin(3 * X).sum(axis=1)
    params = dict(hidden_layer_sizes=(16,), max_iter=4, random_state=0)
    params.update(sharpness_limit=0.06, sharpness_learning_rate=10.0)
    if name == "ensemble":
        model = EnsembleObjectiveRegressor(n_members=3, **params)
    else:
        model = ConservativeObjectiveRegressorCV(alphas=(0.0, 0.1), **params)
    model.fit(X, y)
    assert len(model.sharpness_curve_) == model.n_iter_
    assert model.get_params()["sharpness_limit"] == 0.06
    unconstrained = clone(model).set_params(sharpness_limit=None).fit(X, y)
    assert unconstrained.sharpness_curve_ == []
    assert not np.allclose(model.predict(X), unconstrained.predict(X), atol=1e-4)
