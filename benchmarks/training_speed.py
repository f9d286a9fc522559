"""Per-epoch cost of skmtlx's training path against scikit-learn and hand-written torch loops.

The same MLP (20-100-1, ReLU, mini-batches of 200 rows, Adam, learning rate
1e-3, squared error, reshuffled every epoch; ``--hidden`` and ``--batch-size``
change the hidden layers and the batch) is trained with one thread, in one
process, at several row counts, by:

- ``sklearn``: scikit-learn's ``MLPRegressor`` (the black box ``f`` only);
- ``torch``: a plain torch loop (``torch.optim.Adam`` with its default
  implementation);
- ``torch fused``: the same loop with ``torch.optim.Adam(fused=True)``;
- ``train_module``: skmtlx's training path (``skmtlx._torch.train_module``)
  on the same MLP and loss;
- ``joint fit``: ``FidelityMTLRegressor`` (surrogate_fit="joint"), i.e. the
  MLP plus the linear surrogate and the fidelity term, for reference;
- ``post-hoc fit``: the same estimator with ``surrogate_fit="post_hoc"`` (the
  MLP alone, with the estimator's own loss and weight decay), so that
  ``joint fit / post-hoc fit`` is the cost of the surrogate head alone;
- ``no head`` and ``fidelity only``: ``train_module`` on the estimator's MLP,
  loss and weight decay, without a surrogate, and with the fidelity term
  measured against a surrogate that costs nothing (the first input column:
  no parameters, no backward pass), so that ``fidelity only / no head`` is
  the cost of the fidelity term itself (``mse_loss`` and ``lerp``, forward
  and backward): the floor of any surrogate head trained by autograd.

Each measurement trains about ``--rows-per-run`` rows (epochs = that / rows),
the methods are interleaved and repeated, and the median CPU seconds per
epoch of this process (one thread: the work done, whatever else runs on the
machine) are printed with the ratios to the fused torch loop (target:
train_module <= 1.1x) and the surrogate head's ratio, joint / post-hoc fit.

``--profile`` also counts the torch operations per training batch (forward,
backward and optimiser step, with ``torch.profiler``) of the joint fit, the
post-hoc fit and ``fidelity only``.

Run: ``python benchmarks/training_speed.py [--rows 10000 50000 200000 400000]
[--rows-per-run 400000] [--repeats 3] [--profile] [--hidden 100] [--batch-size 200]``
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy and torch are imported

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402
from torch.profiler import ProfilerActivity, profile  # noqa: E402

import skmtlx  # noqa: E402
from skmtlx import FidelityMTLRegressor  # noqa: E402
from skmtlx._surrogate import FidelityCriterion, PredictionLoss  # noqa: E402
from skmtlx._torch import TrainingConfig, make_mlp, train_module  # noqa: E402

N_FEATURES, LR = 20, 1e-3
HIDDEN, BATCH = (100,), 200  # --hidden, --batch-size
ESTIMATOR = FidelityMTLRegressor()  # its loss, weight decay and fidelity weight


def make_data(n_rows, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_rows, N_FEATURES).astype(np.float32)
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n_rows)
    return X, ((y - y.mean()) / y.std()).astype(np.float32)


def fit_sklearn(X, y, epochs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPRegressor(
            hidden_layer_sizes=HIDDEN, solver="adam", batch_size=BATCH, learning_rate_init=LR,
            max_iter=epochs, tol=0.0, n_iter_no_change=10**9, random_state=0,
        ).fit(X, y)


def torch_loop(X, y, epochs, **adam):
    torch.manual_seed(0)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)[:, None]
    model = make_mlp(N_FEATURES, HIDDEN, 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR, **adam)
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        X_e, y_e = X_t[order], y_t[order]
        for start in range(0, len(X_e), BATCH):
            optimizer.zero_grad()
            loss = torch.mean((model(X_e[start:start + BATCH]) - y_e[start:start + BATCH]) ** 2)
            loss.backward()
            optimizer.step()


def fit_train_module(X, y, epochs):
    config = TrainingConfig(max_epochs=epochs, batch_size=BATCH, lr=LR, seed=0)
    train_module(config, lambda: make_mlp(N_FEATURES, HIDDEN, 1), torch.nn.MSELoss(),
                 X, y[:, None])


class FreeSurrogate(torch.nn.Module):
    """The MLP, and as its "surrogate" the first input column (no parameters)."""

    def __init__(self):
        super().__init__()
        self.mlp = make_mlp(N_FEATURES, HIDDEN, 1)

    def forward(self, X):
        return self.mlp(X), X[:, :1]


def fit_estimator_loss(X, y, epochs, fidelity):
    config = TrainingConfig(max_epochs=epochs, batch_size=BATCH, lr=LR, seed=0,
                            weight_decay=ESTIMATOR.weight_decay)
    loss = PredictionLoss(ESTIMATOR.loss)
    if fidelity:
        train_module(config, FreeSurrogate, FidelityCriterion(
            loss, ESTIMATOR.fidelity_weight, ["identity"], multi_head=False), X, y[:, None])
    else:
        train_module(config, lambda: make_mlp(N_FEATURES, HIDDEN, 1), loss, X, y[:, None])


def fit_fidelity(X, y, epochs, surrogate_fit):
    FidelityMTLRegressor(
        hidden_layer_sizes=HIDDEN, max_epochs=epochs, batch_size=BATCH, lr=LR,
        early_stopping=False, standardize_target=False, surrogate_fit=surrogate_fit,
        random_state=0,
    ).fit(X, y)


METHODS = {
    "sklearn": fit_sklearn,
    "torch": lambda X, y, epochs: torch_loop(X, y, epochs),
    "torch fused": lambda X, y, epochs: torch_loop(X, y, epochs, fused=True),
    "train_module": fit_train_module,
    "joint fit": lambda X, y, epochs: fit_fidelity(X, y, epochs, "joint"),
    "post-hoc fit": lambda X, y, epochs: fit_fidelity(X, y, epochs, "post_hoc"),
    "no head": lambda X, y, epochs: fit_estimator_loss(X, y, epochs, fidelity=False),
    "fidelity only": lambda X, y, epochs: fit_estimator_loss(X, y, epochs, fidelity=True),
}
PROFILED = ("joint fit", "post-hoc fit", "fidelity only")


def ops_per_batch(fit, n_rows=4000):
    """Torch operations per training batch: those of 3 epochs less those of 1, per batch."""
    X, y = make_data(n_rows)
    counts = []
    for epochs in (1, 3):
        with profile(activities=[ProfilerActivity.CPU]) as prof:
            fit(X, y, epochs)
        counts.append(len(prof.events()))
    return (counts[1] - counts[0]) / (2 * math.ceil(n_rows / BATCH))


def main():
    global HIDDEN, BATCH
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 50_000, 200_000, 400_000])
    parser.add_argument("--rows-per-run", type=int, default=400_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--hidden", type=int, nargs="+", default=list(HIDDEN))
    parser.add_argument("--batch-size", type=int, default=BATCH)
    args = parser.parse_args()
    HIDDEN, BATCH = tuple(args.hidden), args.batch_size
    start = time.perf_counter()
    print("command: python " + " ".join(sys.argv))
    print(f"torch {torch.__version__}, skmtlx from {os.path.dirname(skmtlx.__file__)}, MLP "
          f"{'-'.join(map(str, (N_FEATURES, *HIDDEN, 1)))}, batches of {BATCH}, one thread; "
          f"CPU seconds per epoch (median of {args.repeats} interleaved runs), ratio to the "
          "fused torch loop")
    torch.set_num_threads(1)
    print(f"{'rows':>8} " + " ".join(f"{name:>14}" for name in METHODS))
    with threadpool_limits(1):
        for n_rows in args.rows:
            X, y = make_data(n_rows)
            epochs = max(1, round(args.rows_per_run / n_rows))
            times = {name: [] for name in METHODS}
            for _ in range(args.repeats):
                for name, fit in METHODS.items():
                    tic = time.process_time()
                    fit(X, y, epochs)
                    times[name].append((time.process_time() - tic) / epochs)
            median = {name: statistics.median(t) for name, t in times.items()}
            print(f"{n_rows:>8} " + " ".join(f"{median[name]:>14.4f}" for name in METHODS))
            print(f"{'ratio':>8} " + " ".join(
                f"{median[name] / median['torch fused']:>14.2f}" for name in METHODS))
            print(f"{'':>8} surrogate head: joint / post-hoc fit "
                  f"{median['joint fit'] / median['post-hoc fit']:.2f}; "
                  f"fidelity term alone: fidelity only / no head "
                  f"{median['fidelity only'] / median['no head']:.2f}")
        if args.profile:
            print("torch operations per training batch: " + ", ".join(
                f"{name} {ops_per_batch(METHODS[name]):.0f}" for name in PROFILED))
    print(f"wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
