"""
=======================================================
The accuracy-fidelity front on a real dataset
=======================================================

:class:`~skmtlx.plotting.FidelityTradeoffDisplay` fits the fidelity MTL over
a grid of fidelity weights plus the post-hoc baseline and draws the front,
circling the Pareto-optimal weights (the paper's Figure 3). We use the Auto MPG data with the
paper's preprocessing when it is available (``SKMTLX_DATA_HOME`` or OpenML),
and the diabetes data bundled with scikit-learn otherwise.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import scale

from skmtlx import FidelityMTLRegressor
from skmtlx.datasets import DataNotFoundError, load_auto_mpg
from skmtlx.plotting import FidelityTradeoffDisplay

try:
    data = load_auto_mpg().paper  # the paper's preprocessing, fitted on the training rows
    X_train, X_test, y_train, y_test = data.X_train, data.X_test, data.y_train, data.y_test
    name = "Auto MPG"
except (DataNotFoundError, OSError):
    X, y = load_diabetes(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(scale(X), scale(y), random_state=0)
    name = "diabetes"

display = FidelityTradeoffDisplay.from_estimator(
    FidelityMTLRegressor(hidden_layer_sizes=(64, 32), lr=3e-3, max_epochs=80, random_state=0),
    X_train, y_train, X_test, y_test, fidelity_weights=(0.9, 0.7, 0.5, 0.3, 0.1),
)
display.ax_.set_title(f"{name}: test MSE vs global fidelity")
print(display.frame[["model", "fidelity_weight", "score", "gf", "r2_fg"]].round(4))
plt.show()
