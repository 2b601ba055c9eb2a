"""ConservativeObjectiveRegressorCV: alpha and loss chosen on held-out top designs."""

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError

from skcoms import (
    ConservativeObjectiveRegressor,
    ConservativeObjectiveRegressorCV,
    EnsembleObjectiveRegressor,
)
from skcoms._regressor_cv import _plain_unless_better

SMALL = {"hidden_layer_sizes": (32, 32), "max_iter": 20, "n_ascent_steps": 3}


@pytest.fixture(scope="module")
def bowl():
    rng = np.random.RandomState(0)
    X = rng.uniform(-1, 1, size=(300, 3))
    return X, -(X**2).sum(axis=1)


def test_chooses_the_alpha_with_the_smallest_holdout_error(bowl):
    X, y = bowl
    model = ConservativeObjectiveRegressorCV(
        alphas=(0.0, 0.1, 10.0), plain_margin=0.0, random_state=0, **SMALL
    ).fit(X, y)
    assert model.holdout_mse_.shape == (3,)
    assert np.all(np.isfinite(model.holdout_mse_))
    assert model.alpha_ == model.alphas_[np.argmin(model.holdout_mse_)]
    # a strongly conservative model under-predicts the unseen better designs of a
    # smooth bowl: its held-out error is the largest
    assert model.holdout_mse_[2] > model.holdout_mse_[0]
    assert model.alpha_ != 10.0
    # 300 designs, 30 held out, the other 270 all used
    assert model.n_selection_samples_ == 270


def test_a_close_call_goes_to_the_plain_model():
    alphas = np.array([0.0, 0.1, 1.0])
    plain = np.linspace(1.0, 2.0, 50)
    # candidate 1 is lower by 0.05 on average, by -0.55 and +0.45 in turn: its
    # paired difference from the plain model has a standard error of 0.071
    close = plain + np.where(np.arange(50) % 2 == 0, -0.55, 0.45)
    per_design = np.stack([plain, close, plain + 1.0])[None]
    ranked = [(0, 1), (0, 0), (0, 2)]
    assert _plain_unless_better(ranked, per_design, alphas, 1.0) == [
        (0, 0),
        (0, 1),
        (0, 2),
    ]
    # 0.05 is 0.7 standard errors: within 0.8 of them, not within 0.6
    assert _plain_unless_better(ranked, per_design, alphas, 0.8)[0] == (0, 0)
    assert _plain_unless_better(ranked, per_design, alphas, 0.6) == ranked
    assert _plain_unless_better(ranked, per_design, alphas, 0.0) == ranked
    # lower on every design: clearly better, kept
    clear = np.stack([plain, plain - 0.5, plain + 1.0])[None]
    assert _plain_unless_better(ranked, clear, alphas, 1.0) == ranked
    # one held-out design: no standard error, the smallest error stands
    assert _plain_unless_better(ranked, per_design[..., :1], alphas, 1.0) == ranked
    # the plain candidate's error was not finite: not ranked, nothing to prefer
    assert _plain_unless_better([(0, 1), (0, 2)], per_design, alphas, 1.0) == [
        (0, 1),
        (0, 2),
    ]
    # with two losses the plain candidate of the winner's loss takes its place
    two = np.stack([per_design[0] + 1.0, per_design[0]])
    ranked = [(1, 1), (0, 1), (1, 0), (0, 0)]
    assert _plain_unless_better(ranked, two, alphas, 1.0) == [
        (1, 0),
        (1, 1),
        (0, 1),
        (0, 0),
    ]


def test_the_default_margin_is_two_standard_errors():
    alphas = np.array([0.0, 0.01])
    plain = np.linspace(1.0, 2.0, 50)
    # lower by 0.1 on average, by -0.6 and +0.4 in turn: 1.4 standard errors
    close = plain + np.where(np.arange(50) % 2 == 0, -0.6, 0.4)
    per_design = np.stack([plain, close])[None]
    ranked = [(0, 1), (0, 0)]
    margin = ConservativeObjectiveRegressorCV().plain_margin
    assert margin == 2.0
    assert _plain_unless_better(ranked, per_design, alphas, margin) == [(0, 0), (0, 1)]
    assert _plain_unless_better(ranked, per_design, alphas, 1.0) == ranked
    # lower by 0.15: 2.1 standard errors, beyond the default margin
    clear = plain + np.where(np.arange(50) % 2 == 0, -0.65, 0.35)
    assert (
        _plain_unless_better(ranked, np.stack([plain, clear])[None], alphas, margin)
        == ranked
    )


