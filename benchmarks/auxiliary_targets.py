"""Auxiliary modalities as targets vs. as inputs, and main errors explained through them.

For every data set, three models share one network family and one training
recipe (Adam, early stopping on a validation split of the training rows), and
the **same tuning budget**: each picks the best of ``K`` configurations by the
main loss on an internal validation split of the training set (grouped by
subject where rows are grouped), never on the test set:

* ``main-only``: an MLP on the main inputs X
  (grid: trunk width x weight decay);
* ``multimodal``: the same MLP on X plus the modality columns, which it then
  needs at inference (same grid);
* ``aux-target``: :class:`~skmtlx.auxiliary.AuxiliaryTargetMTLRegressor` /
  ``Classifier`` on X, predicting the modality columns as auxiliary targets
  (grid: trunk width x the weight of every auxiliary loss, 0.1, 0.3 or 1).

Each model is the configuration selected on the internal split, as fitted on the
internal training rows (no refit), and is scored once on the test set.

The issue's targets: the aux-target model's main metric within 2% of the
multimodal model's, and no worse than main-only; and the error explanation
(per-sample Spearman correlation of main and auxiliary errors, AUROC of the
auxiliary error for flagging the large main errors: top 10% absolute errors in
regression, misclassified samples in classification) identifying the factor
that drives the main error on a synthetic generator, against a negative control.

Data sets (read from ``SKMTLX_DATA_HOME``, default ``../shared/data`` next to
the repository). In each, the modality is a group of columns that is plausibly
*unavailable at deployment* (a survey, a clinical exam, a second instrument, a
lab assay), and the inputs are what a deployed model can cheaply have:

* synthetic (:func:`skmtlx.datasets.make_auxiliary_regression`) along
  ``recoverable``, the fraction of the factor's variance the inputs can recover;
  its ``control`` auxiliary target is the negative control;
* California housing (StatLib, 20,640 block groups, median house value,
  :math:`R^2`, random 75/25 split). Inputs: geography and building stock
  (latitude, longitude, median age, log rooms and bedrooms per household),
  observable without asking anyone. Modality: the census survey block (median
  income, log population, log occupancy per household);
* Adult (UCI census income, official train/test split, income > $50K,
  accuracy). Inputs: the employment record (workclass, education, occupation,
  capital gain/loss, hours per week). Modality: demographics (age, sex, race,
  marital status, relationship), sensitive attributes a deployed model should
  not need to collect;
* Parkinsons telemonitoring (UCI, 5,875 home voice recordings of 42 patients;
  total UPDRS, :math:`R^2`; **split by subject**, 25% of the patients held
  out, so the test patients are unseen). Inputs: what the at-home device
  records (16 voice measures, test time) plus age and sex. Modality: the
  clinician-rated motor examination ``motor_UPDRS`` (UPDRS part III), which
  needs a clinic visit; total UPDRS adds the mentation and daily-living parts;
* SARCOS inverse dynamics (GPML test split, 4,449 rows; torque of joint 1,
  :math:`R^2`, random split). Inputs: the 21 joint positions, velocities and
  accelerations (known in advance for a planned trajectory). Modality: the
  torques measured on the six other joints, a second instrument that is read
  only after the motion, so it cannot feed a feed-forward controller; they
  are largely, not entirely, predictable from the state (the paper's setting);
* Auto MPG (UCI, 392 cars; mpg, :math:`R^2`, random split). Inputs: the spec
  sheet (cylinders, displacement, weight, model year, origin). Modality: the
  measured performance (horsepower and 0-60 acceleration: dynamometer and
  track tests);
* Red wine quality (UCI, 1,599 wines; quality score as regression,
  :math:`R^2`, random split). Inputs: the routine cellar measurements
  (alcohol, pH, density, residual sugar, fixed acidity). Modality: the lab
  assays (volatile acidity, citric acid, chlorides, free and total sulfur
  dioxide, sulphates).

The training sets of California housing and Adult are subsampled to
``--max-train`` rows per seed (default 4000; the test sets are complete) to keep
the run under ten minutes on two CPU cores; ``--max-train 0`` uses every row.

On real data the negative control is an extra auxiliary target made of a
randomly permuted copy of the first modality column, with weight 0 (its head is
fitted, so its error is a real prediction error with the right marginal, but it
does not shape the trunk).

Run: ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/auxiliary_targets.py``
(``--seeds N``, default 5; ``--quick`` for a smoke run; ``--only NAME`` for
one data set).
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error, r2_score
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.preprocessing import StandardScaler

from _common import finish_run, start_run
from skmtlx.auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from skmtlx.datasets import make_auxiliary_regression

TRAIN = dict(
    lr=2e-3,
    batch_size=256,
    max_epochs=100,
    early_stopping=True,
    validation_fraction=0.15,
    n_iter_no_change=10,
)
WIDTHS = [(64, 64), (256, 128)]
# the same number of configurations for every model: trunk width x one knob each
BASELINE_GRID = [dict(hidden_layer_sizes=h, weight_decay=wd) for h in WIDTHS
                 for wd in (0.0, 1e-4, 1e-3)]
AUX_GRID = [dict(hidden_layer_sizes=h, aux_weight=w) for h in WIDTHS for w in (0.1, 0.3, 1.0)]
INNER_VALID = 0.2


def _data_home():
    home = os.environ.get("SKMTLX_DATA_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def _read(name, **kwargs):
    return pd.read_csv(_data_home() / name, **kwargs)


def _random_split(n, seed, test_size=0.25):
    return train_test_split(np.arange(n), test_size=test_size, random_state=seed)


# ---------------------------------------------------------------- datasets
# every loader returns X (DataFrame), y, aux (DataFrame), train, test, groups
def load_housing(seed):
    raw = _read("cal_housing.csv.gz")
    households = raw["households"]
    X = pd.DataFrame(
        {
            "Latitude": raw["latitude"],
            "Longitude": raw["longitude"],
            "HouseAge": raw["housingMedianAge"],
            "AveRooms": np.log(raw["totalRooms"] / households),
            "AveBedrms": np.log(raw["totalBedrooms"] / households),
        }
    )
    aux = pd.DataFrame(
        {
            "MedInc": raw["medianIncome"].astype(float),
            "logPopulation": np.log(raw["population"].astype(float)),
            "logAveOccup": np.log(raw["population"] / households),
        }
    )
    y = raw["medianHouseValue"].to_numpy(dtype=float) / 1e5
    return (X, y, aux, *_random_split(len(y), seed), None)


def load_adult(seed):
    raw = _read("adult.csv.gz")
    raw = raw.dropna(subset=["workclass", "occupation"]).reset_index(drop=True)
    X = pd.get_dummies(
        raw[["workclass", "occupation", "education-num", "hours-per-week"]].assign(
            **{"capital-gain": np.log1p(raw["capital-gain"]),
               "capital-loss": np.log1p(raw["capital-loss"])}
        ),
        columns=["workclass", "occupation"],
        dtype=float,
    )
    aux = pd.DataFrame(
        {
            "age": raw["age"].astype(float),
            "sex": raw["sex"],
            "race": raw["race"],
            # 32 of 46,033 rows: merged so that a subsampled training set sees every label
            "marital-status": raw["marital-status"].replace(
                {"Married-AF-spouse": "Married-civ-spouse"}),
            "relationship": raw["relationship"],
        }
    )
    y = (raw["income"] == ">50K").to_numpy(dtype=int)
    train = np.flatnonzero(raw["split"] == "train")
    test = np.flatnonzero(raw["split"] == "test")
    return X, y, aux, train, test, None


def load_parkinsons(seed):
    raw = _read("parkinsons_updrs.csv.gz")
    voice = list(raw.columns[6:])
    X = raw[["age", "sex", "test_time", *voice]].astype(float)
    aux = raw[["motor_UPDRS"]].astype(float)
    y = raw["total_UPDRS"].to_numpy(dtype=float)
    groups = raw["subject#"].to_numpy()
    split = GroupShuffleSplit(n_splits=1, test_size=0.25, random_state=seed)
    train, test = next(split.split(X, y, groups))
    return X, y, aux, train, test, groups


def load_sarcos(seed):
    raw = _read("sarcos_inv_test.csv.gz")
    inputs = [f"{kind}_{j}" for kind in ("pos", "vel", "acc") for j in range(1, 8)]
    X = raw[inputs].astype(float)
    aux = raw[[f"torque_{j}" for j in range(2, 8)]].astype(float)
    y = raw["torque_1"].to_numpy(dtype=float)
    return (X, y, aux, *_random_split(len(y), seed), None)


def load_auto_mpg(seed):
    raw = _read("auto-mpg.csv").dropna(subset=["horsepower"]).reset_index(drop=True)
    X = pd.get_dummies(
        raw[["cylinders", "displacement", "weight", "model_year", "origin"]].astype(
            {"origin": str}
        ),
        columns=["origin"],
        dtype=float,
    )
    X[["displacement", "weight"]] = np.log(X[["displacement", "weight"]])
    aux = raw[["horsepower", "acceleration"]].astype(float)
    y = raw["mpg"].to_numpy(dtype=float)
    return (X, y, aux, *_random_split(len(y), seed), None)


def load_wine(seed):
    raw = _read("winequality-red.csv")
    X = raw[["alcohol", "pH", "density", "residual sugar", "fixed acidity"]].astype(float)
    aux = raw[["volatile acidity", "citric acid", "chlorides", "free sulfur dioxide",
               "total sulfur dioxide", "sulphates"]].astype(float)
    y = raw["quality"].to_numpy(dtype=float)
    return (X, y, aux, *_random_split(len(y), seed), None)


def synthetic_loader(recoverable, n_samples):
    def loader(seed):
        X, y, aux = make_auxiliary_regression(
            n_samples=n_samples, recoverable=recoverable, random_state=seed
        )
        return (pd.DataFrame(X), y, aux, *_random_split(n_samples, seed), None)

    return loader


def _modality_as_inputs(aux_train, aux_test):
    """One-hot / standardised modality columns for the multimodal baseline."""
    both = pd.get_dummies(pd.concat([aux_train, aux_test]), dtype=float)
    M_tr, M_te = both.iloc[: len(aux_train)].to_numpy(), both.iloc[len(aux_train):].to_numpy()
    scaler = StandardScaler().fit(M_tr)
    return scaler.transform(M_tr), scaler.transform(M_te)


# ------------------------------------------------------------------ models
def _main_loss(task, model, X, y):
    if task == "regression":
        return mean_squared_error(y, model.predict(X))
    return log_loss(y, model.predict_proba(X), labels=model.classes_)


def _metric(task, model, X, y):
    if task == "regression":
        return r2_score(y, model.predict(X))
    return accuracy_score(y, model.predict(X))


def _select(Estimator, grid, task, seed, X, y, inner, aux=None, control=False):
    """Fit every configuration on the inner training rows; keep the best by the
    main loss on the inner validation rows."""
    fit_rows, val_rows = inner
    best, best_loss, best_config = None, np.inf, None
    for config in grid:
        params = dict(TRAIN, **config, random_state=seed)
        if aux is None:
            model = Estimator(missing_aux="main_only", **params)
            model.fit(X[fit_rows], y[fit_rows])
        else:
            weight = params.pop("aux_weight")
            n_modal = aux.shape[1] - int(control)
            weight = [weight] * n_modal + [0.0] * int(control)
            model = Estimator(aux_weight=weight, **params)
            model.fit(X[fit_rows], y[fit_rows], aux=aux.iloc[fit_rows])
        loss = _main_loss(task, model, X[val_rows], y[val_rows])
        if loss < best_loss:
            best, best_loss, best_config = model, loss, config
    return best, best_config


def _describe(config):
    width = "x".join(map(str, config["hidden_layer_sizes"]))
    if "aux_weight" in config:
        knob = f"w={config['aux_weight']:g}"
    else:
        knob = f"wd={config['weight_decay']:g}"
    return f"{width},{knob}"


def run_dataset(name, task, loader, seeds, control, max_train):
    Estimator = (
        AuxiliaryTargetMTLRegressor if task == "regression" else AuxiliaryTargetMTLClassifier
    )
    rows, summaries = [], []
    for seed in seeds:
        X, y, aux, train, test, groups = loader(seed)
        rng = np.random.RandomState(seed)
        if max_train and len(train) > max_train:
            train = np.sort(rng.choice(train, max_train, replace=False))
        X = X.to_numpy(dtype=float)
        scaler = StandardScaler().fit(X[train])
        X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
        y_tr, y_te = y[train], y[test]
        aux_tr = aux.iloc[train].reset_index(drop=True)
        aux_te = aux.iloc[test].reset_index(drop=True)
        M_tr, M_te = _modality_as_inputs(aux_tr, aux_te)
        XM_tr, XM_te = np.c_[X_tr, M_tr], np.c_[X_te, M_te]
        if control:
            first = aux.columns[0]
            aux_tr = aux_tr.assign(control=rng.permutation(aux_tr[first].to_numpy()))
            aux_te = aux_te.assign(control=rng.permutation(aux_te[first].to_numpy()))
        # internal validation split of the training rows (by group where grouped)
        if groups is None:
            inner = train_test_split(np.arange(len(train)), test_size=INNER_VALID,
                                     random_state=seed)
        else:
            inner = next(GroupShuffleSplit(1, test_size=INNER_VALID, random_state=seed).split(
                X_tr, y_tr, groups[train]))

        models = {}
        for label, Xa, Xb, grid, with_aux in [
            ("main-only", X_tr, X_te, BASELINE_GRID, False),
            ("multimodal", XM_tr, XM_te, BASELINE_GRID, False),
            ("aux-target", X_tr, X_te, AUX_GRID, True),
        ]:
            start = time.perf_counter()
            model, config = _select(Estimator, grid, task, seed, Xa, y_tr, inner,
                                    aux=aux_tr if with_aux else None, control=control)
            models[label] = model
            rows.append({"dataset": name, "model": label, "seed": seed,
                         "metric": _metric(task, model, Xb, y_te), "config": _describe(config),
                         "epochs": model.n_iter_, "fit_s": time.perf_counter() - start})
        summary = models["aux-target"].explain_errors(X_te, y_te, aux_te).summary
        summaries.append(summary.assign(seed=seed))
    return pd.DataFrame(rows), pd.concat(summaries)


# -------------------------------------------------------------------- report
def report_metrics(results, metric_name):
    means = results.groupby("model", sort=False)["metric"].mean()
    stds = results.groupby("model", sort=False)["metric"].std(ddof=1).fillna(0.0)
    configs = results.groupby("model", sort=False)["config"].agg(
        lambda c: ", ".join(f"{k} x{v}" for k, v in c.value_counts().items()))
    fit_s = results.groupby("model", sort=False)["fit_s"].sum()
    for label in means.index:
        print(f"  {label:11s} {metric_name} {means[label]:.3f} +- {stds[label]:.3f}"
              f"   [selected: {configs[label]}; tuning {fit_s[label]:.0f} s]")
    per_seed = results.pivot(index="seed", columns="model", values="metric")
    aux, mm, mo = per_seed["aux-target"], per_seed["multimodal"], per_seed["main-only"]
    gap_mm = 100 * (aux - mm) / mm.abs()
    gap_mo = aux - mo
    within = gap_mm.mean() >= -2.0
    no_worse = gap_mo.mean() >= 0.0
    # paired over seeds: a deficit smaller than two standard errors is within noise
    noise = 2 * gap_mo.std(ddof=1) / np.sqrt(len(gap_mo)) if len(gap_mo) > 1 else 0.0
    verdict = "no worse" if no_worse else (
        "worse, within noise" if -gap_mo.mean() < noise else "worse")
    print(f"  aux-target vs multimodal: {gap_mm.mean():+.2f}% +- {gap_mm.std(ddof=1):.2f}"
          f" -> {'within' if within else 'NOT within'} 2%;"
          f" vs main-only (paired): {gap_mo.mean():+.4f} +- {gap_mo.std(ddof=1):.4f}"
          f" -> {verdict}")
    return within, verdict


def report_explanation(summaries):
    cols = ["spearman", "auroc", "lift", "aux_score"]
    table = summaries.groupby(level=0, sort=False)[cols].agg(["mean", "std"])
    table.columns = [f"{a}_{b}" for a, b in table.columns]
    print(table.round(3).to_string())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--max-train", type=int, default=4000,
                        help="training rows per seed for the large sets (0: all)")
    parser.add_argument("--only", default=None, help="run the data sets whose name has this")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    clock = start_run()
    seeds = list(range(args.seeds))
    if args.quick:
        TRAIN["max_epochs"] = 3

    n_synth = 600 if args.quick else 2000
    datasets = [
        (f"synthetic r={r}", "regression", synthetic_loader(r, n_synth), "R2", False)
        for r in (0.0, 0.5, 1.0)
    ] + [
        ("california housing", "regression", load_housing, "R2", True),
        ("adult", "classification", load_adult, "accuracy", True),
        ("parkinsons", "regression", load_parkinsons, "R2", True),
        ("sarcos", "regression", load_sarcos, "R2", True),
        ("auto mpg", "regression", load_auto_mpg, "R2", True),
        ("wine quality", "regression", load_wine, "R2", True),
    ]
    verdicts = []
    for name, task, loader, metric, control in datasets:
        if args.only and args.only not in name:
            continue
        t0 = time.perf_counter()
        try:
            results, summaries = run_dataset(name, task, loader, seeds, control,
                                             args.max_train)
        except FileNotFoundError as exc:
            print(f"== {name}: skipped, data not found ({exc}) ==")
            continue
        print(f"== {name}: test {metric}, mean +- std over {len(seeds)} seeds "
              f"({time.perf_counter() - t0:.0f} s) ==")
        within, no_worse = report_metrics(results, metric)
        verdicts.append((name, within, no_worse))
        print("  error explanation of the aux-target model on the test set"
              + (" ('control': permuted copy of the first modality column):" if control
                 else ":"))
        report_explanation(summaries)
    print("== summary: aux-target within 2% of multimodal / no worse than main-only ==")
    for name, within, no_worse in verdicts:
        print(f"  {name:20s} {'yes' if within else 'NO ':3s} / {no_worse}")
    finish_run(clock)


if __name__ == "__main__":
    main()
