"""Batched gradient ascent: one routine mines negatives and proposes designs."""

import torch


def gradient_ascent(
    value_and_grad, x, *, n_steps, step_size, lower=None, upper=None, record=False
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
        if torch.is_tensor(step_size):
            x = torch.addcmul(x, direction, step_size)
        else:
            x = torch.add(x, direction, alpha=step_size)
        if lower is not None:
            x = torch.clamp(x, lower, upper)
    if not record:
        return x, None
    values.append(value_and_grad(x)[0])
    return x, torch.stack(values)


def ascend(objective, Z0, *, n_steps, step_size, bounds=None):
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

    Returns
    -------
    Z : ndarray of shape (n, d), float64
        The end points.
    trajectory : ndarray of shape (n_steps + 1, n), float64
        The objective's value at every iterate, start and end included.
    """
    device, dtype = objective.device, objective.dtype
    x0 = torch.as_tensor(Z0).to(device=device, dtype=dtype)
    lower = upper = None
    if bounds is not None:
        lower = torch.as_tensor(bounds[0]).to(device=device, dtype=dtype)
        upper = torch.as_tensor(bounds[1]).to(device=device, dtype=dtype)
    if step_size > torch.finfo(dtype).max:
        # beyond the dtype the first step overflows; a tensor step lets it show as
        # an infinite proposal rather than a conversion error
        step_size = torch.tensor(step_size, device=device, dtype=dtype)
    x, values = gradient_ascent(
        objective,
        x0,
        n_steps=n_steps,
        step_size=step_size,
        lower=lower,
        upper=upper,
        record=True,
    )
    # one host copy for the whole ascent
    return x.double().cpu().numpy(), values.double().cpu().numpy()
