"""Fit time idle vs beside a busy process, with skmtlx's thread policy and torch's default.

The default ``FidelityMTLClassifier`` is fitted on one-hot adult (105
features, 32,561 training rows) for ``--max-epochs`` epochs, four ways:

- ``policy``: skmtlx's default (a fit uses threads by the size of its
  network: one for this one) with the machine idle, then beside one busy
  process (``python -c 'while True: pass'``, started and stopped here);
- ``torch default``: the behaviour before the policy, every fit on torch's
  default number of intra-op threads (forced with ``training_threads``),
  idle and beside the busy process.

The busy/idle ratio of each is printed (goal for the policy: at most 2).
Run it without ``OMP_NUM_THREADS`` set, so that torch's default is the
machine's.

Run: ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/training_threads.py
[--max-epochs 2] [--repeats 1]``
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager, nullcontext

import torch

from skmtlx import FidelityMTLClassifier, training_threads
from skmtlx.datasets import load_adult


@contextmanager
def busy_neighbour():
    """One process spinning on a core for the duration of the block."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)  # let it start spinning
        yield
    finally:
        process.kill()
        process.wait()


def fit_seconds(X, y, max_epochs, threads):
    context = nullcontext() if threads is None else training_threads(threads)
    tic = time.perf_counter()
    with context:
        FidelityMTLClassifier(max_epochs=max_epochs, random_state=0).fit(X, y)
    return time.perf_counter() - tic


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    print("command: python " + " ".join(sys.argv))
    default_threads = torch.get_num_threads()
    print(f"torch {torch.__version__}; {os.cpu_count()} CPUs; torch's default intra-op "
          f"threads here: {default_threads} (OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')})")
    X, _, y, _ = load_adult(categorical_encoding="onehot", return_X_y=True)
    print(f"adult one-hot: {X.shape[0]} rows x {X.shape[1]} features; "
          f"FidelityMTLClassifier(max_epochs={args.max_epochs}), median of {args.repeats}")
    fit_seconds(X[:2000], y[:2000], 1, None)  # warm up (imports, allocator)
    rows = {"policy": None, "torch default": default_threads}
    print(f"{'threads':<15} {'idle s':>8} {'busy s':>8} {'busy/idle':>10}")
    for name, threads in rows.items():
        idle = statistics.median(
            fit_seconds(X, y, args.max_epochs, threads) for _ in range(args.repeats))
        with busy_neighbour():
            busy = statistics.median(
                fit_seconds(X, y, args.max_epochs, threads) for _ in range(args.repeats))
        print(f"{name:<15} {idle:>8.1f} {busy:>8.1f} {busy / idle:>10.1f}", flush=True)
    print(f"wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
