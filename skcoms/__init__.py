"""Offline model-based optimization with Conservative Objective Models."""

from ._optimizer import OfflineDesignOptimizer
from ._regressor import ConservativeObjectiveRegressor, DesignObjective
from .baselines import (
    BestOfDataset,
    CMAESOptimizer,
    EnsembleObjectiveRegressor,
    GradientAscentOptimizer,
)
from .spaces import Box, CategoricalSequence

__all__ = [
    "BestOfDataset",
    "Box",
    "CMAESOptimizer",
    "CategoricalSequence",
    "ConservativeObjectiveRegressor",
    "DesignObjective",
    "EnsembleObjectiveRegressor",
    "GradientAscentOptimizer",
    "OfflineDesignOptimizer",
]
__version__ = "0.1.0"
