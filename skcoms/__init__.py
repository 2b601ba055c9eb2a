"""Offline model-based optimization with Conservative Objective Models."""

from ._regressor import ConservativeObjectiveRegressor, DesignObjective

__all__ = ["ConservativeObjectiveRegressor", "DesignObjective"]
__version__ = "0.1.0"
