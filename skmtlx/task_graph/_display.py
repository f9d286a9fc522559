"""Matplotlib display of a learned task graph."""

import numpy as np
import scipy.sparse as sp

__all__ = ["TaskGraphDisplay"]


def _spectral_layout(adjacency, seed=0):
    """2-d positions from the graph Laplacian; isolated nodes on an outer circle."""
    A = sp.csr_matrix(adjacency, dtype=float)
    n = A.shape[0]
    if n == 1:
        return np.zeros((1, 2))
    deg = np.asarray(A.sum(axis=1)).ravel()
    pos = np.zeros((n, 2))
    n_comp, labels = sp.csgraph.connected_components(A, directed=False)
    # place components on a circle, lay out each component inside its own disc
    sizes = np.bincount(labels)
    order = np.argsort(-sizes, kind="stable")
    radius = 1.0 if n_comp > 1 else 0.0
    for rank, comp in enumerate(order):
        nodes = np.flatnonzero(labels == comp)
        angle = 2 * np.pi * rank / n_comp
        centre = radius * np.array([np.cos(angle), np.sin(angle)])
        scale = 0.9 * np.sqrt(sizes[comp] / n) if n_comp > 1 else 1.0
        if len(nodes) == 1:
            local = np.zeros((1, 2))
        elif len(nodes) == 2:
            local = np.array([[-0.5, 0.0], [0.5, 0.0]])
        else:
            sub = A[nodes][:, nodes].toarray()
            L = np.diag(deg[nodes]) - sub
            _, vecs = np.linalg.eigh(L)
            local = vecs[:, 1:3]
            if local.shape[1] < 2:
                local = np.column_stack([local[:, 0], np.zeros(len(nodes))])
            local = local - local.mean(axis=0)
            span = np.abs(local).max()
            local = local / span if span > 0 else local
        pos[nodes] = centre + scale * 0.5 * local
    return pos


class TaskGraphDisplay:
    """Draw a task graph: tasks as nodes, learned edges with width by weight.

    Nodes are coloured by connected component (the clusters of the graph)
    unless ``node_color`` is given. Build it with :meth:`from_estimator` (or
    directly from an adjacency matrix) and call :meth:`plot`.

    Parameters
    ----------
    adjacency : sparse or dense array of shape (n_tasks, n_tasks)
        Symmetric weighted adjacency.
    labels : array-like of shape (n_tasks,), default=None
        Task ids shown on the nodes; default ``0..n_tasks - 1``.
    true_edges : array-like of shape (n_true, 2), default=None
        Known edges (as node indices) drawn dashed, to compare a recovered graph.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    positions_ : ndarray of shape (n_tasks, 2)

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from skmtlx.task_graph import TaskGraphDisplay
    >>> A = np.array([[0, 1, 0], [1, 0, 0.5], [0, 0.5, 0]])
    >>> disp = TaskGraphDisplay(A).plot()
    >>> disp.positions_.shape
    (3, 2)
    """

    def __init__(self, adjacency, *, labels=None, true_edges=None):
        self.adjacency = adjacency
        self.labels = labels
        self.true_edges = true_edges

    @classmethod
    def from_estimator(cls, estimator, *, true_edges=None, ax=None, layout="auto",
                       node_color=None, show_labels=True, seed=0):
        """Plot the graph learned by a fitted :class:`SparseTaskGraphMTL`.

        Parameters
        ----------
        estimator : SparseTaskGraphMTL
            Fitted estimator.
        true_edges : array-like of shape (n_true, 2), default=None
            Known edges as pairs of task ids, drawn dashed.
        ax, layout, node_color, show_labels, seed
            Passed to :meth:`plot`.

        Returns
        -------
        display : TaskGraphDisplay
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(estimator, "adjacency_")
        if true_edges is not None and len(true_edges):
            lookup = {t: i for i, t in enumerate(estimator.tasks_.tolist())}
            true_edges = np.array([(lookup[a], lookup[b])
                                   for a, b in np.asarray(true_edges).tolist()])
        disp = cls(estimator.adjacency_, labels=estimator.tasks_, true_edges=true_edges)
        return disp.plot(ax=ax, layout=layout, node_color=node_color,
                         show_labels=show_labels, seed=seed)

    def plot(self, *, ax=None, layout="auto", node_color=None, show_labels=True, seed=0):
        """Draw the graph.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        layout : {"auto", "spring", "spectral"} or ndarray of shape (n_tasks, 2), \
                default="auto"
            Node positions: networkx's spring layout (``"auto"`` uses it when
            networkx is installed), a Laplacian eigenmap per connected component
            (no dependency), or given coordinates.
        node_color : array-like of shape (n_tasks,), default=None
            Values to colour nodes by; default: connected component.
        show_labels : bool, default=True
            Write the task ids on the nodes.
        seed : int, default=0
            Seed of the spring layout.

        Returns
        -------
        self : TaskGraphDisplay
        """
        import matplotlib.pyplot as plt
        from matplotlib.collections import LineCollection

        A = sp.csr_matrix(self.adjacency, dtype=float)
        A = A.maximum(A.T)
        n = A.shape[0]
        labels = np.arange(n) if self.labels is None else np.asarray(self.labels)
        if isinstance(layout, str):
            pos = None
            if layout in ("auto", "spring"):
                try:
                    import networkx as nx

                    graph = nx.from_scipy_sparse_array(A)
                    layout_pos = nx.spring_layout(graph, seed=seed, weight="weight")
                    pos = np.array([layout_pos[i] for i in range(n)])
                except ImportError:
                    if layout == "spring":
                        raise
            if pos is None:
                pos = _spectral_layout(A, seed)
        else:
            pos = np.asarray(layout, dtype=float)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 6))
        coo = sp.triu(A, k=1).tocoo()
        wmax = coo.data.max() if coo.nnz else 1.0
        if coo.nnz:
            segs = np.stack([pos[coo.row], pos[coo.col]], axis=1)
            ax.add_collection(LineCollection(segs, linewidths=0.5 + 3.0 * coo.data / wmax,
                                             colors="0.35", alpha=0.8, zorder=1))
        if self.true_edges is not None and len(self.true_edges):
            te = np.asarray(self.true_edges, dtype=int)
            segs = np.stack([pos[te[:, 0]], pos[te[:, 1]]], axis=1)
            ax.add_collection(LineCollection(segs, linestyles="dashed", colors="tab:red",
                                             linewidths=1.0, alpha=0.7, zorder=2,
                                             label="true edges"))
            ax.legend(loc="upper right", fontsize="small")
        if node_color is None:
            _, node_color = sp.csgraph.connected_components(A, directed=False)
        ax.scatter(pos[:, 0], pos[:, 1], c=node_color, cmap="tab20", s=160,
                   edgecolors="k", zorder=3)
        if show_labels:
            for (x, y), lab in zip(pos, labels.tolist()):
                ax.annotate(str(lab), (x, y), ha="center", va="center", fontsize=7, zorder=4)
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.margins(0.08)
        ax.set_axis_off()
        self.ax_ = ax
        self.figure_ = ax.figure
        self.positions_ = pos
        return self
