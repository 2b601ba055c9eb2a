"""CMAESOptimizer: CMA-ES on a fitted model's predictions."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._base import _BaseModelOptimizer
from ._compat import Interval, StrOptions
from ._optional import import_optional
from ._standardize import mean_and_scale

# "auto" covariance: sep-CMA-ES above this many encoded dimensions
_DIAGONAL_ABOVE = 1000


def _import_cma():
    return import_optional("cma", extra="cma", feature="CMAESOptimizer")


class CMAESOptimizer(_BaseModelOptimizer):
    """CMA-ES on the fitted model's predictions, from the best designs of the data.

    One CMA-ES run starts from each of the ``n_designs`` best designs of the data
    and maximizes the model's predicted score for ``n_generations`` generations;
    the runs advance together, so each generation is one batched prediction. The
    search happens on the encoded designs (the logits of categorical designs),
    standardized feature by feature with the data's mean and standard deviation,
    so ``sigma0=0.5`` is half a standard deviation of each feature, and it ranks
    points by their predicted score standardized with the data's scores: the
    search is the same in any units of ``X`` and ``y``. Points outside a ``Box``
    are scored at their projection onto the box, minus a quadratic penalty for the
    distance (in standard deviations), and each run returns its best point,
    projected; categorical designs are decoded by argmax at the end.

    Needs the optional ``cma`` package (``pip install skcoms[cma]``). CMA-ES draws
    its samples from a private generator seeded by ``random_state`` (given to
    ``cma`` as its ``randn`` option); numpy's global RNG is never used, so fits in
    several threads give the results of one.

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
    covariance : {"auto", "full", "diagonal"}, default="auto"
        The search distribution's covariance: ``"full"`` is CMA-ES; ``"diagonal"``
        is sep-CMA-ES (Ros and Hansen, 2008), whose memory and time per sample grow
        as ``d`` rather than ``d ** 2``; ``"auto"`` takes the diagonal above 1,000
        encoded dimensions (a full covariance of the 5,123 numbers of a Hopper
        controller takes 210 MB per run).
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
        **_BaseModelOptimizer._parameter_constraints,
        "n_generations": [Interval(Integral, 0, None, closed="left")],
        "sigma0": [Interval(Real, 0, None, closed="neither")],
        "population_size": [Interval(Integral, 2, None, closed="left"), None],
        "covariance": [StrOptions({"auto", "full", "diagonal"})],
    }

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_generations=100,
        sigma0=0.5,
        population_size=None,
        covariance="auto",
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_generations = n_generations
        self.sigma0 = sigma0
        self.population_size = population_size
        self.covariance = covariance
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    _step_parameter = "sigma0"
    _private_fitted = (
        "_feature_mean",
        "_feature_scale",
        "_score_mean",
        "_score_scale",
        "_cma_seed",
    )
    # the published baseline searches a plain regression model
    _conservative_default = False

    def _fit_search(self):
        _import_cma()
        self._feature_mean, self._feature_scale = mean_and_scale(self._designs)
        self._score_mean, self._score_scale = mean_and_scale(self._scores)
        self._cma_seed = check_random_state(self.random_state).randint(2**31 - 1)

    def _options(self, n_features):
        """Options of each CMA-ES run, with the private generator of this search."""
        rng = np.random.RandomState(self._cma_seed)
        options = {
            # seed=nan: cma's own seeding would set numpy's global RNG; the samples
            # come from this private generator instead
            "seed": np.nan,
            "randn": lambda *shape: rng.standard_normal(shape),
            "verbose": -9,
            "verb_log": 0,
            "verb_disp": 0,
        }
        if self.population_size is not None:
            options["popsize"] = self.population_size
        if self.covariance == "diagonal" or (
            self.covariance == "auto" and n_features > _DIAGONAL_ABOVE
        ):
            options["CMA_diagonal"] = True
        return options

    def _to_designs(self, points):
        """Encoded designs from standardized points."""
        return points * self._feature_scale + self._feature_mean

    def _fitness(self, points):
        """Standardized predicted scores at the box, less a penalty for leaving it.

        Points are scored at their projection onto the box (designs are
        standardized points mapped back to X's units).
        """
        designs = self._to_designs(points)
        bounds = self.design_space_.encoded_bounds()
        penalty = 0.0
        if bounds is not None:
            inside = np.clip(designs, *bounds)
            penalty = (((designs - inside) / self._feature_scale) ** 2).sum(axis=1)
            designs = inside
        predicted = self.estimator_.predict(designs)
        return (predicted - self._score_mean) / self._score_scale - penalty

    def _search(self, Z0, y0):
        """``n_generations`` of CMA-ES from every start point, all runs batched."""
        cma = _import_cma()
        n, d = Z0.shape
        options = self._options(d)
        points = (Z0 - self._feature_mean) / self._feature_scale
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if d == 1:
                # CMA-ES needs two dimensions; a constant one does not matter
                points = np.hstack([points, np.zeros((n, 1))])
            runs = [
                cma.CMAEvolutionStrategy(z, self.sigma0, dict(options)) for z in points
            ]
            start = self._fitness(points[:, :d])
            # the best designs stay in X's units: a start point no run improves on
            # is returned as it was given
            best_x, best_f = Z0.astype(np.float64, copy=True), start.copy()
            history = [start]
            for _ in range(self.n_generations):
                history.append(self._generation(runs, d, best_x, best_f))
        bounds = self.design_space_.encoded_bounds()
        if bounds is not None:
            best_x = np.clip(best_x, *bounds)
        return best_x, np.stack(history) * self._score_scale + self._score_mean

    def _generation(self, runs, d, best_x, best_f):
        """One generation of every active run; updates the best points in place.

        Returns the best score of each run's population (its best so far when the
        run has stopped).
        """
        active = [i for i, es in enumerate(runs) if not es.stop()]
        generation = best_f.copy()
        if not active:
            return generation
        samples = [np.asarray(runs[i].ask()) for i in active]
        sizes = [len(s) for s in samples]
        scores = self._fitness(np.concatenate(samples)[:, :d])
        for i, pop, f in zip(
            active, samples, np.split(scores, np.cumsum(sizes)[:-1]), strict=True
        ):
            runs[i].tell(list(pop), list(-f))
            j = int(np.argmax(f))
            generation[i] = f[j]
            if f[j] > best_f[i]:
                best_f[i], best_x[i] = f[j], self._to_designs(pop[j, :d])
        return generation
