"""Conditioning by Adaptive Sampling (CbAS) and its autofocused variant.

Brookes, Park, Listgarten, "Conditioning by adaptive sampling for robust design",
ICML 2019; Fannjiang, Listgarten, "Autofocused oracles for model-based design",
NeurIPS 2020.

A prior VAE ``p0`` is fitted on the data and an ensemble of Gaussian regressors on
the scores. The search distribution ``q`` starts at ``p0``; each round draws samples
from ``q``, sets the threshold ``gamma`` at a quantile of their predicted scores,
weights each sample by ``p0(x) / q(x) * P(f(x) >= gamma)`` and refits ``q`` by
weighted maximum likelihood. With autofocus, the regressors are then refitted on the
data weighted by ``q(x) / p0(x)``, so that they are most accurate where the search
now looks.
"""

import copy
from dataclasses import dataclass, field

import numpy as np
import torch

from .ensemble import (
    ensemble_mean_std,
    ensemble_upper_tail,
    make_gaussian_ensemble,
    train_gaussian_ensemble,
)
from .nets import device_generator, normalized_weights
from .vae import VAE, train_vae


@dataclass
class CbASConfig:
    """Settings of :func:`fit_cbas`; the public estimator validates them."""

    latent_size: int = 32
    hidden: tuple = (256, 256)
    beta: float = 1.0
    learning_rate: float = 3e-4
    batch_size: int = 100
    prior_epochs: int = 20
    n_rounds: int = 20
    samples_per_round: int = 1000
    round_epochs: int = 10
    quantile: float = 0.8
    weight_exponent: float = 0.2
    n_importance_samples: int = 8
    n_members: int = 5
    model_hidden: tuple = (256, 256)
    model_epochs: int = 20
    model_learning_rate: float = 1e-3
    autofocus: bool = False
    autofocus_epochs: int = 5


@dataclass
class CbASResult:
    """The fitted search distribution, prior and score model, and the curves."""

    search: VAE
    prior: VAE
    ensemble: torch.nn.Module
    y_mean: float
    y_scale: float
    gamma: list = field(default_factory=list)
    mean_prediction: list = field(default_factory=list)
    prior_loss: list = field(default_factory=list)


def design_features(kind, x, n_categories, dtype):
    """What the score model reads: flattened one-hot tokens, or the real vector."""
    if kind == "categorical":
        onehot = torch.nn.functional.one_hot(x, n_categories).to(dtype)
        return onehot.flatten(1)
    return x.to(dtype)


def _log_weights(result, samples, features, quantile, config, generator):
    """``exponent * log(p0(x) / q(x) * P(f(x) >= gamma))`` of each sample, and gamma."""
    mean, _ = ensemble_mean_std(result.ensemble, features)
    gamma = torch.quantile(mean, quantile)
    tail = ensemble_upper_tail(result.ensemble, features, gamma)
    k = config.n_importance_samples
    log_ratio = result.prior.log_marginal(
        samples, generator, k
    ) - result.search.log_marginal(samples, generator, k)
    log_w = log_ratio + torch.log(tail.clamp_min(1e-30))
    return config.weight_exponent * log_w, gamma, mean


def _as_weights(log_w):
    return normalized_weights(torch.exp(log_w - log_w.max()))


class _Data:
    """The data on the device: designs, score-model features, standardized scores."""

    def __init__(self, designs, y, kind, shape, device, dtype):
        y = np.asarray(y, dtype=np.float64)
        self.y_mean, self.y_scale = float(y.mean()), float(y.std()) or 1.0
        if kind == "categorical":
            self.x = torch.as_tensor(designs, dtype=torch.long, device=device)
        else:
            self.x = torch.as_tensor(designs, device=device).to(dtype)
        t = (y - self.y_mean) / self.y_scale
        self.t = torch.as_tensor(t, device=device).to(dtype)
        self.kind, self.dtype = kind, dtype
        self.n_categories = shape[1] if kind == "categorical" else None
        self.features = self.featurize(self.x)

    def featurize(self, x):
        return design_features(self.kind, x, self.n_categories, self.dtype)


