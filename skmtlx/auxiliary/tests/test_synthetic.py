"""The synthetic generator where a known auxiliary factor drives the main error."""

import numpy as np
import pytest

from skmtlx.datasets._auxiliary_synthetic import (
    make_auxiliary_classification,
    make_auxiliary_regression,
)


@pytest.mark.parametrize("recoverable", [0.0, 0.5, 0.9])
def test_recoverable_knob(recoverable):
    X, y, aux = make_auxiliary_regression(n_samples=20000, recoverable=recoverable, random_state=0)
    r2 = np.corrcoef(X[:, 0], aux["factor"])[0, 1] ** 2
    assert r2 == pytest.approx(recoverable, abs=0.02)
    # the control is unrelated to the factor and the main target's factor part
    assert abs(np.corrcoef(aux["control"], aux["factor"])[0, 1]) < 0.03


def test_generators_are_seeded_and_shaped():
    a = make_auxiliary_regression(n_samples=30, n_features=3, random_state=0)
    b = make_auxiliary_regression(n_samples=30, n_features=3, random_state=0)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape == (30, 3) and a[1].shape == (30,) and a[2].shape == (30, 2)
    X, y, aux = make_auxiliary_classification(n_samples=1000, random_state=0)
    assert set(np.unique(y)) == {0, 1}
    assert abs(y.mean() - 0.5) < 0.01
    # the label depends on the factor
    assert aux["factor"][y == 1].mean() - aux["factor"][y == 0].mean() > 0.5


def test_factor_strength_zero_removes_the_factor():
    X, y, aux = make_auxiliary_regression(n_samples=5000, factor_strength=0.0, noise=0.0,
                                          random_state=0)
    residual = y - np.linalg.lstsq(np.c_[X, np.sin(2 * X[:, -1])], y, rcond=None)[0] @ np.c_[
        X, np.sin(2 * X[:, -1])].T
    assert np.abs(residual).max() < 1e-8


def test_invalid_parameters():
    with pytest.raises(ValueError, match="recoverable"):
        make_auxiliary_regression(recoverable=1.5)
    with pytest.raises(ValueError, match="n_samples"):
        make_auxiliary_classification(n_samples=0)
