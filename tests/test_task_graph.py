"""SparseTaskGraphMTL: the bilevel problem, the edge path and the estimator.

Pinned: task moments against per-task loops; the inner solution against normal
equations assembled edge by edge (shared model included) and a dense solve; CG
(cold and warm started) against the direct solver; validation losses against the
validation MSE; the hypergradient and the outer penalty against finite
differences; the outer scale, Adam's first step, the path's pruning and the
one-standard-error rule against their definitions (brute force, crafted ties and
boundaries); the estimator against closed forms and planted graphs.
"""

import pickle
from concurrent.futures import ThreadPoolExecutor

from sklearn import config_context
from sklearn.base import clone
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from skmtlx.datasets import TASK_GRAPH_STRUCTURES, make_task_graph_regression, task_graph_edges
from skmtlx.task_graph import (
    SparseTaskGraphMLP,
    SparseTaskGraphMTL,
    TaskGraphDisplay,
    graph_recovery_score,
)
from skmtlx.metrics import global_fidelity
from skmtlx.task_graph._bilevel import TaskGraphProblem, fidelity_moments, task_moments
from skmtlx.task_graph._outer import (
    _penalty,
    optimize_edges,
    path_losses,
    select_path_point,
    sparsity_path_edges,
)
from skmtlx.utils._selection import one_standard_error_rule


def _toy(n_tasks=6, n_features=4, n_samples=30, structure="cliques", n_groups=2, noise=0.1,
         seed=0):
    return make_task_graph_regression(structure, n_tasks=n_tasks, n_features=n_features,
                                      n_samples=n_samples, n_groups=n_groups, noise=noise,
                                      random_state=seed)


# ------------------------------------------------------------------ linear core
@pytest.mark.parametrize("shared", [0.0, 0.7])
@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_hypergradient_matches_finite_differences(solver, shared):
    rng = np.random.RandomState(0)
    T, d, n = 5, 4, 10
    X = rng.randn(T * n, d)
    ti = np.repeat(np.arange(T), n)
    y = np.einsum("ij,ij->i", X, rng.randn(T, d)[ti]) + 0.1 * rng.randn(T * n)
    val = rng.rand(T * n) < 0.3
    G, b, _, _ = task_moments(X[~val], y[~val], ti[~val], T)
    Gv, bv, yyv, _ = task_moments(X[val], y[val], ti[val], T)
    edges = np.column_stack(np.triu_indices(T, 1))
    p = TaskGraphProblem(G, b, edges, 2.0, 0.01, Gv, bv, yyv, solver=solver, cg_tol=1e-13,
                         shared=shared)
    e = rng.uniform(0.1, 0.9, len(edges))
    _, grad, _ = p.value_and_grad(e)
    h = 1e-5
    fd = np.array([(p.value_and_grad(e + h * np.eye(len(e))[k])[0]
                    - p.value_and_grad(e - h * np.eye(len(e))[k])[0]) / (2 * h)
                   for k in range(len(e))])
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("shared", [0.0, 0.7])
def test_direct_and_cg_agree_and_match_dense_solve(shared):
    rng = np.random.RandomState(1)
    T, d = 7, 3
    G = np.array([np.cov(rng.randn(d, 5)) for _ in range(T)])
    b = rng.randn(T, d)
    edges = np.column_stack(np.triu_indices(T, 1))
    e = rng.rand(len(edges))
    kw = dict(shared=shared)
    direct = TaskGraphProblem(G, b, edges, 1.5, 0.1, solver="direct", **kw)
    Wd = direct.solve(e)
    Wc = TaskGraphProblem(G, b, edges, 1.5, 0.1, solver="cg", cg_tol=1e-12, **kw).solve(e)
    A = TaskGraphProblem(G, b, edges, 1.5, 0.1, **kw).matrix(e).toarray()
    # the shared model, when there is one, is the last block of unknowns
    rhs = np.concatenate([b.ravel(), np.zeros(A.shape[0] - b.size)])
    V = np.linalg.solve(A, rhs)
    np.testing.assert_allclose(Wd.ravel(), V[:b.size], atol=1e-10)
    np.testing.assert_allclose(Wc, Wd, atol=1e-8)
    if shared:
        np.testing.assert_allclose(direct.shared_coef, V[b.size:], atol=1e-10)
    else:
        assert A.shape == (T * d, T * d) and direct.shared_coef is None


@pytest.mark.parametrize("shared", [0.0, 0.7])
@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_folds_solved_together_match_each_fold_alone(solver, shared):
    # the folds of one problem share the graph and are solved at once (one CG for
    # all folds); the losses, models and hypergradient are the fold means
    rng = np.random.RandomState(2)
    T, d, n, K = 6, 3, 12, 3
    X = rng.randn(T * n, d)
    ti = np.repeat(np.arange(T), n)
    # fold sizes differ per task, so the folds' CG converge after different steps
    y = np.einsum("ij,ij->i", X, rng.randn(T, d)[ti]) + 0.1 * rng.randn(T * n)
    fold = rng.randint(K, size=T * n)
    fold[:K * T] = np.repeat(np.arange(K), T)
    moments = [task_moments(X[fold != k], y[fold != k], ti[fold != k], T)[:2]
               + task_moments(X[fold == k], y[fold == k], ti[fold == k], T)[:3]
               for k in range(K)]
    edges = np.column_stack(np.triu_indices(T, 1))
    e = rng.uniform(0.1, 0.9, len(edges))
    kw = dict(solver=solver, cg_tol=1e-12, shared=shared)
    alone = [TaskGraphProblem(*m[:2], edges, 2.0, 0.05, *m[2:], **kw) for m in moments]
    G, b, Gv, bv, yyv = (np.stack(a) for a in zip(*moments))
    folded = TaskGraphProblem(G, b, edges, 2.0, 0.05, Gv, bv, yyv, **kw)
    f, grad, W = folded.value_and_grad(e)
    each = [p.value_and_grad(e) for p in alone]
    assert folded.n_folds == K
    np.testing.assert_allclose(f, np.mean([r[0] for r in each]), rtol=1e-9)
    np.testing.assert_allclose(grad, np.mean([r[1] for r in each], axis=0), atol=1e-9)
    np.testing.assert_allclose(W, np.mean([r[2] for r in each], axis=0), atol=1e-9)
    np.testing.assert_allclose(folded.solve(e), [p.solve(e) for p in alone], atol=1e-9)
    losses = folded.per_task_losses(e)
    assert losses.shape == (K, T)
    # a subset of the folds is the problem built from those folds alone
    np.testing.assert_allclose(folded.folds([0, 2]).per_task_losses(e), losses[[0, 2]],
                               atol=1e-9)
    if shared:
        np.testing.assert_allclose(folded.shared_coef,
                                   np.mean([p.shared_coef for p in alone], axis=0), atol=1e-9)


def test_task_moments_are_per_task_averages():
    rng = np.random.RandomState(0)
    t = np.repeat([0, 1, 3], [5, 9, 2])  # task 2 has no rows
    X, y = rng.randn(len(t), 3), rng.randn(len(t))
    G, b, yy, counts = task_moments(X, y, t, 4)
    for k in range(4):
        Xt, yt = X[t == k], y[t == k]
        n = max(len(yt), 1)
        np.testing.assert_allclose(G[k], Xt.T @ Xt / n, atol=1e-14)
        np.testing.assert_allclose(b[k], Xt.T @ yt / n, atol=1e-14)
        assert yy[k] == pytest.approx(yt @ yt / n) and counts[k] == len(yt)


def _normal_equations(G, b, edges, e, rho, alpha, shared):
    """Stationarity of sum_t (w'G_t w / 2 - b_t'w) + alpha/2 sum ||w||^2
    + rho/2 sum_edges e_ij ||w_i - w_j||^2 + shared/2 sum_t ||w_t - w_0||^2, edge by edge."""
    T, d = b.shape
    n = T + (shared > 0)
    A, c = np.zeros((n * d, n * d)), np.zeros(n * d)
    eye = np.eye(d)

    def block(i, k):
        return A[i * d:(i + 1) * d, k * d:(k + 1) * d]

    for k in range(n):
        block(k, k)[:] += alpha * eye
    for k in range(T):
        block(k, k)[:] += G[k]
        c[k * d:(k + 1) * d] = b[k]
    links = [(i, j, rho * w) for (i, j), w in zip(edges, e)]
    links += [(k, T, shared) for k in range(T)] if shared > 0 else []
    for i, j, w in links:
        block(i, i)[:] += w * eye
        block(j, j)[:] += w * eye
        block(i, j)[:] -= w * eye
        block(j, i)[:] -= w * eye
    return np.linalg.solve(A, c).reshape(n, d)


@pytest.mark.parametrize("shared", [0.0, 0.7])
@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_inner_solution_solves_the_normal_equations(solver, shared):
    rng = np.random.RandomState(3)
    T, d = 5, 3
    G = np.array([np.cov(rng.randn(d, 6)) for _ in range(T)])
    b = rng.randn(T, d)
    edges = np.array([[0, 1], [1, 2], [0, 3], [2, 4]])  # a sparse, uneven graph
    e = np.array([0.9, 0.2, 0.6, 0.4])
    problem = TaskGraphProblem(G, b, edges, 1.7, 0.3, solver=solver, cg_tol=1e-13,
                               shared=shared)
    V = _normal_equations(G, b, edges, e, 1.7, 0.3, shared)
    np.testing.assert_allclose(problem.solve(e), V[:T], atol=1e-9)
    if shared:
        np.testing.assert_allclose(problem.shared_coef, V[T], atol=1e-9)
    # a second solve starts from the first solution (warm start) and still converges
    e2 = np.array([0.1, 0.8, 0.3, 0.7])
    np.testing.assert_allclose(problem.solve(e2),
                               _normal_equations(G, b, edges, e2, 1.7, 0.3, shared)[:T],
                               atol=1e-9)


