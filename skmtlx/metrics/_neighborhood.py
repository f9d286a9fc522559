"""Neighbourhood fidelity with LIME, a batched LIME-equivalent, or the global surrogate."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..utils._progress import progress
from ..utils._validation import check_features
from ._fidelity import fidelity_functions

__all__ = ["neighborhood_fidelity", "local_linear_fits"]

EXPLAINERS = ("lime_batched", "lime", "surrogate")


def local_linear_fits(predict, instances, noise, scale, *, kernel_width, alpha=1.0,
                      batch_size=32, verbose=0):
    """LIME's local linear models for many instances from one perturbation draw.

    lime (``discretize_continuous=False``, ``feature_selection='none'``,
    sampling around the instance) explains ``x`` with the samples
    ``x + scale * z``: in its standardized space each sits at ``z`` from the
    instance, weighted by the kernel ``sqrt(exp(-|z|^2 / w^2))``, and a ridge
    regression (``alpha``, intercept unpenalized) is fitted to
    ``predict(samples)``. Weights and ridge solve depend on ``z`` only, so with
    one draw ``noise`` shared by all instances (common random numbers) the
    local fits become a single (n_features, n_samples) projection applied to
    each instance's outputs; what remains per instance is its forward pass.
    Coefficients are mapped back to the original feature space.

    Parameters
    ----------
    predict : callable
        Maps an (m, n_features) array to (m, n_outputs) outputs.
    instances : ndarray of shape (n, n_features)
        Points being explained.
    noise : ndarray of shape (n_samples, n_features)
        Standardized perturbations ``z`` (lime draws ``N(0, I)`` and sets the
        first to zero: the instance itself).
    scale : ndarray of shape (n_features,)
        Training standard deviations used by lime's scaler.
    kernel_width : float
        Kernel width ``w``.
    alpha : float, default=1.0
        Ridge penalty.
    batch_size : int, default=32
        Instances per call of ``predict`` (bounds memory).
    verbose : int, default=0
        A progress bar over the instances when positive.

    Returns
    -------
    coef : ndarray of shape (n, n_features, n_outputs)
    intercept : ndarray of shape (n, n_outputs)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx.metrics import local_linear_fits
    >>> rng = np.random.RandomState(0)
    >>> coef, b = local_linear_fits(lambda Z: Z @ np.ones((3, 1)), rng.randn(2, 3),
    ...                             rng.randn(500, 3), np.ones(3), kernel_width=1.3,
    ...                             alpha=1e-9)
    >>> np.allclose(coef[..., 0], 1.0) and np.allclose(b, 0.0)
    True
    """
    n_features = instances.shape[1]
    weights = np.sqrt(np.exp(-np.sum(noise**2, axis=1) / kernel_width**2))
    noise_mean = weights @ noise / weights.sum()
    weighted = (noise - noise_mean) * weights[:, None]
    gram = weighted.T @ (noise - noise_mean) + alpha * np.eye(n_features)
    # Rows of the projection sum to zero, so the outputs need no centring.
    projection = np.linalg.solve(gram, weighted.T) / scale[:, None]
    weights /= weights.sum()
    coefs, local_means = [], []
    bar = progress(total=len(instances), verbose=verbose, desc="local linear fits")
    for start in range(0, len(instances), batch_size):
        chunk = instances[start:start + batch_size]
        samples = (chunk[:, None, :] + scale * noise).reshape(-1, n_features)
        outputs = predict(samples).reshape(len(chunk), len(noise), -1)
        coefs.append(np.einsum("dm,nmk->ndk", projection, outputs))
        local_means.append(np.einsum("m,nmk->nk", weights, outputs))
        bar.update(len(chunk))
    bar.close()
    coef, local_mean = np.concatenate(coefs), np.concatenate(local_means)
    # g_x(x') = weighted mean output + coef . (x' - weighted mean sample)
    centre = instances + scale * noise_mean
    return coef, local_mean - np.einsum("nd,ndk->nk", centre, coef)


def _lime_fits(predict, instances, training_data, *, n_samples, kernel_width, seed, verbose=0):
    """One ``LimeTabularExplainer.explain_instance`` per instance and output."""
    from lime.lime_tabular import LimeTabularExplainer

    explainer = LimeTabularExplainer(
        training_data,
        mode="regression",
        discretize_continuous=False,
        feature_selection="none",
        sample_around_instance=True,
        kernel_width=kernel_width,
        random_state=seed,
    )
    mean, scale = explainer.scaler.mean_, explainer.scaler.scale_
    n_outputs = predict(instances[:1]).shape[1]
    coef = np.zeros((len(instances), instances.shape[1], n_outputs))
    intercept = np.zeros((len(instances), n_outputs))
    for i, x in enumerate(progress(instances, verbose=verbose, desc="lime explanations")):
        for k in range(n_outputs):
            exp = explainer.explain_instance(
                x, lambda Z, k=k: predict(Z)[:, k], num_features=len(x), num_samples=n_samples
            )
            coef_std = np.zeros(len(x))
            for feature, value in exp.local_exp[1]:  # regression mode: label 1 is the fit
                coef_std[feature] = value
            coef[i, :, k] = coef_std / scale
            intercept[i, k] = exp.intercept[1] - np.sum(coef_std * mean / scale)
    return coef, intercept


@validate_params(
    {
        "explainer": [StrOptions(set(EXPLAINERS))],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="left")],
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "kernel_width": [Interval(Real, 0, None, closed="neither"), None],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "return_pointwise": ["boolean"],
        "predict_params": [dict, None],
    },
    prefer_skip_nested_validation=True,
)
def neighborhood_fidelity(
    estimator,
    X,
    *,
    explainer="lime_batched",
    n_neighbors=10,
    sigma=0.1,
    n_samples=5000,
    training_data=None,
    kernel_width=None,
    batch_size=32,
    random_state=None,
    return_pointwise=False,
    verbose=0,
    predict_params=None,
):
    """Global neighbourhood fidelity (GNF) of local explanations of a black box.

    For each point ``x``, a local linear explainer ``g_x`` is fitted around
    ``x`` and compared with the black box ``f`` on ``n_neighbors`` neighbours
    ``x' = x + N(0, sigma^2 I)``: ``NF(x) = mean (g_x(x') - f(x'))^2`` (paper
    eqs. 5-6); GNF is the mean of ``NF`` over ``X``. Outputs are in the
    fidelity space of :func:`black_box_and_surrogate`.

    Parameters
    ----------
    estimator : fitted estimator
        A skmtlx fidelity estimator, or any fitted regressor or classifier
        with ``predict_proba``. For a :class:`~sklearn.pipeline.Pipeline`,
        ``X`` and ``training_data`` are first transformed by its earlier steps
        and the neighbourhoods are drawn in the input space of its last step
        (where the surrogate lives), so raw categorical columns are fine.
    X : {array-like, sparse matrix} of shape (n, n_features)
        Points to explain.
    explainer : {"lime_batched", "lime", "surrogate"}, default="lime_batched"
        ``"lime"``: the lime package, one ``explain_instance`` per point and
        output (no discretization, no feature selection, sampling around the
        instance; coefficients mapped back from lime's standardized space).
        ``"lime_batched"``: the same sampling distribution, kernel and ridge
        fits, computed for all points at once from one perturbation draw
        shared by all points (:func:`local_linear_fits`); seeded and faster.
        ``"surrogate"``: the global linear surrogate ``g`` for every point.
    n_neighbors : int, default=10
        Neighbours per point.
    sigma : float, default=0.1
        Standard deviation of the Gaussian neighbourhood (the authors' code
        uses a standard deviation of 0.1; the paper writes variance 0.1).
    n_samples : int, default=5000
        Perturbation samples per local fit (lime's ``num_samples``).
    training_data : {array-like, sparse matrix}, default=None
        Data giving lime's feature means and scales; defaults to ``X``. Also
        the data on which a post-hoc surrogate is fitted.
    kernel_width : float, default=None
        Kernel width; ``0.75 * sqrt(n_features)`` as in lime when None.
    batch_size : int, default=32
        Points per batched local fit (bounds memory).
    random_state : int, RandomState instance or None, default=None
        Seeds the neighbours and the perturbation samples.
    return_pointwise : bool, default=False
        Also return ``NF(x)`` for every point.
    verbose : int, default=0
        A progress bar (with an ETA) over the local fits when positive.
    predict_params : dict, default=None
        Extra arguments of the prediction methods. A value with one entry per
        row of ``X`` (e.g. ``{"tasks": tasks}`` for the stacked layout of the
        task-graph estimators) is given to every row drawn around that row:
        its neighbours and its perturbation samples.

    Returns
    -------
    gnf : float
    nf : ndarray of shape (n,)
        Only when ``return_pointwise=True``.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.linear_model import Ridge
    >>> from skmtlx.metrics import neighborhood_fidelity
    >>> X, y = load_diabetes(return_X_y=True)
    >>> ridge = Ridge().fit(X, y)
    >>> neighborhood_fidelity(ridge, X[:20], explainer="surrogate", random_state=0) < 1e-12
    True
    >>> gnf = neighborhood_fidelity(ridge, X[:20], n_samples=200, random_state=0)
    """
    if isinstance(estimator, Pipeline):
        head, estimator = estimator[:-1], estimator[-1]
        X = head.transform(X)
        training_data = None if training_data is None else head.transform(training_data)
    X = check_features(X, dtype=np.float64)
    training_data = (X if training_data is None
                     else check_features(training_data, dtype=np.float64))
    if training_data.shape[1] != X.shape[1]:
        raise ValueError(
            f"training_data has {training_data.shape[1]} features but X has {X.shape[1]}."
        )
    rng = check_random_state(random_state)
    params = {} if predict_params is None else dict(predict_params)
    per_row = {name: np.asarray(value) for name, value in params.items()
               if not isinstance(value, str) and np.ndim(value) == 1 and len(value) == len(X)}
    static = {name: value for name, value in params.items() if name not in per_row}
    # the points sharing their per-row values are explained together
    groups = {}
    for i, values in enumerate(zip(*per_row.values()) if per_row else [()] * len(X)):
        groups.setdefault(values, []).append(i)
    pointwise = np.empty(len(X))
    with warnings.catch_warnings():
        # the perturbed rows are arrays, whatever the estimator was fitted on
        warnings.filterwarnings("ignore", message="X does not have valid feature names")
        for values, rows in groups.items():
            f_fn, g_fn = fidelity_functions(estimator, X_train=training_data,
                                            predict_params=static,
                                            row_params=dict(zip(per_row, values)))
            pointwise[rows] = _pointwise_fidelity(
                f_fn, g_fn, X[rows], training_data, explainer=explainer,
                n_neighbors=n_neighbors, sigma=sigma, n_samples=n_samples,
                kernel_width=kernel_width, batch_size=batch_size, rng=rng, verbose=verbose)
    gnf = float(pointwise.mean())
    return (gnf, pointwise) if return_pointwise else gnf


def _pointwise_fidelity(f_fn, g_fn, X, training_data, *, explainer, n_neighbors, sigma,
                        n_samples, kernel_width, batch_size, rng, verbose):
    """``NF(x)`` for every row of ``X``, given the black box's and surrogate's callables."""
    n, d = X.shape
    neighbours = X[:, None, :] + sigma * rng.standard_normal((n, n_neighbors, d))
    f_neigh = f_fn(neighbours.reshape(-1, d)).reshape(n, n_neighbors, -1)
    if explainer == "surrogate":
        g_neigh = g_fn(neighbours.reshape(-1, d)).reshape(n, n_neighbors, -1)
    else:
        kernel_width = 0.75 * np.sqrt(d) if kernel_width is None else float(kernel_width)
        if explainer == "lime":
            coef, intercept = _lime_fits(
                f_fn, X, training_data, n_samples=n_samples, kernel_width=kernel_width,
                seed=rng.randint(np.iinfo(np.int32).max), verbose=verbose,
            )
        else:
            # numpy's Generator draws normals several times faster than RandomState.
            generator = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
            coef, intercept = _batched_lime_fits(
                f_fn, X, training_data, n_samples=n_samples, kernel_width=kernel_width,
                batch_size=batch_size, rng=generator, verbose=verbose,
            )
        g_neigh = np.einsum("nmd,ndk->nmk", neighbours, coef) + intercept[:, None, :]
    return ((g_neigh - f_neigh) ** 2).mean(axis=(1, 2))


def lime_scaler_stats(training_data):
    """Feature means and scales as lime's ``StandardScaler(with_mean=False)`` computes them."""
    mean = training_data.mean(axis=0)
    scale = training_data.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


def _batched_lime_fits(predict, X, training_data, *, n_samples, kernel_width, batch_size, rng,
                       verbose=0):
    _, scale = lime_scaler_stats(training_data)
    noise = rng.standard_normal((n_samples, X.shape[1]))
    noise[0] = 0.0
    return local_linear_fits(predict, X, noise, scale, kernel_width=kernel_width,
                             batch_size=batch_size, verbose=verbose)
