"""Where generated task data are cached."""

import os
from pathlib import Path

_ENV_VAR = "SKCOMS_DATA"


def get_data_home(data_home=None):
    """The folder where skcoms caches the data it generates, created if missing.

    Tasks whose data cannot be shipped or downloaded (such as
    :func:`load_hopper_controller`) generate them on first use and keep them here.
    The folder is, in order of precedence: ``data_home``, the environment variable
    ``SKCOMS_DATA``, or ``~/skcoms_data``; ``~`` is expanded.

    Parameters
    ----------
    data_home : str or path-like, default=None
        The folder; ``None`` uses ``SKCOMS_DATA`` or ``~/skcoms_data``.

    Returns
    -------
    data_home : str
        The folder's path.

    See Also
    --------
    sklearn.datasets.get_data_home : The same convention for scikit-learn's data.

    Examples
    --------
    >>> import os, tempfile
    >>> from skcoms.datasets import get_data_home
    >>> folder = os.path.join(tempfile.mkdtemp(), "cache")
    >>> get_data_home(folder) == folder and os.path.isdir(folder)
    True
    """
    if data_home is None:
        data_home = os.environ.get(_ENV_VAR) or os.path.join("~", "skcoms_data")
    if not isinstance(data_home, (str, os.PathLike)):
        raise TypeError(
            f"data_home must be a path (str or os.PathLike), got {type(data_home)}."
        )
    path = Path(data_home).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return str(path)
