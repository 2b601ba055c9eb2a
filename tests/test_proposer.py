"""The proposer of OfflineDesignOptimizer: paths per design, the best decoded design
of each path, trust regions, the adjacent-pair support rule, new designs."""

import warnings
from contextlib import nullcontext

import numpy as np
import pytest
import torch

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
from skcoms._compat import InvalidParameterError
from skcoms._torch.ascent import ascend, gradient_ascent
from skcoms._torch.decoded import ascend_decoded, project_changes, sequence_keys
from skcoms.baselines import GradientAscentOptimizer

CLASSIC = {
    "paths_per_design": 1,
    "path_selection": "last",
    "support": None,
    "min_separation": None,
    "drop_duplicates": False,
    "recombine": None,
}


def model(**params):
    defaults = {
        "hidden_layer_sizes": (32, 32),
        "alpha": 0.0,
        "max_iter": 20,
        "n_ascent_steps": 5,
        # a step the paths of this small task make several moves with
        "ascent_step_size": 0.5,
        "device": "cpu",
        "random_state": 0,
    }
    return ConservativeObjectiveRegressor(**{**defaults, **params})


def banned_pair_task(n=400, L=8, C=4, seed=0):
    """Sequences in which token 3 never follows token 3; the score counts 3s.

    A model of the score pushes towards runs of 3s, a pair the data never shows.
    """
    rng = np.random.RandomState(seed)
    X = rng.randint(0, C, size=(6 * n, L))
    X = X[~((X[:, :-1] == 3) & (X[:, 1:] == 3)).any(axis=1)][:n]
    y = (X == 3).sum(axis=1) + 0.1 * rng.normal(size=len(X))
    return X, y


