"""The exceptions landasset raises.

Every error derives from :class:`LandassetError` and also from the built-in exception
that fits, so ``except ValueError`` keeps working for callers that do not know
landasset. Messages say what is wrong and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "LandUseCodeWarning",
    "LandassetError",
    "LandassetIOError",
    "LandassetKeyError",
    "LandassetTypeError",
    "LandassetValueError",
    "LandassetWarning",
    "ProfileError",
    "RetiredParcelsWarning",
    "SchemaError",
    "TransitionError",
]


class LandassetError(Exception):
    """Root of every landasset error."""


class SchemaError(LandassetError, ValueError):
    """A layer does not match its schema (ids, geometry, columns, values).

    When raised from a validation report, the report is kept as ``.report``.
    """

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class CRSError(LandassetError, ValueError):
    """A coordinate reference system is missing or unfit for the operation."""


class TransitionError(LandassetError, ValueError):
    """A lifecycle event is not allowed from the parcel's current stage."""


class ProfileError(LandassetError, ValueError):
    """A suitability profile, efficiency scheme or other configuration file is invalid."""


class LandassetIOError(LandassetError, OSError):
    """A file cannot be read or written (missing, unknown format, would overwrite)."""


class LandassetValueError(LandassetError, ValueError):
    """An argument has a value outside what the function accepts (the message lists
    the valid choices)."""


class LandassetTypeError(LandassetError, TypeError):
    """An argument is of a type the function does not take."""


class LandassetKeyError(LandassetError, KeyError):
    """A named thing (a layer, a column, a parcel id) is not there."""

    def __str__(self) -> str:  # KeyError would show the message with quotes
        return str(self.args[0]) if self.args else ""


class LandassetWarning(UserWarning):
    """Root of the warnings landasset emits (unreachable parcels, missing values, ...)."""


class RetiredParcelsWarning(LandassetWarning):
    """Retired parcels (split or merged parents) were left out of a result.

    They stay in the parcel layer for their history, but their children cover the same
    ground: scoring them, or counting their area, would count it twice. The message
    says how many and which; results also keep the ids in ``attrs["retired"]``.
    """


class LandUseCodeWarning(LandassetWarning):
    """Land-use codes not in the table were read by their listed medium class
    (``B19`` as ``B1``); the message names each one."""
