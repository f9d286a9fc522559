"""How much of a chain the estimated task models can show at a given noise.

Run with ``python benchmarks/task_graph_noise_ceiling.py [--noise 0.1] [--draws 3]``.
On the well-determined draws of ``benchmarks/task_graph_relatedness.py`` (3
times as many rows per task as coefficients, noise ``--noise`` times the
signal's standard deviation), the relatedness rule's inputs are computed as the
estimator does (per-task least squares in the whitened basis of the pooled
design, with their sampling covariances ``s^2 (Z'Z)^-1``), and read out in
several ways, precision / recall of the true edges, means over the draws:

* ``rule``: the relatedness rule (``relatedness_edges``), as fitted;
* ``true models``: the same rule on the noise-free models (no noise term), the
  ceiling of the rule;
* ``margin m``: the rule with the "between" test's margin at ``m`` standard
  errors instead of ``MARGIN`` (0: any third task nearer to both explains a pair);
* ``smoothed``: the rule on models first smoothed along the close pairs (the
  posterior mean of a Gaussian random walk on that graph, step variance
  estimated from its noise-corrected distances), without noise term;
* ``spanning tree``: the minimum spanning tree of the noise-corrected
  distances, what an estimator told that the graph is a tree would read (the
  maximum-likelihood tree of a Gaussian random walk without noise); right only
  for ``line`` and ``tree``;
* ``distance P@R0.8``: the precision of the pairs ranked by noise-corrected
  distance at recall 0.8, the best any threshold on the distance reaches.

Then, for the chains (``line``), the signal-to-noise ratio of the exact test of
"``k`` is between ``i`` and ``j``" for the true triples ``i - k - j``: the
difference ``D_ij - D_ik`` of squared distances has mean one random-walk step
(true models) and, the estimates being Gaussian with the covariances above,
variance ``m_a' S_b m_a + m_b' S_a m_b + tr(S_a S_b)`` with ``a = w_k - w_j`` and
``b = 2 w_i - w_j - w_k`` (independent when the tasks' covariances are equal).
"""

import argparse
import sys
import time

import numpy as np
from scipy.sparse.csgraph import minimum_spanning_tree

from task_graph_relatedness import draw
from skmtlx.datasets import make_task_graph_regression
from skmtlx.task_graph import _relatedness, graph_recovery_score
from skmtlx.task_graph._bilevel import task_moments

STRUCTURES = ("line", "tree", "cliques", "clusters", "disconnected")


def estimates(structure, seed, noise, ratio=3.0):
    """Whitened per-task least squares, their covariances, the true models, true edges."""
    X, y, tasks, edges = draw(structure, "well", seed, ratio, noise)
    W = make_task_graph_regression(structure, n_samples=1, random_state=seed,
                                   return_coef=True)[4]
    offset = X.mean(axis=0)
    Z = np.hstack([X - offset, np.ones((len(X), 1))])
    G, b, yy, n = task_moments(Z, y - y.mean(), tasks, len(W))
    C = np.linalg.cholesky(np.einsum("t,tij->ij", n, G) / n.sum()).T
    Ci = np.linalg.inv(C)
    coef, cov = _relatedness.task_least_squares(
        np.einsum("ki,tkl,lj->tij", Ci, G, Ci), b @ Ci, yy, n, 0.0)
    true = np.hstack([W, (W @ offset - y.mean())[:, None]]) @ C.T
    return coef, cov, true, edges


def adjacency_score(edges, adjacency):
    i, j = np.nonzero(np.triu(adjacency, 1))
    return graph_recovery_score(edges, np.column_stack([i, j]))[:2]


def noise_corrected_distances(coef, cov):
    noise = np.trace(cov, axis1=1, axis2=2)
    sq = np.sum(coef ** 2, axis=1)
    return sq[:, None] + sq[None] - 2 * coef @ coef.T - noise[:, None] - noise[None]


def smoothed(coef, cov):
    """Posterior mean of a Gaussian random walk on the close pairs."""
    T, p = coef.shape
    _, similarity = _relatedness.relatedness_edges(coef, cov)
    close = (similarity > _relatedness.CLOSENESS) & _relatedness._significant(similarity, p)
    np.fill_diagonal(close, False)
    v = np.trace(cov, axis1=1, axis2=2) / p
    D = noise_corrected_distances(coef, cov)
    step = max(np.median(D[close]) / p, 1e-12) if close.any() else 1.0
    precision = np.diag(1 / v) + (np.diag(close.sum(1)) - close) / step
    return np.linalg.solve(precision, coef / v[:, None])


