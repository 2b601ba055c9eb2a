"""The optimized training loop against a plain autograd implementation of COMs."""

import math

import pytest
import torch

from skcoms._torch.device import make_generator
from skcoms._torch.mlp import StackedMLP
from skcoms._torch.train import TrainingConfig, train_conservative


def _config(alpha, **changes):
    params = dict(
        n_epochs=2,
        batch_size=16,
        learning_rate=1e-3,
        alpha=alpha,
        overestimation_limit=0.3,
        alpha_init=0.1,
        alpha_learning_rate=0.01,
        n_ascent_steps=4,
        ascent_step_size=0.2,
        tol=0.0,
        n_iter_no_change=0,
    )
    params.update(changes)
    return TrainingConfig(**params)


def _plain_coms(weights, biases, X, y, config, seed, activation=torch.tanh):
    """COMs written the usual way: autograd for the inner ascent and the loss.

    With ``config.loss == "listnet"`` the fit term is ListNet over each minibatch,
    which fits the scores divided by the temperature: the model's scores in units
    of ``y`` are the output times the temperature, and the negatives are mined and
    the over-estimation measured on those.

    With ``config.sharpness_limit`` set, the sharpness constraint as Dao et al.
    (2024) state it: the rise of the mean output on the minibatch when the weights
    move by ``rho`` along its gradient, weighted by a multiplier that takes steps
    of dual ascent from 0.
    """
    params = [p.clone().requires_grad_(True) for p in weights + biases]
    n_layers = len(weights)

    def f(x, values=params):
        h = x
        for i in range(n_layers):
            h = h @ values[i][0] + values[n_layers + i][0]
            if i < n_layers - 1:
                h = activation(h)
        return h[:, 0]

    multiplier = 0.0

    log_alpha = torch.tensor([math.log(config.alpha_init)], dtype=X.dtype)
    log_alpha.requires_grad_(True)
    dual = config.alpha is None
    scale = config.listnet_temperature if config.loss == "listnet" else 1.0
    opt = torch.optim.Adam(params, lr=config.learning_rate)
    alpha_opt = torch.optim.Adam([log_alpha], lr=config.alpha_learning_rate)
    generator = make_generator(seed)
    for _ in range(config.n_epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), config.batch_size):
            idx = order[start : start + config.batch_size]
            xb, yb = X[idx], y[idx]
            x_neg = xb.clone()
            for _ in range(config.n_ascent_steps):
                x_neg.requires_grad_(True)
                (grad,) = torch.autograd.grad(scale * f(x_neg).sum(), x_neg)
                x_neg = (x_neg + config.ascent_step_size * grad).detach()
            pred = f(xb)
            overestimation = scale * (f(x_neg).mean() - pred.mean())
            alpha = log_alpha.exp().detach() if dual else config.alpha
            if config.loss == "listnet":
                target = torch.softmax(yb / config.listnet_temperature, dim=0)
                fit = -(target * torch.log_softmax(pred, dim=0)).sum()
            else:
                fit = 0.5 * ((pred - yb) ** 2).mean()
            loss = fit + alpha * overestimation
            opt.zero_grad()
            loss.backward()
            if config.sharpness_limit is not None:
                near = torch.autograd.grad(f(xb).mean(), params)
                norm = torch.sqrt(sum(g.square().sum() for g in near))
                moved = [
                    p.detach() + config.sharpness_radius * g / norm
                    for p, g in zip(params, near)
                ]
                moved = [p.requires_grad_(True) for p in moved]
                risen = f(xb, moved).mean()
                far = torch.autograd.grad(risen, moved)
                for p, g_far, g_near in zip(params, far, near):
                    p.grad += multiplier * (g_far - g_near)
                sharpness = risen.item() - pred.mean().item()
                excess = sharpness - config.sharpness_limit
                rate = config.sharpness_learning_rate
                multiplier = max(0.0, multiplier + rate * excess)
            opt.step()
            if dual:
                alpha_loss = log_alpha.exp() * (
                    config.overestimation_limit - overestimation.detach()
                )
                alpha_opt.zero_grad()
                alpha_loss.sum().backward()
                alpha_opt.step()
    return [p.detach() for p in params], log_alpha.exp().item()


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("alpha", [None, 0.5, 0.0])
def test_training_matches_a_plain_autograd_implementation(alpha, activation):
    gen = make_generator(0)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = torch.sin(X).sum(1)
    net = StackedMLP.initialize(
        1, [3, 8, 8, 1], activation, make_generator(1), "cpu", torch.float64
    )
    expected, expected_alpha = _plain_coms(
        net.weights,
        net.biases,
        X,
        y,
        _config(alpha),
        2,
        activation=getattr(torch, activation),
    )
    history = train_conservative(net, X, y, _config(alpha), make_generator(2))
    for got, want in zip(net.parameters(), expected):
        torch.testing.assert_close(got, want, rtol=1e-9, atol=1e-11)
    if alpha is None:
        assert history.alpha[-1] == pytest.approx(expected_alpha, rel=1e-9)
        assert history.alpha[-1] != pytest.approx(0.1)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("alpha", [None, 0.5, 0.0])
