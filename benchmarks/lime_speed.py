"""Speed of the batched LIME-equivalent explainer against the lime package.

Fits the STL MLP on adult (the paper's preprocessing), then computes the
neighbourhood fidelity of ``--points`` test points with ``explainer="lime"``
(one ``explain_instance`` per point) and ``explainer="lime_batched"`` with
the same settings (5000 samples, kernel width 0.75 sqrt(d), ridge alpha 1),
and prints both times, the ratio (target >= 100) and both GNF figures. Both
explainers evaluate the black box on ``points x samples`` perturbations, so the
same comparison is repeated with a logistic-regression black box, whose
forward pass is cheap: that ratio is the speed-up of the explainer machinery
itself. The time of the black box alone on the ``points x samples``
perturbations is printed too: no explainer that evaluates the black box
there can beat it, so ``lime time / forward time`` is the best ratio reachable
on this machine. Run::

    SKMTLX_DATA_HOME=../shared/data python benchmarks/lime_speed.py --points 500
"""

import argparse

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from _common import Stopwatch, finish_run, start_run
from skmtlx import FidelityMTLClassifier
from skmtlx.datasets import load_fidelity_dataset
from skmtlx.metrics import neighborhood_fidelity


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=500)
    parser.add_argument("--samples", type=int, default=5000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 64])
    args = parser.parse_args()
    clock = start_run()
    data = load_fidelity_dataset("adult").paper  # preprocessing fitted on the training rows
    X_train, X_test = np.asarray(data.X_train, float), np.asarray(data.X_test, float)
    model = FidelityMTLClassifier(surrogate_fit="post_hoc", hidden_layer_sizes=tuple(args.hidden),
                                  batch_size=256, max_epochs=20, random_state=0)
    model.fit(X_train, np.asarray(data.y_train))
    cheap = LogisticRegression(max_iter=1000).fit(X_train, np.asarray(data.y_train))
    points = X_test[np.random.RandomState(0).choice(len(X_test), args.points, replace=False)]
    common = dict(n_samples=args.samples, training_data=X_train, random_state=0)
    print(f"adult: {args.points} test points, {X_train.shape[1]} features, {args.samples} samples "
          f"per local fit, torch threads {torch.get_num_threads()}")
    for label, black_box in (("STL MLP " + "-".join(map(str, args.hidden)), model),
                             ("logistic regression", cheap)):
        timings, figures = {}, {}
        for explainer in ("lime_batched", "lime"):
            explainer_clock = Stopwatch()
            figures[explainer] = neighborhood_fidelity(black_box, points, explainer=explainer,
                                                       **common)
            timings[explainer] = explainer_clock.wall
        noise = np.random.default_rng(0).standard_normal((args.samples, X_train.shape[1]))
        scale = X_train.std(axis=0)
        perturbations = np.where(scale > 0, scale, 1.0) * noise  # lime's, around each point
        forward_clock = Stopwatch()
        for chunk in np.array_split(points, max(1, len(points) // 32)):
            rows = (chunk[:, None, :] + perturbations).reshape(-1, X_train.shape[1])
            black_box.predict_proba(rows)  # the fidelity space of a classifier
        forward = forward_clock.wall
        print(f"black box: {label}")
        print(f"  forward pass on {args.points} x {args.samples} perturbations alone: "
              f"{forward:.2f} s (ceiling on the ratio: {timings['lime'] / forward:.1f})")
        for explainer in timings:
            print(f"  {explainer:<13} {timings[explainer]:8.2f} s   GNF {figures[explainer]:.5f}")
        print(f"  lime / lime_batched time ratio: "
              f"{timings['lime'] / timings['lime_batched']:.1f} (target >= 100)")
    finish_run(clock)


if __name__ == "__main__":
    main()
