"""The Hopper controller task: design the weights of a policy for MuJoCo's Hopper."""

import hashlib
import os
from numbers import Integral, Real

import numpy as np

from ._home import get_data_home
from ._hopper_env import (
    ENV_ID,
    N_FEATURES,
    SHAPES,
    import_gymnasium,
    mean_returns,
    pack_policy,
    unpack_policy,
)
from ._task import Task

# The box of the design space; the generator keeps its policies inside it.
BOUND = 10.0
# Augmented random search (Mania et al., 2018, V2): directions per iteration, the
# top directions kept, the exploration noise and the step, in the parameters of
# the policy on standardized observations. Changing them changes the cached data.
_N_DIRECTIONS, _N_TOP, _NOISE, _STEP = 8, 4, 0.05, 0.05
_MIN_OBS_STD = 0.05
_CACHE_VERSION = 1


def _check_int(value, name, low):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    return int(value)


def _digest(row):
    return hashlib.blake2b(row.tobytes(), digest_size=16).digest()


def _parallel(n_jobs):
    from joblib import Parallel

    return Parallel(n_jobs=n_jobs)


class HopperControllerOracle:
    """The mean return of policies on gymnasium's Hopper-v5, memoized.

    Each design (the 5,123 weights of a ``11 -> 64 -> 64 -> 3`` tanh policy, see
    :func:`load_hopper_controller`) runs ``n_episodes`` episodes of at most
    ``episode_length`` steps, reset with seeds ``0 .. n_episodes - 1``, so a
    design's score never changes. Designs run in parallel over ``n_jobs`` joblib
    workers; scores are remembered by the design's bytes (a hash of them), so a
    design is simulated once per oracle. An episode that makes the simulation
    unstable (a non-finite action or state, a MuJoCo warning) ends there and scores
    the return collected up to that point.

    Parameters
    ----------
    n_episodes : int, default=3
        Seeded episodes per design; the score is their mean return.
    episode_length : int, default=1000
        The most steps of an episode (Hopper-v5's time limit is 1,000).
    n_jobs : int or None, default=None
        joblib workers; ``None`` is one unless in a ``joblib.parallel_config``
        context, -1 is every core.

    Attributes
    ----------
    cache_ : dict
        The remembered scores, by a digest of the design's bytes.

    Examples
    --------
    >>> import numpy as np
    >>> from skcoms.datasets import HopperControllerOracle
    >>> oracle = HopperControllerOracle(n_episodes=1, episode_length=20)
    >>> policy = np.zeros((1, 5123))  # acts 0 at every step
    >>> bool(oracle(policy)[0] == oracle(policy)[0])
    True
    """

    def __init__(self, *, n_episodes=3, episode_length=1000, n_jobs=None):
        self.n_episodes = _check_int(n_episodes, "n_episodes", 1)
        self.episode_length = _check_int(episode_length, "episode_length", 1)
        self.n_jobs = n_jobs
        self.cache_ = {}

    def _check_designs(self, designs):
        X = np.asarray(designs)
        if X.ndim != 2 or X.shape[1] != N_FEATURES:
            raise ValueError(
                f"Expected designs of shape (n, {N_FEATURES}) (the flattened "
                f"policy weights), got shape {X.shape}."
            )
        if X.dtype.kind not in "iuf":
            raise ValueError(f"Designs must hold real numbers, got dtype {X.dtype}.")
        X = np.ascontiguousarray(X, dtype=np.float64)
        bad = ~np.isfinite(X).all(axis=1)
        if bad.any():
            raise ValueError(
                f"Design {int(np.argmax(bad))} holds NaN or inf weights; a policy "
                "needs finite weights."
            )
        return X

    def remember(self, designs, scores):
        """Store known scores (of these same episodes) without simulating.

        Parameters
        ----------
        designs : array-like of shape (n, 5123)
            Policies whose scores are known.
        scores : array-like of shape (n,)
            Their mean returns on this oracle's episodes.
        """
        X = self._check_designs(designs)
        for row, score in zip(X, np.asarray(scores, dtype=np.float64), strict=True):
            self.cache_[_digest(row)] = float(score)

    def __call__(self, designs):
        """Scores (float64, shape ``(n,)``) of designs of shape ``(n, 5123)``."""
        X = self._check_designs(designs)
        keys = [_digest(row) for row in X]
        todo = {}
        for key, row in zip(keys, X):
            if key not in self.cache_:
                todo.setdefault(key, row)
        if todo:
            import_gymnasium()
            from joblib import delayed

            seeds = range(self.n_episodes)
            results = _parallel(self.n_jobs)(
                delayed(mean_returns)(row, seeds, self.episode_length)
                for row in todo.values()
            )
            for key, (total, _) in zip(todo, results):
                self.cache_[key] = total
        return np.array([self.cache_[key] for key in keys], dtype=np.float64)

    def __repr__(self):
        return (
            f"HopperControllerOracle(n_episodes={self.n_episodes}, "
            f"episode_length={self.episode_length})"
        )


