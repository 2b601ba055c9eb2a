"""The offline model-based optimization protocol of Design-Bench, comparisons, plots.

An optimizer is any scikit-learn estimator with ``fit(X, y) -> self`` and
``propose(n_designs) -> designs`` (designs in the representation of ``X``). For each
seed, :func:`evaluate` fits a clone of it on a task's visible data, asks for
``n_designs`` proposals, scores them with the task's oracle, normalizes the scores as
``(y - y_min) / (y_max - y_min)`` with the full data's range, and keeps their 100th
(max) and 50th (median) percentile. :func:`compare` runs that for several
optimizers and tasks and returns one row per optimizer and task.

pandas, matplotlib and tqdm are optional and imported only by the functions that use
them.
"""

import os
import platform
import subprocess
import time
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone

from ._compat import HasMethods, Interval, StrOptions, validate_params
from ._plotting import plot_comparison, plot_training
from ._validation import check_n_designs, check_oracle_scores, check_seeds
from .datasets import Task

__all__ = [
    "PUBLISHED_SCORES",
    "compare",
    "evaluate",
    "normalize_score",
    "plot_comparison",
    "plot_training",
    "provenance",
]

_SUMMARY_KEYS = ("p100_mean", "p100_std", "p50_mean", "p50_std")
# constraints shared by evaluate and compare; check_seeds and check_n_designs then
# reject what the constraints let through (booleans, seeds that are not integers)
_OPTIMIZER = HasMethods(["fit", "propose", "get_params", "set_params"])
_SEEDS = [Interval(Integral, 1, None, closed="left"), HasMethods(["__iter__"])]
_N_DESIGNS = [Interval(Integral, 1, None, closed="left")]

# Published 100th-percentile normalized scores, mean over 8 trials at the full
# budget: Trabucco et al., "Conservative Objective Models for Effective Offline
# Model-Based Optimization", ICML 2021 (Table 1), with the baselines of Design-Bench
# (Trabucco et al., ICML 2022) as listed in the design-baselines README.
_PUBLISHED_TASKS = (
    "Superconductor",
    "Ant",
    "D'Kitty",
    "Hopper",
    "GFP",
    "TFBind8",
    "UTR",
)
_PUBLISHED_ROWS = {
    "best of dataset": (0.399, 0.565, 0.884, 1.0, 0.789, 0.439, 0.593),
    "Auto. CbAS": (0.421, 0.884, 0.906, 0.137, 0.865, 0.910, 0.691),
    "CbAS": (0.503, 0.879, 0.892, 0.141, 0.865, 0.927, 0.694),
    "BO-qEI": (0.402, 0.820, 0.896, 0.550, 0.254, 0.798, 0.684),
    "CMA-ES": (0.465, 1.219, 0.724, 0.604, 0.054, 0.953, 0.707),
    "gradient ascent": (0.518, 0.291, 0.874, 1.035, 0.864, 0.977, 0.695),
    "ensemble min": (0.506, 0.478, 0.889, 1.391, 0.864, 0.984, 0.696),
    "ensemble mean": (0.499, 0.444, 0.892, 1.586, 0.864, 0.986, 0.693),
    "MINs": (0.469, 0.916, 0.945, 0.424, 0.865, 0.905, 0.697),
    "REINFORCE": (0.481, 0.263, 0.562, -0.020, 0.865, 0.948, 0.688),
    "COMs": (0.439, 0.944, 0.949, 2.056, 0.864, 0.945, 0.699),
}
#: ``PUBLISHED_SCORES[task][method]``: the published score of a method on a task.
PUBLISHED_SCORES = {
    task: {method: row[i] for method, row in _PUBLISHED_ROWS.items()}
    for i, task in enumerate(_PUBLISHED_TASKS)
}


