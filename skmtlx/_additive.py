"""Bases of the surrogate ``g(x) = b + W z(x)``: identity (linear) and per-term (additive).

Every basis is a fitted numpy object with ``fit(X, y=None) -> self``,
``transform(X) -> Z`` of shape (n_samples, n_basis), ``terms_`` (the features
of each term: ``(j,)`` for a shape function of feature ``j``, ``(j, k)`` for
a pairwise interaction) and ``term_index_``, the term of each basis column.
The first ``n_features`` terms are the features' own, in order. A surrogate
linear in ``z(x)`` is a sum of terms, and its exact Shapley attributions
(:func:`skmtlx._surrogate.additive_attributions`) give each feature its
shape function's ``W[o, k] * (Z[i, k] - Z_mean[k])`` and half of every
interaction it is part of (:func:`feature_shares`).
"""

import itertools

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import SplineTransformer

__all__ = ["AdditiveBasis", "LinearBasis", "feature_shares", "make_basis", "penalised_fit",
           "penalised_logistic_fit", "screen_interactions", "stagewise_logistic_fit"]

#: Features with at most this many distinct training values get one basis function per
#: level (binary, one-hot and ordinal-coded columns), and no numerical embedding.
MAX_LEVELS = 32

#: Ridge penalties (scikit-learn's ``alpha``) among which :func:`penalised_fit` chooses.
RIDGE_ALPHAS = np.logspace(-4, 3, 22)

#: Basis functions per feature of an interaction's grid, among which the basis chooses.
PAIR_FUNCTIONS = (6, 12, 24, 32)

#: Most values (rows times columns) of all interaction terms' basis, 240 MB in float64:
#: finer grids give way on large tables.
MAX_PAIR_VALUES = 30_000_000

#: Inverse penalties (scikit-learn's ``C``) among which :func:`penalised_logistic_fit` chooses.
LOGISTIC_CS = np.logspace(-2, 3, 6)