def test_per_task_losses_are_the_validation_mse():
    rng = np.random.RandomState(4)
    T, d = 4, 3
    t_fit, t_val = np.repeat(np.arange(T), 8), np.repeat(np.arange(T), [3, 5, 4, 6])
    X, y = rng.randn(len(t_fit), d), rng.randn(len(t_fit))
    Xv, yv = rng.randn(len(t_val), d), rng.randn(len(t_val))
    G, b, _, _ = task_moments(X, y, t_fit, T)
    Gv, bv, yyv, _ = task_moments(Xv, yv, t_val, T)
    edges = np.column_stack(np.triu_indices(T, 1))
    e = rng.uniform(0.1, 0.9, len(edges))
    problem = TaskGraphProblem(G, b, edges, 1.0, 0.1, Gv, bv, yyv)
    W = problem.solve(e)
    expected = [np.mean((Xv[t_val == k] @ W[k] - yv[t_val == k]) ** 2) for k in range(T)]
    np.testing.assert_allclose(problem.per_task_losses(e)[0], expected, rtol=1e-10)
    assert problem.value_and_grad(e)[0] == pytest.approx(0.5 * np.sum(expected))


def _small_outer_problem(seed=0):
    X, y, t, _ = _toy(seed=seed)
    T = 6
    val = np.arange(len(y)) % 5 == 0
    G, b, _, _ = task_moments(X[~val], y[~val], t[~val], T)
    Gv, bv, yyv, _ = task_moments(X[val], y[val], t[val], T)
    edges = np.column_stack(np.triu_indices(T, 1))
    return lambda: TaskGraphProblem(G, b, edges, 1.0, 1e-3, Gv, bv, yyv), len(edges)


def test_outer_penalty_gradient_matches_finite_differences():
    e = np.random.RandomState(0).uniform(0.05, 0.95, 7)
    value, grad = _penalty(e, 0.3, 0.2)
    h = 1e-6
    fd = [(_penalty(e + h * u, 0.3, 0.2)[0] - _penalty(e - h * u, 0.3, 0.2)[0]) / (2 * h)
          for u in np.eye(7)]
    np.testing.assert_allclose(grad, fd, rtol=1e-6)
    assert value == pytest.approx(0.3 * e.sum() + 0.2 * np.sum(e - e * np.log(e)))


def test_outer_scale_divides_value_and_gradient():
    make, n_edges = _small_outer_problem()

    class Quartered:
        """The same problem with its value and hypergradient divided by 4."""

        def __init__(self, problem):
            self.problem = problem

        def value_and_grad(self, e):
            f, g, W = self.problem.value_and_grad(e)
            return f / 4, g / 4, W

    e0 = np.full(n_edges, 0.5)
    scaled = optimize_edges(make(), e0, sparsity=0.01, scale=4.0, max_iter=5)[0]
    divided = optimize_edges(Quartered(make()), e0, sparsity=0.01, scale=1.0, max_iter=5)[0]
    np.testing.assert_allclose(scaled, divided, atol=1e-12)


def test_adam_first_step_moves_every_edge_by_the_learning_rate():
    make, n_edges = _small_outer_problem()
    e0 = np.full(n_edges, 0.5)
    grad = make().value_and_grad(e0)[1]
    assert np.all(np.abs(grad) > 1e-8)
    e = optimize_edges(make(), e0, method="adam", max_iter=1, outer_lr=0.01)[0]
    # bias-corrected moments: the first step is learning_rate * sign(gradient)
    np.testing.assert_allclose(e, e0 - 0.01 * np.sign(grad), atol=1e-9)


def test_path_points_are_pruned_at_the_threshold():
    make, n_edges = _small_outer_problem()
    e0 = np.random.RandomState(0).uniform(0.0, 1.0, n_edges)
    raw = optimize_edges(make(), e0, sparsity=0.05, max_iter=100)[0]
    assert np.any((raw > 0) & (raw <= 0.3))  # precondition: some edges fall below it
    problem = make()
    losses = problem.per_task_losses(e0)
    weights, _, _ = path_losses(problem, e0, [0.05, 0.1], start_losses=losses,
                                empty_losses=losses, threshold=0.3)
    np.testing.assert_array_equal(weights[0], np.where(e0 > 0.3, e0, 0.0))
    for w in weights:
        assert np.all((w == 0) | (w > 0.3))


def test_path_and_reruns_run_as_n_jobs_processes(monkeypatch):
    # the path and its 2 reruns are 3 jobs: n_jobs=2 gives joblib 2 processes (with
    # n_jobs - 1 = 1, joblib ran them one after the other in this process), and a
    # worker's path hands its CG warm start back: the caller's problem ends as if
    # it had run the path itself
    import skmtlx.task_graph._outer as outer

    X, y, t, _ = _toy()
    T, K = 6, 4
    fold = np.arange(len(y)) % K
    moments = [task_moments(X[fold != k], y[fold != k], t[fold != k], T)[:2]
               + task_moments(X[fold == k], y[fold == k], t[fold == k], T)[:3]
               for k in range(K)]
    G, b, Gv, bv, yyv = (np.stack(m) for m in zip(*moments))
    edges = np.column_stack(np.triu_indices(T, 1))
    e0 = np.ones(len(edges))
    processes = []

    class Recorded(outer.Parallel):
        def __init__(self, n_jobs=None, **kwargs):
            processes.append(n_jobs)
            super().__init__(n_jobs=n_jobs, **kwargs)

    monkeypatch.setattr(outer, "Parallel", Recorded)
    ends = []
    for n_jobs in (None, 2):
        problem = TaskGraphProblem(G, b, edges, 1.0, 1e-3, Gv, bv, yyv, solver="cg")
        losses = problem.per_task_losses(e0)
        weights, path_losses_, _ = path_losses(
            problem, e0, [1e-2, 1e-1], start_losses=losses, empty_losses=losses, n_groups=2,
            max_iter=5, n_jobs=n_jobs)
        ends.append((weights, path_losses_, problem.warm_start))
    assert processes == [1, 2]
    (w1, l1, (v1, u1)), (w2, l2, (v2, u2)) = ends
    np.testing.assert_array_equal(np.asarray(w2), np.asarray(w1))
    np.testing.assert_array_equal(np.asarray(l2), np.asarray(l1))
    # the path's last solves, not the losses measured before it
    assert not np.array_equal(v1, TaskGraphProblem(
        G, b, edges, 1.0, 1e-3, Gv, bv, yyv, solver="cg").solve(e0))
    np.testing.assert_array_equal(v2, v1)
    np.testing.assert_array_equal(u2, u1)


@pytest.mark.parametrize("method", ["lbfgs", "adam"])
def test_outer_steps_stay_in_box_and_decrease_objective(method):
    X, y, t, _ = _toy()
    T = 6
    val = np.arange(len(y)) % 5 == 0
    G, b, _, _ = task_moments(X[~val], y[~val], t[~val], T)
    Gv, bv, yyv, _ = task_moments(X[val], y[val], t[val], T)
    edges = np.column_stack(np.triu_indices(T, 1))
    p = TaskGraphProblem(G, b, edges, 1.0, 1e-3, Gv, bv, yyv)
    e0 = np.ones(len(edges))
    f0 = p.value_and_grad(e0)[0]
    e, hist, n_iter = optimize_edges(p, e0, sparsity=0.0, scale=f0 / T, max_iter=30,
                                     method=method)
    assert n_iter >= 1 and len(hist) >= 2
    assert np.all((e >= 0) & (e <= 1))
    assert p.value_and_grad(e)[0] < f0


# ------------------------------------------------------------------ estimator behaviour
def test_fitted_attributes_and_graph_export():
    X, y, t, _ = _toy()
    m = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    T = 6
    assert m.coef_.shape == (T, 4) and m.intercept_.shape == (T,)
    A = m.adjacency_
    assert sp.issparse(A) and A.shape == (T, T)
    assert abs(A - A.T).max() == 0
    assert len(m.edges_) == len(m.edge_weights_) == A.nnz // 2
    assert np.all((m.edge_weights_ > 0) & (m.edge_weights_ <= 1))
    # the start (the full candidate graph), the sparsity path, the refitted kept weights
    np.testing.assert_array_equal(m.graph_history_[0], np.ones(len(m.candidate_edges_)))
    np.testing.assert_array_equal(m.graph_history_[1:-1], m.path_.weights)
    last = m.graph_history_[-1]
    np.testing.assert_allclose(np.sort(last[last > 0]), np.sort(m.edge_weights_))
    g = m.get_graph("predictive")
    assert g.kind == "predictive" and len(g.components) == T
    np.testing.assert_array_equal(g.edges, m.edges_)
    r = m.get_graph()
    assert r.kind == "relatedness"
    np.testing.assert_array_equal(r.edges, m.relatedness_.edges)
    nx = pytest.importorskip("networkx")
    G = m.to_networkx("predictive")
    assert isinstance(G, nx.Graph) and G.number_of_nodes() == T
    assert G.number_of_edges() == len(m.edges_) and G.graph["kind"] == "predictive"
    assert m.to_networkx().number_of_edges() == len(m.relatedness_.edges)
    with pytest.raises(ValueError, match="kind must be"):
        m.get_graph("learned")


