"""Numerical feature embeddings in the black box of the additive estimators (issue 28, item 3).

The additive fidelity estimators' black box is ``f = g + MLP``; its MLP reads
the raw features, or, with ``numerical_embedding``, their piecewise-linear
encoding on quantile bins (``"piecewise_linear"``) or learned periodic
embeddings (``"periodic"``; Gorishniy et al., NeurIPS 2022). In one process,
on the fidelity datasets' paper splits (``skmtlx.datasets``), every variant is
fitted side by side (``surrogate="additive"``, default settings otherwise;
``--interactions`` adds GA2M pairs) at each ``--fidelity-weights`` value and
seed; the script prints, per dataset, variant and weight, the test score of
``f`` (MSE in standardized units, lower is better; accuracy, higher is
better), the global fidelity GF = mean((f - g)^2) on the test rows, epochs
and fit time (means over seeds, and every seed's score), its command line and
its wall time. Run::

    SKMTLX_DATA_HOME=../shared/data OMP_NUM_THREADS=1 python benchmarks/black_box_embeddings.py
"""

import argparse

import numpy as np
import pandas as pd

import skmtlx
from _common import finish_run, print_table, start_run
from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx.datasets import load_fidelity_dataset
from skmtlx.metrics import fidelity_tradeoff

DATASETS = ("autompg", "titanic", "wine", "housing", "adult")
EMBEDDINGS = ("none", "piecewise_linear", "periodic")
# seeds per dataset by default: adult and housing are slow
SEEDS = {"autompg": 3, "titanic": 3, "wine": 3, "housing": 2, "adult": 1}


def run_dataset(name, args):
    loaded = load_fidelity_dataset(name)
    regression = loaded.task == "regression"
    data = loaded.paper
    X_train, X_test = np.asarray(data.X_train, float), np.asarray(data.X_test, float)
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    Estimator = FidelityMTLRegressor if regression else FidelityMTLClassifier
    rows = []
    for seed in range(args.seeds or SEEDS[name]):
        for interactions in args.interactions:
            for embedding in args.embeddings:
                template = Estimator(
                    surrogate="additive", interactions=interactions, random_state=seed,
                    numerical_embedding=None if embedding == "none" else embedding)
                frame = fidelity_tradeoff(template, X_train, y_train, X_test, y_test,
                                          fidelity_weights=args.fidelity_weights,
                                          post_hoc=False)
                frame["embedding"], frame["interactions"] = embedding, interactions
                frame["seed"] = seed
                rows.append(frame)
        print(f"  {name} seed {seed} done", flush=True)
    frame = pd.concat(rows, ignore_index=True)
    frame["dataset"] = name
    return frame


def summarise(frame):
    keys = ["dataset", "metric", "interactions", "fidelity_weight", "embedding"]
    table = frame.groupby(keys, sort=False).agg(
        score=("score", "mean"), score_sd=("score", "std"), gf=("gf", "mean"),
        fit_time=("fit_time", "mean"), seeds=("seed", "size"),
        per_seed=("score", lambda s: " ".join(f"{v:.4f}" for v in s))).reset_index()
    table["score_sd"] = table["score_sd"].fillna(0.0)
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    parser.add_argument("--embeddings", nargs="+", default=list(EMBEDDINGS),
                        choices=EMBEDDINGS)
    parser.add_argument("--fidelity-weights", nargs="+", type=float, default=[0.1, 0.3])
    parser.add_argument("--interactions", nargs="+", type=int, default=[0])
    parser.add_argument("--seeds", type=int, default=None,
                        help="seeds 0..N-1 on every set (default: adult 1, housing 2, others 3)")
    parser.add_argument("--out", default=None, help="CSV of every fit")
    args = parser.parse_args()
    clock = start_run()
    print(f"skmtlx from {skmtlx.__file__}", flush=True)
    frames = []
    for name in args.datasets:
        frames.append(run_dataset(name, args))
        table = summarise(frames[-1])
        print_table(table.to_dict("records"), {
            "dataset": "<8", "metric": "<8", "interactions": ">3d", "fidelity_weight": ">5.2f",
            "embedding": "<16", "score": ">7.4f", "score_sd": ">7.4f", "gf": ">7.4f",
            "fit_time": ">7.1f", "seeds": ">2d", "per_seed": "<28",
        }, title=f"\n{name}: test score of f (mean over seeds), GF on the test rows, fit s")
    if args.out:
        pd.concat(frames, ignore_index=True).to_csv(args.out, index=False)
    finish_run(clock)


if __name__ == "__main__":
    main()
