"""GenerativeMTLClassifier: multi-task inference that resists target shift."""

from numbers import Real

import numpy as np
from scipy.special import log_softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_memory

from .._persistence import PersistenceMixin
from .._surrogate import (
    FIDELITY_WEIGHT_CONSTRAINT,
    FittedSurrogate,
    best_linear_surrogate,
    SurrogateMixin,
    centre_softmax_heads,
    centred_log_proba,
    fit_post_hoc_surrogate,
)
from .._torch import (
    NEURAL_NET_PARAMETER_CONSTRAINTS,
    InputStandardization,
    TrainingConfig,
    cached_training,
)
from ..utils._validation import check_hidden_layer_sizes, target_names, validate_features
from ._joint import (
    adjusted_joint_scores,
    enumerate_joint_labels,
    joint_label_index,
    joint_log_prior,
    normalize_log_scores,
)
from ._metrics import exact_match_score, task_accuracies
from ._network import fit_multihead_network

__all__ = ["GenerativeMTLClassifier"]

_CHUNK_CELLS = 2**22  # samples x joint labels scored at once
_TINY = np.finfo(np.float64).tiny


def _fit_estimator(estimator, X, y):
    """Clone and fit ``estimator``; module-level so ``memory`` can cache it."""
    return clone(estimator).fit(X, y)


