"""Surrogates on every estimator (issue 29): fidelity, score change and fit-time overhead.

For each estimator family on its benchmark sets, the same estimator is fitted
twice per seed, side by side in this process:

* ``fidelity_weight=0``: no surrogate head; the network is trained on its own
  loss and the linear surrogate is fitted post hoc (least squares on its
  outputs: values, logits or centred log-probabilities), and
* the default ``fidelity_weight``: the network carries the jointly trained
  linear surrogate head (``skmtlx._surrogate.SurrogateHead``).

Reported per set (mean over seeds): the estimator's own test score without /
with the head and the relative change (goal: no worse than 1%), the global
fidelity GF and R2(f, g) on the test set per task (per output column in the
fidelity space: values for regression, P(positive) for binary tasks, class
probabilities for multiclass tasks) for the joint surrogate and, for
comparison, the post-hoc one, and the fit-time ratio with / without the head
(goal: at most 1.15x; CPU time of this process, since wall time on a shared
machine mostly measures the other processes) with the epochs run.

Sets (data from ``$SKMTLX_DATA_HOME``):

* task grouping: planted regression and planted binary groups
  (``make_grouped_tasks``, as ``benchmarks/task_grouping.py``: 400 training
  rows, 10 features, groups (3, 3, 3)) and emotions (6 labels, 70/30 split).
  The grouping is fixed (``task_groups``: the planted groups; for emotions the
  one TaskGrouper chooses in a first fit) so that the timing isolates the
  group networks, which are the ones carrying surrogate heads;
* generative: the confounded synthetic set of ``benchmarks/generative_shift.py``
  (3 tasks, 3000 training rows; score: mean task accuracy in distribution)
  and emotions;
* auxiliary targets: the synthetic set (``make_auxiliary_regression``,
  recoverable 0.5, 2000 rows), California housing and Adult (as
  ``benchmarks/auxiliary_targets.py``, training rows subsampled to 4000);
* task graph (``SparseTaskGraphMLP`` with its defaults): SARCOS (the 7
  torques as a 2-D ``Y``, 75/25 split) with the shared trunk (``"mlp"``)
  and with a network per task (``"task_mlp"``), and school (139 tasks
  stacked, per-task 80/20 split) with the trunk. Score: mean per-task R^2.

Shortened for one core (say so when quoting): 2 seeds, the estimators' own
defaults elsewhere, no hyper-parameter search.

Run::

    SKMTLX_DATA_HOME=/work/shared/data python benchmarks/explain_everywhere.py

Options: ``--seeds N``, ``--only grouping generative auxiliary task_graph``,
``--fidelity-weight W`` (the runs with a head use ``W`` instead of the default).
"""

import argparse
import os
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _common import split_per_task  # noqa: E402
from auxiliary_targets import load_adult, load_housing, synthetic_loader  # noqa: E402

import skmtlx  # noqa: E402
from skmtlx import (  # noqa: E402
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    GenerativeMTLClassifier,
    SparseTaskGraphMLP,
    TaskGrouper,
)
from skmtlx.datasets import (  # noqa: E402
    load_multilabel,
    load_sarcos,
    load_school,
    make_confounded_multitask,
    make_grouped_tasks,
)
from skmtlx.generative import mean_task_accuracy  # noqa: E402
from skmtlx.metrics import fidelity_r2, global_fidelity  # noqa: E402

torch.set_num_threads(1)


def _epochs(model):
    if isinstance(model, TaskGrouper):
        return sum(len(net.history) for net in model.estimators_)
    if isinstance(model, SparseTaskGraphMLP):  # n_iter_ counts the graph's outer steps
        return model.max_epochs
    return model.n_iter_


FIDELITY_WEIGHT = None
"""``--fidelity-weight``: the weight of the runs with a head (None: each default)."""


def measure(make, X_tr, y_tr, X_te, y_te, score, seed, fit_params=None, predict_params=None):
    """Fit without and with the surrogate head; return one row of figures."""
    fit_params, predict_params = fit_params or {}, predict_params or {}
    row = {}
    # alternate the order over seeds so that neither fit always runs first
    order = [0.0, None] if seed % 2 == 0 else [None, 0.0]
    for weight in order:
        if weight is None and FIDELITY_WEIGHT is not None:
            weight_set = FIDELITY_WEIGHT
        else:
            weight_set = weight
        model = make() if weight_set is None else make().set_params(fidelity_weight=weight_set)
        # CPU time of this process: on a shared machine wall time mostly measures the
        # other processes; with one torch thread CPU time is the work done
        start = time.process_time()
        model.fit(X_tr, y_tr, **fit_params)
        key = "joint" if weight is None else "post_hoc"
        row[f"time_{key}"] = time.process_time() - start
        row[f"epochs_{key}"] = _epochs(model)
        row[f"score_{key}"] = score(model, X_te, y_te)
        row[f"gf_{key}"] = global_fidelity(model, X_te, multioutput="raw_values",
                                           predict_params=predict_params)
        row[f"r2_{key}"] = fidelity_r2(model, X_te, multioutput="raw_values",
                                       predict_params=predict_params)
        if weight is None:
            row["fidelity_weight"] = model.fidelity_weight
            row["kept"] = str(model.surrogate_fit_)
    return row


