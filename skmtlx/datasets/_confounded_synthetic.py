"""A multi-task classification generator with a target-causing confounder."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["make_confounded_multitask"]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_tasks": [Interval(Integral, 1, None, closed="left")],
        "n_features": [Interval(Integral, 1, None, closed="left")],
        "confounding": [Interval(Real, 0, 1, closed="both"), "array-like"],
        "class_sep": [Interval(Real, 0, None, closed="left"), "array-like"],
        "noise": [Interval(Real, 0, None, closed="neither")],
        "mechanism_random_state": ["random_state"],
        "random_state": ["random_state"],
        "return_confounder": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_confounded_multitask(
    n_samples=1000,
    *,
    n_tasks=2,
    n_features=10,
    confounding=0.9,
    class_sep=1.0,
    noise=1.0,
    mechanism_random_state=0,
    random_state=None,
    return_confounder=False,
):
    """Binary multi-task data whose targets are correlated by a hidden confounder.

    The causal graph is ``u -> y_t -> x``: an unobserved binary confounder
    ``u ~ Bernoulli(0.5)`` causes every target, and the inputs are caused by
    the targets only. Target ``t`` copies the confounder with probability
    ``confounding[t]`` and is its complement otherwise::

        y_t = u        with probability confounding[t]
        y_t = 1 - u    otherwise
        x   = sum_t class_sep[t] * (2 y_t - 1) * w_t + noise * e,   e ~ N(0, I)

    where each ``w_t`` is a random unit direction in ``R^n_features``. The
    mechanism ``p(x | y)`` (the directions ``w_t``) is fixed by
    ``mechanism_random_state``, so several calls that differ only in
    ``confounding`` and ``random_state`` share it and differ only in the joint
    target distribution ``p(y)``: a **target shift**. For example, train with
    ``confounding=0.9`` (targets agree 82% of the time) and test on
    ``confounding=[0.9, 0.1]`` (they now disagree 82% of the time).

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_tasks : int, default=2
        Number of binary targets.
    n_features : int, default=10
        Number of input features.
    confounding : float or array-like of shape (n_tasks,), default=0.9
        Probability that target ``t`` equals the confounder, in ``[0, 1]``.
        0.5 makes the targets independent; values on opposite sides of 0.5
        make two targets anti-correlated.
    class_sep : float or array-like of shape (n_tasks,), default=1.0
        Strength of each target's effect on the inputs. A weak task
        (small ``class_sep``) is where a discriminative model leans most on
        the spurious correlation with the other targets.
    noise : float, default=1.0
        Standard deviation of the Gaussian input noise.
    mechanism_random_state : int, RandomState instance or None, default=0
        Seed of the directions ``w_t`` (the mechanism shared by the training
        and the shifted test distributions).
    random_state : int, RandomState instance or None, default=None
        Seed of the samples.
    return_confounder : bool, default=False
        Also return the confounder ``u``.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    Y : ndarray of shape (n_samples, n_tasks)
        Binary targets (int).
    u : ndarray of shape (n_samples,)
        The hidden confounder, only when ``return_confounder=True``.

    See Also
    --------
    skmtlx.generative.GenerativeMTLClassifier : inference that resists the
        shift of ``p(y)`` this generator produces.

    Examples
    --------
    >>> from skmtlx.datasets import make_confounded_multitask
    >>> X, Y = make_confounded_multitask(500, confounding=0.9, random_state=0)
    >>> X.shape, Y.shape
    ((500, 10), (500, 2))
    >>> X_s, Y_s = make_confounded_multitask(500, confounding=[0.9, 0.1], random_state=1)
    >>> bool((Y[:, 0] == Y[:, 1]).mean() > 0.7), bool((Y_s[:, 0] == Y_s[:, 1]).mean() < 0.3)
    (True, True)
    """
    confounding = _per_task(confounding, n_tasks, "confounding")
    class_sep = _per_task(class_sep, n_tasks, "class_sep")
    if np.any((confounding < 0) | (confounding > 1)):
        raise ValueError(f"confounding must lie in [0, 1], got {confounding}.")
    if np.any(class_sep < 0):
        raise ValueError(f"class_sep must be non-negative, got {class_sep}.")

    mechanism_rng = check_random_state(mechanism_random_state)
    directions = mechanism_rng.normal(size=(n_tasks, n_features))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)

    rng = check_random_state(random_state)
    u = rng.randint(2, size=n_samples)
    copies = rng.uniform(size=(n_samples, n_tasks)) < confounding
    Y = np.where(copies, u[:, None], 1 - u[:, None]).astype(np.int64)
    signs = 2.0 * Y - 1.0
    X = (signs * class_sep) @ directions + noise * rng.normal(size=(n_samples, n_features))
    if return_confounder:
        return X, Y, u
    return X, Y


def _per_task(value, n_tasks, name):
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(n_tasks, float(array))
    if array.shape != (n_tasks,):
        raise ValueError(
            f"{name} must be a float or have one value per task (n_tasks={n_tasks}), "
            f"got shape {array.shape}."
        )
    return array
