"""TaskGrouper: transfer gains, the grouping program, the estimator.

Pinned: the vectorised Adam lookahead against real optimizer steps, the principled
gains (direction source -> target included) against a copy of the network stepped
by torch's Adam, TAG gains against a manual lookahead (with and without
``lookahead_lr``), the measurement schedule; the grouping program (no warm start,
no fallback) against a brute-force enumeration of set partitions on cases where
each constraint binds (asserted), an answer breaking a constraint is an error;
the estimator's cross-validation scores against ``cross_val_score``.
"""

import copy
import itertools
import pickle
from functools import partial

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import sklearn.utils
import torch
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtlx._torch import MultiHeadMLP, TrainingConfig, train_module
from skmtlx.datasets._grouping_synthetic import make_grouped_tasks
from skmtlx.grouping import TaskGrouper
from skmtlx.grouping import TransferGainRecorder
from skmtlx.grouping import grouping_objective, solve_grouping, solve_grouping_exhaustive
from skmtlx.grouping._gains import MultiTaskLoss
from skmtlx.grouping import n_partitions
import skmtlx.grouping._gains as gains_module
import skmtlx.grouping._solver as solver_module


rng = np.random.RandomState(0)
X = rng.randn(120, 5).astype(np.float32)
Y = np.c_[X[:, 0], X[:, 0] + 0.1 * X[:, 1], np.sin(3 * X[:, 2]), X[:, 3] > 0].astype(np.float32)
BINARY = [False, False, False, True]


def _fit(recorder=None, weight_decay=0.0):
    callbacks = [("gains", recorder)] if recorder is not None else []
    config = TrainingConfig(lr=0.01, max_epochs=2, batch_size=40, weight_decay=weight_decay,
                            seed=0)
    return train_module(config, partial(MultiHeadMLP, 5, (16,), [1] * 4), MultiTaskLoss(BINARY),
                        X, Y, callbacks=callbacks)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_vectorised_adam_lookahead_equals_real_optimizer_steps(monkeypatch, weight_decay):
    fast = TransferGainRecorder()
    _fit(fast, weight_decay)
    monkeypatch.setattr(gains_module, "_is_plain_adam", lambda optimizer: False)
    slow = TransferGainRecorder()
    _fit(slow, weight_decay)
    assert fast.n_measurements_ == slow.n_measurements_ == 6
    np.testing.assert_allclose(fast.gains_, slow.gains_, atol=1e-6)
    assert np.all(np.diag(fast.gains_) == 0)
    assert np.abs(fast.gains_).max() > 0


@pytest.mark.parametrize("kind", ["principled", "tag"])
def test_recorder_leaves_training_unchanged(kind):
    plain = _fit()
    recorder = TransferGainRecorder(kind=kind, every=3)
    recorded = _fit(recorder)
    for p, q in zip(plain.module_.parameters(), recorded.module_.parameters()):
        assert torch.equal(p, q)
    assert recorder.n_measurements_ == 2  # 3 batches per epoch, every 3rd: 1 per epoch
    assert len(recorder.epoch_gains_) == 2
    np.testing.assert_allclose(np.mean(recorder.epoch_gains_, axis=0), recorder.gains_)


def test_tag_matches_manual_lookahead():
    net = _fit()
    recorder = TransferGainRecorder(kind="tag")
    Xb, yb = torch.from_numpy(X[:40]), torch.from_numpy(Y[:40])
    gains = recorder._tag(net, Xb, yb)
    losses = net.criterion_.per_task(net.module_(Xb), yb)
    trunk = list(net.module_.trunk.parameters())
    grad = torch.autograd.grad(losses[2], trunk, retain_graph=True)
    with torch.no_grad():
        for p, g in zip(trunk, grad):
            p.sub_(net.lr * g)
        after = net.criterion_.per_task(net.module_(Xb), yb)
    expected = 1 - after.numpy() / losses.detach().numpy()
    np.testing.assert_allclose(gains[2], expected, rtol=1e-4, atol=1e-7)


def _adam_lookahead_losses(net, tasks, Xb, yb):
    """Per-task losses after one real Adam step on the summed loss of ``tasks`` (on a copy)."""
    module = copy.deepcopy(net.module_)
    optimizer = torch.optim.Adam(module.parameters(), lr=net.lr)
    optimizer.load_state_dict(copy.deepcopy(net.optimizer_.state_dict()))  # own moments
    losses = net.criterion_.per_task(module(Xb), yb)
    sum(losses[t] for t in tasks).backward()
    optimizer.step()
    with torch.no_grad():
        return net.criterion_.per_task(module(Xb), yb).numpy().astype(float)


