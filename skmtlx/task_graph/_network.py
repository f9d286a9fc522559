"""SparseTaskGraphMLP: the task graph with neural-network task models."""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._surrogate import FIDELITY_WEIGHT_CONSTRAINT
from ._estimator import SparseTaskGraphMTL

__all__ = ["SparseTaskGraphMLP"]


class SparseTaskGraphMLP(SparseTaskGraphMTL):
    """Task-graph multi-task regression with neural-network task models.

    The graph machinery of :class:`SparseTaskGraphMTL` (the predictive graph
    learned by bilevel programming, the relatedness graph, the multi-output
    layout, every parameter below ``model``'s network options) with one of two
    nonlinear models, trained with skorch:

    * ``model="mlp"``: a shared MLP trunk with one linear head per task, the
      heads tied by the candidate graph; the graph is then learned on the
      trunk's features exactly as in the linear case and the heads are refitted
      in closed form. Suits tasks that share a nonlinear representation.
    * ``model="task_mlp"``: the graph is learned with the linear model, then one
      MLP per task is trained, the networks tied by the learned graph
      (``rho/2 sum_ij e_ij ||theta_i - theta_j||^2`` over all the parameters of
      the two networks of every kept edge); all task networks start from the
      same initial parameters. Suits tasks whose functions differ nonlinearly
      but whose relatedness shows in a linear fit.

    Every model reads the features standardised on the training rows (the
    linear models the graph is learned with included, so ``alpha`` and ``rho``
    act on standardised coefficients); ``coef_`` of the linear models, the
    surrogates and :meth:`explain` are in the features' own units.

    Every task's network is explained by a linear surrogate trained with it
    (``fidelity_weight``), as in the other skmtlx networks: :meth:`explain`
    attributes its predictions and :func:`skmtlx.metrics.global_fidelity`
    says how far to trust them.

    Read more in the :ref:`User Guide <task_graph>`.

    Parameters
    ----------
    model : {"mlp", "task_mlp"}, default="mlp"
        The network variant, see above.
    hidden_layer_sizes : int or tuple of int, default=(32,)
        Hidden layer widths of the trunk (``"mlp"``) or of each task's network
        (``"task_mlp"``).
    max_epochs : int, default=100
        Training epochs of the networks.
    batch_size : int, default=64
        Mini-batch size of the networks.
    lr : float, default=1e-2
        Adam learning rate of the networks.
    weight_decay : float, default=0.0
        Adam's L2 penalty on the networks' parameters (on top of the graph's
        coupling ``rho``).
    device : str, default="cpu"
        Torch device the networks train on.
    verbose : int, default=0
        skorch's training log (0: silent).
    fidelity_weight : float in [0, 1), default=0.1
        Weight of the fidelity term of each task's linear surrogate ``g_t``:
        the data term of task ``t`` is ``(1 - fidelity_weight) * mse(f_t(x), y)
        + fidelity_weight * mean((g_t(x) - f_t(x))^2)``, the graph's coupling
        unchanged. With ``"mlp"`` the term trains the trunk with per-task
        surrogate heads, and the closed-form heads minimise it exactly, with
        the fidelity term at its optimum over linear surrogates; each task's
        surrogate is then the (ridge-penalised) least-squares fit of its
        network on the inputs. With ``"task_mlp"`` a surrogate head per task
        trains with the networks. 0 fits the surrogates post hoc.
    rho, alpha, shared_coupling, sparsity, entropy, candidate_graph, \
n_neighbors, cv, validation_fraction, path_cv, max_iter, init, tol, \
outer_solver, outer_lr, threshold, refit, solver, fit_intercept, \
task_column, n_resamples, n_jobs, random_state
        As in :class:`SparseTaskGraphMTL` (``random_state`` also seeds the
        networks' initialisation).

    Attributes
    ----------
    trunk_ : torch.nn.Module
        Only with ``model="mlp"``: the trained trunk; ``coef_`` are the heads
        on its features.
    task_networks_ : torch.nn.Module
        Only with ``model="task_mlp"``: the trained per-task networks
        (parameters stacked over tasks, see ``flat_params()``); ``coef_`` are
        those of the linear model the graph was learned with.
    surrogate_ : object
        Per-task linear surrogates on the feature columns, what :meth:`explain`
        and :meth:`predict_surrogate` use.
    surrogate_fit_ : ndarray of shape (n_tasks,) of str
        Per task, which surrogate was kept: ``"joint"`` when it was trained
        with the network (the closed-form optimum with ``"mlp"``; with
        ``"task_mlp"`` the trained head, when it fits the network's training
        predictions at least as well as their least-squares fit, which is
        kept otherwise), ``"post_hoc"`` otherwise (always with
        ``fidelity_weight=0``).
    coef_, intercept_, edges_, edge_weights_, adjacency_, relatedness_, tasks_
        As in :class:`SparseTaskGraphMTL`.

    See Also
    --------
    SparseTaskGraphMTL : linear task models (closed form, no network).

    Examples
    --------
    >>> from skmtlx.datasets import make_task_graph_regression
    >>> from skmtlx.task_graph import SparseTaskGraphMLP
    >>> X, y, tasks, _ = make_task_graph_regression(
    ...     "cliques", n_tasks=4, n_groups=2, n_features=3, random_state=0)
    >>> model = SparseTaskGraphMLP(hidden_layer_sizes=(8,), max_epochs=5,
    ...                            random_state=0).fit(X, y, tasks=tasks)
    >>> model.predict(X[:2], tasks=tasks[:2]).shape
    (2,)
    """

    _parameter_constraints = {
        **SparseTaskGraphMTL._parameter_constraints,
        "model": [StrOptions({"mlp", "task_mlp"})],
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "device": [str],
        "verbose": ["verbose"],
        "fidelity_weight": FIDELITY_WEIGHT_CONSTRAINT,
    }

    def __init__(
        self,
        *,
        model="mlp",
        hidden_layer_sizes=(32,),
        max_epochs=100,
        batch_size=64,
        lr=1e-2,
        weight_decay=0.0,
        device="cpu",
        verbose=0,
        fidelity_weight=0.1,
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
        random_state=None,
    ):
        super().__init__(
            rho=rho, alpha=alpha, shared_coupling=shared_coupling, sparsity=sparsity,
            entropy=entropy, candidate_graph=candidate_graph, n_neighbors=n_neighbors, cv=cv,
            validation_fraction=validation_fraction, path_cv=path_cv, max_iter=max_iter,
            init=init, tol=tol, outer_solver=outer_solver, outer_lr=outer_lr,
            threshold=threshold, refit=refit, solver=solver, fit_intercept=fit_intercept,
            task_column=task_column, n_resamples=n_resamples, n_jobs=n_jobs,
            random_state=random_state)
        self.model = model
        self.hidden_layer_sizes = hidden_layer_sizes
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.device = device
        self.verbose = verbose
        self.fidelity_weight = fidelity_weight

    _reads_standardised_features = True

    def _nonlinear(self, n_tasks):
        return self.model == "mlp" and n_tasks > 1

    def _task_mlp(self, n_tasks):
        return self.model == "task_mlp" and n_tasks > 1
