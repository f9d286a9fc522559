"""The generative MTL classifier and its target-shift data.

Pinned: the joint scores against a brute-force sum over tasks minus alpha times
the log prior (unequal class counts, a row subset), their normalisation against
scipy's softmax, the smoothed prior against its frequency formula, the
default's observed combinations against a by-hand argmax over them (where the
grid would predict combinations never seen), and the classifier's decisions
against the per-task argmax (alpha = 0) and the joint argmax.
"""

import pickle
import warnings

from joblib import Memory
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.multioutput import MultiOutputClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
import numpy as np
import pytest
from scipy.special import log_softmax, softmax

from skmtlx.datasets._confounded_synthetic import make_confounded_multitask
from skmtlx.datasets._multilabel_shift import resample_target_shift
from skmtlx.generative import (
    GenerativeMTLClassifier,
    exact_match_score,
    mean_task_accuracy,
    task_accuracies,
)
from skmtlx.generative._joint import (
    adjusted_joint_scores,
    enumerate_joint_labels,
    joint_log_prior,
    normalize_log_scores,
)


LINEAR = dict(hidden_layer_sizes=(), max_epochs=20, batch_size=128, lr=0.05, random_state=0)
SMALL = dict(hidden_layer_sizes=(16,), max_epochs=10, batch_size=64, lr=0.02, random_state=0)


@pytest.fixture(scope="module")
def confounded():
    kw = dict(n_tasks=2, class_sep=[0.5, 1.0])
    X, Y = make_confounded_multitask(2000, confounding=0.9, random_state=0, **kw)
    X_iid, Y_iid = make_confounded_multitask(2000, confounding=0.9, random_state=1, **kw)
    X_ood, Y_ood = make_confounded_multitask(2000, confounding=[0.9, 0.1], random_state=2, **kw)
    return X, Y, X_iid, Y_iid, X_ood, Y_ood


@pytest.fixture(scope="module")
def fitted(confounded):
    X, Y = confounded[:2]
    return GenerativeMTLClassifier(**LINEAR).fit(X, Y)


def test_prior_weight_zero_is_exactly_the_per_task_argmax(confounded):
    X, Y, X_iid = confounded[0][:600], confounded[1][:600], confounded[2]
    Y3 = np.column_stack([Y, (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)])  # 2 x 2 x 3 grid
    clf = GenerativeMTLClassifier(prior_weight=0.0, joint_labels="grid", **SMALL).fit(X, Y3)
    assert clf.joint_labels_kind_ == "grid" and len(clf.joint_labels_) == 12
    per_task = np.column_stack([lp.argmax(axis=1) for lp in clf.task_log_proba(X_iid)])
    np.testing.assert_array_equal(clf.predict(X_iid), per_task)
    # the marginals of the joint distribution are the base model's probabilities
    for proba, log_proba in zip(clf.predict_proba(X_iid), clf.task_log_proba(X_iid)):
        np.testing.assert_allclose(proba, np.exp(log_proba), atol=1e-10)
    # and with prior_weight > 0 the prediction does change somewhere
    assert np.any(clf.set_params(prior_weight=1.0).predict(X_iid) != per_task)


def test_prior_weight_trades_in_for_out_of_distribution_accuracy(fitted, confounded):
    _, _, X_iid, Y_iid, X_ood, Y_ood = confounded
    iid, ood = [], []
    for prior_weight in [0.0, 0.5, 1.0]:
        fitted.set_params(prior_weight=prior_weight)
        iid.append(mean_task_accuracy(Y_iid, fitted.predict(X_iid)))
        ood.append(mean_task_accuracy(Y_ood, fitted.predict(X_ood)))
    # the shifted-test accuracy rises with prior_weight ...
    assert ood[0] < ood[1] < ood[2]
    assert ood[2] - ood[0] > 0.08
    # ... while the in-distribution accuracy drops by less than the gain
    assert iid[0] - iid[2] < ood[2] - ood[0]
    assert iid[0] - iid[1] < 0.03
    # the weak task is where the spurious correlation hurt most
    fitted.set_params(prior_weight=0.0)
    weak_before = fitted.score_tasks(X_ood, Y_ood)[0]
    weak_after = fitted.set_params(prior_weight=1.0).score_tasks(X_ood, Y_ood)[0]
    assert weak_after - weak_before > 0.1


