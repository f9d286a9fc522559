"""Where real data comes from: ``data_home``, ``SKMTLX_DATA_HOME``, then OpenML.

Every real-data loader of skmtlx reads one CSV file (plain or ``.gz``) through
:func:`load_data_frame`:

1. ``data_home`` given as an argument, else the environment variable
   ``SKMTLX_DATA_HOME``, is a folder searched for the file under its exact name
   (the names used in the project's ``shared/data`` folder, e.g.
   ``"adult.csv.gz"``); the same name with or without ``.gz`` is accepted too.
2. Otherwise, when the dataset has a public OpenML copy and
   ``download_if_missing=True``, it is fetched with
   :func:`sklearn.datasets.fetch_openml` (cached by scikit-learn in its own
   data home, ``~/scikit_learn_data`` by default) and converted to the layout of
   the file, so that the loader code downstream is the same for both origins.
3. With neither, a :class:`DataNotFoundError` says where it looked and how to
   provide the data.

Loaders written in other modules of :mod:`skmtlx.datasets` reuse these helpers:
call :func:`load_data_frame` with the file name and, if there is one, an
:class:`OpenMLSource` describing the public copy.
"""

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pandas as pd
from sklearn.datasets import fetch_openml

__all__ = [
    "DATA_HOME_ENV",
    "DataNotFoundError",
    "OpenMLSource",
    "get_data_home",
    "find_data_file",
    "fetch_openml_frame",
    "load_data_frame",
    "normalize_column_name",
    "rename_columns_like",
]

#: Environment variable naming the folder that holds the data files.
DATA_HOME_ENV = "SKMTLX_DATA_HOME"


class DataNotFoundError(FileNotFoundError):
    """Raised when a dataset is neither in ``data_home`` nor obtainable from OpenML.

    It subclasses :class:`FileNotFoundError`, so ``except OSError`` catches it too.

    Examples
    --------
    >>> from skmtlx.datasets import DataNotFoundError
    >>> issubclass(DataNotFoundError, FileNotFoundError)
    True
    """


@dataclass(frozen=True)
class OpenMLSource:
    """Description of the public OpenML copy of a dataset.

    Parameters
    ----------
    name : str
        OpenML dataset name (used with ``version`` when ``data_id`` is None).
    version : int or None, default=None
        OpenML version of ``name``.
    data_id : int or None, default=None
        OpenML id; when given it is used instead of ``name``/``version``.
    to_layout : callable or None, default=None
        ``to_layout(frame) -> frame`` converting the fetched
        :class:`pandas.DataFrame` (all columns, target included) to the column
        layout of the local file. None keeps the frame as fetched.

    Examples
    --------
    >>> from skmtlx.datasets._base import OpenMLSource
    >>> OpenMLSource("titanic", version=1, data_id=40945).describe()
    "OpenML dataset 'titanic' (version 1, data_id 40945)"
    """

    name: str
    version: Optional[int] = None
    data_id: Optional[int] = None
    to_layout: Optional[Callable[[pd.DataFrame], pd.DataFrame]] = None

    def describe(self):
        """One-line human description, used in messages and ``Bunch.source``."""
        parts = []
        if self.version is not None:
            parts.append(f"version {self.version}")
        if self.data_id is not None:
            parts.append(f"data_id {self.data_id}")
        extra = f" ({', '.join(parts)})" if parts else ""
        return f"OpenML dataset {self.name!r}{extra}"


def get_data_home(data_home=None):
    """Folder holding the data files: the argument, else ``$SKMTLX_DATA_HOME``.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder to use. When None, the environment variable ``SKMTLX_DATA_HOME``
        is read; an unset or empty variable gives None.

    Returns
    -------
    data_home : pathlib.Path or None
        The folder (``~`` expanded), or None when neither is set. The folder is
        not required to exist.

    Examples
    --------
    >>> from skmtlx.datasets import get_data_home
    >>> str(get_data_home("/tmp/my_data"))
    '/tmp/my_data'
    """
    if data_home is None:
        data_home = os.environ.get(DATA_HOME_ENV) or None
    if data_home is None:
        return None
    return Path(data_home).expanduser()


def _name_variants(filename):
    if filename.endswith(".gz"):
        return [filename, filename[: -len(".gz")]]
    return [filename, filename + ".gz"]


def find_data_file(filename, data_home=None):
    """Path of ``filename`` in the data home, or None when it is not there.

    Parameters
    ----------
    filename : str
        Exact file name, e.g. ``"adult.csv.gz"``. The same name with or
        without a trailing ``.gz`` is also accepted.
    data_home : str or path-like, default=None
        See :func:`get_data_home`.

    Returns
    -------
    path : pathlib.Path or None

    Examples
    --------
    >>> from skmtlx.datasets._base import find_data_file
    >>> find_data_file("no_such_file.csv", data_home="/nonexistent") is None
    True
    """
    home = get_data_home(data_home)
    if home is None:
        return None
    for name in _name_variants(filename):
        path = home / name
        if path.is_file():
            return path
    return None


def fetch_openml_frame(source):
    """Fetch the OpenML copy described by ``source`` as one DataFrame.

    This calls :func:`sklearn.datasets.fetch_openml` with ``as_frame=True`` and
    no target column, so the frame holds every column, then applies
    ``source.to_layout``. scikit-learn caches the download in its own data home.

    Parameters
    ----------
    source : OpenMLSource

    Returns
    -------
    frame : pandas.DataFrame

    Examples
    --------
    >>> from skmtlx.datasets._base import OpenMLSource, fetch_openml_frame
    >>> frame = fetch_openml_frame(OpenMLSource("titanic", 1, 40945))  # doctest: +SKIP
    """
    if source.data_id is not None:
        kwargs = {"data_id": source.data_id}
    else:
        kwargs = {"name": source.name, "version": source.version or "active"}
    bunch = fetch_openml(as_frame=True, target_column=None, parser="auto", **kwargs)
    frame = bunch.frame
    if source.to_layout is not None:
        frame = source.to_layout(frame)
    return frame


