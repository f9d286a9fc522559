"""Embeddings of numerical features placed before an MLP's first layer.

Gorishniy, Rubachev & Babenko, "On Embeddings for Numerical Features in
Tabular Deep Learning" (NeurIPS 2022): an MLP reads each numerical feature
through a richer representation than the raw value, either its
piecewise-linear encoding on quantile bins (``"piecewise_linear"``, the
paper's MLP-Q) or learned periodic features (``"periodic"``, the paper's
MLP-PLR). Both are fitted on the training rows (bin edges, feature scales)
and stored in the module, so that prediction, pickling and cloning need
nothing else. Features with few distinct values (binary, one-hot, ordinal
codes) are passed through unchanged, as :class:`skmtlx._additive.AdditiveBasis`
gives them one value per level.
"""

import math

import numpy as np
import torch
from torch import nn

from .._additive import MAX_LEVELS  # features with at most this many values are not embedded

__all__ = [
    "NUMERICAL_EMBEDDINGS",
    "PeriodicEmbedding",
    "PiecewiseLinearEncoding",
    "make_numerical_embedding",
    "numerical_columns",
    "quantile_bin_edges",
]


def numerical_columns(X, max_levels=MAX_LEVELS):
    """Indices of the columns of ``X`` with more than ``max_levels`` distinct values.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._torch._embeddings import numerical_columns
    >>> X = np.column_stack([np.arange(50.0), np.tile([0.0, 1.0], 25)])
    >>> numerical_columns(X).tolist()
    [0]
    """
    X = np.asarray(X)
    return np.array([j for j in range(X.shape[1]) if len(np.unique(X[:, j])) > max_levels],
                    dtype=np.int64)


def quantile_bin_edges(column, n_bins):
    """Edges of ``n_bins`` quantile bins of ``column``, ties merged (at most ``n_bins + 1``).

    The edges are float32, the precision the network reads, so that no bin
    is empty there.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._torch._embeddings import quantile_bin_edges
    >>> quantile_bin_edges(np.array([0.0, 1.0, 1.0, 1.0, 5.0]), 4).tolist()
    [0.0, 1.0, 5.0]
    """
    quantiles = np.quantile(np.asarray(column, dtype=np.float64),
                            np.linspace(0.0, 1.0, n_bins + 1))
    return np.unique(quantiles.astype(np.float32))


class _PassThroughSplit(nn.Module):
    """Base of the embeddings: split the inputs into embedded and passed-through columns."""

    def __init__(self, columns, n_features):
        super().__init__()
        columns = np.asarray(columns, dtype=np.int64)
        self.n_features = int(n_features)
        self.register_buffer("columns", torch.as_tensor(columns))
        self.register_buffer("others", torch.as_tensor(
            np.setdiff1d(np.arange(self.n_features), columns).astype(np.int64)))

    def _embed(self, x):
        raise NotImplementedError

    def forward(self, X):
        """``[X[:, others], embedding of X[:, columns]]`` of shape (n, ``n_outputs``)."""
        return torch.cat([X[:, self.others], self._embed(X[:, self.columns])], dim=1)


class PiecewiseLinearEncoding(_PassThroughSplit):
    """Piecewise-linear encoding (PLE) of numerical features on quantile bins.

    A value ``x`` in bin ``t`` of a feature with edges ``e_0 < ... < e_T``
    is encoded as ``T`` numbers: 1 for the bins below ``t``, ``(x - e_t) /
    (e_{t+1} - e_t)`` for bin ``t``, 0 above. The first bin's value is not
    clipped below nor the last's above, so that values outside the training
    range extrapolate linearly. The next linear layer then reads any
    piecewise-linear function of ``x`` with kinks at the edges.

    Parameters
    ----------
    bin_edges : list of ndarray
        Increasing edges of every encoded feature (at least two each).
    columns : array-like of int
        The encoded features; the others are passed through.
    n_features : int
        Number of input columns.

    Attributes
    ----------
    n_outputs : int
        Width of the output: the passed-through columns and every bin.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch._embeddings import PiecewiseLinearEncoding
    >>> ple = PiecewiseLinearEncoding([np.array([0.0, 1.0, 3.0])], [0], n_features=2)
    >>> ple(torch.tensor([[2.0, 7.0], [4.0, 7.0]]))
    tensor([[7.0000, 1.0000, 0.5000],
            [7.0000, 1.0000, 1.5000]])
    """

    def __init__(self, bin_edges, columns, n_features):
        super().__init__(columns, n_features)
        counts = [len(edges) - 1 for edges in bin_edges]
        if len(counts) != len(self.columns) or min(counts, default=1) < 1:
            raise ValueError("PiecewiseLinearEncoding needs at least two edges per column.")
        width = max(counts, default=1)
        # padded to a (n_columns, width) grid; the padding bins are dropped by `keep`
        left = np.zeros((len(counts), width))
        size = np.ones((len(counts), width))
        lower = np.zeros((len(counts), width))
        upper = np.ones((len(counts), width))
        for i, edges in enumerate(bin_edges):
            edges = np.asarray(edges, dtype=np.float64)
            left[i, :counts[i]], size[i, :counts[i]] = edges[:-1], np.diff(edges)
            lower[i, 0], upper[i, counts[i] - 1] = -np.inf, np.inf
        keep = (np.arange(width) < np.array(counts)[:, None]).ravel()
        for name, value in [("left", left), ("size", size), ("lower", lower),
                            ("upper", upper)]:
            self.register_buffer(name, torch.as_tensor(value, dtype=torch.float32))
        self.register_buffer("keep", torch.as_tensor(np.flatnonzero(keep)))
        self.n_outputs = len(self.others) + int(sum(counts))

    def _embed(self, x):
        ratio = (x[:, :, None] - self.left) / self.size
        return torch.clamp(ratio, self.lower, self.upper).flatten(1)[:, self.keep]


