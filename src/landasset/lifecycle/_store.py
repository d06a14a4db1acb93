"""Storage and transactions of the ledger: the file, its connection, every write.

:class:`Store` owns the SQLite connection of one :class:`~landasset.lifecycle.Ledger`:
opening a ``.gpkg``/``.sqlite`` file (read-only safely, refusing a file without
changing it), creating the tables, the known parcel ids, and the one way to write:
:meth:`Store.write` runs a piece of work in a ``BEGIN IMMEDIATE`` transaction, retried
with back-off while another writer holds the lock, rolled back whole on any error.
In WAL mode it commits only when the disk can hold the write and its later fold into
the file, and folds the WAL itself (a checkpoint that runs out of disk half-way would
leave a file that is malformed without its ``-wal``). :meth:`Store.state` and
:meth:`Store.insert` read the parcels' current stages and append checked batches.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import os
import random
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset._errors import (
    LandassetIOError,
    LandassetKeyError,
    LandassetTypeError,
    TransitionError,
)
from landasset._sqlite import connect_read_only, is_wal_file
from landasset.lifecycle import _gpkg
from landasset.lifecycle._checks import Batch
from landasset.lifecycle._dates import iso, utc_now
from landasset.lifecycle._schema import (
    CODE,
    EVENT_COLUMNS,
    EVENTS_TABLE,
    LINEAGE_COLUMNS,
    LINEAGE_TABLE,
    SCHEMA,
    STAGE_VALUES,
    TRIGGERS,
    Event,
    effective_clause,
    encode_row,
    event_from_row,
    has_json1,
)
from landasset.lifecycle.stages import Stage

__all__ = ["Store", "check_event_id"]

_T = TypeVar("_T")


def check_event_id(event_id: object) -> int:
    if isinstance(event_id, (int, np.integer)) and not isinstance(event_id, bool):
        return int(event_id)
    raise LandassetTypeError(
        f"event ids are whole numbers (Event.event_id, such as 3), not "
        f"{type(event_id).__name__} {event_id!r}"
    )


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _is_disk_full(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None and (code & 0xFF) == sqlite3.SQLITE_FULL:
            return True
        return "disk is full" in str(exc).lower()
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


#: Room kept free beyond the estimate of what a write needs in WAL mode (and the least
#: room a WAL file is opened for writing with).
_ROOM_MARGIN = 256 * 1024
#: Room a fold (checkpoint) needs beyond the file's growth (the -shm, file-system blocks).
_FOLD_MARGIN = 64 * 1024
#: The ledger folds its WAL into the file after this many writes, or once the file
#: would grow by this much (SQLite's automatic checkpoint is off), and on close.
_FOLD_EVERY_WRITES = 100
_FOLD_AT_GROWTH_BYTES = 4 * 1024 * 1024


def _free_bytes(folder: Path) -> int:
    """Bytes free for the ledger's files on the disk holding ``folder``."""
    return int(shutil.disk_usage(folder).free)


def _checkpoint(con: sqlite3.Connection) -> None:
    """Copy the committed pages of the WAL into the database file (PASSIVE: never waits)."""
    con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()


def _no_checkpoint_on_close(con: sqlite3.Connection) -> None:
    """Keep SQLite from folding the WAL into the file on close (Python 3.12+)."""
    flag = getattr(sqlite3, "SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE", None)
    if flag is not None:
        with contextlib.suppress(sqlite3.Error, AttributeError):
            con.setconfig(flag, True)  # type: ignore[attr-defined,unused-ignore]


def _cannot_open(path: Path, exc: sqlite3.OperationalError) -> LandassetIOError:
    """The error for a file that cannot be opened for writing (a full disk named as such)."""
    try:
        free = _free_bytes(path.parent)
    except OSError:
        free = None
    if _is_disk_full(exc) or (free is not None and free < _ROOM_MARGIN):
        return LandassetIOError(
            f"the disk holding {path.parent.resolve()} is full ({free:,} bytes free): cannot "
            f"open {path.name} for writing ({exc}); nothing was changed. Free space on that "
            "disk, or open it with read_only=True to query it"
        )
    return LandassetIOError(
        f"cannot open {path} for writing ({exc}); copy it somewhere writable, or open it "
        "with read_only=True to query it"
    )


