"""Input checks shared by every public estimator and function.

scikit-learn's ``validate_data`` and ``_parameter_constraints`` check arrays and
hyper-parameters; the checks here cover what is specific to offline model-based
optimization (numbers of designs, seeds, scores, bounds, token sequences, oracle
outputs, proposals). Each error names the argument, says what was wrong and what is
accepted.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse

from ._compat import InvalidParameterError
from .exceptions import DivergenceError


def _describe(value):
    return f"{value!r} ({type(value).__name__})"


def _is_integer(value):
    return isinstance(value, Integral | np.integer) and not isinstance(
        value, bool | np.bool_
    )


def check_positive_int(value, name, *, minimum=1):
    """``value`` as an int ``>= minimum``.

    A non-integer or a too small value raises ``InvalidParameterError``, which is
    both a ``ValueError`` and a ``TypeError`` (as scikit-learn's parameter checks).
    """
    if not _is_integer(value) or value < minimum:
        raise InvalidParameterError(
            f"{name} must be an integer >= {minimum}, got {_describe(value)}."
            if minimum != 1
            else f"{name} must be a positive integer, got {_describe(value)}."
        )
    return int(value)


def check_n_designs(n_designs):
    """The number of designs to propose: an int >= 1."""
    return check_positive_int(n_designs, "n_designs")


def check_seeds(seeds):
    """Seeds as a list of ints >= 0; an int ``n`` stands for ``0 .. n - 1``."""
    if _is_integer(seeds):
        if seeds < 1:
            raise InvalidParameterError(
                f"seeds must be a positive integer or a non-empty list of integers "
                f">= 0, got {_describe(seeds)}."
            )
        return list(range(int(seeds)))
    if isinstance(seeds, str | bytes | Real | bool):
        raise InvalidParameterError(
            "seeds must be an integer or an iterable of integers, got "
            f"{_describe(seeds)}."
        )
    try:
        seeds = list(seeds)
    except TypeError:
        raise InvalidParameterError(
            "seeds must be an integer or an iterable of integers, got "
            f"{_describe(seeds)}."
        ) from None
    if not seeds or not all(_is_integer(seed) and seed >= 0 for seed in seeds):
        raise InvalidParameterError(
            f"seeds must be a non-empty list of integers >= 0, got {seeds!r}."
        )
    return [int(seed) for seed in seeds]


def check_finite_number(value, name, *, allow_none=False):
    """A finite real number (not a bool) as a float."""
    if value is None and allow_none:
        return None
    if (
        not isinstance(value, Real | np.floating | np.integer)
        or isinstance(value, bool | np.bool_)
        or not np.isfinite(value)
    ):
        raise ValueError(f"{name} must be a finite number, got {_describe(value)}.")
    return float(value)


def check_scores(y, name="y"):
    """Scores as a finite 1-D float64 array.

    Run after ``validate_data`` too: an object array holding ``None`` passes its
    finiteness check before it is cast to floats, where ``None`` becomes NaN.
    """
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numeric scores: {exc}") from None
    bad = ~np.isfinite(y)
    if bad.any():
        index = int(np.flatnonzero(bad.ravel())[0])
        what = "NaN" if np.isnan(y.ravel()[index]) else "infinity"
        raise ValueError(
            f"Input {name} contains {what} (at index {index}): every design needs a "
            "finite score; drop the designs without one."
        )
    return y


# The searches and networks compute in float32, where the square of a value beyond
# about 1.8e19 overflows; a margin of 10 keeps sums of squares finite too.
MAX_MAGNITUDE = float(np.sqrt(np.finfo(np.float32).max)) / 10


def check_magnitude(values, name, after=""):
    """Reject values too large for the networks' float32 arithmetic.

    Standardizing, squaring and un-standardizing such values in float32 gives
    infinities, which would surface later as a diverged search or an error deep in
    torch; the message says to rescale instead, and then ``after``.
    """
    values = np.asarray(values)
    if values.size == 0 or values.dtype.kind not in "fiu":
        return
    magnitude = np.abs(values)
    if magnitude.max() <= MAX_MAGNITUDE:
        return
    index = np.unravel_index(int(np.argmax(magnitude)), values.shape)
    where = ", ".join(str(int(i)) for i in index)
    largest = float(magnitude[index])
    raise ValueError(
        f"{name} holds a value of magnitude {largest:.3g} (at index {where}), "
        f"beyond {MAX_MAGNITUDE:.3g}: the search and the networks compute in "
        f"float32, where such values overflow. Rescale {name} (for example divide "
        f"it by {largest:.0e}){after}."
    )


def warn_if_constant(y, estimator):
    """A ``UserWarning`` when every score is the same: nothing can be learned."""
    if y.size > 1 and np.ptp(y) == 0:
        warnings.warn(
            f"{type(estimator).__name__} was fitted on constant scores (every y is "
            f"{y[0]:g}): the data cannot tell a good design from a bad one, so "
            "the model's predictions and the proposals that climb them are "
            "meaningless.",
            UserWarning,
            # the caller of fit, through fit's context wrapper
            stacklevel=5,
        )


def check_not_temporal(values, name):
    """Reject dates and durations (numpy or pandas): designs and scores are numbers.

    Without this, ``datetime64`` values pass as nanoseconds or days, and a table
    that mixes them with numbers fails inside numpy.
    """
    temporal = ("M", "m")  # numpy's kinds of datetime64 and timedelta64
    dtypes = getattr(values, "dtypes", None)
    if hasattr(dtypes, "items"):  # a DataFrame: one dtype per column
        columns = [
            str(c) for c, t in dtypes.items() if getattr(t, "kind", "") in temporal
        ]
        found = f"column {columns[0]!r}" if columns else None
    else:  # an array or a Series, whose dtype may be a pandas extension type
        kind = getattr(getattr(values, "dtype", None), "kind", "")
        found = f"dtype {values.dtype}" if kind in temporal else None
    if found:
        raise TypeError(
            f"{name} holds dates or durations ({found}); designs and scores must be "
            "numbers (or sequences of tokens). Convert them first, for example to "
            "days since a reference date."
        )


def check_design_collection(X):
    """Reject what no design space reads, with a message saying why.

    Sparse matrices, ragged sequences, collections that mix strings with other
    values, and empty collections.
    """
    if sparse.issparse(X):
        raise TypeError(
            "X is a sparse matrix, but designs must be dense; use X.toarray()."
        )
    if isinstance(X, str | bytes):
        raise TypeError(
            "X must be a collection of designs, got a single string; wrap it in a list."
        )
    if hasattr(X, "__len__") and len(X) == 0:
        raise ValueError("X holds no designs (0 samples); pass at least one design.")
    check_not_temporal(X, "X")
    if isinstance(X, np.ndarray) and X.dtype.kind != "O":
        return
    try:
        arr = np.asarray(X, dtype=object)
    except ValueError:
        arr = None
    if arr is not None and arr.ndim >= 1 and arr.dtype.kind == "O":
        flat = arr.ravel()
        is_str = [isinstance(v, str) for v in flat]
        if any(is_str) and not all(is_str):
            j = is_str.index(False)
            raise TypeError(
                "X mixes strings with values of other types (first: "
                f"{_describe(flat[j])} at position {j}); designs must be all strings "
                "(sequences) or all numbers."
            )
    lengths = _row_lengths(X)
    if lengths is not None and len(set(lengths)) > 1:
        raise ValueError(
            "X is ragged: its designs have different lengths "
            f"{sorted(set(lengths))}; every design must have the same length."
        )


def _row_lengths(X):
    """Lengths of the rows of a list of sequences (None when rows have no length)."""
    if isinstance(X, np.ndarray) and X.dtype.kind != "O":
        return None
    try:
        rows = list(X)
    except TypeError:
        return None
    lengths = []
    for row in rows:
        if isinstance(row, str) or not hasattr(row, "__len__"):
            return None
        lengths.append(len(row))
    return lengths


def check_no_mixed_case(tokens, name="The designs"):
    """Reject an inferred alphabet that holds a letter in both cases.

    ``"A"`` and ``"a"`` would be two categories: almost always a mistake in the
    data, so the user must either normalize the case or say so with ``alphabet=``.
    """
    present = set(tokens)
    clash = sorted(t for t in present if t != t.upper() and t.upper() in present)
    if clash:
        pairs = ", ".join(f"{t.upper()!r}/{t!r}" for t in clash[:5])
        raise ValueError(
            f"{name} mix upper and lower case ({pairs}); tokens are case-sensitive, "
            "so these would be different categories. Normalize the case (for "
            "example [s.upper() for s in X]) or pass alphabet= listing every token "
            "to keep them apart."
        )


def case_hint(unknown, alphabet):
    """A hint when tokens missing from an alphabet are there in the other case."""
    known = set(alphabet)
    if any(
        isinstance(t, str) and (t.upper() in known or t.lower() in known)
        for t in unknown
    ):
        return " Tokens are case-sensitive: normalize the case of X or the alphabet."
    return ""


def check_bounds(low, high, n_features, *, allow_infinite=True, names=("low", "high")):
    """Lower and upper bounds as float arrays of shape ``(n_features,)``.

    Each is a scalar or has one value per feature; NaN is refused, and infinite
    values too unless ``allow_infinite``. Every lower bound must not exceed its
    upper bound.
    """
    shape = (n_features,)
    out = []
    for value, name in zip((low, high), names):
        try:
            bound = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must be a number or an array of numbers, got {value!r}."
            ) from None
        if bound.ndim == 0:
            bound = np.full(shape, float(bound))
        if bound.shape != shape:
            raise ValueError(
                f"{name} must be a scalar or have shape {shape} to match the "
                f"{n_features} features of X, got shape {bound.shape}."
            )
        if np.isnan(bound).any():
            raise ValueError(
                f"{name} contains NaN; give a number or +-inf per feature."
            )
        if not allow_infinite and not np.isfinite(bound).all():
            raise ValueError(f"{name} must be finite, got {value!r}.")
        out.append(bound)
    low, high = out
    if (low > high).any():
        j = int(np.argmax(low > high))
        raise ValueError(
            f"{names[0]} must not exceed {names[1]}; feature {j} has "
            f"{names[0]}={low[j]} > {names[1]}={high[j]}."
        )
    return low, high


def check_oracle_scores(scores, n_designs, name="oracle"):
    """An oracle's output as finite float64 scores, one per design."""
    try:
        scores = np.asarray(scores, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"The {name} must return numeric scores, got {type(scores).__name__} "
            f"holding {np.asarray(scores).dtype}."
        ) from None
    if scores.shape != (n_designs,):
        raise ValueError(
            f"The {name} must return one score per design, shape ({n_designs},), "
            f"got shape {scores.shape}."
        )
    bad = ~np.isfinite(scores)
    if bad.any():
        index = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"The {name} returned a non-finite score ({scores[index]}) for design "
            f"{index}; an oracle must score every design it is given."
        )
    return scores


def check_finite_proposals(designs, trajectory, parameter):
    """Raise ``DivergenceError`` when a search ended on non-finite designs or scores.

    Parameters
    ----------
    designs : ndarray of shape (n, d)
        The end points of the search (encoded).
    trajectory : ndarray of shape (n_steps + 1, n)
        The predicted score at each step, the start first.
    parameter : str
        The parameter whose lowering tames the search (its step).
    """
    bad_steps = ~np.isfinite(trajectory).all(axis=1)
    if bad_steps.any():
        step = int(np.argmax(bad_steps))
        value = trajectory[step][~np.isfinite(trajectory[step])][0]
        raise DivergenceError(
            f"The search diverged at step {step} of {len(trajectory) - 1}: the "
            f"predicted score of a proposal is {value}. Lower {parameter}."
        )
    if designs.size and not np.isfinite(designs).all():
        value = designs[~np.isfinite(designs)][0]
        raise DivergenceError(
            f"The search diverged by step {len(trajectory) - 1}: a proposal has a "
            f"coordinate {value}. Lower {parameter}."
        )
