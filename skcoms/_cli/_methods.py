"""The methods of ``--method``: one registry entry per method.

A new method is one entry in :data:`METHODS`: its label in tables, a line of help,
the method-specific options it accepts, the optional package it needs, and a
function that builds the optimizer. Its models get the reference's settings for the
design space from :func:`skcoms._defaults.default_model`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from ._common import DataError


@dataclass(frozen=True)
class Method:
    """One ``--method`` of the command line.

    ``build(discrete, common, model_params, options, underdetermined=False)``
    returns the optimizer:
    ``common`` holds ``design_space`` and ``random_state``, and
    ``drop_duplicates`` and the proposer's options (:data:`PROPOSER_OPTIONS`)
    when given, ``model_params`` the parameters of its model (``max_iter``,
    ``device``...), ``options`` the method-specific values given (only those not
    None). A method with ``proposer=True`` searches with
    :class:`~skcoms.OfflineDesignOptimizer`'s proposer and accepts its options.
    """

    label: str
    help: str
    build: Callable
    options: tuple = ()  # method-specific options it accepts, e.g. ("alpha",)
    trains_model: bool = True
    needs: str | None = None  # an optional package, by import name
    proposer: bool = False  # takes the options of OfflineDesignOptimizer's proposer


# options of OfflineDesignOptimizer's proposer that the command line passes on
PROPOSER_OPTIONS = (
    "paths_per_design",
    "path_selection",
    "max_changes",
    "max_distance",
    "min_separation",
    "recombine",
    "recombine_fraction",
    "support",
)


def _coms(discrete, common, model_params, options, underdetermined=False):
    from .. import OfflineDesignOptimizer
    from .._defaults import default_model

    if options.get("loss") == "auto" and options.keys() & {
        "alpha",
        "overestimation_limit",
    }:
        raise DataError(
            "--loss auto is chosen together with alpha on the held-out top designs; "
            "give --alpha or --overestimation-limit with squared_error or listnet."
        )
    model = default_model(
        discrete, underdetermined=underdetermined, **options, **model_params
    )
    return OfflineDesignOptimizer(model, **common)


def _gradient_ascent(discrete, common, model_params, options, underdetermined=False):
    from .. import GradientAscentOptimizer
    from .._defaults import default_model

    model = default_model(discrete, conservative=False, **model_params)
    return GradientAscentOptimizer(model, **common)


def _ensemble(aggregate):
    def build(discrete, common, model_params, options, underdetermined=False):
        from .. import GradientAscentOptimizer
        from .._defaults import default_model

        model = default_model(
            discrete,
            conservative=False,
            ensemble=True,
            aggregate=aggregate,
            **options,
            **model_params,
        )
        return GradientAscentOptimizer(model, **common)

    return build


def _cma_es(discrete, common, model_params, options, underdetermined=False):
    from .. import CMAESOptimizer
    from .._defaults import default_model

    model = default_model(discrete, conservative=False, **model_params)
    return CMAESOptimizer(model, **common, **options)


def _best_of_dataset(discrete, common, model_params, options, underdetermined=False):
    from .. import BestOfDataset

    return BestOfDataset(
        design_space=common["design_space"],
        drop_duplicates=common.get("drop_duplicates", False),
    )


def _cbas(autofocus):
    def build(discrete, common, model_params, options, underdetermined=False):
        from .. import CbASOptimizer

        device = {"device": model_params["device"]} if "device" in model_params else {}
        return CbASOptimizer(autofocus, **common, **device)

    return build


def _model_based(class_name):
    """An optimizer of a plain model, with the reference's settings for the space."""

    def build(discrete, common, model_params, options, underdetermined=False):
        import skcoms

        from .._defaults import default_model

        model = default_model(discrete, conservative=False, **model_params)
        return getattr(skcoms, class_name)(model, **common)

    return build


