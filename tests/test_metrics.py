"""Fidelity metrics, scorers, trade-off selection and the trade-off Display.

Pinned: global fidelity and fidelity R^2 against scikit-learn post-hoc fits on
``X_train`` (shifted targets, so the intercept matters) and through a Pipeline
whose scaler is not the identity; the batched local fits against lime on the same
samples and against scikit-learn's weighted Ridge (non-unit feature scales,
several outputs, several batches); the GNF of every explainer against a direct
recomputation from the same random draws; lime's coefficients against an exactly
linear black box; scorers, the constrained refit rule, trade-off rows and the
Pareto front against direct computations and brute force.
"""

from sklearn.datasets import load_diabetes, make_classification
from sklearn.ensemble import RandomForestRegressor
from sklearn.base import clone
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import mean_squared_error, r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale
import matplotlib
import numpy as np
from scipy.special import expit
import pandas as pd
import pytest
import scipy.sparse as sp

from skmtlx import AuxiliaryTargetMTLClassifier, FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx.metrics import (
    black_box_and_surrogate,
    best_within_fidelity,
    fidelity_r2,
    fidelity_tradeoff,
    global_fidelity,
    global_fidelity_scorer,
    local_linear_fits,
    neighborhood_fidelity,
    neighborhood_fidelity_scorer,
    pareto_front,
)
from skmtlx.metrics._neighborhood import _lime_fits, lime_scaler_stats
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


def test_post_hoc_fidelity_is_fitted_on_X_train(diabetes):
    X, y = diabetes
    forest = RandomForestRegressor(n_estimators=10, random_state=0).fit(X, 50 * y + 100)
    X_train, X_test = X[:300], X[300:]
    f = forest.predict(X_test)
    g = LinearRegression().fit(X_train, forest.predict(X_train)).predict(X_test)
    gf = global_fidelity(forest, X_test, X_train=X_train)
    assert gf == pytest.approx(np.mean((g - f) ** 2), rel=1e-10)
    assert gf != pytest.approx(global_fidelity(forest, X_test), rel=1e-3)  # X_train matters
    assert fidelity_r2(forest, X_test, X_train=X_train) == pytest.approx(r2_score(f, g))
    assert r2_score(f, g) != pytest.approx(r2_score(g, f), rel=1e-3)  # the order matters


def test_classifier_fidelity_is_on_probabilities():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = FidelityMTLClassifier(fidelity_weight=0.8, **FAST).fit(X, y)
    f = clf.predict_proba(X)[:, 1]
    g = expit(X @ clf.coef_[0] + clf.intercept_[0])
    assert global_fidelity(clf, X) == pytest.approx(np.mean((g - f) ** 2))
    # Any probabilistic classifier works; a logistic model is close to its own surrogate.
    assert global_fidelity(LogisticRegression().fit(X, y), X) < 0.01


def test_binary_fidelity_space_is_the_positive_class_probability():
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = FidelityMTLClassifier(hidden_layer_sizes=(8,), max_epochs=3, random_state=0).fit(X, y)
    f, g = black_box_and_surrogate(clf, X)
    np.testing.assert_allclose(f, clf.predict_proba(X)[:, 1:])
    np.testing.assert_allclose(g[:, 0], expit(X @ clf.coef_[0] + clf.intercept_[0]))


def _ridge_local_fit(predict, x, noise, scale, kernel_width):
    """lime's local model by scikit-learn: Ridge(alpha=1) on the standardised perturbations,
    weighted by lime's kernel, mapped back to raw units: ``g(z) = b + coef @ z``."""
    weights = np.sqrt(np.exp(-np.sum(noise**2, axis=1) / kernel_width**2))
    ridge = Ridge(alpha=1.0).fit(noise, predict(x + scale * noise), sample_weight=weights)
    coef = ridge.coef_.T / scale[:, None]  # (n_features, n_outputs)
    return coef, ridge.intercept_ - x @ coef


def _two_output_forest(X):
    target = np.column_stack([np.sin(X[:, 0]) + X[:, 1] ** 2, X[:, 2] * X[:, 3]])
    return RandomForestRegressor(n_estimators=5, random_state=0).fit(X, target)


