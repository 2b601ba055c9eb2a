"""Batch Bayesian optimization with q-Expected-Improvement, on BoTorch.

Jones, Schonlau, Welch (1998) for expected improvement; Wilson, Hutter, Deisenroth,
"Maximizing acquisition functions for Bayesian optimization", NeurIPS 2018 for its
Monte-Carlo batch form; Balandat et al., "BoTorch", NeurIPS 2020. As in
Design-Bench's BO-qEI baseline, a Gaussian process is fitted on a subset of the
data (the best designs), each round proposes a batch of ``q`` points by maximizing
qEI inside the data's bounding box, the fitted score model scores them, and they
join the process's data for the next round.

BoTorch draws its random restarts from the global torch RNG; the loop runs inside
``torch.random.fork_rng`` seeded from the caller's seed, so the global state is
restored afterwards and a seed gives the same run.
"""

import warnings
from dataclasses import dataclass, field

import numpy as np
import torch


def import_botorch():
    """The optional BoTorch modules, with an install hint when they are missing."""
    try:
        import botorch  # noqa: F401
        from botorch.acquisition.monte_carlo import qExpectedImprovement
        from botorch.exceptions.warnings import (
            BadInitialCandidatesWarning,
            InputDataWarning,
            NumericsWarning,
        )
        from botorch.fit import fit_gpytorch_mll
        from botorch.models import SingleTaskGP
        from botorch.optim import optimize_acqf
        from botorch.sampling.normal import SobolQMCNormalSampler
        from gpytorch.mlls import ExactMarginalLogLikelihood
    except ImportError as exc:
        raise ImportError(
            "BOqEIOptimizer needs the optional 'botorch' package: "
            'pip install "skcoms[botorch]" (or pip install botorch).'
        ) from exc
    return {
        "qExpectedImprovement": qExpectedImprovement,
        "quiet": (NumericsWarning, InputDataWarning, BadInitialCandidatesWarning),
        "fit_gpytorch_mll": fit_gpytorch_mll,
        "SingleTaskGP": SingleTaskGP,
        "optimize_acqf": optimize_acqf,
        "SobolQMCNormalSampler": SobolQMCNormalSampler,
        "ExactMarginalLogLikelihood": ExactMarginalLogLikelihood,
    }


@dataclass
class QEIConfig:
    """Settings of :func:`run_qei` (Design-Bench's values as defaults)."""

    n_rounds: int = 10
    q: int = 32
    num_restarts: int = 10
    raw_samples: int = 128
    maxiter: int = 200
    batch_limit: int = 5
    mc_samples: int = 128
    noise_std: float = 0.1


@dataclass
class QEIResult:
    """Every point the process saw (data subset first) and its score."""

    X: np.ndarray
    y: np.ndarray
    best: list = field(default_factory=list)


def _round(bt, X, t, config, seed, device):
    """One qEI batch from the process fitted on unit-cube inputs ``X``, scores ``t``."""
    noise = torch.full_like(t, config.noise_std**2)
    gp = bt["SingleTaskGP"](X, t, train_Yvar=noise)
    bt["fit_gpytorch_mll"](bt["ExactMarginalLogLikelihood"](gp.likelihood, gp))
    sampler = bt["SobolQMCNormalSampler"](
        sample_shape=torch.Size([config.mc_samples]), seed=seed
    )
    acquisition = bt["qExpectedImprovement"](gp, best_f=t.max(), sampler=sampler)
    unit = torch.stack([torch.zeros(X.shape[1]), torch.ones(X.shape[1])])
    candidates, _ = bt["optimize_acqf"](
        acquisition,
        bounds=unit.to(device=device, dtype=X.dtype),
        q=config.q,
        num_restarts=config.num_restarts,
        raw_samples=config.raw_samples,
        options={"batch_limit": config.batch_limit, "maxiter": config.maxiter},
    )
    return candidates.detach()


def run_qei(X, y, evaluate, *, config, seed, device):
    """Run the BO loop on numpy data; returns a :class:`QEIResult`.

    Parameters
    ----------
    X : ndarray ``n x d``; y : ndarray ``n``
        The process's starting data (already the chosen subset).
    evaluate : callable
        Maps an ``m x d`` numpy array of candidates to ``(designs, scores)``: the
        points actually proposed (a projection of the candidates, say onto a
        discrete space, in the units of ``X``) and their scores.
    config : QEIConfig
    seed : int
    device : torch.device
    """
    bt = import_botorch()
    low, high = X.min(axis=0), X.max(axis=0)
    span = np.where(high > low, high - low, 1.0)
    y_mean, y_scale = float(y.mean()), float(y.std()) or 1.0
    all_X, all_y = [np.asarray(X, dtype=np.float64)], [np.asarray(y, np.float64)]
    best = [float(np.max(y))]
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), warnings.catch_warnings():
        # Design-Bench's criterion is the plain qEI, which BoTorch would replace by
        # its log form; the scores are standardized here, which BoTorch cannot see
        # when they are all equal; random restarts when qEI is flat are expected
        for category in bt["quiet"]:
            warnings.simplefilter("ignore", category)
        torch.manual_seed(int(seed))
        for i in range(config.n_rounds):
            Xs = np.concatenate(all_X)
            ys = np.concatenate(all_y)
            unit_X = torch.as_tensor((Xs - low) / span, device=device)
            t = torch.as_tensor((ys - y_mean) / y_scale, device=device)[:, None]
            cand = _round(bt, unit_X, t, config, int(seed) + i, device)
            cand = cand.cpu().numpy() * span + low
            designs, scores = evaluate(cand)
            all_X.append(np.asarray(designs, dtype=np.float64))
            all_y.append(np.asarray(scores, dtype=np.float64))
            best.append(float(max(best[-1], np.max(scores))))
    return QEIResult(np.concatenate(all_X), np.concatenate(all_y), best)
