"""Machinery shared by the fidelity MTL regressor and classifier."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
import torch
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from .._additive import LinearBasis, make_basis
from .._persistence import PersistenceMixin
from .._surrogate import PredictionLoss, SurrogateMixin, with_surrogate
from .._torch import (
    NEURAL_NET_PARAMETER_CONSTRAINTS,
    InputStandardization,
    NeuralNetMixin,
    make_mlp,
)
from .._torch._embeddings import NUMERICAL_EMBEDDINGS, make_numerical_embedding
from ..utils._validation import check_hidden_layer_sizes, validate_features

FLOAT_DTYPES = (np.float64, np.float32)


class BaseFidelityMTL(PersistenceMixin, SurrogateMixin, NeuralNetMixin, BaseEstimator):
    """Black box ``f`` and surrogate ``g`` trained on one objective.

    Subclasses encode the targets and choose the prediction loss and the
    space where fidelity is measured; this class builds the surrogate's basis
    (:mod:`skmtlx._additive`) and trains the black box with the library's
    surrogate head (:class:`skmtlx._surrogate.SurrogateHead`); ``explain``
    comes from :class:`skmtlx._surrogate.SurrogateMixin`.
    """

    _parameter_constraints = {
        **NEURAL_NET_PARAMETER_CONSTRAINTS,
        "fidelity_weight": [Interval(Real, 0, 1, closed="neither")],
        "surrogate": [StrOptions({"linear", "additive"})],
        "n_knots": [Interval(Integral, 2, None, closed="left"), StrOptions({"auto"})],
        "interactions": [Interval(Integral, 0, None, closed="left")],
        "numerical_embedding": [StrOptions(set(NUMERICAL_EMBEDDINGS)), None],
        "surrogate_fit": [StrOptions({"joint", "post_hoc"})],
        "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True  # densified once by validate_features
        return tags

    def _fit_network(self, X, targets, *, n_outputs, prediction_loss, link, stratify=None,
                     linear_start=None, additive_start=None, screening_targets=None):
        """Train ``f`` (and ``g`` when joint) and return the fitted inputs map.

        The additive basis chooses its interaction pairs on
        ``screening_targets`` (float, one column per output; default
        ``targets``).

        A joint ``g`` starts from ``linear_start(X, targets)`` or
        ``additive_start(Z, targets, shape_columns)`` (each returns
        ``(coef, intercept)`` on the features / on the basis ``Z``, whose
        ``shape_columns`` are not interaction pairs) when the estimator gives
        one for its family, else at random; each interaction keeps the
        start's shape and scale (:meth:`SurrogateInputs.fix_interactions`,
        :class:`FixedColumnsLinear`): only the shape functions train. The additive
        ``g`` started so also enters ``f`` as ``f = g + MLP``
        (:class:`~skmtlx._surrogate.SurrogateHead`'s ``residual``), so that
        training starts from that fit instead of dragging it toward an
        untrained ``f``.
        """
        hidden_layer_sizes = check_hidden_layer_sizes(self.hidden_layer_sizes)
        if self.interactions and self.surrogate != "additive":
            raise ValueError(
                f"interactions={self.interactions} needs surrogate='additive'; the "
                f"{self.surrogate!r} surrogate has no interaction terms."
            )
        joint = self.surrogate_fit == "joint"
        basis = make_basis(self.surrogate, self.n_knots, self.interactions)
        inputs = SurrogateInputs(basis, head_reads_basis=joint).fit(
            X, targets if screening_targets is None else screening_targets)
        n_features = X.shape[1]
        start_fit = linear_start if self.surrogate == "linear" else additive_start
        residual = joint and additive_start is not None and self.surrogate == "additive"
        features = inputs.features_.transform(X)  # what the network reads

        start = None
        if joint and start_fit is not None:
            if residual:  # the additive head reads the whitened basis and the pairs' starts
                Z = basis.transform(X)
                coef, intercept = start_fit(Z, targets, basis.term_index_ < n_features)
                inputs.fix_interactions(coef, Z)
                start = inputs.head_weights(coef, intercept)
            else:  # the linear head reads the standardised features: a start in its units
                start = start_fit(features.astype(np.float64), targets)

        def build_black_box():
            # an embedding in front: the surrogate head keeps a layer of its own on the inputs
            embedding = make_numerical_embedding(self.numerical_embedding, features)
            if embedding is None:
                return make_mlp(n_features, hidden_layer_sizes, n_outputs, self.activation)
            return torch.nn.Sequential(embedding, *make_mlp(
                embedding.n_outputs, hidden_layer_sizes, n_outputs, self.activation))

        build_module, criterion = with_surrogate(
            build_black_box, PredictionLoss(prediction_loss),
            self.fidelity_weight if joint else 0.0, [link], [n_outputs], n_features,
            multi_head=False, n_basis=inputs.n_basis_, residual=residual,
        )
        network_inputs = inputs.transform(X)
        if start is not None:
            build_head = build_module

            def build_module():
                module = build_head()
                if residual:  # g's own layer, its pairs' columns kept at the start
                    module.linear = FixedColumnsLinear(*start, n_trained=inputs.n_shape_columns_)
                    return module
                with torch.no_grad():
                    module.surrogate.weight.copy_(torch.as_tensor(start[0]))
                    module.surrogate.bias.copy_(torch.as_tensor(start[1]))
                return module

        self._train_module(
            build_module, criterion, network_inputs, targets, stratify=stratify,
            loss_terms=("prediction_loss", "fidelity") if joint else ("prediction_loss",),
        )
        return inputs

    def _trained_head(self, inputs):
        """``(coef, intercept)`` of the jointly trained head on ``z(x)``, network units."""
        layer = self.net_.module_.surrogate
        return inputs.basis_weights(layer.weight.detach().cpu().double().numpy(),
                                    layer.bias.detach().cpu().double().numpy())

    def _raw_outputs(self, inputs, X):
        """Raw outputs of the black box ``f`` on validated features."""
        outputs = super()._forward(inputs.transform(X))
        return outputs[0] if isinstance(outputs, tuple) else outputs

    def _forward(self, X):
        return self._raw_outputs(self._surrogate_inputs, X)

    def _set_surrogate(self, X, inputs, surrogate, *, single_output=False):
        """Assign the fitted surrogate's attributes, in one block (``net_`` is already set).

        ``single_output`` gives ``coef_`` and ``intercept_`` the shapes of a 1-D ``y``.
        """
        self._surrogate_inputs = inputs
        self.surrogate_basis_ = inputs.basis
        self.surrogate_ = surrogate
        self.training_mean_ = X.mean(axis=0)
        self.coef_, self.intercept_ = surrogate.coef_, surrogate.intercept_
        if single_output:
            self.coef_, self.intercept_ = self.coef_[0], self.intercept_[0]

    def _validate_surrogate_X(self, X):
        return self._validate_X(X)

    def _surrogate_names(self):
        return self._output_names(), None

    def _validate_X(self, X):
        check_is_fitted(self)
        return validate_features(self, X, reset=False, dtype=FLOAT_DTYPES)

    def _output_names(self):
        raise NotImplementedError

    def shape_functions(self, X, *, grid_resolution=50):
        """The surrogate's shape function of every feature, as data.

        ``g`` (for classifiers: its logits) is ``base + sum_j s_j(x_j)``, plus
        the interaction terms ``s_jk(x_j, x_k)`` when there are any (they are
        not shape functions: see :meth:`explain`); the shape of feature ``j``
        is ``s_j`` centred on the training rows, the same quantity as
        :meth:`explain`'s attributions of a model without interactions. For
        the linear surrogate it is the line ``coef_j * (x_j - training_mean_j)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
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
        outputs = self._output_names()
        frames = []
        for j, name in enumerate(self._feature_names()):
            grid = _feature_grid(X[:, j], grid_resolution)
            contribution = self._term_contribution(j, [j], grid[:, None])
            frames.append(pd.DataFrame({
                "feature": name,
                "value": np.repeat(grid, len(outputs)),
                "output": np.tile(outputs, len(grid)),
                "contribution": contribution.ravel(),
            }))
        return pd.concat(frames, ignore_index=True)

    def _feature_names(self):
        """``feature_names_in_``, or ``x0``, ``x1``, ... when ``X`` had no column names."""
        return _check_feature_names_in(self)

    def _term_contribution(self, term, features, values):
        """Centred contribution of a surrogate term, shape (n_rows, n_outputs).

        Evaluated on rows that hold ``values`` (n_rows, len(features)) in
        ``features`` and the training mean elsewhere (the term reads its own
        features only).
        """
        rows = np.tile(self.training_mean_, (len(values), 1))
        rows[:, features] = values
        own = self.surrogate_basis_.term_index_ == term
        centred = self.surrogate_basis_.transform(rows)[:, own] - self.surrogate_.basis_mean_[own]
        return centred @ self.surrogate_.coef_[:, own].T

    def interaction_functions(self, X, *, grid_resolution=20):
        """The surrogate's pairwise interaction terms on a grid, as data.

        Each term ``s_jk(x_j, x_k)`` of an additive surrogate with
        ``interactions > 0`` is evaluated on the grid of its two features
        (the other features do not enter it), centred on the training rows
        like :meth:`explain`'s attributions, which give half of it to each
        feature. It averages to zero over either feature's training values,
        so it holds what ``x_j`` and ``x_k`` do together beyond their shape
        functions.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows whose range sets each feature's grid.
        grid_resolution : int, default=20
            Grid points per feature; a feature with fewer distinct values in
            ``X`` is evaluated at those values.

        Returns
        -------
        interactions : pandas.DataFrame
            One row per term, pair of grid values and output, with columns
            ``feature_a``, ``feature_b``, ``value_a``, ``value_b``,
            ``output`` and ``contribution``; empty without interaction
            terms.

        Examples
        --------
        >>> import numpy as np
        >>> from skmtlx import FidelityMTLRegressor
        >>> X = np.random.RandomState(0).uniform(-1, 1, (400, 3))
        >>> y = X[:, 0] + X[:, 1] * X[:, 2]
        >>> reg = FidelityMTLRegressor(surrogate="additive", interactions=1, max_epochs=5,
        ...                            random_state=0).fit(X, y)
        >>> grid = reg.interaction_functions(X, grid_resolution=10)
        >>> grid[["feature_a", "feature_b"]].drop_duplicates().values.tolist()
        [['x1', 'x2']]
        """
        X = self._validate_X(X)
        feature_names = self._feature_names()
        outputs = self._output_names()
        columns = ["feature_a", "feature_b", "value_a", "value_b", "output", "contribution"]
        frames = []
        terms = self.surrogate_basis_.terms_
        for term, (j, k) in enumerate(terms[self.n_features_in_:], self.n_features_in_):
            grid_j, grid_k = (_feature_grid(X[:, c], grid_resolution) for c in (j, k))
            values_j, values_k = np.repeat(grid_j, len(grid_k)), np.tile(grid_k, len(grid_j))
            contribution = self._term_contribution(term, [j, k],
                                                   np.column_stack([values_j, values_k]))
            frames.append(pd.DataFrame({
                "feature_a": str(feature_names[j]),
                "feature_b": str(feature_names[k]),
                "value_a": np.repeat(values_j, len(outputs)),
                "value_b": np.repeat(values_k, len(outputs)),
                "output": np.tile(outputs, len(values_j)),
                "contribution": contribution.ravel(),
            }))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _feature_grid(column, grid_resolution):
    """Distinct values of ``column`` if few, else an even grid over its range."""
    values = np.unique(column)
    if len(values) <= grid_resolution:
        return values
    return np.linspace(values[0], values[-1], grid_resolution)


def _least_squares(X, Y):
    """Least-squares weights ``(W, b)`` of ``Y`` on ``X``, with a tiny ridge (``1e-6 * n``)."""
    X_mean, Y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc = X - X_mean
    gram = Xc.T @ Xc + 1e-6 * len(X) * np.eye(X.shape[1])
    weights = np.linalg.solve(gram, Xc.T @ (Y - Y_mean)).T
    bias = Y_mean - weights @ X_mean
    return weights.astype(np.float32), bias.astype(np.float32)


class SurrogateInputs:
    """The module's input matrix: the standardised features, then the surrogate's whitened basis.

    The network reads the features standardised on the training rows
    (:class:`~skmtlx._torch.InputStandardization`); so does the linear
    surrogate's head, whose weights :meth:`basis_weights` maps back to the
    features' units.

    The additive surrogate's head reads its basis values whitened feature by
    feature (centred, decorrelated within each feature's block on the
    training rows): spline columns are small and strongly correlated, and
    whitening lets Adam move ``g`` as fast as ``f``. Terms are not
    decorrelated from each other, so that collinear features do not get large
    cancelling shape functions.

    An interaction term enters the head once :meth:`fix_interactions` has
    given it a shape (the start's): one column per output, its values under
    that shape scaled to unit variance. The head keeps those columns'
    weights at the start (:class:`FixedColumnsLinear`): trained cell by cell,
    Adam's steps of equal size in every direction drive a pair's hundreds of
    cells into the noise (on wine, 10 pairs: test MSE 0.49 at the start,
    0.63-0.69 after), and even its scale alone grows (4.4 times on
    diabetes), undoing the ridge shrinkage of the start (doc/fidelity.rst,
    interactions).

    Parameters
    ----------
    basis : basis object
        The unfitted basis ``z(x)`` of the surrogate (:mod:`skmtlx._additive`).
    head_reads_basis : bool, default=True
        Whether the module carries a surrogate head; without one (the
        post-hoc surrogate) the module reads the features alone.

    Attributes
    ----------
    n_basis_ : int or None
        Columns the surrogate head reads after the features; None when it
        reads the features themselves (the linear surrogate).
    n_shape_columns_ : int
        The first ``n_shape_columns_`` of those columns are the shape
        functions'; the interaction terms' follow (additive surrogate).

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._additive import make_basis
    >>> from skmtlx.fidelity._base import SurrogateInputs
    >>> X = np.random.RandomState(0).randn(50, 2)
    >>> inputs = SurrogateInputs(make_basis("additive", 4)).fit(X)
    >>> inputs.transform(X).shape[1] == 2 + inputs.n_basis_
    True
    """

    def __init__(self, basis, head_reads_basis=True):
        self.basis = basis
        self.head_reads_basis = head_reads_basis

    def fit(self, X, y=None):
        self.features_ = InputStandardization(X)
        Z = self.basis.fit(X, y).transform(X)
        self.identity_ = isinstance(self.basis, LinearBasis) or not self.head_reads_basis
        if self.identity_:
            self.n_basis_ = None
            return self
        self.mean_ = Z.mean(axis=0)
        shapes = self.basis.term_index_ < X.shape[1]  # the interactions wait for their shape
        whitening = _blockwise_whitening((Z - self.mean_)[:, shapes],
                                         self.basis.term_index_[shapes])
        self.whitening_ = np.zeros((Z.shape[1], whitening.shape[1]))
        self.whitening_[shapes] = whitening
        self.n_basis_ = self.n_shape_columns_ = self.whitening_.shape[1]
        return self

    def fix_interactions(self, coef, Z):
        """Give each interaction term the shape of ``coef``: one head column per output.

        Parameters
        ----------
        coef : ndarray of shape (n_outputs, n_basis)
            Weights on ``z(x)`` (e.g. the start of ``g``).
        Z : ndarray of shape (n_samples, n_basis)
            The training rows' basis, to scale each column to unit variance.
        """
        n_features = sum(len(term) == 1 for term in self.basis.terms_)
        columns = [self.whitening_]
        for term in range(n_features, len(self.basis.terms_)):
            own = self.basis.term_index_ == term
            for weights in np.atleast_2d(coef):
                direction = np.where(own, weights, 0.0)
                scale = np.std((Z - self.mean_) @ direction)
                if scale > 1e-12:  # a pair the start left out stays out
                    columns.append((direction / scale)[:, None])
        self.whitening_ = np.hstack(columns)
        self.n_basis_ = self.whitening_.shape[1]
        return self

    def transform(self, X):
        features = self.features_.transform(X)
        if self.identity_:
            return features
        whitened = (self.basis.transform(X) - self.mean_) @ self.whitening_
        return np.hstack([features, whitened.astype(np.float32)])

    def basis_weights(self, coef, intercept):
        """Map head weights on the module's columns to ``(coef, intercept)`` on ``z(x)``."""
        if self.identity_:
            return self.features_.to_input_units(coef, intercept)
        coef = coef @ self.whitening_.T
        return coef, intercept - coef @ self.mean_

    def head_weights(self, coef, intercept):
        """Map ``(coef, intercept)`` on ``z(x)`` to float32 head weights on the whitened columns.

        The inverse of :meth:`basis_weights` on the training rows (basis
        directions they do not span are constant there).
        """
        weights = np.linalg.lstsq(self.whitening_, coef.T, rcond=None)[0].T
        bias = intercept + coef @ self.mean_
        return weights.astype(np.float32), bias.astype(np.float32)


class FixedColumnsLinear(torch.nn.Module):
    """A linear layer whose last columns keep their initial weights.

    ``weight = [trained, fixed]``: the first ``n_trained`` input columns'
    weights are a parameter, the others a buffer that neither the gradient
    nor the optimiser's weight decay moves. The additive surrogate's head
    keeps so its interaction terms at the start's fit.

    Parameters
    ----------
    weight : array-like of shape (n_outputs, n_inputs)
        Initial weights.
    bias : array-like of shape (n_outputs,)
        Initial bias (trained).
    n_trained : int
        Number of leading input columns whose weights train.

    Examples
    --------
    >>> import torch
    >>> from skmtlx.fidelity._base import FixedColumnsLinear
    >>> layer = FixedColumnsLinear(torch.ones(1, 3), torch.zeros(1), n_trained=2)
    >>> [name for name, _ in layer.named_parameters()], tuple(layer.weight.shape)
    (['trained', 'bias'], (1, 3))
    """

    def __init__(self, weight, bias, n_trained):
        super().__init__()
        weight = torch.as_tensor(weight, dtype=torch.float32)
        self.out_features, self.in_features = weight.shape  # as torch.nn.Linear's
        self.trained = torch.nn.Parameter(weight[:, :n_trained].clone())
        self.register_buffer("fixed", weight[:, n_trained:].clone())
        self.bias = torch.nn.Parameter(torch.as_tensor(bias, dtype=torch.float32).clone())

    @property
    def weight(self):
        return torch.cat([self.trained, self.fixed], dim=1)

    def forward(self, X):
        return torch.nn.functional.linear(X, self.weight, self.bias)


def _blockwise_whitening(centred, term_index, floor=1e-2):
    """``M`` (n_basis, n_whitened) whitening each term's block of ``centred``.

    Per term, the principal directions of its basis columns are scaled to
    unit variance; directions the training rows do not span (each feature's
    functions sum to one) are dropped, and those with less than ``floor``
    times the block's largest variance are amplified no more than that.
    """
    blocks = []
    for j in np.unique(term_index):
        columns = np.flatnonzero(term_index == j)
        block = centred[:, columns]
        variances, vectors = np.linalg.eigh(block.T @ block / len(block))
        largest = max(variances[-1], 1e-12)
        keep = variances > 1e-9 * largest
        scaled = vectors[:, keep] / np.sqrt(np.maximum(variances[keep], floor * largest))
        mapping = np.zeros((centred.shape[1], keep.sum()))
        mapping[columns] = scaled
        blocks.append(mapping)
    return np.hstack(blocks)
