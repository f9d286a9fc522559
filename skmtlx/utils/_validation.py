"""Validation helpers shared by every skmtlx estimator."""

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, validate_data

__all__ = [
    "validate_features",
    "check_features",
    "to_dense",
    "check_random_seed",
    "check_hidden_layer_sizes",
    "check_fraction_split",
    "mean_and_scale",
    "target_names",
]


SPARSE_FORMAT = "csr"
"""What every scipy sparse input (matrix or array, any format and index dtype) is converted to
before its values are checked: CSR has a ``data`` array holding every stored value, so NaN and
infinity are found (DOK and LIL have none), and COO duplicates are summed."""


def to_dense(X):
    """``X`` as a dense ndarray if it is a scipy sparse matrix or array, else ``X`` unchanged.

    The networks read dense rows, so a sparse input costs the memory of its
    dense copy, as if it had been built dense (e.g. ``OneHotEncoder(sparse_output=False)``).
    The copy is C-ordered whatever the layout (CSC's own ``toarray`` is
    column-major), so that the fit computes what it computes on ``np.asarray``
    of the same values, to the last bit.

    Parameters
    ----------
    X : sparse matrix, sparse array or any other input

    Returns
    -------
    X : ndarray or the input unchanged

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from skmtlx.utils._validation import to_dense
    >>> to_dense(sp.csr_array([[0.0, 2.0], [1.0, 0.0]]))
    array([[0., 2.],
           [1., 0.]])
    """
    return X.toarray(order="C") if sp.issparse(X) else X


def validate_features(estimator, X, y="no_validation", *, reset=True, **check_params):
    """scikit-learn's ``validate_data`` with sparse ``X`` accepted and returned dense.

    The one place where every skmtlx estimator validates its features: any
    scipy sparse format is accepted (converted to CSR, its stored values
    checked like a dense array's), then densified once (:func:`to_dense`);
    everything else (feature names, ``n_features_in_``, dtypes, error
    messages) is ``validate_data``'s.

    Parameters
    ----------
    estimator : estimator instance
        The estimator validating (records or checks ``n_features_in_`` and
        ``feature_names_in_``).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features.
    y : array-like, None or "no_validation", default="no_validation"
        Targets, validated with ``X`` unless None or "no_validation".
    reset : bool, default=True
        True in ``fit``, False in the methods of a fitted estimator.
    **check_params : dict
        Passed to ``validate_data`` (``dtype``, ``ensure_min_samples``,
        ``multi_output``, ``skip_check_array``, ...).

    Returns
    -------
    X : ndarray, or the input when ``skip_check_array=True`` and it is not sparse
    y : ndarray
        Only when ``y`` is validated.

    Examples
    --------
    >>> import numpy as np
    >>> import scipy.sparse as sp
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.utils._validation import validate_features
    >>> X, y = validate_features(Ridge(), sp.csc_matrix(np.eye(3)), [1.0, 2.0, 3.0])
    >>> type(X).__name__, X.shape
    ('ndarray', (3, 3))
    """
    validated = validate_data(estimator, X, y, reset=reset, accept_sparse=SPARSE_FORMAT,
                              **check_params)
    if y is None or (isinstance(y, str) and y == "no_validation"):
        return to_dense(validated)
    X, y = validated
    return to_dense(X), y


def check_features(X, **check_params):
    """``check_array`` with sparse ``X`` accepted and returned dense, where no estimator validates.

    The features given to a metric: the same accepted inputs as
    :func:`validate_features`.

    Parameters
    ----------
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The features.
    **check_params : dict
        Passed to ``check_array`` (e.g. ``dtype``).

    Returns
    -------
    X : ndarray

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> from skmtlx.utils._validation import check_features
    >>> check_features(sp.coo_array(([1.0, 2.0], ([0, 0], [1, 1])), shape=(2, 2)))
    array([[0., 3.],
           [0., 0.]])
    """
    return to_dense(check_array(X, accept_sparse=SPARSE_FORMAT, **check_params))


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
