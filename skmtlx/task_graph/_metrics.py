"""How well a learned task graph recovers a known one."""

import numpy as np

__all__ = ["graph_recovery_score"]


def _edge_set(edges):
    edges = np.asarray(edges).reshape(-1, 2)
    return {tuple(sorted((a, b))) for a, b in edges.tolist() if a != b}


def graph_recovery_score(true_edges, pred_edges):
    """Precision, recall and F1 of predicted undirected edges.

    Parameters
    ----------
    true_edges : array-like of shape (n_true, 2)
        Edges of the true graph (pairs of task ids, order within a pair ignored).
    pred_edges : array-like of shape (n_pred, 2)
        Edges of the learned graph, e.g. ``SparseTaskGraphMTL().edges_``.

    Returns
    -------
    precision : float
        Fraction of predicted edges that are true; 1.0 when nothing is predicted.
    recall : float
        Fraction of true edges that are predicted; 1.0 when there is no true edge.
    f1 : float
        Harmonic mean of the two (0.0 when both are 0).

    Examples
    --------
    >>> from skmtlx.task_graph import graph_recovery_score
    >>> graph_recovery_score([(0, 1), (1, 2)], [(1, 0), (0, 2)])
    (0.5, 0.5, 0.5)
    """
    true, pred = _edge_set(true_edges), _edge_set(pred_edges)
    tp = len(true & pred)
    precision = tp / len(pred) if pred else 1.0
    recall = tp / len(true) if true else 1.0
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return float(precision), float(recall), float(f1)