def test_batched_local_fits_equal_weighted_ridge():
    rng = np.random.RandomState(0)
    X = rng.randn(50, 4) * [0.5, 2.0, 3.0, 1.0] + [0.0, 1.0, -2.0, 5.0]
    forest = _two_output_forest(X)
    noise = rng.standard_normal((200, 4))
    noise[0] = 0.0
    _, scale = lime_scaler_stats(X)
    assert np.ptp(scale) > 1  # non-unit, unequal scales
    coef, intercept = local_linear_fits(forest.predict, X[:5], noise, scale, kernel_width=1.5,
                                        batch_size=2)
    for i in range(5):
        expected_coef, expected_intercept = _ridge_local_fit(forest.predict, X[i], noise, scale,
                                                             1.5)
        np.testing.assert_allclose(coef[i], expected_coef, rtol=1e-7, atol=1e-10)
        np.testing.assert_allclose(intercept[i], expected_intercept, rtol=1e-7, atol=1e-10)


def test_neighbourhood_of_a_row_is_predicted_under_its_own_task():
    # stacked task layout: the rows drawn around a point keep its task
    from skmtlx.task_graph import SparseTaskGraphMLP

    rng = np.random.RandomState(0)
    tasks = np.repeat(["a", "b", "c"], 40)
    X = rng.uniform(-2, 2, (120, 2))
    y = np.where(tasks == "b", np.sin(2 * X[:, 0]), X[:, 0] ** 2) + X[:, 1]
    model = SparseTaskGraphMLP(hidden_layer_sizes=(8,), max_epochs=10, batch_size=40,
                               n_resamples=0, random_state=0).fit(X, y, tasks=tasks)
    points = [0, 45, 90, 1, 46]  # tasks a, b, c, a, b: interleaved
    gnf, nf = neighborhood_fidelity(
        model, X[points], explainer="surrogate", n_neighbors=1, sigma=0.0,
        return_pointwise=True, predict_params={"tasks": tasks[points]})
    # sigma 0: the neighbour is the point, NF(x) = (g_t(x) - f_t(x))^2
    by_hand = (model.predict_surrogate(X[points], tasks=tasks[points])
               - model.predict(X[points], tasks=tasks[points])) ** 2
    assert by_hand.min() > 1e-6  # the tasks' surrogates and networks differ
    np.testing.assert_allclose(nf, by_hand, rtol=1e-10, atol=1e-14)
    assert gnf == pytest.approx(by_hand.mean())
    lime_gnf = neighborhood_fidelity(model, X[points], n_samples=200, random_state=0,
                                     predict_params={"tasks": tasks[points]})
    assert np.isfinite(lime_gnf) and lime_gnf > 0


def test_batched_gnf_equals_a_recomputation_from_the_same_draws():
    rng = np.random.RandomState(1)
    X = rng.randn(60, 4) * [0.5, 2.0, 3.0, 1.0]
    forest = _two_output_forest(X)
    points, n_neighbors, sigma, n_samples = X[:6], 5, 0.4, 150
    gnf = neighborhood_fidelity(forest, points, n_neighbors=n_neighbors, sigma=sigma,
                                n_samples=n_samples, training_data=X, random_state=7)
    draws = np.random.RandomState(7)
    neighbours = points[:, None, :] + sigma * draws.standard_normal((6, n_neighbors, 4))
    noise = np.random.default_rng(draws.randint(np.iinfo(np.int32).max)).standard_normal(
        (n_samples, 4))
    noise[0] = 0.0  # lime's first sample is the instance itself
    _, scale = lime_scaler_stats(X)
    errors = []
    for x, near in zip(points, neighbours):
        coef, intercept = _ridge_local_fit(forest.predict, x, noise, scale, 0.75 * np.sqrt(4))
        errors.append(np.mean((near @ coef + intercept - forest.predict(near)) ** 2))
    assert gnf == pytest.approx(np.mean(errors), rel=1e-7)


