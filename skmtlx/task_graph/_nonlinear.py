"""Nonlinear options, trained with skorch through the one training path.

``model="mlp"``: a shared MLP trunk with graph-regularised linear task heads.
The trunk and one linear head per task are trained on the squared error plus
``rho/2 sum_(ij in candidates) ||theta_i - theta_j||^2`` on the head
parameters. The graph is then learned on the trunk's features with the exact
linear bilevel machinery, and the heads are refitted in closed form.

``model="task_mlp"``: one MLP per task. The graph is learned with the linear
model on the input features; then every task's network is trained on the
squared error plus ``rho/2 sum_(ij) e_ij ||theta_i - theta_j||^2`` over *all*
its parameters, with the learned edge weights ``e_ij``. All task networks
start from the same initial parameters, so that parameter differences compare
like with like (hidden units are not permuted between tasks) and an edge pulls
two networks towards the same function.

With ``fidelity_weight > 0`` both carry a linear surrogate head per task,
trained jointly: the squared error becomes ``(1 - fidelity_weight) * mse +
fidelity_weight * mean((g_t(x) - f_t(x))^2)`` (:class:`~skmtlx._surrogate.
FidelityCriterion`), the graph term staying as it is.
"""

from functools import partial

import numpy as np
import torch
from torch import nn

from .._surrogate import FidelityCriterion, PredictionLoss, SurrogateHead
from .._torch import make_mlp, predict_module, train_module
from ._candidates import complete_edges

__all__ = ["fit_trunk", "trunk_features", "fit_task_networks", "predict_task_networks"]


