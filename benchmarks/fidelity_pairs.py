"""The additive surrogate's interaction terms during joint training: kept or trained.

The pairs enter ``g``'s head at the ridge start's shape and scale
(``skmtlx.fidelity._base.FixedColumnsLinear``). This script measures that
choice against the alternative it replaced, training each pair's scale
(``--modes trained``: the pairs' head columns as ordinary weights), and
against no pairs (``none``), on the same splits and seeds: diabetes
(scikit-learn's, a 75/25 split per seed, targets standardised on the
training rows) and the fidelity datasets of ``skmtlx.datasets`` (the splits
of ``benchmarks/fidelity_paper.py``), at each ``--fidelity-weights``.

Prints per dataset, fidelity weight and mode the mean (std) over seeds of the
test score of ``f`` and of ``g`` (MSE in standardised units, or accuracy),
the global fidelity on the test rows, and the standard deviation of the
pairs' contribution to ``g`` on the training rows at the start and after
training; then its command line and wall time. Run::

    SKMTLX_DATA_HOME=../shared/data python benchmarks/fidelity_pairs.py \\
        --datasets diabetes autompg wine --seeds 5
"""

import argparse
import sys
import time
from unittest import mock

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import load_diabetes
from sklearn.metrics import accuracy_score, mean_squared_error
from sklearn.model_selection import train_test_split

from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx.datasets import load_fidelity_dataset
from skmtlx.fidelity import _base
from skmtlx.metrics import global_fidelity

MODES = ("none", "kept", "trained")


def trainable_columns_linear(weight, bias, n_trained):
    """The replaced behaviour: every head column, the pairs' included, trains."""
    weight = torch.as_tensor(weight, dtype=torch.float32)
    layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
    with torch.no_grad():
        layer.weight.copy_(weight)
        layer.bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return layer


def load(name, seed):
    if name == "diabetes":
        X, y = load_diabetes(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=seed)
        mean, scale = y_train.mean(), y_train.std()
        return X_train, X_test, (y_train - mean) / scale, (y_test - mean) / scale, True
    loaded = load_fidelity_dataset(name)
    data = loaded.paper
    return (np.asarray(data.X_train, float), np.asarray(data.X_test, float),
            np.asarray(data.y_train), np.asarray(data.y_test), loaded.task == "regression")


def pairs_std(model, X, weight=None):
    """Std over ``X`` of the pairs' contribution to ``g`` (mean over outputs)."""
    inputs = model._surrogate_inputs
    layer = model.net_.module_.linear
    weight = layer.weight.detach().double().numpy() if weight is None else weight
    columns = inputs.transform(X)[:, X.shape[1] + inputs.n_shape_columns_:]
    return float(np.mean(np.std(columns @ weight[:, inputs.n_shape_columns_:].T, axis=0)))


def fit_one(name, seed, fidelity_weight, mode, interactions):
    X_train, X_test, y_train, y_test, regression = load(name, seed)
    Estimator = FidelityMTLRegressor if regression else FidelityMTLClassifier
    metric = mean_squared_error if regression else accuracy_score
    model = Estimator(surrogate="additive", interactions=0 if mode == "none" else interactions,
                      fidelity_weight=fidelity_weight, random_state=seed)
    starts = []
    build = (trainable_columns_linear if mode == "trained" else _base.FixedColumnsLinear)

    def recording(weight, bias, n_trained):
        starts.append(np.asarray(weight, dtype=np.float64))
        return build(weight, bias, n_trained)

    with mock.patch.object(_base, "FixedColumnsLinear", recording):
        model.fit(X_train, y_train)
    row = dict(dataset=name, seed=seed, fidelity_weight=fidelity_weight, mode=mode,
               f=metric(y_test, model.predict(X_test)),
               g=metric(y_test, model.predict_surrogate(X_test)),
               gf=global_fidelity(model, X_test, X_train=X_train))
    if mode != "none":
        row.update(pairs_start=pairs_std(model, X_train, starts[-1]),
                   pairs_end=pairs_std(model, X_train))
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["diabetes"],
                        choices=["diabetes", "wine", "adult", "housing", "titanic", "autompg"])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--fidelity-weights", type=float, nargs="+", default=[0.5, 0.8])
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--interactions", type=int, default=None,
                        help="pairs (default: 2 on diabetes, 10 on the others)")
    args = parser.parse_args()
    print("command: python " + " ".join(sys.argv), flush=True)
    start = time.perf_counter()
    rows = []
    for name in args.datasets:
        interactions = args.interactions or (2 if name == "diabetes" else 10)
        for seed in range(args.seeds):
            for fidelity_weight in args.fidelity_weights:
                for mode in args.modes:
                    rows.append(fit_one(name, seed, fidelity_weight, mode, interactions))
        frame = pd.DataFrame([row for row in rows if row["dataset"] == name])
        columns = [c for c in ("f", "g", "gf", "pairs_start", "pairs_end") if c in frame]
        summary = frame.groupby(["fidelity_weight", "mode"])[columns].agg(["mean", "std"])
        print(f"\n{name} ({interactions} pairs, {args.seeds} seeds)")
        print(summary.round(4).to_string(), flush=True)
    print(f"\nwall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
