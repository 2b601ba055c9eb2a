"""The base classes of the design optimizers: fit, propose and score, written once.

A design optimizer declares its parameters and implements a few private hooks; the
public methods here validate the input, call the hooks and handle what every
optimizer shares (the design space, fitted state that a failed fit removes,
de-duplication, ranking, warnings). ``propose`` runs in four stages, as BoTorch's
candidate generation does:

1. start points (``_start_points``): batches of encoded designs with their measured
   scores, by default the data's best designs first;
2. search (``_search``): move each start point, returning the end points and the
   score of every iterate (the ``trajectory_``);
3. de-duplication (``drop_duplicates``, and ``_separation`` for near-copies):
   drop end points already in the data or already proposed, and draw more start
   points until enough are found;
4. ranking (``_rank_scores``): best first.

The docstrings of :class:`_BaseOptimizer` and :class:`_BaseModelOptimizer` state
what a subclass implements; ``skcoms/_cmaes.py`` is a complete example.
"""

import warnings
from abc import ABCMeta, abstractmethod

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._compat import HasMethods, _check_y, _fit_context
from ._defaults import default_model, is_discrete, is_underdetermined
from ._persistence import VersionedStateMixin, fit_or_unfit
from ._validation import (
    check_design_collection,
    check_finite_proposals,
    check_magnitude,
    check_n_designs,
    check_not_temporal,
    check_scores,
)
from .spaces import Box, CategoricalSequence, _is_string_data, infer_design_space

# the message ``score`` silences when fewer proposals than held-out designs exist
_SHORTFALL = "{n} designs were requested but only {k} {reason}; returning {k}."


def _validate_designs(estimator, design_space, X, y):
    """Fit a clone of ``design_space`` (inferred when None) and validate ``X``, ``y``.

    Numeric designs go through ``validate_data`` (which sets ``n_features_in_`` on
    ``estimator``); string designs are validated by the space.
    """
    check_design_collection(X)
    # before validate_data, which reads dates as numbers or fails on them
    check_not_temporal(y, "y")
    space = infer_design_space(X) if design_space is None else clone(design_space)
    if isinstance(space, Box):
        if _is_string_data(X):
            raise TypeError(
                "The design space is a Box (continuous designs) but X contains "
                "strings; use CategoricalSequence for sequences of tokens."
            )
        X, y = validate_data(
            estimator, X, y, y_numeric=True, dtype=[np.float64, np.float32]
        )
    else:
        y = _check_y(y, y_numeric=True)
        check_consistent_length(X, y)
        if np.ndim(X) == 2:
            if np.asarray(X).dtype.kind in "iub":
                X = validate_data(estimator, X, dtype=None)
            else:
                estimator.n_features_in_ = np.shape(X)[1]
    y = check_scores(y)
    if estimator._float32_data:
        check_magnitude(y, "y")
        if isinstance(space, Box):
            check_magnitude(X, "X", ", then multiply the proposals back")
    space.fit(X)
    return space, X, y


def _encode_designs(estimator, space, X):
    """Encode designs for a fitted ``estimator`` whose design space is ``space``."""
    if isinstance(space, Box):
        X = validate_data(estimator, X, reset=False, dtype=[np.float64, np.float32])
    elif np.ndim(X) == 2 and np.asarray(X).dtype.kind in "iub":
        X = validate_data(estimator, X, reset=False, dtype=None)
    return space.encode(X)


