"""Closed-form tasks: the toy quadratic and standard continuous test functions.

Every score here is to be maximized: the standard test functions are minimization
problems, so their scores are the negated function values.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._oracles import FunctionOracle
from ._task import Task


def neg_sphere(X):
    """``-sum(x ** 2)``: the toy quadratic, maximum 0 at the origin."""
    return 0.0 - np.sum(X**2, axis=1)


def neg_branin(X):
    """Negated Branin-Hoo function of 2 variables; maximum ``-5 / (4 pi)``."""
    x1, x2 = X[:, 0], X[:, 1]
    b, c, t = 5.1 / (4 * np.pi**2), 5 / np.pi, 1 / (8 * np.pi)
    value = (x2 - b * x1**2 + c * x1 - 6) ** 2 + 10 * (1 - t) * np.cos(x1) + 10
    return -value


_HARTMANN6_ALPHA = np.array([1.0, 1.2, 3.0, 3.2])
_HARTMANN6_A = np.array(
    [
        [10, 3, 17, 3.5, 1.7, 8],
        [0.05, 10, 17, 0.1, 8, 14],
        [3, 3.5, 1.7, 10, 17, 8],
        [17, 8, 0.05, 10, 0.1, 14],
    ]
)
_HARTMANN6_P = 1e-4 * np.array(
    [
        [1312, 1696, 5569, 124, 8283, 5886],
        [2329, 4135, 8307, 3736, 1004, 9991],
        [2348, 1451, 3522, 2883, 3047, 6650],
        [4047, 8828, 8732, 5743, 1091, 381],
    ]
)


def neg_hartmann6(X):
    """Negated Hartmann function of 6 variables; maximum about 3.32237."""
    distance = np.sum(_HARTMANN6_A * (X[:, None, :] - _HARTMANN6_P) ** 2, axis=2)
    return np.exp(-distance) @ _HARTMANN6_ALPHA


def neg_ackley(X):
    """Negated Ackley function (a=20, b=0.2, c=2 pi); maximum 0 at the origin."""
    d = X.shape[1]
    value = (
        -20 * np.exp(-0.2 * np.sqrt(np.sum(X**2, axis=1) / d))
        - np.exp(np.sum(np.cos(2 * np.pi * X), axis=1) / d)
        + 20
        + np.e
    )
    return -value


def neg_rosenbrock(X):
    """Negated Rosenbrock function; maximum 0 at (1, ..., 1)."""
    value = np.sum(
        100 * (X[:, 1:] - X[:, :-1] ** 2) ** 2 + (1 - X[:, :-1]) ** 2, axis=1
    )
    return -value


# name: (function, fixed dimension or None, default dimension, bounds, maximizer)
_TEST_FUNCTIONS = {
    "branin": (neg_branin, 2, 2, ([-5.0, 0.0], [10.0, 15.0]), [np.pi, 2.275]),
    "hartmann6": (
        neg_hartmann6,
        6,
        6,
        (0.0, 1.0),
        [0.20168952, 0.15001069, 0.47687398, 0.27533243, 0.31165162, 0.65730054],
    ),
    "ackley": (neg_ackley, None, 10, (-32.768, 32.768), 0.0),
    "rosenbrock": (neg_rosenbrock, None, 10, (-2.048, 2.048), 1.0),
}

# The known maxima of the negated functions.
_MAXIMA = {
    "branin": -5 / (4 * np.pi),
    "hartmann6": 3.322368011415515,
    "ackley": 0.0,
    "rosenbrock": 0.0,
}


def _check_int(value, name, low):
    if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _check_percentile(percentile):
    if (
        not isinstance(percentile, Real)
        or isinstance(percentile, bool)
        or not 0 < percentile <= 100
    ):
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}.")
    return float(percentile)


def known_maximizer(name, n_features=None):
    """A design where the named test function's score is highest.

    Parameters
    ----------
    name : {"branin", "hartmann6", "ackley", "rosenbrock"}
        The test function.
    n_features : int, default=None
        The dimension, for the functions of any dimension (default 10).

    Returns
    -------
    x : ndarray of shape (n_features,)
        A global maximizer (Branin has three; this is one of them). Its score is the
        task's ``y_max`` up to the precision of the published coordinates.

    Examples
    --------
    >>> from skcoms.datasets import known_maximizer
    >>> known_maximizer("rosenbrock", n_features=3)
    array([1., 1., 1.])
    """
    function, fixed, default, _, maximizer = _lookup(name)
    n_features = _dimension(name, fixed, default, n_features)
    return np.broadcast_to(np.asarray(maximizer, dtype=np.float64), (n_features,))


def _lookup(name):
    if name not in _TEST_FUNCTIONS:
        raise ValueError(
            f"Unknown test function {name!r}; choose one of {sorted(_TEST_FUNCTIONS)}."
        )
    return _TEST_FUNCTIONS[name]


def _dimension(name, fixed, default, n_features):
    if n_features is None:
        return default
    n_features = _check_int(n_features, "n_features", 2)
    if fixed is not None and n_features != fixed:
        raise ValueError(f"{name} has {fixed} variables; got n_features={n_features}.")
    return n_features


def make_test_function_task(
    name, *, n_features=None, n_samples=5000, percentile=50.0, random_state=None
):
    """A continuous task from a standard test function, visible data cut at a
    percentile.

    ``n_samples`` designs are drawn uniformly in the function's usual domain and
    scored; the visible data are those at or below the ``percentile``-th percentile
    of the scores. Scores are the NEGATED function values (the functions are
    minimization problems), so higher is better. ``y_max`` is the known global
    maximum of the negated function, so a normalized score of 1 means the optimum
    was found; ``y_min`` is the lowest score of the full sample (visible and hidden
    part), as Design-Bench takes it. The oracle scores any finite design of the
    right shape, also outside the domain (no design anywhere scores above
    ``y_max``).

    ========== =========== =========================== =========================
    name       n_features  domain                      maximizer (score)
    ========== =========== =========================== =========================
    branin     2           [-5, 10] x [0, 15]          (pi, 2.275) (-0.397887)
    hartmann6  6           [0, 1] ** 6                 (0.2017, ..., 0.6573)
                                                       (3.32237)
    ackley     any, 10     [-32.768, 32.768] ** d      0 (0)
    rosenbrock any, 10     [-2.048, 2.048] ** d        (1, ..., 1) (0)
    ========== =========== =========================== =========================

    Parameters
    ----------
    name : {"branin", "hartmann6", "ackley", "rosenbrock"}
        The test function.
    n_features : int, default=None
        The dimension, for ackley and rosenbrock (default 10); branin and hartmann6
        have a fixed one.
    n_samples : int, default=5000
        The size of the full sample, visible and hidden part.
    percentile : float, default=50.0
        The cut of the visible data, in (0, 100].
    random_state : int, RandomState instance or None, default=None
        Draws the sample.

    Returns
    -------
    task : Task
        A continuous task named after the function, with ``bounds`` set to the
        domain.

    See Also
    --------
    known_maximizer : A maximizer of each function.
    make_toy_quadratic : The two-arm quadratic toy task.

    Examples
    --------
    >>> from skcoms.datasets import make_test_function_task
    >>> task = make_test_function_task("branin", n_samples=1000, random_state=0)
    >>> task
    Task(name='branin', n_samples=500, n_features=2, bounds=[-5, 15])
    >>> print(f"{task.y_max:.6f}")
    -0.397887
    >>> bool(task.y.max() < task.y_max)
    True
    """
    function, fixed, default, (low, high), _ = _lookup(name)
    n_features = _dimension(name, fixed, default, n_features)
    n_samples = _check_int(n_samples, "n_samples", 2)
    percentile = _check_percentile(percentile)
    rng = check_random_state(random_state)
    low = np.broadcast_to(np.asarray(low, dtype=np.float64), (n_features,))
    high = np.broadcast_to(np.asarray(high, dtype=np.float64), (n_features,))
    X = low + (high - low) * rng.uniform(size=(n_samples, n_features))
    y = function(X)
    visible = y <= np.percentile(y, percentile)
    return Task(
        name=name,
        X=X[visible],
        y=y[visible],
        oracle=FunctionOracle(function, n_features),
        y_min=float(y.min()),
        y_max=_MAXIMA[name],
        bounds=(low, high),
        description=(
            f"Negated {name} function in {n_features} variables, {n_samples} "
            f"uniform samples, visible data at or below the {percentile:g}th "
            "percentile."
        ),
    )


def make_toy_quadratic(
    n_samples=200, *, radius=(1.5, 2.5), width=0.1, random_state=None
):
    """The two-arm quadratic: the best x1 and the best x2 are never seen together.

    The score is ``f(x1, x2) = -x1 ** 2 - x2 ** 2``, highest (0) at the origin. The
    data lie on two arms, half the designs on each: near the x1 axis (``x2`` drawn
    from a normal of standard deviation ``width``, ``|x1|`` uniform in ``radius``,
    random sign) and near the x2 axis (the same with the roles swapped). Each arm
    holds the best value of one coordinate, never of both, and no design is near
    the origin: an offline optimizer that finds the origin has combined what the
    two arms teach. All designs are visible. ``y_max`` is the maximum, 0;
    ``y_min`` the lowest score in the data. The bounds are ``[-b, b] ** 2`` with
    ``b = radius[1] + 5 * width``.

    Parameters
    ----------
    n_samples : int, default=200
        The number of designs, at least 2.
    radius : tuple of (float, float), default=(1.5, 2.5)
        The range of the distance of the designs from the origin along their arm,
        ``0 < radius[0] < radius[1]``.
    width : float, default=0.1
        The standard deviation across an arm, >= 0.
    random_state : int, RandomState instance or None, default=None
        Draws the designs.

    Returns
    -------
    task : Task
        A continuous task named "toy_quadratic".

    Examples
    --------
    >>> from skcoms.datasets import make_toy_quadratic
    >>> task = make_toy_quadratic(random_state=0)
    >>> task
    Task(name='toy_quadratic', n_samples=200, n_features=2, bounds=[-3, 3])
    >>> print(task.oracle([[0.0, 0.0], [1.0, 2.0]]))
    [ 0. -5.]
    >>> print(f"best visible score {task.y.max():.2f}")
    best visible score -2.27
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    try:
        r_low, r_high = (float(r) for r in radius)
    except (TypeError, ValueError):
        raise ValueError(f"radius must be a pair of numbers, got {radius!r}.") from None
    if not 0 < r_low < r_high:
        raise ValueError(
            f"radius must satisfy 0 < radius[0] < radius[1], got {radius}."
        )
    if not isinstance(width, Real) or not 0 <= width < np.inf:
        raise ValueError(f"width must be a finite number >= 0, got {width!r}.")
    rng = check_random_state(random_state)
    along = rng.uniform(r_low, r_high, size=n_samples) * rng.choice([-1, 1], n_samples)
    across = width * rng.standard_normal(n_samples)
    on_x1_axis = np.arange(n_samples) < (n_samples + 1) // 2
    X = np.where(
        on_x1_axis[:, None],
        np.column_stack([along, across]),
        np.column_stack([across, along]),
    )
    y = neg_sphere(X)
    bound = r_high + 5 * width
    return Task(
        name="toy_quadratic",
        X=X,
        y=y,
        oracle=FunctionOracle(neg_sphere, 2),
        y_min=float(y.min()),
        y_max=0.0,
        bounds=(-bound, bound),
        description=(
            "f(x1, x2) = -x1**2 - x2**2 with the data on two arms along the axes, "
            "away from the origin."
        ),
    )
