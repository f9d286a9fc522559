"""Independent jobs through joblib, so that any joblib backend (loky, dask) runs them."""

from joblib import Parallel, delayed

from ._progress import progress

__all__ = ["parallel_map"]


def parallel_map(function, arguments, *, n_jobs=None, verbose=0, desc=None):
    """``[function(*args) for args in arguments]``, computed by ``joblib.Parallel``.

    The jobs run on the active joblib backend: sequentially by default, in
    ``n_jobs`` worker processes, or on a dask cluster inside
    ``joblib.parallel_backend("dask")``. Results come back in order, so they
    do not depend on the backend.

    Parameters
    ----------
    function : callable
        Picklable (a module-level function or a bound method of a picklable object).
    arguments : iterable of tuple
        Positional arguments of every call.
    n_jobs : int or None, default=None
        As in :class:`joblib.Parallel` (``None``: 1 unless a backend context says otherwise).
    verbose : int, default=0
        A progress bar over the finished jobs when positive.
    desc : str or None, default=None
        Label of the progress bar.

    Returns
    -------
    results : list

    Examples
    --------
    >>> from skmtlx.utils._parallel import parallel_map
    >>> parallel_map(divmod, [(7, 2), (9, 4)])
    [(3, 1), (2, 1)]
    """
    arguments = list(arguments)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(function)(*args) for args in arguments
    )
    return list(progress(results, verbose=verbose, total=len(arguments), desc=desc))