def test_lime_fits_recover_a_linear_black_box_in_raw_units():
    rng = np.random.RandomState(0)
    X = rng.randn(100, 3) * [0.2, 3.0, 10.0] + [1.0, -4.0, 20.0]
    W, c = np.array([[1.0, -0.5], [2.0, 0.3], [-0.1, 0.05]]), np.array([3.0, -1.0])
    coef, intercept = _lime_fits(lambda Z: Z @ W + c, X[:2], X, n_samples=2000,
                                 kernel_width=0.75 * np.sqrt(3), seed=0)
    for i in range(2):
        np.testing.assert_allclose(coef[i], W, rtol=2e-2)
        np.testing.assert_allclose(intercept[i], c, atol=2e-2 * np.abs(X[i] @ W).max())


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
    surrogate_gnf = neighborhood_fidelity(joint, X[:30], explainer="surrogate", sigma=0.3,
                                          random_state=3)
    neighbours = (X[:30, None, :] + 0.3 * np.random.RandomState(3).standard_normal(
        (30, 10, X.shape[1]))).reshape(-1, X.shape[1])
    expected = np.mean((joint.predict_surrogate(neighbours) - joint.predict(neighbours)) ** 2)
    assert surrogate_gnf == pytest.approx(expected, rel=1e-10)
    with pytest.raises(ValueError, match="'explainer' parameter"):
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


def test_scorers_are_the_negated_metrics_with_their_settings(diabetes, joint_and_post_hoc):
    X, _ = diabetes
    joint = joint_and_post_hoc[0]
    assert global_fidelity_scorer(joint, X) == -global_fidelity(joint, X) < 0
    settings = dict(n_samples=100, sigma=0.3, random_state=0)
    scorer = neighborhood_fidelity_scorer(**settings)
    assert scorer(joint, X[:10]) == -neighborhood_fidelity(joint, X[:10], **settings)


def _best_within_by_loops(score, gf, epsilon):
    feasible = [c for c in range(len(score)) if gf[c] <= epsilon]
    if not feasible:
        return min(range(len(gf)), key=lambda c: gf[c])
    return max(feasible, key=lambda c: score[c])


def test_best_within_fidelity_rule():
    score, gf = [0.9, 0.85, 0.8, 0.7], [0.3, 0.1, 0.05, 0.2]
    results = {"mean_test_r2": score, "mean_test_gf": [-v for v in gf]}
    # 0.1: a candidate exactly at epsilon is feasible; 0.01: nothing is
    for epsilon in (0.1, 0.01, 0.25):
        chosen = best_within_fidelity("r2", "gf", epsilon)(results)
        assert chosen == _best_within_by_loops(score, gf, epsilon)
    assert best_within_fidelity("r2", "gf", 0.1)(results) == 1


def _front_by_loops(score, gf):
    return np.array([
        not any(score[j] >= score[i] and gf[j] <= gf[i] and (score[j] > score[i] or gf[j] < gf[i])
                for j in range(len(score)))
        for i in range(len(score))
    ])


def test_pareto_front_against_brute_force():
    frame = pd.DataFrame({"score": [1.0, 1.0, 2.0, 0.5, 2.0], "gf": [0.1, 0.2, 0.3, 0.05, 0.3]})
    score, gf = frame["score"].to_numpy(), frame["gf"].to_numpy()
    front = pareto_front(frame, greater_is_better=True)
    np.testing.assert_array_equal(front, _front_by_loops(score, gf))
    assert not front[1]  # dominated through a tie on the score
    lower = pareto_front(frame, greater_is_better=False)
    np.testing.assert_array_equal(lower, _front_by_loops(-score, gf))
    assert not np.array_equal(lower, front)


