"""A stack of K independent MLPs evaluated in one batched pass.

A single model is the stack with K = 1; an ensemble trains all its members at once.
Weights have shape ``K x fan_in x fan_out`` and biases ``K x 1 x fan_out``, so every
layer is one ``baddbmm`` whatever K is (a plain ``addmm`` when K = 1, the faster
kernel on the CPU).
"""

import math

import torch


def _identity(a):
    return a


def _identity_backward(grad, h):
    return grad


def _relu_backward(grad, h):
    return torch.ops.aten.threshold_backward(grad, h, 0)


# activation -> (function, backward: (grad of the output, the output) -> grad of the
# input). The backward kernels are the ones autograd uses, one fused op each.
ACTIVATIONS = {
    "relu": (torch.relu, _relu_backward),
    "tanh": (torch.tanh, torch.ops.aten.tanh_backward),
    "logistic": (torch.sigmoid, torch.ops.aten.sigmoid_backward),
    "identity": (_identity, _identity_backward),
}


def _affine(h, w, b):
    """``h @ w + b`` per member; one plain ``addmm`` when there is a single member."""
    if w.shape[0] == 1:
        return torch.addmm(b[0], h[0], w[0]).unsqueeze(0)
    return torch.baddbmm(b, h, w)


def _matmul(a, b):
    if a.shape[0] == 1 and b.shape[0] == 1:
        return torch.mm(a[0], b[0]).unsqueeze(0)
    return torch.bmm(a, b)


class StackedMLP:
    """K MLPs with the same layer sizes, scalar output, evaluated together.

    Parameters
    ----------
    weights : list of Tensor
        One ``K x fan_in x fan_out`` tensor per layer, the last with ``fan_out = 1``.
    biases : list of Tensor
        One ``K x 1 x fan_out`` tensor per layer.
    activation : {"relu", "tanh", "logistic", "identity"}
        Hidden-layer activation; the output layer is linear.
    """

    def __init__(self, weights, biases, activation):
        self.weights = list(weights)
        self.biases = list(biases)
        self.activation = activation

    @classmethod
    def initialize(cls, n_members, layer_sizes, activation, generator, device, dtype):
        """Draw weights as ``torch.nn.Linear`` does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        The draw happens on the CPU from ``generator`` so that a seed gives the same
        network on every device.
        """
        weights, biases = [], []
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            bound = 1.0 / math.sqrt(fan_in)
            w = torch.empty(n_members, fan_in, fan_out, dtype=torch.float64)
            b = torch.empty(n_members, 1, fan_out, dtype=torch.float64)
            w.uniform_(-bound, bound, generator=generator)
            b.uniform_(-bound, bound, generator=generator)
            weights.append(w.to(device=device, dtype=dtype))
            biases.append(b.to(device=device, dtype=dtype))
        return cls(weights, biases, activation)

    @property
    def n_members(self):
        return self.weights[0].shape[0]

    def parameters(self):
        return self.weights + self.biases

    def requires_grad_(self, flag=True):
        for p in self.parameters():
            p.requires_grad_(flag)
        return self

    def to(self, device):
        return StackedMLP(
            [w.detach().to(device) for w in self.weights],
            [b.detach().to(device) for b in self.biases],
            self.activation,
        )

    def _expand(self, x):
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.n_members, -1, -1)
        return x

    def forward(self, x):
        """Scores of ``x`` (``B x d`` shared, or ``K x B x d``) as ``K x B``."""
        act = ACTIVATIONS[self.activation][0]
        h = self._expand(x)
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = act(_affine(h, w, b))
        return _affine(h, self.weights[-1], self.biases[-1]).squeeze(-1)

    def value_and_grad(self, x):
        """Scores and their gradient with respect to the input, without autograd.

        Returns ``(values, grads)`` of shapes ``K x B`` and ``K x B x d``. The backward
        pass is written out (two matrix products per hidden layer), which avoids
        building a graph in the inner ascent loop and leaves the weights untouched.
        """
        act, act_backward = ACTIVATIONS[self.activation]
        with torch.no_grad():
            h = self._expand(x)
            hidden = []
            for w, b in zip(self.weights[:-1], self.biases[:-1]):
                h = act(_affine(h, w, b))
                hidden.append(h)
            values = _affine(h, self.weights[-1], self.biases[-1]).squeeze(-1)
            grad = self.weights[-1].transpose(1, 2)
            for w, h in zip(reversed(self.weights[:-1]), reversed(hidden)):
                grad = _matmul(act_backward(grad, h), w.transpose(1, 2))
            if grad.shape[1] != values.shape[1]:
                # no hidden layer: the gradient is the same for every row
                grad = grad.expand(-1, values.shape[1], -1)
        return values, grad

    def __getstate__(self):
        # pickles hold CPU tensors so that a model trained on a GPU loads anywhere
        return {
            "weights": [w.detach().cpu() for w in self.weights],
            "biases": [b.detach().cpu() for b in self.biases],
            "activation": self.activation,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
