"""MINsOptimizer: Model Inversion Networks, a conditional GAN of designs."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from ._base import _BaseModelOptimizer
from ._cbas import _MAX_BATCHES, _hidden
from ._compat import Interval
from ._generative import DesignCodec
from ._torch.device import resolve_device
from ._torch.gan import MINsConfig, fit_mins, sample_mins


class MINsOptimizer(_BaseModelOptimizer):
    """Model Inversion Networks (MINs): designs generated at a high target score.

    ``fit`` trains a conditional generator ``G(z, y)`` of designs given their
    score, against a critic of (design, score) pairs, as a Wasserstein GAN with
    gradient penalty. Every term is weighted by an importance weight of the
    score that shifts the training distribution toward high scores (the scores
    are binned; a bin's target mass grows as ``exp(score / weight_temperature)``;
    weights are clipped at ``max_weight``). Sequences are generated as
    Gumbel-softmax relaxations of one-hot tokens, at a temperature annealed from
    ``start_temperature`` to ``final_temperature`` over the epochs; the real
    tokens are smoothed to ``keep`` on their category. Real designs are
    generated in units of the data's standard deviation.

    ``propose(n)`` generates ``n`` designs at the target score ``max(y) +
    target_offset * std(y)`` (sequences drawn from the generator's categoricals)
    and ranks them by the predicted score of ``estimator``, which is also what
    ``predict`` and ``score`` use.

    The reference settings for TFBind8 (design-baselines) are a latent size of
    32, hidden layers of 1024, batches of 128, Adam at 2e-4 with betas (0, 0.9),
    a gradient penalty of 10, a generator step every 10 critic steps, 200 epochs,
    temperatures 5 to 1, ``keep=0.99``, a weight temperature of 0.1 and the
    target at the data's best score; the defaults here use smaller networks and
    fewer epochs so that a fit takes a minute or two on one core.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The model of the score that ranks the proposals; ``None`` is a plain
        regression model (``ConservativeObjectiveRegressor(alpha=0.0)``).
    design_space : Box, CategoricalSequence or None, default=None
        How designs are encoded; ``None`` infers it from ``X``.
    latent_size : int >= 1, default=32
        Dimension of the generator's noise.
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Hidden layers of the generator and of the critic.
    n_epochs : int >= 1, default=20
        Passes over the data.
    batch_size : int >= 1, default=128
        Minibatch of the critic's and the generator's steps.
    learning_rate : float > 0, default=2e-4
        Adam step of both networks (betas 0 and 0.9).
    n_critic : int >= 1, default=5
        Critic steps per generator step.
    gradient_penalty : float >= 0, default=10.0
        Weight of the critic's gradient penalty.
    start_temperature, final_temperature : float > 0, default=5.0 and 1.0
        Temperature of the Gumbel-softmax relaxation, annealed linearly.
    keep : float in (0, 1], default=0.99
        Weight of the one-hot vector of a real token (the rest is uniform).
    weight_temperature : float > 0 or None, default=None
        Temperature of the score weights, in standard deviations of ``y``.
        ``None`` is the distance from the best score to the 90th percentile.
    max_weight : float > 0, default=5.0
        Largest importance weight of a design.
    target_offset : float, default=0.0
        Target score above the data's best, in standard deviations of ``y``.
    device : str, default="auto"
        Where the networks are trained; they are kept on the CPU afterwards.
    drop_duplicates : bool, default=False
        Drop proposals identical to a design of the data or to each other,
        generating more (up to 20 batches) to make up for them.
    random_state : int, RandomState instance or None, default=None
        Seeds the model's fit and every draw.

    Attributes
    ----------
    estimator_ : estimator
        The fitted model of the score.
    design_space_ : Box or CategoricalSequence
    device_ : torch.device
    critic_loss_, generator_loss_ : ndarray of shape (n_epochs,)
        Mean losses per epoch.
    target_score_ : float
        The score proposals are generated at, in ``y``'s units.

    References
    ----------
    A. Kumar, S. Levine. "Model Inversion Networks for Model-Based
    Optimization." NeurIPS 2020.
    I. Gulrajani et al. "Improved Training of Wasserstein GANs." NeurIPS 2017.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor, MINsOptimizer
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randint(0, 4, size=(300, 6))
    >>> y = (X == 0).sum(axis=1).astype(float)
    >>> model = ConservativeObjectiveRegressor((16,), alpha=0.0, max_iter=5)
    >>> opt = MINsOptimizer(model, hidden_layer_sizes=(16,), n_epochs=2,
    ...                     device="cpu", random_state=0).fit(X, y)
    >>> opt.propose(4).shape
    (4, 6)
    """

    _parameter_constraints = {
        **_BaseModelOptimizer._parameter_constraints,
        "latent_size": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "n_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_critic": [Interval(Integral, 1, None, closed="left")],
        "gradient_penalty": [Interval(Real, 0, None, closed="left")],
        "start_temperature": [Interval(Real, 0, None, closed="neither")],
        "final_temperature": [Interval(Real, 0, None, closed="neither")],
        "keep": [Interval(Real, 0, 1, closed="right")],
        "weight_temperature": [Interval(Real, 0, None, closed="neither"), None],
        "max_weight": [Interval(Real, 0, None, closed="neither")],
        "target_offset": [Real],
        "device": [str],
    }
    _private_fitted = ("_result", "_codec", "_sample_seed")
    _step_parameter = "learning_rate"
    _conservative_default = False

    def __init__(
        self,
        estimator=None,
        *,
        design_space=None,
        latent_size=32,
        hidden_layer_sizes=(256, 256),
        n_epochs=20,
        batch_size=128,
        learning_rate=2e-4,
        n_critic=5,
        gradient_penalty=10.0,
        start_temperature=5.0,
        final_temperature=1.0,
        keep=0.99,
        weight_temperature=None,
        max_weight=5.0,
        target_offset=0.0,
        device="auto",
        drop_duplicates=False,
        random_state=None,
    ):
        self.estimator = estimator
        self.design_space = design_space
        self.latent_size = latent_size
        self.hidden_layer_sizes = hidden_layer_sizes
        self.n_epochs = n_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.n_critic = n_critic
        self.gradient_penalty = gradient_penalty
        self.start_temperature = start_temperature
        self.final_temperature = final_temperature
        self.keep = keep
        self.weight_temperature = weight_temperature
        self.max_weight = max_weight
        self.target_offset = target_offset
        self.device = device
        self.drop_duplicates = drop_duplicates
        self.random_state = random_state

    def _fit_search(self):
        config = MINsConfig(
            latent_size=self.latent_size,
            hidden=_hidden(self.hidden_layer_sizes, "hidden_layer_sizes"),
            n_epochs=self.n_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            n_critic=self.n_critic,
            gradient_penalty=self.gradient_penalty,
            start_temperature=self.start_temperature,
            final_temperature=self.final_temperature,
            keep=self.keep,
            weight_temperature=self.weight_temperature,
            max_weight=self.max_weight,
        )
        self.device_ = resolve_device(self.device)
        rng = check_random_state(self.random_state)
        # the model's fit drew its seed from a fresh RandomState of the same seed
        fit_seed, self._sample_seed = (int(s) for s in rng.randint(2**31 - 1, size=2))
        self._codec = DesignCodec(self.design_space_, self._designs)
        result = fit_mins(
            self._codec.to_model(self._designs),
            self._scores,
            kind=self._codec.kind,
            shape=self._codec.shape,
            config=config,
            seed=fit_seed + 1,
            device=self.device_,
        )
        result.generator.cpu()
        result.critic.cpu()
        self._result = result
        self.critic_loss_ = np.asarray(result.critic_loss)
        self.generator_loss_ = np.asarray(result.generator_loss)
        target = result.y_max + self.target_offset
        self.target_score_ = target * result.y_scale + result.y_mean

    def _start_points(self, n_designs):
        """Batches of designs generated at the target score."""
        target = (self.target_score_ - self._result.y_mean) / self._result.y_scale
        for batch in range(_MAX_BATCHES):
            samples = sample_mins(
                self._result, n_designs, target, self._sample_seed + batch
            )
            yield self._codec.from_model(samples), np.full(n_designs, np.nan)

    def _search(self, Z0, y0):
        # the generated designs are the proposals
        return Z0, None