def test_plain_margin_keeps_the_plain_model_but_not_the_selection(bowl):
    X, y = bowl
    params = dict(alphas=(0.0, 0.01, 0.1), random_state=0, **SMALL)
    smallest = ConservativeObjectiveRegressorCV(plain_margin=0.0, **params).fit(X, y)
    # here a conservative candidate has the smallest held-out error
    assert smallest.alpha_ == smallest.alphas_[np.argmin(smallest.holdout_mse_)] > 0
    # none beats the plain model by a million standard errors
    plain = ConservativeObjectiveRegressorCV(plain_margin=1e6, **params).fit(X, y)
    assert plain.alpha_ == 0.0
    np.testing.assert_array_equal(plain.holdout_mse_, smallest.holdout_mse_)
    single = ConservativeObjectiveRegressor(alpha=0.0, random_state=0, **SMALL)
    assert np.array_equal(plain.predict(X), single.fit(X, y).predict(X))


def test_the_final_model_is_the_chosen_alpha_fitted_on_all_data(bowl):
    X, y = bowl
    model = ConservativeObjectiveRegressorCV(
        alphas=(0.0, 10.0), random_state=0, **SMALL
    ).fit(X, y)
    single = ConservativeObjectiveRegressor(
        alpha=model.alpha_, random_state=0, **SMALL
    ).fit(X, y)
    assert np.array_equal(model.predict(X), single.predict(X))
    assert model.network_.n_members == 1


def test_several_final_members_are_the_ensemble_of_the_chosen_alpha(bowl):
    X, y = bowl
    params = dict(alphas=(0.0, 10.0), random_state=0, **SMALL)
    model = ConservativeObjectiveRegressorCV(n_members=3, **params).fit(X, y)
    ensemble = EnsembleObjectiveRegressor(
        n_members=3, alpha=model.alpha_, random_state=0, **SMALL
    ).fit(X, y)
    assert model.network_.n_members == 3
    # the same selection as one member, then the chosen alpha's ensemble
    one = ConservativeObjectiveRegressorCV(**params).fit(X, y)
    assert model.alpha_ == one.alpha_
    assert np.array_equal(model.holdout_mse_, one.holdout_mse_)
    assert np.array_equal(model.predict(X), ensemble.predict(X))
    assert not np.array_equal(model.predict(X), one.predict(X))
    # the pessimistic aggregate is each design's lowest member
    low = ConservativeObjectiveRegressorCV(n_members=3, aggregate="min", **params)
    low_pred = low.fit(X, y).predict(X)
    assert np.all(low_pred <= model.predict(X)) and np.any(low_pred < model.predict(X))
    # and the ascent climbs that aggregate too
    objective = low.design_objective()
    x = torch.as_tensor(X[:20], dtype=objective.dtype, device=objective.device)
    scores, _ = objective(x)
    np.testing.assert_allclose(
        scores.cpu().numpy(), low_pred[:20], rtol=1e-4, atol=1e-4
    )


@pytest.mark.parametrize(
    "cls", [ConservativeObjectiveRegressorCV, EnsembleObjectiveRegressor]
)
def test_members_whose_conservative_term_ran_away_are_dropped(bowl, cls):
    from sklearn.exceptions import ConvergenceWarning

    from skcoms._torch.train import TrainingHistory

    X, y = bowl
    fixed = {"alphas": (0.1,)} if cls is ConservativeObjectiveRegressorCV else {}
    model = cls(**(fixed or {"alpha": 0.1}), n_members=3, random_state=0, **SMALL)
    network = model.fit(X, y).network_
    assert network.n_members == 3

    def kept(gaps, alpha=0.1):
        history = TrainingHistory(final_overestimation=list(gaps))
        fitted = {"network_": network}
        model._keep_sound_members(fitted, history, alpha)
        return fitted["network_"], history

    # members 0 and 2 ran away (gaps below -100 standard deviations of y)
    with pytest.warns(ConvergenceWarning, match="2 of the 3 networks"):
        one, history = kept([-1e6, 0.5, -2e3])
    assert one.n_members == 1 and history.final_overestimation == [0.5]
    for w, w1 in zip(network.weights, one.weights):
        assert torch.equal(w[1:2], w1)
    # all sound, all run away (the fit's own warning says so), a plain model or
    # dual descent: every member stays
    for gaps, alpha in [
        ([0.5, -3.0, 1.0], 0.1),
        ([-1e6] * 3, 0.1),
        ([-1e6, 1, 1], 0.0),
        ([-1e6, 1, 1], None),
    ]:
        assert kept(gaps, alpha)[0] is network


