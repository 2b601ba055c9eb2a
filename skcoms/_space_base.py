"""What the design spaces share: text detection, transform and inverse_transform."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from ._persistence import VersionedStateMixin


def _is_string_data(X):
    """Whether ``X`` holds text: numpy strings, or objects that are all ``str``."""
    arr = X if isinstance(X, np.ndarray) else np.asarray(X, dtype=object)
    if arr.dtype.kind in "US":
        return True
    if arr.dtype.kind == "O" and arr.size:
        return all(isinstance(v, str) for v in arr.ravel())
    return False


class _DesignSpace(VersionedStateMixin, TransformerMixin, BaseEstimator):
    """What the design spaces share: ``transform`` and ``inverse_transform``."""

    def transform(self, X):
        """Same as :meth:`encode` (the scikit-learn transformer name).

        Parameters
        ----------
        X : array-like
            Designs in the representation seen in fit.

        Returns
        -------
        Z : ndarray of shape (n_samples, n_encoded)
            The encoded designs.
        """
        return self.encode(X)

    def inverse_transform(self, Z):
        """Same as :meth:`decode` (the scikit-learn transformer name).

        Parameters
        ----------
        Z : array-like of shape (n_samples, n_encoded)
            Encoded designs.

        Returns
        -------
        X : ndarray
            The designs, in the representation seen in fit.
        """
        return self.decode(Z)
