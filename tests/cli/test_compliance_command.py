"""``landasset lifecycle compliance``: the contracts' commitments on a small site file."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely import Point, box

import landasset as la
from landasset.cli import cli
from landasset.lifecycle import Ledger

X0, Y0 = 514_000.0, 3_350_000.0


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    """Two 30-mu parcels; P1's tenants pay 20 万元 tax per mu, P2's 50; both promised 30."""
    parcels = gpd.GeoDataFrame(
        {"parcel_id": ["P1", "P2"], "land_use": ["M1", "M1"]},
        geometry=[box(X0, Y0, X0 + 200, Y0 + 100), box(X0 + 200, Y0, X0 + 400, Y0 + 100)],
        crs="EPSG:4549",
    )
    firms = gpd.GeoDataFrame(
        {
            "enterprise_id": ["E1", "E2", "E3"],
            "name": ["甲", "乙", "丙"],
            "industry": ["x", "x", "x"],
            "parcel_id": ["P1", "P1", "P2"],
            "year": 2025,
            "land_mu": [20.0, 10.0, 30.0],
            "tax_10k_cny": [400.0, 200.0, 1500.0],
            "employees": [50, 20, 100],
            "value_added_10k_cny": [3000.0, 1000.0, 9000.0],
            "energy_tce": [300.0, 100.0, 450.0],
            "emissions_t": [10.0, 5.0, 20.0],
            "rnd_10k_cny": [100.0, 50.0, 300.0],
        },
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 150, Y0 + 50), Point(X0 + 300, Y0 + 50)],
        crs="EPSG:4549",
    )
    path = tmp_path / "site.gpkg"
    la.Site(parcels=parcels, enterprises=firms).to_file(path)
    with Ledger.open(path) as ledger:
        for pid in ("P1", "P2"):
            ledger.record(
                pid, "supplied", "2021-03-01", actor="a", contract_id=f"BZD-{pid}",
                mode="listing", price_10k_cny=3000, agreed_start="2021-09-01",
                agreed_completion="2023-09-01", tax_per_mu_10k_cny=30, production_year=2024,
                penalty={"basis": "tax_shortfall", "rate": 1.0},
            )  # fmt: skip
    return path


def test_compliance_writes_the_breaches_to_csv(site_file: Path, tmp_path: Path):
    out = tmp_path / "breaches.csv"
    args = ["lifecycle", "compliance", str(site_file), "--year", "2025", "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    # P1: (400 + 200) / 30 mu = 20 < 30 → shortfall 10 × rate 1 × 30 mu = 300
    assert table["parcel_id"].tolist() == ["P1"]
    row = table.iloc[0]
    assert (row.actual, row.gap, row.penalty_10k_cny) == (20.0, -10.0, 300.0)
    assert row.duty_bearers == "E1, E2" and row.status == "breached"
    assert "breached" in result.stdout and "met" in result.stdout
    # an existing output needs --overwrite; --all writes every commitment
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 2 and "--overwrite" in again.output
    every = CliRunner().invoke(cli, [*args, "--all", "--overwrite"])
    assert every.exit_code == 0, every.output
    assert sorted(pd.read_csv(out)["status"]) == ["breached", "met"]


def test_compliance_writes_parcel_polygons(site_file: Path, tmp_path: Path):
    out = tmp_path / "breaches.gpkg"
    result = CliRunner().invoke(
        cli, ["lifecycle", "compliance", str(site_file), "--year", "2025", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    layer = gpd.read_file(out, layer="contract_compliance")
    assert layer["parcel_id"].tolist() == ["P1"]
    assert layer.geometry.area.round(0).tolist() == [20_000.0]


def test_compliance_before_the_production_year(site_file: Path):
    result = CliRunner().invoke(cli, ["lifecycle", "compliance", str(site_file), "--year", "2023"])
    assert result.exit_code == 0, result.output
    assert "not_due" in result.stdout
