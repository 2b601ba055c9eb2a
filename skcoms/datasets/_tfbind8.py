"""The Design-Bench TFBind8 task (transcription factor SIX6, SIX6_REF_R1)."""

from functools import lru_cache
from importlib.resources import files
from numbers import Real

import numpy as np

from ._oracles import SequenceTableOracle
from ._task import Task

ALPHABET = "ACGT"
LENGTH = 8
N_CATEGORIES = 4
_TABLE_FILE = "tfbind8_six6_ref_r1.npy"


@lru_cache(maxsize=1)
def _load_table():
    with files(__package__).joinpath("data", _TABLE_FILE).open("rb") as file:
        table = np.load(file)
    if table.shape != (N_CATEGORIES**LENGTH,) or table.dtype != np.float32:
        raise RuntimeError(f"The shipped {_TABLE_FILE} is damaged.")
    table.flags.writeable = False
    return table


def _tokens_of(index):
    """Tokens (shape ``(n, 8)``) of table indices, first token most significant."""
    powers = N_CATEGORIES ** np.arange(LENGTH - 1, -1, -1)
    return (index[:, None] // powers) % N_CATEGORIES


def _reverse_complement_index(index):
    # A, C, G, T = 0, 1, 2, 3, so the complement of token t is 3 - t.
    tokens = (N_CATEGORIES - 1) - _tokens_of(index)[:, ::-1]
    return tokens @ N_CATEGORIES ** np.arange(LENGTH - 1, -1, -1)


def _design_bench_rows():
    """Table indices of Design-Bench's 65,792 TFBind8 rows, in its order.

    Its rows are the raw file's first column (each 8-mer that is not above its
    reverse complement, in lexicographic order) followed by the reverse complement
    of each of them.
    """
    index = np.arange(N_CATEGORIES**LENGTH)
    reverse = _reverse_complement_index(index)
    canonical = index[index <= reverse]
    return np.concatenate([canonical, reverse[canonical]])


def load_tfbind8(*, percentile=50.0):
    """Load the TFBind8 task of Design-Bench (transcription factor SIX6_REF_R1).

    Designs are DNA 8-mers, integer tokens A, C, G, T = 0, 1, 2, 3 of shape
    ``(n, 8)``; the score is the binding enrichment (E-score) of SIX6 to the 8-mer,
    min-max normalized to [0, 1] over all 8-mers. The full data are Design-Bench's
    65,792 rows (every 8-mer, palindromes twice), in Design-Bench's order; the
    visible data are the rows scored at or below the ``percentile``-th percentile of
    the full data (``numpy.percentile``, linear interpolation), as Design-Bench cuts
    them. The oracle scores any 8-mer exactly from a table of all 4 ** 8 = 65,536;
    it also accepts strings over "ACGT".

    The data ship with the package (a 256 KiB table); see
    ``skcoms/datasets/data/README.md`` for the source, the licence and how the table
    is rebuilt.

    Parameters
    ----------
    percentile : float, default=50.0
        The cut of the visible data, in (0, 100]. 50 is Design-Bench's; 100 gives
        the full data.

    Returns
    -------
    task : Task
        ``X`` (int64, shape ``(n, 8)``), ``y`` (float64), the lookup ``oracle``,
        ``y_min=0.0`` and ``y_max=1.0`` (the range of the full data),
        ``n_categories=4`` and ``alphabet="ACGT"``.

    References
    ----------
    .. [1] L. A. Barrera et al., "Survey of variation in human transcription factors
       reveals prevalent DNA binding changes", Science 351(6280), 2016.
    .. [2] B. Trabucco, X. Geng, A. Kumar, S. Levine, "Design-Bench: Benchmarks for
       Data-Driven Offline Model-Based Optimization", ICML 2022.

    Examples
    --------
    >>> from skcoms.datasets import load_tfbind8
    >>> task = load_tfbind8()
    >>> task
    Task(name='tfbind8', n_samples=32898, n_features=8, n_categories=4, alphabet='ACGT')
    >>> print(f"{task.y.max():.4f}")
    0.4393
    >>> print(task.oracle(["AGGTATCA", "GGCCGGCC"]))
    [1. 0.]
    """
    if (
        not isinstance(percentile, Real)
        or isinstance(percentile, bool)
        or not 0 < percentile <= 100
    ):
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}.")
    table = _load_table()
    rows = _design_bench_rows()
    y_full = table[rows].astype(np.float64)
    visible = y_full <= np.percentile(y_full, percentile)
    return Task(
        name="tfbind8",
        X=_tokens_of(rows[visible]),
        y=y_full[visible],
        oracle=SequenceTableOracle(table, LENGTH, N_CATEGORIES, ALPHABET),
        y_min=float(y_full.min()),
        y_max=float(y_full.max()),
        n_categories=N_CATEGORIES,
        alphabet=ALPHABET,
        description=(
            "Design-Bench TFBind8 (SIX6_REF_R1): DNA 8-mers scored by normalized "
            f"binding enrichment; visible data at or below the {percentile:g}th "
            "percentile."
        ),
    )
