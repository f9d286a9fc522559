"""The per-task-head network that gives ``log p(y_t | x)``, trained with skorch."""

from functools import partial

import numpy as np
import torch
from torch import nn

from .._persistence import PersistenceMixin
from .._surrogate import with_surrogate
from .._torch import MultiHeadMLP, history_records, predict_module, train_module

__all__ = ["SumCrossEntropy", "MultiHeadNetwork", "fit_multihead_network"]


class SumCrossEntropy(nn.Module):
    """Sum over tasks of the mean cross-entropy of each task head.

    ``forward(y_pred, y_true)`` takes the tuple of per-task logits and the
    ``(n_samples, n_tasks)`` integer class codes, and returns the dict
    ``{"loss": sum_t CE_t, "ce_0": CE_0, ...}`` of named loss terms.

    Examples
    --------
    >>> import torch
    >>> from skmtlx.generative._network import SumCrossEntropy
    >>> logits = (torch.zeros(4, 2), torch.zeros(4, 3))
    >>> terms = SumCrossEntropy()(logits, torch.zeros(4, 2, dtype=torch.long))
    >>> round(terms["loss"].item(), 4), sorted(terms)
    (1.7918, ['ce_0', 'ce_1', 'loss'])
    """

    def forward(self, y_pred, y_true):
        terms = {}
        total = 0.0
        for t, logits in enumerate(y_pred):
            ce = nn.functional.cross_entropy(logits, y_true[:, t].long())
            terms[f"ce_{t}"] = ce
            total = total + ce
        terms["loss"] = total
        return terms


class MultiHeadNetwork(PersistenceMixin):
    """A fitted shared-trunk MLP with one softmax head per task.

    Private container returned by :func:`fit_multihead_network`.

    Parameters
    ----------
    net : skmtlx._torch.MultiTermNet
        The fitted net.
    device : str
        Torch device of the predictions.
    """

    def __init__(self, net, device, n_heads):
        self.net_ = net
        self.history_ = history_records(net)
        self.n_iter_ = len(self.history_)
        self.device = device
        self.n_heads_ = n_heads

    def _forward(self, X):
        """Float64 outputs of every head (the surrogate's last, when it has one)."""
        return predict_module(self.net_.module_, X, device=self.device)

    def predict_log_proba(self, X):
        """List of ``(n_samples, n_classes_t)`` float64 log-probabilities."""
        outputs = self._forward(X)[:self.n_heads_]
        return [
            torch.log_softmax(torch.as_tensor(out), dim=1).numpy().astype(np.float64)
            for out in outputs
        ]


def fit_multihead_network(config, X, Y, n_classes, *, hidden_layer_sizes, activation,
                          fidelity_weight=0.0):
    """Train a :class:`MultiHeadNetwork`; a pure function, so it can be cached.

    Parameters
    ----------
    config : TrainingConfig
        How to train.
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    Y : ndarray of shape (n_samples, n_tasks)
        Integer class codes per task.
    n_classes : tuple of int
        Number of classes of each task (the head widths).
    hidden_layer_sizes : tuple of int
        Hidden layers of the shared trunk.
    activation : str
        Hidden-layer non-linearity.
    fidelity_weight : float, default=0.0
        When positive, the network carries a linear surrogate head of its
        logits, trained on the tasks' probabilities with this weight.

    Returns
    -------
    network : MultiHeadNetwork
        The fitted network, with ``net_``, ``history_`` and ``n_iter_``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._torch import TrainingConfig
    >>> from skmtlx.generative._network import fit_multihead_network
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.normal(size=(40, 3)), rng.randint(2, size=(40, 2))
    >>> config = TrainingConfig(max_epochs=2, batch_size=16, seed=0)
    >>> net = fit_multihead_network(config, X, Y, (2, 2), hidden_layer_sizes=(8,),
    ...                             activation="relu")
    >>> [lp.shape for lp in net.predict_log_proba(X)]
    [(40, 2), (40, 2)]
    """
    sizes = [int(k) for k in n_classes]
    module = partial(MultiHeadMLP, X.shape[1], tuple(hidden_layer_sizes), sizes, activation)
    module, criterion = with_surrogate(module, SumCrossEntropy(), fidelity_weight,
                                       ["softmax"] * len(sizes), sizes, X.shape[1])
    net = train_module(
        config, module, criterion, X, np.asarray(Y, dtype=np.int64),
        loss_terms=[f"ce_{t}" for t in range(len(sizes))]
        + (["fidelity"] if fidelity_weight else []),
    )
    return MultiHeadNetwork(net, config.device, len(sizes))
