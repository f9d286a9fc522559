"""Fidelity metrics: global, neighbourhood (LIME, batched, surrogate), scorers, trade-off."""

from ._fidelity import black_box_and_surrogate, fidelity_r2, global_fidelity
from ._neighborhood import local_linear_fits, neighborhood_fidelity
from ._scorers import best_within_fidelity, global_fidelity_scorer, neighborhood_fidelity_scorer
from ._tradeoff import fidelity_tradeoff, pareto_front

__all__ = [
    "best_within_fidelity",
    "black_box_and_surrogate",
    "fidelity_r2",
    "fidelity_tradeoff",
    "global_fidelity",
    "global_fidelity_scorer",
    "local_linear_fits",
    "neighborhood_fidelity",
    "neighborhood_fidelity_scorer",
    "pareto_front",
]
