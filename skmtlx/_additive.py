"""Bases of the surrogate ``g(x) = b + W z(x)``: identity (linear) and per-feature (additive).

Every basis is a fitted numpy object with ``fit(X) -> self``,
``transform(X) -> Z`` of shape (n_samples, n_basis) and ``feature_index_``,
the input feature of each basis column. A surrogate linear in ``z(x)`` is
then additive over the features, and its exact Shapley attributions are the
per-feature sums of ``W[o, k] * (Z[i, k] - Z_mean[k])``
(:func:`skmtlx._surrogate.additive_attributions`).
"""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import SplineTransformer

__all__ = ["AdditiveBasis", "LinearBasis", "make_basis", "penalised_fit",
           "penalised_logistic_fit"]

#: Ridge penalties (scikit-learn's ``alpha``) among which :func:`penalised_fit` chooses.
RIDGE_ALPHAS = np.logspace(-4, 3, 22)

#: Inverse penalties (scikit-learn's ``C``) among which :func:`penalised_logistic_fit` chooses.
LOGISTIC_CS = np.logspace(-2, 3, 6)


class LinearBasis:
    """The identity basis ``z(x) = x``: the surrogate is linear in the features.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import LinearBasis
    >>> LinearBasis().fit(np.zeros((4, 3))).feature_index_
    array([0, 1, 2])
    """

    def fit(self, X):
        """Record the number of features.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        self : LinearBasis
        """
        self.feature_index_ = np.arange(np.shape(X)[1])
        return self

    def transform(self, X):
        """Return ``X`` as float64.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_features)
        """
        return np.asarray(X, dtype=np.float64)


