"""Global fidelity between a black box and its linear surrogate."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array, check_is_fitted

from ..fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from ..fidelity._classifier import _logistic_fit_on_labels

__all__ = ["global_fidelity", "fidelity_r2", "black_box_and_surrogate"]

FIDELITY_ESTIMATORS = (FidelityMTLClassifier, FidelityMTLRegressor)


def _fidelity_space(proba):
    """Binary problems are compared on the positive-class probability."""
    return proba[:, 1:] if proba.shape[1] == 2 else proba


class _PostHocSurrogate:
    """Linear surrogate fitted on a black box's predictions (the paper's STL baseline)."""

    def __init__(self, estimator, X_train):
        self.classifier = is_classifier(estimator)
        if self.classifier:
            n_classes = len(estimator.classes_)
            labels = np.argmax(estimator.predict_proba(X_train), axis=1)
            coef, intercept = _logistic_fit_on_labels(X_train, labels, n_classes)
            self.model = LogisticRegression()
            self.model.classes_ = np.arange(n_classes)
            self.model.coef_, self.model.intercept_ = coef, intercept
        else:
            self.model = LinearRegression().fit(X_train, estimator.predict(X_train))

    def outputs(self, X):
        if self.classifier:
            return _fidelity_space(self.model.predict_proba(X))
        return self.model.predict(X).reshape(len(X), -1)


def black_box_and_surrogate(estimator, X, *, X_train=None):
    """Outputs of the black box ``f`` and of its global linear surrogate ``g``.

    For skmtlx fidelity estimators ``g`` is the estimator's own surrogate
    (also at the end of a ``Pipeline``, whose earlier steps transform ``X``). For
    any other fitted scikit-learn regressor or classifier, ``g`` is fitted post
    hoc on the black box's predictions for ``X_train`` (``LinearRegression``,
    or ``LogisticRegression`` on the predicted labels), as the paper's
    single-task baseline does. Outputs are compared in the *fidelity space*:
    predictions for regressors, probabilities for classifiers (the
    positive-class probability for binary problems).

    Parameters
    ----------
    estimator : fitted estimator
        A regressor, or a classifier with ``predict_proba``.
    X : array-like of shape (n_samples, n_features)
        Points where ``f`` and ``g`` are compared.
    X_train : array-like of shape (n_train, n_features), default=None
        Data on which a post-hoc surrogate is fitted; defaults to ``X``.
        Ignored for skmtlx fidelity estimators.

    Returns
    -------
    f : ndarray of shape (n_samples, n_outputs)
    g : ndarray of shape (n_samples, n_outputs)

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmtlx.metrics import black_box_and_surrogate
    >>> X, y = load_diabetes(return_X_y=True)
    >>> f, g = black_box_and_surrogate(DecisionTreeRegressor(max_depth=3).fit(X, y), X)
    >>> f.shape, g.shape
    ((442, 1), (442, 1))
    """
    check_is_fitted(estimator)
    f_fn, g_fn = fidelity_functions(estimator, X_train=X if X_train is None else X_train)
    return f_fn(X), g_fn(X)


def fidelity_functions(estimator, *, X_train):
    """Callables mapping X to the black box's and surrogate's fidelity-space outputs."""
    if isinstance(estimator, Pipeline) and isinstance(estimator[-1], FIDELITY_ESTIMATORS):
        head = estimator[:-1]
        f_fn, g_fn = fidelity_functions(estimator[-1], X_train=None)
        return lambda X: f_fn(head.transform(X)), lambda X: g_fn(head.transform(X))
    if isinstance(estimator, FidelityMTLClassifier):
        return (
            lambda X: _fidelity_space(estimator.predict_proba(X)),
            lambda X: _fidelity_space(estimator.surrogate_.predict_proba(
                estimator.surrogate_basis_.transform(_as_array(X)))),
        )
    if isinstance(estimator, FidelityMTLRegressor):
        return (
            lambda X: estimator.predict(X).reshape(len(X), -1),
            lambda X: estimator.predict_surrogate(X).reshape(len(X), -1),
        )
    if is_classifier(estimator) and not hasattr(estimator, "predict_proba"):
        raise ValueError(
            f"{type(estimator).__name__} has no predict_proba: fidelity of a classifier is "
            "measured on probabilities."
        )
    surrogate = _PostHocSurrogate(estimator, _as_array(X_train))
    if is_classifier(estimator):
        return lambda X: _fidelity_space(estimator.predict_proba(X)), surrogate.outputs
    return lambda X: estimator.predict(X).reshape(len(X), -1), surrogate.outputs


def _as_array(X):
    return check_array(X, dtype=np.float64)


def global_fidelity(estimator, X, *, X_train=None):
    """Global fidelity (GF): mean squared difference between ``g`` and ``f``.

    ``GF = mean over x in X of (g(x) - f(x))^2`` (paper eq. 4), averaged over
    outputs; lower is more faithful. See :func:`black_box_and_surrogate` for
    which surrogate is used.

    Parameters
    ----------
    estimator : fitted estimator
        A skmtlx fidelity estimator, or any fitted regressor or classifier
        with ``predict_proba`` (its surrogate is then fitted post hoc).
    X : array-like of shape (n_samples, n_features)
        Evaluation points, e.g. the test set.
    X_train : array-like, default=None
        Data for a post-hoc surrogate; defaults to ``X``.

    Returns
    -------
    gf : float

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.metrics import global_fidelity
    >>> X, y = load_diabetes(return_X_y=True)
    >>> round(global_fidelity(Ridge().fit(X, y), X), 6)  # a linear model is its own surrogate
    0.0
    """
    f, g = black_box_and_surrogate(estimator, X, X_train=X_train)
    return float(np.mean((g - f) ** 2))


def fidelity_r2(estimator, X, *, X_train=None):
    """Coefficient of determination of the surrogate's outputs against the black box's.

    ``R^2(f, g)`` (paper Table 5), averaged uniformly over outputs; 1 means
    the surrogate reproduces the black box exactly.

    Parameters
    ----------
    estimator : fitted estimator
        As for :func:`global_fidelity`.
    X : array-like of shape (n_samples, n_features)
        Evaluation points.
    X_train : array-like, default=None
        Data for a post-hoc surrogate; defaults to ``X``.

    Returns
    -------
    r2 : float

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.tree import DecisionTreeRegressor
    >>> from skmtlx.metrics import fidelity_r2
    >>> X, y = load_diabetes(return_X_y=True)
    >>> tree = DecisionTreeRegressor(max_depth=2, random_state=0).fit(X, y)
    >>> 0 < fidelity_r2(tree, X) < 1
    True
    """
    from sklearn.metrics import r2_score

    f, g = black_box_and_surrogate(estimator, X, X_train=X_train)
    return float(r2_score(f, g))
