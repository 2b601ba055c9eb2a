"""Build the shipped data of the RNA binding tasks (``data/rna_binding_L*.npz``).

For each length 14, 50 and 100: :func:`random_mutants` of FLEXS' start sequences
(``N_SAMPLES[length]`` distinct designs, seed = the length), and the ViennaRNA
``duplexfold`` energy of each design bound to each of FLEXS' four targets. Needs
ViennaRNA (``pip install "skcoms[rna]"``); takes tens of minutes on one core.

    python -m skcoms.datasets._build_rna [OUTDIR] [--n-jobs 2] [--lengths 14 50 100]
"""

import argparse
from pathlib import Path

import numpy as np

from ._rna import (
    _DATA_FILE,
    ALPHABET,
    LENGTHS,
    N_SAMPLES,
    TARGETS,
    import_rna,
    random_mutants,
    target_norm,
)


def _energies(designs):
    """duplexfold energies, shape ``(len(designs), 4)``, of strings to the targets."""
    duplexfold = import_rna().duplexfold
    return np.array(
        [
            [duplexfold(target, design).energy for target in TARGETS]
            for design in designs
        ]
    )


def build(length, n_jobs=1):
    """The arrays of ``rna_binding_L{length}.npz``.

    Returns
    -------
    arrays : dict
        ``designs`` (uint8 tokens A, C, G, U = 0 .. 3, shape ``(n, length)``),
        ``energies`` (float64, shape ``(n, 4)``: kcal/mol to targets 1 .. 4),
        ``norms`` (float64, shape ``(4,)``: :func:`target_norm` of each target) and
        ``viennarna`` (the ViennaRNA version, a string).
    """
    from joblib import Parallel, delayed

    X = random_mutants(length, N_SAMPLES[length], random_state=length)
    strings = ["".join(ALPHABET[t] for t in row) for row in X]
    chunks = np.array_split(np.arange(len(strings)), max(1, 8 * n_jobs))
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_energies)([strings[i] for i in chunk]) for chunk in chunks
    )
    return {
        "designs": X.astype(np.uint8),
        "energies": np.concatenate(parts),
        "norms": np.array([target_norm(target, length) for target in TARGETS]),
        "viennarna": np.array(import_rna().__version__),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", nargs="?", default=Path(__file__).parent / "data")
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--lengths", type=int, nargs="+", default=list(LENGTHS))
    args = parser.parse_args(argv)
    for length in args.lengths:
        path = Path(args.outdir) / _DATA_FILE.format(length=length)
        np.savez_compressed(path, **build(length, args.n_jobs))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
