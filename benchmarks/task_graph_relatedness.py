"""Recovery of the generating task graph by the relatedness graph (``relatedness_``).

Run with ``python benchmarks/task_graph_relatedness.py [--draws 3] [--regime
well|authors|both] [--noise 0.1] [--ratio 3] [--structures line,tree]``.
For every synthetic structure of ``make_task_graph_regression`` and every draw,
fits ``SparseTaskGraphMTL`` with its defaults and prints precision / recall of
the true edges by the relatedness graph and by the predictive graph
(``edges_``), edges kept and fit time; then their means over the draws.

Regimes (issue 30):

* ``well``: every task well determined: ``--ratio`` times as many rows per task
  as coefficients (features + intercept) and Gaussian noise of ``--noise``
  times the standard deviation of the noise-free targets.
* ``authors``: the authors' sizes: 20 noise-free rows per task for 20 to 30
  features (``benchmarks/task_graph.py``'s training rows).

Targets: well-determined, precision and recall >= 0.8 on line, tree, cliques
and clusters, <= 1 spurious edge on average on ``disconnected``; authors'
regime, no worse than the predictive graph, precision 0.8 / recall 0.9 where
the true models identify the graph (``benchmarks/task_graph_identifiability.py``).
"""

import argparse
import sys
import time

import numpy as np

from skmtlx.datasets import TASK_GRAPH_STRUCTURES, make_task_graph_regression
from skmtlx.task_graph import SparseTaskGraphMTL, graph_recovery_score


def draw(structure, regime, seed, ratio, noise):
    """One draw of ``structure`` in ``regime``: X, y, tasks, true edges."""
    mean = 1.0 if structure == "star_blocks" else 0.0
    if regime == "authors":
        return make_task_graph_regression(structure, n_samples=20, mean=mean, random_state=seed)
    _, _, _, _, coef = make_task_graph_regression(structure, n_samples=1, mean=mean,
                                                  random_state=seed, return_coef=True)
    n_rows = int(np.ceil(ratio * (coef.shape[1] + 1)))
    X, y, tasks, edges = make_task_graph_regression(structure, n_samples=n_rows, mean=mean,
                                                    random_state=seed)
    # the same seed draws the same models and rows; the noise comes last
    return make_task_graph_regression(structure, n_samples=n_rows, mean=mean,
                                      noise=noise * y.std(), random_state=seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=3)
    parser.add_argument("--regime", default="both", choices=["well", "authors", "both"])
    parser.add_argument("--ratio", type=float, default=3.0,
                        help="well-determined regime: rows per task / coefficients")
    parser.add_argument("--noise", type=float, default=0.1,
                        help="well-determined regime: noise sd / signal sd")
    parser.add_argument("--structures", default=",".join(TASK_GRAPH_STRUCTURES))
    args = parser.parse_args()
    print("command: python " + " ".join(sys.argv), flush=True)
    start = time.perf_counter()
    regimes = ["well", "authors"] if args.regime == "both" else [args.regime]
    for regime in regimes:
        label = (f"well determined ({args.ratio:g}x rows, noise {args.noise:g} of the signal "
                 "sd)" if regime == "well" else "authors' regime (20 noise-free rows per task)")
        print(f"== {label}", flush=True)
        for structure in args.structures.split(","):
            scores = {"relatedness": [], "predictive": []}
            for seed in range(args.draws):
                X, y, tasks, edges = draw(structure, regime, seed, args.ratio, args.noise)
                t0 = time.perf_counter()
                model = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=tasks)
                seconds = time.perf_counter() - t0
                line = f"{structure:13s} draw{seed} rows/task {len(y) // len(model.tasks_):3d}"
                for kind in scores:
                    found = model.get_graph(kind).edges
                    p, r, _ = graph_recovery_score(edges, found)
                    scores[kind].append((p, r, len(found)))
                    line += f" | {kind} P {p:.2f} R {r:.2f} edges {len(found):3d}"
                kept = int(np.sum(model.relatedness_.source == "predictive"))
                line += (f" (true {len(edges)}; {kept} kept from the predictive graph) | "
                         f"{model.relatedness_.method} | fit {seconds:5.1f}s")
                print(line, flush=True)
            summary = f"{structure:13s} mean of {args.draws}"
            for kind, rows in scores.items():
                p, r, n = np.mean(rows, axis=0)
                summary += f" | {kind} P {p:.2f} R {r:.2f} edges {n:5.1f}"
            print(summary, flush=True)
    print(f"total wall time {time.perf_counter() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
