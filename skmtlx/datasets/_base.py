"""Where real data comes from: ``data_home``, ``SKMTLX_DATA_HOME``, then OpenML.

Every real-data loader of skmtlx reads one CSV file (plain or ``.gz``) through
:func:`load_data_frame`:

1. ``data_home`` given as an argument, else the environment variable
   ``SKMTLX_DATA_HOME``, is a folder searched for the file under its exact name
   (the names used in the project's ``shared/data`` folder, e.g.
   ``"adult.csv.gz"``); the same name with or without ``.gz`` is accepted too.
   Every file is declared in :data:`DATA_FILES` with its SHA-256 and its number
   of data rows (the model is scikit-learn's ``RemoteFileMetadata`` checked by
   ``_fetch_remote``): the checksum is verified for the declared name, the row
   count for both names, and any mismatch or read error raises a
   :class:`DataFileError` naming the file and saying how to fix it.
2. Otherwise, when the dataset has a public OpenML copy and
   ``download_if_missing=True``, it is fetched with
   :func:`sklearn.datasets.fetch_openml` (cached in ``<data_home>/openml`` when
   a data home is set, else in scikit-learn's own data home; scikit-learn checks
   the download's MD5) and converted to the layout of the file, so that the
   loader code downstream is the same for both origins.
3. With neither, a :class:`DataNotFoundError` says where it looked and how to
   provide the data.

Loaders written in other modules of :mod:`skmtlx.datasets` reuse these helpers:
call :func:`load_data_frame` with the file name and, if there is one, an
:class:`OpenMLSource` describing the public copy.
"""

import gzip
import hashlib
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import pandas as pd
from sklearn.datasets import fetch_openml

__all__ = [
    "DATA_FILES",
    "DATA_HOME_ENV",
    "DataFileError",
    "DataFileMetadata",
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


class DataFileError(OSError):
    """Raised when a data file is found but is not the declared one or cannot be read.

    A truncated, corrupt or different copy: its SHA-256 or its number of rows
    differs from :data:`DATA_FILES`, or parsing it failed. The message names
    the file and says how to fix it.

    Examples
    --------
    >>> from skmtlx.datasets import DataFileError
    >>> issubclass(DataFileError, OSError)
    True
    """


@dataclass(frozen=True)
class DataFileMetadata:
    """What a data file must be: its name, SHA-256 and number of data rows.

    Parameters
    ----------
    filename : str
        Name of the file in the data home, e.g. ``"adult.csv.gz"``.
    checksum : str
        SHA-256 (hex) of the file's bytes under that name.
    n_rows : int
        Number of data rows (the header excluded) that :func:`pandas.read_csv`
        reads; checked also when the file is found under the other name
        (``.gz`` added or removed), whose bytes differ.

    Examples
    --------
    >>> from skmtlx.datasets import DATA_FILES
    >>> DATA_FILES["auto-mpg.csv"].n_rows
    398
    """

    filename: str
    checksum: str
    n_rows: int


#: Every file read by a skmtlx loader, as in the project's data folder (its
#: ``SOURCES.md`` says where each comes from).
DATA_FILES = {
    meta.filename: meta
    for meta in [
        DataFileMetadata(
            "adult.csv.gz",
            "cb5366ec4b668ce7fb7ac6e348827d5ded4b5cef4eb5682393e0976f61aaa888", 48842),
        DataFileMetadata(
            "auto-mpg.csv",
            "998731a41b824206169dcf84b3a91048bc8d5b833f04b6935686e91664480021", 398),
        DataFileMetadata(
            "cal_housing.csv.gz",
            "9d61d456fc8325b34d5a488084d1133bbb67cf6f583e310f6a963010396686f1", 20640),
        DataFileMetadata(
            "computer_survey.csv.gz",
            "431ad5f4c7d7f26de7d948e84e548e865a60fa70ffd6e593c8aba85b66610bb5", 3800),
        DataFileMetadata(
            "emotions_multilabel.csv.gz",
            "1d3d43149cfa4238fcdc94ca7ce37ff972140a6eb2fa78ea844baff67a637804", 593),
        DataFileMetadata(
            "parkinsons_updrs.csv.gz",
            "82e4f2863c0095d8905a3af6c3e2a9b204a2e762a00266dd7c6ec720f739b80d", 5875),
        DataFileMetadata(
            "sarcos_inv_test.csv.gz",
            "d9369a6f21a3ad7495e42f23a9caafa2fc0d41d0bd619f549dc6613e77d4567b", 4449),
        DataFileMetadata(
            "scene_multilabel.csv.gz",
            "5c89acee80435519bb8e5e15f0d71c903a0d98ddf9426413d831553b961735de", 2407),
        DataFileMetadata(
            "school.csv.gz",
            "e8b154e29255d9fac4938454613f0e771bd36ce7f468bd11b015ad79c3c1224a", 15362),
        DataFileMetadata(
            "titanic.csv",
            "c617db2c7470716250f6f001be51304c76bcc8815527ab8bae734bdca0735737", 1309),
        DataFileMetadata(
            "winequality-red.csv",
            "f5eb6b494f4f6431698dce8fb15c356d091c2a5dc13f823742dcc9709a327b4a", 1599),
        DataFileMetadata(
            "yeast_multilabel.csv.gz",
            "2969cb4bab877a27adcbe17871fa0b378a1e54b98816cd6106b542ee450a1c09", 2417),
    ]
}


def sha256_of(path):
    """SHA-256 (hex) of the bytes of the file at ``path``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from skmtlx.datasets._base import sha256_of
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty.csv"
    >>> _ = path.write_bytes(b"")
    >>> sha256_of(path)[:12]
    'e3b0c44298fc'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


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


def fetch_openml_frame(source, data_home=None):
    """Fetch the OpenML copy described by ``source`` as one DataFrame.

    This calls :func:`sklearn.datasets.fetch_openml` with ``as_frame=True`` and
    no target column, so the frame holds every column, then applies
    ``source.to_layout``.

    Parameters
    ----------
    source : OpenMLSource
    data_home : str or path-like, default=None
        The download is cached in ``<data_home>/openml``; None uses
        scikit-learn's data home (``~/scikit_learn_data`` by default).

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
    if data_home is not None:
        kwargs["data_home"] = str(Path(data_home) / "openml")
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
    metadata=None,
):
    """Read a dataset file from the data home (checked), else fetch it from OpenML.

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
    metadata : DataFileMetadata, default=None
        What the file must be; None looks ``filename`` up in :data:`DATA_FILES`.

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
    DataFileError
        When the file is there but its checksum or row count is not the
        declared one, or it cannot be parsed.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.datasets._base import DataFileMetadata, load_data_frame, sha256_of
    >>> import tempfile, pathlib
    >>> home = pathlib.Path(tempfile.mkdtemp())
    >>> pd.DataFrame({"a": [1, 2]}).to_csv(home / "toy.csv", index=False)
    >>> meta = DataFileMetadata("toy.csv", sha256_of(home / "toy.csv"), n_rows=2)
    >>> frame, source = load_data_frame("toy.csv", data_home=home, metadata=meta)
    >>> frame.shape, source.startswith("file:")
    ((2, 1), True)
    """
    path = find_data_file(filename, data_home)
    if path is not None:
        if metadata is None:
            metadata = DATA_FILES.get(filename)
        if metadata is None:
            raise ValueError(
                f"{filename!r} is not declared in skmtlx.datasets._base.DATA_FILES: every "
                "file a loader reads needs its SHA-256 and row count there."
            )
        frame = _read_checked(path, metadata, read_csv_kwargs or {}, openml)
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
            frame = fetch_openml_frame(openml, data_home=home)
        except Exception as exc:  # network, HTTP, OpenML or parsing errors alike
            reason = (
                f"fetching {openml.describe()} with sklearn.datasets.fetch_openml "
                f"failed ({type(exc).__name__}: {exc})"
            )
            raise DataNotFoundError(_missing_message(filename, where, reason, openml)) from exc
        return frame, openml.describe()
    raise DataNotFoundError(_missing_message(filename, where, reason, openml))