def test_principled_gains_match_real_adam_steps_source_to_target():
    net = _fit()
    Xb, yb = torch.from_numpy(X[:40]), torch.from_numpy(Y[:40])
    gains = TransferGainRecorder()._principled(net, Xb, yb)
    n_tasks = Y.shape[1]
    expected = np.zeros((n_tasks, n_tasks))
    for i, j in itertools.permutations(range(n_tasks), 2):
        # gains[i, j]: how much stepping on task i as well helps task j
        alone = _adam_lookahead_losses(net, [j], Xb, yb)[j]
        expected[i, j] = 1 - _adam_lookahead_losses(net, [i, j], Xb, yb)[j] / alone
    assert not np.allclose(expected, expected.T, atol=1e-3)  # asymmetric: direction matters
    np.testing.assert_allclose(gains, expected, rtol=1e-4, atol=1e-6)


def test_tag_gains_use_lookahead_lr():
    net = _fit()
    Xb, yb = torch.from_numpy(X[:40]), torch.from_numpy(Y[:40])
    gains = TransferGainRecorder(kind="tag", lookahead_lr=0.5)._tag(net, Xb, yb)
    losses = net.criterion_.per_task(net.module_(Xb), yb)
    module = copy.deepcopy(net.module_)
    trunk = list(module.trunk.parameters())
    grad = torch.autograd.grad(net.criterion_.per_task(module(Xb), yb)[0], trunk)
    with torch.no_grad():
        for p, g in zip(trunk, grad):
            p.sub_(0.5 * g)  # lookahead_lr, not net.lr
        after = net.criterion_.per_task(module(Xb), yb)
    expected = 1 - after.numpy() / losses.detach().numpy()
    np.testing.assert_allclose(gains[0], expected, rtol=1e-4, atol=1e-7)


def test_recorder_measures_the_first_batch_then_every_nth():
    recorder = TransferGainRecorder(every=4)
    _fit(recorder)
    # 3 batches per epoch, 2 epochs: batches 1 and 5 of 6
    assert recorder.n_measurements_ == 2
    assert len(recorder.epoch_gains_) == 2


def test_recorder_epoch_without_a_measured_batch_is_nan():
    recorder = TransferGainRecorder(every=7)
    _fit(recorder)
    # 3 batches per epoch, 2 epochs: batch 1 only, so the second epoch has no measurement
    assert recorder.n_measurements_ == 1
    assert np.all(np.isfinite(recorder.epoch_gains_[0]))
    assert np.all(np.isnan(recorder.epoch_gains_[1]))
    np.testing.assert_array_equal(recorder.gains_, recorder.epoch_gains_[0])


CONSTRAINTS = {
    "budget": lambda T, rng: {"n_groups": 2},
    "min_groups": lambda T, rng: {"n_groups": 4, "min_groups": 3},
    "max_group_size": lambda T, rng: {"max_group_size": 2 if T <= 5 else 3},
    "max_group_cost": lambda T, rng: {
        "task_costs": rng.randint(1, 4, T).astype(float),
        "group_cost": 1.0,
        "max_group_cost": 6.0,
    },
    "max_total_cost": lambda T, rng: {
        "task_costs": rng.randint(1, 4, T).astype(float),
        "group_cost": 2.0,
        "max_total_cost": float(2 * T) + 4.0,
    },
    "must_link": lambda T, rng: {"must_link": [(0, T - 1), (1, 2)], "n_groups": 3},
    "cannot_link": lambda T, rng: {"cannot_link": [(0, 1), (1, 2), (0, 2)], "n_groups": 3},
    "combined": lambda T, rng: {
        "n_groups": 3,
        "max_group_size": T // 2 + 1,
        "must_link": [(0, 3)],
        "cannot_link": [(1, 2)],
    },
}


