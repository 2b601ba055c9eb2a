"""The ``skcoms`` command line: ``skcoms propose`` and ``skcoms demo``."""

import argparse
import contextlib
import csv
import io
import math
import os
import sys
import time
import warnings

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

METHODS = (
    "coms",
    "gradient-ascent",
    "ensemble-mean",
    "ensemble-min",
    "cma-es",
    "best-of-dataset",
)

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

# Published TFBind8 100th-percentile normalized scores (mean over 8 seeds, full
# budget): Trabucco et al., ICML 2021 (COMs, Table 1) and Design-Bench (ICML 2022).
PUBLISHED_TFBIND8 = {
    "COMs": 0.945,
    "gradient ascent": 0.977,
    "ensemble mean": 0.986,
    "CMA-ES": 0.953,
    "best of dataset": 0.439,
}


class DataError(Exception):
    """The input data cannot be used (exit code 1)."""


class UsageError(Exception):
    """The options contradict each other or are out of range (exit code 2)."""


# ---- argument types -------------------------------------------------------------


def _int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def _positive_int(text):
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _n_jobs(text):
    value = _int(text)
    if value == 0:
        raise argparse.ArgumentTypeError("must be a nonzero integer (-1: all cores)")
    return value


def _seed(text):
    value = _int(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in 0 .. 2**32 - 1, got {value}")
    return value


def _float(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def _finite_float(text):
    value = _float(text)
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _bound(text):
    value = _float(text)
    if math.isnan(value):
        raise argparse.ArgumentTypeError("a bound cannot be NaN")
    return value


def _alpha(text):
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


def _hidden(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of integers, e.g. 256,256"
        ) from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"layer sizes must be positive, got {text!r}")
    return sizes


def _check_device(device):
    """Resolve ``--device`` early, so a bad value is a usage error."""
    from ._torch.device import resolve_device

    try:
        return resolve_device(device)
    except ValueError as exc:
        raise UsageError(f"--device: {exc}") from None


# ---- reading the designs ---------------------------------------------------------


def _read_table(path, delimiter):
    """Header and data rows of a CSV file, as ``(header, [(line, row), ...])``."""
    name = "<stdin>" if path == "-" else path
    try:
        if path == "-":
            text = sys.stdin.buffer.read().decode("utf-8-sig")
        else:
            with open(path, "rb") as file:
                text = file.read().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{name}: is a directory, not a CSV file") from None
    except OSError as exc:
        raise DataError(f"{name}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise DataError(f"{name}: not a UTF-8 text file") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise DataError(f"{name}: the file is empty (a header line is needed)")
        header = [cell.strip() for cell in header]
        if "" in header:
            raise DataError(
                f"{name}, line 1: column {header.index('') + 1} has no name"
            )
        repeated = sorted({col for col in header if header.count(col) > 1})
        if repeated:
            raise DataError(f"{name}, line 1: repeated column names {repeated}")
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank lines
            if len(row) != len(header):
                raise DataError(
                    f"{name}, line {reader.line_num}: {len(row)} fields, but the "
                    f"header has {len(header)}"
                )
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataError(f"{name}, line {reader.line_num}: {exc}") from None
    if not rows:
        raise DataError(f"{name}: no data rows after the header")
    return header, rows


def _column_index(header, column, name, option):
    if column not in header:
        shown = ", ".join(repr(col) for col in header)
        raise DataError(
            f"{name}: no column {column!r} (given by {option}); the columns are {shown}"
        )
    return header.index(column)


def _number(text, name, line, column):
    value = text.strip()
    if not value:
        raise DataError(f"{name}, line {line}, column {column!r}: missing value")
    try:
        number = float(value)
    except ValueError:
        raise DataError(
            f"{name}, line {line}, column {column!r}: {value!r} is not a number"
        ) from None
    if not math.isfinite(number):
        raise DataError(
            f"{name}, line {line}, column {column!r}: {value!r} is not a finite "
            "number (NaN and infinite values are not allowed)"
        )
    return number


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _load_designs(args):
    """Designs, scores and how to write them back, from the CSV file of ``args``.

    Returns a dict: ``X`` (float array, or list of str for sequences), ``y``,
    ``columns`` (the design columns), ``discrete`` (bool).
    """
    import numpy as np

    name = "<stdin>" if args.data == "-" else args.data
    header, rows = _read_table(args.data, args.delimiter)
    target = _column_index(header, args.target, name, "--target")
    y = np.array([_number(row[target], name, line, args.target) for line, row in rows])

    sequence_column = args.sequence_column
    if args.columns is not None:
        columns = [col.strip() for col in args.columns.split(",") if col.strip()]
        if not columns:
            raise UsageError("--columns: give at least one column name")
        for col in columns:
            _column_index(header, col, name, "--columns")
        if args.target in columns:
            raise UsageError(
                f"--columns: the target {args.target!r} cannot be a design"
            )
    else:
        columns = [col for col in header if col != args.target]
        if sequence_column is None and len(columns) == 1:
            index = header.index(columns[0])
            first = rows[0][1][index].strip()
            if first and not _is_number(first) and not args.bounds:
                sequence_column = columns[0]
    if sequence_column is not None:
        index = _column_index(header, sequence_column, name, "--sequence-column")
        if sequence_column == args.target:
            raise UsageError("--sequence-column cannot be the --target column")
        if args.bounds or args.column_bounds:
            raise UsageError("--bounds and --column-bounds are for numeric designs")
        sequences = []
        for line, row in rows:
            sequence = row[index].strip()
            if not sequence:
                raise DataError(
                    f"{name}, line {line}, column {sequence_column!r}: missing sequence"
                )
            if sequences and len(sequence) != len(sequences[0]):
                raise DataError(
                    f"{name}, line {line}, column {sequence_column!r}: the "
                    f"sequence {sequence!r} has length {len(sequence)}, the first "
                    f"one {len(sequences[0])}; all must have the same length"
                )
            if args.alphabet is not None:
                unknown = sorted(set(sequence) - set(args.alphabet))
                if unknown:
                    raise DataError(
                        f"{name}, line {line}, column {sequence_column!r}: tokens "
                        f"{''.join(unknown)!r} of {sequence!r} are not in the "
                        f"alphabet {args.alphabet!r}"
                    )
            sequences.append(sequence)
        if args.alphabet is None and len(set("".join(sequences))) < 2:
            raise DataError(
                f"{name}, column {sequence_column!r}: the sequences hold a single "
                "token; give the full alphabet with --alphabet"
            )
        return {"X": sequences, "y": y, "columns": [sequence_column], "discrete": True}

    if args.alphabet is not None:
        raise UsageError("--alphabet is for sequence designs (--sequence-column)")
    if not columns:
        raise DataError(f"{name}: no design columns besides the target {args.target!r}")
    indices = [header.index(col) for col in columns]
    X = np.array(
        [
            [_number(row[i], name, line, col) for i, col in zip(indices, columns)]
            for line, row in rows
        ],
        dtype=np.float64,
    )
    return {"X": X, "y": y, "columns": columns, "discrete": False}


def _box(args, X, columns):
    """The ``Box`` of numeric designs from ``--bounds`` and ``--column-bounds``."""
    import numpy as np

    if args.bounds is None and not args.column_bounds:
        from .spaces import Box

        return Box()
    low = np.full(len(columns), np.nan)
    high = np.full(len(columns), np.nan)
    if args.bounds is not None:
        low[:], high[:] = args.bounds
    given = ~np.isnan(low)
    for column, col_low, col_high in args.column_bounds or []:
        if column not in columns:
            raise DataError(
                f"--column-bounds: {column!r} is not a design column; the design "
                f"columns are {columns}"
            )
        try:
            low[columns.index(column)] = _bound(col_low)
            high[columns.index(column)] = _bound(col_high)
            given[columns.index(column)] = True
        except argparse.ArgumentTypeError as exc:
            raise UsageError(f"--column-bounds {column}: {exc}") from None
    for j, column in enumerate(columns):
        values = X[:, j]
        if not given[j]:
            continue
        if not low[j] < high[j]:
            raise UsageError(
                f"--column-bounds {column}: the lower bound must be below the "
                f"upper one, got {low[j]:g} {high[j]:g}"
            )
        if values.min() < low[j] or values.max() > high[j]:
            raise DataError(
                f"column {column!r} holds values from {values.min():g} to "
                f"{values.max():g}, outside its bounds [{low[j]:g}, {high[j]:g}]"
            )
    from .spaces import Box

    if not given.all():
        # columns without bounds get the ones Box infers from the data
        inferred = Box().fit(X)
        low[~given], high[~given] = inferred.low_[~given], inferred.high_[~given]
    return Box(low, high)


# ---- the optimizers ----------------------------------------------------------------


def _import_cma_or_fail(method):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import cma  # noqa: F401
    except ImportError:
        raise DataError(
            f"--method {method} needs the optional 'cma' package: "
            "pip install 'skcoms[cma]'"
        ) from None


def _make_optimizer(
    method,
    *,
    discrete,
    design_space=None,
    alpha=None,
    overestimation_limit=None,
    model_params=None,
    drop_duplicates=False,
    random_state=None,
    n_generations=None,
    n_members=None,
):
    """The optimizer of ``--method``, with the reference's settings for the space.

    As ``OfflineDesignOptimizer`` does by default: an ascent step of 2.0 and an
    overestimation limit of 2.0 on sequences, 0.05 and 0.5 on continuous designs.
    """
    from . import (
        BestOfDataset,
        CMAESOptimizer,
        ConservativeObjectiveRegressor,
        EnsembleObjectiveRegressor,
        GradientAscentOptimizer,
        OfflineDesignOptimizer,
    )

    common = {"design_space": design_space, "drop_duplicates": drop_duplicates}
    if method == "best-of-dataset":
        return BestOfDataset(**common)
    params = {"ascent_step_size": 2.0 if discrete else 0.05, **(model_params or {})}
    common["random_state"] = random_state
    if method == "coms":
        if overestimation_limit is None:
            overestimation_limit = 2.0 if discrete else 0.5
        model = ConservativeObjectiveRegressor(
            alpha="auto" if alpha is None else alpha,
            overestimation_limit=overestimation_limit,
            **params,
        )
        return OfflineDesignOptimizer(model, **common)
    if method == "gradient-ascent":
        return GradientAscentOptimizer(
            ConservativeObjectiveRegressor(alpha=0.0, **params), **common
        )
    if method in ("ensemble-mean", "ensemble-min"):
        if n_members is not None:
            params["n_members"] = n_members
        model = EnsembleObjectiveRegressor(
            alpha=0.0, aggregate=method.split("-")[1], **params
        )
        return GradientAscentOptimizer(model, **common)
    if method == "cma-es":
        extra = {} if n_generations is None else {"n_generations": n_generations}
        return CMAESOptimizer(
            ConservativeObjectiveRegressor(alpha=0.0, **params), **common, **extra
        )
    raise ValueError(f"unknown method {method!r}")


# ---- output ------------------------------------------------------------------------


def _format_value(value):
    if isinstance(value, str):
        return value
    return repr(float(value))


def _write_proposals(output, columns, designs, scores, score_column, discrete):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*columns, score_column])
    for design, score in zip(designs, scores, strict=True):
        cells = [str(design)] if discrete else [_format_value(v) for v in design]
        writer.writerow([*cells, _format_value(score)])
    text = buffer.getvalue()
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(output, "w", encoding="utf-8", newline="") as file:
            file.write(text)
    except OSError as exc:
        raise DataError(f"{output}: cannot write: {exc.strerror or exc}") from None


