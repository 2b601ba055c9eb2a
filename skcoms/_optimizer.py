"""OfflineDesignOptimizer: propose new designs by gradient ascent on a fitted model."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.validation import (
    _check_y,
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from ._persistence import VersionedStateMixin, fit_or_unfit
from ._regressor import ConservativeObjectiveRegressor
from ._torch.ascent import gradient_ascent
from ._validation import (
    check_design_collection,
    check_finite_proposals,
    check_n_designs,
    check_scores,
)
from .spaces import Box, CategoricalSequence, _is_string_data, infer_design_space


def _validate_designs(estimator, design_space, X, y):
    """Fit a clone of ``design_space`` (inferred when None) and validate ``X``, ``y``.

    Numeric designs go through ``validate_data`` (which sets ``n_features_in_`` on
    ``estimator``); string designs are validated by the space.
    """
    check_design_collection(X)
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
    space.fit(X)
    return space, X, y


def _encode_designs(estimator, space, X):
    """Encode designs for a fitted ``estimator`` whose design space is ``space``."""
    if isinstance(space, Box):
        X = validate_data(estimator, X, reset=False, dtype=[np.float64, np.float32])
    elif np.ndim(X) == 2 and np.asarray(X).dtype.kind in "iub":
        X = validate_data(estimator, X, reset=False, dtype=None)
    return space.encode(X)


class OfflineDesignOptimizer(VersionedStateMixin, BaseEstimator):
    """Propose designs that score higher than the data, by ascent on a fitted model.

    ``fit(X, y)`` encodes the designs through ``design_space`` and fits a clone of
    ``estimator`` on them. ``propose(n_designs)`` starts from the ``n_designs``
    best designs of the data (by measured score), runs ``n_steps`` of gradient
    ascent on the fitted model, all starting points at once on the model's device,
    and returns the decoded end points, best predicted score first, in the
    representation of the ``X`` seen in fit (strings in, strings out). This is the
    final stage of Conservative Objective Models (COMs); with a plain regression
    model it is the naive gradient-ascent baseline.

    The ascent is the routine the regressor uses to mine its negatives, driven by
    ``estimator_.design_objective()``: any fitted estimator that offers that method
    can be optimized.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score. It must offer ``design_objective()`` after fit.
        ``None`` uses a ``ConservativeObjectiveRegressor`` with the reference's
        settings for the design space: its defaults for continuous designs, and
        ``ascent_step_size=2.0, overestimation_limit=2.0`` for categorical ones.
        To search its parameters (``estimator__alpha``), pass it explicitly.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded. ``None`` infers it from ``X`` (see
        :func:`skcoms.spaces.infer_design_space`): floats give ``Box()`` (bounds
        from the data with a 10% margin), strings give a ``CategoricalSequence``
        over the sorted tokens of the data, and integer arrays give a
        ``CategoricalSequence`` over ``0 .. X.max()``.
    n_steps : int >= 0 or None, default=None
        Ascent steps per proposal. ``None`` uses ``estimator_.n_ascent_steps``
        (50 when the estimator has no such parameter): the proposals then go as
        far as the negatives the model was trained to score down, as in the COMs
        reference, which uses 50 steps for both.
    step_size : float > 0 or None, default=None
        Step length in the units of the direction of ``design_objective()`` (the
        estimator's standardized inputs). ``None`` uses
        ``estimator_.ascent_step_size_``, the step the model mined its negatives
        with, so the proposals follow the path the model was trained to be
        conservative along.
    drop_duplicates : bool, default=False
        Drop proposals identical to a design of the data and repeated proposals
        (the first, best-scored copy is kept). To make up for them, the ascent is
        rerun from the next-best designs of the data until ``n_designs`` distinct
        new designs are found; when every design of the data has been used as a
        starting point, fewer are returned with a ``UserWarning``.
    random_state : int, RandomState instance or None, default=None
        When not None, seeds the estimator's fit (it replaces the clone's own
        ``random_state``). The ascent itself is deterministic.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model of the score, fitted on encoded designs.
    design_space_ : Box or CategoricalSequence
        The fitted design space.
    n_steps_ : int
        The number of ascent steps in use.
    step_size_ : float
        The ascent step in use.
    trajectory_ : ndarray of shape (n_steps_ + 1, n_proposals)
        Predicted score of each proposal of the last ``propose`` call along its
        ascent, start and end included; column ``j`` is proposal ``j``. For
        categorical designs these are scores of the logits being climbed; the
        score of a decoded proposal is what ``return_scores`` gives.
    n_features_in_ : int
        Number of columns of ``X`` when it is a 2-D array (not set for 1-D string
        designs).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    See Also
    --------
    skcoms.baselines.GradientAscentOptimizer : The same ascent on a plain
        regression model.
    skcoms.baselines.BestOfDataset : The best designs of the data.

    References
    ----------
    B. Trabucco, A. Kumar, X. Geng, S. Levine. "Conservative Objective Models for
    Effective Offline Model-Based Optimization." ICML 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(200, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressor((32, 32), max_iter=20)
    >>> opt = OfflineDesignOptimizer(model, random_state=0).fit(X, y)
    >>> designs, scores = opt.propose(4, return_scores=True)
    >>> designs.shape, opt.trajectory_.shape
    ((4, 2), (11, 4))
    >>> bool(np.all(np.diff(scores) <= 0))
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "design_objective"]), None],
        "design_space": [HasMethods(["fit", "encode", "decode"]), None],
        "n_steps": [Interval(Integral, 0, None, closed="left"), None],
        "step_size": [Interval(Real, 0, None, closed="neither"), None],
        "drop_duplicates": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_steps=None,
        step_size=None,
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_steps = n_steps
        self.step_size = step_size
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    # ---- what subclasses change -----------------------------------------------

    # the parameter a DivergenceError of the search tells the user to lower
    _step_parameter = "step_size"

    def _default_estimator(self, space):
        """The model used when ``estimator=None``."""
        if isinstance(space, CategoricalSequence):
            return ConservativeObjectiveRegressor(
                ascent_step_size=2.0, overestimation_limit=2.0
            )
        return ConservativeObjectiveRegressor()

    def _search(self, Z0):
        """Move the encoded starting points ``Z0`` (``n x d``) uphill.

        Returns the end points ``n x d`` and the predicted score of every
        iterate, ``(n_steps + 1) x n``, both numpy.
        """
        objective = self.estimator_.design_objective()
        device, dtype = objective.device, objective.dtype
        x0 = torch.as_tensor(Z0).to(device=device, dtype=dtype)
        bounds = self.design_space_.encoded_bounds()
        lower = upper = None
        if bounds is not None:
            lower = torch.as_tensor(bounds[0]).to(device=device, dtype=dtype)
            upper = torch.as_tensor(bounds[1]).to(device=device, dtype=dtype)
        step = self.step_size_
        if step > torch.finfo(dtype).max:
            # beyond the dtype the first step overflows; a tensor step lets it show
            # as an infinite proposal rather than a conversion error
            step = torch.tensor(step, device=device, dtype=dtype)
        x, values = gradient_ascent(
            objective,
            x0,
            n_steps=self.n_steps_,
            step_size=step,
            lower=lower,
            upper=upper,
            record=True,
        )
        # one host copy for the whole ascent
        return x.double().cpu().numpy(), values.double().cpu().numpy()

    def _fit_search(self):
        """Set what ``_search`` needs once the estimator is fitted."""
        if self.n_steps is not None:
            self.n_steps_ = self.n_steps
        else:
            self.n_steps_ = int(getattr(self.estimator_, "n_ascent_steps", 50))
        if self.step_size is not None:
            self.step_size_ = float(self.step_size)
        elif hasattr(self.estimator_, "ascent_step_size_"):
            self.step_size_ = float(self.estimator_.ascent_step_size_)
        else:
            raise ValueError(
                f"{type(self.estimator_).__name__} has no ascent_step_size_; pass "
                "step_size explicitly."
            )

    # ---- shared machinery -------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the design space and the model of the score.

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
        with fit_or_unfit(self, private=self._private_fitted):
            return self._fit(X, y)

    # fitted state kept in private attributes, removed when a fit fails
    _private_fitted = ("_designs", "_scores", "_feature_scale", "_cma_seed")

    def _fit(self, X, y):
        space, X, y = _validate_designs(self, self.design_space, X, y)
        Z = space.encode(X)
        if self.estimator is None:
            estimator = self._default_estimator(space)
        else:
            estimator = clone(self.estimator)
        if self.random_state is not None and "random_state" in estimator.get_params():
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            estimator.set_params(random_state=int(seed))
        self.design_space_ = space
        self.estimator_ = estimator.fit(Z, y)
        self._designs = Z
        self._scores = y
        self._fit_search()
        return self

    def _keys(self, Z):
        """Hashable identity of encoded designs, at the precision of the model."""
        dtype = np.float32
        objective_dtype = getattr(self.estimator_, "_torch_dtype", None)
        if objective_dtype is not None and objective_dtype() == torch.float64:
            dtype = np.float64
        Z = np.ascontiguousarray(Z, dtype=dtype)
        return [row.tobytes() for row in Z]

    def propose(self, n_designs, *, return_scores=False):
        """New designs, best predicted score first.

        Parameters
        ----------
        n_designs : int >= 1
            How many designs to propose. One proposal starts from each of the
            ``n_designs`` best designs of the data; when ``n_designs`` exceeds the
            number of designs in the data, every design is a starting point and
            fewer proposals are returned, with a ``UserWarning``.
        return_scores : bool, default=False
            Also return the model's predicted score of each proposal.

        Returns
        -------
        designs : ndarray
            ``(n_proposals, n_features)``, or ``(n_proposals,)`` of str when
            fitted on strings, in the representation of the ``X`` seen in fit.
        scores : ndarray of shape (n_proposals,)
            Predicted scores, in ``y``'s units; only with ``return_scores=True``.

        Raises
        ------
        skcoms.exceptions.DivergenceError
            When a proposal or its predicted score is NaN or infinite at the end of
            the search (a ``step_size`` too large for the model); the message names
            the first step where it happened. Checked once after the search.
        """
        check_is_fitted(self)
        n_designs = check_n_designs(n_designs)
        n_samples = self._designs.shape[0]
        # stable: ties keep the order of the data
        order = np.argsort(-self._scores, kind="stable")
        seen = set(self._keys(self._designs)) if self.drop_duplicates else set()
        kept, kept_paths = [], []
        start = 0
        while start < n_samples and len(kept) < n_designs:
            idx = order[start : start + n_designs]
            start += len(idx)
            Z, paths = self._search(self._designs[idx])
            # checked once per search, on the host copy: no synchronization per step
            check_finite_proposals(Z, paths, self._step_parameter)
            Z = self.design_space_.encode(self.design_space_.decode(Z))
            if not self.drop_duplicates:
                kept.extend(Z)
                kept_paths.extend(paths.T)
                break
            # best predicted first, so the copy kept of a duplicate is the best one
            rank = np.argsort(-self.estimator_.predict(Z), kind="stable")
            keys = self._keys(Z)
            for j in rank:
                if keys[j] not in seen and len(kept) < n_designs:
                    seen.add(keys[j])
                    kept.append(Z[j])
                    kept_paths.append(paths[:, j])
        if len(kept) < n_designs:
            reason = (
                "distinct new designs were found"
                if self.drop_duplicates
                else "designs are in the data"
            )
            warnings.warn(
                f"{n_designs} designs were requested but only {len(kept)} {reason}; "
                f"returning {len(kept)}.",
                UserWarning,
                stacklevel=2,
            )
        if not kept:
            Z = np.empty((0, self._designs.shape[1]))
            paths = np.empty((self.n_steps_ + 1, 0))
            scores = np.empty(0)
        else:
            Z, paths = np.stack(kept), np.stack(kept_paths, axis=1)
            scores = self.estimator_.predict(Z)
            best_first = np.argsort(-scores, kind="stable")
            Z, paths, scores = Z[best_first], paths[:, best_first], scores[best_first]
        self.trajectory_ = paths
        designs = self.design_space_.decode(Z)
        return (designs, scores) if return_scores else designs

    def predict(self, X):
        """The model's predicted scores of designs.

        Parameters
        ----------
        X : array-like
            Designs in the representation seen in fit.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        return self.estimator_.predict(_encode_designs(self, self.design_space_, X))

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
          the ascent on designs better than the data;
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
        fitted model, never an oracle. ``propose`` is run as it would be after
        fit; the ``trajectory_`` of an earlier ``propose`` call is kept.

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
        had_trajectory = hasattr(self, "trajectory_")
        trajectory = getattr(self, "trajectory_", None)
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore",
                message=".* designs were requested but only",
                category=UserWarning,
            )
            _, predicted = self.propose(n_proposals, return_scores=True)
        if had_trajectory:
            self.trajectory_ = trajectory
        else:
            del self.trajectory_
        overestimation = np.maximum(predicted - y.max(), 0.0)
        squared = np.sum(errors**2) + np.sum(overestimation**2)
        spread = np.var(self._scores)
        if not spread > 0:
            spread = 1.0
        return float(1.0 - squared / ((errors.size + overestimation.size) * spread))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.string = True
        return tags