def _known_index(known_parcels: Iterable[str] | None) -> pd.Index | None:
    if known_parcels is None:
        return None
    if isinstance(known_parcels, (str, bytes)):
        raise LandassetTypeError(
            f"known_parcels is a collection of parcel ids, not one id {known_parcels!r}; "
            f"give a list, a set or an Index, e.g. known_parcels=[{known_parcels!r}]"
        )
    ids = pd.Index(list(known_parcels), dtype=object)
    if ids.hasnans:
        raise LandassetTypeError("known_parcels holds a missing id (None or NaN); drop it")
    return ids.astype(str).unique()


def _undo(con: sqlite3.Connection, *, restore: bool) -> None:
    """Roll back the open transaction, whatever went wrong.

    With ``restore``, read once afterwards: after an I/O error (a full disk) SQLite may
    leave the rollback journal for the next reader to play back, and this reader puts
    the file itself back now.
    """
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")
    if restore:
        with contextlib.suppress(sqlite3.Error):
            con.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()


class Store:
    """The connection of one ledger and every read and write of its events table."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        path: Path | None,
        *,
        geopackage: bool,
        journal_mode: str,
    ) -> None:
        self._con = connection
        self.path = path
        self.geopackage = geopackage
        self.journal_mode = journal_mode
        self.retry_seconds = 120.0
        self.json1 = has_json1(connection)
        self.read_only = False
        self.writes_since_fold = 0
        # the parcel ids events may name: None = not read yet (from the parcels layer),
        # or no check when known_from is None too
        self.known: pd.Index | None = None
        self.known_from: str | None = "layer" if geopackage else None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        timeout: float = 30.0,
        read_only: bool = False,
        known_parcels: Iterable[str] | None = None,
    ) -> Store:
        """Open (or create) the ledger's file; see :meth:`Ledger.open`.

        Everything that can refuse a file only reads it, so a refused file is left as
        it was; a read-only store never writes, not even beside the file.
        """
        known = _known_index(known_parcels)
        text = os.fspath(path)
        if text == ":memory:":
            con = sqlite3.connect(":memory:", isolation_level=None)
            store = cls(con, None, geopackage=False, journal_mode="memory")
            store._setup()
            store.set_known(known)
            return store
        p = Path(text)
        ext = p.suffix.lower()
        if ext not in (".gpkg", ".sqlite", ".sqlite3", ".db"):
            raise LandassetIOError(
                f"a ledger lives in a GeoPackage (.gpkg) or a SQLite file (.sqlite, .sqlite3, .db), "
                f"not {p.suffix or 'a file without extension'!r}; name the file accordingly"
            )
        gpkg = ext == ".gpkg"
        if read_only:
            store = cls._open_read_only(p, timeout=timeout, geopackage=gpkg)
            store.set_known(known)
            return store
        if not p.parent.is_dir():
            raise LandassetIOError(f"the folder {p.parent} does not exist; create it first")
        existed = p.exists() and p.stat().st_size > 0
        if existed and is_wal_file(p) and _free_bytes(p.parent) < _ROOM_MARGIN:
            # opening a WAL file creates its -shm and -wal: on a full disk they would be
            # left half-made beside it
            raise _cannot_open(p, sqlite3.OperationalError("database or disk is full"))
        try:
            con = sqlite3.connect(p, timeout=timeout, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise LandassetIOError(
                f"{p} is not a SQLite database or cannot be opened: {exc}"
            ) from None
        try:
            # everything that can refuse the file only reads it: a refused file is untouched
            try:
                mode = str(con.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                is_gpkg = existed and _gpkg.is_geopackage(con)
            except sqlite3.OperationalError as exc:
                raise _cannot_open(p, exc) from None
            except sqlite3.DatabaseError as exc:
                raise LandassetIOError(
                    f"{p} is not a SQLite database or cannot be opened: {exc}"
                ) from None
            if gpkg and existed and not is_gpkg:
                raise LandassetIOError(
                    f"{p} is a SQLite database but not a GeoPackage (no gpkg_contents); "
                    "open it under a .sqlite name, or give a .gpkg written by GDAL/landasset"
                )
        except BaseException:
            con.close()
            raise
        store = cls(con, p, geopackage=gpkg, journal_mode=mode)
        try:
            con.execute("PRAGMA synchronous = FULL")
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("PRAGMA temp_store = MEMORY")
            # a REPLACE that deletes a row fires the DELETE triggers on this connection
            con.execute("PRAGMA recursive_triggers = ON")
            # the ledger folds the WAL itself, after checking the disk has room (_fold)
            con.execute("PRAGMA wal_autocheckpoint = 0")
            if gpkg:
                _gpkg.register_functions(con)
            store._setup()
        except sqlite3.OperationalError as exc:
            store._abandon()
            raise _cannot_open(p, exc) from None
        except BaseException:
            store._abandon()
            raise
        store.set_known(known)
        return store

    # -- known parcel ids ------------------------------------------------------------------
    def set_known(self, known: pd.Index | None) -> None:
        if known is not None:
            self.known, self.known_from = known, "given"

    def add_known(self, ids: Iterable[str]) -> None:
        """Parcels created by a split or merge may be named from now on."""
        if self.known is not None:
            self.known = self.known.append(pd.Index(list(ids), dtype=object)).unique()

    def _known_ids(self, con: sqlite3.Connection, *, refresh: bool = False) -> pd.Index | None:
        """The parcel ids events may name (None: no check)."""
        if self.known_from != "layer" or (self.known is not None and not refresh):
            return self.known
        layer = _gpkg.find_parcel_layer(con)
        if layer is None:
            self.known_from = None  # no parcels layer: nothing to check against
            return None
        rows = con.execute(
            f"SELECT parcel_id FROM {_gpkg.quote_identifier(layer.table)} WHERE parcel_id IS NOT NULL"
        ).fetchall()
        ids = pd.DataFrame.from_records(rows, columns=["parcel_id"])["parcel_id"]
        self.known = pd.Index(ids.astype(str).unique(), dtype=object)
        return self.known

    def check_known(self, con: sqlite3.Connection, parcels: npt.NDArray[np.object_]) -> None:
        """Refuse parcel ids that are not known (inside the write transaction)."""
        known = self._known_ids(con)
        if known is None:
            return
        unique = pd.Index(pd.unique(parcels), dtype=object)
        missing = unique[~unique.isin(known)]
        if len(missing) and self.known_from == "layer":  # the layer may have gained parcels
            known = self._known_ids(con, refresh=True)
            assert known is not None
            missing = unique[~unique.isin(known)]
        if not len(missing):
            return
        where = (
            "known_parcels"
            if self.known_from == "given"
            else f"the parcels layer of {self.path.name if self.path else self.where}"
        )
        shown = []
        candidates = known.tolist() if len(known) <= 200_000 else []
        for i, pid in enumerate(missing[:20]):
            close = difflib.get_close_matches(str(pid), candidates, n=2) if i < 3 else []
            hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
            shown.append(f"{pid!r}{hint}")
        more = f", … and {len(missing) - 20} more" if len(missing) > 20 else ""
        count = f"{len(missing)} parcel id{'s are' if len(missing) > 1 else ' is'}"
        raise LandassetKeyError(
            f"{count} not in {where}, nothing was recorded: {', '.join(shown)}{more}; "
            "correct the id, or add the parcel first"
        )

    @classmethod
    def _open_read_only(cls, p: Path, *, timeout: float, geopackage: bool) -> Store:
        if not p.is_file():
            raise LandassetIOError(f"{p} does not exist; there is no ledger to read")
        try:
            con = connect_read_only(p, timeout=timeout)
            names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        except (sqlite3.DatabaseError, OSError) as exc:
            raise LandassetIOError(
                f"{p} is not a SQLite database or cannot be read: {exc}"
            ) from None
        if not {EVENTS_TABLE, LINEAGE_TABLE} <= names:
            con.close()
            raise LandassetIOError(
                f"{p} holds no lifecycle ledger; open it without read_only=True to create one"
            )
        con.execute("PRAGMA temp_store = MEMORY")
        if geopackage:
            _gpkg.register_functions(con)
        store = cls(con, p, geopackage=geopackage, journal_mode="read-only")
        store.read_only = True
        return store

    def _setup(self) -> None:
        def work(con: sqlite3.Connection) -> None:
            have = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
            if self.geopackage and "gpkg_contents" not in have:
                _gpkg.create_geopackage(con)
            for sql in SCHEMA:
                con.execute(sql)
            if self.geopackage:
                stage_enum = {s.value: f"{s.label_zh} {s.label}" for s in Stage}
                _gpkg.register_table(
                    con,
                    EVENTS_TABLE,
                    description="landasset lifecycle events (append-only) 地块生命周期事件",
                    columns=EVENT_COLUMNS,
                    enums={"landasset_stage": stage_enum},
                )
                _gpkg.register_table(
                    con,
                    LINEAGE_TABLE,
                    description="landasset parcel lineage: splits and merges 地块分割合并谱系",
                    columns=LINEAGE_COLUMNS,
                )

        have = {r[0] for r in self._con.execute("SELECT name FROM sqlite_master")}
        registered = True
        if self.geopackage and "gpkg_contents" in have:
            registered = bool(
                self._con.execute(
                    "SELECT count(*) FROM gpkg_contents WHERE table_name IN (?, ?)",
                    (EVENTS_TABLE, LINEAGE_TABLE),
                ).fetchone()[0]
                == 2
            )
        if {EVENTS_TABLE, LINEAGE_TABLE} <= have and registered and TRIGGERS.issubset(have):
            return
        self.write(work)

    def close(self) -> None:
        """Close the connection (folding a WAL into the file first, when the file is in WAL mode).

        Raises
        ------
        LandassetIOError
            The disk cannot hold the events still in the file's ``-wal``: they stay
            there (the file itself keeps its earlier, consistent content).
        """
        con = self._con
        if con is None:
            return
        error: LandassetIOError | None = None
        try:
            if self.path is not None and not self.read_only:
                try:
                    self._fold()
                except LandassetIOError as exc:
                    error = exc
        finally:
            if error is not None:
                _no_checkpoint_on_close(con)
            con.close()
            self._con = None  # type: ignore[assignment]
        if error is not None:
            raise error

    def _abandon(self) -> None:
        """Close after a failed open; never raises."""
        with contextlib.suppress(Exception):
            self.close()
        con = self._con
        if con is not None:
            con.close()
            self._con = None  # type: ignore[assignment]

    def __del__(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()

    @property
    def closed(self) -> bool:
        return self._con is None

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying SQLite connection (read freely; never write around the ledger)."""
        if self._con is None:
            raise LandassetIOError("the ledger is closed; open it again with Ledger.open")
        return self._con

    # -- transactions --------------------------------------------------------------------
    def _retry(self, action: Callable[[], _T]) -> _T:
        deadline = time.monotonic() + self.retry_seconds
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.5)

    def write(self, work: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``work`` in one BEGIN IMMEDIATE transaction, retried while the file is busy."""
        con = self.connection

        def attempt() -> _T:
            con.execute("BEGIN IMMEDIATE")
            try:
                result = work(con)
                self._check_room(con)
                con.execute("COMMIT")
            except BaseException as exc:
                # an I/O error (a full disk) may leave the rollback journal for the next
                # reader to play back; a busy lock or a refused batch does not
                _undo(
                    con,
                    restore=isinstance(exc, sqlite3.DatabaseError)
                    and not (isinstance(exc, sqlite3.OperationalError) and _is_busy(exc)),
                )
                raise
            return result

        try:
            result = self._retry(attempt)
        except sqlite3.IntegrityError as exc:
            raise TransitionError(f"the database refused the events: {exc}") from None
        except sqlite3.OperationalError as exc:
            if self.read_only:
                raise LandassetIOError(
                    f"the ledger in {self.path} was opened read-only; open it again without "
                    "read_only=True to record events"
                ) from None
            if self._out_of_room(exc):
                raise self._disk_full(0, committed=False) from None
            raise LandassetIOError(f"cannot write to {self.path}: {exc}") from None
        self.writes_since_fold += 1
        if self.journal_mode == "wal" and (
            self.writes_since_fold >= _FOLD_EVERY_WRITES
            or self._growth(con) >= _FOLD_AT_GROWTH_BYTES
        ):
            self._fold()
        return result

    # -- room on the disk ------------------------------------------------------------------
    # In WAL mode a commit only appends to the -wal; the database file itself changes
    # when the WAL is folded into it (a checkpoint), and a checkpoint that runs out of
    # disk half-way leaves a file that is malformed without its -wal. So a write is
    # committed only when the disk can hold both its WAL pages and the file's growth,
    # and the ledger folds the WAL itself (never SQLite's automatic checkpoint), each
    # time after checking that the growth fits.
    def _growth(self, con: sqlite3.Connection) -> int:
        """Bytes the database file grows by when the (committed or pending) WAL is folded."""
        assert self.path is not None
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        pages = int(con.execute("PRAGMA page_count").fetchone()[0])
        try:
            size = os.path.getsize(self.path)
        except OSError:
            size = 0
        return max(0, pages * page_size - size)

    def _out_of_room(self, exc: sqlite3.OperationalError) -> bool:
        """Whether ``exc`` comes from a full disk (SQLITE_FULL, or an I/O error such as a
        ``-shm`` that cannot grow, met with next to nothing free)."""
        if _is_disk_full(exc):
            return True
        if self.path is None or "i/o error" not in str(exc).lower():
            return False
        try:
            return _free_bytes(self.path.parent) < _ROOM_MARGIN
        except OSError:
            return False

    def _disk_full(self, need: int, *, committed: bool) -> LandassetIOError:
        assert self.path is not None
        folder = self.path.parent.resolve()
        try:
            free = f"{_free_bytes(folder):,} bytes free"
        except OSError:
            free = "free space unknown"
        wanted = f", about {need:,} needed" if need else ""
        name = self.path.name
        if committed:
            return LandassetIOError(
                f"the disk holding {folder} is full ({free}{wanted}): the new events are "
                f"recorded in {name}-wal but cannot be folded into {name}, which keeps its "
                f"earlier content. Free space on that disk and open the ledger again to fold "
                f"them in; until then keep {name}-wal beside {name} (copy both)"
            )
        return LandassetIOError(
            f"the disk holding {folder} is full ({free}{wanted}): nothing was recorded and "
            f"{name} is unchanged; free space on that disk (or move the file to a disk with "
            "room) and record again"
        )

    def _check_room(self, con: sqlite3.Connection) -> None:
        """Refuse (before COMMIT) a write whose WAL pages and file growth the disk cannot hold."""
        if self.path is None or self.journal_mode != "wal":
            return  # a rollback journal undoes a write that runs out of disk by itself
        growth = self._growth(con)
        if not growth:
            return
        # COMMIT writes the pages still in the page cache to the -wal (those that did not
        # fit in the cache are there already, their room taken): at most the cache, and
        # about the pages the write adds, with their frame headers and the few pages it
        # changes (measured: 1.01-1.03 x the growth, plus 12-16 KB). Then the file must
        # be able to grow by `growth` when the -wal is folded into it (_fold).
        page_size = int(con.execute("PRAGMA page_size").fetchone()[0])
        cache = int(con.execute("PRAGMA cache_size").fetchone()[0])
        cache_bytes = -cache * 1024 if cache < 0 else cache * page_size
        flush = min(2 * cache_bytes, growth + growth // 16 + 64 * page_size)
        need = flush + growth + _FOLD_MARGIN + _ROOM_MARGIN
        if _free_bytes(self.path.parent) < need:
            raise self._disk_full(need, committed=False)

    def _fold(self) -> None:
        """Fold the committed WAL into the database file when the disk can hold it."""
        if self.path is None or self.journal_mode != "wal":
            return
        con = self.connection
        self.writes_since_fold = 0
        growth = self._growth(con)
        need = growth + _FOLD_MARGIN
        if growth and _free_bytes(self.path.parent) < need:
            raise self._disk_full(need, committed=True)
        try:
            _checkpoint(con)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                return  # another connection is folding it
            if self._out_of_room(exc):
                raise self._disk_full(need, committed=True) from None
            raise LandassetIOError(f"cannot write to {self.path}: {exc}") from None

    # -- reading and appending events ----------------------------------------------------
    def state(
        self, con: sqlite3.Connection, parcels: npt.NDArray[np.object_]
    ) -> tuple[dict[str, int], dict[str, np.datetime64]]:
        """Current stage code and last date of the given parcels (inside a transaction)."""
        if con.execute(f"SELECT 1 FROM {EVENTS_TABLE} LIMIT 1").fetchone() is None:
            return {}, {}
        unique = pd.unique(parcels)
        if len(unique) <= 200:
            marks = ", ".join("?" for _ in unique)
            rows = con.execute(
                f"SELECT parcel_id, stage, date, max(seq) FROM {EVENTS_TABLE} "
                f"WHERE parcel_id IN ({marks}) AND {effective_clause(con)} GROUP BY parcel_id",
                list(unique),
            ).fetchall()
        else:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_batch_ids (parcel_id TEXT PRIMARY KEY)"
            )
            con.execute("DELETE FROM temp.landasset_batch_ids")
            con.executemany(
                "INSERT OR IGNORE INTO temp.landasset_batch_ids VALUES (?)", ((p,) for p in unique)
            )
            rows = con.execute(
                # CROSS JOIN: loop over the batch's ids and seek each in the index
                f"SELECT e.parcel_id, e.stage, e.date, max(e.seq) FROM temp.landasset_batch_ids b "
                f"CROSS JOIN {EVENTS_TABLE} e ON e.parcel_id = b.parcel_id WHERE {effective_clause(con)} "
                "GROUP BY e.parcel_id"
            ).fetchall()
            con.execute("DELETE FROM temp.landasset_batch_ids")
        stage = {r[0]: CODE[r[1]] for r in rows}
        day = {r[0]: np.datetime64(r[2], "D") for r in rows}
        return stage, day

    def insert(self, con: sqlite3.Connection, batch: Batch) -> npt.NDArray[np.int64]:
        first = (
            int(con.execute(f"SELECT coalesce(max(event_id), 0) FROM {EVENTS_TABLE}").fetchone()[0])
            + 1
        )
        n = len(batch)
        ids = np.arange(first, first + n, dtype=np.int64)
        recorded = utc_now()
        stage = np.array(STAGE_VALUES, dtype=object)[batch.stage]
        day = iso(batch.day)
        corrects = batch.corrects if batch.corrects is not None else np.full(n, None, dtype=object)
        seq = batch.seq if batch.seq is not None else ids.astype(object)
        keys = list(batch.data)
        if keys:
            present = np.column_stack(
                [np.asarray(pd.notna(batch.data[k]), dtype=bool) for k in keys]
            )
            if len(keys) < 63:  # one integer key per null pattern: far faster than unique rows
                bits = present.astype(np.int64) @ (
                    np.int64(1) << np.arange(len(keys), dtype=np.int64)
                )
                codes, inverse = np.unique(bits, return_inverse=True)
                patterns = ((codes[:, None] >> np.arange(len(keys))) & 1).astype(bool)
            else:
                patterns, inverse = np.unique(present, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
        else:
            patterns = np.zeros((1, 0), dtype=bool)
            inverse = np.zeros(n, dtype=np.intp)
        base = [ids, batch.parcel, stage, day, batch.actor, corrects, np.asarray(seq, dtype=object)]
        # events with different data fields go in with different statements; a large
        # batch is staged in memory first so that the table and its index are written in
        # one ordered pass (several passes spill the page cache to the WAL again and again)
        staged = len(patterns) > 1 and n > 5_000
        target = EVENTS_TABLE
        if staged:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_staging AS "
                f"SELECT * FROM main.{EVENTS_TABLE} WHERE 0"
            )
            con.execute("DELETE FROM temp.landasset_staging")
            target = "temp.landasset_staging"
        for g, pattern in enumerate(patterns):
            rows = np.flatnonzero(inverse == g)
            cols = [k for k, on in zip(keys, pattern, strict=True) if on]
            if self.json1:
                parts = []
                for j, k in enumerate(cols):
                    marker = f"?{8 + j}"
                    value = f"json({marker})" if k in batch.json_keys else marker
                    parts.append("'" + k.replace("'", "''") + "', " + value)
                data_sql = f"json_object({', '.join(parts)})" if cols else "NULL"
                params = [b[rows].tolist() for b in base] + [
                    batch.data[k][rows].tolist() for k in cols
                ]
            else:
                data_sql = "?8"
                encoded = (
                    [encode_row({k: batch.data[k][i] for k in cols}, batch.json_keys) for i in rows]
                    if cols
                    else [None] * len(rows)
                )
                params = [b[rows].tolist() for b in base] + [encoded]
            sql = (
                f"INSERT INTO {target} (event_id, parcel_id, stage, date, recorded_at, actor, data, corrects, seq) "
                f"VALUES (?1, ?2, ?3, ?4, '{recorded}', ?5, {data_sql}, ?6, ?7)"
            )
            con.executemany(sql, zip(*params, strict=True))
        if staged:
            # one pass over the table and its index, in event order
            con.execute(f"INSERT INTO {EVENTS_TABLE} SELECT * FROM {target} ORDER BY event_id")
            con.execute(f"DELETE FROM {target}")
        if self.geopackage:
            _gpkg.touch(con, EVENTS_TABLE)
        return ids

    def seq(self, con: sqlite3.Connection, event_id: int) -> int:
        return int(
            con.execute(
                f"SELECT seq FROM {EVENTS_TABLE} WHERE event_id = ?", (event_id,)
            ).fetchone()[0]
        )

    def event_row(self, con: sqlite3.Connection, event_id: int) -> Event | None:
        row = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, data, corrects "
            f"FROM {EVENTS_TABLE} WHERE event_id = ?",
            (check_event_id(event_id),),
        ).fetchone()
        return None if row is None else event_from_row(row)

    def effective_rows(self, con: sqlite3.Connection, parcel_id: str) -> list[Event]:
        rows = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, data, corrects "
            f"FROM {EVENTS_TABLE} WHERE parcel_id = ? AND {effective_clause(con)} ORDER BY seq",
            (parcel_id,),
        ).fetchall()
        return [event_from_row(r) for r in rows]

    # -- the ledger's queries (each back end has its own SQL) ----------------------------
    def count(self) -> int:
        """Number of events (corrected ones included)."""
        return int(self.connection.execute(f"SELECT count(*) FROM {EVENTS_TABLE}").fetchone()[0])

    def parcel_id_list(self) -> list[str]:
        """Every parcel with an event, sorted."""
        rows = self.connection.execute(
            f"SELECT DISTINCT parcel_id FROM {EVENTS_TABLE} ORDER BY parcel_id"
        ).fetchall()
        return [r[0] for r in rows]

    def has_parcel(self, parcel_id: str) -> bool:
        return (
            self.connection.execute(
                f"SELECT 1 FROM {EVENTS_TABLE} WHERE parcel_id = ? LIMIT 1", (parcel_id,)
            ).fetchone()
            is not None
        )

    def stage_at(self, parcel_id: str, as_of: str | None) -> str | None:
        """The stage value of one parcel on ``as_of`` (None: no event by then)."""
        con = self.connection
        where, params = ("AND date <= ?", (as_of,)) if as_of is not None else ("", ())
        row = con.execute(
            f"SELECT stage, max(seq) FROM {EVENTS_TABLE} WHERE parcel_id = ? {where} "
            f"AND {effective_clause(con)}",
            (parcel_id, *params),
        ).fetchone()
        return None if row is None else row[0]

    def stage_rows(self, as_of: str | None) -> list[tuple[str, str]]:
        """(parcel_id, stage) of every parcel on ``as_of``, sorted by parcel."""
        con = self.connection
        where, params = ("AND date <= ?", (as_of,)) if as_of is not None else ("", ())
        rows = con.execute(
            f"SELECT parcel_id, stage, max(seq) FROM {EVENTS_TABLE} "
            f"WHERE {effective_clause(con)} {where} GROUP BY parcel_id",
            params,
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def event_rows(
        self,
        *,
        effective: bool,
        as_of: str | None,
        stages: list[str] | None,
        parcels: list[str] | None,
    ) -> list[tuple[object, ...]]:
        """Rows for :func:`~landasset.lifecycle._schema.events_frame`."""
        con = self.connection
        clauses = ["1 = 1"]
        params: list[object] = []
        if effective:
            clauses.append(effective_clause(con))
        if as_of is not None:
            clauses.append("date <= ?")
            params.append(as_of)
        if stages is not None:
            clauses.append(f"stage IN ({', '.join('?' for _ in stages)})")
            params.extend(stages)
        if parcels is not None:
            con.execute(
                "CREATE TEMP TABLE IF NOT EXISTS landasset_query_ids (parcel_id TEXT PRIMARY KEY)"
            )
            con.execute("DELETE FROM temp.landasset_query_ids")
            con.executemany(
                "INSERT OR IGNORE INTO temp.landasset_query_ids VALUES (?)", ((p,) for p in parcels)
            )
            clauses.append("parcel_id IN (SELECT parcel_id FROM temp.landasset_query_ids)")
        return list(
            con.execute(
                f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, corrects, seq, data "
                f"FROM {EVENTS_TABLE} WHERE {' AND '.join(clauses)} ORDER BY parcel_id, seq, event_id",
                params,
            ).fetchall()
        )

    def timeline_rows(self, as_of: str | None) -> list[tuple[object, ...]]:
        """(parcel_id, stage, date, event_id) of the effective events, by parcel and place."""
        con = self.connection
        where, params = ("AND date <= ?", (as_of,)) if as_of is not None else ("", ())
        return list(
            con.execute(
                f"SELECT parcel_id, stage, date, event_id FROM {EVENTS_TABLE} "
                f"WHERE {effective_clause(con)} {where} ORDER BY parcel_id, seq",
                params,
            ).fetchall()
        )

    def latest(self) -> tuple[str | None, str | None]:
        """(last recorded_at, last date) as text."""
        row = self.connection.execute(
            f"SELECT max(recorded_at), max(date) FROM {EVENTS_TABLE}"
        ).fetchone()
        return row[0], row[1]

    def walk(self, parcel_id: str, key: str, other: str) -> list[str]:
        """Parcels reached from ``parcel_id`` through the lineage (``key`` to ``other``)."""
        rows = self.connection.execute(
            f"""WITH RECURSIVE walk(id, depth) AS (
                    SELECT {other}, 1 FROM {LINEAGE_TABLE} WHERE {key} = ?
                    UNION
                    SELECT l.{other}, w.depth + 1 FROM {LINEAGE_TABLE} l JOIN walk w ON l.{key} = w.id
                )
                SELECT id, min(depth) AS d FROM walk GROUP BY id ORDER BY d, id""",
            (parcel_id,),
        ).fetchall()
        return [r[0] for r in rows]

    def lineage_rows(self) -> list[tuple[object, ...]]:
        """(parent_id, child_id, kind, date, event_id) in the order recorded."""
        return list(
            self.connection.execute(
                f"SELECT parent_id, child_id, kind, date, event_id FROM {LINEAGE_TABLE} "
                "ORDER BY lineage_id"
            ).fetchall()
        )

    # -- reads and writes inside a write transaction ---------------------------------------
    def corrected_by(self, con: sqlite3.Connection, event_id: int) -> int | None:
        row = con.execute(
            f"SELECT event_id FROM {EVENTS_TABLE} WHERE corrects = ?", (event_id,)
        ).fetchone()
        return None if row is None else int(row[0])

    def retires_in_lineage(self, con: sqlite3.Connection, event_id: int) -> bool:
        return (
            con.execute(f"SELECT 1 FROM {LINEAGE_TABLE} WHERE event_id = ?", (event_id,)).fetchone()
            is not None
        )

    def with_events(self, con: sqlite3.Connection, parcel_ids: list[str]) -> list[str]:
        """Those of ``parcel_ids`` that have events."""
        rows = con.execute(
            f"SELECT DISTINCT parcel_id FROM {EVENTS_TABLE} "
            f"WHERE parcel_id IN ({', '.join('?' for _ in parcel_ids)})",
            parcel_ids,
        ).fetchall()
        return [r[0] for r in rows]

    def add_lineage(
        self, con: sqlite3.Connection, rows: list[tuple[str, str, str, str, int]]
    ) -> None:
        """Append (parent_id, child_id, kind, date, event_id) rows."""
        con.executemany(
            f"INSERT INTO {LINEAGE_TABLE} (parent_id, child_id, kind, date, event_id) "
            "VALUES (?, ?, ?, ?, ?)",
            rows,
        )
        if self.geopackage:
            _gpkg.touch(con, LINEAGE_TABLE)

    def parcel_layer(self, con: sqlite3.Connection) -> _gpkg.ParcelLayer | None:
        """The parcel layer a split or merge edits (None: the ledger has none)."""
        return _gpkg.find_parcel_layer(con) if self.geopackage else None

    @property
    def where(self) -> str:
        """The ledger's place, for messages."""
        return str(self.path) if self.path is not None else ":memory:"

    # -- moving a whole ledger (landasset db import / export) ------------------------------
    def dump(self) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
        """Every event row and lineage row as stored, in id order."""
        con = self.connection
        events = con.execute(
            f"SELECT event_id, parcel_id, stage, date, recorded_at, actor, data, corrects, seq "
            f"FROM {EVENTS_TABLE} ORDER BY event_id"
        ).fetchall()
        lineage = con.execute(
            f"SELECT lineage_id, parent_id, child_id, kind, date, event_id FROM {LINEAGE_TABLE} "
            "ORDER BY lineage_id"
        ).fetchall()
        return list(events), list(lineage)

    def load(self, events: list[tuple[object, ...]], lineage: list[tuple[object, ...]]) -> None:
        """Append rows from :meth:`dump` of another ledger as they are (into an empty one)."""

        def work(con: sqlite3.Connection) -> None:
            if con.execute(f"SELECT 1 FROM {EVENTS_TABLE} LIMIT 1").fetchone() is not None:
                raise TransitionError(
                    f"the ledger in {self.where} already holds events; copy into an empty ledger"
                )
            con.executemany(
                f"INSERT INTO {EVENTS_TABLE} (event_id, parcel_id, stage, date, recorded_at, "
                "actor, data, corrects, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            con.executemany(
                f"INSERT INTO {LINEAGE_TABLE} (lineage_id, parent_id, child_id, kind, date, "
                "event_id) VALUES (?, ?, ?, ?, ?, ?)",
                lineage,
            )
            if self.geopackage:
                _gpkg.touch(con, EVENTS_TABLE)
                _gpkg.touch(con, LINEAGE_TABLE)

        self.write(work)
