"""Plots of a comparison table and of an optimizer's training, for notebooks.

matplotlib is optional and imported by the functions that draw.
"""

import numpy as np

from ._compat import validate_params


def _records(table):
    """The rows of a table from :func:`compare` (DataFrame or list of dicts)."""
    if hasattr(table, "to_dict"):
        return table.to_dict("records")
    return list(table)


def _summary_records(table):
    from .benchmark import _SUMMARY_KEYS, _summarize

    records = _records(table)
    if not records:
        raise ValueError("The table is empty.")
    if "seed" not in records[0]:
        missing = {"method", "task", *_SUMMARY_KEYS} - set(records[0])
        if missing:
            raise ValueError(
                f"Not a table from compare(): missing columns {sorted(missing)}."
            )
        return records
    groups = {}
    for row in records:
        groups.setdefault((row["method"], row["task"]), []).append(row)
    return [
        {
            "method": method,
            "task": task,
            **_summarize([r["p100"] for r in rows], [r["p50"] for r in rows]),
        }
        for (method, task), rows in groups.items()
    ]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "Plotting needs matplotlib: pip install matplotlib (or skcoms[plot])."
        ) from None
    return plt


@validate_params(
    {"table": ["array-like"], "ax": "no_validation"},
    prefer_skip_nested_validation=True,
)
def plot_comparison(table, *, ax=None):
    """A grouped bar chart of a :func:`compare` table.

    One group of bars per task, one bar per method: the bar is the mean 100th
    percentile score over seeds with its std as an error bar; the diamond on it is
    the mean 50th percentile score.

    Parameters
    ----------
    table : pandas.DataFrame or list of dict
        A table from :func:`compare` (summary or ``per_seed=True``).
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from skcoms.benchmark import plot_comparison
    >>> table = [
    ...     {"method": "coms", "task": "tfbind8", "p100_mean": 0.95, "p100_std": 0.02,
    ...      "p50_mean": 0.60, "p50_std": 0.03},
    ...     {"method": "best of data", "task": "tfbind8", "p100_mean": 0.44,
    ...      "p100_std": 0.0, "p50_mean": 0.44, "p50_std": 0.0},
    ... ]
    >>> ax = plot_comparison(table, ax=Figure().add_subplot())
    >>> [label.get_text() for label in ax.get_xticklabels()]
    ['tfbind8']
    """
    records = _summary_records(table)
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6.4, 3.6))
    methods = list(dict.fromkeys(row["method"] for row in records))
    tasks = list(dict.fromkeys(row["task"] for row in records))
    by_key = {(row["method"], row["task"]): row for row in records}
    width = 0.8 / len(methods)
    for i, method in enumerate(methods):
        positions, rows = [], []
        for j, task in enumerate(tasks):
            if (method, task) in by_key:
                positions.append(j - 0.4 + (i + 0.5) * width)
                rows.append(by_key[(method, task)])
        bars = ax.bar(
            positions,
            [row["p100_mean"] for row in rows],
            width,
            yerr=[row["p100_std"] for row in rows],
            capsize=2,
            label=method,
        )
        ax.scatter(
            positions,
            [row["p50_mean"] for row in rows],
            marker="D",
            s=18,
            color="white",
            edgecolors=bars.patches[0].get_facecolor() if bars.patches else "black",
            linewidths=1.2,
            zorder=3,
        )
    ax.set_xticks(range(len(tasks)), tasks)
    ax.set_ylabel("normalized score\n(bar: 100th pct, diamond: 50th)")
    ax.legend(frameon=False, fontsize="small")
    return ax