def _round(result, data, config, fit_vae, fit_model, gen):
    """Sample from q, weight the samples, refit q (and, autofocused, the model)."""
    samples = result.search.sample(config.samples_per_round, gen)
    log_w, gamma, mean = _log_weights(
        result, samples, data.featurize(samples), config.quantile, config, gen
    )
    train_vae(
        result.search, samples, sample_weight=_as_weights(log_w),
        n_epochs=config.round_epochs, **fit_vae,
    )  # fmt: skip
    result.gamma.append(float(gamma) * data.y_scale + data.y_mean)
    result.mean_prediction.append(float(mean.mean()) * data.y_scale + data.y_mean)
    if config.autofocus:
        k = config.n_importance_samples
        log_v = result.search.log_marginal(data.x, gen, k)
        log_v = log_v - result.prior.log_marginal(data.x, gen, k)
        train_gaussian_ensemble(
            result.ensemble, data.features, data.t,
            sample_weight=_as_weights(config.weight_exponent * log_v),
            n_epochs=config.autofocus_epochs, **fit_model,
        )  # fmt: skip


def fit_cbas(designs, y, *, kind, shape, config, seed, device, dtype=torch.float32):
    """Run CbAS on numpy data; returns a :class:`CbASResult`.

    Parameters
    ----------
    designs : ndarray
        ``n x L`` integer tokens (``kind="categorical"``, ``shape=(L, C)``) or
        ``n x d`` standardized reals (``kind="gaussian"``, ``shape=(d,)``).
    y : ndarray of shape (n,)
        Scores; standardized here.
    config : CbASConfig
    seed : int
        Seeds every draw (weights on the CPU, samples on ``device``).
    device : torch.device
    """
    init = torch.Generator().manual_seed(int(seed))
    gen = device_generator(seed + 1, device)
    data = _Data(designs, y, kind, shape, device, dtype)
    ensemble = make_gaussian_ensemble(
        data.features.shape[1], config.model_hidden, config.n_members, init,
        device, dtype,
    )  # fmt: skip
    fit_model = dict(
        batch_size=config.batch_size, lr=config.model_learning_rate, generator=gen
    )
    train_gaussian_ensemble(
        ensemble, data.features, data.t, sample_weight=None,
        n_epochs=config.model_epochs, **fit_model,
    )  # fmt: skip
    prior = VAE(
        kind, shape, latent_size=config.latent_size, hidden=config.hidden,
        generator=init, device=device, dtype=dtype,
    )  # fmt: skip
    fit_vae = dict(
        batch_size=config.batch_size, lr=config.learning_rate, beta=config.beta,
        generator=gen,
    )  # fmt: skip
    prior_loss = train_vae(
        prior, data.x, sample_weight=None, n_epochs=config.prior_epochs, **fit_vae
    )
    result = CbASResult(
        copy.deepcopy(prior), prior, ensemble, data.y_mean, data.y_scale,
        prior_loss=prior_loss,
    )  # fmt: skip
    for _ in range(config.n_rounds):
        _round(result, data, config, fit_vae, fit_model, gen)
    return result


@torch.no_grad()
def sample_cbas(result, n, seed):
    """``n`` designs from the search distribution and their predicted scores.

    Returns numpy arrays: designs (tokens, or standardized reals) and scores in the
    units of the ``y`` seen in fit.
    """
    search = result.search
    device = search.encoder.weights[0].device
    samples = search.sample(n, device_generator(seed, device))
    n_categories = search.shape[1] if search.kind == "categorical" else None
    features = design_features(search.kind, samples, n_categories, search.dtype)
    mean, _ = ensemble_mean_std(result.ensemble, features)
    scores = mean.double().cpu().numpy() * result.y_scale + result.y_mean
    return samples.cpu().numpy(), scores


@torch.no_grad()
def predict_cbas(result, designs):
    """Predicted scores (ensemble mean, ``y`` units) of numpy designs."""
    search = result.search
    device = search.encoder.weights[0].device
    if search.kind == "categorical":
        x = torch.as_tensor(designs, dtype=torch.long, device=device)
        features = design_features("categorical", x, search.shape[1], search.dtype)
    else:
        features = torch.as_tensor(designs, device=device).to(search.dtype)
    mean, _ = ensemble_mean_std(result.ensemble, features)
    return mean.double().cpu().numpy() * result.y_scale + result.y_mean
