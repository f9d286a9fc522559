"""The relatedness graph: which tasks' models are alike, with a resampling confidence.

The predictive graph of the bilevel problem keeps the couplings that lower the
validation loss; this module reads the *generating* structure off the task
models instead. Models are compared in prediction space (whitened by the pooled
second moment of the design, so that ``||w_i - w_j||`` is the root mean squared
difference of the two tasks' predictions on the same inputs). A pair ``(i, j)``
is an edge when

1. it is *close*: its squared distance is less than half of what two unrelated
   tasks of this population would show, ``D_ij < (D_i0 + D_j0) / 2`` with
   ``D_t0`` the squared distance of task ``t`` to the mean model (similarity
   ``1 - D_ij / (D_i0 + D_j0)`` above one half), and significantly so: two
   independent models in as many dimensions rarely come that close
   (Benjamini-Hochberg over all pairs at level ``LEVEL``), and
2. it is *direct*: no third task ``k`` lies between them, i.e. closer to both
   than they are to each other (``max(D_ik, D_jk) < D_ij``, the relative
   neighbourhood graph), as the middle task of a chain is, by more than
   ``MARGIN`` standard errors of the distances (models with estimation
   covariances) or ``RELATIVE_MARGIN * D_ij`` (models without); or the pair
   lies in a *group* (a connected component of the close pairs in which each
   task's nearest task is not much nearer than its typical one, see
   ``_groups``: there, a task between two others is chance).

When every task has a few more rows than coefficients the models are the
per-task least-squares estimates with their covariances, and squared
distances are corrected for the estimation noise (``E||w_i - w_j||^2`` is
``||beta_i - beta_j||^2 + tr V_i + tr V_j``). Otherwise they are the models
of the fitted (coupled) estimator, without noise correction or test; a
task alike to none of them then keeps its edges of the predictive graph
(``with_predictive_edges``): its rows do not determine its model, so they
cannot show it unrelated. The confidence of an edge is the fraction of
bootstrap resamples of each task's rows in which it is found (a resample's
models carry the estimation noise twice, which its test and noise correction
account for).
"""

import numpy as np
from scipy.sparse.csgraph import connected_components
from scipy.stats import beta

__all__ = ["task_least_squares", "relatedness_edges", "whitener", "with_predictive_edges"]

# a pair is close when its similarity exceeds this
CLOSENESS = 0.5
# a component whose median nearest / typical distance ratio exceeds this is a group
GROUP = 0.55
# smaller components are never groups: a chain of a few tasks looks like one
GROUP_SIZE = 5
# level of the Benjamini-Hochberg test of closeness
LEVEL = 0.05
# a task k explains the pair (i, j) away only when D_ik and D_jk are below D_ij by
# more than this many standard errors of the differences
MARGIN = 1.0
# models without estimation covariances (the fitted, coupled models): by more
# than this fraction of D_ij
RELATIVE_MARGIN = 0.25


def whitener(G_total):
    """Upper Cholesky factor ``C`` of the pooled second moment: ``||C w||^2 = w' S w``."""
    S = G_total / max(np.trace(G_total) / len(G_total), np.finfo(float).tiny)
    S = S + 1e-10 * np.eye(len(S))
    return np.linalg.cholesky(S).T


def task_least_squares(G, b, yy, n, alpha):
    """Per-task least-squares models and their covariances from task moments.

    Parameters
    ----------
    G : ndarray of shape (n_tasks, p, p)
        Per-task ``Z_t' Z_t / n_t``.
    b : ndarray of shape (n_tasks, p)
        Per-task ``Z_t' y_t / n_t``.
    yy : ndarray of shape (n_tasks,)
        Per-task ``y_t' y_t / n_t``.
    n : ndarray of shape (n_tasks,)
        Rows per task (more than ``p``).
    alpha : float
        Ridge added to ``G`` for numerical safety.

    Returns
    -------
    coef : ndarray of shape (n_tasks, p)
    cov : ndarray of shape (n_tasks, p, p)
        ``s_t^2 (Z_t' Z_t)^{-1}`` with ``s_t^2`` the residual variance.
    """
    p = G.shape[1]
    A = G + alpha * np.eye(p)
    inv = np.linalg.inv(A)
    coef = np.einsum("tij,tj->ti", inv, b)
    rss = n * (yy - 2 * np.einsum("ti,ti->t", coef, b)
               + np.einsum("ti,tij,tj->t", coef, G, coef))
    s2 = np.maximum(rss, 0) / np.maximum(n - p, 1)
    return coef, s2[:, None, None] * inv / n[:, None, None]


def _significant(similarity, dim):
    """Pairs more alike than two unrelated models, Benjamini-Hochberg at ``LEVEL``.

    Under the null, two independent isotropic models in ``dim`` dimensions, the
    cosine ``c`` of their centred models follows ``2 Beta((dim-1)/2, (dim-1)/2) - 1``;
    the similarity is at most ``c``, so its p-value is conservative.
    """
    T = len(similarity)
    i, j = np.triu_indices(T, 1)
    shape = max(dim - 1, 1) / 2
    p_values = beta.sf((similarity[i, j] + 1) / 2, shape, shape)
    order = np.argsort(p_values, kind="stable")
    passed = p_values[order] <= LEVEL * np.arange(1, len(order) + 1) / max(len(order), 1)
    n_pass = np.flatnonzero(passed).max() + 1 if passed.any() else 0
    significant = np.zeros((T, T), dtype=bool)
    keep = order[:n_pass]
    significant[i[keep], j[keep]] = significant[j[keep], i[keep]] = True
    return significant