def test_prior_weight_changes_without_retraining(fitted, confounded):
    X_iid = confounded[2]
    net = fitted.net_
    fitted.set_params(prior_weight=0.0)
    p0 = fitted.predict_joint_proba(X_iid)
    fitted.set_params(prior_weight=1.0)
    p1 = fitted.predict_joint_proba(X_iid)
    assert fitted.net_ is net
    assert not np.allclose(p0, p1)
    # q(y|x) ∝ p(y|x) p(y)^-prior_weight
    ratio = np.log(p1) - np.log(p0)
    expected = -fitted.log_prior_
    np.testing.assert_allclose(
        ratio - ratio[:, :1], np.broadcast_to(expected - expected[0], ratio.shape), atol=1e-8
    )


def test_joint_proba_and_marginals_are_consistent(fitted, confounded):
    X_iid = confounded[2]
    fitted.set_params(prior_weight=0.7)
    joint = fitted.predict_joint_proba(X_iid[:50])
    np.testing.assert_allclose(joint.sum(axis=1), 1.0)
    labels = fitted.joint_labels_
    for t, proba in enumerate(fitted.predict_proba(X_iid[:50])):
        np.testing.assert_allclose(proba[:, 1], joint[:, labels[:, t] == 1].sum(axis=1))
    best = labels[joint.argmax(axis=1)]
    np.testing.assert_array_equal(fitted.predict(X_iid[:50]), best)
    np.testing.assert_allclose(fitted.decision_joint(X_iid[:50]).argmax(axis=1), joint.argmax(1))


def test_prior_is_smoothed_joint_frequency():
    Y = np.array([[0, 0]] * 6 + [[1, 1]] * 3 + [[0, 1]])
    codes, kind = enumerate_joint_labels(Y, [2, 2], "grid")
    log_prior, counts = joint_log_prior(Y, codes, smoothing=0.5)
    assert kind == "grid"
    assert counts.tolist() == [6, 1, 0, 3]
    np.testing.assert_allclose(np.exp(log_prior), (counts + 0.5) / (10 + 0.5 * 4))
    codes, kind = enumerate_joint_labels(Y, [2, 2], "observed")
    assert kind == "observed" and codes.tolist() == [[0, 0], [0, 1], [1, 1]]


def test_adjusted_joint_scores_against_brute_force():
    rng = np.random.RandomState(0)
    n_classes = [2, 3]
    log_proba = [log_softmax(rng.randn(6, k), axis=1) for k in n_classes]
    codes, _ = enumerate_joint_labels(None, n_classes, "grid")
    log_prior = np.log(rng.dirichlet(np.ones(len(codes))))
    rows = np.array([4, 1, 3])
    scores = adjusted_joint_scores(log_proba, codes, log_prior, 0.7, rows=rows)
    for r, i in enumerate(rows):
        for c, (a, b) in enumerate(codes):
            expected = log_proba[0][i, a] + log_proba[1][i, b] - 0.7 * log_prior[c]
            assert scores[r, c] == pytest.approx(expected, rel=1e-12)
    np.testing.assert_allclose(normalize_log_scores(scores), softmax(scores, axis=1))


