"""scikit-learn's own estimator checks, run on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcoms import ConservativeObjectiveRegressor, OfflineDesignOptimizer
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
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
