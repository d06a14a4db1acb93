"""Fixtures for the PostgreSQL/PostGIS tests: a database with the ledger's roles, login
roles for each of them, the sample district written into it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import landasset as la


@pytest.fixture
def site_url(pg_url: str, sample_site: la.Site) -> str:
    """A fresh database holding the sample district's layers and the ledger (db init)."""
    from landasset.lifecycle import Ledger

    with Ledger.open(pg_url):
        pass
    sample_site.to_postgis(pg_url)
    return pg_url


@pytest.fixture
def login(pg_cluster: object) -> Callable[[str, str], str]:
    """``login(url, role)``: the same database as a login role (created by the caller)."""

    def as_role(url: str, role: str) -> str:
        return url.replace("postgresql://postgres@", f"postgresql://{role}@", 1)

    return as_role
