"""Explaining main-task errors through the auxiliary tasks' errors."""

import numpy as np
import pandas as pd
from scipy.special import log_softmax
from scipy.stats import spearmanr
from sklearn.metrics import roc_auc_score

__all__ = ["AuxiliaryErrorExplanation", "explain_errors", "error_explanation_summary"]


def _aux_errors(outputs, encoded, aux_targets):
    """Per-sample error of each auxiliary head and its decoded prediction."""
    errors, scores = {}, {}
    for j, (name, kind, out) in enumerate(zip(aux_targets.names_, aux_targets.kinds_, outputs)):
        truth = encoded[:, j]
        if kind == "classification":
            log_proba = log_softmax(out, axis=1)
            index = truth.astype(int)
            errors[name] = -log_proba[np.arange(len(index)), index]
            scores[name] = float(np.mean(np.argmax(out, axis=1) == index))
        else:
            residual = out[:, 0] - truth  # standardised units
            errors[name] = np.abs(residual)
            total = np.sum((truth - truth.mean()) ** 2)
            scores[name] = float(1 - np.sum(residual**2) / total) if total > 0 else np.nan
    return errors, scores


def error_explanation_summary(main_error, main_large, aux_errors, quantile=0.9):
    """How well each auxiliary error explains the main error, one row per target.

    Parameters
    ----------
    main_error : ndarray of shape (n_samples,)
        Per-sample main-task error.
    main_large : ndarray of bool of shape (n_samples,)
        Which main errors count as large (the AUROC positives).
    aux_errors : dict of str to ndarray of shape (n_samples,)
        Per-sample error of each auxiliary task.
    quantile : float, default=0.9
        Auxiliary errors above this quantile are "far off" for the lift.

    Returns
    -------
    summary : pandas.DataFrame
        Indexed by auxiliary target, with columns ``spearman`` (rank
        correlation of main and auxiliary errors), ``spearman_pvalue``,
        ``auroc`` (auxiliary error as a score for flagging large main errors;
        NaN when all or no samples are large) and ``lift`` (mean main error of
        the samples whose auxiliary error is far off, over the overall mean).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.auxiliary import error_explanation_summary
    >>> main = np.arange(10.0)
    >>> summary = error_explanation_summary(main, main > 7, {"a": main, "b": -main})
    >>> summary["auroc"].tolist()
    [1.0, 0.0]
    """
    main_error = np.asarray(main_error, dtype=np.float64)
    main_large = np.asarray(main_large, dtype=bool)
    rows = {}
    both_classes = 0 < main_large.sum() < len(main_large)
    mean_main = main_error.mean()
    for name, error in aux_errors.items():
        error = np.asarray(error, dtype=np.float64)
        if np.ptp(error) > 0 and np.ptp(main_error) > 0:
            rho, pvalue = spearmanr(main_error, error)
        else:
            rho, pvalue = np.nan, np.nan
        auroc = roc_auc_score(main_large, error) if both_classes else np.nan
        far_off = error > np.quantile(error, quantile)
        if far_off.any() and mean_main > 0:
            lift = main_error[far_off].mean() / mean_main
        else:
            lift = np.nan
        rows[name] = {
            "spearman": float(rho),
            "spearman_pvalue": float(pvalue),
            "auroc": float(auroc),
            "lift": float(lift),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = "aux_target"
    return summary


def explain_errors(main_error, main_large, main_pred, outputs, encoded, aux_targets, quantile):
    """Build the :class:`AuxiliaryErrorExplanation` (called by the estimators)."""
    aux_errors, aux_scores = _aux_errors(outputs, encoded, aux_targets)
    summary = error_explanation_summary(main_error, main_large, aux_errors, quantile)
    summary.insert(0, "kind", aux_targets.kinds_)
    summary["aux_score"] = [aux_scores[name] for name in aux_targets.names_]
    per_sample = pd.DataFrame({"main_error": main_error, "main_large_error": main_large})
    if main_pred is not None:
        per_sample["main_pred"] = main_pred
    predictions = aux_targets.decode(outputs)
    for name in aux_targets.names_:
        per_sample[f"{name}_error"] = aux_errors[name]
        per_sample[f"{name}_pred"] = predictions[name].to_numpy()
        per_sample[f"{name}_far_off"] = aux_errors[name] > np.quantile(aux_errors[name], quantile)
    ranked = np.column_stack([pd.Series(aux_errors[n]).rank(pct=True) for n in aux_targets.names_])
    names = np.asarray(aux_targets.names_, dtype=object)
    per_sample["worst_aux"] = names[np.argmax(ranked, axis=1)]
    return AuxiliaryErrorExplanation(per_sample, summary, list(aux_targets.names_))


class AuxiliaryErrorExplanation:
    """Per-sample and per-target relation between main and auxiliary errors.

    Returned by ``explain_errors`` of
    :class:`AuxiliaryTargetMTLRegressor` and
    :class:`AuxiliaryTargetMTLClassifier`.

    Main errors are absolute errors in units of the training standard
    deviation (regression) or the log loss of the true class
    (classification). Auxiliary errors are absolute errors on the
    standardised target (regression) or the log loss of the true class
    (classification).

    Parameters
    ----------
    per_sample : pandas.DataFrame
        One row per sample: ``main_error``, ``main_large_error`` (the AUROC
        positives), ``main_pred`` (single-output tasks), then for each
        auxiliary target ``<name>_error``, ``<name>_pred`` and
        ``<name>_far_off`` (its error above the quantile), and ``worst_aux``
        (the target whose error has the highest percentile rank).
    summary : pandas.DataFrame
        One row per auxiliary target: ``kind``, ``spearman`` and
        ``spearman_pvalue`` (rank correlation of main and auxiliary errors),
        ``auroc`` (auxiliary error flagging large main errors), ``lift`` and
        ``aux_score`` (R^2 or accuracy of the auxiliary head).
    aux_names : list of str
        Auxiliary target names.

    Attributes
    ----------
    best_aux : str
        The auxiliary target whose error best flags large main errors
        (highest AUROC).
    ax_ : matplotlib Axes
        Set by :meth:`plot`.
    figure_ : matplotlib Figure
        Set by :meth:`plot`.

    Examples
    --------
    >>> from skmtlx.auxiliary import AuxiliaryTargetMTLRegressor
    >>> from skmtlx.datasets import make_auxiliary_regression
    >>> X, y, aux = make_auxiliary_regression(n_samples=300, random_state=0)
    >>> reg = AuxiliaryTargetMTLRegressor((16,), max_epochs=20, random_state=0)
    >>> explanation = reg.fit(X, y, aux=aux).explain_errors(X, y, aux)
    >>> list(explanation.summary.index)
    ['factor', 'control']
    >>> explanation.best_aux
    'factor'
    """

    def __init__(self, per_sample, summary, aux_names):
        self.per_sample = per_sample
        self.summary = summary
        self.aux_names = aux_names

    @property
    def best_aux(self):
        """Name of the auxiliary target with the highest AUROC (None when none is defined)."""
        auroc = self.summary["auroc"]
        if auroc.isna().all():
            return None
        return str(auroc.idxmax())

    def __repr__(self):
        n_samples = len(self.per_sample)
        return f"AuxiliaryErrorExplanation(n_samples={n_samples}, summary=\n{self.summary})"

    def plot(self, kind="summary", aux_name=None, ax=None):
        """Plot the explanation.

        Parameters
        ----------
        kind : {"summary", "scatter"}, default="summary"
            ``"summary"``: AUROC of each auxiliary error for flagging large
            main errors (0.5 is chance), annotated with the Spearman
            correlation. ``"scatter"``: per-sample main error against the
            auxiliary error of ``aux_name``, large main errors highlighted.
        aux_name : str, default=None
            Auxiliary target of the scatter plot; defaults to
            :attr:`best_aux`.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure otherwise.

        Returns
        -------
        self : AuxiliaryErrorExplanation
        """
        import matplotlib.pyplot as plt

        if ax is None:
            size = (6, 0.6 * len(self.aux_names) + 2) if kind == "summary" else (5, 4)
            _, ax = plt.subplots(figsize=size)
        if kind == "summary":
            auroc = self.summary["auroc"].fillna(0.5).to_numpy()
            positions = np.arange(len(self.aux_names))
            ax.barh(positions, auroc - 0.5, left=0.5, color="tab:blue")
            ax.axvline(0.5, color="grey", linestyle="--", linewidth=1)
            for pos, value, rho in zip(positions, auroc, self.summary["spearman"]):
                ax.text(max(value, 0.5) + 0.01, pos, f"rho={rho:.2f}", va="center", fontsize=8)
            ax.set_yticks(positions, self.aux_names)
            ax.set_xlim(0, 1.1)
            ax.set_xlabel("AUROC of auxiliary error for flagging large main errors")
            ax.set_title("Main-task errors explained by auxiliary errors")
        elif kind == "scatter":
            name = self.best_aux if aux_name is None else aux_name
            if name not in self.aux_names:
                raise ValueError(f"aux_name must be one of {self.aux_names}, got {name!r}.")
            large = self.per_sample["main_large_error"].to_numpy()
            aux_error = self.per_sample[f"{name}_error"].to_numpy()
            main_error = self.per_sample["main_error"].to_numpy()
            ax.scatter(aux_error[~large], main_error[~large], s=8, alpha=0.5, label="other")
            ax.scatter(aux_error[large], main_error[large], s=8, alpha=0.8, color="tab:red",
                       label="large main error")
            ax.set_xlabel(f"error of auxiliary target {name!r}")
            ax.set_ylabel("main error")
            ax.legend(loc="best")
        else:
            raise ValueError(f"kind must be 'summary' or 'scatter', got {kind!r}.")
        self.ax_ = ax
        self.figure_ = ax.figure
        return self
