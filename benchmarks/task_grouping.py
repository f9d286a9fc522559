"""Benchmark of TaskGrouper (issue 5): test loss of task groupings, and solve time.

Compares the total test loss (sum over tasks of the standardised MSE for
regression tasks, logistic loss for binary tasks) of

* ``all-in-one``: one shared-trunk network for every task,
* ``single``: one network per task,
* ``random``: random partitions into the number of groups TaskGrouper chose
  (mean of ``--random`` per seed; equal to all-in-one or single when that
  number is 1 or the number of tasks),
* ``TAG``: TAG's lookahead affinity, grouped by the same integer program and
  the same validation selection (one-standard-error rule) as TaskGrouper,
* ``TaskGrouper``: the principled transfer gain + integer program, the number
  of groups chosen by held-out loss with the one-standard-error rule
  (``group_selection="validation_1se"``; the plain lowest held-out loss,
  ``"validation"``, is printed as an ablation),

on planted-group synthetic sets (budget: the planted number of groups) and on
real multi-target data (sarcos, yeast, emotions, scene; read from
``$SKMTLX_DATA_HOME``; budget: up to one group per task), over ``--seeds``
train/test splits, and times the integer program against the number of tasks
(up to 40 tasks, 5 groups). Every method holds out the same 20% of the
training rows (on the real sets half of them for early stopping, half for
the selection of TAG / TaskGrouper; planted sets: fixed epochs), and on
the real sets every network gets a trunk of 32 units per task it serves
(``capacity="per_task"``), so all groupings have the same capacity.

Run::

    SKMTLX_DATA_HOME=/work/shared/data python benchmarks/task_grouping.py

Options: ``--quick`` (one seed, few epochs), ``--seeds``, ``--capacity shared``,
``--multilabel yeast emotions scene``, ``--skip-planted``, ``--skip-real``,
``--skip-timing``.

``--gain-every 1 10`` replaces the comparison of methods by a comparison of
``gain_every`` values (the first is the reference): TaskGrouper at its
defaults (only ``random_state`` and ``gain_every`` set) on the same planted
and real splits, each value fitted side by side in this process. Planted
sets: adjusted Rand index of ``groups_`` against the planted groups per
seed; real sets: whether ``groups_`` equals the reference's; both: test
loss, the correlation of ``gains_`` with the reference's, and the CPU
seconds of ``fit`` with their ratio to the reference's.
``--defaults-vs early_stopping=False`` does the same with TaskGrouper's
defaults as the reference against each setting given (a setting is
``name=value[,name=value...]``, values read as Python literals).
"""

import argparse
import ast
import os
import shutil
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from joblib import Memory  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from _common import Stopwatch, finish_run, print_table, start_run  # noqa: E402
from skmtlx.datasets import load_multilabel, load_sarcos, make_grouped_tasks  # noqa: E402
from skmtlx.grouping import TaskGrouper, n_partitions, solve_grouping  # noqa: E402

torch.set_num_threads(1)  # tiny networks: threads only add contention


def random_partition(n_tasks, n_groups, rng):
    """A random partition of the tasks into exactly ``n_groups`` non-empty groups."""
    while True:
        labels = rng.randint(n_groups, size=n_tasks)
        if len(np.unique(labels)) == n_groups:
            return [np.flatnonzero(labels == g).tolist() for g in range(n_groups)]


METHODS = ["all-in-one", "single", "random", "TAG", "TaskGrouper"]