def _check_output(output):
    """Fail before the fit, not after it, when the output cannot be written."""
    if output is None or output == "-":
        return
    if os.path.isdir(output):
        raise DataError(f"{output}: cannot write: is a directory")
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise DataError(f"{output}: cannot write: no directory {parent}")
    if not os.access(parent, os.W_OK) or (
        os.path.exists(output) and not os.access(output, os.W_OK)
    ):
        raise DataError(f"{output}: cannot write: permission denied")


def _note(args, message):
    if not getattr(args, "quiet", False):
        print(f"skcoms: {message}", file=sys.stderr, flush=True)


# ---- skcoms propose ---------------------------------------------------------------


def _propose(args):
    if args.method != "coms":
        for option, value in (
            ("--alpha", args.alpha),
            ("--overestimation-limit", args.overestimation_limit),
        ):
            if value is not None:
                raise UsageError(f"{option} applies to --method coms only")
    if args.method == "best-of-dataset":
        for option, value in (("--max-iter", args.max_iter), ("--hidden", args.hidden)):
            if value is not None:
                raise UsageError(f"{option} does not apply to --method best-of-dataset")
    if args.alphabet is not None:
        if len(args.alphabet) < 2 or len(set(args.alphabet)) != len(args.alphabet):
            raise UsageError(
                f"--alphabet must hold at least two distinct characters, got "
                f"{args.alphabet!r}"
            )
    if args.bounds is not None and not args.bounds[0] < args.bounds[1]:
        raise UsageError(
            f"--bounds: the lower bound must be below the upper one, got "
            f"{args.bounds[0]:g} {args.bounds[1]:g}"
        )
    if len(args.delimiter) != 1:
        raise UsageError("--delimiter must be a single character")
    if args.method == "cma-es":
        _import_cma_or_fail(args.method)
    # the data first: its checks need only numpy, not torch and scikit-learn
    data = _load_designs(args)
    _check_output(args.output)
    if not data["discrete"]:
        space = _box(args, data["X"], data["columns"])
    if args.method != "best-of-dataset":
        _check_device(args.device)
    if data["discrete"]:
        from .spaces import CategoricalSequence

        space = CategoricalSequence(alphabet=args.alphabet)
    model_params = {"device": args.device, "verbose": args.verbose}
    if args.max_iter is not None:
        model_params["max_iter"] = args.max_iter
    if args.hidden is not None:
        model_params["hidden_layer_sizes"] = args.hidden
    optimizer = _make_optimizer(
        args.method,
        discrete=data["discrete"],
        design_space=space,
        alpha=args.alpha,
        overestimation_limit=args.overestimation_limit,
        model_params=model_params,
        drop_duplicates=args.drop_duplicates,
        random_state=args.seed,
    )
    kind = (
        f"sequences of length {len(data['X'][0])}"
        if data["discrete"]
        else f"{len(data['columns'])} numeric columns"
    )
    _note(args, f"fitting {args.method} on {len(data['y'])} designs ({kind})")
    start = time.perf_counter()
    try:
        # the models' per-epoch lines (--verbose) must not mix with CSV on stdout
        with contextlib.redirect_stdout(sys.stderr):
            optimizer.fit(data["X"], data["y"])
            designs, scores = optimizer.propose(args.n, return_scores=True)
    except (ValueError, TypeError, FloatingPointError) as exc:
        # FloatingPointError: training diverged; its message names what to lower
        raise DataError(f"cannot fit {args.method} on {args.data}: {exc}") from None
    _note(
        args,
        f"proposed {len(scores)} designs in {time.perf_counter() - start:.1f} s"
        + ("" if args.output in (None, "-") else f", written to {args.output}"),
    )
    _write_proposals(
        args.output,
        data["columns"],
        designs,
        scores,
        f"predicted_{args.target}",
        data["discrete"],
    )
    return EXIT_OK


