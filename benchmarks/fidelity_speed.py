"""Training speed of skmtlx against a hand-written torch loop.

Trains the same 8-64-64-1 MLP for the same epochs and batch size on a
16k x 8 tabular regression set:

(a) ``FidelityMTLRegressor(surrogate_fit="post_hoc")`` (the black box alone,
    through skmtlx's skorch net),
(b) a plain torch loop (Adam, log-cosh, shuffled slices),
(c) ``FidelityMTLRegressor(surrogate_fit="joint")`` (f and g together),

interleaved over several repeats, and prints the median times and the ratios
(a)/(b) (target <= 1.3) and (c)/(a) (target <= 1.15).

Run: ``python benchmarks/fidelity_speed.py [--epochs 20] [--repeats 5]``
"""

import argparse
import statistics

import numpy as np
import torch

from _common import Stopwatch, finish_run, log_cosh, plain_mlp, print_table, start_run
from skmtlx import FidelityMTLRegressor


def make_data(n_samples=16_000, n_features=8, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n_samples, n_features)
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.randn(n_samples)
    return X, (y - y.mean()) / y.std()


def plain_torch_loop(X, y, *, epochs, batch_size, lr, seed):
    torch.manual_seed(seed)
    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(y, dtype=torch.float32)[:, None]
    model = plain_mlp(X.shape[1], (64, 64), 1)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        order = torch.randperm(len(X_t))
        X_e, y_e = X_t[order], y_t[order]
        for start in range(0, len(X_e), batch_size):
            optimizer.zero_grad()
            loss = log_cosh(model(X_e[start:start + batch_size]) - y_e[start:start + batch_size])
            loss = loss.mean()
            loss.backward()
            optimizer.step()
    return model


def skmtlx_fit(X, y, *, epochs, batch_size, lr, seed, surrogate_fit):
    return FidelityMTLRegressor(
        hidden_layer_sizes=(64, 64), max_epochs=epochs, batch_size=batch_size, lr=lr,
        early_stopping=False, standardize_target=False, surrogate_fit=surrogate_fit,
        random_state=seed,
    ).fit(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=128)
    args = parser.parse_args()
    clock = start_run()
    X, y = make_data()
    settings = dict(epochs=args.epochs, batch_size=args.batch_size, lr=1e-3, seed=0)
    runs = {
        "plain torch loop": lambda: plain_torch_loop(X, y, **settings),
        "skmtlx black box alone": lambda: skmtlx_fit(X, y, surrogate_fit="post_hoc", **settings),
        "skmtlx joint f + g": lambda: skmtlx_fit(X, y, surrogate_fit="joint", **settings),
    }
    for run in runs.values():  # warm-up: imports, allocator, first-call overheads
        run()
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            run_clock = Stopwatch()
            run()
            times[name].append(run_clock.wall)
    medians = {name: statistics.median(values) for name, values in times.items()}
    print(f"data 16000 x 8, MLP 8-64-64-1, batch {args.batch_size}, {args.epochs} epochs, "
          f"median of {args.repeats} interleaved repeats, torch threads {torch.get_num_threads()}")
    print_table([{"run": name, "median seconds": value} for name, value in medians.items()],
                {"run": "<24", "median seconds": ">7.3f"})
    black_box = medians["skmtlx black box alone"]
    print(f"skmtlx / plain loop        : {black_box / medians['plain torch loop']:.3f}  "
          "(target <= 1.30)")
    print(f"joint / black box alone    : {medians['skmtlx joint f + g'] / black_box:.3f}  "
          "(target <= 1.15)")
    finish_run(clock)


if __name__ == "__main__":
    main()
