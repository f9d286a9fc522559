"""Behaviour of FidelityMTLRegressor and FidelityMTLClassifier.

Pinned: the joint loss against its closed form at an asymmetric alpha (each
prediction loss and link, numpy/scipy), the history's weighted sum, the logit
fidelity space through the trained criterion, the least-squares start of the
regressor's surrogate (scikit-learn's LinearRegression) and the classifier's
logistic start (LogisticRegression), the post-hoc surrogates against
scikit-learn fits on the black box's outputs, explanations against
``coef * (x - training mean)`` on skewed inputs (mean != median), and the
explanation object's frames, importances and plots against numpy.
"""

import pickle
import warnings

from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch
from scipy.special import expit, log_softmax, softmax
from sklearn.linear_model import LinearRegression, LogisticRegression

from skmtlx import Explanation, FidelityMTLClassifier, FidelityMTLRegressor
from skmtlx._surrogate import FidelityCriterion, PredictionLoss, fit_logistic_on_labels
from skmtlx._torch._embeddings import (
    PeriodicEmbedding,
    PiecewiseLinearEncoding,
    make_numerical_embedding,
    quantile_bin_edges,
)


matplotlib.use("Agg")

FAST = dict(hidden_layer_sizes=(32,), max_epochs=40, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def global_fidelity(est, X):
    return np.mean((est.predict(X) - est.predict_surrogate(X)) ** 2)


def test_joint_training_is_more_faithful_than_post_hoc(diabetes):
    X, y = diabetes
    joint = FidelityMTLRegressor(fidelity_weight=0.9, **FAST).fit(X, y)
    post_hoc = FidelityMTLRegressor(surrogate_fit="post_hoc", **FAST).fit(X, y)
    assert global_fidelity(joint, X) < 0.5 * global_fidelity(post_hoc, X)
    # The joint black box still predicts: R^2 well above zero.
    assert joint.score(X, y) > 0.3


def test_fidelity_improves_with_larger_fidelity_weight(diabetes):
    X, y = diabetes
    gf = [
        global_fidelity(FidelityMTLRegressor(fidelity_weight=w, **FAST).fit(X, y), X)
        for w in (0.9, 0.1)
    ]
    assert gf[0] < gf[1]


def test_surrogate_carries_the_coefficients(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    assert reg.coef_.shape == (X.shape[1],)
    np.testing.assert_allclose(reg.predict_surrogate(X), X @ reg.coef_ + reg.intercept_)
    # g is the trained linear head, mapped back to target units.
    with torch.no_grad():
        _, g_raw = reg.net_.module_(torch.as_tensor(X, dtype=torch.float32))
    g_raw = g_raw.numpy()
    np.testing.assert_allclose(
        reg.predict_surrogate(X), g_raw[:, 0] * reg.y_scale_[0] + reg.y_mean_[0], rtol=1e-5
    )


def test_history_records_prediction_loss_and_fidelity(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(fidelity_weight=0.8, **FAST).fit(X, y)
    assert reg.n_iter_ == len(reg.history_)
    row = reg.history_[-1]
    for key in ("train_loss", "train_prediction_loss", "train_fidelity", "valid_loss",
                "valid_fidelity"):
        assert np.isfinite(row[key])
    # (1 - fidelity_weight) * prediction + fidelity_weight * fidelity (epoch means of batch means).
    expected = 0.2 * row["train_prediction_loss"] + 0.8 * row["train_fidelity"]
    assert row["train_loss"] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("prediction_loss, link", [
    ("squared_error", "identity"), ("log_cosh", "identity"),
    ("binary_log_loss", "sigmoid"), ("multiclass_log_loss", "softmax"),
])
def test_fidelity_loss_closed_form_at_asymmetric_alpha(prediction_loss, link):
    rng = np.random.RandomState(0)
    f, g = rng.randn(8, 3), rng.randn(8, 3)
    if prediction_loss == "multiclass_log_loss":
        y = rng.randint(3, size=8)
        expected_pred = -np.mean(log_softmax(f, axis=1)[np.arange(8), y])
        y_t = torch.as_tensor(y)
    else:
        y = rng.randint(2, size=(8, 3)).astype(float) if link == "sigmoid" else rng.randn(8, 3)
        y_t = torch.as_tensor(y)
        expected_pred = {
            "squared_error": lambda: np.mean((f - y) ** 2),
            "log_cosh": lambda: np.mean(np.log(np.cosh(f - y))),
            "binary_log_loss": lambda: -np.mean(y * np.log(expit(f))
                                                + (1 - y) * np.log(1 - expit(f))),
        }[prediction_loss]()
    mapped = {"identity": lambda a: a, "sigmoid": expit,
              "softmax": lambda a: softmax(a, axis=1)}[link]
    expected_fid = np.mean((mapped(g) - mapped(f)) ** 2)
    criterion = FidelityCriterion(PredictionLoss(prediction_loss), 0.7, [link], multi_head=False)
    out = criterion((torch.as_tensor(f), torch.as_tensor(g)), y_t)
    assert float(out["prediction_loss"]) == pytest.approx(expected_pred, rel=1e-9)
    assert float(out["fidelity"]) == pytest.approx(expected_fid, rel=1e-9)
    assert float(out["loss"]) == pytest.approx(0.3 * expected_pred + 0.7 * expected_fid, rel=1e-9)
    # post hoc: the prediction loss alone
    alone = PredictionLoss(prediction_loss)(torch.as_tensor(f), y_t)
    assert float(alone["loss"]) == pytest.approx(expected_pred, rel=1e-9)
    assert "fidelity" not in alone


def test_history_weights_the_terms_by_alpha(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(fidelity_weight=0.7, hidden_layer_sizes=(8,), max_epochs=3,
                               random_state=0).fit(X, y)
    for row in reg.history_:
        expected = 0.3 * row["train_prediction_loss"] + 0.7 * row["train_fidelity"]
        assert row["train_loss"] == pytest.approx(expected, rel=1e-5)


def test_post_hoc_regressor_trains_f_alone_and_fits_g_to_f(diabetes, ridge_refit):
    X, y = diabetes
    kwargs = dict(FAST, max_epochs=5, surrogate_fit="post_hoc")
    low = FidelityMTLRegressor(fidelity_weight=0.8, **kwargs).fit(X, y)
    high = FidelityMTLRegressor(fidelity_weight=0.2, **kwargs).fit(X, y)
    # the weight weighs the fidelity term only: without it, f does not depend on it
    np.testing.assert_array_equal(low.predict(X), high.predict(X))
    assert "train_fidelity" not in low.history_[-1]
    assert low.history_[-1]["train_loss"] == low.history_[-1]["train_prediction_loss"]
    coef, intercept = ridge_refit(X, low.predict(X))
    np.testing.assert_allclose(low.coef_, coef[0], rtol=1e-6, atol=1e-10)
    assert low.intercept_ == pytest.approx(intercept[0], rel=1e-8)


def test_surrogate_starts_from_least_squares(diabetes):
    X, y = diabetes
    X = X + 5.0  # not centred: the start's intercept must account for the input mean
    reg = FidelityMTLRegressor(hidden_layer_sizes=(4,), max_epochs=1, lr=1e-9,
                               early_stopping=False, random_state=0).fit(X, y)
    expected = LinearRegression().fit(X, y)
    np.testing.assert_allclose(reg.coef_, expected.coef_, rtol=1e-3)
    assert reg.intercept_ == pytest.approx(expected.intercept_, rel=1e-4)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_surrogate_starts_from_the_logistic_fit(n_classes):
    # unequal classes (the rarest 10%) and inputs off centre: the start carries the
    # class frequencies in its intercepts
    # and scales: the fit reads the features standardised
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 4)) * [1.0, 20.0, 0.1, 1.0] + 3.0
    score = X @ [1.0, -0.05, 5.0, 0.0] + rng.normal(size=300)
    y = np.digitize(score, np.quantile(score, [0.9, 0.97][:n_classes - 1]))
    clf = FidelityMTLClassifier(hidden_layer_sizes=(4,), max_epochs=1, lr=1e-9,
                                early_stopping=False, random_state=0).fit(X, y)
    expected = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(
        X, y).predict_proba(X)
    np.testing.assert_allclose(clf.predict_surrogate_proba(X), expected, atol=1e-4)


def test_logistic_start_on_unscaled_inputs_stays_silent():
    # lbfgs stops before converging on breast cancer's raw scales (0.001 to 4,000);
    # the start need not converge
    X, y = load_breast_cancer(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = FidelityMTLClassifier(hidden_layer_sizes=(4,), max_epochs=1,
                                    random_state=0).fit(X, y)
    assert np.all(np.isfinite(clf.coef_))


def test_constant_target_column_is_not_rescaled(diabetes):
    X, y = diabetes
    Y = np.column_stack([y, np.full(len(y), 3.0)])
    reg = FidelityMTLRegressor(hidden_layer_sizes=(8,), max_epochs=5, random_state=0).fit(X, Y)
    np.testing.assert_allclose(reg.y_mean_, [y.mean(), 3.0])
    np.testing.assert_allclose(reg.y_scale_, [y.std(), 1.0])
    pred = reg.predict(X)
    assert np.all(np.isfinite(pred)) and np.all(np.isfinite(reg.coef_))


@pytest.fixture(scope="module")
def skewed_fit():
    rng = np.random.RandomState(0)
    X = np.exp(rng.randn(200, 4))  # log-normal: mean and median differ
    Y = np.column_stack([X @ [1.0, -2.0, 0.5, 0.0], X[:, 0] - X[:, 3]]) + 0.1 * rng.randn(200, 2)
    reg = FidelityMTLRegressor(fidelity_weight=0.7, hidden_layer_sizes=(8,), max_epochs=5,
                               random_state=0).fit(X, Y)
    return X, reg


def test_explanation_is_coef_times_distance_to_the_training_mean(skewed_fit):
    X, reg = skewed_fit
    rows = X[:7]
    explanation = reg.explain(rows)
    mean = X.mean(axis=0)
    assert np.all(np.abs(np.median(X, axis=0) - mean) > 0.1)  # the reference matters
    np.testing.assert_allclose(reg.training_mean_, mean)
    for o in range(2):
        np.testing.assert_allclose(explanation.values[:, :, o], reg.coef_[o] * (rows - mean))
        assert explanation.base_values[o] == pytest.approx(reg.intercept_[o] + reg.coef_[o] @ mean)
    # the base value is the surrogate at the training mean
    np.testing.assert_allclose(explanation.base_values, reg.predict_surrogate(mean[None])[0])


def test_linear_shape_functions_are_coef_times_distance_to_the_training_mean(skewed_fit):
    X, reg = skewed_fit
    shapes = reg.shape_functions(X, grid_resolution=5)
    mean = X.mean(axis=0)
    for o, output in enumerate(["y0", "y1"]):
        for j in range(X.shape[1]):
            rows = shapes[(shapes["feature"] == f"x{j}") & (shapes["output"] == output)]
            assert len(rows) == 5
            np.testing.assert_allclose(rows["contribution"],
                                       reg.coef_[o, j] * (rows["value"] - mean[j]), atol=1e-10)


def test_multioutput_regression_shapes(diabetes):
    X, y = diabetes
    Y = np.column_stack([y, -2 * y + 5])
    reg = FidelityMTLRegressor(**FAST).fit(X, Y)
    assert reg.predict(X).shape == (len(X), 2)
    assert reg.coef_.shape == (2, X.shape[1])
    assert reg.explain(X[:3]).values.shape == (3, X.shape[1], 2)


def test_explanation_adds_up_to_the_surrogate(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    explanation = reg.explain(X[:5])
    assert isinstance(explanation, Explanation)
    total = explanation.base_values[0] + explanation.values[:, :, 0].sum(axis=1)
    np.testing.assert_allclose(total, reg.predict_surrogate(X[:5]))
    assert explanation.to_frame().shape == (5, X.shape[1])
    top = explanation.global_importances()
    assert top.iloc[0] == top.max()
    for kind in ("bar", "waterfall", "beeswarm"):
        display = explanation.plot(kind, max_display=4)
        assert display.ax_.has_data() and display.figure_ is display.ax_.figure


def _hand_explanation():
    rng = np.random.RandomState(0)
    values = rng.randn(4, 6, 2)  # signed attributions, two outputs
    return Explanation(values, np.array([0.5, -1.0]), rng.randn(4, 6),
                       [f"f{j}" for j in range(6)], ["a", "b"])


def test_explanation_frames_and_importances_of_the_chosen_output():
    exp = _hand_explanation()
    frame = exp.to_frame(output="b")
    np.testing.assert_array_equal(frame.to_numpy(), exp.values[:, :, 1])
    importances = exp.global_importances(output="b")
    expected = pd.Series(np.abs(exp.values[:, :, 1]).mean(axis=0), index=exp.feature_names)
    pd.testing.assert_series_equal(importances, expected.sort_values(ascending=False),
                                   check_names=False)
    with pytest.raises(ValueError, match="several outputs"):
        exp.to_frame()


def test_explanation_plots_draw_the_numbers():
    exp = _hand_explanation()
    _, ax = plt.subplots()
    exp.plot("bar", output="b", max_display=3, ax=ax)
    top = exp.global_importances(output="b").iloc[:3]
    np.testing.assert_allclose(sorted(p.get_width() for p in ax.patches), sorted(top.values))
    _, ax = plt.subplots()
    exp.plot("waterfall", index=2, output="b", max_display=3, ax=ax)
    row = exp.values[2, :, 1]
    order = np.argsort(-np.abs(row), kind="stable")
    shown = np.append(row[order[:3]], row[order[3:]].sum())  # the rest in one signed bar
    np.testing.assert_allclose([p.get_width() for p in ax.patches], shown)
    lefts = -1.0 + np.concatenate([[0.0], np.cumsum(shown)[:-1]])
    np.testing.assert_allclose([p.get_x() for p in ax.patches], lefts)
    plt.close("all")


def test_explanation_uses_dataframe_feature_names():
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    frame = reg.explain(X.iloc[:2]).to_frame()
    assert list(frame.columns) == list(X.columns)


def test_binary_classifier_string_labels_and_surrogate():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    labels = np.where(y == 1, "yes", "no")
    clf = FidelityMTLClassifier(fidelity_weight=0.8, **FAST).fit(X, labels)
    assert set(clf.predict(X)) <= {"yes", "no"}
    assert clf.score(X, labels) > 0.8
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.coef_.shape == (1, 6)
    # Fidelity on probabilities is small at a large fidelity weight.
    g_proba = expit(X @ clf.coef_[0] + clf.intercept_[0])
    np.testing.assert_allclose(clf.predict_surrogate_proba(X)[:, 1], g_proba)
    assert np.mean((g_proba - proba[:, 1]) ** 2) < 0.01
    explanation = clf.explain(X[:4])
    assert list(explanation.output_names) == ["yes"]
    logits = explanation.base_values[0] + explanation.values[:, :, 0].sum(axis=1)
    np.testing.assert_allclose(logits, X[:4] @ clf.coef_[0] + clf.intercept_[0])


@pytest.mark.parametrize("fidelity_space", ["logit", "proba"])
def test_classifier_fidelity_space_of_the_trained_objective(fidelity_space):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = FidelityMTLClassifier(fidelity_weight=0.7, fidelity_space=fidelity_space,
                                hidden_layer_sizes=(8,),
                                max_epochs=3, random_state=0).fit(X, y)
    f = np.log(clf.predict_proba(X)[:, 1:] / clf.predict_proba(X)[:, :1])
    g = X @ clf.coef_.T + clf.intercept_
    terms = clf.net_.criterion_(
        (torch.as_tensor(f, dtype=torch.float32), torch.as_tensor(g, dtype=torch.float32)),
        torch.as_tensor(y[:, None], dtype=torch.float32),
    )
    space = (lambda a: a) if fidelity_space == "logit" else expit
    assert float(terms["fidelity"]) == pytest.approx(np.mean((space(g) - space(f)) ** 2),
                                                     rel=1e-4)


def test_post_hoc_classifier_surrogate_is_fit_on_black_box_labels():
    X, y = make_classification(n_samples=300, n_features=6, flip_y=0.2, random_state=1)
    X = X * [1.0, 100.0, 0.01, 1.0, 5.0, 1.0] + 3.0  # the penalty reads standardised features
    clf = FidelityMTLClassifier(surrogate_fit="post_hoc", hidden_layer_sizes=(8,), max_epochs=5,
                                random_state=0).fit(X, y)
    predicted = clf.predict(X)
    assert (predicted != y).any()  # f's labels are not the targets
    scaler = StandardScaler().fit(X)
    expected = LogisticRegression(max_iter=1000).fit(scaler.transform(X), predicted)
    coef = expected.coef_ / scaler.scale_  # reported in the features' units
    np.testing.assert_allclose(clf.coef_, coef, rtol=1e-5)
    np.testing.assert_allclose(clf.intercept_, expected.intercept_ - coef @ scaler.mean_,
                               rtol=1e-5)


def test_logistic_fit_on_labels_with_missing_classes():
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    labels = np.where(X[:, 0] > 0, 2, 0)  # class 1 of 3 never predicted
    coef, intercept = fit_logistic_on_labels(X, labels, 3)
    model = LogisticRegression(max_iter=1000).fit(X, labels)
    logits = X @ coef.T + intercept
    np.testing.assert_array_equal(np.argmax(logits, axis=1), model.predict(X))
    np.testing.assert_allclose(logits[:, 2] - logits[:, 0], model.decision_function(X))
    # a single predicted class gives a constant surrogate predicting it
    for only in (0, 1):
        coef, intercept = fit_logistic_on_labels(X, np.full(60, only), 2)
        assert np.all(coef == 0) and round(float(expit(intercept[0]))) == only
    coef, intercept = fit_logistic_on_labels(X, np.full(60, 2), 3)
    assert np.argmax(intercept) == 2


@pytest.mark.parametrize("surrogate_fit", ["joint", "post_hoc"])
def test_multiclass_classifier(surrogate_fit):
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    clf = FidelityMTLClassifier(surrogate_fit=surrogate_fit, **FAST).fit(X, y)
    assert clf.coef_.shape == (3, 4)
    assert clf.score(X, y) > 0.85
    assert (clf.predict_surrogate(X) == y).mean() > 0.7


def test_pipeline_with_column_transformer_and_grid_search():
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(200), "b": rng.randn(200),
                          "c": rng.choice(["u", "v", "w"], 200)})
    y = 2 * frame["a"] - frame["b"] + (frame["c"] == "u") + 0.1 * rng.randn(200)
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(), ["c"])])
    pipe = make_pipeline(pre, FidelityMTLRegressor(**FAST))
    search = GridSearchCV(
        pipe, {"fidelitymtlregressor__fidelity_weight": [0.8, 0.2]}, cv=2
    )
    search.fit(frame, y)
    assert search.best_score_ > 0.5
    assert search.predict(frame).shape == (200,)


