"""skmtlx: interpretable multi-task learning with scikit-learn estimators."""

from ._explanation import LinearExplanation
from ._torch import training_threads
from .auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from .fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from .generative import GenerativeMTLClassifier
from .grouping import TaskGrouper
from .task_graph import SparseTaskGraphMTL

__version__ = "0.1.0"

__all__ = [
    "AuxiliaryTargetMTLClassifier",
    "AuxiliaryTargetMTLRegressor",
    "FidelityMTLClassifier",
    "FidelityMTLRegressor",
    "GenerativeMTLClassifier",
    "LinearExplanation",
    "SparseTaskGraphMTL",
    "TaskGrouper",
    "training_threads",
]