@pytest.mark.parametrize("name", sorted(CONSTRAINTS))
@pytest.mark.parametrize("n_tasks", [5, 8])
def test_program_matches_exhaustive(name, n_tasks):
    rng = np.random.RandomState(n_tasks * 31 + len(name))
    gains = rng.randn(n_tasks, n_tasks)
    kwargs = CONSTRAINTS[name](n_tasks, rng)
    mip = solve_grouping(gains, **kwargs)
    exact = solve_grouping_exhaustive(gains, **kwargs)
    assert mip.status == "optimal"
    assert mip.objective == pytest.approx(exact.objective, abs=1e-6)
    # the returned partition is valid and its objective is the reported one
    assert sorted(t for g in mip.groups for t in g) == list(range(n_tasks))
    assert grouping_objective(gains, mip.groups) == pytest.approx(mip.objective)
    if "n_groups" in kwargs:
        assert len(mip.groups) <= kwargs["n_groups"]
    if "min_groups" in kwargs:
        assert len(mip.groups) >= kwargs["min_groups"]
    if "max_group_size" in kwargs:
        assert max(len(g) for g in mip.groups) <= kwargs["max_group_size"]
    for i, k in kwargs.get("must_link", []):
        assert mip.labels[i] == mip.labels[k]
    for i, k in kwargs.get("cannot_link", []):
        assert mip.labels[i] != mip.labels[k]
    if "max_group_cost" in kwargs:
        costs = [kwargs["group_cost"] + kwargs["task_costs"][g].sum() for g in mip.groups]
        assert max(costs) <= kwargs["max_group_cost"] + 1e-9
    if "max_total_cost" in kwargs:
        total = kwargs["group_cost"] * len(mip.groups) + kwargs["task_costs"].sum()
        assert total <= kwargs["max_total_cost"] + 1e-9


def _set_partitions(n):
    """Every partition of range(n), as label lists (restricted growth strings)."""
    def grow(labels, n_used):
        if len(labels) == n:
            yield list(labels)
            return
        for g in range(n_used + 1):
            yield from grow(labels + [g], max(n_used, g + 1))
    yield from grow([], 0)


def _brute_force(gains, accept):
    """Largest sum_g 1/|G| sum_{i != k in G} gains[i, k] over the partitions ``accept`` takes."""
    best = -np.inf
    for labels in _set_partitions(len(gains)):
        if not accept(np.array(labels)):
            continue
        value = 0.0
        for g in set(labels):
            members = [t for t, lab in enumerate(labels) if lab == g]
            pairs = [(i, k) for i in members for k in members if i != k]
            value += sum(gains[i, k] for i, k in pairs) / len(members)
        best = max(best, value)
    return best


def _group_costs(labels, task_costs, group_cost):
    return np.array([group_cost + task_costs[labels == g].sum() for g in np.unique(labels)])


COSTS = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0])
# (sign of the gains, solver arguments, the constraint as a test of a label vector): with
# positive gains the unconstrained optimum is one group, with negative ones every task alone
BINDING = {
    "n_groups": (-1, {"n_groups": 2}, lambda lab: len(set(lab)) <= 2),
    "min_groups": (1, {"min_groups": 3}, lambda lab: len(set(lab)) >= 3),
    "max_group_size": (1, {"max_group_size": 2}, lambda lab: np.bincount(lab).max() <= 2),
    "max_group_cost": (
        1, {"task_costs": COSTS, "group_cost": 1.0, "max_group_cost": 5.0},
        lambda lab: _group_costs(lab, COSTS, 1.0).max() <= 5.0,
    ),
    "max_total_cost": (
        -1, {"task_costs": COSTS, "group_cost": 2.0, "max_total_cost": COSTS.sum() + 4.0},
        lambda lab: _group_costs(lab, COSTS, 2.0).sum() <= COSTS.sum() + 4.0,
    ),
    "must_link": (
        -1, {"must_link": [(0, 5), (1, 3)]}, lambda lab: lab[0] == lab[5] and lab[1] == lab[3],
    ),
    "cannot_link": (
        1, {"cannot_link": [(0, 1), (2, 3), (4, 5), (0, 5)]},
        lambda lab: all(lab[i] != lab[k] for i, k in [(0, 1), (2, 3), (4, 5), (0, 5)]),
    ),
}


@pytest.mark.parametrize("name", sorted(BINDING))
def test_program_alone_meets_binding_constraints(name):
    sign, kwargs, accept = BINDING[name]
    gains = sign * np.random.RandomState(len(name)).uniform(0.2, 1.0, (6, 6))
    best = _brute_force(gains, accept)
    # precondition: the constraint binds (the unconstrained optimum breaks it)
    assert best < _brute_force(gains, lambda lab: True) - 1e-3
    # the program on its own: no heuristic warm start to fall back on
    result = solve_grouping(gains, warm_start=False, **kwargs)
    assert result.solver == "HIGHS" and result.heuristic_objective is None
    assert result.status == "optimal"
    assert accept(result.labels)
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert solve_grouping_exhaustive(gains, **kwargs).objective == pytest.approx(best, abs=1e-9)
    # with the warm start, the answer is still the program's optimum
    warm = solve_grouping(gains, **kwargs)
    assert warm.solver == "HIGHS" and warm.objective == pytest.approx(best, abs=1e-6)


