"""Decoding-aware ascent on token sequences: keep the best decoded design per path.

The ascent of :mod:`skcoms._torch.ascent` moves the logits of each sequence; here
every iterate is also decoded (argmax per position, optionally kept within
``max_changes`` tokens of the start), scored by the model as the design it
decodes to, and checked against rules on the design (adjacent token pairs seen in
the data; not a design of the data). Each path keeps its best valid decoded
design. Everything runs on the model's device; the search makes one host copy.
"""

import math

import numpy as np
import torch

from .ascent import gradient_ascent, host_copy, start_points

# identities of sequences: two hashes modulo the Mersenne prime 2**31 - 1, with
# weights from a fixed private generator, when base-C digits do not fit in int64
_PRIME = 2**31 - 1
_HASH_SEED = 0


def _key_weights(sequence_length, n_categories, device):
    """Weights of :func:`_keys`: exact base-C digits when ``C**L < 2**62``."""
    if n_categories**sequence_length < 2**62:
        powers = [n_categories**i for i in range(sequence_length - 1, -1, -1)]
        return torch.tensor(powers, dtype=torch.int64, device=device), True
    rng = np.random.RandomState(_HASH_SEED)
    weights = rng.randint(1, _PRIME, size=(2, sequence_length)).astype(np.int64)
    return torch.as_tensor(weights, device=device), False


def _keys(tokens, weights, exact):
    """int64 identity of each row of ``tokens`` (``n x L``).

    Exact digits, or two 31-bit polynomial hashes: equal sequences always get
    equal keys; two different sequences share one with probability about
    ``2**-62`` (every product stays below ``2**62``: nothing overflows).
    """
    if exact:
        return (tokens * weights).sum(-1)
    h = ((tokens.unsqueeze(-2) * weights) % _PRIME).sum(-1) % _PRIME
    return h[..., 0] * 2**31 + h[..., 1]


def sequence_keys(tokens, n_categories):
    """Sorted distinct keys of integer sequences; numpy in, numpy out.

    Parameters
    ----------
    tokens : ndarray of shape (n, L), int
        Category indices.
    n_categories : int
        Number of categories ``C``.

    Returns
    -------
    keys : ndarray of int64
        Sorted, distinct; the keys the search compares its decoded designs with.
    """
    tokens = torch.as_tensor(np.asarray(tokens, dtype=np.int64))
    weights, exact = _key_weights(tokens.shape[1], n_categories, "cpu")
    return torch.unique(_keys(tokens, weights, exact)).numpy()


def _contains(sorted_keys, keys):
    """Whether each key is in ``sorted_keys`` (a sorted 1-D tensor), on the device."""
    if sorted_keys.numel() == 0:
        return torch.zeros_like(keys, dtype=torch.bool)
    at = torch.searchsorted(sorted_keys, keys).clamp_(max=sorted_keys.numel() - 1)
    return sorted_keys[at] == keys


def _logits(x, sequence_length, n_categories):
    """Encoded designs as ``n x L x C`` logits, a zero logit for category 0."""
    logits = x.reshape(x.shape[0], sequence_length, n_categories - 1)
    return torch.cat([torch.zeros_like(logits[..., :1]), logits], dim=-1)


def _encode(tokens, n_categories, soft_interpolation, dtype):
    """The encoding of :class:`~skcoms.spaces.CategoricalSequence`, on the device."""
    s, C = soft_interpolation, n_categories
    margin = math.log(s + (1 - s) / C) - math.log((1 - s) / C)
    onehot = torch.nn.functional.one_hot(tokens, C).to(dtype)
    encoded = margin * (onehot[..., 1:] - onehot[..., :1])
    return encoded.reshape(tokens.shape[0], -1)


def project_changes(logits, tokens0, max_changes):
    """Argmax tokens with at most ``max_changes`` positions changed from ``tokens0``.

    The changed positions kept are those where the argmax logit beats the start
    token's logit by the most; the others go back to the start token.

    Parameters
    ----------
    logits : Tensor of shape (n, L, C)
    tokens0 : Tensor of shape (n, L), int64
    max_changes : int or None

    Returns
    -------
    tokens : Tensor of shape (n, L), int64
    """
    tokens = logits.argmax(-1)
    if max_changes is None or max_changes >= tokens.shape[1]:
        return tokens
    if max_changes == 0:
        return tokens0.clone()
    changed = tokens != tokens0
    gain = logits.gather(-1, tokens.unsqueeze(-1)) - logits.gather(
        -1, tokens0.unsqueeze(-1)
    )
    gain = torch.where(changed, gain.squeeze(-1), torch.full_like(gain[..., 0], -1.0))
    keep = torch.zeros_like(changed)
    keep.scatter_(1, gain.topk(max_changes, dim=1).indices, True)
    return torch.where(keep & changed, tokens, tokens0)


