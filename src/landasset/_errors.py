"""The exceptions landasset raises.

Every error derives from :class:`LandassetError` and also from the built-in exception
that fits, so ``except ValueError`` keeps working for callers that do not know
landasset. Messages say what is wrong and what to do about it.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "LandassetError",
    "LandassetIOError",
    "ProfileError",
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