def test_string_task_ids_and_task_column():
    X, y, t, _ = _toy()
    names = np.array([f"task{k}" for k in t])
    m1 = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=names)
    df = pd.DataFrame(X, columns=[f"x{i}" for i in range(4)])
    df["who"] = names
    m2 = SparseTaskGraphMTL(random_state=0, task_column="who").fit(df, y)
    np.testing.assert_allclose(m1.predict(X, tasks=names), m2.predict(df))
    assert m2.n_features_in_ == 5 and m2.coef_.shape == (6, 4)
    assert set(m1.edges_.ravel()) <= set(names)
    # integer position in a plain array
    Xa = np.column_stack([t, X])
    m3 = SparseTaskGraphMTL(random_state=0, task_column=0).fit(Xa, y)
    np.testing.assert_allclose(m3.predict(Xa), m1.predict(X, tasks=names))


def test_sparse_X_with_a_task_column_or_task_ids():
    X, y, t, _ = _toy()
    X = np.where(np.abs(X) < 0.5, 0.0, X)
    # the ids between the features; task 0 is an implicit zero of the sparse matrix
    Xa = np.column_stack([X[:, :2], t, X[:, 2:]])
    assert (t == 0).any()
    dense = SparseTaskGraphMTL(random_state=0, task_column=2).fit(Xa, y)
    for position in (2, -3):
        sparse = SparseTaskGraphMTL(random_state=0, task_column=position).fit(
            sp.csc_matrix(Xa), y)
        np.testing.assert_array_equal(sparse.tasks_, dense.tasks_)
        np.testing.assert_array_equal(sparse.coef_, dense.coef_)
        np.testing.assert_array_equal(sparse.predict(sp.csr_array(Xa)), dense.predict(Xa))
        np.testing.assert_array_equal(sparse.explain(sp.coo_matrix(Xa)).values,
                                      dense.explain(Xa).values)
    by_ids = SparseTaskGraphMTL(random_state=0).fit(sp.csr_matrix(X), y, tasks=t)
    np.testing.assert_array_equal(
        by_ids.predict(sp.csc_array(X), tasks=t),
        SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t).predict(X, tasks=t))
    with pytest.raises(ValueError, match="'who' is a column name but X has no column names"):
        SparseTaskGraphMTL(task_column="who").fit(sp.csr_matrix(Xa), y)


def test_deterministic_and_pickle():
    X, y, t, _ = _toy()
    m1 = SparseTaskGraphMTL(random_state=3).fit(X, y, tasks=t)
    m2 = SparseTaskGraphMTL(random_state=3).fit(X, y, tasks=t)
    np.testing.assert_array_equal(m1.coef_, m2.coef_)
    m3 = pickle.loads(pickle.dumps(m1))
    np.testing.assert_array_equal(m3.predict(X, tasks=t), m1.predict(X, tasks=t))
    assert clone(m1).get_params() == m1.get_params()


@pytest.mark.parametrize("solver", ["direct", "cg"])
def test_parallel_path_reruns_give_the_same_fit(solver):
    X, y, t, _ = _toy(n_tasks=8, structure="line")
    kw = dict(solver=solver, path_cv=3, max_iter=10, random_state=0)
    alone = SparseTaskGraphMTL(**kw).fit(X, y, tasks=t)
    parallel = SparseTaskGraphMTL(n_jobs=2, **kw).fit(X, y, tasks=t)
    np.testing.assert_array_equal(parallel.path_.validation_loss, alone.path_.validation_loss)
    np.testing.assert_array_equal(parallel.coef_, alone.coef_)
    assert parallel.n_iter_ == alone.n_iter_


def test_metadata_routing_pipeline_and_grid_search():
    X, y, t, _ = _toy()
    with config_context(enable_metadata_routing=True):
        est = (SparseTaskGraphMTL(max_iter=5, random_state=0)
               .set_fit_request(tasks=True).set_predict_request(tasks=True)
               .set_score_request(tasks=True))
        pipe = make_pipeline(StandardScaler(), est).fit(X, y, tasks=t)
        assert pipe.predict(X, tasks=t).shape == y.shape
        folds = KFold(3, shuffle=True, random_state=0)
        gs = GridSearchCV(est, {"rho": [0.1, 1.0]}, cv=folds).fit(X, y, tasks=t)
        assert gs.best_params_["rho"] in (0.1, 1.0)
        assert np.isfinite(gs.best_score_)


@pytest.mark.parametrize(
    "make_bad, match",
    [
        (lambda X, y, t: (X, y, np.zeros_like(t)), "at least 2 tasks"),
        (lambda X, y, t: (X[:-29], y[:-29], t[:-29]), "at least 2 samples"),
        (lambda X, y, t: (X, y, t[:-1]), "one task id per row"),
        (lambda X, y, t: (X, y, np.where(np.arange(len(t)) == 3, np.nan, t)), "NaN"),
        (lambda X, y, t: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y, t),
         "NaN"),
        (lambda X, y, t: (X, np.where(y > 0, "up", "down"), t), "y must be numeric"),
    ],
)
def test_bad_inputs_raise_clear_errors(make_bad, match):
    X, y, t, _ = _toy()
    Xb, yb, tb = make_bad(X, y, t)
    with pytest.raises(ValueError, match=match):
        SparseTaskGraphMTL(max_iter=2).fit(Xb, yb, tasks=tb)


def test_predict_errors():
    X, y, t, _ = _toy()
    m = SparseTaskGraphMTL(max_iter=2).fit(X, y, tasks=t)
    with pytest.raises(ValueError, match="not seen in fit"):
        m.predict(X[:3], tasks=[0, 1, 99])
    with pytest.raises(ValueError, match="pass tasks="):
        m.predict(X)
    with pytest.raises(ValueError, match="one task id per row"):
        m.predict(X[:3], tasks=[0, 1])
    with pytest.raises(ValueError, match="not both"):
        SparseTaskGraphMTL(task_column=0).fit(X, y, tasks=t)


def test_user_candidate_edges_are_respected():
    X, y, t, _ = _toy()
    m = SparseTaskGraphMTL(candidate_graph=[(0, 2), (2, 4), (1, 3)], sparsity=0.0,
                           random_state=0).fit(X, y, tasks=t)
    assert len(m.candidate_edges_) == 3
    assert {tuple(e) for e in m.edges_.tolist()} <= {(0, 2), (2, 4), (1, 3)}
    with pytest.raises(ValueError, match="not among the tasks"):
        SparseTaskGraphMTL(candidate_graph=[(0, 42)]).fit(X, y, tasks=t)


def test_knn_candidate_graph_size():
    X, y, t, _ = _toy(n_tasks=12, n_groups=3)
    m = SparseTaskGraphMTL(candidate_graph="knn", n_neighbors=2, max_iter=3).fit(X, y, tasks=t)
    n = len(m.candidate_edges_)
    assert 12 <= n <= 24


def test_sparsity_path_is_monotone_full_to_empty():
    X, y, t, _ = _toy(n_tasks=8)
    m = SparseTaskGraphMTL(max_iter=20, cv=None, random_state=0)
    path = m.sparsity_path(X, y, tasks=t, sparsities=np.logspace(-3, 1, 5))
    n_edges = path.n_edges
    assert n_edges[0] == 28 and n_edges[-1] == 0
    assert np.all(np.diff(n_edges) <= 0)
    assert len(path.adjacency) == len(n_edges) == len(path.validation_loss)
    assert np.isfinite(path.validation_loss).all()
    assert hasattr(m, "coef_")


def test_sparsity_path_is_the_path_fit_chooses_from():
    X, y, t, _ = _toy(n_tasks=8)
    params = dict(max_iter=20, random_state=0)
    fitted = SparseTaskGraphMTL(**params).fit(X, y, tasks=t)
    pathed = SparseTaskGraphMTL(**params)
    path = pathed.sparsity_path(X, y, tasks=t)
    np.testing.assert_array_equal(path.n_edges, fitted.path_.n_edges)
    np.testing.assert_allclose(path.weights, fitted.path_.weights)
    assert path.selected_index == fitted.path_.selected_index
    np.testing.assert_allclose(pathed.coef_, fitted.coef_)
    # the default grid runs on until the graph is empty
    assert path.n_edges[-2] == 0
    with pytest.raises(ValueError, match="sparsities"):
        pathed.sparsity_path(X, y, tasks=t, sparsities=[-1.0])


def test_sparsity_weight_prunes_edges():
    X, y, t, _ = _toy(n_tasks=8)
    dense = SparseTaskGraphMTL(sparsity=0.0, random_state=0).fit(X, y, tasks=t)
    sparse = SparseTaskGraphMTL(sparsity=5.0, entropy=1.0, random_state=0).fit(X, y, tasks=t)
    assert len(sparse.edges_) < len(dense.edges_)


@pytest.mark.parametrize("structure, min_precision, min_recall",
                         [("cliques", 0.9, 0.9), ("clusters", 0.9, 0.5), ("line", 0.4, 0.7)])
def test_graph_recovery_on_small_problems(structure, min_precision, min_recall):
    # a fixed sparsity weight with a strong coupling
    X, y, t, edges = make_task_graph_regression(
        structure, n_tasks=8, n_features=5, n_samples=20, n_groups=2, step_std=0.3,
        noise=0.3, random_state=0)
    m = SparseTaskGraphMTL(rho=100.0, sparsity=0.0, init="full", random_state=0).fit(
        X, y, tasks=t)
    precision, recall, _ = graph_recovery_score(edges, m.edges_)
    assert precision >= min_precision and recall >= min_recall, (precision, recall)


