"""How many torch intra-op threads a fit uses, and the context that overrides it.

Small tabular networks gain nothing from intra-op threads (a mini-batch is a
few hundred microseconds of work) and lose a lot when the machine is busy:
threads that wait for each other on oversubscribed cores make an epoch tens of
times slower. A fit therefore uses one thread per ``_WORK_PER_THREAD``
multiply-adds of a mini-batch (at least one, at most what the caller has),
and restores the caller's setting afterwards.
"""

import threading
from contextlib import contextmanager
from contextvars import ContextVar
from numbers import Integral

import torch

__all__ = ["training_threads", "thread_policy", "threads_for", "current_thread_override"]

_WORK_PER_THREAD = 10_000_000
"""Multiply-adds of one mini-batch's forward pass that justify one more thread."""

_OVERRIDE = ContextVar("skmtlx_training_threads", default=None)

_LOCK = threading.Lock()
_ACTIVE = 0  # fits running in this process under the policy
_SAVED = None  # the caller's setting, restored when the last fit ends


@contextmanager
def training_threads(n_threads):
    """Set the torch intra-op threads of the fits run inside the block.

    By default a fit chooses its threads from the size of its network (one
    for small networks) and restores the caller's setting afterwards. Inside
    this block every fit uses ``n_threads`` instead (None: the default
    choice). The setting is read when ``fit`` starts, in the thread (or
    context) that calls it; it does not reach joblib worker processes.

    Parameters
    ----------
    n_threads : int or None
        Threads per fit (>= 1), or None.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx import FidelityMTLRegressor, training_threads
    >>> X = np.random.RandomState(0).randn(50, 3)
    >>> with training_threads(2):
    ...     model = FidelityMTLRegressor(max_epochs=2, random_state=0).fit(X, X[:, 0])
    """
    if n_threads is not None and (
        not isinstance(n_threads, Integral) or isinstance(n_threads, bool) or n_threads < 1
    ):
        raise ValueError(f"n_threads must be a positive integer or None, got {n_threads!r}.")
    token = _OVERRIDE.set(None if n_threads is None else int(n_threads))
    try:
        yield
    finally:
        _OVERRIDE.reset(token)


def current_thread_override():
    """The thread count set by :func:`training_threads` here, or None."""
    return _OVERRIDE.get()


def threads_for(module, batch_size, available):
    """Threads worth using for ``module`` on mini-batches of ``batch_size`` rows.

    Examples
    --------
    >>> import torch
    >>> from skmtlx._torch import threads_for
    >>> threads_for(torch.nn.Linear(20, 100), 200, available=8)
    1
    >>> threads_for(torch.nn.Linear(2000, 2000), 256, available=8)
    8
    """
    work = batch_size * sum(p.numel() for p in module.parameters())
    return int(max(1, min(available, work // _WORK_PER_THREAD)))


@contextmanager
def thread_policy(module, batch_size, n_threads=None):
    """Run a fit with its intra-op threads set, then restore the caller's setting.

    Fits running at once in threads share torch's one setting: the caller's
    value is saved by the first and restored by the last to finish.
    """
    global _ACTIVE, _SAVED
    with _LOCK:
        if _ACTIVE == 0:
            _SAVED = torch.get_num_threads()
        _ACTIVE += 1
        wanted = n_threads if n_threads is not None else threads_for(module, batch_size, _SAVED)
        if torch.get_num_threads() != wanted:
            torch.set_num_threads(wanted)
    try:
        yield wanted
    finally:
        with _LOCK:
            _ACTIVE -= 1
            if _ACTIVE == 0 and torch.get_num_threads() != _SAVED:
                torch.set_num_threads(_SAVED)
