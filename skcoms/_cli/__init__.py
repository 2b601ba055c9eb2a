"""The ``skcoms`` command line: ``skcoms propose`` and ``skcoms demo``.

- ``_common``: exit codes, errors, progress notes;
- ``_arguments``: option types and the parser;
- ``_io``: reading designs from CSV, bounds, writing proposals;
- ``_methods``: the registry of ``--method``;
- ``_propose``: option checks, then fit, propose and write;
- ``_demo``: the registry of ``--task`` and the comparison table.
"""

import contextlib
import os
import sys
import warnings

from ._arguments import build_parser
from ._common import (
    EXIT_DATA_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    DataError,
    UsageError,
)
from ._demo import run_demo
from ._propose import run_propose

__all__ = ["main"]


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skcoms: warning: {message}", file=sys.stderr)


def main(argv=None):
    """Run the command line; returns the exit code."""
    from ..exceptions import TrainingInterruptedWarning

    parser = build_parser(run_propose, run_demo)
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            # Ctrl-C stops the command: no proposals from a partly trained model
            warnings.simplefilter("error", TrainingInterruptedWarning)
            return args.run(args)
    except UsageError as exc:
        parser.commands[args.command].print_usage(sys.stderr)
        print(f"skcoms {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"skcoms {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except (KeyboardInterrupt, TrainingInterruptedWarning):
        print("skcoms: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of stdout went away (| head): not an error of ours
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
