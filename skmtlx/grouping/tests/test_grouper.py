import pickle

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skmtlx.datasets._grouping_synthetic import make_grouped_tasks
from skmtlx.grouping import TaskGrouper

FAST = dict(hidden_layer_sizes=(16,), max_epochs=30, lr=0.01, gain_epochs=2, random_state=0)


@parametrize_with_checks(
    [
        TaskGrouper(**FAST),
        TaskGrouper(
            **FAST, gain="tag", n_groups=2, group_selection="validation_1se",
            early_stopping=True, capacity="per_task",
        ),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


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
    assert search.best_params_["n_groups"] in (1, 2)


def _trunk_widths(net):
    return [m.out_features for m in net.module_.trunk.modules() if isinstance(m, torch.nn.Linear)]


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
    assert TaskGrouper(**kwargs).fit(X, Y).selection_results_ is None
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
