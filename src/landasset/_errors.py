"""The exceptions landasset raises.

Every error derives from :class:`LandassetError` and also from the built-in exception
that fits, so ``except ValueError`` keeps working for callers that do not know
landasset. Messages say what is wrong and what to do about it.

Every class is defined here, whatever module raises it (and re-exports it), and
reports ``__module__ == "landasset"``: tracebacks and ``repr`` show the one public
place to import it from. By meaning:

- an argument to a function or method is wrong: :class:`LandassetValueError` or
  :class:`LandassetTypeError` (and their subclasses :class:`MeasureError`,
  :class:`ParcelIndexError`);
- a suitability profile or efficiency scheme (a file, or the mapping read from one) is
  wrong: :class:`ProfileError`;
- layer data is wrong (ids, geometry, columns, values): :class:`SchemaError`.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ConsistencyWarning",
    "LandUseCodeWarning",
    "LandassetError",
    "LandassetIOError",
    "LandassetKeyError",
    "LandassetPermissionError",
    "LandassetTypeError",
    "LandassetValueError",
    "LandassetWarning",
    "MeasureError",
    "MissingValueWarning",
    "NoEnterpriseForYearWarning",
    "OutsideChinaWarning",
    "ParcelIndexError",
    "ProfileError",
    "RetiredParcelsWarning",
    "SchemaError",
    "TransitionError",
    "UnreachableWarning",
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


class LandassetPermissionError(LandassetError, PermissionError):
    """The database refused an operation to the role logged in (privileges or row-level
    security: a recorder recording for a parcel outside its zones)."""


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


class MeasureError(LandassetValueError):
    """A measure was called with an invalid option, column or spec.

    The message names the valid choices.
    """


class ParcelIndexError(LandassetValueError):
    """Invalid argument to a :class:`~landasset.index.ParcelIndex` method."""


class UnreachableWarning(LandassetWarning):
    """Some parcels cannot reach any target along the street network.

    Their network distance is ``inf``. The message says how many and why (no street
    at all, or a street component that holds no target).
    """


class ConsistencyWarning(LandassetWarning):
    """The AHP judgements of a model are inconsistent (CR > 0.1); the message names the
    judgement to reconsider first."""


class MissingValueWarning(LandassetWarning):
    """Some parcels lack a measure value: they get no score (NaN) and no rank.

    The message counts them per criterion and per constraint; the result's
    ``missing`` column names the criteria per parcel.
    """


class OutsideChinaWarning(LandassetWarning):
    """Coordinates given in a Chinese web datum lie outside China, where it does not apply."""


class NoEnterpriseForYearWarning(LandassetWarning):
    """An efficiency evaluation was asked for a year that no enterprise reports: nobody
    is graded. The message lists the years the data holds."""


for _cls in list(globals().values()):
    if isinstance(_cls, type) and issubclass(_cls, (LandassetError, LandassetWarning)):
        _cls.__module__ = "landasset"
del _cls
