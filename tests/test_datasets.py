"""The dataset loaders and generators.

Pinned: the data-home resolution and fetch rules (argument over environment,
gzip variants, clear errors), each loader's preprocessing (splits, scaling,
imputation, encodings, derived features, dropped leaks) against pandas
recomputations on small fixture files, the OpenML routes against the UCI layout,
the real files' row counts, and the generators' shapes, seeding and planted
group structure.
"""

from pathlib import Path
import gzip
import os

from numpy.testing import assert_allclose, assert_array_equal
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch
import numpy as np
import pandas as pd
import pytest

from skmtlx.datasets import _base
from skmtlx.datasets._base import (
    DATA_HOME_ENV,
    DataFileError,
    DataFileMetadata,
    DataNotFoundError,
    find_data_file,
    get_data_home,
    load_data_frame,
    rename_columns_like,
    sha256_of,
)
from skmtlx.datasets._fidelity_datasets import (
    FIDELITY_DATASETS,
    TITANIC_DROPPED_COLUMNS,
    load_adult,
    load_auto_mpg,
    load_california_housing,
    load_fidelity_dataset,
    load_titanic,
    load_wine_quality,
)
from skmtlx.datasets._grouping_synthetic import make_grouped_tasks
from skmtlx.datasets._multitarget import load_multilabel, load_sarcos
from skmtlx.datasets._per_task import load_school


WINE_COLS = [
    "fixed acidity",
    "volatile acidity",
    "citric acid",
    "residual sugar",
    "chlorides",
    "free sulfur dioxide",
    "total sulfur dioxide",
    "density",
    "pH",
    "sulphates",
    "alcohol",
]
ADULT_COLS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education-num",
    "marital-status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital-gain",
    "capital-loss",
    "hours-per-week",
    "native-country",
]


# --------------------------------------------------------------------------- #
# synthetic files in the layout of shared/data, declared like the real ones
# --------------------------------------------------------------------------- #
@pytest.fixture(autouse=True)
def declared_files(monkeypatch):
    """A private copy of DATA_FILES, so that tests can declare their own files."""
    files = dict(_base.DATA_FILES)
    monkeypatch.setattr(_base, "DATA_FILES", files)
    return files


def _declare(path, **read_csv_kwargs):
    """Declare the file a test wrote, with its real checksum and row count."""
    path = Path(path)
    _base.DATA_FILES[path.name] = DataFileMetadata(
        path.name, sha256_of(path), len(pd.read_csv(path, **read_csv_kwargs)))
    return path


def _wine_frame(n=50, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(rng.uniform(0.5, 10, size=(n, len(WINE_COLS))), columns=WINE_COLS)
    frame["quality"] = rng.randint(3, 9, size=n)
    return frame


def _adult_frame(n_train=40, n_test=20, seed=0):
    rng = np.random.RandomState(seed)
    n = n_train + n_test
    frame = pd.DataFrame(
        {
            "age": rng.randint(17, 90, n),
            "workclass": rng.choice(["Private", "State-gov", "Self-emp-inc"], n).astype(object),
            "fnlwgt": rng.randint(10_000, 500_000, n),
            "education": rng.choice(["Bachelors", "HS-grad", "Masters"], n),
            "education-num": rng.randint(1, 16, n),
            "marital-status": rng.choice(["Never-married", "Divorced"], n),
            "occupation": rng.choice(["Adm-clerical", "Sales"], n).astype(object),
            "relationship": rng.choice(["Husband", "Own-child"], n),
            "race": rng.choice(["White", "Black"], n),
            "sex": rng.choice(["Male", "Female"], n),
            "capital-gain": rng.randint(0, 5000, n),
            "capital-loss": rng.randint(0, 100, n),
            "hours-per-week": rng.randint(10, 60, n),
            "native-country": rng.choice(["United-States", "Mexico"], n).astype(object),
            "income": rng.choice(["<=50K", ">50K"], n),
            "split": ["train"] * n_train + ["test"] * n_test,
        }
    )
    # missing categories (UCI '?', written as empty fields in the shared file)
    frame.loc[[1, 5, 9], "workclass"] = np.nan
    frame.loc[[2, n_train + 1], "occupation"] = np.nan
    # same train mode for workclass: make "Private" the clear majority of training rows
    frame.loc[10:30, "workclass"] = "Private"
    return frame


def _housing_frame(n=60, seed=0):
    rng = np.random.RandomState(seed)
    households = rng.randint(50, 500, n)
    return pd.DataFrame(
        {
            "longitude": rng.uniform(-124, -114, n).round(2),
            "latitude": rng.uniform(32, 42, n).round(2),
            "housingMedianAge": rng.randint(1, 52, n),
            "totalRooms": households * rng.randint(3, 8, n),
            "totalBedrooms": households * rng.randint(1, 3, n),
            "population": households * rng.randint(2, 4, n),
            "households": households,
            "medianIncome": rng.uniform(0.5, 15, n).round(4),
            "medianHouseValue": rng.randint(15_000, 500_001, n),
        }
    )


def _titanic_frame(n=60, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "pclass": rng.randint(1, 4, n),
            "survived": rng.randint(0, 2, n),
            "name": [f"Person, Mr. {i}" for i in range(n)],
            "sex": rng.choice(["male", "female"], n),
            "age": rng.uniform(1, 70, n).round(1),
            "sibsp": rng.randint(0, 3, n),
            "parch": rng.randint(0, 3, n),
            "ticket": [str(1000 + i) for i in range(n)],
            "fare": rng.uniform(5, 200, n).round(2),
            "cabin": rng.choice(["B5", "C22"], n).astype(object),
            "embarked": rng.choice(["S", "C", "Q"], n, p=[0.7, 0.2, 0.1]).astype(object),
            "boat": rng.choice(["2", "11"], n).astype(object),
            "body": rng.uniform(1, 300, n).round(0),
            "home.dest": rng.choice(["St Louis, MO", "Montreal, PQ"], n).astype(object),
        }
    )
    frame.loc[[0, 3, 7, 11], "age"] = np.nan
    frame.loc[[4], "fare"] = np.nan
    frame.loc[[6, 8], "embarked"] = np.nan
    frame.loc[::2, ["cabin", "boat", "body", "home.dest"]] = np.nan
    return frame


