"""The COMs training loop on device-resident, standardized data."""

import math
import threading
import warnings
from dataclasses import dataclass, field

import torch

from ..exceptions import DivergenceError
from .ascent import gradient_ascent

# one capture at a time in the process: the set-up of a capture (a device-wide
# synchronization, freeing cached memory) would break another thread's capture
_CAPTURE_LOCK = threading.Lock()

# dual descent keeps alpha inside [ALPHA_MIN, ALPHA_MAX]
ALPHA_MIN, ALPHA_MAX = 1e-6, 1e4


@dataclass
class TrainingConfig:
    """What the loop needs; the estimator validates every field before building it."""

    n_epochs: int
    batch_size: int
    learning_rate: float
    # None: tuned by dual descent toward overestimation_limit; a tuple: one fixed
    # alpha per member
    alpha: float | tuple | None
    overestimation_limit: float
    alpha_init: float
    alpha_learning_rate: float
    n_ascent_steps: int
    ascent_step_size: float  # already scaled, in standardized input units
    tol: float
    n_iter_no_change: int
    verbose: bool = False
    cuda_graph: bool = True  # replay the inner ascent as a CUDA graph on CUDA devices
    loss: str = "squared_error"  # the fit term: "squared_error" or "listnet"
    listnet_temperature: float = 1.0  # ListNet's target is softmax(y / temperature)
    # None: no sharpness constraint; else its limit epsilon (see _Trainer.sharpen)
    sharpness_limit: float | None = None
    sharpness_radius: float = 0.05  # rho: the norm of the weight perturbation
    sharpness_learning_rate: float = 0.1  # the multiplier's step (dual ascent)


@dataclass
class TrainingHistory:
    """Per-epoch curves (means over members), read from the device once per epoch."""

    loss: list = field(default_factory=list)
    mse: list = field(default_factory=list)  # the fit term (squared error or ListNet)
    overestimation: list = field(default_factory=list)
    alpha: list = field(default_factory=list)
    n_epochs: int = 0
    interrupted: bool = False
    final_alpha: list = field(default_factory=list)  # per member
    final_overestimation: list = field(default_factory=list)  # per member
    sharpness: list = field(default_factory=list)  # empty without the constraint


def _epoch_order(n, generator, device):
    return torch.randperm(n, generator=generator).to(device)


