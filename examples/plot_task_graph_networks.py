"""
================================================
Nonlinear tasks on a graph, and their surrogates
================================================

:class:`~skmtlx.task_graph.SparseTaskGraphMLP` keeps the task graph of
:class:`~skmtlx.task_graph.SparseTaskGraphMTL` and gives every task a
network. Each network is explained by a linear surrogate trained with it:
``fidelity_weight`` weighs ``mean((g_t(x) - f_t(x))^2)`` against the squared
error, as in the other skmtlx networks. Here eight tasks fall into two groups
with different nonlinear responses; we compare the linear task models with
the two network options, then show what the fidelity weight buys: surrogates
that follow the networks more closely, for some accuracy.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skmtlx.metrics import fidelity_r2
from skmtlx.task_graph import SparseTaskGraphMLP, SparseTaskGraphMTL

rng = np.random.RandomState(0)
n_tasks, n_rows = 8, 80
tasks = np.repeat(np.arange(n_tasks), n_rows)
X = rng.uniform(-2, 2, (len(tasks), 3))
group = tasks % 2  # tasks 0, 2, 4, 6 and 1, 3, 5, 7
y = (np.where(group == 0, np.sin(2 * X[:, 0]), X[:, 0] ** 2 - 1) + X[:, 1] - 0.5 * X[:, 2]
     + 0.1 * rng.randn(len(tasks)))
train = rng.rand(len(tasks)) < 0.7
test = ~train


def test_score(model):
    return model.score(X[test], y[test], tasks=tasks[test])


linear = SparseTaskGraphMTL(random_state=0).fit(X[train], y[train], tasks=tasks[train])
print(f"linear task models     test R^2 {test_score(linear):.3f}")
networks = {}
for kind in ("mlp", "task_mlp"):
    networks[kind] = SparseTaskGraphMLP(model=kind, random_state=0).fit(
        X[train], y[train], tasks=tasks[train])
    print(f"model={kind!r:<11}      test R^2 {test_score(networks[kind]):.3f}")

# %%
# Explaining one prediction
# -------------------------
# ``explain(X, tasks=...)`` attributes each row's prediction to the features
# with its task's surrogate (exact Shapley values of ``g_t``: they add up to
# :meth:`~skmtlx.task_graph.SparseTaskGraphMTL.predict_surrogate`).
model = networks["mlp"]
row = np.flatnonzero(test)[:1]
explanation = model.explain(X[row], tasks=tasks[row])
print(f"network {model.predict(X[row], tasks=tasks[row])[0]:.3f}, surrogate "
      f"{model.predict_surrogate(X[row], tasks=tasks[row])[0]:.3f}")
explanation.plot("waterfall", index=0)

# %%
# How far to trust the surrogates
# -------------------------------
# ``fidelity_r2`` is the share of the networks' test variance the surrogates
# reproduce. A higher fidelity weight pulls every network toward what a
# linear model of its task can express: the surrogates become more faithful,
# and the networks less accurate where the truth is nonlinear. The default,
# 0.1, costs little accuracy; with responses this nonlinear, no linear
# surrogate follows the networks closely, and ``R^2(f, g)`` says so.
weights = [0.0, 0.1, 0.5]
scores, fidelities = [], []
for weight in weights:
    fitted = networks["mlp"] if weight == 0.1 else SparseTaskGraphMLP(  # 0.1: the default
        fidelity_weight=weight, random_state=0).fit(X[train], y[train], tasks=tasks[train])
    scores.append(test_score(fitted))
    fidelities.append(fidelity_r2(fitted, X[test], predict_params={"tasks": tasks[test]}))
    print(f"fidelity_weight {weight:.1f}: test R^2 {scores[-1]:.3f}, "
          f"R^2(f, g) {fidelities[-1]:.3f}")

fig, ax = plt.subplots(figsize=(5, 4))
ax.plot(fidelities, scores, "o-")
for weight, fidelity, score in zip(weights, fidelities, scores):
    ax.annotate(f"w={weight}", (fidelity, score), textcoords="offset points", xytext=(5, 5))
ax.axhline(test_score(linear), color="grey", linestyle=":", label="linear task models")
ax.set_xlabel("R^2(f, g): surrogate fidelity on test rows")
ax.set_ylabel("test R^2 of the networks")
ax.legend()
plt.tight_layout()
