"""The explanation object, explanations through Pipelines, and the surrogate component."""

import builtins
import copy
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from skmtlx import (
    Explanation,
    FidelityMTLRegressor,
    GenerativeMTLClassifier,
    SparseTaskGraphMLP,
    SparseTaskGraphMTL,
    TaskGrouper,
    explain,
)
from skmtlx._additive import feature_shares
from skmtlx._explain import feature_origin
from skmtlx._surrogate import (
    FidelityCriterion,
    FittedSurrogate,
    SurrogateHead,
    additive_attributions,
    best_linear_surrogate,
    fidelity_term,
    fit_post_hoc_surrogate,
)
from skmtlx._torch import MultiHeadMLP, make_mlp
from skmtlx.metrics import global_fidelity

NETWORK = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, random_state=0)


def _frame(n=120, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame({"a": 3.0 * rng.randn(n) + 5.0, "b": 0.5 * rng.randn(n),
                          "c": rng.choice(["u", "v", "w"], n)})
    y = 2.0 * frame["a"] - 4.0 * frame["b"] + 3.0 * (frame["c"] == "u") + 0.1 * rng.randn(n)
    return frame, y.to_numpy()


def test_pipeline_attributions_summed_on_original_columns():
    frame, y = _frame()
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(), ["c"])])
    pipe = make_pipeline(pre, SparseTaskGraphMTL()).fit(frame, y)
    exp = explain(pipe, frame.iloc[:10])
    # by hand: coef * (x_t - training mean of x_t) on the transformed columns,
    # the three one-hot columns of c summed
    Xt_train = pre.transform(frame)
    Xt = Xt_train[:10]
    coef = pipe[-1].coef_[0]
    contrib = coef * (Xt - Xt_train.mean(axis=0))
    expected = np.column_stack([contrib[:, 0], contrib[:, 1], contrib[:, 2:5].sum(axis=1)])
    assert list(exp.feature_names) == ["a", "b", "c"]
    np.testing.assert_allclose(exp.values[:, :, 0], expected, atol=1e-10)
    np.testing.assert_allclose(exp.output_values()[:, 0], pipe.predict(frame.iloc[:10]),
                               atol=1e-8)
    transformed = explain(pipe, frame.iloc[:10], features="transformed")
    assert list(transformed.feature_names) == list(pre.get_feature_names_out())
    np.testing.assert_allclose(transformed.values[:, :, 0], contrib, atol=1e-10)


def test_attribution_frames_keep_the_index_of_the_explained_rows():
    # rows picked out of order: the frame must join back to them, not to 0..n-1
    frame, y = _frame()
    rows = frame.iloc[[7, 3, 50]]
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(), ["c"])])
    pipe = make_pipeline(pre, SparseTaskGraphMTL()).fit(frame, y)
    for exp in (explain(pipe, rows), explain(pipe, rows, features="transformed")):
        assert list(exp.to_frame().index) == [7, 3, 50]
    numeric = frame[["a", "b"]]
    reg = FidelityMTLRegressor(**NETWORK).fit(numeric, y)
    attributions = reg.explain(numeric.iloc[[7, 3, 50]]).to_frame()
    assert list(attributions.index) == [7, 3, 50]
    joined = numeric.join(attributions.add_suffix("_attribution"))
    by_hand = np.ravel(reg.coef_) * (numeric.loc[[7, 3, 50]] - numeric.mean())
    np.testing.assert_allclose(joined.loc[[7, 3, 50], ["a_attribution", "b_attribution"]],
                               by_hand, atol=1e-8)
    unlabelled = Explanation(np.ones((2, 1, 1)), np.zeros(1), np.ones((2, 1)), ["a"], ["y"])
    assert list(unlabelled.to_frame().index) == [0, 1]
    with pytest.raises(ValueError, match="one label per row"):
        Explanation(np.ones((2, 1, 1)), np.zeros(1), np.ones((2, 1)), ["a"], ["y"],
                    row_labels=[1, 2, 3])


def test_feature_origin_credits_the_longest_matching_input_name():
    frame = pd.DataFrame({"a": ["u", "v", "u", "w"], "a_b": ["x", "y", "y", "x"]})
    encoder = OneHotEncoder().fit(frame)
    # precondition: the outputs of "a_b" also start with "a_"
    assert sum(name.startswith("a_") for name in encoder.get_feature_names_out()) == 5
    origin = feature_origin(encoder, np.array(["a", "a_b"], dtype=object))
    expected = np.repeat([0, 1], [len(levels) for levels in encoder.categories_])
    np.testing.assert_array_equal(origin, expected)