def test_default_chooses_among_observed_combinations_only():
    # mutually exclusive labels (one of three tasks is on) and a weak signal: the
    # per-task probabilities leave room for combinations that never occur
    rng = np.random.RandomState(0)
    on = rng.choice(3, size=300, p=[0.6, 0.3, 0.1])
    Y = np.eye(3, dtype=int)[on]
    X = 0.3 * Y + rng.normal(size=(300, 3))
    clf = GenerativeMTLClassifier(estimator=MultiOutputClassifier(LogisticRegression()))
    clf.fit(X, Y)
    assert clf.joint_labels_kind_ == "observed"
    assert clf.joint_labels_.tolist() == [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    # by hand: sum_t log p(y_t | x) - log p(y), p(y) = (count + 1) / (n + 3)
    log_p = [np.log(est.predict_proba(X)) for est in clf.base_estimator_.estimators_]
    counts = np.array([np.sum(on == 2), np.sum(on == 1), np.sum(on == 0)])
    scores = np.column_stack([
        sum(log_p[t][:, label[t]] for t in range(3)) - np.log((count + 1) / (300 + 3))
        for label, count in zip(clf.joint_labels_, counts)])
    np.testing.assert_array_equal(clf.predict(X), clf.joint_labels_[scores.argmax(axis=1)])
    # the grid gives the 5 combinations never seen the smallest prior, so they win
    grid = clone(clf).set_params(joint_labels="grid").fit(X, Y)
    unseen = grid.predict(X).sum(axis=1) != 1
    assert unseen.mean() > 0.9
    assert exact_match_score(Y, grid.predict(X)) < exact_match_score(Y, clf.predict(X))


def test_grid_too_large_is_a_clear_error():
    rng = np.random.RandomState(0)
    X, Y = rng.normal(size=(30, 2)), rng.randint(2, size=(30, 21))
    with pytest.raises(ValueError, match="joint_labels='grid' would enumerate"):
        GenerativeMTLClassifier(joint_labels="grid", max_epochs=1).fit(X, Y)


def test_grid_search_over_prior_weight_with_memory_trains_once_per_split(tmp_path, confounded):
    X, Y = confounded[0][:300], confounded[1][:300]
    memory = Memory(tmp_path, verbose=0)
    search = GridSearchCV(
        GenerativeMTLClassifier(memory=memory, **LINEAR),
        {"prior_weight": [0.0, 0.5, 1.0]},
        cv=2,
    ).fit(X, Y)
    assert set(search.cv_results_["param_prior_weight"]) == {0.0, 0.5, 1.0}
    # one network per CV split plus the refit on all the data
    cached = [p for p in tmp_path.rglob("output.pkl")]
    assert len(cached) == 3
    # and the cached network gives the same predictions as an uncached fit
    best = search.best_params_["prior_weight"]
    direct = GenerativeMTLClassifier(prior_weight=best, **LINEAR).fit(X, Y)
    np.testing.assert_array_equal(direct.predict(X), search.predict(X))


def test_wrapping_a_fitted_multioutput_classifier(confounded):
    X, Y, X_iid = confounded[:3]
    base = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    clf = GenerativeMTLClassifier(FrozenEstimator(base), prior_weight=0.0).fit(X, Y)
    assert clf.base_estimator_.estimator is base  # not refitted
    np.testing.assert_array_equal(clf.predict(X_iid), base.predict(X_iid))
    for p, q in zip(clf.predict_proba(X_iid), base.predict_proba(X_iid)):
        np.testing.assert_allclose(p, q, atol=1e-10)
    assert not hasattr(clf, "net_")
    # grid search over prior_weight never refits the frozen model
    search = GridSearchCV(clf, {"prior_weight": [0.0, 1.0]}, cv=2).fit(X, Y)
    assert search.best_estimator_.base_estimator_.estimator is base


def test_wrapping_an_unfitted_classifier_and_a_multilabel_network(confounded):
    X, Y, X_iid = confounded[:3]
    clf = GenerativeMTLClassifier(MultiOutputClassifier(LogisticRegression())).fit(X, Y)
    assert clf.predict(X_iid).shape == Y.shape
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = GenerativeMTLClassifier(mlp, prior_weight=0.0).fit(X, Y)
        np.testing.assert_array_equal(clf.predict(X_iid), clf.base_estimator_.predict(X_iid))


def test_label_types_and_single_column_targets():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(80, 3))
    colors = np.array(["red", "green", "blue"])[rng.randint(3, size=80)]
    sizes = rng.choice(["S", "L"], size=80)
    Y = np.column_stack([colors, sizes])
    clf = GenerativeMTLClassifier(**SMALL).fit(X, Y)
    assert [list(c) for c in clf.classes_] == [["blue", "green", "red"], ["L", "S"]]
    pred = clf.predict(X)
    assert pred.shape == (80, 2) and set(pred[:, 0]) <= {"red", "green", "blue"}
    assert clf.joint_labels_.shape == (6, 2)
    # 1-D y: one task, 1-D predictions, one probability array
    clf1 = GenerativeMTLClassifier(**SMALL).fit(X, colors)
    assert clf1.predict(X).shape == (80,) and clf1.predict_proba(X).shape == (80, 3)
    assert clf1.classes_.tolist() == ["blue", "green", "red"]
    # 2-D y with one column: 2-D predictions and a list of one array
    clf2 = GenerativeMTLClassifier(**SMALL).fit(X, colors[:, None])
    assert clf2.predict(X).shape == (80, 1) and len(clf2.predict_proba(X)) == 1
    np.testing.assert_array_equal(clf1.predict(X), clf2.predict(X)[:, 0])


