"""Model Inversion Networks: a conditional GAN of designs given their score.

Kumar, Levine, "Model Inversion Networks for Model-Based Optimization", NeurIPS 2020.

The generator maps noise ``z`` and a score ``y`` to a design; a critic judges
(design, score) pairs. Both are trained as a Wasserstein GAN with gradient penalty
(Gulrajani et al., 2017), every term weighted by an importance weight of the score
that shifts the training distribution toward high scores. Categorical designs are
generated as Gumbel-softmax relaxations of one-hot tokens, with a temperature
annealed during training; proposals are drawn from the generator's categoricals at
a target score above the data.
"""

import math
from dataclasses import dataclass, field

import numpy as np
import torch

from .nets import DenseStack, device_generator, minibatches, weighted_mean


@dataclass
class MINsConfig:
    """Settings of :func:`fit_mins`; the public estimator validates them."""

    latent_size: int = 32
    hidden: tuple = (256, 256)
    n_epochs: int = 50
    batch_size: int = 128
    learning_rate: float = 2e-4
    n_critic: int = 5
    gradient_penalty: float = 10.0
    start_temperature: float = 5.0
    final_temperature: float = 1.0
    keep: float = 0.99
    n_bins: int = 20
    weight_temperature: float | None = None
    max_weight: float = 5.0


@dataclass
class MINsResult:
    """The fitted generator and critic, the score scaling, and per-epoch curves."""

    generator: DenseStack
    critic: DenseStack
    kind: str
    shape: tuple
    latent_size: int
    y_mean: float
    y_scale: float
    y_max: float  # the best standardized score of the data
    critic_loss: list = field(default_factory=list)
    generator_loss: list = field(default_factory=list)


def score_weights(y, n_bins=20, temperature=None, max_weight=5.0):
    """Importance weights of standardized scores toward the high ones (MINs, 3.3).

    The scores are binned; the target mass of a non-empty bin is proportional to
    ``exp(upper_edge / temperature)`` (damped for nearly empty bins), and a sample's
    weight is its bin's target mass over its empirical mass, clipped at
    ``max_weight``. ``temperature=None`` is the distance from the best score to the
    90th percentile, as in the MINs reference.
    """
    y = np.asarray(y, dtype=np.float64)
    counts, edges = np.histogram(y, bins=n_bins)
    mass = counts / counts.sum()
    if temperature is None:
        temperature = abs(np.quantile(y, 0.9) - y.max()) or 1.0
    logits = edges[1:] / temperature
    target = np.exp(logits - logits.max()) * mass / (mass + 1e-3)
    target /= target.sum()
    bins = np.minimum(np.digitize(y, edges[1:]), n_bins - 1)
    return np.minimum(target[bins] / np.maximum(mass[bins], 1e-12), max_weight)


def _relaxed_onehot(logits, temperature, generator):
    """A Gumbel-softmax sample of one-hot vectors from ``logits`` (``... x C``)."""
    uniform = torch.rand(
        logits.shape, generator=generator, device=logits.device, dtype=logits.dtype
    )
    gumbel = -torch.log(-torch.log(uniform.clamp(1e-10, 1.0 - 1e-7)))
    return torch.softmax((logits + gumbel) / temperature, dim=-1)


def _generate(result, z, y, temperature, generator):
    """Designs in the critic's representation: relaxed one-hot (flat) or reals."""
    out = result.generator(torch.cat([z, y[:, None]], dim=1))[0]
    if result.kind == "categorical":
        logits = out.reshape(z.shape[0], *result.shape)
        return _relaxed_onehot(logits, temperature, generator).flatten(1)
    return out


def _critic(result, x, y):
    return result.critic(torch.cat([x, y[:, None]], dim=1))[0, :, 0]


