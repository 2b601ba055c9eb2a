"""scikit-learn's own estimator checks, run on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcoms import (
    BOqEIOptimizer,
    CbASOptimizer,
    ConservativeObjectiveRegressor,
    MINsOptimizer,
    OfflineDesignOptimizer,
    REINFORCEOptimizer,
)
from skcoms.baselines import BestOfDataset, CMAESOptimizer, EnsembleObjectiveRegressor


def _small_model():
    return ConservativeObjectiveRegressor(
        hidden_layer_sizes=(32, 32), max_iter=60, n_ascent_steps=3, random_state=0
    )


# Small settings keep the ~50 checks fast; they exercise the same code paths.
ESTIMATORS = [
    _small_model(),
    EnsembleObjectiveRegressor(
        hidden_layer_sizes=(32, 32),
        n_members=2,
        max_iter=60,
        n_ascent_steps=3,
        random_state=0,
    ),
    OfflineDesignOptimizer(_small_model(), n_steps=2),
    BestOfDataset(),
    CMAESOptimizer(_small_model(), n_generations=2, random_state=0),
    *[
        CbASOptimizer(
            autofocus,
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
        )
        for autofocus in (False, True)
    ],
    MINsOptimizer(
        _small_model(),
        latent_size=2,
        hidden_layer_sizes=(8,),
        n_epochs=1,
        device="cpu",
        random_state=0,
    ),
    REINFORCEOptimizer(_small_model(), n_iterations=2, batch_size=8, random_state=0),
    BOqEIOptimizer(
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
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
