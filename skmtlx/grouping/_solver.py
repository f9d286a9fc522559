"""Choose task groups from a transfer-gain matrix.

Two solvers share one objective and one set of constraints:

* :func:`solve_grouping` writes the problem as a mixed-integer *linear*
  program in cvxpy and solves it with HiGHS;
* :func:`solve_grouping_exhaustive` enumerates every set partition (small
  numbers of tasks only) and is used to check the program's optimality.

The objective of a partition ``G_1, ..., G_m`` of the tasks is the one of
Wang, Pan & Yu ("Towards Principled Task Grouping for Multi-Task Learning")::

    sum_g 1 / |G_g| * sum_{i != k in G_g} gains[i, k]

i.e. for every task ``k`` the average over its group of the gains it receives,
summed over tasks. The diagonal of ``gains`` is ignored and a task alone in
its group contributes 0.
"""

import math
import time
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch

from ..utils._progress import native_output

__all__ = [
    "grouping_objective",
    "n_partitions",
    "solve_grouping",
    "solve_grouping_exhaustive",
]

_EXHAUSTIVE_MAX_TASKS = 10


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------
def _check_gains(gains):
    gains = np.asarray(gains, dtype=float)
    if gains.ndim != 2 or gains.shape[0] != gains.shape[1] or gains.shape[0] < 1:
        raise ValueError(
            f"gains must be a square (n_tasks, n_tasks) matrix, got shape {gains.shape}."
        )
    if not np.all(np.isfinite(gains)):
        raise ValueError("gains must contain finite values only (no NaN or inf).")
    gains = gains.copy()
    np.fill_diagonal(gains, 0.0)
    return gains


def _check_pairs(pairs, n_tasks, name):
    if pairs is None:
        return []
    checked = []
    for pair in pairs:
        try:
            i, k = pair
        except (TypeError, ValueError):
            raise ValueError(
                f"{name} must be a sequence of (i, j) task pairs, got {pair!r}."
            ) from None
        for t in (i, k):
            if not isinstance(t, Integral) or isinstance(t, bool) or not 0 <= t < n_tasks:
                raise ValueError(
                    f"{name} refers to task {t!r}; tasks are integers in [0, {n_tasks - 1}]."
                )
        if i == k:
            raise ValueError(f"{name} pair {pair!r} links a task with itself.")
        checked.append((int(min(i, k)), int(max(i, k))))
    return sorted(set(checked))


def _check_optional_positive(value, name, integer=False, allow_zero=False):
    if value is None:
        return None
    kind = Integral if integer else Real
    if isinstance(value, bool) or not isinstance(value, kind):
        kind_name = "an int" if integer else "a number"
        raise ValueError(f"{name} must be {kind_name} or None, got {value!r}.")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be {'>= 0' if allow_zero else '> 0'}, got {value!r}.")
    return value


class _UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, i):
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i, k):
        self.parent[self.find(i)] = self.find(k)