def _auto_frame(n=50, seed=0):
    rng = np.random.RandomState(seed)
    frame = pd.DataFrame(
        {
            "mpg": rng.uniform(9, 46, n).round(1),
            "cylinders": rng.choice([4, 6, 8], n),
            "displacement": rng.uniform(68, 455, n).round(0),
            "horsepower": rng.uniform(46, 230, n).round(0),
            "weight": rng.uniform(1600, 5100, n).round(0),
            "acceleration": rng.uniform(8, 25, n).round(1),
            "model_year": rng.randint(70, 83, n),
            "origin": rng.randint(1, 4, n),
            "car_name": [f"car {i}" for i in range(n)],
        }
    )
    frame.loc[[3, 17], "horsepower"] = np.nan
    return frame


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    """A folder with the five files in the shared/data layout; env var unset."""
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    _wine_frame().to_csv(tmp_path / "winequality-red.csv", index=False)
    _adult_frame().to_csv(tmp_path / "adult.csv.gz", index=False)
    _housing_frame().to_csv(tmp_path / "cal_housing.csv.gz", index=False)
    _titanic_frame().to_csv(tmp_path / "titanic.csv", index=False, na_rep="?")
    _auto_frame().to_csv(tmp_path / "auto-mpg.csv", index=False)
    for path in tmp_path.iterdir():
        _declare(path)
    return tmp_path


