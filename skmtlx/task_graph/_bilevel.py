"""Linear core of the sparse task graph: inner closed form and exact hypergradient.

Tasks ``t = 1..T`` each own a linear model ``w_t`` (``d`` coefficients). For edge
weights ``e`` on a fixed list of candidate edges, the inner problem is

    v*(e) = argmin_v  1/2 sum_t 1/n_t ||X_t w_t - y_t||^2
                      + rho/2 sum_(ij) e_ij ||w_i - w_j||^2 + alpha/2 ||v||^2,

i.e. the sparse symmetric positive definite system ``A(e) v = c`` with
``A(e) = blockdiag(X_t^T X_t / n_t + alpha I) + rho L(e) (x) I_d`` and
``c = [X_t^T y_t / n_t]_t``. The outer (validation) loss is
``f(e) = 1/2 sum_t 1/m_t ||X_t^val w_t - y_t^val||^2`` and its exact gradient is
obtained with one adjoint solve ``A u = [X_t^val^T r_t / m_t]_t``:

    df/de_ij = -rho (w_i - w_j)^T (u_i - u_j).

Losses are per-task means (not sums) so that ``rho`` and ``alpha`` do not depend
on how many rows each task has; this is our choice, documented in the estimator.

With validation folds, every fold has its own system (its own training rows)
but all share the graph, so the folds are solved together: one conjugate
gradient over the stacked folds, whose Laplacian product is a single sparse
product for all of them. The outer loss is the fold mean.

With ``shared > 0`` every task is also pulled towards a shared model ``w_0``
learned jointly, ``+ shared/2 sum_t ||w_t - w_0||^2`` (mean-regularised
multi-task learning, Evgeniou & Pontil, 2004). ``w_0`` is a hub node without
rows, tied to every task by a fixed edge of weight ``shared`` (and kept well
posed by the same ridge ``alpha``); the learned edges and their hypergradient
are unchanged.
"""

import numpy as np
import scipy.sparse as sp
from scipy.linalg import cho_factor, cho_solve

__all__ = ["TaskGraphProblem", "task_moments", "fidelity_moments"]


def task_moments(X, y, task_index, n_tasks):
    """Per-task second moments ``X_t^T X_t / n_t``, ``X_t^T y_t / n_t``, ``y^T y / n_t``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    task_index : ndarray of shape (n_samples,) of int in ``[0, n_tasks)``
    n_tasks : int

    Returns
    -------
    G : ndarray of shape (n_tasks, n_features, n_features)
    b : ndarray of shape (n_tasks, n_features)
    yy : ndarray of shape (n_tasks,)
    counts : ndarray of shape (n_tasks,)
    """
    d = X.shape[1]
    counts = np.bincount(task_index, minlength=n_tasks).astype(float)
    order = np.argsort(task_index, kind="stable")
    Xs, ys = X[order], y[order]
    bounds = np.concatenate([[0], np.cumsum(counts).astype(int)])
    G = np.zeros((n_tasks, d, d))
    b = np.zeros((n_tasks, d))
    yy = np.zeros(n_tasks)
    for t in range(n_tasks):
        lo, hi = bounds[t], bounds[t + 1]
        if hi == lo:
            continue
        Xt, yt = Xs[lo:hi], ys[lo:hi]
        G[t] = Xt.T @ Xt / (hi - lo)
        b[t] = Xt.T @ yt / (hi - lo)
        yy[t] = yt @ yt / (hi - lo)
    return G, b, yy, counts


