"""Suite-wide test settings, for tests/ and the package's doctests."""

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")


@pytest.fixture(autouse=True, scope="session")
def _single_torch_thread():
    """The tests train tiny networks: one intra-op thread per worker avoids oversubscription."""
    n_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n_threads)


@pytest.fixture
def ridge_refit():
    """scikit-learn's version of the post-hoc linear surrogate's fit, a function
    ``(X, outputs) -> (coef, intercept)``: ``RidgeCV`` (leave-one-out) on the
    standardised columns, among the penalties ``n * logspace(-10, 1, 23)``."""
    from sklearn.linear_model import RidgeCV

    def fit(X, outputs):
        scale = X.std(axis=0)
        scale[scale == 0] = 1.0
        outputs = np.asarray(outputs, dtype=float).reshape(len(X), -1)
        ridge = RidgeCV(alphas=len(X) * np.logspace(-10, 1, 23)).fit(X / scale, outputs)
        return np.atleast_2d(ridge.coef_) / scale, np.atleast_1d(ridge.intercept_)

    return fit
