"""Pickling of skmtlx estimators: library versions recorded, devices mapped on load."""

import warnings

import torch

from ._torch import check_device
from ._version import __version__
from .exceptions import InconsistentVersionWarning

__all__ = ["PersistenceMixin", "device_available"]

_VERSION_KEYS = {"skmtlx": "_skmtlx_version", "torch": "_torch_version"}


def _installed_versions():
    # the local part of torch's version ("+cpu", "+cu121") names the build, not the code
    return {"skmtlx": __version__, "torch": torch.__version__.split("+")[0]}


def device_available(device):
    """Whether torch can place tensors on ``device`` (``"cpu"``, ``"cuda:1"``, ``"mps"``...).

    Parameters
    ----------
    device : str or torch.device

    Returns
    -------
    available : bool

    Examples
    --------
    >>> from skmtlx._persistence import device_available
    >>> device_available("cpu")
    True
    """
    try:
        check_device(device)  # the training path's check, so both agree on every device
    except ValueError:
        return False
    return True


class PersistenceMixin:
    """Pickle support shared by every public skmtlx estimator.

    ``__getstate__`` records the skmtlx and torch versions; ``__setstate__``
    warns with :class:`~skmtlx.exceptions.InconsistentVersionWarning` when they
    differ from the installed ones, and when the estimator was saved with a
    ``device`` that does not exist here (a CUDA-trained model loaded on a
    CPU-only machine) it sets ``device="cpu"``, as skorch does for its nets
    (whose tensors skorch loads with the matching ``map_location``).
    Place it before :class:`~sklearn.base.BaseEstimator` in the bases.
    """

    def __getstate__(self):
        try:
            state = super().__getstate__()
        except AttributeError:  # Python < 3.11 without a parent __getstate__
            state = None
        state = dict(self.__dict__ if state is None else state)
        for library, version in _installed_versions().items():
            state[_VERSION_KEYS[library]] = version
        return state

    def __setstate__(self, state):
        state = dict(state)
        for library, version in _installed_versions().items():
            saved = state.pop(_VERSION_KEYS[library], "unknown")
            if saved != version:
                warnings.warn(InconsistentVersionWarning(
                    estimator_name=type(self).__name__, library=library,
                    original_version=saved, current_version=version,
                ))
        try:
            super().__setstate__(state)
        except AttributeError:
            self.__dict__.update(state)
        device = getattr(self, "device", None)
        if isinstance(device, str) and not device_available(device):
            warnings.warn(
                f"{type(self).__name__} was saved with device={device!r}, which is not "
                "available here; it is loaded on device='cpu'.", UserWarning,
            )
            self.device = "cpu"