def _groups(close, D):
    """Pairs inside a connected component of ``close`` that is a group, not a chain.

    In a group every task is about as far from the others (the nearest is not
    much nearer than the typical one); in a chain or tree the nearest task is
    far nearer than the typical one: the median over tasks of
    ``min_j D_ij / median_j D_ij`` (within the component) is above ``GROUP``.
    Components of fewer than ``GROUP_SIZE`` tasks are not groups.
    """
    T = len(close)
    _, labels = connected_components(close.astype(float), directed=False)
    grouped = np.zeros((T, T), dtype=bool)
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        if len(members) < GROUP_SIZE:
            continue
        sub = D[np.ix_(members, members)].copy()
        np.fill_diagonal(sub, np.nan)
        typical = np.nanmedian(sub, axis=1)
        nearest = np.nanmin(sub, axis=1)
        ratio = np.divide(nearest, typical, out=np.ones_like(typical), where=typical > 0)
        if np.median(ratio) > GROUP:
            grouped[np.ix_(members, members)] = True
    return grouped


def relatedness_edges(models, cov=None):
    """Edges of the relatedness graph of ``models`` (see the module description).

    Parameters
    ----------
    models : ndarray of shape (n_tasks, p)
        Task models, whitened (Euclidean distances are prediction differences).
    cov : ndarray of shape (n_tasks, p, p), default=None
        Their estimation covariances (whitened), or None for models without one.

    Returns
    -------
    adjacency : ndarray of bool of shape (n_tasks, n_tasks)
    similarity : ndarray of shape (n_tasks, n_tasks)
        ``1 - D_ij / (D_i0 + D_j0)`` clipped to ``[0, 1]`` (1 on the diagonal).
    """
    T = len(models)
    noise = np.zeros(T) if cov is None else np.trace(cov, axis1=1, axis2=2)
    gram = models @ models.T
    sq = np.diag(gram)
    D = sq[:, None] + sq[None] - 2 * gram - noise[:, None] - noise[None]
    np.fill_diagonal(D, 0.0)
    centred = models - models.mean(axis=0)
    D0 = np.maximum(np.sum(centred ** 2, axis=1) - noise * (1 - 2 / T), 0.0)
    denominator = D0[:, None] + D0[None]
    ratio = np.divide(D, denominator, out=np.ones_like(D), where=denominator > 0)
    similarity = np.clip(1.0 - ratio, 0.0, 1.0)
    np.fill_diagonal(similarity, 1.0)
    close = (similarity > CLOSENESS) & _significant(similarity, models.shape[1])
    Dp = np.maximum(D, 0.0)
    var = None if cov is None else _distance_variance(models, cov)
    explained = np.zeros((T, T), dtype=bool)
    for k in range(T):
        if var is None:
            between = np.maximum(Dp[:, [k]], Dp[[k], :]) < (1 - RELATIVE_MARGIN) * Dp
        else:
            between = ((Dp - Dp[:, [k]] > MARGIN * np.sqrt(var + var[:, [k]]))
                       & (Dp - Dp[[k], :] > MARGIN * np.sqrt(var + var[[k], :])))
        between[k, :] = between[:, k] = False
        explained |= between
    return close & ~(explained & ~_groups(close, Dp)), similarity


def _distance_variance(models, cov):
    """Variance of each estimated squared distance ``||w_i - w_j||^2``.

    For Gaussian estimates with covariances ``V_i``: ``4 d' S d + 2 tr(S^2)``
    with ``d = w_i - w_j`` and ``S = V_i + V_j``.
    """
    Vw = np.einsum("tkl,sl->tsk", cov, models)  # V_t w_s
    cross = np.einsum("tk,tsk->ts", models, Vw)  # w_t' V_t w_s
    quadratic = np.einsum("sk,tsk->ts", models, Vw)  # w_s' V_t w_s
    # d' V_t d for d = w_t - w_s
    own = np.diag(cross)[:, None] - 2 * cross + quadratic
    flat = cov.reshape(len(cov), -1)
    squares = np.einsum("tkl,tlk->t", cov, cov)
    trace_sq = squares[:, None] + squares[None] + 2 * flat @ flat.transpose()
    return 4 * (own + own.T) + 2 * trace_sq


def with_predictive_edges(alike, predictive):
    """Add to ``alike`` the ``predictive`` edges of tasks alike to no other task.

    Read off models that their rows do not determine, a task without an edge
    is not shown as unrelated: the couplings that predict best for it are the
    only evidence the data give. Both arguments are boolean symmetric
    ``(n_tasks, n_tasks)`` adjacencies.
    """
    alone = ~alike.any(axis=1)
    return alike | (predictive & (alone[:, None] | alone[None]))
