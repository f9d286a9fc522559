"""Benchmark SparseTaskGraphMTL on synthetic task graphs and real per-task data.

Run with ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/task_graph.py``
(add ``--quick`` to skip the real sets, ``--real-only`` to run them alone,
``--seeds 3`` to repeat the synthetic structures over three draws of the
generator and the real sets over three random train/test splits, and print the
means and the spread, ``--cv 10`` to set the folds of every model, ``--n-jobs 2``
to run each fit's path reruns in a second process). Prints,
per dataset: mean per-task test RMSE of independent ridge models, one pooled
ridge, the full candidate graph and the learned sparse graph (default
``sparsity="1se"``: the sparsest graph of the cross-validated sparsity path
within one standard error of the best);
edges kept / candidates; recovery precision and recall of the true edges
(synthetic), with the test RMSE of the true graph (its edges as the only
candidates, weights learned) to show whether the truth predicts better than the
learned graph; fit times; and fit time against the number of tasks.
``--validation-rows N`` adds the graph chosen on N fresh validation rows per task
(``cv`` given as one split, ``refit=False``: the models keep their 20 training
rows) and scored on 80 more, next to the true graph's weights learned on the
same rows: whether the graph that predicts best is the true one.
``--shared-coupling auto`` (or a float) gives the learned graph a shared model
(``shared_coupling``) and adds a "shared only" column: that shared model with
no edge, to show what the graph adds to it.
Targets (issue 4): recall >= 0.9 and precision >= 0.8 on every
synthetic structure; on real sets RMSE no worse than the best baseline with
<= 30% of the candidate edges; school fits in < 60 s; time ~ linear in T.
"""

import argparse

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import RidgeCV
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import StandardScaler

from _common import (
    Stopwatch,
    draw_structure,
    finish_run,
    per_task_rmse,
    split_per_task,
    start_run,
)
from skmtlx.datasets import (
    TASK_GRAPH_STRUCTURES,
    load_computer_survey,
    load_parkinsons_updrs,
    load_school,
    make_task_graph_regression,
)
from skmtlx.task_graph import SparseTaskGraphMTL, graph_recovery_score


def evaluate(name, X, y, tasks, train, true_edges=None, shared_coupling=0.0, **params):
    Xtr, ytr, ttr = X[train], y[train], tasks[train]
    Xte, yte, tte = X[~train], y[~train], tasks[~train]
    res = {}
    pooled = RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(Xtr, ytr)
    res["pooled"] = per_task_rmse(yte, pooled.predict(Xte), tte)
    ind = SparseTaskGraphMTL(candidate_graph=np.zeros((0, 2)), **params).fit(Xtr, ytr, tasks=ttr)
    res["independent"] = per_task_rmse(yte, ind.predict(Xte, tasks=tte), tte)
    full = SparseTaskGraphMTL(max_iter=0, init="full", **params).fit(Xtr, ytr, tasks=ttr)
    res["full graph"] = per_task_rmse(yte, full.predict(Xte, tasks=tte), tte)
    clock = Stopwatch()
    sparse = SparseTaskGraphMTL(shared_coupling=shared_coupling, **params).fit(
        Xtr, ytr, tasks=ttr)
    fit_time, cpu_time = clock.wall, clock.cpu
    res["sparse graph"] = per_task_rmse(yte, sparse.predict(Xte, tasks=tte), tte)
    shared = sparse.shared_coupling_
    if shared_coupling != 0.0:
        # the learned graph's shared model alone: what the graph adds to it
        alone = SparseTaskGraphMTL(candidate_graph=np.zeros((0, 2)), shared_coupling=shared,
                                   **params).fit(Xtr, ytr, tasks=ttr)
        res["shared only"] = per_task_rmse(yte, alone.predict(Xte, tasks=tte), tte)
    if true_edges is not None and len(true_edges):
        # the oracle: the true edges as the only candidates, weights learned as usual
        true = SparseTaskGraphMTL(candidate_graph=true_edges, sparsity=0.0, init="full",
                                  shared_coupling=shared, **params).fit(Xtr, ytr, tasks=ttr)
        res["true graph"] = per_task_rmse(yte, true.predict(Xte, tasks=tte), tte)
    n_cand = len(sparse.candidate_edges_)
    line = (f"{name:14s} T={len(np.unique(tasks)):4d} "
            + " ".join(f"{k}={v:7.3f}" for k, v in res.items())
            + f" | edges {len(sparse.edges_)}/{n_cand}"
            + f" ({100 * len(sparse.edges_) / max(n_cand, 1):.0f}%)"
            + (f" | shared coupling {shared:.3g}" if shared_coupling != 0.0 else "")
            + f" | fit {fit_time:5.1f}s (cpu {cpu_time:5.1f}s) iters {sparse.n_iter_}"
            + f" | path edges {sparse.path_.n_edges.tolist()}"
            + f" chosen #{sparse.path_.selected_index}")
    if true_edges is not None:
        p, r, _ = graph_recovery_score(true_edges, sparse.edges_)
        line += f" | precision {p:.2f} recall {r:.2f} (true edges {len(true_edges)})"
        # which tasks end up tied together: connected components of both graphs
        T = len(sparse.tasks_)
        true_adj = sp.coo_matrix((np.ones(len(true_edges)), tuple(np.asarray(true_edges).T)),
                                 shape=(T, T)) if len(true_edges) else sp.coo_matrix((T, T))
        _, true_lab = sp.csgraph.connected_components(true_adj, directed=False)
        learned_lab = sparse.get_graph("predictive").components
        same = adjusted_rand_score(true_lab, learned_lab) == 1.0
        line += (f" | components {learned_lab.max() + 1} (true {true_lab.max() + 1}, "
                 f"same partition: {'yes' if same else 'no'})")
    else:
        best = min(res["independent"], res["pooled"], res["full graph"])
        line += (f" | sparse vs best baseline {100 * (res['sparse graph'] / best - 1):+.1f}%")
    print(line, flush=True)
    return res, sparse