def report(family, name, rows):
    frame = pd.DataFrame(rows)
    s0, s1 = frame["score_post_hoc"].mean(), frame["score_joint"].mean()
    ratio = frame["time_joint"].sum() / frame["time_post_hoc"].sum()
    per_epoch = ((frame["time_joint"] / frame["epochs_joint"]).sum()
                 / (frame["time_post_hoc"] / frame["epochs_post_hoc"]).sum())
    gf = np.mean(np.stack(frame["gf_joint"]), axis=0)
    r2 = np.mean(np.stack(frame["r2_joint"]), axis=0)
    gf0 = np.mean(np.stack(frame["gf_post_hoc"]), axis=0)
    r20 = np.mean(np.stack(frame["r2_post_hoc"]), axis=0)
    print(f"\n{family}: {name} (fidelity_weight={frame['fidelity_weight'].iloc[0]}, "
          f"{len(frame)} seeds; surrogate kept: {', '.join(frame['kept'])})")
    print(f"  score without head {s0:.4f}  with head {s1:.4f}  "
          f"relative change {100 * (s1 - s0) / abs(s0):+.2f}%")
    print(f"  fit CPU time with/without head {ratio:.2f}x (per epoch {per_epoch:.2f}x; epochs "
          f"{frame['epochs_joint'].mean():.0f} vs {frame['epochs_post_hoc'].mean():.0f})")
    print("  per output    GF joint  R2 joint |  GF post-hoc  R2 post-hoc")
    for k in range(len(gf)):
        print(f"  {k:>10}  {gf[k]:9.5f}  {r2[k]:8.3f} |  {gf0[k]:11.5f}  {r20[k]:11.3f}")
    return dict(family=family, set=name, score_without=s0, score_with=s1,
                rel_change=(s1 - s0) / abs(s0), time_ratio=ratio, per_epoch_ratio=per_epoch,
                gf_mean=gf.mean(), r2_mean=r2.mean(), gf_post_hoc=gf0.mean(),
                r2_post_hoc=r20.mean())


def _task_score(model, X, Y):
    return model.score(X, Y)


def grouping(seeds):
    out = []
    params = dict(hidden_layer_sizes=(6,), lr=1e-2, batch_size=64, max_epochs=60,
                  early_stopping=False)
    for name, kwargs in [("planted regression (3,3,3)", {}),
                         ("planted binary (3,3,3)", {"task_type": "binary"})]:
        rows = []
        for seed in range(seeds):
            X, Y, labels = make_grouped_tasks(1400, 10, group_sizes=(3, 3, 3), noise=0.5,
                                              task_noise=0.1, random_state=seed, **kwargs)
            Xtr, Xte, Ytr, Yte = train_test_split(X, Y, train_size=400, random_state=seed)
            groups = [np.flatnonzero(labels == g).tolist() for g in np.unique(labels)]

            def make(seed=seed, groups=groups):
                return TaskGrouper(task_groups=groups, random_state=seed, **params)

            rows.append(measure(make, Xtr, Ytr, Xte, Yte, _task_score, seed))
        out.append(report("TaskGrouper", name, rows))
    bunch = load_multilabel("emotions", download_if_missing=False)
    rows = []
    real = dict(hidden_layer_sizes=(32,), lr=3e-3, batch_size=128, max_epochs=100,
                gain_epochs=10, gain_every=4, early_stopping=True, validation_fraction=0.2,
                n_iter_no_change=8)
    for seed in range(seeds):
        Xtr, Xte, Ytr, Yte = train_test_split(bunch.data, bunch.target, test_size=0.3,
                                              random_state=seed)
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
        groups = TaskGrouper(random_state=seed, fidelity_weight=0.0, **real).fit(
            Xtr, Ytr).groups_

        def make(seed=seed, groups=groups):
            return TaskGrouper(task_groups=groups, random_state=seed, **real)

        rows.append(measure(make, Xtr, Ytr, Xte, Yte, _task_score, seed))
    out.append(report("TaskGrouper", "emotions (6 labels)", rows))
    return out


