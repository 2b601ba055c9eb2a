"""FLEXS RNA binding tasks: FLEXS' fitness, shipped data, memo, bad input."""

import pickle
import sys

import numpy as np
import pytest

from skcoms.datasets import RNABindingOracle, _rna, load_rna_binding

pytest.importorskip("RNA", reason="the RNA binding tasks need skcoms[rna]")

# FLEXS 0.2.8's RNABinding(...).get_fitness(starts) for its problems L14_RNA1,
# L14_RNA1+2 and L50_RNA1, run with ViennaRNA 2.8.0.
FLEXS_FITNESS = {
    (14, (1,)): [
        0.5437469105289173,
        0.650848574724007,
        0.28011204481792706,
        0.14554841544460917,
        0.43115285329818187,
    ],
    (14, (1, 2)): [
        0.6841138231097099,
        0.6412109793973082,
        0.27879076158765387,
        0.15601505122951878,
        0.434909442874449,
    ],
    (50, (1,)): [
        0.6443675509419453,
        0.9027297193387158,
        0.31526336024605917,
        0.289119569396386,
        0.18685121107266434,
    ],
}


@pytest.mark.parametrize("length, targets", list(FLEXS_FITNESS))
def test_oracle_reproduces_flexs(length, targets):
    oracle = RNABindingOracle([_rna.TARGETS[t - 1] for t in targets], length)
    starts = list(_rna.STARTS[length])
    np.testing.assert_allclose(
        oracle(starts), FLEXS_FITNESS[length, targets], rtol=0, atol=1e-12
    )
    # tokens and strings score the same
    tokens = np.array([["ACGU".index(c) for c in start] for start in starts])
    np.testing.assert_array_equal(oracle(tokens), oracle(starts))


def test_rna14_task():
    task = load_rna_binding(14)
    assert task.name == "rna14" and task.alphabet == "ACGU"
    assert task.n_samples == 2516 and task.n_features == 14
    assert not task.has_constraints
    full = load_rna_binding(14, percentile=100)
    assert full.n_samples == 5000
    assert len(np.unique(full.X, axis=0)) == 5000
    assert task.y.max() <= np.median(full.y) < full.y.max() == task.y_max
    assert task.y_min == full.y.min()
    # the shipped energies are the oracle's, on a few designs scored afresh
    rows = np.random.default_rng(0).choice(5000, 12, replace=False)
    np.testing.assert_allclose(
        full.oracle(full.X[rows]), full.y[rows], rtol=0, atol=1e-12
    )


def test_several_targets_average():
    one = load_rna_binding(14, targets=1, percentile=100)
    two = load_rna_binding(14, targets=2, percentile=100)
    both = load_rna_binding(14, targets=(2, 1), percentile=100)
    assert both.name == "rna14_t1+2"
    np.testing.assert_allclose(both.y, (one.y + two.y) / 2, rtol=0, atol=1e-12)


def test_random_mutants_are_seeded_and_distinct():
    first = _rna.random_mutants(14, 300, random_state=0)
    np.testing.assert_array_equal(first, _rna.random_mutants(14, 300, random_state=0))
    assert len(np.unique(first, axis=0)) == 300
    starts = np.array([["ACGU".index(c) for c in s] for s in _rna.STARTS[14]])
    distance = (first[:, None, :] != starts[None]).sum(axis=2).min(axis=1)
    assert distance.min() >= 1 and distance.max() <= 7


class CountingRNA:
    """Stands for the RNA module and counts duplexfold calls."""

    def __init__(self, rna):
        self.rna = rna
        self.calls = 0
        self.__version__ = rna.__version__

    def duplexfold(self, *args):
        self.calls += 1
        return self.rna.duplexfold(*args)


def test_oracle_is_memoized_and_repeats(monkeypatch):
    counting = CountingRNA(_rna.import_rna())
    monkeypatch.setattr(_rna, "import_rna", lambda: counting)
    oracle = RNABindingOracle(_rna.TARGETS[:2], 14)
    designs = ["AUGGGCCGGACCCC", "GCCCCGCCGGAAUG", "AUGGGCCGGACCCC"]
    counting.calls = 0
    first = oracle(designs)
    assert counting.calls == 4  # two distinct designs, two targets
    np.testing.assert_array_equal(oracle(designs), first)
    assert counting.calls == 4
    assert first[0] == first[2]
    restored = pickle.loads(pickle.dumps(oracle))
    np.testing.assert_array_equal(restored(designs), first)


@pytest.mark.parametrize(
    "designs, match",
    [
        (["AUGGGCCGGACCC"], "13 characters, expected 14"),
        (["AUGGGCCGGACCCT"], "'T', which is not in the alphabet"),
        (np.full((1, 14), 4), r"0 \.\. 3"),
        (np.full((1, 14), np.nan), "integer"),
        (np.zeros((2, 15), dtype=int), r"shape \(n, 14\)"),
        (np.zeros((0, 14), dtype=int), "at least one design"),
        ("AUGGGCCGGACCCC", "single string"),
    ],
)
def test_bad_designs(designs, match):
    task = load_rna_binding(14)
    with pytest.raises(ValueError, match=match):
        task.oracle(designs)
    with pytest.raises(ValueError, match=match):
        task.is_feasible(designs)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(length=20), "length must be one of"),
        (dict(length=True), "length must be one of"),
        (dict(targets=5), "targets must be"),
        (dict(targets=(1, 1)), "targets must be"),
        (dict(targets=()), "targets must be"),
        (dict(targets="1"), "targets must be"),
        (dict(percentile=0), "percentile"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_rna_binding(**kwargs)


def test_missing_viennarna_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "RNA", None)  # makes `import RNA` fail
    with pytest.raises(ImportError, match=r'pip install "skcoms\[rna\]"'):
        load_rna_binding(14)