def quadratic_task(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.uniform(-2, 2, size=(n, 3))
    return X, -(X**2).sum(axis=1)


def rows(A):
    return {tuple(r) for r in np.asarray(A).tolist()}


def has_pair_33(designs):
    return ((designs[:, :-1] == 3) & (designs[:, 1:] == 3)).any(axis=1)


@pytest.fixture(scope="module")
def fitted_sequences():
    X, y = banned_pair_task()
    return X, y, OfflineDesignOptimizer(model(), random_state=0).fit(X, y)


def test_default_proposals_are_new_distinct_designs(fitted_sequences):
    X, y, opt = fitted_sequences
    designs, scores = opt.propose(16, return_scores=True)
    assert len(designs) == 16 and len(rows(designs)) == 16
    assert not rows(designs) & rows(X)
    assert np.all(np.diff(scores) <= 0)
    np.testing.assert_allclose(scores, opt.predict(designs), rtol=1e-12)


def test_support_rule_proposes_only_pairs_seen_in_the_data(fitted_sequences):
    X, y, opt = fitted_sequences
    assert not has_pair_33(X).any()
    supported = opt.set_params(support="pairs").propose(32)
    assert len(supported) == 32 and not has_pair_33(supported).any()
    # without the rule the model's favourite pair appears: the rule is what holds
    free = opt.set_params(support=None).propose(32)
    assert has_pair_33(free).any()
    opt.set_params(support="pairs")


def test_support_rule_applies_to_the_last_design_too(fitted_sequences):
    X, y, opt = fitted_sequences
    opt.set_params(path_selection="last", drop_duplicates=False)
    designs = opt.propose(16)
    opt.set_params(path_selection="best", drop_duplicates=True)
    assert not has_pair_33(designs).any()


def test_best_selection_keeps_the_best_scored_decoded_design(fitted_sequences):
    X, y, opt = fitted_sequences
    opt.set_params(support=None, drop_duplicates=False, paths_per_design=1)
    designs, scores = opt.propose(8, return_scores=True)
    traj = opt.trajectory_
    opt.set_params(support="pairs", drop_duplicates=True, paths_per_design=4)
    # the trajectory scores the decoded design of every iterate; the proposal is
    # the best of them (ascent in the model's float32, prediction in float64)
    assert traj.shape == (opt.n_steps_ + 1, 8)
    np.testing.assert_allclose(scores, traj.max(axis=0), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("max_changes", [0, 1, 2])
def test_max_changes_is_respected_exactly(fitted_sequences, max_changes):
    X, y, opt = fitted_sequences
    Z0 = opt._designs[np.argsort(-y)[:32]]
    space = opt.design_space_
    Z, _ = ascend_decoded(
        opt.estimator_.design_objective(),
        Z0,
        n_steps=5,
        step_size=opt.step_size_,
        sequence_length=space.sequence_length_,
        n_categories=space.n_categories_,
        soft_interpolation=space.soft_interpolation,
        max_changes=max_changes,
    )
    changes = (space.decode(Z) != space.decode(Z0)).sum(axis=1)
    assert changes.max() == max_changes  # at most, and the limit is reached
    # through the estimator: every proposal within max_changes of a data design
    opt.set_params(max_changes=max_changes)
    with pytest.warns(UserWarning) if max_changes == 0 else nullcontext():
        designs = opt.propose(8)
    opt.set_params(max_changes=None)
    nearest = (designs[:, None, :] != X[None]).sum(axis=2).min(axis=1)
    assert np.all(nearest <= max_changes)
    assert len(designs) == (0 if max_changes == 0 else 8)


def test_project_changes_keeps_the_largest_gains():
    # one sequence of 4 positions, 3 categories, start all 0
    logits = torch.tensor(
        [[[0.0, 1.0, 0.0], [0.0, 0.0, 3.0], [0.0, 2.0, 0.0], [1.0, 0.0, 0.0]]]
    )
    start = torch.zeros(1, 4, dtype=torch.int64)
    assert project_changes(logits, start, None).tolist() == [[1, 2, 1, 0]]
    assert project_changes(logits, start, 2).tolist() == [[0, 2, 1, 0]]
    assert project_changes(logits, start, 1).tolist() == [[0, 2, 0, 0]]
    assert project_changes(logits, start, 0).tolist() == [[0, 0, 0, 0]]


@pytest.mark.parametrize("max_distance", [0.05, 0.3])
def test_max_distance_is_respected(max_distance):
    X, y = quadratic_task()
    opt = OfflineDesignOptimizer(
        model(ascent_step_size=0.5), max_distance=max_distance, random_state=0
    ).fit(X, y)
    scale = opt.estimator_.x_scale_
    Z0 = X[np.argsort(-y)[:16]]
    for selection in ("best", "last"):
        Z, _ = ascend(
            opt.estimator_.design_objective(),
            Z0,
            n_steps=10,
            step_size=0.5,
            max_distance=max_distance,
            selection=selection,
        )
        rms = np.sqrt((((Z - Z0) / scale) ** 2).mean(axis=1))
        assert rms.max() <= max_distance * (1 + 1e-5)
        assert rms.max() >= 0.5 * max_distance  # the region is reached, not avoided
    # "auto" starts no path from a mean under a trust region: every proposal
    # lies within it of a design of the data
    designs = opt.propose(8)
    rms = np.sqrt((((designs[:, None] - X[None]) / scale) ** 2).mean(axis=2))
    assert np.all(rms.min(axis=1) <= max_distance * (1 + 1e-5))
    assert opt.get_params()["recombine"] == "auto"


def test_a_radius_that_never_binds_changes_no_design():
    # iterates inside the trust region are kept to the bit, not recomputed
    # (every path from a design of the data, as "auto" under a trust region)
    X, y = quadratic_task()
    opt = OfflineDesignOptimizer(
        model(ascent_step_size=0.5), recombine=None, random_state=0
    )
    free = opt.fit(X, y).propose(8)
    np.testing.assert_array_equal(opt.set_params(max_distance=1e6).propose(8), free)
    assert not np.array_equal(opt.set_params(max_distance=0.05).propose(8), free)


def _closest_pair(designs, scale):
    """The smallest RMS distance between two designs, in units of ``scale``."""
    diff = (designs[:, None] - designs[None]) / scale
    rms = np.sqrt((diff**2).mean(axis=2))
    np.fill_diagonal(rms, np.inf)
    return rms.min()


@pytest.mark.parametrize("drop_duplicates", [False, True])
def test_no_two_continuous_proposals_are_near_copies(drop_duplicates):
    # one maximum: paths from neighbouring starts of the data meet near it
    X, y = quadratic_task()
    scale = X.std(axis=0)
    opt = OfflineDesignOptimizer(
        model(ascent_step_size=0.5),
        n_steps=20,
        min_separation=None,
        drop_duplicates=drop_duplicates,
        random_state=0,
    ).fit(X, y)
    crowded = opt.propose(16)
    assert _closest_pair(crowded, scale) < 0.05
    separated = opt.set_params(min_separation=0.05).propose(16)
    # as many designs, from more start points of the data, none within 0.05
    assert len(separated) == 16
    assert _closest_pair(separated, scale) >= 0.05
    assert len(rows(separated) - rows(crowded)) > 0
    # a radius below every pair's distance, or 0, drops nothing
    below = 0.5 * _closest_pair(crowded, scale)
    for radius in (below, 0.0):
        kept = opt.set_params(min_separation=radius).propose(16)
        np.testing.assert_array_equal(kept, crowded)


def test_near_copies_are_a_rule_of_continuous_designs_only(fitted_sequences):
    _, _, opt = fitted_sequences
    designs = opt.propose(12)
    np.testing.assert_array_equal(
        opt.set_params(min_separation=100.0).propose(12), designs
    )
    opt.set_params(min_separation=0.01)
    assert GradientAscentOptimizer().get_params()["min_separation"] is None
    assert OfflineDesignOptimizer().get_params()["min_separation"] == 0.01


@pytest.mark.parametrize("drop_duplicates", [False, True])
def test_more_paths_never_lower_the_predicted_scores(drop_duplicates):
    X, y = banned_pair_task()
    opt = OfflineDesignOptimizer(
        model(dtype="float64"), drop_duplicates=drop_duplicates, random_state=0
    ).fit(X, y)
    _, one = opt.set_params(paths_per_design=1).propose(16, return_scores=True)
    _, four = opt.set_params(paths_per_design=4).propose(16, return_scores=True)
    assert np.all(four >= one - 1e-9)
    if not drop_duplicates:
        assert four.mean() > one.mean()  # and here they raise them


def _classic_sequences(opt, X, y, n):
    """The published protocol written out: end points of the top-n, argmax, ranked."""
    objective = opt.estimator_.design_objective()
    x0 = torch.as_tensor(opt._designs[np.argsort(-y, kind="stable")[:n]])
    x, _ = gradient_ascent(
        objective,
        x0.to(objective.dtype),
        n_steps=opt.n_steps_,
        step_size=opt.step_size_,
    )
    designs = opt.design_space_.decode(x.double().numpy())
    return designs[np.argsort(-opt.predict(designs), kind="stable")]


def test_last_with_one_path_is_the_published_protocol():
    X, y = banned_pair_task()
    opt = OfflineDesignOptimizer(model(), random_state=0, **CLASSIC).fit(X, y)
    np.testing.assert_array_equal(opt.propose(12), _classic_sequences(opt, X, y, 12))
    # and keeps its designs of the data: nothing filters them
    assert GradientAscentOptimizer().get_params()["drop_duplicates"] is False


def test_gradient_ascent_keeps_the_published_protocol_by_default():
    X, y = banned_pair_task()
    params = GradientAscentOptimizer().get_params()
    assert {k: params[k] for k in CLASSIC} == CLASSIC
    assert params["max_changes"] is None and params["max_distance"] is None
    grad = GradientAscentOptimizer(model(), random_state=0).fit(X, y)
    classic = OfflineDesignOptimizer(model(), random_state=0, **CLASSIC).fit(X, y)
    np.testing.assert_array_equal(grad.propose(12), classic.propose(12))
    np.testing.assert_array_equal(grad.trajectory_, classic.trajectory_)
    # the new proposer is one set of parameters away
    grad.set_params(paths_per_design=4, path_selection="best", support="pairs")
    designs = grad.set_params(drop_duplicates=True).propose(12)
    assert not rows(designs) & rows(X) and not has_pair_33(designs).any()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"paths_per_design": 0}, "paths_per_design"),
        ({"paths_per_design": 1.5}, "paths_per_design"),
        ({"path_selection": "first"}, "path_selection"),
        ({"max_changes": -1}, "max_changes"),
        ({"max_changes": 2.5}, "max_changes"),
        ({"max_distance": 0.0}, "max_distance"),
        ({"max_distance": "far"}, "max_distance"),
        ({"support": "triples"}, "support"),
        ({"support": True}, "support"),
        ({"min_separation": -0.1}, "min_separation"),
        ({"min_separation": "near"}, "min_separation"),
        ({"recombine": 1}, "recombine"),
        ({"recombine": 2.5}, "recombine"),
        ({"recombine_fraction": 0.0}, "recombine_fraction"),
        ({"recombine_fraction": 1.5}, "recombine_fraction"),
    ],
)
def test_bad_parameters_are_refused_with_their_name(params, match):
    X, y = banned_pair_task(n=50)
    with pytest.raises(InvalidParameterError, match=match):
        OfflineDesignOptimizer(model(max_iter=1), **params).fit(X, y)