@validate_params(
    {"y": [Real, "array-like"], "task": [Task]}, prefer_skip_nested_validation=True
)
def normalize_score(y, task):
    """Scores on the task's scale: 0 at the full data's minimum, 1 at its maximum.

    Parameters
    ----------
    y : float or array-like
        Scores from the task's oracle.
    task : Task
        Gives ``y_min`` and ``y_max``.

    Returns
    -------
    score : float or ndarray
        ``(y - task.y_min) / (task.y_max - task.y_min)``, of the shape of ``y``.

    Examples
    --------
    >>> from skcoms.benchmark import normalize_score
    >>> from skcoms.datasets import make_toy_quadratic
    >>> task = make_toy_quadratic(random_state=0)
    >>> print(normalize_score([task.y_min, task.y_max], task))
    [0. 1.]
    """
    _check_task(task)
    score = (np.asarray(y, dtype=np.float64) - task.y_min) / (task.y_max - task.y_min)
    return float(score) if score.ndim == 0 else score


@validate_params({"path": [str, os.PathLike, None]}, prefer_skip_nested_validation=True)
def provenance(path=None):
    """What made a result: the versions of skcoms and its libraries, and the commit.

    Benchmark scripts store it beside each result and print it above their tables,
    so that a table can be traced to the code that made it.

    Parameters
    ----------
    path : str or path-like, default=None
        A file or folder inside the git checkout whose commit to report (a script
        passes its own ``__file__``); by default the folder of the imported
        ``skcoms`` package, which is a checkout only in an editable install.

    Returns
    -------
    info : dict
        ``"skcoms"``, ``"torch"``, ``"numpy"``, ``"scipy"``, ``"sklearn"``,
        ``"python"``: version strings (a new install of the same torch can move
        a fit's results through numpy, SciPy or scikit-learn);
        ``"commit"``: the checkout's short commit hash, with ``"+changes"`` added
        when tracked files differ from it, or ``None`` outside a git checkout (or
        without git).

    Examples
    --------
    >>> from skcoms.benchmark import provenance
    >>> info = provenance()
    >>> sorted(info)
    ['commit', 'numpy', 'python', 'scipy', 'skcoms', 'sklearn', 'torch']
    """
    import scipy
    import sklearn
    import torch

    from . import __version__

    if path is None:
        path = os.path.dirname(os.path.abspath(__file__))
    folder = os.fspath(path)
    if not os.path.isdir(folder):
        folder = os.path.dirname(os.path.abspath(folder))
    return {
        "skcoms": __version__,
        "commit": _git_commit(folder),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
    }


def _git_commit(folder):
    def git(*args):
        return subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=folder,
            timeout=30,
        ).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{commit}+changes" if changed else commit


def _check_task(task):
    if not isinstance(task, Task):
        raise TypeError(f"Expected a skcoms.datasets.Task, got {type(task)}.")


def _check_optimizer(optimizer):
    for method in ("fit", "propose", "get_params", "set_params"):
        if not callable(getattr(optimizer, method, None)):
            raise TypeError(
                f"An optimizer must be a scikit-learn estimator with fit(X, y) and "
                f"propose(n_designs); {type(optimizer).__name__} has no {method}()."
            )


def _seeded_clone(optimizer, seed):
    """A clone of ``optimizer`` with every ``random_state``, nested ones too, set."""
    optimizer = clone(optimizer)
    optimizer.set_params(
        **{
            key: seed
            for key in optimizer.get_params(deep=True)
            if key == "random_state" or key.endswith("__random_state")
        }
    )
    return optimizer


def _run_one(optimizer, task, seed, n_designs, keep_optimizer=False):
    optimizer = _seeded_clone(optimizer, seed)
    start = time.perf_counter()
    optimizer.fit(task.X, task.y)
    designs = optimizer.propose(n_designs)
    elapsed = time.perf_counter() - start
    if len(designs) == 0:
        raise ValueError(f"{type(optimizer).__name__}.propose returned no designs.")
    raw = check_oracle_scores(
        task.oracle(designs), len(designs), f"oracle of task {task.name!r}"
    )
    scores = normalize_score(raw, task)
    return {
        "seed": seed,
        "p100": float(np.percentile(scores, 100)),
        "p50": float(np.percentile(scores, 50)),
        "feasible": (
            float(np.mean(task.is_feasible(designs)))
            if task.has_constraints
            else np.nan
        ),
        "time": elapsed,
        "scores": scores,
        "optimizer": optimizer if keep_optimizer else None,
    }


