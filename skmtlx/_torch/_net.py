"""The skorch net (lean epochs, divergence guard), its factory and numpy-out inference."""

import copy
import math

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping, PassthroughScoring, ProgressBar
from skorch.dataset import Dataset
from skorch.helper import predefined_split
from skorch.utils import to_tensor

from ._device import device_available
from ._iterator import BatchSliceLoader, _length

__all__ = ["MultiTermNet", "DivergenceGuard", "make_net", "predict_module"]


_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_grad_computed")


def _overrides(callback, hook):
    return getattr(type(callback), hook) is not getattr(Callback, hook)


class MultiTermNet(NeuralNet):
    """A skorch ``NeuralNet`` whose criterion may return named loss terms.

    When the criterion returns a dict, its ``"loss"`` entry is optimised and
    every other entry is recorded per batch as ``train_<name>`` or
    ``valid_<name>``; :func:`make_net` adds the callbacks that average them
    per epoch into the history.

    An epoch runs without per-batch Python bookkeeping: the batch losses stay
    tensors until the epoch ends, when they are written to the history in one
    go (the same records skorch writes), and only the callbacks that define a
    batch hook are called per batch. With a callback that reads the history
    during the epoch (``on_batch_end``, e.g. the progress bar) or inspects
    gradients (``on_grad_computed``), skorch's own loop runs instead.

    Examples
    --------
    >>> import torch
    >>> from skmtlx._torch import MultiTermNet
    >>> class MSETerms(torch.nn.Module):
    ...     def forward(self, y_pred, y_true):
    ...         mse = ((y_pred - y_true) ** 2).mean()
    ...         return {"loss": mse, "mse": mse}
    >>> net = MultiTermNet(torch.nn.Linear(2, 1), criterion=MSETerms())
    """

    _pending_terms = None

    def __setstate__(self, state):
        # skorch maps a CUDA net to the CPU only where CUDA is absent; a net
        # saved on "cuda:1" and loaded where only "cuda:0" exists goes there too
        # (the estimator that holds the net warns)
        if state.get("device") is not None and not device_available(state["device"]):
            state = {**state, "device": "cpu"}
        super().__setstate__(state)

    def _set_training(self, training=True):
        # skorch switches train/eval mode on every batch; walking the module
        # tree each time is measurable on small tabular networks.
        if getattr(self, "_training_mode", None) != training:
            super()._set_training(training)
            self._training_mode = training

    def get_loss(self, y_pred, y_true, X=None, training=False):
        y_true = to_tensor(y_true, device=self.device)
        terms = self.criterion_(y_pred, y_true)
        if not isinstance(terms, dict):
            return terms
        prefix = "train_" if training else "valid_"
        for name, value in terms.items():
            if name == "loss":
                continue
            if self._pending_terms is None:
                self.history.record_batch(prefix + name, value.item())
            else:
                self._pending_terms.setdefault(prefix + name, []).append(value.detach())
        return terms["loss"]

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        hooked = [cb for _, cb in self.callbacks_ if any(_overrides(cb, h) for h in _BATCH_HOOKS)]
        lean = not fit_params and all(
            not _overrides(cb, "on_batch_end") and not _overrides(cb, "on_grad_computed")
            for cb in hooked
        )
        if iterator is None or not lean:
            return super().run_single_epoch(iterator, training, prefix, step_fn, **fit_params)
        self._set_training(training)
        optimizer = self.optimizer_
        begin = [cb for cb in hooked if _overrides(cb, "on_batch_begin")]
        losses, sizes = [], []
        self._pending_terms = {}
        try:
            for batch in iterator:
                for cb in begin:
                    cb.on_batch_begin(self, batch=batch, training=training)
                Xi, yi = batch
                if training:
                    optimizer.zero_grad()
                    loss = self.get_loss(self._forward(Xi), yi, X=Xi, training=True)
                    loss.backward()
                    optimizer.step()
                else:
                    with torch.no_grad():
                        loss = self.get_loss(self._forward(Xi), yi, X=Xi, training=False)
                losses.append(loss.detach())
                sizes.append(_length(Xi))
            terms = {name: torch.stack(values).tolist()
                     for name, values in self._pending_terms.items()}
        finally:
            self._pending_terms = None
        self._record_batches(prefix, torch.stack(losses).tolist() if losses else [], sizes,
                             terms)

    def _forward(self, Xi):
        return self.module_(**Xi) if isinstance(Xi, dict) else self.module_(Xi)

    def _record_batches(self, prefix, losses, sizes, terms):
        """Write the epoch's batch records as skorch's loop does, after the epoch."""
        batches = self.history[-1]["batches"]
        for k, (loss, size) in enumerate(zip(losses, sizes)):
            row = {prefix + "_loss": loss, prefix + "_batch_size": size}
            row.update((name, values[k]) for name, values in terms.items())
            batches.append(row)
        self.history.record(prefix + "_batch_count", len(losses))