def test_clone_pickle_and_determinism(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    again = clone(reg).fit(X, y)
    np.testing.assert_array_equal(reg.predict(X), again.predict(X))
    np.testing.assert_array_equal(reg.coef_, again.coef_)
    restored = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(restored.predict(X), reg.predict(X))
    other_seed = clone(reg).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other_seed.predict(X), reg.predict(X))


@pytest.mark.parametrize("fidelity_weight", [0.0, 1.0, -0.5, 2])
def test_fidelity_weight_outside_open_interval_is_rejected(diabetes, fidelity_weight):
    X, y = diabetes
    with pytest.raises(ValueError, match="'fidelity_weight' parameter"):
        FidelityMTLRegressor(fidelity_weight=fidelity_weight).fit(X, y)


def test_bad_inputs_get_clear_errors(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="'loss' parameter"):
        FidelityMTLRegressor(loss="hinge").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        FidelityMTLRegressor(hidden_layer_sizes=(0,)).fit(X, y)
    X_nan = X.copy()
    X_nan[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        FidelityMTLRegressor(**FAST).fit(X_nan, y)
    with pytest.raises(ValueError, match="1 sample"):
        FidelityMTLRegressor(**FAST).fit(X[:1], y[:1])
    with pytest.raises(ValueError, match="could not convert|numeric"):
        FidelityMTLRegressor(**FAST).fit(np.array([["a", "b"], ["c", "d"]]), [1.0, 2.0])
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    with pytest.raises(ValueError, match="features"):
        reg.predict(X[:, :3])
    with pytest.raises(ValueError, match="only one class"):
        FidelityMTLClassifier(**FAST).fit(X, np.zeros(len(X)))


def test_diverging_training_stops_with_a_clear_error(diabetes):
    X, y = diabetes
    with pytest.raises(FloatingPointError, match="Training diverged"):
        FidelityMTLRegressor(lr=1e30, max_epochs=5, early_stopping=False,
                             random_state=0).fit(X * 1e6, y)


# ----------------------------------------------------------------------------- additive surrogate

@pytest.fixture(scope="module")
def additive_data():
    """A known additive function of two numerical features and a binary one."""
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.uniform(-2, 2, 600), rng.uniform(-2, 2, 600),
                         rng.randint(0, 2, 600).astype(float)])
    truth = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.7 * X[:, 2]
    return X, truth + 0.05 * rng.randn(600), truth


