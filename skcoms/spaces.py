"""Design spaces: how designs are encoded as the real vectors a model is fitted on.

A design space is a small transformer. ``fit(X)`` learns what the data does not state
(bounds, alphabet, sequence length), ``encode`` maps designs to real vectors and
``decode`` maps real vectors back to designs, in the representation of the ``X`` seen
in fit. ``Box`` holds continuous designs; ``CategoricalSequence`` holds sequences of
tokens, encoded as logits the way Design-Bench and the COMs reference do.
"""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy import sparse
from sklearn.utils.validation import check_array, check_is_fitted

from ._box import Box
from ._compat import Interval, _fit_context, validate_params
from ._persistence import fit_or_unfit
from ._space_base import _DesignSpace, _is_string_data
from ._validation import case_hint, check_no_mixed_case

__all__ = ["Box", "CategoricalSequence", "infer_design_space"]


@validate_params({"X": ["array-like"]}, prefer_skip_nested_validation=True)
def infer_design_space(X):
    """The design space ``OfflineDesignOptimizer`` assumes when none is given.

    - text (a 1-D array of strings, or a 2-D array of string tokens) gives
      ``CategoricalSequence()``, whose alphabet is the sorted set of tokens in ``X``;
    - integers (or booleans) give ``CategoricalSequence()`` over the categories
      ``0 .. X.max()``: integer designs are read as token sequences, the
      representation of Design-Bench's discrete tasks. Pass ``Box()`` to treat
      integer features as continuous instead;
    - anything else (floats) gives ``Box()`` with bounds inferred from the data.

    Parameters
    ----------
    X : array-like
        The designs.

    Returns
    -------
    space : Box or CategoricalSequence
        An unfitted design space.

    Examples
    --------
    >>> from skcoms.spaces import infer_design_space
    >>> infer_design_space(["ACGT", "AAGT"])
    CategoricalSequence()
    >>> infer_design_space([[0.5, 1.0], [0.1, 2.0]])
    Box()
    """
    if _is_string_data(X):
        return CategoricalSequence()
    arr = X if isinstance(X, np.ndarray) else None
    if arr is None:
        try:
            arr = np.asarray(X)
        except (TypeError, ValueError):
            return Box()
    if arr.dtype.kind in "iub":
        return CategoricalSequence()
    return Box()