def compare(X_train, Y_train, X_test, Y_test, n_groups, params, seed, n_random):
    """Total test loss of every method on one split, and the groupings chosen.

    All fits of the split share the held-out rows (drawn from ``seed``) and a
    cache of fitted group networks, so a group trained by one method (e.g.
    "each task alone" among TaskGrouper's candidates) is not trained again
    by another: the same group always gets the same network.
    """
    T = Y_train.shape[1]
    rng = np.random.RandomState(seed)
    out, chosen = {}, {}
    cache = tempfile.mkdtemp(prefix="skmtlx_grouping_")

    def run(group_selection="validation_1se", **kwargs):
        # group_selection is ignored for selection when task_groups is given, but
        # it fixes which held-out rows early stopping uses: the same for everyone
        model = TaskGrouper(
            **params, group_selection=group_selection, random_state=seed,
            memory=Memory(cache, verbose=0), **kwargs,
        )
        model.fit(X_train, Y_train)
        return model.task_losses(X_test, Y_test).sum(), model

    try:
        out["TaskGrouper"], grouper = run(n_groups=n_groups)
        out["TAG"], tag = run(gain="tag", n_groups=n_groups)
        # ablation: the lowest held-out loss instead of the one-standard-error rule
        # (same candidates, so only cached networks)
        out["TaskGrouper (min)"], _ = run(n_groups=n_groups, group_selection="validation")
        out["all-in-one"], _ = run(task_groups=[list(range(T))])
        out["single"], _ = run(task_groups=[[t] for t in range(T)])
        # random groupings with the number of groups TaskGrouper chose
        m = len(grouper.groups_)
        out["random"] = np.mean(
            [run(task_groups=random_partition(T, m, rng))[0] for _ in range(n_random)]
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    chosen["TAG"], chosen["TaskGrouper"] = tag.groups_, grouper.groups_
    return out, chosen


def report(title, losses, chosen):
    """Print mean +- std over seeds and TaskGrouper's verdict against the best other method.

    "tied": the difference of the means is within one std (over seeds) of the
    best other method's loss; the paired difference (same splits) is printed too.
    """
    table = {m: np.array([d[m] for d in losses]) for m in METHODS}
    mean = {m: table[m].mean() for m in METHODS}
    best = min(mean.values())
    print(f"\n{title}")
    for m in METHODS:
        flag = "  <- lowest" if mean[m] == best else ""
        print(f"  {m:<12s} {mean[m]:8.4f} +- {table[m].std():.4f}{flag}")
    baseline = min((m for m in METHODS if m != "TaskGrouper"), key=mean.get)
    d = mean["TaskGrouper"] - mean[baseline]
    std = table[baseline].std()
    diff = table["TaskGrouper"] - table[baseline]
    if np.all(diff == 0):
        verdict = f"tied (same groupings as {baseline} on every seed)"
    elif d <= 0:
        verdict = "lowest"
    else:
        verdict = "tied (within one std)" if d <= std else "WORSE"
    print(
        f"  TaskGrouper - best other ({baseline}) = {d:+.4f} ({100 * d / mean[baseline]:+.1f}%),"
        f" its std {std:.4f}: {verdict}; paired over seeds {diff.mean():+.4f} +- "
        f"{diff.std():.4f}"
    )
    sizes = [len(g) for g in chosen]
    print(f"  groups chosen by TaskGrouper per seed: {sizes}; last: {chosen[-1]}")
    ablation = np.array([d["TaskGrouper (min)"] for d in losses])
    print(
        f"  ablation, lowest held-out loss instead of the 1-SE rule: "
        f"{ablation.mean():.4f} +- {ablation.std():.4f}"
    )
    return verdict


PLANTED = [
    ("planted regression, groups (3,3,3)", dict(group_sizes=(3, 3, 3)), 3),
    ("planted regression, groups (4,4,4,4)", dict(group_sizes=(4, 4, 4, 4)), 4),
    ("planted binary, groups (3,3,3)", dict(group_sizes=(3, 3, 3), task_type="binary"), 3),
]


def planted_split(kwargs, seed):
    """``(X_train, X_test, Y_train, Y_test, planted labels)`` of one planted set and seed."""
    X, Y, labels = make_grouped_tasks(
        1400, 10, noise=0.5, task_noise=0.1, shuffle_tasks=True, random_state=seed, **kwargs,
    )
    return (*train_test_split(X, Y, train_size=400, random_state=seed), labels)


def planted(args):
    params = dict(
        hidden_layer_sizes=(6,), lr=1e-2, batch_size=64, max_epochs=args.planted_epochs,
        gain_epochs=20, gain_every=2, early_stopping=False, validation_fraction=0.2,
    )
    verdicts = []
    for title, kwargs, K in PLANTED:
        losses, chosen, recovered = [], [], 0
        for seed in range(args.seeds):
            Xtr, Xte, Ytr, Yte, labels = planted_split(kwargs, seed)
            out, groups = compare(Xtr, Ytr, Xte, Yte, K, params, seed, args.random)
            truth = sorted(np.flatnonzero(labels == g).tolist() for g in np.unique(labels))
            recovered += sorted(groups["TaskGrouper"]) == truth
            losses.append(out)
            chosen.append(groups["TaskGrouper"])
        title += f" (budget {K} groups; planted groups recovered in {recovered}/{args.seeds})"
        verdicts.append((title.split(" (budget")[0], report(title, losses, chosen)))
    return verdicts


def real_sets(args):
    """``(title, X, Y)`` of sarcos and the ``--multilabel`` sets found."""
    data_sets = []
    try:
        sarcos = load_sarcos()
        data_sets.append(("sarcos (7 torques)", sarcos.data, sarcos.target.astype(float)))
    except OSError as exc:
        print(f"\n[skip sarcos] {exc}")
    for name in args.multilabel:
        try:
            bunch = load_multilabel(name, download_if_missing=False)
        except OSError as exc:
            print(f"\n[skip {name}] {exc}")
            continue
        data_sets.append((f"{name} ({bunch.target.shape[1]} labels)", bunch.data, bunch.target))
    return data_sets


def real_split(X, Y, seed, max_train):
    """Standardised train/test split (30% test, at most ``max_train`` training rows)."""
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.3, random_state=seed)
    Xtr, Ytr = Xtr[:max_train], Ytr[:max_train]
    scaler = StandardScaler().fit(Xtr)
    return scaler.transform(Xtr), scaler.transform(Xte), Ytr, Yte


