"""scikit-learn's private helpers, imported in one place.

skcoms uses a few names that scikit-learn does not document as public. They are
imported here only, so that a scikit-learn release that moves one of them needs one
fix. ``pyproject.toml`` pins the range of scikit-learn versions the tests ran with.
"""

from sklearn.base import _fit_context
from sklearn.model_selection._split import GroupsConsumerMixin
from sklearn.utils import _safe_indexing
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils.validation import _check_y, _num_samples

__all__ = [
    "GroupsConsumerMixin",
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_check_y",
    "_fit_context",
    "_num_samples",
    "_safe_indexing",
    "validate_params",
]
