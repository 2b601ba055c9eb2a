"""Reading designs from CSV, the bounds of numeric designs, writing proposals."""

import argparse
import csv
import io
import math
import os
import sys

from ._arguments import parse_bound
from ._common import DataError, UsageError


def read_table(path, delimiter):
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


def _design_columns(args, header, rows, name):
    """The design columns and the sequence column (None for numeric designs)."""
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
    return columns, sequence_column


def _read_sequences(args, header, rows, name, column):
    """The sequences of ``column``, checked for length and alphabet."""
    index = _column_index(header, column, name, "--sequence-column")
    if column == args.target:
        raise UsageError("--sequence-column cannot be the --target column")
    if args.bounds or args.column_bounds:
        raise UsageError("--bounds and --column-bounds are for numeric designs")
    sequences = []
    for line, row in rows:
        sequence = row[index].strip()
        where = f"{name}, line {line}, column {column!r}"
        if not sequence:
            raise DataError(f"{where}: missing sequence")
        if sequences and len(sequence) != len(sequences[0]):
            raise DataError(
                f"{where}: the sequence {sequence!r} has length {len(sequence)}, "
                f"the first one {len(sequences[0])}; all must have the same length"
            )
        if args.alphabet is not None:
            unknown = sorted(set(sequence) - set(args.alphabet))
            if unknown:
                raise DataError(
                    f"{where}: tokens {''.join(unknown)!r} of {sequence!r} are not "
                    f"in the alphabet {args.alphabet!r}"
                )
        sequences.append(sequence)
    if args.alphabet is None and len(set("".join(sequences))) < 2:
        raise DataError(
            f"{name}, column {column!r}: the sequences hold a single "
            "token; give the full alphabet with --alphabet"
        )
    return sequences


def load_designs(args):
    """Designs, scores and how to write them back, from the CSV file of ``args``.

    Returns a dict: ``X`` (float array, or list of str for sequences), ``y``,
    ``columns`` (the design columns), ``discrete`` (bool).
    """
    import numpy as np

    name = "<stdin>" if args.data == "-" else args.data
    header, rows = read_table(args.data, args.delimiter)
    target = _column_index(header, args.target, name, "--target")
    y = np.array([_number(row[target], name, line, args.target) for line, row in rows])
    columns, sequence_column = _design_columns(args, header, rows, name)
    if sequence_column is not None:
        sequences = _read_sequences(args, header, rows, name, sequence_column)
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


def build_box(args, X, columns):
    """The ``Box`` of numeric designs from ``--bounds`` and ``--column-bounds``."""
    import numpy as np

    if args.bounds is None and not args.column_bounds:
        from ..spaces import Box

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
            low[columns.index(column)] = parse_bound(col_low)
            high[columns.index(column)] = parse_bound(col_high)
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
    from ..spaces import Box

    if not given.all():
        # columns without bounds get the ones Box infers from the data
        inferred = Box().fit(X)
        low[~given], high[~given] = inferred.low_[~given], inferred.high_[~given]
    return Box(low, high)


# ---- output ----------------------------------------------------------------------


def _format_value(value):
    if isinstance(value, str):
        return value
    return repr(float(value))


def write_proposals(output, columns, designs, scores, score_column, discrete):
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


def check_output(output):
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