class CategoricalSequence(_DesignSpace):
    """Sequences of ``L`` tokens over ``C`` categories, encoded as logits.

    Designs are given either as integer arrays of shape ``(n, L)`` with tokens
    ``0 .. C-1``, as strings of length ``L`` over an alphabet (``"ACGT"``), or as
    arrays of shape ``(n, L)`` whose entries are string tokens. Decoded designs come
    back in the representation seen in fit: strings give strings.

    Encoding follows Design-Bench and the COMs reference: each token becomes a
    one-hot vector mixed with the uniform distribution,
    ``p = s * onehot + (1 - s) / C`` with ``s = soft_interpolation``; then
    ``log p_c - log p_0`` for ``c = 1 .. C-1`` gives ``C - 1`` logits per position,
    ``L * (C - 1)`` real inputs in all. Decoding prepends a zero logit for category
    0 at each position and takes the argmax, so ``decode(encode(X))`` gives ``X``.

    Parameters
    ----------
    n_categories : int >= 2 or None, default=None
        Number of categories ``C``. ``None`` takes ``len(alphabet)`` when an
        alphabet is given, else ``max + 1`` over integer data, else the number of
        distinct tokens in string data.
    alphabet : str, sequence of str or None, default=None
        The tokens in category order (category ``c`` is ``alphabet[c]``); a string
        is read as one token per character. Designs are then strings or string
        tokens. ``None`` with string data uses the sorted distinct tokens of the
        data; with integer data the tokens are the integers themselves.
    soft_interpolation : float in (0, 1), default=0.6
        Weight ``s`` of the one-hot vector in the mixture with the uniform
        distribution.

    Attributes
    ----------
    n_categories_ : int
        Number of categories ``C``.
    alphabet_ : ndarray of str of shape (n_categories_,) or None
        Tokens of the categories; None for integer designs.
    sequence_length_ : int
        Number of positions ``L``.
    n_features_out_ : int
        ``L * (C - 1)``, the length of an encoded design.
    representation_ : {"strings", "tokens", "integers"}
        The form of the designs seen in fit: 1-D strings, a 2-D array of string
        tokens, or a 2-D array of integers.
    dtype_ : numpy dtype
        Dtype of the designs seen in fit; decoded designs have it.

    Examples
    --------
    >>> from skcoms.spaces import CategoricalSequence
    >>> space = CategoricalSequence(alphabet="ACGT").fit(["ACGT", "GGTA"])
    >>> space.encode(["ACGT"]).shape
    (1, 12)
    >>> space.decode(space.encode(["TTAC", "ACGT"]))
    array(['TTAC', 'ACGT'], dtype='<U4')
    """

    _parameter_constraints = {
        "n_categories": [Interval(Integral, 2, None, closed="left"), None],
        "alphabet": [str, "array-like", None],
        "soft_interpolation": [Interval(Real, 0, 1, closed="neither")],
    }

    def __init__(self, n_categories=None, *, alphabet=None, soft_interpolation=0.6):
        self.n_categories = n_categories
        self.alphabet = alphabet
        self.soft_interpolation = soft_interpolation

    # ---- parsing designs into an (n, L) integer array -------------------------

    def _split(self, X):
        """Designs as a 2-D array of tokens, and their representation."""
        if isinstance(X, str):
            raise TypeError(
                "X must be a sequence of designs, got a single string; wrap it in "
                "a list."
            )
        if sparse.issparse(X):
            raise TypeError(
                "X is a sparse matrix, but designs must be dense; use X.toarray()."
            )
        if _is_string_data(X):
            if np.asarray(X).dtype.kind == "S":
                raise TypeError(
                    f"X holds bytes (dtype {np.asarray(X).dtype}), not text; "
                    "decode them first, for example X.astype(str)."
                )
            arr = np.asarray(X, dtype=object)
            if arr.ndim == 1:
                lengths = {len(s) for s in arr}
                if len(lengths) > 1:
                    raise ValueError(
                        "All sequences must have the same length; got lengths "
                        f"{sorted(lengths)}."
                    )
                if arr.size == 0:
                    raise ValueError("X contains no designs.")
                tokens = np.array([list(s) for s in arr], dtype=object)
                if tokens.ndim != 2 or tokens.shape[1] == 0:
                    raise ValueError("Sequences must hold at least one token.")
                return tokens, "strings"
            if arr.ndim == 2:
                if arr.shape[0] == 0 or arr.shape[1] == 0:
                    raise ValueError(
                        f"X must hold at least one design and one position, got "
                        f"shape {arr.shape}."
                    )
                return arr, "tokens"
            raise ValueError(
                "String designs must be a 1-D array of strings or a 2-D array of "
                f"tokens, got {arr.ndim} dimensions."
            )
        try:
            arr = np.asarray(X)
        except ValueError as exc:
            raise ValueError(
                "All sequences must have the same length (X is ragged)."
            ) from exc
        if arr.dtype.kind == "O":
            types = sorted({type(v).__name__ for v in arr.ravel()})
            if not all(isinstance(v, Integral | np.integer) for v in arr.ravel()):
                raise TypeError(
                    "CategoricalSequence designs must be strings or integers, got "
                    f"elements of type {types}."
                )
            arr = arr.astype(np.int64)
        if arr.dtype.kind == "f":
            if not np.isfinite(arr).all() or not (arr == np.round(arr)).all():
                raise TypeError(
                    "CategoricalSequence designs must be integer tokens, but X holds "
                    "non-integer numbers; use Box for continuous designs."
                )
        elif arr.dtype.kind not in "iub":
            raise TypeError(
                f"CategoricalSequence cannot read designs of dtype {arr.dtype}."
            )
        if arr.ndim != 2:
            raise ValueError(
                "Integer designs must be a 2-D array (n_designs, sequence_length), "
                f"got shape {arr.shape}."
            )
        if arr.shape[0] == 0 or arr.shape[1] == 0:
            raise ValueError(
                f"X must hold at least one design and one position, got shape "
                f"{arr.shape}."
            )
        return arr, "integers"

    def _tokens(self, X):
        """Validated ``(n, L)`` array of category indices."""
        check_is_fitted(self)
        arr, representation = self._split(X)
        if (representation == "integers") != (self.alphabet_ is None):
            kind = "integers" if self.alphabet_ is None else "string tokens"
            raise TypeError(
                f"This space was fitted on {kind} but X holds {representation}."
            )
        if arr.shape[1] != self.sequence_length_:
            raise ValueError(
                f"Sequences must have length {self.sequence_length_} (as in fit), "
                f"got {arr.shape[1]}."
            )
        if self.alphabet_ is None:
            if arr.min() < 0 or arr.max() >= self.n_categories_:
                bad = arr[(arr < 0) | (arr >= self.n_categories_)]
                raise ValueError(
                    f"Tokens must lie in 0..{self.n_categories_ - 1}; got "
                    f"{sorted(set(bad.tolist()))[:10]}."
                )
            return arr.astype(np.int64)
        index = {tok: c for c, tok in enumerate(self.alphabet_.tolist())}
        flat = arr.ravel().tolist()
        unknown = sorted({t for t in flat if t not in index}, key=str)
        if unknown:
            tokens = self.alphabet_.tolist()
            shown = "".join(tokens) if self._single_chars else tokens
            raise ValueError(
                f"Tokens {unknown[:10]} are not in the alphabet {shown}."
                + case_hint(unknown, tokens)
            )
        return np.array([index[t] for t in flat], dtype=np.int64).reshape(arr.shape)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the sequence length, and the categories the parameters leave open.

        Parameters
        ----------
        X : array-like of shape (n_samples,) of str, or (n_samples, L)
            Designs.
        y : None
            Ignored.

        Returns
        -------
        self : CategoricalSequence
            The fitted space.
        """
        with fit_or_unfit(self, private=("_single_chars",)):
            return self._fit(X)

    def _fit(self, X):
        arr, representation = self._split(X)
        alphabet = self.alphabet
        if alphabet is not None:
            alphabet = list(alphabet) if isinstance(alphabet, str) else list(alphabet)
            if not all(isinstance(t, str) for t in alphabet):
                raise TypeError("alphabet must be a string or a sequence of strings.")
            if len(set(alphabet)) != len(alphabet):
                raise ValueError(f"alphabet has repeated tokens: {alphabet}.")
            if len(alphabet) < 2:
                raise ValueError("alphabet must hold at least two tokens.")
            if representation == "integers":
                raise TypeError(
                    "An alphabet was given but X holds integers; pass string designs "
                    "or drop the alphabet and give n_categories."
                )
            if representation == "strings" and any(len(t) != 1 for t in alphabet):
                raise ValueError(
                    "With designs given as strings every alphabet token must be one "
                    "character; give a 2-D array of tokens for longer tokens."
                )
            if self.n_categories is not None and self.n_categories != len(alphabet):
                raise ValueError(
                    f"n_categories={self.n_categories} contradicts the alphabet of "
                    f"{len(alphabet)} tokens."
                )
        elif representation != "integers":
            alphabet = sorted({str(t) for t in arr.ravel()})
            check_no_mixed_case(alphabet)
            if self.n_categories is not None and self.n_categories != len(alphabet):
                raise ValueError(
                    f"n_categories={self.n_categories} but the string designs hold "
                    f"{len(alphabet)} distinct tokens; pass alphabet= to name every "
                    "category."
                )
            if len(alphabet) < 2:
                raise ValueError(
                    f"The designs hold a single token {alphabet}; pass alphabet= "
                    "with at least two tokens."
                )
        if alphabet is None:
            if arr.min() < 0:
                raise ValueError(
                    f"Integer tokens must be non-negative, got {int(arr.min())}."
                )
            n_categories = (
                max(int(arr.max()) + 1, 2)
                if self.n_categories is None
                else self.n_categories
            )
            self.alphabet_ = None
        else:
            n_categories = len(alphabet)
            self.alphabet_ = np.array(alphabet, dtype=object)
        self._single_chars = alphabet is not None and all(len(t) == 1 for t in alphabet)
        if (
            representation == "tokens"
            and arr.shape[1] == 1
            and self.alphabet is None
            and not self._single_chars
        ):
            # df[["seq"]] rather than df["seq"]: likely sequences, read as tokens
            warnings.warn(
                "X is one column of strings of several characters: each string is "
                "read as one token, a sequence of length 1, whose only new designs "
                "are tokens outside the data. To optimize the strings as sequences "
                "of characters, pass a 1-D array of them (for example df['seq'] "
                "rather than df[['seq']]).",
                UserWarning,
                stacklevel=4,
            )
        self.n_categories_ = n_categories
        self.sequence_length_ = arr.shape[1]
        self.n_features_out_ = self.sequence_length_ * (n_categories - 1)
        self.representation_ = representation
        self.dtype_ = None if representation == "strings" else np.asarray(X).dtype
        if self.dtype_ is not None and self.dtype_.kind == "U":
            # wide enough for every token of the alphabet, not only those seen
            self.dtype_ = np.promote_types(self.dtype_, np.array(alphabet).dtype)
        # validates the tokens against the categories just set
        self._tokens(X)
        return self

    def encode(self, X):
        """Designs as logits.

        Parameters
        ----------
        X : array-like of shape (n_samples,) of str, or (n_samples, L)
            Designs: strings, token sequences or integer categories.

        Returns
        -------
        Z : ndarray of shape (n_samples, L * (C - 1))
            The logits of each design.
        """
        tokens = self._tokens(X)
        C, s = self.n_categories_, self.soft_interpolation
        on, off = np.log(s + (1.0 - s) / C), np.log((1.0 - s) / C)
        # log p_c - log p_0 takes three values: 0, on - off, off - on
        logits = np.zeros(tokens.shape + (C - 1,))
        positive = tokens > 0
        logits[positive, tokens[positive] - 1] = on - off
        logits[~positive] = off - on
        return logits.reshape(tokens.shape[0], -1)

    def decode(self, Z):
        """Logits as designs: a zero logit for category 0, then argmax per position.

        Parameters
        ----------
        Z : array-like of shape (n_samples, L * (C - 1))
            Logits.

        Returns
        -------
        X : ndarray
            Shape ``(n_samples,)`` of str when fitted on strings, else
            ``(n_samples, L)``.
        """
        check_is_fitted(self)
        Z = check_array(Z, dtype=[np.float64, np.float32], ensure_min_samples=0)
        if Z.shape[1] != self.n_features_out_:
            raise ValueError(
                f"Encoded designs must have {self.n_features_out_} columns, got "
                f"{Z.shape[1]}."
            )
        logits = Z.reshape(Z.shape[0], self.sequence_length_, self.n_categories_ - 1)
        logits = np.concatenate([np.zeros(logits.shape[:2] + (1,)), logits], axis=2)
        return self._format(logits.argmax(axis=2))

    def _format(self, tokens):
        """Category indices ``(n, L)`` in the representation seen in fit."""
        if self.alphabet_ is None:
            return tokens.astype(self.dtype_)
        symbols = self.alphabet_[tokens]
        if self.representation_ == "strings":
            return np.array(["".join(row) for row in symbols], dtype=str)
        return symbols.astype(self.dtype_)

    def encoded_bounds(self):
        """Logits are unbounded.

        Returns
        -------
        bounds : None
            No bounds.
        """
        check_is_fitted(self)
        return None