def _gradient_penalty(result, real, fake, y, generator):
    mix = torch.rand(
        real.shape[0], 1, generator=generator, device=real.device, dtype=real.dtype
    )
    between = (mix * real + (1 - mix) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(
        _critic(result, between, y).sum(), between, create_graph=True
    )
    return (grad.norm(dim=1) - 1.0) ** 2


def _noise(n, result, generator, like):
    return torch.randn(
        n, result.latent_size, generator=generator, device=like.device,
        dtype=like.dtype,
    )  # fmt: skip


def _train(result, x, t, w, config, gen):
    """The weighted WGAN-GP loop over ``n_epochs`` passes of the data."""
    optimizers = [
        torch.optim.Adam(net.parameters(), lr=config.learning_rate, betas=(0.0, 0.9))
        for net in (result.critic, result.generator)
    ]
    step = 0
    for epoch in range(config.n_epochs):
        frac = epoch / max(config.n_epochs - 1, 1)
        temperature = (
            config.start_temperature * (1 - frac) + config.final_temperature * frac
        )
        totals = [x.new_zeros(()), x.new_zeros(())]
        for idx in minibatches(x.shape[0], config.batch_size, gen):
            real, yb, wb = x[idx], t[idx], w[idx]
            fake = _generate(result, _noise(len(idx), result, gen, x), yb,
                             temperature, gen).detach()  # fmt: skip
            loss = weighted_mean(
                _critic(result, fake, yb) - _critic(result, real, yb)
                + config.gradient_penalty
                * _gradient_penalty(result, real, fake, yb, gen),
                wb,
            )  # fmt: skip
            optimizers[0].zero_grad(set_to_none=True)
            loss.backward()
            optimizers[0].step()
            totals[0] = totals[0] + loss.detach()
            step += 1
            if step % config.n_critic == 0:
                fake = _generate(result, _noise(len(idx), result, gen, x), yb,
                                 temperature, gen)  # fmt: skip
                g_loss = -weighted_mean(_critic(result, fake, yb), wb)
                optimizers[1].zero_grad(set_to_none=True)
                g_loss.backward()
                optimizers[1].step()
                totals[1] = totals[1] + g_loss.detach()
        n_batches = math.ceil(x.shape[0] / config.batch_size)
        result.critic_loss.append(float(totals[0]) / n_batches)
        result.generator_loss.append(
            float(totals[1]) / max(n_batches // config.n_critic, 1)
        )


def fit_mins(designs, y, *, kind, shape, config, seed, device, dtype=torch.float32):
    """Fit a MINs generator on numpy data; returns a :class:`MINsResult`.

    ``designs`` are ``n x L`` integer tokens (``kind="categorical"``,
    ``shape=(L, C)``) or ``n x d`` standardized reals (``kind="gaussian"``,
    ``shape=(d,)``); ``y`` is standardized here.
    """
    init = torch.Generator().manual_seed(int(seed))
    gen = device_generator(seed + 1, device)
    y = np.asarray(y, dtype=np.float64)
    y_mean, y_scale = float(y.mean()), float(y.std()) or 1.0
    t_np = (y - y_mean) / y_scale
    w = score_weights(t_np, config.n_bins, config.weight_temperature, config.max_weight)
    if kind == "categorical":
        tokens = torch.as_tensor(designs, dtype=torch.long, device=device)
        onehot = torch.nn.functional.one_hot(tokens, shape[1]).to(dtype)
        # real tokens are smoothed as the fake ones are relaxed
        x = (config.keep * onehot + (1 - config.keep) / shape[1]).flatten(1)
    else:
        x = torch.as_tensor(designs, device=device).to(dtype)
    d = x.shape[1]
    kw = {"device": device, "dtype": dtype, "activation": "leaky_relu"}
    result = MINsResult(
        generator=DenseStack([config.latent_size + 1, *config.hidden, d], init, **kw),
        critic=DenseStack([d + 1, *config.hidden, 1], init, **kw),
        kind=kind, shape=tuple(shape), latent_size=config.latent_size,
        y_mean=y_mean, y_scale=y_scale, y_max=float(t_np.max()),
    )  # fmt: skip
    t = torch.as_tensor(t_np, device=device).to(dtype)
    _train(result, x, t, torch.as_tensor(w, device=device).to(dtype), config, gen)
    return result


@torch.no_grad()
def sample_mins(result, n, target, seed):
    """``n`` designs generated at the standardized score ``target`` (numpy).

    Categorical designs are drawn from the generator's categoricals (the limit of
    the relaxation at zero temperature); real designs are the generator's output.
    """
    device = result.generator.weights[0].device
    dtype = result.generator.weights[0].dtype
    gen = device_generator(seed, device)
    z = torch.randn(n, result.latent_size, generator=gen, device=device, dtype=dtype)
    y = torch.full((n,), float(target), device=device, dtype=dtype)
    out = result.generator(torch.cat([z, y[:, None]], dim=1))[0]
    if result.kind == "categorical":
        probs = torch.softmax(out.reshape(n * result.shape[0], result.shape[1]), -1)
        tokens = torch.multinomial(probs, 1, generator=gen)
        return tokens.reshape(n, result.shape[0]).cpu().numpy()
    return out.double().cpu().numpy()