def test_scores(fitted, confounded):
    _, _, X_iid, Y_iid = confounded[:4]
    fitted.set_params(prior_weight=0.5)
    pred = fitted.predict(X_iid)
    assert fitted.score(X_iid, Y_iid) == pytest.approx(np.mean(np.all(pred == Y_iid, axis=1)))
    np.testing.assert_allclose(fitted.score_tasks(X_iid, Y_iid), (pred == Y_iid).mean(0))
    assert exact_match_score([[1, 2], [3, 4]], [[1, 2], [3, 5]]) == 0.5
    assert mean_task_accuracy([[1, 2], [3, 4]], [[1, 2], [3, 5]]) == 0.75
    np.testing.assert_allclose(
        task_accuracies([[1, 2], [3, 4]], [[1, 2], [3, 5]], sample_weight=[3, 1]), [1.0, 0.75]
    )
    with pytest.raises(ValueError, match="same shape"):
        exact_match_score([[1, 2]], [[1, 2, 3]])


def test_errors(confounded):
    X, Y, X_iid = confounded[:3]
    clf = GenerativeMTLClassifier(**SMALL)
    with pytest.raises(NotFittedError):
        clf.predict(X_iid)
    with pytest.raises(InvalidParameterError, match="prior_weight"):
        clone(clf).set_params(prior_weight=1.5).fit(X, Y)
    with pytest.raises(InvalidParameterError, match="estimator"):
        GenerativeMTLClassifier(StandardScaler()).fit(X, Y)
    with pytest.raises(ValueError, match="Unknown label type"):
        clf.fit(X, X[:, :2])
    fitted = clf.fit(X[:200], Y[:200])
    with pytest.raises(ValueError, match="prior_weight must be a float in"):
        fitted.set_params(prior_weight=-0.1).predict(X_iid)
    # a frozen base that never saw one of the classes of y
    base = MultiOutputClassifier(LogisticRegression()).fit(X, Y)
    Y_extra = Y.copy()
    Y_extra[0, 1] = 2
    with pytest.raises(ValueError, match=r"Target 1 has classes \[2\]"):
        GenerativeMTLClassifier(FrozenEstimator(base)).fit(X, Y_extra)


def test_pipeline_pickle_and_determinism(confounded):
    X, Y, X_iid = confounded[:3]
    pipe = make_pipeline(StandardScaler(), GenerativeMTLClassifier(**SMALL)).fit(X[:300], Y[:300])
    again = make_pipeline(StandardScaler(), GenerativeMTLClassifier(**SMALL)).fit(
        X[:300], Y[:300]
    )
    np.testing.assert_array_equal(pipe.predict_proba(X_iid)[0], again.predict_proba(X_iid)[0])
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict(X_iid), pipe.predict(X_iid))
    clf = pipe[-1]
    assert clf.n_iter_ == SMALL["max_epochs"] and "train_ce_1" in clf.history_[-1]