def test_a_trust_region_of_the_wrong_kind_is_refused_before_training():
    X, y = banned_pair_task(n=50)
    seq = OfflineDesignOptimizer(model(max_iter=10**6), max_distance=0.5)
    with pytest.raises(ValueError, match="max_distance .* continuous.*max_changes"):
        seq.fit(X, y)
    Xc, yc = quadratic_task(n=50)
    box = OfflineDesignOptimizer(model(max_iter=10**6), max_changes=2)
    with pytest.raises(ValueError, match="max_changes .* sequences.*max_distance"):
        box.fit(Xc, yc)
    assert not hasattr(box, "estimator_")


def _starts(**params):
    """Proposals that are the paths' start points: no step, the start kept."""
    X, y = quadratic_task()
    opt = OfflineDesignOptimizer(
        model(), n_steps=0, min_separation=None, drop_duplicates=False, **params
    )
    return X, y, opt.fit(X, y)


def test_recombine_starts_each_path_from_a_mean_of_the_best_designs():
    X, y, opt = _starts(recombine=2, recombine_fraction=1.0, random_state=0)
    best = X[np.argsort(-y, kind="stable")[:20]]
    designs = opt.propose(20)
    # every proposal is the mean of two distinct designs among the 20 best
    i, j = np.triu_indices(20, k=1)
    pairs = (best[i] + best[j]) / 2
    distance = np.abs(designs[:, None] - pairs[None]).max(axis=2)
    assert np.all(distance.min(axis=1) < 1e-12)
    assert not rows(designs) & rows(X)
    # all 20 best designs when one mean takes as many as there are paths
    (mean,) = opt.set_params(recombine=3).propose(1)
    np.testing.assert_allclose(mean, X[np.argsort(-y, kind="stable")[:3]].mean(0))


