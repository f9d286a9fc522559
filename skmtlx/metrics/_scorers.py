"""Scorers for model selection on fidelity, and a constrained refit rule."""

from functools import partial

import numpy as np

from ._fidelity import global_fidelity
from ._neighborhood import neighborhood_fidelity

__all__ = ["global_fidelity_scorer", "neighborhood_fidelity_scorer", "best_within_fidelity"]


def global_fidelity_scorer(estimator=None, X=None, y=None, **kwargs):
    """Minus the global fidelity on the scored data (greater is better).

    A scorer as it is: use it in
    ``GridSearchCV(scoring={"gf": global_fidelity_scorer, ...})``. Called with
    keyword arguments only, it returns the scorer with those arguments of
    :func:`global_fidelity` set (like :func:`neighborhood_fidelity_scorer`).

    Parameters
    ----------
    estimator : fitted estimator, default=None
        As for :func:`global_fidelity`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        Scored data.
    y : ignored
        Present for the scorer signature.
    **kwargs : dict
        Passed to :func:`global_fidelity` (e.g. ``X_train``).

    Returns
    -------
    score : float
        Or, without ``estimator``, the scorer with ``kwargs`` set.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.metrics import global_fidelity_scorer
    >>> X, y = load_diabetes(return_X_y=True)
    >>> global_fidelity_scorer(Ridge().fit(X, y), X, y) > -1e-12
    True
    """
    if estimator is None:
        return partial(global_fidelity_scorer, **kwargs)
    return -global_fidelity(estimator, X, **kwargs)


def neighborhood_fidelity_scorer(estimator=None, X=None, y=None, **kwargs):
    """Minus the neighbourhood fidelity on the scored data (greater is better).

    A scorer as it is (``scoring={"gnf": neighborhood_fidelity_scorer}``, with
    the defaults of :func:`neighborhood_fidelity`); called with keyword
    arguments only, it returns the scorer with those arguments set.

    Parameters
    ----------
    estimator : fitted estimator, default=None
        As for :func:`neighborhood_fidelity` (a Pipeline is fine).
    X : {array-like, sparse matrix} of shape (n_samples, n_features), default=None
        Scored data.
    y : ignored
        Present for the scorer signature.
    **kwargs : dict
        Passed to :func:`neighborhood_fidelity` (e.g. ``explainer``,
        ``n_samples``, ``random_state``).

    Returns
    -------
    score : float
        Or, without ``estimator``, the scorer with ``kwargs`` set.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.metrics import neighborhood_fidelity_scorer
    >>> X, y = load_diabetes(return_X_y=True)
    >>> scorer = neighborhood_fidelity_scorer(explainer="surrogate", random_state=0)
    >>> scorer(Ridge().fit(X, y), X[:20], y[:20]) > -1e-12
    True
    """
    if estimator is None:
        return partial(neighborhood_fidelity_scorer, **kwargs)
    return -neighborhood_fidelity(estimator, X, **kwargs)


def best_within_fidelity(score_key, fidelity_key, epsilon):
    """A ``refit`` callable: best ``score_key`` among candidates with fidelity <= epsilon.

    With ``scoring={"acc": "accuracy", "gf": global_fidelity_scorer}`` the
    search records ``mean_test_gf`` = minus the global fidelity; this rule
    keeps the candidates whose mean fidelity is at most ``epsilon`` and
    returns the one with the best mean ``score_key``. When no candidate
    satisfies the constraint, the most faithful one is returned. Candidates
    whose mean score or fidelity is NaN (what the search records when a fit
    fails) are never chosen.

    Parameters
    ----------
    score_key : str
        Name of the prediction scorer in ``scoring``.
    fidelity_key : str
        Name of a negated fidelity scorer in ``scoring``.
    epsilon : float
        Largest acceptable fidelity (mean squared g - f).

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> best_index`` for ``GridSearchCV(refit=...)``.

    Examples
    --------
    >>> from skmtlx.metrics import best_within_fidelity
    >>> refit = best_within_fidelity("acc", "gf", epsilon=0.01)
    >>> refit({"mean_test_acc": [0.9, 0.8, 0.85], "mean_test_gf": [-0.05, -0.001, -0.008]})
    2
    """

    def refit(cv_results):
        score = np.asarray(cv_results[f"mean_test_{score_key}"], dtype=float)
        fidelity = -np.asarray(cv_results[f"mean_test_{fidelity_key}"], dtype=float)
        valid = ~np.isnan(score) & ~np.isnan(fidelity)
        if not valid.any():
            raise ValueError(
                f"Every candidate has a NaN mean_test_{score_key} or mean_test_{fidelity_key} "
                "(all fits failed?); set error_score='raise' in the search to see why."
            )
        feasible = np.flatnonzero(valid & (fidelity <= epsilon))
        if len(feasible) == 0:
            candidates = np.flatnonzero(valid)
            return int(candidates[np.argmin(fidelity[candidates])])
        return int(feasible[np.argmax(score[feasible])])

    return refit