class AdditiveBasis:
    """A fixed basis per feature, so that ``W z(x)`` is a sum of shape functions.

    A feature with at most ``max_levels`` distinct training values (binary,
    one-hot and ordinal-coded columns) gets one basis function per level:
    the hat functions of piecewise-linear interpolation between the levels,
    so that ``s_j`` takes one free value per level (constant beyond the
    extreme levels). Any other feature gets cubic B-splines with knots at
    training quantiles, as scikit-learn's
    :class:`~sklearn.preprocessing.SplineTransformer` with
    ``knots="quantile"`` (knots that ties would merge are topped up with
    quantiles of the distinct values), extrapolated as constants.

    Parameters
    ----------
    n_knots : int or "auto", default="auto"
        Knots of the B-splines of a numerical feature (``n_knots + 2`` basis
        functions each). ``"auto"``: one knot per 256 training rows, clipped
        to [4, 64], so that small noisy tables get smooth shape functions and
        large ones the detail they can support.
    max_levels : int, default=32
        Features with at most this many distinct values get one basis
        function per level.

    Attributes
    ----------
    n_knots_ : int
        Knots used (``n_knots``, or the value ``"auto"`` chose).
    feature_index_ : ndarray of int of shape (n_basis,)
        Input feature of each basis column.
    levels_ : list of ndarray or None
        Per feature, the sorted levels, or None for a spline feature.
    splines_ : list of SplineTransformer or None
        Per feature, the fitted one-column spline transformer, or None.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import AdditiveBasis
    >>> X = np.column_stack([np.linspace(0, 1, 50), np.tile([0.0, 1.0], 25)])
    >>> basis = AdditiveBasis(n_knots=4).fit(X)
    >>> basis.feature_index_
    array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> basis.transform(X[:2]).sum(axis=1)  # each feature's functions sum to one
    array([2., 2.])
    """

    def __init__(self, n_knots="auto", max_levels=32):
        self.n_knots = n_knots
        self.max_levels = max_levels

    def fit(self, X):
        """Choose each feature's levels or spline knots.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Training inputs.

        Returns
        -------
        self : AdditiveBasis
        """
        X = np.asarray(X, dtype=np.float64)
        self.n_knots_ = (int(np.clip(len(X) // 256, 4, 64)) if self.n_knots == "auto"
                         else self.n_knots)
        self.levels_, self.splines_, index = [], [], []
        quantiles = np.linspace(0.0, 1.0, self.n_knots_)
        for j, column in enumerate(X.T):
            levels = np.unique(column)
            if len(levels) <= self.max_levels:
                self.levels_.append(levels)
                self.splines_.append(None)
                index += [j] * len(levels)
                continue
            knots = np.unique(np.quantile(column, quantiles))
            if len(knots) < self.n_knots_:
                knots = np.unique(np.concatenate([knots, np.quantile(levels, quantiles)]))
            spline = SplineTransformer(knots=knots[:, None], extrapolation="constant")
            self.splines_.append(spline.fit(column[:, None]))
            self.levels_.append(None)
            index += [j] * spline.n_features_out_
        self.feature_index_ = np.asarray(index, dtype=np.intp)
        return self

    def transform(self, X):
        """Evaluate every basis function.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, n_basis)
        """
        X = np.asarray(X, dtype=np.float64)
        blocks = []
        for column, levels, spline in zip(X.T, self.levels_, self.splines_):
            if spline is not None:
                blocks.append(spline.transform(column[:, None]))
            else:
                identity = np.eye(len(levels))
                blocks.append(np.column_stack([np.interp(column, levels, e) for e in identity]))
        return np.hstack(blocks)


def make_basis(surrogate, n_knots):
    """The unfitted basis of a surrogate family.

    Parameters
    ----------
    surrogate : {"linear", "additive"}
        Surrogate family.
    n_knots : int or "auto"
        Spline knots per numerical feature (additive only).

    Returns
    -------
    basis : LinearBasis or AdditiveBasis

    Examples
    --------
    >>> from skmtlx._additive import make_basis
    >>> make_basis("additive", 6).n_knots
    6
    """
    return LinearBasis() if surrogate == "linear" else AdditiveBasis(n_knots=n_knots)


def penalised_fit(Z, Y):
    """Ridge fit ``(coef, intercept)`` of ``Y`` on basis columns ``Z``, penalty chosen by LOO.

    Among :data:`RIDGE_ALPHAS` (the penalty ``alpha * ||coef||^2`` of
    scikit-learn's :class:`~sklearn.linear_model.Ridge`, on the raw basis
    columns, where it shrinks each shape function's spline coefficients,
    i.e. smooths it), the one of smallest leave-one-out squared error summed
    over outputs: the choice of scikit-learn's
    :class:`~sklearn.linear_model.RidgeCV`, computed from the
    eigendecomposition of the centred Gram matrix, so that a tall ``Z``
    costs two products of its size by ``n_basis`` (RidgeCV takes its SVD).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_basis)
        Basis values.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.

    Returns
    -------
    coef : ndarray of shape (n_outputs, n_basis)
    intercept : ndarray of shape (n_outputs,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import penalised_fit
    >>> Z = np.random.RandomState(0).rand(100, 3)
    >>> coef, intercept = penalised_fit(Z, Z @ [[1.0], [0.0], [-1.0]] + 2.0)
    >>> np.round(coef, 2), np.round(intercept, 2)
    (array([[ 1.,  0., -1.]]), array([2.]))
    """
    Z, Y = np.asarray(Z, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    Z_mean, Y_mean = Z.mean(axis=0), Y.mean(axis=0)
    Zc, Yc = Z - Z_mean, Y - Y_mean
    eigenvalues, vectors = np.linalg.eigh(Zc.T @ Zc)
    eigenvalues = np.maximum(eigenvalues, 0.0)
    rotated = Zc @ vectors  # the fit is rotated @ (shrink * projected)
    projected = rotated.T @ Yc
    squared = rotated ** 2
    best = None
    for alpha in RIDGE_ALPHAS:
        shrink = 1.0 / (eigenvalues + alpha)
        leverage = 1.0 / len(Z) + squared @ shrink  # the intercept's leverage is 1/n
        residuals = (Yc - rotated @ (shrink[:, None] * projected)) / (1.0 - leverage)[:, None]
        score = (residuals ** 2).sum()
        if best is None or score < best[0]:
            best = (score, shrink)
    coef = (vectors @ (best[1][:, None] * projected)).T
    return coef, Y_mean - coef @ Z_mean


def penalised_logistic_fit(Z, labels, n_folds=3):
    """L2-penalised logistic fit ``(coef, intercept)`` of ``labels`` on ``Z``, C chosen by CV.

    The classification counterpart of :func:`penalised_fit`: among
    :data:`LOGISTIC_CS` (the ``C`` of scikit-learn's
    :class:`~sklearn.linear_model.LogisticRegression`, the inverse weight of
    ``||coef||^2 / 2`` on the raw basis columns), the one of smallest log
    loss summed over ``n_folds`` stratified folds of the given rows (shuffled
    with a fixed seed, so that the choice does not depend on the
    estimator's ``random_state``), then refitted on all of them. The choice
    of :class:`~sklearn.linear_model.LogisticRegressionCV` with
    ``scoring="neg_log_loss"``, made cheaper: each fold's fits follow the
    path of increasing ``C`` from the previous solution, to a looser
    tolerance (1e-3). When a class has fewer rows than two folds need,
    ``C=1`` is used.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_basis)
        Basis values.
    labels : ndarray of int of shape (n_samples,)
        Class codes ``0 .. n_classes - 1``, each present.
    n_folds : int, default=3
        Folds of the cross-validation.

    Returns
    -------
    coef : ndarray of shape (1, n_basis) or (n_classes, n_basis)
        Logit weights: one row (the positive class's logit) for two classes.
    intercept : ndarray of shape (1,) or (n_classes,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import penalised_logistic_fit
    >>> Z = np.random.RandomState(0).rand(200, 2)
    >>> coef, intercept = penalised_logistic_fit(Z, (Z[:, 0] > 0.5).astype(int))
    >>> coef.shape, bool(coef[0, 0] > 0)
    ((1, 2), True)
    """
    Z = np.asarray(Z, dtype=np.float64)
    counts = np.bincount(labels)
    n_folds = min(n_folds, counts.min())
    C = 1.0
    if n_folds >= 2:
        losses = np.zeros(len(LOGISTIC_CS))
        for train, test in StratifiedKFold(n_folds, shuffle=True, random_state=0).split(
                Z, labels):
            path = LogisticRegression(tol=1e-3, max_iter=1000, warm_start=True)
            for k, C in enumerate(LOGISTIC_CS):
                proba = path.set_params(C=C).fit(Z[train], labels[train]).predict_proba(Z[test])
                losses[k] += log_loss(labels[test], proba, labels=np.arange(len(counts)),
                                      normalize=False)
        C = LOGISTIC_CS[np.argmin(losses)]
    model = LogisticRegression(C=C, max_iter=1000).fit(Z, labels)
    return model.coef_, model.intercept_
