"""Date options take ISO days (YYYY-MM-DD) only; nothing ambiguous reaches the ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import click
import pytest
from hypothesis import given
from hypothesis import strategies as st

from landasset.cli import cli
from landasset.cli._common import ISO_DATE, parse_date

# the forms a person might type, each refused: order (day/month), precision (year,
# month), compactness, relative words, prose, a time (which day in which zone?)
REFUSED = [
    "03/04/2026",
    "2026",
    "20260301",
    "now",
    "today",
    "March 1 2026",
    "2026-03-01T23:00",
    "2026-03",
    "2026-3-1",
    "2026/03/01",
    "01-03-2026",
    "2026-03-01 00:00",
    "2026-03-01Z",
    "+2026-03-01",
    "２０２６-０３-０１",  # full-width digits
    "",
]
NOT_A_DAY = ["2026-02-30", "2026-13-01", "2025-02-29", "2026-00-10", "0000-01-01"]
ACCEPTED = ["2026-03-01", "2024-02-29", "1999-12-31", "0001-01-01", "9999-12-31"]


def _date_options() -> list[tuple[str, click.Option]]:
    """Every option of every command that takes a date, as (command path, option)."""
    found = []

    def walk(command: click.Command, path: str) -> None:
        for param in command.params:
            if isinstance(param, click.Option) and (
                param.type is ISO_DATE
                or any(word in name for name in param.opts for word in ("date", "--on", "as-of"))
            ):
                found.append((path, param))
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}")

    walk(cli, "landasset")
    return found


def test_every_date_option_is_an_iso_date() -> None:
    options = _date_options()
    paths = {path for path, _ in options}
    # the commands with a date option (an oracle written out, not derived)
    assert paths == {
        "landasset score",
        "landasset explain",
        "landasset sensitivity",
        "landasset best-fit",
        "landasset assemble",
        "landasset report",
        "landasset lifecycle record",
        "landasset lifecycle status",
        "landasset lifecycle kpi",
        "landasset lifecycle idle",
        "landasset match",
    }
    for path, option in options:
        assert option.type is ISO_DATE, (path, option.opts)


@pytest.mark.parametrize("text", REFUSED)
def test_ambiguous_forms_are_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(click.BadParameter, match="is not a date written YYYY-MM-DD"):
        ISO_DATE.convert(text, None, None)


@pytest.mark.parametrize("text", NOT_A_DAY)
def test_days_not_in_the_calendar_are_refused(text: str) -> None:
    with pytest.raises(click.BadParameter, match="is not a day of the calendar"):
        ISO_DATE.convert(text, None, None)


@pytest.mark.parametrize("text", ACCEPTED)
def test_iso_days_are_accepted_as_written(text: str) -> None:
    assert ISO_DATE.convert(text, None, None) == text
    assert parse_date(text).date() == dt.date(*map(int, text.split("-")))


@given(st.dates())
def test_any_day_written_iso_is_accepted(day: dt.date) -> None:
    text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    assert ISO_DATE.convert(text, None, None) == text
    assert parse_date(text).date() == day


OTHER_FORMATS = [
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d.%m.%Y",
    "%Y",
    "%Y-%m",
    "%B %d %Y",
    "%d %b %Y",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y年%m月%d日",
]


@given(st.dates(min_value=dt.date(1000, 1, 1)), st.sampled_from(OTHER_FORMATS))
def test_the_same_day_in_any_other_form_is_refused(day: dt.date, form: str) -> None:
    with pytest.raises(click.BadParameter, match="YYYY-MM-DD"):
        ISO_DATE.convert(day.strftime(form), None, None)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("text", ["03/04/2026", "today", "2026-03-01T23:00", "2026-02-30"])
def test_record_refuses_an_ambiguous_day_and_leaves_the_file_unchanged(
    run, site_copy, one_line_error, text
):
    before = _digest(site_copy)
    result = run(
        "lifecycle", "record", site_copy, "XH120101-08", "--to", "supply_ready", "--on", text,
        "--set", "land_use=M0", "--set", "far_min=1.5", "--set", "far_max=3.0",
    )  # fmt: skip
    line = one_line_error(result, contains=f"Invalid value for '--on': {text!r} is not a")
    assert "YYYY-MM-DD" in line and "lifecycle record --help" in line
    assert _digest(site_copy) == before


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{site}", "-p", "ai", "-o", "{out}"],
        ["explain", "{site}", "-p", "ai", "XH120101-08"],
        ["sensitivity", "{site}", "-p", "ai"],
        ["best-fit", "{site}", "--profiles", "ai,aerospace", "-o", "{out}"],
        ["assemble", "{site}", "-p", "ai", "--demand-mu", "50"],
        ["report", "{site}", "-o", "{tmp}/r.html"],
        ["lifecycle", "status", "{site}"],
        ["lifecycle", "kpi", "{site}"],
        ["lifecycle", "idle", "{site}"],
    ],
)
@pytest.mark.parametrize("text", ["2026", "03/04/2026"])
def test_every_as_of_refuses_ambiguous_days(
    run, site_gpkg, tmp_path, one_line_error, files_in, args, text
):
    values = {"site": str(site_gpkg), "out": str(tmp_path / "out.gpkg"), "tmp": str(tmp_path)}
    result = run(*[a.format(**values) for a in args], "--as-of", text)
    one_line_error(result, contains=f"Invalid value for '--as-of': {text!r} is not a date")
    assert files_in(tmp_path) == []


def test_an_events_csv_with_an_ambiguous_day_is_refused_whole(
    run, site_copy, tmp_path, one_line_error
):
    csv = tmp_path / "events.csv"
    csv.write_text(
        "parcel_id,stage,on,land_use,far_min,far_max\n"
        "XH120101-08,supply_ready,2026-03-01,M0,1.5,3.0\n"
        "XH120101-08,supplied,2026-03-01T23:00,,,\n"
        "XH120101-08,supplied,03/04/2026,,,\n",
        encoding="utf-8",
    )
    before = _digest(site_copy)
    line = one_line_error(run("lifecycle", "import", site_copy, csv), contains="events.csv")
    assert "line 3: '2026-03-01T23:00' is not a date written YYYY-MM-DD" in line
    assert "(+1 more); nothing was recorded" in line
    assert _digest(site_copy) == before
