"""Fitted state: pickles that record the skcoms version, fits that fail cleanly."""

import inspect
import warnings
from contextlib import contextmanager

from .exceptions import InconsistentVersionWarning


def _current_version():
    from . import __version__

    return __version__


def _major_minor(version):
    return tuple(str(version).split(".")[:2])


class VersionedStateMixin:
    """Stores ``_skcoms_version`` in the pickle; warns on load across versions.

    A pickle made before a parameter was added loads with that parameter at its
    default (the behaviour the estimator had before it existed).

    Patch releases keep pickles compatible: only a different major or minor
    version warns, with an :class:`~skcoms.exceptions.InconsistentVersionWarning`
    that names the version the estimator needs. scikit-learn's own version is
    recorded by ``BaseEstimator`` for its estimators only, so it is not checked here.
    """

    def __getstate__(self):
        # a copy: on Python 3.11+ the state can be the instance's own __dict__
        state = dict(super().__getstate__())
        state["_skcoms_version"] = _current_version()
        return state

    def __setstate__(self, state):
        saved = state.pop("_skcoms_version", None)
        current = _current_version()
        if saved is not None and _major_minor(saved) != _major_minor(current):
            warnings.warn(
                InconsistentVersionWarning(
                    estimator_name=type(self).__name__,
                    current_version=current,
                    original_version=saved,
                ),
                stacklevel=2,
            )
        super().__setstate__(state)
        parameters = inspect.signature(type(self).__init__).parameters
        for name, parameter in parameters.items():
            if parameter.default is not parameter.empty and name not in self.__dict__:
                setattr(self, name, parameter.default)


@contextmanager
def fit_or_unfit(estimator, private=()):
    """Run a fit so that it either completes or leaves ``estimator`` unfitted.

    Any exception (an interrupt included) removes the fitted attributes, those of an
    earlier fit too: a failed refit must not leave new attributes (say
    ``n_features_in_``) beside stale ones (the previous model).

    Parameters
    ----------
    estimator : estimator
        Its public attributes ending in ``_`` are the fitted state.
    private : sequence of str
        Private attributes that are fitted state as well.
    """
    try:
        yield
    except BaseException:
        for name in list(vars(estimator)):
            if (name.endswith("_") and not name.startswith("_")) or name in private:
                delattr(estimator, name)
        raise
