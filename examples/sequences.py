"""Sequences as strings: propose DNA 8-mers that bind a transcription factor.

The designs are strings over "ACGT" (here a random subset of the TFBind8 task's
visible data, turned into strings); the proposals come back as strings too. The
shipped TFBind8 oracle scores them, as a lab would.

    python examples/sequences.py            # about 30 s on a laptop CPU
    python examples/sequences.py --quick    # a few seconds
"""

import argparse

import numpy as np

from skcoms import (
    CategoricalSequence,
    ConservativeObjectiveRegressor,
    OfflineDesignOptimizer,
)
from skcoms.datasets import load_tfbind8


def main(quick=False):
    task = load_tfbind8()
    rng = np.random.RandomState(0)
    rows = rng.choice(task.n_samples, 1000 if quick else 8000, replace=False)
    sequences = np.array(["".join("ACGT"[t] for t in row) for row in task.X[rows]])
    scores = task.y[rows]
    print(f"{len(sequences)} sequences such as {sequences[0]}; best {scores.max():.3f}")

    # the reference settings for sequences: large ascent steps on the logits, and a
    # larger over-estimation allowance
    model = ConservativeObjectiveRegressor(
        hidden_layer_sizes=(32, 32) if quick else (256, 256),
        max_iter=2 if quick else 5,
        ascent_step_size=2.0,
        overestimation_limit=2.0,
        random_state=0,
    )
    optimizer = OfflineDesignOptimizer(
        model,
        design_space=CategoricalSequence(alphabet="ACGT"),
        drop_duplicates=True,  # only sequences that are not in the data
        random_state=0,
    ).fit(sequences, scores)
    proposals, predicted = optimizer.propose(32, return_scores=True)

    measured = task.oracle(proposals)  # the oracle reads strings over "ACGT"
    for sequence, p, m in zip(proposals[:5], predicted[:5], measured[:5]):
        print(f"  {sequence}  predicted {p:.3f}  measured {m:.3f}")
    print(
        f"best measured of 32 new sequences: {measured.max():.3f} "
        f"(best in the data: {scores.max():.3f})"
    )
    return proposals, measured, scores


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller budget")
    main(parser.parse_args().quick)
