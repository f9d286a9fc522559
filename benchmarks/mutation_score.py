"""Mutation score of the test suite on the library's numerical cores.

Each mutant is one plausible bug planted by hand in a core module (an operator
swapped, a term dropped, ``alpha`` and ``1 - alpha`` exchanged, a constraint
row left out, an off-by-one, a wrong reference point, an argument ignored...).
Every mutant is applied, one at a time, to a temporary copy of the package and
its tests (never to the working tree) and the tests of the module's family run
on that copy with ``pytest <tests> -x -q -p no:xdist`` (in a fork of a server that
has imported the third-party modules once), fastest test
first (as timed on the unmutated copy), so that a killed mutant stops early: the
mutant is *killed* when they fail (or time out), *survived* when they pass. A mutant whose
original text is no longer in the module (the code changed since the list was
written) is reported as *not applicable* and left out of the score; so is a
mutant marked equivalent (its reason is printed). The unmutated copy is run
first: a family whose tests fail without any mutant is skipped.

The score of a module is killed / (killed + survived). The list is curated
rather than generated (as mutmut would) so that every mutant is a bug someone
could plausibly write, the run is reproducible, and it fits in minutes. Run::

    OMP_NUM_THREADS=1 python benchmarks/mutation_score.py            # every module
    python benchmarks/mutation_score.py --list                       # the mutants only
    python benchmarks/mutation_score.py --module grouping/_solver.py # one module (substring)
    python benchmarks/mutation_score.py --checkout /path/to/other/checkout

``--checkout`` measures another checkout (its package and its tests, e.g. an
older commit to compare scores), with this script's list of mutants: where a
mutant's text is not found, the text of the same bug in the code before the
merges of issues 28-34 (``earlier``) is tried, else the mutant is not
applicable there; a family's test module the checkout lacks is left out.
``--list --checkout PATH`` marks the mutants that do not apply to PATH.
"""

import argparse
import multiprocessing
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import namedtuple
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

Mutant = namedtuple("Mutant", "name edits description equivalent earlier",
                    defaults=(None, ()))
"""``edits``: ``(old, new)`` replacements, each ``old`` found exactly once in the module;
``earlier``: the same bug's edits in the code before issue 34's merges (main at 4114c2b),
tried when ``edits`` do not apply, so that ``--checkout`` can score that code."""

Module = namedtuple("Module", "path tests mutants")


def M(name, old, new, description, equivalent=None, earlier=None):
    def pairs(old, new):
        return [(old, new)] if isinstance(old, str) else list(zip(old, new))

    return Mutant(name, pairs(old, new), description, equivalent,
                  pairs(*earlier) if earlier else ())


FIDELITY_TESTS = ["tests/test_fidelity.py", "tests/test_explanation.py"]
"""The fidelity estimators' tests and the explanation tests (which explain their surrogates)."""
METRICS_TESTS = ["tests/test_metrics.py"]

