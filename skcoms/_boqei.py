"""BOqEIOptimizer: batch Bayesian optimization with q-Expected-Improvement."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._base import _BaseModelOptimizer
from ._compat import Interval
from ._optional import import_optional
from ._torch.bo import QEIConfig, run_qei
from ._torch.device import resolve_device


class BOqEIOptimizer(_BaseModelOptimizer):
    """Batch Bayesian optimization (q-Expected-Improvement) on a Gaussian process.

    The Design-Bench baseline "BO-qEI". ``fit`` fits the model of the score, then
    a Gaussian process on the ``n_data`` best designs of the data (encoded:
    logits for sequences; inputs scaled to the unit cube of the data's bounding
    box, scores standardized, a fixed observation noise of ``noise_std``). Each of
    ``n_rounds`` rounds maximizes qEI over a batch of ``batch_size`` points inside
    that box (BoTorch's ``optimize_acqf`` with ``num_restarts``, ``raw_samples``,
    ``maxiter`` and ``batch_limit``; ``mc_samples`` quasi-Monte-Carlo samples),
    projects the points onto the design space (sequences: the argmax token per
    position), scores them with the fitted model and adds them to the process's
    data. ``propose(n)`` returns the ``n`` best points the process saw, ranked as
    Design-Bench ranks them: the data subset by its measured scores, the new
    points by their predicted scores. With ``drop_duplicates`` only new designs
    are returned.

    The defaults are Design-Bench's settings for TFBind8 (design-baselines): 500
    designs for the process, 10 rounds of 32 points, 10 restarts, 128 raw
    samples, 200 iterations, batch limit 5, 128 MC samples, noise 0.1. The model
    is the default of :class:`~skcoms.baselines.GradientAscentOptimizer` (the
    reference uses an ensemble of 5 probabilistic networks and adds noise to the
    model's scores; here the scores are the model's predictions).

    Needs the optional ``botorch`` package (``pip install "skcoms[botorch]"``).
    BoTorch draws its random restarts from torch's global RNG: the loop runs in
    ``torch.random.fork_rng``, seeded from ``random_state``, so the global state
    is left as it was and a seed gives the same run.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score; ``None`` is a plain regression model
        (``ConservativeObjectiveRegressor(alpha=0.0)``).
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    n_data : int >= 2, default=500
        Best designs of the data the process starts from.
    n_rounds : int >= 0, default=10
        Rounds of Bayesian optimization.
    batch_size : int >= 1, default=32
        Points per round (the ``q`` of qEI).
    num_restarts : int >= 1, default=10
        Starting batches of the acquisition's optimization.
    raw_samples : int >= 1, default=128
        Random batches the starting batches are chosen from.
    maxiter : int >= 1, default=200
        Iterations of L-BFGS-B per starting batch.
    batch_limit : int >= 1, default=5
        Starting batches optimized together.
    mc_samples : int >= 1, default=128
        Quasi-Monte-Carlo samples of the process that estimate qEI.
    noise_std : float > 0, default=0.1
        Observation noise of the process, in standard deviations of the scores.
    device : str, default="auto"
        Where the process is fitted and the acquisition optimized.
    drop_duplicates : bool, default=False
        Return only designs not in the data, each once.
    random_state : int, RandomState instance or None, default=None
        Seeds the model's fit and the optimization.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    design_space_ : Box or CategoricalSequence
    device_ : torch.device
    best_score_ : ndarray of shape (n_rounds + 1,)
        The best score the process has seen after each round, the data's first.

    References
    ----------
    J. Wilson, F. Hutter, M. Deisenroth. "Maximizing acquisition functions for
    Bayesian optimization." NeurIPS 2018.
    M. Balandat et al. "BoTorch: A Framework for Efficient Monte-Carlo Bayesian
    Optimization." NeurIPS 2020.
    B. Trabucco, X. Geng, A. Kumar, S. Levine. "Design-Bench: Benchmarks for
    Data-Driven Offline Model-Based Optimization." ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import BOqEIOptimizer, ConservativeObjectiveRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-2, 2, size=(100, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressor((16,), alpha=0.0, max_iter=20)
    >>> opt = BOqEIOptimizer(model, n_data=30, n_rounds=1, batch_size=4,
    ...                      num_restarts=2, raw_samples=8, maxiter=10,
    ...                      device="cpu", random_state=0).fit(X, y)
    >>> opt.propose(4).shape
    (4, 2)
    """

    _parameter_constraints = {
        **_BaseModelOptimizer._parameter_constraints,
        "n_data": [Interval(Integral, 2, None, closed="left")],
        "n_rounds": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "num_restarts": [Interval(Integral, 1, None, closed="left")],
        "raw_samples": [Interval(Integral, 1, None, closed="left")],
        "maxiter": [Interval(Integral, 1, None, closed="left")],
        "batch_limit": [Interval(Integral, 1, None, closed="left")],
        "mc_samples": [Interval(Integral, 1, None, closed="left")],
        "noise_std": [Interval(Real, 0, None, closed="neither")],
        "device": [str],
    }
    _private_fitted = ("_pool_designs", "_pool_scores")
    _step_parameter = "batch_size"
    _conservative_default = False

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_data=500,
        n_rounds=10,
        batch_size=32,
        num_restarts=10,
        raw_samples=128,
        maxiter=200,
        batch_limit=5,
        mc_samples=128,
        noise_std=0.1,
        device="auto",
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_data = n_data
        self.n_rounds = n_rounds
        self.batch_size = batch_size
        self.num_restarts = num_restarts
        self.raw_samples = raw_samples
        self.maxiter = maxiter
        self.batch_limit = batch_limit
        self.mc_samples = mc_samples
        self.noise_std = noise_std
        self.device = device
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    def _evaluate(self, candidates):
        """The designs the candidates stand for, and their predicted scores."""
        space = self.design_space_
        designs = space.encode(space.decode(candidates))
        return designs, self.estimator_.predict(designs)

    def _fit_search(self):
        import_optional("botorch", extra="botorch", feature="BOqEIOptimizer")
        self.device_ = resolve_device(self.device)
        seed = int(check_random_state(self.random_state).randint(2**31 - 1)) + 1
        top = np.argsort(-self._scores, kind="stable")[: self.n_data]
        config = QEIConfig(
            n_rounds=self.n_rounds,
            q=self.batch_size,
            num_restarts=self.num_restarts,
            raw_samples=self.raw_samples,
            maxiter=self.maxiter,
            batch_limit=self.batch_limit,
            mc_samples=self.mc_samples,
            noise_std=self.noise_std,
        )
        result = run_qei(
            self._designs[top],
            self._scores[top],
            self._evaluate,
            config=config,
            seed=seed,
            device=self.device_,
        )
        self._pool_designs, self._pool_scores = result.X, result.y
        self.best_score_ = np.asarray(result.best)

    def _start_points(self, n_designs):
        """The process's points, best score first, ``n_designs`` at a time."""
        order = np.argsort(-self._pool_scores, kind="stable")
        for start in range(0, len(order), n_designs):
            idx = order[start : start + n_designs]
            yield self._pool_designs[idx], self._pool_scores[idx]

    def _search(self, Z0, y0):
        # the points of the process are the proposals
        return Z0, None

    def _rank_scores(self, Z, y0):
        # measured scores for the data subset, predicted ones for the new points
        return y0

    def _shortfall_message(self, n_designs, n_found):
        kind = "distinct new designs" if self.drop_duplicates else "designs"
        return (
            f"{n_designs} designs were requested but only {n_found} {kind} were "
            f"among the points of the Bayesian optimization; returning {n_found}. "
            "Raise n_rounds or batch_size for more."
        )
