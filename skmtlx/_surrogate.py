"""The surrogate component every skmtlx estimator explains itself with.

A surrogate is ``g(x) = b + W z(x)`` on a *basis* ``z`` (the identity for the
linear surrogate). It is either trained jointly with the network ``f`` on

    (1 - fidelity_weight) * L(f(x), y) + fidelity_weight * mean((g(x) - f(x))^2)

(the fidelity term measured after a link: on probabilities for classification
outputs), or fitted post hoc on ``f``'s outputs. This module holds, once:

- the fidelity term and the prediction losses (:class:`PredictionLoss`);
- :class:`SurrogateHead`, a module that adds a surrogate head to any network;
- :class:`FidelityCriterion`, which adds the fidelity term to any criterion;
- :func:`fit_post_hoc_surrogate` and :func:`fit_logistic_on_labels`;
- :class:`FittedSurrogate`, the fitted numpy surrogate with its attributions
  (:func:`additive_attributions`).

A basis follows the protocol of :mod:`skmtlx._additive`: a fitted object with
``transform(X) -> Z`` of shape (n_samples, n_basis), ``terms_`` (the features
of every term) and ``term_index_`` (n_basis,), the term of every basis
column; ``None`` is the identity basis.
"""

import copy
from collections import namedtuple
from numbers import Real

import numpy as np
import torch
from scipy.special import expit, softmax
from sklearn.linear_model import LogisticRegression
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import _check_feature_names_in
from torch import nn

from ._additive import AdditiveBasis, feature_shares, penalised_fit
from ._torch import MultiHeadMLP, log_cosh

__all__ = [
    "PREDICTION_LOSSES",
    "LINKS",
    "FIDELITY_WEIGHT_CONSTRAINT",
    "fidelity_term",
    "PredictionLoss",
    "FidelityCriterion",
    "SurrogateHead",
    "FittedSurrogate",
    "additive_attributions",
    "fit_post_hoc_surrogate",
    "fit_logistic_on_labels",
]

FIDELITY_WEIGHT_CONSTRAINT = [Interval(Real, 0, 1, closed="left")]
"""``fidelity_weight`` of the network estimators: 0 fits the surrogate post hoc."""

# Ridge penalties per row among which the post-hoc linear surrogate chooses by
# leave-one-out, on standardised columns: from least squares to a strong pull.
_LINEAR_RIDGE_ALPHAS = np.logspace(-10, 1, 23)

# Logit given to classes the post-hoc surrogate never saw predicted.
_ABSENT_CLASS_LOGIT = -30.0


def _log_cosh_loss(output, target):
    return log_cosh(output - target).mean()


def _squared_error_loss(output, target):
    return nn.functional.mse_loss(output, target)


def _binary_log_loss(output, target):
    return nn.functional.binary_cross_entropy_with_logits(output, target)


def _multiclass_log_loss(output, target):
    return nn.functional.cross_entropy(output, target)


PREDICTION_LOSSES = {
    "log_cosh": _log_cosh_loss,
    "squared_error": _squared_error_loss,
    "binary_log_loss": _binary_log_loss,
    "multiclass_log_loss": _multiclass_log_loss,
}
"""Prediction losses ``L_pred(f(x), y)`` on raw network outputs, by name."""

LINKS = {
    "identity": lambda raw: raw,
    "sigmoid": torch.sigmoid,
    "softmax": lambda raw: torch.softmax(raw, dim=1),
}
"""Maps from raw outputs to the space where fidelity is measured."""