MODULES = [
    Module("skmtlx/_surrogate.py", FIDELITY_TESTS, [
        M("weight-swap", 'torch.lerp(terms["loss"], fidelity, self.fidelity_weight)',
          'torch.lerp(fidelity, terms["loss"], self.fidelity_weight)',
          "fidelity_weight and 1 - fidelity_weight exchanged in the objective (lerp's ends)"),
        M("no-link", "return nn.functional.mse_loss(link(g_out), link(f_out))",
          "return nn.functional.mse_loss(g_out, f_out)",
          "fidelity measured on raw outputs whatever the link"),
        M("abs-fidelity", "return nn.functional.mse_loss(link(g_out), link(f_out))",
          "return nn.functional.l1_loss(link(g_out), link(f_out))",
          "absolute instead of squared fidelity error"),
        M("validation-without-fidelity", "if not (self.training or self.validate_fidelity):",
          "if not self.training:",
          "the validation loss early stopping watches leaves out the fidelity term"),
        M("squared-error-abs", "return nn.functional.mse_loss(output, target)",
          "return nn.functional.l1_loss(output, target)",
          "squared_error prediction loss is the absolute error"),
        M("log-cosh-sign", "return log_cosh(output - target).mean()",
          "return log_cosh(output + target).mean()", "log_cosh of output + target"),
        M("softmax-axis", '"softmax": lambda raw: torch.softmax(raw, dim=1)',
          '"softmax": lambda raw: torch.softmax(raw, dim=0)',
          "softmax link over the batch instead of the classes"),
        M("no-reference",
          ["centred = np.asarray(Z, dtype=np.float64) - basis_mean",
           "return values, np.atleast_1d(intercept) + coef @ basis_mean"],
          ["centred = np.asarray(Z, dtype=np.float64)",
           "return values, np.atleast_1d(intercept)"],
          "training mean left out of both values and base values (still adds up)"),
        M("median-reference",
          "self.basis_mean_ = _basis_matrix(basis, X_train).mean(axis=0)",
          "self.basis_mean_ = np.median(_basis_matrix(basis, X_train), axis=0)",
          "explanation reference is the median, not the training mean"),
        M("features-swapped",
          "one_hot[np.arange(len(feature_index)), feature_index] = 1.0",
          "one_hot[np.arange(len(feature_index)), feature_index[::-1]] = 1.0",
          "attributions paired with the wrong features"),
        M("post-hoc-no-intercept", "model = LinearRegression().fit(Z, outputs)",
          "model = LinearRegression(fit_intercept=False).fit(Z, outputs)",
          "post-hoc surrogate without intercept"),
        M("two-present-row",
          "coef[present[1]], intercept[present[1]] = model.coef_[0], model.intercept_[0]",
          "coef[present[0]], intercept[present[0]] = model.coef_[0], model.intercept_[0]",
          "two predicted classes out of 3+: logit row written to the wrong class"),
        M("single-class-sign",
          "intercept[0] = -_ABSENT_CLASS_LOGIT if present[0] == 1 else _ABSENT_CLASS_LOGIT",
          "intercept[0] = _ABSENT_CLASS_LOGIT if present[0] == 1 else -_ABSENT_CLASS_LOGIT",
          "one predicted class: constant surrogate predicts the other class"),
        M("best-surrogate-flipped", "if fidelity(head) <= fidelity(refit) else",
          "if fidelity(head) >= fidelity(refit) else",
          "the less faithful of the trained head and the least-squares fit kept"),
        M("log-proba-uncentred", "return log_proba - log_proba.mean(axis=1, keepdims=True)",
          "return log_proba", "post-hoc logits are log-probabilities, not centred",
          equivalent="its one caller (GenerativeMTLClassifier with a scikit-learn estimator) "
          "centres the fitted coefficients and intercepts over the classes afterwards "
          "(centre_softmax_heads), and least squares is linear in its targets"),
    ]),
    Module("skmtlx/fidelity/_base.py", FIDELITY_TESTS, [
        M("weight-ignored", "self.fidelity_weight if joint else 0.0", "0.5 if joint else 0.0",
          "the estimator's fidelity_weight is not passed to the loss",
          earlier=("FidelityLoss(self.alpha,", "FidelityLoss(0.5,")),
        M("always-joint", 'joint = self.surrogate_fit == "joint"', "joint = True",
          "post_hoc trains f with the fidelity term"),
        M("median-reference", "self.training_mean_ = X.mean(axis=0)",
          "self.training_mean_ = np.median(X, axis=0)",
          "training_mean_ (the linear explanation's reference) is the median"),
        M("no-surrogate-init", "if joint and init_surrogate:", "if False:",
          "the least-squares start of the surrogate head is dropped",
          earlier=("if surrogate_init is not None:", "if False:")),
        M("init-no-bias", "bias = Y_mean - weights @ X_mean", "bias = Y_mean",
          "least-squares start ignores the input mean"),
        M("whitening-mean-dropped", "return coef, intercept - coef @ self.mean_",
          "return coef, intercept",
          "head weights on the whitened basis mapped back without the basis mean"),
        M("shape-uncentred",
          "centred = self.surrogate_basis_.transform(rows)[:, own] - basis_mean[own]",
          "centred = self.surrogate_basis_.transform(rows)[:, own]",
          "shape functions not centred on the training rows"),
    ]),
    Module("skmtlx/fidelity/_regressor.py", FIDELITY_TESTS, [
        M("coef-unscaled", "FittedSurrogate(coef * y_scale[:, None], intercept",
          "FittedSurrogate(coef, intercept",
          "surrogate coefficients left in standardised units",
          earlier=("surrogate.coef_ = weights * self.y_scale_[:, None]",
                   "surrogate.coef_ = weights")),
        M("intercept-no-mean", "intercept * y_scale + y_mean,", "intercept * y_scale,",
          "target mean not added back to the surrogate's intercept",
          earlier=("surrogate.intercept_ = bias * self.y_scale_ + self.y_mean_",
                   "surrogate.intercept_ = bias * self.y_scale_")),
        M("post-hoc-on-y", "surrogate = fit_post_hoc_surrogate(X, predictions, inputs.basis)",
          "surrogate = fit_post_hoc_surrogate(X, Y, inputs.basis)",
          "post-hoc surrogate fitted to the targets instead of the black box",
          earlier=("surrogate = LinearRegression().fit(X, self._predict_validated(X))",
                   "surrogate = LinearRegression().fit(X, Y if self._y_ndim > 1 else Y[:, 0])")),
        M("post-hoc-unscaled",
          "predictions = self._raw_outputs(inputs, X) * y_scale + y_mean",
          "predictions = self._raw_outputs(inputs, X)",
          "post-hoc surrogate fitted to f's standardised outputs"),
        M("predict-no-mean", "predictions = outputs * self.y_scale_ + self.y_mean_",
          "predictions = outputs * self.y_scale_", "black-box predictions miss the mean"),
        M("standardize-ignored", "if self.standardize_target:", "if False:",
          "standardize_target=True trains on raw targets"),
        M("black-box-output-unscaled",
          "return self._forward(X) * self.y_scale_ + self.y_mean_", "return self._forward(X)",
          "the black-box output beside the shape functions left standardised"),
    ]),
    Module("skmtlx/fidelity/_classifier.py", FIDELITY_TESTS, [
        M("logit-ignored", 'link = "identity"', 'link = "sigmoid" if binary else "softmax"',
          'fidelity_space="logit" ignored in joint training'),
        M("post-hoc-on-labels",
          "predicted = np.argmax(_probabilities(self._raw_outputs(inputs, X)), axis=1)",
          "predicted = codes", "post-hoc surrogate fitted to the true labels, not f's",
          earlier=("predicted = np.argmax(self._predict_proba_validated(X), axis=1)",
                   "predicted = codes")),
        M("proba-columns", "np.column_stack([1.0 - positive, positive])",
          "np.column_stack([positive, 1.0 - positive])", "binary probability columns swapped"),
        M("output-names", "return self.classes_[1:] if", "return self.classes_[:1] if",
          "binary explanation named after the negative class"),
    ]),
    Module("skmtlx/_explanation.py", FIDELITY_TESTS, [
        M("signed-importance", "return frame.abs().mean()", "return frame.mean()",
          "global importance is the signed mean"),
        M("ascending", "mean().sort_values(ascending=False)", "mean().sort_values(ascending=True)",
          "importances sorted from the least important"),
        M("output-ignored", "return pd.DataFrame(self.values[:, :, index]",
          "return pd.DataFrame(self.values[:, :, 0]", "to_frame ignores output="),
        M("waterfall-lefts",
          "lefts = start + np.concatenate([[0.0], np.cumsum(shown.values)[:-1]])",
          "lefts = start + np.cumsum(shown.values)", "waterfall bars start one step late"),
        M("other-abs", "order[max_display:]\n            ].sum()",
          "order[max_display:]\n            ].abs().sum()",
          "the 'other features' bar sums absolute values"),
        M("bar-off-by-one", "shown = exp.global_importances(name).iloc[:self.max_display]",
          "shown = exp.global_importances(name).iloc[:self.max_display - 1]",
          "bar plot shows one feature too few",
          earlier=(".iloc[:max_display]", ".iloc[:max_display - 1]")),
    ]),
    Module("skmtlx/_explain.py", FIDELITY_TESTS, [
        M("origin-overwritten", "np.add.at(values, (slice(None), origin), exp.values)",
          "values[:, origin] = exp.values",
          "attributions of an input's derived columns overwritten instead of summed"),
        M("raw-x-explained", "exp = final.explain(head.transform(X), **params)",
          "exp = final.explain(X, **params)",
          "the final estimator explains the raw rows, the Pipeline's transform ignored"),
        M("shortest-prefix",
          "by_length = sorted(range(len(input_names)), key=lambda j: -len(str(input_names[j])))",
          "by_length = range(len(input_names))",
          "an output column credited to the first input whose name is its prefix, "
          "not the longest"),
        M("names-not-transformed", "exp.feature_names = transformed_names",
          "exp.feature_names = exp.feature_names",
          "features='transformed' keeps the final estimator's own names"),
    ]),
    Module("skmtlx/metrics/_fidelity.py", METRICS_TESTS, [
        M("x-train-ignored", "X_train=X if X_train is None else X_train", "X_train=X",
          "global_fidelity ignores X_train"),
        M("pipeline-raw-g", "np.asarray(final.predict_surrogate(inner(X), **params)",
          "np.asarray(final.predict_surrogate(X, **params)",
          "the surrogate sees the raw X while the black box sees the transformed X",
          earlier=("lambda X: g_fn(head.transform(X))", "lambda X: g_fn(X)")),
        M("binary-both-columns", "return proba[:, 1:] if proba.shape[1] == 2 else proba",
          "return proba", "binary fidelity counted on both probability columns"),
        M("abs-gf", "per_output = np.mean((g - f) ** 2, axis=0)",
          "per_output = np.mean(np.abs(g - f), axis=0)",
          "mean absolute instead of squared difference",
          earlier=("return float(np.mean((g - f) ** 2))", "return float(np.mean(np.abs(g - f)))")),
        M("r2-swapped", "r2_score(f, g, multioutput", "r2_score(g, f, multioutput",
          "R^2 of f explaining g instead of g explaining f",
          earlier=("r2_score(f, g)", "r2_score(g, f)")),
        M("post-hoc-no-intercept",
          "self.model = LinearRegression().fit(X_train, estimator.predict(X_train))",
          "self.model = LinearRegression(fit_intercept=False).fit(X_train, "
          "estimator.predict(X_train))", "post-hoc linear surrogate without intercept"),
    ]),
    Module("skmtlx/metrics/_neighborhood.py", METRICS_TESTS, [
        M("kernel-no-sqrt",
          "weights = np.sqrt(np.exp(-np.sum(noise**2, axis=1) / kernel_width**2))",
          "weights = np.exp(-np.sum(noise**2, axis=1) / kernel_width**2)",
          "lime's kernel without its square root"),
        M("no-ridge", "+ alpha * np.eye(n_features)", "+ 0 * np.eye(n_features)",
          "ridge penalty dropped"),
        M("unweighted-centre", "noise_mean = weights @ noise / weights.sum()",
          "noise_mean = noise.mean(axis=0)", "samples centred on the unweighted mean"),
        M("scale-ignored", "projection = np.linalg.solve(gram, weighted.T) / scale[:, None]",
          "projection = np.linalg.solve(gram, weighted.T)",
          "coefficients left in lime's standardised units"),
        M("centre-at-instance", "centre = instances + scale * noise_mean", "centre = instances",
          "intercept referred to the instance, not the weighted mean sample"),
        M("sigma-ignored", "X[:, None, :] + sigma * rng.standard_normal",
          "X[:, None, :] + 0.1 * rng.standard_normal", "neighbourhood radius ignored"),
        M("kernel-width-d", "kernel_width = 0.75 * np.sqrt(d)", "kernel_width = 0.75 * d",
          "default kernel width 0.75 d instead of 0.75 sqrt(d)"),
        M("lime-coef-unscaled", "coef[i, :, k] = coef_std / scale", "coef[i, :, k] = coef_std",
          "lime's coefficients left in standardised units"),
        M("lime-intercept", "intercept[i, k] = exp.intercept[1] - np.sum(coef_std * mean / scale)",
          "intercept[i, k] = exp.intercept[1]", "lime's intercept not moved to raw units"),
    ]),
    Module("skmtlx/metrics/_scorers.py", METRICS_TESTS, [
        M("gf-sign",
          "return -global_fidelity(estimator, X, **kwargs)",
          "return global_fidelity(estimator, X, **kwargs)",
          "global fidelity scorer not negated (greater is better broken)",
          earlier=("return -global_fidelity(estimator, X)",
                   "return global_fidelity(estimator, X)")),
        M("strict-epsilon", "valid & (fidelity <= epsilon)", "valid & (fidelity < epsilon)",
          "a fidelity equal to epsilon refused",
          earlier=("np.flatnonzero(fidelity <= epsilon)", "np.flatnonzero(fidelity < epsilon)")),
        M("fallback-best-score", "return int(candidates[np.argmin(fidelity[candidates])])",
          "return int(candidates[np.argmax(score[candidates])])",
          "no feasible candidate: best score instead of best fidelity",
          earlier=("return int(np.argmin(fidelity))", "return int(np.argmax(score))")),
        M("subset-index", "return int(feasible[np.argmax(score[feasible])])",
          "return int(np.argmax(score[feasible]))", "index into the feasible subset returned"),
        M("gnf-kwargs-ignored", "return -neighborhood_fidelity(estimator, X, **kwargs)",
          "return -neighborhood_fidelity(estimator, X)", "scorer ignores its settings"),
        M("nan-score-kept", "valid = ~np.isnan(score) & ~np.isnan(fidelity)",
          "valid = ~np.isnan(fidelity)", "a candidate whose fit failed (NaN score) can be chosen"),
    ]),
    Module("skmtlx/metrics/_tradeoff.py", METRICS_TESTS, [
        M("weight-ignored", '{"surrogate_fit": "joint", "fidelity_weight": w}',
          '{"surrogate_fit": "joint"}', "joint settings all use the default fidelity_weight",
          earlier=('{"surrogate_fit": "joint", "alpha": a}', '{"surrogate_fit": "joint"}')),
        M("points-ignored", "X_neighborhood = _take_rows(X_test, rows_drawn)", "pass",
          "neighborhood_points ignored"),
        M("training-data-ignored",
          "estimator, X_neighborhood, training_data=X_train, **neighborhood",
          "estimator, X_neighborhood, **neighborhood", "GNF scaled on the test rows"),
        M("pareto-and", "((score > s) | (gf < g))", "((score > s) & (gf < g))",
          "points dominated with a tie kept on the front"),
        M("pareto-sign", "sign = 1.0 if greater_is_better else -1.0", "sign = 1.0",
          "greater_is_better ignored"),
        M("train-score", '"score": metric(y_test, estimator.predict(X_test))',
          '"score": metric(y_train, estimator.predict(X_train))', "score on training rows"),
        M("train-gf", '"gf": global_fidelity(estimator, X_test)',
          '"gf": global_fidelity(estimator, X_train)', "GF on training rows"),
        M("nan-on-front", "return valid & ~np.array(dominated, dtype=bool)",
          "return ~np.array(dominated, dtype=bool)", "failed fits (NaN score or GF) on the front"),
    ]),
    Module("skmtlx/utils/_selection.py", ["tests/test_task_graph.py"], [
        M("unpaired-se", "std_err = (losses - losses[lowest]).std(axis=1, ddof=1)",
          "std_err = losses.std(axis=1, ddof=1)", "unpaired standard error"),
        M("ddof0", ".std(axis=1, ddof=1)", ".std(axis=1, ddof=0)", "biased standard deviation"),
        M("no-sqrt-n", "/ np.sqrt(n_units)", "/ 1.0", "standard deviation used as the error"),
        M("se-of-best", "within = np.flatnonzero(mean <= mean[lowest] + std_err)",
          "within = np.flatnonzero(mean <= mean[lowest] + std_err[lowest])",
          "the best candidate's error (zero when paired) instead of each candidate's"),
        M("strict-within", "mean <= mean[lowest] + std_err", "mean < mean[lowest] + std_err",
          "candidates exactly one error away refused"),
        M("no-tie-break", "key=lambda c: (complexity[c], mean[c])", "key=lambda c: complexity[c]",
          "equally simple candidates not ordered by loss"),
    ]),
    Module("skmtlx/task_graph/_bilevel.py", ["tests/test_task_graph.py"], [
        M("gram-off-by-one",
          "G[t] = Xt.T @ Xt / (hi - lo)", "G[t] = Xt.T @ Xt / max(hi - lo - 1, 1)",
          "task Gram matrix divided by n - 1"),
        M("yy-unnormalised", "yy[t] = yt @ yt / (hi - lo)", "yy[t] = yt @ yt",
          "validation constant not divided by n"),
        M("degree-one-side", "deg = np.bincount(i, we, n) + np.bincount(j, we, n)",
          "deg = np.bincount(i, we, n)", "Laplacian degree counts one end of each edge"),
        M("alpha-ignored", "self._Gr = self.G + alpha * np.eye(self.d)",
          "self._Gr = self.G + np.eye(self.d)", "ridge alpha ignored"),
        M("grad-sign", "grad = -self.rho * np.einsum", "grad = self.rho * np.einsum",
          "hypergradient sign"),
        M("value-no-half", "f = 0.5 * np.sum(self._per_task_validation(W))",
          "f = np.sum(self._per_task_validation(W))", "outer value without its 1/2"),
        M("cross-term", "return quad - 2.0 * np.einsum", "return quad - np.einsum",
          "validation loss cross term without its factor 2"),
        M("shared-weight-rho", "we = np.concatenate([we, np.full(T, self.shared)])",
          "we = np.concatenate([we, np.full(T, self.rho)])", "shared coupling replaced by rho"),
        M("cg-warm-residual", "res = R - BX + graph(X)", "res = R - BX - graph(X)",
          "CG warm-start residual with the wrong graph sign"),
    ]),
    Module("skmtlx/task_graph/_outer.py", ["tests/test_task_graph.py"], [
        M("entropy-grad-sign", "grad = grad - entropy * np.log(el)",
          "grad = grad + entropy * np.log(el)", "entropy penalty gradient sign"),
        M("grad-unscaled", "return f / scale + pv, g[free] / scale + pg",
          "return f / scale + pv, g[free] + pg", "gradient not divided by scale"),
        M("prune-geq", "else e > prune", "else e >= prune",
          "pruned edges stay free on the path"),
        M("adam-no-bias-correction", "(m / (1 - b1**it))", "m",
          "Adam's first-moment bias correction dropped"),
        M("rule-ignored", 'return (best if rule == "min" else index)', "return index",
          "rule='min' ignored"),
        M("start-unpruned", "start, empty = np.where(e0 > threshold, e0, 0.0)",
          "start, empty = e0", "the path's first point keeps sub-threshold edges"),
        M("per-fold-mean", "np.mean(loss, axis=0) for loss in losses",
          "np.mean(loss, axis=1) for loss in losses", "losses averaged over tasks, not folds"),
        M("no-prune", "e = np.where(e > prune, e, 0.0)\n", "e = e\n",
          "path points not pruned"),
    ]),
    Module("skmtlx/grouping/_gains.py", ["tests/test_grouping.py"], [
        M("gain-transposed",
          ["gains[i, j] = 1.0 - after[s_index][j] / max(alone[j], _EPS)",
           "gains[j, i] = 1.0 - after[s_index][i] / max(alone[i], _EPS)"],
          ["gains[i, j] = 1.0 - after[s_index][i] / max(alone[i], _EPS)",
           "gains[j, i] = 1.0 - after[s_index][j] / max(alone[j], _EPS)"],
          "principled gain stored as target -> source"),
        M("gain-vs-before", "alone = np.array([after[j][j] for j in range(n_tasks)])",
          "alone = losses.detach().cpu().numpy().astype(float)",
          "pair lookahead compared with the loss before any step"),
        M("adam-no-momentum", "m_new = beta1 * m + (1 - beta1) * g_sets", "m_new = g_sets",
          "Adam lookahead ignores the first moment"),
        M("no-weight-decay", "if wd:", "if False:", "Adam lookahead ignores weight decay"),
        M("untouched-moved",
          "candidates[name] = torch.where(touched, updated, p.expand_as(updated))",
          "candidates[name] = updated", "parameters a task set does not use still move",
          equivalent="a parameter no task of the set uses (another task's head) only changes "
          "the losses of tasks outside the set, which the gains never read"),
        M("tag-ascent", "candidates[name] = p - lr * g", "candidates[name] = p + lr * g",
          "TAG lookahead steps uphill"),
        M("lookahead-lr-ignored",
          "lr = net.lr if self.lookahead_lr is None else self.lookahead_lr",
          "lr = net.lr", "lookahead_lr ignored"),
        M("every-off-by-one", "if (self._batch - 1) % self.every:", "if self._batch % self.every:",
          "measurements start at batch `every` instead of the first"),
        M("sum-last-epoch", "self._sum = self._sum + self._epoch_sum",
          "self._sum = self._epoch_sum.copy()", "gains_ keeps the last epoch only"),
    ]),
    Module("skmtlx/grouping/_solver.py", ["tests/test_grouping.py"], [
        M("no-must-link-row", "cons.append(x[i, :] == x[k, :])", "pass",
          "program without its must_link rows"),
        M("no-cannot-link-row", "cons.append(x[i, :] + x[k, :] <= 1)", "pass",
          "program without its cannot_link rows"),
        M("no-size-row", "cons.append(cp.sum(x, axis=0) <= problem.max_group_size)", "pass",
          "program without its max_group_size rows"),
        M("no-group-cost-row", "cons.append(group_costs <= problem.max_group_cost)", "pass",
          "program without its max_group_cost rows"),
        M("no-total-cost-row",
          "cons.append(cp.sum(group_costs) <= problem.max_total_cost)", "pass",
          "program without its max_total_cost row"),
        M("no-min-groups-row", "cons.append(cp.sum(u) >= problem.min_groups)", "pass",
          "program without its min_groups row"),
        M("no-fixed-group-cost", "group_costs = problem.task_costs @ x + problem.group_cost * u",
          "group_costs = problem.task_costs @ x", "group_cost left out of the program's costs"),
        M("one-direction-gain", "weights = gains[I, J] + gains[J, I]", "weights = gains[I, J]",
          "program counts one direction of each pair"),
        M("mean-off-by-one", "total += gains[np.ix_(idx, idx)].sum() / len(g)",
          "total += gains[np.ix_(idx, idx)].sum() / (len(g) - 1)",
          "objective averages over the other members"),
        M("exhaustive-extra-group", "if len(partition) < max_blocks:",
          "if len(partition) <= max_blocks:", "exhaustive search allows one group too many",
          equivalent="the extra partitions break n_groups and are skipped by the feasibility "
          "filter; only the enumeration gets longer"),
    ]),
    Module("skmtlx/generative/_joint.py", ["tests/test_generative.py"], [
        M("prior-sign", "scores -= prior_weight * log_prior", "scores += prior_weight * log_prior",
          "prior added instead of divided out",
          earlier=("scores -= alpha * log_prior", "scores += alpha * log_prior")),
        M("prior-unnormalised", "- np.log(len(index) + smoothing * len(codes))",
          "- np.log(len(index))", "prior normalised without the smoothing mass"),
        M("smoothing-ignored", "np.log(counts + smoothing)", "np.log(counts + 1.0)",
          "smoothing ignored in the counts"),
        M("first-task-codes", "scores += log_proba[rows][:, codes[:, t]]",
          "scores += log_proba[rows][:, codes[:, 0]]", "every task scored on task 0's code"),
        M("grid-boundary", 'joint_labels = "grid" if grid_size <= MAX_GRID_SIZE else "observed"',
          'joint_labels = "grid" if grid_size < MAX_GRID_SIZE else "observed"',
          "a grid of exactly MAX_GRID_SIZE labels not enumerated"),
        M("normalise-axis", "logsumexp(scores, axis=1, keepdims=True)",
          "logsumexp(scores, axis=0, keepdims=True)", "joint scores normalised over rows"),
    ]),
    Module("skmtlx/auxiliary/_explain.py", ["tests/test_auxiliary.py"], [
        M("nll-first-class", "errors[name] = -log_proba[np.arange(len(index)), index]",
          "errors[name] = -log_proba[np.arange(len(index)), 0]",
          "classification error read on class 0"),
        M("signed-residual", "errors[name] = np.abs(residual)", "errors[name] = residual",
          "regression error signed"),
        M("r2-mean",
          "float(1 - np.sum(residual**2) / total)", "float(1 - np.mean(residual**2) / total)",
          "aux R^2 mixes a mean and a sum"),
        M("lift-unnormalised", "lift = main_error[far_off].mean() / mean_main",
          "lift = main_error[far_off].mean()", "lift not divided by the mean main error"),
        M("quantile-flipped", "far_off = error > np.quantile(error, quantile)",
          "far_off = error > np.quantile(error, 1 - quantile)", "quantile <-> 1 - quantile"),
        M("worst-argmin", "names[np.argmax(ranked, axis=1)]", "names[np.argmin(ranked, axis=1)]",
          "worst_aux is the best-predicted auxiliary target"),
        M("best-aux-min", "return str(auroc.idxmax())", "return str(auroc.idxmin())",
          "best_aux is the least informative target"),
    ]),
]


