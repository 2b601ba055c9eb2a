"""OfflineDesignOptimizer: propose new designs by gradient ascent on a fitted model."""

from numbers import Integral, Real

from ._base import _BaseModelOptimizer
from ._compat import HasMethods, Interval
from ._torch.ascent import ascend


class OfflineDesignOptimizer(_BaseModelOptimizer):
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
        **_BaseModelOptimizer._parameter_constraints,
        "estimator": [HasMethods(["fit", "design_objective"]), None],
        "n_steps": [Interval(Integral, 0, None, closed="left"), None],
        "step_size": [Interval(Real, 0, None, closed="neither"), None],
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

    def _fit_search(self):
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

    def _search(self, Z0, y0):
        """``n_steps_`` of gradient ascent on the model from every start point."""
        return ascend(
            self.estimator_.design_objective(),
            Z0,
            n_steps=self.n_steps_,
            step_size=self.step_size_,
            bounds=self.design_space_.encoded_bounds(),
        )