def test_recombine_fraction_shares_the_paths_with_the_best_designs():
    X, y, opt = _starts(recombine=2, recombine_fraction=0.5, random_state=0)
    order = np.argsort(-y, kind="stable")
    designs = opt.propose(20)
    # 10 paths from the 10 best designs (kept, no step), 10 from means of two
    assert rows(designs) & rows(X) == rows(X[order[:10]])
    assert sum(tuple(r) not in rows(X) for r in designs.tolist()) == 10
    # the data's designs not started from come next, best first
    batches = opt._start_points(4)
    Z0, _ = next(batches)
    np.testing.assert_array_equal(Z0[:2], X[order[:2]])
    assert not rows(Z0[2:]) & rows(X)
    np.testing.assert_array_equal(next(batches)[0], X[order[2:6]])
    # at least one mean, however small the share
    (Z0, _) = next(opt.set_params(recombine_fraction=0.01)._start_points(4))
    np.testing.assert_array_equal(Z0[:3], X[order[:3]])
    assert not rows(Z0[3:]) & rows(X)


def test_recombine_draws_the_same_designs_a_few_rows_at_a_time(monkeypatch):
    # the draws are bounded in memory, not changed: one row at a time gives the
    # same start points as all rows at once
    _, _, opt = _starts(recombine=3, recombine_fraction=1.0, random_state=0)
    at_once, _ = next(opt._start_points(30))
    monkeypatch.setattr("skcoms._optimizer._PERMUTATION_NUMBERS", 1)
    one_by_one, _ = next(opt._start_points(30))
    np.testing.assert_array_equal(one_by_one, at_once)


