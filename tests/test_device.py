"""Every estimator that trains a network, on a CUDA device (skipped without one).

The same fit on ``device="cpu"`` and ``device="cuda"`` must give the same model
up to float32 rounding; on the GPU a fixed ``random_state`` still gives
bit-identical predictions, ``explain`` and the fidelity metrics run, and a
pickle loads on either device.
"""

import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone, is_classifier

from skmtlx import FidelityMTLRegressor, SparseTaskGraphMLP, TaskGrouper
from skmtlx.metrics import global_fidelity, neighborhood_fidelity
from skmtlx.utils._test_common import FAST_ESTIMATORS, NETWORK, toy_data

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")

ON_A_DEVICE = [e for e in FAST_ESTIMATORS
               if "device" in e.get_params() and getattr(e, "estimator", None) is None] + [
    SparseTaskGraphMLP(model="task_mlp", max_iter=5, cv=2, hidden_layer_sizes=(8,),
                       max_epochs=5, random_state=0),
]


def _data(estimator):
    X, y = toy_data(estimator)
    if isinstance(estimator, (SparseTaskGraphMLP, TaskGrouper)):
        # two tasks on the same rows: the transfer gains, the trunk and the task
        # networks train only with several tasks
        return X, np.c_[y, X[:, 0] - X[:, 3]]
    return X, y


def _outputs(estimator, X):
    if is_classifier(estimator):
        return np.asarray(estimator.predict_proba(X), dtype=float)
    return np.asarray(estimator.predict(X), dtype=float)


def _fit_on(estimator, device, X, y):
    """The fitted clone and the GPU memory its fit allocated on top of what was there."""
    before = torch.cuda.memory_allocated()
    torch.cuda.reset_peak_memory_stats()
    fitted = clone(estimator).set_params(device=device).fit(X, y)
    return fitted, torch.cuda.max_memory_allocated() - before


@pytest.mark.parametrize("estimator", ON_A_DEVICE, ids=repr)
def test_a_cuda_fit_equals_the_cpu_fit_up_to_rounding(estimator):
    X, y = _data(estimator)
    on_cpu, cpu_memory = _fit_on(estimator, "cpu", X, y)
    on_gpu, gpu_memory = _fit_on(estimator, "cuda", X, y)
    assert cpu_memory == 0 and gpu_memory > 0  # the GPU fit trained there, the CPU fit did not
    expected, outputs = _outputs(on_cpu, X), _outputs(on_gpu, X)
    scale = np.std(expected) or 1.0
    np.testing.assert_allclose(outputs, expected, rtol=0, atol=1e-3 * scale)
    np.testing.assert_allclose(on_gpu.explain(X).values, on_cpu.explain(X).values,
                               rtol=0, atol=1e-3 * np.abs(on_cpu.explain(X).values).max())


@pytest.mark.parametrize("estimator", ON_A_DEVICE, ids=repr)
def test_a_cuda_fit_is_deterministic_and_explains_itself(estimator):
    X, y = _data(estimator)
    fitted = clone(estimator).set_params(device="cuda").fit(X, y)
    again = clone(estimator).set_params(device="cuda").fit(X, y)
    np.testing.assert_array_equal(_outputs(again, X), _outputs(fitted, X))
    explanation = fitted.explain(X)
    np.testing.assert_array_equal(again.explain(X).values, explanation.values)
    gf = global_fidelity(fitted, X, multioutput="raw_values")
    assert np.all(np.isfinite(gf)) and np.all(gf >= 0)
    gnf = neighborhood_fidelity(fitted, X[:5], training_data=X, n_samples=200,
                                random_state=0)
    assert np.isfinite(gnf) and gnf >= 0
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(_outputs(restored, X), _outputs(fitted, X))


def test_a_cuda_trained_model_loads_on_a_cpu_only_machine(monkeypatch):
    X, y = toy_data(FidelityMTLRegressor())
    fitted = FidelityMTLRegressor(**NETWORK, device="cuda").fit(X, y)
    expected = fitted.predict(X)
    saved = pickle.dumps(fitted)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    with pytest.warns(UserWarning, match="device='cuda'"):
        restored = pickle.loads(saved)
    assert restored.device == "cpu"
    assert next(restored.net_.module_.parameters()).device.type == "cpu"
    np.testing.assert_allclose(restored.predict(X), expected, rtol=1e-6, atol=1e-8)


def test_an_explicit_device_index_is_used():
    X, y = toy_data(FidelityMTLRegressor())
    fitted = FidelityMTLRegressor(**NETWORK, device="cuda:0").fit(X, y)
    assert next(fitted.net_.module_.parameters()).device == torch.device("cuda", 0)
    assert np.all(np.isfinite(fitted.predict(X)))
