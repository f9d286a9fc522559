"""Checks every public skmtlx estimator passes, from one registry of fast settings.

scikit-learn's ``check_estimator`` suite runs on each registered instance; the
library's own common checks pin that a fixed ``random_state`` gives the same
predictions twice and that a pickled estimator predicts identically.
"""

import pickle

import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtlx import (
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    FidelityMTLClassifier,
    FidelityMTLRegressor,
    GenerativeMTLClassifier,
    SparseTaskGraphMTL,
    TaskGrouper,
)

NETWORK = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0)
"""Training settings small enough for the whole check suite."""

FAST_ESTIMATORS = [
    FidelityMTLRegressor(**NETWORK),
    FidelityMTLRegressor(surrogate_fit="post_hoc", **NETWORK),
    FidelityMTLClassifier(**NETWORK),
    FidelityMTLClassifier(surrogate_fit="post_hoc", fidelity_space="logit", **NETWORK),
    FidelityMTLRegressor(surrogate="additive", n_knots=4, **NETWORK),
    FidelityMTLClassifier(surrogate="additive", n_knots=4, **NETWORK),
    # The checks call fit(X, y) without auxiliary targets, so these run under the
    # documented fallback missing_aux="main_only"; the default raises instead.
    AuxiliaryTargetMTLRegressor(missing_aux="main_only", **NETWORK),
    AuxiliaryTargetMTLClassifier(missing_aux="main_only", **NETWORK),
    TaskGrouper(gain_epochs=2, **NETWORK),
    TaskGrouper(
        gain_epochs=2, gain="tag", n_groups=2, group_selection="validation_1se",
        early_stopping=True, capacity="per_task", **NETWORK,
    ),
    GenerativeMTLClassifier(hidden_layer_sizes=(8,), max_epochs=15, batch_size=64, lr=0.05,
                            random_state=0),
    GenerativeMTLClassifier(alpha=0.0, joint_labels="grid", hidden_layer_sizes=(8,),
                            max_epochs=15, batch_size=64, lr=0.05, random_state=0),
    GenerativeMTLClassifier(
        DecisionTreeClassifier(max_depth=4, random_state=0), alpha=0.5, joint_labels="observed",
    ),
    # Without task ids all rows form a single task and the model is a ridge
    # regression with an empty graph: that is what the checks exercise.
    SparseTaskGraphMTL(max_iter=5, cv=2, random_state=0),
]
"""One fast instance (or several, for options that change the code path) per estimator."""


def _expected_failed_checks(estimator):
    if (
        isinstance(estimator, GenerativeMTLClassifier)
        and estimator.alpha > 0
        and estimator.estimator is None
    ):
        # predict is the joint mode of q(y|x) ∝ p(y|x) p(y)^-alpha while
        # predict_proba gives its per-task marginals: their argmaxes may differ
        # when alpha > 0, which this check forbids (it holds at alpha=0).
        return {
            "check_classifier_multioutput": "the joint mode need not match the "
            "argmax of each per-task marginal when alpha > 0"
        }
    return {}


@parametrize_with_checks(FAST_ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def _toy_data(estimator):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 4)
    signal = X[:, 0] - 2 * X[:, 1] + np.sin(X[:, 2])
    if isinstance(estimator, GenerativeMTLClassifier):
        return X, np.c_[signal > 0, X[:, 3] > 0].astype(int)
    if is_classifier(estimator):
        return X, (signal > 0).astype(int)
    return X, signal


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_fixed_random_state_gives_identical_predictions(estimator):
    X, y = _toy_data(estimator)
    first = clone(estimator).fit(X, y).predict(X)
    second = clone(estimator).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_pickled_estimator_predicts_identically(estimator):
    X, y = _toy_data(estimator)
    fitted = clone(estimator).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))
