"""Matplotlib displays in scikit-learn's ``Display`` style."""

from ._fidelity_tradeoff import FidelityTradeoffDisplay
from ._interactions import InteractionDisplay
from ._shape_functions import ShapeFunctionDisplay

__all__ = ["FidelityTradeoffDisplay", "InteractionDisplay", "ShapeFunctionDisplay"]
