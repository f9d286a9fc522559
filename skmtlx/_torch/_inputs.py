"""The standardisation of the features a network reads."""

import numpy as np

from ..utils._validation import mean_and_scale

__all__ = ["InputStandardization"]


class InputStandardization:
    """Features standardised for a network, and its linear weights mapped back to their units.

    Every skmtlx network reads its features centred and scaled to unit
    variance on the training rows: an MLP on raw columns of very different
    scales (a population in thousands beside a ratio in [0, 1]) trains
    poorly with Adam's steps of equal size per weight, and its default
    initialisation assumes inputs of unit scale. Linear weights the network
    learns on the standardised features (a surrogate head) are mapped back to
    the features' own units, where attributions and ``coef_`` are reported.
    A column constant on the training rows, up to rounding, is only centred.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training features.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,)
    scale_ : ndarray of shape (n_features,)

    Examples
    --------
    >>> import numpy as np
    >>> from skmtlx._torch import InputStandardization
    >>> X = np.array([[1000.0, 0.1], [3000.0, 0.3]])
    >>> inputs = InputStandardization(X)
    >>> inputs.transform(X).tolist()
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> coef, intercept = inputs.to_input_units(np.array([[2.0, 1.0]]), np.array([0.5]))
    >>> np.allclose(X @ coef.T + intercept, inputs.transform(X) @ [[2.0], [1.0]] + 0.5)
    True
    """

    def __init__(self, X):
        X = np.asarray(X, dtype=np.float64)
        mean, scale = mean_and_scale(X)
        # rounding noise of a constant column is not scaled up to look like a feature
        constant = scale <= 1e-8 * np.max(np.abs(X), axis=0, initial=0.0)
        self.mean_, self.scale_ = mean, np.where(constant, 1.0, scale)

    def transform(self, X):
        """Float32 standardised features, what the network reads."""
        return ((np.asarray(X, dtype=np.float64) - self.mean_) / self.scale_).astype(np.float32)

    def to_input_units(self, coef, intercept):
        """``(coef, intercept)`` on the standardised features mapped to the features' units.

        Parameters
        ----------
        coef : ndarray of shape (n_outputs, n_features)
        intercept : ndarray of shape (n_outputs,)

        Returns
        -------
        coef, intercept : ndarray
            The same linear function of the raw features.
        """
        coef = np.asarray(coef, dtype=np.float64) / self.scale_
        return coef, np.asarray(intercept, dtype=np.float64) - coef @ self.mean_
