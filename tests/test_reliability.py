"""Properties that hold for any valid input; divergence raises a clear error."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.base import RegressorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted
from test_common import FAST, _small_model, public_estimators

from skcoms import (
    Box,
    CategoricalSequence,
    ConservativeObjectiveRegressor,
    OfflineDesignOptimizer,
)
from skcoms._torch.train import _check_finite
from skcoms._validation import check_finite_proposals, check_n_designs, check_seeds
from skcoms.baselines import BestOfDataset, CMAESOptimizer
from skcoms.exceptions import DivergenceError

TINY = {"hidden_layer_sizes": (8,), "max_iter": 2, "n_ascent_steps": 2}


def tiny(**params):
    return ConservativeObjectiveRegressor(**{**TINY, "random_state": 0, **params})


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def regression_data(draw):
    n = draw(st.integers(2, 25))
    d = draw(st.integers(1, 4))
    X = draw(hnp.arrays(np.float64, (n, d), elements=finite))
    y = draw(hnp.arrays(np.float64, (n,), elements=finite))
    X_new = draw(hnp.arrays(np.float64, (3, d), elements=finite))
    return X, y, X_new


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_predictions_in_units_beyond_float32_are_finite(dtype):
    # a column in units of 1e-178: its mean and scale underflow in float32
    X = np.array([[1.95699763e-178], [0.0], [3.9e-178]])
    y = np.array([0.0, 1.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tiny(dtype=dtype).fit(X, y)
    pred = model.predict(X)
    assert np.isfinite(pred).all()
    # the rows are told apart: standardized, they are about 0, -1.2 and 1.2
    assert np.ptp(pred) > 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_scores_at_float64s_smallest_numbers_fit_and_predict(dtype):
    # their spread (2.5e-324) rounds to 0 in float64: no division by it
    X = np.array([[0.0], [1.0]])
    y = np.array([5e-324, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tiny(dtype=dtype).fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    assert model.y_scale_ > 0


@given(data=regression_data(), dtype=st.sampled_from(["float32", "float64"]))
@settings(max_examples=12, deadline=None)
def test_predictions_are_finite_for_finite_input(data, dtype):
    X, y, X_new = data
    with warnings.catch_warnings():
        # constant scores warn; a fit that cannot converge in 2 epochs may too
        warnings.simplefilter("ignore")
        model = tiny(dtype=dtype).fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    # new designs are finite too, unless so far off the data (in its units of
    # spread) that the network overflows: then a clear error, never a NaN
    try:
        pred = model.predict(X_new)
    except ValueError as exc:
        assert "standard deviations of the training data" in str(exc)
        z = np.abs((X_new - model.x_mean_) / model.x_scale_).max()
        assert not z < 1e30
    else:
        assert np.isfinite(pred).all()


def test_predictions_that_overflow_are_a_clear_error():
    # a column in units of 1e-309: a design at 1.0 lies beyond float64's range
    # in standard deviations of the data
    X, y = np.array([[2.22507386e-309], [0.0]]), np.array([0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tiny().fit(X, y)
    assert np.isfinite(model.predict(X)).all()
    with pytest.raises(ValueError, match="up to inf standard deviations"):
        model.predict(np.array([[1.0]]))


@given(
    low=st.lists(st.floats(-3, 0), min_size=2, max_size=2),
    width=st.lists(st.floats(0.5, 3), min_size=2, max_size=2),
    sigma0=st.floats(0.1, 5.0),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=6, deadline=None)
def test_cmaes_proposals_stay_in_bounds(low, width, sigma0, seed):
    rng = np.random.RandomState(seed)
    low, high = np.array(low), np.array(low) + np.array(width)
    X = rng.uniform(low, high, size=(20, 2))
    opt = CMAESOptimizer(
        tiny(random_state=seed),
        design_space=Box(low, high),
        n_generations=2,
        sigma0=sigma0,
        random_state=seed,
    )
    designs = opt.fit(X, rng.normal(size=20)).propose(3)
    assert np.all(designs >= low) and np.all(designs <= high)


@given(
    alphabet=st.sets(
        st.characters(min_codepoint=97, max_codepoint=122), min_size=2, max_size=6
    ),
    length=st.integers(1, 6),
    soft=st.floats(0.05, 0.95),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=25, deadline=None)
def test_string_designs_round_trip_through_the_encoding(alphabet, length, soft, seed):
    rng = np.random.RandomState(seed)
    alphabet = "".join(sorted(alphabet))
    X = ["".join(rng.choice(list(alphabet), length)) for _ in range(6)]
    space = CategoricalSequence(alphabet=alphabet, soft_interpolation=soft).fit(X)
    assert space.decode(space.encode(X)).tolist() == X


@given(
    tokens=hnp.arrays(
        np.int64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=6),
        elements=st.integers(0, 5),
    )
)
@settings(max_examples=25, deadline=None)
def test_token_designs_round_trip_through_the_encoding(tokens):
    space = CategoricalSequence(n_categories=6).fit(tokens)
    np.testing.assert_array_equal(space.decode(space.encode(tokens)), tokens)


@given(
    X=hnp.arrays(np.float64, (5, 2), elements=st.floats(-10, 10)),
    Z=hnp.arrays(np.float64, (4, 2), elements=finite),
)
@settings(max_examples=25, deadline=None)
def test_box_decodes_any_finite_vector_into_the_box(X, Z):
    space = Box(margin=0.0).fit(X)
    np.testing.assert_array_equal(space.decode(space.encode(X)), X)
    decoded = space.decode(Z)
    assert np.all(decoded >= space.low_) and np.all(decoded <= space.high_)


@given(seed=st.integers(0, 2**31 - 2))
@settings(max_examples=4, deadline=None)
def test_the_same_seed_gives_the_same_proposals(seed):
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(20, 4))
    y = X.sum(axis=1).astype(float)
    runs = [
        OfflineDesignOptimizer(tiny(), n_steps=3, step_size=10.0, random_state=seed)
        .fit(X, y)
        .propose(4, return_scores=True)
        for _ in range(2)
    ]
    # a large step finds new designs (on some seeds fewer than 4, with a warning)
    assert len(runs[0][0]) >= 1
    np.testing.assert_array_equal(runs[0][0], runs[1][0])
    np.testing.assert_array_equal(runs[0][1], runs[1][1])


@given(value=st.one_of(st.integers(-5, 0), st.floats(), st.booleans(), st.text()))
@settings(max_examples=30, deadline=None)
def test_n_designs_other_than_a_positive_integer_is_refused(value):
    with pytest.raises((TypeError, ValueError), match="n_designs"):
        check_n_designs(value)


@given(seeds=st.lists(st.integers(0, 2**40), min_size=1, max_size=5))
@settings(max_examples=20, deadline=None)
def test_seed_lists_are_kept_as_given(seeds):
    assert check_seeds(seeds) == seeds
    assert check_seeds(np.array(seeds)) == seeds


# ---- divergence ----


@pytest.mark.parametrize(
    "data, space",
    [
        ((np.random.RandomState(0).uniform(size=(20, 3)), None), Box(-np.inf, np.inf)),
        ((np.random.RandomState(0).randint(0, 4, size=(20, 5)), None), None),
    ],
    ids=["unbounded box", "sequences"],
)
def test_a_diverging_search_raises_naming_the_step_and_parameter(data, space):
    X = data[0]
    y = np.asarray(X, dtype=float).sum(axis=1)
    opt = OfflineDesignOptimizer(
        tiny(alpha=0.0), design_space=space, n_steps=3, step_size=1e300
    ).fit(X, y)
    with pytest.raises(DivergenceError, match=r"diverged at step 1 of 3.*step_size"):
        opt.propose(2)
    # a sane step still works on the same fitted model (a step this small leaves
    # the sequences as they are: the designs of the data are then kept)
    opt.set_params(step_size=0.1, drop_duplicates=False)
    opt.fit(X, y)
    assert len(opt.propose(2)) == 2


def test_a_huge_step_inside_a_bounded_box_is_clipped_not_an_error():
    X = np.random.RandomState(0).uniform(size=(20, 3))
    opt = OfflineDesignOptimizer(tiny(), n_steps=3, step_size=1e300).fit(X, X.sum(1))
    designs = opt.propose(2)
    space = opt.design_space_
    assert np.all(designs >= space.low_) and np.all(designs <= space.high_)


def test_divergence_is_a_floating_point_error():
    assert issubclass(DivergenceError, FloatingPointError)


def test_non_finite_designs_with_finite_scores_are_caught():
    designs = np.array([[0.0, np.inf]])
    with pytest.raises(DivergenceError, match=r"by step 4.*coordinate inf.*sigma0"):
        check_finite_proposals(designs, np.zeros((5, 1)), "sigma0")


@pytest.mark.parametrize(
    "quantity, parameter",
    [
        ("loss", "learning_rate_init"),
        ("over-estimation", "learning_rate_init or ascent_step_size"),
        ("alpha", "alpha_learning_rate"),
    ],
)
def test_training_divergence_names_the_quantity_and_epoch(quantity, parameter):
    values = {"loss": 0.1, "over-estimation": 0.2, "alpha": 0.3}
    values[quantity] = float("nan")
    pattern = f"epoch 7: the {quantity} is nan. Lower .*{parameter}"
    with pytest.raises(DivergenceError, match=pattern):
        _check_finite(7, values["loss"], values["over-estimation"], values["alpha"])


def test_a_diverging_fit_raises_and_leaves_the_model_unfitted():
    X = np.random.RandomState(0).uniform(size=(20, 3))
    model = tiny(learning_rate_init=1e30, alpha=0.0)
    with pytest.raises(DivergenceError, match="Lower learning_rate_init"):
        model.fit(X, X.sum(axis=1))
    assert not hasattr(model, "network_")


# ---- a failed refit leaves no stale state ----


def _refit_fails(estimator, good, bad, error):
    estimator.fit(*good)
    with pytest.raises(error):
        estimator.fit(*bad)
    with pytest.raises(NotFittedError):
        check_is_fitted(estimator)
    assert not hasattr(estimator, "n_features_in_")


X3 = np.random.RandomState(1).uniform(size=(20, 3))
X5 = np.random.RandomState(2).uniform(size=(20, 5))


def test_a_failed_refit_of_the_regressor_leaves_it_unfitted():
    # valid X of a new width, then an unknown device: the old network must not stay
    # beside the new n_features_in_
    model = tiny()
    model.fit(X3, X3.sum(1))
    model.set_params(device="tpu")
    with pytest.raises(ValueError, match="device='tpu'"):
        model.fit(X5, X5.sum(1))
    with pytest.raises(NotFittedError):
        model.predict(X5)
    assert not hasattr(model, "n_features_in_")


def test_a_diverging_refit_of_the_optimizer_leaves_it_unfitted():
    opt = OfflineDesignOptimizer(tiny(alpha=0.0), n_steps=2)
    opt.fit(X3, X3.sum(1))
    opt.set_params(estimator__learning_rate_init=1e30)
    with pytest.raises(DivergenceError):
        opt.fit(X5, X5.sum(1))
    with pytest.raises(NotFittedError):
        opt.propose(2)
    assert not hasattr(opt, "n_features_in_") and not hasattr(opt, "_designs")


def test_a_failed_refit_of_a_space_leaves_it_unfitted():
    space = CategoricalSequence(n_categories=2)
    _refit_fails(space, ([[0, 1], [1, 0]],), ([[0, 3, 1]],), ValueError)
    assert not hasattr(space, "sequence_length_")
    box = Box(low=0.0)
    _refit_fails(box, (X3,), (X5 - 2.0,), ValueError)
    best = BestOfDataset()
    _refit_fails(best, (X3, X3.sum(1)), (X5, np.full(20, np.nan)), ValueError)


# Every public estimator in the small settings of the scikit-learn checks. Scaling by
# a power of two is exact, so data in other units must give the same bits: 2**-70
# (about 1e-21) and 2**40 (about 1e12) are far from any threshold in absolute units;
# 2**-340 (about 4e-103) is below float32's range, where the networks compute.
UNITS = [2.0**-70, 2.0**40, 2.0**-340]
ESTIMATORS = {
    name: cls
    for name, cls in public_estimators().items()
    if hasattr(cls, "propose") or issubclass(cls, RegressorMixin)
}


def _fast(name):
    make = FAST[name]
    estimator = make() if make is _small_model else make(ESTIMATORS[name])
    if "random_state" in estimator.get_params():
        estimator.set_params(random_state=0)
    return estimator


def _outputs(name, X, y, units):
    """Proposals (an optimizer) or predictions on X (a regressor), and best scores."""
    estimator = _fast(name)
    if hasattr(estimator, "propose"):
        estimator.set_params(design_space=Box(-1.2 * units, 1.2 * units))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # shortfalls, if any
            return estimator.fit(X, y).propose(6, return_scores=True)
    return estimator.fit(X, y).predict(X), None


@pytest.mark.parametrize("units", UNITS, ids=["2**-70", "2**40", "2**-340"])
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_results_do_not_depend_on_the_units_of_the_data(name, units):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1.0, 1.0, size=(40, 3))
    y = -((X - 0.3) ** 2).sum(axis=1)
    designs, scores = _outputs(name, X, y, 1.0)
    assert len(designs) > 0 and np.isfinite(designs).all()
    # scores in other units: the same designs, their predicted scores in those units
    same, scaled = _outputs(name, X, y * units, 1.0)
    if scores is None:  # a regressor: its predictions
        np.testing.assert_array_equal(same, designs * units)
    else:
        np.testing.assert_array_equal(same, designs)
        np.testing.assert_array_equal(scaled, scores * units)
    # designs in other units (the box too): the same designs in those units
    moved, _ = _outputs(name, X * units, y, units)
    if scores is None:
        np.testing.assert_array_equal(moved, designs)
    else:
        np.testing.assert_array_equal(moved, designs * units)


# designs in units where float32 loses them, scores as they are: 1e8 + x (float32
# spaces such numbers 8 apart, wider than the data's spread) and 1e-100 * x (below
# float32's range)
@pytest.mark.parametrize(
    "offset, units", [(1e8, 1.0), (0.0, 1e-100)], ids=["1e8+x", "1e-100*x"]
)
@pytest.mark.parametrize("name", sorted(ESTIMATORS))
def test_designs_far_from_float32_keep_their_resolution(name, offset, units):
    rng = np.random.RandomState(0)
    X = rng.uniform(-1.0, 1.0, size=(40, 3))
    y = -((X - 0.3) ** 2).sum(axis=1)
    results = []
    for shift, scale in ((0.0, 1.0), (offset, units)):
        estimator = _fast(name)
        moved = X * scale + shift
        if hasattr(estimator, "propose"):
            box = Box(shift - 1.2 * scale, shift + 1.2 * scale)
            estimator.set_params(design_space=box)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # shortfalls, if any
                results.append((estimator.fit(moved, y).propose(6) - shift) / scale)
        else:
            results.append(estimator.fit(moved, y).predict(moved))
    # standardized in float64, the data differ from the centred ones by rounding
    # only (about 1e-8): the same fit, the same designs or predictions
    assert results[0].shape == results[1].shape
    np.testing.assert_allclose(results[1], results[0], rtol=0, atol=1e-4)


def test_sequence_proposals_do_not_depend_on_the_units_of_the_scores():
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(60, 6))
    y = (X == 2).sum(axis=1) + 0.1 * rng.standard_normal(60)
    proposals = []
    for units in (1.0, *UNITS):
        model = _small_model().set_params(alpha=0.0)
        opt = OfflineDesignOptimizer(model, n_steps=10, step_size=0.5, random_state=0)
        proposals.append(opt.fit(X, y * units).propose(6))
    assert proposals[0].shape == (6, 6)
    for other in proposals[1:]:
        np.testing.assert_array_equal(other, proposals[0])
