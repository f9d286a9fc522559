"""Pickling of skmtlx estimators: library versions recorded, devices mapped on load."""

import io
import warnings

import torch

from ._torch import device_available
from ._version import __version__
from .exceptions import InconsistentVersionWarning

__all__ = ["PersistenceMixin"]

_VERSION_KEYS = {"skmtlx": "_skmtlx_version", "torch": "_torch_version"}
_STATE_KEY, _DEVICE_KEY = "_torch_state", "_saved_device"


def _installed_versions():
    # the local part of torch's version ("+cpu", "+cu121") names the build, not the code
    return {"skmtlx": __version__, "torch": torch.__version__.split("+")[0]}


class PersistenceMixin:
    """Pickle support shared by every public skmtlx estimator.

    ``__getstate__`` records the skmtlx and torch versions and serialises the
    estimator's state with :func:`torch.save`; ``__setstate__`` warns with
    :class:`~skmtlx.exceptions.InconsistentVersionWarning` when the versions
    differ from the installed ones, and when the estimator was saved with a
    ``device`` that does not exist here (a CUDA-trained model loaded on a
    CPU-only machine, or on a machine with fewer GPUs) it loads every tensor
    on the CPU (torch's ``map_location``), its skorch nets included, and sets
    ``device="cpu"``. Place it before :class:`~sklearn.base.BaseEstimator` in
    the bases.
    """

    def __getstate__(self):
        try:
            state = super().__getstate__()
        except AttributeError:  # Python < 3.11 without a parent __getstate__
            state = None
        state = dict(self.__dict__ if state is None else state)
        saved = {_VERSION_KEYS[library]: version
                 for library, version in _installed_versions().items()}
        # through torch's serialisation, so that tensors held outside a skorch
        # net (the best weights early stopping keeps, a module passed as a
        # parameter) can be mapped to the CPU on load
        buffer = io.BytesIO()
        torch.save(state, buffer)
        saved[_STATE_KEY] = buffer.getvalue()
        saved[_DEVICE_KEY] = state.get("device")
        return saved

    def __setstate__(self, state):
        state = dict(state)
        for library, version in _installed_versions().items():
            saved = state.pop(_VERSION_KEYS[library], "unknown")
            if saved != version:
                warnings.warn(InconsistentVersionWarning(
                    estimator_name=type(self).__name__, library=library,
                    original_version=saved, current_version=version,
                ))
        device = state.pop(_DEVICE_KEY, None)
        absent = isinstance(device, str) and not device_available(device)
        if _STATE_KEY in state:
            state = torch.load(io.BytesIO(state[_STATE_KEY]), weights_only=False,
                               map_location="cpu" if absent else None)
        try:
            super().__setstate__(state)
        except AttributeError:
            self.__dict__.update(state)
        if absent:
            warnings.warn(
                f"{type(self).__name__} was saved with device={device!r}, which is not "
                "available here; it is loaded on device='cpu'.", UserWarning,
            )
            self.device = "cpu"