@pytest.fixture(scope="module")
def additive_regressor(additive_data):
    X, y, _ = additive_data
    return FidelityMTLRegressor(surrogate="additive", fidelity_weight=0.7, n_knots=6,
                                hidden_layer_sizes=(64,), max_epochs=150, lr=0.01,
                                random_state=0).fit(X, y)


def test_additive_surrogate_recovers_an_additive_function(additive_data, additive_regressor):
    X, y, truth = additive_data
    linear = FidelityMTLRegressor(fidelity_weight=0.7, hidden_layer_sizes=(64,),
                                  max_epochs=150, lr=0.01, random_state=0).fit(X, y)
    error = {name: np.mean((est.predict_surrogate(X) - truth) ** 2)
             for name, est in (("additive", additive_regressor), ("linear", linear))}
    # The linear surrogate cannot bend (its error is about var(sin) + var(x^2) ~ 1.2).
    assert error["linear"] > 0.5
    assert error["additive"] < 0.1 * error["linear"]
    # The shape function of x1 is x1^2 up to a constant.
    shapes = additive_regressor.shape_functions(X, grid_resolution=30)
    x1 = shapes[shapes["feature"] == "x1"]
    assert np.corrcoef(x1["contribution"], x1["value"] ** 2)[0, 1] > 0.98


