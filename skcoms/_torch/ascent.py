"""Batched gradient ascent: one routine mines negatives and proposes designs."""

import math

import numpy as np
import torch


def gradient_ascent(
    value_and_grad,
    x,
    *,
    n_steps,
    step_size,
    lower=None,
    upper=None,
    record=False,
    project=None,
    observe=None,
):
    """Run ``n_steps`` of ``x <- clip(x + step_size * direction(x))`` on all rows.

    Parameters
    ----------
    value_and_grad : callable
        Maps ``x`` to ``(values, direction)``; ``direction`` has the shape of ``x``
        (or broadcasts ``x`` to a leading member axis, as a stacked MLP does).
    x : Tensor of shape (..., d)
        Starting points. They are not modified.
    n_steps : int
        Number of ascent steps.
    step_size : float or Tensor
        Step length, a scalar or one value per feature.
    lower, upper : Tensor of shape (d,), optional
        Box the iterates are clipped to after every step.
    record : bool
        If true, also return the value at every iterate, start and end included.
    project : callable, optional
        Maps each new iterate (after the clip) to the point the ascent goes on
        from, e.g. into a trust region around the start.
    observe : callable, optional
        Called as ``observe(x, values)`` on every iterate, start and end
        included, with the values ``value_and_grad`` gave it; it runs on the
        device, between steps (a proposer keeps the best iterate of each path).

    Returns
    -------
    x : Tensor
        The final iterates.
    values : Tensor of shape (n_steps + 1, ...) or None
        The recorded values, stacked on the device (no host synchronization).
    """
    values = []
    for _ in range(n_steps):
        value, direction = value_and_grad(x)
        if record:
            values.append(value)
        if observe is not None:
            observe(x, value)
        if torch.is_tensor(step_size):
            x = torch.addcmul(x, direction, step_size)
        else:
            x = torch.add(x, direction, alpha=step_size)
        if lower is not None:
            x = torch.clamp(x, lower, upper)
        if project is not None:
            x = project(x)
    if not (record or observe is not None):
        return x, None
    value = value_and_grad(x)[0]
    if observe is not None:
        observe(x, value)
    if not record:
        return x, None
    values.append(value)
    return x, torch.stack(values)


def trust_region(x0, scale, max_distance):
    """Projection onto ``{x : rms((x - x0) / scale) <= max_distance}``.

    Parameters
    ----------
    x0 : Tensor of shape (n, d)
        Centres (the start points).
    scale : Tensor of shape (d,) or float
        The units of each feature (the model's input standardization).
    max_distance : float
        Radius: the root mean square of the standardized displacement.

    Returns
    -------
    project : callable
        Maps ``x`` (``n x d``) to its projection, moved radially towards ``x0``.
        Rows already inside the region are returned as they are, to the bit: a
        radius that never binds changes nothing.
    """
    d = x0.shape[-1]

    def project(x):
        step = (x - x0) / scale
        rms = step.norm(dim=-1, keepdim=True) / math.sqrt(d)
        outside = rms > max_distance
        shrink = max_distance / rms.clamp_min(1e-30)
        return torch.where(outside, x0 + step * shrink * scale, x)

    return project


def start_points(objective, Z0, step_size, dtype=None):
    """``Z0`` on the objective's device and ``dtype`` (its own by default), and
    the step to take."""
    dtype = objective.dtype if dtype is None else dtype
    x0 = torch.as_tensor(Z0).to(device=objective.device, dtype=dtype)
    if step_size > torch.finfo(dtype).max:
        # beyond the dtype the first step overflows; a tensor step lets it show as
        # an infinite proposal rather than a conversion error
        step_size = torch.tensor(step_size, device=objective.device, dtype=dtype)
    return x0, step_size


def host_copy(x, values):
    """End points and trajectory in one device-to-host copy, as float64 numpy."""
    out = torch.cat([x, values.T.to(x.dtype)], dim=1).double().cpu().numpy()
    return out[:, : x.shape[1]], out[:, x.shape[1] :].T.copy()