def test_recombine_draws_its_designs_with_random_state_only():
    _, _, seeded = _starts(recombine=2, recombine_fraction=1.0, random_state=0)
    first = seeded.propose(20)
    np.testing.assert_array_equal(seeded.propose(20), first)
    _, _, other = _starts(recombine=2, recombine_fraction=1.0, random_state=1)
    assert rows(other.propose(20)) != rows(first)
    # None draws fresh entropy, and leaves numpy's global generator alone
    _, _, unseeded = _starts(recombine=2, recombine_fraction=1.0)
    state = np.random.get_state()[1].copy()
    assert rows(unseeded.propose(20)) != rows(unseeded.propose(20))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_recombine_searches_from_the_means_and_then_from_the_data():
    # paths that move: the means' paths are searched first, and when the rules
    # drop some of their results the data's best designs start more paths
    X, y = quadratic_task()
    opt = OfflineDesignOptimizer(model(), random_state=0).fit(X, y)
    plain = opt.set_params(recombine=None).propose(16)
    mixed = opt.set_params(recombine=4, recombine_fraction=1.0).propose(16)
    assert len(mixed) == 16 and not rows(mixed) & rows(X)
    assert rows(mixed) != rows(plain)
    batches = opt._start_points(4)
    means, mean_scores = next(batches)
    assert len(means) == 4 and not rows(means) & rows(X)
    assert np.all(mean_scores <= y.max())
    order = np.argsort(-y, kind="stable")
    for k, (Z0, y0) in zip(range(2), batches):
        np.testing.assert_array_equal(Z0, X[order[4 * k : 4 * k + 4]])
        np.testing.assert_array_equal(y0, y[order[4 * k : 4 * k + 4]])


def test_recombine_auto_averages_eight_continuous_designs_and_no_sequences():
    # 30 features: the 20 best designs are linearly independent, so the weights
    # of each start point on them can be read back
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 30))
    y = -(X**2).sum(axis=1)
    opt = OfflineDesignOptimizer(model(max_iter=2), random_state=0).fit(X, y)
    assert opt.get_params()["recombine"] == "auto"
    assert opt.get_params()["recombine_fraction"] == 0.5
    Z0, y0 = next(opt._start_points(20))
    order = np.argsort(-y, kind="stable")
    np.testing.assert_array_equal(Z0[:10], X[order[:10]])
    # each of the other 10 is the mean of 8 distinct designs among the 20 best
    weights = np.linalg.lstsq(X[order[:20]].T, Z0[10:].T, rcond=None)[0].T
    np.testing.assert_allclose(np.sort(weights, axis=1)[:, -8:], 1 / 8, atol=1e-9)
    np.testing.assert_allclose(np.sort(weights, axis=1)[:, :-8], 0, atol=1e-9)
    np.testing.assert_allclose(y0[10:], weights @ y[order[:20]])
    np.testing.assert_array_equal(
        next(opt.set_params(recombine=8)._start_points(20))[0], Z0
    )
    # sequences: "auto" starts every path from the data, as None does
    Xs, ys = banned_pair_task(n=200)
    seq = OfflineDesignOptimizer(model(), random_state=0).fit(Xs, ys)
    np.testing.assert_array_equal(
        seq.propose(8), seq.set_params(recombine=None).propose(8)
    )
    # naive ascent keeps the published protocol: no means
    assert GradientAscentOptimizer().get_params()["recombine"] is None


