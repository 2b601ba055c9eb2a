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
    # the other backward kernels broadcast the output layer's row to h's shape
    return grad.expand_as(h)


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
    def initialize(
        cls, n_members, layer_sizes, activation, generator, device, dtype, n_shared=1
    ):
        """Draw weights as ``torch.nn.Linear`` does: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

        The draw happens on the CPU from ``generator`` so that a seed gives the same
        network on every device. Each block of ``n_shared`` consecutive members
        starts from one draw (``n_members`` must be a multiple of it).
        """
        if n_shared < 1 or n_members % n_shared:
            raise ValueError(
                f"n_members={n_members} is not a multiple of n_shared={n_shared}."
            )
        n_draws = n_members // n_shared
        weights, biases = [], []
        for fan_in, fan_out in zip(layer_sizes[:-1], layer_sizes[1:]):
            bound = 1.0 / math.sqrt(fan_in)
            w = torch.empty(n_draws, fan_in, fan_out, dtype=torch.float64)
            b = torch.empty(n_draws, 1, fan_out, dtype=torch.float64)
            w.uniform_(-bound, bound, generator=generator)
            b.uniform_(-bound, bound, generator=generator)
            if n_shared > 1:
                w = w.repeat_interleave(n_shared, dim=0)
                b = b.repeat_interleave(n_shared, dim=0)
            weights.append(w.to(device=device, dtype=dtype))
            biases.append(b.to(device=device, dtype=dtype))
        return cls(weights, biases, activation)

    @property
    def n_members(self):
        return self.weights[0].shape[0]

    def select(self, members):
        """A network of the given members only (indices along the member axis)."""
        index = torch.as_tensor(
            members, dtype=torch.long, device=self.weights[0].device
        )
        return StackedMLP(
            [w.detach().index_select(0, index) for w in self.weights],
            [b.detach().index_select(0, index) for b in self.biases],
            self.activation,
        )

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

    def astype(self, dtype):
        """A copy with weights of another precision."""
        return StackedMLP(
            [w.detach().to(dtype) for w in self.weights],
            [b.detach().to(dtype) for b in self.biases],
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
        return self.value_and_grad_function()(x)

    def _prepared(self):
        """Detached views of the weights, 2-D for a single member, and the kernels."""
        weights = [w.detach() for w in self.weights]
        biases = [b.detach() for b in self.biases]
        single = self.n_members == 1
        if single:
            weights, biases = [w[0] for w in weights], [b[0] for b in biases]
            return single, weights, biases, torch.addmm, torch.mm
        return single, weights, biases, torch.baddbmm, torch.bmm

    def value_and_grad_function(self, with_values=True):
        """``value_and_grad`` with the weights' views prepared once, for many calls.

        The returned function reads the current weights (views share their storage,
        so in-place optimizer steps are seen) and runs only the matrix products and
        the activation kernels: nothing is selected, transposed or expanded per call.
        The input is ``B x d`` (shared by the members) or ``K x B x d``; the outputs
        always carry the member axis: ``K x B`` values and ``K x B x d`` gradients
        (a single member computes on plain matrices and adds the axis as a view).
        With ``with_values=False`` the output layer is not evaluated and the values
        are ``None`` (the inner ascent only needs the direction).
        """
        act, act_backward = ACTIVATIONS[self.activation]
        single, weights, biases, affine, matmul = self._prepared()
        hidden = list(zip(weights[:-1], biases[:-1]))
        # the backward pass: d(score)/d(last hidden layer), then each layer transposed
        top = weights[-1].transpose(-1, -2)
        transposed = [w.transpose(-1, -2) for w in reversed(weights[:-1])]
        last_w, last_b = weights[-1], biases[-1]
        n_members = self.n_members

        def value_and_grad(x):
            if x.dim() == 2 and not single:
                x = x.unsqueeze(0).expand(n_members, -1, -1)
            h, outputs = x, []
            for w, b in hidden:
                h = act(affine(b, h, w))
                outputs.append(h)
            values = affine(last_b, h, last_w).squeeze(-1) if with_values else None
            if not outputs:
                # no hidden layer: the gradient is the weight, the same for every row
                return values, top.expand(*x.shape[:-1], -1)
            grad = top
            for wt, h in zip(transposed, reversed(outputs)):
                grad = matmul(act_backward(grad, h), wt)
            return values, grad

        if not single:
            return value_and_grad
        plain = value_and_grad

        def with_member_axis(x):
            values, grad = plain(x[0] if x.dim() == 3 else x)
            values = None if values is None else values.unsqueeze(0)
            return values, grad.unsqueeze(0)

        return with_member_axis

    def forward_backward_function(self):
        """Forward pass that keeps its activations, and the matching weight gradients.

        Returns ``run(x)`` for ``x`` of shape ``K x N x d`` (a single member also
        takes ``N x d``), which gives ``(out, backward)``: ``out`` the ``K x N``
        scores, and ``backward(g)`` the gradients of ``sum(g * out)`` with respect to
        :meth:`parameters`, in their shapes. It is what autograd would compute for
        the training loss, written out: per layer one product for the weight, one
        sum for the bias and one product for the layer below (none below the first).
        """
        act, act_backward = ACTIVATIONS[self.activation]
        single, weights, biases, affine, matmul = self._prepared()
        transposed = [w.transpose(-1, -2) for w in weights]
        n_layers = len(weights)

        def run(x):
            if single and x.dim() == 3:
                x = x[0]  # one member computes on plain matrices
            inputs, h = [], x
            for i in range(n_layers):
                inputs.append(h)
                h = affine(biases[i], h, weights[i])
                if i < n_layers - 1:
                    h = act(h)
            out = h.squeeze(-1)

            def backward(g):
                # g: K x N; a single member works on its N x 1 column
                g = g[0].unsqueeze(-1) if single else g.unsqueeze(-1)
                grad_w, grad_b = [None] * n_layers, [None] * n_layers
                for i in reversed(range(n_layers)):
                    grad_w[i] = matmul(inputs[i].transpose(-1, -2), g)
                    grad_b[i] = g.sum(-2, keepdim=True)
                    if i > 0:
                        g = act_backward(matmul(g, transposed[i]), inputs[i])
                grads = grad_w + grad_b
                return [g.unsqueeze(0) for g in grads] if single else grads

            return (out.unsqueeze(0) if single else out), backward

        return run

    def __getstate__(self):
        # pickles hold CPU tensors so that a model trained on a GPU loads anywhere
        return {
            "weights": [w.detach().cpu() for w in self.weights],
            "biases": [b.detach().cpu() for b in self.biases],
            "activation": self.activation,
        }

    def __setstate__(self, state):
        self.__dict__.update(state)
