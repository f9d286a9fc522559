"""TaskGrouper: measure transfer gains, choose task groups, train one model per group."""

import zlib
from functools import partial
from numbers import Integral, Real

import numpy as np
import pandas as pd
from scipy.special import expit, logit
from sklearn.base import BaseEstimator, MultiOutputMixin, RegressorMixin, _fit_context, clone
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._persistence import PersistenceMixin
from .._surrogate import (
    FIDELITY_WEIGHT_CONSTRAINT,
    FittedSurrogate,
    SurrogateMixin,
    best_linear_surrogate,
    fit_post_hoc_surrogate,
    stack_surrogates,
    with_surrogate,
)
from .._torch import (
    NEURAL_NET_PARAMETER_CONSTRAINTS,
    InputStandardization,
    MultiHeadMLP,
    TrainingConfig,
    cached_training,
    history_records,
    predict_module,
    train_module,
)
from ..utils._parallel import parallel_map
from ..utils._selection import one_standard_error_rule
from ..utils._validation import (
    check_fraction_split,
    check_hidden_layer_sizes,
    mean_and_scale,
    target_names,
    validate_features,
)
from ._gains import MultiTaskLoss, TransferGainRecorder
from ._solver import _check_problem, _violations, grouping_objective, solve_grouping

__all__ = ["TaskGrouper"]


def _holds_labels(column):
    """Whether a target column holds labels that are not numbers (strings, booleans)."""
    if column.dtype.kind == "O":
        return not all(isinstance(v, Real) and not isinstance(v, (bool, np.bool_))
                       for v in column)
    return column.dtype.kind not in "iuf"


def _is_binary_column(column):
    """A column of numbers with exactly two distinct integer values."""
    values = np.unique(column.astype(np.float64))
    return len(values) == 2 and np.all(values == np.round(values))


def _has_binary_task(grouper):
    """``predict_proba`` exists unless the fitted grouper has regression tasks only."""
    return "binary" in getattr(grouper, "task_types_", ["binary"])


