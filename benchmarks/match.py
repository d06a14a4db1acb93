"""Benchmark a project match (run by hand: ``python benchmarks/match.py``).

``la.match`` of a project that wants land or floor space (35–45 mu, or 2,500–3,500 m²)
on a synthetic city of 100,000 parcels (``landasset.sample.synthetic_city``) with
50,000 synthetic units of floor space, against scoring the same parcels with the
project's profile alone (``load_profile(industry).score(site)``), in the same run. The
match scores once and adds the candidates (reserve parcels, assemblies, buildings with
vacant units), the conditions, the schedule and the appraisal of the kept rows; the
ratio shows what that adds to the scoring.

Stages: 30 % of the parcels in a reserve stage (planned, acquiring, reserved,
supply_ready), the rest operating; 25,000 operating parcels hold a building with two
units each (vacant, reserved or let, with clear height, floor load, power, rent and a
date). Options: ``--parcels`` (default 100,000), ``--spaces`` (default 50,000),
``--repeat`` (default 3).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import landasset as la
from landasset.sample import synthetic_city
from landasset.suitability import load_profile

AS_OF = "2025-12-31"
RESERVE = ("planned", "acquiring", "reserved", "supply_ready")


def city(n_parcels: int, n_spaces: int, *, seed: int = 0) -> tuple[la.Site, pd.Series]:
    rng = np.random.default_rng(seed)
    site = synthetic_city(n_parcels, seed=seed)
    parcels = site.parcels
    ids = parcels.index.to_numpy(dtype=object)
    stage = np.where(rng.random(len(ids)) < 0.3, rng.choice(RESERVE, len(ids)), "operating").astype(
        object
    )
    stages = pd.Series(stage, index=pd.Index(ids, name="parcel_id"), name="stage")
    operating = np.flatnonzero(stage == "operating")
    n_buildings = max(n_spaces // 2, 1)
    hosts = rng.choice(operating, size=min(n_buildings, len(operating)), replace=False)
    centres = shapely.centroid(parcels.geometry.to_numpy()[hosts])
    footprints = shapely.buffer(centres, 15.0, cap_style="square")
    building_ids = np.array([f"B{i:07d}" for i in range(len(hosts))], dtype=object)
    buildings = gpd.GeoDataFrame(
        {"building_id": building_ids, "parcel_id": ids[hosts], "floors": 6},
        geometry=footprints,
        crs=site.crs,
    )
    owner = np.repeat(np.arange(len(hosts)), 2)[:n_spaces]
    n = len(owner)
    spaces = gpd.GeoDataFrame(
        {
            "space_id": [f"S{i:07d}" for i in range(n)],
            "building_id": building_ids[owner],
            "parcel_id": ids[hosts][owner],
            "area_m2": rng.uniform(800, 3600, n).round(0),
            "clear_height_m": rng.choice([3.6, 4.5, 6.0, 9.0, 12.0], n),
            "floor_load_kn_m2": rng.choice([2.0, 3.5, 5.0, 8.0, 15.0], n),
            "power_kva": rng.choice([100.0, 200.0, 400.0, 800.0], n),
            "rent_cny_m2_month": rng.uniform(30, 90, n).round(0),
            "available_from": pd.Timestamp("2025-06-01")
            + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "status": rng.choice(["vacant", "vacant", "reserved", "let"], n),
        },
        geometry=shapely.centroid(footprints)[owner],
        crs=site.crs,
    )
    return site.replace(buildings=buildings, spaces=spaces), stages


def best(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parcels", type=int, default=100_000)
    parser.add_argument("--spaces", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    t = time.perf_counter()
    site, stages = city(args.parcels, args.spaces)
    built = time.perf_counter() - t
    project = la.Project(
        id="bench",
        industry="aerospace",
        area_mu_min=35,
        area_mu_max=45,
        floor_area_m2_min=2500,
        floor_area_m2_max=3500,
        far_min=1.0,
        far_max=2.5,
        height_max_m=40,
        clear_height_m=6,
        floor_load_kn_m2=5,
        power_kva=400,
        pollution_class="M1",
        budget_10k_cny_per_mu=150,
        rent_max_cny_m2_month=80,
        wanted_by="2026-12-31",
    )
    model = load_profile("aerospace")
    scoring, _ = best(lambda: model.score(site, as_of=AS_OF), args.repeat)
    matching, result = best(
        lambda: la.match(project, site, as_of=AS_OF, stages=stages, limit=20), args.repeat
    )
    assert isinstance(result, la.MatchResult)
    load = os.getloadavg()
    print(f"city: {args.parcels:,} parcels, {len(site.spaces):,} spaces (built in {built:.1f} s)")
    print(f"offered: {dict(result.offered)}")
    print(f"score with the profile alone   {scoring:7.2f} s")
    print(f"match (scoring included)       {matching:7.2f} s")
    print(f"ratio match / scoring          {matching / scoring:7.2f}  (target ≤ 1.5; under 5 s)")
    print(f"load average (1, 5, 15 min)    {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
