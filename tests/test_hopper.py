"""The Hopper controller task: policy rollouts on MuJoCo, generated and cached data."""

import importlib.util
import os
import pickle
import sys

import numpy as np
import pytest

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms.baselines import BestOfDataset
from skcoms.benchmark import compare
from skcoms.datasets import (
    HopperControllerOracle,
    _hopper,
    _hopper_env,
    get_data_home,
    load_hopper_controller,
)

needs_mujoco = pytest.mark.skipif(
    importlib.util.find_spec("gymnasium") is None
    or importlib.util.find_spec("mujoco") is None,
    reason='needs gymnasium and mujoco (pip install "skcoms[mujoco]")',
)
D = 5123
# A tiny variant: 32 policies, episodes of 40 steps, one episode each.
TINY = dict(n_designs=32, episode_length=40, n_episodes=1, verbose=False)


@pytest.fixture(scope="module")
def tiny_home(tmp_path_factory):
    return str(tmp_path_factory.mktemp("skcoms_data"))


@pytest.fixture(scope="module")
def tiny_task(tiny_home):
    return load_hopper_controller(data_home=tiny_home, **TINY)


def random_designs(n, scale=0.3, seed=0):
    return np.random.default_rng(seed).normal(scale=scale, size=(n, D))


def test_policy_has_design_bench_shape():
    assert _hopper_env.N_FEATURES == D == 11 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3
    design = np.arange(D, dtype=np.float64)
    W1, b1, W2, b2, W3, b3 = _hopper_env.unpack_policy(design)
    assert [a.shape for a in (W1, b1, W2, b2, W3, b3)] == [
        (64, 11),
        (64,),
        (64, 64),
        (64,),
        (3, 64),
        (3,),
    ]
    assert W1[0, 1] == 1 and b1[0] == 704 and b3[-1] == D - 1
    np.testing.assert_array_equal(
        _hopper_env.pack_policy([W1, b1, W2, b2, W3, b3]), design
    )


@needs_mujoco
def test_oracle_is_deterministic_and_memoized(monkeypatch):
    designs = random_designs(3)
    first = HopperControllerOracle(n_episodes=2, episode_length=30)(designs)
    oracle = HopperControllerOracle(n_episodes=2, episode_length=30)
    second = oracle(designs)
    assert first.shape == (3,) and first.dtype == np.float64
    np.testing.assert_array_equal(first, second)
    assert len(set(first)) == 3  # different policies, different returns
    assert np.all((first > 0) & (first < 30 * 1.5))  # about 1 per step alive

    def no_simulation(*args, **kwargs):
        raise AssertionError("a memoized design was simulated again")

    monkeypatch.setattr(_hopper, "mean_returns", no_simulation)
    np.testing.assert_array_equal(oracle(designs[::-1]), second[::-1])
    restored = pickle.loads(pickle.dumps(oracle))
    np.testing.assert_array_equal(restored(designs), second)


@needs_mujoco
def test_episodes_are_seeded_and_averaged():
    design = random_designs(1)[0]
    one = [_hopper_env.run_episode(design, seed, 30)[0] for seed in (0, 1)]
    assert one[0] != one[1]  # the seed moves the start state
    oracle = HopperControllerOracle(n_episodes=2, episode_length=30)
    assert oracle(design[None])[0] == pytest.approx(np.mean(one), rel=1e-12)


@needs_mujoco
def test_tiny_dataset_is_generated_cached_and_cut(tiny_task, tiny_home, monkeypatch):
    task = tiny_task
    files = os.listdir(os.path.join(tiny_home, "hopper_controller"))
    assert files == ["hopper_v1_n32_len40_ep1_seed0.npz"]
    full = load_hopper_controller(data_home=tiny_home, percentile=100, **TINY)
    assert full.X.shape == (32, D) and full.y.shape == (32,)
    assert (full.y_min, full.y_max) == (full.y.min(), full.y.max())
    assert (task.y_min, task.y_max) == (full.y_min, full.y_max)
    # visible: the designs at or below the median of the full data
    assert task.n_samples == 16 and task.y.max() <= np.median(full.y)
    # the data's scores are the oracle's: memoized, and the same when simulated
    np.testing.assert_array_equal(task.oracle(task.X), task.y)
    fresh = HopperControllerOracle(n_episodes=1, episode_length=40)
    np.testing.assert_array_equal(fresh(full.X[:4]), full.y[:4])

    def no_generation(*args, **kwargs):
        raise AssertionError("cached data were generated again")

    monkeypatch.setattr(_hopper, "generate_hopper_data", no_generation)
    again = load_hopper_controller(data_home=tiny_home, **TINY)
    np.testing.assert_array_equal(again.X, task.X)
    # An oracle of more episodes than the data's: the same cached data, measured
    # on the oracle's first episode, and an oracle that simulates them afresh.
    two = load_hopper_controller(
        data_home=tiny_home, **{**TINY, "n_episodes": 2, "data_episodes": 1}
    )
    np.testing.assert_array_equal(two.X, task.X)
    assert two.oracle.cache_ == {}
    first_episode = [_hopper_env.run_episode(x, 0, 40)[0] for x in two.X[:3]]
    np.testing.assert_array_equal(two.y[:3], first_episode)
    assert not np.array_equal(two.oracle(two.X[:3]), two.y[:3])