class _BaseOptimizer(VersionedStateMixin, BaseEstimator, metaclass=ABCMeta):
    """fit / propose for every design optimizer; subclasses implement the hooks.

    A subclass declares its own ``__init__`` parameters (always ``design_space`` and
    ``drop_duplicates``) and their ``_parameter_constraints``, lists its private
    fitted attributes in ``_private_fitted`` (the base collects them along the class
    hierarchy, so that a failed fit removes them), and implements:

    - ``_fit_designs(Z, y)``: learn from the encoded designs ``Z`` and their scores
      (the data are already stored as ``self._designs`` and ``self._scores``);
    - ``_search(Z0, y0) -> (Z, trajectory)``: the end points of a search from the
      encoded start points ``Z0`` (measured scores ``y0``), and the score of every
      iterate, shape ``(n_iterations + 1, len(Z0))``, or None when the method keeps
      no trajectory.

    and may override ``_start_points``, ``_rank_scores`` and ``_shortfall_message``.
    """

    _parameter_constraints = {
        "design_space": [HasMethods(["fit", "encode", "decode"]), None],
        "drop_duplicates": ["boolean"],
    }

    # private fitted attributes, removed when a fit fails; subclasses add theirs
    _private_fitted = ("_designs", "_scores")
    # the parameter a DivergenceError of the search tells the user to lower
    _step_parameter = "step_size"
    # whether the method's networks compute on the scores and continuous designs
    # (in float32): fit then rejects values whose squares would overflow there
    _float32_data = False

    @classmethod
    def _all_private_fitted(cls):
        names = []
        for klass in cls.__mro__:
            for name in vars(klass).get("_private_fitted", ()):
                if name not in names:
                    names.append(name)
        return tuple(names)

    # ---- fit ---------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the design space and what the method learns from the data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples,) of str
            Designs: real vectors, integer token sequences, strings, or 2-D arrays
            of string tokens.
        y : array-like of shape (n_samples,)
            Their measured scores (higher is better).

        Returns
        -------
        self : object
            The fitted optimizer.
        """
        with fit_or_unfit(self, private=self._all_private_fitted()):
            space, X, y = _validate_designs(self, self.design_space, X, y)
            Z = space.encode(X)
            self.design_space_ = space
            self._designs = Z
            self._scores = y
            self._fit_designs(Z, y)
        return self

    @abstractmethod
    def _fit_designs(self, Z, y):
        """Learn from the encoded designs ``Z`` and their scores ``y``."""

    # ---- propose -----------------------------------------------------------------

    def propose(self, n_designs, *, return_scores=False):
        """New designs, best first.

        One search starts from each of the ``n_designs`` best designs of the data
        (by measured score; ``paths_per_design`` times as many for the optimizers
        that have it, the best ``n_designs`` results kept by ranking score). With
        ``drop_duplicates``, proposals that are designs of the data or repeat a
        better proposal are dropped and the search goes on from the next-best
        designs until ``n_designs`` are found (for
        :class:`~skcoms.OfflineDesignOptimizer`, then from designs close to the
        data's: see its ``drop_duplicates``). When fewer can be found (every
        design of the data has been a starting point), fewer are returned, with a
        ``UserWarning``.

        Parameters
        ----------
        n_designs : int >= 1
            How many designs to propose.
        return_scores : bool, default=False
            Also return the score that ranks each proposal: the model's prediction
            (the measured score for :class:`~skcoms.baselines.BestOfDataset`).

        Returns
        -------
        designs : ndarray
            ``(n_proposals, n_features)``, or ``(n_proposals,)`` of str when
            fitted on strings, in the representation of the ``X`` seen in fit.
        scores : ndarray of shape (n_proposals,)
            Only with ``return_scores=True``.

        Raises
        ------
        skcoms.exceptions.DivergenceError
            When a proposal or its predicted score is NaN or infinite at the end of
            the search (a step too large for the model); the message names the
            first step where it happened and the parameter to lower.
        """
        check_is_fitted(self)
        n_designs = check_n_designs(n_designs)
        # stacklevel 3: the warning of a shortfall points at the caller of propose
        Z, scores, trajectory = self._propose(n_designs, stacklevel=3)
        if trajectory is not None:
            self.trajectory_ = trajectory
        designs = self.design_space_.decode(Z)
        return (designs, scores) if return_scores else designs

    def _propose(self, n_designs, stacklevel=2):
        """Encoded proposals, their ranking scores and trajectory; no side effect.

        Proposals are found batch after batch of start points until ``n_designs``
        are kept (one batch unless ``drop_duplicates``); a shortfall warns with
        ``stacklevel``.
        """
        known = self._keys(self._known_designs()) if self.drop_duplicates else []
        seen = set(known)
        n_known = len(seen)
        kept, kept_paths, kept_y0 = [], [], []
        trajectory = None
        separation = self._separation()
        # the test of near-copies of better proposals, where the optimizer has one
        near = None if separation is None else _NearCopies(*separation, n_designs)
        more = self.drop_duplicates or near is not None

        def take(Z, y0, order, keys, paths):
            """Keep ``Z[j]`` for ``j`` in ``order`` while designs are wanted, unless
            a design of the data, a repeat or a near-copy; ``paths[:, j]``: its
            trajectory (``paths`` None: no trajectory)."""
            for j in order:
                if len(kept) == n_designs:
                    return
                if keys[j] is not None and keys[j] in seen:
                    continue
                if near is not None and not near.add(Z[j]):
                    continue
                if keys[j] is not None:
                    seen.add(keys[j])
                kept.append(Z[j])
                kept_y0.append(y0[j])
                if paths is not None:
                    kept_paths.append(paths[:, j])

        for Z0, y0 in self._start_points(n_designs):
            if kept:
                Z, trajectory = self._search_more(Z0, y0, np.asarray(kept))
            else:
                Z, trajectory = self._search(Z0, y0)
            if trajectory is not None:
                # checked once per search, on the host copy: no synchronization per
                # step
                check_finite_proposals(Z, trajectory, self._step_parameter)
            Z = self.design_space_.encode(self.design_space_.decode(Z))
            # more paths than designs still wanted: the model keeps the best
            if more or len(Z) > n_designs - len(kept):
                rank = np.argsort(-self._rank_scores(Z, y0), kind="stable")
                keys = self._keys(Z) if self.drop_duplicates else [None] * len(Z)
            else:
                rank, keys = range(len(Z)), [None] * len(Z)
            take(Z, y0, rank, keys, trajectory)
            if len(kept) == n_designs or not more:
                break
        if len(kept) < n_designs and self.drop_duplicates:
            # every start was searched: the search's own fallback, if any, under
            # the same rules; a design made up this way has no path (NaN column)
            Z, y0 = self._fill()
            no_paths = None
            if trajectory is not None:
                no_paths = np.full((len(trajectory), len(Z)), np.nan)
            take(Z, y0, range(len(Z)), self._keys(Z), no_paths)
        if len(kept) < n_designs:
            message = self._shortfall_message(n_designs, len(kept))
            full = self.drop_duplicates and _space_size_note(
                self.design_space_, n_known, n_designs
            )
            if full:
                # the space has too few new designs: the base sentence without the
                # subclass's advice on its settings, which cannot help
                message = _BaseOptimizer._shortfall_message(self, n_designs, len(kept))
                message += full
            if near is not None and near.n_dropped:
                message += (
                    f" {near.n_dropped} proposals within min_separation="
                    f"{near.radius:g} of a better one were dropped as near-copies."
                )
            if not full and self.drop_duplicates and n_known < len(self._designs):
                # replicates start the same path: it ends where it ended before
                message += (
                    f" The data hold {n_known} distinct designs in "
                    f"{len(self._designs)} rows; a repeated design repeats the "
                    "search from it."
                )
            warnings.warn(message, UserWarning, stacklevel=stacklevel)
        return self._ranked(kept, kept_paths, kept_y0, trajectory)

    def _ranked(self, kept, kept_paths, kept_y0, trajectory):
        """Stack the kept proposals, best ranking score first."""
        if not kept:
            Z = np.empty((0, self._designs.shape[1]))
            scores = np.empty(0)
            paths = None if trajectory is None else np.empty((len(trajectory), 0))
            return Z, scores, paths
        Z = np.stack(kept)
        scores = np.asarray(self._rank_scores(Z, np.asarray(kept_y0)))
        best_first = np.argsort(-scores, kind="stable")
        paths = None
        if trajectory is not None:
            paths = np.stack(kept_paths, axis=1)[:, best_first]
        return Z[best_first], scores[best_first], paths

    def _start_points(self, n_designs):
        """Batches ``(Z0, y0)`` of encoded start points and their measured scores.

        The data's designs, best measured score first (ties in the order of the
        data), ``n_designs`` at a time; more than one batch is used only when
        ``drop_duplicates`` (or the test of near-copies, ``_separation``) needs
        more.
        """
        return self._best_designs_first(n_designs, n_designs)

    def _best_designs_first(self, first, size):
        """The data's designs best first: a batch of ``first``, then of ``size``."""
        # stable: ties keep the order of the data
        order = np.argsort(-self._scores, kind="stable")
        start, stop = 0, first
        while start < len(order):
            idx = order[start:stop]
            yield self._designs[idx], self._scores[idx]
            start, stop = stop, stop + size

    @abstractmethod
    def _search(self, Z0, y0):
        """End points of the search from ``Z0`` and the trajectory (or None)."""

    def _search_more(self, Z0, y0, kept):
        """:meth:`_search` from a later batch of start points, ``kept`` (encoded
        proposals) already chosen; a search that can steer clear of them does."""
        return self._search(Z0, y0)

    def _separation(self):
        """``(radius, scale)`` below which two proposals are one, or None.

        A proposal whose root-mean-square distance to a better-ranked one, each
        feature divided by ``scale``, is below ``radius`` is dropped as a
        near-copy, and the search goes on from more start points. None (the
        default): only ``drop_duplicates`` drops proposals.
        """
        return None

    def _fill(self):
        """More candidates once every start has been searched, best first.

        Returns encoded designs and the measured scores that stand for their
        starts, which ``propose`` takes in order under its rules (new, distinct,
        no near-copy) while designs are wanted; none by default.
        """
        return np.empty((0, self._designs.shape[1])), np.empty(0)

    def _rank_scores(self, Z, y0):
        """Scores that rank encoded proposals ``Z`` (``y0``: their start scores)."""
        return self._predict_encoded(Z)

    def _known_designs(self):
        """Encoded designs that ``drop_duplicates`` never proposes: the data."""
        return self._designs

    def _key_array(self, Z):
        """Encoded designs at the precision at which two of them are one design."""
        return np.asarray(Z, dtype=np.float64)

    def _keys(self, Z):
        """Hashable identity of encoded designs."""
        Z = np.ascontiguousarray(self._key_array(Z))
        return [row.tobytes() for row in Z]

    def _shortfall_message(self, n_designs, n_found):
        reason = (
            "distinct new designs were found"
            if self.drop_duplicates
            else "designs are in the data"
        )
        return _SHORTFALL.format(n=n_designs, k=n_found, reason=reason)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.string = True
        return tags