def fidelity_moments(H, X, task_index, n_tasks):
    """Per-task ``F_t = R_t^T R_t / n_t``: the fidelity term at the best linear surrogate.

    ``R_t`` is the part of the features ``H_t`` that no linear function of
    the inputs ``X_t`` (with an intercept) fits. For a task model ``w``,
    ``w^T F_t w`` is the mean squared difference between ``H_t w`` and its
    least-squares surrogate on ``X_t``, the optimum of the fidelity term
    ``mean((g(x) - H_t w)^2)`` over linear ``g``; adding ``F_t`` to the
    inner system trains the models jointly with their surrogates.

    Parameters
    ----------
    H : ndarray of shape (n_samples, n_coefficients)
        Features the task models read (e.g. a trunk's outputs).
    X : ndarray of shape (n_samples, n_features)
        Inputs the surrogates read.
    task_index : ndarray of shape (n_samples,) of int in ``[0, n_tasks)``
    n_tasks : int

    Returns
    -------
    F : ndarray of shape (n_tasks, n_coefficients, n_coefficients)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.task_graph._bilevel import fidelity_moments
    >>> X = np.arange(6.0)[:, None]
    >>> H = np.column_stack([2 * X[:, 0] + 1, X[:, 0] ** 2])
    >>> F = fidelity_moments(H, X, np.zeros(6, dtype=int), 1)
    >>> bool(np.allclose(F[0, 0], 0.0)), bool(F[0, 1, 1] > 0)
    (True, True)
    """
    F = np.zeros((n_tasks, H.shape[1], H.shape[1]))
    for t in range(n_tasks):
        rows = task_index == t
        if not rows.any():
            continue
        inputs = np.column_stack([X[rows], np.ones(rows.sum())])
        R = H[rows] - inputs @ np.linalg.lstsq(inputs, H[rows], rcond=None)[0]
        F[t] = R.T @ R / rows.sum()
    return F


