"""The lifecycle ledger: an append-only event log in the site's GeoPackage.

Every change of a parcel's stage is an *event* (parcel, stage, date, who recorded
it, data). Events are only ever appended: triggers raise ``ABORT`` on UPDATE and
DELETE of the events table and on an INSERT that meets an existing key (``INSERT OR
REPLACE``, ``REPLACE INTO``, upserts), and a mistake is fixed by a correction, a new
event that replaces an earlier one. The stage of every parcel on any date is a
query over the log; parcel splits and merges keep their lineage.

The class is the public face; the work is done in private modules, one concern
each: ``_store`` (the file, its connection and transactions, retries, WAL folding and
full disks), ``_checks`` (normalising a batch of events and checking it against the
transition table), ``_corrections``, ``_lineage`` (splits and merges), ``_schema``
(tables, triggers, rows) and ``_dates``.

Storage
-------
``landasset_events``
    ``event_id`` INTEGER PRIMARY KEY, ``parcel_id`` TEXT, ``stage`` TEXT, ``date``
    DATE (``YYYY-MM-DD``), ``recorded_at`` DATETIME (UTC, ``…T…Z``), ``actor``
    TEXT, ``data`` TEXT (JSON object, or NULL), ``corrects`` INTEGER (the event this
    one replaces), ``seq`` INTEGER (the event's place among the parcel's events: its
    own id, or for a correction the place of the event it replaces).
``landasset_lineage``
    ``lineage_id`` INTEGER PRIMARY KEY, ``parent_id``, ``child_id``, ``kind``
    (``split`` or ``merge``), ``date``, ``event_id`` (the parent's retiring event).

In a GeoPackage both tables are registered in ``gpkg_contents`` as ``attributes``
tables (QGIS lists them) and described in ``gpkg_data_columns`` (Chinese aliases, the
JSON mime type of ``data``, the stages as an enum constraint); the file still passes
the GeoPackage validator. A ``.sqlite`` file holds the same two tables and nothing
else.

Concurrency: the file keeps its own journal mode (a rollback journal, unless the file
is in WAL mode), with a busy timeout; each write is one ``BEGIN IMMEDIATE``
transaction that re-reads the parcels' current stages under the write lock, and a
write that still meets ``SQLITE_BUSY`` is retried with back-off. A crash (even
SIGKILL) mid-write leaves nothing of the batch behind, and so does a full disk: the
write is rolled back, the file keeps its old bytes, and the error names the disk.
Opening a file changes nothing in it until something is recorded.

Examples
--------
>>> import tempfile, pathlib
>>> from landasset.lifecycle import Ledger
>>> tmp = tempfile.TemporaryDirectory()
>>> ledger = Ledger.open(pathlib.Path(tmp.name) / "ledger.gpkg")
>>> _ = ledger.record("XH-01", "reserved", "2023-01-10", actor="储备中心")
>>> _ = ledger.record(
...     "XH-01", "supply_ready", "2023-06-01", actor="规划科", land_use="M1", far_max=2.5
... )
>>> ledger.stage("XH-01"), ledger.stage("XH-01", as_of="2023-03-01")
(<Stage.supply_ready: 'supply_ready'>, <Stage.reserved: 'reserved'>)
>>> ledger.record("XH-01", "operating", "2023-07-01", actor="x")
Traceback (most recent call last):
...
landasset.TransitionError: 1 of 1 events refused, nothing was recorded:
  row 0, parcel 'XH-01' on 2023-07-01: cannot go from 'supply_ready' to 'operating'; allowed from 'supply_ready': reserved (needs reason), supplied (needs contract_id, ...), retired (needs reason)
>>> ledger.close(); tmp.cleanup()
"""

from __future__ import annotations

import difflib
import html
import os
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from shapely.geometry.base import BaseGeometry