def test_additive_attributions_match_spline_transformer(additive_data, additive_regressor):
    from sklearn.preprocessing import SplineTransformer

    X, _, _ = additive_data
    reg = additive_regressor
    explanation = reg.explain(X[:20])
    total = explanation.base_values[0] + explanation.values[:, :, 0].sum(axis=1)
    np.testing.assert_allclose(total, reg.predict_surrogate(X[:20]), rtol=1e-10)
    index = reg.surrogate_basis_.term_index_
    for j in (0, 1):  # numerical: cubic B-splines at 6 training quantiles, constant beyond
        splines = SplineTransformer(n_knots=6, knots="quantile", extrapolation="constant")
        splines.fit(X[:, [j]])
        weights = reg.coef_[index == j]
        expected = (splines.transform(X[:20, [j]]) - splines.transform(X[:, [j]]).mean(axis=0))
        np.testing.assert_allclose(explanation.values[:, j, 0], expected @ weights,
                                   atol=1e-10)
    # binary: one weight per level, centred on the training frequency of the levels
    level_weights = reg.coef_[index == 2]
    frequency = np.array([np.mean(X[:, 2] == 0), np.mean(X[:, 2] == 1)])
    expected = level_weights[X[:20, 2].astype(int)] - frequency @ level_weights
    np.testing.assert_allclose(explanation.values[:, 2, 0], expected, atol=1e-10)


@pytest.mark.parametrize("n_rows", [300, 25])  # more rows than columns, and fewer
def test_penalised_fit_is_ridge_cv_on_the_basis(n_rows):
    from sklearn.linear_model import RidgeCV
    from skmtlx._additive import RIDGE_ALPHAS, AdditiveBasis, penalised_fit

    rng = np.random.RandomState(0)
    X = rng.randn(300, 3)
    X[:, 1] += X[:, 0]  # correlated features
    Y = np.column_stack([np.sin(2 * X[:, 0]) + 0.5 * rng.randn(300),
                         X[:, 1] ** 2 + 2.0 * rng.randn(300)])
    Z = AdditiveBasis(n_knots=8).fit(X).transform(X)
    Z, Y = Z[:n_rows], Y[:n_rows]
    coef, intercept = penalised_fit(Z, Y)
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z, Y)  # leave-one-out by scikit-learn's SVD
    assert RIDGE_ALPHAS[0] < ridge.alpha_ < RIDGE_ALPHAS[-1]  # the penalty binds
    np.testing.assert_allclose(coef, ridge.coef_, atol=1e-8)
    np.testing.assert_allclose(intercept, ridge.intercept_, atol=1e-8)


def test_auto_knots_grow_with_the_rows():
    from skmtlx._additive import AdditiveBasis

    rng = np.random.RandomState(0)
    for n_rows, n_knots in ((300, 4), (5120, 20), (40000, 64)):
        basis = AdditiveBasis().fit(rng.rand(n_rows, 1))
        assert basis.n_knots_ == n_knots
        assert len(basis.term_index_) == n_knots + 2


def test_additive_regressor_starts_at_the_penalised_fit_with_f_as_g_plus_mlp(additive_data):
    from sklearn.linear_model import RidgeCV
    from skmtlx._additive import RIDGE_ALPHAS

    X, y, _ = additive_data
    y = 3.0 * y + 1.0  # the targets are standardised inside
    reg = FidelityMTLRegressor(surrogate="additive", n_knots=6, lr=1e-9, max_epochs=1,
                               early_stopping=False, random_state=0).fit(X, y)
    Z = reg.surrogate_basis_.transform(X)
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z, y)
    np.testing.assert_allclose(reg.predict_surrogate(X), ridge.predict(Z), atol=1e-3)
    # f = g + MLP: the black box minus the surrogate is the MLP alone
    module = reg.net_.module_
    features = reg._surrogate_inputs.features_.transform(X)  # what the network reads
    with torch.no_grad():
        mlp = module.model(torch.as_tensor(features)).double().numpy()[:, 0]
    np.testing.assert_allclose(reg.predict(X) - reg.predict_surrogate(X),
                               mlp * reg.y_scale_[0], atol=1e-3)
    linear = FidelityMTLRegressor(max_epochs=1, random_state=0).fit(X, y)
    assert not linear.net_.module_.residual


