"""``landasset score PARTS/ --site SITE -o OUT/``: a folder of partitions on dask, and
``--workers`` on score, best-fit and sensitivity."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

import landasset as la
from landasset import scale
from landasset.cli import cli
from landasset.suitability import load_profile


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def city_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("city")
    city = la.sample.synthetic_city(2_000, seed=6)
    city.to_file(folder / "city.gpkg")
    scale.write_partitions(city.parcels, folder / "parts", partitions=3)
    return city, folder


def test_score_a_folder_of_partitions_on_a_local_cluster(city_files):
    _city, folder = city_files
    out = folder / "scored"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = invoke(
            "score", folder / "parts", "--site", folder / "city.gpkg",
            "--profile", "aerospace", "-o", out, "--workers", "2", "--as-of", "2030-01-01",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        site = la.read_site(folder / "city.gpkg")
        expected = load_profile("aerospace").score(site, as_of="2030-01-01", workers=1)
    got = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))])
    assert len(got) == 2_000
    got = got.sort_index()
    want = expected.sort_index()
    assert got.index.astype(object).equals(want.index.astype(object))
    for column in ("score", "rank", "eligible"):
        pd.testing.assert_series_equal(
            got[column].reset_index(drop=True),
            want[column].reset_index(drop=True),
            check_exact=True,
            check_dtype=False,
        )


def test_folder_options_are_refused_for_a_file_and_a_folder_needs_a_site(city_files):
    _, folder = city_files
    result = CliRunner().invoke(
        cli, ["score", str(folder / "city.gpkg"), "--profile", "ai", "-o", str(folder / "x.gpkg"),
              "--scheduler", "tcp://127.0.0.1:1"],
    )  # fmt: skip
    assert result.exit_code != 0 and "--scheduler is for a folder of partitions" in result.output
    result = CliRunner().invoke(
        cli, ["score", str(folder / "parts"), "--profile", "ai", "-o", str(folder / "o")]
    )
    assert result.exit_code != 0 and "needs --site FILE" in result.output
    result = CliRunner().invoke(
        cli,
        ["score", str(folder / "parts"), "--site", str(folder / "city.gpkg"), "--profile", "ai",
         "-o", str(folder / "o.gpkg")],
    )  # fmt: skip
    assert result.exit_code != 0 and "looks like a file" in result.output


@pytest.mark.parametrize("command", ["score", "best-fit", "sensitivity"])
def test_workers_option_gives_the_same_output(city_files, tmp_path, command):
    _, folder = city_files
    extra = {
        "score": ["--profile", "aerospace"],
        "best-fit": ["--profiles", "aerospace,ai"],
        "sensitivity": ["--profile", "aerospace", "-n", "20"],
    }[command]
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"{command}-{workers}.parquet"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = invoke(command, folder / "city.gpkg", *extra, "-o", out, "--workers", workers)
        assert result.exit_code == 0, result.output
        outputs.append(pd.read_parquet(out))
    pd.testing.assert_frame_equal(outputs[0], outputs[1], check_exact=True)


def test_score_a_folder_of_partitions_against_a_folder_of_context_layers(tmp_path):
    """--site FOLDER: the context read a window per partition, the same bits."""
    import geopandas as gpd

    from landasset._samplegen.synthetic import CONTEXT_LAYERS

    la.sample.write_synthetic_city(tmp_path / "city", 2_400, tile_parcels=800, seed=2)
    out = tmp_path / "scored"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = invoke(
            "score", tmp_path / "city" / "parts", "--site", tmp_path / "city" / "context",
            "--profile", "aerospace", "-o", out, "--workers", "1", "--as-of", "2030-01-01",
            "--margin", "1500",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        context = {
            name: gpd.read_parquet(tmp_path / "city" / "context" / name) for name in CONTEXT_LAYERS
        }
        parcels = gpd.read_parquet(tmp_path / "city" / "parts")
        expected = load_profile("aerospace").score(
            la.Site(parcels=parcels, **context), as_of="2030-01-01", workers=1
        )
    got = pd.concat([pd.read_parquet(p) for p in sorted(out.glob("*.parquet"))]).sort_index()
    want = expected.sort_index()
    assert len(got) == 2_400
    for column in ("score", "rank", "eligible", "m_walk_distance(targets=stations)"):
        if column not in want.columns:
            continue
        pd.testing.assert_series_equal(
            got[column].reset_index(drop=True),
            want[column].reset_index(drop=True),
            check_exact=True,
            check_dtype=False,
        )
    # --margin is for a --site folder; a folder without layers is a usage error
    result = CliRunner().invoke(
        cli, ["score", str(tmp_path / "city" / "parts"), "--site", str(tmp_path / "city" / "parts"),
              "--profile", "aerospace", "-o", str(tmp_path / "o2")],
    )  # fmt: skip
    assert result.exit_code == 2 and "is not a context layer" in result.output
    gpkg = tmp_path / "one.gpkg"
    la.sample.synthetic_city(50, seed=1).to_file(gpkg)
    result = CliRunner().invoke(
        cli, ["score", str(tmp_path / "city" / "parts"), "--site", str(gpkg), "--margin", "10",
              "--profile", "aerospace", "-o", str(tmp_path / "o3")],
    )  # fmt: skip
    assert result.exit_code != 0 and "--margin is for a --site folder" in result.output
    assert "--margin" in CliRunner().invoke(cli, ["score", "--help"]).output
