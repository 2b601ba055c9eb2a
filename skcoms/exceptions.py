"""Errors and warnings that skcoms raises, beyond Python's and scikit-learn's."""

__all__ = [
    "DivergenceError",
    "InconsistentVersionWarning",
    "TrainingInterruptedWarning",
]


class DivergenceError(FloatingPointError):
    """A loss, alpha, proposal or predicted score became NaN or infinite.

    Raised by ``fit`` (the message names the epoch) or ``propose`` (the search
    step); the message names the parameter to lower.
    """


class InconsistentVersionWarning(UserWarning):
    """An estimator was unpickled with another skcoms version than it was saved with.

    Parameters
    ----------
    estimator_name : str
        The class of the unpickled estimator.
    current_version : str
        The skcoms version loading it.
    original_version : str
        The skcoms version that saved it.
    """

    def __init__(self, *, estimator_name, current_version, original_version):
        self.estimator_name = estimator_name
        self.current_version = current_version
        self.original_version = original_version

    def __str__(self):
        return (
            f"This {self.estimator_name} was saved with skcoms "
            f"{self.original_version} and is loaded with skcoms "
            f"{self.current_version}; it may not work. Install "
            f"skcoms=={self.original_version} to use it, or refit it."
        )


class TrainingInterruptedWarning(UserWarning):
    """Training was interrupted (Ctrl-C) after its first epoch.

    The model keeps the weights of its last completed epoch, so that a long fit
    stopped in a notebook is still usable. To make an interrupt stop the program
    instead, turn the warning into an error, as the command line does::

        warnings.filterwarnings("error", category=TrainingInterruptedWarning)
    """