class DivergenceGuard(Callback):
    """Stop training with a clear error when the training loss diverges.

    Raises a :class:`FloatingPointError` naming ``lr`` at the end of an
    epoch whose mean training loss is not finite, or exceeds ``growth``
    times the loss of the initial parameters (measured when training starts
    on up to ``n_reference`` training rows): a learning rate far too high
    makes the loss explode by many orders of magnitude while staying finite,
    which noisy but sound training does not.

    Parameters
    ----------
    growth : float, default=1e4
        Largest tolerated ratio of an epoch's mean training loss to the
        initial loss.
    n_reference : int, default=4096
        Rows on which the initial loss is measured.

    Attributes
    ----------
    initial_loss_ : float or None
        The loss of the initial parameters (None when it is not positive,
        which turns the growth check off).

    Examples
    --------
    >>> from skmtlx._torch import DivergenceGuard
    >>> DivergenceGuard().growth
    10000.0
    """

    def __init__(self, growth=1e4, n_reference=4096):
        self.growth = growth
        self.n_reference = n_reference

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.initial_loss_ = None
        if isinstance(X, dict) or y is None:
            return
        rows = slice(0, self.n_reference)
        with torch.no_grad():
            X_ref = to_tensor(X[rows], device=net.device)
            loss = net.criterion_(net.module_(X_ref), to_tensor(y[rows], device=net.device))
        loss = float(loss["loss"] if isinstance(loss, dict) else loss)
        if math.isfinite(loss) and loss > 0:
            self.initial_loss_ = loss

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "train_loss"]
        epoch = len(net.history)
        if not math.isfinite(loss):
            raise FloatingPointError(
                f"Training diverged: the training loss is {loss} at epoch {epoch}. "
                f"Lower `lr` (now {net.lr:g}) or check the targets (the estimators "
                "standardise the features their networks read)."
            )
        initial = self.initial_loss_
        if initial is not None and loss > self.growth * initial:
            raise FloatingPointError(
                f"Training diverged: the training loss grew from {initial:.3g} (initial "
                f"parameters) to {loss:.3g} (mean of epoch {epoch}), more than "
                f"{self.growth:g} times. The learning rate is too high: lower `lr` "
                f"(now {net.lr:g})."
            )