def large_validation(structure, seed, n_val, **params):
    """The learned graph, the true graph and independent models, on fresh validation rows.

    Each task has 20 training rows, ``n_val`` validation rows (the outer loss)
    and 80 test rows; ``refit=False`` keeps the models of the training rows.
    """
    n_rows = 20 + n_val + 80
    X, y, tasks, edges = draw_structure(structure, n_rows, seed)
    position = np.tile(np.arange(n_rows), len(np.unique(tasks)))
    fit_rows, test = position < 20 + n_val, position >= 20 + n_val
    split = [(np.flatnonzero(position[fit_rows] < 20), np.flatnonzero(position[fit_rows] >= 20))]
    kw = dict(params, cv=split, refit=False)
    models = {"learned": SparseTaskGraphMTL(**kw),
              "independent": SparseTaskGraphMTL(candidate_graph=np.zeros((0, 2)), **kw)}
    if len(edges):
        models["true graph"] = SparseTaskGraphMTL(candidate_graph=edges, sparsity=0.0,
                                                  init="full", **kw)
    line = f"{structure:14s} draw{seed} {n_val} validation rows/task |"
    for name, model in models.items():
        model.fit(X[fit_rows], y[fit_rows], tasks=tasks[fit_rows])
        rmse = per_task_rmse(y[test], model.predict(X[test], tasks=tasks[test]), tasks[test])
        line += f" {name}={rmse:.3f}"
    learned = models["learned"]
    line += f" | edges {len(learned.edges_)} (true {len(edges)})"
    if len(edges):
        p, r, _ = graph_recovery_score(edges, learned.edges_)
        line += f" precision {p:.2f} recall {r:.2f}"
    print(line, flush=True)


def column_means(res):
    """The mean over runs of every RMSE column, formatted as ``name=value``."""
    return " ".join(f"{k}={np.mean([r[k] for r in res]):7.3f}" for k in res[0])


def summarize(name, runs):
    """Print the means over the splits and the learned graph's gap to each split's best."""
    res = [r for r, _ in runs]
    best = [min(r["independent"], r["pooled"], r["full graph"]) for r in res]
    gap = np.array([100 * (r["sparse graph"] / b - 1) for r, b in zip(res, best)])
    kept = np.mean([100 * len(m.edges_) / max(len(m.candidate_edges_), 1) for _, m in runs])
    means = column_means(res)
    print(f"{name:14s} mean of {len(res)} splits {means} | edges {kept:.0f}% | sparse vs best "
          f"baseline {gap.mean():+.1f}% +- {gap.std(ddof=1):.1f}% (per split: "
          f"{', '.join(f'{g:+.1f}' for g in gap)})", flush=True)


