"""Benchmark of TaskGrouper (issue 5): test loss of task groupings, and solve time.

Compares the total test loss (sum over tasks of the standardised MSE for
regression tasks, logistic loss for binary tasks) of

* ``all-in-one``: one shared-trunk network for every task,
* ``single``: one network per task,
* ``random``: random partitions into the same number of groups (mean of 3),
* ``TAG``: TAG's lookahead affinity, grouped by the same integer program,
* ``TaskGrouper``: the principled transfer gain + integer program,

on planted-group synthetic sets and on real multi-target data (sarcos,
yeast, emotions, scene; read from ``$SKMTLX_DATA_HOME``), then times the
integer program against the number of tasks (up to 40 tasks, 5 groups).

Run::

    SKMTLX_DATA_HOME=/work/shared/data python benchmarks/task_grouping.py

Options: ``--quick`` (fewer seeds/epochs), ``--skip-real``, ``--skip-timing``.
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skmtlx.datasets._grouping_synthetic import make_grouped_tasks  # noqa: E402
from skmtlx.datasets._multitarget import load_multilabel, load_sarcos  # noqa: E402
from skmtlx.grouping import TaskGrouper, solve_grouping  # noqa: E402
from skmtlx.grouping._solver import n_partitions  # noqa: E402

torch.set_num_threads(1)  # tiny networks: threads only add contention


def random_partition(n_tasks, n_groups, rng):
    while True:
        labels = rng.randint(n_groups, size=n_tasks)
        if len(np.unique(labels)) == n_groups:
            return [np.flatnonzero(labels == g).tolist() for g in range(n_groups)]


def compare(X_train, Y_train, X_test, Y_test, n_groups, params, seed):
    """Total test loss of every method (and the groups chosen)."""
    T = Y_train.shape[1]
    rng = np.random.RandomState(seed)
    out, groups = {}, {}

    def run(**kwargs):
        model = TaskGrouper(**params, n_groups=n_groups, random_state=seed, **kwargs)
        model.fit(X_train, Y_train)
        return model.task_losses(X_test, Y_test).sum(), model

    out["all-in-one"], _ = run(task_groups=[list(range(T))])
    out["single"], _ = run(task_groups=[[t] for t in range(T)])
    out["random"] = np.mean(
        [run(task_groups=random_partition(T, n_groups, rng))[0] for _ in range(3)]
    )
    out["TAG"], tag = run(gain="tag")
    out["TaskGrouper"], grouper = run()
    groups["TAG"], groups["TaskGrouper"] = tag.groups_, grouper.groups_
    return out, groups


METHODS = ["all-in-one", "single", "random", "TAG", "TaskGrouper"]


def report(title, losses, extra=""):
    mean = {m: np.mean([d[m] for d in losses]) for m in METHODS}
    std = {m: np.std([d[m] for d in losses]) for m in METHODS}
    best = min(mean.values())
    print(f"\n{title}{extra}")
    for m in METHODS:
        flag = "  <- lowest" if mean[m] == best else ""
        print(f"  {m:<12s} {mean[m]:8.4f} +- {std[m]:.4f}{flag}")
    baseline = min(mean[m] for m in METHODS if m != "TaskGrouper")
    print(f"  TaskGrouper - best baseline = {mean['TaskGrouper'] - baseline:+.4f}")
    return mean


def planted(args):
    settings = [
        ("planted regression, groups (3,3,3)", dict(group_sizes=(3, 3, 3)), 3),
        ("planted regression, groups (4,4,4,4)", dict(group_sizes=(4, 4, 4, 4)), 4),
        ("planted binary, groups (3,3,3)", dict(group_sizes=(3, 3, 3), task_type="binary"), 3),
    ]
    params = dict(
        hidden_layer_sizes=(6,), lr=1e-2, batch_size=64, max_epochs=100,
        gain_epochs=20, gain_every=2,
    )
    for title, kwargs, K in settings:
        losses, recovered = [], 0
        for seed in range(args.seeds):
            X, Y, labels = make_grouped_tasks(
                1400, 10, noise=0.5, task_noise=0.1, shuffle_tasks=True, random_state=seed,
                **kwargs,
            )
            Xtr, Xte, Ytr, Yte = train_test_split(X, Y, train_size=400, random_state=seed)
            out, groups = compare(Xtr, Ytr, Xte, Yte, K, params, seed)
            truth = sorted(np.flatnonzero(labels == g).tolist() for g in np.unique(labels))
            recovered += sorted(groups["TaskGrouper"]) == truth
            losses.append(out)
        report(title, losses, f"  (planted groups recovered in {recovered}/{args.seeds} seeds)")


def real(args):
    data_sets = []
    try:
        sarcos = load_sarcos()
        data_sets.append(("sarcos (7 torques)", sarcos.data, sarcos.target.astype(float), 3))
    except OSError as exc:
        print(f"\n[skip sarcos] {exc}")
    for name, K in (("yeast", 4), ("emotions", 3), ("scene", 3)):
        try:
            bunch = load_multilabel(name, download_if_missing=False)
        except OSError as exc:
            print(f"\n[skip {name}] {exc}")
            continue
        data_sets.append((f"{name} ({bunch.target.shape[1]} labels)", bunch.data, bunch.target, K))
    params = dict(
        hidden_layer_sizes=(64,), lr=1e-3, batch_size=128, max_epochs=args.epochs,
        gain_epochs=10, gain_every=4, early_stopping=True, n_iter_no_change=10,
    )
    for title, X, Y, K in data_sets:
        losses, chosen = [], None
        for seed in range(args.seeds):
            Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=seed)
            scaler = StandardScaler().fit(Xtr)
            Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
            out, groups = compare(Xtr, Ytr, Xte, Yte, K, params, seed)
            losses.append(out)
            chosen = groups["TaskGrouper"]
        report(title, losses, f"  (budget {K} groups; last TaskGrouper groups {chosen})")


def timing(args):
    print("\nInteger program solve time (HiGHS via cvxpy; gains with 5 planted groups + noise)")
    header = ("tasks", "groups", "partitions", "seconds", "status", "gap")
    print("  {:>5s} {:>6s} {:>12s} {:>8s} {:>10s} {:>8s}".format(*header))
    rng = np.random.RandomState(0)
    for T in (8, 10, 20, 30, 40):
        labels = rng.randint(5, size=T)
        gains = np.where(labels[:, None] == labels[None, :], 0.3, -0.2) + 0.2 * rng.randn(T, T)
        start = time.perf_counter()
        result = solve_grouping(gains, n_groups=5, time_limit=args.time_limit)
        seconds = time.perf_counter() - start
        gap = "-" if result.gap is None else f"{result.gap:.1e}"
        print(
            f"  {T:5d} {5:6d} {n_partitions(T, 5):12.3g} {seconds:8.2f} "
            f"{result.status:>10s} {gap:>8s}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-planted", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.epochs = 1, 40
    start = time.perf_counter()
    print("Targets (issue 5): TaskGrouper lowest or tied on the planted sets, no worse than the")
    print("best baseline on the real sets; 40 tasks / 5 groups solved in under 10 s.")
    print("Losses: sum over tasks of test MSE / training variance (regression) or log-loss")
    print("(binary), mean +- std over seeds.")
    if not args.skip_planted:
        planted(args)
    if not args.skip_real:
        real(args)
    if not args.skip_timing:
        timing(args)
    print(f"\nwall time {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
