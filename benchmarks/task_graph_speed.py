"""Fit time of SparseTaskGraphMTL on real data, side by side with other checkouts.

Run with ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/task_graph_speed.py
[--n-jobs 2] [--repeats 2] [--datasets school,parkinsons,computer]
[--compare /path/to/other/checkout ...]``.
Fits ``SparseTaskGraphMTL(random_state=0, n_jobs=N)`` on each data set's training
rows (``benchmarks/task_graph.py``'s split: standardised features, 80% of each
task's rows, seed 0) once per repeat and per checkout, each fit in a fresh
process whose ``PYTHONPATH`` is that checkout (this one first); the checkouts
take turns, so that they share the machine's load alike. Prints each fit's
wall time, the CPU time of the fitting process and of its joblib workers (which
run the sparsity path and its reruns when ``n_jobs > 1``), the edges kept and
the mean per-task test RMSE, then per checkout the median wall time and its
ratio to this checkout's. Target (issue 30): under 60 s
with ``n_jobs=2``. On a shared machine only the ratios compare.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fit_once(dataset, n_jobs):
    """One fit in this process; its figures as a dict."""
    from joblib.externals.loky import get_reusable_executor
    from sklearn.preprocessing import StandardScaler

    from _common import per_task_rmse, split_per_task
    from skmtlx import datasets
    from skmtlx.task_graph import SparseTaskGraphMTL

    loader = {"school": datasets.load_school, "parkinsons": datasets.load_parkinsons_updrs,
              "computer": datasets.load_computer_survey}[dataset]
    X, y, tasks = loader(return_X_y_tasks=True)
    X = StandardScaler().fit_transform(X.to_numpy())
    X = X[:, X.std(axis=0) > 0]
    train = split_per_task(tasks, 0.8, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    model = SparseTaskGraphMTL(random_state=0, n_jobs=n_jobs).fit(
        X[train], y[train], tasks=tasks[train])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    # the joblib workers exit, so that their CPU time is counted as children's
    get_reusable_executor().shutdown(wait=True)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    rmse = per_task_rmse(y[~train], model.predict(X[~train], tasks=tasks[~train]),
                         tasks[~train])
    return dict(wall=wall, cpu=cpu, workers_cpu=workers.ru_utime + workers.ru_stime,
                edges=len(model.edges_), rmse=rmse,
                candidates=len(model.candidate_edges_), n_iter=int(model.n_iter_),
                package=str(Path(sys.modules["skmtlx"].__file__).parent.parent))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--datasets", default="school",
                        help="comma-separated, among school, parkinsons, computer")
    parser.add_argument("--compare", nargs="*", default=[],
                        help="other checkouts (repository roots) to time alongside")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(fit_once(args.datasets, args.n_jobs)))
        return
    print("command: python " + " ".join(sys.argv), flush=True)
    start = time.perf_counter()
    checkouts = [str(ROOT)] + [str(Path(c).resolve()) for c in args.compare]
    for dataset in args.datasets.split(","):
        walls = {c: [] for c in checkouts}
        for repeat in range(args.repeats):
            for checkout in checkouts:
                env = dict(os.environ, PYTHONPATH=checkout, OMP_NUM_THREADS="1")
                out = subprocess.run(
                    [sys.executable, __file__, "--child", "--n-jobs", str(args.n_jobs),
                     "--datasets", dataset], env=env, capture_output=True, text=True,
                    check=True)
                res = json.loads(out.stdout.strip().splitlines()[-1])
                walls[checkout].append(res["wall"])
                print(f"{dataset} repeat {repeat} {res['package']}: fit {res['wall']:6.1f}s "
                      f"wall, CPU {res['cpu']:5.1f}s (fitting process) + "
                      f"{res['workers_cpu']:5.1f}s (its workers), load "
                      f"{os.getloadavg()[0]:.1f}, edges {res['edges']}/{res['candidates']}, "
                      f"outer steps {res['n_iter']}, test RMSE {res['rmse']:.4f}", flush=True)
        base = sorted(walls[checkouts[0]])[len(walls[checkouts[0]]) // 2]
        for checkout in checkouts:
            median = sorted(walls[checkout])[len(walls[checkout]) // 2]
            print(f"{dataset} {checkout}: median fit {median:.1f}s wall, "
                  f"{median / base:.2f}x this checkout's", flush=True)
    print(f"total wall time {time.perf_counter() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
