"""Multi-task networks that learn auxiliary modalities as targets instead of inputs."""

from numbers import Real

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from .._persistence import PersistenceMixin
from .._surrogate import (
    FIDELITY_WEIGHT_CONSTRAINT,
    FittedSurrogate,
    SurrogateMixin,
    centre_softmax_heads,
    best_linear_surrogate,
    with_surrogate,
)
from .._torch import (
    NEURAL_NET_PARAMETER_CONSTRAINTS,
    InputStandardization,
    MultiHeadMLP,
    NeuralNetMixin,
)
from ..utils._validation import (
    check_hidden_layer_sizes,
    mean_and_scale,
    target_names,
    validate_features,
)
from ._aux_data import AUX_KINDS, AuxiliaryTargets, check_aux_weight
from ._explain import explain_errors
from ._loss import AuxiliaryTargetLoss

__all__ = ["AuxiliaryTargetMTLRegressor", "AuxiliaryTargetMTLClassifier"]

_MISSING_AUX_MESSAGE = (
    "{name}.fit needs the auxiliary targets: call fit(X, y, aux=aux) with one row per "
    "sample. In a Pipeline or GridSearchCV enable metadata routing "
    "(sklearn.set_config(enable_metadata_routing=True)) and call "
    "estimator.set_fit_request(aux=True). To train the main head alone when aux is not "
    "given, set missing_aux='main_only'."
)


