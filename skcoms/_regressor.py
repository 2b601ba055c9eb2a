"""ConservativeObjectiveRegressor: the scikit-learn face of a COMs model."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import Interval, StrOptions, _fit_context
from ._persistence import VersionedStateMixin, fit_or_unfit
from ._standardize import mean_and_scale
from ._torch.device import resolve_device
from ._torch.mlp import ACTIVATIONS
from ._torch.network import (
    design_objective,
    fit_network,
    network_dtype,
    predict_network,
    restore_network,
)
from ._torch.objective import DesignObjective
from ._torch.train import ALPHA_MAX, ALPHA_MIN, TrainingConfig
from ._validation import check_not_temporal, check_scores, warn_if_constant
from .exceptions import TrainingInterruptedWarning

# A fixed alpha lets the gap between the model's value on the ascent's designs and on
# the data fall without bound (each larger gradient makes the next ascent step land
# farther away): on TFBind8, alpha 0.01 and 0.1 drove it to -4e9 and -2e10 standard
# deviations of y while the fit on the data was lost. Below this many, fit warns.
RUNAWAY_GAP = 100.0


def _sound_members(history, alpha):
    """Bool per member of a fit: False where its conservative term ran away.

    With a fixed alpha > 0, a member ran away when its last epoch's gap is below
    ``-RUNAWAY_GAP`` standard deviations of ``y``; a plain model (alpha = 0) or
    dual descent (``alpha=None``) has none that did.
    """
    gaps = np.asarray(history.final_overestimation, dtype=float)
    conservative = alpha is not None and np.any(np.asarray(alpha, float) > 0)
    if not conservative:
        return np.ones(gaps.shape, dtype=bool)
    return gaps >= -RUNAWAY_GAP


__all__ = ["ConservativeObjectiveRegressor", "DesignObjective"]


def _draw_seed(random_state):
    """A 63-bit seed from ``random_state``; fresh OS entropy when it is None.

    None does not fall back on numpy's global RNG, so fitting never changes it.
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 1)
    return int(check_random_state(random_state).randint(0, 2**31 - 1))


