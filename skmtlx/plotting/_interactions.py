"""Each pairwise interaction term of the surrogate as a heatmap."""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ._panels import check_term_estimator, chosen_output, panel_grid

__all__ = ["InteractionDisplay"]


class InteractionDisplay:
    """Interaction terms ``s_jk(x_j, x_k)`` of an additive surrogate, one heatmap per pair.

    Each panel colours the term's contribution to ``g`` (to ``g``'s logit
    for classifiers) over the grid of its two features, on one colour scale
    centred at zero for every panel, so that the pairs' strengths compare at
    a glance. A term averages to zero over either feature's training
    values: it shows what the two features do together beyond their shape
    functions (:class:`ShapeFunctionDisplay`). Dots mark a sample of the
    rows: read the surface where they lie.

    Build it with :meth:`from_estimator`.

    Parameters
    ----------
    interactions : pandas.DataFrame
        As returned by ``estimator.interaction_functions(X)`` for one
        output: columns ``feature_a``, ``feature_b``, ``value_a``,
        ``value_b``, ``contribution``.
    points : pandas.DataFrame or None, default=None
        Rows to mark, one column per feature name.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One panel per pair (unused panels are hidden).
    ax_ : matplotlib Axes
        The first panel.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx import FidelityMTLRegressor
    >>> from skmtlx.plotting import InteractionDisplay
    >>> X = np.random.RandomState(0).uniform(-1, 1, (400, 3))
    >>> y = X[:, 0] + X[:, 1] * X[:, 2]
    >>> reg = FidelityMTLRegressor(surrogate="additive", interactions=1, max_epochs=5,
    ...                            random_state=0).fit(X, y)
    >>> display = InteractionDisplay.from_estimator(reg, X)
    >>> display.ax_.get_xlabel(), display.ax_.get_ylabel()
    ('x1', 'x2')
    """

    def __init__(self, interactions, points=None):
        self.interactions = interactions
        self.points = points

    @classmethod
    def from_estimator(cls, estimator, X, *, output=None, grid_resolution=20, n_points=300,
                       random_state=0, n_cols=3, ax=None):
        """Compute the interaction terms on their grids and plot them.

        Parameters
        ----------
        estimator : FidelityMTLRegressor or FidelityMTLClassifier
            Fitted with ``surrogate="additive"`` and ``interactions > 0``.
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows that set the grids (e.g. the training data).
        output : object, default=None
            Output (target or class) to draw; required when there are
            several.
        grid_resolution : int, default=20
            Grid points per feature.
        n_points : int, default=300
            Rows of ``X`` drawn at random and marked on the heatmaps (0: none).
        random_state : int, RandomState instance or None, default=0
            Draws those rows.
        n_cols : int, default=3
            Panels per row of the figure.
        ax : ndarray of matplotlib Axes, default=None
            Axes to draw on, at least one per pair; a new figure otherwise.

        Returns
        -------
        display : InteractionDisplay
        """
        check_term_estimator(estimator, "interaction_functions", cls.__name__)
        frame = estimator.interaction_functions(X, grid_resolution=grid_resolution)
        if frame.empty:
            raise ValueError(
                "The estimator's surrogate has no interaction terms; fit it with "
                "surrogate='additive' and interactions > 0."
            )
        output = chosen_output(dict.fromkeys(frame["output"]), output)
        X = estimator._validate_X(X)
        rows = check_random_state(random_state).choice(len(X), min(n_points, len(X)),
                                                       replace=False)
        points = pd.DataFrame(X[rows], columns=[str(name) for name in estimator._feature_names()])
        return cls(frame[frame["output"] == output], points).plot(n_cols=n_cols, ax=ax)

    def plot(self, *, n_cols=3, ax=None):
        """Draw one heatmap per pair.

        Parameters
        ----------
        n_cols : int, default=3
            Panels per row when a new figure is made.
        ax : ndarray of matplotlib Axes, default=None
            Axes to draw on, at least one per pair.

        Returns
        -------
        self : InteractionDisplay
        """
        pairs = list(dict.fromkeys(zip(self.interactions["feature_a"],
                                       self.interactions["feature_b"])))
        axes = panel_grid(len(pairs), n_cols, ax, (3.6, 3.0))
        limit = max(np.abs(self.interactions["contribution"]).max(), 1e-12)
        for panel, (a, b) in zip(axes, pairs):
            term = self.interactions[(self.interactions["feature_a"] == a)
                                     & (self.interactions["feature_b"] == b)]
            grid = term.pivot_table(index="value_b", columns="value_a", values="contribution")
            mesh = panel.pcolormesh(grid.columns.to_numpy(float), grid.index.to_numpy(float),
                                    grid.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit,
                                    shading="nearest")
            if self.points is not None:
                panel.scatter(self.points[a], self.points[b], s=2, color="black", alpha=0.4)
            panel.set_xlabel(str(a))
            panel.set_ylabel(str(b))
        axes[0].figure.colorbar(mesh, ax=list(axes[:len(pairs)]), label="contribution")
        self.axes_, self.ax_, self.figure_ = axes, axes[0], axes[0].figure
        return self