class _Trainer:
    """One network, its optimizer and alpha; ``epoch`` runs one pass over the data."""

    def __init__(self, net, config, device, dtype):
        self.net, self.config = net, config
        k = net.n_members
        self.dual = config.alpha is None
        if not self.dual:
            alphas = config.alpha
            if not isinstance(alphas, tuple):
                alphas = (alphas,)
            if len(alphas) not in (1, k):
                raise ValueError(
                    f"{len(alphas)} alphas were given for {k} members; give one "
                    "alpha or one per member."
                )
        self.conservative = self.dual or max(alphas) > 0
        # the network's scores in standardized units of y are score_scale times its
        # output: ListNet fits y / temperature (calibrate_scale multiplies the
        # output back after training), so the negatives are mined, and the
        # over-estimation measured, on the scores the fitted model's ascent climbs
        self.score_scale = (
            config.listnet_temperature if config.loss == "listnet" else 1.0
        )
        # gradients are written out (see step): nothing is recorded for autograd
        net.requires_grad_(False)
        groups = [{"params": net.parameters(), "lr": config.learning_rate}]
        if self.dual:
            start = math.log(config.alpha_init)
            self.log_alpha = torch.full((k,), start, device=device, dtype=dtype)
            groups.append(
                {"params": [self.log_alpha], "lr": config.alpha_learning_rate}
            )
        else:
            self.fixed_alpha = (
                torch.tensor(alphas, device=device, dtype=dtype).expand(k).contiguous()
            )
        # fused: one kernel updates every parameter (CPU and CUDA)
        self.optimizer = torch.optim.Adam(groups, fused=True)
        # the inner ascent needs only the direction; views of the weights are taken
        # once here and follow the optimizer's in-place updates
        self._direction = net.value_and_grad_function(with_values=False)
        self._forward_backward = net.forward_backward_function()
        # without the conservative term the ascent runs once per epoch: not worth it
        self.use_graph = (
            config.cuda_graph and device.type == "cuda" and self.conservative
        )
        self._graph = None
        self.sharp = config.sharpness_limit is not None
        # the multiplier of the sharpness constraint, per member, from 0
        self.sharpness_multiplier = torch.zeros(k, device=device, dtype=dtype)

    def alpha(self):
        return self.log_alpha.exp() if self.dual else self.fixed_alpha

    def mine(self, xb):
        """Negatives: ascent on the current weights from the minibatch, no gradient.

        On a CUDA device the ascent of a full minibatch is captured once as a CUDA
        graph (at the first minibatch's size) and replayed: its ``T`` steps are a few
        dozen small kernels, and one replay launches them all at once. The graph reads
        the weights in place, so it follows every optimizer step; a batch of another
        size (the last one of an epoch) runs eagerly.
        """
        if self.use_graph and self._graph is None:
            try:
                with _CAPTURE_LOCK:
                    self._capture(xb)
            except RuntimeError as exc:
                self.use_graph = False
                warnings.warn(
                    f"CUDA graph capture of the inner ascent failed ({exc}); "
                    "training goes on without it. Set cuda_graph=False to skip "
                    "the attempt.",
                    RuntimeWarning,
                    stacklevel=2,
                )
        if self._graph is not None and xb.shape == self._graph_input.shape:
            self._graph_input.copy_(xb)
            self._graph.replay()
            return self._graph_output
        return self._ascend(xb)

    def _capture(self, xb):
        self._graph_input = xb.clone()
        current = torch.cuda.current_stream(xb.device)
        side = torch.cuda.Stream(device=xb.device)
        side.wait_stream(current)
        with torch.cuda.stream(side):
            # warm-up outside the capture: cuBLAS picks its kernels and workspaces
            self._ascend(self._graph_input)
        current.wait_stream(side)
        graph = torch.cuda.CUDAGraph()
        # thread_local: other threads may use the GPU while this one captures
        with torch.cuda.graph(graph, capture_error_mode="thread_local"):
            self._graph_output = self._ascend(self._graph_input)
        self._graph = graph

    def _ascend(self, xb):
        x_neg, _ = gradient_ascent(
            self._direction,
            xb,
            n_steps=self.config.n_ascent_steps,
            step_size=self.config.ascent_step_size * self.score_scale,
        )
        return x_neg

    def step(self, xb, yb):
        """One optimizer step; returns per-member (loss, fit term, over-estimation).

        The gradients are written out rather than taken by autograd. Per member the
        loss is ``0.5 * mean((pred - y)^2) + alpha * (mean(neg) - mean(pred))``, so
        its derivative with respect to the scores is ``(pred - y - alpha) / B`` on
        the data rows and ``alpha / B`` on the negatives; the network's own
        backward pass turns that into the weight gradients. ``alpha`` enters the
        network's loss as a constant, and dual descent's gradient with respect to
        ``log(alpha)`` is ``alpha * (limit - overestimation)``. With the ListNet
        loss the fit term is ``-sum softmax(y) log softmax(pred)`` over the
        minibatch, whose derivative is ``softmax(pred) - softmax(y)`` (``y`` divided
        by ``listnet_temperature``). That network fits the scores divided by the
        temperature, so its scores in units of ``y`` are ``temperature * pred``: the
        negatives are mined by ascent on those (the step times the temperature),
        and the over-estimation and its weight ``alpha`` apply to them, as they
        do to the squared-error model's.
        """
        net, size = self.net, xb.shape[0]
        n_members = net.n_members
        alpha = self.alpha().unsqueeze(1)
        shared = xb.expand(n_members, -1, -1)
        if self.conservative:
            # the negatives carry the member axis: K x B x d
            both = torch.cat([shared, self.mine(xb)], dim=1)
            out, backward = self._forward_backward(both)
            pred, neg = out[:, :size], out[:, size:]
            overestimation = (neg.mean(1) - pred.mean(1)) * self.score_scale
        else:
            pred, backward = self._forward_backward(shared)
            overestimation = torch.zeros_like(pred[:, 0])
        if self.config.loss == "listnet":
            # the minibatch is one list: cross-entropy between the softmax of the
            # scores and that of the predictions; its gradient is q - p per design
            target = torch.softmax(yb / self.config.listnet_temperature, dim=0)
            log_q = torch.log_softmax(pred, dim=1)
            fit = -(target * log_q).sum(1)
            residual = (log_q.exp() - target) * size
        else:
            residual = pred - yb
            fit = 0.5 * residual.square().mean(1)
        loss = fit + alpha[:, 0] * overestimation
        if self.conservative:
            weight = alpha * self.score_scale
            scores_grad = torch.cat([residual - weight, weight.expand(-1, size)], dim=1)
        else:
            scores_grad = residual
        for p, grad in zip(net.parameters(), backward(scores_grad / size)):
            p.grad = grad
        if self.sharp:
            # d(mean score on the minibatch)/d(weights): the same backward pass,
            # 1 / B on the data rows and 0 on the negatives
            mean_grad = torch.zeros_like(scores_grad)
            mean_grad[:, :size] = 1.0 / size
            # the loss weighs the sharpness by the multiplier its gradient used
            multiplier = self.sharpness_multiplier.clone()
            sharpness = self.sharpen(shared, pred, backward(mean_grad))
            loss = loss + multiplier * sharpness
        else:
            sharpness = torch.zeros_like(loss)
        if self.dual:
            # dual descent: alpha grows while the over-estimation exceeds its limit
            slack = self.config.overestimation_limit - overestimation
            self.log_alpha.grad = self.log_alpha.exp() * slack
        self.optimizer.step()
        if self.dual:
            self.log_alpha.clamp_(math.log(ALPHA_MIN), math.log(ALPHA_MAX))
        return torch.stack([loss, fit, overestimation, sharpness])

    def sharpen(self, shared, pred, mean_grad):
        """Add the sharpness constraint's gradient; return each member's sharpness.

        The sharpness of a member is how much the mean of its output on the
        minibatch rises, in the units the network fits (standardized ``y``, or
        that divided by the ListNet temperature), when its weights move by
        ``rho`` (``sharpness_radius``, the norm over all of its weights) along
        the gradient of that mean, ``h(w + rho g / |g|) - h(w)``, about
        ``rho |g|`` (Dao et al., 2024); ``|g| >= 1`` (the output bias), so it is
        about ``rho`` or more. The constraint keeps it at most
        ``epsilon`` (``sharpness_limit``): each member's multiplier ``lambda``
        weighs the sharpness in the loss, and its gradient with respect to the
        weights, the direction held fixed as sharpness-aware minimization does,
        is ``lambda * (g(w + rho g / |g|) - g)``; ``lambda`` then takes a step
        of dual ascent, ``max(0, lambda + eta * (sharpness - epsilon))``. With
        the caller's backward pass for ``g``, it costs a backward pass and a
        forward and backward pass at the moved weights.
        """
        config, net = self.config, self.net
        params = net.parameters()
        n_members = net.n_members
        norm = torch.zeros(n_members, device=pred.device, dtype=pred.dtype)
        for g in mean_grad:
            norm += g.reshape(n_members, -1).square().sum(1)
        scale = config.sharpness_radius / norm.sqrt().clamp_min(1e-12)
        saved = [p.clone() for p in params]
        for p, g in zip(params, mean_grad):
            p.add_(g * scale.view(-1, *([1] * (g.dim() - 1))))
        out, backward = self._forward_backward(shared)
        weight = torch.full_like(out, 1.0 / shared.shape[1])
        for p, g_far, g_near, old in zip(params, backward(weight), mean_grad, saved):
            p.copy_(old)
            multiplier = self.sharpness_multiplier.view(-1, *([1] * (g_far.dim() - 1)))
            p.grad += multiplier * (g_far - g_near)
        sharpness = out.mean(1) - pred.mean(1)
        step = config.sharpness_learning_rate * (sharpness - config.sharpness_limit)
        self.sharpness_multiplier.add_(step).clamp_(min=0.0)
        return sharpness

    def epoch(self, X, y, order):
        """Mean loss, fit, over-estimation, sharpness, and alpha per member (5 x K)."""
        n, batch_size = X.shape[0], min(self.config.batch_size, X.shape[0])
        device = self.net.weights[0].device
        totals = torch.zeros(4, self.net.n_members, device=device, dtype=X.dtype)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            # data kept in host memory is streamed to the device one minibatch at a time
            xb = X[idx].to(device, non_blocking=True)
            yb = y[idx].to(device, non_blocking=True)
            totals += self.step(xb, yb) * xb.shape[0]
        totals /= n
        if not self.conservative:
            # nothing was mined during the epoch: measure on its last minibatch
            with torch.no_grad():
                neg = self.net.forward(self.mine(xb)).mean(1)
                totals[2] = neg - self.net.forward(xb).mean(1)
        return torch.cat([totals, self.alpha().unsqueeze(0)])


