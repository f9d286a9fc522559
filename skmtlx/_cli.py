"""The ``skmtlx`` command line: ``skmtlx demo`` trains the fidelity MTL on bundled data."""

import argparse
import time

import numpy as np
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from .fidelity import FidelityMTLClassifier, FidelityMTLRegressor
from .metrics import fidelity_r2, global_fidelity

DEMO_FIDELITY_WEIGHTS = (0.9, 0.7, 0.5, 0.3, 0.1)


def _load(task):
    if task == "regression":
        data = load_diabetes(as_frame=True)
        X, y = data.data, (data.target - data.target.mean()) / data.target.std()
    else:
        data = load_breast_cancer(as_frame=True)
        X, y = data.data, data.target
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=None if task == "regression" else y
    )
    scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def run_demo(task, *, max_epochs, random_state):
    """Train the fidelity MTL over several fidelity weights plus the post-hoc baseline.

    Returns the rows of the printed table as dicts.
    """
    X_train, X_test, y_train, y_test = _load(task)
    if task == "regression":
        estimator, metric, name = FidelityMTLRegressor, mean_squared_error, "test MSE"
    else:
        estimator, metric, name = FidelityMTLClassifier, accuracy_score, "test acc"
    settings = [("post-hoc", dict(surrogate_fit="post_hoc"))] + [
        (f"{weight:.1f}", dict(fidelity_weight=weight)) for weight in DEMO_FIDELITY_WEIGHTS
    ]
    print(f"\n== {task}: {'diabetes' if task == 'regression' else 'breast cancer'} "
          f"({len(X_train)} train / {len(X_test)} test rows) ==")
    print(f"{'f_weight':>8} {name:>9} {'GF':>9} {'R2(f,g)':>8} {'epochs':>6}", flush=True)
    rows = []
    for label, params in settings:
        est = estimator(
            hidden_layer_sizes=(64, 32), max_epochs=max_epochs, lr=3e-3,
            random_state=random_state, **params,
        ).fit(X_train, y_train)
        gf, r2 = global_fidelity(est, X_test), fidelity_r2(est, X_test)
        score = metric(y_test, est.predict(X_test))
        rows.append(
            {"fidelity_weight": label, "score": score, "gf": gf, "r2_fg": r2, "estimator": est}
        )
        print(f"{label:>8} {score:9.4f} {gf:9.5f} {r2:8.3f} {est.n_iter_:6d}", flush=True)
    best = rows[1]["estimator"]
    top = best.explain(X_test).global_importances(
        None if task == "regression" else best.classes_[1]
    ).head(5)
    print(f"top attributions (fidelity_weight={rows[1]['fidelity_weight']}, "
          "mean |coef * (x - mean)|):")
    for feature, value in top.items():
        print(f"  {feature:<24} {value:.4f}")
    return rows


def _plot(results, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from .plotting import FidelityTradeoffDisplay

    fig, axes = plt.subplots(1, len(results), figsize=(6.5 * len(results), 5.2))
    for ax, (task, rows) in zip(np.atleast_1d(axes), results.items()):
        frame = pd.DataFrame({
            "model": ["post_hoc" if row["fidelity_weight"] == "post-hoc" else "joint"
                      for row in rows],
            "fidelity_weight": [
                None if row["fidelity_weight"] == "post-hoc" else float(row["fidelity_weight"])
                for row in rows
            ],
            "metric": "mse" if task == "regression" else "accuracy",
            "score": [row["score"] for row in rows],
            "gf": [row["gf"] for row in rows],
        })
        FidelityTradeoffDisplay.from_frame(frame, ax=ax)
        if task == "regression":
            ax.set_title("diabetes (regression)")
            ax.set_ylabel("test MSE (standardised target, units of its variance)")
            ax.set_xlabel("global fidelity: test mean of (g(x) - f(x))²\n"
                          "(standardised target, units of its variance)")
        else:
            ax.set_title("breast cancer (classification)")
            ax.set_ylabel("test accuracy (fraction of rows correct)")
            ax.set_xlabel("global fidelity: test mean of (g(x) - f(x))²\n"
                          "(f, g: probabilities of the positive class)")
    fig.suptitle("Prediction against fidelity (lower is more faithful); "
                 "numbers: alpha, the weight of the prediction loss")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv=None):
    """Entry point of the ``skmtlx`` console script."""
    parser = argparse.ArgumentParser(prog="skmtlx", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="fidelity MTL over several fidelity weights on bundled data"
    )
    demo.add_argument("--task", choices=["regression", "classification", "both"], default="both")
    demo.add_argument("--max-epochs", type=int, default=100)
    demo.add_argument("--random-state", type=int, default=0)
    demo.add_argument("--plot", metavar="FILE.png", help="save the trade-off figure")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    tasks = ["regression", "classification"] if args.task == "both" else [args.task]
    results = {
        task: run_demo(task, max_epochs=args.max_epochs, random_state=args.random_state)
        for task in tasks
    }
    if args.plot:
        _plot(results, args.plot)
        print(f"\ntrade-off figure written to {args.plot}")
    print(f"\ndone in {time.perf_counter() - start:.1f} s")
    return 0