class TaskGraphProblem:
    """The bilevel problem on fixed data, candidate edges and validation folds.

    Parameters
    ----------
    G, b : arrays from :func:`task_moments` on the inner-training rows, of shape
        (T, d, d) and (T, d), or stacked over ``K`` validation folds, of shape
        (K, T, d, d) and (K, T, d).
    edges : ndarray of shape (n_edges, 2) of int
        Candidate edges ``(i, j)`` with ``i < j``.
    rho : float
        Graph coupling strength; the effective weight of edge ``ij`` is ``rho * e_ij``.
    alpha : float
        Ridge penalty on every coefficient (> 0 keeps ``A`` positive definite).
    Gv, bv, yyv : arrays from :func:`task_moments` on the validation rows (stacked
        over the folds like ``G`` and ``b``), or None.
    solver : {"direct", "cg"}
        Dense Cholesky factorisation of ``A(e)`` (one per fold and weight vector,
        reused by the adjoint solve; for small ``T * d``) or block-Jacobi
        preconditioned conjugate gradient on ``(T, d)`` arrays, all folds at
        once, warm-started from the previous solution (memory and time linear
        in ``T`` for a sparse candidate graph).
    cg_tol : float
        Relative residual tolerance of the conjugate gradient (per fold).
    shared : float
        Fixed pull of every task towards the shared model (0: no shared model).

    Attributes
    ----------
    n_folds : int
        Number of folds ``K`` (1 without a fold axis).
    shared_coef : ndarray of shape (d,) or None
        Fold mean of the shared models of the last solve (None when ``shared=0``).
    """

    def __init__(self, G, b, edges, rho, alpha, Gv=None, bv=None, yyv=None,
                 solver="direct", cg_tol=1e-10, shared=0.0):
        self._folded = np.ndim(b) == 3
        if not self._folded:
            G, b = G[None], b[None]
            if Gv is not None:
                Gv, bv, yyv = Gv[None], bv[None], np.asarray(yyv)[None]
        self.n_folds, self.T, self.d = b.shape
        self.shared = float(shared)
        # the shared model is node T, a task without rows
        self._n = self.T + (self.shared > 0)
        self.G = G if self._n == self.T else np.concatenate(
            [G, np.zeros((self.n_folds, 1, self.d, self.d))], axis=1)
        self.b = self._pad(b)
        self.edges = np.asarray(edges, dtype=int).reshape(-1, 2)
        self.rho = float(rho)
        self.alpha = float(alpha)
        self.Gv, self.bv, self.yyv = Gv, bv, yyv
        self.solver = solver
        self.cg_tol = cg_tol
        self.cg_iters = 0
        self.shared_coef = None
        self._v_prev = None
        self._u_prev = None
        self._Gr = self.G + alpha * np.eye(self.d)
        self._eig = None

    def _pad(self, R):
        """``R`` of shape (K, T, d) with a zero row for the shared model, if any."""
        if self._n == self.T:
            return R
        return np.concatenate([R, np.zeros((self.n_folds, 1, self.d))], axis=1)

    @property
    def warm_start(self):
        """The last inner and adjoint solutions, which the next CG solves start from."""
        return self._v_prev, self._u_prev

    @warm_start.setter
    def warm_start(self, solutions):
        self._v_prev, self._u_prev = solutions

    def folds(self, index):
        """The problem restricted to the folds ``index`` (a fresh warm start).

        Parameters
        ----------
        index : array-like of int or bool
            Folds to keep.

        Returns
        -------
        problem : TaskGraphProblem
            With a fold axis.
        """
        index = np.arange(self.n_folds)[index]
        G = self.G[index, :self.T]
        validation = (None,) * 3 if self.Gv is None else (
            self.Gv[index], self.bv[index], self.yyv[index])
        problem = TaskGraphProblem(G, self.b[index, :self.T], self.edges, self.rho,
                                   self.alpha, *validation, solver=self.solver,
                                   cg_tol=self.cg_tol, shared=self.shared)
        if self.solver == "cg":
            problem._eig = tuple(a[index] for a in self._block_eig())
        return problem

    # ------------------------------------------------------------------ inner
    def laplacian(self, e):
        """Weighted graph Laplacian ``rho * L(e)`` as a sparse CSR matrix.

        Of shape (T, T), or (T + 1, T + 1) with the shared model's fixed edges.
        """
        n, T = self._n, self.T
        we = self.rho * np.asarray(e, dtype=float)
        i, j = self.edges[:, 0], self.edges[:, 1]
        if n > T:
            i = np.concatenate([i, np.arange(T)])
            j = np.concatenate([j, np.full(T, T)])
            we = np.concatenate([we, np.full(T, self.shared)])
        deg = np.bincount(i, we, n) + np.bincount(j, we, n)
        rows = np.concatenate([i, j, np.arange(n)])
        cols = np.concatenate([j, i, np.arange(n)])
        data = np.concatenate([-we, -we, deg])
        return sp.csr_matrix((data, (rows, cols)), shape=(n, n))

    def matrix(self, e, fold=0):
        """The sparse matrix ``A(e)`` of one fold, of shape (n * d, n * d), ``n`` nodes."""
        L = self.laplacian(e)
        return (sp.block_diag(list(self._Gr[fold]), format="csr")
                + sp.kron(L, sp.identity(self.d), format="csr")).tocsr()

    def _block_eig(self):
        if self._eig is None:
            lam, Q = np.linalg.eigh(self.G)
            self._eig = (np.maximum(lam, 0.0), Q)
        return self._eig

    def _solvers(self, e):
        """Return a function solving ``A_k(e) X_k = R_k`` for (K, n, d) right-hand sides."""
        L = self.laplacian(e)
        if self.solver == "direct":
            return self._direct_solver(L)
        return self._cg_solver(L)

    def _direct_solver(self, L):
        n, d = self._n, self.d
        ar = np.arange(n)
        graph = L.toarray()[:, None, :, None] * np.eye(d)[None, :, None, :]
        factors = []
        for Gr in self._Gr:
            A4 = graph.copy()
            A4[ar, :, ar, :] += Gr
            factors.append(cho_factor(A4.reshape(n * d, n * d), lower=True, check_finite=False))

        def solve(R, X0=None):
            return np.array([cho_solve(f, r.ravel(), check_finite=False).reshape(n, d)
                             for f, r in zip(factors, R)])

        return solve

    def _cg_solver(self, L):
        # Preconditioned CG on all folds at once, the vectors laid out (n, K, d) so
        # that graph products are one sparse product. The preconditioner is the
        # block diagonal B of A = B - N (blocks G_t + (alpha + rho deg_t) I,
        # inverted via eigh of G_t; N = rho * weighted adjacency (x) I), and as
        # B z = r, B p follows the same recursion as p: A p = B p - N p costs one
        # sparse product and no block product. A fold stops moving once its
        # residual is below the tolerance, as if it were solved alone.
        n, K, d = self._n, self.n_folds, self.d
        lam, Q = self._block_eig()
        deg = L.diagonal()
        Binv = np.swapaxes(
            (Q / (lam + self.alpha + deg[:, None])[..., None, :]) @ np.swapaxes(Q, -1, -2),
            0, 1).copy()
        N = (sp.diags(deg) - L).tocsr()

        def blocks(M, V):
            return np.matmul(M, V[..., None])[..., 0]

        def graph(V):
            return (N @ V.reshape(n, K * d)).reshape(n, K, d)

        def fold_dot(U, V):
            return np.einsum("nkd,nkd->k", U, V)

        def solve(R, X0=None):
            R = np.swapaxes(R, 0, 1)
            if X0 is None:
                X, res = np.zeros_like(R), R.copy()
            else:
                X = np.swapaxes(X0, 0, 1).copy()
                BX = blocks(np.swapaxes(self._Gr, 0, 1), X) + deg[:, None, None] * X
                res = R - BX + graph(X)
            Z = blocks(Binv, res)
            P, BP = Z.copy(), res.copy()
            rz = fold_dot(res, Z)
            stop = self.cg_tol * np.sqrt(fold_dot(R, R))
            active = np.sqrt(fold_dot(res, res)) > stop
            for _ in range(10 * n * d):
                if not active.any():
                    break
                AP = BP - graph(P)
                step = np.where(active, rz, 0.0) / np.where(active, fold_dot(P, AP), 1.0)
                X += step[:, None] * P
                res -= step[:, None] * AP
                Z = blocks(Binv, res)
                rz_new = fold_dot(res, Z)
                beta = (np.where(active, rz_new, 0.0) / np.where(active, rz, 1.0))[:, None]
                P = Z + beta * P
                BP = res + beta * BP
                rz = rz_new
                active &= np.sqrt(fold_dot(res, res)) > stop
                self.cg_iters += 1
            return np.swapaxes(X, 0, 1)

        return solve

    def solve(self, e, b=None):
        """Inner solution for edge weights ``e`` (right-hand side ``b`` if given).

        Returns
        -------
        W : ndarray of shape (T, d), or (K, T, d) with a fold axis
        """
        if b is not None:
            b = self._pad(b if self._folded else b[None])
        W = self._inner(self._solvers(e), b)
        return W if self._folded else W[0]

    def _inner(self, solve, b=None):
        """Task models solving ``A(e) V = b`` warm-started (the shared model stored apart)."""
        V = solve(self.b if b is None else b, self._v_prev)
        self._v_prev = V
        if self._n > self.T:
            self.shared_coef = V[:, self.T].mean(axis=0)
        return V[:, :self.T]

    # ------------------------------------------------------------------ outer
    def _per_task_validation(self, W):
        """Per-fold, per-task validation mean squared errors of ``W`` (K, T, d)."""
        quad = np.einsum("kti,ktij,ktj->kt", W, self.Gv, W)
        return quad - 2.0 * np.einsum("kti,kti->kt", W, self.bv) + self.yyv

    def per_task_losses(self, e):
        """Per-fold, per-task validation mean squared errors, shape (K, T)."""
        return self._per_task_validation(self._inner(self._solvers(e)))

    def value_and_grad(self, e):
        """Validation loss ``f(e)`` and its exact hypergradient ``df/de``.

        Both are means over the folds.

        Returns
        -------
        f : float
        grad : ndarray of shape (n_edges,)
        W : ndarray of shape (T, d)
            The inner solution (its fold mean).
        """
        solve = self._solvers(e)
        W = self._inner(solve)
        f = 0.5 * np.sum(self._per_task_validation(W)) / self.n_folds
        g = self._pad(np.einsum("ktij,ktj->kti", self.Gv, W) - self.bv)  # df/dv
        U = solve(g, self._u_prev)
        self._u_prev = U
        i, j = self.edges[:, 0], self.edges[:, 1]
        grad = -self.rho * np.einsum("keq,keq->e", W[:, i] - W[:, j], U[:, i] - U[:, j])
        return f, grad / self.n_folds, W.mean(axis=0)
