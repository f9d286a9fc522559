"""Fit times on CPU and GPU for every estimator, and lime_batched against lime on a GPU.

For each estimator, on the largest data set of its benchmark, the same
estimator (same ``random_state`` and settings) is fitted with ``device="cpu"``
and with ``device=--device``; the script prints both wall times, their ratio
and the test score of both fits:

* ``FidelityMTLClassifier``: adult, the paper's preprocessing (32,561 training rows);
* ``AuxiliaryTargetMTLClassifier``: adult with the census modalities as
  auxiliary targets (``benchmarks/auxiliary_targets.py``'s split, 30,718 training rows);
* ``TaskGrouper``: SARCOS, 7 joint torques (4,449 rows, 75% for training);
* ``GenerativeMTLClassifier``: yeast, 14 labels (2,417 rows, 75% for training);
* ``SparseTaskGraphMLP``: SARCOS, the 7 torques as a 2-D ``Y`` (the shared trunk,
  ``model="mlp"``); ``SparseTaskGraphMTL`` has no ``device`` (its linear model is
  solved in closed form on the CPU; ``benchmarks/task_graph.py`` times it).

Then neighbourhood fidelity of ``--points`` adult test points (5,000 samples
per local fit) with ``explainer="lime"`` and ``explainer="lime_batched"``, the
black box on the GPU in both: the issue's target is a ratio >= 100, which on
CPU the black box's forward passes cap (``benchmarks/lime_speed.py``).

Without the device the script says so and exits with status 2, having run
nothing. ``--device cpu`` runs everything on the CPU twice (a dry run of the
script itself). Run::

    SKMTLX_DATA_HOME=../shared/data python benchmarks/gpu.py --device cuda
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from skmtlx import (
    AuxiliaryTargetMTLClassifier,
    FidelityMTLClassifier,
    GenerativeMTLClassifier,
    SparseTaskGraphMLP,
    TaskGrouper,
)
from skmtlx.datasets import load_fidelity_dataset, load_multilabel, load_sarcos
from skmtlx.metrics import neighborhood_fidelity

sys.path.insert(0, str(Path(__file__).resolve().parent))
from auxiliary_targets import load_adult as load_adult_with_modalities  # noqa: E402


def _split(X, Y):
    return train_test_split(X, Y, test_size=0.25, random_state=0)


def fidelity_case(epochs):
    data = load_fidelity_dataset("adult").paper  # the paper's preprocessing
    X_train, X_test = np.asarray(data.X_train, float), np.asarray(data.X_test, float)
    estimator = FidelityMTLClassifier(hidden_layer_sizes=(128, 64), batch_size=256,
                                      max_epochs=epochs, random_state=0)
    return ("FidelityMTLClassifier", "adult", estimator, (X_train, np.asarray(data.y_train)),
            {}, (X_test, np.asarray(data.y_test)))


def auxiliary_case(epochs):
    X, y, aux, train, test, _ = load_adult_with_modalities(0)
    X = X.to_numpy(float)
    estimator = AuxiliaryTargetMTLClassifier(hidden_layer_sizes=(128, 64), batch_size=256,
                                             max_epochs=epochs, random_state=0)
    return ("AuxiliaryTargetMTLClassifier", "adult + census modalities", estimator,
            (X[train], y[train]), {"aux": aux.iloc[train]}, (X[test], y[test]))


def grouper_case(epochs):
    data = load_sarcos()
    X_train, X_test, Y_train, Y_test = _split(np.asarray(data.data, float),
                                              np.asarray(data.target, float))
    estimator = TaskGrouper(hidden_layer_sizes=(128, 64), n_groups=3, max_epochs=epochs,
                            random_state=0)
    return "TaskGrouper", "sarcos", estimator, (X_train, Y_train), {}, (X_test, Y_test)


def generative_case(epochs):
    data = load_multilabel("yeast")
    X_train, X_test, Y_train, Y_test = _split(np.asarray(data.data, float),
                                              np.asarray(data.target).astype(int))
    estimator = GenerativeMTLClassifier(hidden_layer_sizes=(128,), max_epochs=epochs,
                                        random_state=0)
    return "GenerativeMTLClassifier", "yeast", estimator, (X_train, Y_train), {}, (X_test,
                                                                                   Y_test)


def task_graph_case(epochs):
    data = load_sarcos()
    X_train, X_test, Y_train, Y_test = _split(np.asarray(data.data, float),
                                              np.asarray(data.target, float))
    estimator = SparseTaskGraphMLP(hidden_layer_sizes=(128, 64), max_epochs=epochs,
                                   random_state=0)
    return "SparseTaskGraphMLP", "sarcos", estimator, (X_train, Y_train), {}, (X_test, Y_test)


CASES = {"fidelity": fidelity_case, "auxiliary": auxiliary_case, "grouper": grouper_case,
         "generative": generative_case, "task_graph": task_graph_case}


def _timed_fit(estimator, train, fit_params, test):
    start = time.perf_counter()
    estimator.fit(*train, **fit_params)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return time.perf_counter() - start, estimator.score(*test)


def _warm_up(device):
    """One small fit per device, so that imports and CUDA's start are not timed."""
    X = np.random.RandomState(0).randn(256, 4)
    for on in ("cpu", device):
        FidelityMTLClassifier(max_epochs=1, device=on).fit(X, X[:, 0] > 0)


