"""The evaluation protocol, compare() and the plots, with stand-in optimizers."""

import platform
import shutil
import subprocess
import sys
import threading

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from skcoms import ConservativeObjectiveRegressor
from skcoms.benchmark import (
    compare,
    evaluate,
    normalize_score,
    plot_comparison,
    plot_training,
    provenance,
)
from skcoms.datasets import load_tfbind8, make_test_function_task, make_toy_quadratic


class BestOfData(BaseEstimator):
    """The top designs of the data: deterministic, no random_state."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        return self

    def propose(self, n_designs):
        return self.X_[np.argsort(-self.y_, kind="stable")[:n_designs]]


class RandomDesigns(BaseEstimator):
    """Uniform random designs in the data's range (tokens when X is integer)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.X_ = np.asarray(X)
        return self

    def propose(self, n_designs):
        rng = np.random.default_rng(self.random_state)
        low, high = self.X_.min(0), self.X_.max(0)
        if np.issubdtype(self.X_.dtype, np.integer):
            return rng.integers(low, high + 1, size=(n_designs, self.X_.shape[1]))
        return rng.uniform(low, high, size=(n_designs, self.X_.shape[1]))


class TopPredicted(BaseEstimator):
    """Fits a model and proposes the data's designs it predicts best.

    Also stands in for the fitted attributes plot_training reads.
    """

    def __init__(self, estimator=None, random_state=None):
        self.estimator = estimator
        self.random_state = random_state

    def fit(self, X, y):
        from sklearn.base import clone

        self.X_ = np.asarray(X, dtype=float)
        self.estimator_ = clone(self.estimator).fit(self.X_, y)
        return self

    def propose(self, n_designs):
        predicted = self.estimator_.predict(self.X_)
        order = np.argsort(-predicted, kind="stable")[:n_designs]
        self.trajectory_ = np.tile(predicted[order], (3, 1))
        return self.X_[order]


class NoDesigns(BestOfData):
    def propose(self, n_designs):
        return self.X_[:0]


@pytest.fixture(scope="module")
def tfbind8():
    return load_tfbind8()


@pytest.fixture(scope="module")
def branin():
    return make_test_function_task("branin", n_samples=400, random_state=0)


def test_normalized_score_is_zero_at_min_and_one_at_max(tfbind8, branin):
    assert normalize_score(tfbind8.y_min, tfbind8) == 0.0
    assert normalize_score(tfbind8.y_max, tfbind8) == 1.0
    # The oracle's extremes: the lowest and highest 8-mers of the full data.
    extremes = tfbind8.oracle(["GGCCGGCC", "AGGTATCA"])
    np.testing.assert_array_equal(normalize_score(extremes, tfbind8), [0.0, 1.0])
    full = make_test_function_task(
        "branin", n_samples=400, percentile=100, random_state=0
    )
    scores = normalize_score(full.y, branin)
    assert scores.min() == 0.0 and scores.max() < 1.0
    assert normalize_score(-10 / (8 * np.pi), branin) == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(TypeError, match="Task"):
        normalize_score(1.0, "tfbind8")


def test_evaluate_best_of_data_matches_published_tfbind8_floor(tfbind8):
    result = evaluate(BestOfData(), tfbind8, n_designs=128, seeds=(0, 1))
    assert result["task"] == "tfbind8" and result["seeds"] == [0, 1]
    # Design-Bench's published best of dataset on TFBind8: 0.439.
    np.testing.assert_allclose(result["p100"], [0.439296] * 2, atol=1e-6)
    assert abs(result["p100_mean"] - 0.439) < 5e-4
    assert result["p100_std"] == 0.0
    assert result["p50_mean"] <= result["p100_mean"]
    assert [len(scores) for scores in result["scores"]] == [128, 128]
    assert result["time"].shape == (2,) and np.all(result["time"] >= 0)


def test_evaluate_seeds_each_run_reproducibly(tfbind8):
    result = evaluate(RandomDesigns(), tfbind8, n_designs=64, seeds=2)
    again = evaluate(RandomDesigns(), tfbind8, n_designs=64, seeds=[0, 1])
    np.testing.assert_array_equal(result["p100"], again["p100"])
    assert not np.array_equal(result["scores"][0], result["scores"][1])
    for seed, scores in enumerate(result["scores"]):
        designs = RandomDesigns(random_state=seed).fit(tfbind8.X, tfbind8.y).propose(64)
        np.testing.assert_array_equal(
            scores, normalize_score(tfbind8.oracle(designs), tfbind8)
        )
        assert result["p100"][seed] == scores.max()
        assert result["p50"][seed] == np.median(scores)
    assert result["p100_std"] == pytest.approx(np.std(result["p100"]))