@pytest.fixture
def no_fetch(monkeypatch):
    """Make any OpenML download fail loudly (tests must never reach the network)."""

    def fail(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(_base, "fetch_openml", fail)


# --------------------------------------------------------------------------- #
# _base helpers
# --------------------------------------------------------------------------- #
def test_get_data_home_argument_overrides_env(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_HOME_ENV, str(tmp_path / "from_env"))
    assert get_data_home() == tmp_path / "from_env"
    assert get_data_home(tmp_path / "arg") == tmp_path / "arg"
    monkeypatch.setenv(DATA_HOME_ENV, "")
    assert get_data_home() is None
    monkeypatch.delenv(DATA_HOME_ENV)
    assert get_data_home() is None


def test_find_data_file_accepts_gz_variant(tmp_path):
    (tmp_path / "a.csv.gz").write_bytes(b"")
    (tmp_path / "b.csv").write_text("x\n1\n")
    assert find_data_file("a.csv.gz", tmp_path) == tmp_path / "a.csv.gz"
    assert find_data_file("a.csv", tmp_path) == tmp_path / "a.csv.gz"
    assert find_data_file("b.csv.gz", tmp_path) == tmp_path / "b.csv"
    assert find_data_file("c.csv", tmp_path) is None


def test_load_data_frame_reads_env_var(tmp_path, monkeypatch, no_fetch):
    pd.DataFrame({"a": [1, 2, 3]}).to_csv(tmp_path / "toy.csv", index=False)
    _declare(tmp_path / "toy.csv")
    monkeypatch.setenv(DATA_HOME_ENV, str(tmp_path))
    frame, source = load_data_frame("toy.csv")
    assert frame["a"].tolist() == [1, 2, 3]
    assert source == f"file:{tmp_path / 'toy.csv'}"


def test_missing_file_and_failed_fetch_gives_clear_error(tmp_path, monkeypatch, no_fetch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    with pytest.raises(DataNotFoundError) as excinfo:
        load_wine_quality(data_home=tmp_path)
    msg = str(excinfo.value)
    assert "winequality-red.csv" in msg
    assert str(tmp_path) in msg
    assert "wine-quality-red" in msg and "network disabled in tests" in msg
    assert "data_home=" in msg and DATA_HOME_ENV in msg
    assert isinstance(excinfo.value.__cause__, OSError)
    assert isinstance(excinfo.value, FileNotFoundError)


def test_no_data_home_at_all_mentions_env_var(monkeypatch, no_fetch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    with pytest.raises(DataNotFoundError, match=f"{DATA_HOME_ENV} is not set"):
        load_titanic()


def test_download_if_missing_false_never_fetches(tmp_path, monkeypatch):
    def must_not_be_called(*args, **kwargs):  # pragma: no cover - the test fails if called
        raise AssertionError("fetch_openml was called")

    monkeypatch.setattr(_base, "fetch_openml", must_not_be_called)
    with pytest.raises(DataNotFoundError, match="download_if_missing=False"):
        load_auto_mpg(data_home=tmp_path, download_if_missing=False)


def test_no_openml_source_error(tmp_path):
    with pytest.raises(DataNotFoundError, match="no public OpenML copy"):
        load_data_frame("school.csv.gz", data_home=tmp_path, openml=None)


def test_rename_columns_like_reports_missing_column():
    frame = pd.DataFrame({"fixed_acidity": [1.0], "class": ["5"]})
    out = rename_columns_like(frame, ["fixed acidity", "quality"], {"quality": "class"})
    assert list(out.columns) == ["fixed acidity", "quality"]
    with pytest.raises(ValueError, match="'density' not found"):
        rename_columns_like(frame, ["density"])


# --------------------------------------------------------------------------- #
# loaders on synthetic files
# --------------------------------------------------------------------------- #
def _check_standardized(X, columns):
    assert_allclose(X[:, columns].mean(axis=0), 0, atol=1e-10)
    assert_allclose(X[:, columns].std(axis=0), 1, atol=1e-10)


def test_wine_split_scaling_and_target(data_home):
    data = load_wine_quality(data_home=data_home)
    raw = _wine_frame()
    train, test = train_test_split(np.arange(len(raw)), test_size=0.2, random_state=42)
    assert_array_equal(data.train_index, train)
    assert_array_equal(data.test_index, test)
    assert data.paper.feature_names == WINE_COLS
    assert data.task == "regression" and data.target_name == "quality"
    # preprocessing is fitted on the training rows only
    _check_standardized(data.paper.X_train, slice(None))
    expected = (raw[WINE_COLS].iloc[test] - raw[WINE_COLS].iloc[train].mean()) / raw[
        WINE_COLS
    ].iloc[train].std(ddof=0)
    assert_allclose(data.paper.X_test, expected.to_numpy())
    y_tr = raw["quality"].to_numpy(float)[train]
    assert_allclose(data.paper.y_train, (y_tr - y_tr.mean()) / y_tr.std())
    assert_allclose(data.paper.target_scaler.inverse_transform(data.paper.y_test[:, None]).ravel(),
                    raw["quality"].to_numpy(float)[test])
    assert data.source.startswith("file:")
    assert "train_test_split(test_size=0.2, random_state=42)" in data.DESCR


def test_random_split_is_seeded(data_home):
    a = load_titanic(data_home=data_home, random_state=0)
    b = load_titanic(data_home=data_home, random_state=0)
    c = load_titanic(data_home=data_home, random_state=1)
    assert_array_equal(a.test_index, b.test_index)
    assert_allclose(a.paper.X_train, b.paper.X_train)
    assert not np.array_equal(a.test_index, c.test_index)
    d = load_titanic(data_home=data_home, test_size=0.5)
    assert len(d.test_index) == 30


def test_adult_uci_split_imputation_and_encodings(data_home):
    raw = _adult_frame()
    data = load_adult(data_home=data_home)
    assert_array_equal(data.train_index, np.arange(40))
    assert_array_equal(data.test_index, np.arange(40, 60))
    assert data.task == "classification" and data.target_names == ["<=50K", ">50K"]
    assert_array_equal(data.paper.y_train, (raw["income"][:40] == ">50K").astype(int))
    # ordinal default: 14 standardized columns, no missing values left
    assert data.paper.X_train.shape == (40, 14)
    assert not np.isnan(data.paper.X_train).any() and not np.isnan(data.paper.X_test).any()
    _check_standardized(data.paper.X_train, slice(None))
    assert "split" not in data.frame

    onehot = load_adult(data_home=data_home, categorical_encoding="onehot")
    names = onehot.paper.feature_names
    assert names[:6] == ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss",
                         "hours-per-week"]
    assert "workclass_Private" in names and "sex_Male" in names
    # the missing workclass of training rows 1, 5, 9 gets the training mode
    mode = raw["workclass"][:40].mode()[0]
    col = names.index(f"workclass_{mode}")
    assert_allclose(onehot.paper.X_train[[1, 5, 9], col], 1.0)
    # every row has exactly one category per categorical feature
    wc = [i for i, n in enumerate(names) if n.startswith("workclass_")]
    assert_allclose(onehot.paper.X_test[:, wc].sum(axis=1), 1.0)


def test_adult_custom_test_size_replaces_uci_split(data_home):
    data = load_adult(data_home=data_home, test_size=0.25, random_state=3)
    _, test = train_test_split(np.arange(60), test_size=0.25, random_state=3)
    assert_array_equal(data.test_index, test)


def test_adult_test_labels_with_trailing_dot(tmp_path, monkeypatch, no_fetch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    raw = _adult_frame()
    raw.loc[40:, "income"] = raw.loc[40:, "income"] + "."  # raw UCI adult.test style
    raw.to_csv(tmp_path / "adult.csv.gz", index=False)
    _declare(tmp_path / "adult.csv.gz")
    data = load_adult(data_home=tmp_path)
    assert set(np.unique(data.paper.y_test)) <= {0, 1}
    assert_array_equal(data.paper.y_test, (raw["income"][40:] == ">50K.").astype(int))


def test_housing_derived_features(data_home):
    raw = _housing_frame()
    data = load_california_housing(data_home=data_home, standardize_target=False)
    assert data.paper.feature_names == ["MedInc", "HouseAge", "AveRooms", "AveBedrms",
                                        "Population", "AveOccup", "Latitude", "Longitude"]
    assert_allclose(data.frame["AveRooms"], raw["totalRooms"] / raw["households"])
    assert_allclose(data.frame["AveOccup"], raw["population"] / raw["households"])
    assert_allclose(data.paper.y_test, raw["medianHouseValue"].to_numpy()[data.test_index] / 1e5)
    assert data.paper.target_scaler is None
    _check_standardized(data.paper.X_train, slice(None))


def test_titanic_drops_leaks_and_imputes(data_home):
    raw = _titanic_frame()
    data = load_titanic(data_home=data_home, as_frame=True)
    for col in TITANIC_DROPPED_COLUMNS:
        assert col not in data.frame
        assert not any(name.startswith(col) for name in data.paper.feature_names)
    assert data.paper.feature_names == [
        "age", "sibsp", "parch", "fare", "pclass_1", "pclass_2", "pclass_3",
        "sex_female", "sex_male", "embarked_C", "embarked_Q", "embarked_S",
    ]
    assert isinstance(data.paper.X_train, pd.DataFrame)
    assert list(data.paper.X_train.columns) == data.paper.feature_names
    assert_array_equal(data.paper.X_test.index, data.test_index)
    assert data.paper.y_train.name == "survived"
    assert not data.paper.X_train.isna().any().any() and not data.paper.X_test.isna().any().any()
    # a missing age becomes the training mean, i.e. 0 after standardization
    missing_age = [i for i in (0, 3, 7, 11)]
    pos_train = {r: k for k, r in enumerate(data.train_index)}
    pos_test = {r: k for k, r in enumerate(data.test_index)}
    for r in missing_age:
        X, pos = ((data.paper.X_train, pos_train) if r in pos_train
                  else (data.paper.X_test, pos_test))
        assert X["age"].iloc[pos[r]] == pytest.approx(0.0, abs=1e-12)
    train_ages = raw["age"].iloc[data.train_index]
    assert data.paper.preprocessor.named_transformers_["num"]["impute"].statistics_[0] == (
        pytest.approx(train_ages.mean())
    )
    assert_array_equal(data.paper.y_test.to_numpy(), raw["survived"].to_numpy()[data.test_index])


def test_auto_mpg_drops_missing_horsepower(data_home):
    data = load_auto_mpg(data_home=data_home)
    assert len(data.frame) == 48
    assert data.frame["horsepower"].notna().all()
    assert set(data.frame["origin"]) <= {"USA", "Europe", "Japan"}
    assert data.paper.feature_names[-3:] == ["origin_Europe", "origin_Japan", "origin_USA"]
    assert "car_name" not in data.frame
    assert data.paper.X_train.shape == (38, 9) and data.paper.X_test.shape == (10, 9)
    _check_standardized(data.paper.X_train, slice(0, 6))
    assert_allclose(data.paper.y_train.mean(), 0, atol=1e-12)


def test_return_X_y_and_dispatch(data_home):
    X, y = load_fidelity_dataset("auto_mpg", data_home=data_home, return_X_y=True)
    bunch = load_auto_mpg(data_home=data_home)
    assert isinstance(bunch, Bunch)
    pd.testing.assert_frame_equal(X, bunch.data)
    assert_array_equal(y, bunch.target)
    # the raw split, and the paper's target in its original units
    pd.testing.assert_frame_equal(bunch.X_test, X.iloc[bunch.test_index])
    assert_allclose(bunch.paper.target_scaler.inverse_transform(bunch.paper.y_test[:, None])[:, 0],
                    y[bunch.test_index])
    for name in FIDELITY_DATASETS:
        out = load_fidelity_dataset(name, data_home=data_home)
        assert out.name == name
        assert out.paper.X_train.shape[1] == len(out.paper.feature_names)
        assert out.paper.X_train.dtype == np.float64


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"test_size": 1.5}, "test_size"),
        ({"categorical_encoding": "binary"}, "categorical_encoding"),
        ({"as_frame": "yes"}, "as_frame"),
    ],
)
def test_invalid_parameters(data_home, kwargs, match):
    with pytest.raises(ValueError, match=match):
        load_titanic(data_home=data_home, **kwargs)


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="Unknown dataset 'iris'"):
        load_fidelity_dataset("iris")