def test_penalised_logistic_fit_is_logistic_regression_cv_on_the_basis():
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, StratifiedKFold
    from skmtlx._additive import LOGISTIC_CS, AdditiveBasis, penalised_logistic_fit

    rng = np.random.RandomState(0)
    X = rng.randn(400, 3)
    X[:, 1] += X[:, 0]  # correlated features
    logit = 1.5 * np.sin(2 * X[:, 0]) + X[:, 2] - 0.5
    labels = (logit + rng.logistic(size=400) > 0).astype(int)
    Z = AdditiveBasis(n_knots=12).fit(X).transform(X)
    coef, intercept = penalised_logistic_fit(Z, labels)
    # the same cross-validated choice of C, done by GridSearchCV (LogisticRegressionCV's
    # defaults and attributes change in scikit-learn 1.10)
    search = GridSearchCV(LogisticRegression(max_iter=5000, tol=1e-8), {"C": LOGISTIC_CS},
                          cv=StratifiedKFold(3, shuffle=True, random_state=0),
                          scoring="neg_log_loss")
    reference = search.fit(Z, labels).best_estimator_
    assert LOGISTIC_CS[0] < search.best_params_["C"] < LOGISTIC_CS[-1]  # the penalty binds
    np.testing.assert_allclose(Z @ coef.T + intercept, reference.decision_function(Z)[:, None],
                               atol=1e-2)
    # three classes: one logit per class, the multinomial fit
    three = np.digitize(logit + rng.logistic(size=400), [-1.0, 1.0])
    coef, intercept = penalised_logistic_fit(Z, three)
    reference = search.fit(Z, three).best_estimator_
    np.testing.assert_allclose(Z @ coef.T + intercept, reference.decision_function(Z),
                               atol=1e-2)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_additive_classifier_starts_at_the_penalised_logistic_fit(additive_data, n_classes):
    from skmtlx._additive import penalised_logistic_fit

    X, _, truth = additive_data
    y = np.digitize(truth, np.quantile(truth, np.linspace(0, 1, n_classes + 1)[1:-1]))
    labels = np.array(["low", "mid", "top"])[y]  # decoded by the estimator's LabelEncoder
    clf = FidelityMTLClassifier(surrogate="additive", n_knots=6, lr=1e-9, max_epochs=1,
                                early_stopping=False, random_state=0).fit(X, labels)
    Z = clf.surrogate_basis_.transform(X)
    coef, intercept = penalised_logistic_fit(Z, y)
    logits = Z @ clf.coef_.T + clf.intercept_
    expected = Z @ coef.T + intercept
    if n_classes > 2:  # softmax logits are identified up to a shift shared by the classes
        logits, expected = logits - logits.mean(axis=1, keepdims=True), (
            expected - expected.mean(axis=1, keepdims=True))
    np.testing.assert_allclose(logits, expected, atol=1e-3)
    # f = g + MLP on the logits: the black box minus the surrogate is the MLP alone
    features = clf._surrogate_inputs.features_.transform(X)  # what the network reads
    with torch.no_grad():
        mlp = clf.net_.module_.model(torch.as_tensor(features)).double().numpy()
    np.testing.assert_allclose(clf._forward(X) - clf.surrogate_.predict(X), mlp, atol=1e-4)
    linear = FidelityMTLClassifier(max_epochs=1, random_state=0).fit(X, labels)
    assert not linear.net_.module_.residual


def test_linear_shape_function_is_the_centred_line(diabetes):
    X, y = diabetes
    reg = FidelityMTLRegressor(**FAST).fit(X, y)
    shapes = reg.shape_functions(X, grid_resolution=7)
    bmi = shapes[shapes["feature"] == "x2"]
    expected = reg.coef_[2] * (bmi["value"] - X[:, 2].mean())
    np.testing.assert_allclose(bmi["contribution"], expected, atol=1e-10)


def test_shape_display_overlays_the_partial_dependence_of_f(additive_data, additive_regressor):
    from sklearn.inspection import partial_dependence
    from skmtlx.plotting import ShapeFunctionDisplay

    X, _, _ = additive_data
    display = ShapeFunctionDisplay.from_estimator(additive_regressor, X, n_pd_rows=len(X),
                                                  grid_resolution=15)
    assert len(display.axes_) == 3 and len(display.ax_.lines) == 2
    ours = display.partial_dependence[display.partial_dependence["feature"] == "x0"]
    reference = partial_dependence(additive_regressor, X, [0], grid_resolution=15,
                                   percentiles=(0, 1), kind="average", method="brute")
    np.testing.assert_allclose(ours["value"], reference["grid_values"][0])
    difference = ours["partial_dependence"].to_numpy() - reference["average"][0]
    np.testing.assert_allclose(difference, difference[0], atol=1e-8)  # the same up to a shift
    with pytest.raises(ValueError, match="Unknown features"):
        ShapeFunctionDisplay.from_estimator(additive_regressor, X, features=["nope"])


def test_shape_display_draws_a_feature_with_few_values_as_points(diabetes):
    """g has one value per level of a binary feature: points, not a line between them."""
    from skmtlx.plotting import ShapeFunctionDisplay

    X, y = diabetes  # column 1 (sex) takes two values
    reg = FidelityMTLRegressor(surrogate="additive", **FAST).fit(X, y)
    display = ShapeFunctionDisplay.from_estimator(reg, X, features=[1, 2], n_pd_rows=20)
    sex, bmi = display.axes_.ravel()[:2]
    for line, marker in zip(sex.lines, ("o", "x")):  # g, then f's partial dependence
        assert line.get_linestyle() == "None" and line.get_marker() == marker
    np.testing.assert_allclose(np.sort(sex.lines[0].get_xdata()), np.unique(X[:, 1]))
    assert bmi.lines[0].get_linestyle() == "-" and bmi.lines[1].get_linestyle() == "--"


@pytest.mark.parametrize("surrogate_fit", ["joint", "post_hoc"])
def test_additive_classifier_explains_its_logits(surrogate_fit):
    X, y = make_classification(300, n_features=4, random_state=0)
    clf = FidelityMTLClassifier(surrogate="additive", surrogate_fit=surrogate_fit,
                                **FAST).fit(X, y)
    explanation = clf.explain(X[:10])
    logits = clf.surrogate_basis_.transform(X[:10]) @ clf.coef_[0] + clf.intercept_[0]
    total = explanation.base_values[0] + explanation.values[:, :, 0].sum(axis=1)
    np.testing.assert_allclose(total, logits, rtol=1e-8)
    assert clf.coef_.shape == (1, len(clf.surrogate_basis_.term_index_))
    assert np.mean(clf.predict_surrogate(X) == clf.predict(X)) > 0.8


def test_grid_search_over_fidelity_weight_and_surrogate(diabetes):
    X, y = diabetes
    search = GridSearchCV(
        FidelityMTLRegressor(**FAST),
        {"fidelity_weight": [0.3, 0.9], "surrogate": ["linear", "additive"]}, cv=2,
    ).fit(X, y)
    assert len(search.cv_results_["params"]) == 4
    assert search.best_estimator_.surrogate in ("linear", "additive")
    assert pickle.loads(pickle.dumps(search.best_estimator_)).predict(X[:3]).shape == (3,)


