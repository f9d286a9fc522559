"""Fidelity multi-task learning: a black box trained jointly with its linear surrogate."""

from ._classifier import FidelityMTLClassifier
from ._regressor import FidelityMTLRegressor

__all__ = ["FidelityMTLClassifier", "FidelityMTLRegressor"]