@needs_mujoco
def test_generation_is_seeded(tiny_home):
    full = load_hopper_controller(data_home=tiny_home, percentile=100, **TINY)
    X, y = _hopper.generate_hopper_data(32, 40, 1, random_state=0)
    np.testing.assert_array_equal(X.astype(np.float64), full.X)
    np.testing.assert_array_equal(y, full.y)
    other, _ = _hopper.generate_hopper_data(16, 40, 1, random_state=1)
    assert not np.array_equal(other, X[:16])


@needs_mujoco
def test_optimizers_run_on_the_task(tiny_task):
    model = ConservativeObjectiveRegressor(
        (16,), max_iter=2, n_ascent_steps=2, random_state=0
    )
    optimizers = {
        "coms": OfflineDesignOptimizer(model),
        "best": BestOfDataset(),
    }
    table = compare(optimizers, [tiny_task], n_designs=4, seeds=[0], as_frame=False)
    assert len(table) == 2
    assert all(np.isfinite(row["p100_mean"]) for row in table)


@needs_mujoco
def test_bounds_hold_the_data(tiny_task):
    low, high = tiny_task.bounds
    assert low.shape == high.shape == (D,)
    assert np.all(low == -10) and np.all(high == 10)
    assert np.all((tiny_task.X >= low) & (tiny_task.X <= high))


@needs_mujoco
def test_unstable_policies_score_without_crashing(monkeypatch):
    # Overflowing first-layer sums give a NaN action at the first step.
    design = np.zeros(D)
    design[0], design[1] = 1e308, -1e308
    design[2] = 1e308  # with the height (about 1.25) the sums overflow
    with np.errstate(all="raise"):
        score = HopperControllerOracle(episode_length=50)(design[None])
    assert score.shape == (1,) and np.isfinite(score[0])

    # A MuJoCo instability after four steps: the return of those four steps.
    design = random_designs(1, seed=3)[0]
    four_steps = _hopper_env.run_episode(design, 0, 4)
    calls = []

    def unstable_at_fifth_step(data, mujoco):
        calls.append(1)
        return len(calls) >= 5

    monkeypatch.setattr(_hopper_env, "_unstable", unstable_at_fifth_step)
    assert _hopper_env.run_episode(design, 0, 50) == four_steps


@needs_mujoco
def test_bad_inputs_raise_clear_errors(tmp_path):
    oracle = HopperControllerOracle(episode_length=10)
    designs = random_designs(2)
    designs[1, 7] = np.nan
    with pytest.raises(ValueError, match="Design 1 holds NaN or inf"):
        oracle(designs)
    with pytest.raises(ValueError, match=r"shape \(n, 5123\)"):
        oracle(np.zeros((2, 10)))
    with pytest.raises(ValueError, match=r"shape \(n, 5123\)"):
        oracle(np.zeros(D))
    with pytest.raises(ValueError, match="real numbers"):
        oracle(np.full((1, D), "a"))
    with pytest.raises(ValueError, match="n_episodes"):
        HopperControllerOracle(n_episodes=0)
    home = str(tmp_path)
    for bad in (
        dict(percentile=0),
        dict(percentile=True),
        dict(n_designs=1),
        dict(episode_length=0),
        dict(data_episodes=0),
        dict(data_episodes=2),
        dict(random_state=None),
        dict(random_state=1.5),
    ):
        with pytest.raises(ValueError, match=next(iter(bad))):
            load_hopper_controller(data_home=home, **{**TINY, **bad})
    with pytest.raises(TypeError, match="data_home"):
        get_data_home(3)
    assert os.listdir(home) == []


def test_missing_extra_names_it(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "gymnasium", None)
    with pytest.raises(ImportError, match=r"skcoms\[mujoco\]"):
        load_hopper_controller(data_home=str(tmp_path), **TINY)
    with pytest.raises(ImportError, match=r"skcoms\[mujoco\]"):
        HopperControllerOracle(episode_length=5)(random_designs(1))


def test_data_home_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SKCOMS_DATA", str(tmp_path / "from_env"))
    assert get_data_home() == str(tmp_path / "from_env")
    assert os.path.isdir(tmp_path / "from_env")
    assert get_data_home(tmp_path / "given") == str(tmp_path / "given")
    monkeypatch.delenv("SKCOMS_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert get_data_home() == str(tmp_path / "home" / "skcoms_data")
