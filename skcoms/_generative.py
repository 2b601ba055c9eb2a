"""What the generative baselines share: the designs in the form their models read.

CbAS, MINs and REINFORCE model designs directly rather than through the logit
encoding the score models use: sequences as integer tokens (an ``n x L`` array over
``C`` categories), real vectors in standardized units of the data. A
:class:`DesignCodec` maps the encoded designs of a fitted design space to that form
and back.
"""

import numpy as np

from ._defaults import is_discrete
from ._standardize import mean_and_scale


class DesignCodec:
    """Encoded designs <-> tokens or standardized reals, for one fitted space.

    Parameters
    ----------
    space : Box or CategoricalSequence
        The fitted design space.
    Z : ndarray of shape (n, d)
        The encoded designs of the data (their mean and spread standardize real
        designs).

    Attributes
    ----------
    kind : {"categorical", "gaussian"}
    shape : tuple
        ``(L, C)`` for sequences, ``(d,)`` for real vectors.
    """

    def __init__(self, space, Z):
        self.discrete = is_discrete(space)
        if self.discrete:
            self.kind = "categorical"
            self.shape = (space.sequence_length_, space.n_categories_)
            C, s = space.n_categories_, space.soft_interpolation
            # the logit of a token against category 0, as the space encodes it
            self._gap = np.log(s + (1.0 - s) / C) - np.log((1.0 - s) / C)
        else:
            self.kind = "gaussian"
            self.shape = (Z.shape[1],)
            self.mean, self.scale = mean_and_scale(Z)

    def to_model(self, Z):
        """Tokens ``n x L`` (int64), or standardized reals ``n x d``."""
        Z = np.asarray(Z, dtype=np.float64)
        if not self.discrete:
            return (Z - self.mean) / self.scale
        L, C = self.shape
        logits = Z.reshape(len(Z), L, C - 1)
        logits = np.concatenate([np.zeros((len(Z), L, 1)), logits], axis=2)
        return logits.argmax(axis=2).astype(np.int64)

    def from_model(self, A):
        """Encoded designs (float64 ``n x d``) from tokens or standardized reals."""
        if not self.discrete:
            return np.asarray(A, dtype=np.float64) * self.scale + self.mean
        tokens = np.asarray(A, dtype=np.int64)
        L, C = self.shape
        onehot = np.eye(C)[tokens]
        logits = self._gap * (onehot[:, :, 1:] - onehot[:, :, :1])
        return logits.reshape(len(tokens), L * (C - 1))
