"""Matplotlib display of a task graph: a node-link drawing or an ordered heatmap."""

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


def communities(adjacency, seed=0):
    """Community label of each node: greedy modularity (networkx), else components.

    Labels are numbered by decreasing community size; isolated nodes each get
    their own label.
    """
    A = sp.csr_matrix(adjacency, dtype=float)
    n = A.shape[0]
    _, labels = sp.csgraph.connected_components(A, directed=False)
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - depends on the environment
        nx = None
    if nx is not None and A.nnz:
        graph = nx.from_scipy_sparse_array(A)
        groups = nx.community.louvain_communities(graph, weight="weight", seed=seed)
        labels = np.empty(n, dtype=int)
        for k, group in enumerate(groups):
            labels[list(group)] = k
    sizes = np.bincount(labels)
    rank = np.empty_like(sizes)
    rank[np.argsort(-sizes, kind="stable")] = np.arange(len(sizes))
    return rank[labels]


def _label_fits(pos, priority, min_distance):
    """Greedily label the highest-priority nodes at least ``min_distance`` apart."""
    chosen = []
    for i in np.argsort(-priority, kind="stable"):
        if all(np.hypot(*(pos[i] - pos[j])) >= min_distance for j in chosen):
            chosen.append(i)
    mask = np.zeros(len(pos), dtype=bool)
    mask[chosen] = True
    return mask