def load_data_frame(
    filename,
    *,
    data_home=None,
    openml=None,
    download_if_missing=True,
    read_csv_kwargs=None,
):
    """Read a dataset file from the data home, else fetch it from OpenML.

    Parameters
    ----------
    filename : str
        Exact file name looked up in the data home (see :func:`find_data_file`).
    data_home : str or path-like, default=None
        Folder holding the file; None reads ``$SKMTLX_DATA_HOME``.
    openml : OpenMLSource or None, default=None
        The public copy to fetch when the file is not found. None means the
        dataset has no public copy that skmtlx knows of.
    download_if_missing : bool, default=True
        If False, never fetch: a missing file raises at once.
    read_csv_kwargs : dict, default=None
        Extra keyword arguments for :func:`pandas.read_csv` (local file only).

    Returns
    -------
    frame : pandas.DataFrame
        The table in the layout of the local file.
    source : str
        ``"file:<path>"`` or the OpenML description, for provenance.

    Raises
    ------
    DataNotFoundError
        When the file is missing and it cannot be fetched. The message says
        where it looked and how to provide the data.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.datasets._base import load_data_frame
    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"a": [1, 2]}).to_csv(home / "toy.csv", index=False)
    >>> frame, source = load_data_frame("toy.csv", data_home=home)
    >>> frame.shape, source.startswith("file:")
    ((2, 1), True)
    """
    path = find_data_file(filename, data_home)
    if path is not None:
        frame = pd.read_csv(path, **(read_csv_kwargs or {}))
        return frame, f"file:{path}"

    home = get_data_home(data_home)
    if home is None:
        where = (
            f"no data folder was given (data_home=None and the environment "
            f"variable {DATA_HOME_ENV} is not set)"
        )
    else:
        origin = "data_home" if data_home is not None else DATA_HOME_ENV
        where = f"{filename!r} is not in {str(home)!r} (from {origin})"

    if openml is None:
        reason = "it has no public OpenML copy known to skmtlx"
    elif not download_if_missing:
        reason = f"download_if_missing=False, so {openml.describe()} was not fetched"
    else:
        try:
            frame = fetch_openml_frame(openml)
        except Exception as exc:  # network, HTTP, OpenML or parsing errors alike
            reason = (
                f"fetching {openml.describe()} with sklearn.datasets.fetch_openml "
                f"failed ({type(exc).__name__}: {exc})"
            )
            raise DataNotFoundError(_missing_message(filename, where, reason, openml)) from exc
        return frame, openml.describe()
    raise DataNotFoundError(_missing_message(filename, where, reason, openml))


def _missing_message(filename, where, reason, openml):
    how = [
        f"pass data_home='/path/to/folder' (a folder holding {filename!r}),",
        f"or set the environment variable {DATA_HOME_ENV} to such a folder",
    ]
    if openml is not None:
        how.append(
            f"or allow the download of {openml.describe()} (internet access, "
            "download_if_missing=True)"
        )
    return (
        f"Cannot load {filename!r}: {where}, and {reason}. To provide the data, "
        + " ".join(how)
        + ". The expected file layout is described in the docstring of the loader."
    )


def normalize_column_name(name):
    """Lower-case ``name`` and drop every non-alphanumeric character.

    Used to match OpenML column names (``"fixed_acidity"``,
    ``"education-num"``) with the names of the local files
    (``"fixed acidity"``, ``"education_num"``).

    Examples
    --------
    >>> from skmtlx.datasets._base import normalize_column_name
    >>> normalize_column_name("Fixed_Acidity"), normalize_column_name("home.dest")
    ('fixedacidity', 'homedest')
    """
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def rename_columns_like(frame, columns, aliases=None):
    """Rename the columns of ``frame`` to ``columns``, matched by normalized name.

    Parameters
    ----------
    frame : pandas.DataFrame
        Fetched table.
    columns : sequence of str
        Column names of the local file, in order. Each must match one column of
        ``frame`` (see :func:`normalize_column_name`) or an alias.
    aliases : dict, default=None
        ``{file column: fetched column or list of candidates}`` for names that
        differ beyond case and punctuation (e.g. ``{"mpg": "class"}``). The file
        column's own name is tried first, then the candidates in order.

    Returns
    -------
    frame : pandas.DataFrame
        Only ``columns``, in that order; other fetched columns are dropped.

    Raises
    ------
    ValueError
        If a column cannot be matched (the OpenML copy changed layout).

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.datasets._base import rename_columns_like
    >>> df = pd.DataFrame({"class": [1.0], "Model": [70]})
    >>> list(rename_columns_like(df, ["model", "mpg"], {"mpg": "class"}).columns)
    ['model', 'mpg']
    """
    aliases = aliases or {}
    fetched = {normalize_column_name(c): c for c in frame.columns}
    mapping = {}
    for col in columns:
        candidates = aliases.get(col, [])
        if isinstance(candidates, str):
            candidates = [candidates]
        keys = [normalize_column_name(c) for c in [col, *candidates]]
        found = [k for k in keys if k in fetched]
        if not found:
            raise ValueError(
                f"Column {col!r} not found in the fetched table; its columns are "
                f"{list(frame.columns)}."
            )
        mapping[fetched[found[0]]] = col
    out = frame[list(mapping)].rename(columns=mapping)
    return out[list(columns)].reset_index(drop=True)