def spanning_tree(coef, cov):
    """Minimum spanning tree of the noise-corrected distances, as an adjacency matrix."""
    D = noise_corrected_distances(coef, cov)
    D = D - D.min() + 1e-9  # positive weights: csgraph reads zeros as missing edges
    np.fill_diagonal(D, 0.0)
    tree = minimum_spanning_tree(D).toarray() != 0
    return tree | tree.T


def precision_at_recall(edges, score, recall=0.8):
    T = len(score)
    true = np.zeros((T, T), bool)
    true[edges[:, 0], edges[:, 1]] = True
    i, j = np.triu_indices(T, 1)
    hits = np.cumsum((true | true.T)[i, j][np.argsort(-score[i, j], kind="stable")])
    n_kept = int(np.argmax(hits >= recall * len(edges))) + 1
    return hits[n_kept - 1] / n_kept


def between_snr(coef_true, cov, edges):
    """Mean / sd of ``D_ij - D_ik`` for the true triples ``i - k - j`` of a chain."""
    ratios = []
    for (i, k), (k2, j) in zip(edges[:-1], edges[1:]):
        if k != k2:
            continue
        a_mean = coef_true[k] - coef_true[j]
        b_mean = 2 * coef_true[i] - coef_true[j] - coef_true[k]
        Sa, Sb = cov[k] + cov[j], 4 * cov[i] + cov[j] + cov[k]
        var = a_mean @ Sb @ a_mean + b_mean @ Sa @ b_mean + np.trace(Sa @ Sb)
        ratios.append(a_mean @ b_mean / np.sqrt(var))
    return np.mean(ratios), np.min(ratios), np.max(ratios)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--draws", type=int, default=3)
    args = parser.parse_args()
    print("command: python " + " ".join(sys.argv), flush=True)
    start = time.perf_counter()
    default_margin = _relatedness.MARGIN
    margins = (0.5, 0.0)
    print(f"precision / recall, means of {args.draws} draws, noise {args.noise:g} of the signal")
    print(f"{'structure':13s} {'rule':>11s} {'true models':>11s} "
          + " ".join(f"{'margin ' + format(m, 'g'):>11s}" for m in margins)
          + f" {'smoothed':>11s} {'spanning tree':>13s} {'distance P@R0.8':>15s}")
    snr = []
    for structure in STRUCTURES:
        rows = []
        for seed in range(args.draws):
            coef, cov, true, edges = estimates(structure, seed, args.noise)
            row = [adjacency_score(edges, _relatedness.relatedness_edges(coef, cov)[0]),
                   adjacency_score(edges, _relatedness.relatedness_edges(true, 0 * cov)[0])]
            for margin in margins:
                _relatedness.MARGIN = margin
                row.append(adjacency_score(edges, _relatedness.relatedness_edges(coef, cov)[0]))
            _relatedness.MARGIN = default_margin
            smooth = _relatedness.relatedness_edges(smoothed(coef, cov))[0]
            row.append(adjacency_score(edges, smooth))
            row.append(adjacency_score(edges, spanning_tree(coef, cov)))
            row.append((precision_at_recall(edges, -noise_corrected_distances(coef, cov))
                        if len(edges) else np.nan, np.nan))
            rows.append(row)
            if structure == "line":
                snr.append(between_snr(true, cov, edges))
        mean = np.mean(rows, axis=0)
        cells = [f"{p:.2f} / {r:.2f}" for p, r in mean[:-1]] + [f"{mean[-1][0]:.2f}"]
        print(f"{structure:13s} " + " ".join(f"{c:>11s}" for c in cells[:-2])
              + f" {cells[-2]:>13s}"
              + f" {cells[-1]:>15s}", flush=True)
    snr = np.array(snr)
    per_draw = ", ".join(f"{s:.2f}" for s in snr[:, 0])
    print(f"line, exact test of 'k between i and j' on the true triples: mean / sd of "
          f"D_ij - D_ik {snr[:, 0].mean():.2f} (per draw {per_draw}; range "
          f"{snr[:, 1].min():.2f} to {snr[:, 2].max():.2f})")
    print(f"total wall time {time.perf_counter() - start:.0f}s", flush=True)


if __name__ == "__main__":
    main()
