"""Design spaces: encoding, decoding, inference and their errors."""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import clone

from skcoms.spaces import Box, CategoricalSequence, infer_design_space

# ---- Box -------------------------------------------------------------------------


def test_box_infers_bounds_with_margin():
    X = np.array([[0.0, 5.0, 1.0], [4.0, 7.0, 1.0]])
    space = Box(margin=0.25).fit(X)
    np.testing.assert_allclose(space.low_, [-1.0, 4.5, 1.0])
    np.testing.assert_allclose(space.high_, [5.0, 7.5, 1.0])


def test_box_mixes_given_and_inferred_bounds():
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    space = Box(low=[-1.0, -np.inf], margin=0.0).fit(X)
    np.testing.assert_allclose(space.low_, [-1.0, -np.inf])
    np.testing.assert_allclose(space.high_, [2.0, 3.0])


def test_box_decode_clips_and_keeps_dtype():
    X = np.array([[0.0, 1.0], [2.0, 3.0]], dtype=np.float32)
    space = Box(low=0.0, high=3.0).fit(X)
    out = space.decode(np.array([[-5.0, 9.0]]))
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [[0.0, 3.0]])
    np.testing.assert_array_equal(space.encode(X), X.astype(np.float64))


@pytest.mark.parametrize(
    "params, message",
    [
        ({"low": [0.0, 0.0, 0.0]}, "shape (2,)"),
        ({"high": np.zeros((2, 2))}, "shape (2,)"),
        ({"low": [1.0, 0.0], "high": [0.0, 5.0]}, "low must not exceed high"),
        ({"low": 0.5}, "contradict the data"),
        ({"low": [np.nan, 0.0]}, "NaN"),
    ],
)
def test_box_rejects_bad_bounds(params, message):
    X = np.array([[0.0, 1.0], [2.0, 3.0]])
    with pytest.raises(
        ValueError, match=message.replace("(", r"\(").replace(")", r"\)")
    ):
        Box(**params).fit(X)


def test_box_rejects_strings():
    with pytest.raises(TypeError, match="contains strings"):
        Box().fit(["ACGT", "AAAA"])


def test_box_encode_checks_feature_count():
    space = Box().fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="X has 3 features, but Box is expecting 2"):
        space.encode(np.zeros((3, 3)))


# ---- CategoricalSequence -------------------------------------------------------


def test_encoding_matches_reference_formula():
    space = CategoricalSequence(alphabet="ACGT").fit(["ACGT"])
    Z = space.encode(["CATG"]).reshape(4, 3)
    # reference: p = 0.6 * onehot + 0.4 / 4, logits log p[1:] - log p[0]
    tokens = np.array([1, 0, 3, 2])
    p = 0.6 * np.eye(4)[tokens] + 0.4 / 4
    expected = np.log(p[:, 1:]) - np.log(p[:, :1])
    np.testing.assert_allclose(Z, expected)
    assert space.n_features_out_ == 4 * 3


@given(
    st.integers(2, 6).flatmap(
        lambda C: st.tuples(
            st.just(C),
            st.lists(
                st.lists(st.integers(0, C - 1), min_size=5, max_size=5),
                min_size=1,
                max_size=8,
            ),
            st.floats(0.05, 0.95),
        )
    )
)
@settings(max_examples=40, deadline=None)
def test_decode_encode_round_trip(case):
    C, rows, soft = case
    X = np.array(rows)
    space = CategoricalSequence(C, soft_interpolation=soft).fit(X)
    np.testing.assert_array_equal(space.decode(space.encode(X)), X)


def test_strings_in_strings_out():
    X = ["GATT", "ACGA", "TTTC"]
    space = CategoricalSequence().fit(X)
    assert space.alphabet_.tolist() == ["A", "C", "G", "T"]
    out = space.decode(space.encode(X))
    assert out.dtype.kind == "U"
    assert out.tolist() == X


def test_character_arrays_in_character_arrays_out():
    X = np.array([list("AB"), list("BA"), list("BB")])
    space = CategoricalSequence().fit(X)
    out = space.decode(space.encode(X))
    assert space.representation_ == "tokens"
    assert out.shape == (3, 2) and out.dtype == X.dtype
    np.testing.assert_array_equal(out, X)


def test_multi_character_tokens_as_a_token_array():
    X = np.array([["Ala", "Gly"], ["Gly", "Ser"]], dtype=object)
    space = CategoricalSequence(alphabet=["Ala", "Gly", "Ser"]).fit(X)
    np.testing.assert_array_equal(space.decode(space.encode(X)), X)