def _check_finite(epoch, loss, overestimation, alpha):
    for name, value, advice in (
        ("loss", loss, "learning_rate_init or ascent_step_size"),
        ("over-estimation", overestimation, "learning_rate_init or ascent_step_size"),
        ("alpha", alpha, "alpha_learning_rate"),
    ):
        if not math.isfinite(value):
            raise DivergenceError(
                f"training diverged at epoch {epoch}: the {name} is {value}. "
                f"Lower {advice}."
            )


def train_conservative(net, X, y, config, generator, on_epoch=None):
    """Train ``net`` in place with the COMs objective.

    Per member: ``0.5 * mean((f(x) - y)^2) + alpha * (mean f(x-) - mean f(x))`` where
    ``x-`` comes from ``n_ascent_steps`` of gradient ascent on the current weights
    started at the minibatch (no gradient flows through the ascent). With
    ``config.alpha is None`` alpha is ``exp(log_alpha)``, updated by Adam on
    ``alpha * (overestimation_limit - overestimation)`` as the reference does.

    An interrupt (``KeyboardInterrupt``) after at least one completed epoch restores
    the weights of the last completed epoch and returns with
    ``history.interrupted`` set; during the first epoch it propagates.

    Parameters
    ----------
    net : StackedMLP
        Trained in place; its K members train together on the same minibatches.
    X : Tensor of shape (n, d)
        Standardized designs, on the network's device or, when they do not fit
        there, in (pinned) host memory; minibatches are then copied over one by one.
    y : Tensor of shape (n,)
        Standardized scores, on the same device as ``X``.
    config : TrainingConfig
    generator : torch.Generator
        CPU generator for the minibatch order.
    on_epoch : callable, optional
        Called with the history after each epoch (progress display).

    Returns
    -------
    TrainingHistory
    """
    trainer = _Trainer(net, config, net.weights[0].device, X.dtype)
    history = TrainingHistory()
    best_mse, stall, snapshot = math.inf, 0, None
    try:
        for epoch in range(1, config.n_epochs + 1):
            order = _epoch_order(X.shape[0], generator, X.device)
            # the one host synchronization of the epoch
            stats = trainer.epoch(X, y, order).cpu()
            loss, mse, overestimation, sharpness, alpha = stats.mean(1).tolist()
            _check_finite(epoch, loss, overestimation, alpha)
            history.loss.append(loss)
            history.mse.append(mse)
            history.overestimation.append(overestimation)
            history.alpha.append(alpha)
            if trainer.sharp:
                history.sharpness.append(sharpness)
            history.final_alpha = stats[4].tolist()
            history.final_overestimation = stats[2].tolist()
            history.n_epochs = epoch
            snapshot = [p.detach().clone() for p in net.parameters()]
            if config.verbose:
                fit_name = "listnet" if config.loss == "listnet" else "mse"
                print(
                    f"Epoch {epoch}/{config.n_epochs}: loss={loss:.5f} "
                    f"{fit_name}={mse:.5f} "
                    f"overestimation={overestimation:.5f} alpha={alpha:.5g}",
                    flush=True,
                )
            if on_epoch is not None:
                on_epoch(history)
            stall = 0 if mse < best_mse - config.tol else stall + 1
            best_mse = min(best_mse, mse)
            if 0 < config.n_iter_no_change <= stall:
                break
    except KeyboardInterrupt:
        if snapshot is None:
            raise
        # keep the weights of the last completed epoch, which its curves describe
        with torch.no_grad():
            for p, saved in zip(net.parameters(), snapshot):
                p.copy_(saved)
        history.interrupted = True
    net.requires_grad_(False)
    if config.loss == "listnet":
        calibrate_scale(net, X, y)
    return history


def calibrate_scale(net, X, y, chunk=65536):
    """Map each member's output onto ``y`` by a least-squares ``a f + b``, in place.

    A ranking loss fixes the order of the scores, not their scale or offset; after
    this, predictions are in the units of ``y`` and the ascent's steps have the
    size they have on a squared-error model. A member whose scores do not rise
    with ``y`` (``a <= 0``) is only shifted.
    """
    device = net.weights[0].device
    with torch.no_grad():
        f = torch.cat(
            [
                net.forward(X[i : i + chunk].to(device)).double()
                for i in range(0, X.shape[0], chunk)
            ],
            dim=1,
        )
        t = y.to(device).double()
        f_mean, t_mean = f.mean(1), t.mean()
        cov = ((f - f_mean[:, None]) * (t - t_mean)).mean(1)
        var = (f - f_mean[:, None]).square().mean(1)
        a = torch.where((cov > 0) & (var > 0), cov / var.clamp_min(1e-300), 1.0)
        b = t_mean - a * f_mean
        dtype = net.weights[-1].dtype
        net.weights[-1].mul_(a.to(dtype)[:, None, None])
        net.biases[-1].mul_(a.to(dtype)[:, None, None]).add_(b.to(dtype)[:, None, None])
