"""Errors and warnings that skcoms raises, beyond Python's and scikit-learn's."""

from ._torch.train import DivergenceError

# DivergenceError (a FloatingPointError): a loss, alpha, proposal or predicted score
# became NaN or infinite, in fit (the message names the epoch) or in propose (the
# ascent step); the message names the parameter to lower.

__all__ = ["DivergenceError", "InconsistentVersionWarning"]


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
