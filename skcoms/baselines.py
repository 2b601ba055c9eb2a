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
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._optimizer import OfflineDesignOptimizer, _validate_designs
from ._persistence import VersionedStateMixin, fit_or_unfit
from ._regressor import ConservativeObjectiveRegressor
from ._validation import check_n_designs
from .spaces import CategoricalSequence

__all__ = [
    "BestOfDataset",
    "CMAESOptimizer",
    "EnsembleObjectiveRegressor",
    "GradientAscentOptimizer",
]


def _import_cma():
    """The optional ``cma`` package, with an install hint when it is missing."""
    try:
        with warnings.catch_warnings():
            # cma warns at import when matplotlib is absent; plotting is not used
            warnings.simplefilter("ignore")
            import cma
    except ImportError as exc:
        raise ImportError(
            "CMAESOptimizer needs the optional 'cma' package: "
            "pip install skcoms[cma] (or pip install cma)."
        ) from exc
    return cma


class GradientAscentOptimizer(OfflineDesignOptimizer):
    """Naive gradient ascent: the optimizer on a plain regression model.

    The same estimator as :class:`~skcoms.OfflineDesignOptimizer`, whose default
    model is a ``ConservativeObjectiveRegressor(alpha=0.0)``: a plain MLP
    regressor, with ``ascent_step_size=2.0`` for categorical designs as in the
    reference. Passing ``estimator`` makes it identical to
    ``OfflineDesignOptimizer``; pass an :class:`EnsembleObjectiveRegressor` for the
    ensemble baselines ("Grad. Mean", "Grad. Min").

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score; ``None`` is the plain regressor above.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    n_steps : int >= 0 or None, default=None
        Ascent steps per proposal; ``None`` uses ``estimator_.n_ascent_steps``.
    step_size : float > 0 or None, default=None
        Ascent step; ``None`` uses ``estimator_.ascent_step_size_``.
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
    skcoms.OfflineDesignOptimizer : The same ascent on a conservative model.

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

    def _default_estimator(self, space):
        if isinstance(space, CategoricalSequence):
            return ConservativeObjectiveRegressor(alpha=0.0, ascent_step_size=2.0)
        return ConservativeObjectiveRegressor(alpha=0.0)


class EnsembleObjectiveRegressor(ConservativeObjectiveRegressor):
    """K MLP regressors trained together; predictions and ascent combine them.

    The members differ by their random initialization and share the minibatch
    order; all K train in one batched pass of a stacked network, so an ensemble
    of five costs far less than five fits. ``predict`` and ``design_objective``
    combine the members by ``aggregate``: ``"mean"`` is the ensemble-mean
    baseline, ``"min"`` the pessimistic ensemble-minimum one (the ascent then
    follows, for each design, the member that scores it lowest).

    Every parameter of :class:`~skcoms.ConservativeObjectiveRegressor` applies to
    each member; the default ``alpha=0.0`` gives plain regressors, as in the
    baselines of the COMs paper.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Width of each hidden layer.
    n_members : int >= 1, default=5
        Number of networks K.
    aggregate : {"mean", "min"}, default="mean"
        How member scores are combined.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
    alpha : float >= 0 or "auto", default=0.0
        Weight of the conservative term of each member.
    overestimation_limit : float, default=0.5
    alpha_init : float > 0, default=0.1
    alpha_learning_rate : float > 0, default=0.01
    n_ascent_steps : int >= 1, default=10
    ascent_step_size : float > 0, default=0.05
    scale_step_by_sqrt_dim : bool, default=True
    learning_rate_init : float > 0, default=1e-3
    batch_size : int >= 1, default=128
    max_iter : int >= 1, default=50
    tol : float >= 0, default=1e-4
    n_iter_no_change : int >= 0, default=10
    device : str, default="auto"
    dtype : {"float32", "float64"}, default="float32"
    cuda_graph : bool, default=True
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization of all members through one private generator.
    verbose : bool, default=False
        See :class:`~skcoms.ConservativeObjectiveRegressor` for these.

    Attributes
    ----------
    network_ : StackedMLP
        The K trained networks, stacked.
    See :class:`~skcoms.ConservativeObjectiveRegressor` for the others; the
    curves are averages over the members.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.baselines import EnsembleObjectiveRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = EnsembleObjectiveRegressor((32, 32), n_members=3, aggregate="min",
    ...                                    max_iter=40, random_state=0).fit(X, y)
    >>> model.network_.n_members
    3
    >>> bool(model.score(X, y) > 0.7)
    True
    """

    _parameter_constraints = {
        **ConservativeObjectiveRegressor._parameter_constraints,
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "aggregate": [StrOptions({"mean", "min"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        *,
        n_members=5,
        aggregate="mean",
        activation="relu",
        alpha=0.0,
        overestimation_limit=0.5,
        alpha_init=0.1,
        alpha_learning_rate=0.01,
        n_ascent_steps=10,
        ascent_step_size=0.05,
        scale_step_by_sqrt_dim=True,
        learning_rate_init=1e-3,
        batch_size=128,
        max_iter=50,
        tol=1e-4,
        n_iter_no_change=10,
        device="auto",
        dtype="float32",
        cuda_graph=True,
        random_state=None,
        verbose=False,
    ):
        super().__init__(
            hidden_layer_sizes,
            activation=activation,
            alpha=alpha,
            overestimation_limit=overestimation_limit,
            alpha_init=alpha_init,
            alpha_learning_rate=alpha_learning_rate,
            n_ascent_steps=n_ascent_steps,
            ascent_step_size=ascent_step_size,
            scale_step_by_sqrt_dim=scale_step_by_sqrt_dim,
            learning_rate_init=learning_rate_init,
            batch_size=batch_size,
            max_iter=max_iter,
            tol=tol,
            n_iter_no_change=n_iter_no_change,
            device=device,
            dtype=dtype,
            cuda_graph=cuda_graph,
            random_state=random_state,
            verbose=verbose,
        )
        self.n_members = n_members
        self.aggregate = aggregate

    @property
    def _n_members(self):
        return self.n_members

    @property
    def _aggregate(self):
        return self.aggregate


class BestOfDataset(VersionedStateMixin, BaseEstimator):
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

    _parameter_constraints = {
        "design_space": [HasMethods(["fit", "encode", "decode"]), None],
        "drop_duplicates": ["boolean"],
    }

    def __init__(self, *, design_space=None, drop_duplicates=False):
        self.design_space = design_space
        self.drop_duplicates = drop_duplicates

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Keep the designs and their scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), or (n_samples,) of str
            Designs.
        y : array-like of shape (n_samples,)
            Their measured scores (higher is better).

        Returns
        -------
        self : BestOfDataset
        """
        with fit_or_unfit(self, private=("_designs", "_scores")):
            space, X, y = _validate_designs(self, self.design_space, X, y)
            self.design_space_ = space
            self._designs = space.encode(X)
            self._scores = y
        return self

    def propose(self, n_designs, *, return_scores=False):
        """The best designs of the data, best first.

        Parameters
        ----------
        n_designs : int >= 1
            How many designs. When the data holds fewer (distinct, with
            ``drop_duplicates``) designs, all of them are returned, with a
            ``UserWarning``.
        return_scores : bool, default=False
            Also return their measured scores.

        Returns
        -------
        designs : ndarray
        scores : ndarray of shape (n_proposals,)
            Only with ``return_scores=True``.
        """
        check_is_fitted(self)
        n_designs = check_n_designs(n_designs)
        order = np.argsort(-self._scores, kind="stable")
        if self.drop_duplicates:
            _, first = np.unique(self._designs[order], axis=0, return_index=True)
            order = order[np.sort(first)]
        if n_designs > len(order):
            warnings.warn(
                f"{n_designs} designs were requested but the data holds "
                f"{len(order)}; returning {len(order)}.",
                UserWarning,
                stacklevel=2,
            )
        top = order[:n_designs]
        designs = self.design_space_.decode(self._designs[top])
        return (designs, self._scores[top].copy()) if return_scores else designs

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.string = True
        return tags