class GenerativeMTLClassifier(SurrogateMixin, ClassifierMixin, PersistenceMixin, BaseEstimator):
    """Multi-task classifier with generative inference over joint labels (GMTL).

    A multi-task model gives ``p(y_t | x)`` for every task ``t``. The targets
    are treated as independent given ``x``, so ``log p(y | x) = sum_t log
    p(y_t | x)`` for a joint label ``y = (y_1, ..., y_T)``, and the prediction
    is the joint label maximising::

        log p(y | x) - prior_weight * log p(y)

    where ``p(y)`` is the smoothed joint frequency of the training labels.
    ``prior_weight = 0`` is the usual discriminative model (with the full grid of
    joint labels it is exactly the per-task argmax); ``prior_weight = 1`` is the
    generative inference ``argmax_y p(x | y)``, which no longer depends on the
    training distribution of the targets and so resists a *target shift*
    (a change of ``p(y)`` between training and test, e.g. when a hidden
    confounder that correlated the targets changes). Values in between trade
    in-distribution accuracy for out-of-distribution accuracy. ``prior_weight`` only
    enters inference: changing it after ``fit`` needs no retraining
    (Makino, Geras & Cho, 2022).

    The base model is, by default, an MLP with a shared trunk and one softmax
    head per task trained with skorch on the sum of the per-task
    cross-entropies; it reads the features standardised on the training rows,
    while the surrogate and :meth:`explain` report in the features' own units.
    Any classifier with ``predict_proba`` can be used instead
    through ``estimator`` (e.g. a :class:`~sklearn.multioutput.MultiOutputClassifier`);
    wrap an already fitted one in :class:`~sklearn.frozen.FrozenEstimator` to
    use it as is; it gets the features as they are.

    Read more in the :ref:`User Guide <generative>`.

    Parameters
    ----------
    estimator : estimator object or None, default=None
        Base classifier with ``predict_proba``, fitted (cloned) on ``(X, y)``
        in ``fit`` (a sparse ``X`` densified: it need not accept sparse
        input). For several targets its ``predict_proba`` must return one
        ``(n_samples, n_classes_t)`` array per target (multi-output
        classifiers) or, when every target is binary, one ``(n_samples,
        n_tasks)`` array of positive-class probabilities (multi-label
        networks). ``None`` trains the built-in multi-head network, whose
        parameters are the ones below from ``hidden_layer_sizes`` on (they
        are ignored when ``estimator`` is given).
    prior_weight : float in [0, 1], default=1.0
        Weight of the prior correction ``- prior_weight * log p(y)``. Can be changed
        with ``set_params`` after ``fit``; it only affects inference.
    joint_labels : {"observed", "grid"}, default="observed"
        The joint labels inference chooses from. ``"observed"``: the
        combinations seen in training (one never seen is never predicted, and
        ``prior_weight = 0`` is then the per-task argmax restricted to those).
        ``"grid"``: every combination of the tasks' classes (the product of
        the class counts). Combinations never seen in training get the
        smallest prior ``smoothing / (n + smoothing * M)``, so ``prior_weight
        > 0`` favours them: on multi-label data, where most of the grid never
        occurs, this costs accuracy in and out of distribution (see the User
        Guide); use the grid when every combination can occur at test time.
    prior_smoothing : float > 0, default=1.0
        Pseudo-count added to the count of every joint label:
        ``p(y) = (count(y) + prior_smoothing) / (n_samples + prior_smoothing * M)``
        for ``M`` joint labels.
    memory : str, joblib.Memory or None, default=None
        Caches the fit of the base model (network or ``estimator``). The cache
        key is the training data and the base model's parameters, not
        ``prior_weight``, ``joint_labels`` nor ``prior_smoothing``, so a grid search
        over those trains one base model per split and loads it for the other
        values. It pays off with an integer ``random_state`` (``None`` draws a
        new seed, hence a new key, at every fit).
        Warning: cached results are unpickled when loaded, and unpickling runs
        code, so only use a cache directory that you trust (that no one else
        can write to).
    hidden_layer_sizes : array-like of int, default=(64,)
        Hidden layers of the network's shared trunk.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity.
    fidelity_weight : float in [0, 1), default=0.1
        Weight of the fidelity term ``mean((g(x) - f(x))^2)`` between the
        tasks' probabilities and those of a jointly trained linear surrogate
        ``g`` of every task's logits; the cross-entropies are weighed by
        ``1 - fidelity_weight``. ``0`` (or a given ``estimator``) fits the
        surrogate post hoc on the centred log-probabilities.
        :meth:`explain` and :meth:`predict_surrogate` use ``g``.
    max_epochs : int, default=100
        Number of training epochs (the maximum with ``early_stopping``).
    batch_size : int, default=64
        Mini-batch size.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty (Adam's ``weight_decay``).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data and stop when the
        validation loss stops improving (restoring the best weights). It also
        keeps the probabilities better calibrated, which GMTL relies on.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    tol : float, default=1e-4
        Relative improvement of the validation loss that resets the patience.
    random_state : int, RandomState instance or None, default=None
        Seeds the network's initialisation, shuffling and validation split.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        0 silent, 1 skorch's per-epoch table, 2 plus a progress bar.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray
        The classes of the target (1-D ``y``) or of each target (2-D ``y``).
    n_tasks_ : int
        Number of targets (1 for 1-D ``y``).
    joint_labels_ : ndarray of shape (n_joint_labels, n_tasks)
        The joint labels inference chooses from (see ``joint_labels``), in the
        column order of :meth:`predict_joint_proba`.
    joint_labels_kind_ : {"grid", "observed"}
        The enumeration used.
    joint_counts_ : ndarray of shape (n_joint_labels,)
        Training count of each joint label.
    log_prior_ : ndarray of shape (n_joint_labels,)
        Smoothed log joint prior ``log p(y)``.
    base_estimator_ : object
        The fitted base model (the network container, which reads the
        standardised features, or the fitted clone of ``estimator``).
    net_ : skorch.NeuralNet
        The trained skorch net (only without ``estimator``).
    history_ : list of dict
        Per-epoch training record, with ``ce_<t>`` the cross-entropy of task
        ``t`` (only without ``estimator``).
    n_iter_ : int
        Number of epochs run (only without ``estimator``).
    surrogate_ : object
        The linear surrogate of the conditional model's logits (centred over
        each task's classes), one output per task and class.
    surrogate_fit_ : {"joint", "post_hoc"}
        Which surrogate was kept: ``"joint"`` when the jointly trained head
        fits the network's outputs (after its link) at least as well on the
        training rows as a least-squares refit of its raw outputs, which is
        kept otherwise (``"post_hoc"``; always with ``fidelity_weight=0`` or a
        given ``estimator``).
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen in ``fit``, when they are all strings.

    See Also
    --------
    skmtlx.datasets.make_confounded_multitask : targets correlated by a hidden
        confounder, with a shifted test distribution.
    sklearn.multioutput.MultiOutputClassifier : one classifier per target.

    Notes
    -----
    *Single-column targets.* A 1-D ``y`` is one task: ``predict`` returns a
    1-D array, ``predict_proba`` one array and ``classes_`` one array; the
    generative inference then corrects for the class prior (a label-shift
    correction). A 2-D ``y`` (even with one column) gives 2-D predictions and
    lists, like :class:`~sklearn.multioutput.MultiOutputClassifier`.

    *Probabilities.* :meth:`predict_joint_proba` is the distribution
    ``q(y | x) ∝ p(y | x) p(y)^-prior_weight`` over ``joint_labels_``;
    :meth:`predict_proba` gives its per-task marginals (at ``prior_weight = 0`` with
    ``joint_labels="grid"``: the base model's probabilities). :meth:`predict` is the mode of
    ``q``, whose components can differ from the argmax of each marginal when
    ``prior_weight > 0``.

    *Tuning prior_weight without retraining.* After one ``fit``, evaluate any
    ``prior_weight`` with ``clf.set_params(prior_weight=a).score(X_val, y_val)``. Inside
    :class:`~sklearn.model_selection.GridSearchCV`, pass ``memory=`` so each
    split trains the network once, or wrap a base model fitted on other data
    in :class:`~sklearn.frozen.FrozenEstimator` (then only the prior is
    re-estimated). Choose ``prior_weight`` on data from the distribution you expect
    at test time: on in-distribution validation data ``prior_weight = 0`` usually
    wins.

    References
    ----------
    T. Makino, K. J. Geras and K. Cho, "Generative multitask learning
    mitigates target-causing confounding", NeurIPS 2022, arXiv:2202.04136.

    Examples
    --------
    >>> from skmtlx.datasets import make_confounded_multitask
    >>> from skmtlx.generative import GenerativeMTLClassifier
    >>> X, Y = make_confounded_multitask(400, confounding=0.9, random_state=0)
    >>> clf = GenerativeMTLClassifier(prior_weight=1.0, max_epochs=20, random_state=0).fit(X, Y)
    >>> clf.predict(X[:3]).shape
    (3, 2)
    >>> clf.joint_labels_.tolist()
    [[0, 0], [0, 1], [1, 0], [1, 1]]
    >>> [p.shape for p in clf.predict_proba(X[:3])]
    [(3, 2), (3, 2)]
    >>> conventional = clf.set_params(prior_weight=0.0).predict(X)  # no retraining
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "prior_weight": [Interval(Real, 0, 1, closed="both")],
        "joint_labels": [StrOptions({"observed", "grid"})],
        "prior_smoothing": [Interval(Real, 0, None, closed="neither")],
        "memory": [None, str, HasMethods(["cache"])],
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "fidelity_weight": FIDELITY_WEIGHT_CONSTRAINT,
    }

    def __init__(
        self,
        estimator=None,
        *,
        prior_weight=1.0,
        joint_labels="observed",
        prior_smoothing=1.0,
        memory=None,
        hidden_layer_sizes=(64,),
        activation="relu",
        fidelity_weight=0.1,
        max_epochs=100,
        batch_size=64,
        lr=1e-3,
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.estimator = estimator
        self.prior_weight = prior_weight
        self.fidelity_weight = fidelity_weight
        self.joint_labels = joint_labels
        self.prior_smoothing = prior_smoothing
        self.memory = memory
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit the base model and estimate the joint target prior.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Discrete targets (any labels per column). 1-D means one task.

        Returns
        -------
        self : GenerativeMTLClassifier
        """
        names = target_names(y)
        X, y = validate_features(
            self, X, y, multi_output=True, dtype=[np.float64, np.float32], y_numeric=False
        )
        check_classification_targets(y)
        y = np.asarray(y)
        self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1) if self._y_1d else y
        self.n_tasks_ = Y.shape[1]
        classes, codes = [], np.empty(Y.shape, dtype=np.intp)
        for t in range(self.n_tasks_):
            classes_t, codes[:, t] = np.unique(Y[:, t], return_inverse=True)
            if len(classes_t) < 2:
                raise ValueError(
                    f"y has one class only ({classes_t.tolist()[0]!r}) in task {t}; every "
                    "task needs at least 2 classes to learn from."
                )
            classes.append(classes_t)
        self._classes = classes
        self.classes_ = classes[0] if self._y_1d else classes
        self._y_names = names if names is not None else np.array(
            ["y"] if self._y_1d else [f"task{t}" for t in range(self.n_tasks_)], dtype=object)
        n_classes = tuple(len(c) for c in classes)

        memory = check_memory(self.memory)
        for name in ("net_", "history_", "n_iter_", "_inputs"):
            self.__dict__.pop(name, None)
        if self.estimator is None:
            # the network reads the features standardised on the training rows
            self._inputs = InputStandardization(X)
            network = cached_training(self.memory, fit_multihead_network)(
                TrainingConfig.from_estimator(self), self._inputs.transform(X), codes,
                n_classes, hidden_layer_sizes=check_hidden_layer_sizes(self.hidden_layer_sizes),
                activation=self.activation, fidelity_weight=self.fidelity_weight,
            )
            self.base_estimator_ = network
            self.net_ = network.net_
            self.history_ = network.history_
            self.n_iter_ = network.n_iter_
        else:
            self.base_estimator_ = memory.cache(_fit_estimator)(self.estimator, X, y)
            self._base_columns = self._match_base_classes(self.base_estimator_)

        self._joint_codes, self.joint_labels_kind_ = enumerate_joint_labels(
            codes, n_classes, self.joint_labels
        )
        self.log_prior_, self.joint_counts_ = joint_log_prior(
            codes, self._joint_codes, self.prior_smoothing
        )
        self.joint_labels_ = self._decode(self._joint_codes)
        self.surrogate_, self.surrogate_fit_ = self._fitted_surrogate(X)
        return self

    def _fitted_surrogate(self, X):
        """The surrogate of the conditional logits and which one was kept (``surrogate_fit_``)."""
        widths = [len(c) for c in self._classes]
        links = ["softmax"] * len(widths)
        if self.estimator is None:
            network = self.base_estimator_
            module = network.net_.module_
            head = (FittedSurrogate.from_head(module.surrogate, X, inputs=self._inputs)
                    if hasattr(module, "surrogate") else None)
            raw = np.hstack(network._forward(self._inputs.transform(X))[:network.n_heads_])
            surrogate, kind = best_linear_surrogate(X, raw, links, widths, head)
        else:
            logits = [centred_log_proba(np.exp(lp)) for lp in self._task_log_proba(X)]
            surrogate, kind = fit_post_hoc_surrogate(X, np.hstack(logits)), "post_hoc"
        surrogate.coef_, surrogate.intercept_ = centre_softmax_heads(
            surrogate.coef_, surrogate.intercept_, links, widths)
        return surrogate, kind

    def _validate_surrogate_X(self, X):
        check_is_fitted(self)
        return validate_features(self, X, reset=False, dtype=[np.float64, np.float32])

    def _surrogate_names(self):
        names, task_names = [], []
        for task, classes in zip(self._y_names, self._classes):
            names += [f"{task}={c}" for c in classes]
            task_names += [task] * len(classes)
        return np.array(names, dtype=object), np.array(task_names, dtype=object)

    def _surrogate_log_proba(self, X):
        """Per-task log-probabilities of the surrogate (log-softmax of its logits)."""
        logits = self._surrogate_outputs(self._validate_surrogate_X(X))
        bounds = np.cumsum([0] + [len(c) for c in self._classes])
        return [log_softmax(logits[:, a:b], axis=1) for a, b in zip(bounds[:-1], bounds[1:])]

    def predict_surrogate(self, X):
        """The joint label :meth:`predict` chooses, with the surrogate's probabilities.

        The same inference ``argmax_y log q(y | x) - prior_weight * log p(y)``, with
        ``q`` the softmax of the surrogate's logits (what :meth:`explain`
        explains).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,) or (n_samples, n_tasks)
        """
        return self._predict(self._surrogate_log_proba(X))

    def predict_surrogate_proba(self, X):
        """Per-task marginals of the prior-adjusted surrogate distribution.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            As :meth:`predict_proba`.
        """
        return self._marginals(self._surrogate_log_proba(X))

    def _match_base_classes(self, base):
        """Columns of the base model's ``predict_proba`` for our classes, per task."""
        if not hasattr(base, "predict_proba"):
            raise ValueError(
                f"The estimator {type(base).__name__} has no predict_proba; "
                "GenerativeMTLClassifier needs per-task probabilities."
            )
        base_classes = getattr(base, "classes_", None)
        if base_classes is None:
            raise ValueError(
                f"The fitted estimator {type(base).__name__} has no classes_ attribute, "
                "so its probability columns cannot be matched to the classes of y."
            )
        if self.n_tasks_ == 1 and not isinstance(base_classes, list):
            base_classes = [np.asarray(base_classes)]
        elif not isinstance(base_classes, list):
            # multi-label networks (e.g. MLPClassifier) give P(y_t = 1) per column
            base_classes = [np.array([0, 1])] * self.n_tasks_
        if len(base_classes) != self.n_tasks_:
            raise ValueError(
                f"The estimator was fitted on {len(base_classes)} targets but y has "
                f"{self.n_tasks_}."
            )
        columns = []
        for t, (ours, theirs) in enumerate(zip(self._classes, base_classes)):
            theirs = list(np.asarray(theirs).tolist())
            missing = [c for c in ours.tolist() if c not in theirs]
            if missing:
                raise ValueError(
                    f"Target {t} has classes {missing} that the estimator gives no "
                    f"probability for (its classes are {theirs})."
                )
            columns.append(np.array([theirs.index(c) for c in ours.tolist()]))
        return columns

    # ------------------------------------------------------------ inference
    def _check_prior_weight(self):
        prior_weight = self.prior_weight
        if (
            isinstance(prior_weight, bool)
            or not isinstance(prior_weight, Real)
            or not np.isfinite(prior_weight)
            or not 0 <= prior_weight <= 1
        ):
            raise ValueError(f"prior_weight must be a float in [0, 1], got {prior_weight!r}.")
        return float(prior_weight)

    def _decode(self, codes):
        columns = [self._classes[t][codes[:, t]] for t in range(self.n_tasks_)]
        if len({c.dtype for c in columns}) == 1:
            return np.column_stack(columns)
        return np.column_stack([c.astype(object) for c in columns])

    def _base_proba(self, X):
        base = self.base_estimator_
        proba = base.predict_proba(X)
        if isinstance(proba, np.ndarray):
            if self.n_tasks_ == 1:
                proba = [proba]
            elif proba.ndim == 2 and proba.shape[1] == self.n_tasks_:
                proba = [np.column_stack([1.0 - p, p]) for p in proba.T]
            else:
                raise ValueError(
                    f"The estimator's predict_proba returned an array of shape {proba.shape}; "
                    f"expected one array per target ({self.n_tasks_} targets)."
                )
        if len(proba) != self.n_tasks_:
            raise ValueError(
                f"The estimator's predict_proba returned {len(proba)} arrays for "
                f"{self.n_tasks_} targets."
            )
        return proba

    def task_log_proba(self, X):
        """Base model's per-task log-probabilities ``log p(y_t | x)`` (no prior correction).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        log_proba : list of ndarray of shape (n_samples, n_classes_t)
            One array per task, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return self._task_log_proba(
            validate_features(self, X, reset=False, dtype=[np.float64, np.float32]))

    def _task_log_proba(self, X):
        """:meth:`task_log_proba` on validated ``X``."""
        if self.estimator is None:
            return self.base_estimator_.predict_log_proba(self._inputs.transform(X))
        log_proba = []
        for proba, columns in zip(self._base_proba(X), self._base_columns):
            proba = np.asarray(proba, dtype=np.float64)[:, columns]
            proba = proba / np.maximum(proba.sum(axis=1, keepdims=True), _TINY)
            log_proba.append(np.log(np.maximum(proba, _TINY)))
        return log_proba

    def _joint_scores(self, X, log_proba=None):
        """Yield ``(rows, adjusted scores)`` over row chunks (of ``log_proba`` when given)."""
        check_is_fitted(self)
        prior_weight = self._check_prior_weight()
        log_proba = self.task_log_proba(X) if log_proba is None else log_proba
        n_samples = len(log_proba[0])
        step = max(1, _CHUNK_CELLS // len(self._joint_codes))
        for start in range(0, max(n_samples, 1), step):
            rows = slice(start, min(start + step, n_samples))
            yield rows, adjusted_joint_scores(
                log_proba, self._joint_codes, self.log_prior_, prior_weight, rows
            )

    def decision_joint(self, X):
        """Adjusted scores ``log p(y | x) - prior_weight * log p(y)`` of every joint label.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        scores : ndarray of shape (n_samples, n_joint_labels)
            Columns in the order of ``joint_labels_``.
        """
        return np.vstack([scores for _, scores in self._joint_scores(X)])

    def predict(self, X):
        """Joint label maximising ``log p(y | x) - prior_weight * log p(y)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_tasks)
            1-D when ``fit`` got a 1-D ``y``.
        """
        return self._predict(self.task_log_proba(X))

    def _predict(self, log_proba):
        best = np.concatenate(
            [s.argmax(axis=1) for _, s in self._joint_scores(None, log_proba)])
        y_pred = self._decode(self._joint_codes[best])
        return y_pred[:, 0] if self._y_1d else y_pred

    def predict_joint_proba(self, X):
        """Distribution ``q(y | x) ∝ p(y | x) p(y)^-prior_weight`` over the joint labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_joint_labels)
            Columns in the order of ``joint_labels_``; rows sum to one.
        """
        return np.vstack([normalize_log_scores(s) for _, s in self._joint_scores(X)])

    def predict_proba(self, X):
        """Per-task marginals of :meth:`predict_joint_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes) or list of such arrays
            One array per task, columns in the order of ``classes_`` (a single
            array when ``fit`` got a 1-D ``y``).
        """
        check_is_fitted(self)
        return self._marginals(self.task_log_proba(X))

    def _marginals(self, log_proba):
        marginals = [[] for _ in range(self.n_tasks_)]
        for _, scores in self._joint_scores(None, log_proba):
            joint = normalize_log_scores(scores)
            for t, classes in enumerate(self._classes):
                onehot = np.zeros((len(self._joint_codes), len(classes)))
                onehot[np.arange(len(self._joint_codes)), self._joint_codes[:, t]] = 1.0
                marginals[t].append(joint @ onehot)
        marginals = [np.vstack(m) for m in marginals]
        return marginals[0] if self._y_1d else marginals

    def score(self, X, y, sample_weight=None):
        """Exact-match accuracy: the fraction of samples with every target right.

        For the accuracy of each task use :meth:`score_tasks`; for their mean
        :func:`~skmtlx.generative.mean_task_accuracy`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
        """
        return exact_match_score(y, self.predict(X), sample_weight=sample_weight)

    def score_tasks(self, X, y, sample_weight=None):
        """Accuracy of each target (their mean is the mean per-task accuracy).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        accuracies : ndarray of shape (n_tasks,)
        """
        return task_accuracies(y, self.predict(X), sample_weight=sample_weight)

    def joint_label_index(self, y):
        """Column of ``joint_labels_`` of each row of ``y`` (-1 when not enumerated).

        Parameters
        ----------
        y : array-like of shape (n_samples,) or (n_samples, n_tasks)
            Labels.

        Returns
        -------
        index : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        Y = np.asarray(y)
        Y = Y.reshape(-1, 1) if Y.ndim == 1 else Y
        if Y.shape[1] != self.n_tasks_:
            raise ValueError(f"y has {Y.shape[1]} targets, the model {self.n_tasks_}.")
        return joint_label_index(Y.astype(object), self.joint_labels_.astype(object))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified once by validate_features
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_label = True
        return tags
