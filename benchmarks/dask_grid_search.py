"""GridSearchCV over the fidelity weight, sequential vs a dask LocalCluster.

A ``FidelityMTLClassifier`` on adult (the paper's preprocessing, ``--rows``
training rows drawn at random) is searched over 6 values of the fidelity
weight with 5-fold cross-validation (30 fits), once sequentially in this
process and once inside ``joblib.parallel_backend("dask")`` on a
``LocalCluster`` of ``--workers`` single-threaded worker processes (torch uses
one thread in both runs). Prints both wall times, their ratio, and whether
the ``cv_results_`` test scores are identical. Run::

    SKMTLX_DATA_HOME=../shared/data OMP_NUM_THREADS=1 python benchmarks/dask_grid_search.py
"""

import argparse
import sys
import time

import joblib
import numpy as np
import torch
from distributed import Client, LocalCluster
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skmtlx import FidelityMTLClassifier
from skmtlx.datasets import load_fidelity_dataset

FIDELITY_WEIGHT = "fidelity_weight"
"""Name of the fidelity estimators' fidelity-weight parameter (to become "fidelity_weight")."""

GRID = (0.1, 0.25, 0.4, 0.6, 0.75, 0.9)
"""Symmetric about 0.5, so it is the same grid for ``alpha`` and ``1 - alpha``."""


def search(X, y, args):
    estimator = FidelityMTLClassifier(hidden_layer_sizes=(64,), max_epochs=args.max_epochs,
                                      batch_size=256, random_state=0)
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    grid = GridSearchCV(estimator, {FIDELITY_WEIGHT: list(GRID)}, cv=folds, refit=False)
    start = time.perf_counter()
    grid.fit(X, y)
    return time.perf_counter() - start, grid.cv_results_


def _warm_up():
    import skmtlx  # noqa: F401

    torch.set_num_threads(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = load_fidelity_dataset("adult")
    X, y = np.asarray(data.X_train, np.float64), np.asarray(data.y_train)
    rows = np.random.RandomState(0).choice(len(X), min(args.rows, len(X)), replace=False)
    X, y = X[rows], y[rows]
    print(f"command: python {' '.join(sys.argv)}")
    print(f"adult: {len(X)} rows, {X.shape[1]} features; GridSearchCV 5 folds x {len(GRID)} "
          f"values of {FIDELITY_WEIGHT}, {args.max_epochs} epochs per fit")
    sequential, results = search(X, y, args)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(_warm_up)  # imports in the workers, as this process has done already
        with joblib.parallel_backend("dask"):
            distributed, results_dask = search(X, y, args)
    keys = [k for k in results if k.endswith("_test_score")]
    identical = all(np.array_equal(results[k], results_dask[k]) for k in keys)
    print(f"sequential:                     {sequential:7.1f} s")
    print(f"dask LocalCluster, {args.workers} workers:   {distributed:7.1f} s "
          f"(cluster start not included)")
    print(f"speed-up: {sequential / distributed:.2f}x; cv_results_ test scores identical: "
          f"{identical}")
    print("mean test accuracy per value:",
          {value: round(float(score), 4)
           for value, score in zip(GRID, results["mean_test_score"])})


if __name__ == "__main__":
    main()
