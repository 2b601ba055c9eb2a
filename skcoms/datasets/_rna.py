"""FLEXS' RNA binding landscapes: binding energy of RNA designs to target strands.

The targets, the start sequences and the fitness are those of FLEXS 0.2.8
(``flexs/landscapes/rna.py``, ``RNABinding`` and ``registry()``; Sinai et al.,
2020, Apache License 2.0, see ``data/LICENSE-flexs.txt``): the fitness of a design is
the ViennaRNA ``duplexfold`` energy of the design bound to a target, divided by the
energy of the target's perfect complement scaled to the design's length, averaged
over the targets. ViennaRNA (``pip install "skcoms[rna]"``) is imported only when
needed.
"""

import warnings
from functools import lru_cache
from importlib.resources import files
from numbers import Integral

import numpy as np

from ._functions import _check_percentile
from ._oracles import as_tokens
from ._task import Task

ALPHABET = "ACGU"
LENGTHS = (14, 50, 100)

# FLEXS' four binding targets (registry(), in order: targets 1 .. 4).
TARGETS = (
    "GAACGAGGCACAUUCCGGCUCGCCCGGCCCAUGUGAGCAUGGGCCGGACCCCGUCCGCGCGGGGCCCCCGCGCGGACG"
    "GGGGCGAGCCGGAAUGUGCCUC",
    "GAGGCACAUUCCGGCUCGCCCCCGUCCGCGCGGGGGCCCCGCGCGGACGGGGUCCGGCCCGCGCGGGGCCCCCGCGCG"
    "GGAGCCGGAAUGUGCCUCGUUC",
    "CCGGUGAUACUGUUAGUGGUCACGGUGCAUUUAUAGCGCUAAAGUACAGUCUUCCCCUGUUGAACGGCGCCAUUGCAU"
    "ACAGGGCCAGCCGCGUAACGCC",
    "UAAGAGAGCGUAAAAAUAGAGAUAUGUUCUUGGGUCAGGGCUAUGCGUACCCCAUGAGAGUAAAUCAUACCCCCAAUG"
    "GGCUUCGGCGGAAAUUCACUUA",
)

# FLEXS' five start sequences of each length (registry(), starts 1 .. 5).
STARTS = {
    14: (
        "AUGGGCCGGACCCC",
        "GCCCCGCCGGAAUG",
        "UCUUGGGGACUUUU",
        "GGAUAACAAUUCAU",
        "CCCAUGCGCGAUCA",
    ),
    50: (
        "GAACGAGGCACAUUCCGGCUCGCCCGGCCCAUGUGAGCAUGGGCCGGACC",
        "CCGUCCGCGCGGGGCCCCCGCGCGGACGGGGGCGAGCCGGAAUGUGCCUC",
        "AUGUUUCUUUUAUUUAUCUGAGCAUGGGCGGGGCAUUUGCCCAUGCAAUU",
        "UAAACGAUGCUUUUGCGCCUGCAUGUGGGUUAGCCGAGUAUCAUGGCAAU",
        "AGGGAAGAUUAGAUUACUCUUAUAUGACGUAGGAGAGAGUGCGGUUAAGA",
    ),
    100: (
        "GAACGAGGCACAUUCCGGCUCGCCCGGCCCAUGUGAGCAUGGGCCGGACCCCGUCCGCGCGGGGCCCCCGCGCGG"
        "ACGGGGGCGAGCCGGAAUGUGCCUC",
        "AGCAUCUCGCCGUGGGGGCGGGCCCGGCCCAUGUGAGCAUGCGUAGGUUUAUCCCAUAGAGGACCCCGGGAGAAC"
        "UGUCCAAUUGGCUCCUAGCCCACGC",
        "GGCGGAUACUAGACCCUAUUGGCCCGGCCCAUGUGAGCAUGGCCCCAGAUCUUCCGCUCACUCGCAUAUUCCCUC"
        "CGGUUAAGUUGCCGUUUAUGAAGAU",
        "UUGCAGGUCCCUACACCUCCGGCCCGGCCCAUGUGACCAUGAAUAGUCCACAUAAAAACCGUGAUGGCCAGUGCA"
        "GUUGAUUCCGUGCUCUGUACCCUUU",
        "UGGCGAUGAGCCGAGCCGCCAUCGGACCAUGUGCAAUGUAGCCGUUCGUAGCCAUUAGGUGAUACCACAGAGUCU"
        "UAUGCGGUUUCACGUUGAGAUUGCA",
    ),
}

# The shipped data: how many distinct mutants per length, and the seed that drew them.
N_SAMPLES = {14: 5000, 50: 2000, 100: 1000}
_DATA_FILE = "rna_binding_L{length}.npz"