def test_evaluate_sets_nested_random_states_on_clones(branin):
    model = ConservativeObjectiveRegressor(
        hidden_layer_sizes=(8,), max_iter=2, n_ascent_steps=2, device="cpu"
    )
    optimizer = TopPredicted(model)
    result = evaluate(
        optimizer, branin, n_designs=16, seeds=(3, 7), return_optimizers=True
    )
    fitted = result["optimizers"]
    assert [opt.random_state for opt in fitted] == [3, 7]
    assert [opt.estimator.random_state for opt in fitted] == [3, 7]
    assert optimizer.random_state is None and model.random_state is None
    assert not hasattr(optimizer, "estimator_")
    # The same seed gives the same fitted model.
    again = evaluate(optimizer, branin, n_designs=16, seeds=(3,))
    assert again["p100"][0] == result["p100"][0]
    assert 0.0 <= result["p50_mean"] <= result["p100_mean"] < 1.0


_N_DESIGNS = r"'n_designs' parameter of evaluate must be an int in the range \[1, inf\)"
_SEEDS = r"'seeds' parameter of evaluate must be an int in the range \[1, inf\) or an"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_designs": 0}, ValueError, _N_DESIGNS),
        ({"n_designs": 2.5}, ValueError, _N_DESIGNS),
        ({"n_designs": True}, ValueError, "n_designs must be a positive integer"),
        ({"seeds": 0}, ValueError, _SEEDS),
        ({"seeds": []}, ValueError, "non-empty list of integers"),
        ({"seeds": [0, -1]}, ValueError, "non-empty list of integers"),
        ({"seeds": [0.5]}, ValueError, "non-empty list of integers"),
        ({"seeds": None}, TypeError, _SEEDS),
        ({"seeds": "01"}, TypeError, "seeds must be an integer or an iterable"),
    ],
)
def test_evaluate_rejects_bad_arguments(branin, kwargs, error, message):
    with pytest.raises(error, match=message):
        evaluate(BestOfData(), branin, **kwargs)


def test_evaluate_rejects_non_optimizers_and_empty_proposals(branin):
    with pytest.raises(TypeError, match=r"must be an object implementing 'fit', 'pro"):
        evaluate(ConservativeObjectiveRegressor(), branin)
    with pytest.raises(TypeError, match="Task"):
        evaluate(BestOfData(), branin.X)
    with pytest.raises(ValueError, match="returned no designs"):
        evaluate(NoDesigns(), branin, seeds=1)


def test_compare_gives_one_row_per_method_and_task(tfbind8, branin):
    pd = pytest.importorskip("pandas")
    optimizers = {"best": BestOfData(), "random": RandomDesigns()}
    tasks = {"tfbind8": tfbind8, "branin": branin}
    table = compare(optimizers, tasks, seeds=2, n_designs=32)
    assert isinstance(table, pd.DataFrame)
    assert list(table.columns) == [
        "method",
        "task",
        "p100_mean",
        "p100_std",
        "p50_mean",
        "p50_std",
        "n_seeds",
        "time_mean",
    ]
    assert list(zip(table["method"], table["task"], strict=True)) == [
        ("best", "tfbind8"),
        ("best", "branin"),
        ("random", "tfbind8"),
        ("random", "branin"),
    ]
    assert (table["n_seeds"] == 2).all()
    single = evaluate(RandomDesigns(), branin, n_designs=32, seeds=2)
    row = table.iloc[3]
    for key in ("p100_mean", "p100_std", "p50_mean", "p50_std"):
        assert row[key] == single[key]

    per_seed = compare(
        optimizers, [tfbind8, branin], seeds=2, n_designs=32, per_seed=True
    )
    assert list(per_seed.columns) == ["method", "task", "seed", "p100", "p50", "time"]
    assert len(per_seed) == 8
    np.testing.assert_array_equal(
        per_seed.groupby(["method", "task"], sort=False)["p100"].mean(),
        table["p100_mean"],
    )


