"""SparseTaskGraphMLP's defaults against the linear SparseTaskGraphMTL and other settings.

Run with ``SKMTLX_DATA_HOME=/work/shared/data OMP_NUM_THREADS=1 python
benchmarks/task_graph_mlp_defaults.py`` (``--seeds N`` splits, ``--sets school
sarcos``, ``--configs NAME ...`` to run some of the configurations below,
``--list`` to print them; without ``--configs`` the linear model, the
defaults of both network options and the two settings that help school most
for their cost). On the sets and splits of
``benchmarks/explain_everywhere.py --only task_graph``:

* school: 139 tasks stacked with ``tasks=``, ``X`` standardised, per-task
  80/20 split (``split_per_task``, seed = split);
* SARCOS: the 7 torques as a 2-D ``Y``, 75/25 split (``train_test_split``,
  ``random_state`` = split), ``X`` standardised on the training rows.

Score: mean per-task test R^2 (``score_tasks``), mean over the splits, with
the spread (half the range); the mean per-task test RMSE (the metric of
``benchmarks/task_graph.py``, less at the mercy of the tasks whose few test
rows vary little: on school a task has about 22); and the fit's CPU seconds
(one torch thread: CPU time is the work done, wall time on a shared machine
mostly measures the other processes). Every configuration runs on the same
splits in this process.
"""

import argparse

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from _common import Stopwatch, finish_run, print_table, split_per_task, start_run
from skmtlx.datasets import load_sarcos, load_school
from skmtlx.task_graph import SparseTaskGraphMLP, SparseTaskGraphMTL

torch.set_num_threads(1)

CONFIGS = {
    "linear": (SparseTaskGraphMTL, {}),
    "mlp": (SparseTaskGraphMLP, {}),
    "mlp_fw0": (SparseTaskGraphMLP, {"fidelity_weight": 0.0}),
    "mlp_wd1e-3": (SparseTaskGraphMLP, {"weight_decay": 1e-3}),
    "mlp_wd1e-2": (SparseTaskGraphMLP, {"weight_decay": 1e-2}),
    "mlp_wd1e-1": (SparseTaskGraphMLP, {"weight_decay": 1e-1}),
    "mlp_lr1e-3": (SparseTaskGraphMLP, {"lr": 1e-3}),
    "mlp_wd1e-2_lr1e-3": (SparseTaskGraphMLP, {"weight_decay": 1e-2, "lr": 1e-3}),
    "mlp_ep30": (SparseTaskGraphMLP, {"max_epochs": 30}),
    "mlp_w8": (SparseTaskGraphMLP, {"hidden_layer_sizes": (8,)}),
    "mlp_w64": (SparseTaskGraphMLP, {"hidden_layer_sizes": (64,)}),
    "mlp_bs256": (SparseTaskGraphMLP, {"batch_size": 256}),
    "task_mlp": (SparseTaskGraphMLP, {"model": "task_mlp"}),
    "task_mlp_wd1e-2": (SparseTaskGraphMLP, {"model": "task_mlp", "weight_decay": 1e-2}),
    "task_mlp_lr1e-3": (SparseTaskGraphMLP, {"model": "task_mlp", "lr": 1e-3}),
}

DEFAULT_CONFIGS = ["linear", "mlp", "mlp_lr1e-3", "mlp_wd1e-2", "task_mlp"]
"""Run without ``--configs`` (the others cost more, ``mlp_w64`` 5x ``mlp`` on school)."""


def school(seeds):
    X, y, tasks = load_school(return_X_y_tasks=True)
    X = StandardScaler().fit_transform(X.to_numpy(float))
    y, tasks = np.asarray(y, float), np.asarray(tasks)
    for seed in seeds:
        train = split_per_task(tasks, 0.8, seed=seed)
        yield (seed, (X[train], y[train]), {"tasks": tasks[train]},
               (X[~train], y[~train]), {"tasks": tasks[~train]})


def sarcos(seeds):
    data = load_sarcos()
    X, Y = np.asarray(data.data, float), np.asarray(data.target, float)
    for seed in seeds:
        X_tr, X_te, Y_tr, Y_te = train_test_split(X, Y, test_size=0.25, random_state=seed)
        scaler = StandardScaler().fit(X_tr)
        yield seed, (scaler.transform(X_tr), Y_tr), {}, (scaler.transform(X_te), Y_te), {}


SETS = {"school": school, "sarcos": sarcos}


def _rmse(model, X, y, score_params):
    """Mean over tasks (columns of a 2-D ``y``) of each task's test RMSE."""
    residual = model.predict(X, **score_params) - y
    if residual.ndim == 2:
        return float(np.mean(np.sqrt(np.mean(residual**2, axis=0))))
    tasks = score_params["tasks"]
    return float(np.mean([np.sqrt(np.mean(residual[tasks == t] ** 2))
                          for t in np.unique(tasks)]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0,
                        help="the splits are first-seed .. first-seed + seeds - 1")
    parser.add_argument("--sets", nargs="*", default=list(SETS), choices=list(SETS))
    parser.add_argument("--configs", nargs="*", default=DEFAULT_CONFIGS, choices=list(CONFIGS))
    parser.add_argument("--list", action="store_true", help="print the configurations")
    args = parser.parse_args()
    if args.list:
        for name, (estimator, params) in CONFIGS.items():
            print(f"{name:<18} {estimator.__name__}({params})")
        return
    clock = start_run()
    for set_name in args.sets:
        scores = {name: [] for name in args.configs}
        errors = {name: [] for name in args.configs}
        seconds = {name: 0.0 for name in args.configs}
        for seed, (X_tr, y_tr), fit_params, (X_te, y_te), score_params in SETS[set_name](
                range(args.first_seed, args.first_seed + args.seeds)):
            for name in args.configs:
                estimator, params = CONFIGS[name]
                model = estimator(random_state=seed, **params)
                watch = Stopwatch()
                model.fit(X_tr, y_tr, **fit_params)
                seconds[name] += watch.cpu
                score = float(np.mean(model.score_tasks(X_te, y_te, **score_params)))
                rmse = _rmse(model, X_te, y_te, score_params)
                scores[name].append(score)
                errors[name].append(rmse)
                print(f"  {set_name} split {seed} {name:<18} R^2 {score:.4f}  RMSE {rmse:.4f}  "
                      f"{watch.cpu:7.1f} cpu s", flush=True)
        rows = [{"configuration": name, "mean R^2": np.mean(scores[name]),
                 "+-": (np.max(scores[name]) - np.min(scores[name])) / 2,
                 "RMSE": np.mean(errors[name]), "cpu s per fit": seconds[name] / args.seeds}
                for name in args.configs]
        print_table(rows, {"configuration": "<18", "mean R^2": ">8.4f", "+-": ">7.4f",
                           "RMSE": ">8.4f", "cpu s per fit": ">13.1f"},
                    title=f"\n{set_name}: mean per-task test R^2 over {args.seeds} splits")
        print()
    finish_run(clock)


if __name__ == "__main__":
    main()
