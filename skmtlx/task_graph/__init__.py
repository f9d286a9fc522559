"""Sparse, interpretable task graphs learned by bilevel programming."""

from ._display import TaskGraphDisplay
from ._estimator import SparseTaskGraphMTL
from ._metrics import graph_recovery_score

__all__ = ["SparseTaskGraphMTL", "TaskGraphDisplay", "graph_recovery_score"]
