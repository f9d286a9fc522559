"""
=========================================
Grouping tasks by measured transfer gains
=========================================

:class:`~skmtlx.grouping.TaskGrouper` trains one shared-trunk network on all
tasks, measures during training how a step on task ``i`` changes the loss of
task ``j`` (the transfer gain), and chooses task groups with an integer
program. Here nine regression tasks fall into three planted groups: tasks of a
group share a latent function, tasks of different groups do not.
"""

# %%
# Data with planted groups
# ------------------------
import matplotlib.pyplot as plt
import numpy as np

from skmtlx.datasets import make_grouped_tasks
from skmtlx.grouping import TaskGrouper
from skmtlx.metrics import fidelity_r2, global_fidelity

X, Y, planted = make_grouped_tasks(
    1400, 10, (3, 3, 3), noise=0.5, shuffle_tasks=True, random_state=0
)
X_train, X_test, Y_train, Y_test = X[:400], X[400:], Y[:400], Y[400:]
print("planted group of each task:", planted)

# %%
# Measure the gains and choose at most three groups
# -------------------------------------------------
# Every network has a narrow trunk (6 units): enough for one group's
# function, not for all of them, and trains a fixed 100 epochs on every
# training row (no early stopping).
params = dict(hidden_layer_sizes=(6,), max_epochs=100, lr=1e-2, batch_size=64,
              early_stopping=False, random_state=0)
grouper = TaskGrouper(n_groups=3, gain_epochs=20, gain_every=2, **params)
grouper.fit(X_train, Y_train)
print("chosen groups:", grouper.groups_)
print(f"objective {grouper.objective_:.4f}, solver status {grouper.solver_status_}, "
      f"solved in {grouper.solve_time_:.2f} s")

# %%
# The gain matrix as a heat map
# -----------------------------
# ``gains_[i, j]`` is the transfer from task ``i`` (row) to task ``j``
# (column): positive when a step on ``i`` together with ``j`` lowers ``j``'s
# loss more than a step on ``j`` alone. Ordering the tasks by chosen group
# shows the block structure; the boxes mark the chosen groups.
order = [t for group in grouper.groups_ for t in group]
gains = grouper.gains_[np.ix_(order, order)]
limit = np.abs(gains).max()
fig, ax = plt.subplots(figsize=(5.5, 4.5))
image = ax.imshow(gains, cmap="RdBu_r", vmin=-limit, vmax=limit)
ax.set_xticks(range(len(order)), [f"t{t}\n(p{planted[t]})" for t in order], fontsize=8)
ax.set_yticks(range(len(order)), [f"t{t}" for t in order], fontsize=8)
ax.set_xlabel("target task j (planted group)")
ax.set_ylabel("source task i")
start = 0
for group in grouper.groups_:
    size = len(group)
    ax.add_patch(plt.Rectangle((start - 0.5, start - 0.5), size, size, fill=False, lw=2))
    start += size
fig.colorbar(image, ax=ax, label="transfer gain")
ax.set_title("Transfer gains, tasks ordered by chosen group")
fig.tight_layout()

# %%
# How the gains evolve during training
# ------------------------------------
same = planted[:, None] == planted[None, :]
off = ~np.eye(len(planted), dtype=bool)
history = grouper.gain_history_
fig, ax = plt.subplots(figsize=(5.5, 3))
ax.plot(history[:, same & off].mean(axis=1), label="same planted group")
ax.plot(history[:, ~same].mean(axis=1), label="different groups")
ax.axhline(0, color="k", lw=0.5)
ax.set_xlabel("epoch")
ax.set_ylabel("mean gain")
ax.legend()
fig.tight_layout()

# %%
# Test loss against one network for all tasks
# -------------------------------------------
together = TaskGrouper(task_groups=[list(range(9))], **params).fit(X_train, Y_train)
print(f"total test loss, chosen groups: {grouper.task_losses(X_test, Y_test).sum():.3f}")
print(f"total test loss, all-in-one:    {together.task_losses(X_test, Y_test).sum():.3f}")

# %%
# Let held-out loss choose how many groups pay off
# ------------------------------------------------
# ``n_groups`` is a budget. With ``group_selection="validation"`` the program
# is solved for every budget up to ``n_groups`` (here 4), one network is
# trained per distinct group on 80% of the training rows (gains included),
# and the grouping with the lowest loss on the other 20% is kept, with its
# networks. ``"validation_1se"`` would instead keep the fewest groups within
# one standard error of that lowest loss. With 80 held-out rows the choice is
# noisy (and the gains are measured on fewer rows): the selection pays off
# when the number of groups is unknown and the data are larger, as in the
# benchmark on real data (``benchmarks/task_grouping.py``).
selected = TaskGrouper(
    n_groups=4, group_selection="validation", validation_fraction=0.2,
    gain_epochs=20, gain_every=2, **params,
).fit(X_train, Y_train)
results = selected.selection_results_
for k, groups, loss in zip(results["max_groups"], results["groups"], results["valid_loss"]):
    print(f"budget {k}: held-out loss {loss:.3f}  {groups}")
print("kept:", selected.groups_)
print(f"total test loss, selected groups: {selected.task_losses(X_test, Y_test).sum():.3f}")
plt.show()

# %%
# Per-task attributions next to the groups
# ----------------------------------------
# Every group network carries a linear surrogate head per task, trained with
# it (``fidelity_weight``): ``coef_`` holds one row of attributions per task
# and :meth:`~skmtlx.TaskGrouper.coef_table` puts the chosen group next to
# them, so tasks that share a network can be read side by side. The global
# fidelity per task says how far to trust each row.
print(grouper.coef_table().round(2))
print("GF per task:", global_fidelity(grouper, X_test, multioutput="raw_values").round(3))
print("R2(f, g) per task:", fidelity_r2(grouper, X_test, multioutput="raw_values").round(2))
explanation = grouper.explain(X_test[:200])
explanation.plot("beeswarm", output=explanation.output_names[order[0]])
plt.show()