def test_tradeoff_rows_are_the_metrics_of_each_setting(diabetes):
    X, y = diabetes
    X = X * [1.0, 2.0, 3.0, 4.0, 5.0, 1.0, 2.0, 3.0, 4.0, 5.0] + 1.0
    X_train, y_train, X_test, y_test = X[:300], y[:300], X[300:], y[300:]
    est = FidelityMTLRegressor(hidden_layer_sizes=(8,), max_epochs=5, lr=0.01, random_state=0)
    neighborhood = dict(n_samples=100, random_state=0)
    frame = fidelity_tradeoff(est, X_train, y_train, X_test, y_test, fidelity_weights=(0.3,),
                              post_hoc=False, neighborhood=neighborhood, neighborhood_points=20)
    model = clone(est).set_params(fidelity_weight=0.3).fit(X_train, y_train)
    rows = np.random.RandomState(0).choice(len(X_test), 20, replace=False)
    row = frame.iloc[0]
    assert row["model"] == "joint" and row["fidelity_weight"] == 0.3 and row["metric"] == "mse"
    assert row["score"] == pytest.approx(mean_squared_error(y_test, model.predict(X_test)))
    assert row["gf"] == pytest.approx(global_fidelity(model, X_test))
    assert row["r2_fg"] == pytest.approx(fidelity_r2(model, X_test))
    gnf = neighborhood_fidelity(model, X_test[rows], training_data=X_train, **neighborhood)
    assert row["gnf"] == pytest.approx(gnf)
    # preconditions: the training rows and the drawn points both change the GNF
    assert gnf != pytest.approx(neighborhood_fidelity(model, X_test[rows], **neighborhood))
    assert gnf != pytest.approx(
        neighborhood_fidelity(model, X_test, training_data=X_train, **neighborhood))


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


def test_tradeoff_of_a_pipeline_sets_the_weights_of_its_last_step(diabetes):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = diabetes
    X = 10 * X + 3  # the scaler is not the identity
    pipe = make_pipeline(StandardScaler(), FidelityMTLRegressor(**FAST))
    frame = fidelity_tradeoff(pipe, X[:300], y[:300], X[300:], y[300:],
                              fidelity_weights=(0.9, 0.1))
    scaler = StandardScaler().fit(X[:300])
    expected = fidelity_tradeoff(FidelityMTLRegressor(**FAST), scaler.transform(X[:300]),
                                 y[:300], scaler.transform(X[300:]), y[300:],
                                 fidelity_weights=(0.9, 0.1))
    columns = ["model", "fidelity_weight", "score", "gf", "r2_fg"]
    pd.testing.assert_frame_equal(frame[columns], expected[columns])
    assert frame["gf"].nunique() == 3  # the three settings really differ


def test_fidelity_sees_through_a_pipeline(diabetes):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = diabetes
    X = 10 * X + 3  # the scaler is not the identity
    pipe = make_pipeline(StandardScaler(),
                         FidelityMTLRegressor(fidelity_weight=0.9, **FAST)).fit(X, y)
    Z = pipe[0].transform(X)
    assert not np.allclose(Z, X)
    f, g = pipe.predict(X), pipe[-1].predict_surrogate(Z)
    assert global_fidelity(pipe, X) == pytest.approx(np.mean((g - f) ** 2), rel=1e-10)


def test_best_within_fidelity_never_picks_a_nan_candidate():
    refit = best_within_fidelity("acc", "gf", epsilon=0.01)
    # the NaN score (a failed fit) would be the argmax of a NaN-unaware rule
    results = {"mean_test_acc": [np.nan, 0.8, 0.85, 0.95],
               "mean_test_gf": [-0.001, -0.001, -0.008, np.nan]}
    assert refit(results) == 2
    # no feasible candidate: the most faithful non-NaN one, not the NaN fidelity
    results = {"mean_test_acc": [0.9, np.nan, 0.7], "mean_test_gf": [-0.5, -0.02, -0.3]}
    assert refit(results) == 2
    with pytest.raises(ValueError, match="NaN mean_test_acc.*error_score='raise'"):
        refit({"mean_test_acc": [np.nan, 0.5], "mean_test_gf": [-0.1, np.nan]})


def test_pareto_front_excludes_nan_rows():
    from skmtlx.metrics import pareto_front

    frame = pd.DataFrame({"score": [0.9, np.nan, 0.7, 0.95, 0.8],
                          "gf": [0.02, 0.0, 0.001, np.nan, 0.03]})
    # brute force over the finite rows only: row 4 is dominated by row 0
    assert pareto_front(frame, greater_is_better=True).tolist() == [
        True, False, True, False, False]
    assert pareto_front(frame, greater_is_better=False).tolist() == [
        False, False, True, False, False]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_samples": 0}, "'n_samples' parameter"),
        ({"n_samples": 1}, "'n_samples' parameter"),
        ({"n_neighbors": 0}, "'n_neighbors' parameter"),
        ({"batch_size": 0}, "'batch_size' parameter"),
        ({"kernel_width": 0}, "'kernel_width' parameter"),
        ({"kernel_width": -1.0}, "'kernel_width' parameter"),
        ({"sigma": -0.1}, "'sigma' parameter"),
        ({"explainer": "shap"}, "'explainer' parameter"),
    ],
)
def test_neighborhood_fidelity_rejects_bad_arguments(diabetes, kwargs, match):
    X, y = diabetes
    ridge = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match=match):
        neighborhood_fidelity(ridge, X[:5], **kwargs)


