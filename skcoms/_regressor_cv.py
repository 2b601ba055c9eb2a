"""ConservativeObjectiveRegressorCV: alpha chosen from the data, without an oracle."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from ._compat import Interval, StrOptions, _fit_context
from ._defaults import DUAL_DESCENT_PARAMS, is_underdetermined
from ._persistence import fit_or_unfit
from ._regressor import ConservativeObjectiveRegressor, _draw_seed, _sound_members
from ._torch.network import predict_network
from .model_selection import top_k_order
from .model_selection._split import _round_product

__all__ = ["ConservativeObjectiveRegressorCV"]

# the conservative settings of dual descent do not apply: every alpha is fixed
_PARENT_CONSTRAINTS = ConservativeObjectiveRegressor._parameter_constraints
# the fit terms that loss="auto" chooses between, in the order of holdout_mse_'s rows
LOSSES = ("squared_error", "listnet")


def _check_alphas(alphas):
    try:
        values = np.asarray(alphas, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"alphas must be a sequence of non-negative numbers, got {alphas!r}."
        ) from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"alphas must be a non-empty 1-D sequence of numbers, got {alphas!r}."
        )
    if not (np.isfinite(values).all() and (values >= 0).all()):
        raise ValueError(
            f"alphas must be finite and non-negative, got {values.tolist()}."
        )
    return values


def _plain_unless_better(ranked, per_design, alphas, margin):
    """``ranked`` with the plain candidate first unless the best is clearly better.

    ``ranked`` lists (loss, alpha) indices, smallest held-out error first, and
    ``per_design`` holds each candidate's squared error per held-out design. When
    the first has alpha > 0, the plain candidate (alpha = 0) of its loss takes its
    place unless the first's error is lower by more than ``margin`` standard errors
    of their paired difference over the held-out designs. With fewer than two
    held-out designs there is no standard error and the order stands; with a
    margin of 0 it stands too (the smallest error wins, to the bit).
    """
    loss, best = ranked[0]
    plain = np.flatnonzero(alphas == 0)
    if margin == 0 or alphas[best] == 0 or plain.size == 0 or per_design.shape[-1] < 2:
        return ranked
    pair = (loss, int(plain[0]))
    if pair not in ranked:  # the plain candidate's error was not finite
        return ranked
    difference = per_design[loss, best] - per_design[pair]
    standard_error = difference.std(ddof=1) / math.sqrt(difference.size)
    if difference.mean() + margin * standard_error < 0:
        return ranked
    return [pair] + [other for other in ranked if other != pair]


class ConservativeObjectiveRegressorCV(ConservativeObjectiveRegressor):
    """COMs regressor whose conservative weight ``alpha`` is chosen from the data.

    The choice needs no oracle. The designs with the top ``holdout_fraction`` of
    the scores are held out (as :class:`~skcoms.model_selection.TopKSplit` does):
    they stand for the better designs an optimizer is after, which the model has
    not seen. ``n_repeats`` networks per candidate in ``alphas`` are trained on the
    rest, all of them in one stacked pass (with several repeats, the candidates of
    one repeat start from the same initialization, so that they differ only by
    alpha; all see the same minibatches). The candidate whose networks predict the
    held-out designs with the smallest squared error (averaged over the repeats)
    wins, but a conservative one only when clearly better than the plain model
    (``plain_margin``), and ``n_members`` networks with that alpha (one by
    default, an ensemble with more) are then trained on all the data. Should
    the conservative term of every one of them run away (a fixed alpha > 0 can,
    from another initialization on more designs), the next candidate by
    held-out error is trained instead, with a ``ConvergenceWarning``.
    ``alpha=0`` is plain regression; a larger alpha pushes down the scores of
    designs that gradient ascent reaches (see
    :class:`~skcoms.ConservativeObjectiveRegressor`). With ``loss="auto"`` the fit
    term is chosen the same way: each alpha is tried with the squared error and
    with ListNet, and the pair with the smallest held-out error wins.

    This costs one stacked fit of ``len(alphas) * n_repeats`` members per loss
    tried, on at most ``max_selection_samples`` designs, and one stacked fit of
    ``n_members`` networks (one more per candidate passed over as above).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(256, 256)
        Width of each hidden layer.
    alphas : array-like of float >= 0, default=(0.0, 0.01, 0.1, 1.0)
        Candidate weights of the conservative term. With a single value no
        selection is run.
    allow_plain : {"auto"} or bool, default="auto"
        Whether ``alpha = 0`` (a plain model) among ``alphas`` may be chosen.
        ``"auto"``: unless the data are underdetermined, with no more designs
        than features (``n_samples <= n_features``, the features as encoded).
        Such data leave directions of the design space that no design
        constrains, along which a plain model's ascent finds the over-estimation
        COMs exists to prevent; on every other data set the held-out designs
        choose. ``False`` leaves 0 out always, ``True`` never. When every
        candidate is 0 it is used regardless. On such data a single set of
        candidates chooses by noise; the package's default model there uses
        ``allow_plain=True`` with ``n_repeats=3`` and ``plain_margin=0``,
        whose averaged error chose
        0 on the benchmark's 256-D sphere and linear function with 200
        designs, where the data's span shows the way, and alpha > 0 on its
        other such tasks; with 100 designs it chose 0 on neither (README,
        "Design quality").
    plain_margin : float >= 0, default=2.0
        How much lower, in standard errors, a conservative candidate's held-out
        error must be than the plain model's (``alpha = 0`` with the same loss,
        when it is among the candidates) for the conservative one to be chosen:
        the standard error of their paired difference over the held-out designs.
        A close call thus goes to the plain model, as the held-out error cannot
        tell how far the model's ascent moves the designs, which any alpha > 0
        shortens. Were the two equally good, a conservative candidate would pass
        a margin of 1 in about one fit of six (the normal distribution's tail)
        and a margin of 2 in about one of forty. ``0`` chooses the smallest
        held-out error. With fewer than two held-out designs the smallest error
        is chosen. On RNA binding with 100 bases (unshipped) alpha = 0.01 won by
        0.57 standard errors on 1 of 8 seeds and held the proposals at the
        data's level; to target 3, by 1.37 on another seed, with the same
        result; a margin of 2 sent both to the plain model, and changed no other
        record of the README's benchmarks ("Close calls go to the plain model").
    holdout_fraction : float in (0, 1), default=0.1
        Share of the designs, those with the highest scores, held out to choose
        alpha; rounded up, at least one design.
    max_selection_samples : int >= 2 or None, default=4096
        The candidates are trained on at most this many designs below the
        held-out ones, drawn at random (seeded by ``random_state``); None uses
        them all.
    n_repeats : int >= 1, default=1
        Networks per candidate, each repeat from its own initialization, which
        with more than one repeat the candidates of the repeat share; their
        held-out errors are averaged. More repeats make the choice less
        dependent on the initialization, at a proportional cost. With 1, each
        candidate starts from its own initialization.
    n_members : int >= 1, default=1
        Networks trained on all the data with the chosen alpha and loss, each
        from its own initialization, in one stacked pass: with more than one,
        an ensemble whose members ``aggregate`` combines, in ``predict`` and in
        the ascent, as :class:`~skcoms.EnsembleObjectiveRegressor` does.
        Members whose conservative term ran away (their ascent scored more
        than 100 standard deviations of ``y`` below the data) are dropped,
        with a ``ConvergenceWarning``, unless all of them did.
    aggregate : {"mean", "min"}, default="mean"
        How the final members' scores are combined (``n_members > 1``):
        their mean, or their minimum (a pessimistic model).
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
        Hidden-layer activation.
    loss : {"squared_error", "listnet", "auto"}, default="squared_error"
        The fit term; see :class:`~skcoms.ConservativeObjectiveRegressor`.
        ``"auto"`` chooses between the two together with alpha, on the same
        held-out designs (ListNet's predictions are first mapped onto ``y``).
    listnet_temperature : float > 0, default=1.0
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_limit : float > 0 or None, default=None
        A sharpness constraint on each network; see
        :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_radius : float > 0, default=0.05
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_learning_rate : float > 0, default=0.1
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    n_ascent_steps : int >= 1, default=10
        Gradient-ascent steps used to find the negatives ``x-``.
    ascent_step_size : float > 0, default=0.05
        Step of that ascent in standardized input units, before scaling.
    scale_step_by_sqrt_dim : bool, default=True
        Multiply ``ascent_step_size`` by ``sqrt(n_features)``.
    learning_rate_init : float > 0, default=1e-3
        Adam learning rate of the networks.
    batch_size : int >= 1, default=128
        Minibatch size (capped at the number of samples).
    max_iter : int >= 1, default=50
        Maximum number of epochs, of the selection and of the final fit.
    tol : float >= 0, default=1e-4
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    n_iter_no_change : int >= 0, default=10
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    device : str, default="auto"
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the networks.
    cuda_graph : bool, default=True
        Replay the inner ascent as a CUDA graph on CUDA devices.
    random_state : int, RandomState instance or None, default=None
        Seeds the held-out subsample, the initializations and the minibatch
        orders through private generators.
    verbose : bool, default=False
        Print one line per epoch.

    Attributes
    ----------
    alpha_ : float
        The chosen alpha, that of the final network: the candidate of smallest
        held-out error (the plain one when that is not lower by ``plain_margin``
        standard errors), or, when every final network with it ran away (see
        ``n_members``), the next one whose networks did not.
    alphas_ : ndarray of shape (n_alphas,)
        The candidates, as given.
    plain_allowed_ : bool
        Whether ``alpha = 0`` was among the candidates tried (see
        ``allow_plain``).
    loss_ : {"squared_error", "listnet"}
        The fit term of the final network: ``loss``, or the one chosen with
        ``loss="auto"``.
    holdout_mse_ : ndarray of shape (n_alphas,), (2, n_alphas) or None
        Each candidate's mean squared error on the held-out designs, in the
        units of ``y``, averaged over the repeats; with ``loss="auto"`` one row
        per loss (the squared error, then ListNet); NaN for ``alpha = 0`` when
        it was left out (``plain_allowed_`` is False); None when a single
        candidate was tried.
    n_selection_samples_ : int
        Designs the candidates were trained on (0 without a selection).
    network_ : StackedMLP
        The final network (``n_members`` of them, stacked), trained on all the
        data with ``alpha_``.
    See :class:`~skcoms.ConservativeObjectiveRegressor` for the others; they
    describe the final fit.

    See Also
    --------
    skcoms.ConservativeObjectiveRegressor : One fixed alpha, or dual descent.
    skcoms.model_selection.TopKSplit : The same held-out top designs, as a
        cross-validation splitter for ``GridSearchCV``.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms import ConservativeObjectiveRegressorCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.uniform(-1, 1, size=(300, 2))
    >>> y = -(X ** 2).sum(axis=1)
    >>> model = ConservativeObjectiveRegressorCV(
    ...     (32, 32), alphas=[0.0, 1.0], max_iter=40, random_state=0
    ... ).fit(X, y)
    >>> model.holdout_mse_.shape
    (2,)
    >>> model.alpha_ in (0.0, 1.0)
    True
    """

    _parameter_constraints = {
        **{
            key: value
            for key, value in _PARENT_CONSTRAINTS.items()
            if key not in DUAL_DESCENT_PARAMS
        },
        "alphas": ["array-like"],
        "allow_plain": [StrOptions({"auto"}), "boolean"],
        "plain_margin": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions({*LOSSES, "auto"})],
        "holdout_fraction": [Interval(Real, 0, 1, closed="neither")],
        "max_selection_samples": [Interval(Integral, 2, None, closed="left"), None],
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "aggregate": [StrOptions({"mean", "min"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256),
        *,
        alphas=(0.0, 0.01, 0.1, 1.0),
        allow_plain="auto",
        plain_margin=2.0,
        holdout_fraction=0.1,
        max_selection_samples=4096,
        n_repeats=1,
        n_members=1,
        aggregate="mean",
        activation="relu",
        loss="squared_error",
        listnet_temperature=1.0,
        sharpness_limit=None,
        sharpness_radius=0.05,
        sharpness_learning_rate=0.1,
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
        self.alphas = alphas
        self.allow_plain = allow_plain
        self.plain_margin = plain_margin
        self.holdout_fraction = holdout_fraction
        self.max_selection_samples = max_selection_samples
        self.n_repeats = n_repeats
        self.n_members = n_members
        self.aggregate = aggregate
        self.activation = activation
        self.loss = loss
        self.listnet_temperature = listnet_temperature
        self.sharpness_limit = sharpness_limit
        self.sharpness_radius = sharpness_radius
        self.sharpness_learning_rate = sharpness_learning_rate
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Choose alpha (and the loss) on the held-out top designs, then train.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Designs, already encoded as real vectors; at least 3 when there is
            more than one candidate (one held out, two to train on).
        y : array-like of shape (n_samples,)
            Their scores (higher is better).

        Returns
        -------
        self : object
            The fitted estimator.

        Raises
        ------
        skcoms.exceptions.DivergenceError
            When a training diverges. Any error, or an interrupt, leaves the
            estimator unfitted (an earlier fit included), except an interrupt
            after the first epoch of the final fit, which keeps its last
            completed epoch with a warning.
        """
        with fit_or_unfit(self):
            return self._fit(X, y)

    def _fit(self, X, y):
        alphas = _check_alphas(self.alphas)
        X, y = self._validate_training_data(X, y)
        seed = _draw_seed(self.random_state)
        losses = LOSSES if self.loss == "auto" else (self.loss,)
        plain = self.allow_plain
        if plain == "auto":
            plain = not is_underdetermined(X)
        tried = np.flatnonzero(alphas > 0) if not plain else np.arange(alphas.size)
        if tried.size == 0:  # every candidate is 0: nothing else to choose
            plain, tried = True, np.arange(alphas.size)
        holdout_mse, n_selection = None, 0
        # (loss, alpha) pairs, best held-out error first
        ranked = [(losses[0], float(alphas[tried[0]]))]
        if len(losses) * tried.size > 1:
            errors, per_design, n_selection = self._select(
                X, y, alphas[tried], losses, seed
            )
            finite = np.isfinite(errors.ravel())
            order = np.argsort(errors, axis=None, kind="stable")
            order = order[finite[order]] if finite.any() else order[:1]
            ranked = [
                (int(i), int(j)) for i, j in zip(*np.unravel_index(order, errors.shape))
            ]
            ranked = _plain_unless_better(
                ranked, per_design, alphas[tried], self.plain_margin
            )
            ranked = [(losses[i], float(alphas[tried[j]])) for i, j in ranked]
            holdout_mse = np.full((len(losses), alphas.size), np.nan)
            holdout_mse[:, tried] = errors
            if self.loss != "auto":
                holdout_mse = holdout_mse[0]
        loss, chosen, trained = self._first_sound_fit(X, y, ranked, seed)
        self._fit_validated(X, y, chosen, seed, loss, trained=trained)
        self.alpha_ = chosen  # as given, not the network's float32 copy
        self.loss_ = loss
        self.alphas_ = alphas
        self.plain_allowed_ = bool(plain)
        self.holdout_mse_ = holdout_mse
        self.n_selection_samples_ = n_selection
        return self

    def _first_sound_fit(self, X, y, ranked, seed):
        """The final fit of the first candidate whose networks did not all run away.

        A fixed alpha > 0 that held on the selection's designs can run away on
        all of them (another initialization, more designs): every final network
        then scores the designs of its ascent far below the data, and its
        predictions off the data are no fit. The next candidate by held-out
        error is then fitted instead, with a ``ConvergenceWarning``; the last one
        is kept whatever happens (its own fit warns).
        """
        for rank, (loss, alpha) in enumerate(ranked):
            fitted, history = self._train(X, y, alpha, seed, self._n_members, loss)
            last = rank == len(ranked) - 1
            if last or history.interrupted or _sound_members(history, alpha).any():
                return loss, alpha, (fitted, history)
            following = ranked[rank + 1]
            warnings.warn(
                f"The conservative term of every final network with alpha={alpha:g}"
                f" ({loss}) ran away (its gradient ascent scored far below the "
                "data); fitting the next candidate by held-out error instead, "
                f"alpha={following[1]:g} ({following[0]}).",
                ConvergenceWarning,
                stacklevel=5,
            )

    def _select(self, X, y, alphas, losses, seed):
        """Each candidate's squared error on the held-out top designs.

        One row per loss, one column per alpha; every loss starts from the same
        initializations and sees the same minibatches.
        """
        n = X.shape[0]
        n_top = max(1, math.ceil(_round_product(self.holdout_fraction, n)))
        if n - n_top < 2:
            raise ValueError(
                f"Choosing alpha or the loss needs at least 2 designs below the "
                f"held-out top {n_top} (holdout_fraction={self.holdout_fraction}); "
                f"got {n} samples. Give one alpha and one loss, or more designs."
            )
        order = top_k_order(y)
        top, rest = order[n - n_top :], order[: n - n_top]
        if self.max_selection_samples is not None and rest.size > (
            self.max_selection_samples
        ):
            rng = np.random.default_rng(seed)
            rest = np.sort(rng.choice(rest, self.max_selection_samples, replace=False))
        # repeat r of every candidate is member r * n_alphas + j; with several
        # repeats the candidates of one repeat share its initialization, so that
        # they differ only by alpha and their average compares like with like
        n_repeats = self.n_repeats
        n_shared = alphas.size if n_repeats > 1 else 1
        errors, per_design = [], []
        for loss in losses:
            fitted, history = self._train(
                X[rest],
                y[rest],
                tuple(alphas.tolist()) * n_repeats,
                seed,
                alphas.size * n_repeats,
                loss,
                n_shared_init=n_shared,
            )
            if history.interrupted:
                # a partly trained set of candidates would choose at random
                raise KeyboardInterrupt
            pred = predict_network(
                fitted["network_"],
                X[top],
                x_mean=fitted["x_mean_"],
                x_scale=fitted["x_scale_"],
                aggregate=None,
                device=fitted["device_"],
            )
            pred = pred * fitted["y_scale_"] + fitted["y_mean_"]
            squared = (pred - y[top]) ** 2
            # each network's mean first, as the ranking always took it: averaging
            # per design first can order exact ties differently in the last bit
            mse = np.mean(squared, axis=1)
            errors.append(mse.reshape(n_repeats, alphas.size).mean(axis=0))
            per_design.append(squared.reshape(n_repeats, alphas.size, -1).mean(axis=0))
        return np.stack(errors), np.stack(per_design), int(rest.size)
