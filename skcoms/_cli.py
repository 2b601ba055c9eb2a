"""The ``skcoms`` command line."""

import argparse
import time


def _demo(args):
    import numpy as np

    from . import ConservativeObjectiveRegressor
    from ._torch.ascent import gradient_ascent

    def score(X):
        # rises along every axis inside the data's box and falls off a cliff outside
        return X.sum(axis=1) - 10.0 * (np.maximum(np.abs(X) - 1.0, 0.0) ** 2).sum(1)

    rng = np.random.RandomState(args.seed)
    X = rng.uniform(-1, 1, size=(2000, 8))
    y = score(X)
    X_test = rng.uniform(-1, 1, size=(500, 8))
    print(f"{'model':<22}{'R^2 (held out)':>16}{'over-estimation':>18}{'fit (s)':>10}")
    for name, alpha in (("plain (alpha=0)", 0.0), ("conservative (auto)", "auto")):
        start = time.perf_counter()
        model = ConservativeObjectiveRegressor(
            alpha=alpha, device=args.device, random_state=args.seed
        ).fit(X, y)
        elapsed = time.perf_counter() - start
        objective = model.design_objective()
        top = X[np.argsort(y)[-128:]]
        import torch

        end, _ = gradient_ascent(
            objective,
            torch.as_tensor(top, dtype=objective.dtype, device=objective.device),
            n_steps=50,
            step_size=model.ascent_step_size_,
        )
        predicted = objective(end)[0].cpu().numpy()
        truth = score(end.cpu().numpy().astype(float))
        gap = float(np.mean(predicted - truth))
        r2 = model.score(X_test, score(X_test))
        print(f"{name:<22}{r2:>16.3f}{gap:>18.3f}{elapsed:>10.1f}")
    print(
        "over-estimation: mean (predicted - true) score after 50 ascent steps from "
        "the top 128 designs"
    )
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="skcoms",
        description="Offline model-based optimization with conservative objective "
        "models.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="fit on a built-in example and print scores")
    demo.add_argument("--seed", type=int, default=0)
    demo.add_argument("--device", default="auto")
    demo.set_defaults(run=_demo)
    args = parser.parse_args(argv)
    return args.run(args)
