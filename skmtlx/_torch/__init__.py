"""Shared torch machinery: modules, the fast batch iterator, seeding, the skorch net factory."""

from ._estimator import NEURAL_NET_PARAMETER_CONSTRAINTS, NeuralNetMixin
from ._iterator import BatchSliceLoader
from ._modules import ACTIVATIONS, MultiHeadMLP, SurrogateMLP, log_cosh, make_mlp
from ._net import DivergenceGuard, MultiTermNet, make_net, predict_module, torch_seed

__all__ = [
    "ACTIVATIONS",
    "BatchSliceLoader",
    "DivergenceGuard",
    "MultiHeadMLP",
    "MultiTermNet",
    "NEURAL_NET_PARAMETER_CONSTRAINTS",
    "NeuralNetMixin",
    "SurrogateMLP",
    "log_cosh",
    "make_mlp",
    "make_net",
    "predict_module",
    "torch_seed",
]
