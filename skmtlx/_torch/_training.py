"""The one training path: an immutable training configuration and one call that trains.

Every skmtlx estimator that trains a network builds a :class:`TrainingConfig`
once from its parameters and hands it, with the module and the loss, to
:func:`train_module`. The call owns everything a fit needs to be reproducible
and safe: a seed local to the fit (a :class:`torch.Generator` for the
shuffling, a seeded split, the initialisation under a lock), the device check,
the intra-op thread policy and the divergence guard.
"""

import threading
from dataclasses import dataclass, fields, replace

import numpy as np
import torch
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_memory

from ..utils._validation import check_fraction_split, check_random_seed
from ._device import check_device
from ._net import make_net
from ._threads import current_thread_override, thread_policy

__all__ = ["TrainingConfig", "train_module", "cached_training", "history_records"]

_INIT_LOCK = threading.Lock()


@dataclass(frozen=True)
class TrainingConfig:
    """How to train a network: built once per fit, never modified.

    Parameters
    ----------
    max_epochs : int, default=100
        Epochs of training.
    batch_size : int, default=128
        Rows per mini-batch.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty of Adam.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows and stop once the
        validation loss stalls (the best parameters are restored).
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Patience of the early stopping.
    tol : float, default=1e-4
        Relative improvement that counts for the early stopping.
    seed : int, default=0
        Seed of the initialisation, the shuffling and the validation split.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        0: silent; 1: one line per epoch; 2: plus a progress bar.
    n_threads : int or None, default=None
        Torch intra-op threads during the fit; None: those set by
        :func:`skmtlx.training_threads` where the fit runs, else chosen from
        the size of the network.

    Examples
    --------
    >>> from skmtlx._torch import TrainingConfig
    >>> from skmtlx import FidelityMTLRegressor
    >>> config = TrainingConfig.from_estimator(FidelityMTLRegressor(lr=0.01, random_state=3))
    >>> config.lr, config.max_epochs
    (0.01, 200)
    >>> config.replace(max_epochs=5).max_epochs
    5
    """

    max_epochs: int = 100
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 0.0
    early_stopping: bool = False
    validation_fraction: float = 0.1
    n_iter_no_change: int = 10
    tol: float = 1e-4
    seed: int = 0
    device: str = "cpu"
    verbose: int = 0
    n_threads: "int | None" = None

    @classmethod
    def from_estimator(cls, estimator, **overrides):
        """The configuration of an estimator's parameters (those it has).

        ``random_state`` is turned into the integer ``seed`` here, once.
        ``overrides`` replace any field.
        """
        values = {
            field.name: getattr(estimator, field.name)
            for field in fields(cls)
            if field.name not in ("seed", "n_threads") and hasattr(estimator, field.name)
        }
        values["seed"] = check_random_seed(getattr(estimator, "random_state", None))
        values.update(overrides)
        return cls(**values)

    def replace(self, **changes):
        """A copy with some fields changed."""
        return replace(self, **changes)