def _check_problem(
    gains,
    n_groups,
    min_groups,
    max_group_size,
    task_costs,
    group_cost,
    max_group_cost,
    max_total_cost,
    must_link,
    cannot_link,
):
    """Validate every argument and detect the obvious infeasibilities."""
    gains = _check_gains(gains)
    n_tasks = gains.shape[0]
    if n_groups is None:
        n_groups = n_tasks
    if isinstance(n_groups, bool) or not isinstance(n_groups, Integral) or n_groups < 1:
        raise ValueError(f"n_groups must be a positive int or None, got {n_groups!r}.")
    n_groups = int(min(n_groups, n_tasks))
    if isinstance(min_groups, bool) or not isinstance(min_groups, Integral) or min_groups < 1:
        raise ValueError(f"min_groups must be a positive int, got {min_groups!r}.")
    max_group_size = _check_optional_positive(max_group_size, "max_group_size", integer=True)
    max_group_cost = _check_optional_positive(max_group_cost, "max_group_cost", allow_zero=True)
    max_total_cost = _check_optional_positive(max_total_cost, "max_total_cost", allow_zero=True)
    if isinstance(group_cost, bool) or not isinstance(group_cost, Real) or group_cost < 0:
        raise ValueError(f"group_cost must be a number >= 0, got {group_cost!r}.")
    if task_costs is None:
        task_costs = np.ones(n_tasks)
    else:
        task_costs = np.asarray(task_costs, dtype=float)
        if task_costs.shape != (n_tasks,) or not np.all(np.isfinite(task_costs)):
            raise ValueError(
                f"task_costs must be a finite array of shape ({n_tasks},), got shape "
                f"{task_costs.shape}."
            )
        if np.any(task_costs < 0):
            raise ValueError("task_costs must be non-negative.")
    must_link = _check_pairs(must_link, n_tasks, "must_link")
    cannot_link = _check_pairs(cannot_link, n_tasks, "cannot_link")

    # obvious infeasibilities, with a message that names the culprit
    if min_groups > n_groups:
        raise ValueError(
            f"Infeasible grouping: min_groups={min_groups} exceeds the largest possible number "
            f"of groups ({n_groups}, from n_groups and the number of tasks)."
        )
    uf = _UnionFind(n_tasks)
    for i, k in must_link:
        uf.union(i, k)
    for i, k in cannot_link:
        if uf.find(i) == uf.find(k):
            raise ValueError(
                f"Infeasible grouping: tasks {i} and {k} are cannot-linked but must share a "
                "group through must_link."
            )
    components = {}
    for t in range(n_tasks):
        components.setdefault(uf.find(t), []).append(t)
    if max_group_size is not None:
        if n_groups * max_group_size < n_tasks:
            raise ValueError(
                f"Infeasible grouping: {n_tasks} tasks do not fit in n_groups={n_groups} groups "
                f"of at most max_group_size={max_group_size} tasks."
            )
        for comp in components.values():
            if len(comp) > max_group_size:
                raise ValueError(
                    f"Infeasible grouping: must_link joins tasks {comp} into a group larger "
                    f"than max_group_size={max_group_size}."
                )
    if max_group_cost is not None:
        for comp in components.values():
            cost = group_cost + task_costs[comp].sum()
            if cost > max_group_cost + 1e-9:
                raise ValueError(
                    f"Infeasible grouping: a group holding tasks {comp} costs {cost:g} > "
                    f"max_group_cost={max_group_cost:g}."
                )
    if max_total_cost is not None:
        cheapest = task_costs.sum() + group_cost * min_groups
        if cheapest > max_total_cost + 1e-9:
            raise ValueError(
                f"Infeasible grouping: even {min_groups} group(s) cost {cheapest:g} > "
                f"max_total_cost={max_total_cost:g}."
            )
    return Bunch(
        gains=gains,
        n_tasks=n_tasks,
        n_groups=n_groups,
        min_groups=int(min_groups),
        max_group_size=max_group_size,
        task_costs=task_costs,
        group_cost=float(group_cost),
        max_group_cost=max_group_cost,
        max_total_cost=max_total_cost,
        must_link=must_link,
        cannot_link=cannot_link,
        components=sorted(components.values()),
    )


# --------------------------------------------------------------------------
# objective and feasibility of a given partition
# --------------------------------------------------------------------------
def _canonical(groups):
    return sorted((sorted(int(t) for t in g) for g in groups if len(g)), key=lambda g: g[0])


def _objective(gains, groups):
    total = 0.0
    for g in groups:
        if len(g) > 1:
            idx = np.asarray(g)
            total += gains[np.ix_(idx, idx)].sum() / len(g)
    return float(total)


def grouping_objective(gains, groups):
    """Total transfer of a partition of the tasks into groups.

    ``sum_g 1/|G_g| sum_{i != k in G_g} gains[i, k]``: for every task, the
    average gain it receives from the members of its group, summed over the
    tasks. The diagonal of ``gains`` is ignored.

    Parameters
    ----------
    gains : array-like of shape (n_tasks, n_tasks)
        ``gains[i, j]`` is the transfer from task ``i`` to task ``j``.
    groups : list of list of int
        The groups, each a list of task indices.

    Returns
    -------
    objective : float

    Examples
    --------
    >>> from skmtlx.grouping import grouping_objective
    >>> grouping_objective([[0, 1.0, 0], [0.5, 0, 0], [0, 0, 0]], [[0, 1], [2]])
    0.75
    """
    return _objective(_check_gains(gains), [list(g) for g in groups])


