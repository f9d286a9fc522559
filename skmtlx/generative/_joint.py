"""Joint labels, the smoothed joint prior and generative inference over them."""

import itertools

import numpy as np
from scipy.special import logsumexp

__all__ = [
    "enumerate_joint_labels",
    "joint_log_prior",
    "adjusted_joint_scores",
]

_MAX_GRID_SIZE = 2**20


def enumerate_joint_labels(Y_codes, n_classes, joint_labels="observed"):
    """The set of joint labels inference chooses from, as class codes.

    Parameters
    ----------
    Y_codes : ndarray of shape (n_samples, n_tasks)
        Integer class codes of the training labels.
    n_classes : sequence of int
        Number of classes of each task.
    joint_labels : {"observed", "grid"}, default="observed"
        ``"observed"``: the distinct combinations seen in ``Y_codes``
        (sorted). ``"grid"``: every combination of the tasks' classes (the
        Cartesian product, in lexicographic order).

    Returns
    -------
    codes : ndarray of shape (n_joint_labels, n_tasks)
        One joint label per row.
    kind : {"grid", "observed"}
        The enumeration used.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.generative._joint import enumerate_joint_labels
    >>> Y = np.array([[0, 1], [1, 1], [0, 1]])
    >>> codes, kind = enumerate_joint_labels(Y, [2, 2])
    >>> codes.tolist(), kind
    ([[0, 1], [1, 1]], 'observed')
    >>> enumerate_joint_labels(Y, [2, 2], "grid")[0].tolist()
    [[0, 0], [0, 1], [1, 0], [1, 1]]
    """
    grid_size = int(np.prod([int(k) for k in n_classes], dtype=object))
    if joint_labels == "grid":
        if grid_size > _MAX_GRID_SIZE:
            raise ValueError(
                f"joint_labels='grid' would enumerate {grid_size} joint labels "
                f"(the product of the tasks' class counts {list(n_classes)}), more than "
                f"{_MAX_GRID_SIZE}; use joint_labels='observed'."
            )
        codes = np.array(list(itertools.product(*(range(int(k)) for k in n_classes))))
        return codes.reshape(grid_size, len(n_classes)).astype(np.intp), "grid"
    codes = np.unique(np.asarray(Y_codes, dtype=np.intp), axis=0)
    return codes, "observed"


def joint_label_index(Y_codes, codes):
    """Row of ``codes`` matching each row of ``Y_codes`` (-1 when absent).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.generative._joint import joint_label_index
    >>> joint_label_index(np.array([[1, 0], [1, 1]]), np.array([[0, 0], [1, 0]])).tolist()
    [1, -1]
    """
    lookup = {tuple(row): i for i, row in enumerate(np.asarray(codes).tolist())}
    return np.array([lookup.get(tuple(row), -1) for row in np.asarray(Y_codes).tolist()])


def joint_log_prior(Y_codes, codes, smoothing=1.0):
    """Smoothed log frequency of every joint label in the training labels.

    ``p(y) = (count(y) + smoothing) / (n_samples + smoothing * n_joint_labels)``
    for each of the ``n_joint_labels`` rows of ``codes``.

    Parameters
    ----------
    Y_codes : ndarray of shape (n_samples, n_tasks)
        Integer class codes of the training labels.
    codes : ndarray of shape (n_joint_labels, n_tasks)
        The joint labels (see :func:`enumerate_joint_labels`).
    smoothing : float, default=1.0
        Pseudo-count added to every joint label (> 0).

    Returns
    -------
    log_prior : ndarray of shape (n_joint_labels,)
    counts : ndarray of shape (n_joint_labels,)
        Raw counts.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.generative._joint import joint_log_prior
    >>> Y = np.array([[0, 0], [0, 0], [1, 1]])
    >>> log_prior, counts = joint_log_prior(Y, np.array([[0, 0], [1, 1]]), smoothing=1.0)
    >>> counts.tolist(), np.exp(log_prior).round(2).tolist()
    ([2, 1], [0.6, 0.4])
    """
    index = joint_label_index(Y_codes, codes)
    counts = np.bincount(index[index >= 0], minlength=len(codes))
    log_prior = np.log(counts + smoothing) - np.log(len(index) + smoothing * len(codes))
    return log_prior, counts


def adjusted_joint_scores(log_proba_tasks, codes, log_prior, prior_weight, rows=None):
    """``sum_t log p(y_t | x) - prior_weight * log p(y)`` for every joint label.

    Parameters
    ----------
    log_proba_tasks : list of ndarray of shape (n_samples, n_classes_t)
        Per-task log-probabilities (targets independent given ``x``).
    codes : ndarray of shape (n_joint_labels, n_tasks)
        Joint labels.
    log_prior : ndarray of shape (n_joint_labels,)
        Log joint prior.
    prior_weight : float
        Weight of the prior correction.
    rows : slice or None, default=None
        Only these samples (to bound memory).

    Returns
    -------
    scores : ndarray of shape (n_samples, n_joint_labels)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.generative._joint import adjusted_joint_scores
    >>> lp = [np.log([[0.6, 0.4]]), np.log([[0.3, 0.7]])]
    >>> codes = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
    >>> int(adjusted_joint_scores(lp, codes, np.log(np.full(4, 0.25)), 0.0).argmax())
    1
    """
    rows = slice(None) if rows is None else rows
    scores = np.zeros((len(log_proba_tasks[0][rows]), len(codes)))
    for t, log_proba in enumerate(log_proba_tasks):
        scores += log_proba[rows][:, codes[:, t]]
    if prior_weight != 0:
        scores -= prior_weight * log_prior
    return scores


def normalize_log_scores(scores):
    """Row-wise softmax of ``scores`` (a distribution over joint labels)."""
    return np.exp(scores - logsumexp(scores, axis=1, keepdims=True))
