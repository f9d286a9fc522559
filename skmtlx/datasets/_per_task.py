"""Loaders for real multi-task regression sets with one group of rows per task.

School (139 schools), Parkinsons telemonitoring (42 patients) and the computer
survey (190 respondents). Files are read from ``data_home`` (else
``$SKMTLX_DATA_HOME``) under the names of the project's data folder; none of the
three has an OpenML copy that skmtlx knows of, so a missing file raises
:class:`~skmtlx.datasets._base.DataNotFoundError` explaining how to provide it.
"""

from sklearn.utils import Bunch

from ._base import check_columns, load_data_frame

__all__ = ["load_school", "load_parkinsons_updrs", "load_computer_survey"]


def _bunch(frame, source, task_col, target, drop, return_X_y_tasks, descr):
    check_columns(frame, [task_col, target, *drop], source)
    features = [c for c in frame.columns if c not in {task_col, *drop} and c != target]
    X = frame[features].astype(float)
    y = frame[target].to_numpy(dtype=float)
    tasks = frame[task_col].to_numpy()
    if return_X_y_tasks:
        return X, y, tasks
    return Bunch(data=X, target=y, tasks=tasks, frame=frame, feature_names=features,
                 target_name=target, task_name=task_col, source=source, DESCR=descr)


def load_school(*, data_home=None, return_X_y_tasks=False):
    """Load the School (ILEA exam scores) data: 139 tasks, one per school.

    15,362 students, 28 features (MALSAR layout: year, % free school meals,
    % VR band 1, gender, VR band, ethnic group, school gender / denomination and
    a constant ``bias`` column); target ``exam_score`` (1-70).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``school.csv.gz``; None reads ``$SKMTLX_DATA_HOME``.
    return_X_y_tasks : bool, default=False
        Return ``(X, y, tasks)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``data`` (DataFrame of features), ``target``, ``tasks`` (``school_id``),
        ``frame``, ``feature_names``, ``target_name``, ``task_name``,
        ``source``, ``DESCR``.
    (X, y, tasks) : tuple if ``return_X_y_tasks`` is True.

    Examples
    --------
    >>> from skmtlx.datasets import load_school
    >>> X, y, tasks = load_school(return_X_y_tasks=True)  # doctest: +SKIP
    >>> X.shape, len(set(tasks))  # doctest: +SKIP
    ((15362, 28), 139)
    """
    frame, source = load_data_frame("school.csv.gz", data_home=data_home)
    return _bunch(frame, source, "school_id", "exam_score", (), return_X_y_tasks,
                  "School exam scores (ILEA; MALSAR school.mat), one task per school.")


def load_parkinsons_updrs(*, data_home=None, target="motor_UPDRS", return_X_y_tasks=False):
    """Load Parkinsons telemonitoring: 42 tasks, one per patient.

    5,875 voice recordings, 19 features (age, sex, test_time and 16 voice
    measures); targets ``motor_UPDRS`` and ``total_UPDRS`` (the other target is
    dropped from the features).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``parkinsons_updrs.csv.gz``; None reads ``$SKMTLX_DATA_HOME``.
    target : {"motor_UPDRS", "total_UPDRS"}, default="motor_UPDRS"
        Which score to predict.
    return_X_y_tasks : bool, default=False
        Return ``(X, y, tasks)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As in :func:`load_school`; tasks are ``subject#``.

    Examples
    --------
    >>> from skmtlx.datasets import load_parkinsons_updrs
    >>> X, y, tasks = load_parkinsons_updrs(return_X_y_tasks=True)  # doctest: +SKIP
    >>> X.shape, len(set(tasks))  # doctest: +SKIP
    ((5875, 19), 42)
    """
    targets = ("motor_UPDRS", "total_UPDRS")
    if target not in targets:
        raise ValueError(f"target must be one of {targets}, got {target!r}.")
    frame, source = load_data_frame("parkinsons_updrs.csv.gz", data_home=data_home)
    other = [t for t in targets if t != target]
    return _bunch(frame, source, "subject#", target, other, return_X_y_tasks,
                  "Parkinsons telemonitoring (UCI), one task per patient.")


def load_computer_survey(*, data_home=None, return_X_y_tasks=False):
    """Load the computer survey (Lenk et al. 1996): 190 tasks, one per respondent.

    3,800 ratings (20 computer profiles per respondent), 13 binary (+/-1)
    attributes; target ``likelihood`` (0-10) of buying. Respondent covariates
    ``z_2..z_7`` and the profile bookkeeping columns are left out of ``data``
    (they are in ``frame``; ``design_split`` marks the paper's holdout profiles).

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder holding ``computer_survey.csv.gz``; None reads ``$SKMTLX_DATA_HOME``.
    return_X_y_tasks : bool, default=False
        Return ``(X, y, tasks)`` instead of a Bunch.

    Returns
    -------
    data : sklearn.utils.Bunch or tuple
        As in :func:`load_school`; tasks are ``respondent_id``.

    Examples
    --------
    >>> from skmtlx.datasets import load_computer_survey
    >>> X, y, tasks = load_computer_survey(return_X_y_tasks=True)  # doctest: +SKIP
    >>> X.shape, len(set(tasks))  # doctest: +SKIP
    ((3800, 13), 190)
    """
    frame, source = load_data_frame("computer_survey.csv.gz", data_home=data_home)
    drop = ["profile_id", "design_split"] + [f"z_{k}" for k in range(2, 8)]
    return _bunch(frame, source, "respondent_id", "likelihood", drop, return_X_y_tasks,
                  "Computer survey (Lenk et al. 1996), one task per respondent.")
