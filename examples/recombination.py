"""Means of the data's best designs, scored by the oracle, per continuous task.

An oracle-free proposal that no model-based method of the package makes: take the
128 best designs of the data (by their recorded scores), draw 128 sets of ``m`` of
them at random and propose the mean of each set. Where the data are noisy copies
of better designs (as the Hopper controller's, which augmented random search made
by perturbing a few policies, README "The Hopper controller"), the mean of a few
of them removes part of the noise and scores above every one of them; on the test
functions it is a plain interpolation between good designs. The table gives, per
``m``, the normalized 100th / 50th percentile of the 128 scores, mean ± standard
error over ``--draws`` draws of the sets (the draws play the role of seeds), beside
the data's best 128 designs themselves. With ``--model``, ``OfflineDesignOptimizer``
is fitted once per draw (``random_state`` the draw) and its model ranks its own 128
proposals together with the means: the last columns give its proposals, the 128
its model ranks highest, and the share of means among them.

With ``--sequences``, the counterpart on the sequence tasks: the consensus of each
set of ``m`` of the 128 best sequences, the token most frequent at each position
among the ``m`` (ties drawn at random with the draw's seed, so that a consensus of
2 is a uniform crossover of the pair). Beside the percentiles their cells give the
share of the 128 that are new (no visible design) and, on the constrained
(Ehrlich) tasks, the share feasible; an infeasible design scores 0.

    python examples/recombination.py                        # minutes
    python examples/recombination.py --tasks hopper --draws 8
    python examples/recombination.py --model                # the default's model
    python examples/recombination.py --sequences           # every sequence task
    python examples/recombination.py --quick                # seconds
"""

import argparse
import os
import sys

import numpy as np

from skcoms import OfflineDesignOptimizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from listnet_temperature import CONTINUOUS  # noqa: E402
from oracle_sensitivity import (  # noqa: E402
    N_DESIGNS,
    add_task_arguments,
    chosen_tasks,
    made_by,
    percentiles,
)
from quality_benchmark import QUICK, SHIPPED, UNSHIPPED  # noqa: E402

# the sequence tasks ``--sequences`` takes: the shipped ones, then the unshipped
# instances of ``quality_benchmark.py``
SEQUENCES = {
    name: {**SHIPPED, **UNSHIPPED}[name]
    for name in (
        "tfbind8",
        "ehrlich",
        "rna14",
        "ehrlich-r1",
        "ehrlich-s20-l32",
        "ehrlich-l64-m4",
        "rna14-t2",
        "rna14-t3",
        "rna14-t1+2",
    )
}


def _sets(n_best, m, rng):
    """128 sets of ``m`` distinct indices below ``n_best``."""
    return np.array([rng.choice(n_best, m, replace=False) for _ in range(N_DESIGNS)])


def _means(best, m, draw):
    """128 means of ``m`` designs of ``best``, the sets drawn with seed ``draw``."""
    return best[_sets(len(best), m, np.random.RandomState(draw))].mean(axis=1)


def _consensus(best, m, draw, n_categories):
    """128 consensus sequences of ``m`` sequences of ``best`` (seed ``draw``).

    Each position takes the token most frequent among the ``m``; ties are broken
    by a uniform draw below 1/2 added to the counts, which never outweighs a
    whole count.
    """
    rng = np.random.RandomState(draw)
    sets = _sets(len(best), m, rng)
    counts = np.zeros((N_DESIGNS, best.shape[1], n_categories))
    rows, positions = np.ogrid[:N_DESIGNS, : best.shape[1]]
    for k in range(m):
        counts[rows, positions, best[sets[:, k]]] += 1.0
    counts += rng.uniform(0.0, 0.5, counts.shape)
    return counts.argmax(axis=2).astype(best.dtype)


def _recombine(task, best, m, draw):
    """Means of ``m`` of ``best`` on a continuous task, their consensus on a
    sequence task."""
    if task.is_discrete:
        return _consensus(best, m, draw, task.n_categories)
    return _means(best, m, draw)


def _measure(task, designs):
    """The percentiles of ``designs``; on a sequence task also the share of them
    that are new (no visible design) and the share feasible (NaN unconstrained)."""
    measured = percentiles(task, designs)
    if not task.is_discrete:
        return measured
    visible = {row.tobytes() for row in np.ascontiguousarray(task.X, dtype=np.int64)}
    rows = np.ascontiguousarray(designs, dtype=np.int64)
    new = np.mean([row.tobytes() not in visible for row in rows])
    feasible = np.mean(task.is_feasible(designs)) if task.has_constraints else np.nan
    return (*measured, float(new), float(feasible))


def means_of_best(task, sizes, n_draws):
    """Measures of the data's best designs, then of means (continuous designs) or
    consensus sequences of ``m`` of them."""
    best = task.X[np.argsort(-task.y, kind="stable")[:N_DESIGNS]]
    rows = {1: [_measure(task, best)]}
    for m in sizes:
        rows[m] = [
            _measure(task, _recombine(task, best, m, draw)) for draw in range(n_draws)
        ]
    return rows