class _BaseAuxiliaryTargetMTL(PersistenceMixin, SurrogateMixin, NeuralNetMixin, BaseEstimator):
    """Shared trunk, a main head and one head per auxiliary target."""

    _parameter_constraints = {
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "aux_weight": [
            Interval(Real, 0, None, closed="left"),
            "array-like",
            StrOptions({"uncertainty"}),
        ],
        "aux_types": [StrOptions({"auto", *AUX_KINDS}), list, tuple, dict],
        "missing_aux": [StrOptions({"raise", "main_only"})],
        "early_stopping_monitor": [StrOptions({"main", "total"})],
        "fidelity_weight": FIDELITY_WEIGHT_CONSTRAINT,
    }

    _main_kind = None  # "regression" or "classification"

    def __init__(
        self,
        hidden_layer_sizes=(64, 64),
        activation="relu",
        *,
        aux_weight=1.0,
        aux_types="auto",
        missing_aux="raise",
        fidelity_weight=0.1,
        max_epochs=100,
        batch_size=128,
        lr=1e-3,
        weight_decay=0.0,
        early_stopping=False,
        early_stopping_monitor="total",
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=1e-4,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.aux_weight = aux_weight
        self.aux_types = aux_types
        self.missing_aux = missing_aux
        self.fidelity_weight = fidelity_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.early_stopping_monitor = early_stopping_monitor
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified once by validate_features
        return tags

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, aux):
        hidden = check_hidden_layer_sizes(self.hidden_layer_sizes)
        names = target_names(y)
        X, y = validate_features(self, X, y, ensure_min_samples=2, **self._validate_kwargs())
        n_samples = X.shape[0]
        y_main, main_width, stratify, main_state = self._encode_main(y)
        if aux is None:
            if self.missing_aux == "raise":
                raise ValueError(_MISSING_AUX_MESSAGE.format(name=type(self).__name__))
            aux_targets = None
            aux_encoded = np.empty((n_samples, 0), dtype=np.float32)
            weights, aux_kinds, aux_sizes = np.empty(0), [], []
        else:
            aux_targets = AuxiliaryTargets(self.aux_types).fit(aux, n_samples)
            aux_encoded = aux_targets.transform(aux, n_samples)
            aux_kinds = aux_targets.kinds_
            aux_sizes = aux_targets.head_sizes_
            weights = check_aux_weight(self.aux_weight, len(aux_kinds))
        targets = np.hstack([y_main.astype(np.float32), aux_encoded]).astype(np.float32)
        criterion = AuxiliaryTargetLoss(
            self._main_kind, y_main.shape[1], aux_kinds, weights,
            monitor=self.early_stopping_monitor,
        )
        n_features = X.shape[1]
        widths = [main_width, *aux_sizes]
        kinds = [self._main_kind, *aux_kinds]
        links = ["softmax" if kind == "classification" else "identity" for kind in kinds]
        build_module, joint_criterion = with_surrogate(
            lambda: MultiHeadMLP(n_features, hidden, widths, self.activation),
            criterion, self.fidelity_weight, links, widths, n_features,
            # early stopping on the main loss watches the main loss alone
            validate_fidelity=self.early_stopping_monitor == "total",
        )
        loss_terms = criterion.term_names + (["fidelity"] if self.fidelity_weight else [])
        self._inputs = InputStandardization(X)
        self._train_module(
            build_module,
            joint_criterion,
            self._inputs.transform(X),
            targets,
            stratify=stratify,
            loss_terms=loss_terms,
        )
        task_weights = getattr(
            self.net_.criterion_, "criterion", self.net_.criterion_).task_weights()
        self._n_heads = len(widths)
        surrogate, surrogate_fit = self._fitted_surrogate(
            X, links, widths, _output_units(main_state, aux_targets, widths[0]))
        if names is not None:
            main_state["_y_names"] = names
        for name, value in main_state.items():
            setattr(self, name, value)
        self.aux_targets_, self.task_weights_ = aux_targets, task_weights
        self.surrogate_, self.surrogate_fit_ = surrogate, surrogate_fit
        return self

    def _fitted_surrogate(self, X, links, widths, units):
        """The surrogate of every head in output units (logits for classification).

        ``units`` is ``(scale, offset)`` per output, mapping the network's
        outputs to the targets' units.
        """
        scale, offset = units
        head = (FittedSurrogate.from_head(self.net_.module_.surrogate, X, inputs=self._inputs)
                if self.fidelity_weight > 0 else None)
        raw = np.hstack(self._network_outputs(X))
        surrogate, kind = best_linear_surrogate(X, raw, links, widths, head)
        coef, intercept = centre_softmax_heads(surrogate.coef_, surrogate.intercept_, links,
                                               widths)
        surrogate.coef_ = coef * scale[:, None]
        surrogate.intercept_ = intercept * scale + offset
        return surrogate, kind

    def _validate_surrogate_X(self, X):
        check_is_fitted(self)
        return validate_features(self, X, reset=False, dtype=np.float64)

    def _surrogate_names(self):
        if self._main_kind == "classification":
            main = [f"{self._y_names[0]}={c}" for c in self.classes_]
        else:
            main = list(self._y_names)
        names, tasks = list(main), ["main"] * len(main)
        if self.aux_targets_ is not None:
            for name, kind, enc in zip(self.aux_targets_.names_, self.aux_targets_.kinds_,
                                       self.aux_targets_.encoders_):
                head = [f"{name}={c}" for c in enc.classes_] if kind == "classification" else [
                    name]
                names += head
                tasks += [name] * len(head)
        return np.array(names, dtype=object), np.array(tasks, dtype=object)

    def _main_surrogate(self, X):
        X = self._validate_surrogate_X(X)
        n_main = len(self.classes_) if self._main_kind == "classification" else len(
            self.y_mean_)
        return self.surrogate_.predict(X)[:, :n_main]

    def _validate_kwargs(self):
        return {}

    # ------------------------------------------------------------ inference
    @property
    def aux_names_(self):
        """Names of the auxiliary targets seen in fit (empty without aux)."""
        check_is_fitted(self)
        return [] if self.aux_targets_ is None else list(self.aux_targets_.names_)

    @property
    def aux_kinds_(self):
        """Kind (regression or classification) of each auxiliary target."""
        check_is_fitted(self)
        return [] if self.aux_targets_ is None else list(self.aux_targets_.kinds_)

    def _outputs(self, X):
        check_is_fitted(self)
        return self._network_outputs(validate_features(self, X, reset=False, dtype=np.float64))

    def _network_outputs(self, X):
        """Every head's raw outputs on validated ``X``, read standardised as in training."""
        return self._forward(self._inputs.transform(X))[:self._n_heads]

    def _require_aux_heads(self, method):
        if self.aux_targets_ is None:
            raise ValueError(
                f"{method} needs auxiliary heads, but {type(self).__name__} was fitted "
                "without aux (missing_aux='main_only')."
            )

    def predict_aux(self, X):
        """Predict the auxiliary targets from ``X`` alone.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        aux_pred : pandas.DataFrame of shape (n_samples, n_aux)
            One column per auxiliary target (named as in fit): values in the
            original units for regression targets, labels for classification
            targets.
        """
        outputs = self._outputs(X)
        self._require_aux_heads("predict_aux")
        return self.aux_targets_.decode(outputs[1:])

    def predict_aux_proba(self, X):
        """Class probabilities of the classification auxiliary targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        probas : dict of str to ndarray of shape (n_samples, n_classes)
            One entry per classification auxiliary target, columns ordered as
            the classes seen in fit.
        """
        outputs = self._outputs(X)
        self._require_aux_heads("predict_aux_proba")
        targets = self.aux_targets_
        return {
            name: softmax(out, axis=1)
            for name, kind, out in zip(targets.names_, targets.kinds_, outputs[1:])
            if kind == "classification"
        }

    def explain_errors(self, X, y, aux, *, large_error_quantile=0.9):
        """Relate the main task's per-sample errors to the auxiliary tasks' errors.

        Where the auxiliary modality carries information that ``X`` lacks, a
        sample whose auxiliary target is badly predicted tends to be one whose
        main target is badly predicted too. This method measures that, per
        sample and per auxiliary target.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.
        y : array-like
            True main targets.
        aux : array-like or DataFrame of shape (n_samples, n_aux)
            True auxiliary targets (same columns as in fit).
        large_error_quantile : float, default=0.9
            For regression, main errors above this quantile count as large
            (the positives of the AUROC); for classification the positives
            are the misclassified samples. Auxiliary errors above the same
            quantile of their own distribution are flagged ``far_off``.

        Returns
        -------
        explanation : AuxiliaryErrorExplanation
            With ``per_sample`` and ``summary`` DataFrames and a ``plot``
            method; see :class:`AuxiliaryErrorExplanation`.
        """
        check_is_fitted(self)
        self._require_aux_heads("explain_errors")
        if not 0 < large_error_quantile < 1:
            raise ValueError(
                f"large_error_quantile must be in (0, 1), got {large_error_quantile}."
            )
        X = validate_features(self, X, reset=False, dtype=np.float64)
        y = np.asarray(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(f"y has {y.shape[0]} rows but X has {X.shape[0]}.")
        if aux is None:
            raise ValueError("explain_errors needs the true auxiliary targets `aux`.")
        aux_encoded = self.aux_targets_.transform(aux, X.shape[0], context="explain_errors")
        outputs = self._network_outputs(X)
        main_error, main_large, main_pred = self._main_errors(outputs[0], y, large_error_quantile)
        return explain_errors(
            main_error,
            main_large,
            main_pred,
            outputs[1:],
            aux_encoded,
            self.aux_targets_,
            large_error_quantile,
        )


class AuxiliaryTargetMTLRegressor(RegressorMixin, _BaseAuxiliaryTargetMTL):
    """Regressor that learns auxiliary modalities as extra targets, not inputs.

    A shared MLP trunk feeds a main head (the regression target) and one head
    per auxiliary target (a column of ``aux``; regression or classification).
    The auxiliary modality is needed only at fit: ``predict(X)`` uses ``X``
    alone, ``predict_aux(X)`` predicts the modality, and
    :meth:`explain_errors` relates the main task's per-sample errors to the
    auxiliary ones (Najjar, Alshbib & Dengel 2025). Training minimises
    ``L_main + sum_j aux_weight_j * L_j`` (squared error on standardised
    targets, cross-entropy for classification targets), or learns the weights
    by uncertainty weighting. The network reads the features standardised on
    the training rows; the surrogate and :meth:`explain` report in the
    features' own units.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Hidden layers of the shared trunk; heads are linear.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity.
    aux_weight : float, array-like of shape (n_aux,) or "uncertainty", default=1.0
        Weight of each auxiliary loss relative to the main loss (a float is
        shared by all), or ``"uncertainty"`` to learn one log-variance per task
        (main included): loss ``sum_t 0.5 exp(-s_t) L_t + log(1 + exp(s_t))``.
        ``0`` trains the auxiliary heads without their losses influencing the
        trunk (the fidelity term of the surrogate head, with
        ``fidelity_weight > 0``, still sees every head).
    aux_types : "auto", "regression", "classification", list or dict, default="auto"
        Kind of each auxiliary target. ``"auto"``: float columns are
        regression targets; bool, string, object and categorical columns are
        classification targets; integer columns are classification targets when
        they have at most 10 distinct values, regression targets otherwise. A
        list gives one kind per column; a dict maps column names to kinds
        (others auto).
    missing_aux : {"raise", "main_only"}, default="raise"
        What ``fit(X, y)`` does without ``aux``: raise a ``ValueError``, or
        train the main head alone (a plain MLP; ``predict_aux`` and
        ``explain_errors`` are then unavailable). ``"main_only"`` is also a
        convenient main-only baseline with identical hyper-parameters.
    fidelity_weight : float in [0, 1), default=0.1
        Weight of the fidelity term ``mean((g(x) - f(x))^2)`` between the
        network's heads and a jointly trained linear surrogate ``g`` of every
        head (measured on probabilities for classification heads); the
        network's own loss is weighed by ``1 - fidelity_weight``. ``0`` fits
        the surrogate post hoc (least squares on the outputs) instead.
        :meth:`explain` and :meth:`predict_surrogate` use ``g``.
    max_epochs : int, default=100
        Training epochs (upper bound with early stopping).
    batch_size : int, default=128
        Mini-batch size.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty of Adam (also applied to the uncertainty log-variances).
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (seeded) and stop
        when the validation loss stops improving; the best weights are kept.
    early_stopping_monitor : {"main", "total"}, default="total"
        Validation loss that early stopping watches (and whose best epoch is
        kept): the main task's loss alone, or the weighted total loss that
        training minimises (fidelity term included). ``valid_loss`` in
        ``history_`` is that loss.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Early-stopping patience in epochs.
    tol : float, default=1e-4
        Relative improvement that resets the patience.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        0 silent, 1 skorch's epoch table, 2 plus a progress bar.

    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained net; ``net_.module_`` is a ``MultiHeadMLP``
        (its ``model`` under the surrogate head when ``fidelity_weight > 0``).
    history_ : list of dict
        Per-epoch ``train_loss`` and the loss terms ``train_main``,
        ``train_aux0``, ... (``valid_*`` too with early stopping).
    n_iter_ : int
        Epochs run.
    y_mean_ : ndarray of shape (n_outputs,)
        Training mean of each target; the network is trained on
        ``(y - y_mean_) / y_scale_``.
    y_scale_ : ndarray of shape (n_outputs,)
        Training standard deviation of each target (1 where it is 0).
    aux_targets_ : object or None
        The fitted encoder of the auxiliary targets (``None`` without aux).
    aux_names_ : list of str
        Auxiliary target names (DataFrame columns, else ``aux0``, ``aux1``, ...).
    aux_kinds_ : list of str
        Kind of each auxiliary target.
    surrogate_ : object
        The surrogate of the main head and of every auxiliary head (logits,
        centred over the classes, for classification heads; original units
        for regression heads); its outputs are the ones :meth:`explain` names.
    surrogate_fit_ : {"joint", "post_hoc"}
        Which surrogate was kept: ``"joint"`` when the jointly trained head
        fits the network's outputs (after its link) at least as well on the
        training rows as a least-squares refit of its raw outputs, which is
        kept otherwise (``"post_hoc"``; always with ``fidelity_weight=0``).
    task_weights_ : ndarray of shape (1 + n_aux,)
        Final weight of the main loss and of each auxiliary loss (learned ones
        with ``aux_weight="uncertainty"``).
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` has string column names.

    See Also
    --------
    AuxiliaryTargetMTLClassifier : The same for a classification main task.

    References
    ----------
    .. [1] Najjar, Alshbib & Dengel, "Can Multitask Learning Enhance Model
       Explainability?", 2025, arXiv:2508.06966.
    .. [2] Kendall, Gal & Cipolla, "Multi-Task Learning Using Uncertainty to
       Weigh Losses for Scene Geometry and Semantics", CVPR 2018.

    Examples
    --------
    >>> from skmtlx.auxiliary import AuxiliaryTargetMTLRegressor
    >>> from skmtlx.datasets import make_auxiliary_regression
    >>> X, y, aux = make_auxiliary_regression(n_samples=200, random_state=0)
    >>> reg = AuxiliaryTargetMTLRegressor((16,), max_epochs=5, random_state=0)
    >>> reg = reg.fit(X, y, aux=aux)
    >>> reg.predict(X[:3]).shape
    (3,)
    >>> list(reg.predict_aux(X[:3]).columns)
    ['factor', 'control']
    """

    _main_kind = "regression"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _validate_kwargs(self):
        return {"multi_output": True, "y_numeric": True, "dtype": np.float64}

    def _encode_main(self, y):
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        y_mean, y_scale = mean_and_scale(y2)
        default_names = ["y"] if y.ndim == 1 else [f"y{i}" for i in range(y2.shape[1])]
        state = {"_y_1d": y.ndim == 1, "y_mean_": y_mean, "y_scale_": y_scale,
                 "_y_names": np.array(default_names, dtype=object)}
        return (y2 - y_mean) / y_scale, y2.shape[1], None, state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, aux=None):
        """Fit the shared trunk, the main head and the auxiliary heads.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs (the only inputs needed at prediction time).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Main regression target(s).
        aux : array-like or DataFrame of shape (n_samples, n_aux), default=None
            Auxiliary targets (the modality), one row per sample; a 1-D array
            is one target. Required unless ``missing_aux="main_only"``.

        Returns
        -------
        self : AuxiliaryTargetMTLRegressor
        """
        return self._fit(X, y, aux)

    def predict(self, X):
        """Predict the main target from ``X`` alone.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        main = self._outputs(X)[0] * self.y_scale_ + self.y_mean_
        return main[:, 0] if self._y_1d else main

    def predict_surrogate(self, X):
        """Predict the main target with the surrogate ``g`` (what :meth:`explain` explains).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        """
        main = self._main_surrogate(X)
        return main[:, 0] if self._y_1d else main

    def _main_errors(self, main_out, y, quantile):
        y2 = y.reshape(-1, 1) if y.ndim == 1 else y
        y2 = np.asarray(y2, dtype=np.float64)
        if y2.shape[1] != len(self.y_mean_):
            raise ValueError(f"y has {y2.shape[1]} outputs, expected {len(self.y_mean_)}.")
        if not np.isfinite(y2).all():
            raise ValueError("y contains NaN or infinite values.")
        pred = main_out * self.y_scale_ + self.y_mean_
        # mean absolute error in units of the training standard deviation
        error = (np.abs(pred - y2) / self.y_scale_).mean(axis=1)
        large = error > np.quantile(error, quantile)
        return error, large, (pred[:, 0] if pred.shape[1] == 1 else None)


class AuxiliaryTargetMTLClassifier(ClassifierMixin, _BaseAuxiliaryTargetMTL):
    """Classifier that learns auxiliary modalities as extra targets, not inputs.

    A shared MLP trunk feeds a main head (softmax over the classes) and one
    head per auxiliary target (a column of ``aux``; regression or
    classification). The auxiliary modality is needed only at fit:
    ``predict(X)`` uses ``X`` alone, ``predict_aux(X)`` predicts the modality,
    and :meth:`explain_errors` relates the main task's per-sample errors (log
    loss of the true class) to the auxiliary ones. Training minimises
    ``L_main + sum_j aux_weight_j * L_j`` or learns the weights by uncertainty
    weighting. The network reads the features standardised on the training
    rows; the surrogate and :meth:`explain` report in the features' own units.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(64, 64)
        Hidden layers of the shared trunk; heads are linear.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity.
    aux_weight : float, array-like of shape (n_aux,) or "uncertainty", default=1.0
        Weight of each auxiliary loss relative to the main loss, or
        ``"uncertainty"`` to learn them (see
        :class:`AuxiliaryTargetMTLRegressor`).
    aux_types : "auto", "regression", "classification", list or dict, default="auto"
        Kind of each auxiliary target (see :class:`AuxiliaryTargetMTLRegressor`).
    missing_aux : {"raise", "main_only"}, default="raise"
        What ``fit(X, y)`` does without ``aux``: raise a ``ValueError``, or
        train the main head alone.
    fidelity_weight : float in [0, 1), default=0.1
        Weight of the fidelity term ``mean((g(x) - f(x))^2)`` between the
        network's heads and a jointly trained linear surrogate ``g`` of every
        head (measured on probabilities for classification heads); the
        network's own loss is weighed by ``1 - fidelity_weight``. ``0`` fits
        the surrogate post hoc (least squares on the outputs) instead.
        :meth:`explain` and :meth:`predict_surrogate` use ``g``.
    max_epochs : int, default=100
        Training epochs (upper bound with early stopping).
    batch_size : int, default=128
        Mini-batch size.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=0.0
        L2 penalty of Adam.
    early_stopping : bool, default=False
        Hold out a stratified, seeded ``validation_fraction`` and stop when the
        validation loss stops improving; the best weights are kept.
    early_stopping_monitor : {"main", "total"}, default="total"
        Validation loss that early stopping watches: the main task's loss
        alone, or the weighted total loss.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Early-stopping patience in epochs.
    tol : float, default=1e-4
        Relative improvement that resets the patience.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling and the validation split.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        0 silent, 1 skorch's epoch table, 2 plus a progress bar.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Main-task class labels.
    net_ : skorch.NeuralNet
        The trained net.
    history_ : list of dict
        Per-epoch losses, with the terms ``train_main``, ``train_aux0``, ...
    n_iter_ : int
        Epochs run.
    aux_targets_ : object or None
        The fitted encoder of the auxiliary targets.
    aux_names_ : list of str
        Auxiliary target names.
    aux_kinds_ : list of str
        Kind of each auxiliary target.
    surrogate_ : object
        The surrogate of the main head and of every auxiliary head (logits,
        centred over the classes, for classification heads; original units
        for regression heads); its outputs are the ones :meth:`explain` names.
    surrogate_fit_ : {"joint", "post_hoc"}
        Which surrogate was kept: ``"joint"`` when the jointly trained head
        fits the network's outputs (after its link) at least as well on the
        training rows as a least-squares refit of its raw outputs, which is
        kept otherwise (``"post_hoc"``; always with ``fidelity_weight=0``).
    task_weights_ : ndarray of shape (1 + n_aux,)
        Final weight of the main loss and of each auxiliary loss.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` has string column names.

    See Also
    --------
    AuxiliaryTargetMTLRegressor : The same for a regression main task.

    Examples
    --------
    >>> from skmtlx.auxiliary import AuxiliaryTargetMTLClassifier
    >>> from skmtlx.datasets import make_auxiliary_classification
    >>> X, y, aux = make_auxiliary_classification(n_samples=200, random_state=0)
    >>> clf = AuxiliaryTargetMTLClassifier((16,), max_epochs=5, random_state=0)
    >>> clf = clf.fit(X, y, aux=aux)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _main_kind = "classification"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags

    def _validate_kwargs(self):
        return {"dtype": np.float64}

    def _encode_main(self, y):
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        if len(encoder.classes_) < 2:
            raise ValueError(
                f"The main target needs samples of at least 2 classes; got one class "
                f"{encoder.classes_[0]!r}."
            )
        encoded = encoder.transform(y)
        state = {"_label_encoder": encoder, "classes_": encoder.classes_,
                 "_y_names": np.array(["y"], dtype=object)}
        return encoded.reshape(-1, 1), len(encoder.classes_), encoded, state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, aux=None):
        """Fit the shared trunk, the main head and the auxiliary heads.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs (the only inputs needed at prediction time).
        y : array-like of shape (n_samples,)
            Main class labels.
        aux : array-like or DataFrame of shape (n_samples, n_aux), default=None
            Auxiliary targets (the modality), one row per sample. Required
            unless ``missing_aux="main_only"``.

        Returns
        -------
        self : AuxiliaryTargetMTLClassifier
        """
        return self._fit(X, y, aux)

    def predict_proba(self, X):
        """Main-task class probabilities from ``X`` alone.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return softmax(self._outputs(X)[0], axis=1)

    def predict(self, X):
        """Predict the main class from ``X`` alone.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        main = self._outputs(X)[0]
        return self.classes_[np.argmax(main, axis=1)]

    def predict_surrogate_proba(self, X):
        """Main-task class probabilities of the surrogate ``g`` (softmax of its logits).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return softmax(self._main_surrogate(X), axis=1)

    def predict_surrogate(self, X):
        """Main class predicted by the surrogate ``g`` (what :meth:`explain` explains).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Main inputs.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,)
        """
        return self.classes_[np.argmax(self._main_surrogate(X), axis=1)]

    def _main_errors(self, main_out, y, quantile):
        if y.ndim != 1:
            raise ValueError(f"y must be 1-D for a classifier, got shape {y.shape}.")
        unseen = ~np.isin(y, self.classes_)
        if unseen.any():
            labels = sorted(map(str, set(y[unseen])))[:5]
            raise ValueError(f"y has labels not seen in fit: {labels}.")
        proba = softmax(main_out, axis=1)
        encoded = self._label_encoder.transform(y)
        error = -np.log(np.clip(proba[np.arange(len(y)), encoded], 1e-12, None))
        pred = self.classes_[np.argmax(proba, axis=1)]
        return error, pred != y, pred


def _output_units(main_state, aux_targets, main_width):
    """``(scale, offset)`` of every network output: the targets' units of its head.

    Regression targets were standardised (the main one by ``y_mean_`` /
    ``y_scale_`` in ``main_state``, auxiliary ones by their encoders);
    classification heads are logits (scale 1, offset 0).
    """
    scale = list(main_state.get("y_scale_", np.ones(main_width)))
    offset = list(main_state.get("y_mean_", np.zeros(main_width)))
    if aux_targets is not None:
        for kind, encoder in zip(aux_targets.kinds_, aux_targets.encoders_):
            if kind == "classification":
                scale += [1.0] * len(encoder.classes_)
                offset += [0.0] * len(encoder.classes_)
            else:
                offset.append(encoder[0])
                scale.append(encoder[1])
    return np.array(scale), np.array(offset)
