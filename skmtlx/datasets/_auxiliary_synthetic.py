"""Synthetic data where a known auxiliary factor drives the main-task error."""

from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, validate_params

__all__ = ["make_auxiliary_regression", "make_auxiliary_classification"]


def _latent(
    n_samples, n_features, recoverable, factor_strength, noise, control_noise, random_state
):
    rng = check_random_state(random_state)
    factor = rng.standard_normal(n_samples)
    X = rng.standard_normal((n_samples, n_features))
    # X[:, 0] is a noisy view of the factor: its R^2 for the factor is `recoverable`
    X[:, 0] = np.sqrt(recoverable) * factor + np.sqrt(1.0 - recoverable) * X[:, 0]
    coef = rng.uniform(0.5, 1.0, n_features) * rng.choice([-1.0, 1.0], n_features)
    signal = X @ coef / np.sqrt(n_features) + 0.5 * np.sin(2.0 * X[:, -1])
    latent = signal + factor_strength * factor + noise * rng.standard_normal(n_samples)
    # negative control: learnable from X, its residual is independent of the main error
    control = np.tanh(X[:, -1]) + control_noise * rng.standard_normal(n_samples)
    aux = pd.DataFrame({"factor": factor, "control": control})
    return X, latent, aux


_PARAMS = {
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_features": [Interval(Integral, 1, None, closed="left")],
    "recoverable": [Interval(Real, 0, 1, closed="both")],
    "factor_strength": [Interval(Real, 0, None, closed="left")],
    "noise": [Interval(Real, 0, None, closed="left")],
    "control_noise": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
}


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def make_auxiliary_regression(
    n_samples=1000,
    n_features=5,
    *,
    recoverable=0.0,
    factor_strength=1.0,
    noise=0.1,
    control_noise=0.5,
    random_state=None,
):
    """Regression data whose main error is driven by a known auxiliary factor.

    A latent factor ``z ~ N(0, 1)`` (the "modality") enters the main target
    ``y = f(X) + factor_strength * z + noise * e``. The inputs see ``z`` only
    through ``X[:, 0] = sqrt(recoverable) * z + sqrt(1 - recoverable) * u``,
    so ``recoverable`` is the fraction of the factor's variance the inputs can
    recover. A model of ``y`` from ``X`` errs by about
    ``factor_strength * (z - E[z | X])``, which is exactly the error of a
    model of ``z`` from ``X``: the auxiliary target ``factor`` explains the
    main error, the more so the lower ``recoverable``. The second auxiliary
    target ``control = tanh(X[:, -1]) + control_noise * e'`` is a negative
    control: learnable, but its error is independent of the main error.

    At ``recoverable=0`` a multimodal model (``X`` plus ``z`` as inputs) is
    far more accurate than any model of ``X`` alone, while the error
    explanation is strongest; at ``recoverable=1`` the three models agree and
    the factor no longer explains the main error.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=5
        Number of inputs.
    recoverable : float in [0, 1], default=0.0
        Fraction of the factor's variance recoverable from ``X``.
    factor_strength : float, default=1.0
        Coefficient of the factor in the main target.
    noise : float, default=0.1
        Standard deviation of the main target's own noise.
    control_noise : float, default=0.5
        Standard deviation of the negative control's noise.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Main inputs.
    y : ndarray of shape (n_samples,)
        Main target.
    aux : pandas.DataFrame of shape (n_samples, 2)
        Auxiliary targets: ``factor`` (drives the main error) and ``control``
        (negative control).

    Examples
    --------
    >>> from skmtlx.datasets import make_auxiliary_regression
    >>> X, y, aux = make_auxiliary_regression(n_samples=50, random_state=0)
    >>> X.shape, y.shape, list(aux.columns)
    ((50, 5), (50,), ['factor', 'control'])
    """
    X, latent, aux = _latent(
        n_samples, n_features, recoverable, factor_strength, noise, control_noise, random_state
    )
    return X, latent, aux


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def make_auxiliary_classification(
    n_samples=1000,
    n_features=5,
    *,
    recoverable=0.0,
    factor_strength=1.0,
    noise=0.1,
    control_noise=0.5,
    random_state=None,
):
    """Binary classification data whose errors are driven by a known auxiliary factor.

    The same construction as :func:`make_auxiliary_regression`, with the
    label ``y = 1[f(X) + factor_strength * z + noise * e > median]``: samples
    whose factor ``z`` is far from what ``X`` suggests are the ones pushed
    across the decision boundary, hence misclassified by a model of ``X``.

    Parameters
    ----------
    n_samples : int, default=1000
        Number of samples.
    n_features : int, default=5
        Number of inputs.
    recoverable : float in [0, 1], default=0.0
        Fraction of the factor's variance recoverable from ``X``.
    factor_strength : float, default=1.0
        Coefficient of the factor in the latent score.
    noise : float, default=0.1
        Standard deviation of the latent score's own noise.
    control_noise : float, default=0.5
        Standard deviation of the negative control's noise.
    random_state : int, RandomState instance or None, default=None
        Seed.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Main inputs.
    y : ndarray of shape (n_samples,)
        Main labels in {0, 1}.
    aux : pandas.DataFrame of shape (n_samples, 2)
        Auxiliary targets ``factor`` and ``control`` (negative control).

    Examples
    --------
    >>> from skmtlx.datasets import make_auxiliary_classification
    >>> X, y, aux = make_auxiliary_classification(n_samples=50, random_state=0)
    >>> sorted(set(y.tolist())), list(aux.columns)
    ([0, 1], ['factor', 'control'])
    """
    X, latent, aux = _latent(
        n_samples, n_features, recoverable, factor_strength, noise, control_noise, random_state
    )
    y = (latent > np.median(latent)).astype(np.int64)
    return X, y, aux
