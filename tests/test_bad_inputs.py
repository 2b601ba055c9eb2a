"""Every bad input across the public API raises a clear error.

Each row calls one public estimator or function with one bad input and checks the
exception type and a fragment of the message that names what was wrong. Bad fit
inputs of the regressor alone are in tests/test_regressor.py; those of the design
spaces in tests/test_spaces.py.
"""

import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skcoms import (
    Box,
    CategoricalSequence,
    ConservativeObjectiveRegressor,
    OfflineDesignOptimizer,
)
from skcoms.baselines import BestOfDataset, CMAESOptimizer, EnsembleObjectiveRegressor
from skcoms.benchmark import compare, evaluate
from skcoms.datasets import Task, load_tfbind8, make_test_function_task

TINY = {"hidden_layer_sizes": (8,), "max_iter": 2, "n_ascent_steps": 2}

RNG = np.random.RandomState(0)
X = RNG.uniform(size=(20, 3))
Y = X.sum(axis=1)
TOKENS = RNG.randint(0, 4, size=(20, 5))
DATES = np.datetime64("2026-01-01") + np.arange(20).astype("timedelta64[D]")
Y_TOKENS = TOKENS.sum(axis=1).astype(float)
STRINGS = ["ACGT", "CAGT", "GGTA", "TTAC"]


def tiny(**params):
    return ConservativeObjectiveRegressor(**{**TINY, "random_state": 0, **params})


def optimizer(**params):
    return OfflineDesignOptimizer(tiny(), n_steps=2, **params)


def _with(array, index, value):
    array = np.array(array, dtype=float)
    array[index] = value
    return array


def _sphere(designs):
    return -np.sum(np.asarray(designs, dtype=float) ** 2, axis=1)


def _task(oracle=_sphere, **changes):
    kwargs = {
        "name": "sphere",
        "X": X,
        "y": _sphere(X),
        "oracle": oracle,
        "y_min": -3.0,
        "y_max": 0.0,
        "bounds": (0.0, 1.0),
        **changes,
    }
    return Task(**kwargs)


@pytest.fixture(scope="module")
def fitted():
    """Fitted estimators whose predict-time checks the table exercises."""
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    return {
        "regressor": tiny().fit(X, Y),
        "frame regressor": tiny().fit(frame, Y),
        "frame": frame,
        "optimizer on tokens": optimizer().fit(TOKENS, Y_TOKENS),
        "optimizer on strings": optimizer().fit(STRINGS, [1.0, 2.0, 3.0, 4.0]),
        "best": BestOfDataset().fit(X, Y),
        "box": Box().fit(X),
        "sequence": CategoricalSequence().fit(TOKENS),
    }


