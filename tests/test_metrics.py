"""Fidelity metrics, scorers, trade-off selection and the trade-off Display."""

from sklearn.datasets import load_diabetes, make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale
import matplotlib
import numpy as np
import pandas as pd
import pytest

from skmtlx import FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx.metrics import (
    best_within_fidelity,
    fidelity_r2,
    fidelity_tradeoff,
    global_fidelity,
    global_fidelity_scorer,
    local_linear_fits,
    neighborhood_fidelity,
    neighborhood_fidelity_scorer,
)
from skmtlx.metrics._neighborhood import lime_scaler_stats
from skmtlx.plotting import FidelityTradeoffDisplay


matplotlib.use("Agg")

FAST = dict(hidden_layer_sizes=(32,), max_epochs=30, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return scale(X), scale(y)


@pytest.fixture(scope="module")
def joint_and_post_hoc(diabetes):
    X, y = diabetes
    return (FidelityMTLRegressor(fidelity_weight=0.9, **FAST).fit(X, y),
            FidelityMTLRegressor(surrogate_fit="post_hoc", **FAST).fit(X, y))


def test_global_fidelity_of_skmtlx_estimator_matches_definition(diabetes, joint_and_post_hoc):
    X, _ = diabetes
    joint, post_hoc = joint_and_post_hoc
    expected = np.mean((joint.predict(X) - joint.predict_surrogate(X)) ** 2)
    assert global_fidelity(joint, X) == pytest.approx(expected)
    assert global_fidelity(joint, X) < global_fidelity(post_hoc, X)
    assert fidelity_r2(joint, X) > fidelity_r2(post_hoc, X)


def test_global_fidelity_of_any_regressor_uses_post_hoc_linear_fit(diabetes):
    X, y = diabetes
    forest = RandomForestRegressor(n_estimators=20, random_state=0).fit(X, y)
    f = forest.predict(X)
    g = LinearRegression().fit(X, f).predict(X)
    assert global_fidelity(forest, X) == pytest.approx(np.mean((g - f) ** 2))
    assert 0 < fidelity_r2(forest, X) < 1


def test_classifier_fidelity_is_on_probabilities():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = FidelityMTLClassifier(fidelity_weight=0.8, **FAST).fit(X, y)
    f = clf.predict_proba(X)[:, 1]
    g = clf.surrogate_.predict_proba(X)[:, 1]
    assert global_fidelity(clf, X) == pytest.approx(np.mean((g - f) ** 2))
    # Any probabilistic classifier works; a logistic model is close to its own surrogate.
    assert global_fidelity(LogisticRegression().fit(X, y), X) < 0.01


def _lime_samples_and_coefficients(predict, X_train, x, n_samples, seed):
    """Run lime once and capture the perturbation samples it evaluated."""
    from lime.lime_tabular import LimeTabularExplainer

    explainer = LimeTabularExplainer(
        X_train, mode="regression", discretize_continuous=False, feature_selection="none",
        sample_around_instance=True, random_state=seed,
    )
    seen = []

    def recording_predict(Z):
        seen.append(Z.copy())
        return predict(Z)[:, 0]

    exp = explainer.explain_instance(x, recording_predict, num_features=len(x),
                                     num_samples=n_samples)
    coef = np.zeros(len(x))
    for feature, value in exp.local_exp[1]:
        coef[feature] = value
    return seen[0], coef, exp.intercept[1], explainer


def test_batched_local_fits_equal_lime_on_the_same_samples(diabetes, joint_and_post_hoc):
    X, _ = diabetes
    model = joint_and_post_hoc[1]

    def predict(Z):
        return model.predict(Z).reshape(len(Z), -1)

    for i, seed in [(0, 0), (7, 1)]:
        samples, lime_coef, lime_intercept, explainer = _lime_samples_and_coefficients(
            predict, X, X[i], 300, seed)
        mean, scale_ = explainer.scaler.mean_, explainer.scaler.scale_
        np.testing.assert_allclose((mean, scale_), lime_scaler_stats(X))
        noise = (samples - X[i]) / scale_  # lime's standardized perturbations
        coef, intercept = local_linear_fits(
            predict, X[i:i + 1], noise, scale_, kernel_width=0.75 * np.sqrt(X.shape[1]),
        )
        # Back in lime's standardized space, the coefficients agree to 1e-6 (relative).
        np.testing.assert_allclose(coef[0, :, 0] * scale_, lime_coef, rtol=1e-6)
        local_at_mean = intercept[0, 0] + mean @ coef[0, :, 0]
        assert local_at_mean == pytest.approx(lime_intercept, rel=1e-6)


def test_batched_and_lime_gnf_agree_within_sampling_noise(diabetes, joint_and_post_hoc):
    X, _ = diabetes
    model = joint_and_post_hoc[1]
    kwargs = dict(n_samples=500, training_data=X, random_state=0, return_pointwise=True)
    lime_gnf, lime_nf = neighborhood_fidelity(model, X[:15], explainer="lime", **kwargs)
    batched_gnf, batched_nf = neighborhood_fidelity(model, X[:15], **kwargs)
    assert batched_gnf == pytest.approx(lime_gnf, rel=0.25)
    assert np.corrcoef(lime_nf, batched_nf)[0, 1] > 0.9


def test_batched_gnf_is_seeded_and_lower_for_joint_training(diabetes, joint_and_post_hoc):
    X, _ = diabetes
    joint, post_hoc = joint_and_post_hoc
    first = neighborhood_fidelity(joint, X[:30], n_samples=300, random_state=3)
    again = neighborhood_fidelity(joint, X[:30], n_samples=300, random_state=3)
    assert first == again
    assert first < neighborhood_fidelity(post_hoc, X[:30], n_samples=300, random_state=3)
    surrogate_gnf = neighborhood_fidelity(joint, X[:30], explainer="surrogate", random_state=3)
    assert surrogate_gnf >= 0
    with pytest.raises(ValueError, match="explainer must be one of"):
        neighborhood_fidelity(joint, X[:3], explainer="shap")


def test_grid_search_with_fidelity_scorers_and_constrained_refit(diabetes):
    X, y = diabetes
    search = GridSearchCV(
        FidelityMTLRegressor(**FAST),
        {"fidelity_weight": [0.9, 0.1]},
        scoring={"r2": "r2", "gf": global_fidelity_scorer,
                 "gnf": neighborhood_fidelity_scorer(n_samples=200, random_state=0)},
        refit=best_within_fidelity("r2", "gf", epsilon=0.05),
        cv=2,
    ).fit(X, y)
    gf = -search.cv_results_["mean_test_gf"]
    r2 = search.cv_results_["mean_test_r2"]
    feasible = np.flatnonzero(gf <= 0.05)
    assert search.best_index_ in feasible
    assert r2[search.best_index_] == r2[feasible].max()
    assert np.all(search.cv_results_["mean_test_gnf"] <= 0)


def test_tradeoff_frame_and_display(diabetes):
    X, y = diabetes
    frame = fidelity_tradeoff(FidelityMTLRegressor(**FAST), X[:300], y[:300], X[300:], y[300:],
                              fidelity_weights=(0.9, 0.1),
                              neighborhood=dict(n_samples=200, random_state=0),
                              neighborhood_points=40)
    assert list(frame.columns) == ["model", "fidelity_weight", "metric", "score", "gf", "r2_fg",
                                   "fit_time", "gnf"]
    joint = frame[frame["model"] == "joint"]
    assert joint["gf"].iloc[0] < joint["gf"].iloc[1]  # GF grows as fidelity_weight falls
    display = FidelityTradeoffDisplay.from_frame(frame)
    assert display.pareto_.any()
    assert len(display.ax_.lines) >= 2


def test_tradeoff_in_parallel_matches_sequential(diabetes):
    X, y = diabetes
    args = (FidelityMTLRegressor(**FAST), X[:200], y[:200], X[200:300], y[200:300])
    sequential = fidelity_tradeoff(*args, fidelity_weights=(0.9, 0.1))
    parallel = fidelity_tradeoff(*args, fidelity_weights=(0.9, 0.1), n_jobs=2)
    columns = ["model", "fidelity_weight", "score", "gf", "r2_fg"]
    pd.testing.assert_frame_equal(sequential[columns], parallel[columns])


def test_fidelity_sees_through_a_pipeline(diabetes):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = diabetes
    pipe = make_pipeline(
        StandardScaler(), FidelityMTLRegressor(fidelity_weight=0.9, **FAST)
    ).fit(X, y)
    Z = pipe[0].transform(X)
    assert global_fidelity(pipe, X) == pytest.approx(global_fidelity(pipe[-1], Z))


def test_metrics_and_selection_work_on_the_additive_surrogate(diabetes):
    from scipy.special import expit
    from sklearn.metrics import r2_score

    X, y = diabetes
    reg = FidelityMTLRegressor(surrogate="additive", fidelity_weight=0.8, **FAST).fit(X, y)
    f, g = reg.predict(X), reg.predict_surrogate(X)
    assert global_fidelity(reg, X) == pytest.approx(np.mean((f - g) ** 2))
    assert fidelity_r2(reg, X) == pytest.approx(r2_score(f, g))
    for explainer in ("lime_batched", "surrogate"):
        assert 0 <= neighborhood_fidelity(reg, X[:20], explainer=explainer, n_samples=200,
                                          random_state=0) < 1
    # classifier: fidelity on the probability of the additive logit surrogate
    Xc, yc = make_classification(300, n_features=5, random_state=1)
    clf = FidelityMTLClassifier(surrogate="additive", **FAST).fit(Xc, yc)
    logits = clf.surrogate_basis_.transform(Xc) @ clf.coef_[0] + clf.intercept_[0]
    expected = np.mean((clf.predict_proba(Xc)[:, 1] - expit(logits)) ** 2)
    assert global_fidelity(clf, Xc) == pytest.approx(expected)
    frame = fidelity_tradeoff(FidelityMTLRegressor(surrogate="additive", **FAST), X[:300],
                              y[:300], X[300:], y[300:], fidelity_weights=(0.9, 0.1))
    joint = frame[frame["model"] == "joint"]
    assert joint["gf"].iloc[0] < joint["gf"].iloc[1]
    assert FidelityTradeoffDisplay.from_frame(frame).pareto_.any()
    search = GridSearchCV(
        FidelityMTLRegressor(surrogate="additive", **FAST), {"fidelity_weight": [0.9, 0.1]},
        scoring={"r2": "r2", "gf": global_fidelity_scorer},
        refit=best_within_fidelity("r2", "gf", epsilon=0.05), cv=2,
    ).fit(X, y)
    assert -search.cv_results_["mean_test_gf"][search.best_index_] <= 0.05
