"""Bad and edge inputs over every public estimator: a clear error or a correct result.

One matrix of cases runs over ``FAST_ESTIMATORS`` (the registry of skmtlx/utils/_test_common.py):
each case either expects an error whose message names the problem
(``pytest.raises(..., match=...)``) or checks the result against an independent
computation. :func:`cases_for` lists the cases that apply to an estimator;
``python tests/test_bad_input.py`` prints their number per estimator.
"""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.base import clone, is_classifier

from skmtlx import (
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    GenerativeMTLClassifier,
    SparseTaskGraphMLP,
    SparseTaskGraphMTL,
)
from skmtlx.utils._test_common import FAST_ESTIMATORS, toy_data

AUXILIARY = (AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor)
HUGE = 1e200
"""Finite, but its square overflows float64 and it overflows float32."""


def _trains_a_network(estimator):
    if isinstance(estimator, SparseTaskGraphMTL):
        return False  # linear task models unless task_model="mlp"
    return not (isinstance(estimator, GenerativeMTLClassifier) and estimator.estimator is not None)


def _aux(X):
    """Numeric auxiliary targets for the auxiliary estimators (any X, sparse too)."""
    return pd.DataFrame({"factor": np.sin(np.arange(X.shape[0]))})


def _fit(estimator, X, y, aux=None):
    if isinstance(estimator, AUXILIARY):
        return estimator.fit(X, y, aux=_aux(X) if aux is None else aux)
    return estimator.fit(X, y)


def _one_epoch(est):
    """``est`` trained for one epoch: what these cases check does not depend on training
    (the feature count at predict, the target and aux scaling)."""
    params = est.get_params()
    return est.set_params(**{name: 1 for name in ("max_epochs", "gain_epochs")
                             if name in params})


def _with(array, value, row=3, col=1):
    out = np.array(array, dtype=float)
    out.reshape(len(out), -1)[row, col if out.ndim > 1 else 0] = value
    return out


# --------------------------------------------------------------------------- #
# the cases: each takes an unfitted clone and its toy data
# --------------------------------------------------------------------------- #
def nan_in_X(est, X, y):
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _fit(est, _with(X, np.nan), y)


def inf_in_X(est, X, y):
    with pytest.raises(ValueError, match="Input X contains infinity"):
        _fit(est, _with(X, np.inf), y)


def nan_in_y(est, X, y):
    with pytest.raises(ValueError, match="Input y contains NaN"):
        _fit(est, X, _with(y, np.nan))


def inf_in_y(est, X, y):
    with pytest.raises(ValueError, match="Input y contains infinity"):
        _fit(est, X, _with(y, np.inf))


def nan_in_aux(est, X, y):
    aux = _aux(X)
    aux.loc[3, "factor"] = np.nan
    with pytest.raises(ValueError, match="aux column 'factor' contains NaN"):
        _fit(est, X, y, aux=aux)


def inf_in_aux(est, X, y):
    aux = _aux(X)
    aux.loc[3, "factor"] = -np.inf
    with pytest.raises(ValueError, match="aux column 'factor' contains infinite values"):
        _fit(est, X, y, aux=aux)


def empty(est, X, y):
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        _fit(est, X[:0], y[:0])


def one_sample(est, X, y):
    # one sample is also a single class for the classifiers
    with pytest.raises(ValueError, match=r"1 sample|single class|2 classes|one class"):
        _fit(est, X[:1], y[:1])


def one_class(est, X, y):
    with pytest.raises(ValueError, match=r"single class|2 classes|only one class"):
        _fit(est, X, np.zeros_like(y))


def wrong_feature_count(est, X, y):
    fitted = _fit(_one_epoch(est), X, y)
    with pytest.raises(ValueError, match=r"X has 3 features, but \w+ is expecting 4"):
        fitted.predict(X[:, :3])


def strings_in_X(est, X, y):
    X = X.astype(object)
    X[0, 0] = "a"
    with pytest.raises(ValueError, match="could not convert string to float: 'a'"):
        _fit(est, X, y)


def categorical_column(est, X, y):
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    frame["d"] = pd.Categorical(np.where(X[:, 3] > 0, "up", "down"))
    match = (r"numeric features; column\(s\) \['d'\]" if isinstance(est, SparseTaskGraphMTL)
             else "could not convert string to float: '(up|down)'")
    with pytest.raises(ValueError, match=match):
        _fit(est, frame, y)


def nan_in_sparse_X(est, X, y):
    # a DOK matrix has no array of stored values to scan: it is converted first
    with pytest.raises(ValueError, match="Input X contains NaN"):
        _fit(est, sp.dok_matrix(_with(X, np.nan)), y)


