"""Generative multi-task learning: inference that resists target shift (GMTL)."""

from ._classifier import GenerativeMTLClassifier
from ._metrics import exact_match_score, mean_task_accuracy, task_accuracies

__all__ = [
    "GenerativeMTLClassifier",
    "exact_match_score",
    "mean_task_accuracy",
    "task_accuracies",
]