def test_early_stopping_records_validation_loss(confounded):
    X, Y = confounded[:2]
    clf = GenerativeMTLClassifier(
        early_stopping=True, max_epochs=200, n_iter_no_change=3, **{
            k: v for k, v in SMALL.items() if k != "max_epochs"
        }
    ).fit(X[:500], Y[:500])
    assert clf.n_iter_ < 200
    assert "valid_loss" in clf.history_[0] and "valid_ce_0" in clf.history_[0]


def test_confounded_generator_targets_and_shared_mechanism():
    X, Y, u = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, confounding=0.9, random_state=0, return_confounder=True
    )
    assert X.shape == (4000, 5) and Y.shape == (4000, 3) and set(np.unique(Y)) == {0, 1}
    assert np.all(np.abs((Y == u[:, None]).mean(axis=0) - 0.9) < 0.02)
    X_s, Y_s = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, confounding=[0.9, 0.1, 0.5], random_state=1
    )
    assert (Y[:, 0] == Y[:, 1]).mean() > 0.75 and (Y_s[:, 0] == Y_s[:, 1]).mean() < 0.25
    assert abs(np.corrcoef(Y_s[:, 0], Y_s[:, 2])[0, 1]) < 0.06
    # p(x | y) is the same in both: class-conditional means agree
    for y in [(0, 0, 0), (1, 0, 1)]:
        m = X[np.all(Y == y, axis=1)].mean(axis=0)
        m_s = X_s[np.all(Y_s == y, axis=1)].mean(axis=0)
        assert np.abs(m - m_s).max() < 0.2
    # a different mechanism seed changes p(x | y)
    X_o, Y_o = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, random_state=0, mechanism_random_state=1
    )
    np.testing.assert_array_equal(Y_o, Y)
    assert not np.allclose(X_o, X)


def test_confounded_generator_errors():
    with pytest.raises(ValueError, match="one value per task"):
        make_confounded_multitask(10, n_tasks=3, confounding=[0.9, 0.1])
    with pytest.raises(ValueError, match=r"confounding must lie in \[0, 1\]"):
        make_confounded_multitask(10, n_tasks=2, confounding=[0.9, 1.5])
    with pytest.raises(ValueError, match="n_samples"):
        make_confounded_multitask(0)


@pytest.mark.parametrize("kind", ["independent", "uniform", "shuffle"])
def test_resample_target_shift_changes_the_joint_distribution(kind):
    rng = np.random.RandomState(0)
    a = rng.randint(2, size=3000)
    Y = np.column_stack([a, np.where(rng.rand(3000) < 0.85, a, 1 - a), rng.rand(3000) < 0.3])
    idx = resample_target_shift(Y, kind=kind, n_samples=5000, random_state=0)
    assert idx.shape == (5000,) and idx.min() >= 0 and idx.max() < 3000
    joint = lambda Z: np.array([np.mean(np.all(Z == r, 1)) for r in np.unique(Y, axis=0)])  # noqa
    before, after = joint(Y), joint(Y[idx])
    assert np.abs(before - after).sum() / 2 > 0.1  # total variation
    if kind == "independent":
        assert abs(np.corrcoef(Y[idx][:, :2].T)[0, 1]) < 0.07
        np.testing.assert_allclose(Y[idx].mean(0), Y.mean(0), atol=0.04)
    if kind == "uniform":
        np.testing.assert_allclose(after, 1 / len(after), atol=0.03)
    np.testing.assert_array_equal(
        idx, resample_target_shift(Y, kind=kind, n_samples=5000, random_state=0)
    )


def test_resample_target_shift_errors():
    with pytest.raises(ValueError, match="2-D"):
        resample_target_shift(np.zeros(5))
    with pytest.raises(ValueError, match="kind"):
        resample_target_shift(np.zeros((5, 2)), kind="bogus")


@pytest.mark.parametrize("second_task", [False, True])
def test_single_class_target_is_rejected(second_task):
    X = np.random.RandomState(0).randn(40, 3)
    y = np.full(40, 7)
    if second_task:
        y = np.c_[np.arange(40) % 2, y]
    with pytest.raises(ValueError, match=rf"one class only \(7\) in task {int(second_task)}"):
        GenerativeMTLClassifier(max_epochs=2, random_state=0).fit(X, y)
