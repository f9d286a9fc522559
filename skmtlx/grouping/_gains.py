"""Transfer gains between tasks, measured by lookahead steps during joint training.

Two estimators of how much task ``i`` helps task ``j`` are recorded by the
skorch callback :class:`TransferGainRecorder`, on the training batch about to
be used, before the real update (snapshot, lookahead, restore):

``"principled"`` (Wang, Pan & Yu)
    ``S_ij = 1 - L_j(after one optimiser step on {i, j}) / L_j(after one step
    on {j} alone)``: the real optimiser (Adam, with its state) updates every
    parameter, heads included, with the summed losses of the tasks in the
    set. A positive ``S_ij`` means that training ``j`` together with ``i``
    lowers ``j``'s loss more than training ``j`` alone.
``"tag"`` (Fifty et al., "Efficiently Identifying Task Groupings", 2021)
    ``Z_ij = 1 - L_j(theta_s - lr * grad_s L_i) / L_j(theta_s)``: a plain
    gradient step of the shared trunk ``theta_s`` on task ``i``'s loss, heads
    unchanged, with ``lr`` the training learning rate.

In both, row ``i`` is the source task and column ``j`` the target task. The
diagonal of the principled gain is 0 by definition; TAG's diagonal is a
task's affinity with itself. The losses are evaluated on the same batch.
"""

import numpy as np
import torch
from skorch.callbacks import Callback

__all__ = ["MultiTaskLoss", "TransferGainRecorder"]

_EPS = 1e-12


class MultiTaskLoss(torch.nn.Module):
    """Sum of per-task losses of a multi-head module.

    Regression tasks use the mean squared error, binary tasks the logistic
    loss on logits. The module's output is a tuple with one ``(n, 1)`` tensor
    per task and ``y_true`` an ``(n, n_tasks)`` float tensor (binary targets
    coded 0/1). ``forward`` returns a dict with the optimised ``"loss"`` (the
    sum) and one term ``"task<k>"`` per task.

    Parameters
    ----------
    binary : sequence of bool
        Whether each task is binary.

    Examples
    --------
    >>> import torch
    >>> from skmtlx.grouping._gains import MultiTaskLoss
    >>> loss = MultiTaskLoss([False, True])
    >>> out = (torch.zeros(4, 1), torch.zeros(4, 1))
    >>> y = torch.tensor([[1.0, 1.0]] * 4)
    >>> loss.per_task(out, y)
    tensor([1.0000, 0.6931])
    """

    def __init__(self, binary):
        super().__init__()
        self.binary = [bool(b) for b in binary]

    def per_task(self, y_pred, y_true):
        """Tensor of shape ``(n_tasks,)`` with the mean loss of every task."""
        losses = []
        for k, (out, is_binary) in enumerate(zip(y_pred, self.binary)):
            target = y_true[:, k]
            out = out[:, 0]
            if is_binary:
                losses.append(torch.nn.functional.binary_cross_entropy_with_logits(out, target))
            else:
                losses.append(torch.mean((out - target) ** 2))
        return torch.stack(losses)

    def forward(self, y_pred, y_true):
        per_task = self.per_task(y_pred, y_true)
        terms = {f"task{k}": value.detach() for k, value in enumerate(per_task)}
        terms["loss"] = per_task.sum()
        return terms


class _Snapshot:
    """Copies of the parameters and the optimiser state, restorable in place."""

    def __init__(self, params, optimizer):
        self.params = params
        self.optimizer = optimizer
        self.values = [p.detach().clone() for p in params]
        self.state = {}
        for p in params:
            state = optimizer.state.get(p)
            if state:
                self.state[p] = {
                    k: v.clone() if torch.is_tensor(v) else v for k, v in state.items()
                }

    def restore(self):
        with torch.no_grad():
            for p, value in zip(self.params, self.values):
                p.copy_(value)
        for p in self.params:
            saved = self.state.get(p)
            if saved is None:
                self.optimizer.state.pop(p, None)
                continue
            state = self.optimizer.state[p]
            for k, v in saved.items():
                if torch.is_tensor(v) and torch.is_tensor(state.get(k)):
                    state[k].copy_(v)
                else:
                    state[k] = v.clone() if torch.is_tensor(v) else v
            for k in [k for k in state if k not in saved]:
                del state[k]


def _shared_parameters(module):
    trunk = getattr(module, "trunk", None)
    params = list(trunk.parameters()) if trunk is not None else []
    if not params:  # no trunk (or an empty one): every parameter is shared
        params = list(module.parameters())
    return [p for p in params if p.requires_grad]


