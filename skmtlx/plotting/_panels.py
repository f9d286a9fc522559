"""What the per-term displays share: the estimator check, the output to draw, a grid of panels."""

import numpy as np
from sklearn.pipeline import Pipeline

__all__ = ["check_term_estimator", "chosen_output", "panel_grid"]


def check_term_estimator(estimator, method, display):
    """Raise a TypeError naming what to pass unless ``estimator`` has ``method``.

    Examples
    --------
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.plotting._panels import check_term_estimator
    >>> check_term_estimator(Ridge(), "shape_functions", "ShapeFunctionDisplay")
    Traceback (most recent call last):
    ...
    TypeError: ShapeFunctionDisplay draws a fitted FidelityMTLRegressor or ..., got Ridge.
    """
    if hasattr(estimator, method):
        return
    hint = (" For a Pipeline, pass its last step and the rows its earlier steps make: "
            "pipe[-1], pipe[:-1].transform(X).") if isinstance(estimator, Pipeline) else ""
    raise TypeError(
        f"{display} draws a fitted FidelityMTLRegressor or FidelityMTLClassifier, got "
        f"{type(estimator).__name__}.{hint}"
    )


def chosen_output(outputs, output):
    """``output`` checked against ``outputs``; the only one when None.

    Examples
    --------
    >>> from skmtlx.plotting._panels import chosen_output
    >>> chosen_output(["y"], None)
    'y'
    """
    outputs = list(outputs)
    if output is None and len(outputs) > 1:
        raise ValueError(f"The estimator has several outputs {outputs}; pass `output=`.")
    output = outputs[0] if output is None else output
    if output not in outputs:
        raise ValueError(f"Unknown output {output!r}; choose from {outputs}.")
    return output


def panel_grid(n_panels, n_cols, ax, panel_size):
    """Flat array of at least ``n_panels`` axes: ``ax``, or a new figure's grid.

    Parameters
    ----------
    n_panels : int
        Panels to draw.
    n_cols : int
        Panels per row of a new figure.
    ax : array-like of matplotlib Axes or None
        Axes given by the caller.
    panel_size : tuple of float
        Width and height of one panel of a new figure, in inches.

    Returns
    -------
    axes : ndarray of matplotlib Axes
        The panels after the first ``n_panels`` are hidden.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        n_rows = -(-n_panels // n_cols)
        n_cols = min(n_cols, n_panels)
        _, ax = plt.subplots(n_rows, n_cols,
                             figsize=(panel_size[0] * n_cols, panel_size[1] * n_rows),
                             squeeze=False, constrained_layout=True)
    axes = np.asarray(ax, dtype=object).ravel()
    if len(axes) < n_panels:
        raise ValueError(f"Need {n_panels} axes, got {len(axes)}.")
    for panel in axes[n_panels:]:
        panel.set_visible(False)
    return axes
