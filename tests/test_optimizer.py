"""OfflineDesignOptimizer: proposals that beat the data, their form, and errors."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV

from skcoms import (
    Box,
    CategoricalSequence,
    ConservativeObjectiveRegressor,
    ConservativeObjectiveRegressorCV,
    OfflineDesignOptimizer,
)
from skcoms._torch.ascent import gradient_ascent
from skcoms.baselines import GradientAscentOptimizer


def small_model(**params):
    """A network small enough for tests; the same code paths as the defaults."""
    defaults = {
        "hidden_layer_sizes": (32, 32),
        "max_iter": 30,
        "n_ascent_steps": 5,
        "device": "cpu",
        "random_state": 0,
    }
    return ConservativeObjectiveRegressor(**{**defaults, **params})


# the published protocol: one path per design, its end point, duplicates kept
CLASSIC = {
    "paths_per_design": 1,
    "path_selection": "last",
    "support": None,
    "drop_duplicates": False,
    "recombine": None,
}


def quadratic(X):
    return -(X**2).sum(axis=1)


def axes_data(n=300, seed=0):
    """Designs near the two axes, 2 to 4 away from the origin, plus noise.

    The data holds designs with a good x1 (near 0) and designs with a good x2, but
    never both together: its best score is about -4, the optimum 0 at the origin.
    """
    rng = np.random.RandomState(seed)
    far = rng.uniform(2, 4, n) * rng.choice([-1, 1], n)
    near = rng.normal(0, 0.1, n)
    on_x1 = rng.rand(n) < 0.5
    X = np.where(on_x1[:, None], np.c_[far, near], np.c_[near, far])
    return X, quadratic(X)


def additive_task(seed=0, n=1000, L=8, C=4):
    """Token sequences scored additively over positions.

    No design of the data holds more than 3 of the 8 best tokens, so the best
    score of the data is well below the optimum and recombining tokens helps.
    """
    rng = np.random.RandomState(seed)
    weights = rng.normal(size=(L, C))
    X = rng.randint(0, C, size=(6 * n, L))
    X = X[(X == weights.argmax(axis=1)).sum(axis=1) <= 3][:n]

    def score(T):
        return weights[np.arange(L), T].sum(axis=1)

    return X, score(X), score


def test_quadratic_proposals_beat_the_data():
    X, y = axes_data()
    opt = OfflineDesignOptimizer(small_model(max_iter=40), random_state=0)
    designs = opt.fit(X, y).propose(8)
    # the data's best is about -4.0; a gain of 1.0 is a quarter of the way to 0
    assert quadratic(designs).max() > y.max() + 1.0
    assert designs.shape == (8, 2)


def test_additive_sequences_proposals_beat_the_data():
    X, y, score = additive_task()
    # 40 epochs: the default proposer keeps the designs the model scores best, so
    # the model must have learned the task (after 15 epochs its scores of the
    # proposals are anti-correlated with the truth)
    model = small_model(
        hidden_layer_sizes=(64, 64),
        max_iter=40,
        n_ascent_steps=10,
        ascent_step_size=2.0,
        overestimation_limit=2.0,
    )
    designs = OfflineDesignOptimizer(model).fit(X, y).propose(16)
    # the data's best is 8.95 and the optimum 12.48
    assert score(designs).max() > y.max() + 0.3
    assert designs.dtype == X.dtype and designs.shape == (16, 8)


def test_default_estimator_follows_the_design_space():
    opt = OfflineDesignOptimizer()
    tall = np.zeros((10, 3))
    continuous = opt._default_estimator(Box(), tall)
    categorical = opt._default_estimator(CategoricalSequence(), tall)
    # a conservative model whose alpha the package chooses, with the reference's
    # ascent step for each kind of design space
    expected = ConservativeObjectiveRegressorCV(
        loss="listnet", listnet_temperature=8.0, n_ascent_steps=15
    ).get_params()
    assert continuous.get_params() == expected
    assert categorical.loss == "squared_error"
    assert (categorical.n_members, categorical.sharpness_limit) == (5, 0.1)
    assert isinstance(categorical, ConservativeObjectiveRegressorCV)
    assert categorical.ascent_step_size == 2.0
    # sequences keep their model whatever the data's shape
    wide = np.zeros((3, 10))
    assert opt._default_estimator(CategoricalSequence(), wide).get_params() == (
        categorical.get_params()
    )


@pytest.mark.parametrize(
    "n_samples, loss, n_steps, n_repeats, lengths",
    [(12, "squared_error", 10, 3, (10,)), (13, "listnet", 15, 1, (15, 30))],
)
def test_default_model_on_underdetermined_data_fits_the_squared_error(
    n_samples, loss, n_steps, n_repeats, lengths
):
    # 12 designs of 12 features are underdetermined: the squared error with
    # 10-step paths, alpha chosen over three sets of candidates; one design more
    # and the default is ListNet with 15 steps and one set, and the proposer
    # takes every other path twice as long
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(n_samples, 12))
    y = X.sum(axis=1)
    opt = OfflineDesignOptimizer(random_state=0).fit(X, y)
    assert opt.estimator_.loss == loss
    assert opt.estimator_.n_ascent_steps == n_steps
    assert opt.path_lengths_ == lengths and opt.n_steps_ == max(lengths)
    assert opt.estimator_.listnet_temperature == 8.0
    assert opt.estimator_.n_repeats == n_repeats
    # every candidate, alpha = 0 included, was tried on both shapes
    assert opt.estimator_.plain_allowed_
    assert np.isfinite(opt.estimator_.holdout_mse_).all()
    assert opt.estimator_.holdout_mse_.shape == (4,)
    # the plain model of naive ascent is the same on both shapes
    plain = GradientAscentOptimizer(random_state=0).fit(X, y).estimator_
    assert (plain.loss, plain.alpha, plain.n_ascent_steps) == ("squared_error", 0.0, 10)


def test_proposals_are_best_first_with_a_trajectory():
    X, y = axes_data(n=200)
    opt = OfflineDesignOptimizer(small_model(), n_steps=7, random_state=0, **CLASSIC)
    designs, scores = opt.fit(X, y).propose(5, return_scores=True)
    assert np.all(np.diff(scores) <= 0)
    assert opt.trajectory_.shape == (8, 5)
    assert isinstance(opt.trajectory_, np.ndarray)
    # the trajectory ends at the proposals and starts at the top-5 data designs
    np.testing.assert_allclose(opt.trajectory_[-1], scores, rtol=1e-4, atol=1e-4)
    top = X[np.argsort(-y)[:5]]
    np.testing.assert_allclose(
        np.sort(opt.trajectory_[0]), np.sort(opt.predict(top)), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(scores, opt.predict(designs), rtol=1e-6)


def test_default_steps_reproduce_the_models_own_ascent():
    X, y = axes_data(n=200)
    unbounded = Box(-np.inf, np.inf)
    model = small_model(dtype="float64")
    opt = OfflineDesignOptimizer(
        model, design_space=unbounded, n_steps=None, **CLASSIC
    ).fit(X, y)
    assert opt.n_steps_ == 5 and opt.path_lengths_ == (5,)
    assert opt.step_size_ == opt.estimator_.ascent_step_size_
    designs = opt.propose(3)
    # the same ascent written in the model's standardized coordinates
    est = opt.estimator_
    start = X[np.argsort(-y)[:3]]
    z0 = torch.as_tensor((start - est.x_mean_) / est.x_scale_)
    z, _ = gradient_ascent(
        lambda z: tuple(t[0] for t in est.network_.value_and_grad(z)),
        z0,
        n_steps=5,
        step_size=est.ascent_step_size_,
    )
    expected = z.numpy() * est.x_scale_ + est.x_mean_
    expected = expected[np.argsort(-opt.predict(expected), kind="stable")]
    np.testing.assert_allclose(designs, expected, atol=1e-9)


def test_paths_of_several_lengths_cycle_over_the_start_points():
    X, y = axes_data(n=200)
    model = small_model(dtype="float64")
    settings = dict(design_space=Box(-np.inf, np.inf), min_separation=None, **CLASSIC)
    mixed = OfflineDesignOptimizer(model, n_steps=(3, 7), **settings).fit(X, y)
    assert mixed.path_lengths_ == (3, 7) and mixed.n_steps_ == 7
    designs, scores = mixed.propose(6, return_scores=True)
    assert mixed.trajectory_.shape == (8, 6)
    # the best, third and fifth designs of the data take 3 steps, the others 7
    starts = X[np.argsort(-y, kind="stable")[:6]]
    expected = []
    for first, n_steps in ((0, 3), (1, 7)):
        single = OfflineDesignOptimizer(model, n_steps=n_steps, **settings).fit(X, y)
        z, _ = single._search(starts[first::2], None)
        expected.append(z)
    expected = np.concatenate(expected)
    np.testing.assert_allclose(
        np.sort(designs, axis=0), np.sort(expected, axis=0), atol=1e-9
    )
    # a 3-step path's score stays at its end value after its last step; the
    # 7-step paths go on climbing
    after = mixed.trajectory_[3:]
    short = (after == after[0]).all(axis=0)
    assert short.sum() == 3
    assert (mixed.trajectory_[-1, ~short] > mixed.trajectory_[3, ~short]).all()
    np.testing.assert_allclose(mixed.trajectory_[-1], scores, rtol=1e-6)
    # read when propose runs: set after fit, the same proposals as set before it
    single = OfflineDesignOptimizer(model, n_steps=3, **settings).fit(X, y)
    single.set_params(n_steps=(3, 7))
    np.testing.assert_array_equal(single.propose(6), designs)
    assert single.path_lengths_ == (3, 7) and single.n_steps_ == 7
    # "auto" on data with more designs than features: the model's length and twice
    auto = OfflineDesignOptimizer(model, **settings).fit(X, y)
    assert auto.path_lengths_ == (5, 10)
    # sequences: one length, the model's
    tokens = np.random.RandomState(0).randint(0, 4, size=(60, 5))
    seq = OfflineDesignOptimizer(small_model(ascent_step_size=2.0), random_state=0)
    assert seq.fit(tokens, tokens.sum(axis=1)).path_lengths_ == (5,)


def test_repeatable_with_random_state():
    X, y = axes_data(n=150)
    first = OfflineDesignOptimizer(small_model(random_state=None), random_state=3)
    second = OfflineDesignOptimizer(small_model(random_state=None), random_state=3)
    a = first.fit(X, y).propose(4)
    b = second.fit(X, y).propose(4)
    np.testing.assert_array_equal(a, b)
    other = OfflineDesignOptimizer(small_model(random_state=None), random_state=4)
    assert not np.array_equal(other.fit(X, y).propose(4), a)


def test_strings_in_strings_out():
    X, y, _ = additive_task(n=300)
    S = np.array(["".join("ACGT"[t] for t in row) for row in X]).tolist()
    opt = OfflineDesignOptimizer(small_model(ascent_step_size=2.0), random_state=0)
    designs = opt.fit(S, y).propose(6)
    assert designs.shape == (6,) and designs.dtype.kind == "U"
    assert all(len(s) == 8 and set(s) <= set("ACGT") for s in designs)
    assert opt.design_space_.alphabet_.tolist() == list("ACGT")
    # the optimizer scores designs in the representation it was fitted on
    assert np.isfinite(opt.score(S, y))


@pytest.mark.parametrize(
    "alpha",
    [
        0.0,  # plain regression: many proposals converge to the same design
        1.0,  # conservative: the first proposals all stay on data designs
    ],
)
def test_drop_duplicates_gives_new_distinct_designs(alpha):
    X, y, _ = additive_task(n=300)
    model = small_model(alpha=alpha, ascent_step_size=2.0)
    opt = OfflineDesignOptimizer(model, **CLASSIC).fit(X, y)
    data = {tuple(row) for row in X}
    plain = [tuple(row) for row in opt.propose(10)]
    assert len(set(plain)) < 10 or set(plain) <= data
    designs = opt.set_params(drop_duplicates=True).propose(10)
    rows = [tuple(row) for row in designs]
    assert len(rows) == 10 and len(set(rows)) == 10
    assert not data & set(rows)
    assert opt.trajectory_.shape == (6, 10)


def test_drop_duplicates_warns_when_fewer_remain():
    # two positions over two categories: only 4 designs exist, 3 are in the data
    X = np.array([[0, 0], [0, 1], [1, 0]] * 4)
    y = np.array([0.0, 1.0, 1.0] * 4)
    opt = OfflineDesignOptimizer(small_model(), drop_duplicates=True).fit(X, y)
    with pytest.warns(UserWarning, match="only"):
        designs = opt.propose(3)
    assert len(designs) <= 1
    assert not {tuple(r) for r in designs} & {tuple(r) for r in X}


def _holding_model():
    # a strongly conservative model: most ascent paths never change the decoded
    # design, so fewer new designs than requested exist along them
    return ConservativeObjectiveRegressor(
        (32, 32), alpha=10.0, max_iter=20, n_ascent_steps=10, ascent_step_size=2.0,
        device="cpu",
    )  # fmt: skip


def test_a_model_that_holds_its_starts_is_made_up_by_single_token_changes():
    rng = np.random.RandomState(1)
    X = rng.randint(0, 4, size=(300, 6))
    y = (X == 3).sum(axis=1) + 0.1 * rng.randn(300)
    opt = OfflineDesignOptimizer(_holding_model(), random_state=1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no shortfall
        designs, scores = opt.propose(16, return_scores=True)
    assert len({tuple(r) for r in designs}) == 16
    assert not {tuple(r) for r in designs} & {tuple(r) for r in X}
    assert np.all(np.diff(scores) <= 0)
    np.testing.assert_allclose(scores, opt.predict(designs))
    # the designs without a path (NaN trajectory) are one token from the data
    filled = np.isnan(opt.trajectory_).all(axis=0)
    assert filled.any()
    assert np.isfinite(opt.trajectory_[:, ~filled]).all()
    distance = (designs[filled][:, None, :] != X[None]).sum(axis=2).min(axis=1)
    assert (distance == 1).all()


def test_single_token_changes_keep_to_the_support_and_max_changes():
    # token 1 never follows token 0 in the data: no proposal holds "0 1"
    rng = np.random.RandomState(0)
    X = rng.randint(0, 3, size=(400, 5))
    X = X[~((X[:, :-1] == 0) & (X[:, 1:] == 1)).any(axis=1)][:40]
    y = X.sum(axis=1) + 0.1 * rng.randn(len(X))
    opt = OfflineDesignOptimizer(_holding_model(), random_state=0).fit(X, y)
    designs = opt.propose(30)
    assert len(designs) == 30
    assert not ((designs[:, :-1] == 0) & (designs[:, 1:] == 1)).any()
    # with max_changes=0 nothing may change: no fill, and the warning says why
    opt.set_params(max_changes=0)
    with pytest.warns(UserWarning, match="never changes the decoded design") as w:
        assert len(opt.propose(4)) == 0
    assert "a smaller alpha or more n_steps" in str(w[0].message)


def test_replicated_continuous_designs_are_made_up_by_their_paths_iterates():
    # six designs measured five times each: six distinct paths, whose earlier
    # iterates make up the rest, none a near-copy of another proposal
    rng = np.random.RandomState(0)
    X = np.repeat(rng.normal(size=(6, 3)), 5, axis=0)
    y = -(X**2).sum(axis=1) + 0.1 * rng.randn(30)
    # one path length: with two, each design would start two distinct paths;
    # every path from a design of the data, whose replicates this is about
    opt = OfflineDesignOptimizer(
        small_model(), n_steps=None, recombine=None, random_state=0
    )
    opt.fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no shortfall
        designs, scores = opt.propose(10, return_scores=True)
    assert len(designs) == 10 and np.all(np.diff(scores) <= 0)
    filled = np.isnan(opt.trajectory_).all(axis=0)
    assert filled.sum() == 4
    z = designs / X.std(axis=0)
    rms = np.sqrt(((z[:, None] - z[None]) ** 2).mean(axis=2))
    assert rms[~np.eye(10, dtype=bool)].min() >= opt.min_separation
    # without ascent steps nothing moves: the warning says the data repeat designs
    opt.set_params(n_steps=0).fit(X, y)
    with pytest.warns(UserWarning, match="6 distinct designs in 30 rows"):
        assert len(opt.propose(10)) == 0


@st.composite
def replicated_sequences(draw):
    """A few distinct sequences, each measured one to four times."""
    length = draw(st.integers(2, 5))
    n_categories = draw(st.integers(2, 4))
    token = st.integers(0, n_categories - 1)
    rows = st.lists(token, min_size=length, max_size=length)
    designs = draw(st.lists(rows, min_size=2, max_size=8))
    n = len(designs)
    repeats = draw(st.lists(st.integers(1, 4), min_size=n, max_size=n))
    X = np.repeat(np.array(designs), repeats, axis=0)
    scores = st.floats(-10, 10, allow_nan=False)
    y = np.array(draw(st.lists(scores, min_size=len(X), max_size=len(X))))
    return X, y, n_categories


@settings(max_examples=25, deadline=None)
@given(data=replicated_sequences(), n_designs=st.integers(1, 12))
def test_sequence_proposals_run_short_only_when_no_single_change_is_left(
    data, n_designs
):
    # fewer proposals than asked only when every design one token away from the
    # data's that the support allows is a design of the data or a proposal
    X, y, n_categories = data
    space = CategoricalSequence(n_categories=n_categories)
    model = small_model(hidden_layer_sizes=(8,), max_iter=2)
    opt = OfflineDesignOptimizer(model, design_space=space, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        designs = opt.fit(X, y).propose(n_designs)
    taken = {tuple(r) for r in X} | {tuple(r) for r in designs}
    assert len({tuple(r) for r in designs}) == len(designs)
    assert not {tuple(r) for r in designs} & {tuple(r) for r in X}
    pairs = {(a, b) for r in X for a, b in zip(r[:-1], r[1:], strict=True)}
    for r in designs:
        assert set(zip(r[:-1], r[1:], strict=True)) <= pairs
    if len(designs) < n_designs:
        for r in {tuple(r) for r in X}:
            for p in range(len(r)):
                for c in range(n_categories):
                    changed = r[:p] + (c,) + r[p + 1 :]
                    allowed = set(zip(changed[:-1], changed[1:], strict=True)) <= pairs
                    assert changed in taken or not allowed


def test_more_designs_than_data_warns_and_returns_all():
    X, y = axes_data(n=12)
    opt = OfflineDesignOptimizer(
        small_model(), n_steps=2, drop_duplicates=False, recombine=None
    )
    opt.fit(X, y)
    with pytest.warns(UserWarning, match="12 designs are in the data"):
        designs = opt.propose(20)
    assert designs.shape == (12, 2)
    assert opt.trajectory_.shape == (3, 12)
    # paths from means of the data's designs make up the rest
    opt.set_params(recombine=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert opt.propose(20).shape == (20, 2)


@given(
    low=st.lists(st.floats(-3, 0), min_size=2, max_size=2),
    width=st.lists(st.floats(0.5, 3), min_size=2, max_size=2),
    step=st.floats(0.1, 50.0),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=12, deadline=None)
def test_proposals_respect_bounds(low, width, step, seed):
    rng = np.random.RandomState(seed)
    low, high = np.array(low), np.array(low) + np.array(width)
    X = rng.uniform(low, high, size=(30, 2))
    y = rng.normal(size=30)
    model = small_model(hidden_layer_sizes=(8,), max_iter=2, random_state=seed)
    opt = OfflineDesignOptimizer(
        model, design_space=Box(low, high), n_steps=4, step_size=step
    )
    designs = opt.fit(X, y).propose(5)
    assert np.all(designs >= low) and np.all(designs <= high)


@given(
    alphabet=st.sets(
        st.characters(min_codepoint=65, max_codepoint=90), min_size=2, max_size=5
    ),
    length=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
@settings(max_examples=12, deadline=None)
def test_proposals_respect_the_alphabet(alphabet, length, seed):
    rng = np.random.RandomState(seed)
    alphabet = "".join(sorted(alphabet))
    # the data uses the first two tokens only; the rest of the alphabet is allowed
    X = ["".join(rng.choice(list(alphabet[:2]), length)) for _ in range(20)]
    y = rng.normal(size=20)
    model = small_model(hidden_layer_sizes=(8,), max_iter=2, random_state=seed)
    space = CategoricalSequence(alphabet=alphabet)
    opt = OfflineDesignOptimizer(model, design_space=space, n_steps=4, step_size=20)
    designs = opt.fit(X, y).propose(5)
    assert all(len(s) == length and set(s) <= set(alphabet) for s in designs)


def test_grid_search_over_alpha():
    X, y = axes_data(n=120)
    search = GridSearchCV(
        OfflineDesignOptimizer(small_model(max_iter=10), n_steps=2),
        {"estimator__alpha": [0.0, 1.0]},
        cv=2,
    )
    search.fit(X, y)
    assert search.best_params_["estimator__alpha"] in (0.0, 1.0)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_estimator_.propose(2).shape == (2, 2)


def _expected_score(opt, X, y, m):
    """The documented formula of OfflineDesignOptimizer.score, computed by hand."""
    errors = opt.predict(X) - y
    _, predicted = opt.propose(m, return_scores=True)
    over = np.maximum(predicted - y.max(), 0.0)
    squared = np.sum(errors**2) + np.sum(over**2)
    return 1.0 - squared / ((errors.size + m) * np.var(opt._scores))


def test_score_pools_held_out_error_and_overestimated_proposals():
    X, y = axes_data(n=100)
    top = y >= np.quantile(y, 0.8)
    # seeded: the proposals that score makes are those that propose makes
    opt = OfflineDesignOptimizer(small_model(max_iter=10), random_state=0)
    opt.fit(X[~top], y[~top])
    X_test, y_test = X[top], y[top]
    score = opt.score(X_test, y_test)
    assert not hasattr(opt, "trajectory_")  # score leaves no trace of its search
    assert score == pytest.approx(_expected_score(opt, X_test, y_test, top.sum()))
    assert score <= 1.0
    # held-out designs far worse than every proposal: each proposal counts
    low = y_test - 100.0
    _, predicted = opt.propose(int(top.sum()), return_scores=True)
    assert np.all(predicted > low.max())
    assert opt.score(X_test, low) == pytest.approx(
        _expected_score(opt, X_test, low, top.sum())
    )
    assert opt.score(X_test, low) < opt.score(X_test, y_test)
    # held-out designs far better than any prediction: no proposal over-estimates,
    # only the held-out error counts
    high = y_test + 100.0
    errors = opt.predict(X_test) - high
    expected = 1.0 - np.sum(errors**2) / (2 * top.sum() * np.var(opt._scores))
    assert opt.score(X_test, high) == pytest.approx(expected)
    # more held-out designs than designs in fit: as many proposals as designs
    few = OfflineDesignOptimizer(small_model(max_iter=2), random_state=0)
    few.fit(X[:5], y[:5])
    assert few.score(X[5:20], y[5:20]) == pytest.approx(
        _expected_score(few, X[5:20], y[5:20], 5)
    )


def test_score_keeps_the_trajectory_of_the_last_propose():
    X, y = axes_data(n=60)
    opt = OfflineDesignOptimizer(small_model(max_iter=2)).fit(X, y)
    opt.propose(3)
    trajectory = opt.trajectory_.copy()
    opt.score(X[:10], y[:10])
    np.testing.assert_array_equal(opt.trajectory_, trajectory)


def test_random_state_overrides_the_estimator_seed_only_when_given():
    X, y = axes_data(n=60)
    kept = OfflineDesignOptimizer(small_model(max_iter=2, random_state=7)).fit(X, y)
    assert kept.estimator_.random_state == 7
    set_ = OfflineDesignOptimizer(small_model(max_iter=2), random_state=1).fit(X, y)
    assert set_.estimator_.random_state != 0


def test_pickle_round_trip_proposes_the_same():
    X, y = axes_data(n=100)
    opt = OfflineDesignOptimizer(small_model(max_iter=5), random_state=0).fit(X, y)
    clone_ = pickle.loads(pickle.dumps(opt))
    np.testing.assert_array_equal(clone_.propose(3), opt.propose(3))


def test_global_rngs_untouched():
    X, y = axes_data(n=60)
    np_state = np.random.get_state()[1].copy()  # noqa: NPY002
    torch_state = torch.get_rng_state().clone()
    OfflineDesignOptimizer(small_model(max_iter=3), random_state=0).fit(X, y).propose(2)
    after = np.random.get_state()[1]  # noqa: NPY002
    np.testing.assert_array_equal(after, np_state)
    assert torch.equal(torch.get_rng_state(), torch_state)


# ---- bad input ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def fitted():
    X, y = axes_data(n=40)
    return OfflineDesignOptimizer(small_model(max_iter=2), n_steps=1).fit(X, y)


@pytest.mark.parametrize(
    "n, error",
    [(0, ValueError), (-3, ValueError), (2.5, TypeError), ("3", TypeError)],
)
def test_n_designs_must_be_a_positive_integer(fitted, n, error):
    with pytest.raises(error, match="n_designs must be a positive integer"):
        fitted.propose(n)


def test_bool_is_not_a_number_of_designs(fitted):
    with pytest.raises(TypeError, match="positive integer"):
        fitted.propose(True)


def test_propose_before_fit():
    with pytest.raises(NotFittedError):
        OfflineDesignOptimizer().propose(3)


@pytest.mark.parametrize(
    "space, X, error, message",
    [
        (Box(low=[0.0, 0.0, 0.0]), np.ones((4, 2)), ValueError, r"shape \(2,\)"),
        (Box(low=[1.0, 1.0], high=[0.0, 2.0]), np.ones((4, 2)), ValueError, "exceed"),
        (Box(2.0, 3.0), np.ones((4, 2)), ValueError, "contradict the data"),
        (Box(), ["AC", "CA", "AA", "CC"], TypeError, "contains strings"),
        (CategoricalSequence(), np.full((4, 2), 0.5), TypeError, "non-integer"),
        (CategoricalSequence(2), np.array([[0, 3]] * 4), ValueError, "0..1"),
        (
            CategoricalSequence(alphabet="ACGT"),
            ["ACGU"] * 4,
            ValueError,
            "not in the alphabet",
        ),
        (None, ["ACG", "AC", "CA", "AA"], ValueError, "same length"),
    ],
)
def test_bad_designs_raise_clear_errors(space, X, error, message):
    opt = OfflineDesignOptimizer(small_model(max_iter=1), design_space=space)
    with pytest.raises(error, match=message):
        opt.fit(X, np.arange(4.0))


def test_estimator_without_design_objective_is_rejected():
    from sklearn.linear_model import Ridge

    with pytest.raises(ValueError, match="design_objective"):
        OfflineDesignOptimizer(Ridge()).fit(np.ones((4, 2)), np.arange(4.0))


def test_mismatched_lengths_of_designs_and_scores():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        OfflineDesignOptimizer(small_model(max_iter=1)).fit(["AC", "CA"], [1.0])
