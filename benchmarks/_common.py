"""What the benchmark scripts share: the run banner, timing, tables and data draws.

Every script calls :func:`start_run` first (it prints the command line that
reproduces the run) and :func:`finish_run` last (wall and CPU time). The
scripts import only public skmtlx names, this module, and never each other.
"""

import math
import os
import shlex
import sys
import time

import numpy as np
from scipy.sparse.csgraph import laplacian

from skmtlx.datasets import make_task_graph_regression

_REPRODUCING_ENVIRONMENT = ("SKMTLX_DATA_HOME", "OMP_NUM_THREADS")


class Stopwatch:
    """Wall and CPU seconds since creation (CPU time counts this process only)."""

    def __init__(self):
        self._wall, self._cpu = time.perf_counter(), time.process_time()

    @property
    def wall(self):
        return time.perf_counter() - self._wall

    @property
    def cpu(self):
        return time.process_time() - self._cpu


def start_run():
    """Print the command line of this run (with the environment it reads); return a clock."""
    env = [f"{name}={os.environ[name]}" for name in _REPRODUCING_ENVIRONMENT
           if name in os.environ]
    print("$ " + " ".join(env + ["python", shlex.join(sys.argv)]), flush=True)
    return Stopwatch()


def finish_run(clock):
    """Print the wall and CPU time of the run started by :func:`start_run`."""
    print(f"wall time {clock.wall:.1f} s (cpu {clock.cpu:.1f} s; wall > cpu when the "
          "machine is shared)", flush=True)


def print_table(rows, columns, *, title=None):
    """Print ``rows`` (dicts) as a fixed-width table.

    ``columns`` maps a row key to its format spec, e.g. ``{"name": "<24",
    "seconds": ">8.3f"}``; the header is the key, aligned like its values.
    """
    if title:
        print(title)
    width = {key: max(len(key), len(format(rows[0][key], spec)) if rows else 0)
             for key, spec in columns.items()}
    align = {key: "<" if spec.startswith("<") else ">" for key, spec in columns.items()}
    print("  ".join(f"{key:{align[key]}{width[key]}}" for key in columns))
    for row in rows:
        print("  ".join(f"{format(row[key], spec):{align[key]}{width[key]}}"
                        for key, spec in columns.items()), flush=True)


# ------------------------------------------------------------ task graphs
def draw_structure(structure, n_samples, seed, **kwargs):
    """One draw of a synthetic task-graph structure.

    The authors drew their star's models from N(1, 1), hence ``mean=1`` for
    ``"star_blocks"``.
    """
    return make_task_graph_regression(
        structure, n_samples=n_samples, mean=1.0 if structure == "star_blocks" else 0.0,
        random_state=seed, **kwargs)


def per_task_rmse(y, pred, tasks):
    """Mean over tasks of each task's root mean squared error."""
    return float(np.mean([np.sqrt(np.mean((y[tasks == t] - pred[tasks == t]) ** 2))
                          for t in np.unique(tasks)]))


def split_per_task(tasks, train_fraction, seed, n_train=None):
    """Boolean training mask drawing ``train_fraction`` (or ``n_train``) rows of every task."""
    rng = np.random.RandomState(seed)
    train = np.zeros(len(tasks), bool)
    for t in np.unique(tasks):
        rows = rng.permutation(np.flatnonzero(tasks == t))
        k = n_train if n_train is not None else max(2, int(round(train_fraction * len(rows))))
        train[rows[:k]] = True
    return train


def all_task_pairs(n_tasks):
    """The ``n_tasks * (n_tasks - 1) / 2`` pairs ``(i, j)``, ``i < j``, in row order."""
    i, j = np.triu_indices(n_tasks, k=1)
    return np.column_stack([i, j]).astype(int)


def graph_laplacian(edges, n_tasks):
    """Dense Laplacian ``D - A`` of the unweighted graph with ``edges`` (pairs of indices)."""
    adjacency = np.zeros((n_tasks, n_tasks))
    edges = np.asarray(edges, dtype=int).reshape(-1, 2)
    adjacency[edges[:, 0], edges[:, 1]] = adjacency[edges[:, 1], edges[:, 0]] = 1.0
    return laplacian(adjacency)


# ----------------------------------------------------- reference networks
def plain_mlp(n_inputs, hidden_layer_sizes, n_outputs):
    """The torch MLP the estimators build (Linear + ReLU, torch's default init)."""
    import torch

    layers, width = [], n_inputs
    for size in hidden_layer_sizes:
        layers += [torch.nn.Linear(width, size), torch.nn.ReLU()]
        width = size
    return torch.nn.Sequential(*layers, torch.nn.Linear(width, n_outputs))


def log_cosh(residual):
    """Numerically stable ``log(cosh(residual))`` (the regressors' default loss)."""
    import torch

    return residual + torch.nn.functional.softplus(-2.0 * residual) - math.log(2.0)
