"""The foundation commands: info, validate, sample — through the real entry point."""

import subprocess
import sys

import geopandas as gpd
import pytest
from click.testing import CliRunner
from shapely import Polygon, box

from landasset.cli import cli


@pytest.fixture(scope="module")
def sample_gpkg(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "yunqi.gpkg"
    result = CliRunner().invoke(cli, ["sample", "yunqi", "-o", str(path)])
    assert result.exit_code == 0, result.output
    return path


HELP_CODE = (
    "import sys, runpy; sys.argv=['landasset','--help']\n"
    "try:\n    runpy.run_module('landasset', run_name='__main__')\n"
    "except SystemExit:\n    pass\n"
    "print('LOADED', sorted(m for m in {mods!r} if m in sys.modules))"
)


def test_python_m_landasset_help_is_fast_and_light():
    heavy = ("matplotlib", "folium", "fiona", "pyogrio", "scipy", "yaml", "networkx")
    code = HELP_CODE.format(mods=heavy)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for command in ("info", "validate", "score", "lifecycle", "convert", "best-fit", "report"):
        assert command in out.stdout
    assert "LOADED []" in out.stdout


def test_help_does_not_import_geopandas():
    code = HELP_CODE.format(mods=("geopandas",))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "LOADED []" in out.stdout


def test_python_m_landasset_error_is_one_line_on_stderr(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "landasset", "info", str(tmp_path / "none.gpkg")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2 and out.stdout == ""
    assert len(out.stderr.strip().splitlines()) == 1 and "does not exist" in out.stderr


def test_sample_refuses_to_overwrite(sample_gpkg):
    result = CliRunner().invoke(cli, ["sample", "yunqi", "-o", str(sample_gpkg)])
    assert result.exit_code == 2
    assert "overwrite" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_info_lists_layers_with_area_in_mu(sample_gpkg):
    result = CliRunner().invoke(cli, ["info", str(sample_gpkg)])
    assert result.exit_code == 0, result.output
    assert "parcels" in result.output and "EPSG:4549" in result.output
    one = CliRunner().invoke(cli, ["info", str(sample_gpkg), "--layer", "stations"])
    assert one.exit_code == 0
    assert "parcels" not in one.output
    missing = CliRunner().invoke(cli, ["info", str(sample_gpkg), "--layer", "nope"])
    assert missing.exit_code == 2


def test_validate_clean_sample_exits_zero(sample_gpkg):
    result = CliRunner().invoke(cli, ["validate", str(sample_gpkg)])
    assert result.exit_code == 0, result.output


def test_validate_errors_exit_one_and_fix_writes_repaired_copy(tmp_path):
    bad = gpd.GeoDataFrame(
        {"parcel_id": ["a", "b"]},
        geometry=[box(0, 0, 10, 10), Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])],
        crs="EPSG:4549",
    )
    path = tmp_path / "bad.gpkg"
    bad.to_file(path, layer="parcels")
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert "Self-intersection" in result.output
    out = tmp_path / "fixed.gpkg"
    fixed = CliRunner().invoke(cli, ["validate", str(path), "--fix", str(out)])
    assert fixed.exit_code == 0, fixed.output
    assert gpd.read_file(out, layer="parcels").geometry.is_valid.all()


def test_missing_file_and_unknown_extension_exit_two(tmp_path):
    assert CliRunner().invoke(cli, ["info", str(tmp_path / "none.gpkg")]).exit_code == 2
    odd = tmp_path / "layer.xyz"
    odd.write_text("x")
    result = CliRunner().invoke(cli, ["info", str(odd)])
    assert result.exit_code == 2
    assert ".gpkg" in result.output


def test_entry_point_script_runs(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "landasset", "--version"], capture_output=True, text=True, check=True
    )
    assert "0.1.0" in out.stdout
