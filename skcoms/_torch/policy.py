"""REINFORCE: a search distribution over designs trained by policy gradient.

Williams, "Simple statistical gradient-following algorithms for connectionist
reinforcement learning", Machine Learning 1992; the offline MBO baseline of
Design-Bench (Trabucco et al., ICML 2022).

The distribution is an independent categorical per position for sequences, or a
diagonal Gaussian for real vectors, started at the best designs of the data. Each
iteration draws a batch, scores it with the fitted model, and takes an Adam step
on ``-mean(log q(x) * (f(x) - mean f) / std f)``: the batch mean is the baseline
and the batch standard deviation scales the advantage.
"""

from dataclasses import dataclass, field

import torch

from .nets import device_generator

# share of the uniform distribution mixed into the starting categoricals, so that
# a token absent from the best designs can still be drawn
_UNIFORM_SHARE = 0.01


@dataclass
class ReinforceConfig:
    """Settings of :func:`fit_reinforce`; the public estimator validates them."""

    n_iterations: int = 200
    batch_size: int = 256
    learning_rate: float = 0.01
    exploration_std: float = 0.1


@dataclass
class Policy:
    """The search distribution's parameters and the training curve."""

    kind: str
    logits: torch.Tensor | None = None  # L x C
    mean: torch.Tensor | None = None  # d
    log_std: torch.Tensor | None = None  # d
    mean_score: list = field(default_factory=list)

    def parameters(self):
        if self.kind == "categorical":
            return [self.logits]
        return [self.mean, self.log_std]

    def distribution(self):
        if self.kind == "categorical":
            return torch.distributions.Categorical(logits=self.logits)
        return torch.distributions.Normal(self.mean, self.log_std.exp())

    def log_prob(self, x):
        return self.distribution().log_prob(x).sum(-1)

    def sample(self, n, generator):
        """``n`` designs (``n x L`` tokens or ``n x d`` reals), no gradient."""
        with torch.no_grad():
            if self.kind == "categorical":
                probs = torch.softmax(self.logits, -1)
                draws = torch.multinomial(
                    probs, n, replacement=True, generator=generator
                )
                return draws.T
            noise = torch.randn(
                (n, self.mean.shape[0]),
                generator=generator,
                device=self.mean.device,
                dtype=self.mean.dtype,
            )
            return self.mean + self.log_std.exp() * noise


def initial_policy(start, *, kind, n_categories, exploration_std, device, dtype):
    """The distribution at the starting designs ``start`` (a tensor).

    Categorical: the token frequencies of ``start`` at each position, mixed with a
    little of the uniform distribution. Gaussian: their mean, with standard
    deviation ``exploration_std`` (in the caller's standardized units).
    """
    if kind == "categorical":
        onehot = torch.nn.functional.one_hot(start.to(device), n_categories)
        freq = onehot.to(dtype).mean(0)
        freq = (1 - _UNIFORM_SHARE) * freq + _UNIFORM_SHARE / n_categories
        return Policy(kind, logits=freq.log().requires_grad_(True))
    mean = start.to(device=device, dtype=dtype).mean(0)
    log_std = torch.full_like(mean, float(torch.log(torch.tensor(exploration_std))))
    return Policy(
        kind, mean=mean.requires_grad_(True), log_std=log_std.requires_grad_(True)
    )


def _standardized(values):
    """``(values - mean) / std`` in the values' dtype, whatever their units.

    The values are first divided by the power of two at or below their largest
    magnitude (exact), so that scores in tiny units do not square into float32's
    subnormals; for scores of ordinary size the result is the same to the bit.
    """
    _, exponent = torch.frexp(values.abs().max())
    values = values / torch.pow(2.0, (exponent - 1).to(values.dtype))
    return (values - values.mean()) / values.std().clamp_min(1e-12)


