"""scikit-learn's own estimator checks on the auxiliary-target estimators.

The checks call ``fit(X, y)`` without auxiliary targets, so they run under the
documented fallback ``missing_aux="main_only"``; the default raises instead
(tested in ``test_estimator.py``).
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtlx.auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor

FAST = dict(
    hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0, missing_aux="main_only"
)


@parametrize_with_checks(
    [
        AuxiliaryTargetMTLRegressor(**FAST),
        AuxiliaryTargetMTLClassifier(**FAST),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