def _spoil_final_fits(monkeypatch, spoil):
    """Let ``spoil(gaps, k)`` rewrite the last-epoch gaps of the k-th final fit.

    The selection trains its candidates as one stack (a tuple of alphas); the
    final fits pass one alpha. Returns the alphas of the final fits, in order.
    """
    train = ConservativeObjectiveRegressorCV._train
    finals = []

    def patched(self, X, y, alpha, *args, **kwargs):
        fitted, history = train(self, X, y, alpha, *args, **kwargs)
        if not isinstance(alpha, tuple):
            finals.append(alpha)
            gaps = history.final_overestimation
            history.final_overestimation = spoil(list(gaps), len(finals))
        return fitted, history

    monkeypatch.setattr(ConservativeObjectiveRegressorCV, "_train", patched)
    return finals


def _final_fits_run_away(monkeypatch, n_runaway):
    """Every network of the first ``n_runaway`` final fits ran away."""

    def spoil(gaps, k):
        return [-1e6] * len(gaps) if k <= n_runaway else gaps

    return _spoil_final_fits(monkeypatch, spoil)


def test_a_chosen_alpha_whose_final_networks_all_ran_away_gives_way(bowl, monkeypatch):
    from sklearn.exceptions import ConvergenceWarning

    X, y = bowl
    params = dict(alphas=(0.01, 0.1, 1.0), allow_plain=False, random_state=0)
    reference = ConservativeObjectiveRegressorCV(**params, **SMALL).fit(X, y)
    ranked = reference.alphas_[np.argsort(reference.holdout_mse_)]
    finals = _final_fits_run_away(monkeypatch, 1)
    with pytest.warns(ConvergenceWarning, match=f"alpha={ranked[0]:g} .*ran away"):
        model = ConservativeObjectiveRegressorCV(**params, **SMALL).fit(X, y)
    # the same selection; the final model is the second candidate, as fitted alone
    assert finals == [ranked[0], ranked[1]]
    assert np.array_equal(model.holdout_mse_, reference.holdout_mse_)
    assert model.alpha_ == ranked[1]
    single = ConservativeObjectiveRegressor(alpha=ranked[1], random_state=0, **SMALL)
    assert np.array_equal(model.predict(X), single.fit(X, y).predict(X))

    # every candidate ran away: the last is kept, and the fit says so
    finals = _final_fits_run_away(monkeypatch, 3)
    with pytest.warns(ConvergenceWarning) as record:
        model = ConservativeObjectiveRegressorCV(**params, **SMALL).fit(X, y)
    messages = [str(w.message) for w in record]
    assert sum("fitting the next candidate" in m for m in messages) == 2
    assert any(m.startswith("The conservative term ran away") for m in messages)
    assert finals == list(ranked) and model.alpha_ == ranked[2]


def test_a_chosen_alpha_with_a_sound_member_keeps_it(bowl, monkeypatch):
    # one of two networks ran away: it is dropped, the alpha stays
    from sklearn.exceptions import ConvergenceWarning

    X, y = bowl
    params = dict(alphas=(0.01, 1.0), allow_plain=False, random_state=0)
    reference = ConservativeObjectiveRegressorCV(**params, **SMALL).fit(X, y)
    finals = _spoil_final_fits(monkeypatch, lambda gaps, k: [-1e6] + gaps[1:])
    with pytest.warns(ConvergenceWarning, match="1 of the 2 networks"):
        model = ConservativeObjectiveRegressorCV(n_members=2, **params, **SMALL).fit(
            X, y
        )
    assert finals == [reference.alpha_] and model.alpha_ == reference.alpha_
    assert model.network_.n_members == 1


def test_a_single_alpha_runs_no_selection(bowl):
    X, y = bowl
    model = ConservativeObjectiveRegressorCV(alphas=[0.1], random_state=0, **SMALL).fit(
        X, y
    )
    single = ConservativeObjectiveRegressor(alpha=0.1, random_state=0, **SMALL)
    assert model.holdout_mse_ is None and model.n_selection_samples_ == 0
    assert model.alpha_ == 0.1
    assert np.array_equal(model.predict(X), single.fit(X, y).predict(X))