def generative(seeds):
    out = []
    network = dict(hidden_layer_sizes=(64,), max_epochs=200, batch_size=64, lr=1e-3,
                   weight_decay=1e-4, early_stopping=True, validation_fraction=0.15,
                   n_iter_no_change=10, prior_weight=0.0)

    def score(model, X, Y):
        return mean_task_accuracy(Y, model.predict(X))

    rows = []
    for seed in range(seeds):
        kw = dict(n_tasks=3, n_features=10, class_sep=[0.5, 1.0, 1.0])
        Xtr, Ytr = make_confounded_multitask(3000, confounding=0.9, random_state=seed, **kw)
        Xte, Yte = make_confounded_multitask(3000, confounding=0.9, random_state=seed + 100,
                                             **kw)
        rows.append(measure(lambda: GenerativeMTLClassifier(random_state=seed, **network),
                            Xtr, Ytr, Xte, Yte, score, seed))
    out.append(report("GenerativeMTLClassifier", "confounded synthetic (3 tasks)", rows))
    bunch = load_multilabel("emotions", download_if_missing=False)
    rows = []
    for seed in range(seeds):
        Xtr, Xte, Ytr, Yte = train_test_split(np.asarray(bunch.data, float),
                                              np.asarray(bunch.target).astype(int),
                                              test_size=0.5, random_state=seed)
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
        rows.append(measure(lambda: GenerativeMTLClassifier(random_state=seed, **network),
                            Xtr, Ytr, Xte, Yte, score, seed))
    out.append(report("GenerativeMTLClassifier", "emotions (6 labels)", rows))
    return out


def auxiliary(seeds):
    out = []
    network = dict(hidden_layer_sizes=(64, 64), max_epochs=200, batch_size=128, lr=1e-3,
                   early_stopping=True, validation_fraction=0.15, n_iter_no_change=10)
    for name, task, loader in [
        ("synthetic (recoverable 0.5)", "regression", synthetic_loader(0.5, 2000)),
        ("California housing", "regression", load_housing),
        ("Adult", "classification", load_adult),
    ]:
        Estimator = (AuxiliaryTargetMTLRegressor if task == "regression"
                     else AuxiliaryTargetMTLClassifier)
        rows = []
        for seed in range(seeds):
            X, y, aux, train, test, _ = loader(seed)
            rng = np.random.RandomState(seed)
            if len(train) > 4000:
                train = np.sort(rng.choice(train, 4000, replace=False))
            X = X.to_numpy(dtype=float)
            scaler = StandardScaler().fit(X[train])
            X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
            aux_tr = aux.iloc[train].reset_index(drop=True)

            def score(model, X, y):
                return model.score(X, y)

            rows.append(measure(lambda: Estimator(random_state=seed, **network), X_tr,
                                y[train], X_te, y[test], score, seed,
                                fit_params={"aux": aux_tr}))
        out.append(report(type(Estimator()).__name__, name, rows))
    return out


def task_graph(seeds):
    out = []
    sarcos = load_sarcos()
    X, Y = np.asarray(sarcos.data, float), np.asarray(sarcos.target, float)
    for model_kind in ("mlp", "task_mlp"):
        rows = []
        for seed in range(seeds):
            Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.25, random_state=seed)
            scaler = StandardScaler().fit(Xtr)
            Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
            rows.append(measure(
                lambda: SparseTaskGraphMLP(model=model_kind, random_state=seed),
                Xtr, Ytr, Xte, Yte, _task_score, seed))
        out.append(report(f"SparseTaskGraphMLP({model_kind})", "SARCOS (7 torques)", rows))
    X, y, tasks = load_school(return_X_y_tasks=True)
    X = StandardScaler().fit_transform(X.to_numpy(float))
    y, tasks = np.asarray(y, float), np.asarray(tasks)
    rows = []
    for seed in range(seeds):
        train = split_per_task(tasks, 0.8, seed=seed)

        def score(model, X, y, test_tasks=tasks[~train]):
            return float(np.mean(model.score_tasks(X, y, tasks=test_tasks)))

        rows.append(measure(lambda: SparseTaskGraphMLP(random_state=seed), X[train], y[train],
                            X[~train], y[~train], score, seed,
                            fit_params={"tasks": tasks[train]},
                            predict_params={"tasks": tasks[~train]}))
    out.append(report("SparseTaskGraphMLP(mlp)", "school (139 tasks)", rows))
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--only", nargs="*",
                        default=["grouping", "generative", "auxiliary", "task_graph"])
    parser.add_argument("--fidelity-weight", type=float, default=None,
                        help="weight of the runs with a head (default: each estimator's)")
    args = parser.parse_args()
    global FIDELITY_WEIGHT
    FIDELITY_WEIGHT = args.fidelity_weight
    print("command: " + " ".join([os.path.basename(sys.executable)] + sys.argv))
    print(f"skmtlx from {os.path.dirname(skmtlx.__file__)}")
    start = time.perf_counter()
    # warm-up: the first torch fits of a process pay one-time costs that would
    # otherwise be charged to whichever variant runs first
    X_warm, Y_warm, _ = make_grouped_tasks(200, 5, (2, 2), random_state=0)
    for weight in (0.0, 0.1, 0.0, 0.1):
        TaskGrouper(task_groups=[[0, 1], [2, 3]], max_epochs=20, fidelity_weight=weight,
                    random_state=0).fit(X_warm, Y_warm)
    summary = []
    for family in args.only:
        summary += {"grouping": grouping, "generative": generative, "auxiliary": auxiliary,
                    "task_graph": task_graph}[family](args.seeds)
    frame = pd.DataFrame(summary)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\nSummary (score change relative; time ratio with/without head):")
        print(frame.round(4).to_string(index=False))
    print(f"\nwall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
