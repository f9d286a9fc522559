"""Validation helpers shared by every skmtlx estimator."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["check_random_seed", "check_hidden_layer_sizes", "check_fraction_split"]


def check_random_seed(random_state):
    """Draw a reproducible integer seed from ``random_state``.

    Parameters
    ----------
    random_state : int, RandomState instance or None
        Anything :func:`sklearn.utils.check_random_state` accepts.

    Returns
    -------
    seed : int
        A seed in ``[0, 2**31 - 1)`` for torch and numpy.

    Examples
    --------
    >>> from skmtlx.utils._validation import check_random_seed
    >>> check_random_seed(0) == check_random_seed(0)
    True
    """
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_hidden_layer_sizes(hidden_layer_sizes, name="hidden_layer_sizes"):
    """Return ``hidden_layer_sizes`` as a tuple of positive integers.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int
        Widths of the hidden layers; an empty sequence means no hidden layer.
    name : str, default="hidden_layer_sizes"
        Parameter name used in the error message.

    Returns
    -------
    sizes : tuple of int

    Examples
    --------
    >>> from skmtlx.utils._validation import check_hidden_layer_sizes
    >>> check_hidden_layer_sizes([64, 32])
    (64, 32)
    """
    if isinstance(hidden_layer_sizes, Integral):
        hidden_layer_sizes = (hidden_layer_sizes,)
    try:
        sizes = tuple(hidden_layer_sizes)
    except TypeError:
        raise ValueError(
            f"{name} must be an int or a sequence of positive ints, "
            f"got {hidden_layer_sizes!r}."
        ) from None
    if not all(isinstance(s, Integral) and not isinstance(s, bool) and s > 0 for s in sizes):
        raise ValueError(f"{name} must contain positive integers only, got {sizes!r}.")
    return tuple(int(s) for s in sizes)


def check_fraction_split(n_samples, fraction, name="validation_fraction"):
    """Number of held-out samples for ``fraction`` of ``n_samples``, checked.

    Parameters
    ----------
    n_samples : int
        Number of samples available.
    fraction : float
        Fraction in ``(0, 1)`` to hold out.
    name : str, default="validation_fraction"
        Parameter name used in the error message.

    Returns
    -------
    n_held_out : int
        At least 1, and at least one sample is left to train on.

    Examples
    --------
    >>> from skmtlx.utils._validation import check_fraction_split
    >>> check_fraction_split(100, 0.1)
    10
    """
    n_held_out = int(np.ceil(fraction * n_samples))
    if n_samples - n_held_out < 1:
        raise ValueError(
            f"{name}={fraction} leaves no sample to train on with n_samples={n_samples}; "
            "use more samples or set early_stopping=False."
        )
    return n_held_out