def fidelity_term(f_heads, g_out, links):
    """``mean((link(g) - link(f))^2)`` over every column of every head.

    Parameters
    ----------
    f_heads : sequence of torch.Tensor
        Raw outputs of the black box, one ``(n, width_k)`` tensor per head.
    g_out : torch.Tensor of shape (n, sum of widths)
        Raw surrogate outputs, the heads' columns side by side.
    links : sequence of str
        Key of :data:`LINKS` for every head.

    Returns
    -------
    fidelity : torch.Tensor (scalar)

    Examples
    --------
    >>> import torch
    >>> from skmtlx._surrogate import fidelity_term
    >>> float(fidelity_term([torch.ones(2, 1)], torch.zeros(2, 1), ["identity"]))
    1.0
    """
    if len(set(links)) == 1 and links[0] != "softmax":
        # one elementwise link for every column: a single pass over all heads
        f_out = f_heads[0] if len(f_heads) == 1 else torch.cat(f_heads, dim=1)
        link = LINKS[links[0]]
        return nn.functional.mse_loss(link(g_out), link(f_out))
    widths = {head.shape[1] for head in f_heads}
    if set(links) == {"softmax"} and len(widths) == 1 and len(f_heads) > 1:
        # heads of equal width: one softmax over a (n, n_heads, width) view
        f_out = torch.stack(f_heads, dim=1)
        g_out = g_out.reshape(f_out.shape)
        return nn.functional.mse_loss(torch.softmax(g_out, dim=2), torch.softmax(f_out, dim=2))
    # each head through its link, then one squared error over every column
    g_heads = g_out.split([head.shape[1] for head in f_heads], dim=1)
    return nn.functional.mse_loss(
        torch.cat([LINKS[link](g) for g, link in zip(g_heads, links)], dim=1),
        torch.cat([LINKS[link](f) for f, link in zip(f_heads, links)], dim=1),
    )


class FidelityCriterion(nn.Module):
    """Add the fidelity term to any criterion of a network carrying a :class:`SurrogateHead`.

    ``forward(y_pred, y_true)`` takes the head's flat tuple ``(*f_heads, g)``,
    evaluates ``criterion`` on the black box's outputs (a tensor when
    ``multi_head=False``, the tuple of heads otherwise) and returns
    ``{"loss": (1 - w) * L + w * fidelity, "fidelity": ..., <criterion's terms>}``.
    With ``fidelity_weight=0`` the fidelity term is neither optimised nor
    computed.

    Parameters
    ----------
    criterion : torch.nn.Module
        The estimator's own loss; returns a tensor or a dict with ``"loss"``.
    fidelity_weight : float
        Weight ``w`` of the fidelity term, in [0, 1).
    links : sequence of str
        Link of every head (:data:`LINKS`), where fidelity is measured.
    multi_head : bool, default=True
        Whether the wrapped network returns a tuple of heads.
    prediction_term : str, default="prediction_loss"
        Name under which a tensor-valued criterion is recorded.
    validate_fidelity : bool, default=True
        Whether the validation loss (evaluation mode, which early stopping
        watches) includes the fidelity term; ``False`` keeps the wrapped
        criterion's own validation loss.

    Examples
    --------
    >>> import torch
    >>> from skmtlx._surrogate import FidelityCriterion
    >>> criterion = FidelityCriterion(torch.nn.MSELoss(), 0.25, ["identity"], multi_head=False)
    >>> f, g, y = torch.ones(4, 1), torch.zeros(4, 1), torch.ones(4, 1)
    >>> float(criterion((f, g), y)["loss"])
    0.25
    """

    def __init__(self, criterion, fidelity_weight, links, multi_head=True,
                 prediction_term="prediction_loss", validate_fidelity=True):
        super().__init__()
        self.criterion = criterion
        self.fidelity_weight = float(fidelity_weight)
        self.links = list(links)
        self.multi_head = multi_head
        self.prediction_term = prediction_term
        self.validate_fidelity = validate_fidelity

    def forward(self, y_pred, y_true):
        f_heads, g_out = tuple(y_pred[:-1]), y_pred[-1]
        terms = self.criterion(f_heads if self.multi_head else f_heads[0], y_true)
        if not isinstance(terms, dict):
            terms = {"loss": terms, self.prediction_term: terms}
        terms = dict(terms)
        if self.fidelity_weight > 0:
            fidelity = fidelity_term(f_heads, g_out, self.links)
            terms["fidelity"] = fidelity
            if not (self.training or self.validate_fidelity):
                return terms
            # (1 - w) * loss + w * fidelity in one operation (fewer autograd nodes per batch)
            terms["loss"] = torch.lerp(terms["loss"], fidelity, self.fidelity_weight)
        return terms


