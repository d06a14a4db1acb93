"""The self-contained HTML report."""

from __future__ import annotations

import base64
import html
import io
import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset import LandassetError
from landasset.viz import report
from landasset.viz.html_report import find_external_references

# Written independently of find_external_references: any scheme URL, and any "//" once
# the base64 image data is removed.
URL = re.compile(r"https?://|//", re.IGNORECASE)
DATA = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")


def assert_self_contained(page: str) -> None:
    without_images = DATA.sub("", page)
    assert not URL.search(without_images), URL.search(without_images)
    assert "<script" not in page.lower()
    assert "url(" not in without_images.lower()
    for target in re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", page, flags=re.IGNORECASE):
        assert target.startswith(("data:image/png;base64,", "#")), target[:60]


def section_ids(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z]+)">', page)


@pytest.fixture(scope="module")
def full_report(
    sample_site: la.Site,
    aerospace: Any,
    ledger: Any,
    evaluation: pd.DataFrame,
    tmp_path_factory: pytest.TempPathFactory,
) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    return report(
        sample_site,
        model=aerospace,
        ledger=ledger,
        evaluation=evaluation,
        as_of="2025-12-31",
        path=path,
        title="云栖 sample // report",
    )


def test_full_report_is_self_contained(full_report: Path) -> None:
    page = full_report.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert find_external_references(page) == []
    # the title held a "//": it is written as &#47;&#47;, which displays the same
    assert "云栖 sample &#47;&#47; report" in page


def test_full_report_has_every_section(full_report: Path, scored: Any, aerospace: Any) -> None:
    page = full_report.read_text(encoding="utf-8")
    assert section_ids(page) == ["summary", "suitability", "model", "lifecycle", "efficiency"]
    assert len(DATA.findall(page)) == 6  # overview, scores, explain, stages, pipeline, grades
    top = scored[scored["rank"].notna()].sort_values("rank").head(20)
    table = page[page.index("Top 20 parcels") : page.index("Excluded by")]
    assert re.findall(r"<tr><td>(XH[0-9-]+)</td>", table) == list(top.index)
    for name in aerospace.names:
        assert f"<td>{name}</td>" in page
    assert "Idle-land risk" in page and "XH120304-01" in page
    assert "批而未供" in page and "投而未达标" in page
    assert "Renewal candidates" in page and "老园区" in page


def test_images_are_png(full_report: Path) -> None:
    from PIL import Image

    page = full_report.read_text(encoding="utf-8")
    for data in DATA.findall(page):
        image = Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1])))
        assert image.format == "PNG"
        assert image.width > 500


def test_summary_only_report(fonts: str, sample_site: la.Site, tmp_path: Path) -> None:
    # with and without a CJK font: no missing glyph (a warning, hence an error here)
    path = report(sample_site, as_of="2025-12-31", path=tmp_path / "summary.html")
    page = path.read_text(encoding="utf-8")
    assert section_ids(page) == ["summary"]
    assert len(DATA.findall(page)) == 1
    assert f"{len(sample_site.parcels):,} parcels" in page
    assert_self_contained(page)


