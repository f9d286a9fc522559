"""Sparse, interpretable task graphs learned by bilevel programming."""

from ._display import TaskGraphDisplay
from ._estimator import SparseTaskGraphMTL
from ._metrics import graph_recovery_score
from ._network import SparseTaskGraphMLP

__all__ = ["SparseTaskGraphMTL", "SparseTaskGraphMLP", "TaskGraphDisplay",
           "graph_recovery_score"]
