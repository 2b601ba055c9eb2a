"""TopKSplit: cross-validation that holds out the best designs."""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import BaseCrossValidator
from sklearn.utils import check_random_state, indexable
from sklearn.utils.validation import check_array

from .._compat import GroupsConsumerMixin, _num_samples, validate_params


def _check_size(value, name, *, allow_one):
    """Validate a count (int >= 1) or a fraction (float in (0, 1) or (0, 1])."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise TypeError(f"{name} must be an int or a float, got {value!r}.")
    if isinstance(value, Integral):
        if value < 1:
            raise ValueError(f"{name} must be a positive count, got {value}.")
        return
    upper_ok = value <= 1 if allow_one else value < 1
    if not (value > 0 and upper_ok):
        interval = "(0, 1]" if allow_one else "(0, 1)"
        raise ValueError(
            f"A float {name} is a fraction and must lie in {interval}, got {value}."
        )


def _round_product(fraction, n):
    """``fraction * n`` without floating-point noise: 0.07 * 100 is 7, not 7.0000001."""
    return round(fraction * n, 8)


@validate_params({"y": ["array-like"]}, prefer_skip_nested_validation=True)
def top_k_order(y):
    """Indices of ``y`` from the lowest to the highest score, ties by index.

    The order is a stable sort on ``y``: among equal scores the lower index comes
    first, so the last ``k`` entries are the top-k designs of :class:`TopKSplit`.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Scores, higher is better.

    Returns
    -------
    order : ndarray of shape (n_samples,)
        Indices into ``y``, the best design last.

    Examples
    --------
    >>> from skcoms.model_selection import top_k_order
    >>> top_k_order([0.3, 0.9, 0.3, 0.1])
    array([3, 0, 2, 1])
    """
    return np.argsort(np.asarray(y), kind="stable")


class TopKSplit(GroupsConsumerMixin, BaseCrossValidator):
    """Train on the lower-scoring designs, test on the top-k.

    Ordinary cross-validation tests a model on designs like the ones it was trained
    on. Offline model-based optimization needs the model where it has no data: on
    designs better than the ones it saw. ``TopKSplit`` measures exactly that. The
    test set of every split is the ``top_k`` designs with the highest ``y``; the
    training set is drawn from the designs below them.

    Several splits share the same test set and differ in their training set: each
    uses a random subset of ``train_size`` of the designs below the top-k. The mean
    over splits that ``GridSearchCV`` ranks candidates by is then an average over
    training sets (and the fits they lead to), which makes the choice of a
    hyper-parameter less dependent on one fit. With ``n_splits=1`` and
    ``train_size=1.0`` the single split is deterministic and uses every design below
    the top-k.

    Ties at the threshold are broken by index: designs are ordered by a stable sort
    on ``y`` (see :func:`top_k_order`), so among designs with equal scores the ones
    with the higher index are taken into the test set first. The test set is thus
    always exactly ``k`` designs, the same for every split, whatever ``groups`` and
    ``random_state`` are.

    Parameters
    ----------
    top_k : int or float, default=0.1
        Size of the test set. An int is a number of designs, at least 1 and smaller
        than the number of samples; a float in (0, 1) is a fraction of the samples,
        rounded up (``top_k=0.1`` of 25 samples holds out 3; never fewer than 1),
        and at least one design must stay below the top-k.
    n_splits : int, default=5
        Number of splits (training subsets).
    train_size : int or float, default=0.8
        Size of each training set. A float in (0, 1] is a fraction of the designs
        available for training, rounded down (at least one design); an int is a
        count, at most the number of those designs.
    random_state : int, RandomState instance or None, default=None
        Draws the training subsets. Pass an int for the same splits on every call
        to :meth:`split`. Not used when ``train_size`` keeps every design.

    Notes
    -----
    ``groups`` (optional, in :meth:`split`) prevents leakage between near-copies
    of a design: a design whose group also has a member in the test set is left
    out of the training set (it is in neither set). Group labels are compared for
    equality only. The test set is not changed by ``groups``.

    With ``random_state=None`` every call to :meth:`split` draws new training
    subsets; :class:`~sklearn.model_selection.GridSearchCV` calls it once, so all
    candidates are still compared on the same splits.

    ``scoring="neg_mean_squared_error"`` on these splits penalizes both
    over-estimating and under-estimating the held-out better designs; the scorers
    of :mod:`skcoms.model_selection` look at how they are ranked.

    See Also
    --------
    sklearn.model_selection.ShuffleSplit : Random train/test splits.
    skcoms.model_selection.spearman_scorer : Rank correlation on the top-k.
    skcoms.model_selection.make_top_k_auc_scorer : How often a held-out top design
        is ranked above a lower design.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.model_selection import TopKSplit
    >>> X = np.arange(10).reshape(-1, 1)
    >>> y = np.array([0.1, 0.5, 0.9, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.0])
    >>> cv = TopKSplit(top_k=3, n_splits=1, train_size=1.0)
    >>> for train, test in cv.split(X, y):
    ...     print(train, test)
    [0 1 3 5 7 8 9] [2 4 6]
    >>> cv = TopKSplit(top_k=0.2, n_splits=2, train_size=4, random_state=0)
    >>> [(len(train), test.tolist()) for train, test in cv.split(X, y)]
    [(4, [2, 6]), (4, [2, 6])]
    """

    def __init__(self, *, top_k=0.1, n_splits=5, train_size=0.8, random_state=None):
        _check_size(top_k, "top_k", allow_one=False)
        _check_size(train_size, "train_size", allow_one=True)
        if isinstance(n_splits, bool | np.bool_) or not isinstance(n_splits, Integral):
            raise TypeError(f"n_splits must be an int, got {n_splits!r}.")
        if n_splits < 1:
            raise ValueError(f"n_splits must be at least 1, got {n_splits}.")
        self.top_k = top_k
        self.n_splits = n_splits
        self.train_size = train_size
        self.random_state = random_state

    def _n_test(self, n_samples):
        if isinstance(self.top_k, Integral):
            k = int(self.top_k)
        else:
            k = max(1, math.ceil(_round_product(self.top_k, n_samples)))
        if k >= n_samples:
            raise ValueError(
                f"top_k={self.top_k!r} leaves no design to train on: it holds out "
                f"{k} of {n_samples} samples; top_k must be smaller than the number "
                "of samples."
            )
        return k

    def _n_train(self, n_available):
        if isinstance(self.train_size, Integral):
            if self.train_size > n_available:
                raise ValueError(
                    f"train_size={self.train_size} is larger than the {n_available} "
                    "designs available for training below the top-k."
                )
            return int(self.train_size)
        return max(1, math.floor(_round_product(self.train_size, n_available)))

    def split(self, X, y=None, groups=None):
        """Generate indices to split data into training and test set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs; only their number is used.
        y : array-like of shape (n_samples,) or (n_samples, 1)
            Scores (higher is better). Required.
        groups : array-like of shape (n_samples,), default=None
            Group labels; designs that share a group with a test design are left
            out of the training set.

        Yields
        ------
        train : ndarray
            Training indices for that split, sorted.
        test : ndarray
            Test indices (the top-k designs by ``y``), sorted.
        """
        if y is None:
            raise ValueError(
                "TopKSplit needs the scores y to find the top-k designs; "
                "call split(X, y)."
            )
        X, y, groups = indexable(X, y, groups)
        n_samples = _num_samples(X)
        y = check_array(
            y, ensure_2d=False, dtype="numeric", input_name="y", ensure_min_samples=2
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.ndim != 1:
            raise ValueError(
                f"y must be one score per design, got an array of shape {y.shape}."
            )
        k = self._n_test(n_samples)
        order = top_k_order(y)
        test = np.sort(order[n_samples - k :])
        available = np.sort(order[: n_samples - k])
        if groups is not None:
            groups = np.asarray(groups)
            if groups.ndim != 1:
                raise ValueError(
                    f"groups must be one label per design, got shape {groups.shape}."
                )
            available = available[~np.isin(groups[available], groups[test])]
            if available.size == 0:
                raise ValueError(
                    "Every design below the top-k shares a group with a test "
                    "design; no design is left to train on."
                )
        n_train = self._n_train(available.size)
        rng = check_random_state(self.random_state)
        for _ in range(self.n_splits):
            if n_train == available.size:
                train = available
            else:
                train = np.sort(rng.choice(available, size=n_train, replace=False))
            yield train, test

    def get_n_splits(self, X=None, y=None, groups=None):
        """Number of splitting iterations.

        Parameters
        ----------
        X, y, groups : object
            Always ignored, exist for compatibility.

        Returns
        -------
        n_splits : int
            The ``n_splits`` parameter.
        """
        return self.n_splits
