"""The stage of each parcel on a day, from a ledger or from a Series.

Scoring, best fit, the maps, the site summary and the per-mu renewal candidates all
read stages through :func:`stages_on`, so they agree on what ``as_of`` means: a day
(see :func:`landasset._dates.to_day` for the forms accepted), or None for "no date"
— every recorded event counts, so each parcel has its latest stage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Union

from landasset._dates import DateLike
from landasset._stages import stage_series

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

    from landasset.lifecycle.ledger import Ledger

__all__ = ["StageSource", "stages_on"]

#: Where stages come from: a :class:`~landasset.Ledger` (read on ``as_of``) or a
#: Series of stage ids by ``parcel_id`` (taken as it is).
StageSource = Union["Ledger", "pd.Series"]


def stages_on(source: StageSource, *, as_of: DateLike | None = None) -> pd.Series:
    """The stage id of each parcel on ``as_of``.

    Parameters
    ----------
    source : Ledger or Series
        A :class:`~landasset.Ledger`, read on ``as_of``, or a Series of stage ids (or
        :class:`~landasset.Stage` members) indexed by ``parcel_id``, taken as it is.
    as_of : date-like, optional
        An ISO ``YYYY-MM-DD`` string, a date, a datetime or a Timestamp. None means
        no date: every recorded event counts (the latest stage of each parcel), the
        same None as ``score``, ``compute``, the maps and ``renewal_candidates``.

    Returns
    -------
    Series
        Stage ids (plain strings, ``None`` where unknown) by ``parcel_id``, named
        ``stage``.

    Raises
    ------
    SchemaError
        ``source`` is neither, or holds a value that is not a stage.
    LandassetValueError
        ``as_of`` is not a day.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import landasset as la
    >>> from landasset.lifecycle import Ledger, sample_events, stages_on
    >>> site = la.sample.load("yunqi")
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "yunqi.gpkg"
    >>> _ = site.to_file(path)
    >>> with Ledger.open(path) as ledger:
    ...     _ = ledger.record_many(sample_events(site))
    ...     early = stages_on(ledger, as_of="2021-01-01")
    ...     latest = stages_on(ledger)
    >>> int(early.notna().sum()) <= int(latest.notna().sum())
    True
    >>> import pandas as pd
    >>> stages_on(pd.Series({"A": "operating"}), as_of="2025-12-31").tolist()
    ['operating']
    """
    return stage_series(source, as_of)