class LinearBasis:
    """The identity basis ``z(x) = x``: the surrogate is linear in the features.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import LinearBasis
    >>> LinearBasis().fit(np.zeros((4, 3))).term_index_
    array([0, 1, 2])
    """

    def fit(self, X, y=None):
        """Record the number of features.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
        y : None
            Ignored.

        Returns
        -------
        self : LinearBasis
        """
        n_features = np.shape(X)[1]
        self.terms_ = [(j,) for j in range(n_features)]
        self.term_index_ = np.arange(n_features)
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

    With ``interactions > 0``, the pairs of features whose residuals (of a
    penalised fit of ``y`` on the shape functions) show the strongest
    interaction (:func:`screen_interactions`) get a term ``s_jk(x_j, x_k)``
    each, as GA2M models do: the products of the two features' basis
    functions on a grid of its own, each factor centred on the training rows.
    The grid's resolution (:data:`PAIR_FUNCTIONS` per feature, within
    :data:`MAX_PAIR_VALUES`) is the one whose penalised fit of ``y`` has the
    smallest leave-one-out error (:func:`penalised_fit`'s criterion). A
    product of centred factors averages to zero over either feature's
    training values, so the pair carries no main effect of its own: the
    shape functions keep their meaning, and the pair's exact Shapley values
    are half its centred value for each of its two features.

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
    interactions : int, default=0
        Number of pairwise interaction terms.

    Attributes
    ----------
    n_knots_ : int
        Knots used (``n_knots``, or the value ``"auto"`` chose).
    n_pair_functions_ : int
        Basis functions per feature of an interaction's grid (with
        ``interactions > 0``).
    terms_ : list of tuple of int
        Features of each term: ``(j,)`` for every feature in order, then the
        ``(j, k)`` pairs, strongest interaction first.
    term_index_ : ndarray of int of shape (n_basis,)
        Term of each basis column.
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
    >>> basis.term_index_
    array([0, 0, 0, 0, 0, 0, 1, 1])
    >>> basis.transform(X[:2]).sum(axis=1)  # each feature's functions sum to one
    array([2., 2.])

    An interaction term for the product in ``y``:

    >>> y = X[:, 0] * (X[:, 1] - 0.5)
    >>> AdditiveBasis(n_knots=4, interactions=1).fit(X, y).terms_
    [(0,), (1,), (0, 1)]
    """

    def __init__(self, n_knots="auto", max_levels=MAX_LEVELS, interactions=0):
        self.n_knots = n_knots
        self.max_levels = max_levels
        self.interactions = interactions

    def fit(self, X, y=None):
        """Choose each feature's levels or spline knots, and the interaction terms.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Training inputs.
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs), default=None
            What the surrogate will fit (targets, one-hot labels or a black
            box's outputs); needed with ``interactions > 0``, to choose the
            pairs.

        Returns
        -------
        self : AdditiveBasis
        """
        X = np.asarray(X, dtype=np.float64)
        self.n_knots_ = (int(np.clip(len(X) // 256, 4, 64)) if self.n_knots == "auto"
                         else self.n_knots)
        self.levels_, self.splines_ = map(list, zip(*(
            _feature_basis(column, self.n_knots_, self.max_levels) for column in X.T)))
        self.terms_ = [(j,) for j in range(X.shape[1])]
        self._pair_factors = {}
        sizes = [_n_functions(levels, spline) for levels, spline in
                 zip(self.levels_, self.splines_)]
        self.term_index_ = np.repeat(np.arange(X.shape[1]), sizes)
        if self.interactions > 0:
            if y is None:
                raise ValueError("AdditiveBasis with interactions needs y to choose the pairs.")
            Y = np.asarray(y, dtype=np.float64).reshape(len(X), -1)
            Z = self.transform(X)
            coef, intercept = penalised_fit(Z, Y)
            pairs = screen_interactions(X, Y - Z @ coef.T - intercept, self.interactions)
            shape_terms = (list(self.terms_), self.term_index_)
            best = None
            for n_functions in PAIR_FUNCTIONS:
                if (n_functions > PAIR_FUNCTIONS[0]
                        and len(X) * len(pairs) * n_functions ** 2 > MAX_PAIR_VALUES):
                    break  # the basis would outgrow its memory budget
                self._add_pairs(X, pairs, n_functions, *shape_terms)
                score = _ridge_loo(self.transform(X), Y)[0]
                if best is None or score < best[0]:
                    best = (score, n_functions)
            self.n_pair_functions_ = best[1]
            self._add_pairs(X, pairs, best[1], *shape_terms)
        return self

    def _add_pairs(self, X, pairs, n_functions, shape_terms, shape_index):
        """Set the pair terms on the shape functions' ``terms_`` and ``term_index_``."""
        self._pair_factors = {}
        for j in sorted({j for pair in pairs for j in pair}):
            levels, spline = _feature_basis(X[:, j], n_functions - 2, n_functions)
            factor = _evaluate(X[:, j], levels, spline)
            self._pair_factors[j] = (levels, spline, factor.mean(axis=0))
        self.terms_ = shape_terms + list(pairs)
        sizes = [len(self._pair_factors[j][2]) * len(self._pair_factors[k][2])
                 for j, k in pairs]
        self.term_index_ = np.concatenate([
            shape_index, np.repeat(np.arange(len(shape_terms), len(self.terms_)), sizes)])

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
        blocks = [_evaluate(column, levels, spline)
                  for column, levels, spline in zip(X.T, self.levels_, self.splines_)]
        centred = {j: _evaluate(X[:, j], levels, spline) - mean
                   for j, (levels, spline, mean) in self._pair_factors.items()}
        for j, k in self.terms_[X.shape[1]:]:
            blocks.append(np.einsum("na,nb->nab", centred[j], centred[k]).reshape(len(X), -1))
        return np.hstack(blocks)


def _feature_basis(column, n_knots, max_levels):
    """``(levels, None)`` for a column with few distinct values, else ``(None, spline)``."""
    levels = np.unique(column)
    if len(levels) <= max_levels:
        return levels, None
    quantiles = np.linspace(0.0, 1.0, n_knots)
    knots = np.unique(np.quantile(column, quantiles))
    if len(knots) < n_knots:
        knots = np.unique(np.concatenate([knots, np.quantile(levels, quantiles)]))
    spline = SplineTransformer(knots=knots[:, None], extrapolation="constant")
    return None, spline.fit(column[:, None])


def _n_functions(levels, spline):
    return len(levels) if spline is None else spline.n_features_out_


def _evaluate(column, levels, spline):
    """One feature's basis functions: its spline, or hat functions on its levels."""
    if spline is not None:
        return spline.transform(column[:, None])
    return np.column_stack([np.interp(column, levels, e) for e in np.eye(len(levels))])


def screen_interactions(X, residuals, n_pairs, n_bins=8):
    """The ``n_pairs`` feature pairs whose residuals interact most, strongest first.

    The cheap screening of GA2M models (Lou et al., "Accurate intelligible
    models with pairwise interactions", KDD 2013): each feature is cut into
    at most ``n_bins`` quantile bins, and a pair's score is the residuals'
    sum of squares that the means of its two-way grid of cells explain
    beyond an additive fit of the same grid (row plus column effects, by
    backfitting): the interaction sum of squares of a two-way analysis of
    variance, summed over the residual columns.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    residuals : ndarray of shape (n_samples, n_outputs)
        Residuals of a fit without interactions.
    n_pairs : int
        Pairs to return (fewer when there are fewer pairs).
    n_bins : int, default=8
        Quantile bins per feature.

    Returns
    -------
    pairs : list of tuple of int
        ``(j, k)`` with ``j < k``; ties keep the order of
        :func:`itertools.combinations`.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import screen_interactions
    >>> X = np.random.RandomState(0).rand(500, 4)
    >>> screen_interactions(X, (X[:, 1] - 0.5) * (X[:, 3] - 0.5), 1)
    [(1, 3)]
    """
    X = np.asarray(X, dtype=np.float64)
    R = np.asarray(residuals, dtype=np.float64).reshape(len(X), -1)
    codes = []
    for column in X.T:
        edges = np.unique(np.quantile(column, np.linspace(0, 1, n_bins + 1)[1:-1]))
        codes.append((np.searchsorted(edges, column, side="right"), len(edges) + 1))
    scores = []
    pairs = list(itertools.combinations(range(X.shape[1]), 2))
    for j, k in pairs:
        (code_j, n_j), (code_k, n_k) = codes[j], codes[k]
        cells = code_j * n_k + code_k
        counts = np.bincount(cells, minlength=n_j * n_k).reshape(n_j, n_k)
        score = 0.0
        for r in R.T:
            sums = np.bincount(cells, r, minlength=n_j * n_k).reshape(n_j, n_k)
            means = sums / np.maximum(counts, 1)
            rows, columns = np.zeros((n_j, 1)), np.zeros((1, n_k))
            for _ in range(10):  # backfit the additive fit of the cell means
                rows = ((means - columns) * counts).sum(1, keepdims=True) / np.maximum(
                    counts.sum(1, keepdims=True), 1)
                columns = ((means - rows) * counts).sum(0, keepdims=True) / np.maximum(
                    counts.sum(0, keepdims=True), 1)
            score += (counts * (means - rows - columns) ** 2).sum()
        scores.append(score)
    order = np.argsort(-np.asarray(scores), kind="stable")
    return [pairs[i] for i in order[:n_pairs]]


def feature_shares(terms, term_index, n_features):
    """``(n_basis, n_features)`` share of each basis column's contribution per feature.

    A shape function's column belongs to its feature; an interaction's
    column is shared equally by its two features (the exact Shapley split
    of a term that averages to zero over either feature, as
    :class:`AdditiveBasis` builds them).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import feature_shares
    >>> feature_shares([(0,), (1,), (0, 1)], np.array([0, 1, 2]), 2)
    array([[1. , 0. ],
           [0. , 1. ],
           [0.5, 0.5]])
    """
    shares = np.zeros((len(terms), n_features))
    for t, term in enumerate(terms):
        shares[t, list(term)] = 1.0 / len(term)
    return shares[np.asarray(term_index, dtype=np.intp)]


def make_basis(surrogate, n_knots, interactions=0):
    """The unfitted basis of a surrogate family.

    Parameters
    ----------
    surrogate : {"linear", "additive"}
        Surrogate family.
    n_knots : int or "auto"
        Spline knots per numerical feature (additive only).
    interactions : int, default=0
        Pairwise interaction terms (additive only).

    Returns
    -------
    basis : LinearBasis or AdditiveBasis

    Examples
    --------
    >>> from skmtlx._additive import make_basis
    >>> make_basis("additive", 6).n_knots
    6
    """
    if surrogate == "linear":
        return LinearBasis()
    return AdditiveBasis(n_knots=n_knots, interactions=interactions)


def penalised_fit(Z, Y, alphas=RIDGE_ALPHAS):
    """Ridge fit ``(coef, intercept)`` of ``Y`` on basis columns ``Z``, penalty chosen by LOO.

    Among ``alphas`` (by default :data:`RIDGE_ALPHAS`, the penalty ``alpha * ||coef||^2`` of
    scikit-learn's :class:`~sklearn.linear_model.Ridge`, on the raw basis
    columns, where it shrinks each shape function's spline coefficients,
    i.e. smooths it), the one of smallest leave-one-out squared error summed
    over outputs: the choice of scikit-learn's
    :class:`~sklearn.linear_model.RidgeCV`, computed from the
    eigendecomposition of the centred Gram matrix (of the columns, or of the
    rows when there are more columns), so that a tall ``Z`` costs two
    products of its size by ``n_basis`` (RidgeCV takes its SVD).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_basis)
        Basis values.
    Y : ndarray of shape (n_samples, n_outputs)
        Targets.
    alphas : ndarray, default=RIDGE_ALPHAS
        Penalties to choose from.

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
    return _ridge_loo(Z, Y, alphas)[1:]


def _ridge_loo(Z, Y, alphas=RIDGE_ALPHAS):
    """``(loo_error, coef, intercept)`` of :func:`penalised_fit` at its chosen penalty."""
    Z, Y = np.asarray(Z, dtype=np.float64), np.asarray(Y, dtype=np.float64)
    Z_mean, Y_mean = Z.mean(axis=0), Y.mean(axis=0)
    Zc, Yc = Z - Z_mean, Y - Y_mean
    if Z.shape[1] <= len(Z):
        eigenvalues, vectors = np.linalg.eigh(Zc.T @ Zc)
        eigenvalues = np.maximum(eigenvalues, 0.0)
        rotated = Zc @ vectors  # the fit is rotated @ (shrink * projected)
    else:  # wider than tall: the same fit from the (n_samples, n_samples) Gram matrix
        eigenvalues, left = np.linalg.eigh(Zc @ Zc.T)
        keep = eigenvalues > 1e-12 * max(eigenvalues[-1], 1e-300)
        eigenvalues, left = eigenvalues[keep], left[:, keep]
        rotated = left * np.sqrt(eigenvalues)
        vectors = Zc.T @ (left / np.sqrt(eigenvalues))  # the right singular vectors
    projected = rotated.T @ Yc
    squared = rotated ** 2
    best = None
    for alpha in alphas:
        shrink = 1.0 / (eigenvalues + alpha)
        leverage = 1.0 / len(Z) + squared @ shrink  # the intercept's leverage is 1/n
        # a row of leverage 1 (a single row, or a fit through every row) has no
        # leave-one-out error: such penalties score inf, and the smallest is kept
        with np.errstate(divide="ignore", invalid="ignore"):
            residuals = (Yc - rotated @ (shrink[:, None] * projected)) / (1.0 - leverage)[:, None]
        score = np.nan_to_num((residuals ** 2).sum(), nan=np.inf)
        if best is None or score < best[0]:
            best = (score, shrink)
    coef = (vectors @ (best[1][:, None] * projected)).T
    return best[0], coef, Y_mean - coef @ Z_mean


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


def stagewise_logistic_fit(Z, labels, shape_columns):
    """:func:`penalised_logistic_fit` of the shape functions, then of the pairs beside them.

    A single penalty for every column shrinks the shape functions as much as
    the many interaction columns need (on titanic with 10 pairs, test
    accuracy 0.756 against 0.760 without the pairs), so the pairs are fitted
    in a second stage, as GA2M models fit them on the residuals of the shape
    functions: a penalised logistic fit of the pair columns beside the first
    stage's logits, scaled so large that their weights are barely penalised
    (an offset whose scale the fit may still adjust).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_basis)
        Basis values.
    labels : ndarray of int of shape (n_samples,)
        Class codes ``0 .. n_classes - 1``, each present.
    shape_columns : ndarray of bool of shape (n_basis,)
        The shape functions' columns; the others are interaction pairs.

    Returns
    -------
    coef : ndarray of shape (1, n_basis) or (n_classes, n_basis)
    intercept : ndarray of shape (1,) or (n_classes,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import stagewise_logistic_fit
    >>> rng = np.random.RandomState(0)
    >>> Z = rng.rand(300, 3)
    >>> labels = ((Z[:, 0] - 0.5) * (Z[:, 2] - 0.5) + 0.3 * Z[:, 1] > 0.15).astype(int)
    >>> coef, _ = stagewise_logistic_fit(Z, labels, np.array([True, True, False]))
    >>> coef.shape
    (1, 3)
    """
    shape_columns = np.asarray(shape_columns, dtype=bool)
    coef_shapes, intercept_shapes = penalised_logistic_fit(Z[:, shape_columns], labels)
    if shape_columns.all():
        return coef_shapes, intercept_shapes
    logits = Z[:, shape_columns] @ coef_shapes.T + intercept_shapes
    scale = 100.0 / max(logits.std(), 1e-12)
    coef, intercept = penalised_logistic_fit(
        np.hstack([scale * logits, Z[:, ~shape_columns]]), labels)
    on_logits = scale * coef[:, :logits.shape[1]]
    full = np.zeros((len(coef), Z.shape[1]))
    full[:, shape_columns] = on_logits @ coef_shapes
    full[:, ~shape_columns] = coef[:, logits.shape[1]:]
    return full, intercept + on_logits @ intercept_shapes
