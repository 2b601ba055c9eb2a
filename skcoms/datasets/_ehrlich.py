"""Ehrlich functions: closed-form sequence tasks with motifs and banned transitions.

Stanton et al. (2024) define a family of test functions over sequences of ``length``
states ``0 .. n_states - 1``:

- A discrete Markov process (DMP) with a sparse, ergodic transition matrix: each
  state bans the transitions to a few others. A sequence with a banned transition
  between two neighbours is infeasible and scores 0.
- ``n_motifs`` motifs of ``motif_length`` states, each with a spacing: motif ``i``
  is present at position ``l`` when ``x[l + offset[i][k]] == motif[i][k]`` for all
  ``k``. The presence of a motif is the largest fraction of its elements found at
  one position, rounded down to ``quantization`` levels.
- The score of a feasible sequence is the product of the presences: 1.0 exactly
  when every motif is fully present, which a feasible sequence can achieve.

The constructions follow the reference implementation of the paper (``pytorch-holo``
0.0.5, ``holo/test_functions/closed_form/_ehrlich.py``), drawn with numpy instead of
torch: the same definitions and score levels, other random instances for a seed.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ._functions import _check_int, _check_percentile
from ._oracles import as_tokens
from ._task import Task

# The reference's choices: a band of int(0.4 * n_states) allowed neighbours on each
# side of a shuffled diagonal, and softmax logits drawn at temperature 0.5.
_BAND_FRACTION = 0.4
_SOFTMAX_TEMPERATURE = 0.5
_MAX_DRAWS = 100


def _is_irreducible(allowed):
    """Whether every state reaches every other through allowed transitions."""
    reach = allowed | np.eye(len(allowed), dtype=bool)
    for _ in range(int(np.ceil(np.log2(len(allowed)))) + 1):
        reach = (reach.astype(np.int64) @ reach.astype(np.int64)) > 0
    return bool(reach.all())


def sparse_ergodic_transition_matrix(n_states, random_state=None):
    """A random transition matrix with banned transitions, irreducible and aperiodic.

    Row ``i`` is the distribution of the state after ``i``. The allowed transitions
    of a row are a cyclic band of ``2 * int(0.4 * n_states) + 1`` states, the bands
    shuffled over the rows, plus the row's own state (a repeat is always allowed,
    which makes the chain aperiodic); the others are banned (probability 0). The
    allowed probabilities are a softmax of standard normal logits at temperature
    0.5, renormalized over the allowed states. Matrices that are not irreducible
    are drawn again.

    Parameters
    ----------
    n_states : int
        The number of states, at least 2.
    random_state : int, RandomState instance or None, default=None
        Draws the matrix.

    Returns
    -------
    transition_matrix : ndarray of shape (n_states, n_states)
        Rows sum to 1; zeros are the banned transitions.
    """
    n_states = _check_int(n_states, "n_states", 2)
    rng = check_random_state(random_state)
    bandwidth = int(n_states * _BAND_FRACTION)
    offset = (np.arange(n_states)[None, :] - np.arange(n_states)[:, None]) % n_states
    band = (offset <= bandwidth) | (offset >= n_states - bandwidth)
    for _ in range(_MAX_DRAWS):
        logits = rng.standard_normal((n_states, n_states)) / _SOFTMAX_TEMPERATURE
        weights = np.exp(logits - logits.max(axis=1, keepdims=True))
        allowed = band[rng.permutation(n_states)] | np.eye(n_states, dtype=bool)
        if _is_irreducible(allowed):
            weights = np.where(allowed, weights, 0.0)
            return weights / weights.sum(axis=1, keepdims=True)
    raise RuntimeError(  # pragma: no cover - needs n_states=2 and bad luck 100 times
        f"Found no irreducible transition matrix in {_MAX_DRAWS} draws."
    )


def stationary_distribution(transition_matrix):
    """The distribution ``pi`` with ``pi @ transition_matrix == pi``."""
    n_states = len(transition_matrix)
    system = np.vstack([(np.eye(n_states) - transition_matrix).T, np.ones(n_states)])
    target = np.zeros(n_states + 1)
    target[-1] = 1.0
    pi = np.linalg.lstsq(system, target, rcond=None)[0]
    pi = np.clip(pi, 0.0, None)
    return pi / pi.sum()


def _draw(cumulative, rng):
    """One state per row of ``cumulative`` (cumulative probabilities, last = 1)."""
    # u in (0, 1]: a state of probability 0 (a flat step of cumulative) is never hit
    u = 1.0 - rng.random(len(cumulative))
    return np.minimum((cumulative < u[:, None]).sum(axis=1), cumulative.shape[1] - 1)


def sample_dmp(initial, transition_matrix, n_samples, length, random_state=None):
    """Sequences of the discrete Markov process: every transition is allowed.

    Parameters
    ----------
    initial : ndarray of shape (n_states,)
        The distribution of the first state.
    transition_matrix : ndarray of shape (n_states, n_states)
        Row ``i``: the distribution of the state after ``i``.
    n_samples, length : int
        The number and the length of the sequences.
    random_state : int, RandomState instance or None, default=None
        Draws the sequences.

    Returns
    -------
    X : ndarray of shape (n_samples, length), dtype int64
    """
    rng = check_random_state(random_state)
    cumulative = np.cumsum(transition_matrix, axis=1)
    cumulative[:, -1] = 1.0
    start = np.cumsum(initial)
    start[-1] = 1.0
    X = np.empty((n_samples, length), dtype=np.int64)
    X[:, 0] = _draw(np.broadcast_to(start, (n_samples, len(start))), rng)
    for t in range(1, length):
        X[:, t] = _draw(cumulative[X[:, t - 1]], rng)
    return X


class EhrlichFunction:
    """The score and the feasibility of designs under one Ehrlich function.

    Parameters
    ----------
    transition_matrix : ndarray of shape (n_states, n_states)
        Zeros are the banned transitions.
    motifs : ndarray of shape (n_motifs, motif_length)
        The motifs' states.
    offsets : ndarray of shape (n_motifs, motif_length)
        The position of each motif element relative to the first (first column 0,
        increasing): the cumulative sums of the spacings.
    length : int
        The sequence length.
    quantization : int
        The number of presence levels of a motif; divides ``motif_length``.

    Attributes
    ----------
    allowed : ndarray of shape (n_states, n_states), dtype bool
        ``allowed[i, j]``: whether state ``j`` may follow state ``i``.

    Examples
    --------
    >>> from skcoms.datasets import make_ehrlich_task
    >>> task = make_ehrlich_task(n_states=8, length=8, n_motifs=2, motif_length=2,
    ...                          n_samples=200, random_state=0)
    >>> f = task.oracle
    >>> best = f.optimal_solution()[None]
    >>> f(best), f.is_feasible(best), f.motif_presence(best)
    (array([1.]), array([ True]), array([[1., 1.]]))
    """

    def __init__(self, transition_matrix, motifs, offsets, length, quantization):
        transition_matrix = np.asarray(transition_matrix, dtype=np.float64)
        motifs = np.asarray(motifs, dtype=np.int64)
        offsets = np.asarray(offsets, dtype=np.int64)
        n_states = len(transition_matrix)
        if transition_matrix.shape != (n_states, n_states) or not np.allclose(
            transition_matrix.sum(axis=1), 1.0
        ):
            raise ValueError("transition_matrix must be square with rows summing to 1.")
        if motifs.ndim != 2 or offsets.shape != motifs.shape:
            raise ValueError(
                f"motifs and offsets must be 2-D of the same shape, got {motifs.shape} "
                f"and {offsets.shape}."
            )
        if motifs.min() < 0 or motifs.max() >= n_states:
            raise ValueError(f"motifs must hold states 0 .. {n_states - 1}.")
        if np.any(offsets[:, 0] != 0) or np.any(np.diff(offsets, axis=1) < 1):
            raise ValueError("offsets must start at 0 and increase along each row.")
        if offsets[:, -1].max() >= length:
            raise ValueError(f"The motifs' offsets must fit in length={length}.")
        _check_structure(n_states, length, *motifs.shape, quantization)
        self.transition_matrix = transition_matrix
        self.motifs = motifs
        self.offsets = offsets
        self.length = int(length)
        self.quantization = int(quantization)
        self.allowed = transition_matrix > 0

    @property
    def n_states(self):
        return len(self.transition_matrix)

    def _tokens(self, designs):
        tokens = as_tokens(designs, self.length, self.n_states)
        if len(tokens) == 0:
            raise ValueError("Expected at least one design, got none.")
        return tokens

    def is_feasible(self, designs):
        """Whether each design has no banned transition.

        Parameters
        ----------
        designs : array-like of shape (n, length)
            Token sequences (integers ``0 .. n_states - 1``).

        Returns
        -------
        feasible : ndarray of bool, shape (n,)
            True where no adjacent pair of the design is a banned transition.
        """
        return self._feasible(self._tokens(designs))

    def _feasible(self, tokens):
        return self.allowed[tokens[:, :-1], tokens[:, 1:]].all(axis=1)

    def motif_presence(self, designs):
        """The quantized presence of each motif, shape ``(n, n_motifs)``.

        The largest number of elements of the motif found at one position with its
        spacing, ``c`` of ``motif_length``, quantized to ``floor(c * q /
        motif_length) / q`` with ``q = quantization``.

        Parameters
        ----------
        designs : array-like of shape (n, length)
            Token sequences (integers ``0 .. n_states - 1``).

        Returns
        -------
        presence : ndarray of shape (n, n_motifs)
            The quantized presence of each motif in each design, in ``[0, 1]``.
        """
        return self._presence(self._tokens(designs))

    def _presence(self, tokens):
        # small integer types: the sliding comparisons are the cost of the oracle
        tokens = tokens.astype(np.min_scalar_type(self.n_states))
        motif_length = self.motifs.shape[1]
        step = motif_length // self.quantization
        presence = np.empty((len(tokens), len(self.motifs)))
        for i, (motif, offset) in enumerate(zip(self.motifs, self.offsets)):
            n_starts = self.length - offset[-1]
            found = np.zeros((len(tokens), n_starts), np.min_scalar_type(motif_length))
            for state, shift in zip(motif, offset):
                found += tokens[:, shift : shift + n_starts] == state
            found = found.max(axis=1)
            presence[:, i] = (found // step) / self.quantization
        return presence

    def __call__(self, designs):
        """Scores (float64, shape ``(n,)``): the product of the motif presences of a
        feasible design, 0 for an infeasible one."""
        tokens = self._tokens(designs)
        presence = self._presence(tokens).prod(axis=1)
        return np.where(self._feasible(tokens), presence, 0.0)

    def optimal_solution(self):
        """A feasible design that scores 1.0, built as the reference builds it.

        Each motif is written at its offsets, one after the other, with the gaps
        filled by repeating the previous element; the rest repeats the last one.

        Returns
        -------
        design : ndarray of int64, shape (length,)
            The optimal design's tokens.
        """
        design = []
        for motif, offset in zip(self.motifs, self.offsets):
            gaps = np.diff(np.append(offset, offset[-1] + 1))
            design.extend(np.repeat(motif, gaps))
        design.extend([design[-1]] * (self.length - len(design)))
        return np.array(design, dtype=np.int64)

    def __repr__(self):
        return (
            f"EhrlichFunction(n_states={self.n_states}, length={self.length}, "
            f"n_motifs={len(self.motifs)}, motif_length={self.motifs.shape[1]}, "
            f"quantization={self.quantization})"
        )


def _check_structure(n_states, length, n_motifs, motif_length, quantization):
    n_states = _check_int(n_states, "n_states", 2)
    length = _check_int(length, "length", 1)
    n_motifs = _check_int(n_motifs, "n_motifs", 1)
    motif_length = _check_int(motif_length, "motif_length", 1)
    if n_motifs * motif_length > length:
        raise ValueError(
            f"length must be at least n_motifs * motif_length = "
            f"{n_motifs * motif_length} for the motifs to fit, got {length}."
        )
    if quantization is None:
        quantization = motif_length
    if (
        not isinstance(quantization, Integral)
        or isinstance(quantization, bool)
        or not 1 <= quantization <= motif_length
        or motif_length % quantization
    ):
        raise ValueError(
            f"quantization must be None or a divisor of motif_length={motif_length} "
            f"(1 .. {motif_length}), got {quantization!r}."
        )
    return n_states, length, n_motifs, motif_length, int(quantization)


def make_ehrlich_function(
    n_states=32,
    length=32,
    n_motifs=2,
    motif_length=4,
    quantization=None,
    *,
    random_state=0,
):
    """A random Ehrlich function (Stanton et al. 2024): the oracle of an Ehrlich task.

    Draws, in this order: the transition matrix of the DMP
    (:func:`sparse_ergodic_transition_matrix`); the motifs, as one DMP sequence of
    ``n_motifs * motif_length`` states from the stationary distribution cut into
    ``n_motifs`` pieces, so that writing them one after the other, with repeats in
    the gaps, is feasible; and the spacing of each motif, ``1 + floor(s * w)`` with
    ``s = (length - n_motifs * motif_length) // n_motifs`` and ``w`` uniform weights
    normalized to sum 1, so that all motifs fit in ``length`` one after the other.

    Parameters
    ----------
    n_states, length, n_motifs, motif_length, quantization, random_state
        As in :func:`make_ehrlich_task`.

    Returns
    -------
    function : EhrlichFunction
    """
    n_states, length, n_motifs, motif_length, quantization = _check_structure(
        n_states, length, n_motifs, motif_length, quantization
    )
    rng = check_random_state(random_state)
    transition_matrix = sparse_ergodic_transition_matrix(n_states, rng)
    initial = stationary_distribution(transition_matrix)
    motifs = sample_dmp(
        initial, transition_matrix, 1, n_motifs * motif_length, rng
    ).reshape(n_motifs, motif_length)
    slack = (length - n_motifs * motif_length) // n_motifs
    offsets = np.zeros((n_motifs, motif_length), dtype=np.int64)
    for i in range(n_motifs):
        if motif_length > 1:
            weights = rng.random(motif_length - 1)
            spacing = 1 + np.floor(slack * weights / weights.sum()).astype(np.int64)
            offsets[i, 1:] = np.cumsum(spacing)
    return EhrlichFunction(transition_matrix, motifs, offsets, length, quantization)


def make_ehrlich_task(
    n_states=32,
    length=32,
    n_motifs=2,
    motif_length=4,
    quantization=None,
    *,
    n_samples=10_000,
    percentile=90.0,
    random_state=0,
):
    """A sequence task from an Ehrlich function, with banned transitions.

    An Ehrlich function (Stanton et al. 2024) scores sequences of ``length`` states
    ``0 .. n_states - 1``. A discrete Markov process (DMP) with a sparse transition
    matrix bans some transitions: a design with a banned transition between two
    neighbours is infeasible and scores 0 (``task.is_feasible`` says which). A
    feasible design scores the product, over ``n_motifs`` motifs of
    ``motif_length`` states with their own spacing, of the largest fraction of the
    motif present at one position, rounded down to ``quantization`` levels. The
    optimum, 1.0, is reached by a feasible design (``task.oracle.optimal_solution()``).
    With 32 states about 7 of the 32 transitions from each state are banned, so a
    uniformly random sequence of length 32 is feasible with probability about 1e-3.

    Data: ``n_samples`` sequences sampled from the DMP (from its stationary
    distribution; all feasible), scored; the visible data are those scored at or
    below the ``percentile``-th percentile (``numpy.percentile``). Scores take few
    levels and most DMP samples sit on the lowest ones (at the defaults: 15% score
    0, 58% 0.0625, 24% 0.125, 3% above), so the percentile cut keeps ties together:
    the default 90 shows the levels up to 0.125 (97% of the samples) and hides the
    rest; the best hidden level is far below 1. ``y_min`` is 0 (infeasible) and
    ``y_max`` the optimum 1, so normalized scores are the scores themselves.

    The definitions (transition matrix, motifs, spacings, quantization, the
    optimum) are those of the reference implementation, holo-bench
    (``pytorch-holo`` 0.0.5), whose scores these reproduce on the same instance;
    the random draws use numpy, so a seed gives another instance than holo-bench's
    seed. holo-bench scores infeasible designs -inf; here they score 0, as in the
    paper. holo-bench's presets all use 32 states: ``length=256, n_motifs=4,
    motif_length=8`` with ``quantization`` 8 (its default), 4 or 2, and
    ``n_motifs=4, motif_length=4`` with ``length`` 128, 256 or 512.

    Parameters
    ----------
    n_states : int, default=32
        The number of states (token values), at least 2.
    length : int, default=32
        The sequence length, at least ``n_motifs * motif_length``.
    n_motifs : int, default=2
        The number of motifs.
    motif_length : int, default=4
        The number of states of each motif.
    quantization : int, default=None
        The number of presence levels of a motif, a divisor of ``motif_length``;
        None means ``motif_length`` (every element counts).
    n_samples : int, default=10_000
        The number of DMP samples, visible and hidden part.
    percentile : float, default=90.0
        The cut of the visible data, in (0, 100].
    random_state : int, RandomState instance or None, default=0
        Draws the function (transition matrix, motifs, spacings) and then the data.
        The default 0 fixes the instance; change it for another function.

    Returns
    -------
    task : Task
        A sequence task named like ``"ehrlich_s32_l32_m2x4_q4"``, with
        ``n_categories=n_states``, ``feasibility`` set, ``y_min=0`` and
        ``y_max=1``; the oracle is an :class:`EhrlichFunction`.

    See Also
    --------
    Task.is_feasible : Which designs have no banned transition.

    References
    ----------
    .. [1] S. Stanton, R. Alberstein, N. Frey, A. Watkins, K. Cho, "Closed-Form Test
       Functions for Biophysical Sequence Optimization Algorithms", ICML 2024
       workshop on machine learning for life and material sciences,
       arXiv:2407.00236.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.datasets import make_ehrlich_task
    >>> task = make_ehrlich_task()
    >>> task
    Task(name='ehrlich_s32_l32_m2x4_q4', n_samples=9706, n_features=32, n_categories=32)
    >>> print(task.oracle(task.oracle.optimal_solution()[None]))
    [1.]
    >>> print(np.unique(task.y))  # the visible levels
    [0.     0.0625 0.125 ]
    """
    n_states, length, n_motifs, motif_length, quantization = _check_structure(
        n_states, length, n_motifs, motif_length, quantization
    )
    n_samples = _check_int(n_samples, "n_samples", 2)
    percentile = _check_percentile(percentile)
    rng = check_random_state(random_state)
    function = make_ehrlich_function(
        n_states, length, n_motifs, motif_length, quantization, random_state=rng
    )
    X = sample_dmp(
        stationary_distribution(function.transition_matrix),
        function.transition_matrix,
        n_samples,
        length,
        rng,
    )
    y = function(X)
    visible = y <= np.percentile(y, percentile)
    return Task(
        name=f"ehrlich_s{n_states}_l{length}_m{n_motifs}x{motif_length}_q{quantization}",
        X=X[visible],
        y=y[visible],
        oracle=function,
        y_min=0.0,
        y_max=1.0,
        n_categories=n_states,
        description=(
            f"Ehrlich function: {n_states} states, length {length}, {n_motifs} motifs "
            f"of {motif_length} at {quantization} levels; {n_samples} DMP samples, "
            f"visible at or below the {percentile:g}th percentile "
            f"({float(y[visible].max()):.4g} of 1)."
        ),
        feasibility=function.is_feasible,
    )