# (id, call taking the fitted estimators, exception type, message fragment)
BAD_INPUTS = [
    # ---- the regressor, beyond tests/test_regressor.py ----
    (
        "regressor: missing score given as None in an object y",
        lambda f: tiny().fit(X, np.array([*Y[:-1], None], dtype=object)),
        ValueError,
        "y contains NaN (at index 19)",
    ),
    (
        "regressor: sparse X",
        lambda f: tiny().fit(sp.csr_matrix(X), Y),
        TypeError,
        "Sparse data",
    ),
    ("regressor: 3-D X", lambda f: tiny().fit(X[:, :, None], Y), ValueError, "dim 3"),
    (
        "regressor: dates as designs",
        lambda f: tiny().fit(DATES[:, None], Y),
        TypeError,
        "X holds dates or durations (dtype datetime64[D])",
    ),
    (
        "regressor: durations as scores",
        lambda f: tiny().fit(X, DATES - DATES[0]),
        TypeError,
        "y holds dates or durations (dtype timedelta64[D])",
    ),
    (
        "regressor: predict on dates",
        lambda f: tiny().fit(X, Y).predict(np.stack([DATES] * 3, axis=1)),
        TypeError,
        "X holds dates or durations",
    ),
    (
        "box: dates",
        lambda f: Box().fit(DATES[:, None]),
        TypeError,
        "X holds dates or durations",
    ),
    (
        "optimizer: a table with a column of dates",
        lambda f: optimizer().fit(pd.DataFrame({"when": DATES, "x": Y}), Y),
        TypeError,
        "X holds dates or durations (column 'when')",
    ),
    (
        "optimizer: dates as scores",
        lambda f: optimizer().fit(X, pd.Series(DATES)),
        TypeError,
        "y holds dates or durations",
    ),
    (
        "optimizer: time-zone-aware dates as scores",
        lambda f: optimizer().fit(X, pd.Series(DATES).dt.tz_localize("UTC")),
        TypeError,
        "y holds dates or durations (dtype datetime64[",
    ),
    (
        "regressor: NaN learning rate",
        lambda f: tiny(learning_rate_init=np.nan).fit(X, Y),
        ValueError,
        "'learning_rate_init' parameter",
    ),
    (
        "regressor: negative tol",
        lambda f: tiny(tol=-1.0).fit(X, Y),
        ValueError,
        "'tol' parameter",
    ),
    (
        "regressor: infinite overestimation limit",
        lambda f: tiny(overestimation_limit=np.inf).fit(X, Y),
        ValueError,
        "'overestimation_limit' parameter",
    ),
    (
        "regressor: malformed CUDA device",
        lambda f: tiny(device="cuda:x").fit(X, Y),
        ValueError,
        "device='cuda:x' is not understood",
    ),
    (
        "regressor: device given as an int",
        lambda f: tiny(device=0).fit(X, Y),
        TypeError,
        "'device' parameter",
    ),
    (
        "regressor: layer sizes as a string",
        lambda f: tiny(hidden_layer_sizes="8").fit(X, Y),
        ValueError,
        "'hidden_layer_sizes' parameter",
    ),
    (
        "regressor: wrong feature names at predict time",
        lambda f: f["frame regressor"].predict(f["frame"].rename(columns={"a": "z"})),
        ValueError,
        "feature names should match",
    ),
    (
        "regressor: no rows at predict time",
        lambda f: f["regressor"].predict(X[:0]),
        ValueError,
        "0 sample(s)",
    ),
    (
        "regressor: inf at predict time",
        lambda f: f["regressor"].predict(_with(X, (2, 1), np.inf)),
        ValueError,
        "infinity",
    ),
    (
        "ensemble: NaN number of members",
        lambda f: EnsembleObjectiveRegressor(**TINY, n_members=np.nan).fit(X, Y),
        ValueError,
        "'n_members' parameter",
    ),
    # ---- the optimizer ----
    (
        "optimizer: a design too large for float32",
        lambda f: optimizer().fit(_with(X, (3, 1), 1e40), Y),
        ValueError,
        "X holds a value of magnitude 1e+40 (at index 3, 1)",
    ),
    (
        "optimizer: scores whose squares overflow float32",
        lambda f: optimizer().fit(X, Y * 1e30),
        ValueError,
        "Rescale y (for example divide it by",
    ),
    (
        "CMA-ES: a design too large for float32",
        lambda f: CMAESOptimizer(tiny(), n_generations=1).fit(X * 1e300, Y),
        ValueError,
        "beyond 1.84e+18: the search and the networks compute in float32",
    ),
    (
        "optimizer on tokens: scores too large for float32",
        lambda f: optimizer().fit(TOKENS, Y_TOKENS * 1e20),
        ValueError,
        "y holds a value of magnitude",
    ),
    (
        "optimizer: sparse X",
        lambda f: optimizer().fit(sp.csr_matrix(X), Y),
        TypeError,
        "X is a sparse matrix",
    ),
    (
        "optimizer: 3-D float X",
        lambda f: optimizer().fit(X[:, :, None], Y),
        ValueError,
        "dim 3",
    ),
    (
        "optimizer: 3-D integer X",
        lambda f: optimizer().fit(TOKENS[:, :, None], Y_TOKENS),
        ValueError,
        "must be a 2-D array",
    ),
    (
        "optimizer: ragged token lists",
        lambda f: optimizer().fit([[0, 1, 2], [1, 0], [2, 2, 1]], [1.0, 2.0, 3.0]),
        ValueError,
        "X is ragged",
    ),
    (
        "optimizer: None among string designs",
        lambda f: optimizer().fit(["AC", None, "CA"], [1.0, 2.0, 3.0]),
        TypeError,
        "mixes strings with values of other types",
    ),
    (
        "optimizer: object columns mixing numbers and strings",
        lambda f: optimizer().fit(
            np.array([[1.0, "a"], [2.0, "b"], [3.0, "c"]], dtype=object), [1, 2, 3.0]
        ),
        TypeError,
        "mixes strings",
    ),
    (
        "optimizer: mixed-case alphabet inferred from the data",
        lambda f: optimizer().fit(["ACgt", "acGT", "AAAA"], [1.0, 2.0, 3.0]),
        ValueError,
        "mix upper and lower case ('A'/'a'",
    ),
    (
        "optimizer: lower-case designs for an upper-case alphabet",
        lambda f: optimizer(design_space=CategoricalSequence(alphabet="ACGT")).fit(
            ["acgt", "ACGT"], [1.0, 2.0]
        ),
        ValueError,
        "case-sensitive",
    ),
    (
        "optimizer: NaN score with string designs",
        lambda f: optimizer().fit(STRINGS, [1.0, np.nan, 3.0, 4.0]),
        ValueError,
        "NaN",
    ),
    (
        "optimizer: infinite score with token designs",
        lambda f: optimizer().fit(TOKENS, _with(Y_TOKENS, 4, np.inf)),
        ValueError,
        "infinity",
    ),
    (
        "optimizer: no designs",
        lambda f: optimizer().fit([], []),
        ValueError,
        "X holds no designs",
    ),
    (
        "optimizer: one design",
        lambda f: optimizer().fit(["ACGT"], [1.0]),
        ValueError,
        "1 sample(s)",
    ),
    (
        "optimizer: complex designs",
        lambda f: optimizer().fit(X + 1j, Y),
        ValueError,
        "Complex data not supported",
    ),
    (
        "optimizer: NaN step size",
        lambda f: optimizer(step_size=np.nan).fit(X, Y),
        ValueError,
        "'step_size' parameter",
    ),
    (
        "optimizer: negative number of steps",
        lambda f: OfflineDesignOptimizer(tiny(), n_steps=-1).fit(X, Y),
        ValueError,
        "'n_steps' parameter",
    ),
    (
        "optimizer: an empty tuple of path lengths",
        lambda f: OfflineDesignOptimizer(tiny(), n_steps=()).fit(X, Y),
        ValueError,
        "a non-empty tuple of ints >= 0 (the steps of each path), got ()",
    ),
    (
        "optimizer: a negative path length in a tuple",
        lambda f: OfflineDesignOptimizer(tiny(), n_steps=(3, -1)).fit(X, Y),
        ValueError,
        "a non-empty tuple of ints >= 0 (the steps of each path), got (3, -1)",
    ),
    (
        "optimizer: a fractional path length in a tuple",
        lambda f: OfflineDesignOptimizer(tiny(), n_steps=(2.5,)).fit(X, Y),
        ValueError,
        "got (2.5,)",
    ),
    (
        "optimizer: a path length set after fit that is not one",
        lambda f: (
            OfflineDesignOptimizer(tiny(), n_steps=2)
            .fit(X, Y)
            .set_params(n_steps="long")
            .propose(2)
        ),
        ValueError,
        "n_steps must be an int >= 0, a non-empty tuple of them, 'auto' or None, "
        "got 'long'",
    ),
    (
        "optimizer: an unknown path-length option",
        lambda f: OfflineDesignOptimizer(tiny(), n_steps="long").fit(X, Y),
        ValueError,
        "'n_steps' parameter",
    ),
    (
        "optimizer: wrong sequence length at predict time",
        lambda f: f["optimizer on tokens"].predict(TOKENS[:, :3]),
        ValueError,
        "expecting 5 features",
    ),
    (
        "optimizer: strings for a model fitted on integer tokens",
        lambda f: f["optimizer on tokens"].predict(["ACGTA"]),
        TypeError,
        "fitted on integers but X holds strings",
    ),
    (
        "optimizer: integers for a model fitted on strings",
        lambda f: f["optimizer on strings"].predict(TOKENS[:, :4]),
        TypeError,
        "fitted on string tokens",
    ),
    (
        "optimizer: token out of range at predict time",
        lambda f: f["optimizer on tokens"].predict(np.full((1, 5), 7)),
        ValueError,
        "Tokens must lie in 0..3",
    ),
    (
        "optimizer: n_designs given as a string",
        lambda f: f["optimizer on tokens"].propose("3"),
        TypeError,
        "n_designs must be a positive integer, got '3' (str)",
    ),
    # ---- the baselines ----
    (
        "best of dataset: 2-D scores",
        lambda f: BestOfDataset().fit(X, np.c_[Y, Y]),
        ValueError,
        "1d array",
    ),
    (
        "best of dataset: negative n_designs",
        lambda f: f["best"].propose(-1),
        ValueError,
        "n_designs must be a positive integer",
    ),
    (
        "CMA-ES: zero sigma0",
        lambda f: CMAESOptimizer(tiny(), sigma0=0.0).fit(X, Y),
        ValueError,
        "'sigma0' parameter",
    ),
    (
        "CMA-ES: population of one",
        lambda f: CMAESOptimizer(tiny(), population_size=1).fit(X, Y),
        ValueError,
        "'population_size' parameter",
    ),
    # ---- the design spaces, beyond tests/test_spaces.py ----
    (
        "box: bound given as a string",
        lambda f: Box(low="a").fit(X),
        ValueError,
        "'low' parameter",
    ),
    (
        "box: NaN margin",
        lambda f: Box(margin=np.nan).fit(X),
        ValueError,
        "'margin' parameter",
    ),
    (
        "box: infinite lower bound above the upper one",
        lambda f: Box(low=np.inf).fit(X),
        ValueError,
        "low must not exceed high",
    ),
    (
        "box: NaN encoded design to decode",
        lambda f: f["box"].decode(np.full((1, 3), np.nan)),
        ValueError,
        "NaN",
    ),
    (
        "sequence space: sparse designs",
        lambda f: CategoricalSequence().fit(sp.csr_matrix(TOKENS)),
        TypeError,
        "X is a sparse matrix",
    ),
    (
        "sequence space: soft interpolation of 1",
        lambda f: CategoricalSequence(soft_interpolation=1.0).fit(TOKENS),
        ValueError,
        "'soft_interpolation' parameter",
    ),
    (
        "sequence space: 3-D array of string tokens",
        lambda f: CategoricalSequence().fit(np.array([[["A"]], [["C"]]])),
        ValueError,
        "got 3 dimensions",
    ),
    (
        "sequence space: NaN logits to decode",
        lambda f: f["sequence"].decode(np.full((1, 15), np.nan)),
        ValueError,
        "NaN",
    ),
    # ---- tasks and oracles ----
    (
        "task: NaN in continuous designs",
        lambda f: _task(X=_with(X, (0, 0), np.nan)),
        ValueError,
        "X must hold finite numbers",
    ),
    (
        "task: complex designs",
        lambda f: _task(X=X + 1j),
        ValueError,
        "must hold real numbers, got dtype complex128",
    ),
    (
        "task: designs outside the bounds",
        lambda f: _task(X=X + 5.0),
        ValueError,
        "The bounds contradict X: design 0",
    ),
    (
        "task: y_min given as a bool",
        lambda f: _task(y_min=False),
        ValueError,
        "y_min must be a finite number, got False (bool)",
    ),
    (
        "task: test function with a single sample",
        lambda f: make_test_function_task("branin", n_samples=1),
        ValueError,
        "n_samples must be an integer >= 2",
    ),
    (
        "oracle: lower-case DNA for TFBind8",
        lambda f: load_tfbind8().oracle(["acgtacgt"]),
        ValueError,
        "not in the alphabet 'ACGT'",
    ),
    # ---- evaluate and compare ----
    (
        "evaluate: oracle returning too few scores",
        lambda f: evaluate(
            BestOfDataset(), _task(oracle=lambda d: np.ones(2)), n_designs=3, seeds=1
        ),
        ValueError,
        "must return one score per design, shape (3,), got shape (2,)",
    ),
    (
        "evaluate: oracle returning a score per design and objective",
        lambda f: evaluate(
            BestOfDataset(),
            _task(oracle=lambda d: np.ones((len(d), 2))),
            n_designs=3,
            seeds=1,
        ),
        ValueError,
        "got shape (3, 2)",
    ),
    (
        "evaluate: oracle returning NaN",
        lambda f: evaluate(
            BestOfDataset(),
            _task(oracle=lambda d: np.full(len(d), np.nan)),
            n_designs=3,
            seeds=1,
        ),
        ValueError,
        "returned a non-finite score (nan) for design 0",
    ),
    (
        "evaluate: oracle returning strings",
        lambda f: evaluate(
            BestOfDataset(),
            _task(oracle=lambda d: ["high"] * len(d)),
            n_designs=3,
            seeds=1,
        ),
        ValueError,
        "must return numeric scores",
    ),
    (
        "evaluate: seeds given as a float",
        lambda f: evaluate(BestOfDataset(), _task(), seeds=2.0),
        TypeError,
        "The 'seeds' parameter of evaluate must be an int in the range [1, inf) or an "
        "object implementing '__iter__'. Got 2.0 instead.",
    ),
    (
        "evaluate: n_designs given as a bool",
        lambda f: evaluate(BestOfDataset(), _task(), n_designs=True, seeds=1),
        ValueError,
        "n_designs must be a positive integer, got True (bool)",
    ),
    (
        "compare: seeds given as a string",
        lambda f: compare({"best": BestOfDataset()}, _task(), seeds="01"),
        TypeError,
        "seeds must be an integer or an iterable of integers",
    ),
]