def test_model_with_ahp_weights_shows_consistency(sample_site: la.Site, tmp_path: Path) -> None:
    from landasset.suitability import Criterion, SuitabilityModel, large, linear

    model = SuitabilityModel(
        [
            Criterion(
                "metro",
                {"measure": "walk_distance", "targets": "stations"},
                linear(best=300, worst=2000),
            ),
            Criterion(
                "services",
                {"measure": "count_within", "points": "amenities", "radius": 500},
                large(mid=10, spread=3),
            ),
            Criterion("size", {"measure": "area_mu"}, linear(best=60, worst=5)),
        ],
        weights={"ahp": [[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]},
        name="demo",
    )
    path = report(sample_site, model=model, as_of="2025-12-31", path=tmp_path / "ahp.html", top_k=5)
    page = path.read_text(encoding="utf-8")
    ahp = model.ahp_result
    assert "AHP consistency" in page
    assert f"{ahp.cr:.4f}" in page and f"{ahp.lambda_max:.3f}" in page
    assert "consistent (CR ≤ 0.1)" in page
    assert page.count("<tr><td>XH") >= 5
    assert section_ids(page) == ["summary", "suitability", "model"]


def test_ledger_without_evaluation(sample_site: la.Site, ledger: Any, tmp_path: Path) -> None:
    page = report(
        sample_site, ledger=ledger, as_of="2025-12-31", path=tmp_path / "l.html"
    ).read_text(encoding="utf-8")
    assert section_ids(page) == ["summary", "lifecycle"]
    assert "XH120304-01" in page and "XH120306-04" in page  # the two idle-land parcels
    # without grades no parcel is "in production, below standard"
    assert re.search(
        r"<td>in production, below standard</td><td>投而未达标</td><td class=\"num\">0</td>", page
    )
    assert_self_contained(page)


def test_stage_series_instead_of_a_ledger(sample_site: la.Site, tmp_path: Path) -> None:
    path = report(
        sample_site,
        ledger=sample_site.parcels["stage"],
        as_of="2025-12-31",
        path=tmp_path / "s.html",
    )
    page = path.read_text(encoding="utf-8")
    assert section_ids(page) == ["summary", "lifecycle"]
    assert "Idle-land risk" not in page  # needs the ledger's contracts
    operating = int((sample_site.parcels["stage"] == "operating").sum())
    assert re.search(rf"operating 运营</td><td class=\"num\">{operating}</td>", page)


def test_text_from_the_data_cannot_form_a_url(sample_site: la.Site, tmp_path: Path) -> None:
    parcels = sample_site.parcels.copy()
    parcels["zone"] = parcels["zone"].astype(object)
    parcels.iloc[0, parcels.columns.get_loc("zone")] = "https://evil.example/<script>"
    site = sample_site.replace(parcels=parcels)
    page = report(site, path=tmp_path / "x.html").read_text(encoding="utf-8")
    assert "https:&#47;&#47;evil.example&#47;&lt;script&gt;" in page
    assert_self_contained(page)


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ('<a href="https://example.org">x</a>', "absolute URL"),
        ('<img src="//cdn.example.org/x.png">', "protocol-relative"),
        ('<img src="logo.png">', "attribute loading a resource"),
        ("<img src='logo.png'>", "attribute loading a resource"),
        ("<div style=\"background: url('bg.png')\">", "CSS url()"),
        ("<style>@import 'x.css';</style>", "CSS @import"),
        ("<script>alert(1)</script>", "script"),
        ('<svg xmlns="http://www.w3.org/2000/svg"></svg>', "absolute URL"),
    ],
)
def test_find_external_references_catches(snippet: str, what: str) -> None:
    found = find_external_references(f"<html><body>{snippet}</body></html>")
    assert any(f.startswith(what) for f in found), found


def test_viz_report_is_the_function_whatever_the_import_order() -> None:
    import importlib

    import landasset.viz

    importlib.import_module("landasset.viz.html_report")
    assert callable(landasset.viz.report) and landasset.viz.report.__name__ == "report"
    assert report is landasset.viz.report


def test_find_external_references_allows_data_and_anchors() -> None:
    data = base64.b64encode(bytes(range(256)) * 4).decode()
    assert "//" in data or "/" in data
    page = f'<a href="#top">up</a><img src="data:image/png;base64,{data}"><p>1/2</p>'
    assert find_external_references(page) == []


def test_report_refuses_to_write_a_page_with_a_url(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site, tmp_path: Path
) -> None:
    import importlib

    module = importlib.import_module("landasset.viz.html_report")

    monkeypatch.setattr(module, "_CSS", "body{background:url(https://example.org/bg.png)}")
    target = tmp_path / "bad.html"
    with pytest.raises(LandassetError, match="not written"):
        module.report(sample_site, path=target)
    assert not target.exists()


# -- in a real browser --------------------------------------------------------------------------------------


@pytest.mark.browser
def test_report_opens_in_headless_chromium(
    full_report: Path, tmp_path: Path, chromium: Any
) -> None:
    browser = chromium
    url = full_report.resolve().as_uri()
    session = browser.open_page(url)
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session, timeout=60)
    images = browser.evaluate(
        session, "[...document.images].filter(i => i.complete && i.naturalWidth > 0).length"
    )
    events = [e for e in browser.events if e.get("sessionId") == session]
    requested = [
        e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"
    ]
    outside = [u for u in requested if u != url and not u.startswith("data:")]
    assert outside == [], outside
    assert url in requested
    failed = [e["params"] for e in events if e["method"] == "Network.loadingFailed"]
    assert failed == []
    assert browser.page_errors(session) == []
    assert images == 6  # every embedded figure decoded

    from PIL import Image

    screenshot = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("L")
    assert screenshot.size == (1280, 2000)
    pixels = np.asarray(screenshot, dtype=float)
    assert pixels.std() > 20  # not a blank page
    assert (pixels < 100).mean() > 0.01  # dark header and text are drawn
    (tmp_path / "report.png").write_bytes(base64.b64decode(shot["data"]))


