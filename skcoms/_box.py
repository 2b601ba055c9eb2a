"""Box: continuous designs inside per-feature bounds."""

from numbers import Real

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import Interval, _fit_context
from ._persistence import fit_or_unfit
from ._space_base import _DesignSpace, _is_string_data
from ._validation import check_bounds, check_not_temporal


class Box(_DesignSpace):
    """Continuous designs inside per-feature bounds.

    Designs are rows of real numbers and encode to themselves. Proposals are clipped
    to ``[low_, high_]`` after every ascent step, so they never leave the box.

    Parameters
    ----------
    low, high : float, array-like of shape (n_features,) or None, default=None
        Lower and upper bounds; a scalar applies to every feature, ``-np.inf`` or
        ``np.inf`` leaves a side open. ``None`` infers that side from the data:
        ``min - margin * (max - min)`` and ``max + margin * (max - min)`` per
        feature, so a feature that is constant in the data stays fixed.
    margin : float >= 0, default=0.1
        How far inferred bounds reach beyond the data, as a fraction of each
        feature's range in the data.

    Attributes
    ----------
    low_, high_ : ndarray of shape (n_features_in_,)
        The bounds in use.
    n_features_in_ : int
        Number of features seen in fit.
    dtype_ : numpy dtype
        Floating dtype of the designs seen in fit; decoded designs have it.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.spaces import Box
    >>> space = Box(margin=0.5).fit(np.array([[0.0, 1.0], [2.0, 1.0]]))
    >>> space.low_, space.high_
    (array([-1.,  1.]), array([3., 1.]))
    """

    _parameter_constraints = {
        "low": [Real, "array-like", None],
        "high": [Real, "array-like", None],
        "margin": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, low=None, high=None, *, margin=0.1):
        self.low = low
        self.high = high
        self.margin = margin

    def _check_designs(self, X, reset, ensure_min_samples=1):
        if _is_string_data(X):
            raise TypeError(
                "Box holds continuous designs but X contains strings; use "
                "CategoricalSequence for sequences of tokens."
            )
        check_not_temporal(X, "X")
        X = check_array(
            X, dtype=[np.float64, np.float32], ensure_min_samples=ensure_min_samples
        )
        if reset:
            self.n_features_in_ = X.shape[1]
        elif X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but Box is expecting "
                f"{self.n_features_in_} features as input."
            )
        return X

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Set the bounds, inferring the missing ones from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs.
        y : None
            Ignored.

        Returns
        -------
        self : Box
            The fitted space.
        """
        with fit_or_unfit(self):
            return self._fit(X)

    def _fit(self, X):
        X = self._check_designs(X, reset=True)
        self.dtype_ = X.dtype
        lo, hi = X.min(axis=0).astype(np.float64), X.max(axis=0).astype(np.float64)
        reach = self.margin * (hi - lo)
        d = X.shape[1]
        low, high = check_bounds(
            lo - reach if self.low is None else self.low,
            hi + reach if self.high is None else self.high,
            d,
        )
        outside = (X < low) | (X > high)
        if outside.any():
            i, j = (int(k) for k in np.argwhere(outside)[0])
            raise ValueError(
                f"The bounds contradict the data: design {i} has feature {j} = "
                f"{X[i, j]}, outside [{low[j]}, {high[j]}]."
            )
        self.low_, self.high_ = low, high
        return self

    def encode(self, X):
        """Designs as real vectors: a validated float copy of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features)
            The designs as float64.
        """
        check_is_fitted(self)
        return self._check_designs(X, reset=False).astype(np.float64, copy=False)

    def decode(self, Z):
        """Real vectors as designs, clipped to the bounds.

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_features)
            Real vectors.

        Returns
        -------
        X : ndarray of shape (n_samples, n_features), dtype ``dtype_``
            The vectors clipped to ``[low_, high_]``.
        """
        check_is_fitted(self)
        Z = self._check_designs(Z, reset=False, ensure_min_samples=0)
        return np.clip(Z, self.low_, self.high_).astype(self.dtype_, copy=False)

    def encoded_bounds(self):
        """Bounds of the encoded designs.

        Returns
        -------
        bounds : tuple of two ndarrays of shape (n_features_in_,)
            ``(low_, high_)``.
        """
        check_is_fitted(self)
        return self.low_, self.high_
