"""The multi-output layout of SparseTaskGraphMTL: a 2-d Y against the stacked layout.

Run with ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/task_graph_multioutput.py``.
Fits ``SparseTaskGraphMTL`` on a 2-d ``Y`` (one task per column, every task on
the same rows) and on the same data stacked (``tasks=``, one block of rows per
column) and prints the largest difference of their predictions (target of
issue 30: at most 1e-8), on a synthetic multi-output set and on SARCOS (7 joint
torques; skipped when the file is missing), with the test R^2 of each torque
against independent ridge models (``sklearn.multioutput.MultiOutputRegressor``)
on a 75/25 split, and both graphs.
"""

import sys
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.multioutput import MultiOutputRegressor
from sklearn.preprocessing import StandardScaler

from skmtlx.datasets import load_sarcos
from skmtlx.task_graph import SparseTaskGraphMTL


def compare(name, X, Y):
    """Fit both layouts on a 75/25 split; print the gap and per-task test R^2."""
    X_train, X_test, Y_train, Y_test = train_test_split(X, Y, test_size=0.25, random_state=0)
    names = list(Y.columns)
    Y_train, Y_test = Y_train.to_numpy(), Y_test.to_numpy()
    t0 = time.perf_counter()
    multi = SparseTaskGraphMTL(random_state=0).fit(X_train, pd.DataFrame(Y_train, columns=names))
    seconds = time.perf_counter() - t0
    n, m = Y_train.shape
    stacked = SparseTaskGraphMTL(random_state=0).fit(
        np.tile(X_train, (m, 1)), Y_train.T.ravel(), tasks=np.repeat(names, n))
    pred = multi.predict(X_test)
    gap = max(np.max(np.abs(pred[:, k] - stacked.predict(X_test, tasks=[c] * len(X_test))))
              for k, c in enumerate(names))
    ridge = MultiOutputRegressor(Ridge(alpha=1e-3)).fit(X_train, Y_train).predict(X_test)
    print(f"{name}: {n} rows x {m} tasks, fit {seconds:.1f}s | max |multi - stacked| "
          f"{gap:.2e} | predict shape {pred.shape}", flush=True)
    print("  test R^2 per task (graph / independent ridge): " + ", ".join(
        f"{c} {r2_score(Y_test[:, k], pred[:, k]):.3f}/{r2_score(Y_test[:, k], ridge[:, k]):.3f}"
        for k, c in enumerate(names)), flush=True)
    print(f"  predictive graph {multi.edges_.tolist()} | relatedness graph "
          f"({multi.relatedness_.method}) {multi.relatedness_.edges.tolist()} strength "
          f"{np.round(multi.relatedness_.strength, 2).tolist()} confidence "
          f"{np.round(multi.relatedness_.confidence, 2).tolist()}", flush=True)


def main():
    print("command: python " + " ".join(sys.argv), flush=True)
    rng = np.random.RandomState(0)
    n, d = 300, 5
    X = rng.randn(n, d)
    W = rng.randn(3, d)[[0, 0, 1, 1, 2, 2]] + 0.05 * rng.randn(6, d)
    Y = pd.DataFrame(X @ W.T + 0.3 * rng.randn(n, 6), columns=list("fedcba"))
    compare("synthetic (3 pairs of alike tasks)", X, Y)
    try:
        sarcos = load_sarcos()
    except OSError as exc:
        print(f"SARCOS skipped: {exc}")
        return
    X = StandardScaler().fit_transform(np.asarray(sarcos.data))
    compare("SARCOS", X, pd.DataFrame(np.asarray(sarcos.target), columns=sarcos.target_names))


if __name__ == "__main__":
    main()