def test_rich_displays_are_self_contained(
    sample_site: la.Site, aerospace: Any, ledger: Any
) -> None:
    """The notebook displays of Site, SuitabilityModel, AHPResult, Ledger and Scheme."""
    from landasset.efficiency import load_scheme
    from landasset.suitability import ahp

    objects = {
        "Site": sample_site,
        "ValidationReport": sample_site.report,
        "SuitabilityModel": aerospace,
        "AHPResult": ahp([[1, 3, 5], [1 / 3, 1, 2], [1 / 5, 1 / 2, 1]]),
        "Ledger": ledger,
        "Scheme": load_scheme("zhejiang-2018"),
    }
    for name, obj in objects.items():
        page = obj._repr_html_()
        assert isinstance(page, str) and page.strip().startswith("<"), name
        assert find_external_references(page) == [], name
        assert len(page) < 200_000, name  # compact


def test_evaluation_without_ledger(sample_site: la.Site, tmp_path: Path) -> None:
    from landasset.efficiency import evaluate

    evaluation = evaluate(
        sample_site.enterprises, sample_site.parcels, year=2025, buildings=sample_site.buildings
    )
    path = la.viz.report(sample_site, evaluation=evaluation, path=tmp_path / "grades.html")
    page = path.read_text(encoding="utf-8")
    assert "腾笼换鸟" in page
    assert "XH12" in page  # the renewal candidates are listed by parcel id


# -- hostile text, retired parcels, failed writes -------------------------------------------


def test_text_that_looks_like_markup_is_not_a_reference(
    hostile_site: la.Site, payload: str, tmp_path: Path
) -> None:
    """Escaped text holding src=, href=, // and tags is written, shown as text."""
    path = report(hostile_site, path=tmp_path / "names.html", title=f"report {payload}")
    page = path.read_text(encoding="utf-8")
    assert find_external_references(page) == []
    assert html.escape(payload).replace("/", "&#47;") in page
    assert "<img src=x" not in page and "<script>window" not in page
    # the title and the header show the payload as text
    assert f"<title>report {html.escape(payload).replace('/', '&#47;')}</title>" in page


@pytest.mark.parametrize(
    ("snippet", "what"),
    [
        ('<img src="x.png" onerror="alert(1)">', "event handler attribute"),
        ('<a href="javascript:alert(1)">x</a>', "script"),
        ('<iframe srcdoc="x"></iframe>', "<iframe> element"),
        ('<meta http-equiv="refresh" content="0; url=x.html">', "meta refresh"),
        ('<link rel="stylesheet" href="style.css">', "attribute loading a resource"),
        ("<style>p{background:url(//cdn.example.org/x.png)}</style>", "CSS url()"),
        ('<object data="x.swf"></object>', "<object> element"),
    ],
)
def test_find_external_references_reads_markup(snippet: str, what: str) -> None:
    found = find_external_references(f"<html><body>{snippet}</body></html>")
    assert any(f.startswith(what) for f in found), found


@pytest.mark.parametrize(
    "text",
    [
        "src=x.png",
        "href=//evil.example/x",
        "https://example.org/a.png",
        "url(x.png) @import 'y.css'",
        "&lt;script src=x&gt;&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
    ],
)
def test_find_external_references_ignores_text(text: str) -> None:
    page = f"<html><body><p>{text}</p><td>{text}</td></body></html>"
    assert find_external_references(page) == []


def test_report_leaves_out_retired_parcels(
    sample_site: la.Site, aerospace: Any, evaluation: pd.DataFrame, tmp_path: Path
) -> None:
    stages = sample_site.parcels["stage"].astype(str).copy()
    scored = aerospace.score(sample_site, as_of="2025-12-31")
    best = list(scored.sort_values("rank").index[:3])  # the three best parcels retire
    stages[best] = "retired"
    page = report(
        sample_site,
        model=aerospace,
        ledger=stages,
        evaluation=evaluation,
        as_of="2025-12-31",
        path=tmp_path / "retired.html",
    ).read_text(encoding="utf-8")
    assert "3 retired parcels (the parents of a split or a merge) left out" in page
    assert "3 retired parcels left out." in page
    for pid in best:
        assert html.escape(pid) not in page, pid
    # the stages table has no retired row and counts the others
    assert "retired 注销" not in page and ">retired<" not in page
    operating = int((stages == "operating").sum())
    assert re.search(rf"operating 运营</td><td class=\"num\">{operating}</td>", page)
    # the summary counts the parcels that remain
    assert f"{len(sample_site.parcels) - 3:,} parcels (地块)" in page


