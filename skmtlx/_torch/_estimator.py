"""The mixin through which skmtlx estimators train a torch module with skorch."""

from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils._validation import check_fraction_split, check_random_seed
from ._modules import ACTIVATIONS
from ._net import make_net, predict_module, torch_seed

__all__ = ["NeuralNetMixin", "NEURAL_NET_PARAMETER_CONSTRAINTS"]

NEURAL_NET_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "tol": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "device": [str],
    "verbose": ["verbose"],
}
"""Constraints of the training parameters every neural skmtlx estimator shares."""


class NeuralNetMixin:
    """Train a torch module with skorch from inside an estimator's ``fit``.

    The estimator must define the parameters listed in
    :data:`NEURAL_NET_PARAMETER_CONSTRAINTS`. ``_train_module`` seeds torch
    from ``random_state``, holds out a seeded validation split when
    ``early_stopping`` is on, trains, and sets ``net_``, ``history_`` and
    ``n_iter_``; ``_forward`` returns float64 numpy outputs.
    """

    def _train_module(self, build_module, criterion, X, y, *, stratify=None, loss_terms=()):
        """Fit a module built by ``build_module()`` on ``(X, y)`` and return the net.

        Parameters
        ----------
        build_module : callable
            Returns the initialised module; called under the seed.
        criterion : torch.nn.Module
            Returns a loss or a dict of terms from ``(y_pred, y_true)``
            (see :class:`~skmtlx._torch.MultiTermNet`).
        X : ndarray of shape (n_samples, n_features)
            Training inputs (converted to float32).
        y : ndarray
            Training targets, already in the dtype the criterion expects.
        stratify : ndarray or None, default=None
            Labels to stratify the validation split on, when possible.
        loss_terms : sequence of str, default=()
            Extra terms returned by the criterion, recorded in ``history_``.
        """
        seed = check_random_seed(self.random_state)
        X = np.asarray(X, dtype=np.float32)
        valid_data = None
        if self.early_stopping:
            n_valid = check_fraction_split(len(X), self.validation_fraction)
            X, X_valid, y, y_valid = _seeded_split(X, y, n_valid, seed, stratify)
            valid_data = (X_valid, y_valid)
        with torch_seed(seed, self.device):
            net = make_net(
                build_module(),
                criterion,
                lr=self.lr,
                max_epochs=self.max_epochs,
                batch_size=effective_batch_size(self.batch_size, len(X)),
                weight_decay=self.weight_decay,
                valid_data=valid_data,
                n_iter_no_change=self.n_iter_no_change,
                tol=self.tol,
                loss_terms=loss_terms,
                device=self.device,
                verbose=self.verbose,
            )
            net.fit(X, y)
        self.net_ = net
        self.n_iter_ = len(net.history)
        self.history_ = _history_records(net.history, loss_terms, valid_data is not None)
        return net

    def _forward(self, X):
        """Float64 numpy outputs of the trained module on ``X``."""
        return predict_module(self.net_.module_, X, device=self.device)


def effective_batch_size(batch_size, n_samples):
    """``batch_size``, or for ``"auto"`` ``n_samples // 64`` clipped to [32, 256].

    Small tables then still get many optimiser steps per epoch, large ones
    train fast.

    Examples
    --------
    >>> from skmtlx._torch._estimator import effective_batch_size
    >>> effective_batch_size("auto", 1000), effective_batch_size("auto", 30000)
    (32, 256)
    """
    if batch_size == "auto":
        return int(min(256, max(32, n_samples // 64)))
    return batch_size


def _seeded_split(X, y, n_valid, seed, stratify):
    try:
        return train_test_split(X, y, test_size=n_valid, random_state=seed, stratify=stratify)
    except ValueError:  # a class too rare to stratify on
        return train_test_split(X, y, test_size=n_valid, random_state=seed)


def _history_records(history, loss_terms, has_valid):
    keys = ["epoch", "train_loss"] + [f"train_{term}" for term in loss_terms]
    if has_valid:
        keys += ["valid_loss"] + [f"valid_{term}" for term in loss_terms]
    keys.append("dur")
    return [{key: row[key] for key in keys if key in row} for row in history]
