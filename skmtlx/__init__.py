"""skmtlx: interpretable multi-task learning with scikit-learn estimators."""

from ._explanation import LinearExplanation
from ._version import __version__  # noqa: F401
from .auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from .fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from .generative import GenerativeMTLClassifier
from .grouping import TaskGrouper
from .task_graph import SparseTaskGraphMTL

__all__ = [
    "AuxiliaryTargetMTLClassifier",
    "AuxiliaryTargetMTLRegressor",
    "FidelityMTLClassifier",
    "FidelityMTLRegressor",
    "GenerativeMTLClassifier",
    "LinearExplanation",
    "SparseTaskGraphMTL",
    "TaskGrouper",
]
