"""Compare COMs with the baselines on two tasks and save the plots.

Runs COMs, naive gradient ascent, the ensemble-mean baseline and the best designs
of the data on Branin and Hartmann-6 (visible data cut at the median), prints the
table of normalized scores and writes two figures: the comparison and the training
curves of one COMs fit.

    python examples/compare_methods.py                   # about 50 s on a laptop CPU
    python examples/compare_methods.py --quick -o out.png
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")  # write files; no window

import matplotlib.pyplot as plt  # noqa: E402

from skcoms import (  # noqa: E402
    BestOfDataset,
    ConservativeObjectiveRegressor,
    EnsembleObjectiveRegressor,
    GradientAscentOptimizer,
    OfflineDesignOptimizer,
)
from skcoms.benchmark import compare, plot_comparison, plot_training  # noqa: E402
from skcoms.datasets import make_test_function_task  # noqa: E402


def main(quick=False, output="comparison.png"):
    n_samples = 1000 if quick else 3000
    tasks = [
        make_test_function_task(name, n_samples=n_samples, random_state=0)
        for name in ("branin", "hartmann6")
    ]
    model = {
        "hidden_layer_sizes": (32, 32) if quick else (128, 128),
        "max_iter": 5 if quick else 30,
    }
    optimizers = {
        "COMs": OfflineDesignOptimizer(ConservativeObjectiveRegressor(**model)),
        "gradient ascent": GradientAscentOptimizer(
            ConservativeObjectiveRegressor(alpha=0.0, **model)
        ),
        "ensemble mean": GradientAscentOptimizer(
            EnsembleObjectiveRegressor(n_members=3 if quick else 5, **model)
        ),
        "best of dataset": BestOfDataset(),
    }
    table = compare(optimizers, tasks, seeds=1 if quick else 3, as_frame=False)
    print(f"{'method':<18}{'task':<11}{'100th pct':>16}{'50th pct':>16}")
    for row in table:
        print(
            f"{row['method']:<18}{row['task']:<11}"
            f"{row['p100_mean']:>9.3f} +- {row['p100_std']:.3f}"
            f"{row['p50_mean']:>9.3f} +- {row['p50_std']:.3f}"
        )

    fig, ax = plt.subplots(figsize=(7, 4))
    plot_comparison(table, ax=ax)
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)

    # the curves of one COMs fit: loss, overestimation, alpha, ascent trajectories
    coms = optimizers["COMs"].set_params(random_state=0)
    coms.fit(tasks[1].X, tasks[1].y).propose(128)
    axes = plot_training(coms)
    training = os.path.splitext(output)[0] + "_training.png"
    axes[0].figure.tight_layout()
    axes[0].figure.savefig(training, dpi=120)
    plt.close(axes[0].figure)
    print(f"wrote {output} and {training}")
    return table, [output, training]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller budget")
    parser.add_argument(
        "-o", "--output", default="comparison.png", help="the comparison figure"
    )
    args = parser.parse_args()
    main(args.quick, args.output)