def _violations(problem, groups):
    """List the constraints a partition breaks (empty list when feasible)."""
    out = []
    m = len(groups)
    if m > problem.n_groups:
        out.append("n_groups")
    if m < problem.min_groups:
        out.append("min_groups")
    where = {}
    for g, members in enumerate(groups):
        for t in members:
            where[t] = g
        if problem.max_group_size is not None and len(members) > problem.max_group_size:
            out.append("max_group_size")
        if problem.max_group_cost is not None:
            cost = problem.group_cost + problem.task_costs[members].sum()
            if cost > problem.max_group_cost + 1e-9:
                out.append("max_group_cost")
    if problem.max_total_cost is not None:
        total = problem.group_cost * m + problem.task_costs.sum()
        if total > problem.max_total_cost + 1e-9:
            out.append("max_total_cost")
    if any(where[i] != where[k] for i, k in problem.must_link):
        out.append("must_link")
    if any(where[i] == where[k] for i, k in problem.cannot_link):
        out.append("cannot_link")
    return out


def _result(groups, objective, status, solve_time, gap, solver, **extra):
    groups = _canonical(groups)
    labels = np.empty(sum(len(g) for g in groups), dtype=int)
    for g, members in enumerate(groups):
        labels[members] = g
    return Bunch(
        groups=groups,
        labels=labels,
        objective=float(objective),
        status=status,
        solve_time=float(solve_time),
        gap=gap,
        solver=solver,
        **extra,
    )


# --------------------------------------------------------------------------
# exhaustive search
# --------------------------------------------------------------------------
def _partitions(items, max_blocks):
    """Set partitions of ``items`` into at most ``max_blocks`` blocks."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _partitions(rest, max_blocks):
        for b in range(len(partition)):
            yield partition[:b] + [[first] + partition[b]] + partition[b + 1:]
        if len(partition) < max_blocks:
            yield [[first]] + partition


def solve_grouping_exhaustive(
    gains,
    *,
    n_groups=None,
    min_groups=1,
    max_group_size=None,
    task_costs=None,
    group_cost=0.0,
    max_group_cost=None,
    max_total_cost=None,
    must_link=None,
    cannot_link=None,
):
    """Best task grouping by enumerating every set partition (small problems).

    Same objective and constraints as :func:`solve_grouping`; used to check
    the integer program. The number of partitions grows as the Bell numbers
    (4,140 for 8 tasks, 115,975 for 10), so at most 10 tasks are accepted.

    Parameters
    ----------
    gains : array-like of shape (n_tasks, n_tasks)
        ``gains[i, j]`` is the transfer from task ``i`` to task ``j``.
    n_groups, min_groups, max_group_size, task_costs, group_cost, \
