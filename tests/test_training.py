"""The one training path: TrainingConfig, train_module, its seeding, guard and thread policy."""

import dataclasses
import re
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from joblib import Parallel, delayed
from skorch.callbacks import Callback

from skmtlx import FidelityMTLRegressor, TaskGrouper, training_threads
from skmtlx._torch import (
    TrainingConfig,
    cached_training,
    check_device,
    history_records,
    make_mlp,
    threads_for,
    train_module,
)

rng = np.random.RandomState(0)
X = rng.randn(300, 5).astype(np.float32)
COEF = np.array([1.5, -2.0, 0.0, 0.5, 3.0], dtype=np.float32)
y = (X @ COEF + 0.7 + 0.05 * rng.randn(300)).astype(np.float32)[:, None]


def _linear():
    return torch.nn.Linear(5, 1)


def test_config_reads_the_estimator_parameters_once_and_is_frozen():
    est = FidelityMTLRegressor(lr=0.02, max_epochs=7, batch_size=33, weight_decay=0.1,
                               early_stopping=False, device="cpu", verbose=0, random_state=4)
    config = TrainingConfig.from_estimator(est)
    assert (config.lr, config.max_epochs, config.batch_size, config.weight_decay) == (
        0.02, 7, 33, 0.1)
    assert config == TrainingConfig.from_estimator(est)  # an int random_state: same seed
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0
    assert config.replace(lr=0.5).lr == 0.5 and config.lr == 0.02


def test_train_module_reaches_the_least_squares_solution():
    config = TrainingConfig(lr=0.1, max_epochs=80, batch_size=100, seed=0)
    net = train_module(config, _linear, torch.nn.MSELoss(), X, y)
    design = np.c_[X, np.ones(len(X))]
    solution = np.linalg.lstsq(design, y[:, 0], rcond=None)[0]
    layer = net.module_
    fitted = np.r_[layer.weight.detach().numpy()[0], layer.bias.detach().numpy()]
    np.testing.assert_allclose(fitted, solution, atol=2e-3)
    assert len(history_records(net)) == 80


def test_train_module_is_the_plain_fused_adam_loop():
    """Same seed stream, same batches, same arithmetic: bitwise the hand-written loop."""
    config = TrainingConfig(lr=0.01, max_epochs=3, batch_size=64, seed=5)
    net = train_module(config, lambda: make_mlp(5, (8,), 1), torch.nn.MSELoss(), X, y)

    with torch.random.fork_rng():
        torch.manual_seed(5)
        model = make_mlp(5, (8,), 1)
        optimizer = torch.optim.Adam(model.parameters(), lr=0.01, fused=True)
        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
        for _ in range(3):
            order = torch.randperm(len(X_t))
            X_e, y_e = X_t[order], y_t[order]
            for start in range(0, len(X_e), 64):
                optimizer.zero_grad()
                loss = torch.nn.functional.mse_loss(model(X_e[start:start + 64]),
                                                    y_e[start:start + 64])
                loss.backward()
                optimizer.step()
    for p, q in zip(net.module_.parameters(), model.parameters()):
        assert torch.equal(p, q)


class _BatchEndSpy(Callback):
    """Defines on_batch_end, which makes the net run skorch's own epoch loop."""

    def on_batch_end(self, net, **kwargs):
        pass


class _TermsLoss(torch.nn.Module):
    def forward(self, y_pred, y_true):
        mse = torch.mean((y_pred - y_true) ** 2)
        return {"loss": mse + 0.1 * mse.detach(), "mse": mse}


