"""Warnings and errors specific to skmtlx."""

__all__ = ["InconsistentVersionWarning"]


class InconsistentVersionWarning(UserWarning):
    """An estimator was unpickled with another skmtlx or torch version than saved it.

    As scikit-learn's :class:`~sklearn.exceptions.InconsistentVersionWarning`:
    the estimator may load, but its predictions are not guaranteed; refit or
    save it again with the versions in use.

    Parameters
    ----------
    estimator_name : str
        Class name of the unpickled estimator.
    library : str
        ``"skmtlx"`` or ``"torch"``.
    original_version : str
        Version of ``library`` that pickled the estimator.
    current_version : str
        Version of ``library`` installed now.

    Examples
    --------
    >>> import warnings
    >>> from skmtlx.exceptions import InconsistentVersionWarning
    >>> warning = InconsistentVersionWarning(estimator_name="FidelityMTLRegressor",
    ...                                      library="torch", original_version="2.1.0",
    ...                                      current_version="2.13.0")
    >>> warning.original_version
    '2.1.0'
    """

    def __init__(self, *, estimator_name, library, original_version, current_version):
        self.estimator_name = estimator_name
        self.library = library
        self.original_version = original_version
        self.current_version = current_version

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} saved with {self.library} "
            f"{self.original_version} when using {self.library} {self.current_version}. "
            "This might lead to breaking code or invalid results: refit the estimator, or "
            "load it with the versions that saved it."
        )