class PeriodicEmbedding(_PassThroughSplit):
    """Periodic embeddings (PLR): ``ReLU(Linear_j([cos(2 pi c_j x), sin(2 pi c_j x)]))``.

    Each encoded feature ``j`` gets ``n_frequencies`` trainable frequencies
    ``c_j``, drawn from a normal of standard deviation
    ``frequency_scale / std_j`` (truncated at 3 standard deviations) so that
    the draw does not depend on the feature's units, and a linear layer of
    its own to ``n_embedding`` outputs.

    Parameters
    ----------
    scales : ndarray of shape (n_columns,)
        Training standard deviation of every encoded feature.
    columns : array-like of int
        The encoded features; the others are passed through.
    n_features : int
        Number of input columns.
    n_frequencies : int, default=48
    n_embedding : int, default=24
    frequency_scale : float, default=1.0
        The paper's ``sigma``, in units of each feature's standard deviation
        (1.0: of 0.1, 0.5, 1 and 2, the best on held-out training rows of
        the California housing set, and within the noise on the small
        fidelity sets).

    Attributes
    ----------
    n_outputs : int
        Width of the output: the passed-through columns and ``n_embedding``
        per encoded feature.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch._embeddings import PeriodicEmbedding
    >>> emb = PeriodicEmbedding(np.ones(1), [1], n_features=3, n_embedding=4)
    >>> emb(torch.zeros(5, 3)).shape, emb.n_outputs
    (torch.Size([5, 6]), 6)
    """

    def __init__(self, scales, columns, n_features, *, n_frequencies=48, n_embedding=24,
                 frequency_scale=1.0):
        super().__init__(columns, n_features)
        n_columns = len(self.columns)
        frequencies = torch.empty(n_columns, n_frequencies)
        nn.init.trunc_normal_(frequencies, 0.0, frequency_scale, -3 * frequency_scale,
                              3 * frequency_scale)
        scales = torch.as_tensor(np.asarray(scales, dtype=np.float64), dtype=torch.float32)
        self.frequencies = nn.Parameter(frequencies / scales.clamp_min(1e-12)[:, None])
        # one linear layer per feature, initialised as nn.Linear(2 * n_frequencies, ...)
        bound = 1.0 / math.sqrt(2 * n_frequencies)
        self.weight = nn.Parameter(
            torch.empty(n_columns, 2 * n_frequencies, n_embedding).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_columns, n_embedding).uniform_(-bound, bound))
        self.n_outputs = len(self.others) + n_columns * n_embedding

    def _embed(self, x):
        angles = 2 * math.pi * self.frequencies * x[:, :, None]
        periodic = torch.cat([torch.cos(angles), torch.sin(angles)], dim=2)
        embedded = torch.einsum("njf,jfd->njd", periodic, self.weight) + self.bias
        return torch.relu(embedded).flatten(1)


NUMERICAL_EMBEDDINGS = ("piecewise_linear", "periodic")
"""The values of the estimators' ``numerical_embedding`` besides None."""

N_BINS = 48
"""Quantile bins per feature of the piecewise-linear encoding (the paper's default)."""


def make_numerical_embedding(kind, X):
    """The embedding ``kind`` of ``X``'s numerical columns, fitted on the rows ``X``.

    Parameters
    ----------
    kind : {"piecewise_linear", "periodic"} or None
    X : ndarray of shape (n_samples, n_features)
        Training rows: they set the bin edges (quantiles) or the feature
        scales.

    Returns
    -------
    embedding : PiecewiseLinearEncoding, PeriodicEmbedding or None
        None when ``kind`` is None or no column has more than
        :data:`skmtlx._additive.MAX_LEVELS` distinct values. Periodic frequencies and weights
        are drawn from torch's global generator.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._torch._embeddings import make_numerical_embedding
    >>> X = np.column_stack([np.random.RandomState(0).randn(200), np.tile([0.0, 1.0], 100)])
    >>> make_numerical_embedding("piecewise_linear", X).n_outputs  # 1 raw + 48 bins
    49
    """
    if kind is None:
        return None
    X = np.asarray(X, dtype=np.float64)
    columns = numerical_columns(X)
    if len(columns) == 0:
        return None
    if kind == "piecewise_linear":
        edges = [quantile_bin_edges(X[:, j], N_BINS) for j in columns]
        return PiecewiseLinearEncoding(edges, columns, X.shape[1])
    if kind == "periodic":
        return PeriodicEmbedding(X[:, columns].std(axis=0), columns, X.shape[1])
    raise ValueError(f"Unknown numerical embedding {kind!r}; expected one of "
                     f"{NUMERICAL_EMBEDDINGS} or None.")