def _space_size_note(space, n_known, n_designs):
    """Where a sequence space has fewer new designs than were asked for, say so."""
    if not isinstance(space, CategoricalSequence):
        return ""
    # Python integers: no overflow for long sequences
    size = int(space.n_categories_) ** int(space.sequence_length_)
    if size - n_known >= n_designs:
        return ""
    return (
        f" The design space holds only {size} designs ({space.n_categories_} tokens "
        f"at {space.sequence_length_} positions), {n_known} of them in the data: "
        "no search finds more new ones."
    )


class _NearCopies:
    """The proposals kept so far, for a test of near-copies (``_separation``).

    ``add(z)`` keeps ``z`` unless its root-mean-square distance to a kept
    proposal, feature by feature in units of ``scale``, is below ``radius``.
    Squared distances come from dot products (one matrix-vector product per
    candidate, no temporary of the kept proposals' size), in coordinates
    centred on the first proposal kept, so that near ones stay small numbers.
    """

    def __init__(self, radius, scale, capacity):
        self.radius = float(radius)
        self.scale = np.where(scale > 0, scale, 1.0)
        self.threshold = self.radius**2 * len(self.scale)
        self.kept = np.empty((min(capacity, 256), len(self.scale)))
        self.norms = np.empty(len(self.kept))
        self.capacity = capacity
        self.origin = None
        self.n = 0
        self.n_dropped = 0

    def add(self, z):
        if self.origin is None:
            self.origin = z / self.scale
        z = z / self.scale - self.origin
        norm = z @ z
        if self.n:
            kept = self.kept[: self.n]
            squared = self.norms[: self.n] + norm - 2.0 * (kept @ z)
            if squared.min() < self.threshold:
                self.n_dropped += 1
                return False
        if self.n == len(self.kept):
            size = min(2 * self.n, self.capacity)
            self.kept = np.resize(self.kept, (size, len(self.scale)))
            self.norms = np.resize(self.norms, size)
        self.kept[self.n] = z
        self.norms[self.n] = norm
        self.n += 1
        return True