def model_picks(task, sizes, n_draws):
    """What the default's own model makes of the means, draw by draw.

    ``OfflineDesignOptimizer(random_state=draw)`` is fitted on the task and proposes
    128 designs; its model then ranks those together with the means (consensus
    sequences) of every size (the sets of the table's columns), and keeps its 128
    best. Per draw: the measures of its proposals, of the 128 it keeps, and the
    share of means among those.
    """
    best = task.X[np.argsort(-task.y, kind="stable")[:N_DESIGNS]]
    rows = {"default": [], "picked": [], "share": []}
    for draw in range(n_draws):
        optimizer = OfflineDesignOptimizer(random_state=draw).fit(task.X, task.y)
        proposals = optimizer.propose(N_DESIGNS)
        means = np.concatenate([_recombine(task, best, m, draw) for m in sizes])
        if task.is_discrete:
            means = means.astype(proposals.dtype)
        candidates = np.concatenate([proposals, means])
        top = np.argsort(-optimizer.predict(candidates), kind="stable")[:N_DESIGNS]
        rows["default"].append(_measure(task, proposals))
        rows["picked"].append(_measure(task, candidates[top]))
        rows["share"].append(float(np.mean(top >= len(proposals))))
    return rows


def _cell(values):
    values = np.asarray(values)
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return f"{values.mean():.3f} ± {error:.3f}"


def _shares(draws):
    """The text ", new 97%, feasible 40%" of the share columns of sequence measures."""
    if draws.shape[1] == 2:
        return ""
    text = f", new {draws[:, 2].mean():.0%}"
    if not np.isnan(draws[0, 3]):
        text += f", feasible {draws[:, 3].mean():.0%}"
    return text


def table(results, picks=None, kind="means"):
    """The markdown table of ``results`` (and ``picks``), one task per row;
    ``kind`` names the recombinants in the header ("means", "consensus")."""
    sizes = list(next(iter(results.values())))[1:]
    header = ["data's best 128", *(f"{kind} of {m}" for m in sizes)]
    if picks:
        header += [
            "OfflineDesignOptimizer()",
            "its model's best 128 of both",
            f"{kind} among them",
        ]
    lines = [
        "| task | " + " | ".join(header) + " |",
        "|---|" + "---|" * len(header),
    ]
    for task_name, rows in results.items():
        data = np.array(rows[1])
        cells = [f"{data[0, 0]:.3f} / {data[0, 1]:.3f}{_shares(data)}"]
        for key in [*sizes, *(("default", "picked") if picks else ())]:
            draws = np.array(rows[key] if key in sizes else picks[task_name][key])
            cells.append(f"{_cell(draws[:, 0])} / {_cell(draws[:, 1])}{_shares(draws)}")
        if picks:
            cells.append(f"{np.mean(picks[task_name]['share']):.0%}")
        lines.append(f"| {task_name} | " + " | ".join(cells) + " |")
    return lines


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_task_arguments(parser, 8, "draws of the sets")
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=int,
        default=(2, 4, 8),
        help="designs per mean, one column each",
    )
    parser.add_argument(
        "--model",
        action="store_true",
        help="also fit OfflineDesignOptimizer() once per draw and let its model "
        "choose 128 of its proposals and the means",
    )
    parser.add_argument(
        "--sequences",
        nargs="*",
        choices=list(SEQUENCES),
        default=None,
        help="sequence tasks (all of them when none is named), measured in a "
        "second table (consensus sequences; "
        "the continuous tasks then run only when named); with --quick, a small "
        "Ehrlich task beside the small Branin",
    )
    # the continuous tasks run by default only without --sequences
    parser.set_defaults(tasks=None)
    args = parser.parse_args(argv)
    if any(not 2 <= m <= N_DESIGNS for m in args.sizes):
        parser.error(f"--sizes must be between 2 and {N_DESIGNS}")
    if args.tasks is None:
        args.tasks = [] if args.sequences is not None else list(CONTINUOUS)
    tasks = chosen_tasks(parser, args)
    if args.sequences is None:
        sequences = {}
    elif args.quick:
        sequences = {"ehrlich-small": QUICK["ehrlich-small"]}
    else:
        sequences = {name: SEQUENCES[name] for name in args.sequences or SEQUENCES}
    return args, tasks, sequences


def _run(tasks, args):
    results, picks = {}, {}
    for name, make in tasks.items():
        task = make()
        if task.n_samples < N_DESIGNS:
            raise SystemExit(f"{name} has {task.n_samples} designs, fewer than 128")
        results[name] = means_of_best(task, args.sizes, args.draws)
        if args.model:
            picks[name] = model_picks(task, args.sizes, args.draws)
        print(f"{name}: done", flush=True)
    return results, picks


def main(argv=None):
    args, tasks, sequences = parse_args(argv)
    tables = []
    for chosen, kind in [(tasks, "means"), (sequences, "consensus")]:
        if chosen:
            tables.append(table(*_run(chosen, args), kind=kind))
    print(made_by(__file__, f"mean ± standard error over {args.draws} draws"))
    print("\n\n".join("\n".join(lines) for lines in tables))


if __name__ == "__main__":
    main()
