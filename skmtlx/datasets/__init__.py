"""Loaders for the real datasets of the papers, and synthetic multi-task generators."""

from ._auxiliary_synthetic import make_auxiliary_classification, make_auxiliary_regression
from ._base import DATA_FILES, DATA_HOME_ENV, DataFileError, DataNotFoundError, get_data_home
from ._confounded_synthetic import make_confounded_multitask
from ._fidelity_datasets import (
    FIDELITY_DATASETS,
    load_adult,
    load_auto_mpg,
    load_california_housing,
    load_fidelity_dataset,
    load_titanic,
    load_wine_quality,
)
from ._grouping_synthetic import make_grouped_tasks
from ._multilabel_shift import resample_target_shift
from ._multitarget import MULTILABEL_DATASETS, load_multilabel, load_sarcos
from ._per_task import load_computer_survey, load_parkinsons_updrs, load_school
from ._task_graph_synthetic import (
    TASK_GRAPH_STRUCTURES,
    make_task_graph_regression,
    task_graph_edges,
)

__all__ = [
    "DATA_FILES",
    "DATA_HOME_ENV",
    "DataFileError",
    "DataNotFoundError",
    "FIDELITY_DATASETS",
    "MULTILABEL_DATASETS",
    "TASK_GRAPH_STRUCTURES",
    "get_data_home",
    "load_adult",
    "load_auto_mpg",
    "load_california_housing",
    "load_computer_survey",
    "load_fidelity_dataset",
    "load_multilabel",
    "load_parkinsons_updrs",
    "load_sarcos",
    "load_school",
    "load_titanic",
    "load_wine_quality",
    "make_auxiliary_classification",
    "make_auxiliary_regression",
    "make_confounded_multitask",
    "make_grouped_tasks",
    "make_task_graph_regression",
    "resample_target_shift",
    "task_graph_edges",
]
