"""scikit-learn's own estimator checks, run on every public estimator."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skcoms import ConservativeObjectiveRegressor

# Small settings keep the ~50 checks fast; they exercise the same code paths.
ESTIMATORS = [
    ConservativeObjectiveRegressor(
        hidden_layer_sizes=(32, 32), max_iter=60, n_ascent_steps=3, random_state=0
    ),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