def test_default_one_se_rule_recovers_small_cliques():
    # the default sparsity="1se": the sparsest graph within one standard error of the
    # best one on the cross-validated path; it is sparse and precise (a clique is
    # mostly recovered through a spanning subset of its edges, which predicts as well)
    X, y, t, edges = make_task_graph_regression(
        "cliques", n_tasks=8, n_features=5, n_samples=20, n_groups=2, noise=0.3,
        random_state=0)
    m = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    precision, recall, _ = graph_recovery_score(edges, m.edges_)
    assert precision >= 0.85 and recall >= 0.6, (precision, recall)
    path = m.path_
    k = path.selected_index
    best = np.argmin(path.validation_loss)
    assert path.validation_loss[k] <= path.validation_loss[best] + path.validation_se[k]
    assert path.n_edges[k] <= path.n_edges[best]
    assert path.n_edges[0] == 28 and path.n_edges[-1] == 0
    assert np.all(np.diff(path.n_edges) <= 0)
    assert len(path.weights) == len(path.n_edges) == len(path.sparsities)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_fitted_path_keeps_no_spurious_edge(seed):
    # unrelated tasks: the weights of each path point fit the folds' validation rows,
    # so scored on those rows (path_cv=1) chance edges look useful; scored on folds
    # the weights were not fitted to (the default), the empty graph is chosen
    X, y, t, _ = make_task_graph_regression("disconnected", n_tasks=8, n_features=5,
                                            noise=0.3, random_state=seed)
    in_sample = SparseTaskGraphMTL(path_cv=1, random_state=0).fit(X, y, tasks=t)
    assert len(in_sample.edges_) > 0
    cross_fitted = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    assert len(cross_fitted.edges_) == 0
    # the path itself is the same: only its scores differ
    np.testing.assert_allclose(cross_fitted.path_.weights, in_sample.path_.weights)
    fitted = cross_fitted.path_.n_edges[1:-1] > 0  # points with a fitted weight
    assert np.all(cross_fitted.path_.validation_loss[1:-1][fitted]
                  > in_sample.path_.validation_loss[1:-1][fitted])


def test_one_se_rule_is_sparser_than_min_rule():
    X, y, t, edges = make_task_graph_regression(
        "line", n_tasks=10, n_features=6, n_samples=15, step_std=0.3, noise=0.3,
        random_state=1)
    m_min = SparseTaskGraphMTL(sparsity="min", random_state=0).fit(X, y, tasks=t)
    m_1se = SparseTaskGraphMTL(sparsity="1se", random_state=0).fit(X, y, tasks=t)
    assert len(m_1se.edges_) <= len(m_min.edges_)
    np.testing.assert_array_equal(m_min.path_.n_edges, m_1se.path_.n_edges)
    assert m_min.path_.selected_index == np.argmin(m_min.path_.validation_loss)


def test_select_path_point_rule():
    from skmtlx.task_graph._outer import select_path_point

    rng = np.random.RandomState(0)
    base = rng.uniform(1, 2, size=(3, 50))  # (folds, tasks)
    wiggle = 0.1 * (-1.0) ** np.arange(50)  # per-task differences: mean 0.005, se 0.014
    losses = [base + 0.5, base, base + 0.005 + wiggle, base + 1.0]
    n_edges = [30, 20, 10, 0]
    idx_min, mean, se = select_path_point(losses, n_edges, "min")
    idx_1se, _, _ = select_path_point(losses, n_edges, "1se")
    assert idx_min == 1 and se[1] == 0
    assert idx_1se == 2  # within one standard error of the best, and sparser


def test_path_points_after_the_first_only_move_kept_edges():
    make, n_edges = _small_outer_problem()
    e0 = np.ones(n_edges)
    first = optimize_edges(make(), e0, sparsity=0.2, max_iter=100)[0]
    free = optimize_edges(make(), first, sparsity=0.0, max_iter=100)[0]
    # precondition: without the rule, edges dropped at the first point would grow back
    assert np.any((first == 0) & (free > 0)) and np.any(first > 0)
    weights, _ = sparsity_path_edges(make(), e0, [0.2, 0.0], prune=0.0)
    np.testing.assert_array_equal(weights[1][weights[0] == 0], 0.0)


def _paired_se(per_unit, best):
    n = per_unit.shape[1]
    out = []
    for row in per_unit:
        diff = row - per_unit[best]
        out.append(np.sqrt(np.sum((diff - diff.mean()) ** 2) / (n - 1)) / np.sqrt(n))
    return np.array(out)


def test_one_standard_error_rule_against_its_definition():
    rng = np.random.RandomState(0)
    losses = rng.rand(5, 7) + rng.rand(5)[:, None]
    index, lowest, mean, se = one_standard_error_rule(losses, [4, 3, 2, 1, 0])
    assert lowest == int(np.argmin(losses.mean(axis=1)))
    np.testing.assert_allclose(mean, losses.mean(axis=1))
    np.testing.assert_allclose(se, _paired_se(losses, lowest), rtol=1e-12)
    within = [c for c in range(5) if mean[c] <= mean[lowest] + se[c]]
    assert index == min(within, key=lambda c: ([4, 3, 2, 1, 0][c], mean[c]))
    # crafted: rows 1 and 2 lie exactly one standard error above row 0 (diffs (0, 0, 0, k):
    # mean k/4, standard error k/4); both are the simplest, row 2 has the lower loss
    crafted = np.array([[1, 1, 1, 1], [1, 1, 1, 3], [1, 1, 1, 2], [2, 2, 2, 2]], dtype=float)
    index, lowest, mean, se = one_standard_error_rule(crafted, [3, 1, 1, 0])
    np.testing.assert_allclose(se, [0.0, 0.5, 0.25, 0.0])
    assert lowest == 0 and index == 2


def test_select_path_point_units_are_tasks():
    rng = np.random.RandomState(1)
    losses = [rng.rand(3, 8) + shift for shift in (0.3, 0.0, 0.05, 0.6)]  # (folds, tasks)
    _, mean, se = select_path_point(losses, [30, 20, 10, 0], "min")
    per_task = np.array([loss.mean(axis=0) for loss in losses])
    np.testing.assert_allclose(mean, per_task.mean(axis=1))
    np.testing.assert_allclose(se, _paired_se(per_task, int(np.argmin(mean))), rtol=1e-12)


def test_no_edge_helps_gives_empty_graph():
    # unrelated tasks with plenty of rows: no edge is worth keeping
    X, y, t, _ = make_task_graph_regression("disconnected", n_tasks=6, n_features=4,
                                            n_samples=40, noise=0.5, random_state=0)
    m = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    assert len(m.edges_) <= 1


def test_graph_learning_beats_independent_models():
    X, y, t, _ = make_task_graph_regression("cliques", n_tasks=8, n_features=10,
                                            n_samples=40, n_groups=2, noise=1.0,
                                            random_state=0)
    train = np.arange(len(y)) % 40 < 12
    m = SparseTaskGraphMTL(random_state=0).fit(X[train], y[train], tasks=t[train])
    ind = SparseTaskGraphMTL(candidate_graph=np.zeros((0, 2)), random_state=0).fit(
        X[train], y[train], tasks=t[train])
    assert m.score(X[~train], y[~train], tasks=t[~train]) > \
        ind.score(X[~train], y[~train], tasks=t[~train])


def _sine_tasks():
    """Four tasks a linear model cannot fit: two frequencies of a sine."""
    rng = np.random.RandomState(0)
    T, n = 4, 50
    t = np.repeat(np.arange(T), n)
    X = rng.uniform(-2, 2, (T * n, 2))
    y = np.sin(X[:, 0] * (1 + (t % 2))) + 0.05 * rng.randn(T * n)
    return X, y, t


def test_mlp_option_learns_nonlinear_tasks_and_groups():
    pytest.importorskip("skorch")
    X, y, t = _sine_tasks()
    lin = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    mlp = SparseTaskGraphMLP(model="mlp", hidden_layer_sizes=(16,), max_epochs=15,
                             batch_size=50, random_state=0).fit(X, y, tasks=t)
    assert mlp.score(X, y, tasks=t) > lin.score(X, y, tasks=t) + 0.1
    assert mlp.predict(X[:5], tasks=t[:5]).shape == (5,)


def test_task_mlp_option_fits_nonlinear_tasks():
    pytest.importorskip("skorch")
    X, y, t = _sine_tasks()
    lin = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    est = SparseTaskGraphMLP(model="task_mlp", hidden_layer_sizes=(16,), max_epochs=100,
                             batch_size=50, random_state=0)
    m = est.fit(X, y, tasks=t)
    assert m.score(X, y, tasks=t) > lin.score(X, y, tasks=t) + 0.2
    assert m.predict(X[:5], tasks=t[:5]).shape == (5,)
    # deterministic, picklable
    m2 = clone(est).fit(X, y, tasks=t)
    np.testing.assert_allclose(m2.predict(X, tasks=t), m.predict(X, tasks=t))
    m3 = pickle.loads(pickle.dumps(m))
    np.testing.assert_allclose(m3.predict(X, tasks=t), m.predict(X, tasks=t))


def _layout(X, y, t, layout, features):
    """``fit`` arguments of the sine tasks in the stacked, task-column or 2-d ``Y`` layout,
    with ``features``: ``X`` in some units."""
    X, original = features, X
    if layout == "tasks":
        return (X, y), {"tasks": t}
    if layout == "task_column":
        return (pd.DataFrame({"a": X[:, 0], "task": t, "b": X[:, 1]}), y), {}
    rows = t == 0  # every task on the rows of the first one
    Y = np.column_stack([np.sin(original[rows, 0] * (1 + k % 2)) + 0.2 * k * original[rows, 1]
                         for k in range(4)])
    return (X[rows], Y), {}


