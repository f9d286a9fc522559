"""Torch modules shared by the skmtlx estimators."""

import math

from torch import nn

__all__ = ["ACTIVATIONS", "make_mlp", "MultiHeadMLP", "log_cosh"]

_LOG_2 = math.log(2.0)

ACTIVATIONS = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "logistic": nn.Sigmoid,
    "gelu": nn.GELU,
    "identity": nn.Identity,
}


def make_mlp(n_inputs, hidden_layer_sizes, n_outputs=None, activation="relu"):
    """Build a multi-layer perceptron.

    Parameters
    ----------
    n_inputs : int
        Number of input features.
    hidden_layer_sizes : tuple of int
        Width of each hidden layer; each is followed by ``activation``.
    n_outputs : int or None, default=None
        Width of a final linear layer without activation. ``None`` ends the
        network on the last hidden activation (a trunk).
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity.

    Returns
    -------
    mlp : torch.nn.Sequential

    Examples
    --------
    >>> from skmtlx._torch import make_mlp
    >>> make_mlp(8, (16,), 1)
    Sequential(
      (0): Linear(in_features=8, out_features=16, bias=True)
      (1): ReLU()
      (2): Linear(in_features=16, out_features=1, bias=True)
    )
    """
    layers = []
    width = n_inputs
    for size in hidden_layer_sizes:
        layers += [nn.Linear(width, size), ACTIVATIONS[activation]()]
        width = size
    if n_outputs is not None:
        layers.append(nn.Linear(width, n_outputs))
    return nn.Sequential(*layers)


class MultiHeadMLP(nn.Module):
    """A shared MLP trunk with one linear (or small MLP) head per task.

    ``forward`` returns a tuple with one output tensor per head.

    Parameters
    ----------
    n_features : int
        Number of input features.
    hidden_layer_sizes : tuple of int
        Hidden layers of the shared trunk.
    head_sizes : sequence of int
        Output width of each head (1 for a regression or binary task,
        ``n_classes`` for a multiclass task).
    activation : str, default="relu"
        Non-linearity of the trunk and head hidden layers.
    head_hidden_layer_sizes : tuple of int, default=()
        Hidden layers inside each head.

    Examples
    --------
    >>> import torch
    >>> from skmtlx._torch import MultiHeadMLP
    >>> outputs = MultiHeadMLP(4, (16,), [1, 3])(torch.zeros(2, 4))
    >>> [tuple(o.shape) for o in outputs]
    [(2, 1), (2, 3)]
    """

    def __init__(
        self,
        n_features,
        hidden_layer_sizes,
        head_sizes,
        activation="relu",
        head_hidden_layer_sizes=(),
    ):
        super().__init__()
        self.trunk = make_mlp(n_features, hidden_layer_sizes, None, activation)
        width = hidden_layer_sizes[-1] if hidden_layer_sizes else n_features
        self.heads = nn.ModuleList(
            make_mlp(width, head_hidden_layer_sizes, size, activation) for size in head_sizes
        )

    def forward(self, X):
        shared = self.trunk(X)
        return tuple(head(shared) for head in self.heads)


def log_cosh(residual):
    """Numerically stable ``log(cosh(residual))``, elementwise."""
    return residual + nn.functional.softplus(-2.0 * residual) - _LOG_2