def test_lean_epoch_loop_records_what_skorch_loop_records():
    config = TrainingConfig(lr=0.01, max_epochs=4, batch_size=64, seed=1,
                            early_stopping=True, validation_fraction=0.2)
    lean = train_module(config, _linear, _TermsLoss(), X, y, loss_terms=("mse",))
    skorch_loop = train_module(config, _linear, _TermsLoss(), X, y, loss_terms=("mse",),
                               callbacks=[("spy", _BatchEndSpy())])

    def without_duration(net):
        return [{k: v for k, v in row.items() if k != "dur"} for row in history_records(net)]

    assert without_duration(lean) == without_duration(skorch_loop)
    first = history_records(lean)[0]
    assert {"train_loss", "valid_loss", "train_mse", "valid_mse"} <= set(first)
    # the recorded term is the mean of the batches' terms, not the optimised loss
    np.testing.assert_allclose(first["train_loss"], 1.1 * first["train_mse"], rtol=1e-5)
    batches = lean.history[0, "batches"]
    assert [len(b) for b in batches].count(3) == len(batches)  # loss, batch size, term
    for p, q in zip(lean.module_.parameters(), skorch_loop.module_.parameters()):
        assert torch.equal(p, q)


# ---------------------------------------------------------------- divergence
def test_finite_explosion_is_stopped_with_an_error_naming_lr():
    config = TrainingConfig(lr=1e6, max_epochs=5, batch_size=32, seed=0)
    with pytest.raises(FloatingPointError, match="grew from .* lower `lr`") as info:
        train_module(config, lambda: make_mlp(5, (16,), 1), torch.nn.MSELoss(), X, y)
    assert "nan" not in str(info.value) and "inf" not in str(info.value)
    initial, exploded = (float(v) for v in re.findall(r"from (\S+) .* to (\S+) ", str(
        info.value))[0])
    assert exploded > 1e4 * initial and np.isfinite(exploded)


def test_noisy_training_is_not_a_divergence():
    """Heavy-tailed targets, squared error, tiny batches: the batch losses jump by
    orders of magnitude, but the epochs' losses do not explode: no alarm."""
    noise = np.random.RandomState(1).standard_cauchy((300, 1)).astype(np.float32)
    config = TrainingConfig(lr=0.1, max_epochs=8, batch_size=2, seed=0)
    net = train_module(config, lambda: make_mlp(5, (16,), 1), torch.nn.MSELoss(), X, noise)
    losses = [row["train_loss"] for row in history_records(net)]
    batch_losses = [b["train_loss"] for row in net.history for b in row["batches"]]
    assert max(batch_losses) / min(batch_losses) > 1e5  # noisy indeed
    guard = dict(net.callbacks_)["divergence_guard"]
    assert max(losses) < 10 * guard.initial_loss_


def test_non_finite_loss_is_stopped():
    bad = y.copy()
    bad[3] = np.inf
    config = TrainingConfig(lr=0.01, max_epochs=2, batch_size=32, seed=0)
    with pytest.raises(FloatingPointError, match="lr"):
        train_module(config, _linear, torch.nn.MSELoss(), X, bad)


# ---------------------------------------------------------------- device
@pytest.mark.parametrize("device", ["cuda:99", "nonsense"])
def test_unavailable_device_is_named(device):
    with pytest.raises(ValueError, match=f"device='{device}'"):
        check_device(device)
    with pytest.raises(ValueError, match="device="):
        train_module(TrainingConfig(device=device), _linear, torch.nn.MSELoss(), X, y)


# ---------------------------------------------------------------- seeding
def _fit_weights(seed):
    config = TrainingConfig(lr=0.01, max_epochs=3, batch_size=16, seed=seed,
                            early_stopping=True)
    net = train_module(config, lambda: make_mlp(5, (8,), 1), torch.nn.MSELoss(), X, y)
    return np.concatenate([p.detach().numpy().ravel() for p in net.module_.parameters()])


# process backends: tests/test_scaling.py, with a module-level function they can unpickle
@pytest.mark.parametrize("backend", ["threading"])
def test_parallel_fits_equal_sequential_fits(backend):
    seeds = (0, 0, 1, 2)
    sequential = [_fit_weights(seed) for seed in seeds]
    parallel = Parallel(n_jobs=2, backend=backend)(
        delayed(_fit_weights)(seed) for seed in seeds)
    for a, b in zip(sequential, parallel):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(sequential[0], sequential[1])
    assert not np.array_equal(sequential[0], sequential[2])


def test_fit_leaves_torch_global_generator_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    _fit_weights(0)
    np.testing.assert_array_equal(torch.rand(3), expected)


