"""scikit-learn's own estimator checks, run on every public estimator.

The estimators are discovered from the public modules, so a new one cannot be left
out: each needs an entry in ``FAST`` (small settings that keep the ~50 checks fast;
they exercise the same code paths).
"""

import importlib
import inspect

import pytest
from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

from skcoms import ConservativeObjectiveRegressor

PUBLIC_MODULES = (
    "skcoms",
    "skcoms.baselines",
    "skcoms.spaces",
    "skcoms.model_selection",
)


def public_estimators():
    """The public classes that are scikit-learn estimators, by name."""
    found = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
                found[name] = obj
    return found


def _small_model():
    return ConservativeObjectiveRegressor(
        hidden_layer_sizes=(32, 32), max_iter=60, n_ascent_steps=3, random_state=0
    )


# class name -> the instance the checks run on
FAST = {
    "ConservativeObjectiveRegressor": _small_model,
    "EnsembleObjectiveRegressor": lambda cls: cls(
        hidden_layer_sizes=(32, 32),
        n_members=2,
        max_iter=60,
        n_ascent_steps=3,
        random_state=0,
    ),
    # two candidates: the selection and the final fit both run
    "ConservativeObjectiveRegressorCV": lambda cls: cls(
        hidden_layer_sizes=(32, 32),
        alphas=(0.0, 0.1),
        max_iter=30,
        n_ascent_steps=3,
        random_state=0,
    ),
    "OfflineDesignOptimizer": lambda cls: cls(_small_model(), n_steps=2),
    "GradientAscentOptimizer": lambda cls: cls(
        _small_model().set_params(alpha=0.0), n_steps=2
    ),
    "BestOfDataset": lambda cls: cls(),
    "CMAESOptimizer": lambda cls: cls(_small_model(), n_generations=2, random_state=0),
    "Box": lambda cls: cls(),
    "CategoricalSequence": lambda cls: cls(),
    # autofocus: the refit of the score model runs too
    "CbASOptimizer": lambda cls: cls(
        autofocus=True,
        n_rounds=1,
        samples_per_round=16,
        latent_size=2,
        hidden_layer_sizes=(8,),
        prior_epochs=1,
        round_epochs=1,
        n_members=2,
        model_hidden_layer_sizes=(8,),
        model_epochs=1,
        device="cpu",
        random_state=0,
    ),
    "MINsOptimizer": lambda cls: cls(
        _small_model(),
        latent_size=2,
        hidden_layer_sizes=(8,),
        n_epochs=1,
        device="cpu",
        random_state=0,
    ),
    "REINFORCEOptimizer": lambda cls: cls(
        _small_model(), n_iterations=2, batch_size=8, random_state=0
    ),
    "BOqEIOptimizer": lambda cls: cls(
        _small_model(),
        n_data=20,
        n_rounds=1,
        batch_size=2,
        num_restarts=1,
        raw_samples=4,
        maxiter=5,
        mc_samples=8,
        device="cpu",
        random_state=0,
    ),
}


def _instances():
    instances = []
    for name, cls in public_estimators().items():
        make = FAST.get(name)
        if make is None:
            continue  # test_every_public_estimator_is_checked fails for it
        instances.append(make() if make is _small_model else make(cls))
    return instances


# The checks fit on real-valued matrices; a CategoricalSequence holds integer tokens
# (or strings) and rejects them, by design, with a message naming Box.
_TOKENS_ONLY = (
    "the check fits on real numbers; CategoricalSequence holds integer tokens or "
    "strings and rejects them, naming Box"
)
_CATEGORICAL_FAILURES = {
    "check_complex_data": "complex designs are rejected with their own message",
    "check_dtype_object": _TOKENS_ONLY,
    "check_estimators_empty_data_messages": (
        "empty designs are rejected with a message naming designs and positions"
    ),
    "check_estimators_nan_inf": _TOKENS_ONLY,
    "check_positive_only_tag_during_fit": _TOKENS_ONLY,
    **{
        check: _TOKENS_ONLY
        for check in (
            "check_fit_score_takes_y",
            "check_estimators_overwrite_params",
            "check_dont_overwrite_parameters",
            "check_estimators_fit_returns_self",
            "check_readonly_memmap_input",
            "check_n_features_in_after_fitting",
            "check_estimators_dtypes",
            "check_pipeline_consistency",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_fit2d_1sample",
            "check_fit2d_1feature",
            "check_dict_unchanged",
            "check_fit_idempotent",
            "check_fit_check_is_fitted",
            "check_n_features_in",
            "check_fit1d",
            "check_fit2d_predict1d",
        )
    },
}


def _expected_failed_checks(estimator):
    if type(estimator).__name__ == "CategoricalSequence":
        return _CATEGORICAL_FAILURES
    return {}


def test_every_public_estimator_is_checked():
    missing = sorted(set(public_estimators()) - set(FAST))
    assert not missing, f"add fast settings to FAST in tests/test_common.py: {missing}"
    assert {"Box", "CategoricalSequence", "BestOfDataset"} <= set(public_estimators())


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@pytest.mark.parametrize("name", sorted(FAST))
def test_fast_settings_name_a_public_estimator(name):
    assert name in public_estimators()
