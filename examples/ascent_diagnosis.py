"""Why gradient ascent on a sequence model proposes designs of the data, step by step.

Each model is fitted on TFBind8's visible designs. From the 128 best of them, the
published protocol climbs the model's logits (``n_ascent_steps`` steps of
``ascent_step_size_``) and decodes every iterate by argmax. Per step the script
prints, mean over the 128 paths: tokens changed from the start, the share of decoded
designs that are designs of the data, the model's score of the decoded design (as
the design it is, re-encoded), the logits' largest move, and the oracle's median and
best normalized score. The last line per model is what the package's proposer
(``OfflineDesignOptimizer``'s defaults) proposes with the same fitted model.

Models: COMs with dual descent (the published method), a plain regression model
(alpha = 0) and the package default, whose alpha is chosen on the held-out top
designs.

    python examples/ascent_diagnosis.py --plot ascent_diagnosis.png    # minutes
    python examples/ascent_diagnosis.py --quick                        # seconds
"""

import argparse

import numpy as np
import torch

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import normalize_score, provenance
from skcoms.datasets import load_tfbind8

MODELS = {
    "COMs, dual descent": {"alpha": "auto"},
    "plain (alpha = 0)": {"conservative": False},
    "package default": {},
}


def _keys(tokens):
    return {row.tobytes() for row in np.ascontiguousarray(tokens, dtype=np.int64)}


def trace(optimizer, task, n_paths):
    """Per-step figures of the published protocol's ascent from the best designs."""
    space, model = optimizer.design_space_, optimizer.estimator_
    data_keys = _keys(task.X)
    start = task.X[np.argsort(-task.y, kind="stable")[:n_paths]]
    objective = model.design_objective()
    z0 = torch.as_tensor(space.encode(start), dtype=objective.dtype)
    z0 = z0.to(objective.device)
    z, rows = z0.clone(), []
    for step in range(optimizer.n_steps_ + 1):
        if step:
            _, direction = objective(z)
            z = z + optimizer.step_size_ * direction
        tokens = space.decode(z.cpu().numpy())
        decoded = torch.as_tensor(space.encode(tokens), dtype=objective.dtype)
        value, _ = objective(decoded.to(objective.device))
        true = normalize_score(task.oracle(tokens), task)
        rows.append(
            {
                "step": step,
                "changed": float((tokens != start).sum(1).mean()),
                "in_data": float(np.mean([k in data_keys for k in _keys(tokens)])),
                "model": float(value.mean()),
                "move": float((z - z0).abs().amax(1).mean()),
                "median": float(np.median(true)),
                "best": float(true.max()),
            }
        )
    return rows


def proposer_row(optimizer, task, n_paths):
    """The same fitted model, searched by the package's proposer."""
    designs = optimizer.propose(n_paths)
    true = normalize_score(task.oracle(designs), task)
    data_keys = _keys(task.X)
    # each proposal's distance to its nearest design of the data, in tokens
    nearest = np.full(len(designs), designs.shape[1])
    for i in range(0, len(task.X), 4096):
        block = (designs[:, None, :] != task.X[None, i : i + 4096]).sum(2)
        nearest = np.minimum(nearest, block.min(1))
    return {
        "n": len(designs),
        "in_data": float(np.mean([k in data_keys for k in _keys(designs)])),
        "nearest": float(nearest.mean()),
        "median": float(np.median(true)),
        "best": float(true.max()),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paths", type=int, default=128)
    parser.add_argument("--max-iter", type=int, default=None, help="default: each")
    parser.add_argument("--plot", default=None, help="save the figure to this file")
    parser.add_argument("--quick", action="store_true", help="2,000 designs, 2 epochs")
    args = parser.parse_args(argv)
    task = load_tfbind8()
    small = {} if args.max_iter is None else {"max_iter": args.max_iter}
    if args.quick:
        task = task.subsample(2000, random_state=0)
        args.paths, small = 32, {"max_iter": 2}
    made = provenance(__file__)
    print(f"Made by skcoms {made['skcoms']} at commit {made['commit']}")
    traces = {}
    for name, params in MODELS.items():
        model = default_model(True, **params, **small)
        optimizer = OfflineDesignOptimizer(model, random_state=args.seed)
        optimizer.fit(task.X, task.y)
        traces[name] = rows = trace(optimizer, task, args.paths)
        alpha = getattr(optimizer.estimator_, "alpha_", float("nan"))
        print(f"\n{name}: alpha after training {alpha:.3g}")
        print("step  changed  in data  model score  logit move  median  best")
        for r in rows:
            print(
                f"{r['step']:>4}  {r['changed']:7.2f}  {r['in_data']:7.0%}  "
                f"{r['model']:11.3f}  {r['move']:10.2f}  "
                f"{r['median']:6.3f}  {r['best']:5.3f}"
            )
        p = proposer_row(optimizer, task, args.paths)
        print(
            f"proposer: {p['n']} designs, {p['in_data']:.0%} in the data, "
            f"{p['nearest']:.2f} tokens from the nearest design of the data; "
            f"median {p['median']:.3f}, best {p['best']:.3f}"
        )
    if args.plot:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
        for name, rows in traces.items():
            steps = [r["step"] for r in rows]
            for ax, key, title in zip(
                axes,
                ("changed", "in_data", "model", "median"),
                (
                    "tokens changed from the start",
                    "share of decoded designs in the data",
                    "model score of the decoded design",
                    "oracle median (normalized)",
                ),
            ):
                ax.plot(steps, [r[key] for r in rows], marker=".", label=name)
                ax.set_title(title, fontsize=9)
                ax.set_xlabel("ascent step")
        axes[0].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=110)
        print(f"figure: {args.plot}")


if __name__ == "__main__":
    main()
