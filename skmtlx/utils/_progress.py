"""Progress bars of long operations: silent by default, tqdm with an ETA when asked."""

import contextlib
import os
import sys

from tqdm import tqdm

__all__ = ["progress", "native_output"]


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


@contextlib.contextmanager
def native_output(verbose):
    """Let compiled code print to the process's standard output only when ``verbose``.

    Solvers such as HiGHS write to file descriptor 1 directly (its banner
    ignores the solver's own verbosity), which ``sys.stdout`` redirection
    does not catch; this redirects the descriptor to ``os.devnull``.

    Parameters
    ----------
    verbose : bool or int
        Leave the output alone when true.

    Examples
    --------
    >>> from skmtlx.utils._progress import native_output
    >>> with native_output(False):
    ...     _ = os.write(1, b"not shown")
    """
    if verbose:
        yield
        return
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no standard output to silence
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
