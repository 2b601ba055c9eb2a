"""What every command shares: exit codes, the two kinds of error, progress notes."""

import sys

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

EXIT_CODES = """\
exit codes:
  0    success
  1    the data or the environment cannot be used: a missing or unreadable file,
       a missing column, a value that is not a finite number, sequences of
       different lengths or with tokens outside the alphabet, data outside the
       given bounds, an output that cannot be written, a fit that fails or
       diverges on the data, an optional package the method needs is missing
  2    usage error: an unknown option, a bad option value, options that
       contradict each other
  130  interrupted (Ctrl-C)"""


class DataError(Exception):
    """The input data cannot be used (exit code 1)."""


class UsageError(Exception):
    """The options contradict each other or are out of range (exit code 2)."""


def note(args, message):
    """A progress line on stderr, unless ``--quiet``."""
    if not getattr(args, "quiet", False):
        print(f"skcoms: {message}", file=sys.stderr, flush=True)


def check_device(device):
    """Resolve ``--device`` early, so a bad value is a usage error."""
    from .._torch.device import resolve_device

    try:
        return resolve_device(device)
    except ValueError as exc:
        raise UsageError(f"--device: {exc}") from None
