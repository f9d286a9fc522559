import numpy as np
import pytest
import torch

import skmtlx.grouping._gains as gains_module
from skmtlx._torch import MultiHeadMLP, make_net, torch_seed
from skmtlx.grouping import TransferGainRecorder
from skmtlx.grouping._gains import MultiTaskLoss

rng = np.random.RandomState(0)
X = rng.randn(120, 5).astype(np.float32)
Y = np.c_[X[:, 0], X[:, 0] + 0.1 * X[:, 1], np.sin(3 * X[:, 2]), X[:, 3] > 0].astype(np.float32)
BINARY = [False, False, False, True]


def _fit(recorder=None, weight_decay=0.0):
    callbacks = [("gains", recorder)] if recorder is not None else []
    with torch_seed(0):
        net = make_net(
            MultiHeadMLP(5, (16,), [1] * 4), MultiTaskLoss(BINARY), lr=0.01, max_epochs=2,
            batch_size=40, weight_decay=weight_decay, callbacks=callbacks,
        )
        return net.fit(X, Y)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_vectorised_adam_lookahead_equals_real_optimizer_steps(monkeypatch, weight_decay):
    fast = TransferGainRecorder()
    _fit(fast, weight_decay)
    monkeypatch.setattr(gains_module, "_is_plain_adam", lambda optimizer: False)
    slow = TransferGainRecorder()
    _fit(slow, weight_decay)
    assert fast.n_measurements_ == slow.n_measurements_ == 6
    np.testing.assert_allclose(fast.gains_, slow.gains_, atol=1e-6)
    assert np.all(np.diag(fast.gains_) == 0)
    assert np.abs(fast.gains_).max() > 0


@pytest.mark.parametrize("kind", ["principled", "tag"])
def test_recorder_leaves_training_unchanged(kind):
    plain = _fit()
    recorder = TransferGainRecorder(kind=kind, every=3)
    recorded = _fit(recorder)
    for p, q in zip(plain.module_.parameters(), recorded.module_.parameters()):
        assert torch.equal(p, q)
    assert recorder.n_measurements_ == 2  # 3 batches per epoch, every 3rd: 1 per epoch
    assert len(recorder.epoch_gains_) == 2
    np.testing.assert_allclose(np.mean(recorder.epoch_gains_, axis=0), recorder.gains_)


def test_tag_matches_manual_lookahead():
    net = _fit()
    recorder = TransferGainRecorder(kind="tag")
    Xb, yb = torch.from_numpy(X[:40]), torch.from_numpy(Y[:40])
    gains = recorder._tag(net, Xb, yb)
    losses = net.criterion_.per_task(net.module_(Xb), yb)
    trunk = list(net.module_.trunk.parameters())
    grad = torch.autograd.grad(losses[2], trunk, retain_graph=True)
    with torch.no_grad():
        for p, g in zip(trunk, grad):
            p.sub_(net.lr * g)
        after = net.criterion_.per_task(net.module_(Xb), yb)
    expected = 1 - after.numpy() / losses.detach().numpy()
    np.testing.assert_allclose(gains[2], expected, rtol=1e-4, atol=1e-7)
