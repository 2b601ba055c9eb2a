"""Column means and scales that follow the data's units, however large or small."""

import numpy as np


def mean_and_scale(X):
    """Column means and standard deviations of ``X`` (float64), 1.0 where constant.

    Each column is divided by the power of two at or below its largest magnitude
    before the moments are taken, and the moments multiplied back. Scaling by a
    power of two is exact, so for data of ordinary size the result is the same to
    the last bit as ``X.mean(axis=0), X.std(axis=0)``; near float64's limit the
    squares no longer overflow, and in tiny units (scores of 1e-20, say) no
    threshold mistakes real spread for none. The result follows the data's units:
    ``X * 2**k`` gives ``mean * 2**k`` and ``scale * 2**k``, bit for bit.

    A constant column (every value the same) has nothing to scale; its scale is
    1.0, so that its standardized values are 0. A column whose spread rounds to
    0 at float64's smallest numbers (values of about 1e-323) is scaled by that
    power of two instead.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features) or (n_samples,)
        Finite values.

    Returns
    -------
    mean, scale : ndarray of shape (n_features,), or floats for 1-D ``X``
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1:
        mean, scale = mean_and_scale(X[:, None])
        return float(mean[0]), float(scale[0])
    size = np.abs(X).max(axis=0)
    # size = m * 2**e with 0.5 <= m < 1 (e = 0 for size 0): divide by 2**(e - 1)
    _, exponent = np.frexp(size)
    power = np.ldexp(1.0, exponent - 1)
    scaled = X / power
    mean = scaled.mean(axis=0) * power
    scale = scaled.std(axis=0) * power
    # at float64's smallest numbers (5e-324) the spread can round to 0: the
    # power of two then stands for it, and the standardized values stay finite
    underflow = scale == 0
    scale[underflow] = power[underflow]
    scale[np.ptp(X, axis=0) == 0] = 1.0
    return mean, scale