def summarize_recovery(name, runs):
    """Print the means over the generator's draws and the recovery of each draw."""
    res = [r for r, _, _ in runs]
    means = column_means(res)
    n_edges = [len(m.edges_) for _, m, _ in runs]
    line = f"{name:14s} mean of {len(res)} draws {means} | edges {np.mean(n_edges):.1f}"
    if not len(runs[0][2]):  # no true edge: every kept edge is spurious
        print(f"{line} | spurious edges per draw: {', '.join(map(str, n_edges))}", flush=True)
        return
    scores = np.array([graph_recovery_score(edges, m.edges_)[:2] for _, m, edges in runs])
    print(f"{line} | precision {scores[:, 0].mean():.2f} recall {scores[:, 1].mean():.2f} "
          f"(per draw: {', '.join(f'{p:.2f}/{r:.2f}' for p, r in scores)})", flush=True)


def synthetic(args, shared, params):
    """The synthetic structures, the graphs chosen on fresh rows, fit time against T."""
    print("== synthetic structures (20 train / 80 test rows per task, noise-free, authors' sizes)")
    for structure in TASK_GRAPH_STRUCTURES:
        runs = []
        for seed in range(args.seeds):
            X, y, tasks, edges = draw_structure(structure, 100, seed)
            train = np.tile(np.arange(100) < 20, len(np.unique(tasks)))
            name = structure if args.seeds == 1 else f"{structure}/draw{seed}"
            runs.append(evaluate(name, X, y, tasks, train, true_edges=edges,
                                 shared_coupling=shared, **params) + (edges,))
        if args.seeds > 1:
            summarize_recovery(structure, runs)
    if args.validation_rows:
        print(f"== graphs chosen on {args.validation_rows} fresh validation rows per task "
              "(20 training rows, 80 test rows, refit=False)")
        for structure in TASK_GRAPH_STRUCTURES:
            for seed in range(args.seeds):
                large_validation(structure, seed, args.validation_rows, **params)

    print("== fit time against the number of tasks (line, d=30, 20 rows/task, kNN candidates)")
    for T in [50, 100, 200]:
        X, y, tasks, _ = make_task_graph_regression("line", n_tasks=T, n_samples=20,
                                                    random_state=0)
        clock = Stopwatch()
        m = SparseTaskGraphMTL(candidate_graph="knn", **params).fit(X, y, tasks=tasks)
        dt, cpu = clock.wall, clock.cpu
        print(f"T={T:4d} fit {dt:6.2f}s (cpu {cpu:6.2f}s, {1000 * cpu / T:5.1f} cpu ms/task) "
              f"iters {m.n_iter_} "
              f"candidates {len(m.candidate_edges_)}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="synthetic structures only")
    parser.add_argument("--real-only", action="store_true",
                        help="real sets only (no synthetic structure, no timing against T)")
    parser.add_argument("--seeds", type=int, default=1,
                        help="draws of each synthetic structure and random train/test splits "
                             "of each real set; with more than one, a summary line gives the "
                             "means and the spread")
    parser.add_argument("--validation-rows", type=int, default=0,
                        help="also choose the synthetic graphs on this many fresh validation "
                             "rows per task")
    parser.add_argument("--shared-coupling", default="0",
                        help="shared_coupling of the learned graph: a float or 'auto' "
                             "(the 'shared only' column then gives its shared model alone)")
    parser.add_argument("--cv", default="auto",
                        help="cv of every model: 'auto' or a number of folds")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="n_jobs of every model (the path reruns in worker processes; "
                             "their CPU time is not in the printed cpu figures)")
    args = parser.parse_args()
    clock = start_run()
    params = dict(random_state=0, cv=args.cv if args.cv == "auto" else int(args.cv),
                  n_jobs=args.n_jobs)
    shared = args.shared_coupling if args.shared_coupling == "auto" else float(
        args.shared_coupling)

    if not args.real_only:
        synthetic(args, shared, params)
    if not args.quick:
        print("== real per-task data (per-task 80/20 split, standardised features)")
        for name, loader in [("school", load_school), ("parkinsons", load_parkinsons_updrs),
                             ("computer", load_computer_survey)]:
            X, y, tasks = loader(return_X_y_tasks=True)
            X = StandardScaler().fit_transform(X.to_numpy())
            X = X[:, X.std(axis=0) > 0]
            runs = []
            for seed in range(args.seeds):
                split = name if args.seeds == 1 else f"{name}/split{seed}"
                train = split_per_task(tasks, 0.8, seed=seed)
                runs.append(evaluate(split, X, y, tasks, train, shared_coupling=shared,
                                     **params))
            if args.seeds > 1:
                summarize(name, runs)
    finish_run(clock)


if __name__ == "__main__":
    main()
