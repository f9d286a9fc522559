"""FidelityMTLClassifier: an MLP classifier trained jointly with its surrogate."""

import warnings

import numpy as np
from scipy.special import expit, softmax
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.multiclass import check_classification_targets

from .._additive import stagewise_logistic_fit
from .._surrogate import FittedSurrogate, fit_logistic_on_labels
from ..utils._validation import validate_features
from ._base import FLOAT_DTYPES, BaseFidelityMTL


class FidelityMTLClassifier(ClassifierMixin, BaseFidelityMTL):
    """MLP classifier trained together with a linear or additive surrogate that explains it.

    A black-box MLP ``f`` and a surrogate ``g`` are trained on
    ``(1 - fidelity_weight) * log_loss(f(x), y)
    + fidelity_weight * mean((g(x) - f(x))^2)``
    (Charalampakos & Koutsopoulos, 2023), both heads ending in a sigmoid
    (binary) or softmax (multiclass) so that fidelity is measured on
    probabilities. ``g``'s logits are linear in the features (the paper) or
    additive, ``b + sum_j s_j(x_j)`` with spline shape functions
    (:ref:`additive_surrogates`).

    Parameters
    ----------
    fidelity_weight : float, default=0.5
        Weight of the fidelity term, in (0, 1); ``1 - fidelity_weight``
        weighs the prediction loss. Large values favour fidelity. It is
        ``1 - alpha`` of the paper.
    surrogate : {"linear", "additive"}, default="linear"
        Family of ``g``'s logits: linear in the features (the paper), or a
        sum of one shape function per feature, each a combination of cubic
        B-splines with knots at training quantiles (one value per level for
        features with at most 32 distinct values, e.g. binary and one-hot
        columns).
    n_knots : int or "auto", default="auto"
        Spline knots per numerical feature of the additive surrogate;
        ``"auto"``: one per 256 training rows, clipped to [4, 64].
    interactions : int, default=0
        Pairwise interaction terms ``s_jk(x_j, x_k)`` of the additive
        surrogate (a GA2M model): the pairs whose residuals, after a
        penalised fit of the training targets on the shape functions, show
        the strongest interaction (:ref:`additive_interactions`). Each adds
        accuracy and a term that is read as a heatmap, not a curve.
    hidden_layer_sizes : tuple of int, default=(128, 64)
        Hidden layers of the black box.
    activation : {"relu", "tanh", "logistic", "gelu", "identity"}, default="relu"
        Hidden-layer non-linearity of the black box.
    numerical_embedding : {"piecewise_linear", "periodic"} or None, default=None
        How the black box's MLP reads the features with more than 32
        distinct training values (the others it reads as they are):
        ``None``, the raw values; ``"piecewise_linear"``, their
        piecewise-linear encoding on 48 quantile bins of the training rows;
        ``"periodic"``, learned periodic embeddings, 48 frequencies per
        feature (Gorishniy et al., "On Embeddings for Numerical Features in
        Tabular Deep Learning", 2022).
        The surrogate always reads the features themselves.
    fidelity_space : {"proba", "logit"}, default="proba"
        Where ``(g(x) - f(x))^2`` is measured: on probabilities (the paper)
        or on raw logits.
    surrogate_fit : {"joint", "post_hoc"}, default="joint"
        ``"joint"`` is the method; ``"post_hoc"`` is the paper's baseline:
        ``f`` trained alone, then a ``LogisticRegression`` fitted on the
        labels ``f`` predicts for the training data (on the basis columns
        for the additive surrogate).
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    batch_size : int or "auto", default="auto"
        Mini-batch size; ``"auto"`` is ``n_samples // 64`` clipped to
        [32, 256], so that small tables get enough optimiser steps.
    lr : float, default=1e-3
        Adam learning rate.
    weight_decay : float, default=1e-4
        Adam's L2 penalty.
    early_stopping : bool, default=True
        Hold out a stratified ``validation_fraction`` and stop when the
        validation loss stops improving, restoring the best epoch.
    validation_fraction : float, default=0.1
        Fraction held out for early stopping.
    n_iter_no_change : int, default=30
        Epochs without improvement before stopping (the validation loss of
        a small table is noisy).
    tol : float, default=1e-4
        Relative improvement of the validation loss that counts.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, the shuffling and the validation split.
    device : str, default="cpu"
        Torch device.
    verbose : int, default=0
        1 prints a per-epoch table, 2 adds a progress bar.

    Notes
    -----
    The linear surrogate starts from a logistic regression of the labels
    (as the regressor's starts from least squares): from a random start,
    training stops before the surrogate's intercepts reach rare classes'
    frequencies (on wine quality's six classes, test global fidelity 0.0154
    against 0.0061 from the fitted start). The additive one starts from an
    L2-penalised logistic fit of the labels on its spline basis (``C``
    chosen by 3-fold cross-validated log loss on the training rows), and the
    black box is parametrised on the logits as ``f = g + MLP``: the same
    objective, whose fidelity term then penalises the MLP, so that training
    keeps that start instead of first pulling ``g`` toward an untrained
    ``f``. With interactions, the pairs are fitted in a second stage beside
    the shape functions' logits; each keeps that shape during training,
    which adjusts its scale.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_basis) or (n_classes, n_basis)
        Logit weights of the surrogate on its basis columns (one row for
        binary problems). Linear surrogate: one coefficient per feature
        (``n_basis = n_features``). Additive surrogate: one weight per basis
        function, whose feature is ``surrogate_basis_.feature_index_``; the
        shape functions they make are given by :meth:`shape_functions`.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Intercepts of the surrogate.
    surrogate_ : object
        The fitted surrogate ``g`` (its outputs are logits);
        :meth:`predict_surrogate_proba` predicts and :meth:`explain` explains
        with it.
    surrogate_basis_ : object
        The fitted basis ``z(x)`` of ``g``: the identity for the linear
        surrogate, per-feature splines and levels for the additive one.
    training_mean_ : ndarray of shape (n_features,)
        Mean of the training inputs.
    net_ : skorch.NeuralNet
        The trained skorch net.
    history_ : list of dict
        Per-epoch losses, fidelity and validation figures.
    n_iter_ : int
        Number of epochs run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    FidelityMTLRegressor : The same method for regression.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from sklearn.preprocessing import scale
    >>> from skmtlx import FidelityMTLClassifier
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> clf = FidelityMTLClassifier(fidelity_weight=0.7, max_epochs=20, random_state=0)
    >>> clf.fit(scale(X), y).coef_.shape
    (1, 30)
    >>> clf.predict_proba(scale(X)[:2]).shape
    (2, 2)
    >>> additive = FidelityMTLClassifier(surrogate="additive", max_epochs=20, random_state=0)
    >>> additive.fit(scale(X), y).shape_functions(scale(X)).columns.tolist()
    ['feature', 'value', 'output', 'contribution']
    """

    _parameter_constraints = {
        **BaseFidelityMTL._parameter_constraints,
        "fidelity_space": [StrOptions({"proba", "logit"})],
    }

    def __init__(
        self,
        fidelity_weight=0.5,
        *,
        surrogate="linear",
        n_knots="auto",
        interactions=0,
        hidden_layer_sizes=(128, 64),
        activation="relu",
        numerical_embedding=None,
        fidelity_space="proba",
        surrogate_fit="joint",
        max_epochs=200,
        batch_size="auto",
        lr=1e-3,
        weight_decay=1e-4,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=30,
        tol=1e-4,
        random_state=None,
        device="cpu",
        verbose=0,
    ):
        self.fidelity_weight = fidelity_weight
        self.surrogate = surrogate
        self.n_knots = n_knots
        self.interactions = interactions
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.numerical_embedding = numerical_embedding
        self.fidelity_space = fidelity_space
        self.surrogate_fit = surrogate_fit
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

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the black box and its surrogate.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training inputs, in any units: the network reads them standardised.
        y : array-like of shape (n_samples,)
            Class labels, of any type.

        Returns
        -------
        self : FidelityMTLClassifier
        """
        X, y = validate_features(self, X, y, dtype=FLOAT_DTYPES, ensure_min_samples=2)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        classes = encoder.classes_
        if len(classes) < 2:
            raise ValueError(
                "Classifier can't train when only one class is present: "
                f"y contains only {classes[0]!r}."
            )
        codes = encoder.transform(y)
        binary = len(classes) == 2
        if binary:
            targets, n_outputs, loss = codes.astype(np.float32)[:, None], 1, "binary_log_loss"
        else:
            targets, n_outputs, loss = codes.astype(np.int64), len(classes), (
                "multiclass_log_loss"
            )
        if self.fidelity_space == "logit":
            link = "identity"
        else:
            link = "sigmoid" if binary else "softmax"
        inputs = self._fit_network(
            X, targets, n_outputs=n_outputs, prediction_loss=loss, link=link, stratify=codes,
            linear_start=lambda X_start, _: _logistic_start(X_start, codes, len(classes)),
            additive_start=lambda Z, _, shape_columns: stagewise_logistic_fit(
                Z, codes, shape_columns),
            screening_targets=np.eye(len(classes))[codes][:, 1:] if binary else
            np.eye(len(classes))[codes],
        )
        if self.surrogate_fit == "joint":
            coef, intercept = self._trained_head(inputs)
        else:
            predicted = np.argmax(_probabilities(self._raw_outputs(inputs, X)), axis=1)
            if self.surrogate == "linear":  # penalised on the standardised features
                coef, intercept = inputs.features_.to_input_units(*fit_logistic_on_labels(
                    inputs.features_.transform(X), predicted, len(classes)))
            else:
                coef, intercept = fit_logistic_on_labels(
                    inputs.basis.transform(X), predicted, len(classes))
        self.classes_ = classes
        self._set_surrogate(X, inputs, FittedSurrogate(coef, intercept, X, inputs.basis))
        return self

    def predict_proba(self, X):
        """Class probabilities of the black box ``f``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return _probabilities(self._forward(self._validate_X(X)))

    def predict(self, X):
        """Class labels predicted by the black box ``f``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]

    def predict_surrogate(self, X):
        """Class labels predicted by the surrogate ``g``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,)
        """
        return self.classes_[np.argmax(self.predict_surrogate_proba(X), axis=1)]

    def predict_surrogate_proba(self, X):
        """Class probabilities of the surrogate ``g``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        return _probabilities(self.surrogate_.predict(self._validate_X(X)))

    def _black_box_output(self, X):
        """Logits of ``f`` of shape (n_samples, n_outputs), the space ``g`` explains."""
        return self._forward(X)

    def _output_names(self):
        return self.classes_[1:] if len(self.classes_) == 2 else self.classes_


def _logistic_start(X, codes, n_classes):
    """The linear surrogate's start: a logistic regression of the labels.

    A start need not converge (on unscaled inputs lbfgs may stop early), so
    scikit-learn's convergence warning is not passed on.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit_logistic_on_labels(X, codes, n_classes)


def _probabilities(logits):
    """Class probabilities of logits: one column (binary) or one per class."""
    if logits.shape[1] == 1:
        positive = expit(logits[:, 0])
        return np.column_stack([1.0 - positive, positive])
    return softmax(logits, axis=1)