def test_selection_subsample_is_seeded_and_leaves_global_rng_alone(bowl):
    X, y = bowl
    params = dict(alphas=(0.0, 1.0), max_selection_samples=50, **SMALL)
    state = np.random.get_state()[1].copy()
    a = ConservativeObjectiveRegressorCV(random_state=3, **params).fit(X, y)
    b = ConservativeObjectiveRegressorCV(random_state=3, **params).fit(X, y)
    assert np.array_equal(np.random.get_state()[1], state)
    assert a.n_selection_samples_ == 50
    assert np.array_equal(a.holdout_mse_, b.holdout_mse_)
    assert np.array_equal(a.predict(X), b.predict(X))


def test_loss_auto_tries_each_loss_with_each_alpha_and_keeps_the_best_pair(bowl):
    X, y = bowl
    params = dict(alphas=(0.0, 1.0), random_state=0, **SMALL)
    auto = ConservativeObjectiveRegressorCV(loss="auto", **params).fit(X, y)
    assert auto.holdout_mse_.shape == (2, 2)
    # the rows are what a selection with each loss alone measures
    for row, loss in enumerate(("squared_error", "listnet")):
        alone = ConservativeObjectiveRegressorCV(loss=loss, **params).fit(X, y)
        assert alone.loss_ == loss
        assert np.array_equal(auto.holdout_mse_[row], alone.holdout_mse_)
    row, col = np.unravel_index(np.argmin(auto.holdout_mse_), (2, 2))
    assert auto.loss_ == ("squared_error", "listnet")[row]
    assert auto.alpha_ == auto.alphas_[col]
    # the final network is that pair, fitted on all the data
    single = ConservativeObjectiveRegressor(
        loss=auto.loss_, alpha=auto.alpha_, random_state=0, **SMALL
    ).fit(X, y)
    assert np.array_equal(auto.predict(X), single.predict(X))


def test_loss_auto_chooses_the_loss_even_with_a_single_alpha():
    # one alpha, two losses: the selection still runs
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(200, 2))
    y = X[:, 0] + 0.1 * np.sin(3 * X[:, 1])
    model = ConservativeObjectiveRegressorCV(
        alphas=[0.0], loss="auto", random_state=0, **SMALL
    ).fit(X, y)
    assert model.holdout_mse_.shape == (2, 1)
    assert model.loss_ == ("squared_error", "listnet")[np.argmin(model.holdout_mse_)]
    assert model.n_selection_samples_ == 180


def test_only_the_cross_validated_model_chooses_its_loss(bowl):
    X, y = bowl
    with pytest.raises(InvalidParameterError, match="loss"):
        ConservativeObjectiveRegressor(loss="auto", **SMALL).fit(X, y)
    with pytest.raises(InvalidParameterError, match="loss"):
        ConservativeObjectiveRegressorCV(loss="ranking", **SMALL).fit(X, y)


@pytest.mark.parametrize(
    "alphas, message",
    [
        ((), "non-empty"),
        ([[0.0, 1.0]], "1-D"),
        ((0.0, -1.0), "non-negative"),
        ((0.0, np.nan), "finite"),
        (("a", 1.0), "sequence of non-negative numbers"),
    ],
)
def test_bad_alphas_are_clear_errors(bowl, alphas, message):
    X, y = bowl
    with pytest.raises(ValueError, match=message):
        ConservativeObjectiveRegressorCV(alphas=alphas, **SMALL).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"holdout_fraction": 0.0},
        {"holdout_fraction": 1.0},
        {"max_selection_samples": 1},
        {"allow_plain": "yes"},
        {"allow_plain": None},
        {"n_repeats": 0},
        {"n_repeats": 1.5},
        {"n_members": 0},
        {"aggregate": "max"},
        {"plain_margin": -1.0},
        {"plain_margin": "one"},
        {"plain_margin": None},
    ],
)
def test_bad_selection_settings_are_clear_errors(bowl, params):
    X, y = bowl
    with pytest.raises(InvalidParameterError):
        ConservativeObjectiveRegressorCV(**params, **SMALL).fit(X, y)


def test_candidates_of_a_repeat_differ_only_by_alpha_with_several_repeats(bowl):
    X, y = bowl
    # two equal candidates start from one initialization and see the same
    # minibatches: the same network, so exactly the same held-out error
    params = dict(alphas=(0.1, 0.1, 1.0), random_state=0, **SMALL)
    model = ConservativeObjectiveRegressorCV(n_repeats=2, **params).fit(X, y)
    assert model.holdout_mse_.shape == (3,)
    assert model.holdout_mse_[0] == model.holdout_mse_[1]
    assert model.holdout_mse_[0] != model.holdout_mse_[2]
    # one repeat (the default): every candidate from its own initialization
    single = ConservativeObjectiveRegressorCV(n_repeats=1, **params).fit(X, y)
    assert single.holdout_mse_[0] != single.holdout_mse_[1]