@pytest.fixture(scope="module")
def interaction_data():
    """Main effects plus one strong interaction, x0 * x2, among four features."""
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.uniform(-2, 2, 800), rng.uniform(-2, 2, 800),
                         rng.uniform(-2, 2, 800), rng.randint(0, 3, 800).astype(float)])
    truth = np.sin(X[:, 1]) + 0.5 * X[:, 3] + 1.5 * X[:, 0] * X[:, 2]
    return X, truth + 0.05 * rng.randn(800), truth


def test_screen_interactions_finds_the_planted_pairs_strongest_first():
    from skmtlx._additive import screen_interactions

    rng = np.random.RandomState(1)
    X = rng.uniform(-1, 1, (2000, 6))
    # strong x1 * x4, weaker x0 * x5, a large main effect that must not count
    residuals = 2.0 * X[:, 1] * X[:, 4] + 0.7 * X[:, 0] * X[:, 5] + 3.0 * X[:, 2] ** 2
    assert screen_interactions(X, residuals, 2) == [(1, 4), (0, 5)]
    # several residual columns: scores add up (a pair strong in the second column only)
    both = np.column_stack([0.1 * X[:, 1] * X[:, 4], 2.0 * X[:, 0] * X[:, 3]])
    assert screen_interactions(X, both, 1) == [(0, 3)]
    assert len(screen_interactions(X[:, :2], residuals, 5)) == 1  # one pair exists


def test_interaction_terms_average_to_zero_over_either_feature(interaction_data):
    from skmtlx._additive import AdditiveBasis

    X, y, _ = interaction_data
    basis = AdditiveBasis(n_knots=6, interactions=1).fit(X, y)
    assert basis.terms_ == [(0,), (1,), (2,), (3,), (0, 2)]
    pair = basis.term_index_ == 4
    assert np.abs(basis.transform(X)[:, pair]).max() > 0.05
    # one row's value of one feature against every training value of the other: the
    # pair's columns average to zero (it holds no main effect of either feature)
    for varied, fixed in ((0, 2), (2, 0)):
        rows = X.copy()
        rows[:, fixed] = X[7, fixed]
        np.testing.assert_allclose(basis.transform(rows)[:, pair].mean(axis=0), 0.0,
                                   atol=1e-12)


def test_interaction_attributions_are_the_exact_interventional_shapley_values(
        interaction_data):
    # brute force: v(S) = mean over the training rows b of g(x_S, b_rest), Shapley
    # weights over all coalitions; an additive model with a pair splits it in halves
    from itertools import combinations
    from math import factorial

    X, y, _ = interaction_data
    X, y = X[:300], y[:300]
    reg = FidelityMTLRegressor(surrogate="additive", interactions=2, n_knots=5,
                               fidelity_weight=0.7, **FAST).fit(X, y)
    assert (0, 2) in reg.surrogate_basis_.terms_
    explanation = reg.explain(X[:3])
    n_features = X.shape[1]
    for i in range(3):
        def value(coalition):
            rows = X.copy()
            rows[:, list(coalition)] = X[i, list(coalition)]
            return reg.predict_surrogate(rows).mean()

        expected = np.zeros(n_features)
        for j in range(n_features):
            others = [k for k in range(n_features) if k != j]
            for size in range(n_features):
                for coalition in combinations(others, size):
                    weight = (factorial(size) * factorial(n_features - size - 1)
                              / factorial(n_features))
                    expected[j] += weight * (value(coalition + (j,)) - value(coalition))
        np.testing.assert_allclose(explanation.values[i, :, 0], expected, atol=1e-8)
    np.testing.assert_allclose(explanation.base_values[0], reg.predict_surrogate(X).mean(),
                               atol=1e-8)


def test_interactions_let_the_surrogate_fit_a_product(interaction_data):
    X, y, truth = interaction_data
    settings = dict(surrogate="additive", n_knots=6, fidelity_weight=0.7,
                    hidden_layer_sizes=(64,), max_epochs=100, random_state=0)
    error = {k: np.mean((FidelityMTLRegressor(interactions=k, **settings).fit(X, y)
                         .predict_surrogate(X) - truth) ** 2) for k in (0, 1)}
    # without the pair, g misses the product's variance (1.5^2 * (4/3)^2 = 4)
    assert error[0] > 2.0
    assert error[1] < 0.1 * error[0]


def test_joint_training_keeps_the_pairs_at_the_penalised_start(interaction_data):
    # noisy targets: the ridge start shrinks the pairs, which training would scale back up
    # (on diabetes 3.5-4.4 times); the head keeps them, the shape functions train
    from sklearn.linear_model import RidgeCV
    from skmtlx._additive import RIDGE_ALPHAS

    X, _, truth = interaction_data
    X, truth = X[:400], truth[:400]
    y = truth + 2.0 * np.random.RandomState(1).randn(len(truth))
    reg = FidelityMTLRegressor(surrogate="additive", interactions=2, n_knots=5,
                               early_stopping=False, **dict(FAST, max_epochs=20)).fit(X, y)
    basis = reg.surrogate_basis_
    Z = basis.transform(X)
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z, y)
    centred = Z - Z.mean(axis=0)
    shapes = basis.term_index_ < X.shape[1]
    for term in (4, 5):
        pair = basis.term_index_ == term
        expected = centred[:, pair] @ ridge.coef_[pair]
        assert np.std(expected) > 0.05
        np.testing.assert_allclose(centred[:, pair] @ reg.coef_[pair], expected,
                                   atol=1e-4 * np.std(expected))
    # the shape functions did train
    assert np.std(centred[:, shapes] @ (reg.coef_[shapes] - ridge.coef_[shapes])) > 0.05


@pytest.mark.parametrize("surrogate_fit", ["joint", "post_hoc"])
def test_classifier_interactions_explain_its_logits(interaction_data, surrogate_fit):
    X, _, truth = interaction_data
    labels = (truth > np.median(truth)).astype(int)
    clf = FidelityMTLClassifier(surrogate="additive", interactions=1,
                                surrogate_fit=surrogate_fit, **FAST).fit(X, labels)
    assert clf.surrogate_basis_.terms_[-1] == (0, 2)
    explanation = clf.explain(X[:10])
    logits = clf.surrogate_basis_.transform(X[:10]) @ clf.coef_[0] + clf.intercept_[0]
    total = explanation.base_values[0] + explanation.values[:, :, 0].sum(axis=1)
    np.testing.assert_allclose(total, logits, rtol=1e-8)


@pytest.mark.parametrize("Estimator", [FidelityMTLRegressor, FidelityMTLClassifier])
def test_interactions_need_the_additive_surrogate(Estimator):
    X, y = make_classification(60, n_features=3, n_informative=2, n_redundant=0,
                               random_state=0)
    with pytest.raises(ValueError, match="interactions=2 needs surrogate='additive'"):
        Estimator(interactions=2, **FAST).fit(X, y)


@pytest.fixture(scope="module")
def interaction_regressor(interaction_data):
    X, y, _ = interaction_data
    return FidelityMTLRegressor(surrogate="additive", interactions=1, n_knots=6,
                                fidelity_weight=0.7, hidden_layer_sizes=(64,), max_epochs=100,
                                random_state=0).fit(X, y)


def test_interaction_functions_recover_the_product(interaction_data, interaction_regressor):
    X, _, _ = interaction_data
    grid = interaction_regressor.interaction_functions(X, grid_resolution=15)
    assert set(zip(grid.feature_a, grid.feature_b)) == {("x0", "x2")}
    assert len(grid) == 15 * 15
    # the product of two independent centred features holds no main effect: the term is it
    truth = 1.5 * grid.value_a * grid.value_b
    assert np.corrcoef(grid.contribution, truth)[0, 1] > 0.97
    assert np.abs(grid.contribution - truth).mean() < 0.25 * np.abs(truth).mean()


def test_interaction_functions_are_twice_the_attribution_beyond_the_shape(
        interaction_data, interaction_regressor):
    # explain gives feature 0 its shape function plus half the centred pair term
    X, _, _ = interaction_data
    reg = interaction_regressor
    grid = reg.interaction_functions(X, grid_resolution=5)
    shapes = reg.shape_functions(X, grid_resolution=5)
    rows = np.tile(X.mean(axis=0), (len(grid), 1))
    rows[:, 0], rows[:, 2] = grid.value_a, grid.value_b
    values = reg.explain(rows).values[:, :, 0]
    shape_0 = shapes[shapes.feature == "x0"]
    own = np.interp(grid.value_a, shape_0.value, shape_0.contribution)
    np.testing.assert_allclose(2 * (values[:, 0] - own), grid.contribution, atol=1e-8)


def test_interaction_display_draws_one_heatmap_per_pair(interaction_data,
                                                        interaction_regressor):
    from skmtlx.plotting import InteractionDisplay

    X, _, _ = interaction_data
    display = InteractionDisplay.from_estimator(interaction_regressor, X, grid_resolution=8)
    assert sum(panel.get_visible() for panel in display.axes_) == 1
    mesh = display.ax_.collections[0]
    assert mesh.get_array().size == 64
    limit = np.abs(interaction_regressor.interaction_functions(X, grid_resolution=8)
                   .contribution).max()
    assert mesh.norm.vmin == pytest.approx(-limit) and mesh.norm.vmax == pytest.approx(limit)
    dots = display.ax_.collections[1].get_offsets()  # a sample of the rows, on (x0, x2)
    assert len(dots) == 300
    assert {tuple(row) for row in np.asarray(dots)} <= {tuple(row) for row in X[:, [0, 2]]}
    plt.close("all")
    pure = FidelityMTLRegressor(surrogate="additive", **FAST).fit(X[:200], X[:200, 0])
    assert pure.interaction_functions(X).empty
    with pytest.raises(ValueError, match="no interaction terms"):
        InteractionDisplay.from_estimator(pure, X)


@pytest.mark.parametrize("display", ["ShapeFunctionDisplay", "InteractionDisplay"])
def test_term_displays_name_what_to_pass_for_a_pipeline(interaction_data,
                                                        interaction_regressor, display):
    import skmtlx.plotting

    X, y, _ = interaction_data
    pipe = make_pipeline(StandardScaler(), clone(interaction_regressor).set_params(max_epochs=5))
    pipe.fit(X[:200], y[:200])
    from_estimator = getattr(skmtlx.plotting, display).from_estimator
    with pytest.raises(TypeError, match=r"pipe\[-1\], pipe\[:-1\]\.transform\(X\)"):
        from_estimator(pipe, X)
    with pytest.raises(TypeError, match="got LinearRegression"):
        from_estimator(LinearRegression().fit(X, y), X)
    assert isinstance(from_estimator(pipe[-1], pipe[:-1].transform(X)),
                      getattr(skmtlx.plotting, display))
    plt.close("all")


@pytest.mark.parametrize("n_classes", [2, 3])
def test_stagewise_logistic_fit_composes_its_two_stages(n_classes):
    from skmtlx._additive import penalised_logistic_fit, stagewise_logistic_fit

    rng = np.random.RandomState(0)
    U = rng.rand(400, 5)
    # three shape-function columns and one pair column, the product of two features
    Z = np.column_stack([U[:, :3], (U[:, 3] - 0.5) * (U[:, 4] - 0.5)])
    score = Z[:, 0] - Z[:, 1] + 12 * Z[:, 3]
    labels = np.digitize(score, np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1]))
    shapes = np.array([True, True, True, False])
    coef, intercept = stagewise_logistic_fit(Z, labels, shapes)
    # the two stages recomposed by hand: shape functions first, then the pairs beside
    # their logits scaled up
    first = penalised_logistic_fit(Z[:, shapes], labels)
    logits = Z[:, shapes] @ first[0].T + first[1]
    scale = 100.0 / logits.std()
    second = penalised_logistic_fit(np.hstack([scale * logits, Z[:, ~shapes]]), labels)
    expected = np.hstack([scale * logits, Z[:, ~shapes]]) @ second[0].T + second[1]
    np.testing.assert_allclose(Z @ coef.T + intercept, expected, rtol=1e-10, atol=1e-10)
    assert coef.shape == (1 if n_classes == 2 else n_classes, 4)
    assert np.abs(coef[:, ~shapes]).max() > 1.0  # the pair's column is used
    # without pair columns it is the one-stage fit
    alone = stagewise_logistic_fit(Z[:, shapes], labels, np.ones(3, bool))
    np.testing.assert_array_equal(alone[0], first[0])


def test_joint_training_keeps_each_pairs_start_shape(interaction_data, interaction_regressor):
    # the pair enters the head as one column, the start's surface: training scales it
    from skmtlx._additive import penalised_fit

    X, y, _ = interaction_data
    reg = interaction_regressor
    basis = reg.surrogate_basis_
    start, _ = penalised_fit(basis.transform(X), ((y - reg.y_mean_) / reg.y_scale_)[:, None])
    pair = basis.term_index_ == X.shape[1]
    ratio = reg.coef_[pair] / (reg.y_scale_[0] * start[0, pair])
    np.testing.assert_allclose(ratio, np.median(ratio), rtol=1e-4)
    assert 0.5 < np.median(ratio) < 2.0
    # the shape functions train freely: not a multiple of their start
    shape = basis.term_index_ == 1
    moved = reg.coef_[shape] / (reg.y_scale_[0] * start[0, shape])
    assert np.ptp(moved) > 1e-2


