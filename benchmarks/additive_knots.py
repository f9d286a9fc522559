"""The additive surrogate's ``n_knots="auto"`` rule checked on the training rows only (issue 28).

``"auto"`` (one knot per 256 training rows, clipped to [4, 64]) was chosen
while looking at the test splits of ``fidelity_glassbox.py``. This script
checks it without them: on each fidelity dataset's training rows (the
paper's split of ``skmtlx.datasets``), ``--folds`` inner folds (stratified
for classification, reshuffled ``--repeats`` times); on each, the additive
surrogate's penalised start (ridge with leave-one-out penalty for
regression, logistic with a 3-fold C for classification; read with
``predict_surrogate`` of a joint fit that runs one epoch at ``lr=1e-9``, so
``g`` is that start) fitted on the other folds for every ``--n-knots``
value and ``"auto"``, and scored on the held-out fold: MSE in standardized
units (lower is better) or accuracy.

Prints per dataset the mean and standard error over folds per knot count
(folds of one repeat share rows, so the error is a rough guide), the best
count, the count ``"auto"`` picks on the inner training rows, and whether
``"auto"`` is within one standard error of the best. Run (``PYTHONPATH``
makes a checkout's skmtlx win over an installed one)::

    PYTHONPATH=. SKMTLX_DATA_HOME=../shared/data python benchmarks/additive_knots.py
"""

import argparse

import numpy as np
from _common import finish_run, print_table, start_run
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx.datasets import load_fidelity_dataset

DATASETS = ("autompg", "wine", "titanic", "housing", "adult")
N_KNOTS = (4, 6, 8, 12, 16, 24, 32, 48, 64)


def start_scores(name, n_knots, n_folds, n_repeats, seed):
    """Held-out score of the penalised start per fold and knot setting, on training rows."""
    loaded = load_fidelity_dataset(name)
    regression = loaded.task == "regression"
    X, y = np.asarray(loaded.paper.X_train, float), np.asarray(loaded.paper.y_train)
    Estimator = FidelityMTLRegressor if regression else FidelityMTLClassifier
    metric = mean_squared_error if regression else accuracy_score
    folds = (RepeatedKFold if regression else RepeatedStratifiedKFold)(
        n_splits=n_folds, n_repeats=n_repeats, random_state=seed)
    scores = {k: [] for k in (*n_knots, "auto")}
    auto = []
    for train, valid in folds.split(X, y):
        for k in scores:
            start = Estimator(surrogate="additive", n_knots=k, max_epochs=1, lr=1e-9,
                              early_stopping=False, random_state=seed).fit(X[train], y[train])
            scores[k].append(metric(y[valid], start.predict_surrogate(X[valid])))
            if k == "auto":
                auto.append(start.surrogate_basis_.n_knots_)
    return scores, int(np.median(auto)), len(train), regression


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=DATASETS, default=list(DATASETS))
    parser.add_argument("--n-knots", type=int, nargs="+", default=list(N_KNOTS))
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=1, help="repeats of the folds")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    clock = start_run()
    summary = []
    for name in args.datasets:
        scores, auto_knots, n_rows, regression = start_scores(
            name, args.n_knots, args.folds, args.repeats, args.seed)
        rows = [dict(n_knots=str(k), mean=np.mean(v),
                     se=np.std(v, ddof=1) / np.sqrt(len(v))) for k, v in scores.items()]
        print_table(rows, {"n_knots": "<6", "mean": ">8.4f", "se": ">7.4f"},
                    title=f"\n{name}: inner training rows {n_rows}, "
                          f"{'MSE' if regression else 'accuracy'} on the held-out fold")
        fixed = rows[:-1]
        best = (min if regression else max)(fixed, key=lambda row: row["mean"])
        gap = rows[-1]["mean"] - best["mean"]
        summary.append(dict(dataset=name, rows=n_rows, auto=auto_knots, best=best["n_knots"],
                            auto_score=rows[-1]["mean"], best_score=best["mean"],
                            gap=gap, best_se=best["se"],
                            within_se=bool(abs(gap) <= best["se"])))
        print_table(summary, {"dataset": "<8", "rows": ">6d", "auto": ">5d", "best": ">5",
                              "auto_score": ">10.4f", "best_score": ">10.4f", "gap": ">+8.4f",
                              "best_se": ">7.4f", "within_se": ">9"},
                    title="\nauto against the best fixed knot count (gap: auto - best)")
    finish_run(clock)


if __name__ == "__main__":
    main()
