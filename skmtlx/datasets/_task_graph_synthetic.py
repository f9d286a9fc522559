"""Synthetic multi-task regression problems with a known task graph.

Each task ``t`` owns a linear model ``w_t``; rows are ``X ~ N(0, 1)`` and
``y = X w_t + noise``. How the ``w_t`` are drawn defines the true task graph:

* ``"line"``, ``"tree"``, ``"star"``: a random walk along the graph (the
  authors' construction of line and tree, Alesiani et al., 2020; their star is
  ``"star_blocks"``). The root gets ``w ~ N(mean, 1)``;
  each child copies its parent and a random ``change_fraction`` of the
  coordinates take a Gaussian step of standard deviation ``step_std``. Tasks are
  then conditionally independent given their graph neighbours, so the true graph
  is exactly the Laplacian prior the estimator fits.
* ``"star_blocks"``: the authors' star. Every model is drawn ``N(mean, 1)``
  (the authors used ``mean=1``), then leaf ``k`` copies the hub (task 0) on its
  own block of two coordinates; leaves share nothing with each other. Only two
  coordinates tie a leaf to the hub, so this graph is far from the Laplacian
  prior over all coordinates that the estimator fits.
* ``"cliques"``: disjoint groups of tasks sharing one model (complete subgraphs).
* ``"clusters"``: disjoint groups whose tasks scatter around a group centre with
  standard deviation ``step_std``; true edges link every pair inside a group.
* ``"disconnected"``: independent models, no true edge.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["TASK_GRAPH_STRUCTURES", "make_task_graph_regression", "task_graph_edges"]

# the structures ``make_task_graph_regression`` generates
TASK_GRAPH_STRUCTURES = (
    "line", "tree", "star", "star_blocks", "cliques", "clusters", "disconnected")

# authors' sizes where they exist (line: 20 tasks, d=30; tree: 31, d=30; star: 11, d=20)
_DEFAULTS = {
    "line": (20, 30),
    "tree": (31, 30),
    "star": (11, 20),
    "star_blocks": (11, 20),
    "cliques": (20, 20),
    "clusters": (24, 20),
    "disconnected": (10, 20),
}


def _groups(n_tasks, n_groups):
    return np.array_split(np.arange(n_tasks), n_groups)


@validate_params(
    {
        "structure": [StrOptions(set(TASK_GRAPH_STRUCTURES))],
        "n_tasks": [Interval(Integral, 2, None, closed="left"), None],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def task_graph_edges(structure, n_tasks=None, *, n_groups=4):
    """True edges of a synthetic task-graph structure.

    Parameters
    ----------
    structure : {"line", "tree", "star", "star_blocks", "cliques", "clusters", \
            "disconnected"}
        The graph. ``"tree"`` is the complete binary tree (parent of task ``k`` is
        ``(k - 1) // 2``); ``"star"`` and ``"star_blocks"`` have task 0 as hub.
    n_tasks : int, default=None
        Number of tasks; ``None`` uses the structure's default (20, 31, 11, 11, 20,
        24, 10).
    n_groups : int, default=4
        Number of cliques or clusters (ignored by the other structures).

    Returns
    -------
    edges : ndarray of shape (n_edges, 2)
        Undirected edges ``(i, j)`` with ``i < j``, sorted.

    Examples
    --------
    >>> from skmtlx.datasets import task_graph_edges
    >>> task_graph_edges("line", 4).tolist()
    [[0, 1], [1, 2], [2, 3]]
    """
    T = _DEFAULTS[structure][0] if n_tasks is None else n_tasks
    if structure == "line":
        edges = [(k, k + 1) for k in range(T - 1)]
    elif structure == "tree":
        edges = [((k - 1) // 2, k) for k in range(1, T)]
    elif structure in ("star", "star_blocks"):
        edges = [(0, k) for k in range(1, T)]
    elif structure in ("cliques", "clusters"):
        edges = [
            (int(a), int(b))
            for g in _groups(T, min(n_groups, T))
            for ia, a in enumerate(g)
            for b in g[ia + 1:]
        ]
    else:
        edges = []
    edges = np.array(sorted(edges), dtype=int).reshape(-1, 2)
    return edges


@validate_params(
    {
        "structure": [StrOptions(set(TASK_GRAPH_STRUCTURES))],
        "n_tasks": [Interval(Integral, 2, None, closed="left"), None],
        "n_features": [Interval(Integral, 1, None, closed="left"), None],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "step_std": [Interval(Real, 0, None, closed="left")],
        "change_fraction": [Interval(Real, 0, 1, closed="both")],
        "mean": [Real],
        "noise": [Interval(Real, 0, None, closed="left")],
        "return_coef": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_task_graph_regression(
    structure="line",
    *,
    n_tasks=None,
    n_features=None,
    n_samples=20,
    n_groups=4,
    step_std=0.06,
    change_fraction=0.7,
    mean=0.0,
    noise=0.0,
    return_coef=False,
    random_state=None,
):
    """Generate a multi-task linear regression problem with a known task graph.

    Parameters
    ----------
    structure : {"line", "tree", "star", "star_blocks", "cliques", "clusters", \
            "disconnected"}, default="line"
        How tasks relate (see the module description). ``"line"`` is a path,
        ``"tree"`` a complete binary tree, ``"star"`` one hub task (task 0) linked
        to all others (a random walk from the hub), ``"star_blocks"`` the authors'
        star (each leaf shares one 2-coordinate block with the hub),
        ``"cliques"`` groups sharing one model, ``"clusters"`` groups scattered
        around a centre, ``"disconnected"`` unrelated tasks.
    n_tasks : int, default=None
        Number of tasks; ``None`` uses the authors' sizes: line 20, tree 31,
        star and star_blocks 11 (and cliques 20, clusters 24, disconnected 10).
    n_features : int, default=None
        Number of features; ``None`` gives 30 for line and tree, 20 otherwise.
    n_samples : int, default=20
        Rows per task (the authors used 20 for training and 80 for testing:
        generate 100 and split per task).
    n_groups : int, default=4
        Number of cliques or clusters.
    step_std : float, default=0.06
        Standard deviation of a random-walk step (line, tree, star) or of a task
        around its cluster centre (clusters).
    change_fraction : float, default=0.7
        Fraction of coordinates that change along a random-walk edge.
    mean : float, default=0.0
        Mean of the root / group models, drawn ``N(mean, 1)``.
    noise : float, default=0.0
        Standard deviation of Gaussian noise on ``y`` (the authors' data is noise-free).
    return_coef : bool, default=False
        Also return the true models.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_tasks * n_samples, n_features)
    y : ndarray of shape (n_tasks * n_samples,)
    tasks : ndarray of shape (n_tasks * n_samples,) of int
        Task of each row (``0..n_tasks - 1``, rows grouped by task).
    edges : ndarray of shape (n_edges, 2)
        The true undirected edges, see :func:`task_graph_edges`.
    coef : ndarray of shape (n_tasks, n_features)
        The true models; only when ``return_coef=True``.

    Examples
    --------
    >>> from skmtlx.datasets import make_task_graph_regression
    >>> X, y, tasks, edges = make_task_graph_regression("star", random_state=0)
    >>> X.shape, len(set(tasks)), edges.shape
    ((220, 20), 11, (10, 2))
    """
    rng = check_random_state(random_state)
    T0, d0 = _DEFAULTS[structure]
    T = T0 if n_tasks is None else n_tasks
    d = d0 if n_features is None else n_features
    edges = task_graph_edges(structure, T, n_groups=n_groups)

    W = np.zeros((T, d))
    if structure in ("line", "tree", "star"):
        W[0] = rng.normal(mean, 1.0, size=d)
        # edges are listed parent first and every parent precedes its children
        for parent, child in edges:
            mask = rng.uniform(size=d) < change_fraction
            W[child] = W[parent] + mask * rng.normal(0.0, step_std, size=d)
    elif structure in ("cliques", "clusters"):
        for g in _groups(T, min(n_groups, T)):
            centre = rng.normal(mean, 1.0, size=d)
            spread = step_std if structure == "clusters" else 0.0
            W[g] = centre + spread * rng.normal(size=(len(g), d))
    else:
        W = rng.normal(mean, 1.0, size=(T, d))
        if structure == "star_blocks":
            # leaf k copies the hub on its own two coordinates (blocks taken in
            # turn, wrapping around when there are more leaves than blocks)
            for k in range(1, T):
                block = (2 * (k - 1) + np.arange(2)) % d
                W[k, block] = W[0, block]

    tasks = np.repeat(np.arange(T), n_samples)
    X = rng.normal(size=(T * n_samples, d))
    y = np.einsum("ij,ij->i", X, W[tasks])
    if noise > 0:
        y = y + rng.normal(0.0, noise, size=y.shape)
    if return_coef:
        return X, y, tasks, edges, W
    return X, y, tasks, edges
