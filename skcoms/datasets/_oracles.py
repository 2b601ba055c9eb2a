"""Oracles: exact scores of any design, with their input checks."""

import numpy as np


def as_tokens(designs, length, n_categories, alphabet=None):
    """Check a batch of sequence designs and return it as integer tokens.

    Parameters
    ----------
    designs : array-like
        Integer tokens of shape ``(n, length)``, or, when ``alphabet`` is given,
        ``n`` strings of ``length`` characters or an array of single characters of
        shape ``(n, length)``.
    length : int
        The sequence length.
    n_categories : int
        The number of token values.
    alphabet : str, default=None
        The character of each token value.

    Returns
    -------
    tokens : ndarray of shape (n, length), dtype int64
    """
    if isinstance(designs, str):
        raise ValueError(
            "Expected a batch of designs, got a single string; wrap it in a list."
        )
    array = np.asarray(designs)
    if array.dtype.kind in "USO":
        if alphabet is None:
            raise ValueError(
                "Designs must be integer tokens for a task without an alphabet, "
                f"got dtype {array.dtype}."
            )
        if array.ndim == 1:
            strings = [str(item) for item in array]
        elif array.ndim == 2:
            strings = ["".join(str(char) for char in row) for row in array]
        else:
            raise ValueError(
                f"Expected strings or a 2-D array of characters, got shape "
                f"{array.shape}."
            )
        lookup = {char: token for token, char in enumerate(alphabet)}
        tokens = np.empty((len(strings), length), dtype=np.int64)
        for row, string in enumerate(strings):
            if len(string) != length:
                raise ValueError(
                    f"Design {row} has {len(string)} characters, expected {length}: "
                    f"{string!r}."
                )
            try:
                tokens[row] = [lookup[char] for char in string]
            except KeyError as error:
                raise ValueError(
                    f"Design {row} ({string!r}) holds {error.args[0]!r}, which is "
                    f"not in the alphabet {alphabet!r}."
                ) from None
        return tokens

    if array.ndim != 2 or array.shape[1] != length:
        raise ValueError(
            f"Expected designs of shape (n, {length}), got shape {array.shape}."
        )
    if array.dtype.kind == "b" or not np.issubdtype(array.dtype, np.number):
        raise ValueError(f"Expected integer tokens, got dtype {array.dtype}.")
    if not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueError("Expected integer tokens, got non-integer values.")
    if array.size and (array.min() < 0 or array.max() >= n_categories):
        raise ValueError(
            f"Tokens must lie in 0 .. {n_categories - 1}, got values from "
            f"{array.min()} to {array.max()}."
        )
    return array.astype(np.int64)


class SequenceTableOracle:
    """Scores of sequence designs looked up in a table of every sequence.

    Parameters
    ----------
    table : ndarray of shape (n_categories ** length,)
        The score of every sequence, at the index whose base-``n_categories``
        digits are its tokens, first token most significant.
    length : int
        The sequence length.
    n_categories : int
        The number of token values.
    alphabet : str, default=None
        The character of each token value; the oracle then also accepts strings.
    """

    def __init__(self, table, length, n_categories, alphabet=None):
        if table.shape != (n_categories**length,):
            raise ValueError(
                f"table must have shape ({n_categories**length},), got {table.shape}."
            )
        self.table = table
        self.length = length
        self.n_categories = n_categories
        self.alphabet = alphabet
        self._place_values = n_categories ** np.arange(length - 1, -1, -1)

    def index(self, designs):
        """The table index of each design."""
        tokens = as_tokens(designs, self.length, self.n_categories, self.alphabet)
        return tokens @ self._place_values

    def __call__(self, designs):
        """Scores (float64, shape ``(n,)``) of designs of shape ``(n, length)``."""
        return self.table[self.index(designs)].astype(np.float64)

    def __repr__(self):
        return (
            f"SequenceTableOracle(length={self.length}, "
            f"n_categories={self.n_categories})"
        )


class FunctionOracle:
    """Scores of continuous designs from a closed-form function.

    Parameters
    ----------
    function : callable
        Maps a float array of shape ``(n, n_features)`` to scores of shape ``(n,)``.
        Must be a module-level function, so the oracle pickles.
    n_features : int
        The design dimension.
    """

    def __init__(self, function, n_features):
        self.function = function
        self.n_features = n_features

    def __call__(self, designs):
        """Scores (float64, shape ``(n,)``) of designs of shape ``(n, n_features)``."""
        array = np.asarray(designs)
        if array.ndim != 2 or array.shape[1] != self.n_features:
            raise ValueError(
                f"Expected designs of shape (n, {self.n_features}), got shape "
                f"{array.shape}."
            )
        if array.dtype.kind == "b" or not np.issubdtype(array.dtype, np.number):
            raise ValueError(f"Expected numeric designs, got dtype {array.dtype}.")
        array = array.astype(np.float64)
        if not np.all(np.isfinite(array)):
            raise ValueError("Designs must be finite.")
        return self.function(array)

    def __repr__(self):
        return f"FunctionOracle({self.function.__name__}, n_features={self.n_features})"
