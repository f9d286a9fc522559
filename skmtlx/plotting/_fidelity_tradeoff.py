"""The accuracy-versus-fidelity front with its Pareto-optimal fidelity weights (paper Figure 3)."""

from ..metrics._tradeoff import fidelity_tradeoff, pareto_front

__all__ = ["FidelityTradeoffDisplay"]


class FidelityTradeoffDisplay:
    """Prediction score against global fidelity over the fidelity weight, Pareto front circled.

    Build it with :meth:`from_estimator` (fits the sweep) or
    :meth:`from_frame` (a frame from :func:`~skmtlx.metrics.fidelity_tradeoff`).

    Parameters
    ----------
    frame : pandas.DataFrame
        The sweep, as returned by :func:`~skmtlx.metrics.fidelity_tradeoff`.

    Attributes
    ----------
    ax_ : matplotlib Axes
    figure_ : matplotlib Figure
    pareto_ : ndarray of bool
        Which rows of ``frame`` are Pareto-optimal.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.plotting import FidelityTradeoffDisplay
    >>> frame = pd.DataFrame({"model": ["joint"] * 3, "fidelity_weight": [0.9, 0.5, 0.1],
    ...                       "metric": "accuracy", "score": [0.8, 0.85, 0.84],
    ...                       "gf": [0.001, 0.01, 0.02]})
    >>> display = FidelityTradeoffDisplay.from_frame(frame)
    >>> display.pareto_.tolist()
    [True, True, False]
    """

    def __init__(self, frame):
        self.frame = frame

    @classmethod
    def from_estimator(cls, estimator, X_train, y_train, X_test, y_test, *,
                       fidelity_weights=None, ax=None, **kwargs):
        """Fit the sweep with :func:`~skmtlx.metrics.fidelity_tradeoff` and plot it.

        Parameters
        ----------
        estimator : FidelityMTLRegressor or FidelityMTLClassifier, or a Pipeline ending in one
            Unfitted template.
        X_train, y_train, X_test, y_test : array-like
            Training and evaluation data.
        fidelity_weights : sequence of float, default=None
            Fidelity weights to fit; the function's default grid when None.
        ax : matplotlib Axes, default=None
            Axes to draw on.
        **kwargs : dict
            Other arguments of :func:`~skmtlx.metrics.fidelity_tradeoff`.

        Returns
        -------
        display : FidelityTradeoffDisplay
        """
        if fidelity_weights is not None:
            kwargs["fidelity_weights"] = fidelity_weights
        frame = fidelity_tradeoff(estimator, X_train, y_train, X_test, y_test, **kwargs)
        return cls(frame).plot(ax=ax)

    @classmethod
    def from_frame(cls, frame, *, ax=None):
        """Plot an existing sweep.

        Parameters
        ----------
        frame : pandas.DataFrame
            As returned by :func:`~skmtlx.metrics.fidelity_tradeoff`.
        ax : matplotlib Axes, default=None
            Axes to draw on.

        Returns
        -------
        display : FidelityTradeoffDisplay
        """
        return cls(frame).plot(ax=ax)

    def plot(self, *, ax=None):
        """Draw the front.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure is made otherwise.

        Returns
        -------
        self : FidelityTradeoffDisplay
        """
        import matplotlib.pyplot as plt
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        if ax is None:
            _, ax = plt.subplots()
        frame = self.frame
        metric = frame["metric"].iloc[0]
        joint = (frame["model"] == "joint").to_numpy()
        self.pareto_ = pareto_front(frame, greater_is_better=metric == "accuracy")
        ax.plot(frame["gf"][joint], frame["score"][joint], "o-", color="tab:blue",
                label="fidelity MTL")
        for k, (_, row) in enumerate(frame[joint].iterrows()):
            # above and below in turn, so that neighbouring points' labels do not overlap
            ax.annotate(f"{row['fidelity_weight']:g}", (row["gf"], row["score"]),
                        textcoords="offset points", xytext=(4, 5 if k % 2 == 0 else -13))
        if (~joint).any():
            ax.plot(frame["gf"][~joint], frame["score"][~joint], "s", color="tab:red",
                    label="post-hoc surrogate")
        ax.scatter(frame["gf"][self.pareto_], frame["score"][self.pareto_], s=200,
                   facecolors="none", edgecolors="black", label="Pareto-optimal")
        ax.set_xscale("log")
        # plain numbers at 1, 2, 5 x 10^k: the default minor labels collide on short ranges
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.margins(0.08)  # room for the labels of the extreme points
        ax.set_xlabel("global fidelity (mean squared g - f)")
        ax.set_ylabel(metric)
        ax.legend()
        self.ax_, self.figure_ = ax, ax.figure
        return self
