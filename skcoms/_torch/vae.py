"""A variational autoencoder over designs, fitted by weighted maximum likelihood.

Two kinds of designs:

- ``"categorical"``: sequences of ``L`` tokens over ``C`` categories, given as an
  ``n x L`` integer tensor. The encoder reads their one-hot vectors; the decoder
  gives ``L x C`` logits, an independent categorical per position given ``z``.
- ``"gaussian"``: real vectors (standardized by the caller), ``n x d``. The decoder
  gives a mean and a log standard deviation per feature.

The prior over the latent ``z`` is a standard normal. Training minimizes the
weighted mean of ``-log p(x | z) + beta * KL(q(z | x) || N(0, I))`` (the weighted
ELBO of CbAS). ``log_marginal`` estimates ``log p(x)`` with importance samples of
the encoder (the IWAE bound), for the likelihood ratios of CbAS and its autofocus.
"""

import math

import torch
from torch import nn

from .nets import DenseStack, minibatches, weighted_mean

_LOG_STD_MIN, _LOG_STD_MAX = math.log(1e-3), math.log(10.0)
# the decoder's noise has a floor, in the caller's standardized units: without it the
# density of a sample collapses onto the decoder's mean and the likelihood ratios of
# CbAS become degenerate (the reference bounds it near 0.1 for the same reason)
_DECODER_LOG_STD_MIN = math.log(0.05)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


class VAE(nn.Module):
    """Encoder and decoder MLPs; see the module docstring for the two kinds."""

    def __init__(
        self,
        kind,
        shape,
        *,
        latent_size,
        hidden,
        generator,
        device="cpu",
        dtype=torch.float32,
    ):
        super().__init__()
        self.kind = kind
        self.shape = tuple(shape)  # (L, C) for categorical, (d,) for gaussian
        self.latent_size = latent_size
        n_in = math.prod(self.shape)
        n_out = n_in if kind == "categorical" else 2 * n_in
        kw = {"device": device, "dtype": dtype}
        self.encoder = DenseStack([n_in, *hidden, 2 * latent_size], generator, **kw)
        self.decoder = DenseStack([latent_size, *hidden, n_out], generator, **kw)

    @property
    def dtype(self):
        return self.encoder.weights[0].dtype

    def _inputs(self, x):
        if self.kind == "categorical":
            n_categories = self.shape[1]
            onehot = nn.functional.one_hot(x, n_categories).to(self.dtype)
            return onehot.flatten(1)
        return x

    def encode(self, x):
        """Mean and log standard deviation of ``q(z | x)``, ``n x latent`` each."""
        out = self.encoder(self._inputs(x))[0]
        mean, log_std = out.chunk(2, dim=-1)
        return mean, log_std.clamp(_LOG_STD_MIN, _LOG_STD_MAX)

    def log_likelihood(self, x, z):
        """``log p(x | z)`` summed over positions or features; ``z`` is ``... x n``."""
        out = self.decoder(z.reshape(-1, self.latent_size))[0]
        out = out.reshape(*z.shape[:-1], -1)
        if self.kind == "categorical":
            logits = out.reshape(*out.shape[:-1], *self.shape)
            logp = torch.log_softmax(logits, dim=-1)
            target = x.expand(*logits.shape[:-1]).unsqueeze(-1)
            return logp.gather(-1, target).squeeze(-1).sum(-1)
        mean, log_std = out.chunk(2, dim=-1)
        log_std = log_std.clamp(_DECODER_LOG_STD_MIN, _LOG_STD_MAX)
        z_score = (x - mean) / log_std.exp()
        return (-0.5 * z_score**2 - log_std - _HALF_LOG_2PI).sum(-1)

    def loss_terms(self, x, generator):
        """Reconstruction term ``-log p(x | z)`` and ``KL(q(z|x) || N(0, I))``."""
        mean, log_std = self.encode(x)
        noise = torch.randn(
            mean.shape, generator=generator, device=mean.device, dtype=mean.dtype
        )
        z = mean + log_std.exp() * noise
        kl = 0.5 * (mean**2 + (2 * log_std).exp() - 1.0 - 2 * log_std).sum(-1)
        return -self.log_likelihood(x, z), kl

    @torch.no_grad()
    def sample(self, n, generator):
        """``n`` designs from the model: ``z ~ N(0, I)``, then ``x ~ p(x | z)``."""
        device = self.encoder.weights[0].device
        z = torch.randn(
            n, self.latent_size, generator=generator, device=device, dtype=self.dtype
        )
        out = self.decoder(z)[0]
        if self.kind == "categorical":
            logits = out.reshape(n, *self.shape)
            probs = torch.softmax(logits, dim=-1).reshape(-1, self.shape[1])
            tokens = torch.multinomial(probs, 1, generator=generator)
            return tokens.reshape(n, self.shape[0])
        mean, log_std = out.chunk(2, dim=-1)
        log_std = log_std.clamp(_DECODER_LOG_STD_MIN, _LOG_STD_MAX)
        noise = torch.randn(mean.shape, generator=generator, device=device)
        return mean + log_std.exp() * noise.to(mean.dtype)

    @torch.no_grad()
    def log_marginal(self, x, generator, n_samples=8, batch_size=4096):
        """Importance-sampled estimate of ``log p(x)`` (``n``), in batches of rows."""
        parts = []
        for start in range(0, x.shape[0], batch_size):
            xb = x[start : start + batch_size]
            mean, log_std = self.encode(xb)
            noise = torch.randn(
                (n_samples, *mean.shape),
                generator=generator,
                device=mean.device,
                dtype=mean.dtype,
            )
            z = mean + log_std.exp() * noise
            log_prior = (-0.5 * z**2 - _HALF_LOG_2PI).sum(-1)
            log_q = (-0.5 * noise**2 - log_std - _HALF_LOG_2PI).sum(-1)
            log_w = self.log_likelihood(xb, z) + log_prior - log_q
            parts.append(torch.logsumexp(log_w, 0) - math.log(n_samples))
        return torch.cat(parts)


def train_vae(vae, x, *, sample_weight, n_epochs, batch_size, lr, beta, generator):
    """Weighted ELBO training in place; returns the mean loss of each epoch.

    ``sample_weight`` (``n``, mean 1) or None weights each row's term.
    """
    n = x.shape[0]
    weights = None if sample_weight is None else sample_weight.to(vae.dtype)
    optimizer = torch.optim.Adam(vae.parameters(), lr=lr)
    losses = []
    for _ in range(n_epochs):
        total = torch.zeros((), device=x.device, dtype=vae.dtype)
        batches = minibatches(n, batch_size, generator)
        for idx in batches:
            nll, kl = vae.loss_terms(x[idx], generator)
            terms = nll + beta * kl
            if weights is None:
                loss = terms.mean()
            else:
                loss = weighted_mean(terms, weights[idx])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total = total + loss.detach()
        losses.append(float(total) / len(batches))
    return losses