class CMAESOptimizer(OfflineDesignOptimizer):
    """CMA-ES on the fitted model's predictions, from the best designs of the data.

    One CMA-ES run starts from each of the ``n_designs`` best designs of the data
    and maximizes the model's predicted score for ``n_generations`` generations;
    the runs advance together, so each generation is one batched prediction. The
    search happens on the encoded designs (the logits of categorical designs),
    with a per-feature scale equal to the data's standard deviation, so
    ``sigma0=0.5`` is half a standard deviation of each feature. Points outside a
    ``Box`` are scored at their projection onto the box, minus a quadratic penalty
    for the distance, and each run returns its best point, projected; categorical
    designs are decoded by argmax at the end.

    Needs the optional ``cma`` package (``pip install skcoms[cma]``). CMA-ES draws
    its samples from a private generator seeded by ``random_state``; the global
    numpy RNG is left as it was found.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score, with ``fit`` and ``predict``. ``None`` uses a plain
        ``ConservativeObjectiveRegressor(alpha=0.0)``, as the published baseline
        searches a plain regression model.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    n_generations : int >= 0, default=100
        Generations of each run.
    sigma0 : float > 0, default=0.5
        Initial step size, in standard deviations of the data.
    population_size : int >= 2 or None, default=None
        Samples per generation; ``None`` is CMA-ES's default,
        ``4 + floor(3 log d)``.
    drop_duplicates : bool, default=False
        Drop proposals identical to data designs or to each other, as in
        :class:`~skcoms.OfflineDesignOptimizer`.
    random_state : int, RandomState instance or None, default=None
        Seeds the estimator's fit and the CMA-ES samples.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    design_space_ : Box or CategoricalSequence
        The fitted design space.
    trajectory_ : ndarray of shape (n_generations + 1, n_proposals)
        Best predicted score of each run's population per generation, the
        starting design's score first.

    References
    ----------
    N. Hansen. "The CMA Evolution Strategy: A Tutorial." arXiv:1604.00772, 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor
    >>> from skcoms.baselines import CMAESOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(200, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressor((32, 32), alpha=0.0, max_iter=20)
    >>> opt = CMAESOptimizer(model, n_generations=10, random_state=0).fit(X, y)
    >>> opt.propose(3).shape
    (3, 2)
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"]), None],
        "design_space": [HasMethods(["fit", "encode", "decode"]), None],
        "n_generations": [Interval(Integral, 0, None, closed="left")],
        "sigma0": [Interval(Real, 0, None, closed="neither")],
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "drop_duplicates": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_generations=100,
        sigma0=0.5,
        population_size=None,
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_generations = n_generations
        self.sigma0 = sigma0
        self.population_size = population_size
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    _step_parameter = "sigma0"

    def _default_estimator(self, space):
        if isinstance(space, CategoricalSequence):
            return ConservativeObjectiveRegressor(alpha=0.0, ascent_step_size=2.0)
        return ConservativeObjectiveRegressor(alpha=0.0)

    def _fit_search(self):
        _import_cma()
        self.n_steps_ = self.n_generations
        std = self._designs.std(axis=0)
        std[std < 1e-12] = 1.0
        self._feature_scale = std
        self._cma_seed = check_random_state(self.random_state).randint(2**31 - 1)

    def _search(self, Z0):
        cma = _import_cma()

        n, d = Z0.shape
        bounds = self.design_space_.encoded_bounds()
        rng = np.random.RandomState(self._cma_seed)
        options = {
            "seed": np.nan,  # leave the global numpy RNG alone
            "randn": lambda *shape: rng.standard_normal(shape),
            "CMA_stds": self._feature_scale,
            "verbose": -9,
            "verb_log": 0,
            "verb_disp": 0,
        }
        if self.population_size is not None:
            options["popsize"] = self.population_size

        def fitness(points):
            """Predicted scores, of the projection onto the box, less a penalty."""
            if bounds is None:
                return self.estimator_.predict(points)
            inside = np.clip(points, *bounds)
            penalty = (((points - inside) / self._feature_scale) ** 2).sum(axis=1)
            return self.estimator_.predict(inside) - penalty

        # cma may reach for the global RNG: restore it whatever happens
        global_state = np.random.get_state()  # noqa: NPY002
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if d == 1:
                    # CMA-ES needs two dimensions; a constant one does not matter
                    Z0 = np.hstack([Z0, np.zeros((n, 1))])
                    options["CMA_stds"] = np.append(self._feature_scale, 1.0)
                runs = [
                    cma.CMAEvolutionStrategy(z, self.sigma0, dict(options)) for z in Z0
                ]
                start = fitness(Z0[:, :d])
                best_x, best_f = Z0[:, :d].copy(), start.copy()
                history = [start]
                for _ in range(self.n_generations):
                    active = [i for i, es in enumerate(runs) if not es.stop()]
                    generation = best_f.copy()
                    if active:
                        samples = [np.asarray(runs[i].ask()) for i in active]
                        sizes = [len(s) for s in samples]
                        scores = fitness(np.concatenate(samples)[:, :d])
                        for i, pop, f in zip(
                            active,
                            samples,
                            np.split(scores, np.cumsum(sizes)[:-1]),
                            strict=True,
                        ):
                            runs[i].tell(list(pop), list(-f))
                            j = int(np.argmax(f))
                            generation[i] = f[j]
                            if f[j] > best_f[i]:
                                best_f[i], best_x[i] = f[j], pop[j, :d]
                    history.append(generation)
        finally:
            np.random.set_state(global_state)  # noqa: NPY002
        if bounds is not None:
            best_x = np.clip(best_x, *bounds)
        return best_x, np.stack(history)