def test_fidelity_scorers_work_uncalled_and_configured(diabetes):
    X, y = diabetes
    forest = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X, y)
    np.random.seed(0)  # random_state=None draws from numpy's global generator
    expected = -neighborhood_fidelity(forest, X[:30])
    np.random.seed(0)
    assert neighborhood_fidelity_scorer(forest, X[:30], y[:30]) == expected
    configured = neighborhood_fidelity_scorer(n_samples=300, random_state=1)
    assert configured(forest, X[:30], y[:30]) == -neighborhood_fidelity(
        forest, X[:30], n_samples=300, random_state=1)
    assert global_fidelity_scorer(forest, X[:30]) == -global_fidelity(forest, X[:30])
    with_train = global_fidelity_scorer(X_train=X)
    assert with_train(forest, X[:30], y[:30]) == -global_fidelity(forest, X[:30], X_train=X)
    search = GridSearchCV(
        LinearRegression(), {"fit_intercept": [True, False]}, cv=2, refit=False,
        scoring={"gf": global_fidelity_scorer, "gnf": neighborhood_fidelity_scorer},
    ).fit(X, y)
    # a linear model is its own local and global surrogate
    assert np.abs(search.cv_results_["mean_test_gnf"]).max() < 1e-6


def test_neighborhood_fidelity_of_a_pipeline_with_categorical_columns():
    import warnings

    from sklearn.compose import make_column_transformer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(80), "b": rng.randn(80),
                          "c": rng.choice(["x", "y", "z"], 80)})
    y = frame["a"] - 2 * frame["b"] + (frame["c"] == "x") + 0.1 * rng.randn(80)
    encode = make_column_transformer((OneHotEncoder(), ["c"]), remainder="passthrough")
    pipe = make_pipeline(encode, FidelityMTLRegressor(fidelity_weight=0.5, **FAST)).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gnf = neighborhood_fidelity(pipe, frame, n_samples=200, random_state=0)
        score = neighborhood_fidelity_scorer(n_samples=200, random_state=0)(pipe, frame, y)
    # the neighbourhoods live in the last step's input space
    expected = neighborhood_fidelity(pipe[-1], pipe[0].transform(frame), n_samples=200,
                                     random_state=0)
    assert np.isfinite(gnf) and gnf == pytest.approx(expected) and score == -gnf


def test_neighborhood_fidelity_does_not_warn_about_feature_names(diabetes):
    import warnings

    X, y = diabetes
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    forest = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gnf = neighborhood_fidelity(forest, frame[:20], n_samples=100, random_state=0)
    # the same figure from the array (to rounding: numpy may sum the two layouts apart)
    assert gnf == pytest.approx(neighborhood_fidelity(forest, X[:20], n_samples=100,
                                                      random_state=0, training_data=X[:20]),
                                rel=1e-12)


def test_neighborhood_fidelity_progress_bar_only_when_verbose(diabetes, capfd):
    X, y = diabetes
    ridge = LinearRegression().fit(X, y)
    quiet = neighborhood_fidelity(ridge, X[:64], n_samples=300, random_state=0)
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    shown = neighborhood_fidelity(ridge, X[:64], n_samples=300, random_state=0, verbose=1)
    out, err = capfd.readouterr()
    assert "local linear fits" in err and "/64 [" in err
    assert shown == quiet