def test_program_answer_breaking_a_constraint_is_an_error(monkeypatch):
    build = solver_module._build_program

    def without_must_link(problem, **kwargs):
        return build(sklearn.utils.Bunch(**{**problem, "must_link": []}), **kwargs)

    monkeypatch.setattr(solver_module, "_build_program", without_must_link)
    gains = -np.ones((4, 4))  # every task alone is best, must_link forbids it
    for warm_start in (False, True):
        with pytest.raises(RuntimeError, match="breaks must_link"):
            solve_grouping(gains, must_link=[(0, 1)], warm_start=warm_start)


def test_without_warm_start_same_optimum():
    rng = np.random.RandomState(0)
    gains = rng.randn(7, 7)
    a = solve_grouping(gains, n_groups=3, warm_start=False)
    b = solve_grouping(gains, n_groups=3)
    assert a.heuristic_objective is None
    assert b.heuristic_objective is not None and b.heuristic_objective <= b.objective + 1e-9
    assert a.objective == pytest.approx(b.objective, abs=1e-6)


def test_planted_gains_recovered():
    rng = np.random.RandomState(0)
    labels = np.repeat([0, 1, 2], 4)
    gains = np.where(labels[:, None] == labels[None, :], 0.5, -0.5) + 0.1 * rng.randn(12, 12)
    result = solve_grouping(gains, n_groups=3)
    assert result.groups == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]]
    assert result.solver == "HIGHS" and result.solve_time > 0
    assert result.gap is not None and result.gap <= 1e-6


def test_objective_definition():
    gains = np.array([[5.0, 1.0, 2.0], [3.0, 5.0, 0.0], [1.0, 1.0, 5.0]])
    # diagonal ignored; group {0, 1, 2}: (1 + 2 + 3 + 0 + 1 + 1) / 3
    assert grouping_objective(gains, [[0, 1, 2]]) == pytest.approx(8 / 3)
    assert grouping_objective(gains, [[0], [1], [2]]) == 0.0
    assert solve_grouping_exhaustive(gains).objective == pytest.approx(8 / 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_groups": 2, "max_group_size": 2}, "do not fit"),
        ({"must_link": [(0, 1)], "cannot_link": [(0, 1)]}, "cannot-linked"),
        ({"must_link": [(0, 1), (1, 2)], "max_group_size": 2}, "must_link joins"),
        ({"n_groups": 2, "min_groups": 3}, "min_groups"),
        ({"task_costs": [1, 1, 1, 5, 1], "max_group_cost": 3}, "max_group_cost"),
        ({"group_cost": 10, "max_total_cost": 5}, "max_total_cost"),
        # only the program itself can tell: a triangle of cannot-links in 2 groups
        ({"n_groups": 2, "cannot_link": [(0, 1), (1, 2), (0, 2)]}, "no partition"),
    ],
)
@pytest.mark.parametrize("solver", [solve_grouping, solve_grouping_exhaustive])
def test_infeasible_raises(kwargs, match, solver):
    gains = np.random.RandomState(0).randn(5, 5)
    with pytest.raises(ValueError, match=match):
        solver(gains, **kwargs)


@pytest.mark.parametrize(
    "gains, kwargs, match",
    [
        (np.zeros((2, 3)), {}, "square"),
        (np.full((2, 2), np.nan), {}, "finite"),
        (np.zeros((3, 3)), {"n_groups": 0}, "n_groups"),
        (np.zeros((3, 3)), {"must_link": [(0, 5)]}, "must_link refers to task 5"),
        (np.zeros((3, 3)), {"cannot_link": [(1, 1)]}, "itself"),
        (np.zeros((3, 3)), {"task_costs": [1, 2]}, "task_costs"),
        (np.zeros((3, 3)), {"time_limit": -1}, "time_limit"),
    ],
)
def test_invalid_arguments(gains, kwargs, match):
    with pytest.raises(ValueError, match=match):
        solve_grouping(gains, **kwargs)


def test_exhaustive_refuses_large_problems():
    with pytest.raises(ValueError, match="limited to 10 tasks"):
        solve_grouping_exhaustive(np.zeros((11, 11)))


def test_single_task_and_time_limit():
    assert solve_grouping(np.zeros((1, 1))).groups == [[0]]
    rng = np.random.RandomState(1)
    gains = rng.randn(9, 9)
    result = solve_grouping(gains, n_groups=3, time_limit=30)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(
        solve_grouping_exhaustive(gains, n_groups=3).objective, abs=1e-6
    )