class TransferGainRecorder(Callback):
    """skorch callback measuring transfer gains between tasks during training.

    Every ``every``-th training batch, before the real update, the module and
    optimiser are snapshotted, lookahead steps are taken and the resulting
    task losses recorded, then everything is restored, so training itself is
    unchanged. Gains are averaged per epoch (``epoch_gains_``) and over the
    whole training (``gains_``).

    Parameters
    ----------
    kind : {"principled", "tag"}, default="principled"
        Which gain to measure (see the module docstring). ``"principled"``
        costs ``n_tasks + n_tasks (n_tasks - 1) / 2`` lookahead steps per
        measured batch, ``"tag"`` costs ``n_tasks``.
    every : int, default=1
        Measure on every ``every``-th training batch.
    lookahead_lr : float or None, default=None
        Step size of the TAG lookahead; None uses the net's ``lr``.

    Attributes
    ----------
    gains_ : ndarray of shape (n_tasks, n_tasks)
        Mean gain over all measured batches; ``gains_[i, j]`` is the transfer
        from task ``i`` to task ``j``.
    epoch_gains_ : list of ndarray of shape (n_tasks, n_tasks)
        Mean gain of each epoch (NaN for an epoch without a measured batch).
    n_measurements_ : int
        Number of measured batches.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch import MultiHeadMLP, TrainingConfig, train_module
    >>> from skmtlx.grouping._gains import MultiTaskLoss, TransferGainRecorder
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(64, 3).astype(np.float32)
    >>> Y = np.c_[X[:, 0], X[:, 0], -X[:, 1]].astype(np.float32)
    >>> recorder = TransferGainRecorder()
    >>> config = TrainingConfig(lr=0.01, max_epochs=2, batch_size=32)
    >>> net = train_module(config, MultiHeadMLP(3, (8,), [1, 1, 1]), MultiTaskLoss([False] * 3),
    ...                    X, Y, callbacks=[("gains", recorder)])
    >>> recorder.gains_.shape, len(recorder.epoch_gains_)
    ((3, 3), 2)
    """

    def __init__(self, kind="principled", every=1, lookahead_lr=None):
        self.kind = kind
        self.every = every
        self.lookahead_lr = lookahead_lr

    def initialize(self):
        self._reset()
        return self

    def _reset(self):
        self._sum = None
        self._count = 0
        self._epoch_sum = None
        self._epoch_count = 0
        self._batch = 0
        self.epoch_gains_ = []
        self.gains_ = None
        self.n_measurements_ = 0

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._reset()

    def on_batch_begin(self, net, batch=None, training=None, **kwargs):
        if not training:
            return
        self._batch += 1
        if (self._batch - 1) % self.every:
            return
        Xb, yb = batch
        Xb = Xb.to(net.device) if torch.is_tensor(Xb) else Xb
        yb = yb.to(net.device)
        if self.kind == "tag":
            gains = self._tag(net, Xb, yb)
        else:
            gains = self._principled(net, Xb, yb)
        if not np.all(np.isfinite(gains)):
            return
        if self._epoch_sum is None:
            self._epoch_sum = np.zeros_like(gains)
        self._epoch_sum += gains
        self._epoch_count += 1

    def on_epoch_end(self, net, **kwargs):
        if self._epoch_count:
            mean = self._epoch_sum / self._epoch_count
            if self._sum is None:
                self._sum = self._epoch_sum.copy()
            else:
                self._sum = self._sum + self._epoch_sum
            self._count += self._epoch_count
        else:
            mean = np.full_like(self._sum, np.nan) if self._sum is not None else None
        if mean is not None:
            self.epoch_gains_.append(mean)
        self._epoch_sum, self._epoch_count = None, 0

    def on_train_end(self, net, **kwargs):
        if self._count:
            self.gains_ = self._sum / self._count
            self.n_measurements_ = self._count

    # ------------------------------------------------------------------
    def _task_losses(self, net, Xb, yb):
        return net.criterion_.per_task(net.module_(Xb), yb)

    def _principled(self, net, Xb, yb):
        module, optimizer = net.module_, net.optimizer_
        names, params = _trainable(module)
        losses = self._task_losses(net, Xb, yb)
        n_tasks = len(losses)
        sets = [[j] for j in range(n_tasks)] + [
            [i, j] for i in range(n_tasks) for j in range(i + 1, n_tasks)
        ]
        if _is_plain_adam(optimizer):
            after = self._adam_lookahead(net, names, params, losses, sets, Xb, yb)
        else:
            after = self._generic_lookahead(net, params, losses, sets, Xb, yb)
        alone = np.array([after[j][j] for j in range(n_tasks)])
        gains = np.zeros((n_tasks, n_tasks))
        for s_index, (i, j) in enumerate(sets[n_tasks:], start=n_tasks):
            gains[i, j] = 1.0 - after[s_index][j] / max(alone[j], _EPS)
            gains[j, i] = 1.0 - after[s_index][i] / max(alone[i], _EPS)
        return gains

    def _generic_lookahead(self, net, params, losses, sets, Xb, yb):
        """Any optimiser: real ``step()`` calls between snapshot and restore."""
        optimizer = net.optimizer_
        n_tasks = len(losses)
        grads = [
            torch.autograd.grad(losses[t], params, retain_graph=True, allow_unused=True)
            for t in range(n_tasks)
        ]
        snapshot = _Snapshot(params, optimizer)
        out = []
        for tasks in sets:
            for k, p in enumerate(params):
                parts = [grads[t][k] for t in tasks if grads[t][k] is not None]
                p.grad = None if not parts else torch.stack(parts).sum(dim=0)
            optimizer.step()
            with torch.no_grad():
                out.append(self._task_losses(net, Xb, yb).cpu().numpy().astype(float))
            snapshot.restore()
        for p in params:
            p.grad = None
        return np.array(out)

    def _adam_lookahead(self, net, names, params, losses, sets, Xb, yb):
        """Adam: every lookahead step computed at once from per-task gradients.

        Same arithmetic as ``torch.optim.Adam.step`` (L2 weight decay, bias
        correction), applied to a batch of candidate parameter vectors that
        are then evaluated together with :func:`torch.func.vmap`; parameter
        tensors that no task of a set reaches are left untouched, like Adam
        does for parameters without a gradient.
        """
        optimizer = net.optimizer_
        n_tasks = len(losses)
        used = self._usage(losses, params)  # (n_tasks, n_params) bool
        grads = torch.autograd.grad(
            losses, params, grad_outputs=torch.eye(n_tasks, device=losses.device),
            is_grads_batched=True, allow_unused=True, retain_graph=False,
        )
        grads = [
            torch.zeros((n_tasks,) + p.shape, device=p.device, dtype=p.dtype) if g is None else g
            for g, p in zip(grads, params)
        ]
        selector = torch.zeros(len(sets), n_tasks, dtype=params[0].dtype, device=params[0].device)
        for s_index, tasks in enumerate(sets):
            selector[s_index, tasks] = 1.0
        group = optimizer.param_groups[0]
        lr, (beta1, beta2) = group["lr"], group["betas"]
        eps, wd = group["eps"], group["weight_decay"]
        candidates = {}
        with torch.no_grad():
            for k, (name, p, g) in enumerate(zip(names, params, grads)):
                g_sets = torch.tensordot(selector, g.reshape(n_tasks, -1), dims=1)
                g_sets = g_sets.reshape((len(sets),) + p.shape)
                if wd:
                    g_sets = g_sets + wd * p
                state = optimizer.state.get(p) or {}
                m = state.get("exp_avg", torch.zeros_like(p))
                v = state.get("exp_avg_sq", torch.zeros_like(p))
                step = float(state.get("step", 0.0)) + 1.0
                m_new = beta1 * m + (1 - beta1) * g_sets
                v_new = beta2 * v + (1 - beta2) * g_sets * g_sets
                denom = (v_new.sqrt() / np.sqrt(1 - beta2**step)) + eps
                updated = p - (lr / (1 - beta1**step)) * m_new / denom
                touched = torch.tensor(
                    [bool(used[tasks, k].any()) for tasks in sets], device=p.device
                ).reshape((len(sets),) + (1,) * p.dim())
                candidates[name] = torch.where(touched, updated, p.expand_as(updated))
            return _batched_task_losses(net, candidates, Xb, yb)

    def _usage(self, losses, params):
        """Which parameter tensors each task's loss reaches (cached per fit)."""
        if getattr(self, "_used", None) is None or self._used.shape != (len(losses), len(params)):
            used = np.zeros((len(losses), len(params)), dtype=bool)
            for t in range(len(losses)):
                grads = torch.autograd.grad(
                    losses[t], params, retain_graph=True, allow_unused=True
                )
                used[t] = [g is not None for g in grads]
            self._used = used
        return self._used

    def _tag(self, net, Xb, yb):
        module = net.module_
        names, params = _trainable(module)
        shared = {id(p) for p in _shared_parameters(module)}
        lr = net.lr if self.lookahead_lr is None else self.lookahead_lr
        losses = self._task_losses(net, Xb, yb)
        before = losses.detach().cpu().numpy().astype(float)
        n_tasks = len(losses)
        shared_idx = [k for k, p in enumerate(params) if id(p) in shared]
        grads = torch.autograd.grad(
            losses, [params[k] for k in shared_idx],
            grad_outputs=torch.eye(n_tasks, device=losses.device),
            is_grads_batched=True, allow_unused=True,
        )
        candidates = {}
        with torch.no_grad():
            by_index = dict(zip(shared_idx, grads))
            for k, (name, p) in enumerate(zip(names, params)):
                g = by_index.get(k)
                if g is None:
                    candidates[name] = p.expand((n_tasks,) + p.shape)
                else:
                    candidates[name] = p - lr * g
            after = _batched_task_losses(net, candidates, Xb, yb)
        return 1.0 - after / np.maximum(before, _EPS)[None, :]


def _trainable(module):
    named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
    return [n for n, _ in named], [p for _, p in named]


def _is_plain_adam(optimizer):
    if type(optimizer) is not torch.optim.Adam or len(optimizer.param_groups) != 1:
        return False
    group = optimizer.param_groups[0]
    return not (
        group.get("amsgrad") or group.get("maximize") or group.get("decoupled_weight_decay")
    )


def _batched_task_losses(net, candidates, Xb, yb):
    """Per-task losses (n_candidates, n_tasks) of a batch of parameter sets."""
    module, criterion = net.module_, net.criterion_
    buffers = dict(module.named_buffers())

    def losses(params):
        out = torch.func.functional_call(module, (params, buffers), (Xb,))
        return criterion.per_task(out, yb)

    return torch.func.vmap(losses)(candidates).cpu().numpy().astype(float)
