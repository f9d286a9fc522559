"""Machinery shared by the fidelity MTL regressor and classifier."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._additive import make_basis
from .._explanation import Explanation
from .._persistence import PersistenceMixin
from .._surrogate import FidelityLoss, additive_attributions
from .._torch import NEURAL_NET_PARAMETER_CONSTRAINTS, NeuralNetMixin
from ..utils._validation import check_hidden_layer_sizes
from ._network import FidelityNetwork

FLOAT_DTYPES = (np.float64, np.float32)


class BaseFidelityMTL(PersistenceMixin, NeuralNetMixin, BaseEstimator):
    """Black box ``f`` and surrogate ``g`` trained on one objective.

    Subclasses encode the targets and choose the prediction loss and the
    space where fidelity is measured; this class builds the surrogate's basis
    (:mod:`skmtlx._additive`), trains the two-headed module and explains
    ``g``.
    """

    _parameter_constraints = {
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "fidelity_weight": [Interval(Real, 0, 1, closed="neither")],
        "surrogate": [StrOptions({"linear", "additive"})],
        "n_knots": [Interval(Integral, 2, None, closed="left")],
        "surrogate_fit": [StrOptions({"joint", "post_hoc"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    def _fit_networks(
        self, X, y, *, n_outputs, prediction_loss, link, stratify=None, init_surrogate=False
    ):
        hidden_layer_sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        joint = self.surrogate_fit == "joint"
        criterion = FidelityLoss(self.fidelity_weight, prediction_loss, link, joint=joint)
        n_features = X.shape[1]
        inputs = self._network_inputs(X)
        black_box_columns = slice(0, n_features)
        surrogate_columns = (black_box_columns if self.surrogate == "linear"
                             else slice(n_features, inputs.shape[1]))
        # The additive head starts from a ridge fit (its whitened columns have unit
        # variance): an unpenalised fit of many spline columns overfits with large,
        # cancelling shape functions on collinear features.
        ridge = 1e-6 if self.surrogate == "linear" else 0.1
        surrogate_init = (
            _least_squares(inputs[:, surrogate_columns], y, ridge) if init_surrogate else None
        )

        def build_module():
            module = FidelityNetwork(black_box_columns, surrogate_columns, n_outputs,
                                     hidden_layer_sizes, self.activation)
            if surrogate_init is not None:
                with torch.no_grad():
                    module.surrogate.weight.copy_(torch.as_tensor(surrogate_init[0]))
                    module.surrogate.bias.copy_(torch.as_tensor(surrogate_init[1]))
            return module

        self._train_module(
            build_module,
            criterion,
            inputs,
            y,
            stratify=stratify,
            loss_terms=("prediction_loss", "fidelity") if joint else ("prediction_loss",),
        )
        self.training_mean_ = X.mean(axis=0)

    def _fit_basis(self, X):
        """Fit ``surrogate_basis_`` on the training inputs and return their basis values.

        The additive surrogate's head reads its basis values whitened feature
        by feature (centred, decorrelated within each feature's block on the
        training rows): spline columns are small and strongly correlated, and
        whitening lets Adam move ``g`` as fast as ``f``. Features are not
        decorrelated from each other, so that collinear features do not get
        large cancelling shape functions. The trained weights are mapped back
        to the basis columns.
        """
        self.surrogate_basis_ = make_basis(self.surrogate, self.n_knots).fit(X)
        Z = self.surrogate_basis_.transform(X)
        self.basis_mean_ = Z.mean(axis=0)
        if self.surrogate != "linear":
            self._whitening = _blockwise_whitening(Z - self.basis_mean_,
                                                   self.surrogate_basis_.feature_index_)
        return Z

    def _network_inputs(self, X):
        """The module's input matrix: the features, then the surrogate's whitened basis."""
        if self.surrogate == "linear":
            return X
        Z = self.surrogate_basis_.transform(X)
        return np.hstack([X, (Z - self.basis_mean_) @ self._whitening])

    def _forward(self, X):
        return super()._forward(self._network_inputs(X))

    def _trained_surrogate_weights(self):
        """Weights ``(W, b)`` of the trained surrogate head, as float64 arrays."""
        layer = self.net_.module_.surrogate
        weights = layer.weight.detach().cpu().double().numpy()
        bias = layer.bias.detach().cpu().double().numpy()
        if self.surrogate == "linear":
            return weights, bias
        weights = weights @ self._whitening.T
        return weights, bias - weights @ self.basis_mean_

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)

    def _output_names(self):
        raise NotImplementedError

    def _surrogate_output(self, Z):
        """Raw surrogate outputs ``b + W z`` of shape (n_samples, n_outputs)."""
        return Z @ np.atleast_2d(self.coef_).T + np.atleast_1d(self.intercept_)

    def shape_functions(self, X, *, grid_resolution=50):
        """The surrogate's shape function of every feature, as data.

        ``g`` (for classifiers: its logits) is ``base + sum_j s_j(x_j)``; the
        shape of feature ``j`` is ``s_j`` centred on the training rows, the
        same quantity as :meth:`explain`'s attributions. For the linear
        surrogate it is the line ``coef_j * (x_j - training_mean_j)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows whose range sets each feature's grid (e.g. the training
            data).
        grid_resolution : int, default=50
            Grid points per feature; a feature with fewer distinct values in
            ``X`` is evaluated at those values.

        Returns
        -------
        shapes : pandas.DataFrame
            One row per feature, grid value and output, with columns
            ``feature``, ``value``, ``output`` and ``contribution``.

        Examples
        --------
        >>> from sklearn.datasets import load_diabetes
        >>> from sklearn.preprocessing import scale
        >>> from skmtlx import FidelityMTLRegressor
        >>> X, y = load_diabetes(return_X_y=True)
        >>> reg = FidelityMTLRegressor(surrogate="additive", max_epochs=5, random_state=0)
        >>> shapes = reg.fit(scale(X), y).shape_functions(scale(X), grid_resolution=20)
        >>> shapes.groupby("feature").size().tolist()[:3]  # "sex" has two levels
        [20, 2, 20]
        """
        X = self._validate_X(X)
        weights = np.atleast_2d(self.coef_)
        feature_names = getattr(
            self, "feature_names_in_", np.array([f"x{i}" for i in range(self.n_features_in_)])
        )
        outputs = self._output_names()
        frames = []
        for j, name in enumerate(feature_names):
            grid = _feature_grid(X[:, j], grid_resolution)
            rows = np.tile(self.training_mean_, (len(grid), 1))
            rows[:, j] = grid
            own = self.surrogate_basis_.feature_index_ == j
            centred = self.surrogate_basis_.transform(rows)[:, own] - self.basis_mean_[own]
            contribution = centred @ weights[:, own].T
            frames.append(pd.DataFrame({
                "feature": name,
                "value": np.repeat(grid, len(outputs)),
                "output": np.tile(outputs, len(grid)),
                "contribution": contribution.ravel(),
            }))
        return pd.concat(frames, ignore_index=True)

    def explain(self, X):
        """Attribute the surrogate's output on each row of ``X`` to the features.

        The attribution of feature ``j`` is its shape function centred on the
        training rows, ``s_j(x_j) - mean s_j``: for the linear surrogate
        ``coef_ * (x - training_mean_)``, for the additive one the sum over
        the feature's basis functions of ``coef_ * (z(x) - basis_mean_)``.
        These are the exact interventional Shapley values of the additive
        surrogate ``g`` (for classifiers: of its logits), so that
        ``base_values`` plus the row sum of the attributions is ``g(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        explanation : Explanation
            Values of shape (n_samples, n_features, n_outputs), base values,
            feature and output names; ``to_frame()`` and ``plot()`` helpers.
        """
        X = self._validate_X(X)
        values, base_values = additive_attributions(
            self.surrogate_basis_.transform(X), np.atleast_2d(self.coef_),
            np.atleast_1d(self.intercept_), self.basis_mean_,
            self.surrogate_basis_.feature_index_, self.n_features_in_,
        )
        feature_names = getattr(
            self, "feature_names_in_", np.array([f"x{i}" for i in range(self.n_features_in_)])
        )
        return Explanation(values, base_values, X, feature_names, self._output_names())


def _feature_grid(column, grid_resolution):
    """Distinct values of ``column`` if few, else an even grid over its range."""
    values = np.unique(column)
    if len(values) <= grid_resolution:
        return values
    return np.linspace(values[0], values[-1], grid_resolution)


def _least_squares(X, Y, ridge=1e-6):
    """Ridge least-squares weights ``(W, b)`` of ``Y`` on ``X`` (penalty ``ridge * n``)."""
    X_mean, Y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - X_mean
    gram = Xc.T @ Xc + ridge * len(X) * np.eye(X.shape[1])
    weights = np.linalg.solve(gram, Xc.T @ (Y - Y_mean)).T
    bias = Y_mean - weights @ X_mean
    return weights.astype(np.float32), bias.astype(np.float32)


def _blockwise_whitening(centred, feature_index, floor=1e-2):
    """``M`` (n_basis, n_whitened) whitening each feature's block of ``centred``.

    Per feature, the principal directions of its basis columns are scaled to
    unit variance; directions the training rows do not span (each feature's
    functions sum to one) are dropped, and those with less than ``floor``
    times the block's largest variance are amplified no more than that.
    """
    blocks = []
    for j in np.unique(feature_index):
        columns = np.flatnonzero(feature_index == j)
        block = centred[:, columns]
        variances, vectors = np.linalg.eigh(block.T @ block / len(block))
        largest = max(variances[-1], 1e-12)
        keep = variances > 1e-9 * largest
        scaled = vectors[:, keep] / np.sqrt(np.maximum(variances[keep], floor * largest))
        mapping = np.zeros((centred.shape[1], keep.sum()))
        mapping[columns] = scaled
        blocks.append(mapping)
    return np.hstack(blocks)
