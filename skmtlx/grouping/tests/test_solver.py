import numpy as np
import pytest

from skmtlx.grouping import grouping_objective, solve_grouping, solve_grouping_exhaustive
from skmtlx.grouping._solver import n_partitions

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