@validate_params(
    {"optimizer": "no_validation", "axes": "no_validation"},
    prefer_skip_nested_validation=True,
)
def plot_training(optimizer, *, axes=None):
    """Training curves and the ascent trajectory of a fitted optimizer.

    Draws one panel per curve the optimizer (or its fitted model ``estimator_``)
    has: the training loss (``loss_curve_``, with ``mse_curve_`` when present), the
    overestimation (``overestimation_curve_``), the conservatism weight
    (``alpha_curve_``), all per epoch; and the predicted score of each proposal at
    each ascent step (``trajectory_``, shape ``(n_steps + 1, n_designs)``: thin lines
    per design, their mean in bold).

    Parameters
    ----------
    optimizer : estimator
        A fitted optimizer, or a fitted model with the curves.
    axes : sequence of matplotlib Axes, default=None
        At least one per panel; a new figure with a row of panels when None.

    Returns
    -------
    axes : list of matplotlib Axes
        The axes drawn on, in the panel order above.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from skcoms import ConservativeObjectiveRegressor
    >>> from skcoms.benchmark import plot_training
    >>> from skcoms.datasets import make_toy_quadratic
    >>> task = make_toy_quadratic(random_state=0)
    >>> model = ConservativeObjectiveRegressor((16,), max_iter=3, random_state=0)
    >>> model = model.fit(task.X, task.y)
    >>> axes = plot_training(model, axes=Figure().subplots(1, 3))
    >>> [ax.get_title() for ax in axes]
    ['training loss', 'overestimation', 'alpha']
    """
    model = getattr(optimizer, "estimator_", optimizer)
    panels = []
    if getattr(model, "loss_curve_", None) is not None:
        panels.append("loss")
    for name in ("overestimation", "alpha"):
        if getattr(model, f"{name}_curve_", None) is not None:
            panels.append(name)
    trajectory = getattr(optimizer, "trajectory_", None)
    if trajectory is not None:
        trajectory = np.asarray(trajectory, dtype=np.float64)
        if trajectory.ndim == 1:
            trajectory = trajectory[:, None]
        if trajectory.ndim != 2:
            raise ValueError(
                "trajectory_ must have shape (n_steps + 1, n_designs), got "
                f"{trajectory.shape}."
            )
        panels.append("trajectory")
    if not panels:
        raise ValueError(
            f"{type(optimizer).__name__} has no training curves or trajectory_: is "
            "it fitted?"
        )
    if axes is None:
        _, axes = _pyplot().subplots(
            1, len(panels), figsize=(3.6 * len(panels), 3.0), squeeze=False
        )
        axes = list(axes[0])
    else:
        axes = list(np.ravel(axes))
        if len(axes) < len(panels):
            raise ValueError(
                f"Need {len(panels)} axes for the panels {panels}, got {len(axes)}."
            )
    for ax, panel in zip(axes, panels, strict=False):
        if panel == "loss":
            epochs = np.arange(1, len(model.loss_curve_) + 1)
            ax.plot(epochs, model.loss_curve_, label="loss")
            if getattr(model, "mse_curve_", None) is not None:
                ax.plot(epochs, model.mse_curve_, label="mse")
                ax.legend(frameon=False, fontsize="small")
            ax.set(xlabel="epoch", title="training loss")
        elif panel == "overestimation":
            curve = model.overestimation_curve_
            ax.plot(np.arange(1, len(curve) + 1), curve)
            ax.axhline(0.0, color="gray", linewidth=0.8)
            ax.set(xlabel="epoch", title="overestimation")
        elif panel == "alpha":
            curve = np.asarray(model.alpha_curve_, dtype=np.float64)
            ax.plot(np.arange(1, len(curve) + 1), curve)
            if np.all(curve > 0):
                ax.set_yscale("log")
            ax.set(xlabel="epoch", title="alpha")
        else:
            steps = np.arange(trajectory.shape[0])
            ax.plot(steps, trajectory, color="gray", alpha=0.25, linewidth=0.6)
            # proposals without a path (a sequence optimizer's fill) are NaN
            paths = trajectory[:, ~np.isnan(trajectory).all(axis=0)]
            if paths.shape[1]:
                ax.plot(steps, paths.mean(axis=1), color="C3", linewidth=2)
            ax.set(xlabel="ascent step", title="predicted score of proposals")
    return axes
