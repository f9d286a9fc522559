"""One explanation object for every skmtlx estimator: per-row additive attributions."""

import numbers

import numpy as np
import pandas as pd

__all__ = ["Explanation", "ExplanationDisplay"]

PLOT_KINDS = ("bar", "waterfall", "beeswarm")


class Explanation:
    """Per-row feature attributions of a model's (surrogate's) outputs.

    For every row and output, ``base_values`` plus the sum of ``values`` over
    the features is the explained output (the surrogate ``g(x)``; logits for
    classification outputs). For additive surrogates the attributions are the
    exact interventional Shapley values against the training mean.

    Parameters
    ----------
    values : ndarray of shape (n_samples, n_features, n_outputs)
        Attributions.
    base_values : ndarray of shape (n_outputs,) or (n_samples, n_outputs)
        Explained output at the reference point (per row when rows are
        explained by different models, e.g. one per task).
    data : ndarray of shape (n_samples, n_features)
        The explained rows.
    feature_names : array-like of str of shape (n_features,)
        Names of the features.
    output_names : array-like of shape (n_outputs,)
        Names of the explained outputs (targets, tasks, or ``task=class``).
    task_names : array-like of shape (n_outputs,), default=None
        The task of every output, where the model has tasks.
    sample_tasks : array-like of shape (n_samples,), default=None
        The task of every row, where each row is explained by its task's model.
    row_labels : array-like of shape (n_samples,), default=None
        Labels of the explained rows (the index of a DataFrame ``X``), which
        :meth:`to_frame` keeps so that the attributions join back to ``X``;
        None numbers the rows from 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx import Explanation
    >>> exp = Explanation(np.ones((2, 3, 1)), np.zeros(1), np.ones((2, 3)),
    ...                   ["a", "b", "c"], ["y"])
    >>> exp.to_frame().shape
    (2, 3)
    >>> exp.output_values().tolist()
    [[3.0], [3.0]]
    """

    def __init__(self, values, base_values, data, feature_names, output_names, *,
                 task_names=None, sample_tasks=None, row_labels=None):
        self.values = np.asarray(values, dtype=float)
        if self.values.ndim != 3:
            raise ValueError(
                f"values must have shape (n_samples, n_features, n_outputs), got "
                f"{self.values.shape}."
            )
        self.base_values = np.asarray(base_values, dtype=float)
        self.data = np.asarray(data)
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.output_names = np.asarray(output_names, dtype=object)
        self.task_names = None if task_names is None else np.asarray(task_names, dtype=object)
        self.sample_tasks = None if sample_tasks is None else np.asarray(sample_tasks)
        self.row_labels = row_labels
        n_samples, n_features, n_outputs = self.values.shape
        if row_labels is not None and len(row_labels) != n_samples:
            raise ValueError(f"row_labels must have one label per row ({n_samples}), got "
                             f"{len(row_labels)}.")
        if len(self.feature_names) != n_features or len(self.output_names) != n_outputs:
            raise ValueError(
                f"{n_features} features and {n_outputs} outputs need as many names; got "
                f"{len(self.feature_names)} feature and {len(self.output_names)} output names."
            )
        if self.base_values.shape not in ((n_outputs,), (n_samples, n_outputs)):
            raise ValueError(
                f"base_values must have shape ({n_outputs},) or ({n_samples}, {n_outputs}), "
                f"got {self.base_values.shape}."
            )

    def __repr__(self):
        n_samples, n_features, _ = self.values.shape
        return (
            f"Explanation(n_samples={n_samples}, n_features={n_features}, "
            f"outputs={list(self.output_names)})"
        )

    @property
    def shape(self):
        """``values.shape``: (n_samples, n_features, n_outputs)."""
        return self.values.shape

    def row_base_values(self):
        """Base values of every row, shape (n_samples, n_outputs)."""
        return np.broadcast_to(self.base_values, self.values.shape[::2]).copy()

    def output_values(self):
        """The explained outputs: base values plus the attributions' row sums.

        Returns
        -------
        outputs : ndarray of shape (n_samples, n_outputs)
        """
        return self.row_base_values() + self.values.sum(axis=1)

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
        if isinstance(output, (int, np.integer)) and 0 <= output < len(self.output_names):
            return int(output)
        raise ValueError(f"Unknown output {output!r}; choose from {list(self.output_names)}.")

    def to_frame(self, output=None):
        """Attributions of one output as a DataFrame (rows x features).

        Parameters
        ----------
        output : object, default=None
            Name (or position) of the output; required when there are several.

        Returns
        -------
        frame : pandas.DataFrame of shape (n_samples, n_features)
            Indexed by ``row_labels`` (the explained DataFrame's index) when set.
        """
        index = self._output_index(output)
        return pd.DataFrame(self.values[:, :, index], columns=list(self.feature_names),
                            index=self.row_labels)

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
        """Draw global importances, one row's waterfall, or a beeswarm-style summary.

        Parameters
        ----------
        kind : {"bar", "waterfall", "beeswarm"}, default="bar"
            ``"bar"``: mean absolute attribution per feature; ``"waterfall"``:
            the attributions of row ``index`` stacked from the base value to
            the explained output; ``"beeswarm"``: every row's attribution per
            feature, coloured by the feature's value.
        index : int, default=0
            Row drawn by the waterfall.
        output : object, default=None
            Output to draw; required when there are several.
        max_display : int, default=10
            Number of features shown (the waterfall sums the rest into one bar).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made otherwise.

        Returns
        -------
        display : ExplanationDisplay
            With ``ax_`` and ``figure_``.
        """
        if kind not in PLOT_KINDS:
            raise ValueError(f"kind must be one of {PLOT_KINDS}, got {kind!r}.")
        n_rows = len(self.values)
        if kind == "waterfall" and not (isinstance(index, numbers.Integral)
                                        and -n_rows <= index < n_rows):
            raise ValueError(f"index={index!r} is not a row of this explanation of {n_rows} "
                             f"rows; give a position in [0, {n_rows}).")
        return ExplanationDisplay(self, kind, output=output, index=index,
                                  max_display=max_display).plot(ax=ax)

    def to_shap(self, output=None):
        """The same attributions as a :class:`shap.Explanation`, for shap's plots.

        Parameters
        ----------
        output : object, default=None
            Output to keep; all outputs (a 3-D explanation) when None and
            there are several.

        Returns
        -------
        explanation : shap.Explanation
        """
        try:
            import shap
        except ImportError as exc:
            raise ImportError(
                "Explanation.to_shap needs the optional dependency shap: "
                "pip install shap (or pip install skmtlx[shap])."
            ) from exc
        base = self.row_base_values()
        data = self.data if self.data.dtype != object else None
        if output is None and len(self.output_names) > 1:
            return shap.Explanation(self.values, base, data=data,
                                    feature_names=list(self.feature_names),
                                    output_names=list(self.output_names))
        k = self._output_index(output)
        return shap.Explanation(self.values[:, :, k], base[:, k], data=data,
                                feature_names=list(self.feature_names))