def test_sharpness_constraint_matches_a_plain_autograd_implementation(
    alpha, activation
):
    gen = make_generator(0)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = torch.sin(X).sum(1)
    net = StackedMLP.initialize(
        1, [3, 8, 8, 1], activation, make_generator(1), "cpu", torch.float64
    )
    # the sharpness is at least rho (the output bias alone): the limit binds
    config = _config(
        alpha,
        sharpness_limit=0.05,
        sharpness_radius=0.1,
        sharpness_learning_rate=5.0,
        learning_rate=0.01,
        n_epochs=3,
    )
    expected, _ = _plain_coms(
        net.weights, net.biases, X, y, config, 2, activation=getattr(torch, activation)
    )
    free = StackedMLP(
        [w.clone() for w in net.weights], [b.clone() for b in net.biases], activation
    )
    history = train_conservative(net, X, y, config, make_generator(2))
    for got, want in zip(net.parameters(), expected):
        torch.testing.assert_close(got, want, rtol=1e-9, atol=1e-11)
    assert len(history.sharpness) == 3
    assert all(s > 0.1 for s in history.sharpness)
    # the constraint moved the weights: without it they end elsewhere
    config.sharpness_limit = None
    unconstrained = train_conservative(free, X, y, config, make_generator(2))
    assert unconstrained.sharpness == []
    assert not torch.allclose(free.weights[0], net.weights[0], atol=1e-6)