class _BestIterate:
    """Keeps, per path, the iterate the model scores highest (on the device)."""

    def __init__(self, x0, skip_start):
        self.x = x0.clone()
        self.value = torch.full(x0.shape[:1], -math.inf, dtype=x0.dtype)
        self.value = self.value.to(x0.device)
        self.skip = skip_start

    def __call__(self, x, value):
        if self.skip:
            # the start is a design of the data: never a new proposal
            self.skip = False
            return
        better = value > self.value  # NaN is never better
        self.value = torch.where(better, value, self.value)
        self.x = torch.where(better.unsqueeze(-1), x, self.x)


def _continuous_start(objective, Z0, step_size, bounds, max_distance):
    """Start points, step, and the box and trust region, for a continuous search.

    Designs are kept in float64 where the objective takes them (a
    DesignObjective): a design far from 0 in its units moves by steps float32
    would round away.
    """
    device = objective.device
    dtype = getattr(objective, "position_dtype", objective.dtype)
    x0, step_size = start_points(objective, Z0, step_size, dtype)
    rules = {"lower": None, "upper": None, "project": None}
    if bounds is not None:
        rules["lower"] = torch.as_tensor(bounds[0]).to(device=device, dtype=dtype)
        rules["upper"] = torch.as_tensor(bounds[1]).to(device=device, dtype=dtype)
    if max_distance is not None:
        scale = getattr(objective, "x_scale", 1.0)
        if torch.is_tensor(scale):
            scale = scale.to(dtype)
        rules["project"] = trust_region(x0, scale, max_distance)
    return x0, step_size, rules


def ascend_iterates(
    objective, Z0, *, n_steps, step_size, bounds=None, max_distance=None
):
    """Every iterate of :func:`ascend`'s paths (start excluded); numpy in, numpy out.

    Returns
    -------
    Z : ndarray of shape (n_steps, n, d), float64
        Iterate ``t + 1`` of path ``j`` at ``Z[t, j]``.
    """
    iterates = []

    def keep(x, values):
        iterates.append(x)

    x0, step_size, rules = _continuous_start(
        objective, Z0, step_size, bounds, max_distance
    )
    gradient_ascent(
        objective, x0, n_steps=n_steps, step_size=step_size, observe=keep, **rules
    )
    if len(iterates) < 2:
        return np.empty((0,) + tuple(x0.shape))
    # one copy to the host
    return torch.stack(iterates[1:]).double().cpu().numpy()


def ascend(
    objective,
    Z0,
    *,
    n_steps,
    step_size,
    bounds=None,
    max_distance=None,
    selection="last",
    include_start=True,
):
    """Gradient ascent on ``objective`` from the rows of ``Z0``; numpy in, numpy out.

    Parameters
    ----------
    objective : DesignObjective
        The fitted model's objective; the ascent runs on its device and dtype.
    Z0 : ndarray of shape (n, d)
        Starting points.
    n_steps : int
        Number of ascent steps.
    step_size : float
        Step length in the units of the objective's direction.
    bounds : tuple of two ndarrays of shape (d,), optional
        Box the iterates are clipped to after every step.
    max_distance : float, optional
        Trust region: after every step the iterate is moved back to at most this
        root-mean-square displacement from its start, in the objective's
        standardized units (``objective.x_scale``).
    selection : {"last", "best"}
        Return each path's end point, or its iterate of highest score.
    include_start : bool
        With ``selection="best"``, whether the start point may be returned.

    Returns
    -------
    Z : ndarray of shape (n, d), float64
        The end points (or best iterates).
    trajectory : ndarray of shape (n_steps + 1, n), float64
        The objective's value at every iterate, start and end included.
    """
    x0, step_size, rules = _continuous_start(
        objective, Z0, step_size, bounds, max_distance
    )
    best = _BestIterate(x0, not include_start) if selection == "best" else None
    x, values = gradient_ascent(
        objective,
        x0,
        n_steps=n_steps,
        step_size=step_size,
        record=True,
        observe=best,
        **rules,
    )
    if best is not None:
        x = best.x
    return host_copy(x, values)
