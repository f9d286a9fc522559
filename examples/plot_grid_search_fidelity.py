"""
======================================================================
Choosing the fidelity weight with GridSearchCV under a fidelity budget
======================================================================

Fidelity scorers plug into :class:`~sklearn.model_selection.GridSearchCV`:
here we cross-validate accuracy and global fidelity over ``fidelity_weight``, then refit
the most accurate model whose surrogate is faithful enough
(:func:`~skmtlx.metrics.best_within_fidelity`).
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skmtlx import FidelityMTLClassifier
from skmtlx.metrics import best_within_fidelity, global_fidelity_scorer

X, y = load_breast_cancer(return_X_y=True)

# The fidelity scorers see through a Pipeline to the fidelity estimator at its end.

pipe = make_pipeline(StandardScaler(), FidelityMTLClassifier(hidden_layer_sizes=(32,),
                                                             max_epochs=40, lr=3e-3,
                                                             random_state=0))
search = GridSearchCV(
    pipe,
    {"fidelitymtlclassifier__fidelity_weight": [0.9, 0.7, 0.5, 0.3, 0.1]},
    scoring={"accuracy": "accuracy", "gf": global_fidelity_scorer},
    refit=best_within_fidelity("accuracy", "gf", epsilon=0.005),
    cv=3,
).fit(X, y)

results = pd.DataFrame({
    "fidelity_weight": search.cv_results_["param_fidelitymtlclassifier__fidelity_weight"],
    "accuracy": search.cv_results_["mean_test_accuracy"],
    "global fidelity": -search.cv_results_["mean_test_gf"],
})
print(results)
print("chosen fidelity_weight:", search.best_params_["fidelitymtlclassifier__fidelity_weight"])

# %%
fig, ax = plt.subplots()
ax.plot(results["global fidelity"], results["accuracy"], "o-")
ax.axvline(0.005, color="grey", linestyle="--", label="fidelity budget")
best = results.iloc[search.best_index_]
ax.plot(best["global fidelity"], best["accuracy"], "*", markersize=15, label="refit choice")
ax.set_xlabel("global fidelity (CV mean)")
ax.set_ylabel("accuracy (CV mean)")
ax.legend()
plt.show()
