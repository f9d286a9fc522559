"""The auxiliary-target estimators and their synthetic data.

Pinned: per-sample auxiliary errors and scores against scipy/scikit-learn
(negative log-likelihood of the true class, absolute residuals, accuracy, R^2),
the error-explanation summary (Spearman, AUROC, lift at an asymmetric quantile,
main errors not of unit mean) against scipy and scikit-learn, the reported
auxiliary scores against ``predict_aux``, the routing error by its type.
"""

import pickle

from types import SimpleNamespace

from scipy.special import logsumexp
from scipy.stats import spearmanr
from sklearn import config_context
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
import matplotlib
import numpy as np
import pandas as pd
import pytest

from skmtlx.auxiliary import (
    AuxiliaryErrorExplanation,
    AuxiliaryTargetMTLClassifier,
    AuxiliaryTargetMTLRegressor,
    error_explanation_summary,
)
from skmtlx.auxiliary._explain import _aux_errors
from skmtlx.datasets._auxiliary_synthetic import (
    make_auxiliary_classification,
    make_auxiliary_regression,
)


matplotlib.use("Agg")

FAST = dict(hidden_layer_sizes=(16,), max_epochs=10, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def reg_data():
    return make_auxiliary_regression(n_samples=200, random_state=0)


@pytest.fixture(scope="module")
def mixed_data():
    """Classification main task with a float, an int and a string auxiliary target."""
    X, y, aux = make_auxiliary_classification(n_samples=200, random_state=1)
    aux = aux.assign(
        level=np.digitize(aux["factor"], [-0.5, 0.5]),  # ints 0..2 -> classification
        sign=np.where(aux["control"] > 0, "pos", "neg"),  # strings -> classification
    )
    return X, np.array(["no", "yes"])[y], aux


def test_regressor_shapes(reg_data):
    X, y, aux = reg_data
    reg = AuxiliaryTargetMTLRegressor(**FAST).fit(X, y, aux=aux)
    assert reg.predict(X).shape == (200,)
    aux_pred = reg.predict_aux(X)
    assert list(aux_pred.columns) == ["factor", "control"]
    assert aux_pred.shape == (200, 2)
    assert reg.aux_kinds_ == ["regression", "regression"]
    assert reg.task_weights_.tolist() == [1.0, 1.0, 1.0]
    assert {"train_main", "train_aux0", "train_aux1"} <= set(reg.history_[-1])
    # a multi-output main target and a 1-D aux array
    reg2 = AuxiliaryTargetMTLRegressor(**FAST).fit(X, np.c_[y, -y], aux=aux["factor"].to_numpy())
    assert reg2.predict(X).shape == (200, 2)
    assert reg2.aux_names_ == ["aux0"]


def test_classifier_mixed_aux_types(mixed_data):
    X, y, aux = mixed_data
    clf = AuxiliaryTargetMTLClassifier(**FAST).fit(X, y, aux=aux)
    assert clf.aux_kinds_ == ["regression", "regression", "classification", "classification"]
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= {"no", "yes"}
    aux_pred = clf.predict_aux(X)
    assert set(aux_pred["sign"]) <= {"neg", "pos"}
    assert set(aux_pred["level"]) <= {0, 1, 2}
    aux_proba = clf.predict_aux_proba(X)
    assert sorted(aux_proba) == ["level", "sign"]
    assert aux_proba["level"].shape == (200, 3)
    # explicit kinds override the automatic ones
    clf2 = AuxiliaryTargetMTLClassifier(aux_types={"level": "regression"}, **FAST)
    assert clf2.fit(X, y, aux=aux).aux_kinds_[2] == "regression"


def test_missing_aux_raises_unless_main_only(reg_data):
    X, y, aux = reg_data
    with pytest.raises(ValueError, match="needs the auxiliary targets"):
        AuxiliaryTargetMTLRegressor(**FAST).fit(X, y)
    reg = AuxiliaryTargetMTLRegressor(missing_aux="main_only", **FAST).fit(X, y)
    assert reg.predict(X).shape == (200,)
    assert reg.aux_names_ == []
    with pytest.raises(ValueError, match="fitted without aux"):
        reg.predict_aux(X)
    with pytest.raises(ValueError, match="fitted without aux"):
        reg.explain_errors(X, y, aux)


@pytest.mark.parametrize(
    "bad_aux, message",
    [
        ("rows", "aux has 150 rows but X has 200"),
        ("nan", "contains NaN"),
        ("inf", "infinite"),
        ("empty", "no column"),
        ("3d", "1-D or 2-D"),
    ],
)
def test_bad_aux_raises(reg_data, bad_aux, message):
    X, y, aux = reg_data
    bad = {
        "rows": aux.iloc[:150],
        "nan": aux.assign(factor=np.r_[np.nan, aux["factor"].to_numpy()[1:]]),
        "inf": aux.assign(control=np.r_[np.inf, aux["control"].to_numpy()[1:]]),
        "empty": aux.iloc[:, :0],
        "3d": np.zeros((200, 2, 2)),
    }[bad_aux]
    with pytest.raises(ValueError, match=message):
        AuxiliaryTargetMTLRegressor(**FAST).fit(X, y, aux=bad)


def test_bad_parameters_raise(reg_data):
    X, y, aux = reg_data
    with pytest.raises(ValueError, match="one weight per auxiliary target"):
        AuxiliaryTargetMTLRegressor(aux_weight=[1.0, 2.0, 3.0], **FAST).fit(X, y, aux=aux)
    with pytest.raises(ValueError, match="aux_types has 1 entries"):
        AuxiliaryTargetMTLRegressor(aux_types=["regression"], **FAST).fit(X, y, aux=aux)
    with pytest.raises(ValueError, match="not aux columns"):
        AuxiliaryTargetMTLRegressor(aux_types={"nope": "regression"}, **FAST).fit(X, y, aux=aux)
    with pytest.raises(ValueError, match="not numeric"):
        AuxiliaryTargetMTLRegressor(aux_types="regression", **FAST).fit(
            X, y, aux=np.where(aux["factor"] > 0, "a", "b")
        )
    with pytest.raises(ValueError, match="aux_weight"):
        AuxiliaryTargetMTLRegressor(aux_weight="bad", **FAST).fit(X, y, aux=aux)


def test_predict_needs_only_X_and_is_deterministic(reg_data):
    X, y, aux = reg_data
    a = AuxiliaryTargetMTLRegressor(**FAST).fit(X, y, aux=aux)
    b = AuxiliaryTargetMTLRegressor(**FAST).fit(X, y, aux=aux)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    pd.testing.assert_frame_equal(a.predict_aux(X), b.predict_aux(X))
    assert [r["train_loss"] for r in a.history_] == [r["train_loss"] for r in b.history_]
    c = AuxiliaryTargetMTLRegressor(**{**FAST, "random_state": 1}).fit(X, y, aux=aux)
    assert not np.allclose(a.predict(X), c.predict(X))
    restored = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(restored.predict(X), a.predict(X))
    # predictions of a row do not depend on the other rows
    np.testing.assert_allclose(a.predict(X[:7]), a.predict(X)[:7])


def test_aux_weight_zero_equals_main_only(reg_data):
    """A zero auxiliary weight sends no gradient to the trunk: the main head is the
    main-only model's; a positive weight changes it. Full batches, so that the extra
    heads' initialisation (which moves torch's generator) does not change the shuffling;
    no surrogate head, whose fidelity term sees the auxiliary heads too."""
    X, y, aux = reg_data
    full = dict(FAST, batch_size=256, fidelity_weight=0.0)
    main_only = AuxiliaryTargetMTLRegressor(missing_aux="main_only", **full).fit(X, y)
    zero = AuxiliaryTargetMTLRegressor(aux_weight=0.0, **full).fit(X, y, aux=aux)
    np.testing.assert_allclose(zero.predict(X), main_only.predict(X), rtol=1e-4, atol=1e-5)
    weighted = AuxiliaryTargetMTLRegressor(aux_weight=[2.0, 0.0], **full).fit(X, y, aux=aux)
    assert np.abs(weighted.predict(X) - main_only.predict(X)).max() > 1e-3


def test_uncertainty_weighting_learns_weights(reg_data):
    X, y, aux = reg_data
    reg = AuxiliaryTargetMTLRegressor(aux_weight="uncertainty", **FAST).fit(X, y, aux=aux)
    assert reg.task_weights_.shape == (3,)
    assert np.all(reg.task_weights_ > 0)
    assert not np.allclose(reg.task_weights_, 0.5)  # moved from the initial exp(0) / 2
    assert all(np.isfinite(r["train_loss"]) and r["train_loss"] > 0 for r in reg.history_)


@pytest.mark.parametrize("aux_weight", [1.0, "uncertainty"])
def test_early_stopping_monitor(reg_data, aux_weight):
    """monitor="main": the validation loss early stopping watches is the main loss;
    "total": the weighted total, which then differs from the main term."""
    X, y, aux = reg_data
    params = dict(FAST, early_stopping=True, max_epochs=15, aux_weight=aux_weight)
    main = AuxiliaryTargetMTLRegressor(early_stopping_monitor="main", **params).fit(X, y, aux=aux)
    for row in main.history_:
        assert row["valid_loss"] == pytest.approx(row["valid_main"], rel=1e-5)
    total = AuxiliaryTargetMTLRegressor(early_stopping_monitor="total", **params)
    total.fit(X, y, aux=aux)
    assert all(
        abs(row["valid_loss"] - row["valid_main"]) > 1e-3 for row in total.history_
    )
    with pytest.raises(ValueError, match="early_stopping_monitor"):
        AuxiliaryTargetMTLRegressor(early_stopping_monitor="aux").fit(X, y, aux=aux)


def test_metadata_routing_pipeline_and_grid_search(reg_data):
    X, y, aux = reg_data
    with config_context(enable_metadata_routing=True):
        reg = AuxiliaryTargetMTLRegressor(**FAST).set_fit_request(aux=True)
        pipe = make_pipeline(StandardScaler(), reg)
        pipe.fit(X, y, aux=aux)
        assert pipe[-1].aux_names_ == ["factor", "control"]
        search = GridSearchCV(pipe, {"auxiliarytargetmtlregressor__aux_weight": [0.0, 1.0]},
                              cv=KFold(2))
        search.fit(X, y, aux=aux)
        assert search.best_estimator_[-1].aux_names_ == ["factor", "control"]
        assert search.predict(X).shape == (200,)
        # not requesting aux is a routing error, not a silent main-only fit
        with pytest.raises(UnsetMetadataPassedError, match=r"\[aux\] are passed but"):
            make_pipeline(StandardScaler(), AuxiliaryTargetMTLRegressor(**FAST)).fit(X, y, aux=aux)
    # without routing, the classic step-parameter syntax still works
    pipe = make_pipeline(StandardScaler(), AuxiliaryTargetMTLRegressor(**FAST))
    pipe.fit(X, y, auxiliarytargetmtlregressor__aux=aux)
    assert pipe[-1].n_iter_ == FAST["max_epochs"]
    assert clone(pipe[-1]).get_params()["aux_weight"] == 1.0


def test_explain_errors_finds_the_driving_factor():
    X, y, aux = make_auxiliary_regression(n_samples=1200, recoverable=0.0, random_state=0)
    reg = AuxiliaryTargetMTLRegressor((32,), max_epochs=15, lr=0.01, random_state=0)
    reg.fit(X[:800], y[:800], aux=aux[:800])
    explanation = reg.explain_errors(X[800:], y[800:], aux[800:])
    summary = explanation.summary
    assert isinstance(explanation, AuxiliaryErrorExplanation)
    assert explanation.best_aux == "factor"
    assert summary.loc["factor", "auroc"] > 0.85
    assert summary.loc["factor", "spearman"] > 0.6
    assert 0.35 < summary.loc["control", "auroc"] < 0.65  # negative control: chance
    assert abs(summary.loc["control", "spearman"]) < 0.15
    assert summary.loc["factor", "lift"] > 1.5
    per_sample = explanation.per_sample
    assert len(per_sample) == 400
    assert per_sample["main_large_error"].sum() == 40
    assert {"main_error", "factor_error", "factor_pred", "factor_far_off", "worst_aux"} <= set(
        per_sample
    )
    assert (per_sample["worst_aux"] == "factor")[per_sample["main_large_error"]].mean() > 0.7
    with pytest.raises(ValueError, match="do not match"):
        reg.explain_errors(X[800:], y[800:], aux[800:][["control", "factor"]])
    with pytest.raises(ValueError, match="large_error_quantile"):
        reg.explain_errors(X[800:], y[800:], aux[800:], large_error_quantile=1.5)


def test_explain_errors_classifier_and_plot(mixed_data):
    X, y, aux = mixed_data
    clf = AuxiliaryTargetMTLClassifier(**FAST).fit(X, y, aux=aux)
    explanation = clf.explain_errors(X, y, aux)
    assert list(explanation.summary.index) == ["factor", "control", "level", "sign"]
    large = explanation.per_sample["main_large_error"].to_numpy()
    np.testing.assert_array_equal(large, clf.predict(X) != y)
    predicted = clf.predict_aux(X)
    for name, kind in explanation.summary["kind"].items():
        score = (accuracy_score(aux[name], predicted[name]) if kind == "classification"
                 else r2_score(aux[name], predicted[name]))  # R^2 ignores the standardisation
        assert explanation.summary.loc[name, "aux_score"] == pytest.approx(score)
    explanation.plot()
    assert len(explanation.ax_.patches) == 4
    explanation.plot(kind="scatter", aux_name="sign")
    assert "sign" in explanation.ax_.get_xlabel()
    with pytest.raises(ValueError, match="aux_name"):
        explanation.plot(kind="scatter", aux_name="nope")
    with pytest.raises(ValueError, match="unseen|not seen"):
        clf.explain_errors(X, y, aux.assign(sign="other"))
    matplotlib.pyplot.close("all")


@pytest.mark.parametrize("fidelity_weight", [0.1, 0.0])
def test_features_in_other_units_give_the_same_heads(mixed_data, fidelity_weight):
    """The network reads the features standardised on the training rows: the same rows
    in other units (scaled by 1e-3 to 1e3, shifted) give the same auxiliary predictions,
    error explanation and surrogate of every head, its coefficients divided by the
    scales (the jointly trained head and the post-hoc one alike)."""
    X, y, aux = mixed_data
    scales = np.array([1e3, 1e-3, 7.0, 0.05, 2.0, 1e2])[:X.shape[1]]
    moved_X = X * scales + np.linspace(-40.0, 5e3, X.shape[1])
    params = dict(FAST, fidelity_weight=fidelity_weight)
    plain = AuxiliaryTargetMTLClassifier(**params).fit(X, y, aux=aux)
    moved = AuxiliaryTargetMTLClassifier(**params).fit(moved_X, y, aux=aux)
    assert moved.surrogate_fit_ == plain.surrogate_fit_
    for name, proba in plain.predict_aux_proba(X).items():
        np.testing.assert_allclose(moved.predict_aux_proba(moved_X)[name], proba, atol=1e-5)
    np.testing.assert_allclose(moved.predict_aux(moved_X)["factor"],
                               plain.predict_aux(X)["factor"], rtol=1e-4, atol=1e-5)
    errors = [m.explain_errors(Z, y, aux).per_sample for m, Z in ((plain, X), (moved, moved_X))]
    np.testing.assert_allclose(errors[1]["control_error"], errors[0]["control_error"],
                               rtol=1e-3, atol=1e-5)
    coef = plain.surrogate_.coef_
    np.testing.assert_allclose(moved.surrogate_.coef_ * scales, coef, rtol=1e-3,
                               atol=1e-4 * np.abs(coef).max())


def test_error_explanation_summary_values():
    main = np.arange(20.0)
    summary = error_explanation_summary(
        main, main >= 18, {"same": main, "reverse": -main, "flat": np.ones(20)}
    )
    assert summary.loc["same", "auroc"] == 1.0
    assert summary.loc["reverse", "auroc"] == 0.0
    assert summary.loc["same", "spearman"] == pytest.approx(1.0)
    assert np.isnan(summary.loc["flat", "spearman"])
    assert summary.loc["flat", "auroc"] == 0.5


def test_aux_errors_and_scores_against_scipy_and_sklearn():
    rng = np.random.RandomState(0)
    logits, out = rng.randn(30, 3), rng.randn(30, 1)
    codes, truth = rng.randint(3, size=30), rng.randn(30)
    targets = SimpleNamespace(names_=["c", "r"], kinds_=["classification", "regression"])
    errors, scores = _aux_errors([logits, out], np.column_stack([codes, truth]), targets)
    nll = logsumexp(logits, axis=1) - logits[np.arange(30), codes]
    np.testing.assert_allclose(errors["c"], nll)
    assert scores["c"] == pytest.approx(accuracy_score(codes, logits.argmax(axis=1)))
    np.testing.assert_allclose(errors["r"], np.abs(out[:, 0] - truth))
    assert scores["r"] == pytest.approx(r2_score(truth, out[:, 0]))


def test_error_explanation_summary_against_scipy_and_sklearn():
    rng = np.random.RandomState(1)
    main = 5 * rng.exponential(size=200)  # mean far from 1
    large = main > np.quantile(main, 0.8)
    aux = {"near": main + rng.exponential(size=200), "noise": rng.exponential(size=200)}
    summary = error_explanation_summary(main, large, aux, quantile=0.75)
    for name, error in aux.items():
        far_off = error > np.quantile(error, 0.75)
        assert summary.loc[name, "lift"] == pytest.approx(main[far_off].mean() / main.mean())
        assert summary.loc[name, "auroc"] == pytest.approx(roc_auc_score(large, error))
        assert summary.loc[name, "spearman"] == pytest.approx(spearmanr(main, error)[0])
    assert summary.loc["near", "lift"] > 1.2 > summary.loc["noise", "lift"]


@pytest.mark.parametrize("recoverable", [0.0, 0.5, 0.9])
def test_recoverable_knob(recoverable):
    X, y, aux = make_auxiliary_regression(n_samples=20000, recoverable=recoverable, random_state=0)
    r2 = np.corrcoef(X[:, 0], aux["factor"])[0, 1] ** 2
    assert r2 == pytest.approx(recoverable, abs=0.02)
    # the control is unrelated to the factor and the main target's factor part
    assert abs(np.corrcoef(aux["control"], aux["factor"])[0, 1]) < 0.03


def test_generators_are_seeded_and_shaped():
    a = make_auxiliary_regression(n_samples=30, n_features=3, random_state=0)
    b = make_auxiliary_regression(n_samples=30, n_features=3, random_state=0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape == (30, 3) and a[1].shape == (30,) and a[2].shape == (30, 2)
    X, y, aux = make_auxiliary_classification(n_samples=1000, random_state=0)
    assert set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.01
    # the label depends on the factor
    assert aux["factor"][y == 1].mean() - aux["factor"][y == 0].mean() > 0.5


def test_factor_strength_zero_removes_the_factor():
    X, y, aux = make_auxiliary_regression(n_samples=5000, factor_strength=0.0, noise=0.0,
                                          random_state=0)
    residual = y - np.linalg.lstsq(np.c_[X, np.sin(2 * X[:, -1])], y, rcond=None)[0] @ np.c_[
        X, np.sin(2 * X[:, -1])].T
    assert np.abs(residual).max() < 1e-8


def test_invalid_parameters():
    with pytest.raises(ValueError, match="recoverable"):
        make_auxiliary_regression(recoverable=1.5)
    with pytest.raises(ValueError, match="n_samples"):
        make_auxiliary_classification(n_samples=0)