def _summarize(p100, p50):
    return {
        "p100_mean": float(np.mean(p100)),
        "p100_std": float(np.std(p100)),
        "p50_mean": float(np.mean(p50)),
        "p50_std": float(np.std(p50)),
    }


@validate_params(
    {
        "optimizer": [_OPTIMIZER],
        "task": [Task],
        "n_designs": _N_DESIGNS,
        "seeds": _SEEDS,
        "return_optimizers": ["boolean"],
    },
    prefer_skip_nested_validation=False,
)
def evaluate(optimizer, task, *, n_designs=128, seeds=8, return_optimizers=False):
    """Score an optimizer on a task by the Design-Bench protocol.

    For each seed: clone ``optimizer``, set every parameter named ``random_state``
    (nested ones such as ``estimator__random_state`` included) to the seed, fit it on
    ``task.X, task.y``, call ``propose(n_designs)``, score the proposals with
    ``task.oracle`` and normalize them with :func:`normalize_score`. The summary of a
    seed is the 100th and 50th percentile of its normalized scores (over the
    designs ``propose`` returned, should it return fewer than ``n_designs``).

    Parameters
    ----------
    optimizer : estimator
        Has ``fit(X, y)`` and ``propose(n_designs)``.
    task : Task
        The task.
    n_designs : int, default=128
        Proposals per seed (Design-Bench's budget is 128).
    seeds : int or iterable of int, default=8
        The seeds, or their number ``n`` for seeds ``0 .. n - 1``. The papers use 8.
    return_optimizers : bool, default=False
        Also return the fitted optimizer of each seed.

    Returns
    -------
    result : dict
        ``"task"`` (the task's name), ``"seeds"`` (list), ``"p100"`` and ``"p50"``
        (arrays, one value per seed), their ``"p100_mean"``, ``"p100_std"``,
        ``"p50_mean"``, ``"p50_std"`` (the std over seeds, ``ddof=0``), ``"time"``
        (array: seconds of fit plus propose per seed), ``"scores"`` (list of arrays:
        the normalized score of every proposal per seed) and, when asked,
        ``"optimizers"`` (list). For a task with constraints
        (``task.has_constraints``), also ``"feasible"`` (array: the share of
        feasible proposals per seed, by ``task.is_feasible``) and its mean
        ``"feasible_mean"``.

    See Also
    --------
    compare : Several optimizers on several tasks, as a table.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skcoms.benchmark import evaluate
    >>> from skcoms.datasets import load_tfbind8
    >>> class BestOfData(BaseEstimator):
    ...     def fit(self, X, y):
    ...         self.X_, self.y_ = X, y
    ...         return self
    ...     def propose(self, n_designs):
    ...         return self.X_[np.argsort(self.y_)[::-1][:n_designs]]
    >>> result = evaluate(BestOfData(), load_tfbind8(), seeds=2)
    >>> print(f"{result['p100_mean']:.3f} {result['p50_mean']:.3f}")
    0.439 0.439
    """
    _check_optimizer(optimizer)
    _check_task(task)
    n_designs = check_n_designs(n_designs)
    seeds = check_seeds(seeds)
    runs = [
        _run_one(optimizer, task, seed, n_designs, return_optimizers) for seed in seeds
    ]
    return _evaluation(task.name, runs, return_optimizers)


def _evaluation(task_name, runs, return_optimizers):
    p100 = np.array([run["p100"] for run in runs])
    p50 = np.array([run["p50"] for run in runs])
    result = {
        "task": task_name,
        "seeds": [run["seed"] for run in runs],
        "p100": p100,
        "p50": p50,
        **_summarize(p100, p50),
        "time": np.array([run["time"] for run in runs]),
        "scores": [run["scores"] for run in runs],
    }
    feasible = np.array([run["feasible"] for run in runs])
    if not np.isnan(feasible).all():  # NaN: a task without constraints
        result["feasible"] = feasible
        result["feasible_mean"] = float(feasible.mean())
    if return_optimizers:
        result["optimizers"] = [run["optimizer"] for run in runs]
    return result


