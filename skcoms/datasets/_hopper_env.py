"""The Hopper controller's simulation: a tanh MLP policy run on gymnasium's Hopper-v5.

A design is the flattened weights and biases of the policy
``11 -> 64 -> 64 -> 3`` (tanh hidden layers, linear output clipped to the action
range [-1, 1]), in the order W1 (64 x 11, row-major), b1, W2 (64 x 64), b2,
W3 (3 x 64), b3: 5,123 numbers. The policy is evaluated with numpy.
"""

import numpy as np

ENV_ID = "Hopper-v5"
OBS_DIM, HIDDEN, ACT_DIM = 11, 64, 3
SHAPES = (
    (HIDDEN, OBS_DIM),
    (HIDDEN,),
    (HIDDEN, HIDDEN),
    (HIDDEN,),
    (ACT_DIM, HIDDEN),
    (ACT_DIM,),
)
N_FEATURES = sum(int(np.prod(shape)) for shape in SHAPES)
_EXTRA_HINT = 'pip install "skcoms[mujoco]"'

# Per process (joblib workers are processes): the environment is built once.
_ENV = None


def import_gymnasium():
    """gymnasium with its MuJoCo environments, or an ImportError naming the extra."""
    try:
        import gymnasium
        import mujoco
    except ImportError as error:
        raise ImportError(
            "The Hopper controller task needs gymnasium and MuJoCo: "
            f"{_EXTRA_HINT} ({error})."
        ) from error
    return gymnasium, mujoco


def _environment():
    global _ENV
    if _ENV is None:
        gymnasium, _ = import_gymnasium()
        # The raw environment: the time limit and checks of the wrappers are done
        # here, and the wrappers cost as much as the physics on short episodes.
        _ENV = gymnasium.make(ENV_ID).unwrapped
    return _ENV


def unpack_policy(design):
    """The policy's arrays ``W1, b1, W2, b2, W3, b3`` (views of ``design``)."""
    arrays, start = [], 0
    for shape in SHAPES:
        size = int(np.prod(shape))
        arrays.append(design[start : start + size].reshape(shape))
        start += size
    return arrays


def pack_policy(arrays):
    """The design (shape ``(5123,)``) of the policy's arrays, inverse of unpack."""
    return np.concatenate([np.asarray(a, dtype=np.float64).ravel() for a in arrays])


def _unstable(data, mujoco):
    warnings = data.warning
    return any(
        warnings[kind].number > 0
        for kind in (
            mujoco.mjtWarning.mjWARN_BADQACC,
            mujoco.mjtWarning.mjWARN_BADQVEL,
            mujoco.mjtWarning.mjWARN_BADQPOS,
            mujoco.mjtWarning.mjWARN_BADCTRL,
        )
    )


def run_episode(design, seed, episode_length, states=None):
    """One episode of the policy; returns ``(return, return without survival bonus)``.

    The episode ends when the hopper falls (Hopper-v5's termination), after
    ``episode_length`` steps, or as soon as the simulation goes bad: a non-finite
    action or observation, or a MuJoCo instability warning (MuJoCo then resets the
    state by itself). The returns are those collected up to that point. Visited
    observations are appended to the list ``states`` when given.
    """
    _, mujoco = import_gymnasium()
    env = _environment()
    W1, b1, W2, b2, W3, b3 = unpack_policy(design)
    obs, _ = env.reset(seed=int(seed))
    total = shaped = 0.0
    with np.errstate(all="ignore"):  # huge weights overflow: caught below
        for _ in range(episode_length):
            if states is not None:
                states.append(obs)
            action = W3 @ np.tanh(W2 @ np.tanh(W1 @ obs + b1) + b2) + b3
            if not np.all(np.isfinite(action)):
                break
            try:
                obs, reward, terminated, _, info = env.step(np.clip(action, -1, 1))
            except (ValueError, mujoco.FatalError):
                break
            if (
                _unstable(env.data, mujoco)
                or not np.isfinite(reward)
                or not np.all(np.isfinite(obs))
            ):
                break
            total += reward
            shaped += reward - info["reward_survive"]
            if terminated:
                break
    return total, shaped


def mean_returns(design, seeds, episode_length, collect_states=False):
    """Mean return and mean return without survival bonus over seeded episodes.

    With ``collect_states``, also the count, sum and sum of squares of the visited
    observations (for the observation statistics of the data generator).
    """
    design = np.asarray(design, dtype=np.float64)
    states = [] if collect_states else None
    results = [run_episode(design, seed, episode_length, states) for seed in seeds]
    total, shaped = np.mean(results, axis=0)
    if not collect_states:
        return float(total), float(shaped)
    visited = np.asarray(states, dtype=np.float64).reshape(-1, OBS_DIM)
    moments = (len(visited), visited.sum(axis=0), (visited**2).sum(axis=0))
    return float(total), float(shaped), moments