def real(args):
    data_sets = real_sets(args)
    params = dict(
        hidden_layer_sizes=(32,), lr=3e-3, batch_size=128, max_epochs=args.epochs,
        gain_epochs=10, gain_every=4, early_stopping=True, validation_fraction=0.2,
        n_iter_no_change=8, capacity=args.capacity,
    )
    verdicts = []
    for title, X, Y in data_sets:
        losses, chosen = [], []
        for seed in range(args.seeds):
            Xtr, Xte, Ytr, Yte = real_split(X, Y, seed, args.max_train)
            out, groups = compare(Xtr, Ytr, Xte, Yte, None, params, seed, args.random)
            losses.append(out)
            chosen.append(groups["TaskGrouper"])
        title += f" (budget: up to one group per task; {len(Xtr)} training rows)"
        verdicts.append((title.split(" (budget")[0], report(title, losses, chosen)))
    return verdicts


def compare_settings(title, splits, settings):
    """Fit TaskGrouper at its defaults changed by every setting on every split; print.

    ``splits`` holds ``(seed, X_train, X_test, Y_train, Y_test, planted labels or None)``;
    ``settings`` holds ``(label, parameters)``, the first the reference. The settings
    are fitted one after the other on each split, in reversed order on every other
    seed, so that a change of the machine's load favours none of them.
    """
    fits = {label: [] for label, _ in settings}
    for seed, Xtr, Xte, Ytr, Yte, labels in splits:
        order = settings if seed % 2 == 0 else settings[::-1]
        for label, params in order:
            clock = Stopwatch()
            model = TaskGrouper(**params, random_state=seed).fit(Xtr, Ytr)
            cpu = clock.cpu
            fits[label].append(dict(
                cpu=cpu, groups=model.groups_, gains=model.gains_, epochs=model.n_iter_,
                loss=model.task_losses(Xte, Yte).sum(),
                ari=None if labels is None else adjusted_rand_score(labels, model.group_labels_),
            ))
    ref = settings[0][0]
    reference = fits[ref]
    rows = []
    for label, _ in settings:
        runs = fits[label]
        loss = np.array([r["loss"] for r in runs])
        diff = loss - np.array([r["loss"] for r in reference])
        corr = [np.corrcoef(r["gains"].ravel(), other["gains"].ravel())[0, 1]
                for r, other in zip(runs, reference)]
        same = sum(sorted(r["groups"]) == sorted(other["groups"])
                   for r, other in zip(runs, reference))
        row = {
            "setting": label,
            "groups per seed": " ".join(str(len(r["groups"])) for r in runs),
            "same groups": f"{same}/{len(runs)}",
            "test loss": f"{loss.mean():.4f} +- {loss.std():.4f}",
            "paired - ref": f"{diff.mean():+.4f} +- {diff.std():.4f}",
            "gains corr": np.mean(corr),
            "gain epochs": np.mean([r["epochs"] for r in runs]),
            "CPU s": np.mean([r["cpu"] for r in runs]),
            "CPU ratio": sum(r["cpu"] for r in runs) / sum(r["cpu"] for r in reference),
        }
        if runs[0]["ari"] is not None:
            ari = [r["ari"] for r in runs]
            row["ARI per seed"] = " ".join(f"{a:.2f}" for a in ari)
            row["recovered"] = f"{sum(a == 1.0 for a in ari)}/{len(runs)}"
        rows.append(row)
    width = max(len(label) for label, _ in settings)
    columns = {"setting": f"<{width}", "groups per seed": "<15"}
    if "ARI per seed" in rows[0]:
        columns.update({"ARI per seed": "<14", "recovered": ">9"})
    columns.update({"same groups": ">11", "test loss": ">16", "paired - ref": ">17",
                    "gains corr": ">10.3f", "gain epochs": ">11.1f", "CPU s": ">7.1f",
                    "CPU ratio": ">9.2f"})
    print_table(rows, columns, title=f"\n{title}")


def parse_setting(text):
    """``"name=value[,name=value...]"`` -> ``(text, parameters)``, values as Python literals."""
    params = {}
    for item in text.split(","):
        name, _, value = item.partition("=")
        try:
            params[name.strip()] = ast.literal_eval(value.strip())
        except (ValueError, SyntaxError):
            params[name.strip()] = value.strip()  # a bare string, e.g. gain=tag
    return text, params