METHODS = {
    "coms": Method(
        "COMs",
        "conservative objective models",
        _coms,
        (
            "alpha",
            "overestimation_limit",
            "loss",
            "listnet_temperature",
            "sharpness_limit",
        ),
        proposer=True,
    ),
    "gradient-ascent": Method(
        "gradient ascent",
        "naive gradient ascent on a plain model",
        _gradient_ascent,
        proposer=True,
    ),
    "ensemble-mean": Method(
        "ensemble mean",
        "gradient ascent on an ensemble of 5, mean of the members",
        _ensemble("mean"),
        ("n_members",),
        proposer=True,
    ),
    "ensemble-min": Method(
        "ensemble min",
        "gradient ascent on an ensemble of 5, min of the members",
        _ensemble("min"),
        ("n_members",),
        proposer=True,
    ),
    "cma-es": Method(
        "CMA-ES",
        "CMA-ES on a plain model; needs the 'cma' package",
        _cma_es,
        ("n_generations",),
        needs="cma",
    ),
    "best-of-dataset": Method(
        "best of dataset",
        "the best designs of the data; the score column then holds their "
        "measured scores",
        _best_of_dataset,
        trains_model=False,
    ),
    "cbas": Method(
        "CbAS",
        "conditioning by adaptive sampling: a VAE refitted toward the model's upper "
        "quantile",
        _cbas(False),
    ),
    "autofocused-cbas": Method(
        "Auto. CbAS",
        "CbAS whose model is refitted toward the search distribution",
        _cbas(True),
    ),
    "mins": Method(
        "MINs",
        "model inversion networks: a conditional GAN of designs",
        _model_based("MINsOptimizer"),
    ),
    "reinforce": Method(
        "REINFORCE",
        "a search distribution trained by policy gradient on a plain model",
        _model_based("REINFORCEOptimizer"),
    ),
    "bo-qei": Method(
        "BO-qEI",
        "batch q-expected improvement on a Gaussian process; needs 'botorch'",
        _model_based("BOqEIOptimizer"),
        needs="botorch",
    ),
}


def check_available(name):
    """Fail with the install command when the method's optional package is missing."""
    from .._optional import import_optional

    needs = METHODS[name].needs
    if needs is None:
        return
    try:
        import_optional(needs, extra=needs)
    except ImportError:
        raise DataError(
            f"--method {name} needs the optional {needs!r} package: "
            f"pip install 'skcoms[{needs}]'"
        ) from None


def is_available(name):
    """Whether the optional package of a method is installed."""
    from .._optional import has_optional

    needs = METHODS[name].needs
    return needs is None or has_optional(needs)


def make_optimizer(
    name,
    *,
    discrete,
    design_space=None,
    model_params=None,
    drop_duplicates=None,
    random_state=None,
    proposer=None,
    underdetermined=False,
    **options,
):
    """The optimizer of ``--method name``, with the reference's settings for the space.

    ``drop_duplicates=None`` keeps the method's default. ``proposer`` holds
    options of the proposer (:data:`PROPOSER_OPTIONS`; ``support="none"`` is no
    rule, ``recombine="none"`` no means). ``options`` are method-specific
    (``alpha``, ``overestimation_limit``, ``n_generations``, ``n_members``).
    Those that are None are left out, and the method must accept the others.
    ``underdetermined``: whether the data have no more designs than features (as
    encoded), which sets the default model of continuous designs
    (:func:`skcoms._defaults.default_model`).
    """
    method = METHODS[name]
    options = {key: value for key, value in options.items() if value is not None}
    unknown = set(options) - set(method.options)
    if unknown:
        raise ValueError(f"--method {name} does not take {sorted(unknown)}")
    proposer = {k: v for k, v in (proposer or {}).items() if v is not None}
    if proposer and not method.proposer:
        raise ValueError(f"--method {name} does not take {sorted(proposer)}")
    for key in ("support", "recombine"):
        if proposer.get(key) == "none":
            proposer[key] = None
    common = {"design_space": design_space, "random_state": random_state, **proposer}
    if drop_duplicates is not None:
        common["drop_duplicates"] = drop_duplicates
    return method.build(
        discrete,
        common,
        dict(model_params or {}),
        options,
        underdetermined=underdetermined,
    )
