"""Model choice by the one-standard-error rule, shared by the task graph and grouping."""

import numpy as np

__all__ = ["one_standard_error_rule"]


def one_standard_error_rule(losses, complexity):
    """Simplest candidate whose mean loss is within one standard error of the lowest.

    Parameters
    ----------
    losses : array-like of shape (n_candidates, n_units)
        Loss of every candidate on the same units (held-out rows, tasks). The
        standard error is that of each candidate's paired per-unit differences
        with the candidate of lowest mean loss.
    complexity : array-like of shape (n_candidates,)
        Lower is simpler (edges kept, number of groups); among the simplest
        candidates within one standard error the lowest mean loss wins.

    Returns
    -------
    index : int
        The chosen candidate.
    lowest : int
        The candidate with the lowest mean loss (the first one on ties).
    mean : ndarray of shape (n_candidates,)
        Mean loss of each candidate.
    std_err : ndarray of shape (n_candidates,)
        Standard error of each candidate's difference with ``lowest`` (zeros
        with a single unit).

    Examples
    --------
    >>> from skmtlx.utils._selection import one_standard_error_rule
    >>> losses = [[1.0, 1.2, 0.8], [1.2, 1.0, 0.9], [3.0, 2.0, 2.5]]
    >>> one_standard_error_rule(losses, complexity=[3, 1, 0])[:2]
    (1, 0)
    """
    losses = np.asarray(losses, dtype=float)
    mean = losses.mean(axis=1)
    lowest = int(np.argmin(mean))
    n_units = losses.shape[1]
    std_err = np.zeros(len(mean))
    if n_units > 1:
        std_err = (losses - losses[lowest]).std(axis=1, ddof=1) / np.sqrt(n_units)
    complexity = np.asarray(complexity)
    within = np.flatnonzero(mean <= mean[lowest] + std_err)
    index = min(within, key=lambda c: (complexity[c], mean[c]))
    return int(index), lowest, mean, std_err
