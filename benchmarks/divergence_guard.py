"""Headroom of the divergence guard on default fits, and what it catches.

The guard stops a fit whose mean training loss of an epoch exceeds 1e4 times
the loss of the initial parameters. For the default fidelity estimators on the
paper's five datasets (plus the auxiliary-target estimators on the same data),
this prints the largest ratio seen over the epochs of a healthy fit (it must
stay far below 1e4: no false alarm), then fits the same estimators with
``lr=1e6`` and prints the error each one raises.

Run: ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/divergence_guard.py
[--datasets wine autompg ...] [--max-epochs N]``
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from sklearn.base import clone  # noqa: E402

from skmtlx import (  # noqa: E402
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    FidelityMTLClassifier,
    FidelityMTLRegressor,
)
from skmtlx.datasets import FIDELITY_DATASETS, load_fidelity_dataset  # noqa: E402


def estimators(task):
    if task == "regression":
        return [FidelityMTLRegressor(random_state=0),
                AuxiliaryTargetMTLRegressor(missing_aux="main_only", random_state=0)]
    return [FidelityMTLClassifier(random_state=0),
            AuxiliaryTargetMTLClassifier(missing_aux="main_only", random_state=0)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(FIDELITY_DATASETS))
    parser.add_argument("--max-epochs", type=int, default=None,
                        help="cap the epochs (default: each estimator's default)")
    args = parser.parse_args()
    start = time.perf_counter()
    print("command: python " + " ".join(sys.argv))
    data_home = os.environ.get("SKMTLX_DATA_HOME")
    print(f"{'dataset':<9} {'estimator':<30} {'epochs':>6} {'max loss / initial':>19} "
          f"{'seconds':>8}  lr=1e6")
    for name in args.datasets:
        data = load_fidelity_dataset(name, data_home=data_home)
        for estimator in estimators(data["task"]):
            if args.max_epochs is not None:
                estimator.set_params(max_epochs=args.max_epochs)
            tic = time.perf_counter()
            model = clone(estimator).fit(data["X_train"], data["y_train"])
            seconds = time.perf_counter() - tic
            initial = dict(model.net_.callbacks_)["divergence_guard"].initial_loss_
            growth = max(row["train_loss"] for row in model.history_) / initial
            try:
                clone(estimator).set_params(lr=1e6, max_epochs=3).fit(
                    data["X_train"], data["y_train"])
                caught = "NOT CAUGHT"
            except FloatingPointError as exc:
                caught = "FloatingPointError: " + str(exc).split(". ")[0][:60]
            print(f"{name:<9} {type(estimator).__name__:<30} {model.n_iter_:>6} "
                  f"{growth:>19.3g} {seconds:>8.1f}  {caught}", flush=True)
    print(f"wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
