"""Checks every public skmtlx estimator passes, from one registry of fast settings.

scikit-learn's ``check_estimator`` suite runs on each registered instance; the
library's own common checks pin that a fixed ``random_state`` gives the same
predictions twice, that a pickled estimator predicts identically, and that
every public estimator speaks the vocabulary of doc/glossary.rst.
"""

import importlib
import inspect
import pickle
from concurrent.futures import ThreadPoolExecutor
import pkgutil
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import BaseEstimator, clone, is_classifier
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.utils.estimator_checks import (
    check_dataframe_column_names_consistency,
    parametrize_with_checks,
)

import skmtlx
from skmtlx import (
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    Explanation,
    ExplanationDisplay,
    FidelityMTLRegressor,
    GenerativeMTLClassifier,
    SparseTaskGraphMTL,
    TaskGrouper,
    explain,
)
from skmtlx.auxiliary import AuxiliaryErrorExplanation
from skmtlx.exceptions import InconsistentVersionWarning
from skmtlx.metrics import fidelity_r2, global_fidelity
from skmtlx.plotting import FidelityTradeoffDisplay, InteractionDisplay, ShapeFunctionDisplay
from skmtlx.task_graph import TaskGraphDisplay
from skmtlx.utils._test_common import FAST_ESTIMATORS, NETWORK, fit_predict, toy_data


ONE_PER_CLASS = [e for i, e in enumerate(FAST_ESTIMATORS)
                 if not any(type(f) is type(e) for f in FAST_ESTIMATORS[:i])]
"""The first registered instance of every public estimator."""

SPARSE_CONTAINER_CHECKS = {"check_estimator_sparse_array", "check_estimator_sparse_matrix"}
"""scikit-learn's checks that fit 10 sparse layouts each: run on one instance per class."""


def _expected_failed_checks(estimator):
    if (
        isinstance(estimator, GenerativeMTLClassifier)
        and estimator.prior_weight > 0
        and estimator.estimator is None
    ):
        # predict is the joint mode of q(y|x) ∝ p(y|x) p(y)^-prior_weight while
        # predict_proba gives its per-task marginals: their argmaxes may differ
        # when prior_weight > 0, which this check forbids (it holds at prior_weight=0).
        return {
            "check_classifier_multioutput": "the joint mode need not match the "
            "argmax of each per-task marginal when prior_weight > 0"
        }
    return {}


@parametrize_with_checks(FAST_ESTIMATORS, expected_failed_checks=_expected_failed_checks)
def test_sklearn_compatible(estimator, check):
    if (getattr(check, "func", check).__name__ in SPARSE_CONTAINER_CHECKS
            and not any(estimator is e for e in ONE_PER_CLASS)):
        # sparse X is validated and densified by the class's fit (validate_features),
        # whatever the options; every instance's sparse fit is compared with its dense
        # fit by test_sparse_X_gives_the_predictions_and_explanations_of_its_dense_copy
        pytest.skip("sparse layouts are checked on the first instance of the class")
    check(estimator)


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_fixed_random_state_gives_identical_predictions(estimator):
    X, y = toy_data(estimator)
    first = clone(estimator).fit(X, y).predict(X)
    second = clone(estimator).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_pickled_estimator_predicts_identically(estimator):
    X, y = toy_data(estimator)
    fitted = clone(estimator).fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_dataframe_column_names_are_checked_once(estimator):
    # scikit-learn runs this check on its own estimators apart from check_estimator:
    # fit on a DataFrame, then fit/predict/score must not warn "X does not have valid
    # feature names" by validating an already validated array again
    check_dataframe_column_names_consistency(type(estimator).__name__, clone(estimator))


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_memory_parameter_documents_the_pickle_trust_warning(estimator):
    if "memory" not in estimator.get_params():
        pytest.skip("no memory parameter")
    doc = " ".join(type(estimator).__doc__.split())
    assert "unpickled when loaded" in doc and "directory that you trust" in doc


# --------------------------------------------------------------- vocabulary
# The names of the vocabulary table in doc/glossary.rst, asserted over every
# public estimator.

NETWORK_TRAINING_PARAMETERS = {
    "lr": None, "max_epochs": None, "weight_decay": None, "batch_size": None,
    "random_state": None, "device": "cpu", "verbose": 0,
}
"""Parameters of every estimator that trains a network (with the default when it is fixed)."""

