"""Ehrlich function tasks: optimum, feasibility, score levels, data cut, bad input."""

import pickle

import numpy as np
import pytest

from skcoms.datasets import EhrlichFunction, make_ehrlich_task
from skcoms.datasets._ehrlich import (
    make_ehrlich_function,
    sample_dmp,
    sparse_ergodic_transition_matrix,
    stationary_distribution,
)

SMALL = dict(n_states=8, length=12, n_motifs=2, motif_length=3, n_samples=500)


def _hand_function():
    """3 states, 2 -> 0 banned; motifs (1, 2) at offsets (0, 2) and (0, 0)."""
    matrix = np.array([[0.5, 0.25, 0.25], [0.3, 0.3, 0.4], [0.0, 0.5, 0.5]])
    motifs = np.array([[1, 2], [0, 0]])
    offsets = np.array([[0, 2], [0, 1]])
    return EhrlichFunction(matrix, motifs, offsets, length=5, quantization=2)


def test_scores_computed_by_hand():
    function = _hand_function()
    designs = [
        [1, 0, 2, 0, 0],  # 2 -> 0 banned: infeasible, 0
        [1, 1, 2, 2, 2],  # motif 1 full, motif 2 (0, 0) nowhere: 1 * 0
        [0, 0, 1, 1, 2],  # motif 1 full at 2, motif 2 full at 0: 1
        [0, 1, 0, 0, 1],  # motif 1 half (x1 = 1, x3 != 2), motif 2 full: 0.5
        [1, 1, 1, 1, 0],  # both half present: 0.25
    ]
    np.testing.assert_array_equal(function(designs), [0.0, 0.0, 1.0, 0.5, 0.25])
    np.testing.assert_array_equal(
        function.is_feasible(designs), [False, True, True, True, True]
    )


@pytest.mark.parametrize(
    "params",
    [
        dict(n_states=32, length=32, n_motifs=2, motif_length=4),
        dict(n_states=32, length=64, n_motifs=4, motif_length=4, quantization=2),
        dict(n_states=20, length=8, n_motifs=2, motif_length=2),
        dict(n_states=4, length=9, n_motifs=3, motif_length=3, quantization=1),
        dict(n_states=5, length=3, n_motifs=3, motif_length=1),
    ],
)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_optimum_scores_one(params, seed):
    task = make_ehrlich_task(**params, n_samples=200, random_state=seed)
    optimum = task.oracle.optimal_solution()
    assert optimum.shape == (params["length"],)
    assert task.oracle(optimum[None]).tolist() == [1.0]
    assert task.is_feasible(optimum[None]).tolist() == [True]


def test_banned_transition_scores_zero():
    task = make_ehrlich_task(random_state=0, n_samples=200)
    function = task.oracle
    broken = function.optimal_solution()
    # the last state becomes one that may not follow the one before it
    broken[-1] = np.flatnonzero(~function.allowed[broken[-2]])[0]
    assert not task.is_feasible(broken[None])[0]
    assert function.motif_presence(broken[None]).prod() > 0
    assert function(broken[None])[0] == 0.0


def test_random_designs_are_mostly_infeasible():
    task = make_ehrlich_task(n_samples=200, random_state=0)
    rng = np.random.default_rng(0)
    designs = rng.integers(0, 32, size=(2000, 32))
    feasible = task.is_feasible(designs)
    # about 25 of 32 transitions are allowed from each state: 0.78 ** 31 ~ 5e-4
    assert feasible.mean() < 0.01
    assert np.all(task.oracle(designs)[~feasible] == 0.0)


def test_transition_matrix_structure():
    matrix = sparse_ergodic_transition_matrix(32, random_state=0)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0)
    banned = (matrix == 0).sum(axis=1)
    # a band of 2 * int(0.4 * 32) + 1 = 25 allowed states, plus the diagonal
    assert set(banned) <= {6, 7}
    assert np.all(np.diag(matrix) > 0)
    pi = stationary_distribution(matrix)
    np.testing.assert_allclose(pi @ matrix, pi, atol=1e-10)
    assert np.all(pi > 0)


def test_dmp_samples_follow_the_transition_matrix():
    matrix = sparse_ergodic_transition_matrix(5, random_state=3)
    X = sample_dmp(stationary_distribution(matrix), matrix, 4000, 20, random_state=0)
    counts = np.zeros((5, 5))
    np.add.at(counts, (X[:, :-1], X[:, 1:]), 1)
    frequencies = counts / counts.sum(axis=1, keepdims=True)
    assert np.all(counts[matrix == 0] == 0)
    # 76,000 transitions: each row's frequencies within 0.02 of the matrix
    np.testing.assert_allclose(frequencies, matrix, atol=0.02)


@pytest.mark.parametrize("quantization", [1, 2, 4])
def test_score_levels(quantization):
    task = make_ehrlich_task(
        n_motifs=2, motif_length=4, quantization=quantization, n_samples=3000
    )
    presence = task.oracle.motif_presence(task.X)
    levels = np.arange(quantization + 1) / quantization
    assert np.all(np.isin(presence, levels))
    np.testing.assert_array_equal(task.y, presence.prod(axis=1))


