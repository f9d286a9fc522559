import numpy as np
import pytest

from skmtlx.datasets._confounded_synthetic import make_confounded_multitask
from skmtlx.datasets._multilabel_shift import resample_target_shift


def test_confounded_generator_targets_and_shared_mechanism():
    X, Y, u = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, confounding=0.9, random_state=0, return_confounder=True
    )
    assert X.shape == (4000, 5) and Y.shape == (4000, 3) and set(np.unique(Y)) == {0, 1}
    assert np.all(np.abs((Y == u[:, None]).mean(axis=0) - 0.9) < 0.02)
    X_s, Y_s = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, confounding=[0.9, 0.1, 0.5], random_state=1
    )
    assert (Y[:, 0] == Y[:, 1]).mean() > 0.75 and (Y_s[:, 0] == Y_s[:, 1]).mean() < 0.25
    assert abs(np.corrcoef(Y_s[:, 0], Y_s[:, 2])[0, 1]) < 0.06
    # p(x | y) is the same in both: class-conditional means agree
    for y in [(0, 0, 0), (1, 0, 1)]:
        m = X[np.all(Y == y, axis=1)].mean(axis=0)
        m_s = X_s[np.all(Y_s == y, axis=1)].mean(axis=0)
        assert np.abs(m - m_s).max() < 0.2
    # a different mechanism seed changes p(x | y)
    X_o, Y_o = make_confounded_multitask(
        4000, n_tasks=3, n_features=5, random_state=0, mechanism_random_state=1
    )
    np.testing.assert_array_equal(Y_o, Y)
    assert not np.allclose(X_o, X)


def test_confounded_generator_errors():
    with pytest.raises(ValueError, match="one value per task"):
        make_confounded_multitask(10, n_tasks=3, confounding=[0.9, 0.1])
    with pytest.raises(ValueError, match=r"confounding must lie in \[0, 1\]"):
        make_confounded_multitask(10, n_tasks=2, confounding=[0.9, 1.5])
    with pytest.raises(ValueError, match="n_samples"):
        make_confounded_multitask(0)


@pytest.mark.parametrize("kind", ["independent", "uniform", "shuffle"])
def test_resample_target_shift_changes_the_joint_distribution(kind):
    rng = np.random.RandomState(0)
    a = rng.randint(2, size=3000)
    Y = np.column_stack([a, np.where(rng.rand(3000) < 0.85, a, 1 - a), rng.rand(3000) < 0.3])
    idx = resample_target_shift(Y, kind=kind, n_samples=5000, random_state=0)
    assert idx.shape == (5000,) and idx.min() >= 0 and idx.max() < 3000
    joint = lambda Z: np.array([np.mean(np.all(Z == r, 1)) for r in np.unique(Y, axis=0)])  # noqa
    before, after = joint(Y), joint(Y[idx])
    assert np.abs(before - after).sum() / 2 > 0.1  # total variation
    if kind == "independent":
        assert abs(np.corrcoef(Y[idx][:, :2].T)[0, 1]) < 0.07
        np.testing.assert_allclose(Y[idx].mean(0), Y.mean(0), atol=0.04)
    if kind == "uniform":
        np.testing.assert_allclose(after, 1 / len(after), atol=0.03)
    np.testing.assert_array_equal(
        idx, resample_target_shift(Y, kind=kind, n_samples=5000, random_state=0)
    )


def test_resample_target_shift_errors():
    with pytest.raises(ValueError, match="2-D"):
        resample_target_shift(np.zeros(5))
    with pytest.raises(ValueError, match="kind"):
        resample_target_shift(np.zeros((5, 2)), kind="bogus")