class _BaseModelOptimizer(_BaseOptimizer):
    """A design optimizer that searches a fitted model of the score.

    On top of :class:`_BaseOptimizer`: the ``estimator`` and ``random_state``
    parameters, the default model (:func:`skcoms._defaults.default_model`, chosen by
    ``_conservative_default``), the model's seeding, ``predict`` and ``score``.
    A subclass implements ``_fit_search()`` (what the search needs once the model
    is fitted) and ``_search(Z0, y0)``.
    """

    _float32_data = True

    _parameter_constraints = {
        **_BaseOptimizer._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
    }

    # the default model: a COMs model (True) or a plain regression model (False)
    _conservative_default = True

    def _default_estimator(self, space, Z):
        """The model used when ``estimator=None``, for the encoded designs ``Z``."""
        return default_model(
            is_discrete(space),
            conservative=self._conservative_default,
            underdetermined=is_underdetermined(Z),
        )

    def _fit_designs(self, Z, y):
        if self.estimator is None:
            estimator = self._default_estimator(self.design_space_, Z)
        else:
            estimator = clone(self.estimator)
        if self.random_state is not None and "random_state" in estimator.get_params():
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            estimator.set_params(random_state=int(seed))
        self.estimator_ = estimator.fit(Z, y)
        self._fit_search()

    def _fit_search(self):  # noqa: B027 (a hook that may do nothing)
        """Set what ``_search`` needs once ``estimator_`` is fitted."""

    def _predict_encoded(self, Z):
        return self.estimator_.predict(Z)

    def _key_array(self, Z):
        # designs that differ below the model's precision are the same to it: a
        # float32 network sees a continuous design standardized in float64, then
        # rounded to float32 (so 1e7 + x keeps the resolution of x)
        dtype = getattr(self.estimator_, "_numpy_dtype", None)
        if dtype is not None and dtype() == np.float64:
            return np.asarray(Z, dtype=np.float64)
        mean = getattr(self.estimator_, "x_mean_", None)
        scale = getattr(self.estimator_, "x_scale_", None)
        if is_discrete(self.design_space_) or mean is None or scale is None:
            return np.asarray(Z, dtype=np.float32)
        return ((np.asarray(Z, dtype=np.float64) - mean) / scale).astype(np.float32)

    def predict(self, X):
        """The model's predicted scores of designs.

        Parameters
        ----------
        X : array-like
            Designs in the representation seen in fit.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Predicted scores, in the units of the ``y`` seen in fit.
        """
        check_is_fitted(self)
        return self._predict_encoded(_encode_designs(self, self.design_space_, X))

    def score(self, X, y):
        """How well the model would guide the search, judged on held-out designs.

        Meant for held-out designs that score higher than the ones the optimizer
        was fitted on, as the test folds of
        :class:`~skcoms.model_selection.TopKSplit` do, so that
        ``GridSearchCV(optimizer, {"estimator__alpha": [...]}, cv=TopKSplit())``
        chooses the conservatism of the model by how it behaves off its data. Two
        errors are pooled, each squared and in units of ``y``:

        - the error of the predicted score of each held-out design
          (``predict(X) - y``): too optimistic and too pessimistic both mislead
          the search on designs better than the data;
        - the over-estimation of each proposal: ``propose(m)``, with ``m`` the
          number of held-out designs (at most the number of designs seen in fit),
          is run from the fitted model, and each proposal's predicted score above
          ``max(y)``, the best measured score, counts as its error (nothing when
          it is predicted at or below). A claim beyond every measured design is
          what the data cannot confirm, and over-estimated proposals are the way
          offline optimization fails.

        The score is ``1 - (sum of squared errors) / ((n + m) * var(y_fit))``,
        with ``n`` the number of held-out designs and ``var(y_fit)`` the variance
        of the scores seen in fit: 1 for no error, 0 for an error as large as the
        spread of the data, unbounded below. It uses only ``X``, ``y`` and the
        fitted model, never an oracle. The proposals are made as ``propose``
        makes them after fit; the ``trajectory_`` of an earlier ``propose`` call
        is kept.

        Any scikit-learn scorer can replace it in a search, for example
        ``scoring="neg_mean_squared_error"`` (the first term only) or the rank
        scorers of :mod:`skcoms.model_selection`.

        Parameters
        ----------
        X : array-like
            Designs in the representation seen in fit.
        y : array-like of shape (n_samples,)
            Their measured scores.

        Returns
        -------
        score : float
            Higher is better, at most 1.
        """
        check_is_fitted(self)
        y = np.asarray(_check_y(y, y_numeric=True), dtype=np.float64)
        check_consistent_length(X, y)
        errors = self.predict(X) - y
        n_proposals = min(y.size, self._designs.shape[0])
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore",
                message=".* designs were requested but only",
                category=UserWarning,
            )
            _, predicted, _ = self._propose(n_proposals)
        overestimation = np.maximum(predicted - y.max(), 0.0)
        squared = np.sum(errors**2) + np.sum(overestimation**2)
        spread = np.var(self._scores)
        if not spread > 0:
            spread = 1.0
        return float(1.0 - squared / ((errors.size + overestimation.size) * spread))