def test_visible_data_cut_and_range():
    full = make_ehrlich_task(percentile=100.0, random_state=1)
    task = make_ehrlich_task(random_state=1)
    assert full.n_samples == 10_000
    assert task.is_feasible(full.X).all()
    cut = np.percentile(full.y, 90)
    np.testing.assert_array_equal(task.X, full.X[full.y <= cut])
    assert task.y.max() == cut < full.y.max() < 1.0
    assert len(np.unique(task.y)) >= 3
    assert (task.y_min, task.y_max) == (0.0, 1.0)
    assert task.has_constraints and task.n_categories == 32


def test_same_seed_same_task_and_oracle_repeats():
    first = make_ehrlich_task(**SMALL, random_state=5)
    second = make_ehrlich_task(**SMALL, random_state=5)
    np.testing.assert_array_equal(first.X, second.X)
    np.testing.assert_array_equal(first.oracle.motifs, second.oracle.motifs)
    designs = np.random.default_rng(0).integers(0, 8, size=(300, 12))
    scores = first.oracle(designs)
    np.testing.assert_array_equal(scores, first.oracle(designs))
    np.testing.assert_array_equal(scores, second.oracle(designs))
    other = make_ehrlich_task(**SMALL, random_state=6)
    assert not np.array_equal(other.oracle.motifs, first.oracle.motifs)


def test_oracle_pickles():
    task = make_ehrlich_task(**SMALL)
    restored = pickle.loads(pickle.dumps(task))
    np.testing.assert_array_equal(restored.oracle(task.X), task.y)
    np.testing.assert_array_equal(
        restored.is_feasible(task.X), task.is_feasible(task.X)
    )


def test_subsample_keeps_the_constraint():
    task = make_ehrlich_task(**SMALL).subsample(50, random_state=0)
    assert task.has_constraints
    assert task.is_feasible([[0] * 12])[0]


@pytest.mark.parametrize(
    "designs, match",
    [
        (np.zeros((2, 11), dtype=int), r"shape \(n, 12\)"),
        (np.zeros(12, dtype=int), r"shape \(n, 12\)"),
        (np.full((1, 12), 8), r"0 \.\. 7"),
        (np.full((1, 12), -1), r"0 \.\. 7"),
        (np.full((1, 12), 0.5), "integer"),
        (np.full((1, 12), np.nan), "integer"),
        (np.zeros((0, 12), dtype=int), "at least one design"),
        (["ACGTACGTACGT"], "without an alphabet"),
        (np.zeros((1, 12), dtype=bool), "integer"),
    ],
)
def test_bad_designs(designs, match):
    task = make_ehrlich_task(**SMALL)
    with pytest.raises(ValueError, match=match):
        task.oracle(designs)
    with pytest.raises(ValueError, match=match):
        task.is_feasible(designs)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(length=7), "at least n_motifs \\* motif_length = 8"),
        (dict(quantization=3), "divisor of motif_length=4"),
        (dict(quantization=0), "divisor"),
        (dict(quantization=True), "divisor"),
        (dict(n_states=1), "n_states must be an integer >= 2"),
        (dict(n_motifs=0), "n_motifs"),
        (dict(motif_length=2.0), "motif_length"),
        (dict(percentile=0), "percentile"),
        (dict(n_samples=1), "n_samples"),
    ],
)
def test_bad_parameters(params, match):
    with pytest.raises(ValueError, match=match):
        make_ehrlich_task(**{"length": 8, "n_motifs": 2, "n_samples": 50, **params})


def test_whole_range_of_motif_lengths():
    # one motif filling the sequence: no slack, spacings all 1
    function = make_ehrlich_function(6, 5, 1, 5, random_state=0)
    np.testing.assert_array_equal(function.offsets, [[0, 1, 2, 3, 4]])
    np.testing.assert_array_equal(function.optimal_solution(), function.motifs[0])


@pytest.mark.parametrize(
    "change, match",
    [
        (dict(transition_matrix=np.ones((3, 3))), "rows summing to 1"),
        (dict(motifs=[[1, 3], [0, 0]]), r"states 0 \.\. 2"),
        (dict(offsets=[[0, 2]]), "same shape"),
        (dict(offsets=[[1, 2], [0, 1]]), "start at 0 and increase"),
        (dict(offsets=[[0, 5], [0, 1]]), "fit in length=5"),
        (dict(quantization=3), "divisor"),
    ],
)
def test_bad_function_structure(change, match):
    function = _hand_function()
    params = dict(
        transition_matrix=function.transition_matrix,
        motifs=function.motifs,
        offsets=function.offsets,
        length=5,
        quantization=2,
    )
    with pytest.raises(ValueError, match=match):
        EhrlichFunction(**{**params, **change})
