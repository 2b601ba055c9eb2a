"""Quickstart: propose designs better than any in a table of measured ones.

The data are the two-arm quadratic of ``skcoms.datasets.make_toy_quadratic``: the
score is ``-x1**2 - x2**2``, and the designs lie near the x1 axis or near the x2
axis, never near the origin where the score is best. A model that combines what
the two arms teach finds designs near the origin.

    python examples/quickstart.py            # about 20 s on a laptop CPU
    python examples/quickstart.py --quick    # a few seconds, smaller model
"""

import argparse

import numpy as np

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.datasets import make_toy_quadratic


def main(quick=False):
    task = make_toy_quadratic(n_samples=400, random_state=0)
    X, y = task.X, task.y  # X: (400, 2) floats, y: (400,) measured scores
    print(f"{len(y)} designs, best measured score {y.max():.3f}")

    # alpha="auto" tunes the weight of the conservative term by dual descent
    model = ConservativeObjectiveRegressor(
        hidden_layer_sizes=(32, 32) if quick else (128, 128),
        max_iter=20 if quick else 100,
        alpha="auto",
        random_state=0,
    )
    optimizer = OfflineDesignOptimizer(model, random_state=0).fit(X, y)
    designs, predicted = optimizer.propose(16, return_scores=True)

    measured = task.oracle(designs)  # in real life: run these experiments
    fitted = optimizer.estimator_
    print(f"model: {fitted.n_iter_} epochs, final alpha {fitted.alpha_:.3g}")
    print("best proposals (predicted score, true score, design):")
    for design, p, m in zip(designs[:5], predicted[:5], measured[:5]):
        print(f"  {p:8.3f} {m:8.3f}   {np.array2string(design, precision=3)}")
    print(
        f"best true score of the 16 proposals: {measured.max():.3f} "
        f"(best in the data: {y.max():.3f})"
    )
    return measured, y


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller budget")
    main(parser.parse_args().quick)
