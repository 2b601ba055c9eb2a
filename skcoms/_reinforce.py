"""REINFORCEOptimizer: a search distribution trained by policy gradient on a model."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._base import _BaseModelOptimizer
from ._cbas import _MAX_BATCHES
from ._compat import Interval
from ._generative import DesignCodec
from ._torch.policy import ReinforceConfig, reinforce_on_model, sample_policy


class REINFORCEOptimizer(_BaseModelOptimizer):
    """REINFORCE: a distribution over designs trained by policy gradient.

    The search distribution is an independent categorical per position for
    sequences, or a diagonal Gaussian for real designs (in units of the data's
    standard deviation). It starts at the ``n_starts`` best designs of the data:
    their token frequencies per position (mixed with 1% of the uniform
    distribution), or their mean with standard deviation ``exploration_std``.
    Each of ``n_iterations`` iterations draws ``batch_size`` designs, scores them
    with the fitted model, and takes an Adam step on
    ``-mean(log q(x) * (f(x) - mean f) / std f)``: the batch mean is the
    baseline. ``propose(n)`` draws ``n`` designs from the trained distribution,
    best predicted score first; real designs are clipped to the ``Box``.

    The defaults are the reference settings for TFBind8 (design-baselines): 200
    iterations of 256 samples, Adam at 0.01, the top 128 designs as the start,
    ``exploration_std=0.1`` for continuous tasks. The model is the default of
    :class:`~skcoms.baselines.GradientAscentOptimizer`.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score; ``None`` is a plain regression model
        (``ConservativeObjectiveRegressor(alpha=0.0)``). A model with
        ``design_objective()`` is evaluated on its own device, without host
        copies; any other is called through ``predict``.
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    n_iterations : int >= 0, default=200
        Policy-gradient steps.
    batch_size : int >= 2, default=256
        Designs drawn per step.
    learning_rate : float > 0, default=0.01
        Adam step of the distribution's parameters.
    exploration_std : float > 0, default=0.1
        Starting standard deviation of the Gaussian, in standard deviations of
        each feature of the data (continuous designs only).
    n_starts : int >= 1, default=128
        Best designs of the data that set the starting distribution.
    drop_duplicates : bool, default=False
        Drop proposals identical to a design of the data or to each other,
        drawing more (up to 20 batches) to make up for them.
    random_state : int, RandomState instance or None, default=None
        Seeds the model's fit and every draw.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model.
    design_space_ : Box or CategoricalSequence
    mean_score_ : ndarray of shape (n_iterations,)
        Mean predicted score of each iteration's batch.

    References
    ----------
    R. J. Williams. "Simple statistical gradient-following algorithms for
    connectionist reinforcement learning." Machine Learning, 1992.
    B. Trabucco, X. Geng, A. Kumar, S. Levine. "Design-Bench: Benchmarks for
    Data-Driven Offline Model-Based Optimization." ICML 2022.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor, REINFORCEOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(0, 4, size=(300, 6))
    >>> y = (X == 0).sum(axis=1).astype(float)
    >>> model = ConservativeObjectiveRegressor((16,), alpha=0.0, max_iter=20)
    >>> opt = REINFORCEOptimizer(model, n_iterations=20, random_state=0).fit(X, y)
    >>> opt.propose(4).shape
    (4, 6)
    """

    _parameter_constraints = {
        **_BaseModelOptimizer._parameter_constraints,
        "n_iterations": [Interval(Integral, 0, None, closed="left")],
        "batch_size": [Interval(Integral, 2, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "exploration_std": [Interval(Real, 0, None, closed="neither")],
        "n_starts": [Interval(Integral, 1, None, closed="left")],
    }
    _private_fitted = ("_policy", "_codec", "_sample_seed")
    _step_parameter = "learning_rate"
    _conservative_default = False

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        n_iterations=200,
        batch_size=256,
        learning_rate=0.01,
        exploration_std=0.1,
        n_starts=128,
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.n_iterations = n_iterations
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.exploration_std = exploration_std
        self.n_starts = n_starts
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    def _fit_search(self):
        rng = check_random_state(self.random_state)
        fit_seed, self._sample_seed = (int(s) for s in rng.randint(2**31 - 1, size=2))
        self._codec = codec = DesignCodec(self.design_space_, self._designs)
        if codec.discrete:
            score_kw = {"kind": codec.kind, "n_categories": codec.shape[1],
                        "gap": float(codec._gap)}  # fmt: skip
        else:
            score_kw = {"kind": codec.kind, "n_categories": None, "mean": codec.mean,
                        "scale": codec.scale,
                        "bounds": self.design_space_.encoded_bounds()}  # fmt: skip
        if hasattr(self.estimator_, "design_objective"):
            score_kw["objective"] = self.estimator_.design_objective()
        else:
            score_kw["predict"] = self.estimator_.predict
        top = np.argsort(-self._scores, kind="stable")[: self.n_starts]
        config = ReinforceConfig(
            n_iterations=self.n_iterations,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            exploration_std=self.exploration_std,
        )
        self._policy = reinforce_on_model(
            codec.to_model(self._designs[top]), score_kw, config=config,
            seed=fit_seed + 1,
        )  # fmt: skip
        self.mean_score_ = np.asarray(self._policy.mean_score)

    def _start_points(self, n_designs):
        """Batches of designs drawn from the trained distribution."""
        for batch in range(_MAX_BATCHES):
            samples = sample_policy(self._policy, n_designs, self._sample_seed + batch)
            yield self._codec.from_model(samples), np.full(n_designs, np.nan)

    def _search(self, Z0, y0):
        # the samples are the proposals
        return Z0, None
