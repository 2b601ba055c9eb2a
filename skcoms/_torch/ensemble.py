"""An ensemble of Gaussian regressors, trained on bootstraps with sample weights.

Each member predicts a mean and a standard deviation of the score; the ensemble's
predictive distribution is the equal mixture of its members (as in the CbAS
reference), summarized by the mixture's mean and standard deviation, or evaluated
exactly for upper-tail probabilities.
"""

import math

import torch

from .nets import DenseStack, minibatches, weighted_mean

# bounds of the members' log standard deviation, in units of the standardized score
_LOG_STD_MIN, _LOG_STD_MAX = math.log(1e-3), math.log(10.0)


def make_gaussian_ensemble(n_features, hidden, n_members, generator, device, dtype):
    """An untrained ensemble: ``n_members`` MLPs with two outputs (mean, log std)."""
    sizes = [n_features, *hidden, 2]
    return DenseStack(sizes, generator, n_members=n_members, device=device, dtype=dtype)


def _mean_and_log_std(network, x):
    out = network(x)
    return out[..., 0], out[..., 1].clamp(_LOG_STD_MIN, _LOG_STD_MAX)


def train_gaussian_ensemble(
    network, X, y, *, sample_weight, n_epochs, batch_size, lr, generator
):
    """Fit each member by weighted Gaussian likelihood on its own bootstrap.

    Parameters
    ----------
    network : DenseStack with 2 outputs
        Trained in place (warm start when it was trained before).
    X : Tensor ``n x d``; y : Tensor ``n`` (standardized scores)
        On the network's device.
    sample_weight : Tensor ``n`` or None
        Importance weights of the rows (mean 1); None is all ones.
    n_epochs, batch_size, lr : training schedule (Adam).
    generator : torch.Generator on the data's device.

    Returns
    -------
    losses : list of float
        The mean weighted negative log-likelihood of each epoch.
    """
    n, k = X.shape[0], network.n_members
    # a bootstrap per member: how many times each row is drawn
    draws = torch.randint(n, (k, n), generator=generator, device=X.device)
    counts = torch.zeros(k, n, device=X.device, dtype=X.dtype)
    counts.scatter_add_(1, draws, torch.ones_like(draws, dtype=X.dtype))
    if sample_weight is not None:
        counts = counts * sample_weight
    optimizer = torch.optim.Adam(network.parameters(), lr=lr)
    losses = []
    for _ in range(n_epochs):
        total = X.new_zeros(())
        batches = minibatches(n, batch_size, generator)
        for idx in batches:
            mean, log_std = _mean_and_log_std(network, X[idx])
            z = (y[idx] - mean) / log_std.exp()
            nll = 0.5 * z**2 + log_std + 0.5 * math.log(2 * math.pi)
            loss = weighted_mean(nll, counts[:, idx]).sum()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total = total + loss.detach()
        # one host read per epoch
        losses.append(float(total) / (len(batches) * k))
    return losses


@torch.no_grad()
def ensemble_mean_std(network, X):
    """Mean and standard deviation of the equal mixture of the members (``n`` each)."""
    mean, log_std = _mean_and_log_std(network, X)
    mixture_mean = mean.mean(0)
    second = (log_std.exp() ** 2 + mean**2).mean(0)
    return mixture_mean, (second - mixture_mean**2).clamp_min(0.0).sqrt()


@torch.no_grad()
def ensemble_upper_tail(network, X, gamma):
    """``P(f(x) >= gamma)`` under the mixture of the members, for each row of ``X``."""
    mean, log_std = _mean_and_log_std(network, X)
    normal = torch.distributions.Normal(mean, log_std.exp())
    return (1.0 - normal.cdf(torch.as_tensor(gamma, dtype=X.dtype))).mean(0)
