"""The registry of fast settings every public estimator is tested with.

As scikit-learn's ``sklearn/utils/_test_common``: one place that says how
each estimator is built for the common tests (``tests/test_common.py``) and
the bad-input matrix (``tests/test_bad_input.py``).
"""

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.tree import DecisionTreeClassifier

from ..auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from ..fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from ..generative import GenerativeMTLClassifier
from ..grouping import TaskGrouper
from ..task_graph import SparseTaskGraphMLP, SparseTaskGraphMTL

NETWORK = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0)
"""Training settings small enough for the whole check suite."""

FAST_ESTIMATORS = [
    FidelityMTLRegressor(**NETWORK),
    FidelityMTLRegressor(surrogate_fit="post_hoc", **NETWORK),
    FidelityMTLClassifier(**NETWORK),
    FidelityMTLClassifier(surrogate_fit="post_hoc", fidelity_space="logit", **NETWORK),
    FidelityMTLRegressor(surrogate="additive", n_knots=4, **NETWORK),
    FidelityMTLClassifier(surrogate="additive", n_knots=4, interactions=2, **NETWORK),
    FidelityMTLRegressor(surrogate="additive", n_knots=4,
                         numerical_embedding="piecewise_linear", **NETWORK),
    FidelityMTLClassifier(numerical_embedding="periodic", **NETWORK),
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
    GenerativeMTLClassifier(prior_weight=0.0, joint_labels="grid", hidden_layer_sizes=(8,),
                            max_epochs=15, batch_size=64, lr=0.05, random_state=0),
    GenerativeMTLClassifier(
        DecisionTreeClassifier(max_depth=4, random_state=0), prior_weight=0.5,
        joint_labels="observed",
    ),
    # Without task ids all rows form a single task and the model is a ridge
    # regression with an empty graph: that is what the checks exercise.
    SparseTaskGraphMTL(max_iter=5, cv=2, random_state=0),
    # the network variant: the multi-output check trains its trunk (one task per column)
    SparseTaskGraphMLP(max_iter=5, cv=2, hidden_layer_sizes=(8,), max_epochs=5,
                       random_state=0),
]
"""One fast instance (or several, for options that change the code path) per estimator."""


def toy_data(estimator):
    """Small data every registered estimator fits: 80 rows, 4 features."""
    rng = np.random.RandomState(0)
    X = rng.randn(80, 4)
    signal = X[:, 0] - 2 * X[:, 1] + np.sin(X[:, 2])
    if isinstance(estimator, GenerativeMTLClassifier):
        return X, np.c_[signal > 0, X[:, 3] > 0].astype(int)
    if is_classifier(estimator):
        return X, (signal > 0).astype(int)
    return X, signal


def fit_predict(estimator, X, y):
    """Predictions on ``X`` of a clone of ``estimator`` fitted on ``(X, y)``.

    Module-level (not in a test module), so that joblib's process backends
    can unpickle it in their workers.
    """
    return clone(estimator).fit(X, y).predict(X)