def compare_defaults(args, settings):
    """TaskGrouper at its defaults changed by ``settings``, side by side, on every set."""
    print(f"\n{', '.join(label for label, _ in settings)} side by side: TaskGrouper at its")
    print(f"defaults otherwise (random_state = seed), {settings[0][0]!r} the reference. ARI:")
    print("adjusted Rand index of groups_ against the planted groups; 'same groups': groups_")
    print("equal to the reference's on that seed; gains corr: correlation of gains_ with the")
    print("reference's; gain epochs: epochs of the gain-measuring joint network (n_iter_); both")
    print("and CPU s (fit): mean over seeds; CPU ratio: total over seeds / the reference's.")
    if not args.skip_planted:
        for title, kwargs, _ in PLANTED:
            splits = [(seed, *planted_split(kwargs, seed)) for seed in range(args.seeds)]
            compare_settings(f"{title}, 400 training rows", splits, settings)
    if not args.skip_real:
        for title, X, Y in real_sets(args):
            splits = [(seed, *real_split(X, Y, seed, args.max_train), None)
                      for seed in range(args.seeds)]
            compare_settings(f"{title}, {len(splits[0][1])} training rows", splits, settings)


def timing(args):
    print("\nInteger program solve time (HiGHS via cvxpy; gains with 5 planted groups + noise)")
    header = ("tasks", "groups", "partitions", "seconds", "CPU s", "status", "gap")
    print("  {:>5s} {:>6s} {:>12s} {:>8s} {:>8s} {:>10s} {:>8s}".format(*header))
    rng = np.random.RandomState(0)
    for T in (8, 10, 20, 30, 40):
        labels = rng.randint(5, size=T)
        gains = np.where(labels[:, None] == labels[None, :], 0.3, -0.2) + 0.2 * rng.randn(T, T)
        clock = Stopwatch()
        result = solve_grouping(gains, n_groups=5, time_limit=args.time_limit)
        seconds, cpu = clock.wall, clock.cpu
        gap = "-" if result.gap is None else f"{result.gap:.1e}"
        print(
            f"  {T:5d} {5:6d} {n_partitions(T, 5):12.3g} {seconds:8.2f} {cpu:8.2f} "
            f"{result.status:>10s} {gap:>8s}"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--planted-epochs", type=int, default=100)
    parser.add_argument("--max-train", type=int, default=1500)
    parser.add_argument("--random", type=int, default=2, help="random groupings per seed")
    parser.add_argument("--capacity", choices=["per_task", "shared"], default="per_task")
    parser.add_argument("--multilabel", nargs="*", default=["yeast", "emotions", "scene"])
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--gain-every", type=int, nargs="+", metavar="N",
                        help="compare these gain_every values at TaskGrouper's defaults "
                        "instead of the methods (the first is the reference)")
    parser.add_argument("--defaults-vs", nargs="+", metavar="NAME=VALUE[,...]",
                        help="compare TaskGrouper's defaults with these settings instead of "
                        "the methods, e.g. early_stopping=False")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-planted", action="store_true")
    parser.add_argument("--skip-real", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seeds, args.epochs, args.planted_epochs, args.random = 1, 20, 30, 1
    clock = start_run()
    settings = None
    if args.gain_every:
        settings = [(f"gain_every={v}", dict(gain_every=v)) for v in args.gain_every]
    elif args.defaults_vs:
        settings = [("defaults", {})] + [parse_setting(text) for text in args.defaults_vs]
    if settings:
        compare_defaults(args, settings)
        if not args.skip_timing:
            timing(args)
        finish_run(clock)
        return
    print("Targets (issue 5): TaskGrouper lowest or tied on the planted sets, no worse than the")
    print("best baseline on the real sets; 40 tasks / 5 groups solved in under 10 s.")
    print("Losses: sum over tasks of test MSE / training variance (regression) or log-loss")
    print(f"(binary), mean +- std over {args.seeds} seeds (train/test splits and weights).")
    print("Every method trains on the same rows: 20% of the training rows are held out (planted:")
    print("fixed epochs, held-out rows for the selection; real: half for early stopping, half for")
    print("the selection). Capacity rule, identical for every method: planted sets")
    print("'shared' (their design: groups compete for one 6-unit trunk); real sets")
    print(f"{args.capacity!r} ('per_task': trunk width x number of tasks of the network).")
    verdicts = []
    if not args.skip_planted:
        verdicts += planted(args)
    if not args.skip_real:
        verdicts += real(args)
    if not args.skip_timing:
        timing(args)
    if verdicts:
        print("\nSummary (TaskGrouper vs the best other method; tied = within its std):")
        for name, verdict in verdicts:
            print(f"  {name:<40s} {verdict}")
    finish_run(clock)


if __name__ == "__main__":
    main()