def test_n_partitions():
    # Bell numbers and Stirling sums
    assert [n_partitions(n) for n in range(1, 7)] == [1, 2, 5, 15, 52, 203]
    assert n_partitions(4, 2) == 8


def test_time_limit_returns_best_found_partition():
    rng = np.random.RandomState(3)
    gains = rng.randn(30, 30)
    result = solve_grouping(gains, n_groups=5, time_limit=0.01)
    assert result.status == "time_limit"
    assert sorted(t for g in result.groups for t in g) == list(range(30))
    assert len(result.groups) <= 5
    # never worse than the warm start it was given
    assert result.objective >= result.heuristic_objective - 1e-9


FAST = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, gain_epochs=2, random_state=0)


@pytest.fixture(scope="module")
def planted():
    X, Y, labels = make_grouped_tasks(
        400, 8, (3, 3, 3), noise=0.3, task_noise=0.0, shuffle_tasks=True, random_state=0
    )
    return X, Y, labels


def _same_partition(groups, labels):
    return sorted(sorted(g) for g in groups) == sorted(
        sorted(np.flatnonzero(labels == g).tolist()) for g in np.unique(labels)
    )


@pytest.mark.parametrize("gain", ["principled", "tag"])
def test_planted_groups_recovered(planted, gain):
    X, Y, labels = planted
    grouper = TaskGrouper(
        hidden_layer_sizes=(32,), n_groups=3, gain=gain, max_epochs=15, lr=3e-3,
        batch_size=64, gain_every=2, random_state=0,
    ).fit(X, Y)
    assert _same_partition(grouper.groups_, labels), (grouper.groups_, labels)
    same = labels[:, None] == labels[None, :]
    off = ~np.eye(len(labels), dtype=bool)
    assert grouper.gains_[same & off].mean() > grouper.gains_[~same].mean()
    assert grouper.gain_history_.shape == (15, 9, 9)
    assert grouper.solver_status_ == "optimal"
    assert len(grouper.estimators_) == 3
    assert grouper.predict(X).shape == Y.shape


def test_given_groups_and_losses(planted):
    X, Y, labels = planted
    kwargs = dict(hidden_layer_sizes=(16,), max_epochs=5, random_state=0)
    alone = TaskGrouper(task_groups=[[t] for t in range(9)], **kwargs).fit(X, Y)
    assert alone.gains_ is None and alone.solver_status_ == "given"
    assert len(alone.estimators_) == 9
    together = TaskGrouper(task_groups=[list(range(9))], **kwargs).fit(X, Y)
    assert together.groups_ == [list(range(9))]
    for model in (alone, together):
        losses = model.task_losses(X, Y)
        assert losses.shape == (9,) and np.all(losses > 0)
        # regression loss is MSE over training variance: 1 - R^2 on training data
        r2 = model.score_tasks(X, Y)
        np.testing.assert_allclose(losses, 1 - r2, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="partition"):
        TaskGrouper(task_groups=[[0, 1]], **kwargs).fit(X, Y)


def test_constraints_are_passed_to_the_program(planted):
    X, Y, labels = planted
    grouper = TaskGrouper(
        hidden_layer_sizes=(8,), max_epochs=2, random_state=0, n_groups=4,
        max_group_size=3, must_link=[(0, 1)], cannot_link=[(2, 3)],
    ).fit(X, Y)
    lab = grouper.group_labels_
    assert len(grouper.groups_) <= 4
    assert max(len(g) for g in grouper.groups_) <= 3
    assert lab[0] == lab[1] and lab[2] != lab[3]
    with pytest.raises(ValueError, match="Infeasible"):
        TaskGrouper(hidden_layer_sizes=(8,), max_epochs=1, n_groups=2, max_group_size=2).fit(X, Y)


def test_mixed_targets_and_wrapped_estimator(planted):
    X, Y, _ = planted
    Y = Y[:, :4].copy()
    Y[:, 1] = np.where(Y[:, 1] > 0, 5, 3)  # binary with labels {3, 5}
    grouper = TaskGrouper(hidden_layer_sizes=(16,), max_epochs=20, lr=1e-2, random_state=0)
    grouper.fit(X, Y)
    assert grouper.task_types_ == ["regression", "binary", "regression", "regression"]
    pred = grouper.predict(X)
    assert set(np.unique(pred[:, 1])) <= {3.0, 5.0}
    scores = grouper.score_tasks(X, Y)
    assert 0.5 < scores[1] <= 1.0  # accuracy of the binary task
    wrapped = TaskGrouper(
        hidden_layer_sizes=(8,), max_epochs=2, random_state=0, estimator=Ridge(),
        task_types=["regression"] * 4, task_groups=[[0, 2], [1], [3]],
    ).fit(X, Y)
    assert all(isinstance(e, Ridge) for e in wrapped.estimators_)
    np.testing.assert_allclose(wrapped.predict(X)[:, 1], Ridge().fit(X, Y[:, 1]).predict(X))
    with pytest.raises(ValueError, match="task_types"):
        TaskGrouper(task_types=["binary"]).fit(X, Y)


