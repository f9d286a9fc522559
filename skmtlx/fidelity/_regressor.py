"""FidelityMTLRegressor: an MLP regressor trained jointly with its surrogate."""

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils._param_validation import StrOptions

from .._additive import penalised_fit
from .._surrogate import FittedSurrogate, fit_post_hoc_surrogate
from ..utils._validation import mean_and_scale, target_names, validate_features
from ._base import FLOAT_DTYPES, BaseFidelityMTL, _least_squares


class FidelityMTLRegressor(RegressorMixin, BaseFidelityMTL):
    """MLP regressor trained together with a linear or additive surrogate that explains it.

    A black-box MLP ``f`` and a surrogate ``g`` are trained on
    ``(1 - fidelity_weight) * L(f(x), y) + fidelity_weight * (g(x) - f(x))^2``
    (Charalampakos & Koutsopoulos, "Exploring Multi-Task Learning for
    Explainability", 2023):
    the fidelity term pulls ``f`` toward what ``g`` can express, so the
    surrogate is a faithful explanation of ``f``. The surrogate is linear in
    the features (the paper) or additive, ``g(x) = b + sum_j s_j(x_j)`` with
    spline shape functions (:ref:`additive_surrogates`).

    Parameters
    ----------
    fidelity_weight : float, default=0.5
        Weight of the fidelity term, in (0, 1); ``1 - fidelity_weight``
        weighs the prediction loss. Large values favour fidelity. It is
        ``1 - alpha`` of the paper.
    surrogate : {"linear", "additive"}, default="linear"
        Family of ``g``: linear in the features (the paper), or a sum of one
        shape function per feature, each a combination of cubic B-splines
        with knots at training quantiles (one value per level for features
        with at most 32 distinct values, e.g. binary and one-hot columns).
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
        Hidden layers of the black box (the paper used (512, 256, 128)).
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
    loss : {"log_cosh", "squared_error"}, default="log_cosh"
        Prediction loss ``L`` (log-cosh as in the paper).
    surrogate_fit : {"joint", "post_hoc"}, default="joint"
        ``"joint"`` is the method; ``"post_hoc"`` is the paper's single-task
        baseline: ``f`` trained alone, then a linear fit of its training
        predictions: least squares with a ridge penalty chosen by
        leave-one-out on the standardised features, which keeps least squares
        on well-conditioned features and splits nearly collinear ones (for
        the additive surrogate, a ridge fit on its basis columns).
    standardize_target : bool, default=True
        Train on standardized targets (so ``fidelity_weight`` and ``lr`` do not depend
        on the target's scale); predictions and ``coef_`` are in the original
        units.
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
        Hold out ``validation_fraction`` of the training data and stop when
        the validation loss stops improving, restoring the best epoch.
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
        Torch device, e.g. ``"cuda"``.
    verbose : int, default=0
        1 prints a per-epoch table, 2 adds a progress bar.

    Notes
    -----
    The surrogate starts from the least-squares fit of the (standardized)
    targets rather than at random, so that training does not stall when a
    large ``fidelity_weight`` lets the fidelity term dominate; the objective is the
    paper's. The additive surrogate starts from a ridge fit of the targets
    on its spline basis (penalty chosen by leave-one-out), and the black box
    is parametrised as ``f = g + MLP``: the same objective, whose fidelity
    term then penalises the MLP, so that training keeps that start instead
    of first pulling ``g`` toward an untrained ``f``. Interaction terms keep
    the shape they start with; training adjusts each one's scale.

    Attributes
    ----------
    coef_ : ndarray of shape (n_basis,) or (n_targets, n_basis)
        Weights of the surrogate on its basis columns. Linear surrogate: one
        coefficient per feature (``n_basis = n_features``), the global
        attributions. Additive surrogate: one weight per basis function,
        whose feature is ``surrogate_basis_.feature_index_``; the shape
        functions they make are given by :meth:`shape_functions`.
    intercept_ : float or ndarray of shape (n_targets,)
        Intercept of the surrogate.
    surrogate_ : object
        The fitted surrogate ``g``; :meth:`predict_surrogate` predicts and
        :meth:`explain` explains with it.
    surrogate_basis_ : object
        The fitted basis ``z(x)`` of ``g``: the identity for the linear
        surrogate, per-feature splines and levels for the additive one.
    training_mean_ : ndarray of shape (n_features,)
        Mean of the training inputs.
    net_ : skorch.NeuralNet
        The trained skorch net (``net_.module_.black_box`` is ``f``).
    history_ : list of dict
        Per-epoch ``train_loss``, ``train_prediction_loss``,
        ``train_fidelity`` and their ``valid_`` counterparts.
    n_iter_ : int
        Number of epochs run.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit, when X has string column names.

    See Also
    --------
    FidelityMTLClassifier : The same method for classification.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from skmtlx import FidelityMTLRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> reg = FidelityMTLRegressor(fidelity_weight=0.7, max_epochs=20, random_state=0).fit(X, y)
    >>> reg.coef_.shape
    (10,)
    >>> reg.predict(X[:2]).shape
    (2,)

    An additive surrogate: one spline shape function per feature.

    >>> add = FidelityMTLRegressor(surrogate="additive", max_epochs=20, random_state=0)
    >>> add.fit(X, y).explain(X[:2]).values.shape  # rows, features, outputs
    (2, 10, 1)
    """

    _parameter_constraints = {
        **BaseFidelityMTL._parameter_constraints,
        "loss": [StrOptions({"log_cosh", "squared_error"})],
        "standardize_target": ["boolean"],
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
        loss="log_cosh",
        surrogate_fit="joint",
        standardize_target=True,
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
        self.loss = loss
        self.surrogate_fit = surrogate_fit
        self.standardize_target = standardize_target
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
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.

        Returns
        -------
        self : FidelityMTLRegressor
        """
        names = target_names(y)
        X, y = validate_features(
            self, X, y, multi_output=True, y_numeric=True, dtype=FLOAT_DTYPES,
            ensure_min_samples=2,
        )
        Y = y.reshape(len(y), -1).astype(np.float64)
        if self.standardize_target:
            y_mean, y_scale = mean_and_scale(Y)
        else:
            y_mean, y_scale = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        inputs = self._fit_network(
            X, ((Y - y_mean) / y_scale).astype(np.float32), n_outputs=Y.shape[1],
            prediction_loss=self.loss, link="identity", linear_start=_least_squares,
            # penalised by leave-one-out: an unpenalised fit of many spline columns
            # overfits with large, cancelling shape functions on collinear features
            additive_start=lambda Z, targets, _: penalised_fit(Z, targets),
        )
        if self.surrogate_fit == "post_hoc":
            predictions = self._raw_outputs(inputs, X) * y_scale + y_mean
            surrogate = fit_post_hoc_surrogate(X, predictions, inputs.basis)
        else:
            coef, intercept = self._trained_head(inputs)
            surrogate = FittedSurrogate(coef * y_scale[:, None], intercept * y_scale + y_mean,
                                        X, inputs.basis)
        self._y_1d, self.y_mean_, self.y_scale_ = y.ndim == 1, y_mean, y_scale
        self._y_names = names if names is not None else np.array(
            ["y"] if self._y_1d else [f"y{i}" for i in range(Y.shape[1])], dtype=object)
        self._set_surrogate(X, inputs, surrogate, single_output=self._y_1d)
        return self

    def _predictions(self, outputs):
        """Predictions in the targets' units and shape from the raw outputs of ``f``."""
        predictions = outputs * self.y_scale_ + self.y_mean_
        return predictions[:, 0] if self._y_1d else predictions

    def predict(self, X):
        """Predict with the black box ``f``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        return self._predictions(self._forward(self._validate_X(X)))

    def predict_surrogate(self, X):
        """Predict with the surrogate ``g``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Inputs.

        Returns
        -------
        y_surrogate : ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        outputs = self.surrogate_.predict(self._validate_X(X))
        return outputs[:, 0] if self._y_1d else outputs

    def _black_box_output(self, X):
        """``f(X)`` of shape (n_samples, n_targets), in the units ``g`` explains."""
        return self._forward(X) * self.y_scale_ + self.y_mean_

    def _output_names(self):
        return self._y_names

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