class PredictionLoss(nn.Module):
    """The prediction loss :data:`PREDICTION_LOSSES` ``[name]`` as a criterion.

    Returns ``{"loss": L, "prediction_loss": L}``, so that the history
    records the prediction loss under one name with or without a surrogate
    head (:class:`FidelityCriterion`).

    Examples
    --------
    >>> import torch
    >>> from skmtlx._surrogate import PredictionLoss
    >>> terms = PredictionLoss("squared_error")(torch.ones(2, 1), torch.zeros(2, 1))
    >>> float(terms["loss"]), float(terms["prediction_loss"])
    (1.0, 1.0)
    """

    def __init__(self, name):
        super().__init__()
        self.name = name

    def forward(self, output, target):
        loss = PREDICTION_LOSSES[self.name](output, target)
        return {"loss": loss, "prediction_loss": loss}


SurrogateWeights = namedtuple("SurrogateWeights", ["weight", "bias"])
"""The surrogate head's ``weight`` (n_outputs, n_inputs) and ``bias`` (n_outputs,)."""


def _input_layers(model, n_features):
    """The ``nn.Sequential`` whose first module, an ``nn.Linear``, reads ``model``'s inputs.

    That is ``model`` itself for :func:`~skmtlx._torch.make_mlp`'s networks and
    the trunk of a :class:`~skmtlx._torch.MultiHeadMLP`; None for any other
    module, a trunk without hidden layers or a first layer without bias.
    """
    layers = model.trunk if isinstance(model, MultiHeadMLP) else model
    if (isinstance(layers, nn.Sequential) and len(layers) > 0
            and isinstance(layers[0], nn.Linear) and layers[0].in_features == n_features
            and layers[0].bias is not None):
        return layers
    return None


