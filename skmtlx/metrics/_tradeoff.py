"""Accuracy-versus-fidelity sweeps over the fidelity weight."""

import time

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

from ..utils._parallel import parallel_map
from ._fidelity import fidelity_r2, global_fidelity
from ._neighborhood import neighborhood_fidelity

__all__ = ["fidelity_tradeoff", "pareto_front"]


def fidelity_tradeoff(
    estimator,
    X_train,
    y_train,
    X_test,
    y_test,
    *,
    fidelity_weights=(0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
    post_hoc=True,
    neighborhood=None,
    neighborhood_points=None,
    n_jobs=None,
    verbose=0,
):
    """Fit a fidelity estimator over a grid of fidelity weights and tabulate the trade-off.

    Parameters
    ----------
    estimator : FidelityMTLRegressor or FidelityMTLClassifier, or a Pipeline ending in one
        Unfitted template; cloned for every fidelity weight.
    X_train, y_train : array-like
        Training data.
    X_test, y_test : array-like
        Evaluation data.
    fidelity_weights : sequence of float, default=(0.1, ..., 0.9)
        Values of ``fidelity_weight`` to fit (``1 - alpha`` of the paper).
    post_hoc : bool, default=True
        Also fit the post-hoc baseline (``surrogate_fit="post_hoc"``).
    neighborhood : dict or None, default=None
        Keyword arguments of :func:`neighborhood_fidelity` (with
        ``training_data=X_train``); GNF is computed only when given.
    neighborhood_points : int or None, default=None
        Compute GNF on this many test rows drawn at random (seed 0), as the
        paper did on its larger sets; all test rows when None.
    n_jobs : int or None, default=None
        Fits run in parallel with joblib (``None`` means 1, ``-1`` all cores;
        inside ``joblib.parallel_backend("dask")`` they run on the dask cluster).
    verbose : int, default=0
        A progress bar over the finished fits when positive.

    Returns
    -------
    frame : pandas.DataFrame
        One row per fit: ``model`` ("post_hoc" or "joint"), ``fidelity_weight``, the
        prediction ``metric`` ("mse" for regressors, "accuracy" for
        classifiers) and its ``score``, ``gf``, ``gnf`` (when computed),
        ``r2_fg`` and ``fit_time``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from skmtlx import FidelityMTLRegressor
    >>> from skmtlx.metrics import fidelity_tradeoff
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X, y = scale(X), scale(y)
    >>> est = FidelityMTLRegressor(max_epochs=5, random_state=0)
    >>> frame = fidelity_tradeoff(est, X[:300], y[:300], X[300:], y[300:],
    ...                           fidelity_weights=(0.9, 0.1))
    >>> list(frame["model"])
    ['post_hoc', 'joint', 'joint']
    """
    classifier = is_classifier(estimator)
    metric_name, metric = (("accuracy", accuracy_score) if classifier
                           else ("mse", mean_squared_error))
    # the parameters of a Pipeline's last step, the fidelity estimator
    p = f"{estimator.steps[-1][0]}__" if isinstance(estimator, Pipeline) else ""
    settings = [("post_hoc", None, {p + "surrogate_fit": "post_hoc"})] if post_hoc else []
    settings += [
        ("joint", w, {p + "surrogate_fit": "joint", p + "fidelity_weight": w})
        for w in fidelity_weights
    ]
    X_neighborhood = X_test
    n_test = _num_samples(X_test)
    if neighborhood_points is not None and neighborhood_points < n_test:
        rows_drawn = np.random.RandomState(0).choice(n_test, neighborhood_points,
                                                     replace=False)
        X_neighborhood = _safe_indexing(X_test, rows_drawn)
    rows = parallel_map(
        _fit_and_measure,
        [(clone(estimator).set_params(**params), X_train, y_train, X_test, y_test,
          X_neighborhood, metric, neighborhood) for _, _, params in settings],
        n_jobs=n_jobs, verbose=verbose, desc="fidelity_tradeoff fits",
    )
    for (model, fidelity_weight, _), row in zip(settings, rows):
        row.update(model=model, fidelity_weight=fidelity_weight, metric=metric_name)
    columns = ["model", "fidelity_weight", "metric", "score", "gf", "r2_fg", "fit_time"]
    return pd.DataFrame(rows, columns=columns + (["gnf"] if neighborhood is not None else []))


def _fit_and_measure(estimator, X_train, y_train, X_test, y_test, X_neighborhood, metric,
                     neighborhood):
    start = time.perf_counter()
    estimator.fit(X_train, y_train)
    row = {
        "fit_time": time.perf_counter() - start,
        "score": metric(y_test, estimator.predict(X_test)),
        "gf": global_fidelity(estimator, X_test),
        "r2_fg": fidelity_r2(estimator, X_test),
    }
    if neighborhood is not None:
        row["gnf"] = neighborhood_fidelity(
            estimator, X_neighborhood, training_data=X_train, **neighborhood
        )
    return row


def pareto_front(frame, *, greater_is_better):
    """Mask of the rows not dominated in (prediction score, global fidelity).

    Parameters
    ----------
    frame : pandas.DataFrame
        With columns ``score`` and ``gf`` (as from :func:`fidelity_tradeoff`).
    greater_is_better : bool
        Whether a larger ``score`` is better (accuracy) or worse (MSE).

    Returns
    -------
    mask : ndarray of bool of shape (n_rows,)
        Rows with a NaN ``score`` or ``gf`` (failed fits) are never on the
        front and dominate no other row.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.metrics import pareto_front
    >>> frame = pd.DataFrame({"score": [0.9, 0.8, 0.7], "gf": [0.02, 0.03, 0.001]})
    >>> pareto_front(frame, greater_is_better=True).tolist()
    [True, False, True]
    """
    sign = 1.0 if greater_is_better else -1.0
    score = sign * frame["score"].to_numpy(dtype=float)
    gf = frame["gf"].to_numpy(dtype=float)
    valid = ~np.isnan(score) & ~np.isnan(gf)
    dominated = [
        bool((valid & (score >= s) & (gf <= g) & ((score > s) | (gf < g))).any())
        for s, g in zip(score, gf)
    ]
    return valid & ~np.array(dominated, dtype=bool)
