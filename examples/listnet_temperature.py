"""The temperature of the ListNet loss and the path length, on every continuous task.

ListNet's target for a list (a minibatch) is the softmax of its standardized scores
divided by ``listnet_temperature``. This script fits a plain model (``alpha=0``,
the value the package's selection chooses on the continuous test functions) with
the ranking loss at each temperature, and with the squared error, searches it with
the package's proposer for each number of ascent steps (``n_ascent_steps``, the
path length), and prints the normalized 100th / 50th percentile of 128 proposals
(mean over seeds) per task. It is the measurement behind the default model's
temperature and path length (README, "Design quality"); the tasks are those of
``quality_benchmark.py``, shipped and unshipped (its off-centre Ackleys when named).

Each (setting, task, seed) result is appended to ``--output`` (JSON lines) as soon
as it is done, so a run can be stopped and resumed; ``--report`` prints the table of
the file without running anything.

    python examples/listnet_temperature.py --seeds 4          # about 30 minutes
    python examples/listnet_temperature.py --tasks branin --temperatures 1 4
    python examples/listnet_temperature.py --seeds 8 --temperatures 4 8 --steps 10 15 20
    python examples/listnet_temperature.py --report
    python examples/listnet_temperature.py --quick        # seconds
"""

import argparse
import itertools
import json
import os
import sys
import time

import numpy as np

from skcoms import OfflineDesignOptimizer
from skcoms._defaults import default_model
from skcoms.benchmark import compare, provenance

# the tasks, and the reading of a results file, are those of quality_benchmark.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from quality_benchmark import (  # noqa: E402
    OFF_CENTRE,
    QUICK,
    SHIPPED,
    UNSHIPPED,
    _done,
    made_by,
)

# its continuous tasks, shipped and unshipped
CONTINUOUS = {
    name: {**SHIPPED, **UNSHIPPED}[name]
    for name in (
        "toy-quadratic",
        "branin",
        "hartmann6",
        "ackley",
        "rosenbrock",
        "hopper",
        "hartmann6-r1",
        "hartmann6-r2",
        "ackley-r1",
        "ackley32",
        "rosenbrock32",
    )
}
SQUARED_ERROR = "squared error"
# the number of ascent steps of a record that does not name one
STEPS = 10


def _records(path):
    """The results in ``path``, each naming its number of ascent steps."""
    return [{"steps": STEPS, **r} for r in _done(path)]


def build(setting, steps=STEPS, max_iter=None):
    """A plain model searched by the package's proposer, for one setting.

    Every path takes ``steps`` (``n_steps=None``: the model's ``n_ascent_steps``),
    not the proposer's default of two lengths on these tasks.
    """
    if setting == SQUARED_ERROR:
        params = {"loss": "squared_error"}
    else:
        params = {"loss": "listnet", "listnet_temperature": float(setting)}
    params["n_ascent_steps"] = steps
    if max_iter is not None:
        params["max_iter"] = max_iter
    model = default_model(False, conservative=False, **params)
    return OfflineDesignOptimizer(model, n_steps=None)


def run(args, tasks):
    settings = [*(str(t) for t in args.temperatures), SQUARED_ERROR]
    done = {
        (r["setting"], r["steps"], r["task"], r["seed"]) for r in _records(args.output)
    }
    for task_name, make in tasks.items():
        task = make()
        for setting, steps, seed in itertools.product(
            settings, args.steps, range(args.seeds)
        ):
            if (setting, steps, task_name, seed) in done:
                continue
            start = time.perf_counter()
            (row,) = compare(
                {setting: build(setting, steps, args.max_iter)},
                {task_name: task},
                seeds=[seed],
                as_frame=False,
                per_seed=True,
            )
            record = {
                "setting": setting,
                "steps": steps,
                "task": task_name,
                "seed": seed,
                "p100": float(row["p100"]),
                "p50": float(row["p50"]),
                "seconds": time.perf_counter() - start,
                **provenance(__file__),
            }
            with open(args.output, "a") as file:
                file.write(json.dumps(record) + "\n")
            print(
                f"{task_name:>14} {setting:>14} {steps:>3} steps seed {seed}: "
                f"{record['p100']:.3f} / {record['p50']:.3f}",
                flush=True,
            )


def report(path):
    """A markdown table: one row per task, one column per setting."""
    records = _records(path)
    if not records:
        return f"no results in {path}"
    # a column per (setting, steps): temperatures in increasing order, the squared
    # error last, each by increasing path length
    settings = sorted(
        {(r["setting"], r["steps"]) for r in records},
        key=lambda c: (
            c[0] == SQUARED_ERROR,
            float(c[0]) if c[0][0].isdigit() else 0,
            c[1],
        ),
    )
    tasks = list(dict.fromkeys(r["task"] for r in records))
    several = len({steps for _, steps in settings}) > 1
    header = [
        ("ListNet, T = " + s if s != SQUARED_ERROR else "squared error")
        + (f", {steps} steps" if several else "")
        for s, steps in settings
    ]
    lines = [
        made_by(records, __file__),
        "",
        "| task | seeds | " + " | ".join(header) + " |",
        "|---|---|" + "---|" * len(settings),
    ]
    for task in tasks:
        cells, n_seeds = [], set()
        for setting, steps in settings:
            runs = [
                r
                for r in records
                if (r["task"], r["setting"], r["steps"]) == (task, setting, steps)
            ]
            n_seeds.add(len(runs))
            if runs:
                p100 = np.mean([r["p100"] for r in runs])
                p50 = np.mean([r["p50"] for r in runs])
                cells.append(f"{p100:.3f} / {p50:.3f}")
            else:
                cells.append("")
        seeds = "/".join(str(n) for n in sorted(n_seeds))
        lines.append(f"| {task} | {seeds} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # the off-centre Ackleys of quality_benchmark.py run when named
    parser.add_argument(
        "--tasks",
        nargs="+",
        choices=[*CONTINUOUS, *OFF_CENTRE],
        default=list(CONTINUOUS),
    )
    parser.add_argument(
        "--temperatures", nargs="+", type=float, default=(0.5, 1.0, 2.0, 4.0, 8.0)
    )
    parser.add_argument(
        "--steps",
        nargs="+",
        type=int,
        default=(STEPS,),
        help="ascent steps per path (n_ascent_steps), one column each",
    )
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--output", default="listnet_temperature.jsonl")
    parser.add_argument("--report", action="store_true", help="print the table only")
    parser.add_argument(
        "--quick", action="store_true", help="a small Branin, 2 epochs, 1 seed"
    )
    args = parser.parse_args(argv)
    if any(not t > 0 for t in args.temperatures):
        parser.error("--temperatures must be positive")
    if any(s < 1 for s in args.steps):
        parser.error("--steps must be at least 1")
    args.max_iter = None
    if args.quick:
        args.seeds, args.max_iter = 1, 2
        return args, {"branin": QUICK["branin"]}
    return args, {name: {**CONTINUOUS, **OFF_CENTRE}[name] for name in args.tasks}


def main(argv=None):
    args, tasks = parse_args(argv)
    if not args.report:
        run(args, tasks)
    print(report(args.output))


if __name__ == "__main__":
    main()
