"""Scores that ask how a model ranks designs better than the ones it was fitted on."""

from numbers import Integral

import numpy as np
from scipy.stats import rankdata, spearmanr
from sklearn.metrics import make_scorer
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils.validation import check_array, column_or_1d

from .._compat import Interval, _num_samples, _safe_indexing, validate_params

_SCORES = {"y_true": ["array-like"], "y_pred": ["array-like"]}


def _check_scores(y_true, y_pred):
    y_true = column_or_1d(check_array(y_true, ensure_2d=False, input_name="y_true"))
    y_pred = column_or_1d(check_array(y_pred, ensure_2d=False, input_name="y_pred"))
    check_consistent_length(y_true, y_pred)
    return y_true.astype(np.float64), y_pred.astype(np.float64)


@validate_params(_SCORES, prefer_skip_nested_validation=True)
def spearman_score(y_true, y_pred):
    """Spearman rank correlation between the scores and the predictions.

    On a :class:`TopKSplit` test fold this asks whether the model orders the held-out
    top designs correctly among themselves, whatever the level of its predictions:
    a conservative model that under-estimates every design off its data by the same
    margin keeps a high rank correlation.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Measured scores.
    y_pred : array-like of shape (n_samples,)
        Predicted scores.

    Returns
    -------
    rho : float
        In [-1, 1], higher is better. 0.0 when either input is constant (no order
        to compare) or has fewer than two entries.

    Examples
    --------
    >>> from skcoms.model_selection import spearman_score
    >>> round(spearman_score([1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 40.0, 30.0]), 3)
    0.8
    """
    y_true, y_pred = _check_scores(y_true, y_pred)
    if y_true.size < 2 or np.ptp(y_true) == 0 or np.ptp(y_pred) == 0:
        return 0.0
    return float(spearmanr(y_true, y_pred).statistic)


@validate_params(_SCORES, prefer_skip_nested_validation=True)
def exceedance_score(y_true, y_pred):
    """Fraction of designs predicted at or above the lowest measured score.

    On a :class:`TopKSplit` test fold the lowest measured score is the threshold of
    the top-k, at or above every score the model was fitted on. So this is the
    fraction of held-out top designs that the model would rank above the best
    training design *if its predictions on the training designs matched their
    scores*, which a model fitted by least squares nearly does. A model that is too
    conservative predicts the better designs below anything it saw and scores near
    0: an optimizer climbing it would not go there.

    It looks at the level of the predictions, not only their order, so a model that
    over-estimates everything scores well too. Read it next to a rank score such as
    :func:`spearman_score`, or use :func:`make_top_k_auc_scorer`, which compares
    with the model's own predictions on the lower designs.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Measured scores of the held-out designs.
    y_pred : array-like of shape (n_samples,)
        Predicted scores.

    Returns
    -------
    fraction : float
        In [0, 1], higher is better.

    Examples
    --------
    >>> from skcoms.model_selection import exceedance_score
    >>> exceedance_score([2.0, 3.0, 4.0, 5.0], [1.5, 2.5, 3.0, 1.0])
    0.5
    """
    y_true, y_pred = _check_scores(y_true, y_pred)
    return float(np.mean(y_pred >= y_true.min()))


@validate_params(_SCORES, prefer_skip_nested_validation=True)
def mean_overestimation(y_true, y_pred):
    """Mean of ``y_pred - y_true``: how much the model over-estimates the designs.

    On a :class:`TopKSplit` test fold this is the held-out counterpart of the
    over-estimation that COMs controls during training: positive when the model
    over-estimates designs better than the ones it was fitted on, negative when it
    is conservative there. It is a diagnostic, not a criterion to maximize: wrap it
    with :func:`~sklearn.metrics.make_scorer` to report it from
    :func:`~sklearn.model_selection.cross_validate`, but do not refit on it.
    ``neg_mean_squared_error`` on the same folds penalizes both signs.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Measured scores.
    y_pred : array-like of shape (n_samples,)
        Predicted scores.

    Returns
    -------
    overestimation : float
        In the units of ``y``.

    Examples
    --------
    >>> from skcoms.model_selection import mean_overestimation
    >>> mean_overestimation([1.0, 2.0, 3.0], [1.5, 2.5, 2.0])
    0.0
    >>> mean_overestimation([1.0, 2.0], [2.0, 4.0])
    1.5
    """
    y_true, y_pred = _check_scores(y_true, y_pred)
    return float(np.mean(y_pred - y_true))


def _auc(pred_top, pred_lower):
    """Fraction of (top, lower) pairs with ``pred_top > pred_lower``; ties count 1/2."""
    n_top, n_lower = pred_top.size, pred_lower.size
    ranks = rankdata(np.concatenate([pred_top, pred_lower]))
    u = ranks[:n_top].sum() - n_top * (n_top + 1) / 2
    return float(u / (n_top * n_lower))


