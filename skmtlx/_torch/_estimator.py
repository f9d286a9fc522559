"""The mixin through which skmtlx estimators train a torch module with skorch."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from ._modules import ACTIVATIONS
from ._net import predict_module
from ._training import TrainingConfig, history_records, train_module

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
    :data:`NEURAL_NET_PARAMETER_CONSTRAINTS`. ``_train_module`` builds the
    :class:`~skmtlx._torch.TrainingConfig` of those parameters, trains with
    :func:`~skmtlx._torch.train_module` and sets the fitted net's attributes
    ``net_``, ``history_`` and ``n_iter_``; ``_forward`` returns float64
    numpy outputs.
    """

    def _train_module(self, build_module, criterion, X, y, *, stratify=None, loss_terms=()):
        """Fit a module built by ``build_module()`` on ``(X, y)`` and return the net.

        Parameters
        ----------
        build_module : callable
            Returns the initialised module; called under the fit's seed.
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
        config = TrainingConfig.from_estimator(
            self, batch_size=effective_batch_size(self.batch_size, len(X)))
        net = train_module(
            config, build_module, criterion, X, y, stratify=stratify, loss_terms=loss_terms,
        )
        self.net_ = net
        self.history_ = history_records(net)
        self.n_iter_ = len(self.history_)
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
