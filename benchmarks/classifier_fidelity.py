"""FidelityMTLClassifier with its defaults: accuracy and fidelity per class.

For wine quality (6 classes, the quality grade as a label), titanic and adult
(training rows subsampled to ``--max-train``), each with its preprocessing
from ``skmtlx.datasets``, the default ``FidelityMTLClassifier`` is fitted over
``--seeds`` seeds. Printed per set, means over the seeds: the black box's test
accuracy, the test global fidelity GF (mean squared difference of the
surrogate's and the black box's class probabilities), R^2(f, g) per class
(``fidelity_r2(..., multioutput="raw_values")``; one value, P(positive), for a
binary task) and each class's mean probability under ``f`` and ``g``. Rare
classes show whether the surrogate's intercepts reached their frequency. Run
on two checkouts to compare them::

    SKMTLX_DATA_HOME=/work/shared/data PYTHONPATH=<checkout> \\
        python benchmarks/classifier_fidelity.py

Options: ``--seeds N`` (default 2), ``--datasets wine titanic adult``,
``--max-train N`` (default 8000).
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from _common import finish_run, start_run  # noqa: E402
from skmtlx import FidelityMTLClassifier  # noqa: E402
from skmtlx.datasets import load_adult, load_titanic, load_wine_quality  # noqa: E402
from skmtlx.metrics import fidelity_r2, global_fidelity  # noqa: E402

torch.set_num_threads(1)

LOADERS = {"wine": load_wine_quality, "titanic": load_titanic, "adult": load_adult}


def measure(name, seeds, max_train):
    data = LOADERS[name]()
    preprocessor = data.preprocessor.fit(data.X_train)
    X_train, X_test = preprocessor.transform(data.X_train), preprocessor.transform(data.X_test)
    y_train, y_test = np.asarray(data.y_train), np.asarray(data.y_test)
    if len(y_train) > max_train:
        rows = np.random.RandomState(0).choice(len(y_train), max_train, replace=False)
        X_train, y_train = X_train[rows], y_train[rows]
    runs = []
    for seed in range(seeds):
        model = FidelityMTLClassifier(random_state=seed).fit(X_train, y_train)
        runs.append(dict(
            accuracy=model.score(X_test, y_test),
            gf=global_fidelity(model, X_test),
            r2=fidelity_r2(model, X_test, multioutput="raw_values"),
            mean_f=model.predict_proba(X_test).mean(axis=0),
            mean_g=model.predict_surrogate_proba(X_test).mean(axis=0),
            epochs=model.n_iter_,
        ))
    mean = {key: np.mean([run[key] for run in runs], axis=0) for key in runs[0]}
    counts = np.unique(y_train, return_counts=True)[1]
    print(f"\n=== {name}: {len(y_train)} training rows, class shares "
          f"{np.round(counts / counts.sum(), 3).tolist()}")
    print(f"accuracy {mean['accuracy']:.4f}  GF {mean['gf']:.5f}  epochs {mean['epochs']:.0f}")
    print(f"R2(f, g) per class   {np.round(mean['r2'], 2).tolist()}")
    print(f"mean probability f   {np.round(mean['mean_f'], 4).tolist()}")
    print(f"mean probability g   {np.round(mean['mean_g'], 4).tolist()}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--datasets", nargs="+", choices=list(LOADERS), default=list(LOADERS))
    parser.add_argument("--max-train", type=int, default=8000)
    args = parser.parse_args()
    clock = start_run()
    for name in args.datasets:
        measure(name, args.seeds, args.max_train)
    finish_run(clock)


if __name__ == "__main__":
    main()