def compare_fits(names, device, epochs, batch_size=None):
    _warm_up(device)
    print(f"{'estimator':<30} {'data':<26} {'rows':>7} {'cpu s':>8} {device + ' s':>9} "
          f"{'ratio':>6} {'score cpu':>9} {'score ' + device:>10}")
    for name in names:
        label, data_name, estimator, train, fit_params, test = CASES[name](epochs)
        if batch_size is not None:
            estimator.set_params(batch_size=batch_size)
        cpu_time, cpu_score = _timed_fit(estimator.set_params(device="cpu"), train,
                                         fit_params, test)
        dev_time, dev_score = _timed_fit(estimator.set_params(device=device), train,
                                         fit_params, test)
        print(f"{label:<30} {data_name:<26} {len(train[0]):>7} {cpu_time:8.1f} {dev_time:9.1f} "
              f"{cpu_time / dev_time:6.1f} {cpu_score:9.4f} {dev_score:10.4f}", flush=True)
    print(f"{'SparseTaskGraphMTL':<30} {'-':<26} {'':>7} no device parameter: its "
          "linear model is solved on the CPU (benchmarks/task_graph.py times it)")


def compare_lime(device, n_points, n_samples, epochs):
    data = load_fidelity_dataset("adult").paper  # the paper's preprocessing
    X_train, X_test = np.asarray(data.X_train, float), np.asarray(data.X_test, float)
    model = FidelityMTLClassifier(surrogate_fit="post_hoc", hidden_layer_sizes=(128, 64),
                                  batch_size=256, max_epochs=epochs, random_state=0,
                                  device=device).fit(X_train, np.asarray(data.y_train))
    points = X_test[np.random.RandomState(0).choice(len(X_test), n_points, replace=False)]
    common = dict(n_samples=n_samples, training_data=X_train, random_state=0)
    print(f"\nneighbourhood fidelity of {n_points} adult test points, {n_samples} samples per "
          f"local fit, black box (STL MLP 128-64) on {device}:")
    timings = {}
    for explainer in ("lime_batched", "lime"):
        start = time.perf_counter()
        gnf = neighborhood_fidelity(model, points, explainer=explainer, **common)
        timings[explainer] = time.perf_counter() - start
        print(f"  {explainer:<13} {timings[explainer]:9.2f} s   GNF {gnf:.5f}", flush=True)
    print(f"  lime / lime_batched time ratio: {timings['lime'] / timings['lime_batched']:.1f} "
          "(target >= 100)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--estimators", nargs="+", choices=list(CASES), default=list(CASES))
    parser.add_argument("--max-epochs", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=None,
                        help="rows per mini-batch of every fit (default: each case's own)")
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--skip-lime", action="store_true")
    args = parser.parse_args()
    print(f"command: python {' '.join(sys.argv)}")
    try:
        torch.empty(1, device=args.device)
    except (RuntimeError, AssertionError):
        print(f"No {args.device!r} device on this machine (torch {torch.__version__}, "
              f"CUDA available: {torch.cuda.is_available()}): nothing measured. Run this "
              "script on a machine with a GPU.")
        return 2
    name = torch.cuda.get_device_name(args.device) if args.device.startswith("cuda") else "-"
    print(f"device {args.device} ({name}); CPU: {torch.get_num_threads()} torch threads; "
          f"{args.max_epochs} epochs per fit; batch size {args.batch_size or 'of each case'}")
    start = time.perf_counter()
    compare_fits(args.estimators, args.device, args.max_epochs, args.batch_size)
    if not args.skip_lime:
        compare_lime(args.device, args.points, args.samples, args.max_epochs)
    print(f"\nwall time {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
