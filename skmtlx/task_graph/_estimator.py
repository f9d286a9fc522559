"""SparseTaskGraphMTL: per-task linear models coupled by a learned sparse task graph."""

from contextlib import contextmanager
from numbers import Integral, Real
from typing import NamedTuple, Optional

import numpy as np
import pandas.api.types as pd_api
import scipy.sparse as sp
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.model_selection import check_cv
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_array,
    check_is_fitted,
)
from threadpoolctl import threadpool_limits

from .._explanation import Explanation
from .._persistence import PersistenceMixin
from .._surrogate import FittedSurrogate, best_linear_surrogate
from .._torch import InputStandardization
from ..utils._validation import (
    check_features,
    check_hidden_layer_sizes,
    check_random_seed,
    validate_features,
)
from ._bilevel import TaskGraphProblem, fidelity_moments, task_moments
from ._candidates import complete_edges, knn_edges, user_edges
from ._outer import optimize_edges, path_losses, select_path_point
from ._relatedness import (
    relatedness_edges,
    task_least_squares,
    whitener,
    with_predictive_edges,
)

__all__ = ["SparseTaskGraphMTL"]

# below this many unknowns (n_tasks * n_coefficients) the inner system is factorised
_DIRECT_MAX_SIZE = 200
# sparsity weights of the path that ``sparsity="1se"`` / ``"min"`` choose from
_SPARSITY_GRID = np.logspace(-4, 2, 7)
# pulls towards the shared model that ``shared_coupling="auto"`` chooses from
_SHARED_GRID = np.concatenate([[0.0], np.logspace(-2, 2, 9)])


def _adjacency(edges, weights, n_tasks):
    """Symmetric CSR adjacency of the candidate ``edges`` with positive ``weights``."""
    keep = weights > 0
    i, j = edges[keep, 0], edges[keep, 1]
    return sp.coo_matrix(
        (np.concatenate([weights[keep]] * 2), (np.concatenate([i, j]), np.concatenate([j, i]))),
        shape=(n_tasks, n_tasks)).tocsr()


class _Design(NamedTuple):
    """The validated, centred training data of one fit, in the stacked layout.

    ``Z`` holds the centred features (and the intercept column when
    ``fit_intercept``), ``y`` the centred targets, ``task_index`` each row's
    task in ``task_names``; ``output_tasks`` are the columns of a 2-d ``Y``
    (None for a 1-d ``y``). ``inputs`` is the standardisation the features
    were read through (:class:`SparseTaskGraphMLP`; None for the linear
    model): ``Z`` and ``X_offset`` are then in standardised units.
    """

    Z: np.ndarray
    y: np.ndarray
    task_index: np.ndarray
    task_names: np.ndarray
    X_offset: np.ndarray
    y_offset: float
    y_1d: bool
    output_tasks: Optional[np.ndarray]
    inputs: Optional[InputStandardization]