max_group_cost, max_total_cost, must_link, cannot_link
        See :func:`solve_grouping`.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        Same fields as :func:`solve_grouping`; ``status`` is ``"optimal"``
        and ``gap`` is 0.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.grouping import solve_grouping_exhaustive
    >>> gains = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
    >>> solve_grouping_exhaustive(gains, n_groups=2).groups
    [[0, 1], [2]]
    """
    start = time.perf_counter()
    problem = _check_problem(
        gains, n_groups, min_groups, max_group_size, task_costs, group_cost,
        max_group_cost, max_total_cost, must_link, cannot_link,
    )
    if problem.n_tasks > _EXHAUSTIVE_MAX_TASKS:
        raise ValueError(
            f"Exhaustive search is limited to {_EXHAUSTIVE_MAX_TASKS} tasks, got "
            f"{problem.n_tasks}; use solve_grouping."
        )
    # enumerate partitions of the must-link components
    comps = problem.components
    best, best_value = None, -np.inf
    for partition in _partitions(list(range(len(comps))), problem.n_groups):
        groups = [sorted(t for c in block for t in comps[c]) for block in partition]
        if _violations(problem, groups):
            continue
        value = _objective(problem.gains, groups)
        if value > best_value + 1e-12:
            best, best_value = groups, value
    if best is None:
        raise ValueError("Infeasible grouping: no partition satisfies the constraints.")
    return _result(best, best_value, "optimal", time.perf_counter() - start, 0.0, "exhaustive")


# --------------------------------------------------------------------------
# heuristic (warm start and fallback)
# --------------------------------------------------------------------------
def _heuristic(problem, max_rounds=50):
    """Greedy merging of must-link components then single-component moves."""
    gains = problem.gains
    comps = problem.components
    groups = [list(c) for c in comps]

    def ok(groups_):
        bad = _violations(problem, groups_)
        return [b for b in bad if b not in ("n_groups", "min_groups", "max_total_cost")] == []

    # merge until the budget on the number of groups is met, best pair first
    while len(groups) > problem.n_groups or (
        problem.max_total_cost is not None and "max_total_cost" in _violations(problem, groups)
        and len(groups) > problem.min_groups
    ):
        best, best_delta = None, -np.inf
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                merged = groups[a] + groups[b]
                trial = [g for c, g in enumerate(groups) if c not in (a, b)] + [merged]
                if not ok(trial):
                    continue
                delta = (
                    _objective(gains, [merged])
                    - _objective(gains, [groups[a]])
                    - _objective(gains, [groups[b]])
                )
                if delta > best_delta:
                    best, best_delta = (a, b), delta
        if best is None:
            return None
        a, b = best
        groups = [g for c, g in enumerate(groups) if c not in (a, b)] + [groups[a] + groups[b]]

    # local search: move one must-link component to another (or a new) group
    value = _objective(gains, groups)
    for _ in range(max_rounds):
        improved = False
        for comp in comps:
            src = next(g for g, members in enumerate(groups) if comp[0] in members)
            for dst in range(len(groups) + 1):
                if dst == src:
                    continue
                trial = [list(g) for g in groups] + [[]]
                trial[src] = [t for t in trial[src] if t not in comp]
                trial[dst] = trial[dst] + comp
                trial = [g for g in trial if g]
                if _violations(problem, trial):
                    continue
                new_value = _objective(gains, trial)
                if new_value > value + 1e-12:
                    groups, value, improved = trial, new_value, True
                    break
        if not improved:
            break
    if _violations(problem, groups):
        return None
    return _canonical(groups)


# --------------------------------------------------------------------------
# mixed-integer linear program
# --------------------------------------------------------------------------
def _build_program(problem, full_mccormick=True):
    import cvxpy as cp
    import scipy.sparse as sp

    T, K = problem.n_tasks, problem.n_groups
    gains = problem.gains
    I, J = np.triu_indices(T, k=1)
    P = len(I)
    x = cp.Variable((T, K), boolean=True, name="x")  # task i in group g
    u = cp.Variable(K, boolean=True, name="u")  # group g used
    y = cp.Variable(K, name="y")  # 1 / |G_g| for used groups
    p = cp.Variable((T, K), name="p")  # x_ig * y_g
    variables = [x, u, y, p]
    cons = [
        x <= np.ones((T, 1)) @ cp.reshape(u, (1, K), order="C"),
        u <= cp.sum(x, axis=0),
        cp.sum(x, axis=1) == 1,
        y >= 0,
        y <= 1,
        p >= 0,
        p <= x,
        p <= np.ones((T, 1)) @ cp.reshape(y, (1, K), order="C"),
        p >= np.ones((T, 1)) @ cp.reshape(y, (1, K), order="C") - (1 - x),
        cp.sum(p, axis=0) == u,  # y_g * |G_g| = 1 on used groups
    ]
    # symmetry breaking: groups are numbered by their smallest task, so task i
    # can only open group g if group g-1 already holds a smaller task
    mask = np.tril(np.ones((T, K)), k=0) == 0  # g > i impossible
    if mask.any():
        cons.append(x[mask] == 0)
    if K > 1 and T > 1:
        lower = np.tril(np.ones((T, T)), k=-1)  # lower[i, k] = 1 for k < i
        cons.append(x[:, 1:] <= lower @ x[:, :-1])
        cons.append(u[1:] <= u[:-1])
    objective = 0
    if P:
        q = cp.Variable((P, K), name="q")  # x_ig * x_kg * y_g, i < k
        variables.append(q)
        cons += [q <= p[I, :], q <= p[J, :]]
        if full_mccormick:
            cons += [q >= 0, q >= p[J, :] - (1 - x[I, :]), q >= p[I, :] - (1 - x[J, :])]
        # the cut: sum_{k != i} q_ikg + p_ig = x_ig (valid since |G_g| y_g = 1)
        incidence = sp.csr_matrix(
            (np.ones(2 * P), (np.r_[I, J], np.r_[np.arange(P), np.arange(P)])), shape=(T, P)
        )
        cons.append(incidence @ q + p == x)
        weights = gains[I, J] + gains[J, I]
        objective = cp.sum(weights @ q)
    # budgets
    if problem.min_groups > 1:
        cons.append(cp.sum(u) >= problem.min_groups)
    if problem.max_group_size is not None:
        cons.append(cp.sum(x, axis=0) <= problem.max_group_size)
    group_costs = problem.task_costs @ x + problem.group_cost * u
    if problem.max_group_cost is not None:
        cons.append(group_costs <= problem.max_group_cost)
    if problem.max_total_cost is not None:
        cons.append(cp.sum(group_costs) <= problem.max_total_cost)
    for i, k in problem.must_link:
        cons.append(x[i, :] == x[k, :])
    for i, k in problem.cannot_link:
        cons.append(x[i, :] + x[k, :] <= 1)
    prob = cp.Problem(cp.Maximize(objective), cons)
    return prob, variables


def _start_values(problem, groups, variables):
    """Values of every program variable for a given partition."""
    T, K = problem.n_tasks, problem.n_groups
    groups = _canonical(groups)
    x = np.zeros((T, K))
    for g, members in enumerate(groups):
        x[members, g] = 1
    u = (x.sum(axis=0) > 0).astype(float)
    y = np.where(u > 0, 1.0 / np.maximum(x.sum(axis=0), 1), 0.0)
    p = x * y
    values = [x, u, y, p]
    if len(variables) > 4:
        I, J = np.triu_indices(T, k=1)
        values.append(x[I] * x[J] * y)
    return values


def _warm_start(prob, variables, values):
    """Hand HiGHS a feasible start through cvxpy's solver cache."""
    import cvxpy as cp
    import highspy

    _, _, inverse = prob.get_problem_data(cp.HIGHS)
    offsets = next(d.var_offsets for d in inverse if hasattr(d, "var_offsets"))
    n_cols = sum(v.size for v in prob.variables())
    col = np.zeros(n_cols)
    for var, value in zip(variables, values):
        start = offsets[var.id]
        col[start:start + var.size] = np.asarray(value, dtype=float).ravel(order="F")
    solution = highspy.HighsSolution()
    solution.col_value = col.tolist()
    solution.value_valid = True
    prob._solver_cache[cp.HIGHS] = (None, None, {"model_status": "kOptimal", "solution": solution})


