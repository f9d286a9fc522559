"""scikit-learn's own estimator checks on the fidelity estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor

FAST = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0)


@parametrize_with_checks(
    [
        FidelityMTLRegressor(**FAST),
        FidelityMTLRegressor(surrogate_fit="post_hoc", **FAST),
        FidelityMTLClassifier(**FAST),
        FidelityMTLClassifier(surrogate_fit="post_hoc", fidelity_space="logit", **FAST),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
