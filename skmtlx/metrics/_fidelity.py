"""Global fidelity between a model and its surrogate, by the ``predict_surrogate`` protocol."""

import numpy as np
from sklearn.base import is_classifier
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import _num_samples, check_is_fitted

from .._surrogate import fit_logistic_on_labels
from ..utils._validation import check_features

__all__ = ["global_fidelity", "fidelity_r2", "black_box_and_surrogate"]


def _fidelity_space(proba):
    """Binary problems are compared on the positive-class probability."""
    return proba[:, 1:] if proba.shape[1] == 2 else proba


def _outputs_space(proba, predictions):
    """Fidelity-space columns: probabilities per classification output, values otherwise.

    ``proba`` is an array, or a list with one entry per task (None for a
    regression task, whose column of ``predictions`` is used instead).
    """
    if not isinstance(proba, list):
        return _fidelity_space(np.asarray(proba))
    predictions = np.asarray(predictions, dtype=object).reshape(len(predictions), -1)
    columns = [
        predictions[:, [t]].astype(float) if p is None else _fidelity_space(np.asarray(p))
        for t, p in enumerate(proba)
    ]
    return np.hstack(columns)


class _PostHocSurrogate:
    """Linear surrogate fitted on a black box's predictions (the paper's STL baseline)."""

    def __init__(self, estimator, X_train):
        self.classifier = is_classifier(estimator)
        if self.classifier:
            n_classes = len(estimator.classes_)
            labels = np.argmax(estimator.predict_proba(X_train), axis=1)
            coef, intercept = fit_logistic_on_labels(X_train, labels, n_classes)
            self.model = LogisticRegression()
            self.model.classes_ = np.arange(n_classes)
            self.model.coef_, self.model.intercept_ = coef, intercept
        else:
            self.model = LinearRegression().fit(X_train, estimator.predict(X_train))

    def outputs(self, X):
        X = check_features(X, dtype=np.float64)  # the rows it was fitted on were dense
        if self.classifier:
            return _fidelity_space(self.model.predict_proba(X))
        return self.model.predict(X).reshape(len(X), -1)


