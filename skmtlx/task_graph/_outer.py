"""Outer problem: edge weights in [0, 1] by projected hypergradient steps.

The outer objective is

    F(e) = f(e) / s + sparsity * sum(e) + entropy * sum(e - e log e),

where ``f`` is the summed per-task validation loss of :mod:`._bilevel` and ``s``
is the mean per-task validation loss of the starting graph, so that ``sparsity``
reads as "the relative validation gain an edge must bring to be kept" whatever
the scale of ``y`` and the number of tasks. Steps are projected on the box
``[0, 1]`` (L-BFGS-B, or Adam followed by clipping); the projection produces
exact zeros, which are the pruned edges.
"""

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.optimize import minimize
from threadpoolctl import threadpool_limits

from ..utils._progress import progress
from ..utils._selection import one_standard_error_rule

__all__ = ["optimize_edges", "sparsity_path_edges", "path_losses", "select_path_point"]

_EPS_LOG = 1e-8


def _penalty(e, sparsity, entropy):
    val = sparsity * e.sum()
    grad = np.full_like(e, sparsity)
    if entropy > 0:
        el = np.maximum(e, _EPS_LOG)
        val += entropy * np.sum(e - e * np.log(el))
        grad = grad - entropy * np.log(el)
    return val, grad


def optimize_edges(problem, e0, *, sparsity=0.0, entropy=0.0, scale=1.0, max_iter=100,
                   tol=1e-6, method="lbfgs", outer_lr=0.05, free=None):
    """Minimise the outer objective over edge weights in ``[0, 1]``.

    Parameters
    ----------
    problem : TaskGraphProblem
    e0 : ndarray of shape (n_edges,)
        Starting weights.
    sparsity, entropy : float
        Weights of the L1 and entropy-like terms.
    scale : float
        Divides the validation loss (``s`` above).
    max_iter : int
        Maximum number of outer iterations.
    tol : float
        Stop when the largest change of a weight in an iteration is below ``tol``
        (Adam), or the projected gradient is below ``tol`` (L-BFGS-B).
    method : {"lbfgs", "adam"}
    outer_lr : float
        Adam step size.
    free : ndarray of bool or None
        Weights allowed to move; the others are held at 0.

    Returns
    -------
    e : ndarray of shape (n_edges,)
    history : list of ndarray
        The weights after each iteration (the first entry is ``e0``).
    n_iter : int
    """
    e0 = np.clip(np.asarray(e0, dtype=float), 0.0, 1.0)
    free = np.ones(e0.shape, bool) if free is None else np.asarray(free, bool)
    e0 = np.where(free, e0, 0.0)
    history = [e0.copy()]
    if not free.any() or max_iter == 0:
        return e0, history, 0

    def objective(x):
        e = np.zeros_like(e0)
        e[free] = x
        f, g, _ = problem.value_and_grad(e)
        pv, pg = _penalty(x, sparsity, entropy)
        return f / scale + pv, g[free] / scale + pg

    def record(x):
        e = np.zeros_like(e0)
        e[free] = x
        history.append(e)

    if method == "lbfgs":
        res = minimize(
            objective, e0[free], jac=True, method="L-BFGS-B",
            bounds=[(0.0, 1.0)] * int(free.sum()),
            options={"maxiter": max_iter, "gtol": tol, "ftol": 1e-12},
            callback=lambda intermediate_result: record(intermediate_result.x),
        )
        x = np.clip(res.x, 0.0, 1.0)
        n_iter = int(res.nit)
    else:
        x = e0[free].copy()
        m = np.zeros_like(x)
        v = np.zeros_like(x)
        b1, b2 = 0.9, 0.999
        n_iter = 0
        for it in range(1, max_iter + 1):
            _, g = objective(x)
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            step = outer_lr * (m / (1 - b1**it)) / (np.sqrt(v / (1 - b2**it)) + 1e-12)
            x_new = np.clip(x - step, 0.0, 1.0)
            delta = np.max(np.abs(x_new - x))
            x = x_new
            n_iter = it
            record(x)
            if delta < tol:
                break
    e = np.zeros_like(e0)
    e[free] = x
    if history[-1] is not None and not np.array_equal(history[-1], e):
        history.append(e.copy())
    return e, history, n_iter


def sparsity_path_edges(problem, e0, sparsities, *, entropy=0.0, scale=1.0, max_iter=100,
                        tol=1e-6, method="lbfgs", outer_lr=0.05, prune=0.0, verbose=0):
    """Edge weights along increasing sparsity weights, warm-started.

    Each point starts from the previous point's weights and may only use the
    edges the previous point kept, so the number of edges never increases after
    the first point (which may use every candidate edge). A positive
    ``verbose`` shows a progress bar over the points.

    Returns
    -------
    weights : list of ndarray
        One weight vector per sparsity value.
    n_iters : list of int
        Outer iterations run for each point.
    """
    e = np.asarray(e0, dtype=float).copy()
    weights, n_iters = [], []
    for k, lam in enumerate(progress(sparsities, verbose=verbose, desc="sparsity path")):
        # the first point may use every candidate (so that a path started from the
        # empty graph can grow edges); later points only the edges kept before
        free = np.ones(e.shape, bool) if k == 0 else e > prune
        if k > 0 and not free.any():
            # the graph is empty: so are all the later points
            weights.append(np.zeros_like(e))
            n_iters.append(0)
            continue
        e, _, n_iter = optimize_edges(
            problem, e, sparsity=lam, entropy=entropy, scale=scale, max_iter=max_iter,
            tol=tol, method=method, outer_lr=outer_lr, free=free,
        )
        e = np.where(e > prune, e, 0.0)
        weights.append(e.copy())
        n_iters.append(n_iter)
    return weights, n_iters


