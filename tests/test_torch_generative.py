"""The torch cores of the generative baselines, on tasks where improvement is certain.

Two tasks: sequences of 8 tokens over 4 categories scored by the count of token 0
(the visible data holds at most 3), and the quadratic ``-|x|^2`` on designs drawn
away from its maximum. Each method must move its search distribution uphill from
where it starts; tolerances are stated per test and hold by a wide margin at these
seeds.
"""

import numpy as np
import pytest
import torch

from skcoms._torch.bo import QEIConfig, run_qei
from skcoms._torch.cbas import CbASConfig, fit_cbas, predict_cbas, sample_cbas
from skcoms._torch.gan import MINsConfig, fit_mins, sample_mins, score_weights
from skcoms._torch.policy import ReinforceConfig, fit_reinforce, initial_policy

CPU = torch.device("cpu")
L, C = 8, 4


def count_task(n=1500, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randint(0, C, size=(n, L))
    y = (X == 0).sum(1).astype(float)
    keep = y <= 3
    return X[keep], y[keep]


def quadratic_task(n=600, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 3))
    return X, -(X**2).sum(1)


def count_zeros(tokens):
    return (np.asarray(tokens) == 0).sum(1)


SMALL_CBAS = dict(
    hidden=(64,),
    model_hidden=(64,),
    latent_size=8,
    prior_epochs=20,
    n_rounds=5,
    samples_per_round=500,
    round_epochs=5,
    model_epochs=10,
)


@pytest.mark.parametrize("autofocus", [False, True])
def test_cbas_moves_the_search_distribution_uphill_on_sequences(autofocus):
    X, y = count_task()
    config = CbASConfig(**SMALL_CBAS, autofocus=autofocus)
    result = fit_cbas(
        X, y, kind="categorical", shape=(L, C), config=config, seed=0, device=CPU
    )
    prior_draws = result.prior.sample(1000, torch.Generator().manual_seed(1))
    designs, scores = sample_cbas(result, 1000, seed=1)
    assert designs.shape == (1000, L) and designs.min() >= 0 and designs.max() < C
    # the prior reproduces the data (mean about 1.7 zeros); the search about 2.8
    assert count_zeros(designs).mean() > count_zeros(prior_draws.numpy()).mean() + 0.6
    assert len(result.gamma) == config.n_rounds
    np.testing.assert_allclose(predict_cbas(result, designs), scores, atol=1e-5)


def test_cbas_moves_uphill_on_a_quadratic():
    X, y = quadratic_task(n=1000)
    mean, std = X.mean(0), X.std(0)
    # a score model fitted well enough to tell the centre from the edges
    config = CbASConfig(
        **{**SMALL_CBAS, "latent_size": 4, "n_rounds": 8, "model_epochs": 30}
    )
    result = fit_cbas(
        (X - mean) / std, y, kind="gaussian", shape=(3,), config=config, seed=0,
        device=CPU,
    )  # fmt: skip
    designs, _ = sample_cbas(result, 1000, seed=1)
    values = -((designs * std + mean) ** 2).sum(1)
    # the data average about -4, the search about -1.3
    assert values.mean() > y.mean() + 1.5


def test_cbas_is_reproducible_and_leaves_the_global_rng_alone():
    X, y = count_task(n=400)
    config = CbASConfig(**{**SMALL_CBAS, "n_rounds": 1, "prior_epochs": 2})
    state = torch.random.get_rng_state()
    runs = [
        sample_cbas(
            fit_cbas(X, y, kind="categorical", shape=(L, C), config=config, seed=3,
                     device=CPU),
            50, seed=0,
        )[0]
        for _ in range(2)
    ]  # fmt: skip
    np.testing.assert_array_equal(runs[0], runs[1])
    assert torch.equal(state, torch.random.get_rng_state())


def test_score_weights_favour_high_scores():
    y = np.random.RandomState(0).normal(size=2000)
    w = score_weights(y, temperature=0.5, max_weight=5.0)
    assert w.max() <= 5.0 and w.min() >= 0.0
    top, bottom = y > np.quantile(y, 0.9), y < np.quantile(y, 0.5)
    assert w[top].mean() > 10 * w[bottom].mean()


def test_mins_generates_better_sequences_than_the_data():
    X, y = count_task()
    config = MINsConfig(hidden=(64, 64), latent_size=8, n_epochs=30)
    result = fit_mins(
        X, y, kind="categorical", shape=(L, C), config=config, seed=0, device=CPU
    )
    designs = sample_mins(result, 1000, result.y_max, seed=1)
    assert designs.shape == (1000, L)
    # the data average about 1.7 zeros; the generator about 2.3
    assert count_zeros(designs).mean() > y.mean() + 0.4
    assert len(result.critic_loss) == config.n_epochs


def test_mins_generates_better_points_on_a_quadratic():
    X, y = quadratic_task()
    mean, std = X.mean(0), X.std(0)
    config = MINsConfig(hidden=(64, 64), latent_size=4, n_epochs=30)
    result = fit_mins(
        (X - mean) / std, y, kind="gaussian", shape=(3,), config=config, seed=0,
        device=CPU,
    )  # fmt: skip
    designs = sample_mins(result, 1000, result.y_max, seed=1) * std + mean
    assert (-(designs**2).sum(1)).mean() > y.mean() + 1.0


def test_reinforce_improves_on_its_starting_distribution():
    X, _ = count_task(n=300)
    gen = torch.Generator().manual_seed(0)
    policy = initial_policy(
        torch.as_tensor(X[:50]), kind="categorical", n_categories=C,
        exploration_std=0.1, device=CPU, dtype=torch.float32,
    )  # fmt: skip
    before = count_zeros(policy.sample(1000, gen)).mean()
    fit_reinforce(
        policy, lambda x: (x == 0).sum(1).float(),
        config=ReinforceConfig(n_iterations=50), seed=0,
    )  # fmt: skip
    after = count_zeros(policy.sample(1000, gen)).mean()
    assert after > before + 1.0
    assert len(policy.mean_score) == 50

    X, _ = quadratic_task()
    policy = initial_policy(
        torch.as_tensor(X[:50] + 1.0), kind="gaussian", n_categories=None,
        exploration_std=0.5, device=CPU, dtype=torch.float64,
    )  # fmt: skip
    before = -(policy.sample(1000, gen) ** 2).sum(1).mean()
    fit_reinforce(
        policy, lambda x: -(x**2).sum(1), config=ReinforceConfig(n_iterations=100),
        seed=0,
    )  # fmt: skip
    assert -(policy.sample(1000, gen) ** 2).sum(1).mean() > before + 2.0


def test_qei_finds_points_better_than_its_data():
    pytest.importorskip("botorch")
    rng = np.random.RandomState(0)
    f = lambda Z: -((Z - 0.5) ** 2).sum(1)  # noqa: E731
    # the data keep away from the maximum, which lies inside their bounding box
    X = rng.uniform(-2, 2, (200, 2))
    X = X[f(X) < -1.0][:60]
    state = torch.random.get_rng_state()
    config = QEIConfig(n_rounds=2, q=4, num_restarts=2, raw_samples=16, maxiter=30)
    result = run_qei(X, f(X), lambda c: (c, f(c)), config=config, seed=0, device=CPU)
    assert torch.equal(state, torch.random.get_rng_state())
    assert result.X.shape == (68, 2) and result.y.shape == (68,)
    assert result.y[60:].max() > f(X).max()
    # inside the data's bounding box
    assert (result.X >= X.min(0) - 1e-9).all() and (result.X <= X.max(0) + 1e-9).all()
