"""skmtlx: interpretable multi-task learning with scikit-learn estimators."""

from ._explain import explain
from ._explanation import Explanation, ExplanationDisplay
from .auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from .fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from .generative import GenerativeMTLClassifier
from .grouping import TaskGrouper
from .task_graph import SparseTaskGraphMTL

__version__ = "0.1.0"

__all__ = [
    "AuxiliaryTargetMTLClassifier",
    "AuxiliaryTargetMTLRegressor",
    "Explanation",
    "ExplanationDisplay",
    "FidelityMTLClassifier",
    "FidelityMTLRegressor",
    "GenerativeMTLClassifier",
    "SparseTaskGraphMTL",
    "TaskGrouper",
    "explain",
]