def black_box_and_surrogate(estimator, X, *, X_train=None, predict_params=None):
    """Outputs of the model ``f`` and of its surrogate ``g``, in the fidelity space.

    An estimator with a ``predict_surrogate`` method (every skmtlx
    estimator; also at the end of a ``Pipeline``, whose earlier steps
    transform ``X``) is compared with its own surrogate: ``predict`` against
    ``predict_surrogate`` for regression outputs, ``predict_proba`` against
    ``predict_surrogate_proba`` for classification outputs (one column per
    output: per task for multi-task models). For any other fitted
    scikit-learn regressor or classifier, ``g`` is fitted post hoc on the
    black box's predictions for ``X_train`` (``LinearRegression``, or
    ``LogisticRegression`` on the predicted labels), as the paper's
    single-task baseline does. Outputs are compared on predictions for
    regression outputs and probabilities for classification outputs (the
    positive-class probability for binary ones).

    Parameters
    ----------
    estimator : fitted estimator
        An estimator with ``predict_surrogate``, or a regressor, or a
        classifier with ``predict_proba``.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Points where ``f`` and ``g`` are compared.
    X_train : {array-like, sparse matrix} of shape (n_train, n_features), default=None
        Data on which a post-hoc surrogate is fitted; defaults to ``X``.
        Ignored for estimators with ``predict_surrogate``.
    predict_params : dict, default=None
        Extra arguments of the prediction methods (e.g. ``{"tasks": tasks}``
        for :class:`~skmtlx.SparseTaskGraphMTL`).

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
    f_fn, g_fn = fidelity_functions(estimator, X_train=X if X_train is None else X_train,
                                    predict_params=predict_params)
    return f_fn(X), g_fn(X)


def fidelity_functions(estimator, *, X_train, predict_params=None, row_params=None):
    """Callables mapping X to the model's and surrogate's fidelity-space outputs.

    ``predict_params`` go to the prediction methods as they are;
    ``row_params`` hold one value each, given to every row the callables get
    (e.g. the task of the rows drawn around one point).
    """
    static = {} if predict_params is None else dict(predict_params)
    row_params = {} if row_params is None else dict(row_params)

    def params(X):
        n_samples = _num_samples(X)
        return {**static, **{name: np.full(n_samples, value)
                             for name, value in row_params.items()}}

    if isinstance(estimator, Pipeline):
        head, final = estimator[:-1], estimator[-1]
    else:
        head, final = None, estimator
    if hasattr(final, "predict_surrogate"):
        def outputs(predict, predict_proba=None):
            # the rows go through the Pipeline's head once per call, for both methods
            def fn(X):
                Xt, kwargs = (X if head is None else head.transform(X)), params(X)
                if predict_proba is None:
                    return np.asarray(predict(Xt, **kwargs), float).reshape(_num_samples(X), -1)
                return _outputs_space(predict_proba(Xt, **kwargs), predict(Xt, **kwargs))
            return fn

        if hasattr(final, "predict_proba") and hasattr(final, "predict_surrogate_proba"):
            return (outputs(final.predict, final.predict_proba),
                    outputs(final.predict_surrogate, final.predict_surrogate_proba))
        return outputs(final.predict), outputs(final.predict_surrogate)
    if is_classifier(estimator) and not hasattr(estimator, "predict_proba"):
        raise ValueError(
            f"{type(estimator).__name__} has no predict_proba: fidelity of a classifier is "
            "measured on probabilities."
        )
    surrogate = _PostHocSurrogate(estimator, check_features(X_train, dtype=np.float64))
    if is_classifier(estimator):
        return lambda X: _fidelity_space(estimator.predict_proba(X)), surrogate.outputs
    return lambda X: estimator.predict(X).reshape(_num_samples(X), -1), surrogate.outputs


def global_fidelity(estimator, X, *, X_train=None, multioutput="uniform_average",
                    predict_params=None):
    """Global fidelity (GF): mean squared difference between ``g`` and ``f``.

    ``GF = mean over x in X of (g(x) - f(x))^2`` (paper eq. 4), averaged over
    outputs; lower is more faithful. See :func:`black_box_and_surrogate` for
    which surrogate is used and what the outputs are.

    Parameters
    ----------
    estimator : fitted estimator
        An estimator with ``predict_surrogate`` (every skmtlx estimator, also
        at the end of a Pipeline), or any fitted regressor or classifier with
        ``predict_proba`` (its surrogate is then fitted post hoc).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Evaluation points, e.g. the test set.
    X_train : {array-like, sparse matrix}, default=None
        Data for a post-hoc surrogate; defaults to ``X``.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        Average over outputs, or one GF per output (per task for multi-task
        models; per class for multiclass outputs).
    predict_params : dict, default=None
        Extra arguments of the prediction methods (e.g. ``{"tasks": tasks}``).

    Returns
    -------
    gf : float or ndarray of shape (n_outputs,)

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.metrics import global_fidelity
    >>> X, y = load_diabetes(return_X_y=True)
    >>> round(global_fidelity(Ridge().fit(X, y), X), 6)  # a linear model is its own surrogate
    0.0
    """
    f, g = black_box_and_surrogate(estimator, X, X_train=X_train,
                                   predict_params=predict_params)
    per_output = np.mean((g - f) ** 2, axis=0)
    return _average(per_output, multioutput)


def fidelity_r2(estimator, X, *, X_train=None, multioutput="uniform_average",
                predict_params=None):
    """Coefficient of determination of the surrogate's outputs against the black box's.

    ``R^2(f, g)`` (paper Table 5), averaged uniformly over outputs; 1 means
    the surrogate reproduces the black box exactly.

    Parameters
    ----------
    estimator : fitted estimator
        As for :func:`global_fidelity`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Evaluation points.
    X_train : {array-like, sparse matrix}, default=None
        Data for a post-hoc surrogate; defaults to ``X``.
    multioutput : {"uniform_average", "raw_values"}, default="uniform_average"
        Average over outputs, or one R^2 per output.
    predict_params : dict, default=None
        Extra arguments of the prediction methods (e.g. ``{"tasks": tasks}``).

    Returns
    -------
    r2 : float or ndarray of shape (n_outputs,)

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

    f, g = black_box_and_surrogate(estimator, X, X_train=X_train,
                                   predict_params=predict_params)
    return _average(r2_score(f, g, multioutput="raw_values"), multioutput)


def _average(per_output, multioutput):
    if multioutput == "raw_values":
        return np.asarray(per_output, dtype=float)
    if multioutput != "uniform_average":
        raise ValueError(
            f"multioutput must be 'uniform_average' or 'raw_values', got {multioutput!r}."
        )
    return float(np.mean(per_output))