# ---- skcoms demo ---------------------------------------------------------------------


def _demo_task(quick):
    from .datasets import load_tfbind8

    task = load_tfbind8()
    return task.subsample(2000, random_state=0) if quick else task


def _demo_methods(args, max_iter, has_cma):
    params = {"max_iter": max_iter, "device": args.device}
    extra = {}
    if args.quick:
        params.update(hidden_layer_sizes=(32, 32), n_ascent_steps=5)
        extra = {"n_generations": 5, "n_members": 2}
    methods = {
        "COMs": "coms",
        "gradient ascent": "gradient-ascent",
        "ensemble mean": "ensemble-mean",
    }
    if has_cma:
        methods["CMA-ES"] = "cma-es"
    methods["best of dataset"] = "best-of-dataset"
    return {
        label: _make_optimizer(
            method,
            discrete=True,
            model_params=params,
            n_generations=extra.get("n_generations") if method == "cma-es" else None,
            n_members=extra.get("n_members") if method.startswith("ensemble") else None,
        )
        for label, method in methods.items()
    }


def _has_cma():
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import cma  # noqa: F401
    except ImportError:
        return False
    return True


def _demo(args):
    from .benchmark import compare

    device = _check_device(args.device)
    quick = args.quick
    n_seeds = args.seeds if args.seeds is not None else (1 if quick else 4)
    max_iter = args.max_iter if args.max_iter is not None else (2 if quick else 5)
    if args.n_jobs is not None:
        n_jobs = args.n_jobs
    elif device.type == "cpu" and not quick:
        n_jobs = min(n_seeds, os.cpu_count() or 1)
    else:
        n_jobs = 1
    has_cma = _has_cma()
    task = _demo_task(quick)
    methods = _demo_methods(args, max_iter, has_cma)
    _note(
        args,
        f"TFBind8: {task.n_samples:,} visible designs, {len(methods)} methods x "
        f"{n_seeds} seed(s), {max_iter} epoch(s) each, {n_jobs} process(es)"
        + ("" if has_cma else "; CMA-ES skipped (pip install 'skcoms[cma]')"),
    )
    start = time.perf_counter()
    rows = []
    for i, (label, optimizer) in enumerate(methods.items(), start=1):
        method_start = time.perf_counter()
        with warnings.catch_warnings():
            # short budgets leave dual descent short of its target: expected here
            warnings.filterwarnings("ignore", message=".*over-estimation never came")
            (row,) = compare(
                {label: optimizer},
                {"TFBind8": task},
                seeds=n_seeds,
                n_designs=128,
                n_jobs=None if n_jobs == 1 else n_jobs,
                as_frame=False,
            )
        rows.append(row)
        _note(
            args,
            f"[{i}/{len(methods)}] {label}: 100th pct {row['p100_mean']:.3f}, "
            f"50th pct {row['p50_mean']:.3f} "
            f"({time.perf_counter() - method_start:.0f} s)",
        )
    elapsed = time.perf_counter() - start
    print(_demo_table(rows, task, n_seeds, max_iter, quick, elapsed))
    return EXIT_OK