def _run_path(fitted, held, e0, sparsities, opt, verbose=0):
    """The path fitted on ``fitted``'s folds, the outer steps it ran, its warm start.

    Returns its weights, or with ``held`` its losses on the ``held`` folds.
    """
    with threadpool_limits(1, user_api="blas"):
        weights, n_iters = sparsity_path_edges(fitted, e0, sparsities, verbose=verbose, **opt)
        if held is not None:
            weights = [held.per_task_losses(w) for w in weights]
        return weights, int(np.sum(n_iters)), fitted.warm_start


def path_losses(problem, e0, sparsities, *, start_losses, empty_losses, n_groups=1,
                threshold=0.0, entropy=0.0, scale=1.0, max_iter=100, tol=1e-6,
                method="lbfgs", outer_lr=0.05, n_jobs=None, verbose=0):
    """Sparsity path from ``e0`` to the empty graph with per-fold, per-task losses.

    With ``n_groups > 1`` the interior points are scored out of sample: the
    folds are dealt into ``n_groups`` groups (fold ``k`` into group
    ``k % n_groups``), and the path is rerun on all groups but one and scored on
    the held-out group's folds, in turn. The returned weights are always those
    of the path fitted on every fold.

    Parameters
    ----------
    problem : TaskGraphProblem
        With a fold axis.
    e0 : ndarray of shape (n_edges,)
        Starting weights.
    sparsities : array-like of float
        L1 weights of the path points, increasing.
    start_losses, empty_losses : ndarray of shape (n_folds, n_tasks)
        Validation losses of ``e0`` (pruned at ``threshold``) and of the empty
        graph, which the caller has measured already (they are not solved again:
        neither fits a weight, so both are out of sample already).
    n_groups : int, default=1
        Number of fold groups; 1 scores the path on the folds it was fitted on.
    threshold, entropy, scale, max_iter, tol, method, outer_lr
        As in :func:`sparsity_path_edges` (``threshold`` is its ``prune``).
    n_jobs : int or None, default=None
        Processes (joblib workers) running the path and its ``n_groups`` reruns
        side by side (``None`` means 1: one after the other, in this process).
        Each is computed as it would be alone, so the result does not depend on
        it.
    verbose : int, default=0
        A progress bar over the points of the path when positive.

    Returns
    -------
    weights : list of ndarray
        The start ``e0`` (pruned at ``threshold``), the points of
        :func:`sparsity_path_edges`, and the empty graph.
    losses : list of ndarray of shape (n_folds, n_tasks)
        Validation mean squared errors of each point.
    n_iter : int
        Outer iterations run in all, reruns included.
    """
    e0 = np.asarray(e0, dtype=float)
    opt = dict(prune=threshold, entropy=entropy, scale=scale, max_iter=max_iter, tol=tol,
               method=method, outer_lr=outer_lr)
    n_groups = min(n_groups, problem.n_folds)
    group = np.arange(problem.n_folds) % n_groups
    # the path and its reruns are jobs of their own, side by side; a worker runs
    # the path on a copy of ``problem``, which then takes the copy's warm start,
    # as if it had run the path itself (the result does not depend on n_jobs)
    jobs = [delayed(_run_path)(problem, None, e0, sparsities, opt, verbose)]
    if n_groups > 1:
        jobs += [delayed(_run_path)(problem.folds(group != g), problem.folds(group == g), e0,
                                    sparsities, opt) for g in range(n_groups)]
    results = Parallel(n_jobs=min(effective_n_jobs(n_jobs), len(jobs)))(jobs)
    (path, n_iter, problem.warm_start), reruns = results[0], results[1:]
    if n_groups > 1:
        interior = np.empty((len(path), problem.n_folds, problem.T))
        for g, (held_losses, rerun_iter, _) in enumerate(reruns):
            interior[:, group == g] = held_losses
            n_iter += rerun_iter
    else:
        interior = [problem.per_task_losses(e) for e in path]
    start, empty = np.where(e0 > threshold, e0, 0.0), np.zeros_like(e0)
    losses = [start_losses] + list(interior) + [empty_losses]
    return [start] + path + [empty], losses, n_iter


def select_path_point(losses, n_edges, rule="1se"):
    """Index of the path point chosen by ``rule``.

    Parameters
    ----------
    losses : list of ndarray of shape (n_folds, n_tasks)
        Validation losses of each point.
    n_edges : array-like of int
        Number of edges of each point.
    rule : {"1se", "min"}
        ``"min"``: lowest mean validation loss. ``"1se"``: the one-standard-error
        rule: the sparsest point whose mean validation loss exceeds the lowest
        one by at most one standard error of the difference, computed across
        tasks from the paired per-task differences (each task's loss averaged
        over folds).

    Returns
    -------
    index : int
    mean : ndarray
        Mean validation loss of each point.
    se : ndarray
        Standard error of each point's difference to the best point.
    """
    per_task = np.array([np.mean(loss, axis=0) for loss in losses])  # (n_points, T)
    index, best, mean, se = one_standard_error_rule(per_task, n_edges)
    return (best if rule == "min" else index), mean, se
