"""DesignObjective: the differentiable surface a design optimizer climbs."""

import torch

# float32's smallest normal number times 2**24: a scale below it is not held to
# float32's precision
_TINY_SCORE_SCALE = float(torch.finfo(torch.float32).tiny) * 2.0**24


class DesignObjective:
    """The surface a design optimizer needs from a fitted model.

    Calling it on a tensor ``x`` of designs (``n x d``, in the units of the ``X`` the
    model was fitted on, on ``device`` with ``dtype``) returns ``(scores, direction)``:
    the predicted scores in ``y``'s units, shape ``n``, and the ascent direction,
    shape ``n x d``. The direction is the gradient of the standardized prediction
    with respect to the standardized design, mapped back to ``X``'s units, so one
    step ``x + eta * direction`` is the step ``z + eta * grad_z`` that the model's own
    negative mining takes in standardized coordinates.

    Designs in float64 (``position_dtype``, what :func:`ascend` searches in) are
    standardized in float64 before the network sees them in its own dtype, so
    designs far from the origin in their own units (``1e7 + x``, or ``1e-100 * x``)
    keep their resolution; the scores and directions then come back in float64.
    Designs in the network's dtype are computed in it throughout, but for scores
    in units too small for float32 (a ``y`` spread below about ``1e-31``), which
    come back in float64.

    Parameters
    ----------
    value_and_grad : callable
        Maps standardized designs (``n x d``) to ``K x n`` standardized scores and
        their ``K x n x d`` gradients, ``K`` the number of members (1 for a single
        model; see ``StackedMLP.value_and_grad_function``).
    x_mean, x_scale : Tensor
        The standardization of inputs, on the network's device; best in float64.
    y_mean, y_scale : Tensor or float
        The standardization of targets.
    aggregate : {"mean", "min"}
        How K member scores are combined (a single model has K = 1).
    dtype : torch.dtype, optional
        The network's dtype; None: that of ``x_mean``.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skcoms import ConservativeObjectiveRegressor
    >>> X = np.random.RandomState(0).uniform(-1, 1, size=(100, 2))
    >>> model = ConservativeObjectiveRegressor((8,), max_iter=2, random_state=0)
    >>> objective = model.fit(X, -(X**2).sum(axis=1)).design_objective()
    >>> x = torch.zeros(3, 2, dtype=objective.dtype, device=objective.device)
    >>> scores, direction = objective(x)
    >>> tuple(scores.shape), tuple(direction.shape)
    ((3,), (3, 2))
    """

    # the dtype the continuous search keeps its designs in
    position_dtype = torch.float64

    def __init__(
        self, value_and_grad, x_mean, x_scale, y_mean, y_scale, aggregate, dtype=None
    ):
        self._value_and_grad = value_and_grad
        dtype = x_mean.dtype if dtype is None else dtype
        # one standardization per dtype of designs, each rounded from the values given
        self._standardization = {
            t: (x_mean.to(t), x_scale.to(t)) for t in {dtype, torch.float64}
        }
        self.x_mean, self.x_scale = self._standardization[dtype]
        self.y_mean, self.y_scale = y_mean, y_scale
        self.aggregate = aggregate
        self.device, self.dtype = x_mean.device, dtype
        # scores whose scale float32 would hold with fewer than its 24 bits (or not
        # at all) are put back in their units in float64
        self._score_dtype = None
        if dtype != torch.float64 and abs(float(y_scale)) < _TINY_SCORE_SCALE:
            self._score_dtype = torch.float64

    def __call__(self, x):
        mean, scale = self._standardization.get(x.dtype, (self.x_mean, self.x_scale))
        z = (x - mean) / scale
        values, grads = self._value_and_grad(z.to(self.dtype))
        if x.dtype != self.dtype:
            values, grads = values.to(x.dtype), grads.to(x.dtype)
        if self._score_dtype is not None:
            values = values.to(self._score_dtype)
        if values.shape[0] == 1:
            values, grads = values[0], grads[0]  # a single model: nothing to combine
        elif self.aggregate == "min":
            member = values.argmin(0)
            values = values.gather(0, member.unsqueeze(0))[0]
            grads = grads.gather(
                0, member.view(1, -1, 1).expand(1, -1, grads.shape[-1])
            )[0]
        else:
            values, grads = values.mean(0), grads.mean(0)
        return values * self.y_scale + self.y_mean, grads * scale