class _DecodedPaths:
    """Observer of the ascent: decodes, scores and keeps one design per path."""

    def __init__(self, objective, x0, space, rules, selection):
        self.objective = objective
        self.L, self.C, self.s = space
        self.known, self.pairs, self.max_changes, self.weights = rules
        self.selection = selection
        self.tokens0 = _logits(x0, self.L, self.C).argmax(-1)
        self.tokens = self.tokens0.clone()
        self.value = torch.full((x0.shape[0],), -math.inf, device=x0.device)
        self.value = self.value.to(x0.dtype)
        self.scores = []

    def _ladder(self):
        """Change counts tried at each iterate: 1, 2, 4, ... and the full decoding.

        With ``selection="best"`` an iterate stands for its decoding with its
        ``k`` most-gained positions changed, for each ``k`` of the ladder: a step
        that jumps over every design the rules allow still offers the designs
        on the way (a few changes from the start). ``"last"`` decodes in full.
        """
        cap = self.L if self.max_changes is None else min(self.max_changes, self.L)
        if self.selection != "best":
            return [cap]
        ladder = [2**i for i in range(cap.bit_length()) if 2**i < cap]
        return ladder + [cap]

    def __call__(self, x, _):
        logits = _logits(x, self.L, self.C)
        n, ladder = x.shape[0], self._ladder()
        # every rung in one batch: one evaluation of the model per iterate
        tokens = torch.cat([project_changes(logits, self.tokens0, k) for k in ladder])
        score = self.objective(_encode(tokens, self.C, self.s, x.dtype))[0]
        finite = torch.isfinite(x).all(-1).repeat(len(ladder))
        valid = finite
        if self.pairs is not None:
            valid = valid & self.pairs[tokens[:, :-1], tokens[:, 1:]].all(-1)
        if self.known is not None:
            valid = valid & ~_contains(self.known, _keys(tokens, *self.weights))
        # per path, the best valid rung (the full decoding when none is valid)
        masked = torch.where(valid, score, torch.full_like(score, -math.inf))
        rung = masked.view(len(ladder), n).argmax(0)
        rung = torch.where(
            valid.view(len(ladder), n).any(0),
            rung,
            torch.full_like(rung, len(ladder) - 1),
        )
        pick = rung * n + torch.arange(n, device=x.device)
        tokens, score, valid = tokens[pick], score[pick], valid[pick]
        keep = valid & (score > self.value) if self.selection == "best" else valid
        self.value = torch.where(keep, score, self.value)
        self.tokens = torch.where(keep.unsqueeze(-1), tokens, self.tokens)
        # a diverged iterate shows as NaN: the caller reports it
        finite = finite[:n]
        self.scores.append(torch.where(finite, score, torch.full_like(score, math.nan)))


def ascend_decoded(
    objective,
    Z0,
    *,
    n_steps,
    step_size,
    sequence_length,
    n_categories,
    soft_interpolation,
    selection="best",
    known_keys=None,
    allowed_pairs=None,
    max_changes=None,
):
    """Decoding-aware ascent from the encoded sequences ``Z0``; numpy in, numpy out.

    Runs :func:`~skcoms._torch.ascent.gradient_ascent` on the logits and, at every
    iterate (the start included), decodes each path's logits (within
    ``max_changes`` tokens of its start), scores the decoded design with the
    model, and keeps per path the valid decoded design of highest score
    (``selection="best"``) or the last valid one (``"last"``). A decoded design
    is valid when its logits are finite, every adjacent pair of its tokens is
    allowed (``allowed_pairs``) and its key is not in ``known_keys``. A path
    that finds no valid design keeps its start.

    Parameters
    ----------
    objective : DesignObjective
        The fitted model's objective; the search runs on its device and dtype.
    Z0 : ndarray of shape (n, L * (C - 1))
        Encoded start sequences.
    n_steps : int
        Number of ascent steps.
    step_size : float
        Step length in the units of the objective's direction.
    sequence_length, n_categories : int
        ``L`` and ``C`` of the design space.
    soft_interpolation : float
        The space's one-hot weight, to encode the decoded designs as it does.
    selection : {"best", "last"}
        Which valid decoded design of each path to keep.
    known_keys : ndarray of int64, optional
        Sorted keys (:func:`sequence_keys`) of designs never to keep.
    allowed_pairs : ndarray of shape (C, C), bool, optional
        ``allowed_pairs[a, b]``: whether token ``b`` may follow token ``a``.
    max_changes : int, optional
        Trust region: at most this many tokens changed from the start.

    Returns
    -------
    Z : ndarray of shape (n, L * (C - 1)), float64
        The encoded kept designs.
    trajectory : ndarray of shape (n_steps + 1, n), float64
        The model's score of each path's decoded design at each iterate (NaN
        where the logits are no longer finite).
    """
    device = objective.device
    x0, step_size = start_points(objective, Z0, step_size)
    weights = _key_weights(sequence_length, n_categories, device)
    known = None
    if known_keys is not None:
        known = torch.as_tensor(np.asarray(known_keys, dtype=np.int64), device=device)
    pairs = None
    if allowed_pairs is not None:
        pairs = torch.as_tensor(np.asarray(allowed_pairs, dtype=bool), device=device)
    paths = _DecodedPaths(
        objective,
        x0,
        (sequence_length, n_categories, soft_interpolation),
        (known, pairs, max_changes, weights),
        selection,
    )
    gradient_ascent(objective, x0, n_steps=n_steps, step_size=step_size, observe=paths)
    Z = _encode(paths.tokens, n_categories, soft_interpolation, x0.dtype)
    return host_copy(Z, torch.stack(paths.scores))
