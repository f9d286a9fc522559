"""Real multi-target data: SARCOS torques and multi-label yeast / scene / emotions.

Files are looked up in ``data_home`` (else ``$SKMTLX_DATA_HOME``) under the
names of the project's data folder; the multi-label sets fall back to their
public OpenML copies (Mulan versions) through :func:`sklearn.datasets.fetch_openml`.
"""

import numpy as np
import pandas as pd
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions, validate_params

from ._base import OpenMLSource, check_columns, load_data_frame, normalize_column_name

__all__ = ["load_sarcos", "load_multilabel", "MULTILABEL_DATASETS"]

_SARCOS_FILE = "sarcos_inv_test.csv.gz"
_SARCOS_TARGETS = [f"torque_{k}" for k in range(1, 8)]

#: name -> (file, label columns, OpenML data_id of the Mulan copy)
MULTILABEL_DATASETS = {
    "yeast": ("yeast_multilabel.csv.gz", [f"Class{k}" for k in range(1, 15)], 40597),
    "scene": (
        "scene_multilabel.csv.gz",
        ["Beach", "Sunset", "FallFoliage", "Field", "Mountain", "Urban"],
        40595,
    ),
    "emotions": (
        "emotions_multilabel.csv.gz",
        [
            "amazed-suprised",
            "happy-pleased",
            "relaxing-calm",
            "quiet-still",
            "sad-lonely",
            "angry-aggresive",
        ],
        40589,
    ),
}


def _labels_last(labels):
    """``to_layout`` for OpenML multi-label frames: features first, 0/1 labels last."""
    wanted = {normalize_column_name(c): c for c in labels}

    def to_layout(frame):
        found = {}
        for col in frame.columns:
            key = normalize_column_name(col)
            if key in wanted:
                found[wanted[key]] = col
        missing = [c for c in labels if c not in found]
        if missing:
            raise ValueError(f"Label columns {missing} not found in the OpenML copy.")
        features = frame.drop(columns=list(found.values()))
        out = features.apply(pd.to_numeric)
        for label in labels:
            col = frame[found[label]].astype(str).str.upper()
            out[label] = col.isin(["1", "TRUE", "1.0"]).astype(np.int64)
        return out

    return to_layout


def _bunch(frame, targets, source, descr):
    check_columns(frame, targets, source)
    feature_names = [c for c in frame.columns if c not in targets]
    return Bunch(
        data=frame[feature_names].to_numpy(dtype=np.float64),
        target=frame[targets].to_numpy(),
        frame=frame,
        feature_names=feature_names,
        target_names=list(targets),
        source=source,
        DESCR=descr,
    )


def load_sarcos(data_home=None):
    """Load the SARCOS inverse-dynamics data (7 joint torques as 7 tasks).

    The GPML test split (4,449 rows): 21 inputs (``pos_1..7``, ``vel_1..7``,
    ``acc_1..7``) and 7 regression targets ``torque_1..7``. The file is
    ``sarcos_inv_test.csv.gz`` (CSV with a header, inputs first) in
    ``data_home`` or ``$SKMTLX_DATA_HOME``; there is no OpenML copy known to
    skmtlx, so without the file a :class:`FileNotFoundError` explains how to
    provide it.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding the file; None reads ``$SKMTLX_DATA_HOME``.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (4449, 21), ``target`` (4449, 7), ``frame`` (the table
        read), ``feature_names``, ``target_names``, ``source`` and ``DESCR``.

    Examples
    --------
    >>> from skmtlx.datasets import load_sarcos
    >>> sarcos = load_sarcos()  # doctest: +SKIP
    >>> sarcos.data.shape, sarcos.target.shape  # doctest: +SKIP
    ((4449, 21), (4449, 7))
    """
    frame, source = load_data_frame(_SARCOS_FILE, data_home=data_home, openml=None)
    return _bunch(
        frame, _SARCOS_TARGETS, source,
        "SARCOS inverse dynamics (GPML test split): 21 inputs, 7 joint torques.",
    )


@validate_params(
    {"name": [StrOptions(set(MULTILABEL_DATASETS))]}, prefer_skip_nested_validation=True
)
def load_multilabel(name, data_home=None, download_if_missing=True):
    """Load a multi-label data set: ``"yeast"`` (14 labels), ``"scene"`` or ``"emotions"`` (6).

    Files ``yeast_multilabel.csv.gz``, ``scene_multilabel.csv.gz`` and
    ``emotions_multilabel.csv.gz`` (features first, 0/1 label columns last)
    are read from ``data_home`` or ``$SKMTLX_DATA_HOME``; otherwise the Mulan
    copy on OpenML (data_id 40597, 40595 and 40589) is fetched with
    :func:`sklearn.datasets.fetch_openml` and put in the same layout.

    Parameters
    ----------
    name : {"yeast", "scene", "emotions"}
        The data set.
    data_home : str or path-like, default=None
        Folder holding the file; None reads ``$SKMTLX_DATA_HOME``.
    download_if_missing : bool, default=True
        Fetch the OpenML copy when the file is missing.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data`` (features, float), ``target`` (0/1 int, one column per
        label), ``frame`` (the table read), ``feature_names``,
        ``target_names``, ``source`` and ``DESCR``.

    Examples
    --------
    >>> from skmtlx.datasets import load_multilabel
    >>> yeast = load_multilabel("yeast")  # doctest: +SKIP
    >>> yeast.data.shape, yeast.target.shape  # doctest: +SKIP
    ((2417, 103), (2417, 14))
    """
    filename, labels, data_id = MULTILABEL_DATASETS[name]
    frame, source = load_data_frame(
        filename,
        data_home=data_home,
        openml=OpenMLSource(name, data_id=data_id, to_layout=_labels_last(labels)),
        download_if_missing=download_if_missing,
    )
    return _bunch(frame, labels, source, f"Multi-label {name} data ({len(labels)} labels).")