# ---------------------------------------------------------------- threads
class _ThreadSpy(Callback):
    def on_epoch_begin(self, net, **kwargs):
        self.seen = torch.get_num_threads()


def _threads_during_fit(module_builder, batch_size=32):
    spy = _ThreadSpy()
    config = TrainingConfig(max_epochs=1, batch_size=batch_size, seed=0)
    train_module(config, module_builder, torch.nn.MSELoss(), X, y, callbacks=[("spy", spy)])
    return spy.seen


def test_small_network_trains_on_one_thread_and_restores_the_callers_setting():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        assert _threads_during_fit(_linear) == 1
        assert torch.get_num_threads() == 2
        with training_threads(2):
            assert _threads_during_fit(_linear) == 2
        assert _threads_during_fit(_linear) == 1
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_concurrent_fits_restore_the_callers_setting():
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        workers = [threading.Thread(target=_fit_weights, args=(s,)) for s in range(4)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_threads_grow_with_the_work_of_a_batch():
    # multiply-adds per batch / 1e7, between 1 and what the caller has
    assert threads_for(torch.nn.Linear(5, 1), 128, available=8) == 1
    wide = torch.nn.Linear(1000, 1000)  # 1,001,000 parameters
    assert threads_for(wide, 50, available=8) == 5
    assert threads_for(wide, 50, available=2) == 2


@pytest.mark.parametrize("n_threads", [0, -1, 1.5, True])
def test_training_threads_rejects_bad_values(n_threads):
    with pytest.raises(ValueError, match="n_threads"):
        with training_threads(n_threads):
            pass


# ---------------------------------------------------------------- caching
def _count_calls(config, counter_file):
    with open(counter_file, "a") as handle:
        handle.write(f"{config.verbose}\n")
    return config.max_epochs


def test_cached_training_ignores_verbose(tmp_path):
    counter = tmp_path / "calls.txt"
    cached = cached_training(str(tmp_path / "cache"), _count_calls)
    assert cached(TrainingConfig(max_epochs=3, verbose=0), str(counter)) == 3
    assert cached(TrainingConfig(max_epochs=3, verbose=2), str(counter)) == 3
    assert cached(TrainingConfig(max_epochs=4, verbose=2), str(counter)) == 4
    assert counter.read_text().split() == ["0", "2"]  # the 2nd call came from the cache


def test_task_grouper_memory_reuses_networks_across_verbosity(tmp_path, capsys):
    Y = np.c_[X[:, 0], X[:, 0] + X[:, 1], X[:, 2]]
    params = dict(hidden_layer_sizes=(8,), max_epochs=3, gain_epochs=2, random_state=0,
                  memory=str(tmp_path))
    quiet = TaskGrouper(**params).fit(X, Y)
    entries = sorted(p.name for p in tmp_path.rglob("output.pkl"))
    loud = TaskGrouper(verbose=1, **params).fit(X, Y)
    assert sorted(p.name for p in tmp_path.rglob("output.pkl")) == entries
    np.testing.assert_array_equal(quiet.predict(X), loud.predict(X))


def test_contributing_toy_estimator_runs():
    """The contributor notes' example (doc/contributing.rst) runs as written."""
    text = (Path(__file__).parents[1] / "doc" / "contributing.rst").read_text()
    block = text.split(".. code-block:: python\n")[1].split("\nAn estimator with")[0]
    namespace = {}
    exec(textwrap.dedent(block), namespace)
    model = namespace["model"]
    assert model.n_iter_ == 50 and 0.9 < model.score(namespace["X"], namespace["y"]) <= 1.0


@pytest.mark.parametrize("verbose, table, bar", [(0, False, False), (1, True, False),
                                                 (2, True, True)])
def test_verbose_levels(capsys, verbose, table, bar):
    config = TrainingConfig(max_epochs=2, batch_size=100, seed=0, verbose=verbose)
    train_module(config, _linear, torch.nn.MSELoss(), X, y)
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert ("train_loss" in printed) == table
    assert ("it/s" in printed) == bar
