"""The default model of a design space, in one place.

The COMs reference (Trabucco et al., 2021) uses an ascent step of 2.0 and an
over-estimation limit of 2.0 on categorical designs (logits), 0.05 and 0.5 on
continuous ones. The optimizers, the baselines and the command line all build their
default model here.
"""

# settings of the reference per kind of design space: (ascent step, limit of tau)
ASCENT_STEP_SIZE = {"discrete": 2.0, "continuous": 0.05}
OVERESTIMATION_LIMIT = {"discrete": 2.0, "continuous": 0.5}


def is_discrete(design_space):
    """Whether a design space encodes categorical designs (sequences of tokens).

    Parameters
    ----------
    design_space : Box, CategoricalSequence or other design space
        A space object; only its kind matters.

    Returns
    -------
    discrete : bool
    """
    from .spaces import CategoricalSequence

    return isinstance(design_space, CategoricalSequence)


def default_model(discrete, *, conservative=True, ensemble=False, **params):
    """The model an optimizer uses when it is given none.

    Parameters
    ----------
    discrete : bool
        Whether the designs are categorical (logit-encoded sequences).
    conservative : bool, default=True
        A COMs model (``alpha="auto"`` with the reference's over-estimation
        limit), or a plain regression model (``alpha=0.0``) as the baselines use.
    ensemble : bool, default=False
        An :class:`~skcoms.EnsembleObjectiveRegressor` instead of a single network.
    **params
        Parameters of the model that override these defaults.

    Returns
    -------
    model : ConservativeObjectiveRegressor or EnsembleObjectiveRegressor
        Unfitted.

    Examples
    --------
    >>> from skcoms._defaults import default_model
    >>> model = default_model(True)
    >>> model.ascent_step_size, model.overestimation_limit
    (2.0, 2.0)
    >>> default_model(False, conservative=False).alpha
    0.0
    """
    kind = "discrete" if discrete else "continuous"
    settings = {"ascent_step_size": ASCENT_STEP_SIZE[kind]}
    if conservative:
        settings["overestimation_limit"] = OVERESTIMATION_LIMIT[kind]
    else:
        settings["alpha"] = 0.0
    settings.update(params)
    if ensemble:
        from ._ensemble import EnsembleObjectiveRegressor

        return EnsembleObjectiveRegressor(**settings)
    from ._regressor import ConservativeObjectiveRegressor

    return ConservativeObjectiveRegressor(**settings)