class TopKAUCScorer:
    """Callable scorer built by :func:`make_top_k_auc_scorer`.

    Parameters
    ----------
    X_reference : array-like of shape (n_reference, n_features)
        Designs to compare with, in the representation the estimator predicts on.
    y_reference : ndarray of shape (n_reference,)
        Their scores.
    max_lower : int or None
        Cap on the number of lower designs compared per call.
    random_state : int, RandomState instance or None
        Draws the lower designs when there are more than ``max_lower``.
    """

    def __init__(self, X_reference, y_reference, *, max_lower, random_state):
        self.X_reference = X_reference
        self.y_reference = y_reference
        self.max_lower = max_lower
        self.random_state = random_state

    def __call__(self, estimator, X, y_true, **kwargs):
        """Score ``estimator`` on the test fold ``X``, ``y_true``.

        Returns
        -------
        auc : float
            NaN when no reference design scores below ``min(y_true)``.
        """
        y_true = column_or_1d(check_array(y_true, ensure_2d=False, input_name="y"))
        lower = np.flatnonzero(self.y_reference < y_true.min())
        if lower.size == 0:
            return float("nan")
        if self.max_lower is not None and lower.size > self.max_lower:
            rng = check_random_state(self.random_state)
            lower = np.sort(rng.choice(lower, size=self.max_lower, replace=False))
        pred_top = np.asarray(estimator.predict(X), dtype=np.float64).ravel()
        X_lower = _safe_indexing(self.X_reference, lower)
        pred_lower = np.asarray(estimator.predict(X_lower), dtype=np.float64).ravel()
        return _auc(pred_top, pred_lower)

    def __repr__(self):
        return (
            f"make_top_k_auc_scorer(<{self.y_reference.size} designs>, "
            f"max_lower={self.max_lower!r}, random_state={self.random_state!r})"
        )


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "max_lower": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_top_k_auc_scorer(X, y, *, max_lower=2000, random_state=0):
    """A scorer: how often the model ranks a held-out top design above a lower one.

    For a test fold with scores ``y_true`` (the top-k of a :class:`TopKSplit`), the
    lower designs are the designs of ``X`` whose score in ``y`` is below
    ``min(y_true)``: with ``TopKSplit`` these are the designs the training set was
    drawn from. The score is the fraction of (held-out top design, lower design)
    pairs that the fitted model orders correctly, its prediction for the top design
    being higher (ties count one half): the area under the ROC curve of the
    predictions as a classifier of "better than everything below the threshold".
    0.5 is chance, 1.0 means every held-out top design is predicted above every
    lower design.

    Only the order of the predictions matters, so a conservative model that
    under-estimates off its data is not penalized as long as the better designs
    stay on top, and a model that over-estimates everything gains nothing.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The whole dataset passed to cross-validation, in the representation the
        estimator predicts on.
    y : array-like of shape (n_samples,)
        Its scores.
    max_lower : int or None, default=2000
        At most this many lower designs are compared per fold (drawn at random);
        None compares them all.
    random_state : int, RandomState instance or None, default=0
        Draws the lower designs when there are more than ``max_lower``. The
        default draws the same designs for every candidate of a grid search.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X_test, y_test) -> float``, usable as ``scoring=`` in
        :class:`~sklearn.model_selection.GridSearchCV`,
        :func:`~sklearn.model_selection.cross_validate` and friends. NaN when no
        design of ``y`` scores below the fold.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn.model_selection import cross_val_score
    >>> from skcoms.model_selection import TopKSplit, make_top_k_auc_scorer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(size=(200, 3))
    >>> y = X @ [1.0, 2.0, 0.0]
    >>> cv = TopKSplit(top_k=20, n_splits=2, random_state=0)
    >>> scores = cross_val_score(
    ...     LinearRegression(), X, y, cv=cv, scoring=make_top_k_auc_scorer(X, y)
    ... )
    >>> scores.round(3).tolist()
    [1.0, 1.0]
    """
    y = column_or_1d(check_array(y, ensure_2d=False, input_name="y"))
    if _num_samples(X) != y.size:
        raise ValueError(
            f"X and y have different numbers of samples: {_num_samples(X)} and "
            f"{y.size}."
        )
    if max_lower is not None and (isinstance(max_lower, bool) or max_lower < 1):
        raise ValueError(f"max_lower must be a positive int or None, got {max_lower}.")
    return TopKAUCScorer(
        X, y.astype(np.float64), max_lower=max_lower, random_state=random_state
    )


spearman_scorer = make_scorer(spearman_score)

exceedance_scorer = make_scorer(exceedance_score)
