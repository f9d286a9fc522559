"""skmtlx: interpretable multi-task learning with scikit-learn estimators."""

from ._explanation import LinearExplanation
from .fidelity import FidelityMTLClassifier, FidelityMTLRegressor

__version__ = "0.1.0"

__all__ = ["FidelityMTLClassifier", "FidelityMTLRegressor", "LinearExplanation"]