def import_rna():
    """The ViennaRNA module ``RNA``, or an ImportError naming the extra."""
    try:
        import RNA
    except ImportError:
        raise ImportError(
            'The RNA binding tasks need ViennaRNA: pip install "skcoms[rna]" (or pip '
            "install viennarna)."
        ) from None
    return RNA


_COMPLEMENT = str.maketrans("ACGU", "UGCA")


def target_norm(target, length):
    """FLEXS' normalizer: the energy of the target's perfect complement, scaled.

    ``duplexfold(reverse complement of target, target).energy * length /
    len(target)`` (negative, in kcal/mol).
    """
    complement = target.translate(_COMPLEMENT)[::-1]
    return import_rna().duplexfold(complement, target).energy * length / len(target)


class RNABindingOracle:
    """The FLEXS RNA binding fitness of designs, exact and memoized.

    The fitness of a design is the mean over ``targets`` of
    ``duplexfold(target, design).energy / norm`` (ViennaRNA), where ``norm`` is
    :func:`target_norm` of the target: about 1 for a design that binds as well,
    per base, as the target's perfect complement; 0 for no binding.

    Parameters
    ----------
    targets : sequence of str
        The target strands, over "ACGU".
    length : int
        The design length.

    Attributes
    ----------
    norms : ndarray of shape (n_targets,)
        The normalizer of each target.

    Examples
    --------
    >>> from skcoms.datasets._rna import RNABindingOracle
    >>> oracle = RNABindingOracle(["GAACGAGGCACAUUCCGGCUCGCCCCCCCGCG"], 14)
    >>> oracle(["GCGGGGGGGCGAGC"]).round(3)
    array([1.103])
    """

    def __init__(self, targets, length):
        self.targets = tuple(targets)
        self.length = int(length)
        self.norms = np.array([target_norm(target, length) for target in targets])
        self._cache = {}

    def _fitness(self, design):
        fitness = self._cache.get(design)
        if fitness is None:
            duplexfold = import_rna().duplexfold
            energies = [duplexfold(target, design).energy for target in self.targets]
            fitness = float(np.mean(np.array(energies) / self.norms))
            self._cache[design] = fitness
        return fitness

    def __call__(self, designs):
        """Fitness (float64, shape ``(n,)``) of designs: tokens A, C, G, U = 0 .. 3
        of shape ``(n, length)``, or strings over "ACGU"."""
        tokens = as_tokens(designs, self.length, len(ALPHABET), ALPHABET)
        if len(tokens) == 0:
            raise ValueError("Expected at least one design, got none.")
        letters = np.array(list(ALPHABET))[tokens]
        return np.array([self._fitness("".join(row)) for row in letters])

    def __repr__(self):
        return f"RNABindingOracle(n_targets={len(self.targets)}, length={self.length})"