def test_compare_in_parallel_and_as_records_matches_sequential(branin):
    joblib = pytest.importorskip("joblib")
    tasks = [branin, make_toy_quadratic(random_state=0)]
    optimizers = {"random": RandomDesigns(), "best": BestOfData()}
    sequential = compare(optimizers, tasks, seeds=2, n_designs=8, as_frame=False)
    # Threads keep the test fast; the code path is the one of any joblib backend.
    with joblib.parallel_config(backend="threading"):
        parallel = compare(
            optimizers, tasks, seeds=2, n_designs=8, n_jobs=2, as_frame=False
        )
    assert isinstance(sequential, list) and len(sequential) == 4
    for a, b in zip(sequential, parallel, strict=True):
        assert {k: v for k, v in a.items() if k != "time_mean"} == {
            k: v for k, v in b.items() if k != "time_mean"
        }


class ThreadRecorder(RandomDesigns):
    """Random designs that note the thread each fit ran in."""

    threads = []

    def fit(self, X, y):
        ThreadRecorder.threads.append(threading.get_ident())
        return super().fit(X, y)


def test_compare_without_n_jobs_follows_an_enclosing_joblib_config(branin):
    joblib = pytest.importorskip("joblib")
    ThreadRecorder.threads.clear()
    compare({"r": ThreadRecorder()}, branin, seeds=4, n_designs=4, as_frame=False)
    assert set(ThreadRecorder.threads) == {threading.get_ident()}
    ThreadRecorder.threads.clear()
    with joblib.parallel_config(backend="threading", n_jobs=2):
        compare({"r": ThreadRecorder()}, branin, seeds=4, n_designs=4, as_frame=False)
    assert len(ThreadRecorder.threads) == 4
    assert threading.get_ident() not in ThreadRecorder.threads


def test_compare_shows_a_progress_bar(branin, capsys):
    pytest.importorskip("tqdm")
    compare({"best": BestOfData()}, branin, seeds=3, n_designs=4, progress=True)
    assert "3/3" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "message"),
    [
        (([BestOfData()], "T"), {}, TypeError, "'optimizers' parameter .* 'dict'"),
        (({}, "T"), {}, TypeError, "non-empty dict"),
        (({"x": object()}, "T"), {}, TypeError, r"has no fit\(\)"),
        (({"b": BestOfData()}, "TT"), {}, ValueError, "names must be unique"),
        (({"b": BestOfData()}, "empty"), {}, ValueError, "tasks is empty"),
        (({"b": BestOfData()}, "int"), {}, TypeError, "'tasks' parameter .*Task"),
        (({"b": BestOfData()}, "T"), {"n_jobs": 0}, ValueError, "n_jobs must be"),
        (({"b": BestOfData()}, "T"), {"as_frame": "yes"}, ValueError, "as_frame"),
    ],
)
def test_compare_rejects_bad_arguments(branin, args, kwargs, error, message):
    optimizers, tasks = args
    tasks = {"T": branin, "TT": [branin, branin], "empty": [], "int": 3}[tasks]
    with pytest.raises(error, match=message):
        compare(optimizers, tasks, seeds=1, n_designs=4, **kwargs)


def test_plot_comparison_draws_a_bar_per_method_and_task(branin):
    pytest.importorskip("matplotlib")
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

    tasks = [branin, make_toy_quadratic(random_state=0)]
    optimizers = {"best": BestOfData(), "random": RandomDesigns()}
    for per_seed in (False, True):
        table = compare(
            optimizers, tasks, seeds=2, n_designs=8, per_seed=per_seed, as_frame=False
        )
        ax = Figure().add_subplot()
        assert plot_comparison(table, ax=ax) is ax
        bars = [c for c in ax.containers if isinstance(c, BarContainer)]
        assert len(bars) == 2  # one per method
        heights = [patch.get_height() for patch in bars[0].patches]
        summary = compare(optimizers, tasks, seeds=2, n_designs=8, as_frame=False)
        np.testing.assert_allclose(heights, [row["p100_mean"] for row in summary[:2]])
        labels = [label.get_text() for label in ax.get_xticklabels()]
        assert labels == ["branin", "toy_quadratic"]
    with pytest.raises(ValueError, match="missing columns"):
        plot_comparison([{"method": "a"}], ax=ax)


