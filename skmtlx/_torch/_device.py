"""Which torch devices exist here: one check for training and for loading a saved model."""

import torch

__all__ = ["check_device", "device_available"]


def check_device(device):
    """Return ``torch.device(device)``, or raise a ValueError naming ``device``.

    A CUDA device counts only where ``torch.cuda.is_available()`` says so and
    its index is below ``torch.cuda.device_count()``: the test torch's loader
    applies to saved CUDA tensors.

    Examples
    --------
    >>> from skmtlx._torch import check_device
    >>> check_device("cpu")
    device(type='cpu')
    """
    try:
        parsed = torch.device(device)
        if parsed.type == "cuda" and not (
            torch.cuda.is_available() and (parsed.index or 0) < torch.cuda.device_count()
        ):
            raise RuntimeError(f"torch sees {_cuda_devices()}")
        torch.empty(0, device=parsed)
    except (RuntimeError, AssertionError, ValueError, TypeError) as exc:
        raise ValueError(
            f"device={device!r} is not available here ({type(exc).__name__}: {exc}). "
            "Use device='cpu', or a device this torch build and machine have "
            "(e.g. 'cuda' with a GPU and a CUDA build of torch)."
        ) from None
    return parsed


def _cuda_devices():
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    return f"{count} CUDA device{'' if count == 1 else 's'}"


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
    >>> from skmtlx._torch import device_available
    >>> device_available("cpu")
    True
    """
    try:
        check_device(device)
    except ValueError:
        return False
    return True
