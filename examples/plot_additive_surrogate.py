"""
=============================================================
An additive surrogate: shape functions that explain the MLP
=============================================================

A linear surrogate can only follow a black box that is nearly linear, so a
faithful linear explanation costs accuracy. With ``surrogate="additive"``
the surrogate is ``g(x) = b + sum_j s_j(x_j)``, one spline shape function per
feature, trained jointly with the MLP ``f``: the explanation stays readable
one feature at a time, and ``f`` may bend. We compare the two families on the
diabetes data (real patients, bundled with scikit-learn) at the same fidelity
weight, then read the shape functions beside the black box's partial
dependence, and add pairwise interaction terms.
"""

# %%
# Data and the two surrogate families
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skmtlx import FidelityMTLRegressor
from skmtlx.metrics import global_fidelity
from skmtlx.plotting import InteractionDisplay, ShapeFunctionDisplay

X, y = load_diabetes(return_X_y=True, as_frame=True)
y = (y - y.mean()) / y.std()
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
scaler = StandardScaler().set_output(transform="pandas").fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

models = {
    surrogate: FidelityMTLRegressor(surrogate=surrogate, fidelity_weight=0.8, max_epochs=100,
                                    random_state=0).fit(X_train, y_train)
    for surrogate in ("linear", "additive")
}
for surrogate, model in models.items():
    print(f"{surrogate:>8}: test MSE of f {mean_squared_error(y_test, model.predict(X_test)):.3f}"
          f", of g {mean_squared_error(y_test, model.predict_surrogate(X_test)):.3f}"
          f", global fidelity {global_fidelity(model, X_test):.4f}")

# %%
# Reading the shape functions
# ---------------------------
# Each panel is one feature's contribution to the prediction (standardized
# disease progression), centred on the training patients: the explanation of a
# patient is the sum of the curves at their feature values. The dashed line is
# the black box's partial dependence on that feature: where the two part, ``f``
# uses something (typically an interaction) that ``g`` does not show. Ticks at
# the bottom mark the deciles of the feature, where the curves are supported
# by data.
additive = models["additive"]
display = ShapeFunctionDisplay.from_estimator(
    additive, X_train, features=["bmi", "bp", "s5", "s1", "age", "sex"]
)

# %%
# The same numbers as data, and per-patient attributions
# -------------------------------------------------------
# ``shape_functions`` gives the curves as a table; ``explain`` gives each
# row's contributions (exact Shapley values of the additive surrogate), which
# add up to ``g(x)``.
shapes = additive.shape_functions(X_train)
print(shapes[shapes["feature"] == "bmi"].iloc[::10].round(3))
explanation = additive.explain(X_test.iloc[:1])
print("g(x) =", np.round(explanation.base_values[0] + explanation.values.sum(), 3),
      "=", np.round(additive.predict_surrogate(X_test.iloc[:1])[0], 3))
explanation.plot("waterfall", index=0)

# %%
# Pairwise interactions
# ---------------------
# ``interactions=k`` adds the ``k`` pairs of features whose residuals interact
# most (a GA2M model, as EBM's default). Each pair is a surface, drawn as a
# heatmap on one colour scale; it averages to zero over either feature, so
# the shape functions above keep their meaning, and ``explain`` gives half of
# a pair's contribution to each of its features. Whether pairs pay off is an
# empirical question: on a table as small as this one they may not, so compare
# the test errors (or choose ``interactions`` by cross-validation, as any
# other parameter).
pairs = FidelityMTLRegressor(surrogate="additive", interactions=2, fidelity_weight=0.8,
                             max_epochs=100, random_state=0).fit(X_train, y_train)
print("pairs:", [(X.columns[j], X.columns[k])
                 for j, k in pairs.surrogate_basis_.terms_[X.shape[1]:]])
print(f"test MSE of g with pairs {mean_squared_error(y_test, pairs.predict_surrogate(X_test)):.3f}"
      f", global fidelity {global_fidelity(pairs, X_test):.4f}")
InteractionDisplay.from_estimator(pairs, X_train)
plt.show()
