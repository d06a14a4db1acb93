"""The lifecycle stage identifiers, in pipeline order, and the retired-parcel helpers.

:class:`landasset.lifecycle.Stage` is the full description (labels, phases,
transitions); this tuple (the ids of the vocabulary table in ``landasset._vocab``)
lets light modules — the command line's option choices,
suitability's ``{stage: [...]}`` rules — name the stages without importing the
lifecycle package. A test keeps the two equal.

The helpers turn what a caller passes as ``stages=`` (a :class:`~landasset.Ledger`,
or a Series of stage ids by ``parcel_id``) into plain stage ids, and pick out the
retired parcels: the parents of a split or a merge, which stay in the parcel layer for
their history but must not be scored, mapped as live or counted in an area total
(their children cover the same ground). Scoring, best fit, assembly, the site summary
and the maps share them. pandas is imported only when a helper is called.

Examples
--------
>>> import pandas as pd
>>> stages = pd.Series(["operating", "retired", None], index=["A", "B", "C"])
>>> retired_ids(stages).tolist()
['B']
>>> live_mask(pd.Index(["A", "B", "C", "D"]), stages).tolist()
[True, False, True, True]
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Protocol, Union

from landasset import _vocab
from landasset._dates import DateLike, to_day_or_none

if TYPE_CHECKING:  # pragma: no cover - typing only
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

__all__ = [
    "STAGE_IDS",
    "HasStages",
    "StageSource",
    "live_mask",
    "retired_ids",
    "stage_series",
    "warn_retired",
]

#: The stage ids in pipeline order (from the vocabulary table, landasset._vocab.STAGES).
STAGE_IDS: tuple[str, ...] = _vocab.STAGE_IDS

#: The stage of a parcel that a split or merge (or an expiry) has ended.
RETIRED = "retired"


class HasStages(Protocol):
    """What reads the stage of each parcel on a day: a :class:`~landasset.Ledger`."""

    def stages(self, *, as_of: Any = None) -> pd.Series: ...


#: Where the stage of each parcel comes from: a ledger (read on ``as_of``; None reads
#: every recorded event) or a Series of stage ids by ``parcel_id`` (taken as is).
StageSource = Union[HasStages, "pd.Series"]


def stage_series(stages: Any, as_of: DateLike | None = None) -> pd.Series:
    """Stage ids by ``parcel_id`` from a ledger or a Series (``lifecycle.stages_on``).

    Parameters
    ----------
    stages : Ledger, Series or DataFrame
        An object with a ``stages(as_of)`` method (a :class:`~landasset.Ledger`), a
        Series of stage ids (or :class:`~landasset.Stage` members) indexed by
        ``parcel_id``, or a DataFrame with a ``stage`` column.
    as_of : date-like, optional
        The day the ledger is read on (checked, then ignored, for a Series). None
        reads every recorded event (the latest stage of each parcel).

    Returns
    -------
    Series
        Plain strings (``None`` where missing), dtype object, on the given index.

    Raises
    ------
    LandassetTypeError
        ``stages`` is none of these.
    SchemaError
        A table without a ``stage`` column, or a value that is not a stage id.
    LandassetValueError
        ``as_of`` is not a day (see ``landasset._dates.to_day``).

    Examples
    --------
    >>> import pandas as pd
    >>> stage_series(pd.Series(["retired", None], index=["A", "B"])).tolist()
    ['retired', None]
    """
    import numpy as np
    import pandas as pd

    from landasset._errors import LandassetTypeError, SchemaError

    day = to_day_or_none(as_of)
    if isinstance(stages, pd.DataFrame):
        if "stage" not in stages.columns:
            raise SchemaError(
                "stages is a table without a 'stage' column; pass a Ledger or a Series of "
                "stage ids by parcel_id"
            )
        stages = stages["stage"]
    elif not isinstance(stages, pd.Series):
        if not callable(getattr(stages, "stages", None)):
            raise LandassetTypeError(
                "stages must be a Ledger (with .stages(as_of=...)) or a Series of stage ids by "
                f"parcel_id, not a {type(stages).__name__}"
            )
        read = stages.stages(as_of=day)
        if isinstance(read, pd.DataFrame) and "stage" in read.columns:
            read = read["stage"]
        if not isinstance(read, pd.Series):
            raise LandassetTypeError(
                f"ledger.stages(as_of=...) returned a {type(read).__name__}, not a Series of "
                "stages by parcel_id"
            )
        stages = read
    codes, uniques = pd.factorize(stages.astype(object), use_na_sentinel=True)
    names = [getattr(u, "value", u) for u in uniques]
    bad = [n for n in names if n not in STAGE_IDS]
    if bad:
        raise SchemaError(
            f"{bad[0]!r} is not a lifecycle stage; use one of: "
            + ", ".join(repr(s) for s in STAGE_IDS)
        )
    table = np.array([*names, None], dtype=object)  # code -1 (missing) picks None
    return pd.Series(table[codes], index=stages.index, dtype=object, name="stage")


def retired_ids(stages: pd.Series) -> pd.Index:
    """The parcel ids whose stage is ``retired`` (in the Series' order).

    ``stages`` is a Series of stage ids (or :class:`~landasset.Stage` members) indexed
    by ``parcel_id``, as :func:`stage_series` or ``Ledger.stages(as_of=...)`` return.
    """
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(stages.astype(object), use_na_sentinel=True)
    retired = np.array([getattr(u, "value", u) == RETIRED for u in uniques] + [False])
    ids: pd.Index = stages.index[retired[codes]]
    return ids


def live_mask(index: pd.Index, stages: pd.Series | None) -> npt.NDArray[np.bool_]:
    """True for each id of ``index`` that is not retired (ids without a stage are live)."""
    import numpy as np

    if stages is None:
        return np.ones(len(index), dtype=bool)
    out: npt.NDArray[np.bool_] = ~index.isin(retired_ids(stages))
    return np.asarray(out, dtype=bool)


def warn_retired(ids: pd.Index, *, what: str, stacklevel: int = 3) -> None:
    """Warn (:class:`~landasset.RetiredParcelsWarning`) that ``what`` leaves out ``ids``.

    Nothing is said when ``ids`` is empty. Up to ten ids are named.
    """
    if not len(ids):
        return
    from landasset._errors import RetiredParcelsWarning

    shown = ", ".join(repr(str(i)) for i in list(ids)[:10])
    more = f" and {len(ids) - 10} more" if len(ids) > 10 else ""
    warnings.warn(
        f"{what} leaves out {len(ids)} retired parcel(s) (split or merged parents, whose "
        f"children cover the same ground): {shown}{more}",
        RetiredParcelsWarning,
        stacklevel=stacklevel + 1,
    )
