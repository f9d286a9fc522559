"""Multi-target accuracies: exact match and mean per-task accuracy."""

import numpy as np

__all__ = ["exact_match_score", "mean_task_accuracy", "task_accuracies"]


def _as_2d_pair(y_true, y_pred):
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    if y_true.ndim == 1:
        y_true = y_true.reshape(-1, 1)
    if y_pred.ndim == 1:
        y_pred = y_pred.reshape(-1, 1)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape, got {y_true.shape} and {y_pred.shape}."
        )
    return y_true, y_pred


def _weights(sample_weight, n_samples):
    if sample_weight is None:
        return np.ones(n_samples)
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), got {sample_weight.shape}."
        )
    return sample_weight


def task_accuracies(y_true, y_pred, *, sample_weight=None):
    """Accuracy of each target column.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True and predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    accuracies : ndarray of shape (n_tasks,)

    Examples
    --------
    >>> from skmtlx.generative import task_accuracies
    >>> task_accuracies([[0, 1], [1, 1]], [[0, 0], [1, 1]]).tolist()
    [1.0, 0.5]
    """
    y_true, y_pred = _as_2d_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return np.average(y_true == y_pred, axis=0, weights=weights)


def mean_task_accuracy(y_true, y_pred, *, sample_weight=None):
    """Average over the targets of the per-target accuracy.

    Use ``sklearn.metrics.make_scorer(mean_task_accuracy)`` as the
    ``scoring`` of a grid search.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True and predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skmtlx.generative import mean_task_accuracy
    >>> mean_task_accuracy([[0, 1], [1, 1]], [[0, 0], [1, 1]])
    0.75
    """
    return float(np.mean(task_accuracies(y_true, y_pred, sample_weight=sample_weight)))


def exact_match_score(y_true, y_pred, *, sample_weight=None):
    """Fraction of samples whose targets are all predicted right (subset accuracy).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,) or (n_samples, n_tasks)
        True and predicted labels.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights.

    Returns
    -------
    score : float

    Examples
    --------
    >>> from skmtlx.generative import exact_match_score
    >>> exact_match_score([[0, 1], [1, 1]], [[0, 0], [1, 1]])
    0.5
    """
    y_true, y_pred = _as_2d_pair(y_true, y_pred)
    weights = _weights(sample_weight, len(y_true))
    return float(np.average(np.all(y_true == y_pred, axis=1), weights=weights))