# ------------------------------------------------ numerical embeddings of f

def _piecewise_linear_by_hand(column, edges):
    """The paper's piecewise-linear encoding, one bin at a time (numpy)."""
    encoded = []
    for t in range(len(edges) - 1):
        value = (column - edges[t]) / (edges[t + 1] - edges[t])
        if t > 0:
            value = np.maximum(value, 0.0)
        if t < len(edges) - 2:
            value = np.minimum(value, 1.0)
        encoded.append(value)
    return np.column_stack(encoded)


def test_piecewise_linear_encoding_matches_the_paper_on_quantile_bins():
    rng = np.random.RandomState(0)
    X = np.column_stack([
        rng.exponential(size=480),  # skewed: the quantile bins are far from uniform
        rng.randint(2, size=480),  # binary: passed through
        rng.randint(40, size=480),  # 40 levels: fewer distinct edges, a padded row
    ]).astype(np.float64)
    encoding = make_numerical_embedding("piecewise_linear", X)
    edges = [quantile_bin_edges(X[:, j], 48) for j in (0, 2)]
    counts, _ = np.histogram(X[:, 0], edges[0])
    assert len(edges[0]) == 49 and counts.min() >= 9 and counts.max() <= 11  # 10 rows a bin
    assert np.ptp(np.diff(edges[0])) > 10 * np.diff(edges[0]).min()
    assert len(edges[1]) < 49
    # rows beyond the training range extrapolate linearly in the end bins
    rows = np.vstack([X[:50], [[-1.0, 1.0, -3.0], [20.0, 0.0, 45.0]]]).astype(np.float32)
    expected = np.column_stack([rows[:, 1]] + [_piecewise_linear_by_hand(rows[:, j], e)
                                               for j, e in zip((0, 2), edges)])
    with torch.no_grad():
        got = encoding(torch.as_tensor(rows)).numpy()
    assert encoding.n_outputs == expected.shape[1] == 1 + 48 + len(edges[1]) - 1
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert got[-2, 1] < 0 and got[-1, 48] > 1


@pytest.mark.parametrize("surrogate", ["linear", "additive"])
def test_embedded_black_box_keeps_the_surrogate_on_the_raw_features(diabetes, surrogate):
    X, y = diabetes
    reg = FidelityMTLRegressor(surrogate=surrogate, numerical_embedding="piecewise_linear",
                               **FAST).fit(X, y)
    module = reg.net_.module_
    encoding = module.model[0]
    assert isinstance(encoding, PiecewiseLinearEncoding)
    # the bins are those of the training rows (standardised, as the network reads
    # them); the binary "sex" column is read as it is
    np.testing.assert_array_equal(encoding.others.numpy(), [1])
    features = torch.as_tensor(reg._surrogate_inputs.features_.transform(X))
    with torch.no_grad():
        np.testing.assert_allclose(
            encoding(features).numpy(),
            make_numerical_embedding("piecewise_linear", features.numpy())(features).numpy())
    # the linear head is not fused into a first layer that reads the encoding
    assert module.n_hidden == 0 and module.linear.in_features == (
        X.shape[1] if surrogate == "linear" else reg._surrogate_inputs.n_basis_)
    if surrogate == "linear":
        np.testing.assert_allclose(reg.predict_surrogate(X), X @ reg.coef_ + reg.intercept_)
    plain = FidelityMTLRegressor(surrogate=surrogate, **FAST).fit(X, y)
    assert plain.net_.module_.n_hidden == (32 if surrogate == "linear" else 0)


def test_piecewise_linear_embedding_fits_a_step_function_the_raw_mlp_cannot():
    rng = np.random.RandomState(0)

    def steps(n):
        X = rng.uniform(-1, 1, size=(n, 2))
        return X, np.floor(4 * (X[:, 0] + 1)) % 2  # 8 alternating steps in x0

    (X, y), (X_test, y_test) = steps(1000), steps(1000)
    errors = {}
    for embedding in [None, "piecewise_linear", "periodic"]:
        reg = FidelityMTLRegressor(surrogate_fit="post_hoc", numerical_embedding=embedding,
                                   hidden_layer_sizes=(16,), max_epochs=40, lr=0.01,
                                   random_state=0).fit(X, y)
        errors[embedding] = np.mean((reg.predict(X_test) - y_test) ** 2) / y_test.var()
    assert errors[None] > 0.5
    assert errors["piecewise_linear"] < 0.2
    assert errors["periodic"] < errors[None]


def test_periodic_embedding_is_seeded_and_pickles():
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    clf = FidelityMTLClassifier(numerical_embedding="periodic", **FAST).fit(X, y)
    assert isinstance(clf.net_.module_.model[0], PeriodicEmbedding)
    again = clone(clf).fit(X, y)
    np.testing.assert_array_equal(clf.predict_proba(X), again.predict_proba(X))
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))
    other_seed = clone(clf).set_params(random_state=1).fit(X, y)
    assert not np.array_equal(other_seed.predict_proba(X), clf.predict_proba(X))


def test_numerical_embedding_skips_tables_without_numerical_features():
    X = np.random.RandomState(0).randint(3, size=(100, 4)).astype(float)
    assert make_numerical_embedding("piecewise_linear", X) is None
    assert make_numerical_embedding(None, np.random.RandomState(0).randn(100, 2)) is None
    reg = FidelityMTLRegressor(numerical_embedding="periodic", **FAST).fit(X, X.sum(axis=1))
    assert reg.net_.module_.n_hidden == 32  # plain MLP: the head is fused again


def test_unknown_numerical_embedding_is_rejected(diabetes):
    X, y = diabetes
    with pytest.raises(ValueError, match="'numerical_embedding' parameter"):
        FidelityMTLRegressor(numerical_embedding="ple").fit(X, y)


def test_post_hoc_additive_surrogate_is_the_ridge_cv_fit_of_f():
    # interaction grids outnumber the rows: least squares would interpolate f there
    from sklearn.linear_model import RidgeCV
    from skmtlx._additive import RIDGE_ALPHAS

    rng = np.random.RandomState(0)
    X = rng.uniform(-2, 2, (150, 4))
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2]) + 0.3 * rng.randn(150)
    reg = FidelityMTLRegressor(surrogate="additive", interactions=6, surrogate_fit="post_hoc",
                               **FAST).fit(X, y)
    Z = reg.surrogate_basis_.transform(X)
    assert Z.shape[1] > len(X)
    ridge = RidgeCV(alphas=RIDGE_ALPHAS).fit(Z, reg.predict(X))
    np.testing.assert_allclose(reg.coef_, ridge.coef_, atol=1e-6)
    np.testing.assert_allclose(reg.intercept_, ridge.intercept_, atol=1e-6)