def _demo_table(rows, task, n_seeds, max_iter, quick, elapsed):
    lines = [
        f"TFBind8 ({task.n_samples:,} visible designs{', --quick' if quick else ''}): "
        f"normalized scores of 128 proposals, mean +- std over {n_seeds} seed(s), "
        f"{max_iter} training epoch(s)",
        "",
        f"{'method':<18}{'100th pct':>16}{'50th pct':>16}{'published':>11}{'s/run':>8}",
    ]
    for row in rows:
        published = PUBLISHED_TFBIND8.get(row["method"])
        lines.append(
            f"{row['method']:<18}"
            f"{row['p100_mean']:>9.3f} +- {row['p100_std']:.3f}"
            f"{row['p50_mean']:>9.3f} +- {row['p50_std']:.3f}"
            f"{'' if published is None else f'{published:.3f}':>11}"
            f"{row['time_mean']:>8.1f}"
        )
    lines += [
        "",
        "published: 100th percentile, 8 seeds, full budget; Trabucco et al. 2021",
        "(COMs, ICML) and Design-Bench (Trabucco et al. 2022).",
        f"total {elapsed:.0f} s",
    ]
    return "\n".join(lines)


# ---- the parser -------------------------------------------------------------------


def _parser():
    parser = argparse.ArgumentParser(
        prog="skcoms",
        description="Offline model-based optimization with conservative objective "
        "models (COMs): propose designs better than those of a table of measured "
        "ones.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from . import __version__

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
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    propose.add_argument("data", metavar="DATA.csv", help="the CSV file ('-': stdin)")
    propose.add_argument(
        "--target", required=True, metavar="COLUMN", help="the column of scores"
    )
    propose.add_argument(
        "--n",
        type=_positive_int,
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
        "--method",
        choices=METHODS,
        default="coms",
        metavar="METHOD",
        help="coms (default), or a baseline: gradient-ascent (naive gradient "
        "ascent on a plain model), ensemble-mean and ensemble-min (gradient ascent "
        "on an ensemble of 5, mean or min of the members), cma-es (CMA-ES on a "
        "plain model; needs the 'cma' package), best-of-dataset (the best designs "
        "of the data; the score column then holds their measured scores)",
    )
    propose.add_argument(
        "--alpha",
        type=_alpha,
        metavar="ALPHA",
        help="weight of the conservative term, a number >= 0, or 'auto' (default) "
        "to tune it by dual descent (coms only)",
    )
    propose.add_argument(
        "--overestimation-limit",
        type=_finite_float,
        metavar="TAU",
        help="over-estimation that dual descent allows, in standard deviations of "
        "the target (default: 2.0 for sequences, 0.5 for numeric designs; coms "
        "only)",
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
        type=_bound,
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
        "--max-iter",
        type=_positive_int,
        metavar="EPOCHS",
        help="training epochs of the model (default: 50)",
    )
    propose.add_argument(
        "--hidden",
        type=_hidden,
        metavar="SIZES",
        help="hidden layer sizes of the model, e.g. 256,256 (the default)",
    )
    propose.add_argument(
        "--drop-duplicates",
        action="store_true",
        help="propose only designs that are not in the data and are distinct",
    )
    propose.add_argument(
        "--seed", type=_seed, default=0, help="random seed (default: 0)"
    )
    propose.add_argument(
        "--device",
        default="auto",
        help="auto (default: CUDA when available), cpu, cuda or cuda:N",
    )
    propose.add_argument(
        "--delimiter", default=",", help="field separator of the CSV file (default: ,)"
    )
    propose.add_argument(
        "-v", "--verbose", action="store_true", help="print one line per epoch"
    )
    propose.add_argument(
        "-q", "--quiet", action="store_true", help="print nothing but errors"
    )
    propose.set_defaults(run=_propose)
    parser.commands["propose"] = propose

    demo = sub.add_parser(
        "demo",
        help="compare COMs with the baselines on TFBind8 and print the table",
        description="Run COMs and the baselines (naive gradient ascent, ensemble "
        "mean, CMA-ES when the 'cma' package is installed, best of dataset) on "
        "the TFBind8 task shipped with skcoms, and print their normalized scores "
        "next to the published ones. The default budget (4 seeds, 5 epochs, "
        "networks of 2 x 256) takes about two minutes on two CPU cores; the "
        "published numbers use 8 seeds and the full training budget.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--seeds",
        type=_positive_int,
        metavar="N",
        help="number of seeds per method (default: 4)",
    )
    demo.add_argument(
        "--max-iter",
        type=_positive_int,
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
        type=_n_jobs,
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
    demo.set_defaults(run=_demo)
    parser.commands["demo"] = demo
    return parser


def _show_warning(message, category, filename, lineno, file=None, line=None):
    print(f"skcoms: warning: {message}", file=sys.stderr)


def main(argv=None):
    """Run the command line; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.run(args)
    except UsageError as exc:
        parser.commands[args.command].print_usage(sys.stderr)
        print(f"skcoms {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DataError as exc:
        print(f"skcoms {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    except KeyboardInterrupt:
        print("skcoms: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader of stdout went away (| head): not an error of ours
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK
