"""Faithful explanations against the glass-box peer: skmtlx's fronts beside EBM (issue 28).

In one process, on the splits of ``benchmarks/fidelity_paper.py`` (the five
fidelity datasets of ``skmtlx.datasets``) and its seeds 0 .. ``--seeds``-1:

* linear: ``LinearRegression`` / ``LogisticRegression``;
* EBM without interactions and EBM default (``interpret``'s Explainable
  Boosting Machine; a glass box, so its GF is 0);
* skmtlx post-hoc: the default black box, its surrogate fitted afterwards;
* skmtlx joint linear, joint additive and joint additive with
  ``--interactions`` pairwise terms (GA2M, the family EBM default belongs
  to) over the ``fidelity_weight`` grid, default settings otherwise
  (``--families`` runs some of them).

Prints, per dataset, the test score (MSE in standardized units or accuracy),
global fidelity (GF) and fit time (mean over seeds), the faithful point of
each front (the smallest ``fidelity_weight`` whose GF is at most a tenth of
the post-hoc GF of the same surrogate family; ``fidelity_weight = 1 -
alpha`` of the paper), the best point of each additive front, and the
issue's checks;
writes ``fidelity_glassbox.csv`` (every fit) and ``fidelity_glassbox.png``
(score vs GF, EBM marked) to ``--out``; prints its command line and wall
time. ``interpret`` is a benchmark extra: ``pip install -e ".[benchmark]"``.
Run::

    SKMTLX_DATA_HOME=../shared/data python benchmarks/fidelity_glassbox.py --seeds 5

The default black box is compared with the tuned setting of
``fidelity_paper.py`` (its 5-seed STL MLP scores, or ``--tuned`` to refit it
here: slow, it cross-validates the small sets).
"""

import argparse
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.metrics import accuracy_score, mean_squared_error  # noqa: E402

from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor  # noqa: E402
from skmtlx.datasets import load_fidelity_dataset  # noqa: E402
from skmtlx.metrics import fidelity_tradeoff  # noqa: E402

DATASETS = ("wine", "adult", "housing", "titanic", "autompg")
FIDELITY_WEIGHTS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1)
# The STL MLP of benchmarks/fidelity_paper.py, 5 seeds (doc/metrics.rst).
TUNED_STL = {"wine": 0.549, "adult": 0.852, "housing": 0.204, "titanic": 0.774,
             "autompg": 0.095}


def _timed_fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return model, time.perf_counter() - start


def run_dataset(name, args):
    loaded = load_fidelity_dataset(name)
    regression = loaded.task == "regression"
    data = loaded.paper  # the paper's protocol: preprocessing fitted on the training rows
    X_train, X_test = np.asarray(data.X_train, float), np.asarray(data.X_test, float)
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    metric = mean_squared_error if regression else accuracy_score
    Estimator = FidelityMTLRegressor if regression else FidelityMTLClassifier
    from interpret.glassbox import ExplainableBoostingClassifier, ExplainableBoostingRegressor

    EBM = ExplainableBoostingRegressor if regression else ExplainableBoostingClassifier
    tuned = None
    if args.tuned:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from fidelity_paper import paper_template

        tuned, _ = paper_template(regression, X_train, y_train, n_jobs=args.n_jobs)
    rows = []
    linear, seconds = _timed_fit(
        LinearRegression() if regression else LogisticRegression(max_iter=5000), X_train, y_train
    )
    rows.append(dict(model="linear", score=metric(y_test, linear.predict(X_test)), gf=np.nan,
                     fit_time=seconds, seed=0))
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        ebms = [("ebm_no_interactions", dict(interactions=0))]
        if seed - args.first_seed < args.ebm_default_seeds:
            ebms.append(("ebm", {}))
        for model, params in ebms:
            ebm, seconds = _timed_fit(EBM(random_state=seed, **params), X_train, y_train)
            rows.append(dict(model=model, score=metric(y_test, ebm.predict(X_test)), gf=0.0,
                             fit_time=seconds, seed=seed))
        if tuned is not None:
            stl, seconds = _timed_fit(clone(tuned).set_params(random_state=seed), X_train,
                                      y_train)
            rows.append(dict(model="post_hoc_tuned", score=metric(y_test, stl.predict(X_test)),
                             fit_time=seconds, seed=seed))
        for family in args.families:
            params = {"linear": dict(surrogate="linear"), "additive": dict(surrogate="additive"),
                      "ga2m": dict(surrogate="additive", interactions=args.interactions)}[family]
            frame = fidelity_tradeoff(
                Estimator(random_state=seed, **params), X_train, y_train, X_test,
                y_test, fidelity_weights=args.fidelity_weights, n_jobs=args.n_jobs,
            )
            frame["model"] = frame["model"] + "_" + family
            frame["seed"] = seed
            rows += frame.drop(columns=["metric", "r2_fg"]).to_dict("records")
        print(f"  {name} seed {seed} done", flush=True)
    frame = pd.DataFrame(rows)
    frame["dataset"] = name
    frame["metric"] = "mse" if regression else "accuracy"
    return frame


def summarise(frame):
    """Mean over seeds per model (and fidelity weight), then the faithful and best points."""
    name, metric = frame["dataset"].iloc[0], frame["metric"].iloc[0]
    better = (lambda a, b: a > b) if metric == "accuracy" else (lambda a, b: a < b)
    means = frame.groupby(["model", "fidelity_weight"], dropna=False)[
        ["score", "gf", "fit_time"]].mean().reset_index()
    single = {row.model: row for row in means[means.fidelity_weight.isna()].itertuples()}
    summary = {"dataset": name, "metric": metric}
    for model in ("linear", "ebm_no_interactions", "ebm", "post_hoc_linear", "post_hoc_tuned"):
        summary[model] = single[model].score if model in single else np.nan
        summary[f"{model}_time"] = single[model].fit_time if model in single else np.nan
    summary["tuned_reference"] = single["post_hoc_tuned"].score if (
        "post_hoc_tuned" in single) else TUNED_STL[name]
    for surrogate in ("linear", "additive", "ga2m"):
        front = means[means.model == f"joint_{surrogate}"].sort_values("fidelity_weight")
        if front.empty:  # a family left out by --families
            for key in ("faithful_{}_w", "faithful_{}", "faithful_{}_gf", "{}_time",
                        "best_{}_w", "best_{}"):
                summary[key.format(surrogate)] = np.nan
            continue
        budget = single[f"post_hoc_{surrogate}"].gf / 10
        faithful = front[front.gf <= budget]
        point = faithful.iloc[0] if len(faithful) else front.iloc[-1]
        summary[f"faithful_{surrogate}_w"] = point.fidelity_weight
        summary[f"faithful_{surrogate}"] = point.score
        summary[f"faithful_{surrogate}_gf"] = point.gf
        summary[f"{surrogate}_time"] = front.fit_time.mean()
        best = front.loc[front.score.idxmax() if metric == "accuracy" else front.score.idxmin()]
        summary[f"best_{surrogate}_w"] = best.fidelity_weight
        summary[f"best_{surrogate}"] = best.score
    summary["additive_vs_ebm_no_int"] = _gap(summary["faithful_additive"],
                                             summary["ebm_no_interactions"], metric)
    summary["defaults_vs_tuned"] = _gap(summary["post_hoc_linear"], summary["tuned_reference"],
                                        metric)
    for surrogate in ("additive", "ga2m"):
        summary[f"best_{surrogate}_beats_ebm"] = (
            not better(summary["ebm"], summary[f"best_{surrogate}"])
            if "ebm" in single and not np.isnan(summary[f"best_{surrogate}"]) else "n/a")
    summary["time_ratio"] = summary["additive_time"] / summary["ebm_no_interactions_time"]
    summary["ga2m_time_ratio"] = summary["ga2m_time"] / summary["ebm_no_interactions_time"]
    return summary


def _gap(ours, theirs, metric):
    """How much worse ``ours`` is: relative MSE increase, or accuracy points lost."""
    if metric == "accuracy":
        return 100 * (theirs - ours)
    return 100 * (ours - theirs) / theirs