@pytest.mark.parametrize("layout", ["tasks", "task_column", "2d"])
@pytest.mark.parametrize("model", ["mlp", "task_mlp"])
def test_network_options_read_the_features_standardised(model, layout):
    """The same rows with features in other units (scaled by 1e3 and 1e-3, shifted) give
    the same graph, predictions and attributions, the surrogates' coefficients divided
    by the scales, in every layout."""
    X, y, t = _sine_tasks()
    scales = np.array([1e3, 1e-3])
    est = SparseTaskGraphMLP(model=model, hidden_layer_sizes=(8,), max_epochs=5,
                             batch_size=50, max_iter=3, n_resamples=0,
                             task_column="task" if layout == "task_column" else None,
                             random_state=0)
    fits = []
    for Z in (X, X * scales + [5e3, -2.0]):
        (features, target), kwargs = _layout(X, y, t, layout, Z)
        fitted = clone(est).fit(features, target, **kwargs)
        fits.append((fitted, fitted.predict(features, **kwargs),
                     fitted.explain(features, **kwargs).values))
    (plain, expected, values), (moved, predicted, moved_values) = fits
    np.testing.assert_array_equal(moved.edges_, plain.edges_)
    np.testing.assert_allclose(predicted, expected, rtol=1e-3, atol=1e-4 * np.ptp(expected))
    np.testing.assert_allclose(moved_values, values, rtol=1e-3, atol=1e-4 * np.ptp(values))
    np.testing.assert_allclose(moved.surrogate_.coef_ * scales, plain.surrogate_.coef_,
                               rtol=1e-3, atol=1e-5)


def test_linear_models_of_the_network_options_read_standardised_features():
    """The linear models ``task_mlp`` learns its graph with, and the ridge of a single
    task, are those of :class:`SparseTaskGraphMTL` on the standardised features, their
    coefficients mapped back to the features' units."""
    X, y, t, _ = make_task_graph_regression(
        "cliques", n_tasks=4, n_groups=2, n_features=3, noise=0.5, random_state=0)
    X = X * [1e3, 1.0, 1e-2] + [50.0, 0.0, 3.0]
    params = dict(alpha=0.1, rho=2.0, sparsity=0.0, max_iter=0, init="full", n_resamples=0,
                  random_state=0)
    scaler = StandardScaler().fit(X)
    for tasks in (t, None):
        mlp = SparseTaskGraphMLP(model="task_mlp", hidden_layer_sizes=(4,), max_epochs=1,
                                 **params).fit(X, y, tasks=tasks)
        linear = SparseTaskGraphMTL(**params).fit(scaler.transform(X), y, tasks=tasks)
        coef = linear.coef_ / scaler.scale_
        np.testing.assert_allclose(mlp.coef_, coef, rtol=1e-4)
        np.testing.assert_allclose(mlp.intercept_, linear.intercept_ - coef @ scaler.mean_,
                                   rtol=1e-4)
    assert not hasattr(mlp, "task_networks_")  # one task: the ridge alone


def test_task_mlp_graph_ties_linked_networks():
    pytest.importorskip("skorch")
    rng = np.random.RandomState(1)
    T, n = 3, 40
    t = np.repeat(np.arange(T), n)
    X = rng.randn(T * n, 2)
    y = np.where(t == 1, -1.0, 1.0) * X[:, 0] + 0.1 * rng.randn(T * n)
    m = SparseTaskGraphMLP(model="task_mlp", candidate_graph=[(0, 2)], sparsity=0.0,
                           max_iter=0, init="full", rho=100.0, hidden_layer_sizes=(8,),
                           max_epochs=40, batch_size=40, random_state=0).fit(X, y, tasks=t)
    assert m.edges_.tolist() == [[0, 2]]
    theta = m.task_networks_.flat_params().detach().numpy()
    linked = np.linalg.norm(theta[0] - theta[2])
    unlinked = np.linalg.norm(theta[0] - theta[1])
    assert linked < 0.1 * unlinked, (linked, unlinked)


def test_fidelity_moments_are_the_fidelity_at_the_least_squares_surrogate():
    rng = np.random.RandomState(0)
    task_index = np.repeat([0, 1], [30, 45])
    X = rng.randn(75, 3)
    # non-centred nonlinear features: a projection without intercept would differ
    H = np.column_stack([np.tanh(X @ rng.randn(3, 4) + 1.0), np.ones(75)])
    F = fidelity_moments(H, X, task_index, 2)
    for t in range(2):
        rows, w = task_index == t, rng.randn(5)
        f = H[rows] @ w
        g = LinearRegression().fit(X[rows], f).predict(X[rows])
        assert w @ F[t] @ w == pytest.approx(np.mean((f - g) ** 2), rel=1e-9)


def test_trunk_heads_are_solved_jointly_with_their_surrogates(ridge_refit):
    """Each task's head ``h`` and surrogate ``(a, c)`` minimise
    ``1/2 [(1 - w) mean((H h - y)^2) + w mean((H h - X a - c)^2)] + alpha/2 ||h||^2``
    (no edge): one least-squares solve over heads and surrogates together. The
    surrogate kept is the penalised refit of each task's network, about as faithful."""
    from skmtlx.task_graph._nonlinear import trunk_features

    X, y, t = _sine_tasks()
    w, alpha = 0.3, 0.05
    m = SparseTaskGraphMLP(model="mlp", hidden_layer_sizes=(8,), max_epochs=5, batch_size=50,
                           candidate_graph=np.zeros((0, 2)), alpha=alpha, fidelity_weight=w,
                           n_resamples=0, random_state=0).fit(X, y, tasks=t)
    assert list(m.surrogate_fit_) == ["joint"] * 4
    # the trunk reads the features standardised (as float32), then centred
    S = StandardScaler().fit_transform(X).astype(np.float32).astype(np.float64)
    y_offset = y.mean()
    Xc = S - S.mean(axis=0)
    H = trunk_features(m.trunk_, np.column_stack([Xc, np.ones(len(X))]))
    for task in range(4):
        rows = t == task
        n, p, d = rows.sum(), H.shape[1], X.shape[1]
        design = np.vstack([
            np.sqrt((1 - w) / n) * np.hstack([H[rows], np.zeros((n, d + 1))]),
            np.sqrt(w / n) * np.hstack([H[rows], -Xc[rows], -np.ones((n, 1))]),
            np.sqrt(alpha) * np.hstack([np.eye(p), np.zeros((p, d + 1))]),
        ])
        target = np.concatenate([np.sqrt((1 - w) / n) * (y[rows] - y_offset),
                                 np.zeros(n + p)])
        v = np.linalg.lstsq(design, target, rcond=None)[0]
        head, a, c = v[:p], v[p:p + d], v[-1]
        np.testing.assert_allclose(m.coef_[task], head[:-1], atol=1e-8)
        assert m.intercept_[task] == pytest.approx(y_offset + head[-1], abs=1e-8)
        f = m.predict(X[rows], tasks=t[rows])
        coef, intercept = ridge_refit(X[rows], f)
        np.testing.assert_allclose(m.surrogate_.coef_[task], coef[0], atol=1e-8)
        optimum = np.mean((Xc[rows] @ a + c + y_offset - f) ** 2)
        kept = np.mean((X[rows] @ coef[0] + intercept[0] - f) ** 2)
        assert optimum <= kept < 1.01 * optimum


def test_task_networks_train_their_surrogate_heads():
    X, y, t = _sine_tasks()
    params = dict(model="task_mlp", hidden_layer_sizes=(16,), max_epochs=100, batch_size=50,
                  n_resamples=0, random_state=0)
    post_hoc = SparseTaskGraphMLP(fidelity_weight=0.0, **params).fit(X, y, tasks=t)
    joint = SparseTaskGraphMLP(fidelity_weight=0.5, **params).fit(X, y, tasks=t)
    assert post_hoc.task_networks_.surrogate_weight is None
    gf = [global_fidelity(m, X, predict_params={"tasks": t}) for m in (post_hoc, joint)]
    assert gf[1] < 0.5 * gf[0], gf
    # each head trained to about the least-squares surrogate of its task's network
    # (in the standardised, centred units the networks train in)
    A = joint.task_networks_.surrogate_weight.detach().double().numpy()
    c = joint.task_networks_.surrogate_bias.detach().double().numpy()
    S = StandardScaler().fit_transform(X)
    for task in range(4):
        rows = t == task
        f = joint.predict(X[rows], tasks=t[rows])
        head = (S[rows] - S.mean(axis=0)) @ A[task] + c[task] + y.mean()
        least_squares = LinearRegression().fit(X[rows], f).predict(X[rows])
        optimum = np.mean((least_squares - f) ** 2)
        assert optimum <= np.mean((head - f) ** 2) < 1.05 * optimum


def test_trunk_without_hidden_layer_gets_a_clear_error():
    X, y, t = _sine_tasks()
    with pytest.raises(ValueError, match="model='mlp' needs at least one hidden layer"):
        SparseTaskGraphMLP(hidden_layer_sizes=(), max_epochs=2).fit(X, y, tasks=t)
    # per-task networks without hidden layer are linear models, trained as such
    linear = SparseTaskGraphMLP(model="task_mlp", hidden_layer_sizes=(), max_epochs=2,
                                n_resamples=0, random_state=0).fit(X, y, tasks=t)
    assert np.isfinite(linear.predict(X, tasks=t)).all()


