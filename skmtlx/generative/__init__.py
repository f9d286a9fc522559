"""Generative multi-task learning: inference that resists target shift (GMTL)."""

from ._classifier import GenerativeMTLClassifier
from ._joint import MAX_GRID_SIZE
from ._metrics import exact_match_score, mean_task_accuracy, task_accuracies

__all__ = [
    "GenerativeMTLClassifier",
    "MAX_GRID_SIZE",
    "exact_match_score",
    "mean_task_accuracy",
    "task_accuracies",
]