class TaskGraphDisplay:
    """Draw a task graph: a node-link drawing or a heatmap ordered by community.

    In the drawing, nodes are coloured by community (Louvain communities when
    networkx is installed, else connected components), edges drawn with width
    and opacity by their weight (or their confidence), and task ids written
    only where they do not overlap. ``top_edges`` keeps the strongest edges
    and ``focus`` one task's neighbourhood, so that graphs of 100 to 200 tasks
    stay readable. The heatmap shows the full matrix (e.g. the relatedness
    similarity of every pair), its rows and columns ordered by community.
    Build it with :meth:`from_estimator` (or directly from an adjacency
    matrix) and call :meth:`plot`.

    Parameters
    ----------
    adjacency : sparse or dense array of shape (n_tasks, n_tasks)
        Symmetric weighted adjacency.
    labels : array-like of shape (n_tasks,), default=None
        Task ids shown on the nodes; default ``0..n_tasks - 1``.
    true_edges : array-like of shape (n_true, 2), default=None
        Known edges (as node indices) drawn dashed, to compare a recovered graph.
    confidence : sparse or dense array of shape (n_tasks, n_tasks), default=None
        Confidence of each edge in ``[0, 1]``; sets the edges' opacity.
    matrix : array-like of shape (n_tasks, n_tasks), default=None
        The matrix of the heatmap view; default the adjacency.
    kind : str, default=None
        Which graph this is (e.g. ``"relatedness"``); written in the title.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    positions_ : ndarray of shape (n_tasks, 2)
        Node positions (NaN for nodes not drawn); only for the graph view.
    communities_ : ndarray of shape (n_tasks,)
        Community label of each task.
    order_ : ndarray of shape (n_tasks,)
        Only for the heatmap view: the task order of its rows and columns.

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
    >>> TaskGraphDisplay(A).plot(view="heatmap").order_.shape
    (3,)
    """

    def __init__(self, adjacency, *, labels=None, true_edges=None, confidence=None,
                 matrix=None, kind=None):
        self.adjacency = adjacency
        self.labels = labels
        self.true_edges = true_edges
        self.confidence = confidence
        self.matrix = matrix
        self.kind = kind

    @classmethod
    def from_estimator(cls, estimator, *, kind="relatedness", true_edges=None, **plot_kwargs):
        """Plot one of the graphs learned by a fitted :class:`SparseTaskGraphMTL`.

        Parameters
        ----------
        estimator : SparseTaskGraphMTL
            Fitted estimator.
        kind : {"relatedness", "predictive"}, default="relatedness"
            Which graph, see :meth:`SparseTaskGraphMTL.get_graph`. The
            relatedness graph's edges have their bootstrap confidence as
            opacity, and its heatmap shows the similarity of every pair.
        true_edges : array-like of shape (n_true, 2), default=None
            Known edges as pairs of task ids, drawn dashed.
        **plot_kwargs
            Passed to :meth:`plot`.

        Returns
        -------
        display : TaskGraphDisplay
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(estimator, "adjacency_")
        graph = estimator.get_graph(kind)
        lookup = {t: i for i, t in enumerate(estimator.tasks_.tolist())}
        if true_edges is not None and len(true_edges):
            true_edges = np.array([(lookup[a], lookup[b])
                                   for a, b in np.asarray(true_edges).tolist()])
        confidence = matrix = None
        if kind == "relatedness":
            rel = estimator.relatedness_
            matrix = rel.similarity
            if np.isfinite(rel.frequency).all():
                confidence = rel.frequency
        disp = cls(graph.adjacency, labels=estimator.tasks_, true_edges=true_edges,
                   confidence=confidence, matrix=matrix, kind=kind)
        return disp.plot(**plot_kwargs)

    def plot(self, *, ax=None, view="graph", layout="auto", node_color=None,
             show_labels="auto", top_edges=None, focus=None, seed=0):
        """Draw the graph or its heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        view : {"graph", "heatmap"}, default="graph"
            A node-link drawing, or the matrix (``matrix``, else the adjacency)
            as a heatmap with rows and columns ordered by community, community
            boundaries outlined.
        layout : {"auto", "spring", "spectral"} or ndarray of shape (n_tasks, 2), \
                default="auto"
            Node positions: networkx's spring layout (``"auto"`` uses it when
            networkx is installed), a Laplacian eigenmap per connected component
            (no dependency), or given coordinates.
        node_color : array-like of shape (n_tasks,), default=None
            Values to colour nodes by; default: community.
        show_labels : "auto" or bool, default="auto"
            Write the task ids on the nodes: all of them (True), none (False),
            or, with ``"auto"``, those that do not overlap, the best-connected
            first.
        top_edges : int, default=None
            Draw only this many edges, the heaviest; all when None.
        focus : task id, default=None
            Draw only this task and its neighbours (one hop), labelled.
        seed : int, default=0
            Seed of the spring layout and of the communities.

        Returns
        -------
        self : TaskGraphDisplay
        """
        import matplotlib.pyplot as plt

        A = sp.csr_matrix(self.adjacency, dtype=float)
        A = A.maximum(A.T)
        n = A.shape[0]
        labels = np.arange(n) if self.labels is None else np.asarray(self.labels)
        self.communities_ = communities(A, seed=seed)
        if ax is None:
            side = 6 if n <= 60 else 8
            _, ax = plt.subplots(figsize=(side + 1, side) if view == "heatmap" else (side, side))
        if view == "heatmap":
            self._heatmap(ax, A, labels)
        elif view == "graph":
            self._graph(ax, A, labels, layout, node_color, show_labels, top_edges, focus,
                        seed)
        else:
            raise ValueError(f"view must be 'graph' or 'heatmap'; got {view!r}.")
        if self.kind is not None:
            what = "similarity" if view == "heatmap" and self.matrix is not None else "graph"
            if view == "graph" and top_edges is not None:
                what += f", {top_edges} strongest edges"
            if view == "graph" and focus is not None:
                what += f", neighbours of {focus}"
            ax.set_title(f"{self.kind} {what}", fontsize="medium")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _heatmap(self, ax, A, labels):
        M = A.toarray() if self.matrix is None else np.asarray(self.matrix, dtype=float)
        order = np.lexsort((-np.asarray(A.sum(axis=1)).ravel(), self.communities_))
        image = ax.imshow(M[np.ix_(order, order)], cmap="viridis", interpolation="nearest")
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04,
                           label="similarity" if self.matrix is not None else "weight")
        # outline the communities of more than one task
        comm = self.communities_[order]
        starts = np.flatnonzero(np.r_[True, comm[1:] != comm[:-1]])
        ends = np.r_[starts[1:], len(comm)]
        for lo, hi in zip(starts, ends):
            if hi - lo > 1:
                ax.add_patch(_community_box(lo, hi))
        n = len(order)
        step = max(1, int(np.ceil(n / 40)))  # at most about 40 tick labels
        ticks = np.arange(0, n, step)
        ax.set_xticks(ticks, [str(t) for t in labels[order][ticks]], rotation=90,
                      fontsize="x-small")
        ax.set_yticks(ticks, [str(t) for t in labels[order][ticks]], fontsize="x-small")
        self.order_ = order

    def _graph(self, ax, A, labels, layout, node_color, show_labels, top_edges, focus, seed):
        from matplotlib.collections import LineCollection

        n = A.shape[0]
        shown = np.ones(n, dtype=bool)
        coo = sp.triu(A, k=1).tocoo()
        rows, cols, weights = coo.row, coo.col, coo.data
        if focus is not None:
            hits = np.flatnonzero(labels == focus)
            if not len(hits):
                raise ValueError(f"focus={focus!r} is not a task of this graph.")
            centre = hits[0]
            keep = (rows == centre) | (cols == centre)
            rows, cols, weights = rows[keep], cols[keep], weights[keep]
            shown[:] = False
            shown[np.r_[centre, rows, cols]] = True
        if top_edges is not None and len(weights) > top_edges:
            keep = np.argsort(-weights, kind="stable")[:top_edges]
            rows, cols, weights = rows[keep], cols[keep], weights[keep]
        pos = self._positions(A, shown, layout, seed)
        if len(weights):
            # width by weight over its range, opacity by confidence (else by weight)
            span = np.ptp(weights)
            scaled = (weights - weights.min()) / span if span > 0 else np.ones(len(weights))
            opacity = scaled if self.confidence is None else np.clip(np.asarray(
                sp.csr_matrix(self.confidence)[rows, cols]).ravel(), 0, 1)
            colors = np.zeros((len(weights), 4))
            colors[:, :3] = 0.2
            colors[:, 3] = 0.1 + 0.6 * opacity
            segs = np.stack([pos[rows], pos[cols]], axis=1)
            ax.add_collection(LineCollection(segs, linewidths=0.3 + 2.2 * scaled,
                                             colors=colors, zorder=1))
            if focus is not None:
                # one task's neighbourhood: write each edge's weight (and confidence)
                for (a, b), w, c in zip(segs, weights, opacity):
                    text = f"{w:.2f}" + ("" if self.confidence is None else f" ({c:.0%})")
                    ax.annotate(text, (a + b) / 2, ha="center", va="center", fontsize=7,
                                color="0.25", zorder=2,
                                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none",
                                          alpha=0.7))
        if self.true_edges is not None and len(self.true_edges):
            te = np.asarray(self.true_edges, dtype=int)
            te = te[shown[te[:, 0]] & shown[te[:, 1]]]
            segs = np.stack([pos[te[:, 0]], pos[te[:, 1]]], axis=1)
            ax.add_collection(LineCollection(segs, linestyles="dashed", colors="tab:red",
                                             linewidths=1.0, alpha=0.7, zorder=2,
                                             label="true edges"))
            ax.legend(loc="upper right", fontsize="small")
        size = 160 if shown.sum() <= 40 else max(20, 6000 / shown.sum())
        if node_color is None:
            # communities of several tasks in colour, tasks alone in grey and smaller
            sizes = np.bincount(self.communities_)
            alone = sizes[self.communities_] == 1
            palette = _tab20(self.communities_ % 20)
            palette[alone] = (0.75, 0.75, 0.75, 1.0)
            ax.scatter(pos[shown, 0], pos[shown, 1], c=palette[shown],
                       s=np.where(alone, 0.4 * size, size)[shown], edgecolors="k",
                       linewidths=0.5, zorder=3)
        else:
            ax.scatter(pos[shown, 0], pos[shown, 1], c=np.asarray(node_color)[shown], s=size,
                       edgecolors="k", linewidths=0.5, zorder=3)
        if show_labels == "auto":
            degree = np.asarray((A > 0).sum(axis=1)).ravel().astype(float)
            span = np.ptp(pos[shown], axis=0).max() if shown.sum() > 1 else 1.0
            label = _label_fits(np.nan_to_num(pos), np.where(shown, degree, -np.inf),
                                0.07 * span) & shown
        else:
            label = shown & bool(show_labels)
        for i in np.flatnonzero(label):
            ax.annotate(str(labels[i]), pos[i], ha="center", va="center",
                        fontsize=7 if shown.sum() <= 40 else 6, zorder=4)
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.margins(0.08)
        ax.set_axis_off()
        self.positions_ = pos

    @staticmethod
    def _positions(A, shown, layout, seed):
        n = A.shape[0]
        if not isinstance(layout, str):
            return np.asarray(layout, dtype=float)
        nodes = np.flatnonzero(shown)
        sub = A[nodes][:, nodes]
        local = None
        if layout in ("auto", "spring"):
            try:
                import networkx as nx

                graph = nx.from_scipy_sparse_array(sub)
                found = nx.spring_layout(graph, seed=seed, weight="weight",
                                         k=2.0 / np.sqrt(max(len(nodes), 1)))
                local = np.array([found[i] for i in range(len(nodes))])
            except ImportError:
                if layout == "spring":
                    raise
        if local is None:
            local = _spectral_layout(sub, seed)
        pos = np.full((n, 2), np.nan)
        pos[nodes] = local
        return pos


def _tab20(index):
    """RGBA colours of the tab20 palette."""
    from matplotlib import colormaps

    return colormaps["tab20"](np.asarray(index, dtype=int))


def _community_box(lo, hi):
    """An unfilled square outlining the heatmap cells ``lo..hi - 1``."""
    from matplotlib.patches import Rectangle

    return Rectangle((lo - 0.5, lo - 0.5), hi - lo, hi - lo, fill=False, edgecolor="white",
                     linewidth=0.8)