def _old_report(path: Path) -> bytes:
    old = b"<!DOCTYPE html><title>old</title>" + bytes(range(256)) * 64
    path.write_bytes(old)
    return old


def test_failed_write_keeps_the_old_report(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site, tmp_path: Path
) -> None:
    """A disk that fills midway: the old file is intact and no temporary file is left."""
    import errno

    target = tmp_path / "report.html"
    old = _old_report(target)
    real_write = os.write
    calls = []

    def full_disk(fd: int, data: Any) -> int:
        calls.append(len(data))
        if len(calls) == 1:  # the first chunk goes through, partly
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(la.LandassetIOError, match="No space left on device; free some disk") as err:
        report(sample_site, path=target, overwrite=True)
    monkeypatch.undo()
    assert isinstance(err.value, OSError)
    assert len(calls) >= 2  # it failed midway, not before starting
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_failed_rename_or_render_keeps_the_old_report(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site, tmp_path: Path
) -> None:
    import importlib

    module = importlib.import_module("landasset.viz.html_report")
    target = tmp_path / "report.html"
    old = _old_report(target)

    def refuse(src: Any, dst: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(module.os, "replace", refuse)
    with pytest.raises(la.LandassetIOError, match="Permission denied; check the folder"):
        report(sample_site, path=target, overwrite=True)
    monkeypatch.undo()
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]

    def boom(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(module, "_figure_html", boom)
    with pytest.raises(RuntimeError, match="drawing failed"):
        report(sample_site, path=target, overwrite=True)
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_existing_report_needs_overwrite(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site, tmp_path: Path
) -> None:
    """An existing file is refused before anything is drawn, and left as it was."""
    import importlib

    module = importlib.import_module("landasset.viz.html_report")
    target = tmp_path / "report.html"
    old = _old_report(target)
    drawn = []
    monkeypatch.setattr(module, "_summary_section", lambda *a: drawn.append(a))
    with pytest.raises(la.LandassetIOError, match=r"report.html exists; pass overwrite=True"):
        report(sample_site, path=target)
    with pytest.raises(la.LandassetIOError, match=r"^report.txt is not an .html file"):
        report(sample_site, path=tmp_path / "report.txt")
    assert drawn == []
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]
    monkeypatch.undo()
    report(sample_site, path=target, overwrite=True)
    assert target.read_bytes() != old
    assert "District report as of" in target.read_text(encoding="utf-8")


def test_report_into_a_missing_folder(sample_site: la.Site, tmp_path: Path) -> None:
    with pytest.raises(la.LandassetIOError, match="does not exist; create it first"):
        report(sample_site, path=tmp_path / "nope" / "report.html")


def test_new_report_file_mode_follows_the_umask(sample_site: la.Site, tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        path = report(sample_site, path=tmp_path / "mode.html")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.browser
def test_report_with_payloads_runs_none_in_chromium(
    hostile_site: la.Site, aerospace: Any, payload: str, tmp_path: Path, chromium: Any
) -> None:
    path = report(
        hostile_site,
        model=aerospace,
        ledger=hostile_site.parcels["stage"],
        as_of="2025-12-31",
        path=tmp_path / "hostile.html",
        title=f"report {payload}",
    )
    url = path.resolve().as_uri()
    session = chromium.open_page(url, before_load="window.__pwned = [];")
    found = chromium.evaluate(
        session,
        """(async () => {
            await new Promise((resolve) => setTimeout(resolve, 1000));
            document.querySelectorAll("details").forEach((d) => { d.open = true; });
            await new Promise((resolve) => setTimeout(resolve, 500));
            return {
                pwned: window.__pwned,
                title: document.title,
                text: document.body.textContent,
                scripts: document.scripts.length,
                images: [...document.images].filter((i) => i.complete && i.naturalWidth > 0).length,
            };
        })()""",
    )
    assert found["pwned"] == []
    assert found["scripts"] == 0
    assert found["title"] == f"report {payload}"
    assert found["text"].count(payload) >= 5  # header, top-parcel ids and names as text
    assert found["images"] == 5  # overview, scores, explanation, stages, pipeline
    assert chromium.page_errors(session) == []
    assert [
        u for u in chromium.requested_urls(session) if u != url and not u.startswith("data:")
    ] == []
