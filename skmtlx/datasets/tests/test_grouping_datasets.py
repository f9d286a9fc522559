"""Tests of the planted-group generator and the multi-target loaders (issue 5)."""

import gzip

import numpy as np
import pandas as pd
import pytest

from skmtlx.datasets._grouping_synthetic import make_grouped_tasks
from skmtlx.datasets._multitarget import load_multilabel, load_sarcos


def test_make_grouped_tasks_shapes_and_determinism():
    X, Y, groups = make_grouped_tasks(120, 6, (2, 3, 1), random_state=0)
    assert X.shape == (120, 6) and Y.shape == (120, 6)
    assert groups.tolist() == [0, 0, 1, 1, 1, 2]
    np.testing.assert_allclose(Y.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Y.std(axis=0), 1)
    X2, Y2, _ = make_grouped_tasks(120, 6, (2, 3, 1), random_state=0)
    np.testing.assert_array_equal(Y, Y2)


def test_make_grouped_tasks_structure():
    # tasks of a group share a latent function: strongly correlated up to sign;
    # tasks of different groups are nearly uncorrelated
    X, Y, groups = make_grouped_tasks(
        2000, 8, (3, 3), noise=0.1, task_noise=0.0, shuffle_tasks=True, random_state=1
    )
    corr = np.abs(np.corrcoef(Y.T))
    same = groups[:, None] == groups[None, :]
    off = ~np.eye(len(groups), dtype=bool)
    assert corr[same & off].min() > 0.9
    assert corr[~same].max() < 0.3
    _, Yb, _ = make_grouped_tasks(200, 4, (2,), task_type="binary", random_state=0)
    assert set(np.unique(Yb)) == {0, 1}


def test_make_grouped_tasks_bad_group_sizes():
    with pytest.raises(ValueError, match="group_sizes"):
        make_grouped_tasks(10, 3, (2, 0))


def _write(path, frame):
    with gzip.open(path, "wt") as f:
        frame.to_csv(f, index=False)


def test_loaders_read_data_home(tmp_path):
    rng = np.random.RandomState(0)
    cols = [f"pos_{k}" for k in range(1, 8)] + [f"vel_{k}" for k in range(1, 8)]
    cols += [f"acc_{k}" for k in range(1, 8)] + [f"torque_{k}" for k in range(1, 8)]
    _write(tmp_path / "sarcos_inv_test.csv.gz", pd.DataFrame(rng.randn(5, 28), columns=cols))
    sarcos = load_sarcos(data_home=tmp_path)
    assert sarcos.data.shape == (5, 21) and sarcos.target.shape == (5, 7)
    assert sarcos.target_names[0] == "torque_1"
    labels = ["amazed-suprised", "happy-pleased", "relaxing-calm", "quiet-still",
              "sad-lonely", "angry-aggresive"]
    frame = pd.DataFrame(rng.randn(4, 3), columns=["f1", "f2", "f3"])
    for label in labels:
        frame[label] = rng.randint(2, size=4)
    _write(tmp_path / "emotions_multilabel.csv.gz", frame)
    emotions = load_multilabel("emotions", data_home=tmp_path)
    assert emotions.data.shape == (4, 3) and emotions.target.shape == (4, 6)
    assert emotions.target_names == labels


def test_loaders_missing_data(tmp_path, monkeypatch):
    monkeypatch.delenv("SKMTLX_DATA_HOME", raising=False)
    with pytest.raises(FileNotFoundError, match="SKMTLX_DATA_HOME"):
        load_sarcos(data_home=tmp_path)
    with pytest.raises(FileNotFoundError, match="download_if_missing=False"):
        load_multilabel("yeast", data_home=tmp_path, download_if_missing=False)
    with pytest.raises(ValueError, match="name"):
        load_multilabel("nope")
