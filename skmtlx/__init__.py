"""skmtlx: interpretable multi-task learning with scikit-learn estimators.

The public names are imported on first use, as scikit-learn does for its
subpackages: ``import skmtlx`` loads neither torch nor scikit-learn, and
``from skmtlx import TaskGrouper`` loads only what that estimator needs.
"""

import importlib

from ._version import __version__  # noqa: F401

_EXPORTS = {
    "AuxiliaryTargetMTLClassifier": "auxiliary",
    "AuxiliaryTargetMTLRegressor": "auxiliary",
    "Explanation": "_explanation",
    "ExplanationDisplay": "_explanation",
    "FidelityMTLClassifier": "fidelity",
    "FidelityMTLRegressor": "fidelity",
    "GenerativeMTLClassifier": "generative",
    "SparseTaskGraphMLP": "task_graph",
    "SparseTaskGraphMTL": "task_graph",
    "TaskGrouper": "grouping",
    "explain": "_explain",
    "training_threads": "_torch",
}
"""Public name -> the module (relative to skmtlx) that defines it."""

_SUBPACKAGES = [
    "auxiliary", "datasets", "exceptions", "fidelity", "generative", "grouping", "metrics",
    "plotting", "task_graph", "utils",
]

__all__ = sorted(_EXPORTS)


def __dir__():
    return __all__ + _SUBPACKAGES + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value  # later look-ups skip __getattr__
        return value
    if name in _SUBPACKAGES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'skmtlx' has no attribute {name!r}")