class SurrogateHead(nn.Module):
    """A network ``f`` and a jointly trained surrogate head ``g(x) = b + W z(x)``.

    ``forward`` returns the flat tuple ``(*f_heads, g)``: the network's output
    (or each of its heads) followed by the surrogate's raw outputs, so code
    indexing a multi-head network's outputs by head keeps working.

    The linear surrogate reads the inputs, as the first layer of an MLP does:
    for the library's MLPs (:func:`~skmtlx._torch.make_mlp`,
    :class:`~skmtlx._torch.MultiHeadMLP`) both are one ``nn.Linear`` whose
    outputs are the hidden units followed by ``g``, split after it (one
    matrix product, one bias and two parameters fewer per batch, forward,
    backward and in the optimiser). ``model``'s first layer then becomes an
    ``nn.Identity``; its initial weights, and ``g``'s, are those it would
    have had apart. A surrogate on a basis (``n_basis``) reads other columns
    than ``model`` and keeps a layer of its own.

    Parameters
    ----------
    model : torch.nn.Module
        The black box; returns a tensor or a tuple of head tensors.
    n_outputs : int
        Width of ``g``: the heads' widths summed.
    n_features : int
        Number of inputs of ``model``.
    n_basis : int or None, default=None
        ``None``: the linear surrogate on the inputs (identity basis). An int:
        the module's input is ``[X, Z]`` side by side, ``model`` sees the
        first ``n_features`` columns and ``g`` the ``n_basis`` basis columns.
    residual : bool, default=False
        Parametrise the black box as ``f = g + model``: the same objective,
        whose fidelity term then penalises the residual ``model``, and the
        prediction loss trains ``g`` directly, so that a surrogate started
        from a fit of the targets is not first dragged toward an untrained
        ``f``.

    Attributes
    ----------
    linear : torch.nn.Linear
        ``g``'s layer: its last ``n_outputs`` output units are ``g`` (the
        first ``n_hidden`` are the first hidden layer of ``model``).
    n_hidden : int
        Width of ``model``'s first layer held in ``linear`` (0: not fused).
    surrogate : SurrogateWeights
        ``g``'s weight and bias, views of ``linear``'s parameters.

    Examples
    --------
    >>> import torch
    >>> from skmtlx._surrogate import SurrogateHead
    >>> from skmtlx._torch import make_mlp
    >>> net = SurrogateHead(make_mlp(3, (8,), 2), n_outputs=2, n_features=3)
    >>> [tuple(o.shape) for o in net(torch.zeros(5, 3))]
    [(5, 2), (5, 2)]
    >>> net.n_hidden, tuple(net.surrogate.weight.shape)
    (8, (2, 3))
    """

    def __init__(self, model, n_outputs, n_features, n_basis=None, residual=False):
        super().__init__()
        self.model = model
        self.n_features, self.n_outputs = int(n_features), int(n_outputs)
        self.identity_basis = n_basis is None
        self.residual = residual
        surrogate = nn.Linear(self.n_features if n_basis is None else n_basis, n_outputs)
        layers = _input_layers(model, self.n_features) if n_basis is None else None
        self.n_hidden = 0 if layers is None else layers[0].out_features
        if layers is None:
            self.linear = surrogate
            return
        # one layer for both, from the weights each was initialised with (no random draws)
        first = layers[0]
        self.linear = nn.utils.skip_init(nn.Linear, self.n_features, self.n_hidden + n_outputs)
        with torch.no_grad():
            torch.cat([first.weight, surrogate.weight], out=self.linear.weight)
            torch.cat([first.bias, surrogate.bias], out=self.linear.bias)
        layers[0] = nn.Identity()

    @property
    def surrogate(self):
        return SurrogateWeights(self.linear.weight[self.n_hidden:],
                                self.linear.bias[self.n_hidden:])

    def black_box(self):
        """A copy of ``model`` alone (``f`` without ``g``), its first layer restored."""
        model = copy.deepcopy(self.model)
        if self.n_hidden:
            first = nn.Linear(self.n_features, self.n_hidden,
                              device=self.linear.weight.device, dtype=self.linear.weight.dtype)
            with torch.no_grad():
                first.weight.copy_(self.linear.weight[:self.n_hidden])
                first.bias.copy_(self.linear.bias[:self.n_hidden])
            (model.trunk if isinstance(model, MultiHeadMLP) else model)[0] = first
        return model

    def forward(self, X):
        if not self.identity_basis:
            out, g = self.model(X[:, :self.n_features]), self.linear(X[:, self.n_features:])
        elif self.n_hidden:
            hidden, g = self.linear(X).split([self.n_hidden, self.n_outputs], dim=1)
            out = self.model(hidden)
        else:
            out, g = self.model(X), self.linear(X)
        heads = out if isinstance(out, tuple) else (out,)
        if self.residual:
            heads = tuple(head + part for head, part in
                          zip(heads, g.split([head.shape[1] for head in heads], dim=1)))
        return (*heads, g)


def _basis_matrix(basis, X):
    return np.asarray(X, dtype=np.float64) if basis is None else basis.transform(X)


def additive_attributions(Z, coef, intercept, basis_mean, shares):
    """Exact Shapley values of an additive surrogate ``g = b + W z(x)``.

    ``values[i, j, o] = sum_k shares[k, j] W[o, k] (Z[i, k] - Z_mean[k])``
    and ``base_values[o] = b[o] + W[o] @ Z_mean``, so that ``base_values`` plus
    the row sum of ``values`` is ``g(x)``: a shape function's columns go to
    its feature, an interaction's half to each of its two features
    (:func:`skmtlx._additive.feature_shares`).

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_basis)
        Basis of the explained rows.
    coef : ndarray of shape (n_outputs, n_basis)
    intercept : ndarray of shape (n_outputs,)
    basis_mean : ndarray of shape (n_basis,)
        Mean basis over the training rows (the reference).
    shares : ndarray of shape (n_basis, n_features)
        Share of every basis column's contribution per input feature.

    Returns
    -------
    values : ndarray of shape (n_samples, n_features, n_outputs)
    base_values : ndarray of shape (n_outputs,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._surrogate import additive_attributions
    >>> values, base = additive_attributions(
    ...     np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 1.0, 2.0]]), np.array([0.5]),
    ...     np.zeros(3), np.array([[1.0, 0.0], [1.0, 0.0], [0.5, 0.5]]))
    >>> values[0, :, 0].tolist(), base.tolist()
    ([6.0, 3.0], [0.5])
    """
    coef = np.atleast_2d(coef)
    centred = np.asarray(Z, dtype=np.float64) - basis_mean
    values = np.einsum("nk,ok,kj->njo", centred, coef, shares)
    return values, np.atleast_1d(intercept) + coef @ basis_mean


