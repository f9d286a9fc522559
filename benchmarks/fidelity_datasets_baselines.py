"""Sanity check of the fidelity-paper dataset loaders against the paper's Table 2.

Fits plain scikit-learn models on each dataset as loaded by ``skmtlx.datasets``
(the paper's split and preprocessing) and prints the test metric next to the
paper's STL figures (Charalampakos & Koutsopoulos 2023, Table 2):

* linear: ``LinearRegression`` (regression, standardized-target MSE) or
  ``LogisticRegression`` (classification, accuracy); the paper's linear
  baseline was a one-unit Keras layer trained with Adam, which lands close to
  the closed-form fit;
* MLP: ``MLPRegressor`` / ``MLPClassifier`` (512-256-128, ReLU, Adam,
  early stopping on 10% of the training rows with patience 3, at most
  100 epochs, as the paper), mean over ``--seeds`` seeds.

Run with the data folder set::

    SKMTLX_DATA_HOME=/path/to/shared/data python benchmarks/fidelity_datasets_baselines.py

(without it, the loaders fetch the OpenML copies). Options: ``--seeds N``
(default 1), ``--no-mlp``, ``--datasets NAME ...``. The
MLPs on adult and housing take several minutes each on 2 CPU cores.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.neural_network import MLPClassifier, MLPRegressor

from _common import finish_run, start_run
from skmtlx.datasets import FIDELITY_DATASETS, load_fidelity_dataset

# Table 2 of the paper: (metric, linear, MLP)
PAPER = {
    "wine": ("mse", 0.598, 0.541),
    "adult": ("acc", 0.824, 0.850),
    "housing": ("mse", 0.410, 0.237),
    "titanic": ("acc", 0.774, 0.785),
    "autompg": ("mse", 0.176, 0.098),
}


def score(task, y_true, y_pred):
    if task == "regression":
        return mean_squared_error(y_true, y_pred)
    return accuracy_score(y_true, y_pred)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--no-mlp", action="store_true")
    parser.add_argument(
        "--datasets", nargs="+", choices=FIDELITY_DATASETS, default=FIDELITY_DATASETS
    )
    args = parser.parse_args(argv)
    clock = start_run()
    header = (
        f"{'dataset':<9}{'metric':<7}{'linear':>8}{'paper':>8}{'MLP':>14}{'paper':>8}"
        f"{'time (s)':>10}"
    )
    print(header)
    print("-" * len(header))
    for name in args.datasets:
        t0 = time.perf_counter()
        loaded = load_fidelity_dataset(name)
        regression = loaded.task == "regression"
        data = loaded.paper  # the paper's protocol: preprocessing fitted on the training rows
        linear = LinearRegression() if regression else LogisticRegression(max_iter=5000)
        linear.fit(data.X_train, data.y_train)
        lin = score(loaded.task, data.y_test, linear.predict(data.X_test))
        mlp_txt = "-"
        if not args.no_mlp:
            scores = []
            for seed in range(args.seeds):
                kind = MLPRegressor if regression else MLPClassifier
                mlp = kind(
                    hidden_layer_sizes=(512, 256, 128),
                    early_stopping=True,
                    validation_fraction=0.1,
                    n_iter_no_change=3,
                    max_iter=100,
                    random_state=seed,
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    mlp.fit(data.X_train, data.y_train)
                scores.append(score(loaded.task, data.y_test, mlp.predict(data.X_test)))
            mlp_txt = f"{np.mean(scores):.3f}+-{np.std(scores):.3f}"
        metric, p_lin, p_mlp = PAPER[name]
        print(
            f"{name:<9}{metric:<7}{lin:>8.3f}{p_lin:>8.3f}{mlp_txt:>14}{p_mlp:>8.3f}"
            f"{time.perf_counter() - t0:>10.1f}",
            flush=True,
        )
    finish_run(clock)


if __name__ == "__main__":
    main()