def random_mutants(length, n_samples, random_state):
    """Distinct random mutants of FLEXS' five start sequences of ``length``.

    Each mutant is a start sequence (uniformly one of the five) with ``k`` distinct
    positions changed to another base (uniformly one of the three others), ``k``
    uniform in ``1 .. length // 2``. Duplicates (and copies of a start) are drawn
    again, so the mutants are distinct, in the order drawn.

    Returns
    -------
    X : ndarray of shape (n_samples, length), dtype int64
        Tokens A, C, G, U = 0 .. 3.
    """
    rng = np.random.default_rng(random_state)
    starts = as_tokens(list(STARTS[length]), length, 4, ALPHABET)
    seen = {row.tobytes() for row in starts}
    mutants = []
    while len(mutants) < n_samples:
        design = starts[rng.integers(len(starts))].copy()
        positions = rng.choice(length, rng.integers(1, length // 2 + 1), replace=False)
        design[positions] = (design[positions] + rng.integers(1, 4, len(positions))) % 4
        if design.tobytes() not in seen:
            seen.add(design.tobytes())
            mutants.append(design)
    return np.array(mutants)


@lru_cache(maxsize=len(LENGTHS))
def _load_data(length):
    name = _DATA_FILE.format(length=length)
    with files(__package__).joinpath("data", name).open("rb") as file:
        with np.load(file) as data:
            arrays = {key: data[key] for key in data.files}
    if arrays["designs"].shape != (N_SAMPLES[length], length):
        raise RuntimeError(f"The shipped {name} is damaged.")
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _check_targets(targets):
    if isinstance(targets, Integral) and not isinstance(targets, bool):
        targets = (targets,)
    try:
        targets = tuple(targets)
    except TypeError:
        targets = ()
    if (
        not targets
        or len(set(targets)) != len(targets)
        or not all(
            isinstance(t, Integral) and not isinstance(t, bool) and 1 <= t <= 4
            for t in targets
        )
    ):
        raise ValueError(
            f"targets must be one of FLEXS' targets 1 .. 4 or distinct ones of them, "
            f"got {targets!r}."
        )
    return tuple(sorted(int(t) for t in targets))


def load_rna_binding(length=14, *, targets=1, percentile=50.0):
    """An RNA binding task of FLEXS: RNA designs that bind target strands.

    Designs are RNA sequences of ``length`` bases, integer tokens A, C, G, U = 0 ..
    3 (the oracle also accepts strings over "ACGU"). The score is FLEXS'
    ``RNABinding`` fitness: the ViennaRNA ``duplexfold`` energy of the design bound
    to each target, divided by the energy of the target's perfect complement scaled
    to ``length`` bases, averaged over the targets (about 1 for a design that binds
    as well per base as the complement; 0 for no binding). The oracle computes it
    exactly with ViennaRNA and remembers each design it scored.

    The data: distinct random mutants of FLEXS' five start sequences of ``length``
    (5,000 for length 14, 2,000 for 50, 1,000 for 100): each a start sequence with
    ``k`` random positions changed to another base, ``k`` uniform in ``1 ..
    length // 2``, seed = ``length``. Their energies to FLEXS' four targets ship with
    the package (computed with ViennaRNA 2.8.0; see
    ``skcoms/datasets/data/README.md``), so loading takes no folding. The visible
    data are those scored at or below the ``percentile``-th percentile;
    ``y_min`` and ``y_max`` are the lowest and highest score of all of them, hidden
    part included, as Design-Bench takes them (a proposal that beats every mutant
    scores above 1).

    Parameters
    ----------
    length : {14, 50, 100}, default=14
        The design length, one of FLEXS' three.
    targets : int or sequence of int, default=1
        FLEXS' target strands 1 .. 4 (100 bases each) to bind, as in its problems
        ``L14_RNA1`` (``targets=1``) or ``L14_RNA1+2`` (``targets=(1, 2)``).
    percentile : float, default=50.0
        The cut of the visible data, in (0, 100].

    Returns
    -------
    task : Task
        A sequence task named ``"rna14"`` (or ``"rna14_t1+2"`` for several targets)
        with ``n_categories=4``, ``alphabet="ACGU"`` and an
        :class:`RNABindingOracle`.

    Raises
    ------
    ImportError
        When ViennaRNA is not installed: ``pip install "skcoms[rna]"``.

    References
    ----------
    .. [1] S. Sinai, R. Wang, A. Whatley, S. Slocum, E. Locane, E. D. Kelsic,
       "AdaLead: A simple and robust adaptive greedy search algorithm for sequence
       design", arXiv:2010.02141, 2020 (FLEXS).
    .. [2] R. Lorenz et al., "ViennaRNA Package 2.0", Algorithms for Molecular
       Biology 6:26, 2011.

    Examples
    --------
    >>> from skcoms.datasets import load_rna_binding
    >>> task = load_rna_binding(14)
    >>> task
    Task(name='rna14', n_samples=2516, n_features=14, n_categories=4, alphabet='ACGU')
    >>> print(task.oracle(["AUGGGCCGGACCCC"]).round(4))  # FLEXS' start 1
    [0.5437]
    """
    if length not in LENGTHS or isinstance(length, bool):
        raise ValueError(f"length must be one of {LENGTHS}, got {length!r}.")
    targets = _check_targets(targets)
    percentile = _check_percentile(percentile)
    oracle = RNABindingOracle([TARGETS[t - 1] for t in targets], length)
    data = _load_data(length)
    columns = [t - 1 for t in targets]
    if not np.allclose(oracle.norms, data["norms"][columns], rtol=0, atol=1e-9):
        warnings.warn(
            f"ViennaRNA {import_rna().__version__} gives other energies than the "
            f"{data['viennarna']} that scored the shipped data: the oracle and the "
            "data may disagree.",
            stacklevel=2,
        )
    X = data["designs"].astype(np.int64)
    y = np.mean(data["energies"][:, columns] / data["norms"][columns], axis=1)
    visible = y <= np.percentile(y, percentile)
    suffix = "" if targets == (1,) else "_t" + "+".join(map(str, targets))
    return Task(
        name=f"rna{length}{suffix}",
        X=X[visible],
        y=y[visible],
        oracle=oracle,
        y_min=float(y.min()),
        y_max=float(y.max()),
        n_categories=4,
        alphabet=ALPHABET,
        description=(
            f"FLEXS RNA binding, length {length}, target(s) "
            f"{'+'.join(map(str, targets))}: {len(y)} random mutants of the start "
            f"sequences, visible at or below the {percentile:g}th percentile."
        ),
    )
