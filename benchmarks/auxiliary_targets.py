"""Auxiliary modalities as targets vs. as inputs, and main errors explained through them.

For each dataset three models share one network and training recipe:

* ``main-only``: an MLP on the main inputs X;
* ``multimodal``: the same MLP on X plus the modality columns (which it then needs
  at inference);
* ``aux-target``: :class:`~skmtlx.auxiliary.AuxiliaryTargetMTLRegressor` /
  ``Classifier`` on X, predicting the modality columns as auxiliary targets
  (``aux_weight=1`` and ``aux_weight="uncertainty"``).

The issue's targets: the aux-target model within 2% of the multimodal model's main
metric and no worse than main-only; and the error explanation (per-sample Spearman
correlation of main and auxiliary errors, AUROC of the auxiliary error for flagging
the large main errors: top 10% absolute errors in regression, misclassified samples
in classification) identifying the factor that drives the main error on a synthetic
generator, with an irrelevant auxiliary target as negative control.

Datasets (read from ``SKMTLX_DATA_HOME``, default ``../shared/data`` next to the repo):

* synthetic (:func:`skmtlx.datasets.make_auxiliary_regression`), swept along
  ``recoverable``, the fraction of the factor's variance the inputs can recover;
* California housing (StatLib, 20,640 block groups; regression of the median house
  value in $100k; random 75/25 split). Inputs: geography and the building stock
  (latitude, longitude, median house age, rooms and bedrooms per household), which
  can be observed without asking anyone. Modality: the census survey columns
  (median income, log population, log occupancy per household), which need a
  census and go stale between censuses;
* Adult (UCI census income, the official 32,561 / 16,281 train/test split; income
  > $50K, accuracy). Inputs: the employment record (workclass, education, occupation,
  capital gain and loss, hours per week). Modality: demographics (age, sex, race,
  marital status, relationship), i.e. the protected or sensitive attributes a
  deployed model should not need to collect.

On real data the negative control is an extra auxiliary target made of a randomly
permuted copy of the first modality column, trained with weight 0 so that it does
not change the shared trunk (its head is still fitted, so its error is a real
prediction error with the right marginal).

Run: ``SKMTLX_DATA_HOME=/work/shared/data python benchmarks/auxiliary_targets.py``
(``--quick`` for a smoke run, ``--seeds N`` to average more seeds).
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import accuracy_score, r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skmtlx.auxiliary import AuxiliaryTargetMTLClassifier, AuxiliaryTargetMTLRegressor
from skmtlx.datasets._auxiliary_synthetic import make_auxiliary_regression

TRAIN = dict(
    hidden_layer_sizes=(128, 64),
    lr=1e-3,
    batch_size=256,
    max_epochs=200,
    early_stopping=True,
    n_iter_no_change=10,
)


def _data_home():
    home = os.environ.get("SKMTLX_DATA_HOME")
    if home:
        return Path(home)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


# ---------------------------------------------------------------- datasets
def load_housing(seed):
    raw = pd.read_csv(_data_home() / "cal_housing.csv.gz")
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
    index = np.arange(len(y))
    train, test = train_test_split(index, test_size=0.25, random_state=seed)
    return X, y, aux, train, test


def load_adult(seed):
    raw = pd.read_csv(_data_home() / "adult.csv.gz")
    raw = raw.dropna(subset=["workclass", "occupation"]).reset_index(drop=True)
    X = pd.get_dummies(
        raw[["workclass", "occupation", "education-num", "capital-gain", "capital-loss",
             "hours-per-week"]].assign(
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
            "marital-status": raw["marital-status"],
            "relationship": raw["relationship"],
        }
    )
    y = (raw["income"] == ">50K").to_numpy(dtype=int)
    train = np.flatnonzero(raw["split"] == "train")
    test = np.flatnonzero(raw["split"] == "test")
    return X, y, aux, train, test


def _modality_as_inputs(aux_train, aux_test):
    """One-hot / standardised modality columns for the multimodal baseline."""
    both = pd.get_dummies(pd.concat([aux_train, aux_test]), dtype=float)
    return both.iloc[: len(aux_train)].to_numpy(), both.iloc[len(aux_train):].to_numpy()


# ------------------------------------------------------------------ models
def _metric(task, model, X, y):
    if task == "regression":
        return {"R2": r2_score(y, model.predict(X))}
    return {
        "accuracy": accuracy_score(y, model.predict(X)),
        "ROC AUC": roc_auc_score(y, model.predict_proba(X)[:, 1]),
    }


def run_dataset(name, task, loader, seeds, control, uncertainty=True):
    Estimator = (
        AuxiliaryTargetMTLRegressor if task == "regression" else AuxiliaryTargetMTLClassifier
    )
    rows, summaries = [], []
    for seed in seeds:
        X, y, aux, train, test = loader(seed)
        X = np.asarray(X, dtype=float)
        scaler = StandardScaler().fit(X[train])
        X_tr, X_te = scaler.transform(X[train]), scaler.transform(X[test])
        aux_tr = aux.iloc[train].reset_index(drop=True)
        aux_te = aux.iloc[test].reset_index(drop=True)
        y_tr, y_te = y[train], y[test]
        M_tr, M_te = _modality_as_inputs(aux_tr, aux_te)
        mscaler = StandardScaler().fit(M_tr)
        XM_tr = np.c_[X_tr, mscaler.transform(M_tr)]
        XM_te = np.c_[X_te, mscaler.transform(M_te)]
        weights = [1.0] * aux.shape[1]
        if control:
            rng = np.random.RandomState(seed)
            first = aux.columns[0]
            aux_tr = aux_tr.assign(control=rng.permutation(aux_tr[first].to_numpy()))
            aux_te = aux_te.assign(control=rng.permutation(aux_te[first].to_numpy()))
            weights = weights + [0.0]

        def fit(label, Xa, Xb, aux_weight=None, with_aux=False):
            start = time.perf_counter()
            params = dict(TRAIN, random_state=seed)
            if with_aux:
                model = Estimator(aux_weight=aux_weight, **params).fit(Xa, y_tr, aux=aux_tr)
            else:
                model = Estimator(missing_aux="main_only", **params).fit(Xa, y_tr)
            row = {"dataset": name, "model": label, "seed": seed, **_metric(task, model, Xb, y_te),
                   "epochs": model.n_iter_, "fit_s": time.perf_counter() - start}
            rows.append(row)
            return model

        fit("main-only", X_tr, X_te)
        fit("multimodal", XM_tr, XM_te)
        model = fit("aux-target (w=1)", X_tr, X_te, aux_weight=weights, with_aux=True)
        if uncertainty:
            fit("aux-target (uncertainty)", X_tr, X_te, aux_weight="uncertainty", with_aux=True)
        summary = model.explain_errors(X_te, y_te, aux_te).summary
        summaries.append(summary.assign(seed=seed))
    return pd.DataFrame(rows), pd.concat(summaries)


def synthetic_loader(recoverable, n_samples):
    def loader(seed):
        X, y, aux = make_auxiliary_regression(
            n_samples=n_samples, recoverable=recoverable, random_state=seed
        )
        index = np.arange(n_samples)
        train, test = train_test_split(index, test_size=0.25, random_state=seed)
        return X, y, aux, train, test

    return loader


# -------------------------------------------------------------------- report
def report_metrics(results, metric):
    table = results.groupby("model", sort=False)[[metric, "epochs", "fit_s"]].agg(["mean", "std"])
    print(table.round(4).to_string())
    means = results.groupby("model", sort=False)[metric].mean()
    mm, mo = means["multimodal"], means["main-only"]
    for label in [m for m in means.index if m.startswith("aux-target")]:
        gap_mm = (means[label] - mm) / abs(mm)
        gap_mo = means[label] - mo
        print(
            f"  {label}: {100 * gap_mm:+.2f}% vs multimodal "
            f"({'within' if gap_mm >= -0.02 else 'NOT within'} 2%), "
            f"{gap_mo:+.4f} vs main-only ({'no worse' if gap_mo >= 0 else 'worse'})"
        )


def report_explanation(summaries):
    cols = ["spearman", "auroc", "lift", "aux_score"]
    table = summaries.groupby(level=0, sort=False)[cols].mean()
    print(table.round(3).to_string())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="tiny smoke run")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    start = time.perf_counter()
    seeds = list(range(args.seeds))
    if args.quick:
        TRAIN["max_epochs"] = 5

    print("== synthetic: main error driven by a known factor (aux: factor, control) ==")
    n_synth = 1000 if args.quick else 4000
    for recoverable in [0.0, 0.5, 0.9, 1.0]:
        results, summaries = run_dataset(
            f"synthetic r={recoverable}", "regression", synthetic_loader(recoverable, n_synth),
            seeds, control=False,
        )
        print(f"-- recoverable={recoverable}: test R2 (mean, std over {len(seeds)} seeds)")
        report_metrics(results, "R2")
        print("   error explanation of the aux-target (w=1) model on the test set:")
        report_explanation(summaries)

    if not args.skip_real:
        for name, task, loader, metric in [
            ("california housing", "regression", load_housing, "R2"),
            ("adult", "classification", load_adult, "accuracy"),
        ]:
            try:
                results, summaries = run_dataset(name, task, loader, seeds, control=True)
            except FileNotFoundError as exc:
                print(f"== {name}: skipped, data not found ({exc}) ==")
                continue
            print(f"== {name}: test {metric} (mean, std over {len(seeds)} seeds) ==")
            report_metrics(results, metric)
            if task == "classification":
                print("   test ROC AUC (mean over seeds):")
                print(results.groupby("model", sort=False)["ROC AUC"].mean().round(4).to_string())
            print(
                "   error explanation (aux-target w=1 model; "
                "'control' = permuted copy, weight 0):"
            )
            report_explanation(summaries)
    print(f"total wall time: {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
