"""Progress bars of long operations: silent by default, tqdm with an ETA when asked."""

from tqdm import tqdm

__all__ = ["progress"]


def progress(iterable=None, *, verbose=0, total=None, desc=None):
    """Iterate over ``iterable``, with a progress bar on stderr when ``verbose > 0``.

    Parameters
    ----------
    iterable : iterable or None, default=None
        The steps of the operation; None for a bar advanced by ``update(n)``.
    verbose : int, default=0
        0: silent; positive: a tqdm bar (steps done, rate and ETA).
    total : int or None, default=None
        Number of steps, when ``iterable`` has no ``len``.
    desc : str or None, default=None
        Label of the bar.

    Returns
    -------
    bar : tqdm.tqdm
        Yields the items of ``iterable``; ``bar.update(n)`` and ``bar.close()``
        drive a bar without one.

    Examples
    --------
    >>> from skmtlx.utils._progress import progress
    >>> sum(progress(range(4), verbose=0))
    6
    """
    return tqdm(iterable, total=total, desc=desc, disable=not verbose, leave=False,
                dynamic_ncols=True)