RIDGE_ALPHA = {"SparseTaskGraphMTL", "SparseTaskGraphMLP"}
"""The estimators whose ``alpha`` is a ridge penalty: no other may have ``alpha``."""

RETIRED_NAMES = {"learning_rate", "task_accuracies", "l2", "lambda_", "n_epochs", "epochs"}
"""Names the vocabulary replaced (lr / outer_lr, score_tasks, weight_decay, max_epochs)."""


def _public_modules():
    names = ["skmtlx"] + [
        f"skmtlx.{m.name}" for m in pkgutil.iter_modules(skmtlx.__path__)
        if not m.name.startswith("_")
    ]
    return [importlib.import_module(name) for name in names]


def _public_classes():
    """Every class exported by skmtlx or one of its public subpackages."""
    exported = [
        getattr(module, name) for module in _public_modules()
        for name in getattr(module, "__all__", ())
    ]
    classes = {c for c in exported if isinstance(c, type)}
    return sorted(classes, key=lambda c: c.__name__)


PUBLIC_ESTIMATORS = [c for c in _public_classes() if issubclass(c, BaseEstimator)]
NETWORK_ESTIMATORS = [
    c for c in PUBLIC_ESTIMATORS if "max_epochs" in c._get_param_names()
]


def test_registries_cover_every_public_estimator():
    assert {type(e) for e in FAST_ESTIMATORS} == set(PUBLIC_ESTIMATORS)
    assert len(NETWORK_ESTIMATORS) >= 7


@pytest.mark.parametrize("cls", NETWORK_ESTIMATORS, ids=lambda c: c.__name__)
def test_network_estimators_share_the_training_parameters(cls):
    defaults = {name: p.default for name, p in inspect.signature(cls).parameters.items()}
    assert set(NETWORK_TRAINING_PARAMETERS) <= set(defaults)
    for name, default in NETWORK_TRAINING_PARAMETERS.items():
        if default is not None:
            assert defaults[name] == default, name


@pytest.mark.parametrize("cls", PUBLIC_ESTIMATORS, ids=lambda c: c.__name__)
def test_no_estimator_uses_a_retired_name(cls):
    assert not RETIRED_NAMES & set(cls._get_param_names())
    assert not RETIRED_NAMES & set(dir(cls))


@pytest.mark.parametrize("cls", PUBLIC_ESTIMATORS, ids=lambda c: c.__name__)
def test_alpha_is_only_a_ridge_penalty(cls):
    params = set(cls._get_param_names())
    assert ("alpha" in params) == (cls.__name__ in RIDGE_ALPHA)
    if cls.__name__.startswith("Fidelity"):
        assert "fidelity_weight" in params