class ConservativeObjectiveRegressor(
    VersionedStateMixin, RegressorMixin, BaseEstimator
):
    """Conservative objective model (COMs): an MLP regressor trained to be pessimistic
    off the data.

    The network ``f`` is trained on standardized designs and scores with

    ``0.5 * mean_D (f(x) - y)^2 + alpha * (mean f(x-) - mean_D f(x))``

    where each ``x-`` is found by ``n_ascent_steps`` steps of gradient ascent on the
    current model, started from the minibatch (no gradient flows through the ascent).
    The second term pushes down the scores of designs that gradient ascent would
    reach, so that an optimizer climbing the model does not walk into regions where
    it over-estimates. ``alpha=0`` gives plain regression.

    ``alpha`` is either fixed or, with ``alpha="auto"``, tuned by dual descent:
    ``alpha = exp(log_alpha)`` follows Adam on ``alpha * (tau - overestimation)``,
    where ``overestimation = mean f(x-) - mean f(x)`` and ``tau`` is
    ``overestimation_limit``, so alpha grows while the model over-estimates by more
    than ``tau`` (in standard deviations of ``y``) and shrinks otherwise.

    The reference configuration of Trabucco et al. (2021) is
    ``hidden_layer_sizes=(2048, 2048), learning_rate_init=3e-4, batch_size=128,
    max_iter=50, n_iter_no_change=0, n_ascent_steps=50, overestimation_limit=2.0``
    (discrete designs, ``ascent_step_size=2.0``) or ``0.5`` (continuous designs,
    ``ascent_step_size=0.05``). The defaults are smaller so that a few thousand
    designs fit in seconds on a laptop CPU.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden-layer activation.
    loss : {"squared_error", "listnet"}, default="squared_error"
        The fit term. ``"listnet"`` is the ranking loss of Tan et al. (2025):
        each minibatch is a list, and the loss is the cross-entropy between the
        softmax of its standardized scores and that of the predictions, which
        fixes only the order of the predictions; after training each network's
        output is mapped onto ``y`` by a least-squares ``a f + b`` (``a > 0``), so
        that ``predict`` is in the units of ``y``. It combines with the
        conservative term, whose over-estimation is then measured in the
        network's own units during training.
    listnet_temperature : float > 0, default=1.0
        With ``loss="listnet"``, the list's target is the softmax of the
        standardized scores divided by this: above 1 it weighs the designs of a
        list more evenly, below 1 it concentrates on the list's best. The
        package's default model for continuous designs uses 8 (measured across
        the continuous tasks, README "Design quality"). Unused with the squared
        error.
    sharpness_limit : float > 0 or None, default=None
        A constraint on the sharpness of each network (IGNITE, Dao et al.,
        2024): how much the mean of its output on a minibatch rises when its
        weights move by ``sharpness_radius`` (the norm over all of its weights)
        in the direction that raises it most, at most this much, in the units
        the network fits (standard deviations of ``y``; with ListNet, those
        divided by ``listnet_temperature``). The output bias alone moves it by
        ``sharpness_radius``, so the limit must be above that. A multiplier per
        network, from 0 and updated by dual ascent, weighs the sharpness in the
        loss. Each training step then costs one more backward pass (for the
        gradient of the mean) and a forward and backward pass at the moved
        weights. None trains without it.
    sharpness_radius : float > 0, default=0.05
        The norm of that weight perturbation (``sharpness_limit`` only).
    sharpness_learning_rate : float > 0, default=0.1
        The step of the multiplier's dual ascent, ``lambda <- max(0, lambda +
        rate * (sharpness - sharpness_limit))`` (``sharpness_limit`` only).
    alpha : float >= 0 or "auto", default="auto"
        Weight of the conservative term. ``"auto"`` tunes it by dual descent toward
        ``overestimation_limit``; a float fixes it (0 is plain regression).
    overestimation_limit : float, default=0.5
        The over-estimation ``tau`` that dual descent allows, in standard deviations
        of ``y``. Only used with ``alpha="auto"``.
    alpha_init : float > 0, default=0.1
        Starting alpha for dual descent.
    alpha_learning_rate : float > 0, default=0.01
        Adam learning rate of ``log(alpha)``.
    n_ascent_steps : int >= 1, default=10
        Gradient-ascent steps used to find the negatives ``x-``.
    ascent_step_size : float > 0, default=0.05
        Step of that ascent in standardized input units, before scaling.
    scale_step_by_sqrt_dim : bool, default=True
        Multiply ``ascent_step_size`` by ``sqrt(n_features)``, as the reference does.
    learning_rate_init : float > 0, default=1e-3
        Adam learning rate of the network.
    batch_size : int >= 1, default=128
        Minibatch size (capped at the number of samples).
    max_iter : int >= 1, default=50
        Maximum number of epochs.
    tol : float >= 0, default=1e-4
        Training stops when the epoch's fit term (see ``mse_curve_``) has not
        improved by ``tol`` for ``n_iter_no_change`` consecutive epochs.
    n_iter_no_change : int >= 0, default=10
        See ``tol``; 0 always runs ``max_iter`` epochs.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or
        ``"cuda:N"``.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the network and of the computations.
    cuda_graph : bool, default=True
        On a CUDA device, capture the inner gradient ascent of a training step as a
        CUDA graph once and replay it at every minibatch, which removes most of the
        kernel-launch overhead. Results match the eager loop to rounding. Ignored on
        the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization and minibatch order through a private
        generator; the global numpy and torch RNGs are never used. A fixed value
        makes fits repeatable bit for bit on the CPU.
    verbose : bool, default=False
        Print one line per epoch.

    Attributes
    ----------
    network_ : StackedMLP
        The trained network (weights on ``device_``).
    device_ : torch.device
        Where the network lives.
    n_iter_ : int
        Epochs run.
    loss_curve_ : list of float
        Training objective per epoch (mean over minibatches).
    mse_curve_ : list of float
        The fit term per epoch: the mean squared error in standardized units, or
        the ListNet loss with ``loss="listnet"``. ``tol`` applies to it.
    overestimation_curve_ : list of float
        ``mean f(x-) - mean f(x)`` per epoch, in standardized units. With a fixed
        ``alpha=0`` nothing is mined during training and it is measured on each
        epoch's last minibatch.
    alpha_curve_ : list of float
        Alpha at the end of each epoch.
    sharpness_curve_ : list of float
        The sharpness per epoch (mean over minibatches and networks), in the
        units of ``sharpness_limit``; empty without it.
    alpha_ : float
        Final alpha.
    ascent_step_size_ : float
        The ascent step actually used, in standardized input units.
    x_mean_, x_scale_ : ndarray of shape (n_features_in_,)
        Input standardization.
    y_mean_, y_scale_ : float
        Target standardization.
    n_features_in_ : int
        Number of features seen in fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when X was a DataFrame with string column names.

    See Also
    --------
    sklearn.neural_network.MLPRegressor : Plain MLP regression (alpha=0 without
        the over-estimation bookkeeping).

    References
    ----------
    B. Trabucco, A. Kumar, X. Geng, S. Levine. "Conservative Objective Models for
    Effective Offline Model-Based Optimization." ICML 2021.

    R.-X. Tan et al. "Offline Model-Based Optimization by Learning to Rank."
    ICLR 2025.

    M. C. Dao, P. L. Nguyen, T. N. Truong, T. N. Hoang. "Incorporating Surrogate
    Gradient Norm to Improve Offline Optimization Techniques." NeurIPS 2024.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressor
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressor(max_iter=40, random_state=0).fit(X, y)
    >>> bool(model.score(X, y) > 0.8)
    True
    """

    _parameter_constraints = {
        "hidden_layer_sizes": ["array-like"],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "loss": [StrOptions({"squared_error", "listnet"})],
        "listnet_temperature": [Interval(Real, 0, None, closed="neither")],
        "sharpness_limit": [Interval(Real, 0, None, closed="neither"), None],
        "sharpness_radius": [Interval(Real, 0, None, closed="neither")],
        "sharpness_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "overestimation_limit": [Interval(Real, None, None, closed="neither")],
        "alpha_init": [Interval(Real, 0, None, closed="neither")],
        "alpha_learning_rate": [Interval(Real, 0, None, closed="neither")],
        "n_ascent_steps": [Interval(Integral, 1, None, closed="left")],
        "ascent_step_size": [Interval(Real, 0, None, closed="neither")],
        "scale_step_by_sqrt_dim": ["boolean"],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 0, None, closed="left")],
        "device": [str],
        "dtype": [StrOptions({"float32", "float64"})],
        "cuda_graph": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        *,
        activation="relu",
        loss="squared_error",
        listnet_temperature=1.0,
        sharpness_limit=None,
        sharpness_radius=0.05,
        sharpness_learning_rate=0.1,
        alpha="auto",
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
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.loss = loss
        self.listnet_temperature = listnet_temperature
        self.sharpness_limit = sharpness_limit
        self.sharpness_radius = sharpness_radius
        self.sharpness_learning_rate = sharpness_learning_rate
        self.alpha = alpha
        self.overestimation_limit = overestimation_limit
        self.alpha_init = alpha_init
        self.alpha_learning_rate = alpha_learning_rate
        self.n_ascent_steps = n_ascent_steps
        self.ascent_step_size = ascent_step_size
        self.scale_step_by_sqrt_dim = scale_step_by_sqrt_dim
        self.learning_rate_init = learning_rate_init
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.dtype = dtype
        self.cuda_graph = cuda_graph
        self.random_state = random_state
        self.verbose = verbose

    # The networks trained together and how their scores combine: the estimator's
    # n_members and aggregate where it has them (an ensemble, the final fit of the
    # cross-validated model), else one network.
    @property
    def _n_members(self):
        return getattr(self, "n_members", 1)

    @property
    def _aggregate(self):
        return getattr(self, "aggregate", "mean")

    def _hidden_sizes(self):
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes))
        if sizes.ndim != 1 or not all(
            isinstance(s, Integral | np.integer) and s >= 1 for s in sizes.tolist()
        ):
            raise ValueError(
                "hidden_layer_sizes must be a sequence of positive integers, got "
                f"{self.hidden_layer_sizes!r}."
            )
        return [int(s) for s in sizes]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the conservative model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs, already encoded as real vectors.
        y : array-like of shape (n_samples,)
            Their scores (higher is better). Constant scores are accepted with a
            ``UserWarning``: nothing can be learned from them.

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        skcoms.exceptions.DivergenceError
            When the loss, the over-estimation or alpha becomes NaN or infinite;
            the message names the epoch. Any error, or an interrupt during the
            first epoch, leaves the estimator unfitted (an earlier fit included);
            an interrupt after it keeps the last completed epoch, with a warning.
        """
        with fit_or_unfit(self):
            return self._fit(X, y)

    def _fit(self, X, y):
        X, y = self._validate_training_data(X, y)
        alpha = None if self.alpha == "auto" else float(self.alpha)
        return self._fit_validated(X, y, alpha, _draw_seed(self.random_state))

    def _validate_training_data(self, X, y):
        check_not_temporal(X, "X")
        check_not_temporal(y, "y")
        X, y = validate_data(
            self,
            X,
            y,
            y_numeric=True,
            dtype=[np.float64, np.float32],
            ensure_min_samples=2,
        )
        y = check_scores(y)
        warn_if_constant(y, self)
        return X, y

    def _train(self, X, y, alpha, seed, n_members, loss=None, n_shared_init=1):
        """Standardize, train ``n_members`` networks and return them with the rest.

        ``alpha``: None (dual descent), a float, or a tuple with one fixed alpha
        per member. ``loss``: the fit term, ``self.loss`` when None.
        ``n_shared_init``: consecutive members that start from one initialization.
        """
        hidden = self._hidden_sizes()
        device = resolve_device(self.device)
        x_mean, x_scale = mean_and_scale(X)
        y_mean, y_scale = mean_and_scale(y)
        n_features = X.shape[1]
        step = self.ascent_step_size * (
            math.sqrt(n_features) if self.scale_step_by_sqrt_dim else 1.0
        )
        # an error, or an interrupt in the first epoch, propagates and fit_or_unfit
        # leaves the estimator unfitted
        network, history = fit_network(
            (X - x_mean) / x_scale,
            (y - y_mean) / y_scale,
            layer_sizes=[n_features, *hidden, 1],
            activation=self.activation,
            n_members=n_members,
            config=self._training_config(step, alpha, loss),
            seed=seed,
            device=device,
            dtype=self.dtype,
            n_shared_init=n_shared_init,
        )
        fitted = {
            "network_": network,
            "device_": device,
            "x_mean_": x_mean,
            "x_scale_": x_scale,
            "y_mean_": y_mean,
            "y_scale_": y_scale,
            "ascent_step_size_": step,
        }
        return fitted, history

    def _fit_validated(self, X, y, alpha, seed, loss=None, trained=None):
        """Train (or take ``trained``, a ``(fitted, history)`` pair) and adopt."""
        if trained is None:
            trained = self._train(X, y, alpha, seed, self._n_members, loss)
        fitted, history = trained
        self._keep_sound_members(fitted, history, alpha)
        self._warn_about_training(history, alpha)
        for name, value in fitted.items():
            setattr(self, name, value)
        self.n_iter_ = history.n_epochs
        self.loss_curve_ = history.loss
        self.mse_curve_ = history.mse
        self.overestimation_curve_ = history.overestimation
        self.alpha_curve_ = history.alpha
        self.sharpness_curve_ = history.sharpness
        self.alpha_ = history.alpha[-1]
        return self

    def _keep_sound_members(self, fitted, history, alpha):
        """Drop the members whose conservative term ran away, unless all did.

        Such a member (a fixed alpha > 0, its last epoch's gap below
        ``-RUNAWAY_GAP`` standard deviations of ``y``) scores the designs of its
        ascent far below the data: not a fit, and in an ensemble's mean or
        minimum it would drag every design off the data down. ``fitted`` and
        ``history.final_overestimation`` keep the others.
        """
        sound = _sound_members(history, alpha)
        if sound.all() or not sound.any():
            return
        gaps = np.asarray(history.final_overestimation, dtype=float)
        fitted["network_"] = fitted["network_"].select(np.flatnonzero(sound).tolist())
        history.final_overestimation = gaps[sound].tolist()
        warnings.warn(
            f"The conservative term of {int((~sound).sum())} of the {gaps.size} "
            "networks ran away (their gradient ascent scored far below the "
            f"data); they were dropped, and the model combines the other "
            f"{int(sound.sum())}.",
            ConvergenceWarning,
            stacklevel=6,
        )

    def _training_config(self, step, alpha, loss=None):
        if (
            self.sharpness_limit is not None
            and self.sharpness_limit <= self.sharpness_radius
        ):
            raise ValueError(
                f"sharpness_limit={self.sharpness_limit!r} can never be met: the "
                "output bias alone moves the mean output by sharpness_radius="
                f"{self.sharpness_radius!r}. Give a limit above the radius."
            )
        # the settings of dual descent only matter without a fixed alpha
        dual = alpha is None
        return TrainingConfig(
            n_epochs=self.max_iter,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate_init,
            alpha=alpha,
            overestimation_limit=float(self.overestimation_limit) if dual else 0.0,
            alpha_init=float(self.alpha_init) if dual else 1.0,
            alpha_learning_rate=float(self.alpha_learning_rate) if dual else 0.0,
            n_ascent_steps=self.n_ascent_steps,
            ascent_step_size=step,
            tol=float(self.tol),
            n_iter_no_change=self.n_iter_no_change,
            verbose=bool(self.verbose),
            cuda_graph=bool(self.cuda_graph),
            loss=self.loss if loss is None else loss,
            listnet_temperature=float(self.listnet_temperature),
            sharpness_limit=(
                None if self.sharpness_limit is None else float(self.sharpness_limit)
            ),
            sharpness_radius=float(self.sharpness_radius),
            sharpness_learning_rate=float(self.sharpness_learning_rate),
        )

    def __sklearn_is_fitted__(self):
        return hasattr(self, "network_")

    def _warn_about_training(self, history, alpha):
        """Warn about an interrupted fit or a conservative term out of bounds.

        ``alpha`` is the fit's: None for dual descent, else fixed (one per member).
        """
        if history.interrupted:
            warnings.warn(
                f"Training was interrupted; the model keeps the weights of its last "
                f"completed epoch ({history.n_epochs} of {self.max_iter}).",
                TrainingInterruptedWarning,
                stacklevel=6,
            )
        if alpha is not None:
            conservative = np.any(np.asarray(alpha, dtype=float) > 0)
            # the last epoch's gap of the members kept (all but those dropped)
            gaps = history.final_overestimation
            gap = float(np.mean(gaps)) if gaps else 0.0
            if conservative and gap < -RUNAWAY_GAP:
                warnings.warn(
                    "The conservative term ran away: at the last epoch the model "
                    "scored the designs of its gradient ascent "
                    f"{-gap:.3g} standard deviations of y "
                    "below the data, so its predictions off the data (and maybe on "
                    "it) are not a fit. Use alpha='auto' (dual descent holds this "
                    "gap near overestimation_limit), a smaller alpha or "
                    "ascent_step_size, or ConservativeObjectiveRegressorCV, which "
                    "chooses alpha on held-out designs.",
                    ConvergenceWarning,
                    stacklevel=6,
                )
            return
        if any(a >= ALPHA_MAX * 0.999 for a in history.final_alpha):
            warnings.warn(
                f"alpha reached its upper bound {ALPHA_MAX:g}: the over-estimation "
                f"stayed above overestimation_limit={self.overestimation_limit}. "
                "Raise overestimation_limit or lower ascent_step_size.",
                ConvergenceWarning,
                stacklevel=6,
            )
        elif min(history.overestimation) > self.overestimation_limit and (
            history.n_epochs == self.max_iter
        ):
            warnings.warn(
                "The over-estimation never came down to overestimation_limit="
                f"{self.overestimation_limit} "
                f"(last: {history.overestimation[-1]:.3g}). "
                "Raise max_iter or alpha_learning_rate.",
                ConvergenceWarning,
                stacklevel=6,
            )
        if any(a <= ALPHA_MIN * 1.001 for a in history.final_alpha):
            warnings.warn(
                f"alpha reached its lower bound {ALPHA_MIN:g}: the model is "
                "effectively unconstrained (plain regression).",
                ConvergenceWarning,
                stacklevel=6,
            )

    def _numpy_dtype(self):
        """The precision of the fitted network, as a numpy dtype."""
        return network_dtype(self.network_)

    def predict(self, X):
        """Predicted scores, in the units of the ``y`` seen in fit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs, encoded as in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            For an ensemble, its members' scores combined as its ascent combines
            them (mean or minimum).

        Notes
        -----
        A float32 network is evaluated in float64 here, so that a sample's
        prediction does not depend on the other rows it comes with (matrix-product
        kernels sum in an order that depends on the row count). Training and the
        design ascent keep the network's own precision.
        """
        check_is_fitted(self)
        check_not_temporal(X, "X")
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        pred = predict_network(
            self.network_,
            X,
            x_mean=self.x_mean_,
            x_scale=self.x_scale_,
            aggregate=self._aggregate,
            device=self.device_,
        )
        return pred * self.y_scale_ + self.y_mean_

    def design_objective(self):
        """The differentiable surrogate that design optimizers climb.

        Returns
        -------
        objective : DesignObjective
            Callable on a ``n x d`` tensor of designs (units of ``X``) on
            ``objective.device``; returns predicted scores and ascent directions.
        """
        check_is_fitted(self)
        return design_objective(
            self.network_,
            x_mean=self.x_mean_,
            x_scale=self.x_scale_,
            y_mean=self.y_mean_,
            y_scale=self.y_scale_,
            aggregate=self._aggregate,
            device=self.device_,
        )

    def __setstate__(self, state):
        super().__setstate__(state)
        device = self.__dict__.get("device_")
        if device is not None:
            self.network_, self.device_ = restore_network(self.network_, device)
