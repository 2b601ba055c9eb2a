"""The COMs training loop on device-resident, standardized data."""

import math
from dataclasses import dataclass, field

import torch

from .ascent import gradient_ascent

# alpha is kept inside [ALPHA_MIN, ALPHA_MAX] by dual descent
ALPHA_MIN, ALPHA_MAX = 1e-6, 1e4


@dataclass
class TrainingConfig:
    """What the loop needs; the estimator validates every field before building it."""

    n_epochs: int
    batch_size: int
    learning_rate: float
    alpha: float | None  # None: tuned by dual descent toward overestimation_limit
    overestimation_limit: float
    alpha_init: float
    alpha_learning_rate: float
    n_ascent_steps: int
    ascent_step_size: float  # already scaled, in standardized input units
    tol: float
    n_iter_no_change: int
    verbose: bool = False


@dataclass
class TrainingHistory:
    """Per-epoch curves, read from the device once per epoch."""

    loss: list = field(default_factory=list)
    mse: list = field(default_factory=list)
    overestimation: list = field(default_factory=list)
    alpha: list = field(default_factory=list)
    n_epochs: int = 0


class DivergenceError(FloatingPointError):
    """Training produced a NaN or infinite loss, alpha or over-estimation."""


def _epoch_order(n, generator, device):
    return torch.randperm(n, generator=generator).to(device)


def train_conservative(net, X, y, config, generator, on_epoch=None):
    """Train ``net`` in place with the COMs objective.

    Per member: ``0.5 * mean((f(x) - y)^2) + alpha * (mean f(x-) - mean f(x))`` where
    ``x-`` comes from ``n_ascent_steps`` of gradient ascent on the current weights
    started at the minibatch (no gradient flows through the ascent). With
    ``config.alpha is None`` alpha is ``exp(log_alpha)``, updated by Adam on
    ``alpha * (overestimation_limit - overestimation)`` as the reference does.

    Parameters
    ----------
    net : StackedMLP
        Trained in place; its K members train together on the same minibatches.
    X : Tensor of shape (n, d)
        Standardized designs on the training device.
    y : Tensor of shape (n,)
        Standardized scores on the same device.
    config : TrainingConfig
    generator : torch.Generator
        CPU generator for the minibatch order.
    on_epoch : callable, optional
        Called with the history after each epoch (progress display).

    Returns
    -------
    TrainingHistory
    """
    n, _ = X.shape
    n_members = net.n_members
    device, dtype = X.device, X.dtype
    dual = config.alpha is None
    conservative = dual or config.alpha > 0
    batch_size = min(config.batch_size, n)

    net.requires_grad_(True)
    groups = [{"params": net.parameters(), "lr": config.learning_rate}]
    if dual:
        log_alpha = torch.full(
            (n_members,), math.log(config.alpha_init), device=device, dtype=dtype
        )
        log_alpha.requires_grad_(True)
        groups.append({"params": [log_alpha], "lr": config.alpha_learning_rate})
    else:
        alpha = torch.full((n_members,), config.alpha, device=device, dtype=dtype)
    optimizer = torch.optim.Adam(groups, foreach=True)

    history = TrainingHistory()
    best_mse, stall = math.inf, 0
    for epoch in range(config.n_epochs):
        order = _epoch_order(n, generator, device)
        totals = torch.zeros(3, n_members, device=device, dtype=dtype)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            xb, yb = X[idx], y[idx]
            size = xb.shape[0]
            if dual:
                alpha = log_alpha.detach().exp()
            if conservative:
                x_neg, _ = gradient_ascent(
                    net.value_and_grad,
                    xb,
                    n_steps=config.n_ascent_steps,
                    step_size=config.ascent_step_size,
                )
                both = torch.cat([xb.expand(n_members, -1, -1), x_neg], dim=1)
                out = net.forward(both)
                pred, neg = out[:, :size], out[:, size:]
                overestimation = neg.mean(1) - pred.mean(1)
            else:
                pred = net.forward(xb)
            mse = (pred - yb).square().mean(1)
            loss = 0.5 * mse
            if conservative:
                loss = loss + alpha * overestimation
            total = loss.sum()
            if dual:
                # dual descent: alpha grows while the over-estimation exceeds its limit
                total = (
                    total
                    + (
                        log_alpha.exp()
                        * (config.overestimation_limit - overestimation.detach())
                    ).sum()
                )
            optimizer.zero_grad(set_to_none=True)
            total.backward()
            optimizer.step()
            if dual:
                with torch.no_grad():
                    log_alpha.clamp_(math.log(ALPHA_MIN), math.log(ALPHA_MAX))
            with torch.no_grad():
                totals[0] += loss.detach() * size
                totals[1] += mse.detach() * size
                if conservative:
                    totals[2] += overestimation.detach() * size
        with torch.no_grad():
            totals /= n
            if not conservative:
                # nothing was mined during the epoch: measure on its last minibatch
                x_neg, _ = gradient_ascent(
                    net.value_and_grad,
                    xb,
                    n_steps=config.n_ascent_steps,
                    step_size=config.ascent_step_size,
                )
                totals[2] = net.forward(x_neg).mean(1) - net.forward(xb).mean(1)
            current_alpha = log_alpha.detach().exp() if dual else alpha
            stats = torch.cat([totals, current_alpha.unsqueeze(0)]).cpu()
        loss_e, mse_e, over_e, alpha_e = (row.mean().item() for row in stats)
        history.loss.append(loss_e)
        history.mse.append(mse_e)
        history.overestimation.append(over_e)
        history.alpha.append(alpha_e)
        history.n_epochs = epoch + 1
        for name, value in (
            ("loss", loss_e),
            ("over-estimation", over_e),
            ("alpha", alpha_e),
        ):
            if not math.isfinite(value):
                raise DivergenceError(
                    f"training diverged at epoch {epoch + 1}: the {name} is {value}. "
                    "Lower learning_rate_init or ascent_step_size."
                )
        if config.verbose:
            print(
                f"Epoch {epoch + 1}/{config.n_epochs}: loss={loss_e:.5f} "
                f"mse={mse_e:.5f} overestimation={over_e:.5f} alpha={alpha_e:.5g}",
                flush=True,
            )
        if on_epoch is not None:
            on_epoch(history)
        if config.n_iter_no_change > 0:
            if mse_e < best_mse - config.tol:
                best_mse, stall = mse_e, 0
            else:
                stall += 1
                if stall >= config.n_iter_no_change:
                    break
    net.requires_grad_(False)
    return history