class TaskGrouper(SurrogateMixin, MultiOutputMixin, RegressorMixin, PersistenceMixin,
                  BaseEstimator):
    """Group tasks by measured transfer, then train one network per group.

    ``fit`` runs three stages:

    1. **Transfer gains.** A shared-trunk network with one head per task is
       trained on all tasks with skorch (Adam); on training batches a callback
       snapshots the network, takes lookahead steps and restores it, recording
       how a step on task ``i`` changes the loss of task ``j``. With
       ``gain="principled"`` (Wang, Pan & Yu)
       ``gains_[i, j] = 1 - L_j(step on {i, j}) / L_j(step on {j})``, with
       ``gain="tag"`` (TAG, Fifty et al. 2021)
       ``gains_[i, j] = 1 - L_j(theta_s - lr grad_s L_i) / L_j(theta_s)``,
       averaged over the measured steps. Row ``i`` is the source task,
       column ``j`` the target task; positive means ``i`` helps ``j``.
    2. **Grouping.** :func:`~skmtlx.grouping.solve_grouping` partitions the
       tasks into groups maximising ``sum_g 1/|G_g| sum_{i != k in G_g}
       gains[i, k]`` under the budget and constraints given here, as a
       mixed-integer linear program solved by HiGHS through cvxpy.
    3. **Group models.** One shared-trunk network per group (or a clone of
       ``estimator`` fitted on the group's columns) so that :meth:`predict`
       returns every task.

    Targets may be regression columns, binary columns, or a mix. Regression
    targets are standardised for training (mean squared error), binary ones
    use the logistic loss. Every network reads the features standardised on
    the training rows; ``coef_`` and :meth:`explain` are in the features' own
    units. A wrapped ``estimator`` gets the features as they are.

    Parameters
    ----------
    hidden_layer_sizes : array-like of int, default=(64,)
        Widths of the shared trunk of every network.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity.
    n_groups : int or None, default=None
        Budget: the largest number of groups (None: one per task at most).
        The program may use fewer groups; with ``group_selection`` set to
        ``"validation"`` or ``"validation_1se"`` every number of groups up to
        this budget is tried.
    group_selection : {"budget", "validation", "validation_1se"}, default="budget"
        How the grouping is chosen from the gains.

        - ``"budget"``: the program's optimum with at most ``n_groups`` groups.
        - ``"validation"``: the program is solved for every budget
          ``K = 1, ..., n_groups`` and, when the budget and constraints allow
          ``n_tasks`` groups, "each task alone" (the grouping of zero
          transfer) is added; one network is trained per distinct group on
          the training rows and the candidate with the lowest held-out loss
          (summed over tasks, on ``validation_fraction`` of the rows) is
          kept, its networks included. The gains propose groupings, the
          held-out loss of the trained networks decides how many groups (if
          any) pay off.
        - ``"validation_1se"``: the same candidates, but the one with the
          fewest groups whose held-out loss is within one standard error of
          the lowest (the one-standard-error rule; the standard error is that
          of the paired per-row difference with the lowest candidate). More
          groups must beat fewer groups by more than the noise of the
          held-out estimate.
    capacity : {"shared", "per_task"}, default="shared"
        Width of every network's trunk. ``"shared"``: ``hidden_layer_sizes``
        whatever the number of tasks it serves. ``"per_task"``: every hidden
        width is multiplied by the number of tasks of the network (the joint
        gain-measuring network included), so each task keeps the capacity of
        ``hidden_layer_sizes`` and every grouping has the same total number
        of hidden units.
    max_group_size : int or None, default=None
        The largest number of tasks in a group.
    task_costs : array-like of shape (n_tasks,) or None, default=None
        Cost each task adds to its group (1 each when None).
    group_cost : float, default=0.0
        Fixed cost of every group (e.g. the parameters of one trunk).
    max_group_cost : float or None, default=None
        Limit on the cost of each group.
    max_total_cost : float or None, default=None
        Limit on the total cost of all groups.
    must_link, cannot_link : sequence of (int, int) or None, default=None
        Pairs of task indices that must, or must not, share a group.
    gain : {"principled", "tag"}, default="principled"
        Transfer-gain estimator (see above).
    gain_every : int, default=1
        Measure the gains on every ``gain_every``-th training batch. The
        lookahead steps cost more than the training, so larger values fit
        faster, but average the gains over fewer batches: with a few batches
        per epoch even 2 can change the groups, with many it need not (the
        user guide measures both).
    gain_epochs : int or None, default=None
        Epochs of the joint training that measures the gains; None uses
        ``max_epochs``. This network is never early-stopped.
    task_groups : list of list of int or None, default=None
        Use these groups instead of measuring and solving (for baselines
        such as "all tasks together" ``[[0, ..., T-1]]`` or "each task alone").
    estimator : estimator or None, default=None
        Model trained on each group's columns instead of the built-in
        network; must handle the group's targets (multi-output when the
        group has several tasks). One-task groups get a 1-D target. It is
        given ``X`` dense (a sparse ``X`` densified): it need not accept
        sparse input.
    task_types : "auto" or sequence of {"regression", "binary"}, default="auto"
        Kind of each target column. ``"auto"``: a column with exactly two
        distinct integer values, or two labels that are not numbers (strings,
        booleans), is binary, any other column of numbers regression. Binary
        labels are predicted in the dtype of ``y``.
    time_limit : float or None, default=None
        Seconds given to the integer program.
    fidelity_weight : float in [0, 1), default=0.1
        Weight of the fidelity term ``mean((g(x) - f(x))^2)`` between every
        group network's heads and a jointly trained linear surrogate head
        ``g`` per task (on probabilities for binary tasks); the network's own
        loss is weighed by ``1 - fidelity_weight``. ``0`` fits the surrogates
        post hoc. A wrapped ``estimator`` with ``coef_`` is its own
        surrogate; other wrapped estimators get a post-hoc one.
    max_epochs : int, default=100
        Epochs of every network's training.
    batch_size : int, default=128
        Mini-batch size.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty of Adam.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the rows and stop each group
        network's training when its held-out loss stalls (the best epoch is
        kept). The gain-measuring network is not stopped: it trains
        ``gain_epochs`` on every row not held out for ``group_selection``.
        ``False`` trains every network ``max_epochs`` on every row, which
        overfits where that many epochs are too many (the user guide
        measures both).
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping and for the validation
        ``group_selection``. The same rows are held out for every network
        (they are drawn once from ``random_state``). With both, they are
        split in two disjoint halves, one for early stopping and one for the
        choice of the grouping, so that the choice is not biased towards
        groupings with more early-stopped networks. The split depends only
        on ``early_stopping``, ``group_selection``, ``validation_fraction``
        and ``random_state``: a fit with ``task_groups=<chosen groups>`` and
        the same values trains the very networks the selection kept.
    n_iter_no_change : int, default=10
        Patience of the early stopping.
    tol : float, default=1e-4
        Relative improvement that counts for the early stopping.
    random_state : int, RandomState instance or None, default=None
        Seed of the weights, shuffling and validation split.
    memory : str, joblib.Memory or None, default=None
        Cache of the fitted group networks (a directory or a
        :class:`joblib.Memory`), as in :class:`~sklearn.pipeline.Pipeline`. A
        network is reused when its training rows, targets, seed and settings
        are identical, e.g. between fits that share groups (baselines given
        by ``task_groups``, different ``gain`` kinds, the candidates of
        validation ``group_selection``). The measured gains are cached the
        same way, so changing only the grouping parameters (``n_groups``,
        constraints, ``group_selection``) does not measure them again.
        None: no caching.
        Warning: cached results are unpickled when loaded, and unpickling runs
        code, so only use a cache directory that you trust (that no one else
        can write to).
    n_jobs : int or None, default=None
        Group networks trained side by side with joblib (those of every
        candidate grouping with validation ``group_selection``): ``None``
        means 1 unless in a :func:`joblib.parallel_backend` context (e.g.
        ``"dask"``), ``-1`` all cores. Each network is seeded by its members,
        so the result does not depend on it.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        skorch verbosity of every network; when positive, also a progress bar
        over the group networks and the MILP solver's log.

    Attributes
    ----------
    n_tasks_ : int
        Number of target columns.
    task_types_ : list of str
        ``"regression"`` or ``"binary"`` for each task.
    classes_ : list of ndarray or None
        The two labels of each binary task (None for regression tasks).
    y_mean_ : ndarray of shape (n_tasks,)
        Training mean of each target; the networks learn a regression task
        ``t`` as ``(y_t - y_mean_[t]) / y_scale_[t]`` (binary tasks as 0/1).
    y_scale_ : ndarray of shape (n_tasks,)
        Training standard deviation of each target (1 where it is 0).
    gains_ : ndarray of shape (n_tasks, n_tasks) or None
        Mean transfer gain from task ``i`` (row) to task ``j`` (column);
        None when ``task_groups`` is given.
    gain_history_ : ndarray of shape (n_epochs, n_tasks, n_tasks) or None
        Mean gain of every epoch of the joint training (NaN for an epoch
        without a measured batch, when ``gain_every`` exceeds the batches of
        an epoch).
    groups_ : list of list of int
        The chosen groups (sorted task indices, ordered by their first task).
    group_labels_ : ndarray of shape (n_tasks,)
        Group index of every task.
    objective_ : float
        Total transfer of the chosen grouping (see
        :func:`~skmtlx.grouping.grouping_objective`).
    solver_status_ : str
        ``"optimal"``, ``"time_limit"``, or ``"given"`` with ``task_groups``
        (``"alone"`` when validation chose "each task alone").
    solve_time_ : float
        Seconds spent in the integer program (all its solves).
    selection_results_ : dict or None
        With ``group_selection="validation"`` or ``"validation_1se"``, one
        entry per distinct
        candidate grouping: ``"max_groups"`` (the budget ``K`` whose solution
        it is, ``n_tasks`` for "each task alone"), ``"groups"``,
        ``"objective"`` (total transfer), ``"valid_loss"`` (held-out loss
        summed over tasks, mean over rows) and ``"std_err"`` (standard error
        of its difference with the lowest ``valid_loss``); None otherwise.
    mip_gap_ : float or None
        Relative gap reported by HiGHS.
    estimators_ : list
        The fitted model of every group (skorch nets or clones of
        ``estimator``).
    coef_ : ndarray of shape (n_tasks, n_features)
        Per-task attributions: the coefficients of every task's surrogate
        (logit coefficients for binary tasks, original units for regression
        tasks); :meth:`coef_table` shows them next to the groups.
    intercept_ : ndarray of shape (n_tasks,)
        Intercepts of the surrogates.
    surrogate_ : object
        The surrogates of all tasks; :meth:`explain` explains its outputs.
    surrogate_fit_ : list of str
        Per group, which surrogate was kept: ``"joint"`` when the jointly
        trained head fits the network's outputs (after its link) at least as
        well on the training rows as a least-squares refit of its raw
        outputs, which is kept otherwise (``"post_hoc"``; always with
        ``fidelity_weight=0`` or a wrapped ``estimator``).
    history_ : list of dict
        Per-epoch training losses of the joint (gain-measuring) network.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    solve_grouping : The integer program on its own.

    Examples
    --------
    >>> from skmtlx.datasets import make_grouped_tasks
    >>> from skmtlx.grouping import TaskGrouper
    >>> X, Y, planted = make_grouped_tasks(200, 5, (2, 2), random_state=0)
    >>> grouper = TaskGrouper(n_groups=2, max_epochs=5, random_state=0).fit(X, Y)
    >>> grouper.gains_.shape, grouper.predict(X).shape
    ((4, 4), (200, 4))

    Let held-out loss choose how many groups (up to one per task) pay off:

    >>> grouper = TaskGrouper(group_selection="validation", max_epochs=5,
    ...                       random_state=0).fit(X, Y)
    >>> len(grouper.selection_results_["groups"]) >= 2
    True
    """

    _parameter_constraints = {
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "n_groups": [Interval(Integral, 1, None, closed="left"), None],
        "group_selection": [StrOptions({"budget", "validation", "validation_1se"})],
        "capacity": [StrOptions({"shared", "per_task"})],
        "max_group_size": [Interval(Integral, 1, None, closed="left"), None],
        "task_costs": ["array-like", None],
        "group_cost": [Interval(Real, 0, None, closed="left")],
        "max_group_cost": [Interval(Real, 0, None, closed="left"), None],
        "max_total_cost": [Interval(Real, 0, None, closed="left"), None],
        "must_link": ["array-like", None],
        "cannot_link": ["array-like", None],
        "gain": [StrOptions({"principled", "tag"})],
        "gain_every": [Interval(Integral, 1, None, closed="left")],
        "gain_epochs": [Interval(Integral, 1, None, closed="left"), None],
        "task_groups": [list, None],
        "estimator": [HasMethods(["fit", "predict"]), None],
        "task_types": [StrOptions({"auto"}), "array-like"],
        "time_limit": [Interval(Real, 0, None, closed="neither"), None],
        "memory": [None, str, HasMethods(["cache"])],
        "n_jobs": [Integral, None],
        "fidelity_weight": FIDELITY_WEIGHT_CONSTRAINT,
    }

    def __init__(
        self,
        hidden_layer_sizes=(64,),
        activation="relu",
        *,
        n_groups=None,
        group_selection="budget",
        capacity="shared",
        max_group_size=None,
        task_costs=None,
        group_cost=0.0,
        max_group_cost=None,
        max_total_cost=None,
        must_link=None,
        cannot_link=None,
        gain="principled",
        gain_every=1,
        gain_epochs=None,
        task_groups=None,
        estimator=None,
        task_types="auto",
        time_limit=None,
        fidelity_weight=0.1,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        weight_decay=0.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        memory=None,
        n_jobs=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.n_groups = n_groups
        self.group_selection = group_selection
        self.capacity = capacity
        self.max_group_size = max_group_size
        self.task_costs = task_costs
        self.group_cost = group_cost
        self.max_group_cost = max_group_cost
        self.max_total_cost = max_total_cost
        self.must_link = must_link
        self.cannot_link = cannot_link
        self.gain = gain
        self.gain_every = gain_every
        self.gain_epochs = gain_epochs
        self.task_groups = task_groups
        self.estimator = estimator
        self.task_types = task_types
        self.time_limit = time_limit
        self.fidelity_weight = fidelity_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.memory = memory
        self.n_jobs = n_jobs
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified once by validate_features
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.non_deterministic = False
        return tags

    def _check_task_types(self, Y, names):
        n_tasks = Y.shape[1]
        labelled = [_holds_labels(Y[:, t]) for t in range(n_tasks)]
        if isinstance(self.task_types, str):
            types = [
                "binary" if labelled[t] or _is_binary_column(Y[:, t]) else "regression"
                for t in range(n_tasks)
            ]
        else:
            types = list(self.task_types)
            if len(types) != n_tasks or any(t not in ("regression", "binary") for t in types):
                raise ValueError(
                    f"task_types must be 'auto' or a list of {n_tasks} entries in "
                    f"{{'regression', 'binary'}}, got {self.task_types!r}."
                )
            for t, kind in enumerate(types):
                if kind == "binary" and len(np.unique(Y[:, t])) > 2:
                    raise ValueError(
                        f"Task {t} is declared binary but has {len(np.unique(Y[:, t]))} "
                        "distinct values."
                    )
        for t in np.flatnonzero(labelled):
            labels = np.unique(Y[:, t]).tolist()
            shown = labels[:5] + (["..."] if len(labels) > 5 else [])
            if types[t] == "regression":
                raise ValueError(
                    f"Task {t} ({names[t]}) is declared regression but its values are not "
                    f"numbers ({shown}): declare it binary, or encode it as numbers."
                )
            if len(labels) > 2:
                raise ValueError(
                    f"Task {t} ({names[t]}) has {len(labels)} distinct labels that are not "
                    f"numbers ({shown}): TaskGrouper learns regression tasks (numbers) and "
                    "binary tasks (two labels). Encode the column as numbers, or as one "
                    "binary column per class."
                )
        return types

    def _numbers(self, Y):
        """Float targets: regression values, binary tasks as given when numbers, else 0/1."""
        return np.column_stack([
            Y[:, t] == self.classes_[t][-1] if _holds_labels(Y[:, t]) else Y[:, t]
            for t in range(self.n_tasks_)
        ]).astype(np.float64)

    def _encode(self, Y):
        """Targets for the networks: standardised regression, 0/1 binary."""
        Z = np.empty(Y.shape, dtype=np.float32)
        for t, kind in enumerate(self.task_types_):
            if kind == "binary":
                Z[:, t] = Y[:, t] == self.classes_[t][-1]
            else:
                Z[:, t] = (Y[:, t].astype(np.float64) - self.y_mean_[t]) / self.y_scale_[t]
        return Z

    def _train_net(self, config, data, tasks, gain=None):
        """Fit one shared-trunk network on ``tasks`` (training rows of ``data``).

        With ``gain=(kind, every)``, return the transfer gains it measured
        instead (``gains``, per-epoch gains, history).
        """
        X, Z, X_valid, Z_valid = data
        hidden = self._hidden
        if self.capacity == "per_task":
            hidden = tuple(width * len(tasks) for width in hidden)
        binary = [self.task_types_[t] == "binary" for t in tasks]
        valid = (X_valid, Z_valid[:, tasks]) if self.early_stopping and gain is None else None
        args = (config, X, Z[:, tasks], valid, binary, hidden, self.activation)
        if gain is None:
            return cached_training(self.memory, _fit_net)(
                *args, fidelity_weight=self.fidelity_weight)
        return cached_training(self.memory, _measure_gains)(*args, *gain)

    def _fit_group(self, config, data, raw, members):
        """Fit the model of one group; its seed depends on the members only."""
        if self.estimator is None:
            key = np.asarray(members, dtype=np.int64).tobytes()
            group_seed = (config.seed + zlib.crc32(key)) % (2**31 - 1)
            return self._train_net(config.replace(seed=group_seed), data, members)
        X, Y = raw
        target = Y[:, members[0]] if len(members) == 1 else Y[:, members]
        return clone(self.estimator).fit(X, target)

    def _candidate_groupings(self, gains, n_tasks):
        """``(budget, groups, solver result)`` of every grouping to consider."""
        constraints = dict(
            max_group_size=self.max_group_size,
            task_costs=self.task_costs,
            group_cost=self.group_cost,
            max_group_cost=self.max_group_cost,
            max_total_cost=self.max_total_cost,
            must_link=_as_pairs(self.must_link),
            cannot_link=_as_pairs(self.cannot_link),
        )
        # the full budget first: it raises the informative error if infeasible
        result = solve_grouping(
            gains, n_groups=self.n_groups, time_limit=self.time_limit, verbose=self.verbose > 0,
            **constraints
        )
        budget = n_tasks if self.n_groups is None else min(self.n_groups, n_tasks)
        if self.group_selection == "budget":
            return [(budget, result.groups, result)]
        found = {}
        for k in range(1, budget):
            try:
                sub = solve_grouping(
                    gains, n_groups=k, time_limit=self.time_limit, verbose=self.verbose > 0,
                    **constraints
                )
            except ValueError:  # fewer groups than the constraints allow
                continue
            found.setdefault(_key(sub.groups), (k, sub.groups, sub))
        found.setdefault(_key(result.groups), (budget, result.groups, result))
        alone = [[t] for t in range(n_tasks)]
        problem = _check_problem(
            gains, self.n_groups, 1, self.max_group_size,
            None if self.task_costs is None else np.asarray(self.task_costs, dtype=float),
            self.group_cost, self.max_group_cost, self.max_total_cost,
            constraints["must_link"], constraints["cannot_link"],
        )
        if _key(alone) not in found and not _violations(problem, alone):
            found[_key(alone)] = (n_tasks, alone, None)
        return list(found.values())

    def _check_task_groups(self, n_tasks):
        groups = self.task_groups
        try:
            groups = [sorted(int(t) for t in g) for g in groups]
        except (TypeError, ValueError):
            raise ValueError(
                f"task_groups must be a list of lists of task indices, got {self.task_groups!r}."
            ) from None
        flat = sorted(t for g in groups for t in g)
        if flat != list(range(n_tasks)) or any(len(g) == 0 for g in groups):
            raise ValueError(
                f"task_groups must partition the {n_tasks} tasks: every task index in "
                f"[0, {n_tasks - 1}] exactly once, got {self.task_groups!r}."
            )
        return sorted(groups, key=lambda g: g[0])

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Measure the transfer gains, choose the groups and fit the group models.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            One column per task (regression values, or binary labels of any
            kind: numbers, strings, booleans).

        Returns
        -------
        self : TaskGrouper
        """
        names = target_names(y)
        X, y = validate_features(self, X, y, multi_output=True, y_numeric=False,
                                 dtype=np.float64, ensure_min_samples=2)
        # what the targets are: read by the helpers that encode, train and score below;
        # everything the fit learns is assigned at the end, in one block
        self._hidden = check_hidden_layer_sizes(self.hidden_layer_sizes)
        self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if self._y_1d else y
        n_tasks = Y.shape[1]
        self.n_tasks_ = n_tasks
        y_names = names if names is not None else np.array(
            [f"task{t}" for t in range(n_tasks)], dtype=object)
        self.task_types_ = self._check_task_types(Y, y_names)
        self.classes_ = [
            np.unique(Y[:, t]) if kind == "binary" else None
            for t, kind in enumerate(self.task_types_)
        ]
        for t, kind in enumerate(self.task_types_):
            if kind == "binary" and len(self.classes_[t]) < 2:
                raise ValueError(f"Binary task {t} has a single class in y.")
        self.y_mean_, self.y_scale_ = mean_and_scale(self._numbers(Y))
        Z = self._encode(Y)
        # every network reads the features standardised on the training rows
        self._inputs = InputStandardization(X)
        Xs = self._inputs.transform(X)
        config = TrainingConfig.from_estimator(self)
        seed = config.seed
        select = self.group_selection != "budget" and self.task_groups is None

        # rows held out for early stopping and for choosing the grouping
        rows = np.arange(len(X))
        if self.early_stopping or self.group_selection != "budget":
            n_valid = check_fraction_split(len(X), self.validation_fraction)
            rows, valid_rows = train_test_split(rows, test_size=n_valid, random_state=seed)
        else:
            valid_rows = rows[:0]
        stop_rows = select_rows = valid_rows
        if self.early_stopping and self.group_selection != "budget" and len(valid_rows) > 1:
            # disjoint halves, so that the choice is not biased towards groupings
            # whose networks were early-stopped on the very rows that judge them
            stop_rows, select_rows = valid_rows[::2], valid_rows[1::2]
        data = (Xs[rows], Z[rows], Xs[stop_rows], Z[stop_rows])
        # a wrapped estimator has no early stopping: it sees every row unless selecting
        raw = (X[rows], Y[rows]) if select else (X, Y)

        # 1. transfer gains
        gains, gain_history, history = None, None, []
        selection_results = None
        if self.task_groups is not None:
            candidates = [(None, self._check_task_groups(n_tasks), None)]
        else:
            if n_tasks > 1:
                # the gain-measuring network is never early-stopped: it measures over
                # gain_epochs on every row not kept for the choice of the grouping
                gain_rows = rows
                if self.early_stopping:
                    gain_rows = np.arange(len(X))
                    gain_rows = np.setdiff1d(gain_rows, select_rows) if select else gain_rows
                gain_data = (Xs[gain_rows], Z[gain_rows], None, None)
                gain_config = config.replace(max_epochs=self.gain_epochs or self.max_epochs,
                                             early_stopping=False)
                gains, gain_history, history = self._train_net(
                    gain_config, gain_data, list(range(n_tasks)),
                    gain=(self.gain, self.gain_every),
                )
                if gains is None:
                    raise RuntimeError("No transfer gain could be measured; check the data.")
            else:
                gains, gain_history = np.zeros((1, 1)), np.zeros((0, 1, 1))
            # 2. grouping: the program's solution(s)
            candidates = self._candidate_groupings(gains, n_tasks)

        # 3. one model per group (each distinct group trained once), side by side
        distinct = list(dict.fromkeys(tuple(m) for _, groups, _ in candidates for m in groups))
        models = parallel_map(
            self._fit_group, [(config, data, raw, list(members)) for members in distinct],
            n_jobs=self.n_jobs, verbose=self.verbose, desc="TaskGrouper group models",
        )
        fitted = dict(zip(distinct, models))

        def group_model(members):
            return fitted[tuple(members)]

        if select:
            # held-out loss of every row, summed over the tasks, for each candidate
            row_losses = []
            for _, groups, _ in candidates:
                loss = np.zeros(len(select_rows))
                for members in groups:
                    out = self._group_outputs(members, group_model(members), X[select_rows])
                    loss += self._losses(out, Y[select_rows][:, members], members, True).sum(1)
                row_losses.append(loss)
            # ties: the fewest groups; standard errors from the paired rows
            one_se, lowest, valid_losses, std_err = one_standard_error_rule(
                row_losses, [len(g) for _, g, _ in candidates])
            best = one_se if self.group_selection == "validation_1se" else lowest
            selection_results = {
                "max_groups": [k for k, _, _ in candidates],
                "groups": [g for _, g, _ in candidates],
                "objective": [grouping_objective(gains, g) for _, g, _ in candidates],
                "valid_loss": [float(v) for v in valid_losses],
                "std_err": [float(v) for v in std_err],
            }
        else:
            best = 0
        _, groups, result = candidates[best]
        group_labels = np.empty(n_tasks, dtype=int)
        for g, members in enumerate(groups):
            group_labels[members] = g
        solve_time = sum(r.solve_time for _, _, r in candidates if r is not None)
        if self.task_groups is not None:
            objective, status, solve_time, gap = float("nan"), "given", 0.0, None
        elif result is None:  # each task alone
            objective, status, gap = 0.0, "alone", None
        else:
            objective, status, gap = result.objective, result.status, result.gap
        estimators = [group_model(members) for members in groups]

        # the fitted state, in one place
        self.gains_, self.gain_history_, self.history_ = gains, gain_history, history
        self.n_iter_ = len(history)
        self.selection_results_ = selection_results
        self.groups_, self.group_labels_ = groups, group_labels
        self.objective_, self.solver_status_ = objective, status
        self.solve_time_, self.mip_gap_ = solve_time, gap
        self.estimators_ = estimators
        self._y_dtype = np.asarray(y).dtype
        self._y_names = y_names
        self.surrogate_, self.surrogate_fit_ = self._fitted_surrogate(X)
        self.coef_, self.intercept_ = self.surrogate_.coef_, self.surrogate_.intercept_
        return self

    def _fitted_surrogate(self, X):
        """One surrogate per task, from each group model's surrogate head (or post hoc),
        and per group which one was kept (``surrogate_fit_``)."""
        surrogates, kinds = [], ["post_hoc"] * len(self.groups_)
        for members, model in zip(self.groups_, self.estimators_):
            binary = np.array([self.task_types_[t] == "binary" for t in members])
            scale = np.where(binary, 1.0, self.y_scale_[members])
            offset = np.where(binary, 0.0, self.y_mean_[members])
            if self.estimator is None:
                module = model.module_
                head = (FittedSurrogate.from_head(module.surrogate, X, inputs=self._inputs)
                        if hasattr(module, "surrogate") else None)
                raw = predict_module(module, self._inputs.transform(X), device=self.device)
                links = np.where(binary, "sigmoid", "identity")
                surrogate, kinds[len(surrogates)] = best_linear_surrogate(
                    X, np.hstack(raw[:len(members)]), links, [1] * len(members), head)
                surrogate.coef_ = surrogate.coef_ * scale[:, None]
                surrogate.intercept_ = surrogate.intercept_ * scale + offset
                surrogates.append(surrogate)
            elif hasattr(model, "coef_"):
                coef = np.reshape(model.coef_, (len(members), -1))
                intercept = np.reshape(getattr(model, "intercept_", np.zeros(len(members))), -1)
                surrogates.append(FittedSurrogate(coef, intercept, X))
            else:
                out = self._group_outputs(members, model, X)
                out[:, binary] = logit(np.clip(out[:, binary], 1e-6, 1 - 1e-6))
                surrogates.append(fit_post_hoc_surrogate(X, out))
        order = np.argsort(np.concatenate(self.groups_))
        return stack_surrogates(surrogates, order), kinds

    def _validate_surrogate_X(self, X):
        check_is_fitted(self)
        return validate_features(self, X, reset=False, dtype=np.float64)

    def _surrogate_names(self):
        return self._y_names, self._y_names

    def coef_table(self):
        """Per-task attributions next to the grouping: which tasks share which explanation.

        Returns
        -------
        table : pandas.DataFrame of shape (n_tasks, 2 + n_features)
            Index: the tasks (``y``'s column names when it is a DataFrame,
            else ``task0``, ``task1``, ...); columns ``group`` (the group label), ``type``
            (regression or binary) and one column of ``coef_`` per feature;
            rows sorted by group.
        """
        check_is_fitted(self)
        features = _check_feature_names_in(self)
        table = pd.DataFrame(self.coef_, index=self._y_names, columns=list(features))
        table.insert(0, "type", self.task_types_)
        table.insert(0, "group", self.group_labels_)
        return table.sort_values("group", kind="stable")

    def _labels(self, out):
        """Binary outputs (P(positive) or logits > 0 given as booleans) to labels."""
        if self._y_dtype.kind not in "iuf":  # labels that are not numbers
            out = out.astype(object)
        for t, kind in enumerate(self.task_types_):
            if kind == "binary":
                out[:, t] = self.classes_[t][out[:, t].astype(int)]
        out = out[:, 0] if self._y_1d else out
        if all(kind == "binary" for kind in self.task_types_):
            return out.astype(self._y_dtype)
        return out

    def predict_surrogate(self, X):
        """Predict every task with its surrogate (what :meth:`explain` explains).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Regression values and binary labels (surrogate logit > 0).
        """
        out = self._surrogate_outputs(self._validate_surrogate_X(X))
        for t, kind in enumerate(self.task_types_):
            if kind == "binary":
                out[:, t] = out[:, t] > 0
        return self._labels(out)

    def _probabilities(self, P):
        proba = [
            np.column_stack([1.0 - P[:, t], P[:, t]]) if kind == "binary" else None
            for t, kind in enumerate(self.task_types_)
        ]
        return proba[0] if self._y_1d else proba

    @available_if(_has_binary_task)
    def predict_proba(self, X):
        """Class probabilities of the binary tasks.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : list of (ndarray of shape (n_samples, 2) or None)
            One entry per task, columns ordered as ``classes_[t]``; None for
            regression tasks. A single array when ``y`` was 1-D in ``fit``.
        """
        check_is_fitted(self)
        X = validate_features(self, X, reset=False, dtype=np.float64)
        return self._probabilities(self._task_outputs(X))

    @available_if(_has_binary_task)
    def predict_surrogate_proba(self, X):
        """Class probabilities of the binary tasks' surrogates (sigmoid of their logits).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        proba : list of (ndarray of shape (n_samples, 2) or None)
            As :meth:`predict_proba`.
        """
        return self._probabilities(expit(self._surrogate_outputs(self._validate_surrogate_X(X))))

    # ------------------------------------------------------------------
    def _group_outputs(self, members, model, X):
        """Outputs of one group's model: values (original units), P(positive) for binary."""
        out = np.empty((X.shape[0], len(members)))
        if self.estimator is None:
            raw = predict_module(model.module_, self._inputs.transform(X), device=self.device)
            for k, t in enumerate(members):
                value = raw[k][:, 0]
                if self.task_types_[t] == "binary":
                    out[:, k] = 1.0 / (1.0 + np.exp(-value))
                else:
                    out[:, k] = value * self.y_scale_[t] + self.y_mean_[t]
            return out
        pred = np.asarray(model.predict(X)).reshape(len(X), len(members))
        proba = None
        if any(self.task_types_[t] == "binary" for t in members) and hasattr(
            model, "predict_proba"
        ):
            proba = model.predict_proba(X)
            proba = [proba] if len(members) == 1 else proba
        for k, t in enumerate(members):
            if self.task_types_[t] == "binary":
                if proba is not None:
                    p = np.asarray(proba[k])
                    out[:, k] = p[:, -1] if p.ndim == 2 else p
                else:
                    out[:, k] = (pred[:, k] == self.classes_[t][-1]).astype(float)
            else:
                out[:, k] = pred[:, k].astype(np.float64)
        return out

    def _task_outputs(self, X):
        """Per-task outputs: regression values (original units), P(positive) for binary."""
        out = np.empty((X.shape[0], self.n_tasks_))
        for members, model in zip(self.groups_, self.estimators_):
            out[:, members] = self._group_outputs(members, model, X)
        return out

    def _losses(self, out, Y, tasks, per_row=False):
        """Per-task loss of outputs ``out`` against targets ``Y`` (columns ``tasks``).

        With ``per_row=True``, the ``(n_rows, n_tasks)`` losses of every row.
        """
        losses = np.empty((len(out), len(tasks)))
        for k, t in enumerate(tasks):
            if self.task_types_[t] == "binary":
                target = (Y[:, k] == self.classes_[t][-1]).astype(float)
                p = np.clip(out[:, k], 1e-7, 1 - 1e-7)
                losses[:, k] = -(target * np.log(p) + (1 - target) * np.log(1 - p))
            else:
                losses[:, k] = ((out[:, k] - Y[:, k].astype(np.float64)) / self.y_scale_[t]) ** 2
        return losses if per_row else losses.mean(axis=0)

    def predict(self, X):
        """Predict every task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples, n_tasks) or (n_samples,)
            Regression values and binary labels; 1-D when ``y`` was 1-D in ``fit``.
        """
        check_is_fitted(self)
        return self._predict(validate_features(self, X, reset=False, dtype=np.float64))

    def _predict(self, X):
        """:meth:`predict` on validated ``X``."""
        out = self._task_outputs(X)
        for t, kind in enumerate(self.task_types_):
            if kind == "binary":
                out[:, t] = out[:, t] > 0.5
        return self._labels(out)

    def _check_y(self, X, y):
        X = validate_features(self, X, reset=False, dtype=np.float64)
        y = np.asarray(y)
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        if Y.shape != (X.shape[0], self.n_tasks_):
            raise ValueError(
                f"y must have shape ({X.shape[0]}, {self.n_tasks_}), got {np.shape(y)}."
            )
        return X, Y

    def score_tasks(self, X, y, sample_weight=None):
        """Score of every task: R² for regression tasks, accuracy for binary ones.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        scores : ndarray of shape (n_tasks,)
        """
        check_is_fitted(self)
        X, Y = self._check_y(X, y)
        pred = self._predict(X).reshape(len(X), -1)
        return np.array(
            [
                accuracy_score(Y[:, t], pred[:, t], sample_weight=sample_weight)
                if kind == "binary"
                else r2_score(Y[:, t].astype(np.float64), pred[:, t].astype(np.float64),
                              sample_weight=sample_weight)
                for t, kind in enumerate(self.task_types_)
            ]
        )

    def score(self, X, y, sample_weight=None):
        """Mean over tasks of :meth:`score_tasks` (R² / accuracy).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        score : float
        """
        return float(np.mean(self.score_tasks(X, y, sample_weight)))

    def task_losses(self, X, y):
        """Test loss of every task, in the units used for training.

        Mean squared error divided by the training variance of the target for
        regression tasks (``1 - R²`` up to the mean shift), logistic loss for
        binary tasks.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples, n_tasks) or (n_samples,)

        Returns
        -------
        losses : ndarray of shape (n_tasks,)
        """
        check_is_fitted(self)
        X, Y = self._check_y(X, y)
        return self._losses(self._task_outputs(X), Y, list(range(self.n_tasks_)))


def _fit_net(config, X, Z, valid_data, binary, hidden_layer_sizes, activation, callbacks=(),
             fidelity_weight=0.0):
    """Train a ``MultiHeadMLP`` on targets ``Z`` (one column per head).

    With ``fidelity_weight > 0`` it carries a linear surrogate head.
    """
    module = partial(
        MultiHeadMLP, X.shape[1], hidden_layer_sizes, [1] * Z.shape[1], activation=activation
    )
    module, criterion = with_surrogate(
        module, MultiTaskLoss(binary), fidelity_weight,
        ["sigmoid" if b else "identity" for b in binary], [1] * Z.shape[1], X.shape[1],
    )
    return train_module(
        config, module, criterion, X, Z, valid_data=valid_data, callbacks=list(callbacks),
    )


def _measure_gains(config, X, Z, valid_data, binary, hidden_layer_sizes, activation, kind,
                   every):
    """Train the joint network while recording transfer gains; return what was measured."""
    recorder = TransferGainRecorder(kind=kind, every=every)
    joint = _fit_net(
        config, X, Z, valid_data, binary, hidden_layer_sizes, activation,
        callbacks=[("transfer_gains", recorder)],
    )
    return recorder.gains_, np.array(recorder.epoch_gains_), history_records(joint)


def _as_pairs(pairs):
    return None if pairs is None else [tuple(p) for p in pairs]


def _key(groups):
    return tuple(tuple(g) for g in groups)
