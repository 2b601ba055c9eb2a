"""``skcoms demo``: COMs and the baselines on a shipped task, next to published scores.

A new task is one entry in :data:`TASKS`: its name in tables (the key of its
published scores in :data:`skcoms.benchmark.PUBLISHED_SCORES`) and a function that
loads it.
"""

import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from ._common import EXIT_OK, check_device, note
from ._methods import METHODS, is_available, make_optimizer


def _load_tfbind8():
    from ..datasets import load_tfbind8

    return load_tfbind8()


def _load_ehrlich():
    from ..datasets import make_ehrlich_task

    return make_ehrlich_task()


def _rna(length):
    def load():
        from ..datasets import load_rna_binding

        return load_rna_binding(length)

    return load


def _load_hopper():
    from ..datasets import load_hopper_controller

    return load_hopper_controller()


def _load_small_hopper():
    from ..datasets import load_hopper_controller

    # generated in about a minute, where the full data takes up to 20 minutes once
    return load_hopper_controller(n_designs=200, episode_length=200, n_episodes=1)


@dataclass(frozen=True)
class DemoTask:
    """A task of ``skcoms demo --task``."""

    name: str  # in tables, and the key of its published scores
    load: Callable  # () -> Task
    quick_size: int = 2000  # designs kept by --quick
    load_quick: Callable | None = (
        None  # () -> Task, for --quick, instead of a subsample
    )


TASKS = {
    "tfbind8": DemoTask("TFBind8", _load_tfbind8),
    "ehrlich": DemoTask("Ehrlich", _load_ehrlich),
    "rna14": DemoTask("RNA binding 14", _rna(14)),
    "rna50": DemoTask("RNA binding 50", _rna(50)),
    "rna100": DemoTask("RNA binding 100", _rna(100)),
    "hopper": DemoTask("Hopper", _load_hopper, load_quick=_load_small_hopper),
}

# the methods of the comparison, in the order of the table
DEMO_METHODS = ("coms", "gradient-ascent", "ensemble-mean", "cma-es", "best-of-dataset")


def _demo_task(args):
    entry = TASKS[args.task]
    if args.quick and entry.load_quick is not None:
        return entry.load_quick()
    task = entry.load()
    if args.quick and task.n_samples > entry.quick_size:
        return task.subsample(entry.quick_size, random_state=0)
    return task


def _demo_methods(args, task, max_iter):
    """The optimizers of the table by label, less those missing their package."""
    from .._defaults import is_underdetermined

    params = {"max_iter": max_iter, "device": args.device}
    quick = {}
    if args.quick:
        params.update(hidden_layer_sizes=(32, 32), n_ascent_steps=5)
        quick = {"n_generations": 5, "n_members": 2}
    methods = {}
    for name in DEMO_METHODS:
        if not is_available(name):
            continue
        method = METHODS[name]
        options = {key: quick[key] for key in method.options if key in quick}
        methods[method.label] = make_optimizer(
            name,
            discrete=task.is_discrete,
            model_params=params,
            underdetermined=not task.is_discrete and is_underdetermined(task.X),
            **options,
        )
    return methods


def _n_jobs(args, device, n_seeds):
    if args.n_jobs is not None:
        return args.n_jobs
    if device.type == "cpu" and not args.quick:
        return min(n_seeds, os.cpu_count() or 1)
    return 1


def run_demo(args):
    """Run the comparison and print its table."""
    from ..benchmark import compare

    device = check_device(args.device)
    quick = args.quick
    n_seeds = args.seeds if args.seeds is not None else (1 if quick else 4)
    max_iter = args.max_iter if args.max_iter is not None else (2 if quick else 5)
    n_jobs = _n_jobs(args, device, n_seeds)
    task = _demo_task(args)
    name = TASKS[args.task].name
    methods = _demo_methods(args, task, max_iter)
    skipped = [METHODS[m] for m in DEMO_METHODS if not is_available(m)]
    note(
        args,
        f"{name}: {task.n_samples:,} visible designs, {len(methods)} methods x "
        f"{n_seeds} seed(s), {max_iter} epoch(s) each, {n_jobs} process(es)"
        + "".join(
            f"; {m.label} skipped (pip install 'skcoms[{m.needs}]')" for m in skipped
        ),
    )
    start = time.perf_counter()
    rows = []
    for i, (label, optimizer) in enumerate(methods.items(), start=1):
        method_start = time.perf_counter()
        with warnings.catch_warnings():
            # short budgets leave dual descent short of its target: expected here
            warnings.filterwarnings("ignore", message=".*over-estimation never came")
            try:
                (row,) = compare(
                    {label: optimizer},
                    {name: task},
                    seeds=n_seeds,
                    n_designs=128,
                    n_jobs=None if n_jobs == 1 else n_jobs,
                    as_frame=False,
                )
            except ValueError as exc:
                # one method that finds no design does not stop the comparison
                note(args, f"[{i}/{len(methods)}] {label}: no score ({exc})")
                continue
        rows.append(row)
        note(
            args,
            f"[{i}/{len(methods)}] {label}: 100th pct {row['p100_mean']:.3f}, "
            f"50th pct {row['p50_mean']:.3f} "
            f"({time.perf_counter() - method_start:.0f} s)",
        )
    elapsed = time.perf_counter() - start
    print(demo_table(rows, name, task, n_seeds, max_iter, quick, elapsed))
    return EXIT_OK


def demo_table(rows, name, task, n_seeds, max_iter, quick, elapsed):
    """The printed table: scores per method, next to the published ones."""
    from ..benchmark import PUBLISHED_SCORES

    published_scores = PUBLISHED_SCORES.get(name, {})
    lines = [
        f"{name} ({task.n_samples:,} visible designs{', --quick' if quick else ''}): "
        f"normalized scores of 128 proposals, mean +- std over {n_seeds} seed(s), "
        f"{max_iter} training epoch(s)",
        "",
        f"{'method':<18}{'100th pct':>16}{'50th pct':>16}{'published':>11}{'s/run':>8}"
        + (f"{'feasible':>10}" if task.has_constraints else ""),
    ]
    for row in rows:
        published = published_scores.get(row["method"])
        lines.append(
            f"{row['method']:<18}"
            f"{row['p100_mean']:>9.3f} +- {row['p100_std']:.3f}"
            f"{row['p50_mean']:>9.3f} +- {row['p50_std']:.3f}"
            f"{'' if published is None else f'{published:.3f}':>11}"
            f"{row['time_mean']:>8.1f}"
            + (f"{row['feasible_mean']:>10.0%}" if task.has_constraints else "")
        )
    lines += [
        "",
        "published: 100th percentile, 8 seeds, full budget; Trabucco et al. 2021",
        "(COMs, ICML) and Design-Bench (Trabucco et al. 2022).",
        f"total {elapsed:.0f} s",
    ]
    return "\n".join(lines)
