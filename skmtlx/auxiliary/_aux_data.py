"""Validation and encoding of the auxiliary targets (the "modalities")."""

import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder

from ..utils._validation import mean_and_scale

__all__ = ["AuxiliaryTargets", "AUX_KINDS", "MAX_INTEGER_CLASSES", "check_aux_weight"]

AUX_KINDS = ("regression", "classification")

MAX_INTEGER_CLASSES = 10
"""Integer columns with at most this many distinct values are classification targets
under ``aux_types="auto"``; integer columns with more are regression targets."""


def _as_frame(aux):
    """Wrap ``aux`` (DataFrame, Series, 1-D or 2-D array-like) into a DataFrame."""
    if isinstance(aux, pd.DataFrame):
        return aux.reset_index(drop=True), True
    if isinstance(aux, pd.Series):
        name = aux.name if aux.name is not None else "aux0"
        return aux.reset_index(drop=True).to_frame(name=name), True
    if hasattr(aux, "toarray"):
        raise TypeError(
            "aux must be dense (a numpy array or a pandas DataFrame), got a sparse matrix."
        )
    array = np.asarray(aux)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2:
        raise ValueError(f"aux must be 1-D or 2-D, got an array with {array.ndim} dimensions.")
    frame = pd.DataFrame(array, columns=[f"aux{j}" for j in range(array.shape[1])])
    if array.dtype == object:
        frame = frame.infer_objects()
    return frame, False


def _auto_kind(column):
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return "classification"
    if pd.api.types.is_float_dtype(dtype):
        return "regression"
    if pd.api.types.is_integer_dtype(dtype):
        n_unique = column.nunique()
        return "classification" if n_unique <= MAX_INTEGER_CLASSES else "regression"
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_complex_dtype(dtype):
        return "regression"
    return "classification"  # object, string, category


def _has_missing(column):
    return bool(pd.isna(column).any())