@pytest.mark.parametrize("model", ["mlp", "task_mlp"])
def test_networks_train_through_the_training_path(model, capsys):
    """Fits in threads equal sequential fits; device and verbose reach the networks;
    a refit drops the networks of an earlier fit."""
    X, y, t = _sine_tasks()
    est = SparseTaskGraphMLP(model=model, hidden_layer_sizes=(8,), max_epochs=5,
                             batch_size=50, max_iter=3, random_state=0)
    sequential = [clone(est).fit(X, y, tasks=t).predict(X, tasks=t) for _ in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        threaded = list(pool.map(
            lambda _: clone(est).fit(X, y, tasks=t).predict(X, tasks=t), range(3)))
    for a, b in zip(sequential, threaded):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="device='cuda:99' is not available"):
        clone(est).set_params(device="cuda:99").fit(X, y, tasks=t)
    capsys.readouterr()
    fitted = clone(est).set_params(verbose=1).fit(X, y, tasks=t)
    assert "train_loss" in capsys.readouterr().out
    network = "trunk_" if model == "mlp" else "task_networks_"
    assert hasattr(fitted, network)
    other = "task_mlp" if model == "mlp" else "mlp"
    fitted.set_params(model=other).fit(X, y, tasks=t)
    assert not hasattr(fitted, network)


# ------------------------------------------------------------------ generators, metrics, display
@pytest.mark.parametrize("structure", TASK_GRAPH_STRUCTURES)
def test_generators(structure):
    X, y, t, edges, coef = make_task_graph_regression(structure, return_coef=True,
                                                      random_state=0)
    T = coef.shape[0]
    assert X.shape == (T * 20, coef.shape[1]) and y.shape == (T * 20,)
    np.testing.assert_allclose(y, np.einsum("ij,ij->i", X, coef[t]))
    np.testing.assert_array_equal(edges, task_graph_edges(structure, T))
    expected = {"line": T - 1, "tree": T - 1, "star": T - 1, "star_blocks": T - 1,
                "disconnected": 0}
    if structure in expected:
        assert len(edges) == expected[structure]
    # true neighbours are closer than non-neighbours on average
    if len(edges) and structure != "disconnected":
        dist = np.linalg.norm(coef[:, None] - coef[None], axis=2)
        mask = np.zeros((T, T), bool)
        mask[edges[:, 0], edges[:, 1]] = mask[edges[:, 1], edges[:, 0]] = True
        off = ~mask & ~np.eye(T, dtype=bool)
        assert dist[mask].mean() < dist[off].mean()


def test_star_blocks_leaves_share_one_block_with_the_hub():
    # the authors' star: leaf k equals the hub on coordinates 2(k-1), 2(k-1)+1 only
    *_, coef = make_task_graph_regression("star_blocks", mean=1.0, return_coef=True,
                                          random_state=0)
    hub, leaves = coef[0], coef[1:]
    same = np.isclose(leaves, hub)
    expected = np.zeros_like(same)
    for k in range(len(leaves)):
        expected[k, [2 * k, 2 * k + 1]] = True
    np.testing.assert_array_equal(same, expected)
    assert abs(coef.mean() - 1.0) < 0.3


def test_graph_recovery_score():
    assert graph_recovery_score([(0, 1), (1, 2)], [(1, 0), (0, 2)]) == (0.5, 0.5, 0.5)
    assert graph_recovery_score([], []) == (1.0, 1.0, 1.0)
    assert graph_recovery_score([(0, 1)], []) == (1.0, 0.0, 0.0)


def test_display(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, t, edges = _toy()
    m = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=t)
    for layout in ["auto", "spectral"]:
        disp = TaskGraphDisplay.from_estimator(m, true_edges=edges, layout=layout)
        assert disp.positions_.shape == (6, 2)
        assert np.isfinite(disp.positions_).all()
    plt.close("all")


def test_display_views_options_and_kinds():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    X, y, t, edges = _toy(n_tasks=8, n_groups=2, n_samples=40)
    m = SparseTaskGraphMTL(random_state=0, n_resamples=4).fit(X, y, tasks=t)
    rel = TaskGraphDisplay.from_estimator(m)
    assert rel.ax_.get_title() == "relatedness graph"
    heat = TaskGraphDisplay.from_estimator(m, view="heatmap")
    # rows ordered by community: communities appear as contiguous blocks
    comm = heat.communities_[heat.order_]
    assert np.all(np.diff(comm) >= 0)
    np.testing.assert_allclose(heat.ax_.images[0].get_array(),
                               m.relatedness_.similarity[np.ix_(heat.order_, heat.order_)])
    pred = TaskGraphDisplay.from_estimator(m, kind="predictive", top_edges=1)
    assert pred.ax_.get_title() == "predictive graph, 1 strongest edges"
    assert len(pred.ax_.collections[0].get_segments()) == 1
    # one task's neighbourhood: the task and its neighbours only
    neighbours = m.relatedness_.adjacency[0].indices
    focus = TaskGraphDisplay.from_estimator(m, focus=m.tasks_[0])
    drawn = np.flatnonzero(np.isfinite(focus.positions_[:, 0]))
    assert set(drawn) == {0, *neighbours.tolist()}
    with pytest.raises(ValueError, match="focus"):
        TaskGraphDisplay.from_estimator(m, focus="nope")
    plt.close("all")


def test_label_only_where_they_fit():
    from skmtlx.task_graph._display import _label_fits

    pos = np.array([[0.0, 0.0], [0.01, 0.0], [1.0, 0.0]])
    # the better-connected of two overlapping nodes is labelled, the far node too
    assert _label_fits(pos, np.array([1.0, 2.0, 0.0]), 0.1).tolist() == [False, True, True]


# ------------------------------------------------------------------ relatedness graph
def test_relatedness_edges_on_a_chain_and_far_tasks():
    from skmtlx.task_graph._relatedness import relatedness_edges

    rng = np.random.RandomState(0)
    anchors = 5 * rng.randn(4, 12)
    # a chain 0 - 1 - 2 of two orthogonal steps, then three unrelated tasks
    models = np.vstack([anchors[0], anchors[0] + np.eye(12)[0],
                        anchors[0] + np.eye(12)[0] + np.eye(12)[1], anchors[1:]])
    adjacency, similarity = relatedness_edges(models)
    # 0-2 is explained by the task between them; the far tasks relate to nothing
    i, j = np.nonzero(np.triu(adjacency, 1))
    assert list(zip(i.tolist(), j.tolist())) == [(0, 1), (1, 2)]
    assert similarity[0, 2] > 0.9  # close, but not a direct edge
    centred = models - models.mean(axis=0)
    d0 = (centred ** 2).sum(axis=1)
    expected = 1 - np.sum((models[0] - models[2]) ** 2) / (d0[0] + d0[2])
    np.testing.assert_allclose(similarity[0, 2], expected)
    # two models equal within their estimation noise stay linked though explained
    cov = np.repeat(np.eye(12)[None], 6, axis=0) * 1e-4
    cov[[0, 2]] = 10.0 * np.eye(12)
    adjacency, _ = relatedness_edges(models, cov)
    assert adjacency[0, 2]


def test_relatedness_drops_two_step_links_of_uneven_chains():
    from skmtlx.task_graph._relatedness import relatedness_edges

    rng = np.random.RandomState(0)
    d = 12
    far = 5 * rng.randn(4, d)
    # chain 0 - 1 - 2 with uneven orthogonal steps, squared sizes 1 and 4: task 1
    # is closer to both ends (1 and 4) than they are to each other (5), but not
    # closer than 0.75 times that (3.75), which kept 0 - 2 before
    steps = np.vstack([np.zeros(d), np.eye(d)[0], np.eye(d)[0] + 2 * np.eye(d)[1]])
    models = np.vstack([far[0] + steps, far[1:]])
    D = ((models[:3, None] - models[None, :3]) ** 2).sum(axis=2)
    np.testing.assert_allclose([D[0, 1], D[1, 2], D[0, 2]], [1.0, 4.0, 5.0])
    # well determined models: the margin is a few standard errors, far below 1
    precise = np.repeat(1e-6 * np.eye(d)[None], 6, axis=0)
    adjacency, similarity = relatedness_edges(models, precise)
    assert similarity[0, 2] > 0.5  # close, yet explained by task 1
    i, j = np.nonzero(np.triu(adjacency, 1))
    assert list(zip(i.tolist(), j.tolist())) == [(0, 1), (1, 2)]
    # with estimation noise of the size of the steps, task 1 is not clearly
    # between: the link stays
    noisy = precise.copy()
    noisy[:3] = 0.5 * np.eye(d) / d
    assert relatedness_edges(models, noisy)[0][0, 2]
    # models without covariances (the fitted models): a quarter of D_02 is the margin
    assert relatedness_edges(models)[0][0, 2]


def test_with_predictive_edges_adds_only_edges_of_lone_tasks():
    from skmtlx.task_graph._relatedness import with_predictive_edges

    def adjacency(pairs):
        A = np.zeros((6, 6), dtype=bool)
        for a, b in pairs:
            A[a, b] = A[b, a] = True
        return A

    alike = adjacency([(0, 1), (1, 2)])
    # 0 - 2 joins two tasks that have alike edges: not added; 2 - 3 and 3 - 4
    # touch a lone task; task 5 is in neither graph
    predictive = adjacency([(0, 2), (2, 3), (3, 4)])
    combined = with_predictive_edges(alike, predictive)
    np.testing.assert_array_equal(combined, adjacency([(0, 1), (1, 2), (2, 3), (3, 4)]))


