"""Small networks for the generative baselines: dense stacks, seeded, on any device.

Every random draw goes through an explicit ``torch.Generator``: weights are drawn on
the CPU from a CPU generator (a seed gives the same network on every device), and
sampling during training uses a generator that lives on the device of the tensors.
"""

import math

import torch
from torch import nn

_ACTIVATIONS = {
    "relu": torch.relu,
    "leaky_relu": nn.functional.leaky_relu,
    "tanh": torch.tanh,
}


def device_generator(seed, device):
    """A generator on ``device`` seeded with ``seed`` (the global RNG is untouched)."""
    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed))
    return generator


def draw_seed(generator):
    """A fresh 62-bit seed drawn from ``generator``."""
    return int(torch.randint(0, 2**62, (1,), generator=generator).item())


class DenseStack(nn.Module):
    """K independent multilayer perceptrons of the same shape, evaluated together.

    Weights have shape ``K x fan_in x fan_out``, so each layer is one batched matrix
    product. Hidden layers use ``activation``; the output layer is linear. The input
    is ``n x d`` (shared by the K members) or ``K x n x d``; the output is
    ``K x n x out``.

    Parameters
    ----------
    sizes : sequence of int
        Input size, hidden sizes, output size.
    generator : torch.Generator
        CPU generator for the initial weights, drawn as ``torch.nn.Linear`` draws
        them: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    n_members : int, default=1
    activation : {"relu", "leaky_relu", "tanh"}, default="relu"
    device, dtype : torch device and dtype of the weights.
    """

    def __init__(
        self,
        sizes,
        generator,
        *,
        n_members=1,
        activation="relu",
        device="cpu",
        dtype=torch.float32,
    ):
        super().__init__()
        self.activation = activation
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
            bound = 1.0 / math.sqrt(fan_in)
            w = torch.empty(n_members, fan_in, fan_out, dtype=torch.float64)
            b = torch.empty(n_members, 1, fan_out, dtype=torch.float64)
            w.uniform_(-bound, bound, generator=generator)
            b.uniform_(-bound, bound, generator=generator)
            self.weights.append(nn.Parameter(w.to(device=device, dtype=dtype)))
            self.biases.append(nn.Parameter(b.to(device=device, dtype=dtype)))

    @property
    def n_members(self):
        return self.weights[0].shape[0]

    def forward(self, x):
        act = _ACTIVATIONS[self.activation]
        h = x.unsqueeze(0).expand(self.n_members, -1, -1) if x.dim() == 2 else x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            h = torch.baddbmm(b, h, w)
            if i < last:
                h = act(h)
        return h


def minibatches(n, batch_size, generator):
    """Index tensors of one shuffled pass over ``n`` rows, on the generator's device."""
    order = torch.randperm(n, generator=generator, device=generator.device)
    return torch.split(order, batch_size)


def weighted_mean(values, weights):
    """``sum(w * v) / sum(w)`` over the last axis, 0 when the weights sum to 0."""
    total = weights.sum(-1)
    return (weights * values).sum(-1) / total.clamp_min(torch.finfo(values.dtype).tiny)


def normalized_weights(weights):
    """Non-negative weights rescaled to mean 1, or all ones when they vanish.

    Non-finite weights (an overflowing likelihood ratio) count as the largest finite
    one, so a single extreme sample cannot turn the whole fit into NaN.
    """
    weights = torch.nan_to_num(weights.clamp_min(0.0), nan=0.0)
    finite = torch.isfinite(weights)
    if not finite.all():
        top = weights[finite].max() if finite.any() else weights.new_tensor(1.0)
        weights = torch.where(finite, weights, top)
    mean = weights.mean()
    if not mean > 0:
        return torch.ones_like(weights)
    return weights / mean