class FittedSurrogate:
    """A fitted surrogate ``g(x) = b + W z(x)`` in the estimator's output units.

    Parameters
    ----------
    coef : ndarray of shape (n_outputs, n_basis)
    intercept : ndarray of shape (n_outputs,)
    X_train : ndarray of shape (n_samples, n_features)
        Training inputs: the reference of the attributions is their mean basis.
    basis : fitted basis or None, default=None
        ``None`` is the identity basis (the linear surrogate).

    Attributes
    ----------
    basis_mean_ : ndarray of shape (n_basis,)
    feature_shares_ : ndarray of shape (n_basis, n_features)
        Share of every basis column's contribution per feature.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._surrogate import FittedSurrogate
    >>> g = FittedSurrogate(np.array([[2.0, 0.0]]), np.array([1.0]), np.eye(2))
    >>> g.predict(np.array([[1.0, 5.0]])).tolist()
    [[3.0]]
    """

    def __init__(self, coef, intercept, X_train, basis=None):
        self.coef_ = np.atleast_2d(np.asarray(coef, dtype=np.float64))
        self.intercept_ = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
        self.basis = basis
        self.n_features_in_ = X_train.shape[1]
        self.basis_mean_ = _basis_matrix(basis, X_train).mean(axis=0)
        self.feature_shares_ = (np.eye(self.n_features_in_) if basis is None else
                                feature_shares(basis.terms_, basis.term_index_,
                                               self.n_features_in_))

    @classmethod
    def from_head(cls, layer, X_train, *, inputs=None, scale=None, offset=None, basis=None):
        """Read a trained head (``weight``, ``bias``) in the units ``scale``/``offset`` map to.

        ``inputs`` (:class:`~skmtlx._torch.InputStandardization`): the head read
        standardised features; its weights are mapped back to the features' units.
        """
        coef = layer.weight.detach().cpu().double().numpy()
        intercept = layer.bias.detach().cpu().double().numpy()
        if inputs is not None:
            coef, intercept = inputs.to_input_units(coef, intercept)
        if scale is not None:
            coef, intercept = coef * np.asarray(scale)[:, None], intercept * scale
        if offset is not None:
            intercept = intercept + offset
        return cls(coef, intercept, X_train, basis)

    def predict(self, X):
        """Raw surrogate outputs ``b + W z(x)``, shape (n_samples, n_outputs)."""
        return _basis_matrix(self.basis, X) @ self.coef_.T + self.intercept_

    def attributions(self, X):
        """``(values, base_values)`` of :func:`additive_attributions` on rows ``X``."""
        return additive_attributions(
            _basis_matrix(self.basis, X), self.coef_, self.intercept_, self.basis_mean_,
            self.feature_shares_,
        )


def stack_surrogates(surrogates, order):
    """One surrogate with the outputs of ``surrogates`` side by side, reordered by ``order``."""
    new = copy.copy(surrogates[0])
    new.coef_ = np.vstack([s.coef_ for s in surrogates])[order]
    new.intercept_ = np.concatenate([s.intercept_ for s in surrogates])[order]
    return new


