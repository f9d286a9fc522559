"""A batch-slicing data iterator for skorch on in-memory tabular data."""

import math

import torch
from skorch.utils import to_tensor

__all__ = ["BatchSliceLoader"]


def _as_tensor(data, device):
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: _as_tensor(value, device) for key, value in data.items()}
    return to_tensor(data, device=device)


def _take(data, index):
    if data is None:
        return None
    if isinstance(data, dict):
        return {key: _take(value, index) for key, value in data.items()}
    return data[index]


def _length(data):
    if isinstance(data, dict):
        return len(next(iter(data.values())))
    return len(data)


class BatchSliceLoader:
    """Yield mini-batches by slicing whole tensors instead of indexing samples.

    skorch's default :class:`torch.utils.data.DataLoader` fetches one sample
    at a time and collates them, which dominates the run time of small tabular
    networks. This loader permutes the data once per epoch and yields slices,
    and is passed to skorch as ``iterator_train`` / ``iterator_valid``.

    Parameters
    ----------
    dataset : skorch.dataset.Dataset
        Dataset whose ``X`` (array, tensor or dict of them) and ``y`` are held
        in memory.
    batch_size : int, default=128
        Rows per batch; the last batch may be smaller.
    shuffle : bool, default=False
        Draw a new permutation every epoch.
    generator : torch.Generator or None, default=None
        The generator of the permutations (None: torch's global one); a fit
        passes its own, so that fits running in threads do not interfere.
    device : str or torch.device, default="cpu"
        Where the batches are yielded; the data are moved there once per
        epoch, not once per batch.
    **kwargs : dict
        Other ``DataLoader`` arguments skorch may pass; ignored.

    Examples
    --------
    >>> import numpy as np
    >>> from skorch.dataset import Dataset
    >>> from skmtlx._torch import BatchSliceLoader
    >>> data = Dataset(np.zeros((10, 2), dtype=np.float32), np.zeros(10, dtype=np.float32))
    >>> [len(Xb) for Xb, yb in BatchSliceLoader(data, batch_size=4)]
    [4, 4, 2]
    """

    def __init__(
        self, dataset, batch_size=128, shuffle=False, generator=None, device="cpu", **kwargs
    ):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = generator
        self.device = device

    def __len__(self):
        return math.ceil(_length(self.dataset.X) / self.batch_size)

    def __iter__(self):
        X = _as_tensor(self.dataset.X, self.device)
        y = _as_tensor(self.dataset.y, self.device)
        n_samples = _length(X)
        if self.shuffle:
            order = torch.randperm(n_samples, generator=self.generator)
            order = order.to(self.device)
            X, y = _take(X, order), _take(y, order)
        for start in range(0, n_samples, self.batch_size):
            batch = slice(start, start + self.batch_size)
            yield _take(X, batch), _take(y, batch)