def test_string_labels_are_binary_tasks_predicted_in_their_dtype(planted):
    from sklearn.linear_model import LogisticRegression

    X, Y, _ = planted
    codes = (Y[:, :3] > 0).astype(int)
    words = np.where(codes == 1, "yes", "no")  # "yes" sorts last: the positive class
    kwargs = dict(hidden_layer_sizes=(8,), max_epochs=5, gain_epochs=2, random_state=0)
    numeric = TaskGrouper(**kwargs).fit(X, codes)
    named = TaskGrouper(**kwargs).fit(X, words)
    # the same networks (the same 0/1 targets), the labels in the dtype given
    assert named.task_types_ == ["binary"] * 3 and named.groups_ == numeric.groups_
    pred = named.predict(X)
    assert pred.dtype == words.dtype
    np.testing.assert_array_equal(pred, np.where(numeric.predict(X) == 1, "yes", "no"))
    np.testing.assert_allclose(named.predict_proba(X), numeric.predict_proba(X))
    np.testing.assert_allclose(named.score_tasks(X, words), numeric.score_tasks(X, codes))
    np.testing.assert_allclose(named.task_losses(X, words), numeric.task_losses(X, codes))
    # a DataFrame mixing a label column with a regression column
    frame = pd.DataFrame({"tumour": np.where(codes[:, 0] == 1, "malignant", "benign"),
                          "size": Y[:, 3]})
    mixed = TaskGrouper(**kwargs).fit(X, frame)
    reference = TaskGrouper(**kwargs).fit(X, np.c_[codes[:, 0], Y[:, 3]])
    assert mixed.task_types_ == ["binary", "regression"]
    pred, expected = mixed.predict(X), reference.predict(X)
    np.testing.assert_array_equal(pred[:, 0], np.where(expected[:, 0] == 1, "malignant",
                                                       "benign"))
    np.testing.assert_allclose(pred[:, 1].astype(float), expected[:, 1])
    # a wrapped classifier is given the labels themselves
    wrapped = TaskGrouper(estimator=LogisticRegression(), task_groups=[[0], [1], [2]],
                          random_state=0).fit(X, words)
    np.testing.assert_array_equal(wrapped.predict(X)[:, 1],
                                  LogisticRegression().fit(X, words[:, 1]).predict(X))
    # labels that are not two: an error naming the column
    colours = pd.DataFrame({"colour": np.array(["red", "green", "blue"])[np.arange(len(X)) % 3]})
    with pytest.raises(ValueError, match=r"Task 0 \(colour\) has 3 distinct labels that are "
                                         "not numbers.*one binary column per class"):
        TaskGrouper(**kwargs).fit(X, colours)
    with pytest.raises(ValueError, match=r"Task 1 \(task1\) is declared regression but its "
                                         "values are not numbers"):
        TaskGrouper(task_types=["binary", "regression", "binary"], **kwargs).fit(X, words)


def test_wrapped_dense_only_estimator_fits_on_sparse_X(planted):
    from sklearn.ensemble import HistGradientBoostingRegressor

    X, Y, _ = planted
    X, Y = np.where(np.abs(X) < 0.5, 0.0, X), Y[:, :3]
    booster = HistGradientBoostingRegressor(max_iter=10, random_state=0)
    with pytest.raises(TypeError, match="dense data is required"):  # precondition
        clone(booster).fit(sp.csr_matrix(X), Y[:, 0])
    grouper = TaskGrouper(estimator=booster, task_groups=[[0], [1], [2]], random_state=0)
    sparse = clone(grouper).fit(sp.csr_matrix(X), Y)
    dense = clone(grouper).fit(X, Y)
    # every booster was given the dense rows
    np.testing.assert_array_equal(sparse.predict(sp.csc_matrix(X)), dense.predict(X))
    np.testing.assert_array_equal(sparse.explain(sp.csr_array(X)).values,
                                  dense.explain(X).values)