def _highs_has_option(name):
    """Whether the installed HiGHS knows option ``name`` (older versions lack some)."""
    import highspy

    with native_output(False):  # its first instance prints a banner
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    value = highs.getOptionValue(name)
    status = value[0] if isinstance(value, tuple) else None
    return status != highspy.HighsStatus.kError if status is not None else value is not None


def solve_grouping(
    gains,
    *,
    n_groups=None,
    min_groups=1,
    max_group_size=None,
    task_costs=None,
    group_cost=0.0,
    max_group_cost=None,
    max_total_cost=None,
    must_link=None,
    cannot_link=None,
    time_limit=None,
    warm_start=True,
    mip_gap=1e-6,
    highs_options=None,
    verbose=False,
):
    """Choose task groups that maximise total transfer, as an integer program.

    Partitions the tasks into at most ``n_groups`` groups (each task is served
    by exactly one group) and maximises::

        sum_g 1 / |G_g| * sum_{i != k in G_g} gains[i, k]

    the objective of Wang, Pan & Yu: every task receives the average gain of
    its group's members. The products ``x_ig x_kg / |G_g|`` are linearised
    exactly with continuous variables ``p_ig = x_ig / |G_g|`` and
    ``q_ikg = x_ig x_kg / |G_g|`` (McCormick inequalities on binary ``x``)
    plus the valid equality cut ``sum_{k != i} q_ikg + p_ig = x_ig``, which
    makes the linear relaxation tight enough for 40 tasks and 5 groups to
    solve in seconds. Groups are numbered by their smallest task to remove
    symmetric solutions. The program is written in cvxpy and solved by HiGHS.

    Parameters
    ----------
    gains : array-like of shape (n_tasks, n_tasks)
        ``gains[i, j]`` is the transfer from task ``i`` (source) to task ``j``
        (target); need not be symmetric. The diagonal is ignored.
    n_groups : int or None, default=None
        Budget: the largest number of groups. ``None`` allows one per task.
    min_groups : int, default=1
        The smallest number of groups.
    max_group_size : int or None, default=None
        The largest number of tasks in a group.
    task_costs : array-like of shape (n_tasks,) or None, default=None
        Cost each task adds to the group that serves it (e.g. parameters of
        its head, or training time). ``None`` gives every task cost 1.
    group_cost : float, default=0.0
        Fixed cost of every group used (e.g. parameters of a shared trunk).
        A group costs ``group_cost + sum of its task_costs``.
    max_group_cost : float or None, default=None
        Limit on the cost of each group.
    max_total_cost : float or None, default=None
        Limit on the summed cost of all groups.
    must_link : sequence of (int, int) or None, default=None
        Pairs of tasks that must share a group.
    cannot_link : sequence of (int, int) or None, default=None
        Pairs of tasks that must not share a group.
    time_limit : float or None, default=None
        Seconds given to HiGHS. When it runs out, the best partition found
        is returned with ``status="time_limit"`` and the remaining ``gap``.
    warm_start : bool, default=True
        Start HiGHS from a greedy-merge plus local-search partition (when
        that heuristic finds a feasible one). If HiGHS stops (e.g. at
        ``time_limit``) without a partition at least as good, that warm start
        is returned with ``solver="heuristic"`` and a ``UserWarning``. With
        ``warm_start=False`` the answer is always the program's own.
    mip_gap : float, default=1e-6
        Relative optimality gap at which HiGHS stops.
    highs_options : dict or None, default=None
        Extra HiGHS options (they override the defaults used here:
        ``mip_allow_restart=False``, which on these programs avoids repeated
        root-node restarts and cuts the solve time about threefold).
    verbose : bool, default=False
        Print the HiGHS log (and its banner); silent otherwise.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``groups`` (list of sorted task lists, ordered by smallest task),
        ``labels`` (group index of every task), ``objective``, ``status``
        (``"optimal"``, ``"time_limit"`` or cvxpy's status), ``solve_time``
        (seconds, model building included), ``gap`` (HiGHS's relative MIP
        gap, ``None`` if not reported), ``solver`` (``"HIGHS"``, or
        ``"heuristic"`` when the warm start is returned, see ``warm_start``), and
        ``heuristic_objective`` (value of the warm start, or ``None``).

    Raises
    ------
    ValueError
        If the arguments are invalid or the constraints cannot be met; the
        message names the constraint when it can be identified.
    RuntimeError
        If the program's answer breaks a constraint (a defect of the program,
        never silently replaced by the heuristic), or if HiGHS stops without
        any feasible partition and there is no warm start to fall back on.

    See Also
    --------
    solve_grouping_exhaustive : Enumeration for at most 10 tasks.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.grouping import solve_grouping
    >>> gains = np.array([[0, 1, -1], [1, 0, -1], [-1, -1, 0]])
    >>> result = solve_grouping(gains, n_groups=2)
    >>> result.groups, round(result.objective, 3), result.status
    ([[0, 1], [2]], 1.0, 'optimal')
    """
    import cvxpy as cp

    start = time.perf_counter()
    problem = _check_problem(
        gains, n_groups, min_groups, max_group_size, task_costs, group_cost,
        max_group_cost, max_total_cost, must_link, cannot_link,
    )
    time_limit = _check_optional_positive(time_limit, "time_limit")
    if isinstance(mip_gap, bool) or not isinstance(mip_gap, Real) or mip_gap < 0:
        raise ValueError(f"mip_gap must be a number >= 0, got {mip_gap!r}.")

    if problem.n_tasks == 1:
        return _result([[0]], 0.0, "optimal", time.perf_counter() - start, 0.0, "trivial",
                       heuristic_objective=None)

    heuristic = _heuristic(problem) if warm_start else None
    heuristic_value = None if heuristic is None else _objective(problem.gains, heuristic)

    prob, variables = _build_program(problem)
    if heuristic is not None:
        _warm_start(prob, variables, _start_values(problem, heuristic, variables))
    options = {"mip_rel_gap": float(mip_gap)}
    if _highs_has_option("mip_allow_restart"):
        options["mip_allow_restart"] = False
    options.update(highs_options or {})
    if time_limit is not None:
        options["time_limit"] = float(time_limit)
    try:
        with warnings.catch_warnings():
            # a time limit is reported through ``status`` and ``gap`` instead
            warnings.filterwarnings("ignore", message="Solution may be inaccurate")
            with native_output(verbose):  # HiGHS prints a banner even when not verbose
                prob.solve(
                    solver=cp.HIGHS, warm_start=heuristic is not None, verbose=verbose,
                    **options
                )
    except cp.error.SolverError as exc:  # pragma: no cover - solver failure
        raise RuntimeError(f"HiGHS failed on the grouping program: {exc}") from exc
    status = prob.status
    if status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE, "infeasible_or_unbounded"):
        raise ValueError(
            "Infeasible grouping: no partition satisfies the constraints (check n_groups, "
            "min_groups, max_group_size, the costs and the must/cannot links together)."
        )
    stats = prob.solver_stats.extra_stats
    gap = getattr(stats, "mip_gap", None)
    gap = None if gap is None or not np.isfinite(gap) or gap > 1e20 else float(gap)
    groups = None
    has_solution = status in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE, cp.USER_LIMIT)
    if has_solution and variables[0].value is not None:
        groups = _program_groups(problem, variables[0].value)
    if status == cp.USER_LIMIT:
        status = "time_limit"
    solver = "HIGHS"
    if groups is None or (
        heuristic is not None and _objective(problem.gains, groups) < heuristic_value - 1e-9
    ):
        if heuristic is None:
            raise RuntimeError(
                f"HiGHS stopped with status {status!r} without a feasible grouping; "
                "raise time_limit."
            )
        warnings.warn(
            f"HiGHS stopped with status {status!r} without a grouping better than its warm "
            "start; the warm start (greedy heuristic) is returned, with solver='heuristic'.",
            UserWarning,
        )
        groups, solver = heuristic, "heuristic"
    return _result(
        groups,
        _objective(problem.gains, groups),
        status,
        time.perf_counter() - start,
        gap,
        solver,
        heuristic_objective=heuristic_value,
    )