def train_module(
    config,
    module,
    criterion,
    X,
    y,
    *,
    stratify=None,
    loss_terms=(),
    valid_data=None,
    callbacks=(),
):
    """Train a torch module with skorch as ``config`` says and return the fitted net.

    Parameters
    ----------
    config : TrainingConfig
        How to train.
    module : torch.nn.Module or callable
        The module, or a callable (e.g. the module class with
        :func:`functools.partial`) that builds it; a callable is called under
        the fit's seed, so the initialisation is reproducible in any thread.
    criterion : torch.nn.Module
        Returns the loss, or a dict of named terms with the optimised one
        under ``"loss"``, from ``(y_pred, y_true)``.
    X : ndarray of shape (n_samples, n_features)
        Training inputs (converted to float32).
    y : ndarray
        Training targets, in the dtype the criterion expects.
    stratify : ndarray or None, default=None
        Labels to stratify the early-stopping split on, when possible.
    loss_terms : sequence of str, default=()
        Extra terms returned by the criterion, recorded in the history.
    valid_data : tuple (X_valid, y_valid) or None, default=None
        Validation rows chosen by the caller; None with ``early_stopping``
        holds out ``validation_fraction`` of ``X`` (seeded).
    callbacks : sequence of (name, skorch.callbacks.Callback), default=()
        Extra callbacks.

    Returns
    -------
    net : skmtlx._torch.MultiTermNet
        The fitted net (``net.module_``, ``net.history``); see
        :func:`history_records`.

    Raises
    ------
    ValueError
        If ``config.device`` is not available.
    FloatingPointError
        If training diverges (a non-finite loss, or a loss that grows by
        orders of magnitude): lower ``lr``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch import TrainingConfig, train_module
    >>> X = np.random.RandomState(0).rand(64, 2)
    >>> y = X.sum(axis=1, keepdims=True).astype(np.float32)
    >>> config = TrainingConfig(lr=0.1, max_epochs=5, batch_size=16, seed=0)
    >>> net = train_module(config, lambda: torch.nn.Linear(2, 1), torch.nn.MSELoss(), X, y)
    >>> len(net.history)
    5
    """
    check_device(config.device)
    X = np.asarray(X, dtype=np.float32)
    if valid_data is None and config.early_stopping:
        n_valid = check_fraction_split(len(X), config.validation_fraction)
        X, X_valid, y, y_valid = _seeded_split(X, y, n_valid, config.seed, stratify)
        valid_data = (X_valid, y_valid)
    module, generator = _seeded_module(module, config.seed, config.device)
    net = make_net(
        module,
        criterion,
        lr=config.lr,
        max_epochs=config.max_epochs,
        batch_size=config.batch_size,
        weight_decay=config.weight_decay,
        valid_data=valid_data,
        n_iter_no_change=config.n_iter_no_change,
        tol=config.tol,
        loss_terms=loss_terms,
        device=config.device,
        verbose=config.verbose,
        callbacks=callbacks,
        generator=generator,
    )
    n_threads = config.n_threads or current_thread_override()
    with thread_policy(module, config.batch_size, n_threads):
        net.fit(X, y)
    return net


def history_records(net):
    """The per-epoch history of a fitted net as a list of dicts (losses, ``dur``).

    skorch's bookkeeping entries (the per-batch records, ``*_best`` flags and
    batch counts) are left out.
    """
    return [
        {
            key: value
            for key, value in row.items()
            if key != "batches"
            and not key.endswith(("_best", "_batch_count"))
            and not key.startswith("event_")
        }
        for row in net.history
    ]


def _seeded_module(module, seed, device):
    """Build ``module`` under ``seed``; return it and the fit's own generator.

    torch's initialisers draw from the global generator, so the module is
    built under a lock with the global generator forked and seeded. The fit's
    generator then continues that same stream, so the shuffling is what a
    global ``torch.manual_seed(seed)`` before the fit gave, without touching
    (or depending on) the global generator during training.
    """
    device = torch.device(device)
    devices = [device] if device.type == "cuda" else []
    with _INIT_LOCK, torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        if not isinstance(module, torch.nn.Module):
            module = module()
        generator = torch.Generator()
        generator.set_state(torch.random.get_rng_state())
    return module, generator


def _seeded_split(X, y, n_valid, seed, stratify):
    try:
        return train_test_split(X, y, test_size=n_valid, random_state=seed, stratify=stratify)
    except ValueError:  # a class too rare to stratify on
        return train_test_split(X, y, test_size=n_valid, random_state=seed)


def _call_with_verbose(function, config, args, kwargs, verbose):
    return function(config.replace(verbose=verbose), *args, **kwargs)


def cached_training(memory, function):
    """Cache ``function(config, *args, **kwargs)`` with joblib, whatever ``config.verbose``.

    ``function`` must be importable (module level) and its arguments
    picklable; ``memory`` is what an estimator's ``memory`` parameter accepts
    (None, a directory or a :class:`joblib.Memory`). The cached results are
    unpickled when reused: only point ``memory`` at a directory you trust.

    Examples
    --------
    >>> from skmtlx._torch import TrainingConfig, cached_training
    >>> def epochs(config, factor):
    ...     return config.max_epochs * factor
    >>> cached_training(None, epochs)(TrainingConfig(max_epochs=3), 2)
    6
    """
    cached = check_memory(memory).cache(_call_with_verbose, ignore=["verbose"])

    def call(config, *args, **kwargs):
        return cached(function, config.replace(verbose=0), args, kwargs, verbose=config.verbose)

    return call