class _TaskRouted(nn.Module):
    """An MLP trunk and one linear head per task; the last input column is the task index.

    The heads are the rows of one ``nn.Linear(width, n_tasks)``, the last
    layer of a :func:`~skmtlx._torch.make_mlp` network (one matrix product for
    every task). Returns the output of each row's task head, shape (n, 1);
    with ``surrogate=True`` the network carries a linear surrogate head per
    task (:class:`~skmtlx._surrogate.SurrogateHead`) and returns ``(f, g)`` of
    each row's task.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_tasks, surrogate=False):
        super().__init__()
        network = make_mlp(n_features, hidden_layer_sizes, n_tasks)
        self.body = SurrogateHead(network, n_tasks, n_features) if surrogate else network

    def network(self):
        """The trained ``nn.Sequential``: the trunk, then the task heads."""
        return self.body.black_box() if isinstance(self.body, SurrogateHead) else self.body

    def head_params(self):
        heads = (self.body.model if isinstance(self.body, SurrogateHead) else self.body)[-1]
        return torch.cat([heads.weight, heads.bias[:, None]], dim=1)

    def forward(self, X):
        task = X[:, -1].long()[:, None]
        out = self.body(X[:, :-1])
        if isinstance(self.body, SurrogateHead):
            return out[0].gather(1, task), out[1].gather(1, task)
        return out.gather(1, task)


class _GraphPenalty(nn.Module):
    """Half the data loss plus ``rho/2 sum_ij e_ij ||theta_i - theta_j||^2 / T``.

    The data loss is ``criterion``'s ``"loss"`` (the mean squared error, or
    with a surrogate head ``(1 - w) * mse + w * fidelity``), halved as in the
    closed-form inner problem so that ``rho`` means the same in both.
    ``params()`` returns the per-task parameters ``theta`` (n_tasks, n_params)
    of the module being trained (a callable, so the module is not registered
    as a sub-module; set once the module is built); ``weights`` are the edge
    weights ``e_ij`` (None: all 1).
    """

    def __init__(self, criterion, params, edges, rho, n_tasks, weights=None):
        super().__init__()
        self.criterion = criterion
        self.params = params
        self.register_buffer("edges", torch.as_tensor(edges, dtype=torch.long).reshape(-1, 2))
        self.register_buffer(
            "weights", None if weights is None else torch.as_tensor(weights, dtype=torch.float32))
        self.rho = rho
        self.n_tasks = n_tasks

    def forward(self, y_pred, y_true):
        terms = self.criterion(y_pred, y_true)
        theta = self.params()
        diff = theta[self.edges[:, 0]] - theta[self.edges[:, 1]]
        if self.weights is None:
            squared = torch.sum(diff**2)
        else:
            squared = torch.sum(self.weights * torch.sum(diff**2, dim=1))
        graph = 0.5 * self.rho * squared / max(self.n_tasks, 1)
        return {**terms, "loss": 0.5 * terms["loss"] + graph, "graph": graph}


def _train_graph_regularised(config, build_module, params, X, y, task_index, rho, edges,
                             weights=None, fidelity_weight=0.0):
    """Train ``build_module()`` (task index appended to ``X``) under ``_GraphPenalty``.

    ``params(module)`` gives the per-task parameters the penalty compares;
    ``fidelity_weight > 0``: the module returns ``(f, g)`` and the fidelity
    term trains ``g``.
    """
    T = int(task_index.max()) + 1
    Xt = np.hstack([X, task_index[:, None]]).astype(np.float32)
    data_loss = PredictionLoss("squared_error")
    terms = ("graph", "prediction_loss")
    if fidelity_weight > 0:
        data_loss = FidelityCriterion(data_loss, fidelity_weight, ["identity"], multi_head=False)
        terms += ("fidelity",)
    criterion = _GraphPenalty(data_loss, None, edges, rho, T, weights)

    def build():  # called by train_module under the fit's seed
        module = build_module()
        criterion.params = partial(params, module)
        return module

    net = train_module(config, build, criterion, Xt, y.astype(np.float32)[:, None],
                       loss_terms=terms)
    return net.module_


def fit_trunk(config, Z, y, task_index, *, hidden_layer_sizes, rho, fit_intercept,
              fidelity_weight=0.0):
    """Train the trunk on the standardised features ``Z`` (intercept column last); return it.

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
    fidelity_weight : float, default=0.0
        Weight of the fidelity term of per-task linear surrogate heads
        trained with the trunk (0: no surrogate head).
    """
    X = Z[:, :-1] if fit_intercept else Z
    T = int(task_index.max()) + 1
    edges = complete_edges(T) if T <= 50 else np.zeros((0, 2), int)
    module = _train_graph_regularised(
        config, partial(_TaskRouted, X.shape[1], hidden_layer_sizes, T, fidelity_weight > 0),
        _TaskRouted.head_params, X, y, task_index, rho, edges,
        fidelity_weight=fidelity_weight,
    )
    return module.network()[:-1]


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
    Returns each row's output, shape (n, 1); with ``surrogate=True`` also a
    linear surrogate head per task, ``g_t(x) = surrogate_weight[t] @ x +
    surrogate_bias[t]`` (the same start for every task), as ``(f, g)``.
    """

    def __init__(self, n_features, hidden_layer_sizes, n_tasks, surrogate=False):
        super().__init__()
        template = make_mlp(n_features, hidden_layer_sizes, 1)
        linears = [layer for layer in template if isinstance(layer, nn.Linear)]
        self.weights = nn.ParameterList(
            nn.Parameter(lin.weight.detach()[None].repeat(n_tasks, 1, 1)) for lin in linears)
        self.biases = nn.ParameterList(
            nn.Parameter(lin.bias.detach()[None].repeat(n_tasks, 1)) for lin in linears)
        self.surrogate_weight = self.surrogate_bias = None
        if surrogate:  # drawn after the networks: their start does not change
            head = nn.Linear(n_features, 1)
            self.surrogate_weight = nn.Parameter(head.weight.detach().repeat(n_tasks, 1))
            self.surrogate_bias = nn.Parameter(head.bias.detach().repeat(n_tasks))

    def flat_params(self):
        """All parameters of each task's network, shape (n_tasks, n_params)."""
        T = self.weights[0].shape[0]
        return torch.cat([p.reshape(T, -1) for p in list(self.weights) + list(self.biases)],
                         dim=1)

    def forward(self, X):
        task = X[:, -1].long()
        x = h = X[:, :-1]
        n_layers = len(self.weights)
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.einsum("bi,boi->bo", h, W[task]) + b[task]
            if k < n_layers - 1:
                h = torch.relu(h)
        if self.surrogate_weight is None:
            return h
        g = torch.sum(x * self.surrogate_weight[task], dim=1) + self.surrogate_bias[task]
        return h, g[:, None]


def fit_task_networks(config, X, y, task_index, edges, weights, *, hidden_layer_sizes, rho,
                      fidelity_weight=0.0):
    """Train one graph-regularised MLP per task on standardised ``X``, centred ``y``.

    Returns the trained module.

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
    fidelity_weight : float, default=0.0
        Weight of the fidelity term of a linear surrogate head per task
        trained with the networks (0: no surrogate head).
    """
    T = int(task_index.max()) + 1
    return _train_graph_regularised(
        config, partial(_TaskMLPs, X.shape[1], hidden_layer_sizes, T, fidelity_weight > 0),
        _TaskMLPs.flat_params, X, y, task_index, rho, edges, weights,
        fidelity_weight=fidelity_weight,
    )


def predict_task_networks(module, X, task_index):
    """Outputs of each row's task network (float64), shape (n_samples,)."""
    out = predict_module(module, np.hstack([X, task_index[:, None]]))
    return (out[0] if isinstance(out, tuple) else out)[:, 0]
