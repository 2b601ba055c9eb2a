"""Offline model-based optimization with Conservative Objective Models."""

import importlib

# Public names load their module on first use, so that ``import skcoms`` (and the
# command line's --help and input checks) do not wait for torch and scikit-learn.
_EXPORTS = {
    "BestOfDataset": ".baselines",
    "Box": ".spaces",
    "BOqEIOptimizer": ".baselines",
    "CMAESOptimizer": ".baselines",
    "CbASOptimizer": ".baselines",
    "CategoricalSequence": ".spaces",
    "ConservativeObjectiveRegressor": "._regressor",
    "ConservativeObjectiveRegressorCV": "._regressor_cv",
    "DesignObjective": "._regressor",
    "EnsembleObjectiveRegressor": ".baselines",
    "GradientAscentOptimizer": ".baselines",
    "MINsOptimizer": ".baselines",
    "OfflineDesignOptimizer": "._optimizer",
    "REINFORCEOptimizer": ".baselines",
}

__all__ = sorted(_EXPORTS)
__version__ = "0.1.0"


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
