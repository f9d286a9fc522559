"""Additive per-row explanations of a linear model."""

import numpy as np
import pandas as pd

__all__ = ["LinearExplanation"]


class LinearExplanation:
    """Per-row feature attributions ``coef * (x - reference)`` of a linear model.

    For a linear model these are the exact interventional Shapley values
    against the reference (the training mean): for every row and output,
    ``base_values + values.sum(axis=1)`` equals the model's output.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_features, n_outputs)
        Attributions.
    base_values : ndarray of shape (n_outputs,)
        Model output at the reference point.
    data : ndarray of shape (n_samples, n_features)
        The explained rows.
    feature_names : array-like of str of shape (n_features,)
        Names of the features.
    output_names : array-like of shape (n_outputs,)
        Names of the explained outputs (targets, or classes whose logit is
        explained).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx import LinearExplanation
    >>> exp = LinearExplanation(np.ones((2, 3, 1)), np.zeros(1), np.ones((2, 3)),
    ...                         ["a", "b", "c"], ["y"])
    >>> exp.to_frame().shape
    (2, 3)
    """

    def __init__(self, values, base_values, data, feature_names, output_names):
        self.values = np.asarray(values, dtype=float)
        self.base_values = np.asarray(base_values, dtype=float)
        self.data = np.asarray(data)
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.output_names = np.asarray(output_names, dtype=object)

    def __repr__(self):
        n_samples, n_features, n_outputs = self.values.shape
        return (
            f"LinearExplanation(n_samples={n_samples}, n_features={n_features}, "
            f"outputs={list(self.output_names)})"
        )

    def _output_index(self, output):
        if output is None:
            if len(self.output_names) > 1:
                raise ValueError(
                    f"This explanation has several outputs {list(self.output_names)}; "
                    "pass `output=` to choose one."
                )
            return 0
        matches = np.flatnonzero(self.output_names == output)
        if len(matches):
            return int(matches[0])
        raise ValueError(f"Unknown output {output!r}; choose from {list(self.output_names)}.")

    def to_frame(self, output=None):
        """Attributions of one output as a DataFrame (rows x features).

        Parameters
        ----------
        output : object, default=None
            Name of the output; required when there are several.

        Returns
        -------
        frame : pandas.DataFrame of shape (n_samples, n_features)
        """
        index = self._output_index(output)
        return pd.DataFrame(self.values[:, :, index], columns=list(self.feature_names))

    def global_importances(self, output=None):
        """Mean absolute attribution of each feature over the explained rows.

        Parameters
        ----------
        output : object, default=None
            Name of the output; required when there are several.

        Returns
        -------
        importances : pandas.Series
            Sorted from the most to the least important feature.
        """
        frame = self.to_frame(output)
        return frame.abs().mean().sort_values(ascending=False)

    def plot(self, kind="bar", *, index=0, output=None, max_display=10, ax=None):
        """Draw global importances or one row's waterfall.

        Parameters
        ----------
        kind : {"bar", "waterfall"}, default="bar"
            ``"bar"``: mean absolute attribution per feature; ``"waterfall"``:
            the attributions of row ``index`` stacked from the base value to
            the model output.
        index : int, default=0
            Row drawn by the waterfall.
        output : object, default=None
            Output to draw; required when there are several.
        max_display : int, default=10
            Number of features shown; the rest are summed into one bar.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made otherwise.

        Returns
        -------
        ax : matplotlib Axes
        """
        import matplotlib.pyplot as plt

        if kind not in ("bar", "waterfall"):
            raise ValueError(f"kind must be 'bar' or 'waterfall', got {kind!r}.")
        if ax is None:
            _, ax = plt.subplots()
        out = self._output_index(output)
        if kind == "bar":
            importances = self.global_importances(self.output_names[out]).iloc[:max_display]
            ax.barh(importances.index[::-1], importances.values[::-1], color="tab:blue")
            ax.set_xlabel("mean |attribution|")
            ax.set_title(f"Global importance ({self.output_names[out]})")
            return ax
        contributions = pd.Series(self.values[index, :, out], index=list(self.feature_names))
        order = contributions.abs().sort_values(ascending=False).index
        shown = contributions[order[:max_display]]
        if len(order) > max_display:
            shown[f"{len(order) - max_display} other features"] = contributions[
                order[max_display:]
            ].sum()
        start = self.base_values[out]
        lefts = start + np.concatenate([[0.0], np.cumsum(shown.values)[:-1]])
        colors = np.where(shown.values >= 0, "tab:red", "tab:blue")
        positions = np.arange(len(shown))[::-1]
        ax.barh(positions, shown.values, left=lefts, color=colors)
        ax.set_yticks(positions, shown.index)
        ax.axvline(start, color="grey", linestyle="--", linewidth=1)
        ax.set_xlabel(f"surrogate output (base value {start:.3g})")
        ax.set_title(f"Row {index}: attributions ({self.output_names[out]})")
        return ax
