"""The two-headed module of the fidelity MTL: black box ``f`` and surrogate ``g``."""

from torch import nn

from .._torch import make_mlp

__all__ = ["FidelityNetwork"]


class FidelityNetwork(nn.Module):
    """Black-box MLP ``f`` and a surrogate linear in its basis, on one input matrix.

    The input holds side by side the columns ``f`` reads (the features and
    their numerical embedding) and those ``g`` reads (its basis ``z(x)``;
    for the linear surrogate, the features themselves). ``forward`` returns
    the raw outputs ``(f(X), g(X))``.

    Parameters
    ----------
    black_box_columns : slice
        Input columns of ``f``.
    surrogate_columns : slice
        Input columns of ``g``.
    n_outputs : int
        Outputs of both heads.
    hidden_layer_sizes : tuple of int
        Hidden layers of ``f``.
    activation : str, default="relu"
        Hidden-layer non-linearity of ``f``.

    Examples
    --------
    >>> import torch
    >>> from skmtlx.fidelity._network import FidelityNetwork
    >>> net = FidelityNetwork(slice(0, 5), slice(0, 3), 1, (8,))
    >>> [tuple(out.shape) for out in net(torch.zeros(4, 5))]
    [(4, 1), (4, 1)]
    """

    def __init__(self, black_box_columns, surrogate_columns, n_outputs, hidden_layer_sizes,
                 activation="relu"):
        super().__init__()
        self.black_box_columns = black_box_columns
        self.surrogate_columns = surrogate_columns
        n_black_box = black_box_columns.stop - black_box_columns.start
        n_surrogate = surrogate_columns.stop - surrogate_columns.start
        self.black_box = make_mlp(n_black_box, hidden_layer_sizes, n_outputs, activation)
        self.surrogate = nn.Linear(n_surrogate, n_outputs)

    def forward(self, X):
        return (self.black_box(X[:, self.black_box_columns]),
                self.surrogate(X[:, self.surrogate_columns]))