def _check_tasks(tasks):
    if isinstance(tasks, Task):
        tasks = [tasks]
    if isinstance(tasks, dict):
        items = list(tasks.items())
    else:
        try:
            items = [(getattr(task, "name", None), task) for task in tasks]
        except TypeError:
            raise TypeError(
                "tasks must be a Task, a list of Tasks or a dict name -> Task, got "
                f"{type(tasks)}."
            ) from None
        names = [name for name, _ in items]
        if len(set(names)) != len(names):
            raise ValueError(
                f"Task names must be unique, got {names}; pass a dict name -> Task "
                "to name them."
            )
    if not items:
        raise ValueError("tasks is empty.")
    for _, task in items:
        _check_task(task)
    return items


def _progress_bar(total):
    try:
        from tqdm.auto import tqdm
    except ImportError:
        raise ImportError(
            "progress=True needs tqdm: pip install tqdm (or skcoms[progress])."
        ) from None
    return tqdm(total=total, desc="compare", unit="run")


def _as_table(records, as_frame):
    if as_frame not in ("auto", True, False):
        raise ValueError(f"as_frame must be 'auto', True or False, got {as_frame!r}.")
    if as_frame is False:
        return records
    try:
        import pandas as pd
    except ImportError:
        if as_frame is True:
            raise ImportError(
                "as_frame=True needs pandas: pip install pandas."
            ) from None
        return records
    return pd.DataFrame.from_records(records)


def _run_jobs(jobs, n_designs, n_jobs, progress):
    """Run ``(method, task name, optimizer, task, seed)`` jobs with joblib.

    Returns the runs grouped by ``(method, task name)``, in the order of the jobs.
    """
    bar = _progress_bar(len(jobs)) if progress else None
    from sklearn.utils.parallel import Parallel, delayed

    calls = (
        delayed(_run_one)(opt, task, seed, n_designs) for _, _, opt, task, seed in jobs
    )
    # n_jobs=None defers to an enclosing joblib.parallel_config (a Dask cluster, say)
    # and otherwise runs one job at a time in this process
    try:
        parallel = Parallel(n_jobs=n_jobs, return_as="generator")
    except TypeError:  # joblib < 1.3: no generator output
        parallel = Parallel(n_jobs=n_jobs)
    runs = parallel(calls)
    results = {}
    try:
        for (method, task_name, *_), run in zip(jobs, runs, strict=True):
            results.setdefault((method, task_name), []).append(run)
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return results