@pytest.mark.parametrize(
    "call, error, message",
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_raises_a_clear_error(fitted, call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call(fitted)


def test_the_table_is_long_and_its_cases_distinct():
    assert len(BAD_INPUTS) >= 30
    assert len({case[0] for case in BAD_INPUTS}) == len(BAD_INPUTS)


def test_large_values_fit_up_to_the_float32_limit():
    """Values at the limit fit and propose finite designs; BestOfDataset has none."""
    from skcoms._validation import MAX_MAGNITUDE

    large_x, large_y = X * (MAX_MAGNITUDE / X.max()), Y * (MAX_MAGNITUDE / Y.max())
    proposals = optimizer(random_state=0).fit(large_x, large_y).propose(3)
    assert proposals.shape == (3, 3) and np.isfinite(proposals).all()
    best = BestOfDataset().fit(X * 1e300, Y * 1e300).propose(2)
    np.testing.assert_array_equal(best, X[np.argsort(-Y)[:2]] * 1e300)


def test_constant_scores_fit_with_a_warning():
    # allowed, as scikit-learn's regressors allow it, but nothing can be learned
    model = tiny()
    with pytest.warns(UserWarning, match="constant scores"):
        model.fit(X, np.full(20, 2.5))
    assert np.isfinite(model.predict(X)).all()
    with pytest.warns(UserWarning, match="constant scores"):
        optimizer().fit(TOKENS, np.ones(20))


def test_a_mixed_case_alphabet_is_accepted_when_given():
    space = CategoricalSequence(alphabet="AaCc").fit(["Aa", "cC"])
    assert space.decode(space.encode(["aC", "Ac"])).tolist() == ["aC", "Ac"]


@pytest.mark.parametrize("dtype", ["string", "category", "object"])
def test_pandas_series_of_sequences_are_read_as_the_strings_they_hold(dtype):
    strings = ["".join("ACGT"[t] for t in row) for row in TOKENS]
    y = pd.Series(Y, dtype="Float64")
    proposals = optimizer(random_state=0).fit(pd.Series(strings, dtype=dtype), y)
    expected = optimizer(random_state=0).fit(strings, Y)
    np.testing.assert_array_equal(proposals.propose(3), expected.propose(3))
    with pytest.raises(TypeError, match=re.escape("column 'when'")):
        frame = pd.DataFrame({"s": pd.Series(strings, dtype=dtype), "when": DATES})
        optimizer().fit(frame, Y)