def test_deterministic_clone_pickle_pipeline(planted):
    X, Y, _ = planted
    Y = Y[:, :3]
    est = TaskGrouper(hidden_layer_sizes=(8,), max_epochs=3, random_state=1)
    a = clone(est).fit(X, Y)
    b = clone(est).fit(X, Y)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    np.testing.assert_array_equal(a.gains_, b.gains_)
    c = pickle.loads(pickle.dumps(a))
    np.testing.assert_array_equal(a.predict(X), c.predict(X))
    pipe = make_pipeline(StandardScaler(), clone(est)).fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
    search = GridSearchCV(clone(est), {"n_groups": [1, 2]}, cv=2).fit(X, Y)
    for k, score in zip([1, 2], search.cv_results_["mean_test_score"]):
        expected = cross_val_score(clone(est).set_params(n_groups=k), X, Y, cv=2).mean()
        assert score == pytest.approx(expected, rel=1e-6)


def _trunk_widths(net):
    network = getattr(net.module_, "model", net.module_)  # under its surrogate head
    widths = [m.out_features for m in network.trunk.modules() if isinstance(m, torch.nn.Linear)]
    # a surrogate head fused into the trunk's first layer holds that layer's units
    fused = getattr(net.module_, "n_hidden", 0)
    return [fused, *widths] if fused else widths


def test_validation_selection_of_the_number_of_groups(planted, tmp_path):
    X, Y, labels = planted
    Y = Y[:, :6]
    kwargs = dict(hidden_layer_sizes=(8,), max_epochs=15, lr=1e-2, gain_epochs=3,
                  early_stopping=True, validation_fraction=0.25, random_state=0)
    grouper = TaskGrouper(group_selection="validation", **kwargs).fit(X, Y)
    res = grouper.selection_results_
    assert set(res) == {"max_groups", "groups", "objective", "valid_loss", "std_err"}
    # every budget's solution is a candidate (duplicates removed); the whole
    # budget (6 groups) allows "each task alone", which is always a candidate
    assert [[0, 1, 2, 3, 4, 5]] in res["groups"]
    assert [[t] for t in range(6)] in res["groups"]
    assert len(res["groups"]) == len({str(g) for g in res["groups"]})
    assert all(len(g) <= k for g, k in zip(res["groups"], res["max_groups"]))
    best = int(np.argmin(res["valid_loss"]))
    assert grouper.groups_ == res["groups"][best]
    assert len(grouper.estimators_) == len(grouper.groups_)
    # the kept networks are those "task_groups=<chosen groups>" trains on the same rows
    given = TaskGrouper(task_groups=grouper.groups_, group_selection="validation", **kwargs)
    given.fit(X, Y)
    np.testing.assert_allclose(given.predict(X), grouper.predict(X), rtol=1e-5, atol=1e-6)
    # a budget below the number of tasks: only the program's solutions
    small = TaskGrouper(group_selection="validation", n_groups=2, **kwargs).fit(X, Y)
    assert set(small.selection_results_["max_groups"]) <= {1, 2}
    assert len(small.groups_) <= 2
    one_epoch = dict(kwargs, max_epochs=1, gain_epochs=1)
    assert TaskGrouper(**one_epoch).fit(X, Y).selection_results_ is None
    # one-standard-error rule: same candidates, the fewest groups within one SE
    one_se = TaskGrouper(group_selection="validation_1se", memory=str(tmp_path), **kwargs)
    one_se.fit(X, Y)
    res_1se = one_se.selection_results_
    assert res_1se["groups"] == res["groups"]
    np.testing.assert_allclose(res_1se["valid_loss"], res["valid_loss"])
    loss, se = np.array(res["valid_loss"]), np.array(res["std_err"])
    assert se[best] == 0 and np.all(se >= 0)
    within = [c for c in range(len(loss)) if loss[c] - loss[best] <= se[c]]
    assert len(one_se.groups_) == min(len(res["groups"][c]) for c in within)
    assert one_se.groups_ in [res["groups"][c] for c in within]
    # the cache gives back the same networks
    assert any(tmp_path.iterdir())
    again = clone(one_se).fit(X, Y)
    np.testing.assert_array_equal(again.predict(X), one_se.predict(X))
    np.testing.assert_array_equal(again.predict(X), clone(one_se).set_params(
        memory=None).fit(X, Y).predict(X))


