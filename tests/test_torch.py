"""The torch internals: hand-written input gradients and the batched ascent."""

import pytest
import torch

from skcoms._torch.ascent import gradient_ascent
from skcoms._torch.device import make_generator, resolve_device
from skcoms._torch.mlp import ACTIVATIONS, StackedMLP


def _net(activation, sizes=(5, 16, 8, 1), members=3, seed=0):
    return StackedMLP.initialize(
        members, list(sizes), activation, make_generator(seed), "cpu", torch.float64
    )


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
@pytest.mark.parametrize("shared_input", [True, False])
def test_value_and_grad_matches_autograd(activation, shared_input):
    net = _net(activation)
    gen = make_generator(1)
    shape = (7, 5) if shared_input else (3, 7, 5)
    x = torch.randn(*shape, generator=gen, dtype=torch.float64)
    values, grads = net.value_and_grad(x)
    x_auto = x.clone().requires_grad_(True)
    out = net.forward(x_auto)
    (expected,) = torch.autograd.grad(out.sum(), x_auto)
    if shared_input:
        # each member's gradient, taken separately
        expected = torch.stack(
            [
                torch.autograd.grad(
                    net.forward(x_auto)[k].sum(), x_auto, retain_graph=True
                )[0]
                for k in range(3)
            ]
        )
    torch.testing.assert_close(values, out.detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(grads, expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("members", [1, 3])
@pytest.mark.parametrize("sizes", [(5, 16, 8, 1), (5, 1)])
def test_prepared_function_follows_in_place_weight_updates(members, sizes):
    net = _net("tanh", sizes=sizes, members=members)
    x = torch.randn(7, 5, generator=make_generator(1), dtype=torch.float64)
    direction = net.value_and_grad_function(with_values=False)
    with torch.no_grad():
        for w in net.weights:
            w.mul_(0.5).add_(0.1)  # what an optimizer step does: same storage
    values, grads = net.value_and_grad(x)
    none, prepared = direction(x)
    assert none is None
    # one member or several, the gradients carry the member axis
    assert prepared.shape == (members, 7, 5)
    torch.testing.assert_close(prepared, grads, rtol=1e-12, atol=1e-12)
    _, with_axis = direction(x.expand(members, -1, -1))
    torch.testing.assert_close(with_axis, grads, rtol=1e-12, atol=1e-12)


def test_value_and_grad_without_hidden_layers_is_the_weight():
    net = _net("relu", sizes=(4, 1), members=2)
    x = torch.zeros(6, 4, dtype=torch.float64)
    _, grads = net.value_and_grad(x)
    assert grads.shape == (2, 6, 4)
    torch.testing.assert_close(grads[:, 0], net.weights[0][:, :, 0])


def test_gradient_ascent_climbs_clips_and_records():
    # f(x) = -|x - 3|^2 has its top at 3; the box stops the iterates at 1
    def value_and_grad(x):
        return -((x - 3.0) ** 2).sum(-1), -2.0 * (x - 3.0)

    start = torch.zeros(4, 2)
    lower, upper = torch.full((2,), -1.0), torch.full((2,), 1.0)
    end, values = gradient_ascent(
        value_and_grad,
        start,
        n_steps=20,
        step_size=0.1,
        lower=lower,
        upper=upper,
        record=True,
    )
    torch.testing.assert_close(end, torch.ones(4, 2))
    assert values.shape == (21, 4)
    assert torch.all(values[1:] >= values[:-1])
    assert torch.equal(start, torch.zeros(4, 2))
    free, none = gradient_ascent(value_and_grad, start, n_steps=100, step_size=0.1)
    assert none is None
    torch.testing.assert_close(free, torch.full((4, 2), 3.0))


def test_per_feature_step_size():
    def value_and_grad(x):
        return x.sum(-1), torch.ones_like(x)

    end, _ = gradient_ascent(
        value_and_grad,
        torch.zeros(2, 3),
        n_steps=2,
        step_size=torch.tensor([1.0, 2.0, 0.0]),
    )
    torch.testing.assert_close(end, torch.tensor([[2.0, 4.0, 0.0]] * 2))


def test_same_seed_same_weights():
    a, b = _net("tanh", seed=5), _net("tanh", seed=5)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(_net("tanh", seed=6).weights[0], a.weights[0])


@pytest.mark.parametrize("device", ["gpu", "cuda:x", "", None, 3])
def test_resolve_device_rejects_unknown_names(device):
    with pytest.raises(ValueError, match="is not understood"):
        resolve_device(device)


def test_resolve_device_auto_and_cpu():
    assert resolve_device("cpu").type == "cpu"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected


def test_blocks_of_members_share_one_initialization():
    net = StackedMLP.initialize(
        4, [5, 8, 1], "relu", make_generator(0), "cpu", torch.float64, n_shared=2
    )
    for w in net.parameters():
        assert torch.equal(w[0], w[1]) and torch.equal(w[2], w[3])
        assert not torch.equal(w[0], w[2])
    # the first block is the first member of an unshared draw of the same seed
    alone = StackedMLP.initialize(
        2, [5, 8, 1], "relu", make_generator(0), "cpu", torch.float64
    )
    assert torch.equal(net.weights[0][0], alone.weights[0][0])
    with pytest.raises(ValueError, match="not a multiple of n_shared=3"):
        StackedMLP.initialize(
            4, [5, 8, 1], "relu", make_generator(0), "cpu", torch.float64, n_shared=3
        )