def test_recombine_is_for_continuous_designs_only():
    X, y = banned_pair_task(n=50)
    seq = OfflineDesignOptimizer(model(max_iter=10**6), recombine=2)
    with pytest.raises(ValueError, match="recombine averages continuous designs"):
        seq.fit(X, y)
    assert not hasattr(seq, "estimator_")
    fitted = OfflineDesignOptimizer(model(max_iter=2)).fit(X, y)
    with pytest.raises(ValueError, match="recombine averages continuous designs"):
        fitted.set_params(recombine=2).propose(4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_proposer_runs_in_either_precision(dtype):
    X, y = banned_pair_task(n=200)
    opt = OfflineDesignOptimizer(model(dtype=dtype), random_state=0).fit(X, y)
    designs, scores = opt.propose(8, return_scores=True)
    assert len(designs) == 8 and not rows(designs) & rows(X)
    assert np.isfinite(scores).all() and opt.trajectory_.dtype == np.float64
    assert np.isfinite(opt.score(X[:20], y[:20]))
    Xc, yc = quadratic_task()
    box = OfflineDesignOptimizer(model(dtype=dtype, ascent_step_size=0.05))
    designs, scores = box.fit(Xc, yc).propose(8, return_scores=True)
    assert designs.dtype == Xc.dtype and not rows(designs) & rows(Xc)
    assert np.isfinite(box.score(Xc[:20], yc[:20]))


def test_continuous_best_iterate_is_the_best_scored_one():
    X, y = quadratic_task()
    opt = OfflineDesignOptimizer(
        model(ascent_step_size=0.3, dtype="float64"), random_state=0
    ).fit(X, y)
    designs, scores = opt.propose(8, return_scores=True)
    # with drop_duplicates the start (row 0) is a design of the data, never kept
    np.testing.assert_allclose(scores, opt.trajectory_[1:].max(axis=0), rtol=1e-9)
    opt.set_params(drop_duplicates=False, paths_per_design=1)
    _, scores = opt.propose(8, return_scores=True)
    np.testing.assert_allclose(scores, opt.trajectory_.max(axis=0), rtol=1e-9)


def test_long_sequences_are_hashed_and_still_proposed_new():
    # 4**40 > 2**62: keys are hashes; equal sequences share one, others do not
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(200, 40))
    keys = sequence_keys(np.vstack([X, X[:10]]), 4)
    assert keys.dtype == np.int64 and len(keys) == len(rows(X))
    y = (X == 1).sum(axis=1).astype(float)
    opt = OfflineDesignOptimizer(model(max_iter=5, ascent_step_size=2.0))
    opt.fit(X, y)
    designs = opt.propose(8)
    assert len(designs) == 8 and not rows(designs) & rows(X)