def _copy_tree(tests_root):
    """A temporary copy of the package and the tests of the checkout ``tests_root``."""
    work = Path(tempfile.mkdtemp(prefix="skmtlx-mutation-"))
    shutil.copytree(tests_root / "skmtlx", work / "skmtlx",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(tests_root / "tests", work / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("conftest.py", "setup.cfg", "pyproject.toml"):
        if (tests_root / name).exists():
            shutil.copy(tests_root / name, work / name)
    return work


PRELOADED = ["numpy", "scipy.sparse", "scipy.special", "scipy.stats", "pandas", "torch",
             "skorch", "sklearn.linear_model", "sklearn.ensemble", "sklearn.model_selection",
             "sklearn.utils.estimator_checks", "matplotlib.pyplot", "pytest"]
"""Third-party modules imported once by the fork server that starts every test run (under
load, importing them takes longer than the tests that kill most mutants)."""


def _pytest_in(work, args, log):
    """Run pytest in ``work``, in a fork of the preloaded server (skmtlx comes from ``work``)."""
    os.chdir(work)
    sys.path.insert(0, str(work))
    os.environ.update(OMP_NUM_THREADS="1", PYTHONDONTWRITEBYTECODE="1")
    with open(log, "w") as out:
        os.dup2(out.fileno(), 1)
        os.dup2(out.fileno(), 2)
        import pytest

        code = pytest.main(args)
        sys.stdout.flush()
        sys.stderr.flush()
    os._exit(int(code))


def _run_tests(context, work, tests, timeout, durations=False):
    args = [*tests, "-x", "-q", "-p", "no:xdist", "-p", "no:cacheprovider"] + (
        ["--durations=0", "--durations-min=0"] if durations else [])
    log = Path(tempfile.mkstemp(prefix="skmtlx-mutation-", suffix=".log")[1])
    start = time.perf_counter()
    child = context.Process(target=_pytest_in, args=(str(work), args, str(log)))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        outcome = "timeout"
    else:
        outcome = "passed" if child.exitcode == 0 else "failed"
    report = log.read_text(errors="replace")
    log.unlink()
    last = (report.strip().splitlines() or [""])[-1]
    if durations:
        return outcome, time.perf_counter() - start, last, _fastest_first(report)
    return outcome, time.perf_counter() - start, last


def _fastest_first(report):
    """Test ids of a ``--durations=0`` report, fastest first (the mutants' runs then
    stop at the first failure sooner; a survivor still runs every test)."""
    seconds = {}
    for line in report.splitlines():
        parts = line.split(maxsplit=2)
        phase = parts[1] if len(parts) == 3 else None
        if phase in ("setup", "call", "teardown") and parts[0].endswith("s"):
            try:
                seconds[parts[2]] = seconds.get(parts[2], 0.0) + float(parts[0][:-1])
            except ValueError:
                continue
    return sorted(seconds, key=seconds.get)


def _apply(source, mutant):
    for edits in (mutant.edits, mutant.earlier):
        if edits and all(source.count(old) == 1 for old, _ in edits):
            for old, new in edits:
                source = source.replace(old, new)
            return source
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", action="append", default=[],
                        help="run the modules whose path contains this text (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the mutants and exit")
    parser.add_argument("--checkout", type=Path, default=ROOT,
                        help="checkout whose package and tests/ are copied and mutated")
    parser.add_argument("--jobs", type=int, default=1,
                        help="mutants tested at once, each worker on its own copy")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="seconds per mutant's test run (at least 3 times the unmutated "
                        "run); a mutant that times out is killed")
    args = parser.parse_args()
    print("command:", " ".join([Path(sys.executable).name] + sys.argv))
    modules = [m for m in MODULES if not args.module or any(s in m.path for s in args.module)]
    tests_root = args.checkout.resolve()
    # an older checkout may lack some test modules: its others still run
    modules = [m._replace(tests=[t for t in m.tests if (tests_root / t).exists()])
               for m in modules]
    if args.list:
        not_applicable = 0
        for module in modules:
            print(f"\n{module.path}  (tests: {' '.join(module.tests)})")
            path = tests_root / module.path
            source = path.read_text() if path.exists() else ""
            for mutant in module.mutants:
                note = f"  [equivalent: {mutant.equivalent}]" if mutant.equivalent else ""
                if _apply(source, mutant) is None:
                    note, not_applicable = note + "  [not applicable]", not_applicable + 1
                print(f"  {mutant.name:28s} {mutant.description}{note}")
        print(f"\n{sum(len(m.mutants) for m in modules)} mutants, {not_applicable} not "
              f"applicable to {tests_root}")
        return
    wall = time.perf_counter()
    local = threading.local()
    copies = []
    order, limit = {}, {}
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOADED)

    def workdir():
        if not hasattr(local, "work"):
            local.work = _copy_tree(tests_root)
            copies.append(local.work)
        return local.work

    def baseline(tests):
        outcome, seconds, last, *ordered = _run_tests(context, workdir(), tests, None, True)
        print(f"[baseline] {' '.join(tests)}: {outcome} in {seconds:.0f} s ({last})", flush=True)
        n_passed = int(last.split(" passed")[0].split()[-1]) if " passed" in last else -1
        if outcome == "passed" and ordered and len(ordered[0]) == n_passed:
            order[tuple(tests)] = ordered[0]
        elif outcome == "passed":
            print(f"  {' '.join(tests)}: durations not read, tests run in file order")
        limit[tuple(tests)] = max(args.timeout, 3 * seconds)
        return outcome

    def run_mutant(module, mutant):
        path = workdir() / module.path
        original = path.read_text() if path.exists() else ""
        mutated = _apply(original, mutant)
        seconds = 0.0
        if mutant.equivalent:
            status = "equivalent"
        elif mutated is None:
            status = "not applicable"
        else:
            path.write_text(mutated)
            try:
                tests = order.get(tuple(module.tests), module.tests)
                outcome, seconds, _ = _run_tests(context, workdir(), tests,
                                                 limit[tuple(module.tests)])
            finally:
                path.write_text(original)
            status = "survived" if outcome == "passed" else "killed"
        print(f"  {module.path} {mutant.name:28s} {status:15s} {seconds:5.0f} s", flush=True)
        return module.path, mutant, status

    try:
        with ThreadPoolExecutor(args.jobs) as pool:
            families = sorted({tuple(m.tests) for m in modules})
            passing = dict(zip(families, pool.map(baseline, families)))
            jobs = []
            for module in modules:
                if passing[tuple(module.tests)] != "passed":
                    print(f"  skipped {module.path}: its tests fail without mutants")
                    continue
                jobs += [pool.submit(run_mutant, module, m) for m in module.mutants]
            rows = [job.result() for job in jobs]
    finally:
        for work in copies:
            shutil.rmtree(work, ignore_errors=True)
    print("\nmodule                               killed  survived  n/a  score")
    total_killed = total_scored = 0
    for module in modules:
        statuses = [s for p, _, s in rows if p == module.path]
        if not statuses:
            continue
        killed, survived = statuses.count("killed"), statuses.count("survived")
        other = len(statuses) - killed - survived
        scored = killed + survived
        total_killed, total_scored = total_killed + killed, total_scored + scored
        score = f"{100 * killed / scored:5.1f}%" if scored else "   -"
        print(f"{module.path:36s} {killed:6d} {survived:9d} {other:4d}  {score}")
    if total_scored:
        print(f"{'all':36s} {total_killed:6d} {total_scored - total_killed:9d}       "
              f"{100 * total_killed / total_scored:5.1f}%")
    survivors = [(p, m) for p, m, s in rows if s == "survived"]
    if survivors:
        print("\nsurvivors:")
        for path, mutant in survivors:
            print(f"  {path} {mutant.name}: {mutant.description}")
    print(f"\nwall time: {time.perf_counter() - wall:.0f} s")


if __name__ == "__main__":
    main()
