"""EnsembleObjectiveRegressor: K networks trained together in one batched pass."""

from numbers import Integral

from ._compat import Interval, StrOptions
from ._regressor import ConservativeObjectiveRegressor


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
        Hidden-layer activation.
    loss : {"squared_error", "listnet"}, default="squared_error"
        The fit term; see :class:`~skcoms.ConservativeObjectiveRegressor`.
    listnet_temperature : float > 0, default=1.0
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_limit : float > 0 or None, default=None
        A sharpness constraint on each network; see
        :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_radius : float > 0, default=0.05
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    sharpness_learning_rate : float > 0, default=0.1
        See :class:`~skcoms.ConservativeObjectiveRegressor`.
    alpha : float >= 0 or "auto", default=0.0
        Weight of the conservative term of each member; ``"auto"`` tunes it by
        dual descent toward ``overestimation_limit``. With a fixed alpha > 0, the
        members whose conservative term ran away (their ascent scored more than
        100 standard deviations of ``y`` below the data) are dropped, with a
        ``ConvergenceWarning``, unless all of them did.
    overestimation_limit : float, default=0.5
        The over-estimation that dual descent allows, in standard deviations of
        ``y`` (``alpha="auto"`` only).
    alpha_init : float > 0, default=0.1
        Starting alpha of dual descent.
    alpha_learning_rate : float > 0, default=0.01
        Adam learning rate of ``log(alpha)``.
    n_ascent_steps : int >= 1, default=10
        Gradient-ascent steps that find the negatives, and the default number of
        steps of an optimizer's ascent.
    ascent_step_size : float > 0, default=0.05
        Step of that ascent in standardized input units, before scaling.
    scale_step_by_sqrt_dim : bool, default=True
        Multiply ``ascent_step_size`` by ``sqrt(n_features)``.
    learning_rate_init : float > 0, default=1e-3
        Adam learning rate of the networks.
    batch_size : int >= 1, default=128
        Minibatch size, shared by the members.
    max_iter : int >= 1, default=50
        Maximum number of epochs.
    tol : float >= 0, default=1e-4
        Training stops when the members' mean squared error has not improved by
        ``tol`` for ``n_iter_no_change`` epochs.
    n_iter_no_change : int >= 0, default=10
        See ``tol``; 0 always runs ``max_iter`` epochs.
    device : str, default="auto"
        ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    dtype : {"float32", "float64"}, default="float32"
        Precision of the networks.
    cuda_graph : bool, default=True
        Replay the inner ascent as a CUDA graph on CUDA devices.
    random_state : int, RandomState instance or None, default=None
        Seeds the initialization of all members through one private generator.
    verbose : bool, default=False
        Print one line per epoch. See
        :class:`~skcoms.ConservativeObjectiveRegressor` for the details of each
        parameter.

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
        loss="squared_error",
        listnet_temperature=1.0,
        sharpness_limit=None,
        sharpness_radius=0.05,
        sharpness_learning_rate=0.1,
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
            loss=loss,
            listnet_temperature=listnet_temperature,
            sharpness_limit=sharpness_limit,
            sharpness_radius=sharpness_radius,
            sharpness_learning_rate=sharpness_learning_rate,
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
