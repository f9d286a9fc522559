"""
==========================================
Recovering a known task graph
==========================================

Eight regression tasks fall in two groups: tasks in a group share one linear
model. :class:`~skmtlx.task_graph.SparseTaskGraphMTL` learns a weight in
``[0, 1]`` for every pair of tasks from the per-task validation loss (exact
hypergradient, projected steps); pairs that hurt validation are switched off
exactly. We compare the learned graph with the true one and trace the sparsity
path from the full graph to the empty graph.
"""

# %%
import matplotlib.pyplot as plt

from skmtlx.datasets import make_task_graph_regression
from skmtlx.task_graph import SparseTaskGraphMTL, TaskGraphDisplay, graph_recovery_score

X, y, tasks, true_edges = make_task_graph_regression(
    "cliques", n_tasks=8, n_groups=2, n_features=5, n_samples=20, noise=0.3, random_state=0
)
model = SparseTaskGraphMTL(rho=100.0, sparsity=0.0, init="full", random_state=0)
model.fit(X, y, tasks=tasks)
precision, recall, _ = graph_recovery_score(true_edges, model.edges_)
print(f"kept {len(model.edges_)} of {len(model.candidate_edges_)} candidate edges; "
      f"precision {precision:.2f}, recall {recall:.2f}")

# %%
# The learned predictive graph; dashed red lines are the true edges.
disp = TaskGraphDisplay.from_estimator(model, kind="predictive", true_edges=true_edges,
                                       layout="spectral")

# %%
# The relatedness graph reads the groups off the task models themselves (here
# each task's own least-squares fit: 20 rows for 6 coefficients), with each
# edge's confidence over bootstrap resamples of the rows.
rel = model.relatedness_
precision, recall, _ = graph_recovery_score(true_edges, rel.edges)
print(f"relatedness graph ({rel.method}): {len(rel.edges)} edges; precision "
      f"{precision:.2f}, recall {recall:.2f}; confidence {rel.confidence.min():.2f} "
      f"to {rel.confidence.max():.2f}")
disp = TaskGraphDisplay.from_estimator(model, true_edges=true_edges, layout="spectral")

# %%
# Choosing the sparsity automatically. The default ``sparsity="1se"`` follows a
# cross-validated sparsity path from the full graph to the empty graph and keeps
# the sparsest graph whose validation loss is within one standard error of the
# best one (the error bars); the chosen point is starred. Each point is scored on
# folds its weights were not fitted to (``path_cv``), so that chance edges do not
# look useful.
auto = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=tasks)
precision, recall, _ = graph_recovery_score(true_edges, auto.edges_)
print(f"one-SE rule: kept {len(auto.edges_)} edges; precision {precision:.2f}, "
      f"recall {recall:.2f}")
path = auto.path_
k = path.selected_index
fig, ax = plt.subplots(figsize=(5, 3))
ax.errorbar(path.n_edges, path.validation_loss, yerr=path.validation_se, fmt="o-")
ax.plot(path.n_edges[k], path.validation_loss[k], "r*", markersize=14,
        label="chosen (one-SE rule)")
ax.set_yscale("log")
ax.set_xlabel("edges kept")
ax.set_ylabel("validation MSE")
ax.set_title("sparsity path (full graph -> empty graph)")
ax.legend()
plt.tight_layout()
