"""Roles, privileges and row-level security: ``landasset db init`` / ``db grant``, logging
in as each role, append-only for everyone but the owner."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

import pytest
from click.testing import CliRunner

import landasset as la
from landasset import LandassetPermissionError
from landasset.cli import cli
from landasset.lifecycle import EVENTS_TABLE, LINEAGE_TABLE, Ledger
from landasset.postgis import write_layer

# a parcel of each zone in the sample district (its parcels layer's zone column)
YUNGU = "XH120104-01"  # 云谷
Login = Callable[[str, str], str]

# without the driver the tests skip, with the reason, except in CI where they must run
psycopg = (
    importlib.import_module("psycopg")
    if os.environ.get("CI", "").lower() == "true"
    else pytest.importorskip("psycopg", reason="needs psycopg: pip install 'landasset[postgis]'")
)


def _zone_parcels(site: la.Site, zone: str) -> list[str]:
    return site.parcels.index[site.parcels["zone"] == zone].tolist()


def _cli(*args: str) -> None:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture
def roles_url(site_url: str) -> str:
    """The sample database with a reader, a 云谷 recorder, an all-zone recorder and an admin."""
    _cli("db", "init", site_url)
    _cli("db", "init", site_url)  # idempotent
    _cli("db", "grant", site_url, "ann_reader", "--role", "reader")
    _cli("db", "grant", site_url, "bo_yungu", "--role", "recorder", "--zone", "云谷")
    _cli("db", "grant", site_url, "cy_all", "--role", "recorder")
    _cli("db", "grant", site_url, "di_admin", "--role", "admin")
    return site_url


def test_init_creates_three_nologin_roles(roles_url: str) -> None:
    with psycopg.connect(roles_url) as con:
        rows = dict(
            con.execute(
                "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'landasset_%'"
            ).fetchall()
        )
        assert rows == {
            "landasset_reader": False,
            "landasset_recorder": False,
            "landasset_admin": False,
        }
        members = con.execute(
            "SELECT m.rolname, r.rolname FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid "
            "JOIN pg_roles m ON m.oid = a.member WHERE r.rolname LIKE 'landasset_%' ORDER BY 1"
        ).fetchall()
    assert members == [
        ("ann_reader", "landasset_reader"),
        ("bo_yungu", "landasset_recorder"),
        ("cy_all", "landasset_recorder"),
        ("di_admin", "landasset_admin"),
    ]


def test_reader_reads_but_cannot_record(roles_url: str, login: Login, sample_site: la.Site) -> None:
    with Ledger.open(roles_url) as owner:
        owner.record(YUNGU, "planned", "2024-01-01", actor="owner")
    with Ledger.open(login(roles_url, "ann_reader")) as led:
        assert led.stages().to_dict() == {YUNGU: "planned"}
        with pytest.raises(LandassetPermissionError, match="permission denied"):
            led.record(YUNGU, "acquiring", "2024-02-01", actor="ann")
        assert len(led) == 1
    assert len(la.read_site(login(roles_url, "ann_reader")).parcels) == len(sample_site.parcels)


def test_recorder_limited_to_its_zone_by_the_database(
    roles_url: str, login: Login, sample_site: la.Site
) -> None:
    yunqi = _zone_parcels(sample_site, "云栖")[0]
    yungu = _zone_parcels(sample_site, "云谷")[1]
    url = login(roles_url, "bo_yungu")
    with Ledger.open(url) as led:
        led.record(yungu, "planned", "2024-01-01", actor="bo")
        with pytest.raises(LandassetPermissionError, match="row-level security"):
            led.record(yunqi, "planned", "2024-01-01", actor="bo")
        # a batch with one parcel of another zone is refused whole
        import pandas as pd

        batch = pd.DataFrame(
            {
                "parcel_id": [_zone_parcels(sample_site, "云谷")[2], yunqi],
                "stage": "planned",
                "on": "2024-01-02",
                "actor": "bo",
            }
        )
        with pytest.raises(LandassetPermissionError):
            led.record_many(batch)
        assert led.parcel_ids().tolist() == [yungu]
    # refused by the database itself, not only by Python: a plain INSERT as the recorder
    with psycopg.connect(url) as con:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            con.execute(
                f"INSERT INTO {EVENTS_TABLE} (event_id, parcel_id, stage, date, recorded_at, "
                "actor, seq) VALUES (99, %s, 'planned', '2024-01-01', now(), 'bo', 99)",
                (yunqi,),
            )
        con.rollback()
        con.execute(
            f"INSERT INTO {EVENTS_TABLE} (event_id, parcel_id, stage, date, recorded_at, "
            "actor, seq) VALUES (99, %s, 'planned', '2024-01-01', now(), 'bo', 99)",
            (_zone_parcels(sample_site, "云谷")[3],),
        )


def test_all_zone_recorder_and_admin(roles_url: str, login: Login, sample_site: la.Site) -> None:
    laoyuan = _zone_parcels(sample_site, "老园区")[0]
    with Ledger.open(login(roles_url, "cy_all")) as led:
        led.record(laoyuan, "planned", "2024-01-01", actor="cy")
    with Ledger.open(login(roles_url, "di_admin")) as led:
        led.record(_zone_parcels(sample_site, "转塘")[0], "planned", "2024-01-01", actor="di")
        assert len(led) == 2
    # an admin writes layers; a recorder may not
    extra = sample_site.stations.copy()
    write_layer(extra, login(roles_url, "di_admin"), layer="stations_copy")
    with pytest.raises(LandassetPermissionError):
        write_layer(extra, login(roles_url, "cy_all"), layer="stations_copy2")


@pytest.mark.parametrize("who", ["bo_yungu", "di_admin", "ann_reader"])
@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {EVENTS_TABLE} SET stage = 'retired'",
        f"DELETE FROM {EVENTS_TABLE}",
        f"TRUNCATE {EVENTS_TABLE}",
        f"UPDATE {LINEAGE_TABLE} SET kind = 'merge'",
        f"DELETE FROM {LINEAGE_TABLE}",
        # a replacing insert (upsert) needs UPDATE
        f"INSERT INTO {EVENTS_TABLE} (event_id, parcel_id, stage, date, recorded_at, actor, seq) "
        "VALUES (1, 'XH120101-01', 'retired', '2024-01-01', now(), 'x', 1) "
        "ON CONFLICT (event_id) DO UPDATE SET stage = 'retired'",
    ],
)
def test_no_role_but_the_owner_holds_update_delete_truncate(
    roles_url: str, login: Login, who: str, statement: str
) -> None:
    with Ledger.open(roles_url) as owner:
        owner.record(YUNGU, "planned", "2024-01-01", actor="owner")
    with (
        psycopg.connect(login(roles_url, who)) as con,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
    ):
        con.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        f"UPDATE {EVENTS_TABLE} SET stage = 'retired'",
        f"DELETE FROM {EVENTS_TABLE}",
        f"TRUNCATE {EVENTS_TABLE} CASCADE",
        f"TRUNCATE {LINEAGE_TABLE}",
        f"INSERT INTO {EVENTS_TABLE} (event_id, parcel_id, stage, date, recorded_at, actor, seq) "
        "VALUES (1, 'A', 'retired', '2024-01-01', now(), 'x', 1) "
        "ON CONFLICT (event_id) DO UPDATE SET stage = 'retired'",
    ],
)
def test_triggers_refuse_even_the_owner(pg_url: str, statement: str) -> None:
    with Ledger.open(pg_url) as owner:
        owner.record("A", "planned", "2024-01-01", actor="owner")
    with (
        psycopg.connect(pg_url) as con,
        pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"),
    ):
        con.execute(statement)
    with Ledger.open(pg_url) as owner:
        assert owner.stages().to_dict() == {"A": "planned"}


def test_grant_refuses_unknown_role_and_zones_for_readers(pg_url: str) -> None:
    from landasset import LandassetValueError
    from landasset.lifecycle import grant_role, init_database

    init_database(pg_url)
    with pytest.raises(LandassetValueError, match="'reader', 'recorder', 'admin'"):
        grant_role(pg_url, "x1", role="owner")
    with pytest.raises(LandassetValueError, match="only a recorder"):
        grant_role(pg_url, "x1", role="reader", zones=["云谷"])
    result = CliRunner().invoke(cli, ["db", "init", "not-a-url"])
    assert result.exit_code == 2 and "not a PostgreSQL URL" in result.output


def test_recorder_large_batches_go_through_row_level_security_too(
    roles_url: str, login: Login, sample_site: la.Site
) -> None:
    """Over 100 rows the batch is staged by COPY (which skips row-level security) and
    appended by INSERT … SELECT (which applies it)."""
    import pandas as pd

    yungu = _zone_parcels(sample_site, "云谷")[:80]
    frame = pd.DataFrame(
        {
            "parcel_id": yungu * 2,
            "stage": ["planned"] * 80 + ["acquiring"] * 80,
            "on": ["2024-01-01"] * 80 + ["2024-03-01"] * 80,
            "actor": "bo",
        }
    )
    url = login(roles_url, "bo_yungu")
    with Ledger.open(url) as led:
        stray = frame.iloc[:150].copy()
        stray.loc[len(frame)] = [
            _zone_parcels(sample_site, "云栖")[0],
            "planned",
            "2024-01-01",
            "bo",
        ]
        with pytest.raises(LandassetPermissionError, match="row-level security"):
            led.record_many(stray)
        assert len(led) == 0
        ids = led.record_many(frame)
        assert len(ids) == 160 and set(led.stages()) == {"acquiring"}
