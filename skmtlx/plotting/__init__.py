"""Matplotlib displays in scikit-learn's ``Display`` style."""

from ._fidelity_tradeoff import FidelityTradeoffDisplay

__all__ = ["FidelityTradeoffDisplay"]