def test_integer_categories_default_to_max_plus_one():
    X = np.array([[0, 2], [1, 0]], dtype=np.int32)
    space = CategoricalSequence().fit(X)
    assert space.n_categories_ == 3 and space.alphabet_ is None
    out = space.decode(space.encode(X))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, X)
    assert CategoricalSequence(5).fit(X).n_features_out_ == 2 * 4


def test_decode_picks_category_zero_when_all_logits_negative():
    space = CategoricalSequence(3).fit(np.array([[0, 1], [2, 2]]))
    Z = np.array([[-1.0, -2.0, 3.0, 0.5]])
    np.testing.assert_array_equal(space.decode(Z), [[0, 1]])


@pytest.mark.parametrize(
    "params, X, error, message",
    [
        ({"alphabet": "ACGT"}, ["ACGT", "ACG"], ValueError, "same length"),
        ({}, ["ACGT", "ACG"], ValueError, "same length"),
        ({}, [[0, 1, 2], [0, 1]], ValueError, "same length"),
        ({"alphabet": "ACGT"}, ["ACGU"], ValueError, "not in the alphabet"),
        ({"n_categories": 2}, np.array([[0, 1], [2, 0]]), ValueError, "0..1"),
        ({}, np.array([[0, -1], [1, 0]]), ValueError, "non-negative"),
        ({}, np.array([[0.5, 1.0]]), TypeError, "non-integer"),
        ({"alphabet": "ACGT"}, np.array([[0, 1]]), TypeError, "holds integers"),
        ({"alphabet": "AAC"}, ["AC"], ValueError, "repeated"),
        ({"alphabet": "AC", "n_categories": 3}, ["AC"], ValueError, "contradicts"),
        ({"n_categories": 5}, ["AC", "CA"], ValueError, "alphabet="),
        ({"alphabet": ["AB", "C"]}, ["ABC"], ValueError, "one character"),
        ({}, "ACGT", TypeError, "single string"),
        ({}, np.array([0, 1, 2]), ValueError, "2-D"),
    ],
)
def test_categorical_rejects_bad_designs(params, X, error, message):
    with pytest.raises(error, match=message):
        CategoricalSequence(**params).fit(X)


def test_encode_rejects_designs_unlike_fit():
    space = CategoricalSequence(alphabet="ACGT").fit(["ACGT"])
    with pytest.raises(ValueError, match="length 4"):
        space.encode(["ACG"])
    with pytest.raises(ValueError, match="not in the alphabet"):
        space.encode(["ACGN"])
    with pytest.raises(TypeError, match="fitted on string tokens"):
        space.encode(np.array([[0, 1, 2, 3]]))
    with pytest.raises(ValueError, match="12 columns"):
        space.decode(np.zeros((1, 5)))


# ---- inference and sklearn plumbing ----------------------------------------------


@pytest.mark.parametrize(
    "X, expected",
    [
        (np.array([[0.5, 1.0]]), Box),
        ([[0.5, 1.0]], Box),
        (["ACGT"], CategoricalSequence),
        (np.array([list("AC")]), CategoricalSequence),
        (np.array([[0, 3]]), CategoricalSequence),
        (np.array([[True, False]]), CategoricalSequence),
    ],
)
def test_infer_design_space(X, expected):
    assert type(infer_design_space(X)) is expected


def test_spaces_clone_without_fitted_state():
    space = CategoricalSequence(alphabet="ACGT").fit(["ACGT"])
    fresh = clone(space)
    assert fresh.get_params() == space.get_params()
    assert not hasattr(fresh, "n_categories_")


def test_one_column_of_long_strings_warns_that_each_is_one_token():
    # df[["seq"]] instead of df["seq"]: the strings would be tokens, not sequences
    X = np.array([["ACGT"], ["AAGT"], ["CCGT"]])
    with pytest.warns(UserWarning, match=r"df\['seq'\] rather than df\[\['seq'\]\]"):
        space = CategoricalSequence().fit(X)
    assert space.sequence_length_ == 1 and space.n_categories_ == 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # single characters, an alphabet given, or strings as a 1-D array: no warning
        CategoricalSequence().fit(np.array([["A"], ["C"]]))
        CategoricalSequence(alphabet=["ALA", "GLY"]).fit(np.array([["ALA"], ["GLY"]]))
        assert CategoricalSequence().fit(X[:, 0]).sequence_length_ == 4


def test_bytes_are_refused_with_how_to_decode_them():
    with pytest.raises(TypeError, match=r"bytes \(dtype \|S4\).*X.astype\(str\)"):
        CategoricalSequence().fit(np.array([b"ACGT", b"AAGT"]))