def huge_X(est, X, y):
    # SparseTaskGraphMLP on one task is a ridge on the features standardised as its networks'
    if not (_trains_a_network(est) or isinstance(est, SparseTaskGraphMLP)):
        # beyond float32 for a wrapped or closed-form model: an error that says to scale
        with pytest.raises((ValueError, FloatingPointError),
                           match=r"scale the inputs|too large for (dtype\('float32'\)|Sparse)"):
            _fit(est, X * HUGE, y)
        return
    # beyond float32, but the networks read the features standardised: the model of X
    est = _one_epoch(est)
    reference = _fit(clone(est), X, y)
    fitted = _fit(est, X * HUGE, y)
    outputs = "predict_proba" if hasattr(fitted, "predict_proba") else "predict"
    np.testing.assert_allclose(getattr(fitted, outputs)(X * HUGE),
                               getattr(reference, outputs)(X), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fitted.explain(X * HUGE).values, reference.explain(X).values,
                               rtol=1e-4, atol=1e-6)


def huge_y(est, X, y):
    if isinstance(est, SparseTaskGraphMTL):
        with pytest.raises(ValueError, match="too large for SparseTaskGraphMTL.*scale"):
            _fit(est, X, y * HUGE)
        return
    est = _one_epoch(est)
    reference = _fit(clone(est), X, y).predict(X)
    predicted = _fit(est, X, y * HUGE).predict(X)
    # standardised targets: the same network, the predictions scaled back
    assert np.isfinite(predicted).all()
    np.testing.assert_allclose(predicted / HUGE, reference, rtol=1e-4, atol=1e-6)


def huge_aux(est, X, y):
    est = _one_epoch(est)
    reference = _fit(clone(est), X, y)
    fitted = _fit(est, X, y, aux=_aux(X) * HUGE)
    np.testing.assert_array_equal(fitted.predict(X), reference.predict(X))
    aux_pred = fitted.predict_aux(X)["factor"].to_numpy()
    assert np.isfinite(aux_pred).all()
    np.testing.assert_allclose(aux_pred / HUGE, reference.predict_aux(X)["factor"], rtol=1e-4)


def invalid_parameter(est, X, y):
    params = est.get_params()
    name, value = next((n, v) for n, v in [("lr", -1.0), ("rho", -1.0), ("random_state", "seed")]
                       if n in params and (n != "lr" or _trains_a_network(est)))
    with pytest.raises(ValueError, match=rf"The '{name}' parameter of \w+ must be"):
        _fit(est.set_params(**{name: value}), X, y)


def unknown_task_ids(est, X, y):
    tasks = np.arange(len(X)) % 3
    fitted = est.fit(X, y, tasks=tasks)
    with pytest.raises(ValueError, match=r"tasks contains ids not seen in fit: \[7\]"):
        fitted.predict(X[:4], tasks=[0, 1, 7, 2])


def lr_far_too_high(est, X, y):
    with pytest.raises(FloatingPointError, match="lr"):
        _fit(est.set_params(lr=1e6), X, y)


def device_unavailable(est, X, y):
    device = "cuda:99" if torch.cuda.is_available() else "cuda"
    with pytest.raises(ValueError, match=f"device='{device}' is not available"):
        _fit(est.set_params(device=device), X, y)


def cases_for(estimator):
    """The cases of the matrix that apply to ``estimator``, in a fixed order."""
    cases = [nan_in_X, inf_in_X, nan_in_y, inf_in_y]
    if isinstance(estimator, AUXILIARY):
        cases += [nan_in_aux, inf_in_aux, huge_aux]
    cases += [empty, one_sample]
    if is_classifier(estimator):
        cases.append(one_class)
    cases += [wrong_feature_count, strings_in_X, categorical_column, nan_in_sparse_X, huge_X]
    if not is_classifier(estimator):
        cases.append(huge_y)  # regression targets beyond 1e154 (huge labels are just labels)
    cases.append(invalid_parameter)
    if isinstance(estimator, SparseTaskGraphMTL):
        cases.append(unknown_task_ids)
    if _trains_a_network(estimator):
        cases += [lr_far_too_high, device_unavailable]
    return cases


def _matrix():
    for i, estimator in enumerate(FAST_ESTIMATORS):
        for case in cases_for(estimator):
            yield pytest.param(estimator, case,
                               id=f"{i}-{type(estimator).__name__}-{case.__name__}")


@pytest.mark.parametrize("estimator, case", list(_matrix()))
def test_bad_input(estimator, case):
    X, y = toy_data(estimator)
    case(clone(estimator), X, y)


def test_every_estimator_gets_the_shared_cases():
    shared = {nan_in_X, inf_in_X, nan_in_y, inf_in_y, empty, one_sample, wrong_feature_count,
              strings_in_X, categorical_column, nan_in_sparse_X, huge_X, invalid_parameter}
    for estimator in FAST_ESTIMATORS:
        names = set(cases_for(estimator))
        assert shared <= names, estimator


if __name__ == "__main__":  # number of cases per estimator, for the record
    for i, estimator in enumerate(FAST_ESTIMATORS):
        print(f"{i:>2} {type(estimator).__name__:<30} {len(cases_for(estimator)):>3} cases")