def fit_reinforce(policy, score, *, config, seed):
    """Train ``policy`` in place by REINFORCE on ``score`` (designs -> ``n`` scores).

    ``score`` receives a batch of designs as the policy samples them and returns
    their predicted scores as a tensor; it is called without gradient.
    """
    device = policy.parameters()[0].device
    gen = device_generator(seed, device)
    optimizer = torch.optim.Adam(policy.parameters(), lr=config.learning_rate)
    means = []
    for _ in range(config.n_iterations):
        x = policy.sample(config.batch_size, gen)
        with torch.no_grad():
            values = score(x)
            # standardized in the scores' dtype (float64 for scores in tiny units)
            advantage = _standardized(values).to(policy.parameters()[0].dtype)
        loss = -(policy.log_prob(x) * advantage).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        means.append(values.mean())
    # one host read for the whole curve
    policy.mean_score = torch.stack(means).double().cpu().tolist() if means else []
    return policy


class ModelScore:
    """Predicted scores of a batch drawn by a policy, as a tensor on its device.

    The batch (``n x L`` tokens, or ``n x d`` standardized reals) is encoded as the
    model reads designs: logits ``gap * (onehot_c - onehot_0)`` for tokens, or
    ``x * scale + mean`` clipped to ``bounds`` for reals, computed in float64 (a
    design far from the origin in its units, ``1e8 + x``, keeps the resolution of
    ``x``). A model ``objective`` (a
    :class:`~skcoms._torch.objective.DesignObjective`) is evaluated on its own
    device; without one, ``predict`` (numpy in, numpy out) is called.
    """

    def __init__(self, *, kind, n_categories, gap=None, mean=None, scale=None,
                 bounds=None, objective=None, predict=None, device, dtype):  # fmt: skip
        self.kind, self.n_categories, self.gap = kind, n_categories, gap
        self.objective, self.predict = objective, predict
        self.device, self.dtype = device, dtype
        kw = {"device": device, "dtype": torch.float64}
        if kind == "gaussian":
            self.mean = torch.as_tensor(mean, **kw)
            self.scale = torch.as_tensor(scale, **kw)
        self.bounds = None
        if bounds is not None:
            self.bounds = [torch.as_tensor(b, **kw) for b in bounds]

    def encode(self, x):
        """Encoded designs, the projection onto the box included."""
        if self.kind == "categorical":
            onehot = torch.nn.functional.one_hot(x, self.n_categories).to(self.dtype)
            return (self.gap * (onehot[:, :, 1:] - onehot[:, :, :1])).flatten(1)
        Z = x.to(torch.float64) * self.scale + self.mean
        return Z if self.bounds is None else torch.clamp(Z, *self.bounds)

    def __call__(self, x):
        Z = self.encode(x)
        if self.objective is not None:
            objective = self.objective
            dtype = objective.dtype
            if self.kind == "gaussian":
                dtype = getattr(objective, "position_dtype", dtype)
            values, _ = objective(Z.to(device=objective.device, dtype=dtype))
            # float64 scores stay float64 (in units too small for float32)
            return values.to(device=self.device)
        values = self.predict(Z.double().cpu().numpy())
        return torch.as_tensor(values, device=self.device, dtype=torch.float64)


def reinforce_on_model(start, score_kw, *, config, seed):
    """Train a policy from the numpy designs ``start`` on a model; CPU policy back.

    ``score_kw`` are the arguments of :class:`ModelScore` but the device, which is
    the objective's (the CPU without one).
    """
    objective = score_kw.get("objective")
    device = objective.device if objective is not None else torch.device("cpu")
    dtype = torch.float32
    score = ModelScore(**score_kw, device=device, dtype=dtype)
    policy = initial_policy(
        torch.as_tensor(start), kind=score.kind, n_categories=score.n_categories,
        exploration_std=config.exploration_std, device=device, dtype=dtype,
    )  # fmt: skip
    fit_reinforce(policy, score, config=config, seed=seed)
    # kept on the CPU, where proposals are drawn: pickles load anywhere
    on_cpu = {
        name: None if t is None else t.detach().cpu()
        for name, t in (
            ("logits", policy.logits),
            ("mean", policy.mean),
            ("log_std", policy.log_std),
        )
    }
    return Policy(policy.kind, **on_cpu, mean_score=policy.mean_score)


def sample_policy(policy, n, seed):
    """``n`` numpy designs from a CPU policy, drawn with a generator of ``seed``."""
    return policy.sample(n, device_generator(seed, "cpu")).numpy()
