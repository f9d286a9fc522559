"""The per-task-head network that gives ``log p(y_t | x)``, trained with skorch."""

import numpy as np
import torch
from torch import nn

from .._persistence import PersistenceMixin
from .._surrogate import with_surrogate
from .._torch import MultiHeadMLP, NeuralNetMixin

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


class MultiHeadNetwork(PersistenceMixin, NeuralNetMixin):
    """A fitted shared-trunk MLP with one softmax head per task.

    Private container built by :func:`fit_multihead_network`; the training
    parameters are those of :data:`~skmtlx._torch.NEURAL_NET_PARAMETER_CONSTRAINTS`,
    plus ``fidelity_weight`` (a linear surrogate head of the logits, trained on
    the tasks' probabilities, when positive).
    """

    def __init__(self, **params):
        for name, value in params.items():
            setattr(self, name, value)

    def fit(self, X, Y, n_classes):
        sizes = [int(k) for k in n_classes]
        n_features = X.shape[1]

        def build_module():
            return MultiHeadMLP(n_features, tuple(self.hidden_layer_sizes), sizes, self.activation)

        fidelity_weight = getattr(self, "fidelity_weight", 0.0)
        build_module, criterion = with_surrogate(
            build_module, SumCrossEntropy(), fidelity_weight, ["softmax"] * len(sizes), sizes,
            n_features,
        )
        self._train_module(
            build_module,
            criterion,
            X,
            np.asarray(Y, dtype=np.int64),
            loss_terms=[f"ce_{t}" for t in range(len(sizes))]
            + (["fidelity"] if fidelity_weight else []),
        )
        self.n_heads_ = len(sizes)
        return self

    def predict_log_proba(self, X):
        """List of ``(n_samples, n_classes_t)`` float64 log-probabilities."""
        outputs = self._forward(X)[:self.n_heads_]
        return [
            torch.log_softmax(torch.as_tensor(out), dim=1).numpy().astype(np.float64)
            for out in outputs
        ]


def fit_multihead_network(params, X, Y, n_classes):
    """Train a :class:`MultiHeadNetwork`; a pure function, so it can be cached.

    Parameters
    ----------
    params : dict
        Training parameters (``hidden_layer_sizes``, ``activation``,
        ``max_epochs``, ... and an integer ``random_state``).
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    Y : ndarray of shape (n_samples, n_tasks)
        Integer class codes per task.
    n_classes : tuple of int
        Number of classes of each task (the head widths).

    Returns
    -------
    network : MultiHeadNetwork
        The fitted network, with ``net_``, ``history_`` and ``n_iter_``.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.generative._network import fit_multihead_network
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.normal(size=(40, 3)), rng.randint(2, size=(40, 2))
    >>> params = dict(hidden_layer_sizes=(8,), activation="relu", max_epochs=2,
    ...               batch_size=16, lr=1e-3, weight_decay=0.0, early_stopping=False,
    ...               validation_fraction=0.1, n_iter_no_change=5, tol=1e-4,
    ...               random_state=0, device="cpu", verbose=0)
    >>> net = fit_multihead_network(params, X, Y, (2, 2))
    >>> [lp.shape for lp in net.predict_log_proba(X)]
    [(40, 2), (40, 2)]
    """
    return MultiHeadNetwork(**params).fit(X, Y, n_classes)