@pytest.mark.parametrize("temperature", [1.0, 4.0])
@pytest.mark.parametrize("alpha", [None, 0.5, 0.0])
def test_listnet_matches_autograd_then_maps_onto_the_scores(alpha, temperature):
    gen = make_generator(0)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = torch.sin(X).sum(1)
    net = StackedMLP.initialize(
        1, [3, 8, 1], "tanh", make_generator(1), "cpu", torch.float64
    )
    # enough training that the scores rise with y
    config = _config(
        alpha,
        loss="listnet",
        listnet_temperature=temperature,
        learning_rate=0.05,
        n_epochs=5,
    )
    expected, expected_alpha = _plain_coms(net.weights, net.biases, X, y, config, 2)
    history = train_conservative(net, X, y, config, make_generator(2))
    if alpha is None:
        # dual descent weighs the over-estimation in units of y, as with the
        # squared error
        assert history.alpha[-1] == pytest.approx(expected_alpha, rel=1e-9)
    # the ranking loss leaves scale and offset free: least squares maps them on y
    f = (torch.tanh(X @ expected[0][0] + expected[2][0]) @ expected[1][0])[:, 0]
    f = f + expected[3][0, 0, 0]
    a = torch.cov(torch.stack([f, y]))[0, 1] / f.var()
    shift = y.mean() - a * f.mean()
    assert a > 0
    torch.testing.assert_close(net.weights[0], expected[0], rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(net.weights[1], expected[1] * a, rtol=1e-9, atol=1e-11)
    torch.testing.assert_close(
        net.biases[1], expected[3] * a + shift, rtol=1e-9, atol=1e-11
    )
    pred = net.forward(X)[0]
    assert abs(pred.mean() - y.mean()) < 1e-9  # least squares keeps the mean
    assert len(history.mse) == 5 and history.mse[-1] < history.mse[0]  # ListNet


def test_one_alpha_per_member_trains_each_member_with_its_own():
    X = torch.randn(60, 3, generator=make_generator(0), dtype=torch.float64)
    y = torch.sin(X).sum(1)

    def fit(alpha):
        net = StackedMLP.initialize(
            2, [3, 16, 1], "relu", make_generator(1), "cpu", torch.float64
        )
        history = train_conservative(net, X, y, _config(alpha), make_generator(2))
        return net, history

    same, _ = fit(0.5)
    per_member, _ = fit((0.5, 0.5))
    for a, b in zip(same.parameters(), per_member.parameters()):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    mixed, history = fit((0.0, 5.0))
    plain, _ = fit(0.0)
    assert history.final_alpha == [0.0, 5.0]
    # same initialization and minibatches: the alpha=0 member trains as a plain
    # one, the other does not
    for a, b in zip(mixed.parameters(), plain.parameters()):
        torch.testing.assert_close(a[0], b[0], rtol=0, atol=1e-10)
        assert (a[1] - b[1]).abs().max() > 1e-6  # rounding is near 1e-15
    with pytest.raises(ValueError, match="3 alphas were given for 2 members"):
        fit((0.0, 1.0, 2.0))


@pytest.mark.parametrize("alpha", [None, 0.0])
def test_ensemble_members_train_as_independent_models(alpha):
    gen = make_generator(0)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = X[:, 0] - X[:, 1] ** 2
    stacked = StackedMLP.initialize(
        3, [3, 8, 1], "relu", make_generator(1), "cpu", torch.float64
    )
    singles = [
        StackedMLP(
            [w[k : k + 1].clone() for w in stacked.weights],
            [b[k : k + 1].clone() for b in stacked.biases],
            "relu",
        )
        for k in range(3)
    ]
    train_conservative(stacked, X, y, _config(alpha), make_generator(5))
    for k, single in enumerate(singles):
        train_conservative(single, X, y, _config(alpha), make_generator(5))
        for got, want in zip(stacked.parameters(), single.parameters()):
            torch.testing.assert_close(got[k : k + 1], want, rtol=1e-9, atol=1e-11)


def test_a_failed_graph_capture_falls_back_to_the_eager_ascent(monkeypatch):
    """Where a CUDA graph cannot be captured, training warns and goes on eagerly."""
    from skcoms._torch import train

    def refuse(self, xb):
        raise RuntimeError("operation not permitted when stream is capturing")

    gen = make_generator(0)
    X = torch.randn(40, 3, generator=gen, dtype=torch.float64)
    y = torch.sin(X).sum(1)

    def fit(force_graph):
        net = StackedMLP.initialize(
            1, [3, 8, 8, 1], "tanh", make_generator(1), "cpu", torch.float64
        )
        if force_graph:
            real_init = train._Trainer.__init__

            def init(self, *args):
                real_init(self, *args)
                self.use_graph = True  # as on a CUDA device

            monkeypatch.setattr(train._Trainer, "__init__", init)
            monkeypatch.setattr(train._Trainer, "_capture", refuse)
        history = train_conservative(net, X, y, _config(None), make_generator(2))
        monkeypatch.undo()
        return net, history

    with pytest.warns(RuntimeWarning, match="capture of the inner ascent failed"):
        fallback, history = fit(True)
    eager, expected = fit(False)
    for got, want in zip(fallback.parameters(), eager.parameters()):
        torch.testing.assert_close(got, want, rtol=0, atol=0)
    assert history.loss == expected.loss
