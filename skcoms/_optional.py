"""Optional packages, imported when a feature first needs them."""

import importlib
import warnings


def import_optional(name, *, extra, feature=None):
    """Import the optional package ``name``, or say which extra installs it.

    Parameters
    ----------
    name : str
        The module to import, e.g. ``"cma"``.
    extra : str
        The skcoms extra that installs it, e.g. ``"cma"`` for
        ``pip install "skcoms[cma]"``.
    feature : str, optional
        What needs the package, for the message (e.g. ``"CMAESOptimizer"``).

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        When the package is missing; the message names the command that installs
        it.

    Examples
    --------
    >>> from skcoms._optional import import_optional
    >>> import_optional("math", extra="none").sqrt(4.0)
    2.0
    """
    try:
        with warnings.catch_warnings():
            # some packages warn at import about their own optional dependencies
            # (cma without matplotlib); those features are not used here
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except ImportError as exc:
        who = "This feature" if feature is None else feature
        raise ImportError(
            f"{who} needs the optional {name!r} package: "
            f"pip install 'skcoms[{extra}]' (or pip install {name})."
        ) from exc


def has_optional(name):
    """Whether the optional package ``name`` can be imported.

    Parameters
    ----------
    name : str
        The module to try.

    Returns
    -------
    available : bool
    """
    try:
        import_optional(name, extra=name)
    except ImportError:
        return False
    return True