def test_repeats_average_over_their_own_initializations(bowl):
    X, y = bowl
    params = dict(alphas=(0.0, 1.0), random_state=0, **SMALL)
    errors = [
        ConservativeObjectiveRegressorCV(n_repeats=n, **params).fit(X, y).holdout_mse_
        for n in (1, 2, 3)
    ]
    # one value per candidate whatever the repeats, and the repeats are new draws
    assert all(e.shape == (2,) and np.all(np.isfinite(e)) for e in errors)
    assert not np.array_equal(errors[0], errors[1])
    assert not np.array_equal(errors[1], errors[2])


def test_too_few_designs_to_hold_out_is_a_clear_error():
    X, y = np.array([[0.0], [1.0]]), np.array([0.0, 1.0])
    with pytest.raises(ValueError, match="at least 2 designs below the held-out"):
        ConservativeObjectiveRegressorCV(**SMALL).fit(X, y)
    # one alpha needs no held-out designs; a choice of loss does
    ConservativeObjectiveRegressorCV(alphas=[0.0], **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="Give one alpha and one loss"):
        ConservativeObjectiveRegressorCV(alphas=[0.0], loss="auto", **SMALL).fit(X, y)


def test_unfitted_after_a_failed_refit(bowl):
    X, y = bowl
    model = ConservativeObjectiveRegressorCV(alphas=(0.0, 1.0), **SMALL).fit(X, y)
    with pytest.raises(ValueError):
        model.fit(X[:2, :1], y[:2])  # too few designs to hold any out
    assert not hasattr(model, "network_") and not hasattr(model, "alpha_")


@pytest.fixture(scope="module")
def wide():
    """Underdetermined data: 40 designs of 60 features."""
    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, size=(40, 60))
    return X, -(X[:, :3] ** 2).sum(axis=1)


def test_underdetermined_data_leave_the_plain_model_out(wide):
    X, y = wide
    params = dict(alphas=(0.0, 0.1, 1.0), random_state=0, **SMALL)
    model = ConservativeObjectiveRegressorCV(**params).fit(X, y)
    assert not model.plain_allowed_
    assert model.alpha_ in (0.1, 1.0)
    # 0 was not tried: no held-out error; the others were
    assert np.isnan(model.holdout_mse_[0])
    assert np.all(np.isfinite(model.holdout_mse_[1:]))
    assert model.alpha_ == model.alphas_[np.nanargmin(model.holdout_mse_)]
    # the same candidates given without 0 choose the same way
    without = ConservativeObjectiveRegressorCV(**{**params, "alphas": (0.1, 1.0)}).fit(
        X, y
    )
    np.testing.assert_array_equal(without.holdout_mse_, model.holdout_mse_[1:])
    assert np.array_equal(without.predict(X), model.predict(X))
    # allow_plain=True tries 0 as well
    allowed = ConservativeObjectiveRegressorCV(
        **params, allow_plain=True, plain_margin=0.0
    ).fit(X, y)
    assert allowed.plain_allowed_ and np.all(np.isfinite(allowed.holdout_mse_))
    assert allowed.alpha_ == allowed.alphas_[np.argmin(allowed.holdout_mse_)]


def test_allow_plain_auto_keeps_zero_on_determined_data(bowl):
    X, y = bowl  # 300 designs of 3 features
    params = dict(alphas=(0.0, 10.0), random_state=0, **SMALL)
    auto = ConservativeObjectiveRegressorCV(**params).fit(X, y)
    allowed = ConservativeObjectiveRegressorCV(**params, allow_plain=True).fit(X, y)
    assert auto.plain_allowed_
    np.testing.assert_array_equal(auto.holdout_mse_, allowed.holdout_mse_)
    # a smooth bowl: the plain model predicts the held-out top best
    assert auto.alpha_ == 0.0
    never = ConservativeObjectiveRegressorCV(**params, allow_plain=False).fit(X, y)
    assert not never.plain_allowed_ and never.alpha_ == 10.0
    # one candidate left: nothing to choose
    assert never.holdout_mse_ is None and never.n_selection_samples_ == 0


def test_only_zero_among_the_candidates_is_used_regardless(wide):
    X, y = wide
    model = ConservativeObjectiveRegressorCV(
        alphas=(0.0, 0.0), allow_plain=False, random_state=0, **SMALL
    ).fit(X, y)
    assert model.alpha_ == 0.0 and model.plain_allowed_
