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