def make_net(
    module,
    criterion,
    *,
    lr,
    max_epochs,
    batch_size,
    weight_decay=0.0,
    valid_data=None,
    n_iter_no_change=10,
    tol=1e-4,
    loss_terms=(),
    device="cpu",
    verbose=0,
    callbacks=(),
    generator=None,
):
    """Build the skorch net that trains ``module`` with Adam on in-memory data.

    Adam runs its fused implementation on CPU and CUDA.

    Parameters
    ----------
    module : torch.nn.Module
        The initialised module to train.
    criterion : torch.nn.Module
        Module instance whose ``forward(y_pred, y_true)`` returns the loss
        tensor, or a dict of named terms with the optimised one under
        ``"loss"`` (an instance, so the fitted net pickles).
    lr, max_epochs, batch_size, weight_decay : float, int, int, float
        Adam learning rate, number of epochs, mini-batch size and L2 penalty.
    valid_data : tuple (X_valid, y_valid) or None, default=None
        Held-out data; when given, training stops once ``valid_loss`` has not
        improved by ``tol`` (relative) for ``n_iter_no_change`` epochs, and the
        best parameters are restored.
    n_iter_no_change : int, default=10
        Patience of the early stopping.
    tol : float, default=1e-4
        Relative improvement that counts for the early stopping.
    loss_terms : sequence of str, default=()
        Names of the extra terms the criterion returns, averaged per epoch
        into ``train_<name>`` (and ``valid_<name>``) history columns.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        0: silent; 1: skorch's per-epoch table; 2: plus a progress bar.
    callbacks : sequence of (name, Callback), default=()
        Extra skorch callbacks.
    generator : torch.Generator or None, default=None
        Generator of the per-epoch shuffling (None: torch's global one).

    Returns
    -------
    net : MultiTermNet
        The un-fitted net; call ``net.fit(X, y)``.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch import make_net
    >>> X = np.random.RandomState(0).rand(64, 2).astype(np.float32)
    >>> y = X.sum(axis=1, keepdims=True)
    >>> net = make_net(torch.nn.Linear(2, 1), torch.nn.MSELoss(), lr=0.1,
    ...                max_epochs=5, batch_size=16).fit(X, y)
    >>> len(net.history)
    5
    """
    named_callbacks = [("divergence_guard", DivergenceGuard())]
    for term in loss_terms:
        named_callbacks.append(
            (f"train_{term}", PassthroughScoring(name=f"train_{term}", on_train=True))
        )
        if valid_data is not None:
            named_callbacks.append((f"valid_{term}", PassthroughScoring(name=f"valid_{term}")))
    if valid_data is not None:
        named_callbacks.append(
            (
                "early_stopping",
                EarlyStopping(
                    monitor="valid_loss",
                    patience=n_iter_no_change,
                    threshold=tol,
                    threshold_mode="rel",
                    load_best=True,
                ),
            )
        )
    if verbose > 1:
        named_callbacks.append(("progress_bar", ProgressBar()))
    named_callbacks.extend(callbacks)
    train_split = None if valid_data is None else predefined_split(Dataset(*valid_data))
    return MultiTermNet(
        module=module,
        criterion=criterion,
        optimizer=torch.optim.Adam,
        optimizer__weight_decay=weight_decay,
        optimizer__fused=_can_fuse(module, device),
        lr=lr,
        max_epochs=max_epochs,
        batch_size=batch_size,
        iterator_train=BatchSliceLoader,
        iterator_train__shuffle=True,
        iterator_train__generator=generator,
        iterator_train__device=device,
        iterator_valid=BatchSliceLoader,
        iterator_valid__device=device,
        train_split=train_split,
        callbacks=named_callbacks,
        predict_nonlinearity=None,
        verbose=int(verbose > 0),
        device=device,
    )


def _can_fuse(module, device):
    """Whether Adam's fused kernel runs here (one kernel per step, not one per tensor)."""
    return torch.device(device).type in ("cpu", "cuda") and all(
        p.is_floating_point() for p in module.parameters()
    )


def predict_module(module, X, *, device="cpu", dtype=torch.float64, batch_size=2048):
    """Evaluate ``module`` on a numpy array and return float64 numpy outputs.

    The module is copied to ``dtype`` and put in eval mode, so that
    predictions do not depend on how rows are batched (float64 arithmetic)
    and the trained module is left untouched.

    Parameters
    ----------
    module : torch.nn.Module
        The trained module.
    X : ndarray of shape (n_samples, n_features)
        Inputs.
    device : str, default="cpu"
        Torch device to run on.
    dtype : torch.dtype, default=torch.float64
        Precision of the forward pass.
    batch_size : int, default=2048
        Rows per forward pass: small chunks stay in cache (about 3x faster
        than very large ones on CPU) and bound memory.

    Returns
    -------
    outputs : ndarray or tuple of ndarray
        A float64 array, or a tuple of them when the module returns a tuple.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from skmtlx._torch import predict_module
    >>> predict_module(torch.nn.Linear(3, 2), np.zeros((4, 3))).shape
    (4, 2)
    """
    evaluator = copy.deepcopy(module).to(device=device, dtype=dtype).eval()
    X = np.asarray(X)
    chunks = []
    returns_tuple = False
    with torch.no_grad():
        for start in range(0, max(len(X), 1), batch_size):
            Xb = torch.tensor(X[start:start + batch_size], dtype=dtype, device=device)
            out = evaluator(Xb)
            returns_tuple = isinstance(out, tuple)
            chunks.append(out if returns_tuple else (out,))
    outputs = tuple(
        np.concatenate([chunk[i].cpu().numpy() for chunk in chunks]).astype(np.float64)
        for i in range(len(chunks[0]))
    )
    return outputs if returns_tuple else outputs[0]