def test_distance_variance_matches_the_gaussian_formula_pair_by_pair():
    from skmtlx.task_graph._relatedness import _distance_variance

    rng = np.random.RandomState(0)
    T, p = 4, 3
    models = rng.randn(T, p)
    factors = rng.randn(T, p, p)
    cov = 0.1 * np.einsum("tij,tkj->tik", factors, factors)  # unequal, correlated
    variance = _distance_variance(models, cov)
    for i in range(T):
        for j in range(T):
            d, S = models[i] - models[j], cov[i] + cov[j]
            np.testing.assert_allclose(variance[i, j], 4 * d @ S @ d + 2 * np.trace(S @ S))


def test_relatedness_keeps_whole_groups_and_direct_links_of_chains():
    from skmtlx.task_graph._relatedness import relatedness_edges

    rng = np.random.RandomState(0)
    d = 12
    far = 5 * rng.randn(4, d)
    # a chain of 6 tasks (orthogonal unit steps) and a group of 6 around a centre
    chain = far[0] + np.cumsum(np.vstack([np.zeros(d), np.eye(d)[:5]]), axis=0)
    group = far[1] + 0.5 * rng.randn(6, d)
    models = np.vstack([chain, group, far[2:]])
    adjacency, _ = relatedness_edges(models)
    i, j = np.nonzero(np.triu(adjacency, 1))
    found = set(zip(i.tolist(), j.tolist()))
    # without the group rule, chance "between" tasks would split the group
    explained = 0
    D = ((group[:, None] - group[None]) ** 2).sum(axis=2)
    for a in range(6):
        for b in range(a + 1, 6):
            explained += any(max(D[a, k], D[b, k]) < D[a, b]
                             for k in range(6) if k not in (a, b))
    assert explained > 0
    assert found == {(k, k + 1) for k in range(5)} | {
        (a, b) for a in range(6, 12) for b in range(a + 1, 12)}


def test_task_least_squares_matches_lstsq():
    from skmtlx.task_graph._relatedness import task_least_squares

    rng = np.random.RandomState(0)
    T, n, p = 3, 25, 4
    X = rng.randn(T * n, p)
    ti = np.repeat(np.arange(T), n)
    y = X @ rng.randn(p) + rng.randn(T * n) * np.array([0.1, 1.0, 3.0])[ti]
    G, b, yy, counts = task_moments(X, y, ti, T)
    coef, cov = task_least_squares(G, b, yy, counts, 0.0)
    for t in range(T):
        Xt, yt = X[ti == t], y[ti == t]
        beta, rss, *_ = np.linalg.lstsq(Xt, yt, rcond=None)
        np.testing.assert_allclose(coef[t], beta, rtol=1e-8)
        np.testing.assert_allclose(cov[t], rss[0] / (n - p) * np.linalg.inv(Xt.T @ Xt),
                                   rtol=1e-8)


@pytest.mark.parametrize("structure", ["cliques", "disconnected"])
def test_relatedness_graph_finds_groups_the_predictive_graph_may_miss(structure):
    # well determined: 60 rows for 5 coefficients, noise 5% of the signal sd
    X, y, t, edges = make_task_graph_regression(structure, n_tasks=8, n_groups=2,
                                                n_features=4, n_samples=60, noise=0.1,
                                                random_state=0)
    m = SparseTaskGraphMTL(random_state=0, n_resamples=10).fit(X, y, tasks=t)
    rel = m.relatedness_
    assert rel.method == "least squares"
    assert graph_recovery_score(edges, rel.edges)[:2] == (1.0, 1.0)
    assert np.all((rel.confidence >= 0.5) & (rel.confidence <= 1))
    assert np.all((rel.strength > 0.5) & (rel.strength <= 1))
    once = clone(m).set_params(n_resamples=0).fit(X, y, tasks=t).relatedness_
    assert np.isnan(once.confidence).all()


def test_relatedness_of_under_determined_tasks_reads_the_fitted_models():
    X, y, t, _ = _toy(n_samples=4)  # 4 rows for 5 coefficients
    m = SparseTaskGraphMTL(random_state=0, n_resamples=3).fit(X, y, tasks=t)
    assert m.relatedness_.method == "fitted models"
    assert m.relatedness_.similarity.shape == (6, 6)
    # two features collinear within one task leave its own model undetermined,
    # however many rows it has
    X, y, t, _ = _toy(n_samples=40)
    X[t == 0, 1] = 2 * X[t == 0, 0]
    m = SparseTaskGraphMTL(random_state=0, n_resamples=0).fit(X, y, tasks=t)
    assert m.relatedness_.method == "fitted models"
    # collinear in every task (a duplicated feature): one of them is left out
    X[:, 1] = 2 * X[:, 0]
    m = SparseTaskGraphMTL(random_state=0, n_resamples=0).fit(X, y, tasks=t)
    assert m.relatedness_.method == "least squares"


def test_relatedness_of_under_determined_tasks_keeps_predictive_edges_of_lone_tasks():
    # 6 rows for 8 coefficients: the relatedness test finds few alike pairs of a star
    X, y, t, _ = make_task_graph_regression("star", n_tasks=6, n_features=8, n_samples=6,
                                            random_state=0)
    m = SparseTaskGraphMTL(random_state=0, n_resamples=3).fit(X, y, tasks=t)
    rel = m.relatedness_
    assert rel.method == "fitted models"
    pairs = [tuple(pair) for pair in rel.edges.tolist()]
    alike = {pair for pair, src in zip(pairs, rel.source) if src == "alike"}
    kept = {pair for pair, src in zip(pairs, rel.source) if src == "predictive"}
    with_edge = {task for pair in alike for task in pair}
    # independently: the predictive graph's edges touching a task without an alike edge
    expected = {tuple(sorted(pair)) for pair in m.edges_.tolist()
                if not set(pair) <= with_edge} - alike
    assert kept == expected and len(kept) > 0
    assert np.all((rel.confidence >= 0) & (rel.confidence <= 1))
    np.testing.assert_array_equal(m.get_graph().source, rel.source)
    graph = m.to_networkx()
    assert {graph.edges[pair]["source"] for pair in kept} == {"predictive"}
    assert set(m.get_graph("predictive").source) == {"predictive"}


def test_relatedness_leaves_out_features_of_the_task_itself():
    X, y, t, edges = make_task_graph_regression("cliques", n_tasks=8, n_groups=2,
                                                n_features=4, n_samples=60, noise=0.1,
                                                random_state=0)
    plain = SparseTaskGraphMTL(random_state=0, n_resamples=0).fit(X, y, tasks=t)
    # a feature constant within each task (its id, scaled) is confounded with the
    # intercepts: the relatedness graph reads the models without it
    with_task_feature = np.column_stack([X, 0.1 * t])
    m = SparseTaskGraphMTL(random_state=0, n_resamples=0).fit(with_task_feature, y, tasks=t)
    assert m.relatedness_.method == "least squares"
    np.testing.assert_array_equal(m.relatedness_.edges, plain.relatedness_.edges)
    assert graph_recovery_score(edges, m.relatedness_.edges)[:2] == (1.0, 1.0)