def test_feature_origin_maps_outputs_that_keep_their_input_name():
    # outputs b, a keep input names (swapped order); a_squared is named after a
    squares = FunctionTransformer(
        lambda X: np.column_stack([X[:, 1], X[:, 0], X[:, 0] ** 2]),
        feature_names_out=lambda _, names: np.array([names[1], names[0], f"{names[0]}_squared"]),
    ).fit(np.ones((3, 2)))
    origin = feature_origin(squares, np.array(["a", "b"], dtype=object))
    np.testing.assert_array_equal(origin, [1, 0, 0])
    imputer = SimpleImputer(add_indicator=True).fit(np.array([[1.0, np.nan], [2.0, 3.0]]))
    # the column it cannot place is the indicator, not the imputed "b"
    with pytest.raises(ValueError, match="'missingindicator_b'"):
        feature_origin(imputer, np.array(["a", "b"], dtype=object))


def test_pipeline_fidelity_uses_the_protocol_through_the_pipeline():
    frame, y = _frame()
    Y = np.column_stack([y, -y + frame["b"].to_numpy() ** 2])
    pre = ColumnTransformer([("num", StandardScaler(), ["a", "b"]),
                             ("cat", OneHotEncoder(), ["c"])])
    pipe = make_pipeline(pre, TaskGrouper(gain_epochs=2, **NETWORK)).fit(frame, Y)
    gf = global_fidelity(pipe, frame, multioutput="raw_values")
    Xt = pre.transform(frame)
    by_hand = np.mean((pipe[-1].predict(Xt) - pipe[-1].predict_surrogate(Xt)) ** 2, axis=0)
    np.testing.assert_allclose(gf, by_hand)
    assert explain(pipe, frame).values.shape == (len(frame), 3, 2)


def test_task_graph_explain_is_coef_times_centred_x():
    rng = np.random.RandomState(1)
    X = rng.randn(90, 3) * [1.0, 5.0, 0.2] + [2.0, -1.0, 0.0]
    tasks = np.repeat(["p", "q", "r"], 30)
    W = {"p": [1.0, 0.0, 3.0], "q": [1.0, 0.5, 3.0], "r": [-2.0, 0.1, 0.0]}
    y = np.array([X[i] @ W[t] for i, t in enumerate(tasks)]) + 0.01 * rng.randn(90)
    model = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=tasks)
    rows = [0, 31, 89]
    exp = model.explain(X[rows], tasks=tasks[rows])
    t_index = [0, 1, 2]
    by_hand = model.coef_[t_index] * (X[rows] - X.mean(axis=0))
    np.testing.assert_allclose(exp.values[:, :, 0], by_hand, atol=1e-12)
    np.testing.assert_allclose(exp.output_values()[:, 0],
                               model.predict(X[rows], tasks=tasks[rows]), atol=1e-10)
    assert list(exp.sample_tasks) == ["p", "q", "r"]
    every_task = model.explain(X[rows])
    assert list(every_task.output_names) == ["p", "q", "r"]
    np.testing.assert_allclose(every_task.values[1, :, 2],
                               model.coef_[2] * (X[31] - X.mean(axis=0)), atol=1e-12)
    assert global_fidelity(model, X, predict_params={"tasks": tasks}) == pytest.approx(0.0)


def test_task_graph_network_option_is_explained_through_a_surrogate(ridge_refit):
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    tasks = np.repeat([0, 1], 40)
    y = X[:, 0] + np.where(tasks == 0, 1.0, -1.0) * X[:, 1]
    model = SparseTaskGraphMLP(model="mlp", max_epochs=20, random_state=0).fit(X, y, tasks=tasks)
    rows = tasks == 1
    coef, intercept = ridge_refit(X[rows], model.predict(X[rows], tasks=tasks[rows]))
    np.testing.assert_allclose(model.surrogate_.coef_[1], coef[0], atol=1e-8)
    exp = model.explain(X[rows], tasks=tasks[rows])
    np.testing.assert_allclose(exp.output_values()[:, 0],
                               X[rows] @ coef[0] + intercept[0], atol=1e-8)