def _initial_policy(rng):
    """Random weights scaled by 1/sqrt(fan-in), zero biases."""
    arrays = []
    for shape in SHAPES:
        if len(shape) == 2:
            arrays.append(rng.standard_normal(shape) / np.sqrt(shape[1]))
        else:
            arrays.append(np.zeros(shape))
    return pack_policy(arrays)


def _fold(theta, obs_mean, obs_std):
    """The design of a policy on standardized observations, on raw observations."""
    W1, b1, W2, b2, W3, b3 = unpack_policy(theta)
    W1 = W1 / obs_std
    design = pack_policy([W1, b1 - W1 @ obs_mean, W2, b2, W3, b3])
    # float32 values, so that the cached (float32) data are what was simulated
    return np.clip(design, -BOUND, BOUND).astype(np.float32).astype(np.float64)


def _progress(total, verbose):
    if verbose:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            return tqdm(total=total, desc="Generating Hopper controller data")
    return None


def generate_hopper_data(
    n_designs, episode_length, n_episodes, random_state, n_jobs=None, verbose=False
):
    """Policies and their mean returns, from augmented random search.

    Augmented random search (ARS V2: Mania, Guy, Recht, 2018), started from one
    random policy, on the mean return of the seeded episodes less Hopper-v5's
    survival bonus (as ARS does, so that the search does not stop at standing
    still). Each iteration evaluates ``theta +- 0.05 * delta`` for 8 Gaussian
    directions ``delta`` and steps along the best 4, on a policy that standardizes
    its observations with the running mean and standard deviation (at least 0.05)
    of every state visited so far. Every evaluated policy is recorded, with the
    standardization folded into its first layer, clipped to ``[-10, 10]`` and
    rounded to float32, with its mean return (survival bonus included), until
    ``n_designs`` are recorded. The first policies fall at once; the later ones hop.

    Parameters
    ----------
    n_designs : int
        Policies to record.
    episode_length : int
        The most steps of an episode.
    n_episodes : int
        Episodes per policy, seeds ``0 .. n_episodes - 1``.
    random_state : int
        Seeds the initial policy and the search directions.
    n_jobs : int or None, default=None
        joblib workers; the data do not depend on it.
    verbose : bool, default=False
        Show a tqdm progress bar, when tqdm is installed.

    Returns
    -------
    X : ndarray of shape (n_designs, 5123), float32
    y : ndarray of shape (n_designs,), float64
    """
    from joblib import delayed

    rng = np.random.default_rng(random_state)
    seeds = range(n_episodes)
    theta = _initial_policy(rng)
    count, total, squares = 0, np.zeros(11), np.zeros(11)
    obs_mean, obs_std = np.zeros(11), np.ones(11)
    X, y = [], []
    bar = _progress(n_designs, verbose)
    with _parallel(n_jobs) as parallel:
        while len(X) < n_designs:
            deltas = rng.standard_normal((_N_DIRECTIONS, N_FEATURES))
            pairs = np.stack([theta + _NOISE * deltas, theta - _NOISE * deltas], 1)
            designs = [
                _fold(p, obs_mean, obs_std) for p in pairs.reshape(-1, N_FEATURES)
            ]
            designs = designs[: n_designs - len(X)]
            results = parallel(
                delayed(mean_returns)(x, seeds, episode_length, collect_states=True)
                for x in designs
            )
            X.extend(designs)
            y.extend(r[0] for r in results)
            for _, _, (n, s, sq) in results:
                count, total, squares = count + n, total + s, squares + sq
            if bar is not None:
                bar.set_postfix(best_return=f"{max(y):.0f}", refresh=False)
                bar.update(len(designs))
            if len(results) < 2 * _N_DIRECTIONS:
                break
            shaped = np.array([r[1] for r in results]).reshape(_N_DIRECTIONS, 2)
            top = np.argsort(-shaped.max(axis=1))[:_N_TOP]
            scale = shaped[top].std() + 1e-8
            theta = theta + _STEP / (_N_TOP * scale) * (
                (shaped[top, 0] - shaped[top, 1]) @ deltas[top]
            )
            obs_mean = total / count
            variance = np.maximum(squares / count - obs_mean**2, 0.0)
            obs_std = np.maximum(np.sqrt(variance), _MIN_OBS_STD)
    if bar is not None:
        bar.close()
    return np.asarray(X, dtype=np.float32), np.asarray(y, dtype=np.float64)