# ------------------------------------------------------------------ multi-output layout
def test_multi_output_matches_the_stacked_layout():
    rng = np.random.RandomState(0)
    n, d = 40, 3
    X = rng.randn(n, d)
    W = rng.randn(4, d)
    W[1] = W[0] + 0.01
    Y = X @ W.T + 0.1 * rng.randn(n, 4)
    names = ["b", "a", "d", "c"]  # not sorted: predictions keep Y's column order
    multi = SparseTaskGraphMTL(random_state=0, n_resamples=2).fit(
        X, pd.DataFrame(Y, columns=names))
    stacked = SparseTaskGraphMTL(random_state=0, n_resamples=2).fit(
        np.tile(X, (4, 1)), Y.T.ravel(), tasks=np.repeat(names, n))
    assert multi.output_tasks_.tolist() == names
    pred = multi.predict(X[:7])
    assert pred.shape == (7, 4)
    for k, name in enumerate(names):
        np.testing.assert_allclose(pred[:, k], stacked.predict(X[:7], tasks=[name] * 7),
                                   rtol=0, atol=1e-8)
    np.testing.assert_array_equal(multi.edges_, stacked.edges_)
    # R^2 averaged over the tasks' columns
    per_task = [r2_score(Y[:, k], multi.predict(X)[:, k]) for k in range(4)]
    assert multi.score(X, Y) == pytest.approx(np.mean(per_task))
    # per task in the order of tasks_ (sorted: a, b, c, d), not Y's (b, a, d, c)
    np.testing.assert_allclose(multi.score_tasks(X, Y), np.array(per_task)[[1, 0, 3, 2]])
    with pytest.raises(ValueError, match=r"y must have shape \(40, 4\)"):
        multi.score_tasks(X, Y[:, :3])
    with pytest.raises(ValueError, match="do not pass tasks"):
        multi.predict(X, tasks=["a"] * n)
    with pytest.raises(ValueError, match="1-d y"):
        SparseTaskGraphMTL().fit(X, Y, tasks=np.repeat(["a", "b"], n // 2))
    # a stacked fit after a multi-output one predicts rows again
    refit = clone(multi).fit(np.tile(X, (4, 1)), Y.T.ravel(), tasks=np.repeat(names, n))
    assert refit.predict(X[:3], tasks=["a"] * 3).shape == (3,)
    # the linear task models are their own surrogates, column by column
    np.testing.assert_allclose(multi.predict_surrogate(X[:7]), pred, rtol=0, atol=1e-10)
    explanation = multi.explain(X[:7])
    assert list(explanation.output_names) == names
    np.testing.assert_allclose(explanation.output_values(), pred, rtol=0, atol=1e-10)


@pytest.mark.parametrize("rows, cv, expected", [(20, "auto", 10), (40, "auto", 5),
                                                (20, 3, 3), (20, None, 1)])
def test_auto_folds_grow_for_under_determined_tasks(rows, cv, expected):
    # 20 features + intercept = 21 coefficients per task
    est = SparseTaskGraphMTL(cv=cv)
    for task_index in (np.repeat(np.arange(3), rows),
                       # one large task does not change the choice: the median task decides
                       np.concatenate([np.repeat(np.arange(3), rows), np.full(500, 3)])):
        T = task_index.max() + 1
        splits = est._splits(np.zeros((len(task_index), 21)), task_index, np.arange(T))
        assert len(splits) == expected
        for train, val in splits:
            assert not (train & val).any()
            assert (np.bincount(task_index[val], minlength=T) > 0).all()


def test_user_cv_splits():
    X, y, t, _ = _toy()
    task_index = np.unique(t, return_inverse=True)[1]
    est = SparseTaskGraphMTL(cv=3, random_state=0)
    splits = est._splits(np.zeros((len(t), 5)), task_index, np.unique(t))
    indices = [(np.flatnonzero(train), np.flatnonzero(val)) for train, val in splits]
    folds = est.fit(X, y, tasks=t)
    given = SparseTaskGraphMTL(cv=indices, random_state=0).fit(X, y, tasks=t)
    np.testing.assert_allclose(given.coef_, folds.coef_)
    np.testing.assert_array_equal(given.edges_, folds.edges_)
    # splitters: fixed validation rows, and StratifiedKFold on the task ids (its y)
    fold = np.full(len(t), -1)
    fold[indices[0][1]] = 0
    predefined = SparseTaskGraphMTL(cv=PredefinedSplit(fold), random_state=0).fit(X, y, tasks=t)
    one_split = SparseTaskGraphMTL(cv=indices[:1], random_state=0).fit(X, y, tasks=t)
    np.testing.assert_allclose(predefined.coef_, one_split.coef_)
    stratified = StratifiedKFold(3, shuffle=True, random_state=1)
    by_task = list(stratified.split(X, task_index))
    from_splitter = SparseTaskGraphMTL(cv=stratified, max_iter=5).fit(X, y, tasks=t)
    from_indices = SparseTaskGraphMTL(cv=by_task, max_iter=5).fit(X, y, tasks=t)
    np.testing.assert_allclose(from_splitter.coef_, from_indices.coef_)
    # refit=False keeps the models of the training rows, also without any edge
    train = indices[0][0]
    empty = np.zeros((0, 2))
    kept = SparseTaskGraphMTL(cv=indices[:1], refit=False, candidate_graph=empty).fit(
        X, y, tasks=t)
    on_train = SparseTaskGraphMTL(candidate_graph=empty).fit(X[train], y[train], tasks=t[train])
    refitted = SparseTaskGraphMTL(candidate_graph=empty).fit(X, y, tasks=t)
    np.testing.assert_allclose(kept.coef_, on_train.coef_, rtol=1e-3)
    assert not np.allclose(kept.coef_, refitted.coef_, rtol=1e-3)


@pytest.mark.parametrize("cv, match", [
    ([(np.arange(30), np.arange(30, 60))], "no training rows for task"),
    ([(np.flatnonzero(np.arange(180) % 30 >= 5), np.arange(5))], "no validation rows for task"),
    ([(np.arange(180), np.array([180]))], "indices in"),
    ([], "no split"),
    (KFold(2), "no training rows for task"),  # whole tasks held out
])
def test_user_cv_splits_errors(cv, match):
    X, y, t, _ = _toy()
    with pytest.raises(ValueError, match=match):
        SparseTaskGraphMTL(cv=cv, max_iter=2).fit(X, y, tasks=t)


# ------------------------------------------------------------------ shared model
def _alike_tasks(n_tasks=8, n_features=5, n_samples=12, seed=0):
    """Tasks that are small deviations of one model, with few rows each."""
    rng = np.random.RandomState(seed)
    w0 = rng.randn(n_features)
    W = w0 + 0.1 * rng.randn(n_tasks, n_features)
    t = np.repeat(np.arange(n_tasks), n_samples)
    X = rng.randn(len(t), n_features)
    y = np.einsum("ij,ij->i", X, W[t]) + 0.5 * rng.randn(len(t))
    return X, y, t, w0


def test_shared_model_solves_the_mean_regularised_problem():
    X, y, t, _ = _alike_tasks()
    T, d, s, a = 8, 5, 2.0, 1e-3
    m = SparseTaskGraphMTL(shared_coupling=s, alpha=a, candidate_graph=np.zeros((0, 2)),
                           fit_intercept=False).fit(X, y, tasks=t)
    # normal equations of sum_t ||X_t w_t - y_t||^2 / (2 n_t) + s/2 sum_t ||w_t - w_0||^2
    # + a/2 (||W||^2 + ||w_0||^2), unknowns [w_1 .. w_T, w_0]
    A = np.zeros(((T + 1) * d, (T + 1) * d))
    c = np.zeros((T + 1) * d)
    eye = np.eye(d)
    for k in range(T):
        Xt, yt = X[t == k], y[t == k]
        blk = slice(k * d, (k + 1) * d)
        A[blk, blk] += Xt.T @ Xt / len(yt) + (s + a) * eye
        A[blk, T * d:] -= s * eye
        A[T * d:, blk] -= s * eye
        c[blk] = Xt.T @ yt / len(yt)
    A[T * d:, T * d:] += (T * s + a) * eye
    V = np.linalg.solve(A, c).reshape(T + 1, d)
    np.testing.assert_allclose(m.coef_, V[:T], atol=1e-8)
    np.testing.assert_allclose(m.shared_coef_, V[T], atol=1e-8)
    assert m.shared_intercept_ == 0.0 and m.shared_coupling_ == s


def test_shared_model_helps_alike_tasks_and_auto_chooses_it():
    X, y, t, w0 = _alike_tasks()
    Xte, yte, tte, _ = _alike_tasks(seed=0, n_samples=40)
    empty = np.zeros((0, 2))
    independent = SparseTaskGraphMTL(candidate_graph=empty).fit(X, y, tasks=t)
    auto = SparseTaskGraphMTL(shared_coupling="auto", candidate_graph=empty,
                              random_state=0).fit(X, y, tasks=t)
    assert auto.shared_coupling_ > 0
    assert (np.linalg.norm(auto.shared_coef_ - w0)
            < np.linalg.norm(independent.coef_.mean(axis=0) - w0))
    assert auto.score(Xte, yte, tasks=tte) > independent.score(Xte, yte, tasks=tte)
    # "auto" is the fit with the chosen value
    chosen = SparseTaskGraphMTL(shared_coupling=auto.shared_coupling_, candidate_graph=empty,
                                random_state=0).fit(X, y, tasks=t)
    np.testing.assert_allclose(auto.coef_, chosen.coef_)
    # unrelated tasks with plenty of rows get a weaker pull than alike ones
    Xd, yd, td, _ = _toy(n_tasks=6, n_samples=60, structure="disconnected")
    unrelated = SparseTaskGraphMTL(shared_coupling="auto", candidate_graph=empty,
                                   random_state=0).fit(Xd, yd, tasks=td)
    assert unrelated.shared_coupling_ < auto.shared_coupling_
    # a refit without a shared model drops the earlier one
    assert not hasattr(auto.set_params(shared_coupling=0.0).fit(X, y, tasks=t), "shared_coef_")


# ------------------------------------------------------------------ clear errors
def test_categorical_feature_column_gets_a_clear_error():
    X, y, tasks, _ = _toy(n_tasks=4)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["x3"] = pd.Categorical(np.where(X[:, 3] > 0, "hi", "lo"))
    with pytest.raises(ValueError, match=r"numeric features; column\(s\) \['x3'\]"):
        SparseTaskGraphMTL(max_iter=2, cv=2).fit(frame, y, tasks=tasks)
    frame["task"] = tasks
    with pytest.raises(ValueError, match=r"column\(s\) \['x3'\]"):
        SparseTaskGraphMTL(max_iter=2, cv=2, task_column="task").fit(frame, y)


def test_mixed_task_id_types_get_a_clear_error():
    X, y, tasks, _ = _toy(n_tasks=4)
    mixed = np.array([t if i % 2 else str(t) for i, t in enumerate(tasks)], dtype=object)
    with pytest.raises(ValueError, match=r"tasks mixes types \['int64', 'str'\]"):
        SparseTaskGraphMTL(max_iter=2, cv=2).fit(X, y, tasks=mixed)
    model = SparseTaskGraphMTL(max_iter=2, cv=2).fit(X, y, tasks=tasks)
    with pytest.raises(ValueError, match="tasks mixes types"):
        model.predict(X, tasks=mixed)


def test_huge_rho_names_rho_instead_of_a_linalg_error():
    X, y, tasks, _ = _toy(n_tasks=4)
    with pytest.raises(ValueError, match=r"rho=1e\+300 and alpha=.*smaller rho"):
        SparseTaskGraphMTL(max_iter=2, cv=2, rho=1e300).fit(X, y, tasks=tasks)


def test_silent_by_default_and_a_progress_bar_when_verbose(capfd):
    X, y, t, _ = _toy()
    SparseTaskGraphMTL(max_iter=5, random_state=0).fit(X, y, tasks=t)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    SparseTaskGraphMTL(max_iter=5, random_state=0, verbose=1).fit(X, y, tasks=t)
    out, err = capfd.readouterr()
    assert out == "" and "sparsity path" in err and "it/s" in err