class ExplanationDisplay:
    """A plot of an :class:`Explanation` (build it with :meth:`Explanation.plot`).

    Parameters
    ----------
    explanation : Explanation
    kind : {"bar", "waterfall", "beeswarm"}
    output : object, default=None
    index : int, default=0
    max_display : int, default=10

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    shown_ : pandas.Series
        The drawn numbers: importances (bar), contributions (waterfall) or
        mean absolute attributions of the shown features (beeswarm).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx import Explanation
    >>> exp = Explanation(np.arange(6.0).reshape(2, 3, 1), np.zeros(1), np.ones((2, 3)),
    ...                   ["a", "b", "c"], ["y"])
    >>> exp.plot("bar").shown_.round(1).to_dict()
    {'c': 3.5, 'b': 2.5, 'a': 1.5}
    """

    def __init__(self, explanation, kind, *, output=None, index=0, max_display=10):
        self.explanation = explanation
        self.kind = kind
        self.output = output
        self.index = index
        self.max_display = max_display

    def plot(self, ax=None):
        """Draw on ``ax`` (a new figure when None) and return ``self``."""
        import matplotlib.pyplot as plt

        if ax is None:  # laid out so that long feature names are not cut off
            _, ax = plt.subplots(layout="constrained")
        exp = self.explanation
        out = exp._output_index(self.output)
        name = exp.output_names[out]
        if self.kind == "bar":
            shown = exp.global_importances(name).iloc[:self.max_display]
            ax.barh(shown.index[::-1], shown.values[::-1], color="tab:blue")
            ax.set_xlabel("mean |attribution|")
            ax.set_title(f"Global importance ({name})")
        elif self.kind == "waterfall":
            shown = self._waterfall(ax, out)
        else:
            shown = self._beeswarm(ax, out)
        self.shown_ = shown
        self.ax_, self.figure_ = ax, ax.figure
        return self

    def _waterfall(self, ax, out):
        exp, index, max_display = self.explanation, self.index, self.max_display
        contributions = pd.Series(exp.values[index, :, out], index=list(exp.feature_names))
        order = contributions.abs().sort_values(ascending=False).index
        shown = contributions[order[:max_display]]
        if len(order) > max_display:
            shown[f"{len(order) - max_display} other features"] = contributions[
                order[max_display:]
            ].sum()
        start = exp.row_base_values()[index, out]
        ends = start + np.cumsum(shown.values)
        lefts = np.concatenate([[start], ends[:-1]])
        colors = np.where(shown.values >= 0, "tab:red", "tab:blue")
        positions = np.arange(len(shown))[::-1]
        bars = ax.barh(positions, shown.values, left=lefts, color=colors)
        ax.bar_label(bars, labels=[f"{value:+.3g}" for value in shown.values], padding=2,
                     fontsize="small")
        ax.set_yticks(positions, shown.index)
        ax.axvline(start, color="grey", linestyle="--", linewidth=1)
        ax.axvline(ends[-1], color="black", linewidth=1)
        low, high = min(start, ends.min()), max(start, ends.max())
        pad = 0.15 * (high - low) or 1.0  # room for the labels at the ends
        ax.set_xlim(low - pad, high + pad)
        ax.set_xlabel(f"explained output: base value {start:.3g} (dashed) "
                      f"to {ends[-1]:.3g} (solid)")
        ax.set_title(f"Row {index}: attributions ({exp.output_names[out]})")
        return shown

    def _beeswarm(self, ax, out):
        exp = self.explanation
        shown = exp.global_importances(exp.output_names[out]).iloc[:self.max_display]
        columns = [list(exp.feature_names).index(f) for f in shown.index]
        rng = np.random.RandomState(0)
        data = pd.DataFrame(exp.data).apply(pd.to_numeric, errors="coerce").to_numpy(float)
        for row, j in enumerate(columns[::-1]):
            values = exp.values[:, j, out]
            colour = data[:, j]
            span = np.nanmax(colour) - np.nanmin(colour) if np.isfinite(colour).any() else 0
            colour = (colour - np.nanmin(colour)) / span if span > 0 else np.full_like(
                values, 0.5)
            jitter = rng.uniform(-0.3, 0.3, len(values))
            points = ax.scatter(values, row + jitter, c=colour, cmap="coolwarm", s=8,
                                vmin=0, vmax=1)
        ax.set_yticks(np.arange(len(columns)), list(shown.index[::-1]))
        ax.axvline(0.0, color="grey", linewidth=1)
        ax.set_xlabel(f"attribution ({exp.output_names[out]})")
        ax.figure.colorbar(points, ax=ax, label="feature value (low to high)")
        return shown