def _read_checked(path, metadata, read_csv_kwargs, openml):
    """``pandas.read_csv`` of ``path`` after and around the checks of ``metadata``."""
    fix = (
        f"Replace it with the copy of {metadata.filename!r} described in the data folder's "
        f"SOURCES.md (SHA-256 {metadata.checksum}, {metadata.n_rows} data rows)"
        + ("." if openml is None else
           f", or remove it so that the loader fetches {openml.describe()} instead.")
    )
    if path.name == metadata.filename:
        checksum = sha256_of(path)
        if checksum != metadata.checksum:
            raise DataFileError(
                f"{path} has SHA-256 {checksum}, expected {metadata.checksum}: the file is "
                f"truncated, corrupt or another version. {fix}"
            )
    try:
        frame = pd.read_csv(path, **read_csv_kwargs)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile, UnicodeDecodeError,
            ValueError) as exc:  # pandas' ParserError and EmptyDataError are ValueErrors
        raise DataFileError(
            f"Cannot read {path} as CSV ({type(exc).__name__}: {exc}). {fix}"
        ) from exc
    if len(frame) != metadata.n_rows:
        raise DataFileError(
            f"{path} has {len(frame)} data rows, expected {metadata.n_rows}: the file is "
            f"truncated or another version. {fix}"
        )
    return frame


def check_columns(frame, columns, source):
    """Raise a :class:`DataFileError` naming ``source`` if ``frame`` lacks ``columns``.

    Examples
    --------
    >>> import pandas as pd
    >>> from skmtlx.datasets._base import check_columns
    >>> frame = pd.DataFrame({"a": [1]})
    >>> check_columns(frame, ["a", "b"], "file:/data/x.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skmtlx.datasets._base.DataFileError: file:/data/x.csv lacks the column(s) ['b'] ...
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"{source} lacks the column(s) {missing} of the expected layout (it has "
            f"{list(frame.columns)[:20]}); the file is another version: replace it with the "
            "copy described in the data folder's SOURCES.md."
        )


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