def print_summary(summaries):
    print("\nscore (MSE standardized, lower better; accuracy, higher better), mean over seeds")
    head = (f"{'set':<8} {'linear':>7} {'EBM-noi':>7} {'EBM':>7} {'post-hoc':>8} {'tuned':>7} "
            f"{'faithful lin (w, GF)':>24} {'faithful add (w, GF)':>24} {'best add (w)':>14} "
            f"{'faithful GA2M (w, GF)':>24} {'best GA2M (w)':>14}")
    print(head)
    for s in summaries:
        print(f"{s['dataset']:<8} {s['linear']:7.3f} {s['ebm_no_interactions']:7.3f} "
              f"{s['ebm']:7.3f} {s['post_hoc_linear']:8.3f} {s['tuned_reference']:7.3f} "
              + "".join(f"{s[f'faithful_{f}']:11.3f} ({s[f'faithful_{f}_w']:.1f}, "
                        f"{s[f'faithful_{f}_gf']:.4f})"
                        + ("" if f == "linear" else
                           f" {s[f'best_{f}']:7.3f} ({s[f'best_{f}_w']:.1f})")
                        for f in ("linear", "additive", "ga2m")))
    print("\nchecks (gap: % MSE or accuracy points worse; negative is better)")
    print(f"{'set':<8} {'faithful add vs EBM-noi':>24} {'defaults vs tuned':>18} "
          f"{'best add >= EBM':>16} {'best GA2M >= EBM':>17} {'fit time add/EBM-noi':>21} "
          f"{'GA2M/EBM-noi':>13}")
    for s in summaries:
        print(f"{s['dataset']:<8} {s['additive_vs_ebm_no_int']:+24.2f} "
              f"{s['defaults_vs_tuned']:+18.2f} {str(s['best_additive_beats_ebm']):>16} "
              f"{str(s['best_ga2m_beats_ebm']):>17} {s['time_ratio']:21.2f} "
              f"{s['ga2m_time_ratio']:13.2f}")


def plot(frame, summaries, path):
    fig, axes = plt.subplots(1, len(summaries), figsize=(4.5 * len(summaries), 4),
                             squeeze=False)
    for ax, s in zip(axes[0], summaries):
        data = frame[frame.dataset == s["dataset"]]
        means = data.groupby(["model", "fidelity_weight"], dropna=False)[
            ["score", "gf"]].mean().reset_index()
        for surrogate, color in (("linear", "tab:blue"), ("additive", "tab:green"),
                                 ("ga2m", "tab:purple")):
            front = means[means.model == f"joint_{surrogate}"].sort_values("fidelity_weight")
            if front.empty:
                continue
            ax.plot(front.gf, front.score, "o-", color=color, label=f"joint {surrogate}")
            post = means[means.model == f"post_hoc_{surrogate}"]
            ax.plot(post.gf, post.score, "s", color=color, markeredgecolor="black",
                    label=f"post-hoc {surrogate}")
        left = means.gf[means.gf > 0].min() / 3
        for model, marker in (("ebm_no_interactions", "*"), ("ebm", "P")):
            if not (means.model == model).any():
                continue
            score = means[means.model == model].score.iloc[0]
            ax.axhline(score, color="tab:red", linestyle=":" if marker == "*" else "--",
                       linewidth=1)
            ax.plot(left, score, marker, color="tab:red", markersize=12,
                    label="EBM (GF 0)" if model == "ebm" else "EBM, no interactions (GF 0)")
        ax.set_xscale("log")
        ax.set_xlabel("global fidelity (mean squared g - f)")
        ax.set_ylabel(s["metric"])
        ax.set_title(s["dataset"])
    axes[0][0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="seeds first .. first + seeds - 1 (to extend an earlier run)")
    parser.add_argument("--fidelity-weights", type=float, nargs="+",
                        default=list(FIDELITY_WEIGHTS))
    parser.add_argument("--ebm-default-seeds", type=int, default=None,
                        help="fit EBM default (slow: interactions) on the first N seeds only")
    parser.add_argument("--tuned", action="store_true",
                        help="refit fidelity_paper.py's tuned STL MLP here (slow)")
    parser.add_argument("--families", nargs="+", choices=("linear", "additive", "ga2m"),
                        default=["linear", "additive", "ga2m"], help="skmtlx fronts to run")
    parser.add_argument("--interactions", type=int, default=10,
                        help="pairwise terms of the GA2M front")
    parser.add_argument("--n-jobs", type=int, default=2, help="skmtlx fits run in parallel")
    parser.add_argument("--out", default="benchmarks/results")
    args = parser.parse_args()
    if args.ebm_default_seeds is None:
        args.ebm_default_seeds = args.seeds
    print("command: python " + " ".join(sys.argv), flush=True)
    os.makedirs(args.out, exist_ok=True)
    start = time.perf_counter()
    frames, summaries = [], []
    for name in args.datasets:  # results so far are printed and written after each dataset
        frames.append(run_dataset(name, args))
        summaries.append(summarise(frames[-1]))
        print_summary(summaries)
        frame = pd.concat(frames, ignore_index=True)
        frame.to_csv(os.path.join(args.out, "fidelity_glassbox.csv"), index=False)
    plot(frame, summaries, os.path.join(args.out, "fidelity_glassbox.png"))
    print(f"\nwrote {args.out}/fidelity_glassbox.csv and .png; "
          f"wall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