def test_paths_never_keep_a_design_of_the_data_on_the_device(fitted_sequences):
    X, y, opt = fitted_sequences
    space = opt.design_space_
    Z, traj = ascend_decoded(
        opt.estimator_.design_objective(),
        opt._designs[np.argsort(-y)[:64]],
        n_steps=5,
        step_size=opt.step_size_,
        sequence_length=space.sequence_length_,
        n_categories=space.n_categories_,
        soft_interpolation=space.soft_interpolation,
        known_keys=sequence_keys(X, 4),
    )
    # a path that found nothing new keeps its start: the only designs of the data
    kept = space.decode(Z)
    starts = X[np.argsort(-y)[:64]]
    in_data = np.array([tuple(r) in rows(X) for r in kept.tolist()])
    np.testing.assert_array_equal(kept[in_data], starts[in_data])
    assert (~in_data).sum() > 32 and traj.shape == (6, 64)


def test_a_step_past_every_allowed_design_still_finds_designs_on_the_way(
    fitted_sequences,
):
    # one step of this size changes most tokens: decoded in full ("last", one
    # step) no path lands on an allowed new design here; each iterate also offers
    # its decodings with 1, 2, 4, ... changed tokens ("best"), so more do
    X, y, opt = fitted_sequences
    Z0 = opt._designs[np.argsort(-y)[:32]]
    space = opt.design_space_
    found = {}
    for selection in ("last", "best"):
        Z, _ = ascend_decoded(
            opt.estimator_.design_objective(),
            Z0,
            n_steps=1,
            step_size=100.0,
            sequence_length=space.sequence_length_,
            n_categories=space.n_categories_,
            soft_interpolation=space.soft_interpolation,
            selection=selection,
            known_keys=opt._known_keys,
            allowed_pairs=opt._allowed_pairs,
        )
        designs = space.decode(Z)
        # a path that found nothing keeps its start, a design of the data
        new = np.array([tuple(d) not in rows(X) for d in designs.tolist()])
        assert not has_pair_33(designs[new]).any()
        found[selection] = int(new.sum())
    assert found["last"] == 0 and found["best"] > 0, found


@pytest.mark.parametrize("task, paths", [(banned_pair_task, 4), (quadratic_task, 1)])
def test_auto_paths_per_design_is_4_for_sequences_and_1_for_continuous(
    task, paths, monkeypatch
):
    X, y = task()
    # every path from a design of the data, the searches this counts
    opt = OfflineDesignOptimizer(
        model(dtype="float64"), recombine=None, random_state=0
    ).fit(X, y)
    assert opt.paths_per_design == "auto"
    first_search = []
    original = opt._best_designs_first

    def spy(n_first, n_then):
        first_search.append(n_first)
        return original(n_first, n_then)

    monkeypatch.setattr(opt, "_best_designs_first", spy)
    auto = opt.propose(8)
    explicit = opt.set_params(paths_per_design=paths).propose(8)
    assert first_search == [8 * paths, 8 * paths]
    assert np.array_equal(auto, explicit)


def test_too_few_separated_designs_are_returned_with_a_warning():
    # every path climbs to the one maximum: few designs lie 0.5 apart there
    X, y = quadratic_task(n=40)
    opt = OfflineDesignOptimizer(
        model(ascent_step_size=0.5), n_steps=40, min_separation=0.5, random_state=0
    ).fit(X, y)
    with pytest.warns(UserWarning, match="near-copies"):
        designs = opt.propose(40)
    assert 0 < len(designs) < 40
    assert _closest_pair(designs, X.std(axis=0)) >= 0.5


def test_later_paths_keep_designs_not_yet_proposed():
    # one best design: every path of the first batch reaches it, so the next
    # batches must keep the best of what else they pass, or few designs come back
    rng = np.random.RandomState(0)
    X = rng.randint(0, 4, size=(60, 6))
    y = (X == 2).sum(axis=1) + 0.1 * rng.normal(size=60)
    # the reference step on logits: paths leap to the best design
    opt = OfflineDesignOptimizer(
        model(max_iter=100, ascent_step_size=2.0), random_state=0
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no shortfall
        designs = opt.propose(6)
    assert len(rows(designs)) == 6 and not rows(designs) & rows(X)
    twos = (designs == 2).sum(axis=1)
    assert twos[0] == 6 and (twos[1:] == 5).all()