# --------------------------------------------------------------------------- #
# the OpenML route, with the fetcher replaced by local fakes
# --------------------------------------------------------------------------- #
def _fake_fetcher(frames, calls):
    def fake(*, as_frame, target_column, parser, **kwargs):
        assert as_frame is True and target_column is None
        calls.append(kwargs)
        key = kwargs.get("data_id", kwargs.get("name"))
        return Bunch(frame=frames[key].copy())

    return fake


def test_openml_route_auto_mpg_layout(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    raw = _auto_frame()
    openml = raw.drop(columns="car_name").rename(columns={"mpg": "class", "model_year": "model"})
    openml["origin"] = openml["origin"].astype(str).astype("category")
    openml["cylinders"] = openml["cylinders"].astype(str).astype("category")
    openml = openml[["cylinders", "displacement", "horsepower", "weight", "acceleration",
                     "model", "origin", "class"]]
    calls = []
    monkeypatch.setattr(_base, "fetch_openml", _fake_fetcher({"autoMpg": openml}, calls))
    data = load_auto_mpg(data_home=tmp_path)
    # the download is cached under the data home
    assert calls == [{"name": "autoMpg", "version": 1, "data_home": str(tmp_path / "openml")}]
    assert "OpenML" in data.source
    local = load_auto_mpg(data_home=_write(tmp_path / "local", "auto-mpg.csv", raw))
    assert_allclose(data.paper.X_train, local.paper.X_train)
    assert_allclose(data.paper.y_test, local.paper.y_test)
    assert data.paper.feature_names == local.paper.feature_names


def test_openml_route_wine_and_titanic(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    wine = _wine_frame()
    wine_openml = wine.rename(columns=lambda c: c.replace(" ", "_")).rename(
        columns={"quality": "class"}
    )
    wine_openml["class"] = wine_openml["class"].astype(str).astype("category")
    titanic = _titanic_frame()
    titanic_openml = titanic.copy()
    titanic_openml["survived"] = titanic_openml["survived"].astype(str).astype("category")
    titanic_openml["pclass"] = titanic_openml["pclass"].astype(float)
    calls = []
    fetcher = _fake_fetcher({"wine-quality-red": wine_openml, 40945: titanic_openml}, calls)
    monkeypatch.setattr(_base, "fetch_openml", fetcher)
    w = load_wine_quality(data_home=tmp_path)
    t = load_titanic(data_home=tmp_path)
    home = {"data_home": str(tmp_path / "openml")}
    assert calls == [{"name": "wine-quality-red", "version": 1, **home},
                     {"data_id": 40945, **home}]
    local_home = _write(tmp_path / "local", "winequality-red.csv", wine)
    titanic.to_csv(local_home / "titanic.csv", index=False, na_rep="?")
    _declare(local_home / "titanic.csv")
    assert_allclose(w.paper.X_train, load_wine_quality(data_home=local_home).paper.X_train)
    lt = load_titanic(data_home=local_home)
    assert t.paper.feature_names == lt.paper.feature_names
    assert_allclose(t.paper.X_test, lt.paper.X_test)
    assert_array_equal(t.y_train, lt.y_train)


def test_openml_route_adult_keeps_uci_split_only_in_uci_order(tmp_path, monkeypatch):
    monkeypatch.delenv(DATA_HOME_ENV, raising=False)
    n_train, n_test = 32561, 16281
    rng = np.random.RandomState(0)
    small = _adult_frame(n_train=30, n_test=30)
    idx = rng.randint(0, 60, n_train + n_test)
    big = small.iloc[idx].reset_index(drop=True).drop(columns="split")
    big = big.rename(columns={"income": "class"})
    big.loc[0, "fnlwgt"] = 77516
    big.loc[n_train, "fnlwgt"] = 226802
    big["class"] = big["class"].astype("category")
    calls = []
    monkeypatch.setattr(_base, "fetch_openml", _fake_fetcher({1590: big}, calls))
    data = load_adult(data_home=tmp_path)
    assert calls == [{"data_id": 1590, "data_home": str(tmp_path / "openml")}]
    assert len(data.train_index) == n_train and data.train_index[-1] == n_train - 1

    shuffled = big.copy()
    shuffled.loc[0, "fnlwgt"] = 1
    monkeypatch.setattr(_base, "fetch_openml", _fake_fetcher({1590: shuffled}, calls))
    with pytest.warns(UserWarning, match="seeded random split"):
        data = load_adult(data_home=tmp_path)
    assert len(data.test_index) == n_test


def _write(folder, name, frame):
    Path(folder).mkdir(parents=True, exist_ok=True)
    frame.to_csv(Path(folder) / name, index=False)
    _declare(Path(folder) / name)
    return Path(folder)


# --------------------------------------------------------------------------- #
# optional: the real files (row counts from shared/data/SOURCES.md)
# --------------------------------------------------------------------------- #
REAL_COUNTS = {
    # name: (rows in the file, rows kept, n_train, n_test)
    "wine": (1599, 1599, 1279, 320),
    "adult": (48842, 48842, 32561, 16281),
    "housing": (20640, 20640, 16512, 4128),
    "titanic": (1309, 1309, 1047, 262),
    "autompg": (398, 392, 313, 79),
}


@pytest.mark.skipif(
    not os.environ.get(DATA_HOME_ENV), reason=f"{DATA_HOME_ENV} not set (real data test)"
)
@pytest.mark.parametrize("name", FIDELITY_DATASETS)
def test_real_files_row_counts(name, monkeypatch, no_fetch):
    _, n_kept, n_train, n_test = REAL_COUNTS[name]
    data = load_fidelity_dataset(name)
    assert data.source.startswith("file:")
    assert len(data.frame) == n_kept
    assert (len(data.train_index), len(data.test_index)) == (n_train, n_test)
    assert not np.isnan(data.paper.X_train).any() and not np.isnan(data.paper.X_test).any()
    if name == "titanic":
        assert data.frame["survived"].value_counts().to_dict() == {0: 809, 1: 500}
    if name == "wine":
        assert data.frame["quality"].mean() == pytest.approx(5.636, abs=1e-3)
    if name == "housing":
        assert data.frame["MedHouseVal"].mean() == pytest.approx(2.068558, abs=1e-6)


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


def _write_gzip(path, frame):
    with gzip.open(path, "wt") as f:
        frame.to_csv(f, index=False)
    _declare(path)


def test_loaders_read_data_home(tmp_path):
    rng = np.random.RandomState(0)
    cols = [f"pos_{k}" for k in range(1, 8)] + [f"vel_{k}" for k in range(1, 8)]
    cols += [f"acc_{k}" for k in range(1, 8)] + [f"torque_{k}" for k in range(1, 8)]
    _write_gzip(tmp_path / "sarcos_inv_test.csv.gz", pd.DataFrame(rng.randn(5, 28), columns=cols))
    sarcos = load_sarcos(data_home=tmp_path)
    assert sarcos.data.shape == (5, 21) and sarcos.target.shape == (5, 7)
    assert sarcos.target_names[0] == "torque_1"
    labels = ["amazed-suprised", "happy-pleased", "relaxing-calm", "quiet-still",
              "sad-lonely", "angry-aggresive"]
    frame = pd.DataFrame(rng.randn(4, 3), columns=["f1", "f2", "f3"])
    for label in labels:
        frame[label] = rng.randint(2, size=4)
    _write_gzip(tmp_path / "emotions_multilabel.csv.gz", frame)
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


# --------------------------------------------------------------------------- #
# files checked on read: checksum, row count, parse errors, layout
# --------------------------------------------------------------------------- #
def _truncate(path, fraction=0.5):
    content = path.read_bytes()
    path.write_bytes(content[: int(len(content) * fraction)])


@pytest.mark.parametrize("name", ["auto-mpg.csv", "adult.csv.gz"])
def test_truncated_file_fails_its_checksum(data_home, name):
    _truncate(data_home / name)
    load = {"auto-mpg.csv": load_auto_mpg, "adult.csv.gz": load_adult}[name]
    with pytest.raises(DataFileError, match=rf"{data_home / name} has SHA-256 [0-9a-f]{{64}}, "
                       r"expected [0-9a-f]{64}: the file is truncated.*SOURCES\.md"):
        load(data_home=data_home)


def test_other_name_variant_is_checked_by_row_count(data_home):
    # the .gz copy of a declared plain file has other bytes: its rows are counted
    half = _auto_frame().iloc[:25]
    half.to_csv(data_home / "auto-mpg.csv.gz", index=False)
    (data_home / "auto-mpg.csv").unlink()
    with pytest.raises(DataFileError, match=r"auto-mpg\.csv\.gz has 25 data rows, expected 50"):
        load_auto_mpg(data_home=data_home)
    _auto_frame().to_csv(data_home / "auto-mpg.csv.gz", index=False)
    assert len(load_auto_mpg(data_home=data_home).frame) == 48


def test_unreadable_file_names_the_file(data_home):
    (data_home / "auto-mpg.csv").unlink()
    (data_home / "auto-mpg.csv.gz").write_bytes(b"\x1f\x8b\x08 not really gzip")
    with pytest.raises(DataFileError, match=r"Cannot read .*auto-mpg\.csv\.gz as CSV \(error: "
                       r"Error -3 .*Replace it with the copy of 'auto-mpg\.csv'"):
        load_auto_mpg(data_home=data_home)


def test_file_of_another_layout_names_the_file(data_home):
    _auto_frame().drop(columns="horsepower").to_csv(data_home / "auto-mpg.csv", index=False)
    _declare(data_home / "auto-mpg.csv")
    with pytest.raises(DataFileError, match=r"file:.*auto-mpg\.csv does not have the layout "
                       r"of 'auto-mpg\.csv' \(KeyError.*horsepower"):
        load_auto_mpg(data_home=data_home)
    _write(data_home, "school.csv.gz", pd.DataFrame({"school_id": [1, 2], "x": [0.0, 1.0]}))
    with pytest.raises(DataFileError, match=r"school\.csv\.gz lacks the column\(s\) "
                       r"\['exam_score'\]"):
        load_school(data_home=data_home)


def test_undeclared_file_is_refused(tmp_path):
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "mystery.csv", index=False)
    with pytest.raises(ValueError, match="'mystery.csv' is not declared"):
        load_data_frame("mystery.csv", data_home=tmp_path)


def test_declared_metadata_matches_the_data_folder_listing():
    # every loader file is declared, with a 64-hex-digit SHA-256 and a positive row count
    from skmtlx.datasets._multitarget import MULTILABEL_DATASETS

    loader_files = {"winequality-red.csv", "adult.csv.gz", "cal_housing.csv.gz",
                    "titanic.csv", "auto-mpg.csv", "school.csv.gz",
                    "parkinsons_updrs.csv.gz", "computer_survey.csv.gz",
                    "sarcos_inv_test.csv.gz"}
    loader_files |= {spec[0] for spec in MULTILABEL_DATASETS.values()}
    assert loader_files <= set(_base.DATA_FILES)
    for name, meta in _base.DATA_FILES.items():
        assert meta.filename == name and meta.n_rows > 0
        assert len(meta.checksum) == 64 and int(meta.checksum, 16) >= 0


# --------------------------------------------------------------------------- #
# raw data with an unfitted preprocessor: cross-validation does not leak
# --------------------------------------------------------------------------- #
def test_unfitted_preprocessor_gives_leak_free_cross_validation(data_home):
    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError
    from sklearn.linear_model import Ridge
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.utils.validation import check_is_fitted

    data = load_titanic(data_home=data_home)
    with pytest.raises(NotFittedError):
        check_is_fitted(data.preprocessor)
    check_is_fitted(data.paper.preprocessor)
    assert data.X_train.isna().any().any()  # raw rows: imputation is left to the pipeline
    cv = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(make_pipeline(data.preprocessor, Ridge()), data.X_train,
                             data.y_train, cv=cv)
    manual, leaky = [], []
    for train, test in cv.split(data.X_train):
        pre = clone(data.preprocessor).fit(data.X_train.iloc[train])
        model = Ridge().fit(pre.transform(data.X_train.iloc[train]), data.y_train[train])
        manual.append(model.score(pre.transform(data.X_train.iloc[test]), data.y_train[test]))
        # what the old loaders gave: statistics of all the training rows
        Z = data.paper.X_train
        leaky.append(Ridge().fit(Z[train], data.y_train[train]).score(Z[test],
                                                                      data.y_train[test]))
    assert_allclose(scores, manual)
    assert not np.allclose(scores, leaky)


def test_every_loader_returns_the_same_fields(data_home):
    rng = np.random.RandomState(0)
    cols = [f"{kind}_{k}" for kind in ("pos", "vel", "acc") for k in range(1, 8)]
    cols += [f"torque_{k}" for k in range(1, 8)]
    _write_gzip(data_home / "sarcos_inv_test.csv.gz", pd.DataFrame(rng.randn(5, 28), columns=cols))
    _write(data_home, "school.csv.gz", pd.DataFrame(
        {"school_id": [1, 1, 2, 2], "x": rng.randn(4), "exam_score": rng.randn(4)}))
    fields = {"data", "target", "frame", "feature_names", "source", "DESCR"}
    bunches = [load_fidelity_dataset(name, data_home=data_home) for name in FIDELITY_DATASETS]
    bunches += [load_sarcos(data_home=data_home), load_school(data_home=data_home)]
    for bunch in bunches:
        assert fields <= set(bunch), sorted(fields - set(bunch))
        assert len(bunch.data) == len(bunch.target) == len(bunch.frame)
        assert bunch.source.startswith("file:")


@pytest.mark.skipif(
    not os.environ.get(DATA_HOME_ENV), reason=f"{DATA_HOME_ENV} not set (real data test)"
)
def test_real_auto_mpg_cut_in_half_is_refused(tmp_path, no_fetch):
    import shutil

    shutil.copy(Path(os.environ[DATA_HOME_ENV]) / "auto-mpg.csv", tmp_path)
    _truncate(tmp_path / "auto-mpg.csv")
    with pytest.raises(DataFileError, match="auto-mpg.csv has SHA-256 .* expected "
                       "998731a41b82"):
        load_auto_mpg(data_home=tmp_path)
    # the half of the lines, gzipped: the other name skips the checksum, not the row count
    lines = (Path(os.environ[DATA_HOME_ENV]) / "auto-mpg.csv").read_bytes().splitlines(True)
    (tmp_path / "auto-mpg.csv").unlink()
    with gzip.open(tmp_path / "auto-mpg.csv.gz", "wb") as f:
        f.writelines(lines[:199])
    with pytest.raises(DataFileError, match=r"auto-mpg\.csv\.gz has 198 data rows, expected 398"):
        load_auto_mpg(data_home=tmp_path)
