"""Task grouping: transfer gains between tasks and an integer program to group them."""

from ._gains import TransferGainRecorder
from ._grouper import TaskGrouper
from ._solver import (
    grouping_objective,
    n_partitions,
    solve_grouping,
    solve_grouping_exhaustive,
)

__all__ = [
    "TaskGrouper",
    "TransferGainRecorder",
    "grouping_objective",
    "n_partitions",
    "solve_grouping",
    "solve_grouping_exhaustive",
]