def test_task_grouper_wrapping_ridge_reports_its_coefficients():
    rng = np.random.RandomState(0)
    X = rng.randn(100, 4)
    Y = np.column_stack([X @ [1.0, 2.0, 0.0, 0.0], X @ [1.0, 2.5, 0.0, 0.0],
                         X @ [0.0, 0.0, -3.0, 1.0]])
    grouper = TaskGrouper(estimator=Ridge(alpha=5.0), task_groups=[[0, 1], [2]],
                          random_state=0).fit(X, Y)
    np.testing.assert_allclose(grouper.coef_[:2], Ridge(alpha=5.0).fit(X, Y[:, :2]).coef_)
    np.testing.assert_allclose(grouper.coef_[2], Ridge(alpha=5.0).fit(X, Y[:, 2]).coef_)
    table = grouper.coef_table()
    assert list(table["group"]) == [0, 0, 1]
    assert not hasattr(grouper, "predict_proba")  # regression tasks only


def test_task_grouper_labels_keep_their_dtype_and_probabilities():
    rng = np.random.RandomState(0)
    X = rng.randn(150, 3)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] + X[:, 0] > 0]).astype(np.int8)
    grouper = TaskGrouper(gain_epochs=2, **NETWORK).fit(X, Y)
    assert grouper.predict(X).dtype == np.int8
    assert grouper.predict_surrogate(X).dtype == np.int8
    proba = grouper.predict_proba(X)
    assert len(proba) == 2 and proba[0].shape == (150, 2)
    np.testing.assert_allclose(proba[1].sum(axis=1), 1.0)
    np.testing.assert_array_equal(grouper.predict(X)[:, 1], (proba[1][:, 1] > 0.5))
    assert grouper.score(X, Y) > 0.8


def test_generative_post_hoc_surrogate_fits_the_centred_log_probabilities(ridge_refit):
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0]).astype(int)
    clf = GenerativeMTLClassifier(fidelity_weight=0.0, **NETWORK).fit(X, Y)
    log_proba = clf.task_log_proba(X)[1]
    centred = log_proba - log_proba.mean(axis=1, keepdims=True)
    coef, _ = ridge_refit(X, centred)
    np.testing.assert_allclose(clf.surrogate_.coef_[2:4], coef, atol=1e-6)
    exp = clf.explain(X[:3])
    assert list(exp.task_names) == ["task0", "task0", "task1", "task1"]


def test_post_hoc_surrogate_splits_nearly_collinear_columns(ridge_refit):
    # x4 is x0 up to 1e-4: least squares gives them opposite coefficients hundreds of
    # times their effect; the penalised refit splits the effect, fidelity unchanged
    rng = np.random.RandomState(0)
    X = rng.randn(500, 4)
    X = np.column_stack([X, X[:, 0] + 1e-4 * rng.randn(500)])
    f = X[:, 0] + np.sin(2 * X[:, 1]) + 0.02 * rng.randn(500) * X[:, 0] ** 2 + 3e-3 * (
        X[:, 0] - X[:, 4]) / 1e-4
    least_squares = LinearRegression().fit(X, f)
    assert np.abs(least_squares.coef_[[0, 4]]).min() > 10  # precondition: it explodes
    g = fit_post_hoc_surrogate(X, f[:, None])
    coef, intercept = ridge_refit(X, f)
    np.testing.assert_allclose(g.coef_, coef, atol=1e-8)
    np.testing.assert_allclose(g.intercept_, intercept, atol=1e-8)
    assert np.abs(g.coef_[0, [0, 4]]).max() < 1.0
    assert g.coef_[0, 0] + g.coef_[0, 4] == pytest.approx(1.0, abs=0.05)
    fidelity = np.mean((g.predict(X)[:, 0] - f) ** 2)
    assert fidelity < 1.01 * np.mean((least_squares.predict(X) - f) ** 2)


def test_post_hoc_surrogate_leaves_out_columns_constant_up_to_rounding(ridge_refit):
    # a column of 0.3 and 0.30000000000000004 (std ~3e-17), as a task's own feature
    # standardised over all tasks; standardised again it would look like a feature
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    X[:, 1] = 0.3 + np.where(np.arange(200) % 2, 5.551115123125783e-17, 0.0)
    assert 0 < X[:, 1].std() < 1e-15
    f = X[:, 0] - 2 * X[:, 2] + 0.3 * np.sin(3 * X[:, 0])
    g = fit_post_hoc_surrogate(X, f[:, None])
    coef, intercept = ridge_refit(X[:, [0, 2]], f)
    assert g.coef_[0, 1] == 0.0
    np.testing.assert_allclose(g.coef_[0, [0, 2]], coef[0], atol=1e-8)
    np.testing.assert_allclose(g.intercept_, intercept, atol=1e-8)
    moved = X.copy()
    moved[:, 1] = 0.5  # another value of the feature: the surrogate does not react
    np.testing.assert_allclose(g.predict(moved), g.predict(X), atol=1e-12)