class SparseTaskGraphMTL(RegressorMixin, PersistenceMixin, BaseEstimator):
    """Multi-task regression with a learned sparse, interpretable task graph.

    Every task ``t`` gets its own linear model ``w_t``. Models are coupled by a
    weighted graph: ``rho/2 * sum_ij e_ij ||w_i - w_j||^2``. The edge weights
    ``e_ij`` in ``[0, 1]`` are learned by bilevel programming (Alesiani et al.,
    2020): the inner problem (the models for fixed weights) is solved in closed
    form, the outer problem minimises the per-task validation loss plus sparsity
    terms with the exact implicit hypergradient
    ``-rho (w_i - w_j)^T (u_i - u_j)`` and steps projected on ``[0, 1]``; the
    projection produces exact zeros. That *predictive* graph (``edges_``)
    holds the couplings that lower the validation loss. The *relatedness*
    graph (``relatedness_``) says which tasks' models are alike, each edge
    with its strength and a bootstrap confidence; read it to learn about the
    tasks (:meth:`get_graph`, :meth:`to_networkx` and
    :class:`TaskGraphDisplay` take ``kind``).

    ``fit(X, y, tasks=...)`` takes tasks stacked in rows; ``fit(X, Y)`` with a
    2-d ``Y`` takes one task per column, every task on the same rows, and
    :meth:`predict` then returns one column per task.

    Read more in the :ref:`User Guide <task_graph>`.

    Parameters
    ----------
    rho : float, default=1.0
        Strength of the graph coupling; the effective weight of edge ``ij`` is
        ``rho * e_ij``. Losses are per-task means, so ``rho`` does not depend on
        how many rows a task has.
    alpha : float, default=1e-3
        Ridge penalty on all coefficients (keeps every inner system well posed).
    shared_coupling : "auto" or float, default=0.0
        Pull of every task's model towards a shared model ``w_0`` learned with
        them: ``shared_coupling/2 * sum_t ||w_t - w_0||^2`` (mean-regularised
        multi-task learning, Evgeniou & Pontil, 2004). The learned graph then
        holds what tasks share beyond the common model, which is stored in
        ``shared_coef_`` / ``shared_intercept_``. 0 fits no shared model.
        ``"auto"`` takes the value among 0 and nine log-spaced values from 0.01
        to 100 whose models without any edge have the lowest validation loss on
        the ``cv`` folds, before the graph is learned.
    sparsity : {"1se", "min"} or float, default="1se"
        How sparse the graph is. A float is the weight of the L1 term
        ``sum(e)``: the validation loss is divided by the mean per-task
        validation loss of the better of the full candidate graph and the empty
        graph, so an edge must lower the validation loss of its two tasks by
        about ``sparsity`` (relative) per unit weight to be kept; 0 keeps every
        edge that helps. A string chooses the weight automatically on a
        cross-validated sparsity path: the graph is optimised for the L1
        weights ``1e-4, 1e-3, ..., 100`` in turn (each warm-started from the
        previous one and restricted to its edges), the start and the empty graph
        are added, and the per-task validation losses (averaged over the ``cv``
        folds, each scored out of sample, see ``path_cv``) of every point are
        recorded in ``path_``. ``"min"`` keeps the point with the lowest mean
        validation loss; ``"1se"`` applies the one-standard-error rule: the
        sparsest point whose mean validation loss is within one standard error
        of the lowest, the standard error being that of the paired per-task
        differences to the best point. The weights of the
        chosen edges are then re-optimised without the L1 term (debiasing).
    entropy : float, default=0.0
        Weight of the entropy-like term ``sum(e - e log e)`` used by the authors,
        which pushes small weights to exactly zero.
    candidate_graph : {"auto", "knn", "complete"} or array-like of shape \
            (n_edges, 2), default="auto"
        Edges that may be learned. ``"knn"``: the symmetrised ``n_neighbors``
        nearest-neighbour graph of independently fitted ridge models;
        ``"complete"``: all pairs; ``"auto"``: complete up to 50 tasks, else kNN;
        an array: pairs of task ids.
    n_neighbors : int, default=10
        Neighbours per task of the kNN candidate graph.
    cv : "auto", int, None, cross-validation generator or iterable, default="auto"
        The validation rows of the outer loss. An int: each task's rows are
        split in ``cv`` folds and the validation losses of the ``cv`` inner
        problems are averaged. ``"auto"``: 10 folds when the median task has no
        more rows than coefficients (its model is then under-determined and the
        fold models must be close to the refitted one: with 5 folds they see
        only 80% of the rows, and borrowing from other tasks looks more useful
        than it is), else 5. ``None`` uses a single split holding out
        ``validation_fraction`` of each task's rows, as in the paper (faster,
        noisier graphs). A splitter, called as ``cv.split(X, tasks)`` (e.g.
        ``StratifiedKFold``, which splits every task; ``PredefinedSplit`` for
        fixed validation rows), or an iterable of ``(train, validation)`` row
        indices: every task needs training and validation rows in each split.
    validation_fraction : float, default=0.2
        Fraction of each task's rows held out when ``cv=None``.
    path_cv : int, default=2
        How the sparsity path of ``sparsity="1se"`` / ``"min"`` is scored. Its
        edge weights are fitted to the folds' validation loss, so that loss
        flatters them, the more so the more edges a point keeps (spurious edges
        then survive the one-standard-error rule). The ``cv`` folds are dealt
        into ``path_cv`` groups; the path is rerun on the folds of all groups but
        one and scored on the held-out group's folds, in turn (the chosen graph
        is still the point of the path fitted on all folds). ``1`` scores every
        point on the folds it was fitted to (faster: each extra group costs about
        one more path on fewer folds). At most the number of folds is used;
        with a single split (``cv=None``) the path is scored in sample.
    max_iter : int, default=50
        Maximum number of outer iterations.
    init : {"auto", "full", "empty"}, default="auto"
        Starting edge weights: all ones (the full candidate graph), all zeros
        (independent models; edges whose hypergradient is negative grow), or
        ``"auto"``: whichever of the two has the lower validation loss with a
        float ``sparsity``, the full candidate graph with ``"1se"`` / ``"min"``
        (the sparsity path then runs from the full graph to the empty graph).
        ``max_iter=0`` returns the starting graph.
    tol : float, default=1e-5
        Stopping tolerance of the outer iterations.
    outer_solver : {"lbfgs", "adam"}, default="lbfgs"
        Projected quasi-Newton steps (L-BFGS-B on the box ``[0, 1]``) or
        projected Adam steps with step size ``outer_lr``.
    outer_lr : float, default=0.05
        Step size of ``outer_solver="adam"``.
    threshold : float, default=1e-3
        Edges whose learned weight is at most ``threshold`` are dropped.
    refit : bool, default=True
        Refit the models on all rows (inner training + validation) with the
        pruned graph. Otherwise the models are the average of the fold models.
    solver : {"auto", "direct", "cg"}, default="auto"
        Inner solver: ``"direct"`` Cholesky factorisation (one per outer step,
        shared by the adjoint solve), ``"cg"`` block-Jacobi preconditioned
        conjugate gradient, warm-started (time linear in the number of tasks for
        a sparse candidate graph); ``"auto"``: direct when
        ``n_tasks * n_coefficients <= 200``.
    fit_intercept : bool, default=True
        Fit one intercept per task (coupled by the graph like the coefficients).
        ``X`` and ``y`` are centred by their overall means first.
    task_column : str, int or None, default=None
        Column of ``X`` holding the task ids (a name for a DataFrame, or a
        position; a position for a sparse ``X``, whose column then holds
        numeric ids, zeros included). When None, task ids come from the ``tasks`` argument of
        :meth:`fit` and :meth:`predict` (routed with scikit-learn's metadata
        routing: ``set_fit_request(tasks=True)``, ``set_predict_request(tasks=True)``).
        With neither, all rows are one task and the model is a ridge regression
        with an empty graph (this is what scikit-learn's estimator checks see).
    n_resamples : int, default=20
        Bootstrap resamples of each task's rows behind the relatedness graph
        (``relatedness_``): an edge's ``confidence`` is the fraction of
        resamples in which it is found. 0 skips them (confidence NaN).
    n_jobs : int or None, default=None
        Processes running the sparsity path and its ``path_cv`` reruns side by
        side (``None`` means 1, ``-1`` one per core); a fit uses at most
        ``path_cv + 1``. The fitted model does not depend on it.
    verbose : int, default=0
        A progress bar over the points of the sparsity path when positive;
        silent otherwise.
    random_state : int, RandomState instance or None, default=None
        Seeds the validation folds and the bootstrap resamples.

    Attributes
    ----------
    tasks_ : ndarray of shape (n_tasks,)
        Task ids seen in fit, sorted; row ``t`` of ``coef_`` is task ``tasks_[t]``.
    coef_ : ndarray of shape (n_tasks, n_coefficients)
        Per-task coefficients (on the feature columns of ``X``, the task column
        excluded).
    intercept_ : ndarray of shape (n_tasks,)
        Per-task intercepts.
    shared_coupling_ : float
        The pull towards the shared model used (chosen when ``"auto"``).
    shared_coef_ : ndarray of shape (n_coefficients,)
        Only with ``shared_coupling_ > 0``: the shared model's coefficients (on
        the same columns as ``coef_``).
    shared_intercept_ : float
        Only with ``shared_coupling_ > 0``: the shared model's intercept.
    candidate_edges_ : ndarray of shape (n_candidates, 2)
        Candidate edges as indices into ``tasks_``.
    edges_ : ndarray of shape (n_edges, 2)
        Kept edges, as pairs of task ids (``tasks_`` values).
    edge_weights_ : ndarray of shape (n_edges,)
        Learned weights in ``(threshold, 1]`` of ``edges_``.
    adjacency_ : scipy.sparse.csr_matrix of shape (n_tasks, n_tasks)
        Symmetric weighted adjacency of the learned graph.
    graph_history_ : ndarray of shape (n_steps, n_candidates)
        With a float ``sparsity``: the candidate edge weights after each outer
        iteration (first row: the start, all ones, or all zeros when independent
        models validate better than the full candidate graph). With ``"1se"`` /
        ``"min"``: the start, the points of the sparsity path, and the final
        (debiased) weights.
    path_ : sklearn.utils.Bunch
        Only with ``sparsity="1se"`` or ``"min"`` (and at least one candidate
        edge): the cross-validated sparsity path, ``sparsities`` (NaN for the
        start, ``inf`` for the empty graph), ``weights`` (n_points,
        n_candidates), ``n_edges``, ``validation_loss`` (mean over tasks of the
        fold-averaged validation MSE, scored as ``path_cv`` says),
        ``validation_se`` (standard error of each point's paired per-task
        difference to the best point) and
        ``selected_index``.
    n_iter_ : int
        Number of outer iterations run (over the whole path, its reruns for
        ``path_cv`` and the debiasing step with a ``"1se"`` / ``"min"``
        sparsity; 1 when there is no candidate edge: the models are then one
        closed-form solve).
    relatedness_ : sklearn.utils.Bunch
        The relatedness graph: which tasks' models are alike, read off the
        per-task least-squares models (with their estimation noise; features
        constant within a task and exactly collinear features left out) when
        every task has at least ``n_coefficients + 3`` rows and a full-rank
        design, else off ``coef_``.
        A pair is
        an edge when its models are (significantly) closer than half what two
        unrelated tasks of the population show and no third task clearly lies
        between them (or the pair lies in a group of alike tasks); see the User
        Guide. Off ``coef_``, a task alike
        to no other keeps its edges of the predictive graph: its rows do not
        determine its model, so "unrelated" is not shown. ``edges`` (pairs of
        task ids), ``strength`` (similarity in ``[0, 1]``: one minus the pair's
        squared prediction difference over the sum of each task's to the mean
        model), ``confidence`` (fraction of the ``n_resamples`` bootstrap
        resamples that find the edge), ``source`` (``"alike"`` from the
        relatedness test, ``"predictive"`` kept from the predictive graph),
        ``similarity`` and ``frequency`` (the full
        ``(n_tasks, n_tasks)`` matrices), ``adjacency`` (sparse, weighted by
        strength) and ``method`` (``"least squares"`` or ``"fitted models"``).
    output_tasks_ : ndarray of shape (n_outputs,)
        Only after a fit on a 2-d ``Y``: the task of each column of ``Y`` (its
        DataFrame column names, else ``0..n_outputs - 1``), the columns of
        :meth:`predict`.
    surrogate_ : object
        Per-task linear surrogates on the feature columns, what
        :meth:`explain` uses: the task models themselves.
    n_features_in_ : int
        Number of columns of ``X`` seen in fit (task column included).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it is a DataFrame with string column names.

    See Also
    --------
    sklearn.linear_model.MultiTaskLasso : shared design, no task graph.

    References
    ----------
    F. Alesiani, S. Yu, A. Shaker, W. Yin. "Towards Interpretable Multi-Task
    Learning Using Bilevel Programming", ECML-PKDD 2020.

    Examples
    --------
    >>> from skmtlx.datasets import make_task_graph_regression
    >>> from skmtlx.task_graph import SparseTaskGraphMTL
    >>> X, y, tasks, true_edges = make_task_graph_regression(
    ...     "cliques", n_tasks=6, n_groups=2, n_features=5, random_state=0)
    >>> model = SparseTaskGraphMTL(random_state=0).fit(X, y, tasks=tasks)
    >>> model.coef_.shape
    (6, 5)
    >>> model.predict(X[:3], tasks=tasks[:3]).shape
    (3,)

    The relatedness graph (which tasks' models are alike, with a bootstrap
    confidence) and the predictive graph (the couplings the predictions use):

    >>> model.get_graph("relatedness").kind, model.get_graph("predictive").kind
    ('relatedness', 'predictive')

    Every task on the same rows, one column of ``Y`` per task:

    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> X2 = rng.randn(50, 3)
    >>> Y = np.column_stack([X2 @ [1, 2, 0], X2 @ [1, 2, 0.1], X2 @ [0, -1, 3]])
    >>> SparseTaskGraphMTL(random_state=0).fit(X2, Y).predict(X2[:4]).shape
    (4, 3)

    With a shared model that every task is pulled towards:

    >>> shared = SparseTaskGraphMTL(shared_coupling=1.0, random_state=0).fit(X, y, tasks=tasks)
    >>> shared.shared_coef_.shape
    (5,)
    """

    _parameter_constraints = {
        "rho": [Interval(Real, 0, None, closed="neither")],
        "alpha": [Interval(Real, 0, None, closed="neither")],
        "shared_coupling": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
        "sparsity": [Interval(Real, 0, None, closed="left"), StrOptions({"1se", "min"})],
        "entropy": [Interval(Real, 0, None, closed="left")],
        "candidate_graph": [StrOptions({"auto", "knn", "complete"}), "array-like"],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "cv": [StrOptions({"auto"}), "cv_object"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "path_cv": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "init": [StrOptions({"auto", "full", "empty"})],
        "tol": [Interval(Real, 0, None, closed="left")],
        "outer_solver": [StrOptions({"lbfgs", "adam"})],
        "outer_lr": [Interval(Real, 0, None, closed="neither")],
        "threshold": [Interval(Real, 0, 1, closed="left")],
        "refit": ["boolean"],
        "solver": [StrOptions({"auto", "direct", "cg"})],
        "fit_intercept": ["boolean"],
        "task_column": [str, Integral, None],
        "n_resamples": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        *,
        rho=1.0,
        alpha=1e-3,
        shared_coupling=0.0,
        sparsity="1se",
        entropy=0.0,
        candidate_graph="auto",
        n_neighbors=10,
        cv="auto",
        validation_fraction=0.2,
        path_cv=2,
        max_iter=50,
        init="auto",
        tol=1e-5,
        outer_solver="lbfgs",
        outer_lr=0.05,
        threshold=1e-3,
        refit=True,
        solver="auto",
        fit_intercept=True,
        task_column=None,
        n_resamples=20,
        n_jobs=None,
        verbose=0,
        random_state=None,
    ):
        self.rho = rho
        self.alpha = alpha
        self.shared_coupling = shared_coupling
        self.sparsity = sparsity
        self.entropy = entropy
        self.candidate_graph = candidate_graph
        self.n_neighbors = n_neighbors
        self.cv = cv
        self.validation_fraction = validation_fraction
        self.path_cv = path_cv
        self.max_iter = max_iter
        self.init = init
        self.tol = tol
        self.outer_solver = outer_solver
        self.outer_lr = outer_lr
        self.threshold = threshold
        self.refit = refit
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.task_column = task_column
        self.n_resamples = n_resamples
        self.n_jobs = n_jobs
        self.verbose = verbose
        self.random_state = random_state

    # ------------------------------------------------------------ input handling
    def _split_task_column(self, X, reset):
        """Validate ``X`` (names / width) and separate the task column.

        A sparse ``X`` is densified first: its task column is then a numeric
        column like any array's (a name needs a DataFrame).
        """
        X = validate_features(self, X, reset=reset, skip_check_array=True)
        col = self.task_column
        if hasattr(X, "iloc"):
            if isinstance(col, str):
                if col not in X.columns:
                    raise ValueError(f"task_column={col!r} is not a column of X.")
                tasks = X[col].to_numpy()
                features = X.drop(columns=[col])
            else:
                if not -X.shape[1] <= col < X.shape[1]:
                    raise ValueError(f"task_column={col} is out of range for X with "
                                     f"{X.shape[1]} columns.")
                tasks = X.iloc[:, col].to_numpy()
                features = X.drop(columns=[X.columns[col]])
            return features.to_numpy(), tasks
        if isinstance(col, str):
            raise ValueError(
                f"task_column={col!r} is a column name but X has no column names; pass a "
                "pandas DataFrame or give the column position as an int."
            )
        X = np.asarray(X, dtype=object) if not hasattr(X, "shape") else X
        if getattr(X, "ndim", 0) != 2:
            raise ValueError("X must be 2-dimensional when task_column is set.")
        if not -X.shape[1] <= col < X.shape[1]:
            raise ValueError(f"task_column={col} is out of range for X with {X.shape[1]} columns.")
        tasks = np.asarray(X[:, col])
        features = np.delete(np.asarray(X), col if col >= 0 else X.shape[1] + col, axis=1)
        return features, tasks

    @staticmethod
    def _check_task_ids(tasks, n_samples):
        tasks = np.asarray(tasks)
        if tasks.ndim != 1:
            tasks = tasks.reshape(-1) if tasks.ndim == 2 and 1 in tasks.shape else tasks
        if tasks.ndim != 1 or len(tasks) != n_samples:
            raise ValueError(
                f"tasks must be a 1d array with one task id per row of X: X has {n_samples} "
                f"rows, tasks has shape {np.shape(tasks)}."
            )
        if tasks.dtype.kind in "fc":
            if np.isnan(tasks).any():
                raise ValueError("tasks contains NaN; every row needs a task id.")
        elif tasks.dtype.kind == "O":
            bad = [t for t in tasks.tolist() if t is None or (isinstance(t, float) and t != t)]
            if bad:
                raise ValueError("tasks contains missing values (None/NaN); every row needs "
                                 "a task id.")
            kinds = {type(t).__name__ for t in tasks.tolist()}
            if len({isinstance(t, str) for t in tasks.tolist()}) > 1:
                raise ValueError(
                    f"tasks mixes types {sorted(kinds)}: task ids cannot be ordered; give "
                    "every id the same type (e.g. tasks.astype(str))."
                )
        return tasks

    @staticmethod
    def _check_numeric_features(X):
        """A clear error for string or categorical feature columns of a DataFrame."""
        dtypes = getattr(X, "dtypes", None)
        if dtypes is None:
            return
        bad = [str(c) for c, dtype in dtypes.items()
               if not (pd_api.is_numeric_dtype(dtype) or pd_api.is_bool_dtype(dtype))]
        if bad:
            raise ValueError(
                f"SparseTaskGraphMTL needs numeric features; column(s) {bad} are categorical "
                "or strings: encode them first (e.g. OneHotEncoder in a Pipeline), or name "
                "the column of task ids with task_column=."
            )

    @contextmanager
    def _explain_linalg_errors(self):
        """Turn a failed factorisation into an error naming ``rho`` and ``alpha``."""
        try:
            yield
        except np.linalg.LinAlgError as exc:
            raise ValueError(
                f"The per-task linear systems are not numerically positive definite with "
                f"rho={self.rho!r} and alpha={self.alpha!r} ({exc}); use a smaller rho "
                "relative to alpha, or scale the features."
            ) from exc

    def _get_xy_tasks(self, X, y, tasks, reset):
        if self.task_column is not None:
            if tasks is not None:
                raise ValueError("Give task ids either with task_column or with the tasks "
                                 "argument, not both.")
            features, tasks = self._split_task_column(X, reset)
            if hasattr(X, "columns"):
                self._check_numeric_features(X.drop(columns=[
                    X.columns[self.task_column] if isinstance(self.task_column, Integral)
                    else self.task_column]))
            features = check_features(features, dtype=np.float64)
            if y is not None:
                y = check_array(y, ensure_2d=False, dtype=np.float64)
                if y.ndim != 1:
                    y = y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y
                if y.ndim != 1 or len(y) != len(features):
                    raise ValueError("y must be 1d with one target per row of X.")
        elif y is not None:
            self._check_numeric_features(X)
            features, y = validate_features(self, X, y, reset=reset, y_numeric=True,
                                            multi_output=True)
            if y.dtype.kind not in "biuf":
                raise ValueError(f"{type(self).__name__} is a regressor: y must be numeric, "
                                 f"got values of dtype {y.dtype}.")
            if y.ndim == 2 and y.shape[1] == 1:
                y = y[:, 0]
            elif y.ndim == 2 and tasks is not None:
                raise ValueError(
                    "Give tasks= with a 1-d y (the stacked layout), or a 2-d Y with one "
                    "column per task and no tasks=; got tasks= and y of shape "
                    f"{y.shape}.")
        else:
            self._check_numeric_features(X)
            features = validate_features(self, X, reset=reset)
        if tasks is not None:
            tasks = self._check_task_ids(tasks, len(features))
        return features, y, tasks

    @staticmethod
    def _stack_outputs(X, Y, names):
        """The stacked layout of a 2-d ``Y``: one task per column, in column order."""
        names = np.arange(Y.shape[1]) if names is None else np.asarray(names)
        if len(np.unique(names)) != len(names):
            raise ValueError("The columns of Y must have distinct names (one task each).")
        n = len(X)
        return np.tile(X, (Y.shape[1], 1)), Y.T.ravel(), np.repeat(names, n), names

    # ------------------------------------------------------------ preparation
    def _prepare(self, X, y, tasks, y_columns):
        """Validate, encode the tasks and centre: the :class:`_Design` of a fit."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target "
                             "y is None.")
        X, y, tasks = self._get_xy_tasks(X, y, tasks, reset=True)
        y_1d, output_tasks = y.ndim == 1, None
        if not y_1d:
            X, y, tasks, output_tasks = self._stack_outputs(X, y, y_columns)
        if tasks is None:
            task_names = np.array([0])
            task_index = np.zeros(len(X), dtype=int)
            if len(X) < 2:
                raise ValueError(f"Found 1 sample; each task needs at least 2 samples "
                                 f"(n_samples = {len(X)}).")
        else:
            task_names, task_index = np.unique(tasks, return_inverse=True)
            if len(task_names) < 2:
                raise ValueError(
                    f"SparseTaskGraphMTL needs at least 2 tasks to learn a graph, got one task "
                    f"({task_names[0]!r}). Fit a plain regressor instead, or pass tasks=None."
                )
        counts = np.bincount(task_index, minlength=len(task_names))
        if counts.min() < 2:
            small = task_names[counts < 2][:5].tolist()
            raise ValueError(
                f"Each task needs at least 2 samples (one to train, one to validate); "
                f"task(s) {small} have 1 sample."
            )
        inputs = InputStandardization(X) if self._reads_standardised_features else None
        if inputs is not None:
            X = inputs.transform(X).astype(np.float64)
        if self.fit_intercept:
            X_offset, y_offset = X.mean(axis=0), float(y.mean())
            Z = np.hstack([X - X_offset, np.ones((len(X), 1))])
        else:
            X_offset, y_offset = np.zeros(X.shape[1]), 0.0
            Z = X
        yc = y - y_offset
        # the per-task moments sum squares of these over the rows: they must not overflow
        largest = max(np.abs(Z).max(initial=0.0), np.abs(yc).max(initial=0.0))
        if largest > np.sqrt(np.finfo(np.float64).max / max(len(Z), 1)):
            raise ValueError(
                f"X or y holds values too large for SparseTaskGraphMTL (magnitude {largest:.3g} "
                "after centring): their squares overflow; scale the features and the target "
                "(e.g. StandardScaler)."
            )
        return _Design(Z, yc, task_index, task_names, X_offset, y_offset, y_1d, output_tasks,
                       inputs)

    def _n_folds(self, task_index, T, n_coef):
        if self.cv == "auto":
            median_rows = np.median(np.bincount(task_index, minlength=T))
            return 10 if median_rows <= n_coef else 5
        return self.cv

    def _splits(self, Z, task_index, task_names):
        """``(train, validation)`` boolean row masks of the outer loss's inner problems."""
        T = len(task_names)
        if self.cv is not None and not isinstance(self.cv, (str, Integral)):
            return self._user_splits(Z, task_index, task_names)
        rng = check_random_state(self.random_state)
        if self.cv is None:
            val = np.zeros(len(task_index), dtype=bool)
            for t in range(T):
                rows = np.flatnonzero(task_index == t)
                n_val = min(max(1, int(round(self.validation_fraction * len(rows)))),
                            len(rows) - 1)
                val[rng.permutation(rows)[:n_val]] = True
            return [(~val, val)]
        n_folds = self._n_folds(task_index, T, Z.shape[1])
        fold = np.zeros(len(task_index), dtype=int)
        for t in range(T):
            rows = np.flatnonzero(task_index == t)
            fold[rows[rng.permutation(len(rows))]] = np.arange(len(rows)) % n_folds
        return [(fold != k, fold == k) for k in range(n_folds)]

    def _user_splits(self, Z, task_index, task_names):
        """Masks of a splitter or an iterable of ``(train, validation)`` row indices."""
        n, T = len(task_index), len(task_names)
        splits = []
        for k, (train, val) in enumerate(check_cv(self.cv).split(Z, task_index)):
            masks = []
            for name, rows in (("training", train), ("validation", val)):
                rows = np.asarray(rows)
                if rows.dtype == bool and rows.shape == (n,):
                    rows = np.flatnonzero(rows)
                if rows.ndim != 1 or (rows.size and (rows.dtype.kind not in "iu"
                                                     or rows.min() < 0 or rows.max() >= n)):
                    raise ValueError(f"cv split {k}: {name} rows must be indices in "
                                     f"[0, {n}) or a boolean mask of the {n} rows.")
                mask = np.zeros(n, dtype=bool)
                mask[rows.astype(int)] = True
                missing = np.bincount(task_index[mask], minlength=T) == 0
                if missing.any():
                    raise ValueError(
                        f"cv split {k} has no {name} rows for task(s) "
                        f"{task_names[missing][:5].tolist()}; every task needs training "
                        "and validation rows in each split (StratifiedKFold splits on the "
                        "task ids).")
                masks.append(mask)
            splits.append(tuple(masks))
        if not splits:
            raise ValueError("cv gave no split.")
        return splits

    def _solver_for(self, T, d):
        if self.solver != "auto":
            return self.solver
        return "direct" if T * d <= _DIRECT_MAX_SIZE else "cg"

    def _candidates(self, G, b, task_names):
        T, cg = len(task_names), self.candidate_graph
        if isinstance(cg, str):
            if cg == "complete" or (cg == "auto" and T <= 50):
                return complete_edges(T)
            independent = TaskGraphProblem(G, b, np.zeros((0, 2), int), 1.0, self.alpha,
                                           solver=self._solver_for(T, G.shape[1])).solve(
                np.zeros(0))
            return knn_edges(independent, self.n_neighbors)
        return user_edges(cg, task_names)

    def _problem(self, Z, design, edges):
        """The folded outer problem and the ``shared_coupling`` resolved on its folds."""
        y, task_index, T, d = design.y, design.task_index, len(design.task_names), Z.shape[1]
        solver = self._solver_for(T, d)
        moments = [self._inner_moments(Z, design, train)
                   + task_moments(Z[val], y[val], task_index[val], T)[:3]
                   for train, val in self._splits(Z, task_index, design.task_names)]
        G, b, Gv, bv, yyv = (np.stack(m) for m in zip(*moments))  # fold axis first

        def folded(shared):
            return TaskGraphProblem(G, b, edges, self.rho, self.alpha, Gv, bv, yyv,
                                    solver=solver, cg_tol=1e-7, shared=shared)

        if self.shared_coupling == "auto":
            # the pull that predicts the validation rows best without any edge
            empty = np.zeros(len(edges))
            losses = [np.sum(folded(shared).per_task_losses(empty)) for shared in _SHARED_GRID]
            shared_coupling = float(_SHARED_GRID[np.argmin(losses)])
        else:
            shared_coupling = float(self.shared_coupling)
        return folded(shared_coupling), shared_coupling

    def _inner_moments(self, Z, design, rows=slice(None)):
        """``G``, ``b`` of the inner problem on ``rows`` of the task models' features ``Z``.

        With a trunk and ``fidelity_weight`` w > 0, each task's data term is
        ``(1 - w) * mse + w * fidelity`` at the best linear surrogate on the
        inputs: ``G = (1 - w) G + w F`` (:func:`fidelity_moments`), ``b = (1 - w) b``.
        """
        T = len(design.task_names)
        G, b, _, _ = task_moments(Z[rows], design.y[rows], design.task_index[rows], T)
        weight = self.fidelity_weight if self._nonlinear(T) else 0.0
        if weight > 0:
            F = fidelity_moments(Z[rows], design.Z[rows], design.task_index[rows], T)
            G, b = (1 - weight) * G + weight * F, (1 - weight) * b
        return G, b

    # ------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, tasks=None):
        """Learn the task graph and the per-task models.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features (plus the task column when ``task_column`` is set).
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Targets: one per row (tasks given by ``tasks`` or ``task_column``),
            or one column per task (every task on the same rows; task ids from
            the DataFrame's column names, else ``0..n_tasks - 1``).
        tasks : array-like of shape (n_samples,), default=None
            Task id of each row (any hashable labels). Not allowed with
            ``task_column`` or a 2-d ``y``.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, tasks)

    def _fit(self, X, y, tasks, sparsities=None):
        """Fit; ``sparsities`` (a grid of L1 weights) forces a sparsity path."""
        # task names of a 2-d Y: its DataFrame columns
        y_columns = list(y.columns) if getattr(y, "ndim", 1) == 2 and hasattr(
            y, "columns") else None
        with threadpool_limits(1, user_api="blas"), self._explain_linalg_errors():
            design = self._prepare(X, y, tasks, y_columns)
            Z, trunk = design.Z, None
            if self._nonlinear(len(design.task_names)):
                from ._nonlinear import fit_trunk, trunk_features

                sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
                if not sizes:
                    raise ValueError(
                        "model='mlp' needs at least one hidden layer in hidden_layer_sizes (got "
                        "none): without one the trunk is the identity; use SparseTaskGraphMTL "
                        "for linear task models.")
                trunk = fit_trunk(
                    self._network_config(), Z, design.y, design.task_index, rho=self.rho,
                    hidden_layer_sizes=sizes, fit_intercept=self.fit_intercept,
                    fidelity_weight=self.fidelity_weight)
                Z = trunk_features(trunk, Z)
            T = len(design.task_names)
            G, b = self._inner_moments(Z, design)
            edges = self._candidates(G, b, design.task_names) if T > 1 else np.zeros(
                (0, 2), int)
            problem, shared_coupling = self._problem(Z, design, edges)
            path = None
            if len(edges):
                # start from the full candidate graph, or from no edge at all when
                # independent models validate better (the full graph can sit on a
                # plateau where no single edge's removal helps)
                full_losses = problem.per_task_losses(np.ones(len(edges)))
                empty_losses = problem.per_task_losses(np.zeros(len(edges)))
                # the outer loss f of each graph: half the summed per-task losses, fold mean
                f_full, f_none = (0.5 * np.mean(np.sum(loss, axis=1))
                                  for loss in (full_losses, empty_losses))
                start_full = self.init == "full" or (self.init == "auto" and f_full <= f_none)
                use_path = sparsities is not None or (
                    isinstance(self.sparsity, str) and self.max_iter > 0)
                if use_path:
                    # the sparsity path runs from the full candidate graph to the empty one
                    start_full = self.init != "empty"
                e0 = np.ones(len(edges)) if start_full else np.zeros(len(edges))
                scale = max(min(f_full, f_none) / T, np.finfo(float).tiny)
                if use_path:
                    grid = _SPARSITY_GRID if sparsities is None else sparsities
                    start_losses = full_losses if start_full else empty_losses
                    e, history, n_iter, path = self._select_sparsity(
                        problem, e0, grid, start_losses, empty_losses, scale)
                else:
                    e, history, n_iter = optimize_edges(
                        problem, e0, sparsity=self._sparsity_weight(), entropy=self.entropy,
                        scale=scale, max_iter=self.max_iter, tol=self.tol,
                        method=self.outer_solver, outer_lr=self.outer_lr,
                    )
                    e = np.where(e > self.threshold, e, 0.0)
            else:
                e, history, n_iter = np.zeros(0), [np.zeros(0)], 1
            models = self._models(G, b, edges, e, problem, shared_coupling, design)
            relatedness = self._relatedness(Z, design, edges, e, shared_coupling, (G, b))
            task_networks = self._fit_task_networks(Z, design, edges[e > 0], e[e > 0])
        # the fitted state, in one block; what an earlier fit set and this one does
        # not (a trunk, task networks, a path, a shared model, Y's columns) is removed
        for name in ("trunk_", "task_networks_", "path_", "shared_coef_", "shared_intercept_",
                     "output_tasks_", "surrogate_fit_"):
            self.__dict__.pop(name, None)
        self.tasks_, self._y_1d = design.task_names, design.y_1d
        self._X_offset, self._y_offset = design.X_offset, design.y_offset
        self._inputs = design.inputs
        if design.output_tasks is not None:
            self.output_tasks_ = design.output_tasks
        if trunk is not None:
            self.trunk_ = trunk
        if task_networks is not None:
            self.task_networks_ = task_networks
        if path is not None:
            self.path_ = path
        self.shared_coupling_, self.candidate_edges_, self.n_iter_ = shared_coupling, edges, n_iter
        self.graph_history_ = np.asarray(history).reshape(len(history), len(edges))
        self.__dict__.update(models)
        self.relatedness_ = relatedness
        self.surrogate_, kinds = self._fitted_surrogate(X, tasks)
        if kinds is not None:
            self.surrogate_fit_ = np.asarray(kinds)
        return self

    def _relatedness(self, Z, design, edges, e, shared_coupling, inner_moments):
        """The relatedness graph and its bootstrap confidence (see ``_relatedness``).

        ``inner_moments`` are the inner system's ``G``, ``b`` on all rows, those of the fit.
        """
        y, task_index, task_names = design.y, design.task_index, design.task_names
        T, p = len(task_names), Z.shape[1]
        G, b, yy, counts = task_moments(Z, y, task_index, T)
        C = whitener(np.einsum("t,tij->ij", counts, G))
        # the columns of each task's own least-squares model: a feature constant
        # within a task (a feature of the task itself) is confounded with its
        # intercept, so such features are left out
        own = np.arange(p)
        if self.fit_intercept:
            spread = np.einsum("tkk->tk", G)[:, :-1] - G[:, :-1, -1] ** 2
            varies = spread.min(axis=0) > 1e-10 * max(spread.max(), np.finfo(float).tiny)
            own = np.append(np.flatnonzero(varies), p - 1)
        # in a whitened basis of the pooled design, without its null directions
        # (exactly collinear features), distances are prediction differences
        pooled = np.einsum("t,tij->ij", counts, G[:, own][:, :, own]) / counts.sum()
        lam, U = np.linalg.eigh(pooled)
        basis = U[:, lam > 1e-10 * lam.max()] / np.sqrt(lam[lam > 1e-10 * lam.max()])
        G_own = np.einsum("ki,tkl,lj->tij", basis, G[:, own][:, :, own], basis)
        eigenvalues = np.linalg.eigvalsh(G_own)
        # when every task determines its own model (enough rows, full rank)
        least_squares = counts.min() >= basis.shape[1] + 3 and bool(
            np.all(eigenvalues[:, 0] > 1e-8 * eigenvalues[:, -1]))

        def read(sample=None, noise=1.0):
            # the models of all rows (sample None: their moments are at hand) or of a
            # resample within each task
            if least_squares:
                G_s, b_s, yy_s = (G, b, yy) if sample is None else task_moments(
                    Z[sample], y[sample], task_index[sample], T)[:3]
                coef, cov = task_least_squares(
                    np.einsum("ki,tkl,lj->tij", basis, G_s[:, own][:, :, own], basis),
                    b_s[:, own] @ basis, yy_s, counts, self.alpha)
                adjacency, similarity = relatedness_edges(coef, noise * cov)
                return adjacency, similarity, adjacency
            moments = inner_moments if sample is None else self._inner_moments(Z, design, sample)
            inner = TaskGraphProblem(*moments, edges, self.rho, self.alpha,
                                     solver=self._solver_for(T, p), shared=shared_coupling)
            adjacency, similarity = relatedness_edges(inner.solve(e) @ C.T)
            return with_predictive_edges(adjacency, predictive), similarity, adjacency

        predictive = np.zeros((T, T), dtype=bool)
        kept = edges[e > 0] if len(edges) else np.zeros((0, 2), dtype=int)
        predictive[kept[:, 0], kept[:, 1]] = predictive[kept[:, 1], kept[:, 0]] = True
        adjacency, similarity, alike = read()
        frequency = np.full((T, T), np.nan)
        if self.n_resamples and T > 1:
            rng = check_random_state(self.random_state)
            rows = [np.flatnonzero(task_index == t) for t in range(T)]
            found = np.zeros((T, T))
            for _ in range(self.n_resamples):
                idx = np.concatenate([rng.choice(r, len(r)) for r in rows])
                # a resample's models carry the estimation noise twice (the data's
                # around the truth, the resample's around the data's)
                found += read(idx, noise=2.0)[0]
            frequency = found / self.n_resamples
        i, j = np.nonzero(np.triu(adjacency, 1))
        # an edge kept from the predictive graph may have similarity 0: it stays drawn
        drawn = np.maximum(similarity[i, j], np.finfo(float).tiny)
        return Bunch(
            edges=task_names[np.column_stack([i, j])].reshape(-1, 2),
            strength=similarity[i, j], confidence=frequency[i, j],
            source=np.where(alike[i, j], "alike", "predictive"),
            similarity=similarity, frequency=frequency,
            adjacency=_adjacency(np.column_stack([i, j]), drawn, T),
            method="least squares" if least_squares else "fitted models")

    def _fitted_surrogate(self, X, tasks):
        """Per-task linear surrogates, and per task which one was kept.

        The linear task models are their own surrogates (kinds None). For
        the networks, each task keeps the better, by training fidelity, of
        its jointly trained head (the task networks') and the least-squares
        fit of its network's training predictions; with a trunk that fit is
        the surrogate the heads were solved jointly with (``"joint"`` when
        ``fidelity_weight > 0``).
        """
        features, idx = self._surrogate_rows(X, tasks)
        if not (hasattr(self, "trunk_") or hasattr(self, "task_networks_")):
            return FittedSurrogate(self.coef_, self.intercept_, features), None
        predictions = self._predict_rows(features, idx)[:, None]
        heads = self._surrogate_heads()
        solved_jointly = hasattr(self, "trunk_") and self.fidelity_weight > 0
        T = len(self.tasks_)
        coef, intercept, kinds = np.zeros((T, features.shape[1])), np.zeros(T), []
        for t in range(T):
            rows = idx == t
            head = None if heads is None else FittedSurrogate(
                heads[0][t:t + 1], heads[1][t:t + 1], features[rows])
            surrogate, kind = best_linear_surrogate(
                features[rows], predictions[rows], ["identity"], [1], head)
            coef[t], intercept[t] = surrogate.coef_[0], surrogate.intercept_[0]
            kinds.append("joint" if solved_jointly else kind)
        return FittedSurrogate(coef, intercept, features), kinds

    def _surrogate_heads(self):
        """The task networks' jointly trained surrogate heads in the original
        units, ``(coef, intercept)``; None without them."""
        module = getattr(self, "task_networks_", None)
        if module is None or module.surrogate_weight is None:
            return None
        coef = module.surrogate_weight.detach().cpu().double().numpy()
        intercept = module.surrogate_bias.detach().cpu().double().numpy()
        return self._inputs.to_input_units(coef, intercept - coef @ self._X_offset
                                           + self._y_offset)

    def _surrogate_rows(self, X, tasks):
        """Validated features and the task index of each row, stacked over the
        tasks after a fit on a 2-d ``Y`` (every row under every task)."""
        features, _, tasks = self._get_xy_tasks(X, None, tasks, reset=False)
        if self._y_1d:
            return features, self._task_index(tasks, len(features))
        columns = self._task_index(self.output_tasks_, len(self.output_tasks_))
        return np.tile(features, (len(columns), 1)), np.repeat(columns, len(features))

    def predict_surrogate(self, X, tasks=None):
        """Predict with the linear surrogate of each row's task (what :meth:`explain` explains).

        For :class:`SparseTaskGraphMTL` it is :meth:`predict` itself (the
        models are their own surrogates); for :class:`SparseTaskGraphMLP` it
        is each task's linear surrogate of its network (``surrogate_fit_``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features (plus the task column when ``task_column`` is set).
        tasks : array-like of shape (n_samples,), default=None
            Task id of each row.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            ``(n_samples, n_tasks)`` after a fit on a 2-d ``Y``, like :meth:`predict`.
        """
        check_is_fitted(self)
        features, idx = self._surrogate_rows(X, tasks)
        g = self.surrogate_
        out = np.einsum("ij,ij->i", features, g.coef_[idx]) + g.intercept_[idx]
        return out if self._y_1d else out.reshape(len(self.output_tasks_), -1).T

    def explain(self, X, tasks=None):
        """Attribute each row's prediction to the features, with its task's linear model.

        ``values[i, j] = coef_t[j] * (x_ij - mean_j)`` for the task ``t`` of
        row ``i`` and the mean over the training rows: exact Shapley values
        of the linear model (of its linear surrogate with the network options),
        so ``base_values`` plus a row's attributions is its prediction (its
        surrogate's, :meth:`predict_surrogate`, with the network options).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features (plus the task column when ``task_column`` is set).
        tasks : array-like of shape (n_samples,), default=None
            Task id of each row. When None (and no task column), every row is
            explained under every task's model: one output per task.

        Returns
        -------
        explanation : Explanation
        """
        check_is_fitted(self)
        row_labels = getattr(X, "index", None)
        features, _, tasks = self._get_xy_tasks(X, None, tasks, reset=False)
        g = self.surrogate_
        centred = features - g.basis_mean_
        base = g.intercept_ + g.coef_ @ g.basis_mean_
        names = self._feature_names()
        if tasks is None and len(self.tasks_) > 1:
            # every task's model, in Y's column order after a fit on a 2-d Y
            order = (np.arange(len(self.tasks_)) if self._y_1d else
                     self._task_index(self.output_tasks_, len(self.output_tasks_)))
            values = centred[:, :, None] * g.coef_[order].T[None]
            return Explanation(values, base[order], features, names, self.tasks_[order],
                               task_names=self.tasks_[order], row_labels=row_labels)
        idx = self._task_index(tasks, len(features))
        values = (centred * g.coef_[idx])[:, :, None]
        return Explanation(values, base[idx][:, None], features, names, ["y"],
                           sample_tasks=None if tasks is None else self.tasks_[idx],
                           row_labels=row_labels)

    def _feature_names(self):
        names = list(_check_feature_names_in(self))
        if self.task_column is not None:
            col = self.task_column
            del names[names.index(col) if isinstance(col, str) else col]
        return np.asarray(names, dtype=object)

    def _fit_task_networks(self, Z, design, edges, weights):
        """The graph-tied task networks of ``model="task_mlp"`` (None otherwise)."""
        if not self._task_mlp(len(design.task_names)):
            return None
        from ._nonlinear import fit_task_networks

        X = Z[:, :-1] if self.fit_intercept else Z
        return fit_task_networks(
            self._network_config(), X, design.y, design.task_index, edges, weights,
            hidden_layer_sizes=check_hidden_layer_sizes(self.hidden_layer_sizes), rho=self.rho,
            fidelity_weight=self.fidelity_weight)

    def _network_config(self):
        """How the networks train (no early stopping: every row trains)."""
        from .._torch import TrainingConfig

        return TrainingConfig(
            max_epochs=self.max_epochs, batch_size=self.batch_size, lr=self.lr,
            weight_decay=self.weight_decay, seed=check_random_seed(self.random_state),
            device=self.device, verbose=self.verbose)

    def _sparsity_weight(self):
        return 0.0 if isinstance(self.sparsity, str) else self.sparsity

    def _select_sparsity(self, problem, e0, sparsities, start_losses, empty_losses, scale):
        """Sparsity path, the point chosen by the ``sparsity`` rule, refitted weights.

        Returns the chosen weights, the weights' history, the outer steps run
        and the path (the ``path_`` Bunch).
        """
        opt = dict(entropy=self.entropy, scale=scale, max_iter=self.max_iter,
                   tol=self.tol, method=self.outer_solver, outer_lr=self.outer_lr)
        weights, losses, n_iter = path_losses(
            problem, e0, sparsities, start_losses=start_losses, empty_losses=empty_losses,
            n_groups=self.path_cv, threshold=self.threshold, n_jobs=self.n_jobs,
            verbose=self.verbose, **opt)
        n_edges = np.array([int((w > 0).sum()) for w in weights])
        rule = self.sparsity if isinstance(self.sparsity, str) else "1se"
        index, mean, se = select_path_point(losses, n_edges, rule)
        path = Bunch(sparsities=np.concatenate([[np.nan], sparsities, [np.inf]]),
                     weights=np.asarray(weights), n_edges=n_edges,
                     validation_loss=mean, validation_se=se, selected_index=index)
        e = weights[index]
        support = e > 0
        if support.any() and self.max_iter > 0:
            # debias: re-optimise the chosen edges' weights without the L1 term
            e, _, debias_iter = optimize_edges(problem, e, sparsity=0.0, free=support, **opt)
            e = np.where(e > self.threshold, e, 0.0)
            n_iter += debias_iter
        return e, [e0] + list(weights) + [e], n_iter, path

    def _models(self, G, b, edges, e, problem, shared_coupling, design):
        """The fitted attributes of the task models and of the predictive graph ``e``."""
        T = len(design.task_names)
        solver = self._solver_for(T, G.shape[1])
        if self.refit:
            inner = TaskGraphProblem(G, b, edges, self.rho, self.alpha, solver=solver,
                                     shared=shared_coupling)
            W, w0 = inner.solve(e), inner.shared_coef
        else:
            _, _, W = problem.value_and_grad(e)
            w0 = problem.shared_coef
        keep = e > 0
        coef, intercept = self._coef_intercept(W, design)
        models = dict(edges_=design.task_names[edges[keep]].reshape(-1, 2),
                      edge_weights_=e[keep], adjacency_=_adjacency(edges, e, T),
                      coef_=coef, intercept_=intercept)
        if w0 is not None:
            coef, intercept = self._coef_intercept(w0[None], design)
            models.update(shared_coef_=coef[0], shared_intercept_=float(intercept[0]))
        return models

    def _coef_intercept(self, W, design):
        """Coefficients and intercepts of the models ``W`` on the features they read:
        the trunk's, or the original features."""
        if not self.fit_intercept:
            coef, intercept = W.copy(), np.zeros(len(W))
        else:
            coef, intercept = W[:, :-1].copy(), design.y_offset + W[:, -1]
        if self._nonlinear(len(design.task_names)):
            return coef, intercept
        intercept = intercept - coef @ design.X_offset
        if design.inputs is not None:
            coef, intercept = design.inputs.to_input_units(coef, intercept)
        return coef, intercept

    # ------------------------------------------------------------ sparsity path
    def sparsity_path(self, X, y, tasks=None, *, sparsities=None):
        """Fit along a sparsity path from the full candidate graph to the empty one.

        This is :meth:`fit` with the cross-validated sparsity path of
        ``sparsity="1se"`` (or ``"min"`` when set), run over the L1 weights
        ``sparsities``: each point is warm-started from the previous one and
        may only keep the edges the previous point kept, so the number of edges
        never increases. The fitted model is the point chosen by the rule, as in
        :meth:`fit`, and ``path_`` is set.

        Parameters
        ----------
        X, y, tasks
            As in :meth:`fit`.
        sparsities : array-like of float, default=None
            L1 weights, sorted increasingly; default ``1e-4, 1e-3, ..., 100``
            (the grid of :meth:`fit`).

        Returns
        -------
        path : sklearn.utils.Bunch
            The fields of ``path_`` (``sparsities`` with NaN for the full graph
            first and ``inf`` for the empty graph last, ``weights``,
            ``n_edges``, ``validation_loss``, ``validation_se``,
            ``selected_index``), plus ``candidate_edges`` (pairs of task ids)
            and ``adjacency`` (one sparse matrix per point).
        """
        self._validate_params()
        grid = _SPARSITY_GRID if sparsities is None else np.sort(
            np.asarray(sparsities, dtype=float).ravel())
        if not len(grid) or not np.all(np.isfinite(grid)) or grid.min() < 0:
            raise ValueError(
                f"sparsities must be a non-empty array of finite non-negative weights; "
                f"got {sparsities!r}."
            )
        self._fit(X, y, tasks, sparsities=grid)
        if not hasattr(self, "path_"):
            raise ValueError("sparsity_path needs at least 2 tasks (and a candidate edge).")
        T, edges = len(self.tasks_), self.candidate_edges_
        adjacency = [_adjacency(edges, w, T) for w in self.path_.weights]
        return Bunch(**self.path_, candidate_edges=self.tasks_[edges].reshape(-1, 2),
                     adjacency=adjacency)

    # ------------------------------------------------------------ predict
    def _task_index(self, tasks, n_samples):
        if tasks is None:
            if len(self.tasks_) > 1:
                raise ValueError(
                    "This model was fitted on several tasks: pass tasks= (or set "
                    "task_column) to predict."
                )
            return np.zeros(n_samples, dtype=int)
        idx = np.searchsorted(self.tasks_, tasks)
        idx = np.clip(idx, 0, len(self.tasks_) - 1)
        unseen = self.tasks_[idx] != tasks
        if np.any(unseen):
            raise ValueError(
                f"tasks contains ids not seen in fit: {np.unique(tasks[unseen])[:5].tolist()}; "
                f"known tasks are {self.tasks_[:10].tolist()}"
                f"{' ...' if len(self.tasks_) > 10 else ''}."
            )
        return idx

    def predict(self, X, tasks=None):
        """Predict with the model of each row's task.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Features (plus the task column when ``task_column`` is set).
        tasks : array-like of shape (n_samples,), default=None
            Task id of each row; must be among ``tasks_``. Not used after a
            fit on a 2-d ``Y``: every row is then predicted for every task.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            ``(n_samples, n_tasks)`` after a fit on a 2-d ``Y``, its columns in
            the order of ``Y``'s (``output_tasks_``).
        """
        check_is_fitted(self)
        multi_output = not self._y_1d
        if multi_output and tasks is not None:
            raise ValueError("This model was fitted on a 2-d Y: predict(X) returns every "
                             "task's column; do not pass tasks=.")
        X, _, tasks = self._get_xy_tasks(X, None, tasks, reset=False)
        if not multi_output:
            return self._predict_rows(X, self._task_index(tasks, len(X)))
        n, columns = len(X), self._task_index(self.output_tasks_, len(self.output_tasks_))
        stacked = self._predict_rows(np.tile(X, (len(columns), 1)), np.repeat(columns, n))
        return stacked.reshape(len(columns), n).T

    def _predict_rows(self, X, idx):
        """Predictions of the models ``idx`` (task indices) on the rows of ``X``."""
        if hasattr(self, "task_networks_"):
            from ._nonlinear import predict_task_networks

            return predict_task_networks(self.task_networks_,
                                         self._inputs.transform(X) - self._X_offset,
                                         idx) + self._y_offset
        if hasattr(self, "trunk_"):
            from ._nonlinear import trunk_features

            # no intercept column
            X = trunk_features(self.trunk_, self._inputs.transform(X) - self._X_offset)
        return np.einsum("ij,ij->i", X, self.coef_[idx]) + self.intercept_[idx]

    def score(self, X, y, tasks=None, sample_weight=None):
        """R^2 of :meth:`predict` on ``(X, y)``.

        Parameters
        ----------
        X, y : array-like
            Test data.
        tasks : array-like of shape (n_samples,), default=None
            Task ids of the rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        return r2_score(y, self.predict(X, tasks=tasks), sample_weight=sample_weight)

    def score_tasks(self, X, y, tasks=None, sample_weight=None):
        """R^2 of :meth:`predict` on the rows of each task.

        Parameters
        ----------
        X, y : array-like
            Test data.
        tasks : array-like of shape (n_samples,), default=None
            Task ids of the rows.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        scores : ndarray of shape (n_tasks,)
            In the order of ``tasks_``; NaN for a task with fewer than two rows.
            After a fit on a 2-d ``Y``, ``y`` is such a ``Y`` (one column per
            task, no ``tasks``).

        Examples
        --------
        >>> import numpy as np
        >>> from skmtlx import SparseTaskGraphMTL
        >>> rng = np.random.RandomState(0)
        >>> X, tasks = rng.randn(60, 2), np.repeat([0, 1], 30)
        >>> y = X[:, 0] * np.where(tasks == 0, 1.0, -1.0) + 0.1 * rng.randn(60)
        >>> model = SparseTaskGraphMTL(max_iter=5, cv=2).fit(X, y, tasks=tasks)
        >>> model.score_tasks(X, y, tasks=tasks).shape
        (2,)
        """
        check_is_fitted(self)
        y_pred = self.predict(X, tasks=tasks)
        scores = np.full(len(self.tasks_), np.nan)
        if not self._y_1d:  # one column per task, in Y's order
            y = check_array(y, dtype=np.float64)
            if y.shape != y_pred.shape:
                raise ValueError(f"y must have shape {y_pred.shape} (one column per task of "
                                 f"the fit), got {y.shape}.")
            if len(y) > 1:
                for k, t in enumerate(self._task_index(self.output_tasks_,
                                                       len(self.output_tasks_))):
                    scores[t] = r2_score(y[:, k], y_pred[:, k], sample_weight=sample_weight)
            return scores
        _, y, task_ids = self._get_xy_tasks(X, y, tasks, reset=False)
        index = self._task_index(task_ids, len(y))
        weight = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, float)
        for t in np.unique(index):
            rows = index == t
            if rows.sum() > 1:
                scores[t] = r2_score(y[rows], y_pred[rows], sample_weight=weight[rows])
        return scores

    # ------------------------------------------------------------ graph export
    def get_graph(self, kind="relatedness"):
        """One of the two learned graphs, as plain arrays.

        Parameters
        ----------
        kind : {"relatedness", "predictive"}, default="relatedness"
            ``"relatedness"``: which tasks' models are alike (``relatedness_``),
            edges weighted by their similarity, with their bootstrap
            confidence; the graph to read. ``"predictive"``: the couplings the
            model predicts with (``edges_``, ``edge_weights_``), chosen by
            validation loss.

        Returns
        -------
        graph : sklearn.utils.Bunch
            ``kind``, ``nodes`` (task ids), ``edges`` (pairs of task ids),
            ``weights``, ``confidence`` (NaN for the predictive graph),
            ``source`` (``"alike"`` or ``"predictive"`` per edge, see
            ``relatedness_``),
            ``adjacency`` (sparse, weighted) and ``components`` (connected-component
            label of each task, e.g. to colour groups).
        """
        check_is_fitted(self)
        if kind == "relatedness":
            rel = self.relatedness_
            edges, weights, confidence, source, adjacency = (
                rel.edges, rel.strength, rel.confidence, rel.source, rel.adjacency)
        elif kind == "predictive":
            edges, weights, adjacency = self.edges_, self.edge_weights_, self.adjacency_
            confidence = np.full(len(weights), np.nan)
            source = np.full(len(weights), "predictive")
        else:
            raise ValueError(f"kind must be 'relatedness' or 'predictive'; got {kind!r}.")
        _, labels = sp.csgraph.connected_components(adjacency, directed=False)
        return Bunch(kind=kind, nodes=self.tasks_.copy(), edges=edges.copy(),
                     weights=weights.copy(), confidence=confidence.copy(),
                     source=source.copy(), adjacency=adjacency.copy(), components=labels)

    def to_networkx(self, kind="relatedness"):
        """One of the two learned graphs as a :class:`networkx.Graph`.

        Parameters
        ----------
        kind : {"relatedness", "predictive"}, default="relatedness"
            Which graph, see :meth:`get_graph`.

        Returns
        -------
        graph : networkx.Graph
            Nodes are the task ids (isolated tasks included); edge attributes
            ``weight``, ``confidence`` and ``source``; graph attribute ``kind``.
        """
        graph_arrays = self.get_graph(kind)
        try:
            import networkx as nx
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError("to_networkx needs networkx; use get_graph() for plain "
                              "arrays.") from exc
        graph = nx.Graph(kind=kind)
        graph.add_nodes_from(self.tasks_.tolist())
        for (a, b_), w, c, source in zip(
                graph_arrays.edges.tolist(), graph_arrays.weights.tolist(),
                graph_arrays.confidence.tolist(), graph_arrays.source.tolist()):
            graph.add_edge(a, b_, weight=w, confidence=c, source=source)
        return graph

    _reads_standardised_features = False
    """Whether the models read the features standardised on the training rows
    (:class:`SparseTaskGraphMLP`), their coefficients then mapped back."""

    def _nonlinear(self, n_tasks):
        """Whether a fit on ``n_tasks`` tasks trains a trunk whose features the task
        models are heads on (:class:`SparseTaskGraphMLP`)."""
        return False

    def _task_mlp(self, n_tasks):
        """Whether a fit on ``n_tasks`` tasks trains per-task networks
        (:class:`SparseTaskGraphMLP`)."""
        return False

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.sparse = True  # densified once by validate_features
        tags.target_tags.multi_output = True
        return tags
