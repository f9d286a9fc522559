"""Scaling out: every parallel path of skmtlx runs on a dask cluster behind joblib.

Each test runs the same computation sequentially and inside
``joblib.parallel_backend("dask")`` on a two-process ``LocalCluster`` and pins
identical results: the work is split into jobs whose seeds do not depend on
where they run.
"""

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import scale

from skmtlx import FidelityMTLRegressor, SparseTaskGraphMTL, TaskGrouper
from skmtlx.datasets import make_grouped_tasks, make_task_graph_regression
from skmtlx.metrics import fidelity_tradeoff
from skmtlx.utils._test_common import FAST_ESTIMATORS, fit_predict, toy_data

distributed = pytest.importorskip("distributed")

FAST = dict(hidden_layer_sizes=(16,), max_epochs=10, lr=0.01, random_state=0)


@pytest.fixture(scope="module")
def dask_client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _on_dask(run):
    with joblib.parallel_backend("dask"):
        return run()


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return scale(X), scale(y)


def test_grid_search_on_dask_matches_sequential(dask_client, diabetes):
    X, y = diabetes

    def search():
        grid = GridSearchCV(FidelityMTLRegressor(**FAST), {"fidelity_weight": [0.2, 0.8]},
                            cv=2)
        return grid.fit(X[:120], y[:120]).cv_results_

    sequential, on_dask = search(), _on_dask(search)
    for key in ("mean_test_score", "split0_test_score", "split1_test_score"):
        np.testing.assert_array_equal(on_dask[key], sequential[key])
    workers = dask_client.run(lambda: 1)
    assert len(workers) == 2


def test_fidelity_tradeoff_on_dask_matches_sequential(dask_client, diabetes):
    X, y = diabetes

    def sweep():
        return fidelity_tradeoff(FidelityMTLRegressor(**FAST), X[:200], y[:200], X[200:300],
                                 y[200:300], fidelity_weights=(0.1, 0.9))

    columns = ["model", "fidelity_weight", "score", "gf", "r2_fg"]
    pd.testing.assert_frame_equal(_on_dask(sweep)[columns], sweep()[columns])


def test_task_grouper_selection_on_dask_matches_sequential(dask_client):
    X, Y, _ = make_grouped_tasks(300, 5, (2, 2), random_state=0)
    grouper = TaskGrouper(group_selection="validation", gain_epochs=2, **FAST)
    sequential = grouper.fit(X, Y).selection_results_

    on_dask = _on_dask(lambda: TaskGrouper(**grouper.get_params()).fit(X, Y))
    assert len(sequential["groups"]) > 1
    assert on_dask.selection_results_ == sequential
    np.testing.assert_array_equal(on_dask.predict(X), grouper.predict(X))


def test_task_graph_path_reruns_on_dask_match_sequential(dask_client):
    X, y, tasks, _ = make_task_graph_regression("line", n_tasks=8, n_features=4, n_samples=30,
                                                noise=0.1, random_state=0)
    params = dict(path_cv=3, max_iter=10, random_state=0)
    sequential = SparseTaskGraphMTL(**params).fit(X, y, tasks=tasks)
    on_dask = _on_dask(lambda: SparseTaskGraphMTL(n_jobs=2, **params).fit(X, y, tasks=tasks))
    np.testing.assert_array_equal(on_dask.path_.validation_loss,
                                  sequential.path_.validation_loss)
    np.testing.assert_array_equal(on_dask.coef_, sequential.coef_)


@pytest.fixture(scope="module")
def sequential_predictions():
    """Each registered estimator's predictions after one sequential fit."""
    return [fit_predict(estimator, *toy_data(estimator)) for estimator in FAST_ESTIMATORS]


@pytest.mark.parametrize("backend", ["loky", "dask"])
def test_two_fits_in_worker_processes_equal_the_sequential_fit(
        backend, dask_client, sequential_predictions):
    """Every registered estimator, one seed: 2 fits run at once by joblib's process
    ``backend`` predict bitwise what a sequential fit predicts (each fit owns its
    generator; fits in threads: tests/test_common.py)."""
    for estimator, expected in zip(FAST_ESTIMATORS, sequential_predictions):
        X, y = toy_data(estimator)
        with joblib.parallel_backend(backend, n_jobs=2):
            fits = joblib.Parallel()(joblib.delayed(fit_predict)(estimator, X, y)
                                     for _ in range(2))
        for predictions in fits:
            np.testing.assert_array_equal(predictions, expected, err_msg=repr(estimator))