@pytest.mark.parametrize("n_rows", [1, 2])
def test_post_hoc_surrogate_of_rows_without_leave_one_out_error(n_rows):
    # one row, or two rows for five features: a left-out row has leverage 1 at some
    # penalty, its leave-one-out error is undefined; no warning, a finite surrogate
    rng = np.random.RandomState(0)
    X, f = rng.randn(n_rows, 5), rng.randn(n_rows, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = fit_post_hoc_surrogate(X, f)
    assert np.isfinite(g.coef_).all() and np.isfinite(g.intercept_).all()
    if n_rows == 1:  # nothing varies: the constant model, the row's outputs
        np.testing.assert_array_equal(g.coef_, 0.0)
        np.testing.assert_allclose(g.predict(X), f)


def test_best_linear_surrogate_keeps_the_more_faithful_of_head_and_refit(ridge_refit):
    from scipy.special import expit

    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    clean = X @ [1.0, -2.0, 0.5]
    # identity link: the refit is (about) the fidelity optimum, a perturbed head loses
    raw = np.column_stack([clean + 0.3 * np.sin(3 * X[:, 0]), np.tanh(X[:, 1])])
    coef, intercept = ridge_refit(X, raw)
    head = FittedSurrogate(coef + 0.1, intercept, X)
    kept, kind = best_linear_surrogate(X, raw, ["identity", "identity"], [1, 1], head)
    assert kind == "post_hoc"
    np.testing.assert_allclose(kept.coef_, coef, atol=1e-8)
    # sigmoid link: logits with a few huge outliers pull the logit least squares away;
    # the clean head is more faithful on probabilities, so it is kept
    logits = clean.copy()
    logits[:4] += 50.0
    head = FittedSurrogate(np.array([[1.0, -2.0, 0.5]]), np.zeros(1), X)
    coef, intercept = ridge_refit(X, logits)
    assert (np.mean((expit(clean) - expit(logits)) ** 2)
            < np.mean((expit(X @ coef[0] + intercept[0]) - expit(logits)) ** 2))  # precondition
    kept, kind = best_linear_surrogate(X, logits[:, None], ["sigmoid"], [1], head)
    assert kind == "joint" and kept is head


def test_fidelity_term_with_different_links_per_head_matches_the_formula():
    # heads through their own links (softmax over a head's columns only), then the
    # mean squared difference over every column of every head
    rng = np.random.RandomState(0)
    widths, links = [3, 1, 1, 2], ["softmax", "identity", "sigmoid", "softmax"]
    f = [rng.randn(5, w) for w in widths]
    g = rng.randn(5, sum(widths))

    def linked(block, link):
        if link == "softmax":
            return np.exp(block) / np.exp(block).sum(axis=1, keepdims=True)
        return 1 / (1 + np.exp(-block)) if link == "sigmoid" else block

    g_heads = np.split(g, np.cumsum(widths)[:-1], axis=1)
    expected = np.mean(np.hstack([linked(a, k) - linked(b, k)
                                  for a, b, k in zip(g_heads, f, links)]) ** 2)
    value = fidelity_term([torch.as_tensor(head) for head in f], torch.as_tensor(g), links)
    assert float(value) == pytest.approx(expected, rel=1e-12)


def test_fidelity_criterion_matches_the_formula():
    criterion = FidelityCriterion(torch.nn.MSELoss(), 0.3, ["sigmoid"], multi_head=False)
    f, g, y = torch.tensor([[0.0], [2.0]]), torch.tensor([[1.0], [-1.0]]), torch.ones(2, 1)
    terms = criterion((f, g), y)
    fidelity = np.mean((1 / (1 + np.exp(-np.array([1.0, -1.0])))
                        - 1 / (1 + np.exp(-np.array([0.0, 2.0])))) ** 2)
    mse = np.mean((np.array([0.0, 2.0]) - 1.0) ** 2)
    assert float(terms["loss"]) == pytest.approx(0.7 * mse + 0.3 * fidelity, rel=1e-6)
    # the validation loss (evaluation mode, which early stopping watches) keeps the
    # fidelity term unless validate_fidelity=False asks for the criterion's own loss
    assert float(criterion.eval()((f, g), y)["loss"]) == pytest.approx(
        0.7 * mse + 0.3 * fidelity, rel=1e-6)
    own = FidelityCriterion(torch.nn.MSELoss(), 0.3, ["sigmoid"], multi_head=False,
                            validate_fidelity=False).eval()((f, g), y)
    assert float(own["loss"]) == pytest.approx(mse, rel=1e-6)
    assert float(own["fidelity"]) == pytest.approx(fidelity, rel=1e-6)
    # a basis: the network sees X, the surrogate head the basis columns

    class Squares:
        terms_, term_index_ = [(0,), (1,)], np.array([0, 1, 0])

        def transform(self, X):
            return np.column_stack([X, X[:, 0] ** 2])

    X = np.arange(8.0, dtype=np.float32).reshape(4, 2)
    inputs = np.hstack([X, Squares().transform(X)])
    module = SurrogateHead(torch.nn.Linear(2, 1), n_outputs=1, n_features=2, n_basis=3)
    with torch.no_grad():
        module.surrogate.weight.copy_(torch.tensor([[0.0, 0.0, 1.0]]))
        module.surrogate.bias.fill_(0.5)
    f, g = module(torch.as_tensor(inputs))
    np.testing.assert_allclose(g[:, 0].detach().numpy(), X[:, 0] ** 2 + 0.5)


@pytest.mark.parametrize("build, n_outputs", [
    (lambda: make_mlp(3, (5, 4), 2), 2),
    (lambda: make_mlp(3, (), 2), 2),  # the first layer is the output layer
    (lambda: MultiHeadMLP(3, (5,), [1, 3]), 4),
])
def test_surrogate_head_fused_into_the_input_layer_trains_as_two_layers(build, n_outputs):
    # the head shares one nn.Linear with the network's first layer; from the same
    # seed it starts from the weights the two separate layers get, and Adam on the
    # fidelity objective moves it as it moves them (float rounding apart)
    torch.manual_seed(0)
    model, separate = build(), torch.nn.Linear(3, n_outputs)
    reference = torch.nn.ModuleList([copy.deepcopy(model), separate])
    torch.manual_seed(0)
    fused = SurrogateHead(build(), n_outputs=n_outputs, n_features=3)
    assert fused.n_hidden > 0 and len(list(fused.parameters())) == len(list(model.parameters()))
    initial = separate.weight.detach().clone()
    np.testing.assert_array_equal(fused.surrogate.weight.detach(), initial)
    X = torch.as_tensor(np.random.RandomState(0).randn(16, 3), dtype=torch.float32)
    y = torch.as_tensor(np.random.RandomState(1).randn(16, n_outputs), dtype=torch.float32)
    criterion = FidelityCriterion(torch.nn.MSELoss(), 0.3, ["identity"], multi_head=False)

    def loss(f, g):
        return criterion((torch.cat(f, dim=1) if isinstance(f, tuple) else f, g), y)["loss"]

    optimisers = [torch.optim.Adam(module.parameters(), lr=0.05)
                  for module in (reference, fused)]
    for _ in range(5):
        for optimiser in optimisers:
            optimiser.zero_grad()
        loss(reference[0](X), reference[1](X)).backward()
        *heads, g = fused(X)
        loss(tuple(heads) if len(heads) > 1 else heads[0], g).backward()
        for optimiser in optimisers:
            optimiser.step()
    np.testing.assert_allclose(fused.surrogate.weight.detach(), separate.weight.detach(),
                               atol=1e-6)
    np.testing.assert_allclose(fused.surrogate.bias.detach(), separate.bias.detach(), atol=1e-6)
    f_reference = reference[0](X)
    f_reference = torch.cat(f_reference, 1) if isinstance(f_reference, tuple) else f_reference
    np.testing.assert_allclose(torch.cat(fused(X)[:-1], 1).detach(), f_reference.detach(),
                               atol=1e-6)
    np.testing.assert_allclose(fused(X)[-1].detach(), separate(X).detach(), atol=1e-6)
    assert not np.allclose(separate.weight.detach(), initial, atol=1e-3)  # it trained
    # the black box alone, its first layer rebuilt from the shared one
    alone = fused.black_box()(X)
    alone = torch.cat(alone, 1) if isinstance(alone, tuple) else alone
    np.testing.assert_allclose(alone.detach(), f_reference.detach(), atol=1e-6)


def test_additive_attributions_sum_basis_columns_per_feature():
    class SquareBasis:
        terms_, term_index_ = [(0,), (1,)], np.array([0, 0, 1])

        def transform(self, X):
            return np.column_stack([X[:, 0], X[:, 0] ** 2, X[:, 1]])

    rng = np.random.RandomState(0)
    X = rng.randn(20, 2)
    Z = SquareBasis().transform(X)
    W, b = np.array([[1.0, -2.0, 0.5]]), np.array([0.3])
    shares = feature_shares(SquareBasis.terms_, SquareBasis.term_index_, 2)
    values, base = additive_attributions(Z, W, b, Z.mean(axis=0), shares)
    g = Z @ W[0] + b[0]
    np.testing.assert_allclose(base[0] + values[:, :, 0].sum(axis=1), g)
    shape_0 = X[:, 0] - 2 * X[:, 0] ** 2
    np.testing.assert_allclose(values[:, 0, 0], shape_0 - shape_0.mean())


def _explanation():
    rng = np.random.RandomState(0)
    return Explanation(rng.randn(6, 3, 2), np.array([0.5, -1.0]), rng.randn(6, 3),
                       ["a", "b", "c"], ["y0", "y1"])


def test_explanation_plots_return_displays():
    exp = _explanation()
    for kind in ("bar", "waterfall", "beeswarm"):
        display = exp.plot(kind, output="y1", index=2)
        assert display.ax_.figure is display.figure_
    waterfall = exp.plot("waterfall", output="y1", index=2).shown_
    np.testing.assert_allclose(waterfall.sum(), exp.values[2, :, 1].sum())
    with pytest.raises(ValueError, match="several outputs"):
        exp.plot("bar")
    with pytest.raises(ValueError, match="kind must be"):
        exp.plot("pie", output="y0")
    # the last row counts from the end, as in numpy; a row past the end is named
    np.testing.assert_allclose(exp.plot("waterfall", output="y0", index=-1).shown_.sum(),
                               exp.values[5, :, 0].sum())
    for index in (6, -7, 1.0):
        with pytest.raises(ValueError, match=r"index=.* is not a row of this explanation of 6"):
            exp.plot("waterfall", output="y0", index=index)


def test_waterfall_labels_each_bar_and_marks_the_explained_output():
    exp = _explanation()
    ax = exp.plot("waterfall", output="y1", index=2).ax_
    values = exp.values[2, :, 1]
    labels = sorted(float(text.get_text()) for text in ax.texts)
    np.testing.assert_allclose(labels, np.sort(values), atol=5e-3 * np.abs(values).max())
    lines = [line.get_xdata()[0] for line in ax.lines]
    np.testing.assert_allclose(lines, [-1.0, exp.output_values()[2, 1]])  # base, g(x)
    low, high = ax.get_xlim()
    assert low < min(lines) and high > max(lines)  # the end labels are inside the axes
    assert ax.figure.get_layout_engine() is not None  # long feature names stay in the figure


def test_to_shap_keeps_values_and_base_values():
    shap = pytest.importorskip("shap")
    exp = _explanation()
    one = exp.to_shap("y1")
    assert isinstance(one, shap.Explanation)
    np.testing.assert_array_equal(one.values, exp.values[:, :, 1])
    np.testing.assert_array_equal(one.base_values, np.full(6, -1.0))
    assert list(one.feature_names) == ["a", "b", "c"]
    assert exp.to_shap().values.shape == (6, 3, 2)


def test_to_shap_without_shap_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_shap(name, *args, **kwargs):
        if name == "shap":
            raise ImportError("No module named 'shap'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_shap)
    with pytest.raises(ImportError, match="pip install shap"):
        _explanation().to_shap("y0")


def test_explanation_checks_its_shapes():
    with pytest.raises(ValueError, match="base_values"):
        Explanation(np.zeros((2, 3, 1)), np.zeros(2), np.zeros((2, 3)), list("abc"), ["y"])
    with pytest.raises(TypeError, match="no explain method"):
        explain(Ridge().fit(np.eye(3), [1, 2, 3]), np.eye(3))
