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

__all__ = ["TaskGraphProblem", "task_moments"]


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


class TaskGraphProblem:
    """The bilevel problem on fixed data and candidate edges.

    Parameters
    ----------
    G, b : arrays from :func:`task_moments` on the inner-training rows.
    edges : ndarray of shape (n_edges, 2) of int
        Candidate edges ``(i, j)`` with ``i < j``.
    rho : float
        Graph coupling strength; the effective weight of edge ``ij`` is ``rho * e_ij``.
    alpha : float
        Ridge penalty on every coefficient (> 0 keeps ``A`` positive definite).
    Gv, bv, yyv : arrays from :func:`task_moments` on the validation rows, or None.
    solver : {"direct", "cg"}
        Dense Cholesky factorisation of ``A(e)`` (one per weight vector, reused by
        the adjoint solve; for small ``T * d``) or block-Jacobi preconditioned
        conjugate gradient on ``(T, d)`` arrays, warm-started from the previous
        solution (memory and time linear in ``T`` for a sparse candidate graph).
    cg_tol : float
        Relative residual tolerance of the conjugate gradient.
    shared : float
        Fixed pull of every task towards the shared model (0: no shared model).

    Attributes
    ----------
    shared_coef : ndarray of shape (d,) or None
        The shared model of the last solve (None when ``shared=0``).
    """

    def __init__(self, G, b, edges, rho, alpha, Gv=None, bv=None, yyv=None,
                 solver="direct", cg_tol=1e-10, shared=0.0):
        self.T, self.d = b.shape
        self.shared = float(shared)
        # the shared model is node T, a task without rows
        self._n = self.T + (self.shared > 0)
        self.G = G if self._n == self.T else np.concatenate([G, np.zeros((1, self.d, self.d))])
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
        self._Gr = self.G + alpha * np.eye(self.d)[None]
        self._eig = None

    def _pad(self, R):
        """``R`` of shape (T, d) with a zero row for the shared model, if any."""
        return R if self._n == self.T else np.concatenate([R, np.zeros((1, self.d))])

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

    def matrix(self, e):
        """The sparse matrix ``A(e)`` of shape (n * d, n * d), ``n`` nodes."""
        L = self.laplacian(e)
        return (sp.block_diag(list(self._Gr), format="csr")
                + sp.kron(L, sp.identity(self.d), format="csr")).tocsr()

    def _block_eig(self):
        if self._eig is None:
            lam, Q = np.linalg.eigh(self.G)
            self._eig = (np.maximum(lam, 0.0), Q)
        return self._eig

    def _solvers(self, e):
        """Return a function solving ``A(e) X = R`` for an (n, d) right-hand side."""
        n, d = self._n, self.d
        L = self.laplacian(e)
        if self.solver == "direct":
            A4 = np.zeros((n, d, n, d))
            A4 += L.toarray()[:, None, :, None] * np.eye(d)[None, :, None, :]
            ar = np.arange(n)
            A4[ar, :, ar, :] += self._Gr
            A = A4.reshape(n * d, n * d)
            factor = cho_factor(A, lower=True, check_finite=False)

            def solve(R, X0=None):
                return cho_solve(factor, R.ravel(), check_finite=False).reshape(n, d)

            return solve
        # block-Jacobi preconditioner (G_t + (alpha + rho deg_t) I)^-1 via eigh of G_t
        lam, Q = self._block_eig()
        deg = L.diagonal()
        Binv = (Q / (lam + self.alpha + deg[:, None])[:, None, :]) @ np.swapaxes(Q, 1, 2)
        Gr = self._Gr

        def matvec(V):
            return np.matmul(Gr, V[..., None])[..., 0] + L @ V

        def solve(R, X0=None):
            X = np.zeros_like(R) if X0 is None else X0.copy()
            res = R - matvec(X)
            Z = np.matmul(Binv, res[..., None])[..., 0]
            P = Z.copy()
            rz = np.vdot(res, Z)
            stop = self.cg_tol * np.linalg.norm(R)
            for _ in range(10 * n * d):
                if np.linalg.norm(res) <= stop:
                    break
                AP = matvec(P)
                step = rz / np.vdot(P, AP)
                X += step * P
                res -= step * AP
                Z = np.matmul(Binv, res[..., None])[..., 0]
                rz_new = np.vdot(res, Z)
                P = Z + (rz_new / rz) * P
                rz = rz_new
                self.cg_iters += 1
            return X

        return solve

    def solve(self, e, b=None):
        """Inner solution ``W`` of shape (T, d) for edge weights ``e``."""
        b = self.b if b is None else self._pad(b)
        return self._models(self._solvers(e)(b, self._v_prev))

    def _models(self, V):
        """Task models of the full solution ``V`` (the shared model stored apart)."""
        self._v_prev = V
        if self._n > self.T:
            self.shared_coef = V[self.T]
        return V[:self.T]

    # ------------------------------------------------------------------ outer
    def per_task_validation(self, W):
        """Per-task validation mean squared errors of the coefficients ``W``."""
        quad = np.einsum("ti,tij,tj->t", W, self.Gv, W)
        return quad - 2.0 * np.einsum("ti,ti->t", W, self.bv) + self.yyv

    def value_and_grad(self, e):
        """Validation loss ``f(e)`` and its exact hypergradient ``df/de``.

        Returns
        -------
        f : float
        grad : ndarray of shape (n_edges,)
        W : ndarray of shape (T, d)
            The inner solution.
        """
        solve = self._solvers(e)
        W = self._models(solve(self.b, self._v_prev))
        f = 0.5 * np.sum(self.per_task_validation(W))
        g = self._pad(np.einsum("tij,tj->ti", self.Gv, W) - self.bv)  # df/dv
        U = solve(g, self._u_prev)
        self._u_prev = U
        i, j = self.edges[:, 0], self.edges[:, 1]
        grad = -self.rho * np.einsum("ek,ek->e", W[i] - W[j], U[i] - U[j])
        return f, grad, W


class FoldedProblem:
    """Sum of :class:`TaskGraphProblem` over validation folds (same edges).

    With ``K`` folds every training row is a validation row once, which makes the
    outer loss, and so the learned graph, much less noisy than a single split.
    """

    def __init__(self, problems):
        self.problems = list(problems)
        self.T, self.d = self.problems[0].T, self.problems[0].d
        self.edges = self.problems[0].edges

    def value_and_grad(self, e):
        """Fold-averaged validation loss, its hypergradient and the mean models."""
        f, g, W = 0.0, 0.0, 0.0
        for p in self.problems:
            fk, gk, Wk = p.value_and_grad(e)
            f, g, W = f + fk, g + gk, W + Wk
        k = len(self.problems)
        return f / k, g / k, W / k

    @property
    def shared_coef(self):
        """Fold mean of the shared models of the last solves (None without one)."""
        if self.problems[0].shared_coef is None:
            return None
        return np.mean([p.shared_coef for p in self.problems], axis=0)

    def per_task_losses(self, e):
        """Per-fold, per-task validation mean squared errors, shape (n_folds, T)."""
        return np.array([p.per_task_validation(p.solve(e)) for p in self.problems])