def fit_post_hoc_surrogate(X_train, outputs, basis=None):
    """A surrogate fitted by penalised least squares on a black box's outputs.

    The ridge fit of :func:`~skmtlx._additive.penalised_fit`, its penalty
    chosen by leave-one-out. On the features (the linear surrogate) the
    columns are standardised for the fit and the penalties run from least
    squares (the paper's baseline, which well-conditioned columns keep) to a
    strong pull: nearly collinear columns would otherwise get opposite
    coefficients hundreds of times their effect, and attributions to match.
    On an additive basis the penalty smooths the shape functions, as the
    joint surrogate's start: dozens of spline columns per feature, and
    interaction grids that may outnumber the rows, would otherwise be fitted
    to the last digit on the training rows and swing between them.

    Parameters
    ----------
    X_train : ndarray of shape (n_samples, n_features)
        Rows where the black box was evaluated.
    outputs : ndarray of shape (n_samples, n_outputs)
        Its outputs there, in the units the surrogate explains (values, or
        logits / centred log-probabilities for classifiers).
    basis : fitted basis or None, default=None
        The surrogate's basis; ``None`` is linear.

    Returns
    -------
    surrogate : FittedSurrogate

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._surrogate import fit_post_hoc_surrogate
    >>> X = np.random.RandomState(0).randn(20, 2)
    >>> g = fit_post_hoc_surrogate(X, X @ np.array([[1.0], [-2.0]]) + 3.0)
    >>> np.round(g.coef_, 6).tolist(), np.round(g.intercept_, 6).tolist()
    ([[1.0, -2.0]], [3.0])
    """
    Z = _basis_matrix(basis, X_train)
    outputs = np.asarray(outputs, dtype=np.float64).reshape(len(Z), -1)
    if isinstance(basis, AdditiveBasis):
        return FittedSurrogate(*penalised_fit(Z, outputs), X_train, basis)
    # a column constant up to rounding (a task's own feature within its rows) stays out:
    # standardised, its rounding noise would look like a feature
    # the standard deviations relative to each column's largest magnitude (no overflow)
    magnitude = np.abs(Z).max(axis=0, initial=0.0)
    relative = (Z / np.where(magnitude > 0, magnitude, 1.0)).std(axis=0)
    varies, scale = relative > 1e-8, relative * magnitude
    coef = np.zeros((outputs.shape[1], Z.shape[1]))
    fitted, intercept = penalised_fit(Z[:, varies] / scale[varies], outputs,
                                      len(Z) * _LINEAR_RIDGE_ALPHAS)
    coef[:, varies] = fitted / scale[varies]
    return FittedSurrogate(coef, intercept, X_train, basis)


def best_linear_surrogate(X, raw, links, widths, head=None):
    """The better of a trained surrogate head and a least-squares fit, by training fidelity.

    The least-squares fit of the network's raw outputs (logits for
    classification heads) on the training rows is the exact fidelity optimum
    for identity links; a jointly trained head may not have converged, or
    may fit probabilities better than the logit least squares does. Both are
    compared by ``mean((link(g) - link(f))^2)`` on the training rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training rows.
    raw : ndarray of shape (n_samples, n_outputs)
        The network's raw outputs there.
    links, widths : sequence
        Link and width of every head.
    head : FittedSurrogate or None, default=None
        The trained head, in raw units.

    Returns
    -------
    surrogate : FittedSurrogate
    kind : {"joint", "post_hoc"}
        Which one was kept.
    """
    refit = fit_post_hoc_surrogate(X, raw)
    if head is None:
        return refit, "post_hoc"
    target = link_outputs(raw, links, widths)

    def fidelity(g):
        return np.mean((link_outputs(g.predict(X), links, widths) - target) ** 2)

    return (head, "joint") if fidelity(head) <= fidelity(refit) else (refit, "post_hoc")


def centred_log_proba(proba):
    """Logits of class probabilities: log-probabilities centred over the classes."""
    log_proba = np.log(np.clip(proba, 1e-12, None))
    return log_proba - log_proba.mean(axis=1, keepdims=True)


def link_outputs(raw, links, widths):
    """Apply each head's link (numpy): identity, sigmoid or softmax on its columns."""
    out, start = [], 0
    for link, width in zip(links, widths):
        block = raw[:, start:start + width]
        if link == "sigmoid":
            block = expit(block)
        elif link == "softmax":
            block = softmax(block, axis=1)
        out.append(block)
        start += width
    return np.hstack(out)


