"""Every public function checks its arguments with scikit-learn's validate_params."""

import importlib
import inspect

import pytest

from skcoms._compat import InvalidParameterError

# The dataset loaders are validated by hand (see tests/test_datasets.py).
MODULES = ("skcoms.benchmark", "skcoms.model_selection", "skcoms.spaces")
# functions whose first argument is any object the function inspects itself
NO_VALIDATION = {"plot_training"}


def _public_functions():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) and name not in NO_VALIDATION:
                yield pytest.param(obj, id=f"{module_name}.{name}")


class _NotAnArgument:
    def __repr__(self):
        return "<not an argument>"


@pytest.mark.parametrize("func", list(_public_functions()))
def test_a_wrong_type_names_the_parameter(func):
    first = next(iter(inspect.signature(func).parameters))
    n_required = sum(
        p.default is inspect.Parameter.empty and p.kind is p.POSITIONAL_OR_KEYWORD
        for p in inspect.signature(func).parameters.values()
    )
    args = [_NotAnArgument()] + [[0.0, 1.0]] * (n_required - 1)
    with pytest.raises(InvalidParameterError, match=f"'{first}' parameter of"):
        func(*args)
