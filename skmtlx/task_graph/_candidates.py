"""Candidate edges for the task graph: kNN of task models, complete, or user-given."""

import numpy as np

__all__ = ["knn_edges", "complete_edges", "user_edges"]


def _unique_sorted(edges):
    edges = np.sort(np.asarray(edges, dtype=int).reshape(-1, 2), axis=1)
    edges = edges[edges[:, 0] != edges[:, 1]]
    if len(edges) == 0:
        return edges
    return np.unique(edges, axis=0)


def complete_edges(n_tasks):
    """All ``n_tasks * (n_tasks - 1) / 2`` pairs ``(i, j)``, ``i < j``."""
    i, j = np.triu_indices(n_tasks, k=1)
    return np.column_stack([i, j]).astype(int)


def knn_edges(coef, n_neighbors):
    """Symmetrised k-nearest-neighbour graph of task models (Euclidean).

    Parameters
    ----------
    coef : ndarray of shape (n_tasks, n_features)
        One (independently fitted) model per task.
    n_neighbors : int
        Neighbours per task (capped at ``n_tasks - 1``).

    Returns
    -------
    edges : ndarray of shape (n_edges, 2)
        ``(i, j)`` with ``i < j`` whenever ``j`` is among the neighbours of ``i``
        or ``i`` among those of ``j``.
    """
    from sklearn.neighbors import NearestNeighbors  # 0.1-0.2 s to import: kNN graphs only

    T = len(coef)
    k = min(n_neighbors, T - 1)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(coef)
    _, ind = nn.kneighbors(coef)
    edges = [(t, int(j)) for t in range(T) for j in ind[t] if j != t]
    return _unique_sorted(edges)


def user_edges(edges, task_labels):
    """Map user edges given as pairs of task labels to sorted index pairs.

    Raises
    ------
    ValueError
        If ``edges`` is not a sequence of pairs or names an unknown task.
    """
    arr = np.asarray(edges, dtype=object)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            "candidate_graph must be 'auto', 'knn', 'complete' or an array-like of "
            f"shape (n_edges, 2) of task ids; got shape {arr.shape}."
        )
    lookup = {label: i for i, label in enumerate(task_labels.tolist())}
    try:
        idx = [(lookup[a], lookup[b]) for a, b in arr.tolist()]
    except KeyError as exc:
        raise ValueError(
            f"candidate_graph names task {exc.args[0]!r}, which is not among the "
            "tasks seen in fit."
        ) from None
    return _unique_sorted(idx)
