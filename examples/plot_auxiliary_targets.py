"""
=========================================================
Auxiliary modalities as targets, and errors explained
=========================================================

A multimodal model needs every modality at inference. An
:class:`~skmtlx.auxiliary.AuxiliaryTargetMTLRegressor` instead *predicts* the
modality as auxiliary targets from the main inputs: the modality is needed only
for training, and where the main prediction fails, the auxiliary prediction
tends to fail too, which explains the main errors.

We use :func:`~skmtlx.datasets.make_auxiliary_regression`, where a known factor
(the auxiliary target ``factor``) drives the main error, and an irrelevant
auxiliary target ``control`` serves as a negative control.
"""

# %%
# Data: a factor the inputs cannot see
# ------------------------------------
# ``recoverable=0`` means the inputs ``X`` carry no information about the factor;
# the factor still moves the main target.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from skmtlx.auxiliary import AuxiliaryTargetMTLRegressor
from skmtlx.datasets import make_auxiliary_regression

X, y, aux = make_auxiliary_regression(n_samples=2000, recoverable=0.0, random_state=0)
X_train, X_test, y_train, y_test, aux_train, aux_test = train_test_split(
    X, y, aux, test_size=0.5, random_state=0
)
aux.head()

# %%
# Three models
# ------------
# The auxiliary-target model gets ``aux`` at fit only. The main-only baseline
# is the same network without auxiliary heads (``missing_aux="main_only"``), the
# multimodal baseline the same network with the modality appended to its inputs.
params = dict(hidden_layer_sizes=(64,), max_epochs=40, lr=0.005, random_state=0)
aux_model = AuxiliaryTargetMTLRegressor(**params).fit(X_train, y_train, aux=aux_train)
main_only = AuxiliaryTargetMTLRegressor(missing_aux="main_only", **params).fit(X_train, y_train)
multimodal = AuxiliaryTargetMTLRegressor(missing_aux="main_only", **params).fit(
    np.c_[X_train, aux_train], y_train
)
print(f"main-only  R2: {main_only.score(X_test, y_test):.3f}")
print(f"aux-target R2: {aux_model.score(X_test, y_test):.3f}  (needs only X)")
print(f"multimodal R2: {multimodal.score(np.c_[X_test, aux_test], y_test):.3f}  (needs aux)")

# %%
# The auxiliary-target model predicts from ``X`` alone and matches the
# main-only model, while the multimodal one is far better: the factor carries
# information ``X`` lacks. Predicting a modality cannot bring that information
# back at inference; what it brings is an *explanation*.
aux_model.predict_aux(X_test[:5])

# %%
# Explaining the main errors
# --------------------------
# :meth:`~skmtlx.auxiliary.AuxiliaryTargetMTLRegressor.explain_errors` compares,
# per sample, the main error with each auxiliary error. The ``auroc`` column is
# how well an auxiliary error flags the 10% largest main errors (0.5 is chance).
explanation = aux_model.explain_errors(X_test, y_test, aux_test)
explanation.summary

# %%
# ``factor`` is identified; the negative control ``control`` is at chance.
print("auxiliary target that best flags main failures:", explanation.best_aux)

fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
explanation.plot(ax=axes[0])
explanation.plot(kind="scatter", aux_name="factor", ax=axes[1])
fig.tight_layout()

# %%
# Per sample, ``worst_aux`` names the auxiliary target with the most unusual
# error, and ``<name>_far_off`` flags auxiliary predictions in their own top
# 10% of errors.
explanation.per_sample.sort_values("main_error", ascending=False).head()

# %%
# When the inputs recover the factor
# -----------------------------------
# With ``recoverable`` close to 1 the three models agree on accuracy, and the
# factor explains less of the main error (what the inputs know, the model
# uses). Both facts come from the same place: an auxiliary target explains
# main errors exactly insofar as it carries information the inputs miss.
for recoverable in [0.0, 0.5, 0.9]:
    X, y, aux = make_auxiliary_regression(n_samples=2000, recoverable=recoverable, random_state=0)
    split = train_test_split(X, y, aux, test_size=0.5, random_state=0)
    X_train, X_test, y_train, y_test, aux_train, aux_test = split
    model = AuxiliaryTargetMTLRegressor(**params).fit(X_train, y_train, aux=aux_train)
    summary = model.explain_errors(X_test, y_test, aux_test).summary
    print(
        f"recoverable={recoverable}: R2={model.score(X_test, y_test):.3f}, "
        f"AUROC factor={summary.loc['factor', 'auroc']:.2f}, "
        f"control={summary.loc['control', 'auroc']:.2f}"
    )

# %%
# Which features does each head lean on?
# --------------------------------------
# :meth:`~skmtlx.auxiliary.AuxiliaryTargetMTLRegressor.explain` attributes the
# main prediction *and* every auxiliary head to the inputs (a linear surrogate
# of every head, trained with the network). Comparing the main head's global
# importances with a modality's shows whether the main prediction leans on the
# same features as that modality.
explanation = aux_model.explain(X_test)
importances = pd.DataFrame({name: explanation.global_importances(name)
                            for name in explanation.output_names})
print(importances.round(3))
explanation.plot("bar", output="y")
plt.show()
