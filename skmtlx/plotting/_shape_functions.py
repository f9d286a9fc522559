"""Each feature's shape function of the surrogate, with the black box's partial dependence."""

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .._additive import MAX_LEVELS
from ._panels import check_term_estimator, chosen_output, panel_grid

__all__ = ["ShapeFunctionDisplay"]


class ShapeFunctionDisplay:
    """Shape functions ``s_j`` of a fidelity estimator's surrogate, one panel per feature.

    Each panel draws the surrogate's shape function (its contribution to
    ``g``, or to ``g``'s logit for classifiers) and, when computed, the
    black box's partial dependence in the same units, shifted to the same
    mean over the rows of ``X``: where the two curves part, ``g`` does not
    follow ``f``. A rug marks the deciles of the feature in ``X``. A feature
    with few distinct values (binary, ordinal or one-hot columns) is drawn
    as points at its values: ``g`` has one value per level and nothing
    between them.

    Build it with :meth:`from_estimator`.

    Parameters
    ----------
    shapes : pandas.DataFrame
        As returned by ``estimator.shape_functions(X)`` for one output:
        columns ``feature``, ``value``, ``contribution``.
    partial_dependence : pandas.DataFrame or None
        Columns ``feature``, ``value``, ``partial_dependence``.
    deciles : dict
        Feature name to the deciles of that feature in ``X``.
    discrete : collection of str, default=()
        Features drawn as points, one per distinct value.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes
        One panel per feature (unused panels are hidden).
    ax_ : matplotlib Axes
        The first panel.
    figure_ : matplotlib Figure

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.preprocessing import scale
    >>> from skmtlx import FidelityMTLRegressor
    >>> from skmtlx.plotting import ShapeFunctionDisplay
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X = scale(X)
    >>> reg = FidelityMTLRegressor(surrogate="additive", max_epochs=5, random_state=0).fit(X, y)
    >>> display = ShapeFunctionDisplay.from_estimator(reg, X, features=[0, 2])
    >>> len(display.axes_.ravel())
    2
    """

    def __init__(self, shapes, partial_dependence, deciles, discrete=()):
        self.shapes = shapes
        self.partial_dependence = partial_dependence
        self.deciles = deciles
        self.discrete = discrete

    @classmethod
    def from_estimator(cls, estimator, X, *, features=None, output=None, grid_resolution=50,
                       partial_dependence=True, n_pd_rows=300, random_state=0, n_cols=3,
                       ax=None):
        """Compute the shapes (and ``f``'s partial dependence) and plot them.

        Parameters
        ----------
        estimator : FidelityMTLRegressor or FidelityMTLClassifier
            Fitted estimator (either surrogate family).
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows that set the grids and over which the partial dependence is
            averaged (e.g. the training data).
        features : list of int or str, default=None
            Features to draw (indices or names); all when None.
        output : object, default=None
            Output (target or class) to draw; required when there are
            several.
        grid_resolution : int, default=50
            Grid points per feature.
        partial_dependence : bool, default=True
            Overlay the black box's partial dependence.
        n_pd_rows : int, default=300
            Rows of ``X`` drawn at random to average the partial dependence.
        random_state : int, RandomState instance or None, default=0
            Draws those rows.
        n_cols : int, default=3
            Panels per row of the figure.
        ax : ndarray of matplotlib Axes, default=None
            Axes to draw on, at least one per feature; a new figure otherwise.

        Returns
        -------
        display : ShapeFunctionDisplay
        """
        check_term_estimator(estimator, "shape_functions", cls.__name__)
        shapes = estimator.shape_functions(X, grid_resolution=grid_resolution)
        X = estimator._validate_X(X)
        names = list(dict.fromkeys(shapes["feature"]))
        chosen = names if features is None else [
            names[f] if isinstance(f, (int, np.integer)) else f for f in features
        ]
        unknown = sorted(set(chosen) - set(names))
        if unknown:
            raise ValueError(f"Unknown features {unknown}; choose from {names}.")
        outputs = list(dict.fromkeys(shapes["output"]))
        output = chosen_output(outputs, output)
        out = outputs.index(output)
        shapes = shapes[(shapes["output"] == output) & shapes["feature"].isin(chosen)]
        columns = [names.index(name) for name in chosen]
        deciles = {name: np.percentile(X[:, j], np.arange(10, 100, 10))
                   for name, j in zip(chosen, columns)}
        # few values: the additive basis gives each its own level, the grid is those values
        discrete = [name for name, j in zip(chosen, columns)
                    if len(np.unique(X[:, j])) <= min(grid_resolution, MAX_LEVELS)]
        pd_frame = None
        if partial_dependence:
            rng = check_random_state(random_state)
            rows = X[rng.choice(len(X), min(n_pd_rows, len(X)), replace=False)]
            pd_frame = pd.concat([
                _centred_partial_dependence(estimator, rows, X, j, name, out,
                                            shapes[shapes["feature"] == name])
                for name, j in zip(chosen, columns)
            ], ignore_index=True)
        return cls(shapes, pd_frame, deciles, discrete).plot(n_cols=n_cols, ax=ax)

    def plot(self, *, n_cols=3, ax=None):
        """Draw one panel per feature.

        Parameters
        ----------
        n_cols : int, default=3
            Panels per row when a new figure is made.
        ax : ndarray of matplotlib Axes, default=None
            Axes to draw on, at least one per feature.

        Returns
        -------
        self : ShapeFunctionDisplay
        """
        names = list(dict.fromkeys(self.shapes["feature"]))
        axes = panel_grid(len(names), n_cols, ax, (3.2, 2.6))
        for panel, name in zip(axes, names):
            shape = self.shapes[self.shapes["feature"] == name]
            levels = name in self.discrete
            panel.plot(shape["value"], shape["contribution"], "o" if levels else "-",
                       color="tab:blue", label="surrogate g")
            if self.partial_dependence is not None:
                pdep = self.partial_dependence[self.partial_dependence["feature"] == name]
                panel.plot(pdep["value"], pdep["partial_dependence"], "x" if levels else "--",
                           color="tab:orange", label="black box f (PD)")
            low, high = panel.get_ylim()
            panel.vlines(self.deciles[name], low, low + 0.05 * (high - low), color="black",
                         linewidth=1)
            panel.set_xlabel(str(name))
        axes[0].set_ylabel("contribution")
        axes[0].legend(fontsize="small")
        self.axes_, self.ax_, self.figure_ = axes, axes[0], axes[0].figure
        return self


def _centred_partial_dependence(estimator, rows, X, column, name, output, shape):
    """``f``'s partial dependence on ``column`` over ``shape``'s grid, in ``g``'s units.

    Shifted so that its mean at the feature values of ``X`` equals the shape
    function's, so the two curves are comparable where the data lie.
    """
    grid = shape["value"].to_numpy()
    stacked = np.repeat(rows[None], len(grid), axis=0)
    stacked[:, :, column] = grid[:, None]
    outputs = estimator._black_box_output(stacked.reshape(-1, rows.shape[1]))[:, output]
    dependence = outputs.reshape(len(grid), len(rows)).mean(axis=1)
    contribution = shape["contribution"].to_numpy()
    shift = (np.interp(X[:, column], grid, contribution).mean()
             - np.interp(X[:, column], grid, dependence).mean())
    return pd.DataFrame({"feature": name, "value": grid, "partial_dependence": dependence + shift})