def test_plot_training_draws_curves_and_trajectory(branin):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    model = ConservativeObjectiveRegressor(
        hidden_layer_sizes=(8,), max_iter=3, n_ascent_steps=2, random_state=0
    )
    optimizer = TopPredicted(model).fit(branin.X, branin.y)
    optimizer.propose(5)
    axes = Figure().subplots(1, 4)
    drawn = plot_training(optimizer, axes=axes)
    assert [ax.get_title() for ax in drawn] == [
        "training loss",
        "overestimation",
        "alpha",
        "predicted score of proposals",
    ]
    np.testing.assert_allclose(drawn[0].lines[0].get_ydata(), model_loss(optimizer))
    assert len(drawn[3].lines) == 5 + 1  # one per proposal and their mean
    # proposals without a path (NaN columns) are left out of the mean
    mean = optimizer.trajectory_[:, [0, 3, 4]].mean(axis=1)
    optimizer.trajectory_[:, 1:3] = np.nan
    drawn = plot_training(optimizer, axes=Figure().subplots(1, 4))
    np.testing.assert_allclose(drawn[3].lines[-1].get_ydata(), mean)
    optimizer.trajectory_[:] = np.nan
    drawn = plot_training(optimizer, axes=Figure().subplots(1, 4))
    assert len(drawn[3].lines) == 5  # no path: no mean

    drawn = plot_training(optimizer)  # a new pyplot figure
    assert len(drawn) == 4
    plt.close(drawn[0].figure)
    with pytest.raises(ValueError, match="Need 4 axes"):
        plot_training(optimizer, axes=Figure().subplots(1, 2))
    with pytest.raises(ValueError, match="is it fitted"):
        plot_training(TopPredicted(model))


def model_loss(optimizer):
    return optimizer.estimator_.loss_curve_


WITHOUT_OPTIONAL_PACKAGES = """
import sys
for name in ("pandas", "matplotlib", "tqdm"):
    sys.modules[name] = None  # any import of them now raises ImportError
import numpy as np
import skcoms, skcoms.datasets
from sklearn.base import BaseEstimator
from skcoms.benchmark import compare, plot_comparison

class BestOfData(BaseEstimator):
    def fit(self, X, y):
        self.X_, self.y_ = X, y
        return self
    def propose(self, n_designs):
        return self.X_[np.argsort(-self.y_)[:n_designs]]

task = skcoms.datasets.make_toy_quadratic(random_state=0)
table = compare({"best": BestOfData()}, task, seeds=1, n_designs=4)
print(type(table).__name__, sorted(table[0]))
for call in (
    lambda: compare({"best": BestOfData()}, task, seeds=1, progress=True),
    lambda: compare({"best": BestOfData()}, task, seeds=1, as_frame=True),
    lambda: plot_comparison(table),
):
    try:
        call()
    except ImportError as error:
        print(error)
"""


def test_skcoms_works_without_optional_packages():
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_OPTIONAL_PACKAGES],
        capture_output=True,
        text=True,
        check=True,
    )
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "list ['method', 'n_seeds', 'p100_mean', 'p100_std', 'p50_mean', "
        "'p50_std', 'task', 'time_mean']"
    )
    assert "needs tqdm" in lines[1]
    assert "needs pandas" in lines[2]
    assert "needs matplotlib" in lines[3]


def test_provenance_names_the_versions_and_the_commit_of_a_checkout(tmp_path):
    import scipy
    import sklearn
    import torch

    import skcoms

    outside = provenance(tmp_path)
    assert outside == {
        "skcoms": skcoms.__version__,
        "commit": None,  # not a git checkout
        "torch": torch.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "python": platform.python_version(),
    }
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    def git(*args):
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    script = tmp_path / "bench.py"
    script.write_text("print(1)\n")
    git("init", "-q")
    git("add", "bench.py")
    git("commit", "-q", "-m", "first")
    head = git("rev-parse", "--short", "HEAD")
    # a file or its folder, as a script passes its __file__
    assert provenance(script)["commit"] == provenance(str(tmp_path))["commit"] == head
    (tmp_path / "notes.txt").write_text("untracked files do not count\n")
    assert provenance(script)["commit"] == head
    script.write_text("print(2)\n")
    assert provenance(script)["commit"] == f"{head}+changes"