def test_early_stopping_stops_the_group_networks_not_the_gain_network():
    # targets of pure noise: the held-out loss stalls at once, so every
    # early-stopped network stops long before max_epochs
    rng = np.random.RandomState(0)
    X, Y = rng.randn(300, 3), rng.randn(300, 3)
    kwargs = dict(hidden_layer_sizes=(16,), lr=0.05, max_epochs=40, n_iter_no_change=2,
                  random_state=0)
    stopped = TaskGrouper(early_stopping=True, **kwargs).fit(X, Y)
    full = TaskGrouper(early_stopping=False, **kwargs).fit(X, Y)
    # the gain network trains every epoch on every row (no row is held out for
    # the choice of the grouping here), so it measures exactly what it does
    # without early stopping
    assert stopped.n_iter_ == 40
    np.testing.assert_array_equal(stopped.gains_, full.gains_)
    assert stopped.groups_ == full.groups_
    # the group networks stop on the held-out rows (10%) and train on the rest
    assert all(len(net.history) < 40 for net in stopped.estimators_)
    assert all(len(net.history) == 40 for net in full.estimators_)
    rows = [sum(net.history[-1, "batches", :, "train_batch_size"]) for net in stopped.estimators_]
    assert rows == [270] * len(stopped.estimators_)
    with_selection = TaskGrouper(early_stopping=True, group_selection="validation",
                                 **kwargs).fit(X, Y)
    assert with_selection.n_iter_ == 40


def test_validation_selection_keeps_unrelated_tasks_apart():
    # three unrelated tasks |x_k|, each needing the whole two-unit trunk
    rng = np.random.RandomState(0)
    X = rng.randn(600, 3)
    Y = np.abs(X) + 0.05 * rng.randn(600, 3)
    grouper = TaskGrouper(
        hidden_layer_sizes=(2,), group_selection="validation", max_epochs=60, lr=3e-2,
        gain_epochs=5, validation_fraction=0.3, random_state=0,
    ).fit(X, Y)
    res = grouper.selection_results_
    alone = res["groups"].index([[0], [1], [2]])
    together = res["groups"].index([[0, 1, 2]])
    assert res["valid_loss"][alone] < 0.5 * res["valid_loss"][together]
    assert grouper.groups_ == [[0], [1], [2]]
    assert grouper.solver_status_ == "alone" or grouper.objective_ == 0


def test_capacity_per_task(planted):
    X, Y, _ = planted
    kwargs = dict(hidden_layer_sizes=(4, 3), max_epochs=2, random_state=0,
                  task_groups=[[0, 1, 2], [3], [4, 5, 6, 7, 8]])
    shared = TaskGrouper(**kwargs).fit(X, Y)
    per_task = TaskGrouper(capacity="per_task", **kwargs).fit(X, Y)
    assert [_trunk_widths(n) for n in shared.estimators_] == [[4, 3]] * 3
    assert [_trunk_widths(n) for n in per_task.estimators_] == [[12, 9], [4, 3], [20, 15]]
    with pytest.raises(ValueError, match="capacity"):
        TaskGrouper(capacity="wide", max_epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match="group_selection"):
        TaskGrouper(group_selection="cv", max_epochs=1).fit(X, Y)


def test_solver_prints_nothing_unless_verbose():
    # HiGHS prints its banner from C++ once per process: run in a fresh one
    import subprocess
    import sys

    # (quiet first, so that the banner is the quiet solve's to hide)
    code = ("import numpy as np; from skmtlx.grouping import solve_grouping; "
            "g = np.random.RandomState(0).randn(4, 4); "
            "solve_grouping(g, n_groups=2, verbose=False); print('<verbose>', flush=True); "
            "solve_grouping(g, n_groups=2, verbose=True)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    quiet, loud = run.stdout.split("<verbose>\n")
    assert quiet == ""
    assert "Solving MIP model" in loud


def test_group_networks_in_worker_processes_are_the_same(planted):
    X, Y, _ = planted
    kwargs = dict(hidden_layer_sizes=(8,), max_epochs=5, lr=1e-2, gain_epochs=2,
                  group_selection="validation", random_state=0)
    alone = TaskGrouper(**kwargs).fit(X, Y[:, :4])
    parallel = TaskGrouper(n_jobs=2, **kwargs).fit(X, Y[:, :4])
    assert len(alone.selection_results_["groups"]) > 1
    assert parallel.selection_results_ == alone.selection_results_
    np.testing.assert_array_equal(parallel.predict(X), alone.predict(X))


def test_silent_by_default_including_the_solver(planted, capfd):
    X, Y, _ = planted
    TaskGrouper(hidden_layer_sizes=(8,), max_epochs=2, group_selection="validation",
                random_state=0).fit(X, Y[:, :4])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