def test_neighbourhood_fidelity_and_scorer_use_predict_surrogate():
    """Any estimator with predict_surrogate: the "surrogate" explainer compares
    predict_proba with predict_surrogate_proba on the Gaussian neighbours, per output."""
    X, y = make_classification(n_samples=200, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=3, random_state=0)
    X = scale(X)
    clf = AuxiliaryTargetMTLClassifier(missing_aux="main_only", hidden_layer_sizes=(16,),
                                       max_epochs=20, lr=0.01, random_state=0).fit(X, y)
    gnf = neighborhood_fidelity(clf, X[:15], explainer="surrogate", n_neighbors=5,
                                sigma=0.3, random_state=0)
    rng = np.random.RandomState(0)
    points = (X[:15, None, :] + 0.3 * rng.standard_normal((15, 5, 4))).reshape(-1, 4)
    by_hand = np.mean((clf.predict_surrogate_proba(points) - clf.predict_proba(points)) ** 2)
    assert gnf == pytest.approx(by_hand, rel=1e-10)
    gf = np.mean((clf.predict_surrogate_proba(X) - clf.predict_proba(X)) ** 2, axis=0)
    np.testing.assert_allclose(global_fidelity(clf, X, multioutput="raw_values"), gf)
    assert global_fidelity_scorer(clf, X, y) == pytest.approx(-gf.mean())


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


def test_fidelity_metrics_take_sparse_X_as_its_dense_copy(diabetes, joint_and_post_hoc):
    X, y = diabetes
    X = np.where(np.abs(X) < 0.5, 0.0, X) * np.arange(1.0, 11.0)  # unequal columns
    X_train, X_test = X[:300], X[300:360]
    joint = joint_and_post_hoc[0]
    forest = RandomForestRegressor(n_estimators=5, max_depth=3, random_state=0).fit(X_train,
                                                                                    y[:300])
    neighborhood = dict(n_samples=100, random_state=0)
    for layout in (sp.csr_matrix, sp.csc_array):
        S_train, S_test = layout(X_train), layout(X_test)
        assert global_fidelity(joint, S_test) == global_fidelity(joint, X_test)
        assert fidelity_r2(joint, S_test) == fidelity_r2(joint, X_test)
        # the post-hoc surrogate of a scikit-learn model is fitted on the sparse X_train
        np.testing.assert_array_equal(
            black_box_and_surrogate(forest, S_test, X_train=S_train),
            black_box_and_surrogate(forest, X_test, X_train=X_train))
        for model in (joint, forest):
            assert neighborhood_fidelity(model, S_test, training_data=S_train,
                                         **neighborhood) == pytest.approx(
                neighborhood_fidelity(model, X_test, training_data=X_train, **neighborhood),
                rel=1e-12)
        assert global_fidelity_scorer(joint, S_test, None) == -global_fidelity(joint, X_test)
    # a refit per setting on sparse rows; GNF on rows drawn out of the sparse test set
    est = FidelityMTLRegressor(hidden_layer_sizes=(8,), max_epochs=5, lr=0.01, random_state=0)
    settings = dict(fidelity_weights=(0.3,), post_hoc=False, neighborhood=neighborhood,
                    neighborhood_points=20)
    sparse = fidelity_tradeoff(est, sp.csr_matrix(X_train), y[:300], sp.csr_matrix(X_test),
                               y[300:360], **settings)
    dense = fidelity_tradeoff(est, X_train, y[:300], X_test, y[300:360], **settings)
    columns = ["score", "gf", "r2_fg", "gnf"]
    np.testing.assert_allclose(sparse[columns], dense[columns], rtol=1e-12)


def test_fidelity_metrics_of_a_pipeline_with_a_sparse_one_hot_step():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"c": rng.choice(["x", "y", "z"], 80),
                          "d": rng.choice(["p", "q", "r", "s"], 80)})
    y = (2.0 * (frame["c"] == "x") - (frame["d"] == "q") + 0.1 * rng.randn(80)).to_numpy()
    pipe = make_pipeline(OneHotEncoder(), FidelityMTLRegressor(fidelity_weight=0.5, **FAST))
    pipe.fit(frame, y)
    Xt = pipe[0].transform(frame)
    assert sp.issparse(Xt)  # precondition: the last step sees CSR rows
    dense = Xt.toarray()
    assert global_fidelity(pipe, frame) == global_fidelity(pipe[-1], dense)
    gnf = neighborhood_fidelity(pipe, frame, n_samples=200, random_state=0)
    assert gnf > 0
    assert gnf == pytest.approx(neighborhood_fidelity(pipe[-1], dense, n_samples=200,
                                                      random_state=0), rel=1e-12)