class AuxiliaryTargets:
    """Learn how to encode auxiliary targets for the network and decode its outputs.

    Regression columns are standardised (their losses are then on comparable
    scales); classification columns are label-encoded.

    Parameters
    ----------
    aux_types : "auto", sequence of str or dict
        Kind of each column, see the estimators' ``aux_types``.
    """

    def __init__(self, aux_types="auto"):
        self.aux_types = aux_types

    # ------------------------------------------------------------------ fit
    def fit(self, aux, n_samples):
        frame, self.is_frame_ = self._check(aux, n_samples, context="fit")
        self.names_ = [str(name) for name in frame.columns]
        if len(set(self.names_)) != len(self.names_):
            raise ValueError(f"aux has duplicated column names: {self.names_}.")
        self.kinds_ = self._resolve_kinds(frame)
        self.encoders_ = []
        for name, kind in zip(frame.columns, self.kinds_):
            column = frame[name]
            if kind == "classification":
                encoder = LabelEncoder().fit(column.to_numpy())
                self.encoders_.append(encoder)
            else:
                values = self._numeric(column, name)
                self.encoders_.append(mean_and_scale(values))
        return self

    @property
    def head_sizes_(self):
        """Network output width of each auxiliary head."""
        return [
            len(enc.classes_) if kind == "classification" else 1
            for kind, enc in zip(self.kinds_, self.encoders_)
        ]

    def transform(self, aux, n_samples, context="fit"):
        """Encoded float32 matrix of shape ``(n_samples, n_aux)``."""
        frame, _ = self._check(aux, n_samples, context=context)
        if frame.shape[1] != len(self.names_):
            raise ValueError(
                f"aux has {frame.shape[1]} columns, but the estimator was fitted with "
                f"{len(self.names_)} auxiliary targets {self.names_}."
            )
        if self.is_frame_ and [str(c) for c in frame.columns] != self.names_:
            raise ValueError(
                f"aux columns {list(frame.columns)} do not match the auxiliary targets "
                f"seen in fit {self.names_}."
            )
        encoded = np.empty((n_samples, len(self.names_)), dtype=np.float32)
        columns = zip(frame.columns, self.kinds_, self.encoders_)
        for j, (column_name, kind, enc) in enumerate(columns):
            column = frame[column_name]
            if kind == "classification":
                values = column.to_numpy()
                unseen = ~np.isin(values, enc.classes_)
                if unseen.any():
                    raise ValueError(
                        f"aux column {self.names_[j]!r} has labels not seen in fit: "
                        f"{sorted(map(str, set(values[unseen])))[:5]}."
                    )
                encoded[:, j] = enc.transform(values)
            else:
                mean, scale = enc
                encoded[:, j] = (self._numeric(column, column_name) - mean) / scale
        return encoded

    def decode(self, outputs):
        """DataFrame of auxiliary predictions from the heads' raw outputs."""
        columns = {}
        for name, kind, enc, out in zip(self.names_, self.kinds_, self.encoders_, outputs):
            if kind == "classification":
                columns[name] = enc.classes_[np.argmax(out, axis=1)]
            else:
                mean, scale = enc
                columns[name] = out[:, 0] * scale + mean
        return pd.DataFrame(columns)

    # -------------------------------------------------------------- helpers
    @staticmethod
    def _numeric(column, name):
        try:
            return column.to_numpy(dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueError(
                f"aux column {name!r} is declared a regression target but is not numeric."
            ) from None

    def _check(self, aux, n_samples, context):
        frame, is_frame = _as_frame(aux)
        if frame.shape[0] != n_samples:
            raise ValueError(
                f"aux has {frame.shape[0]} rows but X has {n_samples}: pass one row of "
                f"auxiliary targets per sample (in {context})."
            )
        if frame.shape[1] == 0:
            raise ValueError("aux has no column; pass at least one auxiliary target.")
        for name in frame.columns:
            if _has_missing(frame[name]):
                raise ValueError(
                    f"aux column {name!r} contains NaN or missing values; impute or drop "
                    "those samples (auxiliary targets must be complete at fit)."
                )
            if pd.api.types.is_numeric_dtype(frame[name].dtype) and not pd.api.types.is_bool_dtype(
                frame[name].dtype
            ):
                if not np.isfinite(frame[name].to_numpy(dtype=np.float64)).all():
                    raise ValueError(f"aux column {name!r} contains infinite values.")
        return frame, is_frame

    def _resolve_kinds(self, frame):
        names = self.names_
        if isinstance(self.aux_types, str):
            if self.aux_types != "auto":
                if self.aux_types in AUX_KINDS:
                    return [self.aux_types] * len(names)
                raise ValueError(
                    f"aux_types must be 'auto', one of {AUX_KINDS}, a sequence or a dict; "
                    f"got {self.aux_types!r}."
                )
            return [_auto_kind(frame[c]) for c in frame.columns]
        if isinstance(self.aux_types, dict):
            unknown = set(map(str, self.aux_types)) - set(names)
            if unknown:
                raise ValueError(
                    f"aux_types names {sorted(unknown)} are not aux columns {names}."
                )
            given = {str(k): v for k, v in self.aux_types.items()}
            kinds = [
                given.get(name, _auto_kind(frame[c])) for name, c in zip(names, frame.columns)
            ]
        else:
            kinds = list(self.aux_types)
            if len(kinds) != len(names):
                raise ValueError(
                    f"aux_types has {len(kinds)} entries but aux has {len(names)} columns."
                )
        for kind in kinds:
            if kind not in AUX_KINDS:
                raise ValueError(
                    f"Unknown auxiliary target kind {kind!r}; use one of {AUX_KINDS}."
                )
        return kinds


def check_aux_weight(aux_weight, n_aux):
    """Fixed per-target weights as a float array, or None for uncertainty weighting."""
    if isinstance(aux_weight, str):
        return None  # "uncertainty", validated by the parameter constraints
    weights = np.asarray(aux_weight, dtype=np.float64)
    if weights.ndim == 0:
        return np.full(n_aux, float(weights))
    if weights.ndim != 1 or len(weights) != n_aux:
        raise ValueError(
            f"aux_weight must be a float, 'uncertainty' or one weight per auxiliary target "
            f"({n_aux}); got shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise ValueError(f"aux_weight must be finite and non-negative, got {weights.tolist()}.")
    return weights
