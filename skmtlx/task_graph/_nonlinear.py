"""Nonlinear options, trained with skorch through the one training path.

``model="mlp"``: a shared MLP trunk with graph-regularised linear task heads.
The trunk and one linear head per task are trained on the squared error plus
``rho/2 sum_(ij in candidates) ||theta_i - theta_j||^2`` on the head
parameters. The graph is then learned on the trunk's features with the exact
linear bilevel machinery, and the heads are refitted in closed form.

``model="task_mlp"``: one MLP per task. The graph is learned with the exact
linear bilevel machinery on the input features; then every task's network is
trained on the squared error plus ``rho/2 sum_(ij) e_ij ||theta_i - theta_j||^2``
over *all* its parameters, with the learned edge weights ``e_ij``. All task
networks start from the same initial parameters, so that parameter
differences compare like with like (hidden units are not permuted between
tasks) and an edge pulls two networks towards the same function.
"""

from functools import partial

import numpy as np
import torch
from torch import nn

from .._torch import MultiHeadMLP, make_mlp, predict_module, train_module
from ._candidates import complete_edges

__all__ = ["fit_trunk", "trunk_features", "fit_task_networks", "predict_task_networks"]


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
    """Half mean squared error plus ``rho/2 sum_ij e_ij ||theta_i - theta_j||^2 / T``.

    ``params()`` returns the per-task parameters ``theta`` (n_tasks, n_params) of the
    module being trained (a callable, so the module is not registered as a
    sub-module; set once the module is built); ``weights`` are the edge weights
    ``e_ij`` (None: all 1).
    """

    def __init__(self, params, edges, rho, n_tasks, weights=None):
        super().__init__()
        self.params = params
        self.register_buffer("edges", torch.as_tensor(edges, dtype=torch.long).reshape(-1, 2))
        self.register_buffer(
            "weights", None if weights is None else torch.as_tensor(weights, dtype=torch.float32))
        self.rho = rho
        self.n_tasks = n_tasks

    def forward(self, y_pred, y_true):
        mse = torch.mean((y_pred - y_true.reshape(y_pred.shape)) ** 2)
        theta = self.params()
        diff = theta[self.edges[:, 0]] - theta[self.edges[:, 1]]
        if self.weights is None:
            squared = torch.sum(diff**2)
        else:
            squared = torch.sum(self.weights * torch.sum(diff**2, dim=1))
        graph = 0.5 * self.rho * squared / max(self.n_tasks, 1)
        return {"loss": 0.5 * mse + graph, "graph": graph}


def _train_graph_regularised(config, build_module, params, X, y, task_index, rho, edges,
                             weights=None):
    """Train ``build_module()`` (task index appended to ``X``) under ``_GraphMSE``.

    ``params(module)`` gives the per-task parameters the penalty compares.
    """
    T = int(task_index.max()) + 1
    Xt = np.hstack([X, task_index[:, None]]).astype(np.float32)
    criterion = _GraphMSE(None, edges, rho, T, weights)

    def build():  # called by train_module under the fit's seed
        module = build_module()
        criterion.params = partial(params, module)
        return module

    net = train_module(config, build, criterion, Xt, y.astype(np.float32), loss_terms=("graph",))
    return net.module_


def fit_trunk(config, Z, y, task_index, *, hidden_layer_sizes, rho, fit_intercept):
    """Train the trunk on centred features ``Z`` (intercept column last) and return it.

    Parameters
    ----------
    config : TrainingConfig
        How to train (``lr``, ``max_epochs``, ``batch_size``, seed, device, ...).
    Z : ndarray of shape (n_samples, n_features + fit_intercept)
    y : ndarray of shape (n_samples,)
    task_index : ndarray of shape (n_samples,) of int
    hidden_layer_sizes : tuple of int
    rho : float
        Weight of the graph penalty between the task heads.
    fit_intercept : bool
        Whether ``Z`` ends with an intercept column (left out of the trunk).
    """
    X = Z[:, :-1] if fit_intercept else Z
    T = int(task_index.max()) + 1
    edges = complete_edges(T) if T <= 50 else np.zeros((0, 2), int)
    module = _train_graph_regularised(
        config, partial(_TaskRouted, X.shape[1], hidden_layer_sizes, T),
        _TaskRouted.head_params, X, y, task_index, rho, edges,
    )
    return module.body.trunk


def trunk_features(trunk, Z):
    """Trunk outputs on ``Z`` (intercept column appended when present in ``Z``)."""
    n_in = trunk[0].in_features
    H = predict_module(trunk, Z[:, :n_in])
    if Z.shape[1] > n_in:
        H = np.hstack([H, np.ones((len(Z), 1))])
    return H


class _TaskMLPs(nn.Module):
    """One MLP per task, stored as stacked parameters; the last input column is the task.

    Built from one :func:`~skmtlx._torch.make_mlp` network whose initial
    parameters are copied to every task. Layer ``k`` of task ``t`` computes
    ``h @ weights[k][t].T + biases[k][t]``, followed by a ReLU except at the end.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_tasks):
        super().__init__()
        template = make_mlp(n_features, hidden_layer_sizes, 1)
        linears = [layer for layer in template if isinstance(layer, nn.Linear)]
        self.weights = nn.ParameterList(
            nn.Parameter(lin.weight.detach()[None].repeat(n_tasks, 1, 1)) for lin in linears)
        self.biases = nn.ParameterList(
            nn.Parameter(lin.bias.detach()[None].repeat(n_tasks, 1)) for lin in linears)

    def flat_params(self):
        """All parameters of each task's network, shape (n_tasks, n_params)."""
        T = self.weights[0].shape[0]
        return torch.cat([p.reshape(T, -1) for p in list(self.weights) + list(self.biases)],
                         dim=1)

    def forward(self, X):
        task = X[:, -1].long()
        h = X[:, :-1]
        n_layers = len(self.weights)
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.einsum("bi,boi->bo", h, W[task]) + b[task]
            if k < n_layers - 1:
                h = torch.relu(h)
        return h[:, 0]


def fit_task_networks(config, X, y, task_index, edges, weights, *, hidden_layer_sizes, rho):
    """Train one graph-regularised MLP per task on centred ``X``, ``y``; return the module.

    Parameters
    ----------
    config : TrainingConfig
        How to train (``lr``, ``max_epochs``, ``batch_size``, seed, device, ...).
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    task_index : ndarray of shape (n_samples,) of int
    edges : ndarray of shape (n_edges, 2)
        Edges of the learned graph (task indices).
    weights : ndarray of shape (n_edges,)
        Their learned weights.
    hidden_layer_sizes : tuple of int
    rho : float
        Weight of the graph penalty between the task networks.
    """
    T = int(task_index.max()) + 1
    return _train_graph_regularised(
        config, partial(_TaskMLPs, X.shape[1], hidden_layer_sizes, T),
        _TaskMLPs.flat_params, X, y, task_index, rho, edges, weights,
    )


def predict_task_networks(module, X, task_index):
    """Outputs of each row's task network (float64)."""
    return predict_module(module, np.hstack([X, task_index[:, None]]))