@validate_params(
    {
        "optimizers": [dict],
        "tasks": [Task, dict, list, tuple],
        "seeds": _SEEDS,
        "n_designs": _N_DESIGNS,
        "n_jobs": [Integral, None],
        "progress": ["boolean"],
        "per_seed": ["boolean"],
        "as_frame": [StrOptions({"auto"}), "boolean"],
    },
    prefer_skip_nested_validation=False,
)
def compare(
    optimizers,
    tasks,
    *,
    seeds=8,
    n_designs=128,
    n_jobs=None,
    progress=False,
    per_seed=False,
    as_frame="auto",
):
    """Evaluate several optimizers on several tasks: one table row per pair.

    Every (optimizer, task, seed) run is the run of :func:`evaluate`; runs are
    independent, so ``n_jobs`` runs them in parallel with joblib (a
    ``joblib.parallel_config`` context chooses the backend).

    Parameters
    ----------
    optimizers : dict of str to estimator
        The optimizers, by the name that labels their rows.
    tasks : Task, list of Task or dict of str to Task
        The tasks; a list is labelled by the tasks' names, which must be unique.
    seeds : int or iterable of int, default=8
        As in :func:`evaluate`.
    n_designs : int, default=128
        Proposals per run.
    n_jobs : int, default=None
        Runs in parallel. None means 1 unless inside a ``joblib.parallel_config``
        context, whose backend and ``n_jobs`` then apply (as in scikit-learn);
        -1 uses all cores.
    progress : bool, default=False
        Show a tqdm progress bar over the runs (needs ``tqdm``).
    per_seed : bool, default=False
        One row per optimizer, task and seed instead of per optimizer and task.
    as_frame : {"auto", True, False}, default="auto"
        Return a pandas DataFrame ("auto": when pandas is installed), or a list of
        dicts, one per row, with the same keys as the DataFrame's columns.

    Returns
    -------
    table : pandas.DataFrame or list of dict
        Columns ``method``, ``task``, ``p100_mean``, ``p100_std``, ``p50_mean``,
        ``p50_std`` (normalized scores; std over seeds with ``ddof=0``),
        ``n_seeds`` and ``time_mean`` (seconds of fit plus propose per run). With
        ``per_seed=True``: ``method``, ``task``, ``seed``, ``p100``, ``p50``,
        ``time``. When a task has constraints, also ``feasible_mean`` (the mean
        share of feasible proposals; NaN for the tasks without constraints), or
        ``feasible`` per seed. Rows follow the order of ``optimizers`` then
        ``tasks``.

    See Also
    --------
    evaluate : One optimizer on one task, with per-seed details.
    plot_comparison : A bar chart of the table.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skcoms.benchmark import compare
    >>> from skcoms.datasets import make_test_function_task
    >>> class RandomDesigns(BaseEstimator):
    ...     def __init__(self, random_state=None):
    ...         self.random_state = random_state
    ...     def fit(self, X, y):
    ...         self.low_, self.high_ = X.min(0), X.max(0)
    ...         return self
    ...     def propose(self, n_designs):
    ...         rng = np.random.default_rng(self.random_state)
    ...         return rng.uniform(self.low_, self.high_, (n_designs, len(self.low_)))
    >>> tasks = [make_test_function_task(name, n_samples=500, random_state=0)
    ...          for name in ("branin", "hartmann6")]
    >>> table = compare({"random": RandomDesigns()}, tasks, seeds=3, as_frame=False)
    >>> [(row["method"], row["task"], row["n_seeds"]) for row in table]
    [('random', 'branin', 3), ('random', 'hartmann6', 3)]
    """
    if not isinstance(optimizers, dict) or not optimizers:
        raise TypeError(
            "optimizers must be a non-empty dict name -> optimizer, got "
            f"{type(optimizers).__name__}."
        )
    for optimizer in optimizers.values():
        _check_optimizer(optimizer)
    task_items = _check_tasks(tasks)
    seeds = check_seeds(seeds)
    n_designs = check_n_designs(n_designs)
    if n_jobs is not None and (
        not isinstance(n_jobs, Integral) or isinstance(n_jobs, bool) or n_jobs == 0
    ):
        raise ValueError(f"n_jobs must be None or a nonzero integer, got {n_jobs!r}.")

    jobs = [
        (method, task_name, optimizer, task, seed)
        for method, optimizer in optimizers.items()
        for task_name, task in task_items
        for seed in seeds
    ]
    results = _run_jobs(jobs, n_designs, n_jobs, progress)

    constrained = any(task.has_constraints for _, task in task_items)
    records = []
    for (method, task_name), task_runs in results.items():
        if per_seed:
            records.extend(
                {
                    "method": method,
                    "task": task_name,
                    "seed": run["seed"],
                    "p100": run["p100"],
                    "p50": run["p50"],
                    **({"feasible": run["feasible"]} if constrained else {}),
                    "time": run["time"],
                }
                for run in task_runs
            )
        else:
            result = _evaluation(task_name, task_runs, return_optimizers=False)
            records.append(
                {
                    "method": method,
                    "task": task_name,
                    **{key: result[key] for key in _SUMMARY_KEYS},
                    **(
                        {"feasible_mean": result.get("feasible_mean", np.nan)}
                        if constrained
                        else {}
                    ),
                    "n_seeds": len(task_runs),
                    "time_mean": float(result["time"].mean()),
                }
            )
    return _as_table(records, as_frame)
