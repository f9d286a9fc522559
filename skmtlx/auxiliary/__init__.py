"""Auxiliary modalities as targets: multi-task networks whose extra heads predict
the modalities, which are then not needed at inference and explain the main errors."""

from ._estimator import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from ._explain import AuxiliaryErrorExplanation, error_explanation_summary
from ._loss import AuxiliaryTargetLoss

__all__ = [
    "AuxiliaryErrorExplanation",
    "AuxiliaryTargetLoss",
    "AuxiliaryTargetMTLClassifier",
    "AuxiliaryTargetMTLRegressor",
    "error_explanation_summary",
]
