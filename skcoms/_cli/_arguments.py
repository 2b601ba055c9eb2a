"""The command line's options: value types and the parser of each command."""

import argparse
import math

from ._common import EXIT_CODES
from ._demo import TASKS
from ._methods import METHODS

_RAW = argparse.RawDescriptionHelpFormatter


# ---- value types ------------------------------------------------------------------


def integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def positive_int(text):
    value = integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def non_negative_int(text):
    value = integer(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be an integer >= 0, got {value}")
    return value


def positive_float(text):
    value = finite_float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}")
    return value


def non_negative_float(text):
    value = finite_float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be a number >= 0, got {text!r}")
    return value


def recombine(text):
    """``none`` or an integer >= 2: the designs per mean of ``--recombine``."""
    if text.strip().lower() == "none":
        return "none"
    value = integer(text)
    if value < 2:
        raise argparse.ArgumentTypeError(
            f"must be an integer >= 2 or 'none', got {value}"
        )
    return value


def share(text):
    value = finite_float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {text!r}")
    return value


def n_jobs(text):
    value = integer(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a nonzero integer (-1: all cores)")
    return value


def seed(text):
    value = integer(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in 0 .. 2**32 - 1, got {value}")
    return value


def number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def finite_float(text):
    value = number(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def parse_bound(text):
    value = number(text)
    if math.isnan(value):
        raise argparse.ArgumentTypeError("a bound cannot be NaN")
    return value


def alpha(text):
    if text.strip().lower() == "auto":
        return "auto"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is neither 'auto' nor a number"
        ) from None
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            f"must be 'auto' or a finite number >= 0, got {text!r}"
        )
    return value


def hidden(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers, e.g. 256,256"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


# ---- the parser -------------------------------------------------------------------


def build_parser(run_propose, run_demo):
    """The parser of ``skcoms``; each command's namespace gets its ``run``."""
    parser = argparse.ArgumentParser(
        prog="skcoms",
        description="Offline model-based optimization with conservative objective "
        "models (COMs): propose designs better than those of a table of measured "
        "ones.",
        epilog=EXIT_CODES,
        formatter_class=_RAW,
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"skcoms {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    parser.commands = {}

    propose = sub.add_parser(
        "propose",
        help="fit on a CSV file of designs and scores, write proposals",
        description="Fit an offline optimizer on the designs and scores of a CSV "
        "file and write the proposed designs with their predicted scores, best "
        "first. Designs are the numeric columns other than the target (or those "
        "of --columns), or one column of sequences (strings such as ACGTTGCA).",
        epilog=EXIT_CODES + "\n\nexamples:\n"
        "  skcoms propose data.csv --target yield --n 64 -o proposals.csv\n"
        "  skcoms propose seqs.csv --target score --sequence-column seq "
        "--alphabet ACGT\n"
        "  skcoms propose data.csv --target y --method ensemble-mean --bounds 0 1",
        formatter_class=_RAW,
    )
    _add_data_options(propose)
    _add_method_options(propose)
    _add_run_options(propose)
    propose.set_defaults(run=run_propose)
    parser.commands["propose"] = propose

    demo = sub.add_parser(
        "demo",
        help="compare COMs with the baselines on a shipped task and print the table",
        description="Run COMs and the baselines (naive gradient ascent, ensemble "
        "mean, CMA-ES when the 'cma' package is installed, best of dataset) on "
        "a task shipped with skcoms (TFBind8 by default), and print their "
        "normalized scores next to the published ones. The default budget (4 "
        "seeds, 5 epochs, networks of 2 x 256) takes about two minutes on two CPU "
        "cores on TFBind8; the published numbers use 8 seeds and the full "
        "training budget.",
        epilog=EXIT_CODES,
        formatter_class=_RAW,
    )
    _add_demo_options(demo)
    demo.set_defaults(run=run_demo)
    parser.commands["demo"] = demo
    return parser


def _method_help():
    described = [f"{name} ({method.help})" for name, method in METHODS.items()]
    return "the method (default: coms): " + ", ".join(described)


def _add_data_options(propose):
    propose.add_argument("data", metavar="DATA.csv", help="the CSV file ('-': stdin)")
    propose.add_argument(
        "--target", required=True, metavar="COLUMN", help="the column of scores"
    )
    propose.add_argument(
        "--n",
        type=positive_int,
        default=128,
        metavar="N",
        help="number of proposals (default: 128)",
    )
    propose.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="where to write the proposals as CSV (default or '-': stdout)",
    )
    propose.add_argument(
        "--columns",
        metavar="A,B,...",
        help="design columns (default: all columns but the target)",
    )
    propose.add_argument(
        "--sequence-column",
        metavar="COLUMN",
        help="a column of sequences to optimize (inferred when the only design "
        "column holds text)",
    )
    propose.add_argument(
        "--alphabet",
        metavar="TOKENS",
        help="the tokens of the sequences, one character each, e.g. ACGT "
        "(default: those found in the data)",
    )
    propose.add_argument(
        "--bounds",
        nargs=2,
        type=parse_bound,
        metavar=("LOW", "HIGH"),
        help="bounds of every numeric design column (default: the data's range "
        "plus 10%% on each side)",
    )
    propose.add_argument(
        "--column-bounds",
        nargs=3,
        action="append",
        metavar=("COLUMN", "LOW", "HIGH"),
        help="bounds of one column (repeat for several); overrides --bounds",
    )
    propose.add_argument(
        "--delimiter", default=",", help="field separator of the CSV file (default: ,)"
    )


def _add_method_options(propose):
    propose.add_argument(
        "--method",
        choices=tuple(METHODS),
        default="coms",
        metavar="METHOD",
        help=_method_help(),
    )
    propose.add_argument(
        "--alpha",
        type=alpha,
        metavar="ALPHA",
        help="weight of the conservative term, a number >= 0, or 'auto' to tune it "
        "by dual descent (coms only; default: chosen among 0, 0.01, 0.1 and 1 by "
        "the error on the top 10%% of the data held out; averaged over three sets "
        "of candidates when there are no more designs than features)",
    )
    propose.add_argument(
        "--overestimation-limit",
        type=finite_float,
        metavar="TAU",
        help="over-estimation that dual descent allows, in standard deviations of "
        "the target (default: 2.0 for sequences, 0.5 for numeric designs; coms "
        "only; implies --alpha auto unless --alpha is given)",
    )
    propose.add_argument(
        "--loss",
        choices=("squared_error", "listnet", "auto"),
        help="the model's fit term: squared_error, listnet (the ranking loss of "
        "Tan et al. 2025), or auto: the one that predicts the held-out top designs "
        "best, chosen with alpha (coms only; default: listnet for numeric designs, "
        "squared_error for sequences and for numeric designs with no more rows "
        "than columns)",
    )
    propose.add_argument(
        "--listnet-temperature",
        type=positive_float,
        metavar="T",
        help="with the listnet loss, the temperature of its target, the softmax of "
        "the standardized scores divided by T (coms only; default: 8 for numeric "
        "designs, 1 for sequences)",
    )
    propose.add_argument(
        "--sharpness-limit",
        type=positive_float,
        metavar="EPS",
        help="constrain each network's sharpness (how much its mean output rises "
        "when its weights move by 0.05) to at most EPS, in the units it fits: "
        "standard deviations of the target, divided by the temperature with "
        "listnet; EPS > 0.05 (coms only; default: 0.1 for sequences, no "
        "constraint for numeric designs)",
    )
    propose.add_argument(
        "--max-iter",
        type=positive_int,
        metavar="EPOCHS",
        help="training epochs of the model (default: 50)",
    )
    propose.add_argument(
        "--hidden",
        type=hidden,
        metavar="SIZES",
        help="hidden layer sizes of the model, e.g. 256,256 (the default)",
    )
    _add_proposer_options(propose)


def _add_proposer_options(propose):
    group = propose.add_argument_group(
        "proposer",
        "how coms, gradient-ascent and the ensembles search the model (defaults: "
        "those of the method; coms proposes new designs from 4 paths per design "
        "for sequences and 1 for numeric designs, "
        "the best decoded design of each path, with the pair support rule; "
        "gradient-ascent and the ensembles follow the published protocol)",
    )
    group.add_argument(
        "--drop-duplicates",
        action=argparse.BooleanOptionalAction,
        help="propose only designs that are not in the data and are distinct "
        "(--no-drop-duplicates: keep them)",
    )
    group.add_argument(
        "--paths-per-design",
        type=positive_int,
        metavar="K",
        help="ascent paths per proposal; the model keeps the best",
    )
    group.add_argument(
        "--path-selection",
        choices=("best", "last"),
        help="keep from each path its best design by the model, or its end point",
    )
    group.add_argument(
        "--max-changes",
        type=non_negative_int,
        metavar="K",
        help="sequences: at most K tokens changed from the start design",
    )
    group.add_argument(
        "--max-distance",
        type=positive_float,
        metavar="R",
        help="numeric designs: at most R (root mean square, in standard "
        "deviations of the data) from the start design",
    )
    group.add_argument(
        "--min-separation",
        type=non_negative_float,
        metavar="R",
        help="numeric designs: no two proposals closer than R (root mean square, "
        "in standard deviations of the data); 0: only exact duplicates are dropped "
        "(coms default: 0.01)",
    )
    group.add_argument(
        "--recombine",
        type=recombine,
        metavar="M",
        help="numeric designs: start paths from means of M of the data's best "
        "designs; 'none': every path from a design of the data (coms default: "
        "half of the paths from means of 8)",
    )
    group.add_argument(
        "--recombine-fraction",
        type=share,
        metavar="F",
        help="numeric designs: the share of the paths that --recombine starts "
        "from means (default: 0.5)",
    )
    group.add_argument(
        "--support",
        choices=("pairs", "none"),
        help="sequences: 'pairs' proposes only designs whose adjacent tokens "
        "occur next to each other in the data; 'none': no rule",
    )


def _add_run_options(command):
    command.add_argument(
        "--seed", type=seed, default=0, help="random seed (default: 0)"
    )
    command.add_argument(
        "--device",
        default="auto",
        help="auto (default: CUDA when available), cpu, cuda or cuda:N",
    )
    command.add_argument(
        "-v", "--verbose", action="store_true", help="print one line per epoch"
    )
    command.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors"
    )


def _add_demo_options(demo):
    demo.add_argument(
        "--task",
        choices=tuple(TASKS),
        default="tfbind8",
        metavar="TASK",
        help="the task: " + ", ".join(TASKS) + " (default: tfbind8)",
    )
    demo.add_argument(
        "--seeds",
        type=positive_int,
        metavar="N",
        help="number of seeds per method (default: 4)",
    )
    demo.add_argument(
        "--max-iter",
        type=positive_int,
        metavar="EPOCHS",
        help="training epochs of each model (default: 5)",
    )
    demo.add_argument(
        "--device",
        default="auto",
        help="auto (default: CUDA when available), cpu, cuda or cuda:N",
    )
    demo.add_argument(
        "--n-jobs",
        type=n_jobs,
        metavar="N",
        help="worker processes (default: one per seed up to the number of cores "
        "on the CPU, 1 on a GPU)",
    )
    demo.add_argument(
        "--quick",
        action="store_true",
        help="a tiny budget that runs in seconds (2,000 designs, small networks, "
        "1 seed, 2 epochs): checks the installation, not the methods",
    )
    demo.add_argument("-q", "--quiet", action="store_true", help="print only the table")
