"""Baselines of the COMs comparison tables, with the optimizer's fit/propose interface.

- :class:`GradientAscentOptimizer`: gradient ascent on a plain regression model
  (``alpha=0``), the "Grad." row; with an :class:`EnsembleObjectiveRegressor` it
  gives the "Grad. Mean" and "Grad. Min" rows.
- :class:`EnsembleObjectiveRegressor`: K independently initialized networks trained
  together in one batched pass; its ascent direction follows their mean or minimum.
- :class:`BestOfDataset`: the best designs of the data, the floor every method must
  beat.
- :class:`CMAESOptimizer`: CMA-ES on the fitted model's predictions (needs the
  optional ``cma`` package: ``pip install skcoms[cma]``).
- The generative and model-based baselines of the COMs and Design-Bench tables:
  :class:`CbASOptimizer` (CbAS, and Autofocused CbAS with ``autofocus=True``),
  :class:`MINsOptimizer` (Model Inversion Networks), :class:`REINFORCEOptimizer`
  and :class:`BOqEIOptimizer` (batch Bayesian optimization, needs the optional
  ``botorch`` package: ``pip install "skcoms[botorch]"``).
"""

from ._base import _BaseOptimizer
from ._boqei import BOqEIOptimizer
from ._cbas import CbASOptimizer
from ._cmaes import CMAESOptimizer
from ._ensemble import EnsembleObjectiveRegressor
from ._mins import MINsOptimizer
from ._optimizer import OfflineDesignOptimizer
from ._reinforce import REINFORCEOptimizer

__all__ = [
    "BOqEIOptimizer",
    "BestOfDataset",
    "CMAESOptimizer",
    "CbASOptimizer",
    "EnsembleObjectiveRegressor",
    "GradientAscentOptimizer",
    "MINsOptimizer",
    "REINFORCEOptimizer",
]


class GradientAscentOptimizer(OfflineDesignOptimizer):
    """Naive gradient ascent: the optimizer on a plain regression model.

    The same estimator as :class:`~skcoms.OfflineDesignOptimizer`, whose default
    model is a ``ConservativeObjectiveRegressor(alpha=0.0)``: a plain MLP
    regressor, with ``ascent_step_size=2.0`` for categorical designs as in the
    reference. Its defaults are the published protocol of the "Grad." baseline:
    one path per design, its end point, no support rule, duplicates kept. The
    proposer of :class:`~skcoms.OfflineDesignOptimizer` is one set of
    parameters away (``paths_per_design=4, path_selection="best",
    support="pairs", min_separation=0.01, recombine="auto",
    drop_duplicates=True``). Pass an
    :class:`EnsembleObjectiveRegressor` for the ensemble baselines ("Grad. Mean",
    "Grad. Min").

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score; ``None`` is the plain regressor above.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    n_steps : int >= 0, tuple of int >= 0, "auto" or None, default=None
        Ascent steps per path; ``None`` uses ``estimator_.n_ascent_steps``
        (the published protocol: every path as long as the negatives). A tuple
        and ``"auto"`` as for :class:`~skcoms.OfflineDesignOptimizer`.
    step_size : float > 0 or None, default=None
        Ascent step; ``None`` uses ``estimator_.ascent_step_size_``.
    paths_per_design : int >= 1, default=1
        Paths per requested design; the model keeps the best results.
    path_selection : {"last", "best"}, default="last"
        Each path's end point, or its best (decoded) design by the model.
    max_changes : int >= 0 or None, default=None
        Sequences: at most this many tokens changed from the start design.
    max_distance : float > 0 or None, default=None
        Continuous designs: at most this RMS standardized distance from the start.
    support : {"pairs"} or None, default=None
        Sequences: ``"pairs"`` proposes only designs whose adjacent token pairs
        all occur in the data.
    min_separation : float >= 0 or None, default=None
        Continuous designs: drop proposals within this RMS standardized distance
        of a better one, and search on from more designs of the data.
    recombine : int >= 2, "auto" or None, default=None
        Continuous designs: start paths from means of this many of the data's
        best designs (see :class:`~skcoms.OfflineDesignOptimizer`); ``None``
        starts every path from a design of the data, as published.
    recombine_fraction : float in (0, 1], default=0.5
        With ``recombine``, the share of the paths that start from means.
    drop_duplicates : bool, default=False
        Drop proposals identical to data designs or to each other.
    random_state : int, RandomState instance or None, default=None
        Seeds the estimator's fit when not None.

    Attributes
    ----------
    estimator_, design_space_, n_steps_, step_size_, trajectory_
        As in :class:`~skcoms.OfflineDesignOptimizer`.

    See Also
    --------
    skcoms.OfflineDesignOptimizer : The same ascent on a conservative model, with
        the decoding-aware proposer by default.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.baselines import GradientAscentOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(200, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> opt = GradientAscentOptimizer(random_state=0).fit(X, y)
    >>> opt.estimator_.alpha
    0.0
    >>> opt.propose(3).shape
    (3, 2)
    """

    # the default model is a plain regression model (alpha=0)
    _conservative_default = False

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_steps=None,
        step_size=None,
        paths_per_design=1,
        path_selection="last",
        max_changes=None,
        max_distance=None,
        support=None,
        min_separation=None,
        recombine=None,
        recombine_fraction=0.5,
        drop_duplicates=False,
        random_state=None,
    ):
        super().__init__(
            estimator,
            design_space=design_space,
            n_steps=n_steps,
            step_size=step_size,
            paths_per_design=paths_per_design,
            path_selection=path_selection,
            max_changes=max_changes,
            max_distance=max_distance,
            support=support,
            min_separation=min_separation,
            recombine=recombine,
            recombine_fraction=recombine_fraction,
            drop_duplicates=drop_duplicates,
            random_state=random_state,
        )


class BestOfDataset(_BaseOptimizer):
    """The best designs of the data: the floor an optimizer must beat.

    ``propose(n_designs)`` returns the ``n_designs`` designs with the highest
    measured scores, best first, in the representation of the ``X`` seen in fit.
    Nothing is learned beyond the data.

    Parameters
    ----------
    design_space : Box, CategoricalSequence or None, default=None
        Validates the designs; ``None`` infers it from ``X`` as
        :class:`~skcoms.OfflineDesignOptimizer` does.
    drop_duplicates : bool, default=False
        Return each distinct design once (its first copy in the ranking).

    Attributes
    ----------
    design_space_ : Box or CategoricalSequence
        The fitted design space.
    n_features_in_ : int
        Number of columns of ``X`` when it is a 2-D array.

    Examples
    --------
    >>> from skcoms.baselines import BestOfDataset
    >>> best = BestOfDataset().fit(["AAT", "CCG", "GTA"], [0.1, 0.7, 0.4])
    >>> best.propose(2, return_scores=True)
    (array(['CCG', 'GTA'], dtype='<U3'), array([0.7, 0.4]))
    """

    _parameter_constraints = {**_BaseOptimizer._parameter_constraints}

    def __init__(self, *, design_space=None, drop_duplicates=False):
        self.design_space = design_space
        self.drop_duplicates = drop_duplicates

    def _fit_designs(self, Z, y):
        """Nothing to learn: the designs and scores are kept by ``fit``."""

    def _search(self, Z0, y0):
        # the start points, the data's best designs, are the proposals
        return Z0, None

    def _rank_scores(self, Z, y0):
        return y0

    def _known_designs(self):
        # the proposals are designs of the data: only repeats are dropped
        return self._designs[:0]

    def _shortfall_message(self, n_designs, n_found):
        return (
            f"{n_designs} designs were requested but the data holds {n_found}; "
            f"returning {n_found}."
        )
