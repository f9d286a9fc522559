"""The joint loss: main loss + weighted auxiliary losses, fixed or uncertainty-weighted."""

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["AuxiliaryTargetLoss"]


def _task_loss(kind, output, target):
    if kind == "classification":
        return F.cross_entropy(output, target.long())
    return ((output - target) ** 2).mean()


class AuxiliaryTargetLoss(nn.Module):
    """Main-task loss plus weighted auxiliary-target losses.

    The network returns ``(main, aux_1, ..., aux_m)``; the target matrix holds
    the main target(s) in its first ``n_main_columns`` columns and one encoded
    auxiliary target per remaining column (standardised value or class index).
    Regression tasks use the mean squared error, classification tasks the
    cross-entropy on logits.

    With fixed weights the loss is ``L_main + sum_j w_j L_j``. With
    ``weights=None`` every task (main included) gets a learned log-variance
    ``s_t`` and the loss is ``sum_t 0.5 exp(-s_t) L_t + log(1 + exp(s_t))``:
    the uncertainty weighting of Kendall, Gal & Cipolla (2018) with the
    positive regulariser of Liebel & Koerner (2018), so the loss stays
    positive (which early stopping on relative improvements needs).

    In evaluation mode (``criterion.eval()``, which skorch sets on validation
    batches) the returned ``"loss"`` is the main loss alone when
    ``monitor="main"``, so that early stopping selects the epoch that is best
    for the main task; the weighted total is still what training minimises.

    Parameters
    ----------
    main_kind : {"regression", "classification"}
        Kind of the main task.
    n_main_columns : int
        Columns of the target matrix holding the main target.
    aux_kinds : sequence of {"regression", "classification"}
        Kind of each auxiliary target.
    weights : sequence of float or None
        Fixed weight of each auxiliary loss, or ``None`` for uncertainty
        weighting.
    monitor : {"main", "total"}, default="total"
        What ``"loss"`` is in evaluation mode: the main loss or the weighted
        total (in training mode it is always the weighted total).

    Examples
    --------
    >>> import torch
    >>> from skmtlx.auxiliary import AuxiliaryTargetLoss
    >>> loss = AuxiliaryTargetLoss("regression", 1, ["regression"], [0.5])
    >>> y_pred = (torch.zeros(4, 1), torch.zeros(4, 1))
    >>> terms = loss(y_pred, torch.ones(4, 2))
    >>> float(terms["loss"]), float(terms["main"]), float(terms["aux0"])
    (1.5, 1.0, 1.0)
    >>> float(AuxiliaryTargetLoss("regression", 1, ["regression"], [0.5],
    ...                           monitor="main").eval()(y_pred, torch.ones(4, 2))["loss"])
    1.0
    """

    def __init__(self, main_kind, n_main_columns, aux_kinds, weights, monitor="total"):
        super().__init__()
        if monitor not in ("main", "total"):
            raise ValueError(f"monitor must be 'main' or 'total', got {monitor!r}.")
        self.monitor = monitor
        self.main_kind = main_kind
        self.n_main_columns = int(n_main_columns)
        self.aux_kinds = list(aux_kinds)
        self.uncertainty = weights is None
        if self.uncertainty:
            self.log_vars = nn.Parameter(torch.zeros(1 + len(self.aux_kinds)))
        else:
            self.register_buffer("weights", torch.as_tensor(list(weights), dtype=torch.float32))

    @property
    def term_names(self):
        """Names of the recorded loss terms: ``main``, ``aux0``, ``aux1``, ..."""
        return ["main"] + [f"aux{j}" for j in range(len(self.aux_kinds))]

    def task_weights(self):
        """Current weight of every task (main first) as a numpy array."""
        with torch.no_grad():
            if self.uncertainty:
                return (0.5 * torch.exp(-self.log_vars)).cpu().double().numpy()
            ones = torch.ones(1, dtype=self.weights.dtype, device=self.weights.device)
            return torch.cat([ones, self.weights]).cpu().double().numpy()

    def forward(self, y_pred, y_true):
        """Dict of the weighted total ``"loss"`` and every task's term, as documented above."""
        main_target = y_true[:, : self.n_main_columns]
        if self.main_kind == "classification":
            main_target = main_target[:, 0]
        losses = [_task_loss(self.main_kind, y_pred[0], main_target)]
        for j, kind in enumerate(self.aux_kinds):
            target = y_true[:, self.n_main_columns + j]
            if kind == "regression":
                target = target.unsqueeze(1)
            losses.append(_task_loss(kind, y_pred[1 + j], target))
        stacked = torch.stack(losses)
        if self.uncertainty:
            total = (0.5 * torch.exp(-self.log_vars) * stacked + F.softplus(self.log_vars)).sum()
        else:
            total = stacked[0] + (self.weights.to(stacked.dtype) * stacked[1:]).sum()
        if self.monitor == "main" and not self.training:
            total = stacked[0]
        terms = {"loss": total}
        for name, value in zip(self.term_names, losses):
            terms[name] = value.detach()
        return terms
