"""The joint prediction + fidelity objective of the fidelity MTL."""

import torch
from torch import nn

from .._torch import log_cosh

__all__ = ["FidelityLoss", "PREDICTION_LOSSES"]


def _log_cosh_loss(output, target):
    return log_cosh(output - target).mean()


def _squared_error_loss(output, target):
    return ((output - target) ** 2).mean()


def _binary_log_loss(output, target):
    return nn.functional.binary_cross_entropy_with_logits(output, target)


def _multiclass_log_loss(output, target):
    return nn.functional.cross_entropy(output, target)


PREDICTION_LOSSES = {
    "log_cosh": _log_cosh_loss,
    "squared_error": _squared_error_loss,
    "binary_log_loss": _binary_log_loss,
    "multiclass_log_loss": _multiclass_log_loss,
}
"""Prediction losses ``L_pred(f(x), y)`` on raw network outputs, by name."""

LINKS = {
    "identity": lambda raw: raw,
    "sigmoid": torch.sigmoid,
    "softmax": lambda raw: torch.softmax(raw, dim=1),
}
"""Maps from raw outputs to the space where fidelity is measured."""


class FidelityLoss(nn.Module):
    """``(1 - fidelity_weight) * L_pred(f(x), y) + fidelity_weight * mean((g(x) - f(x))^2)``.

    The fidelity term is measured after ``link`` (e.g. on probabilities for
    classifiers) and its gradient reaches both the black box ``f`` and the
    surrogate ``g``. With ``joint=False`` only ``L_pred`` is optimised (the
    post-hoc baseline trains ``f`` alone) and ``g`` is left untouched.

    Parameters
    ----------
    fidelity_weight : float
        Weight of the fidelity term, in (0, 1) (``1 - alpha`` of the paper).
    prediction_loss : str
        Key of :data:`PREDICTION_LOSSES`.
    link : {"identity", "sigmoid", "softmax"}
        Map from raw outputs to the fidelity space.
    joint : bool, default=True
        Optimise the joint objective rather than the prediction loss alone.

    Examples
    --------
    >>> import torch
    >>> from skmtlx.fidelity._loss import FidelityLoss
    >>> loss = FidelityLoss(0.5, "squared_error", "identity")
    >>> f, g, y = torch.ones(4, 1), torch.zeros(4, 1), torch.ones(4, 1)
    >>> float(loss((f, g), y)["loss"])
    0.5
    """

    def __init__(self, fidelity_weight, prediction_loss, link, joint=True):
        super().__init__()
        self.fidelity_weight = fidelity_weight
        self.prediction_loss = prediction_loss
        self.link = link
        self.joint = joint

    def forward(self, y_pred, y_true):
        f_out, g_out = y_pred
        prediction = PREDICTION_LOSSES[self.prediction_loss](f_out, y_true)
        if not self.joint:
            return {"loss": prediction, "prediction_loss": prediction}
        link = LINKS[self.link]
        fidelity = ((link(g_out) - link(f_out)) ** 2).mean()
        loss = (1.0 - self.fidelity_weight) * prediction + self.fidelity_weight * fidelity
        return {"loss": loss, "prediction_loss": prediction, "fidelity": fidelity}
