"""``landasset serve`` refuses what it cannot serve before starting anything."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from landasset.cli import cli
from landasset.sample import sample_path


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["no-such-site.gpkg"], "no site file"),
        ([str(sample_path("yunqi")), "--default-items", "50", "--max-items", "10"], "exceeds"),
    ],
)
def test_serve_refuses_with_a_one_line_reason(args, says):
    result = CliRunner().invoke(cli, ["serve", *args])
    assert result.exit_code == 2
    assert says in result.output


def test_serve_refuses_a_bad_token_file(tmp_path):
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text("tokens:\n  - {name: a, role: owner, token: abcdefgh}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["serve", str(sample_path("yunqi")), "--tokens", str(tokens)])
    assert result.exit_code == 2
    assert "'owner' is not a role" in result.output


def test_serve_is_listed_with_its_help():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    assert "OGC API" in result.output and "--tokens" in result.output
    assert "postgresql://" in result.output and "db_role" in result.output


def test_serve_refuses_database_roles_for_a_file_site(tmp_path):
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(
        "tokens:\n  - {name: a, role: recorder, db_role: bo_yungu, token: abcdefgh}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["serve", str(sample_path("yunqi")), "--tokens", str(tokens)])
    assert result.exit_code == 2
    assert "name a database role (db_role), but the site is a file" in result.output
