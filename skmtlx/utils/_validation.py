"""Validation helpers shared by every skmtlx estimator."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "check_random_seed",
    "check_hidden_layer_sizes",
    "check_fraction_split",
    "mean_and_scale",
    "target_names",
]


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


def mean_and_scale(values):
    """Column means and standard deviations that do not overflow on huge values.

    ``values.std()`` squares the values and overflows to ``inf`` above about
    ``1e154``; here each column is first divided by its largest magnitude, so
    any finite column gives finite statistics. Constant columns get scale 1.

    Parameters
    ----------
    values : array-like of shape (n_samples,) or (n_samples, n_columns)
        Finite numbers.

    Returns
    -------
    mean : ndarray of shape (n_columns,) or float
    scale : ndarray of shape (n_columns,) or float
        Standard deviation (``ddof=0``), 1 where it is zero.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.utils._validation import mean_and_scale
    >>> mean_and_scale(np.array([[1e200], [3e200]]))
    (array([2.e+200]), array([1.e+200]))
    """
    values = np.asarray(values, dtype=np.float64)
    magnitude = np.max(np.abs(values), axis=0) if len(values) else np.zeros(values.shape[1:])
    magnitude = np.where(magnitude > 0, magnitude, 1.0)
    unit = values / magnitude
    mean, scale = unit.mean(axis=0) * magnitude, unit.std(axis=0) * magnitude
    scale = np.where(scale > 0, scale, 1.0)
    return (float(mean), float(scale)) if values.ndim == 1 else (mean, scale)


def target_names(y):
    """The names of the targets of ``y``, if it has some: what fit records to name its outputs.

    A DataFrame names its columns, a Series its one target; names count only
    when they are all strings (a DataFrame built from an array has integer
    column labels, i.e. no names), as for ``feature_names_in_``. Call it on
    ``y`` as given to ``fit``, before validation turns it into an array.

    Parameters
    ----------
    y : array-like, pandas.Series or pandas.DataFrame
        The target(s) given to ``fit``.

    Returns
    -------
    names : ndarray of object of shape (n_targets,), or None
        The column names in ``y``'s order (a Series: its name), None when
        ``y`` has no names (the estimator then uses its default names).

    Raises
    ------
    ValueError
        If two columns have the same name: they would name two outputs alike.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from skmtlx.utils._validation import target_names
    >>> target_names(pd.DataFrame({"price": [1.0, 2.0], "demand": [3.0, 4.0]}))
    array(['price', 'demand'], dtype=object)
    >>> target_names(pd.Series([1.0, 2.0], name="price"))
    array(['price'], dtype=object)
    >>> target_names(np.ones((2, 2))) is None
    True
    """
    if hasattr(y, "columns"):
        names = list(y.columns)
    elif getattr(y, "ndim", None) == 1 and hasattr(y, "name"):
        names = [y.name]
    else:
        return None
    if not names or not all(isinstance(name, str) for name in names):
        return None
    if len(set(names)) != len(names):
        duplicated = sorted({name for name in names if names.count(name) > 1})
        raise ValueError(
            f"y has duplicated column names {duplicated}: each column names one output; "
            "rename them."
        )
    return np.array(names, dtype=object)
