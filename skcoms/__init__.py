"""Offline model-based optimization with Conservative Objective Models."""

from ._optimizer import OfflineDesignOptimizer
from ._regressor import ConservativeObjectiveRegressor, DesignObjective
from .spaces import Box, CategoricalSequence

__all__ = [
    "Box",
    "CategoricalSequence",
    "ConservativeObjectiveRegressor",
    "DesignObjective",
    "OfflineDesignOptimizer",
]
__version__ = "0.1.0"
