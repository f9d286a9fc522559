"""Synthetic multi-task data with planted task groups.

Tasks in the same planted group share one latent function of the inputs (up to
a task-specific scale and a small task-specific perturbation); tasks in
different groups depend on unrelated non-linear functions, so that a shared
trunk of limited width has to serve conflicting representations and training
them together hurts, while training a group together denoises its tasks. Used to check
that :class:`~skmtlx.grouping.TaskGrouper` recovers the planted groups.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["make_grouped_tasks"]


def _latent(Z, rng, n_terms):
    """A random smooth function of the projected inputs ``Z`` (n, k)."""
    k = Z.shape[1]
    out = np.zeros(len(Z))
    for _ in range(n_terms):
        w = rng.randn(k)
        w /= np.linalg.norm(w)
        freq = rng.uniform(0.5, 1.5)
        phase = rng.uniform(0, 2 * np.pi)
        out += np.sin(freq * Z @ w + phase)
    return out


@validate_params(
    {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "group_sizes": ["array-like"],
        "n_informative": [Interval(Integral, 1, None, closed="left"), None],
        "task_noise": [Interval(Real, 0, None, closed="left")],
        "noise": [Interval(Real, 0, None, closed="left")],
        "shared_subspace": [Interval(Real, 0, 1, closed="both")],
        "task_type": [StrOptions({"regression", "binary"})],
        "shuffle_tasks": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_grouped_tasks(
    n_samples=500,
    n_features=10,
    group_sizes=(3, 3, 3),
    *,
    n_informative=None,
    task_noise=0.1,
    noise=0.3,
    shared_subspace=0.0,
    task_type="regression",
    shuffle_tasks=False,
    random_state=None,
):
    """Generate multi-task data whose tasks fall into planted groups.

    Inputs are ``X ~ N(0, I)``. Group ``g`` owns a latent function
    ``f_g(x) = sum_m sin(a_m . (P_g x) + b_m)`` (a sum of 3 random sinusoids
    of a projection ``P_g`` of the inputs to ``n_informative`` dimensions).
    Task ``t`` of group ``g`` has target::

        y_t = s_t * f_g(x) + task_noise * h_t(x) + noise * eps

    with a random scale ``s_t`` in ``[0.7, 1.3]`` (sign random), a
    task-specific function ``h_t`` drawn like ``f_g``, and Gaussian ``eps``.
    ``shared_subspace`` is how much the groups' projections have in common:
    with 0 each group reads its own random input directions (a shared trunk
    must learn them all, so groups compete for its width), with 1 every group
    reads the same directions through unrelated functions (the first layer
    can be shared, which makes cross-group transfer less harmful). Targets are
    standardised; binary targets are ``y_t > median(y_t)``.

    Parameters
    ----------
    n_samples : int, default=500
        Number of rows.
    n_features : int, default=10
        Number of input features.
    group_sizes : sequence of int, default=(3, 3, 3)
        Number of tasks in each planted group.
    n_informative : int or None, default=None
        Dimension of the projections ``P_g``; None uses ``min(n_features, 4)``.
    task_noise : float, default=0.1
        Weight of the task-specific function ``h_t``.
    noise : float, default=0.3
        Standard deviation of the observation noise (before standardising).
    shared_subspace : float in [0, 1], default=0.0
        How much the groups' input projections overlap (see above).
    task_type : {"regression", "binary"}, default="regression"
        Continuous targets, or 0/1 labels (the sign of the centred target).
    shuffle_tasks : bool, default=False
        Permute the task columns (the returned ``task_groups`` follows).
    random_state : int, RandomState instance or None, default=None
        Seed of the draw.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    Y : ndarray of shape (n_samples, n_tasks)
        One column per task, ``n_tasks = sum(group_sizes)``.
    task_groups : ndarray of shape (n_tasks,)
        Planted group index of every task.

    Examples
    --------
    >>> from skmtlx.datasets import make_grouped_tasks
    >>> X, Y, groups = make_grouped_tasks(100, 5, (2, 3), random_state=0)
    >>> X.shape, Y.shape, groups.tolist()
    ((100, 5), (100, 5), [0, 0, 1, 1, 1])
    """
    group_sizes = np.asarray(group_sizes)
    if (
        group_sizes.ndim != 1
        or group_sizes.size == 0
        or not np.issubdtype(group_sizes.dtype, np.integer)
        or np.any(group_sizes < 1)
    ):
        raise ValueError(
            f"group_sizes must be a non-empty sequence of positive ints, got {group_sizes!r}."
        )
    rng = check_random_state(random_state)
    k = min(n_features, 4) if n_informative is None else min(n_informative, n_features)
    X = rng.randn(n_samples, n_features)
    common = np.linalg.qr(rng.randn(n_features, k))[0]
    columns, labels = [], []
    for g, size in enumerate(group_sizes):
        own = np.linalg.qr(rng.randn(n_features, k))[0]
        proj = np.sqrt(shared_subspace) * common + np.sqrt(1 - shared_subspace) * own
        f_g = _latent(X @ proj, rng, 3)
        for _ in range(size):
            scale = rng.uniform(0.7, 1.3) * rng.choice([-1.0, 1.0])
            h_t = _latent(X @ np.linalg.qr(rng.randn(n_features, k))[0], rng, 2)
            y = scale * f_g + task_noise * h_t + noise * rng.randn(n_samples)
            columns.append(y)
            labels.append(g)
    Y = np.column_stack(columns)
    Y = (Y - Y.mean(axis=0)) / Y.std(axis=0)
    labels = np.asarray(labels)
    if shuffle_tasks:
        order = rng.permutation(Y.shape[1])
        Y, labels = Y[:, order], labels[order]
    if task_type == "binary":
        Y = (Y > np.median(Y, axis=0)).astype(np.int64)
    return X, Y, labels
