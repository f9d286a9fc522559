"""Machinery shared by the fidelity MTL regressor and classifier."""

from numbers import Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from .._explanation import LinearExplanation
from .._torch import NEURAL_NET_PARAMETER_CONSTRAINTS, NeuralNetMixin, SurrogateMLP
from ..utils._validation import check_hidden_layer_sizes
from ._loss import FidelityLoss

FLOAT_DTYPES = (np.float64, np.float32)


class BaseFidelityMTL(NeuralNetMixin, BaseEstimator):
    """Black box ``f`` and linear surrogate ``g`` trained on one objective.

    Subclasses encode the targets and choose the prediction loss and the
    space where fidelity is measured; this class trains the two-headed
    module and builds the explanation of ``g``.
    """

    _parameter_constraints = {
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "fidelity_weight": [Interval(Real, 0, 1, closed="neither")],
        "surrogate_fit": [StrOptions({"joint", "post_hoc"})],
    }

    def _fit_networks(
        self, X, y, *, n_outputs, prediction_loss, link, stratify=None, surrogate_init=None
    ):
        hidden_layer_sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        joint = self.surrogate_fit == "joint"
        criterion = FidelityLoss(self.fidelity_weight, prediction_loss, link, joint=joint)
        n_features = X.shape[1]

        def build_module():
            module = SurrogateMLP(n_features, n_outputs, hidden_layer_sizes, self.activation)
            if surrogate_init is not None:
                with torch.no_grad():
                    module.surrogate.weight.copy_(torch.as_tensor(surrogate_init[0]))
                    module.surrogate.bias.copy_(torch.as_tensor(surrogate_init[1]))
            return module

        self._train_module(
            build_module,
            criterion,
            X,
            y,
            stratify=stratify,
            loss_terms=("prediction_loss", "fidelity") if joint else ("prediction_loss",),
        )
        self.training_mean_ = X.mean(axis=0)

    def _trained_surrogate_weights(self):
        """Weights ``(W, b)`` of the trained linear head, as float64 arrays."""
        layer = self.net_.module_.surrogate
        return (
            layer.weight.detach().cpu().double().numpy(),
            layer.bias.detach().cpu().double().numpy(),
        )

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_data(self, X, reset=False, dtype=FLOAT_DTYPES)

    def _output_names(self):
        raise NotImplementedError

    def explain(self, X):
        """Attribute the surrogate's output on each row of ``X`` to the features.

        The attributions are ``coef_ * (x - training_mean_)``, the exact
        interventional Shapley values of the linear surrogate ``g`` (for
        classifiers: of its logits), so that ``base_values`` plus the row sum
        of the attributions is ``g(x)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        explanation : LinearExplanation
            Values of shape (n_samples, n_features, n_outputs), base values,
            feature and output names; ``to_frame()`` and ``plot()`` helpers.
        """
        X = self._validate_X(X)
        coef = np.atleast_2d(self.coef_)
        intercept = np.atleast_1d(self.intercept_)
        values = (X - self.training_mean_)[:, :, None] * coef.T[None, :, :]
        base_values = intercept + coef @ self.training_mean_
        feature_names = getattr(
            self, "feature_names_in_", np.array([f"x{i}" for i in range(self.n_features_in_)])
        )
        return LinearExplanation(values, base_values, X, feature_names, self._output_names())