def _program_groups(problem, x_value):
    """The partition encoded by the program's assignment ``x``, checked against every constraint.

    An assignment that does not put each task in exactly one group, or a partition
    that breaks a constraint, is a defect of the program: it raises instead of
    being replaced by another partition.
    """
    x = np.round(x_value).astype(int)
    if not np.all(x.sum(axis=1) == 1):
        raise RuntimeError(
            "The grouping program returned an assignment that does not put every task in "
            "exactly one group."
        )
    groups = [list(np.flatnonzero(x[:, g])) for g in range(x.shape[1]) if x[:, g].any()]
    broken = _violations(problem, groups)
    if broken:
        raise RuntimeError(
            f"The grouping program returned a partition {_canonical(groups)} that breaks "
            f"{', '.join(broken)}."
        )
    return groups


def n_partitions(n_tasks, max_groups=None):
    """Number of partitions of ``n_tasks`` tasks into at most ``max_groups`` groups.

    The number of groupings an exhaustive search
    (:func:`solve_grouping_exhaustive`) would score.

    Parameters
    ----------
    n_tasks : int
        Number of tasks.
    max_groups : int or None, default=None
        Largest number of groups; ``None`` allows one group per task.

    Returns
    -------
    n : int
        A sum of Stirling numbers of the second kind (the Bell number when
        ``max_groups`` is None).

    Examples
    --------
    >>> from skmtlx.grouping import n_partitions
    >>> n_partitions(4), n_partitions(4, max_groups=2)
    (15, 8)
    """
    max_groups = n_tasks if max_groups is None else max_groups
    # Stirling numbers of the second kind
    total = 0
    for k in range(1, max_groups + 1):
        alternating = sum((-1) ** (k - j) * math.comb(k, j) * j**n_tasks for j in range(k + 1))
        total += alternating // math.factorial(k)
    return total
