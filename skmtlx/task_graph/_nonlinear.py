"""Nonlinear option: a shared MLP trunk with graph-regularised linear task heads (skorch).

The trunk and one linear head per task are trained with skorch on the squared
error plus ``rho/2 sum_(ij in candidates) ||theta_i - theta_j||^2`` on the head
parameters. The graph is then learned on the trunk's features with the exact
linear bilevel machinery, and the heads are refitted in closed form.
"""

import numpy as np
import torch
from torch import nn

from .._torch import MultiHeadMLP, make_net, predict_module, torch_seed
from ..utils._validation import check_hidden_layer_sizes, check_random_seed
from ._candidates import complete_edges

__all__ = ["fit_trunk", "trunk_features"]


class _TaskRouted(nn.Module):
    """Wrap :class:`MultiHeadMLP`: the last input column is the task index."""

    def __init__(self, n_features, hidden_layer_sizes, n_tasks):
        super().__init__()
        self.body = MultiHeadMLP(n_features, hidden_layer_sizes, [1] * n_tasks)

    def head_params(self):
        W = torch.cat([h[-1].weight for h in self.body.heads], dim=0)
        b = torch.cat([h[-1].bias for h in self.body.heads], dim=0)
        return torch.cat([W, b[:, None]], dim=1)

    def forward(self, X):
        task = X[:, -1].long()
        out = torch.cat(self.body(X[:, :-1]), dim=1)
        return out.gather(1, task[:, None])[:, 0]


class _GraphMSE(nn.Module):
    """Mean squared error plus the graph penalty on the module's head parameters."""

    def __init__(self, module, edges, rho, n_rows):
        super().__init__()
        self.module = [module]  # a list: not registered as a sub-module
        self.register_buffer("edges", torch.as_tensor(edges, dtype=torch.long))
        self.rho = rho
        self.n_rows = n_rows

    def forward(self, y_pred, y_true):
        mse = torch.mean((y_pred - y_true.reshape(y_pred.shape)) ** 2)
        theta = self.module[0].head_params()
        diff = theta[self.edges[:, 0]] - theta[self.edges[:, 1]]
        graph = 0.5 * self.rho * torch.sum(diff**2) / max(self.n_rows, 1)
        return {"loss": 0.5 * mse + graph, "graph": graph}


def fit_trunk(estimator, Z, y, task_index):
    """Train the trunk on centred features ``Z`` (intercept column last) and return it."""
    X = Z[:, :-1] if estimator.fit_intercept else Z
    T = int(task_index.max()) + 1
    sizes = check_hidden_layer_sizes(estimator.hidden_layer_sizes)
    seed = check_random_seed(estimator.random_state)
    Xt = np.hstack([X, task_index[:, None]]).astype(np.float32)
    edges = complete_edges(T) if T <= 50 else np.zeros((0, 2), int)
    with torch_seed(seed):
        module = _TaskRouted(X.shape[1], sizes, T)
        criterion = _GraphMSE(module, edges, estimator.rho, T)
        net = make_net(module, criterion, lr=estimator.lr, max_epochs=estimator.max_epochs,
                       batch_size=estimator.batch_size, loss_terms=("graph",))
        net.fit(Xt, y.astype(np.float32))
    return net.module_.body.trunk


def trunk_features(trunk, Z):
    """Trunk outputs on ``Z`` (intercept column appended when present in ``Z``)."""
    n_in = trunk[0].in_features
    H = predict_module(trunk, Z[:, :n_in])
    if Z.shape[1] > n_in:
        H = np.hstack([H, np.ones((len(Z), 1))])
    return H