def _multitask_data(estimator, n_tasks=3):
    """Data with several tasks for the per-task estimators, else the toy data."""
    rng = np.random.RandomState(0)
    X = rng.randn(90, 4)
    Y = np.column_stack([X[:, 0] + 0.5 * t * X[:, 1] for t in range(n_tasks)])
    Y = Y + 0.1 * rng.randn(*Y.shape)
    if isinstance(estimator, TaskGrouper):
        return (X, 5.0 + 3.0 * Y), {}
    if isinstance(estimator, GenerativeMTLClassifier):
        return (X, (Y > 0).astype(int)), {}
    if isinstance(estimator, SparseTaskGraphMTL):
        tasks = np.repeat(np.arange(n_tasks), len(X) // n_tasks)
        return (X, Y[np.arange(len(X)), tasks]), {"tasks": tasks}
    return toy_data(estimator), {}


def _trains_a_network(estimator):
    return (
        "max_epochs" in estimator.get_params()
        and getattr(estimator, "estimator", None) is None
        and getattr(estimator, "model", "mlp") != "linear"
    )


@pytest.mark.parametrize(
    "estimator",
    # SparseTaskGraphMLP's n_iter_ counts its graph solver's outer steps, as
    # SparseTaskGraphMTL's does (doc/glossary.rst)
    [e for e in FAST_ESTIMATORS
     if _trains_a_network(e) and not isinstance(e, SparseTaskGraphMTL)],
    ids=lambda e: type(e).__name__,
)
def test_network_estimators_record_their_epochs(estimator):
    (X, y), fit_params = _multitask_data(estimator)
    fitted = clone(estimator).fit(X, y, **fit_params)
    assert isinstance(fitted.history_, list)
    assert all(isinstance(epoch, dict) for epoch in fitted.history_)
    assert fitted.n_iter_ == len(fitted.history_)
    if fitted.get_params().get("early_stopping"):
        assert 1 <= fitted.n_iter_ <= fitted.max_epochs
    elif hasattr(fitted, "net_"):
        assert fitted.n_iter_ == fitted.max_epochs == len(fitted.net_.history)


PER_TASK_ESTIMATORS = [
    TaskGrouper(gain_epochs=2, **NETWORK),
    GenerativeMTLClassifier(hidden_layer_sizes=(8,), max_epochs=15, lr=0.05, random_state=0),
    SparseTaskGraphMTL(max_iter=5, cv=2, random_state=0),
]


@pytest.mark.parametrize("estimator", PER_TASK_ESTIMATORS, ids=lambda e: type(e).__name__)
def test_per_task_estimators_score_each_task(estimator):
    (X, y), fit_params = _multitask_data(estimator)
    fitted = clone(estimator).fit(X, y, **fit_params)
    scores = fitted.score_tasks(X, y, **fit_params)
    y_pred = fitted.predict(X, **fit_params)
    if isinstance(fitted, SparseTaskGraphMTL):
        tasks = fit_params["tasks"]
        expected = [r2_score(y[tasks == t], y_pred[tasks == t]) for t in fitted.tasks_]
        # score stays RegressorMixin's R^2 over all rows
        assert fitted.score(X, y, **fit_params) == pytest.approx(r2_score(y, y_pred))
    elif is_classifier(fitted):
        expected = (y == y_pred).mean(axis=0)
        # score stays ClassifierMixin's exact-match (subset) accuracy
        assert fitted.score(X, y) == pytest.approx(np.all(y == y_pred, axis=1).mean())
    else:
        expected = [r2_score(y[:, t], y_pred[:, t]) for t in range(y.shape[1])]
        assert fitted.score(X, y) == pytest.approx(np.mean(expected))
    np.testing.assert_allclose(scores, expected)
    assert len(np.unique(np.round(scores, 6))) > 1  # the tasks really are scored apart


@pytest.mark.parametrize(
    "estimator",
    [FidelityMTLRegressor(**NETWORK), AuxiliaryTargetMTLRegressor(missing_aux="main_only",
                                                                  **NETWORK),
     TaskGrouper(gain_epochs=2, **NETWORK)],
    ids=lambda e: type(e).__name__,
)
def test_standardised_targets_expose_their_mean_and_scale(estimator):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    Y = np.column_stack([X[:, 0], X[:, 1] - X[:, 2]]) * [3.0, 0.5] + [5.0, -2.0]
    fitted = clone(estimator).fit(X, Y)
    np.testing.assert_allclose(fitted.y_mean_, Y.mean(axis=0))
    np.testing.assert_allclose(fitted.y_scale_, Y.std(axis=0))


def _named_targets(estimator, series):
    """Rows whose targets carry names not in sorted order: ``price`` follows ``x0`` alone,
    ``demand`` ``x1`` alone (``series``: ``price`` alone, as a named Series).

    Returns ``X``, then the named ``y`` with the output and task names its explanation
    must have, then the same for ``y`` as an array.
    """
    rng = np.random.RandomState(0)
    X = rng.randn(120, 3)
    Y = pd.DataFrame({"price": 3.0 * X[:, 0], "demand": 3.0 * X[:, 1]})
    if isinstance(estimator, AuxiliaryTargetMTLClassifier):
        y = pd.Series(np.where(X[:, 0] > 0, "high", "low"), name="price")
        return X, (y, ["price=high", "price=low"], ["main"] * 2), (
            y.to_numpy(), ["y=high", "y=low"], ["main"] * 2)
    if isinstance(estimator, GenerativeMTLClassifier):
        Y = (Y > 0).astype(int)
        return X, (Y, ["price=0", "price=1", "demand=0", "demand=1"],
                   ["price", "price", "demand", "demand"]), (
            Y.to_numpy(), ["task0=0", "task0=1", "task1=0", "task1=1"],
            ["task0", "task0", "task1", "task1"])
    if isinstance(estimator, TaskGrouper):
        return X, (Y, ["price", "demand"], ["price", "demand"]), (
            Y.to_numpy(), ["task0", "task1"], ["task0", "task1"])
    tasks = None if isinstance(estimator, FidelityMTLRegressor) else ["main"]
    if series:
        return X, (Y["price"], ["price"], tasks), (Y["price"].to_numpy(), ["y"], tasks)
    tasks = tasks and tasks * 2
    return X, (Y, ["price", "demand"], tasks), (Y.to_numpy(), ["y0", "y1"], tasks)


NAMED_TARGET_CASES = [
    (FidelityMTLRegressor(**NETWORK), False),
    (FidelityMTLRegressor(**NETWORK), True),
    (AuxiliaryTargetMTLRegressor(missing_aux="main_only", **NETWORK), False),
    (AuxiliaryTargetMTLRegressor(missing_aux="main_only", **NETWORK), True),
    (AuxiliaryTargetMTLClassifier(missing_aux="main_only", **NETWORK), True),
    (TaskGrouper(gain_epochs=2, **NETWORK), False),
    (GenerativeMTLClassifier(hidden_layer_sizes=(8,), max_epochs=15, lr=0.05, random_state=0),
     False),
]


@pytest.mark.parametrize(
    "estimator, series", NAMED_TARGET_CASES,
    ids=[f"{type(e).__name__}-{'Series' if s else 'DataFrame'}" for e, s in NAMED_TARGET_CASES],
)
def test_outputs_are_named_after_the_columns_of_y(estimator, series):
    X, (y, outputs, tasks), (array, default_outputs, default_tasks) = _named_targets(
        estimator, series)
    fitted = clone(estimator).fit(X, y)
    for model in (fitted, pickle.loads(pickle.dumps(fitted))):
        explanation = model.explain(X)
        assert list(explanation.output_names) == outputs
        assert (None if explanation.task_names is None
                else list(explanation.task_names)) == tasks
    # each name is on its own column's output: price follows x0, demand x1
    for output in explanation.output_names:
        top = explanation.global_importances(output).index[0]
        assert top == ("x1" if output.startswith("demand") else "x0")
    frame = explanation.to_frame(outputs[-1])
    assert frame.shape == X.shape
    if isinstance(fitted, TaskGrouper):
        table = fitted.coef_table()
        assert sorted(table.index) == sorted(outputs)
        np.testing.assert_array_equal(table.loc[outputs, ["x0", "x1", "x2"]], fitted.coef_)
    # a refit on an array forgets the names of the earlier DataFrame
    refitted = fitted.fit(X, array).explain(X)
    assert list(refitted.output_names) == default_outputs
    assert (None if refitted.task_names is None else list(refitted.task_names)) == default_tasks
    if isinstance(fitted, TaskGrouper):
        assert list(fitted.coef_table().sort_index().index) == ["task0", "task1"]


def test_duplicated_column_names_of_y_are_refused():
    X = np.random.RandomState(0).randn(30, 2)
    Y = pd.DataFrame(np.c_[X[:, 0], X[:, 1]], columns=["price", "price"])
    with pytest.raises(ValueError, match=r"duplicated column names \['price'\]"):
        FidelityMTLRegressor(**NETWORK).fit(X, Y)


def _display_of(cls):
    """A drawn instance of every public class with a ``plot`` method."""
    if cls is AuxiliaryErrorExplanation:
        per_sample = pd.DataFrame({"main_error": [1.0, 2.0, 0.5], "a_error": [0.2, 0.9, 0.1],
                                   "main_large_error": [False, True, False]})
        summary = pd.DataFrame({"auroc": [0.9], "spearman": [0.7]}, index=["a"])
        return cls(per_sample, summary, ["a"]).plot()
    if cls is TaskGraphDisplay:
        return cls(np.array([[0, 1, 0], [1, 0, 0.5], [0, 0.5, 0]])).plot()
    if cls is FidelityTradeoffDisplay:
        frame = pd.DataFrame({"model": ["joint"] * 2, "fidelity_weight": [0.1, 0.9],
                              "metric": "r2", "score": [0.8, 0.7], "gf": [0.01, 0.001]})
        return cls(frame).plot()
    if cls in (Explanation, ExplanationDisplay):
        explanation = Explanation(np.arange(6.0).reshape(2, 3, 1), np.zeros(1), np.ones((2, 3)),
                                  list("abc"), ["y"])
        return explanation.plot() if cls is Explanation else cls(explanation, "bar").plot()
    if cls is ShapeFunctionDisplay:
        X, y = toy_data(FidelityMTLRegressor())
        reg = FidelityMTLRegressor(surrogate="additive", n_knots=4, **NETWORK).fit(X, y)
        return cls.from_estimator(reg, X)
    if cls is InteractionDisplay:
        X, y = toy_data(FidelityMTLRegressor())
        reg = FidelityMTLRegressor(surrogate="additive", n_knots=4, interactions=1,
                                   **NETWORK).fit(X, y)
        return cls.from_estimator(reg, X)
    raise AssertionError(f"no case for {cls.__name__}.plot: add one here")


@pytest.mark.parametrize(
    "cls", [c for c in _public_classes() if hasattr(c, "plot")], ids=lambda c: c.__name__
)
def test_every_plot_returns_a_display_with_its_axes(cls):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    display = _display_of(cls)
    try:
        assert isinstance(display.ax_, plt.Axes)
        assert display.figure_ is display.ax_.figure
        assert display.ax_.has_data()
    finally:
        plt.close("all")


_FRESH_PROCESS_LOAD = """
import sys, joblib, numpy as np
saved = joblib.load(sys.argv[1])
for name, estimator, X, expected in saved:
    np.testing.assert_array_equal(estimator.predict(X), expected, err_msg=name)
print(len(saved))
"""


def test_joblib_dump_loads_in_a_fresh_process(tmp_path):
    # every registered estimator in one file, so that torch is imported once
    saved = []
    for estimator in FAST_ESTIMATORS:
        X, y = toy_data(estimator)
        fitted = clone(estimator).fit(X, y)
        saved.append((repr(estimator), fitted, X, fitted.predict(X)))
    path = tmp_path / "estimators.joblib"
    joblib.dump(saved, path)
    result = subprocess.run([sys.executable, "-c", _FRESH_PROCESS_LOAD, str(path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(len(FAST_ESTIMATORS))]


def _fitted_regressor():
    X, y = toy_data(FidelityMTLRegressor())
    return FidelityMTLRegressor(**NETWORK).fit(X, y), X


@pytest.mark.parametrize("library, key", [("skmtlx", "_skmtlx_version"),
                                          ("torch", "_torch_version")])
def test_unpickling_with_another_version_warns(library, key):
    fitted, X = _fitted_regressor()
    state = fitted.__getstate__()
    state[key] = "0.0.1"
    restored = FidelityMTLRegressor.__new__(FidelityMTLRegressor)
    with pytest.warns(InconsistentVersionWarning, match=f"{library} 0.0.1") as record:
        restored.__setstate__(state)
    assert [w.message.library for w in record] == [library]
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_unpickling_with_the_same_versions_is_silent():
    fitted, X = _fitted_regressor()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = pickle.loads(pickle.dumps(fitted))
    assert "_skmtlx_version" not in vars(restored)


@pytest.mark.skipif(torch.cuda.device_count() > 7, reason="needs a machine without cuda:7")
def test_a_model_saved_on_an_absent_device_loads_on_cpu():
    # what a CUDA-trained model looks like to a CPU-only machine: its device is absent
    fitted, X = _fitted_regressor()
    expected = fitted.predict(X)
    fitted.device = fitted.net_.device = "cuda:7"
    with pytest.warns(UserWarning, match="device='cuda:7'"):
        restored = pickle.loads(pickle.dumps(fitted))
    assert restored.device == "cpu"
    assert str(restored.net_.device) == "cpu"
    np.testing.assert_array_equal(restored.predict(X), expected)


def _surrogate_outputs(estimator, X):
    """Raw outputs ``b + W z(x)`` of the fitted surrogate (logits for classification outputs)."""
    g = estimator.surrogate_
    Z = X if g.basis is None else g.basis.transform(X)
    return Z @ g.coef_.T + g.intercept_


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_explanation_adds_up_to_the_surrogate_and_fidelity_is_reported(estimator):
    X, y = toy_data(estimator)
    fitted = clone(estimator).fit(X, y)
    explanation = fitted.explain(X)
    assert explanation.values.shape[:2] == X.shape
    outputs = explanation.output_values()
    np.testing.assert_allclose(outputs, _surrogate_outputs(fitted, X), rtol=0, atol=1e-6)
    if not is_classifier(fitted):
        # the surrogate's predictions are the explained outputs (main ones first)
        g = np.asarray(fitted.predict_surrogate(X), dtype=float).reshape(len(X), -1)
        np.testing.assert_allclose(outputs[:, :g.shape[1]], g, rtol=0, atol=1e-6)
    again = clone(estimator).fit(X, y).explain(X)
    np.testing.assert_array_equal(explanation.values, again.values)
    np.testing.assert_array_equal(explanation.base_values, again.base_values)
    gf = global_fidelity(fitted, X, multioutput="raw_values")
    assert gf.ndim == 1 and np.all(np.isfinite(gf)) and np.all(gf >= 0)
    assert isinstance(fidelity_r2(fitted, X), float)


# ----------------------------------------------------------------- sparse X
def _sparse_copies(X):
    """``X`` in scipy sparse layouts that a wrong reading would turn into other rows.

    CSR with explicit zeros and each row's columns in descending order, COO with
    every value split over two duplicate entries, CSC (column-major) with int64
    indices, and LIL (no ``data`` array of stored values).
    """
    rows, cols = np.nonzero(X)
    zero_rows, zero_cols = np.nonzero(X[:10] == 0)  # stored explicitly
    rows, cols = np.r_[rows, zero_rows], np.r_[cols, zero_cols]
    order = np.lexsort((-cols, rows))
    rows, cols = rows[order], cols[order]
    indptr = np.searchsorted(rows, np.arange(X.shape[0] + 1))
    csr = sp.csr_matrix((X[rows, cols], cols, indptr), shape=X.shape)
    assert not csr.has_sorted_indices and (csr.data == 0).any()
    rows, cols = np.nonzero(X)
    half = X[rows, cols] / 2
    coo = sp.coo_matrix((np.r_[half, half], (np.r_[rows, rows], np.r_[cols, cols])),
                        shape=X.shape)
    csc = sp.csc_array(X)
    csc.indices, csc.indptr = csc.indices.astype(np.int64), csc.indptr.astype(np.int64)
    return {"csr": csr, "coo": coo, "csc_int64": csc, "lil": sp.lil_array(X)}


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_sparse_X_gives_the_predictions_and_explanations_of_its_dense_copy(estimator):
    X, y = toy_data(estimator)
    X = np.where(np.abs(X) < 0.6, 0.0, X)  # about 45 % zeros
    copies = _sparse_copies(X)
    dense = clone(estimator).fit(X, y)
    sparse = clone(estimator).fit(copies["csc_int64"], y)
    expected, explanation = dense.predict(X), dense.explain(X)
    assert len(np.unique(expected, axis=0)) > 1  # rows read wrongly would change them
    for name, X_sparse in copies.items():
        np.testing.assert_array_equal(sparse.predict(X_sparse), expected, err_msg=name)
        explained = sparse.explain(X_sparse)
        np.testing.assert_array_equal(explained.values, explanation.values, err_msg=name)
        np.testing.assert_array_equal(explained.base_values, explanation.base_values)
        np.testing.assert_array_equal(explained.data, X)


def _categorical_frame(estimator, n=90):
    """String columns only, with effects of unequal size per level and per column."""
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"colour": rng.choice(["red", "green", "blue", "grey"], n),
                          "size": rng.choice(["S", "M", "L"], n),
                          "grade": rng.choice(["a", "b"], n)})
    signal = (frame["colour"].map({"red": 2.0, "green": -1.0, "blue": 0.5, "grey": 0.0})
              + 3.0 * (frame["size"] == "L") - (frame["grade"] == "a")).to_numpy()
    signal = signal + 0.3 * rng.randn(n)
    if isinstance(estimator, GenerativeMTLClassifier):
        return frame, np.c_[signal > np.median(signal), frame["size"] != "S"].astype(int)
    if is_classifier(estimator):
        return frame, (signal > np.median(signal)).astype(int)
    return frame, signal


@pytest.mark.filterwarnings("ignore:Found unknown categories:UserWarning")
@pytest.mark.parametrize("estimator", ONE_PER_CLASS, ids=lambda e: type(e).__name__)
def test_one_hot_pipeline_explains_as_its_dense_twin(estimator):
    frame, y = _categorical_frame(estimator)
    pipes = [make_pipeline(OneHotEncoder(handle_unknown="ignore", sparse_output=sparse),
                           clone(estimator)).fit(frame, y) for sparse in (True, False)]
    assert sp.issparse(pipes[0][0].transform(frame))  # the estimator was fitted on CSR
    unknown = pd.DataFrame({"colour": ["purple"], "size": ["L"], "grade": ["a"]})
    rows = pd.concat([frame.iloc[:20], unknown], ignore_index=True)
    np.testing.assert_array_equal(pipes[0].predict(rows), pipes[1].predict(rows))
    got, expected = explain(pipes[0], rows), explain(pipes[1], rows)
    assert list(got.feature_names) == ["colour", "size", "grade"]
    np.testing.assert_array_equal(got.values, expected.values)
    np.testing.assert_array_equal(got.base_values, expected.base_values)
    # each column's attribution is the sum over its one-hot columns
    one_hot = explain(pipes[1], rows, features="transformed").values
    starts = np.cumsum([0] + [len(levels) for levels in pipes[1][0].categories_[:-1]])
    np.testing.assert_allclose(got.values, np.add.reduceat(one_hot, starts, axis=1),
                               rtol=0, atol=1e-10)
    assert np.abs(got.values[:, 0]).max() > 1e-3  # the colour is explained, not ignored


@pytest.mark.parametrize("estimator", FAST_ESTIMATORS, ids=repr)
def test_fits_in_threads_equal_sequential_fits(estimator):
    """Each fit owns its seed: 2 fits at once in a thread pool predict bitwise what a
    sequential fit predicts (in worker processes: tests/test_scaling.py)."""
    X, y = toy_data(estimator)
    sequential = fit_predict(estimator, X, y)
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = list(pool.map(lambda _: fit_predict(estimator, X, y), range(2)))
    for predictions in threaded:
        np.testing.assert_array_equal(predictions, sequential)


@pytest.mark.parametrize(
    "estimator",
    # the task-graph networks train only with several tasks, which the toy data
    # lacks: tests/test_task_graph.py checks their device
    [e for e in FAST_ESTIMATORS
     if _trains_a_network(e) and not isinstance(e, SparseTaskGraphMTL)],
    ids=repr)
def test_unavailable_device_is_named_before_training(estimator):
    X, y = toy_data(estimator)
    with pytest.raises(ValueError, match="device='cuda:99' is not available"):
        clone(estimator).set_params(device="cuda:99").fit(X, y)


# ------------------------------------------------------- standardised inputs
INPUT_SCALES = np.array([1e3, 1e-3, 7.0, 0.05])
INPUT_SHIFTS = np.array([5e3, -2.0, 0.0, 40.0])


def _outputs(fitted, X):
    return fitted.predict_proba(X) if hasattr(fitted, "predict_proba") else fitted.predict(X)


@pytest.mark.parametrize("estimator", [e for e in FAST_ESTIMATORS if _trains_a_network(e)],
                         ids=repr)
def test_networks_read_the_features_standardised(estimator):
    """Features in other units (scaled by 1e-3 to 1e3, shifted) give the same model.

    The networks read the features standardised on the training rows, so the
    same rows in other units train the same network; the surrogate reports in
    the features' own units, so its attributions are unchanged and its
    coefficients are divided by the scales.
    """
    X, y = toy_data(estimator)
    moved_X = X * INPUT_SCALES + INPUT_SHIFTS
    plain, moved = clone(estimator).fit(X, y), clone(estimator).fit(moved_X, y)
    expected = np.asarray(_outputs(plain, X), dtype=float)
    assert np.ptp(expected) > 0
    np.testing.assert_allclose(_outputs(moved, moved_X), expected, rtol=1e-3,
                               atol=1e-4 * np.ptp(expected))
    explained, explanation = moved.explain(moved_X), plain.explain(X)
    atol = 1e-4 * np.ptp(explanation.values)
    np.testing.assert_allclose(explained.values, explanation.values, rtol=1e-3, atol=atol)
    np.testing.assert_allclose(explained.base_values, explanation.base_values, rtol=1e-3,
                               atol=atol)