def fit_logistic_on_labels(X, labels, n_classes):
    """Logit weights of a ``LogisticRegression`` fitted on predicted labels.

    Returns ``(coef, intercept)`` with one row for binary problems and
    ``n_classes`` rows otherwise; classes never predicted get a very low
    constant logit, and a single predicted class gives a constant model.

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._surrogate import fit_logistic_on_labels
    >>> coef, intercept = fit_logistic_on_labels(np.zeros((3, 2)), np.array([1, 1, 1]), 2)
    >>> coef.tolist(), intercept.tolist()
    ([[0.0, 0.0]], [30.0])
    """
    present = np.unique(labels)
    n_rows = 1 if n_classes == 2 else n_classes
    coef = np.zeros((n_rows, X.shape[1]))
    intercept = np.full(n_rows, _ABSENT_CLASS_LOGIT)
    if len(present) == 1:
        if n_classes == 2:
            intercept[0] = -_ABSENT_CLASS_LOGIT if present[0] == 1 else _ABSENT_CLASS_LOGIT
        else:
            intercept[present[0]] = 0.0
        return coef, intercept
    model = LogisticRegression(max_iter=1000).fit(X, labels)
    if n_classes == 2:
        return model.coef_, model.intercept_
    if len(present) == 2:  # one logit row for present[1] against present[0]
        coef[present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]
        intercept[present[0]] = 0.0
    else:
        coef[present], intercept[present] = model.coef_, model.intercept_
    return coef, intercept


def with_surrogate(build_module, criterion, fidelity_weight, links, widths, n_features,
                   *, multi_head=True, validate_fidelity=True, n_basis=None, residual=False):
    """Wrap a module builder and its criterion so the network carries a surrogate head.

    With ``fidelity_weight == 0`` both are returned unchanged (the surrogate
    is then fitted post hoc). ``n_basis`` and ``residual`` are those of
    :class:`SurrogateHead`: ``n_basis`` None for a head on the inputs, else
    the number of basis columns placed after the ``n_features`` inputs.

    Returns
    -------
    build_module, criterion : callable, torch.nn.Module
    """
    if fidelity_weight == 0:
        return build_module, criterion

    def build():
        model = build_module()  # built first: the network's initialisation is unchanged
        return SurrogateHead(model, int(sum(widths)), n_features, n_basis, residual)

    return build, FidelityCriterion(criterion, fidelity_weight, links, multi_head=multi_head,
                                    validate_fidelity=validate_fidelity)


def centre_softmax_heads(coef, intercept, links, widths):
    """Centre the logits of softmax heads over their classes.

    Softmax probabilities do not change when the same linear function is
    added to every class's logit, so a surrogate trained on probabilities
    only determines its logits up to it; centring makes the logits (and
    their attributions) identifiable.
    """
    coef, intercept = coef.copy(), intercept.copy()
    start = 0
    for link, width in zip(links, widths):
        block = slice(start, start + width)
        if link == "softmax":
            coef[block] -= coef[block].mean(axis=0)
            intercept[block] -= intercept[block].mean()
        start += width
    return coef, intercept


class SurrogateMixin:
    """``explain`` and the surrogate's raw outputs for estimators holding ``surrogate_``.

    The estimator sets ``surrogate_`` (a :class:`FittedSurrogate` whose
    outputs are in the explained units) and defines ``_validate_surrogate_X``
    and ``_surrogate_names`` (output names and the task of every output, or
    None).
    """

    def _surrogate_outputs(self, X):
        return self.surrogate_.predict(X)

    def explain(self, X):
        """Attribute the surrogate's outputs on each row of ``X`` to the features.

        The attributions are exact Shapley values of the additive surrogate
        ``g`` (``coef * (x - training mean)`` for the linear one) against the
        training mean, so ``base_values`` plus a row's attributions is ``g(x)``
        (the logits for classification outputs).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        explanation : Explanation
            Values of shape (n_samples, n_features, n_outputs), base values,
            data, feature, output and task names.
        """
        from ._explanation import Explanation

        row_labels = getattr(X, "index", None)
        X = self._validate_surrogate_X(X)
        values, base_values = self.surrogate_.attributions(X)
        feature_names = _check_feature_names_in(self)
        output_names, task_names = self._surrogate_names()
        return Explanation(values, base_values, X, feature_names, output_names,
                           task_names=task_names, row_labels=row_labels)
