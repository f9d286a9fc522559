"""
==============================================
A task graph learned on real per-task data
==============================================

Parkinsons telemonitoring: one regression task per patient (predict the motor
UPDRS score from voice measures). We read the relatedness graph over the
patients (which patients' models are alike, each edge with a bootstrap
confidence) and draw it two ways: as a graph, coloured by community, and as a
heatmap of the similarity of every pair, ordered by community. When the data
file is not available (see :func:`skmtlx.datasets.load_parkinsons_updrs`) the
example falls back to a synthetic problem with cluster structure.
"""

# %%
import numpy as np
from sklearn.preprocessing import StandardScaler

from skmtlx.task_graph import SparseTaskGraphMTL, TaskGraphDisplay

try:
    from skmtlx.datasets import load_parkinsons_updrs

    X, y, tasks = load_parkinsons_updrs(return_X_y_tasks=True)
    title = "Parkinsons: patients"
except OSError:
    from skmtlx.datasets import make_task_graph_regression

    X, y, tasks, _ = make_task_graph_regression("clusters", n_samples=30, noise=0.3,
                                                random_state=0)
    title = "synthetic clusters (data file not found)"

X = StandardScaler().set_output(transform="pandas").fit_transform(X)  # keeps the names
X = X.loc[:, X.std() > 0]
model = SparseTaskGraphMTL(cv=None, max_iter=30, random_state=0).fit(X, y, tasks=tasks)
print(f"{len(np.unique(tasks))} tasks, kept {len(model.edges_)} of "
      f"{len(model.candidate_edges_)} candidate edges")

# %%
# The relatedness graph: edge width by similarity, opacity by confidence.
rel = model.relatedness_
print(f"relatedness graph ({rel.method}): {len(rel.edges)} edges, median confidence "
      f"{np.median(rel.confidence) if len(rel.edges) else float('nan'):.2f}")
disp = TaskGraphDisplay.from_estimator(model)
disp.ax_.set_title(f"{title}, relatedness graph")

# %%
# The similarity of every pair of patients, ordered by community: blocks on
# the diagonal are groups of alike patients.
disp = TaskGraphDisplay.from_estimator(model, view="heatmap")
disp.ax_.set_title(f"{title}, similarity")

# %%
# The predictive graph: the couplings the predictions use (chosen by
# validation loss; a different question, see the user guide).
disp = TaskGraphDisplay.from_estimator(model, kind="predictive", show_labels=False)

# %%
# Explaining one patient's predictions
# ------------------------------------
# The per-task models are linear, so ``explain(X, tasks=...)`` is exact:
# ``coef_t * (x - training mean)`` for each row's task, adding up to the
# prediction. Age and sex do not change within a patient: their
# attributions are the same on every row, the patient's offset from the average.
first = np.flatnonzero(tasks == tasks[0])[:50]
explanation = model.explain(X.iloc[first], tasks=tasks[first])
print(explanation.global_importances().head())
explanation.plot("waterfall", index=0)