from landasset._compat import keyword_only
from landasset._errors import LandassetKeyError, LandassetTypeError, TransitionError
from landasset._postgres import is_url
from landasset.lifecycle import _corrections, _law, _lineage
from landasset.lifecycle._checks import Batch, check_moves, normalise
from landasset.lifecycle._dates import DateLike, as_day
from landasset.lifecycle._schema import (
    CODE,
    EVENTS_TABLE,
    LINEAGE_TABLE,
    RESERVED_KEYS,
    STAGE_VALUES,
    Event,
    events_frame,
)
from landasset.lifecycle._store import Store
from landasset.lifecycle.policy import Policy
from landasset.lifecycle.stages import Stage

__all__ = ["EVENTS_TABLE", "LINEAGE_TABLE", "Event", "Ledger"]


# -- the ledger ------------------------------------------------------------------------------
class Ledger:
    """An append-only lifecycle event log in a GeoPackage or SQLite file, or in PostgreSQL.

    Open one with :meth:`Ledger.open`; use it as a context manager or call
    :meth:`close`. A ledger holds one database connection and is meant for one
    thread; open one per process or thread (they coordinate through the file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> tmp = tempfile.TemporaryDirectory()
    >>> with Ledger.open(pathlib.Path(tmp.name) / "events.sqlite") as ledger:
    ...     e = ledger.record("A-01", "planned", "2022-03-01", actor="储备中心")
    ...     _ = ledger.record("A-01", "acquiring", "2022-09-01", actor="储备中心")
    ...     ledger.stages().to_dict()
    {'A-01': 'acquiring'}
    >>> tmp.cleanup()
    """

    def __init__(self, store: Store, *, policy: Policy | None = None) -> None:
        # opened by Ledger.open; the store holds the connection and does every write
        self._store = store
        self._policy = Policy() if policy is None else policy

    @property
    def policy(self) -> Policy:
        """The :class:`~landasset.lifecycle.Policy` events are checked against.

        It decides which supply modes a ``supplied`` event may use, the investment
        minimum table a contract's commitment is checked against and how many permit
        extensions may be recorded. Set it when opening (``Ledger.open(path,
        policy=...)``) or later (``ledger.policy = Policy(...)``).
        """
        return self._policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        if not isinstance(value, Policy):
            raise LandassetTypeError(
                f"a ledger's policy is a landasset.lifecycle.Policy, not {type(value).__name__}"
            )
        self._policy = value

    # -- opening and closing -----------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        read_only: bool = False,
        known_parcels: Iterable[str] | None = None,
        policy: Policy | None = None,
    ) -> Ledger:
        """Open (or create) the ledger in a ``.gpkg`` or ``.sqlite`` file.

        Parameters
        ----------
        path : str or path-like
            A GeoPackage (``.gpkg``; created as an empty GeoPackage when missing, the
            ledger tables are added to an existing one) or a plain SQLite file
            (``.sqlite``, ``.sqlite3`` or ``.db``). ``":memory:"`` opens a throw-away
            ledger. A ``postgresql://user@host/dbname`` URL (``?schema=name``, default
            ``public``) opens the ledger in that PostgreSQL schema, created with its
            roles when missing (see ``docs/postgis.md``; needs the ``postgis`` extra).
        timeout : float, default 30
            Seconds to wait for another writer's lock before retrying.
        read_only : bool, default False
            Open an existing ledger for queries only (nothing in the file changes, so a
            read-only file or folder is fine); recording then raises
            :class:`~landasset.LandassetIOError`.
        known_parcels : iterable of str, optional
            The parcel ids events may name; :meth:`record` and :meth:`record_many`
            refuse any other (a typo such as ``XH12O101-08``). By default the ids of
            the GeoPackage's ``parcels`` layer (read once, on the first write, and again
            when an id is missing, in case the layer gained parcels), and no check when
            the file has no such layer. Parcels created by :meth:`split` and
            :meth:`merge` are added.
        policy : Policy, optional
            The rules events are checked against beyond the transition table (supply
            modes, the investment minimum table, permit extensions); default
            :class:`~landasset.lifecycle.Policy`. See :attr:`policy`.

        Raises
        ------
        LandassetIOError
            Unknown extension; the file is not a GeoPackage/SQLite database; it cannot
            be opened for writing; with ``read_only``, it is missing or holds no ledger.
            A file that is refused is left as it was.
        LandassetPermissionError
            (a ``PermissionError``) In PostgreSQL: the role may not create the ledger;
            later, recording refused by privileges or row-level security.

        Examples
        --------
        >>> with Ledger.open(":memory:", known_parcels=["XH120101-08"]) as ledger:
        ...     ledger.record("XH12O101-08", "planned", "2024-01-01", actor="x")
        Traceback (most recent call last):
        ...
        landasset.LandassetKeyError: 1 parcel id is not in known_parcels, nothing was recorded: 'XH12O101-08' (did you mean 'XH120101-08'?); correct the id, or add the parcel first
        """
        if policy is not None and not isinstance(policy, Policy):
            raise LandassetTypeError(
                f"policy is a landasset.lifecycle.Policy, not {type(policy).__name__}"
            )
        if is_url(path):
            from landasset.lifecycle._pg import PgStore

            return cls(
                PgStore.open(
                    str(path), timeout=timeout, read_only=read_only, known_parcels=known_parcels
                ),
                policy=policy,
            )
        return cls(
            Store.open(path, timeout=timeout, read_only=read_only, known_parcels=known_parcels),
            policy=policy,
        )

    def close(self) -> None:
        """Close the connection (folding a WAL into the file first, when the file is in WAL mode).

        Raises
        ------
        LandassetIOError
            The disk cannot hold the events still in the file's ``-wal``: they stay
            there (the file itself keeps its earlier, consistent content).
        """
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def path(self) -> Path | None:
        """The file the ledger lives in (None for an in-memory ledger)."""
        return self._store.path

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying SQLite connection (read freely; never write around the ledger).

        For a ledger in PostgreSQL, its psycopg connection (in autocommit mode)."""
        return self._store.connection

    # -- recording -------------------------------------------------------------------------
    def record(
        self, parcel_id: str, stage: Stage | str, on: DateLike, *, actor: str, **data: Any
    ) -> Event:
        """Record that ``parcel_id`` entered ``stage`` on ``on``.

        Parameters
        ----------
        parcel_id : str
        stage : Stage or str
        on : str, date or datetime
            The day the stage was entered (an ISO string such as ``"2024-05-01"``).
        actor : str
            Who records the event.
        **data
            The event's data: the fields :data:`~landasset.lifecycle.TRANSITIONS`
            requires for the move, and any others (stored as JSON).

        Returns
        -------
        Event

        Raises
        ------
        TransitionError
            The move is not allowed from the parcel's current stage, a required field is
            missing or invalid, the date is before the parcel's last event, or the
            ledger's :attr:`policy` refuses it: a supply mode the law does not allow
            for the land use and date (without ``supply_exception``), a committed
            investment below the minimum table's figure (without
            ``below_minimum_reason``), a malformed ``penalty`` clause, too many permit
            extensions.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record(
        ...     "B-07", "supplied", "2024-02-01", actor="土地科",
        ...     contract_id="3301-2024-007", mode="listing", price_10k_cny=5200,
        ...     agreed_start="2024-08-01", agreed_completion="2026-08-01",
        ... )
        >>> e.stage, e.date, e.data["mode"]
        (<Stage.supplied: 'supplied'>, datetime.date(2024, 2, 1), 'listing')
        >>> ledger.record("B-07", "under_construction", "2024-09-01", actor="x")
        Traceback (most recent call last):
        ...
        landasset.TransitionError: ... cannot go from 'supplied' to 'under_construction'; allowed from 'supplied': permitted, reserved (needs reason), retired (needs reason)
        >>> ledger.close(); tmp.cleanup()
        """
        columns: dict[str, Any] = {
            "parcel_id": [parcel_id],
            "stage": [stage],
            "on": [on],
            "actor": [actor],
        }
        for key, value in data.items():
            if key in RESERVED_KEYS:
                raise TransitionError(
                    f"{key!r} cannot be event data: the name belongs to the events table"
                )
            columns[key] = [value]
        ids = self._record(normalise(columns, labels=[0]))
        return self.event(int(ids[0]))

    def record_many(self, frame: pd.DataFrame) -> pd.Series:
        """Record many events in one transaction: all of them or none.

        Parameters
        ----------
        frame : DataFrame
            Columns ``parcel_id``, ``stage``, ``on`` and ``actor``; every other column
            is event data (null cells are left out of each event's data). Events of one
            parcel may come in any row order: they are taken in date order (rows of the
            same date in frame order).

        Returns
        -------
        Series
            ``event_id`` of each row, aligned on ``frame.index``.

        Raises
        ------
        TransitionError
            Any row is invalid; the message lists the rows (by index label) and what is
            wrong, and nothing is recorded.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.gpkg")
        >>> events = pd.DataFrame({
        ...     "parcel_id": ["P1", "P1", "P2"],
        ...     "stage": ["reserved", "supply_ready", "operating"],
        ...     "on": ["2021-01-05", "2022-03-01", "2015-06-30"],
        ...     "actor": "建账",
        ...     "land_use": [None, "M1", None],
        ...     "far_max": [None, 2.0, None],
        ... })
        >>> ledger.record_many(events).tolist()
        [1, 2, 3]
        >>> ledger.stages().to_dict()
        {'P1': 'supply_ready', 'P2': 'operating'}
        >>> ledger.close(); tmp.cleanup()
        """
        if not isinstance(frame, pd.DataFrame):
            raise TransitionError(
                f"record_many takes a DataFrame, not {type(frame).__name__}; "
                "use record() for a single event"
            )
        if len(frame) == 0:
            return pd.Series([], index=frame.index, name="event_id", dtype="int64")
        batch = normalise(frame)
        ids = self._record(batch)
        out = np.empty(len(frame), dtype=np.int64)
        out[batch.position] = ids
        return pd.Series(out, index=frame.index, name="event_id")

    def _record(self, batch: Batch) -> npt.NDArray[np.int64]:
        land_use_before = self._land_use_before(batch)

        def work(con: sqlite3.Connection) -> npt.NDArray[np.int64]:
            self._store.check_known(con, batch.parcel)
            stage_now, day_now = self._store.state(con, batch.parcel)
            check_moves(batch, stage_now, day_now)
            _law.check_law(batch, self._policy, land_use_before)
            return self._store.insert(con, batch)

        return self._store.write(work)

    def _land_use_before(self, batch: Batch) -> dict[str, str]:
        """Land use of the parcels supplied in ``batch`` whose events there lack one."""
        supplied = batch.stage == CODE["supplied"]
        if not supplied.any():
            return {}
        land_use = batch.data.get("land_use")
        given = (
            set()
            if land_use is None
            else set(batch.parcel[np.asarray(pd.notna(land_use), dtype=bool)])
        )
        wanted = sorted(set(batch.parcel[supplied]) - given)
        if not wanted:
            return {}
        return land_use_of(self, wanted)

    # -- corrections ---------------------------------------------------------------------------
    def correct(self, event_id: int, *, actor: str, reason: str, **changes: Any) -> Event:
        """Replace event ``event_id`` by a corrected copy (a new event; nothing is edited).

        Parameters
        ----------
        event_id : int
            The event to correct (the latest of a chain of corrections).
        actor : str
            Who corrects it.
        reason : str
            Why; stored as ``correction_reason`` in the new event's data.
        **changes
            ``stage=`` and ``on=`` change the stage and date; other keywords change data
            fields (``None`` removes one). The parcel's whole corrected history must
            still follow :data:`~landasset.lifecycle.TRANSITIONS`.

        Returns
        -------
        Event
            The replacement; from now on it stands in the parcel's history where the
            corrected event stood.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("C-3", "operating", "2020-01-01", actor="a")
        >>> fixed = ledger.correct(e.event_id, actor="b", reason="typo", on="2019-12-01")
        >>> fixed.corrects == e.event_id, ledger.stage("C-3", as_of="2019-12-15")
        (True, <Stage.operating: 'operating'>)
        >>> ledger.close(); tmp.cleanup()
        """
        return self.event(
            _corrections.correct(
                self._store,
                event_id,
                actor=actor,
                reason=reason,
                changes=changes,
                check=lambda batch: _law.check_law(
                    batch, self._policy, self._land_use_before(batch)
                ),
            )
        )

    # -- reading -------------------------------------------------------------------------------
    def event(self, event_id: int) -> Event:
        """The event with id ``event_id``.

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event ``event_id``.
        LandassetTypeError
            (a ``TypeError``) ``event_id`` is not a whole number.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("A", "reserved", "2020-01-01", actor="a")
        >>> ledger.event(e.event_id).stage
        <Stage.reserved: 'reserved'>
        >>> ledger.event(99)
        Traceback (most recent call last):
        ...
        landasset.LandassetKeyError: there is no event 99 in the ledger ...
        >>> ledger.close(); tmp.cleanup()
        """
        found = self._store.event_row(self.connection, event_id)
        if found is None:
            raise LandassetKeyError(
                f"there is no event {event_id} in the ledger (it holds {len(self)}); "
                "find event ids in the index of ledger.events() or ledger.history(parcel_id)"
            )
        return found

    def __len__(self) -> int:
        """Number of events recorded (corrected ones included)."""
        return self._store.count()

    def parcel_ids(self) -> pd.Index:
        """Every parcel the ledger has an event for, sorted."""
        return pd.Index(self._store.parcel_id_list(), name="parcel_id", dtype=object)

    @keyword_only(2, "as_of")
    def stage(self, parcel_id: str, *, as_of: DateLike | None = None) -> Stage | None:
        """The stage of one parcel on ``as_of`` (default: after its latest event).

        Returns None when the parcel's first event is after ``as_of``.

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event for ``parcel_id``.
        """
        found = self._store.stage_at(str(parcel_id), self._as_of_text(as_of))
        if found is None:
            if self._store.has_parcel(str(parcel_id)):
                return None
            raise LandassetKeyError(self._unknown(parcel_id))
        return Stage(found)

    def _unknown(self, parcel_id: str) -> str:
        close = difflib.get_close_matches(str(parcel_id), self.parcel_ids().tolist(), n=3)
        hint = (
            f"; did you mean {', '.join(map(repr, close))}?"
            if close
            else "; check the id (ledger.parcel_ids() lists the parcels it knows)"
        )
        return f"the ledger has no event for parcel {parcel_id!r}{hint}"

    @staticmethod
    def _as_of_text(as_of: DateLike | None) -> str | None:
        return None if as_of is None else str(as_day(as_of, "as_of"))

    @keyword_only(1, "as_of")
    def stages(self, *, as_of: DateLike | None = None) -> pd.Series:
        """The stage of every parcel on ``as_of`` (default: after the latest events).

        Parcels whose first event is after ``as_of`` are left out. Corrections are
        applied: a corrected event's replacement counts, never the event itself.

        Returns
        -------
        Series
            ``stage``, categorical with the eleven stages as categories in lifecycle
            order, indexed by ``parcel_id`` (sorted).

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("A", "operating", "2020-01-01", actor="a")
        >>> _ = ledger.record("A", "renewal", "2024-01-01", actor="a")
        >>> _ = ledger.record("B", "planned", "2023-01-01", actor="a")
        >>> ledger.stages(as_of="2023-06-30").to_dict()
        {'A': 'operating', 'B': 'planned'}
        >>> ledger.stages(as_of="2021-01-01").to_dict()
        {'A': 'operating'}
        >>> ledger.close(); tmp.cleanup()
        """
        rows = self._store.stage_rows(self._as_of_text(as_of))
        if rows:
            ids, stage = zip(*rows, strict=True)
        else:
            ids, stage = (), ()
        codes = np.fromiter((CODE[s] for s in stage), dtype=np.int64, count=len(stage))
        cat = pd.Categorical.from_codes(codes, categories=pd.Index(STAGE_VALUES))
        return pd.Series(
            cat, index=pd.Index(list(ids), name="parcel_id", dtype=object), name="stage"
        )

    def events(
        self,
        *,
        as_of: DateLike | None = None,
        parcels: Iterable[str] | None = None,
        stages: Iterable[Stage | str] | None = None,
        effective: bool = True,
    ) -> pd.DataFrame:
        """Events as a table with their data fields as columns.

        Parameters
        ----------
        as_of : date-like, optional
            Only events dated on or before this day.
        parcels : iterable of str, optional
            Only these parcels.
        stages : iterable of Stage or str, optional
            Only events entering these stages.
        effective : bool, default True
            Leave out events replaced by a correction (their replacements stay).

        Returns
        -------
        DataFrame
            ``event_id`` (index), ``parcel_id``, ``stage``, ``date`` (datetime64),
            ``recorded_at`` (UTC), ``actor``, ``corrects``, ``seq``, then one column per
            data key (dates stay ISO strings), ordered by parcel and place.
        """
        values = None if stages is None else [Stage.parse(s).value for s in stages]
        ids = None if parcels is None else list(dict.fromkeys(str(p) for p in parcels))
        rows = self._store.event_rows(
            effective=effective, as_of=self._as_of_text(as_of), stages=values, parcels=ids
        )
        return events_frame(rows)

    def history(self, parcel_id: str) -> pd.DataFrame:
        """Every event of one parcel, corrected ones included, in the order they stand.

        A correction stands right after the event it replaces. Columns as
        :meth:`events` plus ``superseded_by`` (the correcting event, if any) and
        ``effective`` (False for an event that a correction replaced).

        Raises
        ------
        LandassetKeyError
            (a ``KeyError``) The ledger has no event for ``parcel_id``.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> e = ledger.record("A", "reserved", "2020-01-01", actor="a", note="first")
        >>> _ = ledger.correct(e.event_id, actor="b", reason="wrong day", on="2020-02-01")
        >>> ledger.history("A")[["stage", "date", "effective", "superseded_by"]]
                     stage       date  effective  superseded_by
        event_id
        1         reserved 2020-01-01      False              2
        2         reserved 2020-02-01       True           <NA>
        >>> ledger.close(); tmp.cleanup()
        """
        frame = self.events(parcels=[parcel_id], effective=False)
        if frame.empty:
            raise LandassetKeyError(self._unknown(parcel_id))
        by = frame["corrects"].dropna().astype("int64")
        superseded = pd.Series(by.index.to_numpy(), index=by.to_numpy())
        frame["superseded_by"] = superseded.reindex(frame.index).astype("Int64")
        frame["effective"] = frame["superseded_by"].isna().to_numpy()
        front = [
            "parcel_id",
            "stage",
            "date",
            "recorded_at",
            "actor",
            "corrects",
            "superseded_by",
            "effective",
            "seq",
        ]
        return frame[front + [c for c in frame.columns if c not in front]]

    def timeline(self, *, as_of: DateLike | None = None) -> pd.DataFrame:
        """Each parcel's stays in each stage, with ``valid_from`` and ``valid_to``.

        ``valid_to`` is the date of the parcel's next change of stage (NaT for the stay
        that is still open); in-stage events (progress, permit extensions:
        :data:`~landasset.lifecycle.IN_STAGE_EVENTS`) do not end a stay, and
        ``event_id`` is the event that entered the stage. Joined to the parcel layer on ``parcel_id``, the table drives
        QGIS's temporal controller (start and end fields).

        Returns
        -------
        DataFrame
            Columns ``parcel_id``, ``stage`` (categorical), ``valid_from``,
            ``valid_to`` (datetime64) and ``event_id``, ordered by parcel and time.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("A", "completed", "2021-01-01", actor="a",
        ...                   accepted_on="2020-12-20", filed_on="2021-01-01")
        >>> _ = ledger.record("A", "operating", "2021-03-01", actor="a")
        >>> ledger.timeline()[["stage", "valid_from", "valid_to"]]
               stage valid_from   valid_to
        0  completed 2021-01-01 2021-03-01
        1  operating 2021-03-01        NaT
        >>> ledger.close(); tmp.cleanup()
        """
        rows = self._store.timeline_rows(self._as_of_text(as_of))
        frame = pd.DataFrame(rows, columns=["parcel_id", "stage", "valid_from", "event_id"])
        # an in-stage event continues the stay it is recorded in
        repeated = frame["parcel_id"].eq(frame["parcel_id"].shift(1)) & frame["stage"].eq(
            frame["stage"].shift(1)
        )
        if repeated.any():
            frame = frame[~repeated].reset_index(drop=True)
        frame["valid_from"] = pd.to_datetime(frame["valid_from"], format="%Y-%m-%d")
        same = frame["parcel_id"].eq(frame["parcel_id"].shift(-1))
        frame["valid_to"] = frame["valid_from"].shift(-1).where(same)
        frame["stage"] = pd.Categorical(frame["stage"], categories=list(STAGE_VALUES))
        frame["parcel_id"] = frame["parcel_id"].astype(object)
        return frame[["parcel_id", "stage", "valid_from", "valid_to", "event_id"]]

    # -- lineage ---------------------------------------------------------------------------
    def split(
        self,
        parcel_id: str,
        into: Mapping[str, BaseGeometry | None],
        on: DateLike,
        *,
        actor: str,
    ) -> list[Event]:
        """Split a parcel: it becomes ``retired`` and the new parcels take its stage.

        The new parcels' first events carry the parent's data (planning conditions,
        contract) with ``price_10k_cny`` shared by area (evenly when geometries are
        missing) and ``split_from``. When the ledger lives in a GeoPackage with a
        ``parcels`` layer, the new parcels are added to that layer (attributes copied
        from the parent, the given geometries, in the layer's CRS) in the same
        transaction; the parent stays in the layer so its history can still be mapped
        (its stage, ``retired``, comes from the ledger).

        Parameters
        ----------
        parcel_id : str
            The parcel to split.
        into : mapping of str to shapely geometry
            The new parcel ids and their polygons (None only when the file has no
            parcel layer).
        on : date-like
        actor : str

        Returns
        -------
        list of Event
            The parent's retiring event, then the new parcels' first events.
        """
        if not isinstance(into, Mapping) or len(into) < 2:
            raise TransitionError(
                "a split needs at least two new parcels: into={new_id: geometry, ...}"
            )
        return self._lineage_change("split", [str(parcel_id)], dict(into), on, actor)

    def merge(
        self,
        parcel_ids: Sequence[str],
        into: tuple[str, BaseGeometry | None],
        on: DateLike,
        *,
        actor: str,
    ) -> list[Event]:
        """Merge parcels into one: they become ``retired``, the new parcel takes their stage.

        The parcels must all be in the same stage. The new parcel's first event carries
        the first parcel's data with ``price_10k_cny`` summed and ``merged_from``. With
        a GeoPackage parcel layer the new parcel is added (attributes of the first
        parcel; geometry ``into[1]``, or the union of the parents' polygons when None).

        Returns
        -------
        list of Event
            The parents' retiring events, then the new parcel's first event.
        """
        ids = [str(p) for p in parcel_ids]
        if len(ids) < 2 or len(set(ids)) != len(ids):
            raise TransitionError("a merge needs two or more different parcels")
        if not isinstance(into, tuple) or len(into) != 2:
            raise TransitionError("into= is a pair (new_id, geometry); geometry may be None")
        return self._lineage_change("merge", ids, {str(into[0]): into[1]}, on, actor)

    def _lineage_change(
        self,
        kind: str,
        parents: list[str],
        children: dict[str, BaseGeometry | None],
        on: DateLike,
        actor: str,
    ) -> list[Event]:
        ids = _lineage.change(self._store, kind, parents, children, on, actor)
        return [self.event(i) for i in ids]

    def ancestors(self, parcel_id: str) -> list[str]:
        """Parcels that ``parcel_id`` was split or merged from, nearest first.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from shapely import box
        >>> tmp = tempfile.TemporaryDirectory()
        >>> ledger = Ledger.open(pathlib.Path(tmp.name) / "l.sqlite")
        >>> _ = ledger.record("P", "reserved", "2020-01-01", actor="a")
        >>> _ = ledger.split("P", {"P-1": box(0, 0, 1, 1), "P-2": box(1, 0, 2, 1)}, "2021-01-01", actor="a")
        >>> _ = ledger.merge(["P-1", "P-2"], ("Q", None), "2022-01-01", actor="a")
        >>> ledger.ancestors("Q"), ledger.descendants("P")
        (['P-1', 'P-2', 'P'], ['P-1', 'P-2', 'Q'])
        >>> ledger.stages().to_dict()
        {'P': 'retired', 'P-1': 'retired', 'P-2': 'retired', 'Q': 'reserved'}
        >>> ledger.close(); tmp.cleanup()
        """
        return self._store.walk(str(parcel_id), "child_id", "parent_id")

    def descendants(self, parcel_id: str) -> list[str]:
        """Parcels made from ``parcel_id`` by splits and merges, nearest first."""
        return self._store.walk(str(parcel_id), "parent_id", "child_id")

    def lineage(self) -> pd.DataFrame:
        """The lineage table: ``parent_id``, ``child_id``, ``kind``, ``date``, ``event_id``."""
        return _lineage.lineage_frame(self._store.lineage_rows())

    # -- display ---------------------------------------------------------------------------
    def __repr__(self) -> str:
        if self._store.closed:
            return "<Ledger (closed)>"
        return f"<Ledger {self._store.where}: {len(self):,} events>"

    def _repr_html_(self) -> str:
        if self._store.closed:
            return "<div><strong>Ledger</strong> (closed)</div>"
        counts = self.stages().value_counts(sort=False)
        last = self._store.latest()
        body = "".join(
            f"<tr><td>{html.escape(s.label_zh)}</td><td><code>{s.value}</code></td>"
            f"<td style='text-align:right'>{int(counts.get(s.value, 0)):,}</td></tr>"
            for s in Stage
        )
        where = html.escape(self._store.where)
        return (
            f"<div><strong>Ledger</strong> <code>{where}</code> — {len(self):,} events, "
            f"{int(counts.sum()):,} parcels; latest event {html.escape(str(last[1] or '—'))}, "
            f"last recorded {html.escape(str(last[0] or '—'))}"
            "<table><thead><tr><th>阶段</th><th>stage</th><th>parcels</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>"
        )


def land_use_of(ledger: Ledger, parcels: Sequence[str]) -> dict[str, str]:
    """Each parcel's land use: its latest in the ledger, else the parcels layer's."""
    found: dict[str, str] = {}
    events = ledger.events(parcels=parcels)
    if "land_use" in events.columns:
        latest = events.dropna(subset=["land_use"]).groupby("parcel_id")["land_use"].last()
        found.update({str(k): str(v) for k, v in latest.items()})
    rest = [p for p in parcels if p not in found]
    found.update(_law.layer_land_use(ledger.connection, rest))
    return found
