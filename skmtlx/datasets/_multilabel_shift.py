"""Induce a target shift in multi-target data by resampling on the joint labels."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

__all__ = ["resample_target_shift"]


@validate_params(
    {
        "Y": ["array-like"],
        "kind": [StrOptions({"independent", "uniform", "shuffle"})],
        "n_samples": [Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def resample_target_shift(Y, *, kind="independent", n_samples=None, random_state=None):
    """Indices of a resample of ``Y`` whose joint label distribution is shifted.

    Each row is drawn (with replacement) with probability proportional to
    ``p_new(y_i) / p(y_i)``, where ``p`` is the empirical distribution of the
    joint labels (rows) of ``Y``. The inputs are not looked at, so ``p(x | y)``
    is unchanged and only ``p(y)`` shifts: a pure target shift. The new
    distribution ``p_new`` is supported on the joint labels present in ``Y``:

    - ``"independent"``: the product of the marginals of ``Y`` (renormalised
      on the observed joint labels). Label co-occurrence is removed while each
      label's frequency stays about the same.
    - ``"uniform"``: every observed joint label equally likely (rare label
      combinations become as frequent as common ones).
    - ``"shuffle"``: the empirical probabilities randomly permuted among the
      observed joint labels (as in Makino et al., 2022, without their noise).

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_tasks)
        Discrete labels (e.g. the test split of a multi-label dataset).
    kind : {"independent", "uniform", "shuffle"}, default="independent"
        The shifted joint distribution.
    n_samples : int or None, default=None
        Size of the resample; ``None`` keeps ``len(Y)``.
    random_state : int, RandomState instance or None, default=None
        Seeds the permutation and the draw.

    Returns
    -------
    indices : ndarray of shape (n_samples,)
        Row indices into ``Y`` (and the matching ``X``).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.datasets import resample_target_shift
    >>> rng = np.random.RandomState(0)
    >>> a = rng.randint(2, size=2000)
    >>> Y = np.column_stack([a, np.where(rng.rand(2000) < 0.9, a, 1 - a)])
    >>> idx = resample_target_shift(Y, kind="independent", random_state=0)
    >>> before = np.corrcoef(Y.T)[0, 1]
    >>> after = np.corrcoef(Y[idx].T)[0, 1]
    >>> bool(before > 0.7), bool(abs(after) < 0.1)
    (True, True)
    """
    Y = np.asarray(Y)
    if Y.ndim != 2 or len(Y) == 0:
        raise ValueError(f"Y must be a non-empty 2-D array of labels, got shape {Y.shape}.")
    rng = check_random_state(random_state)
    n_samples = len(Y) if n_samples is None else n_samples
    joint, inverse, counts = np.unique(Y, axis=0, return_inverse=True, return_counts=True)
    inverse = inverse.reshape(-1)
    p_joint = counts / counts.sum()
    if kind == "independent":
        p_new = np.ones(len(joint))
        for t in range(Y.shape[1]):
            values, value_counts = np.unique(Y[:, t], return_counts=True)
            marginal = dict(zip(values.tolist(), (value_counts / len(Y)).tolist()))
            p_new *= np.array([marginal[v] for v in joint[:, t].tolist()])
    elif kind == "uniform":
        p_new = np.ones(len(joint))
    else:  # shuffle
        p_new = rng.permutation(p_joint)
    p_new = p_new / p_new.sum()
    weights = (p_new / p_joint)[inverse]
    return rng.choice(len(Y), size=n_samples, replace=True, p=weights / weights.sum())