def _cached_data(settings, data_home, n_jobs, verbose):
    """The full data of ``settings = (n_designs, episode_length, data_episodes,
    random_state)``, generated and saved on first use."""
    n_designs, episode_length, data_episodes, random_state = settings
    folder = os.path.join(get_data_home(data_home), "hopper_controller")
    os.makedirs(folder, exist_ok=True)
    name = (
        f"hopper_v{_CACHE_VERSION}_n{n_designs}_len{episode_length}"
        f"_ep{data_episodes}_seed{random_state}.npz"
    )
    path = os.path.join(folder, name)
    if os.path.exists(path):
        with np.load(path) as data:
            return data["X"], data["y"]
    X, y = generate_hopper_data(*settings, n_jobs=n_jobs, verbose=verbose)
    partial = f"{path}.{os.getpid()}.partial.npz"
    np.savez(partial, X=X, y=y)
    os.replace(partial, path)
    return X, y


def load_hopper_controller(
    *,
    percentile=50.0,
    n_designs=3200,
    episode_length=1000,
    n_episodes=3,
    data_episodes=1,
    random_state=0,
    data_home=None,
    n_jobs=None,
    verbose=True,
):
    """Load the Hopper controller task: the weights of a policy for MuJoCo's Hopper.

    A design is the 5,123 weights and biases of a policy network
    ``11 -> 64 -> 64 -> 3`` (the shape of Design-Bench's HopperController): tanh
    hidden layers, a linear output clipped to the action range [-1, 1], flattened
    in the order W1 (64 x 11, row-major), b1, W2 (64 x 64), b2, W3 (3 x 64), b3.
    ``W1 @ obs + b1`` acts on the raw 11 observations of gymnasium's ``Hopper-v5``.
    The score is the mean return of ``n_episodes`` episodes of at most
    ``episode_length`` steps, reset with seeds ``0 .. n_episodes - 1``
    (:class:`HopperControllerOracle`): about 1 per step alive, plus the forward
    speed, less a small control cost. A policy that falls at once scores near 0,
    one that stands still for 1,000 steps about 1,000, one that hops 2,000 and more.

    Design-Bench's data (policies saved while training a reinforcement-learning
    agent) cannot be downloaded any more, so the full data are generated on first
    use by augmented random search from a random policy, recording every policy
    evaluated (see ``generate_hopper_data``), and cached under
    :func:`get_data_home`, keyed by ``n_designs``, ``episode_length``,
    ``data_episodes`` and ``random_state``. A data score is the mean return of the
    first ``data_episodes`` of the oracle's episodes, by default the first one only:
    a cheap, noisy measurement, as measured data are, while the oracle scores the
    mean of all ``n_episodes``. The noise is large for policies at the edge of
    falling: the 128 best visible designs of the default data (first-episode
    returns up to 554) hold one whose mean over three episodes is 1,971, so
    ``BestOfDataset`` scores above the best visible ``y``. With
    ``data_episodes=n_episodes``, ``task.oracle(X)`` equals ``y`` (the oracle
    starts with the data memoized). The visible data are the designs scored at or
    below the ``percentile``-th percentile of the full data; ``y_min`` and
    ``y_max`` are the full data's range. Designs are bounded by ``[-10, 10]``,
    which the generator keeps to.

    Needs the optional ``gymnasium`` and ``mujoco`` packages
    (``pip install "skcoms[mujoco]"``).

    Parameters
    ----------
    percentile : float, default=50.0
        The cut of the visible data, in (0, 100]; 100 gives the full data.
    n_designs : int, default=3200
        Designs of the full data (Design-Bench's HopperController has 3,200).
    episode_length : int, default=1000
        The most steps of an episode, for the data and the oracle.
    n_episodes : int, default=3
        Seeded episodes per design of the oracle.
    data_episodes : int, default=1
        Seeded episodes per design of the generated data, at most ``n_episodes``.
        The default data took 223 s of one core to generate (3,200 designs, one
        episode each); three episodes per design take about three times as long.
    random_state : int, default=0
        Seeds the generator; each seed's data are cached separately.
    data_home : str or path-like, default=None
        Where the data are cached; see :func:`get_data_home`.
    n_jobs : int or None, default=None
        joblib workers that simulate designs, when generating and in the oracle.
    verbose : bool, default=True
        Show a progress bar (with tqdm, when installed) while generating.

    Returns
    -------
    task : Task
        ``X`` (float64, shape ``(n, 5123)``), ``y``, the memoized ``oracle``,
        ``y_min`` and ``y_max``, ``bounds=(-10, 10)``.

    References
    ----------
    .. [1] B. Trabucco, X. Geng, A. Kumar, S. Levine, "Design-Bench: Benchmarks for
       Data-Driven Offline Model-Based Optimization", ICML 2022.
    .. [2] H. Mania, A. Guy, B. Recht, "Simple random search of static linear
       policies is competitive for reinforcement learning", NeurIPS 2018.

    Examples
    --------
    A small variant (a few designs, short episodes), cached in a scratch folder:

    >>> import tempfile
    >>> from skcoms.datasets import load_hopper_controller
    >>> task = load_hopper_controller(
    ...     n_designs=32, episode_length=50, n_episodes=1,
    ...     data_home=tempfile.mkdtemp(), verbose=False)
    >>> task.X.shape, task.n_features
    ((16, 5123), 5123)
    >>> bool((task.oracle(task.X) == task.y).all())
    True
    """
    if (
        not isinstance(percentile, Real)
        or isinstance(percentile, bool)
        or not 0 < percentile <= 100
    ):
        raise ValueError(f"percentile must be in (0, 100], got {percentile!r}.")
    n_designs = _check_int(n_designs, "n_designs", 2)
    episode_length = _check_int(episode_length, "episode_length", 1)
    n_episodes = _check_int(n_episodes, "n_episodes", 1)
    data_episodes = _check_int(data_episodes, "data_episodes", 1)
    if data_episodes > n_episodes:
        raise ValueError(
            f"data_episodes ({data_episodes}) must not exceed n_episodes "
            f"({n_episodes}): the data's episodes are the oracle's first ones."
        )
    random_state = _check_int(random_state, "random_state", 0)
    import_gymnasium()
    X_full, y_full = _cached_data(
        (n_designs, episode_length, data_episodes, random_state),
        data_home,
        n_jobs,
        verbose,
    )
    if y_full.min() == y_full.max():
        raise ValueError(
            "Every generated policy has the same return; use longer episodes or "
            "more designs."
        )
    X_full = X_full.astype(np.float64)
    oracle = HopperControllerOracle(
        n_episodes=n_episodes, episode_length=episode_length, n_jobs=n_jobs
    )
    if data_episodes == n_episodes:
        oracle.remember(X_full, y_full)
    visible = y_full <= np.percentile(y_full, percentile)
    return Task(
        name="hopper_controller",
        X=X_full[visible],
        y=y_full[visible],
        oracle=oracle,
        y_min=float(y_full.min()),
        y_max=float(y_full.max()),
        bounds=(-BOUND, BOUND),
        description=(
            f"Policy weights (5,123) for {ENV_ID}, scored by the mean return of "
            f"{n_episodes} seeded episodes of up to {episode_length} steps; "
            f"{n_designs} designs from augmented random search, measured on "
            f"{data_episodes} episode(s), visible at or below the "
            f"{percentile:g}th percentile."
        ),
    )
