"""Shared torch machinery: the training path, modules, the fast batch iterator, inference."""

from ._device import check_device, device_available
from ._estimator import NEURAL_NET_PARAMETER_CONSTRAINTS, NeuralNetMixin
from ._inputs import InputStandardization
from ._iterator import BatchSliceLoader
from ._modules import ACTIVATIONS, MultiHeadMLP, log_cosh, make_mlp
from ._net import DivergenceGuard, MultiTermNet, make_net, predict_module
from ._threads import threads_for, training_threads
from ._training import (
    TrainingConfig,
    cached_training,
    history_records,
    train_module,
)

__all__ = [
    "ACTIVATIONS",
    "BatchSliceLoader",
    "DivergenceGuard",
    "InputStandardization",
    "MultiHeadMLP",
    "MultiTermNet",
    "NEURAL_NET_PARAMETER_CONSTRAINTS",
    "NeuralNetMixin",
    "TrainingConfig",
    "cached_training",
    "check_device",
    "device_available",
    "history_records",
    "log_cosh",
    "make_mlp",
    "make_net",
    "predict_module",
    "threads_for",
    "train_module",
    "training_threads",
]
