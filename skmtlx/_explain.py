"""``explain``: attributions of any fitted skmtlx estimator, also at the end of a Pipeline."""

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ._explanation import Explanation
from .utils._validation import to_dense

__all__ = ["explain", "feature_origin"]


def explain(estimator, X, *, features="original", **params):
    """Explain a fitted skmtlx estimator, or a Pipeline ending in one, on raw rows.

    A ``Pipeline`` transforms ``X`` with its earlier steps and explains the
    final estimator on the transformed rows. With ``features="original"`` the
    attributions of the columns each input column became (one-hot columns,
    spline columns, a scaled copy) are summed back to that input column, so
    the explanation speaks about the columns the user passed; since the
    attributions are additive, the sums still add up to the explained output.

    Parameters
    ----------
    estimator : fitted estimator or Pipeline
        A skmtlx estimator with an ``explain`` method, or a fitted Pipeline
        whose last step is one.
    X : {array-like, sparse matrix} or DataFrame of shape (n_samples, n_features)
        Raw rows to explain.
    features : {"original", "transformed"}, default="original"
        Report attributions on the Pipeline's input columns or on the final
        estimator's input columns (named by ``get_feature_names_out``).
    **params : dict
        Passed to the final estimator's ``explain`` (e.g. ``tasks=``).

    Returns
    -------
    explanation : Explanation

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmtlx import SparseTaskGraphMTL, explain
    >>> X = np.random.RandomState(0).randn(30, 2) * [1.0, 10.0]
    >>> pipe = make_pipeline(StandardScaler(), SparseTaskGraphMTL()).fit(X, X @ [1.0, 0.1])
    >>> exp = explain(pipe, X)
    >>> bool(np.allclose(exp.output_values()[:, 0], pipe.predict(X)))
    True
    """
    if features not in ("original", "transformed"):
        raise ValueError(f"features must be 'original' or 'transformed', got {features!r}.")
    if not isinstance(estimator, Pipeline):
        _check_explains(estimator)
        return estimator.explain(X, **params)
    check_is_fitted(estimator)
    head, final = estimator[:-1], estimator[-1]
    _check_explains(final)
    input_names = np.asarray(_check_feature_names_in(estimator), dtype=object)
    exp = final.explain(head.transform(X), **params)
    exp.row_labels = getattr(X, "index", exp.row_labels)
    transformed_names = np.asarray(head.get_feature_names_out(input_names), dtype=object)
    if features == "transformed":
        exp.feature_names = transformed_names
        return exp
    origin = feature_origin(head, input_names)
    values = np.zeros((exp.values.shape[0], len(input_names), exp.values.shape[2]))
    np.add.at(values, (slice(None), origin), exp.values)
    data = X.to_numpy() if hasattr(X, "to_numpy") else np.asarray(to_dense(X))
    return Explanation(values, exp.base_values, data, input_names, exp.output_names,
                       task_names=exp.task_names, sample_tasks=exp.sample_tasks,
                       row_labels=exp.row_labels)


def _check_explains(estimator):
    if not hasattr(estimator, "explain"):
        raise TypeError(
            f"{type(estimator).__name__} has no explain method; explain needs a skmtlx "
            "estimator (or a Pipeline ending in one)."
        )


def feature_origin(transformer, input_names):
    """Input column of every output column of a fitted transformer.

    Known: ``Pipeline`` (composed step by step), ``ColumnTransformer`` (per
    transformer, on its columns), ``"passthrough"``, a transformer of a
    single column, one keeping its input names (scalers, imputers), and one
    naming each output ``<input>`` or ``<input>_...`` (``OneHotEncoder``,
    ``SplineTransformer``).

    Parameters
    ----------
    transformer : fitted transformer, "passthrough" or None
    input_names : ndarray of str of shape (n_inputs,)

    Returns
    -------
    origin : ndarray of int of shape (n_outputs,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import OneHotEncoder
    >>> from skmtlx._explain import feature_origin
    >>> X = np.array([["a", "u"], ["b", "v"], ["c", "u"]])
    >>> feature_origin(OneHotEncoder().fit(X), np.array(["x0", "x1"])).tolist()
    [0, 0, 0, 1, 1]
    """
    input_names = np.asarray(input_names, dtype=object)
    if transformer is None or (isinstance(transformer, str) and transformer == "passthrough"):
        return np.arange(len(input_names))
    if isinstance(transformer, Pipeline):
        origin, names = np.arange(len(input_names)), input_names
        for _, step in transformer.steps:
            if step is None or (isinstance(step, str) and step == "passthrough"):
                continue
            origin = origin[feature_origin(step, names)]
            names = np.asarray(step.get_feature_names_out(names), dtype=object)
        return origin
    if isinstance(transformer, ColumnTransformer):
        n_out = sum(s.stop - s.start for s in transformer.output_indices_.values())
        origin = np.zeros(n_out, dtype=int)
        for name, trans, _ in transformer.transformers_:
            out = transformer.output_indices_[name]
            if out.stop == out.start or (isinstance(trans, str) and trans == "drop"):
                continue
            columns = np.asarray(transformer._transformer_to_input_indices[name], dtype=int)
            origin[out] = columns[feature_origin(trans, input_names[columns])]
        return origin
    output_names = np.asarray(transformer.get_feature_names_out(input_names), dtype=object)
    if len(input_names) == 1:
        return np.zeros(len(output_names), dtype=int)
    if len(output_names) == len(input_names) and np.array_equal(output_names, input_names):
        return np.arange(len(input_names))
    origin = np.empty(len(output_names), dtype=int)
    by_length = sorted(range(len(input_names)), key=lambda j: -len(str(input_names[j])))
    for k, out_name in enumerate(output_names):
        match = [j for j in by_length if str(out_name) == str(input_names[j])
                 or str(out_name).startswith(f"{input_names[j]}_")]
        if not match:
            raise ValueError(
                f"Cannot tell which input column {type(transformer).__name__}'s output "
                f"{out_name!r} comes from; use features='transformed'."
            )
        origin[k] = match[0]
    return origin
