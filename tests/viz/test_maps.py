"""Static maps on the sample district (Agg backend)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_rgba

import landasset as la
from landasset.viz import _fonts, maps
from landasset.viz._common import GRADE_COLOURS, STAGE_COLOURS


def gids(ax: Any) -> list[str]:
    return [c.get_gid() for c in ax.collections]


def collection(ax: Any, gid: str) -> Any:
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {gids(ax)}"
    return found[0]


def legend_texts(ax: Any) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def furniture(ax: Any) -> None:
    """Scale bar and north arrow are present."""
    assert any(a.get_gid() == "scale_bar" for a in ax.artists)
    assert any(t.get_gid() == "north_arrow" and t.get_text() == "N" for t in ax.texts)


# -- plot_scores -----------------------------------------------------------------------------


def test_plot_scores_draws_classes_exclusions_and_context(
    sample_site: la.Site, scored: gpd.GeoDataFrame, as_of: str, draw: Callable[[Any], None]
) -> None:
    ax = maps.plot_scores(scored, site=sample_site, as_of=as_of, k=5)
    eligible = scored["eligible"].astype(bool)
    ranked = eligible & scored["score"].notna()
    assert len(collection(ax, "parcels").get_paths()) == int(ranked.sum())
    assert len(collection(ax, "excluded").get_paths()) == int((~eligible).sum())
    assert {"streets", "constraints", "axes", "lines_open", "stations_open"} <= set(gids(ax))
    # 云谷北站 (ST06) opens 2027-12-28: hollow on the 2025 map, its line dashed
    planned = collection(ax, "stations_planned")
    assert len(planned.get_offsets()) == 1
    assert tuple(planned.get_facecolor()[0]) == to_rgba("white")
    assert collection(ax, "lines_planned").get_linestyle()[0][1] is not None
    texts = legend_texts(ax)
    classes = [t for t in texts if "–" in t and "(" in t]
    assert len(classes) == 5
    assert sum(int(t.rsplit("(", 1)[1].rstrip(")")) for t in classes) == int(ranked.sum())
    assert any(t.startswith("excluded") for t in texts)
    furniture(ax)
    draw(ax)


def test_plot_scores_best_parcel_gets_the_top_class(scored: gpd.GeoDataFrame) -> None:
    ax = maps.plot_scores(scored, k=5, cmap="RdYlGn")
    ranked = scored[scored["eligible"].astype(bool) & scored["score"].notna()]
    faces = collection(ax, "parcels").get_facecolor()
    best, worst = (
        ranked.index.get_loc(ranked["score"].idxmax()),
        ranked.index.get_loc(ranked["score"].idxmin()),
    )
    top = np.asarray(__import__("matplotlib").colormaps["RdYlGn"](0.95))
    assert np.allclose(faces[best], top)
    assert not np.allclose(faces[worst], top)


def test_plot_scores_all_stations_open_later(
    sample_site: la.Site, scored: gpd.GeoDataFrame
) -> None:
    ax = maps.plot_scores(scored, site=sample_site, as_of="2028-06-30")
    assert "stations_planned" not in gids(ax)
    assert "lines_planned" not in gids(ax)
    assert len(collection(ax, "stations_open").get_offsets()) == len(sample_site.stations)


def test_plot_scores_uses_given_axes(scored: gpd.GeoDataFrame) -> None:
    import matplotlib.pyplot as plt

    _fig, (left, right) = plt.subplots(1, 2)
    assert maps.plot_scores(scored, ax=right) is right
    assert not left.collections


def test_plot_scores_rejects_unknown_column_and_scheme(scored: gpd.GeoDataFrame) -> None:
    with pytest.raises(KeyError, match=r"'scor' is not a column.*'score'"):
        maps.plot_scores(scored, column="scor")
    with pytest.raises(
        ValueError, match="'jenks' is not a classification scheme; use one of: 'quantiles'"
    ):
        maps.plot_scores(scored, scheme="jenks")


@pytest.mark.parametrize("scheme", maps.SCHEMES)
def test_classify_puts_every_value_in_a_class(scheme: str) -> None:
    values = pd.Series(np.linspace(0, 1, 101))
    values[3] = np.nan
    upper, classes = maps.classify(values, scheme=scheme, k=4)
    assert len(upper) == 4
    assert classes[3] == -1
    present = values.notna().to_numpy()
    assert classes[present].min() == 0 and classes[present].max() == 3
    # every value lies at or below its class's upper bound and above the previous one
    v, c = values.to_numpy()[present], classes[present]
    assert np.all(v <= upper[c] + 1e-12)
    assert np.all((c == 0) | (v > upper[np.maximum(c - 1, 0)] - 1e-12))


@pytest.mark.parametrize(
    ("scheme", "name"), [("quantiles", "Quantiles"), ("equal_interval", "EqualInterval")]
)
def test_classify_matches_mapclassify(scheme: str, name: str) -> None:
    mapclassify = pytest.importorskip("mapclassify")
    y = np.random.default_rng(7).lognormal(size=500)
    upper, classes = maps.classify(pd.Series(y), scheme=scheme, k=5)
    reference = getattr(mapclassify, name)(y, k=5)
    assert np.allclose(upper, reference.bins)
    assert np.array_equal(classes, reference.yb)


def test_classify_quantiles_are_balanced() -> None:
    _, classes = maps.classify(pd.Series(np.arange(100.0)), scheme="quantiles", k=5)
    assert np.bincount(classes).tolist() == [20, 20, 20, 20, 20]


def test_classify_fixed_bins_extend_to_the_maximum() -> None:
    upper, classes = maps.classify(
        pd.Series([100.0, 500.0, 2500.0]), scheme="fixed", bins=[400, 800]
    )
    assert upper.tolist() == [400.0, 800.0, 2500.0]
    assert classes.tolist() == [0, 1, 2]


# -- plot_site, plot_stage_map ------------------------------------------------------------------


def test_plot_site_overview(sample_site: la.Site, as_of: str, draw: Callable[[Any], None]) -> None:
    ax = maps.plot_site(sample_site, as_of=as_of)
    assert len(collection(ax, "parcels").get_paths()) == len(sample_site.parcels)
    assert len(collection(ax, "amenities").get_offsets()) == len(sample_site.amenities)
    industrial = [t for t in legend_texts(ax) if t.startswith("industrial")]
    assert len(industrial) == 1
    furniture(ax)
    draw(ax)


def test_plot_stage_map_from_the_ledger(
    sample_site: la.Site, ledger: Any, as_of: str, draw: Callable[[Any], None]
) -> None:
    ax = maps.plot_stage_map(sample_site, ledger, as_of=as_of)
    parcels = collection(ax, "parcels")
    assert len(parcels.get_paths()) == len(sample_site.parcels)
    stages = ledger.stages(as_of=as_of).astype(str)
    faces = parcels.get_facecolor()
    for stage in ("reserved", "operating", "renewal"):
        pid = stages.index[stages == stage][0]
        position = sample_site.parcels.index.get_loc(pid)
        assert np.allclose(faces[position], to_rgba(STAGE_COLOURS[stage]))
    counts = stages.value_counts()
    texts = legend_texts(ax)
    for stage, n in counts.items():
        assert any(t.startswith(stage) and f"— {n}," in t for t in texts), (stage, texts)
    furniture(ax)
    draw(ax)


def test_plot_stage_map_changes_with_the_date(sample_site: la.Site, ledger: Any) -> None:
    early = maps.plot_stage_map(sample_site, ledger, as_of="2023-06-30")
    late = maps.plot_stage_map(sample_site, ledger, as_of="2025-12-31")
    centre = sample_site.parcels.index.get_loc("XH120205-01")  # the aerospace centre
    early_face = collection(early, "parcels").get_facecolor()[centre]
    late_face = collection(late, "parcels").get_facecolor()[centre]
    assert np.allclose(early_face, to_rgba(STAGE_COLOURS["under_construction"]))
    assert np.allclose(late_face, to_rgba(STAGE_COLOURS["operating"]))


def test_plot_stage_map_takes_a_series(sample_site: la.Site) -> None:
    stages = sample_site.parcels["stage"].iloc[:10]
    ax = maps.plot_stage_map(sample_site, stages, as_of="2025-12-31")
    texts = legend_texts(ax)
    assert any(t.startswith(f"no record ({len(sample_site.parcels) - 10})") for t in texts)


# -- plot_grades, plot_best_fit, plot_sites ---------------------------------------------------------


def test_plot_grades(
    sample_site: la.Site, evaluation: pd.DataFrame, draw: Callable[[Any], None]
) -> None:
    ax = maps.plot_grades(evaluation, sample_site.parcels, site=sample_site)
    assert len(collection(ax, "parcels").get_paths()) == len(sample_site.parcels)
    with_d = evaluation.loc[evaluation["grade"] == "D", "parcel_id"].nunique()
    assert len(collection(ax, "grade_D").get_paths()) == with_d
    texts = legend_texts(ax)
    assert [t[0] for t in texts[:4]] == ["A", "B", "C", "D"]
    # a parcel whose only tenant grades A is green
    tenants = evaluation.dropna(subset=["parcel_id"]).groupby("parcel_id")["grade"].agg(list)
    only_a = tenants[tenants.map(lambda g: g == ["A"])].index[0]
    face = collection(ax, "parcels").get_facecolor()[sample_site.parcels.index.get_loc(only_a)]
    assert np.allclose(face, to_rgba(GRADE_COLOURS["A"]))
    furniture(ax)
    draw(ax)


def test_plot_best_fit(sample_site: la.Site, as_of: str, draw: Callable[[Any], None]) -> None:
    from landasset.suitability import best_fit

    fit = best_fit(sample_site, ["aerospace", "ai"], as_of=as_of)
    ax = maps.plot_best_fit(fit, sample_site.parcels, site=sample_site)
    assert len(collection(ax, "parcels").get_paths()) == len(sample_site.parcels)
    conflicts = int(fit["conflict"].sum())
    if conflicts:
        assert len(collection(ax, "conflict").get_paths()) == conflicts
    texts = legend_texts(ax)
    for profile, n in fit["best"].value_counts().items():
        assert f"{profile} ({n})" in texts
    draw(ax)


def test_plot_best_fit_needs_a_best_column(sample_site: la.Site) -> None:
    with pytest.raises(KeyError, match="best_fit"):
        maps.plot_best_fit(pd.DataFrame({"x": [1]}), sample_site.parcels)


def test_plot_sites(
    sample_site: la.Site, scored: gpd.GeoDataFrame, draw: Callable[[Any], None]
) -> None:
    from landasset.suitability import assemble

    candidates = assemble(scored, demand_mu=100, limit=4)
    ax = maps.plot_sites(candidates, scored, site=sample_site, top_k=3)
    assert len(collection(ax, "candidates").get_paths()) == min(3, len(candidates))
    texts = legend_texts(ax)
    first = candidates.iloc[0]
    assert (
        texts[0]
        == f"#1, {first['area_mu']:,.1f} mu, score {first['score']:.3f}, {first['n_parcels']} parcels"
    )
    assert [t.get_text() for t in ax.texts if t.get_text().startswith("#")] == ["#1", "#2", "#3"]
    draw(ax)


# -- Chinese text ------------------------------------------------------------------------------------


def test_labels_follow_the_font(
    fonts: str, sample_site: la.Site, as_of: str, draw: Callable[[Any], None]
) -> None:
    ax = maps.plot_stage_map(sample_site, sample_site.parcels["stage"], as_of=as_of)
    maps.plot_site(sample_site, as_of=as_of)
    text = " ".join([*legend_texts(ax), ax.get_title()])
    if fonts == "cjk":
        assert "运营" in text
    else:
        assert not _fonts.has_cjk_text(text)
        assert "operating" in text
    draw(ax)  # no "Glyph missing" warning either way (warnings are errors)


def test_no_cjk_station_labels_fall_back_to_ids(
    monkeypatch: pytest.MonkeyPatch, sample_site: la.Site, draw: Callable[[Any], None]
) -> None:
    monkeypatch.setattr(_fonts, "cjk_font", lambda: None)
    ax = maps.plot_site(sample_site, as_of="2025-12-31")
    labels = {t.get_text() for t in ax.texts} - {"N"}
    assert labels == set(sample_site.stations.index)
    draw(ax)


# -- optional dependency --------------------------------------------------------------------------


def test_missing_matplotlib_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, scored: gpd.GeoDataFrame
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r"pip install 'landasset\[viz\]'"):
        maps.plot_scores(scored)


def test_import_landasset_loads_no_plotting_library() -> None:
    code = (
        "import sys, landasset, landasset.viz, landasset.viz.maps, landasset.viz.html_report;"
        "import landasset.viz.interactive, landasset.viz.charts;"
        "bad = [m for m in ('matplotlib', 'folium', 'branca', 'mapclassify') if m in sys.modules];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


# -- the scoring date and retired parcels -------------------------------------------------


def test_plot_scores_title_is_the_scoring_day(
    scored: gpd.GeoDataFrame, sample_site: la.Site
) -> None:
    result = scored.copy()
    result.attrs["as_of"] = pd.Timestamp("2019-07-01")
    ax = maps.plot_scores(result, site=sample_site)
    assert "as of 2019-07-01" in ax.get_title()
    # 2019: every station opens later, so all are drawn hollow
    assert "stations_open" not in gids(ax) and "stations_planned" in gids(ax)
    # an explicit date wins
    ax = maps.plot_scores(result, as_of="2025-12-31")
    assert "as of 2025-12-31" in ax.get_title()
    # no attribute, no date: every station open, as scoring counts them with no date
    result.attrs.pop("as_of")
    ax = maps.plot_scores(result, site=sample_site)
    assert "as of latest" in ax.get_title()
    assert "stations_open" in gids(ax) and "stations_planned" not in gids(ax)


def _retire(stages: pd.Series, ids: list[str]) -> pd.Series:
    out = stages.astype(str).copy()
    out[ids] = "retired"
    return out


def test_maps_leave_out_retired_parcels(
    sample_site: la.Site,
    scored: gpd.GeoDataFrame,
    evaluation: pd.DataFrame,
    draw: Callable[[Any], None],
) -> None:
    ids = list(sample_site.parcels.index[:4])
    stages = _retire(sample_site.parcels["stage"], ids)
    n = len(sample_site.parcels)

    def drawn(ax: Any, *gid_names: str) -> int:
        return sum(len(c.get_paths()) for c in ax.collections if c.get_gid() in gid_names)

    def says_so(ax: Any) -> None:
        assert any("4 retired parcels (split or merged) not shown" in t for t in legend_texts(ax))

    ax = maps.plot_scores(scored, stages=stages, as_of="2025-12-31")
    assert drawn(ax, "parcels", "excluded", "no_data") == n - 4
    says_so(ax)
    ax = maps.plot_site(sample_site, stages=stages, as_of="2025-12-31", amenities=False)
    assert drawn(ax, "parcels") == n - 4
    says_so(ax)
    draw(ax)
    ax = maps.plot_stage_map(sample_site, stages, as_of="2025-12-31")
    assert drawn(ax, "parcels") == n - 4
    assert not any(t.startswith("retired") for t in legend_texts(ax))
    says_so(ax)
    ax = maps.plot_grades(evaluation, sample_site.parcels, stages=stages)
    assert drawn(ax, "parcels") == n - 4
    says_so(ax)
    frame = pd.DataFrame({"best": "ai", "conflict": False}, index=sample_site.parcels.index)
    ax = maps.plot_best_fit(frame, sample_site.parcels, stages=stages)
    assert drawn(ax, "parcels") == n - 4
    says_so(ax)
    # without stages nothing is left out and nothing is said
    ax = maps.plot_scores(scored, as_of="2025-12-31")
    assert drawn(ax, "parcels", "excluded", "no_data") == n
    assert not any("retired" in t for t in legend_texts(ax))


def test_stage_map_from_a_ledger_leaves_out_split_parents(
    sample_site: la.Site, tmp_path: Any
) -> None:
    from landasset.lifecycle import Ledger

    parcels = sample_site.parcels.index[:3]
    with Ledger.open(tmp_path / "l.sqlite") as book:
        for pid in parcels:
            book.record(pid, "operating", "2020-01-01", actor="t")
        book.split(parcels[0], {"A-1": None, "A-2": None}, "2024-01-01", actor="t")
        ax = maps.plot_stage_map(sample_site, book, as_of="2025-06-30")
        assert any("1 retired parcel (split or merged) not shown" in t for t in legend_texts(ax))
        assert sum(len(c.get_paths()) for c in ax.collections if c.get_gid() == "parcels") == (
            len(sample_site.parcels) - 1
        )
        # before the split the parent is drawn
        ax = maps.plot_stage_map(sample_site, book, as_of="2023-06-30")
        assert not any("retired" in t for t in legend_texts(ax))


def test_station_names_are_drawn_as_text(sample_site: la.Site, draw: Callable[[Any], None]) -> None:
    stations = sample_site.stations.copy()
    stations["name"] = ["a $x^2$ b", "$", "$$", "{\\frac}", "plain", "x" * 300]
    site = sample_site.replace(stations=stations)
    ax = maps.plot_site(site, as_of="2025-12-31")
    draw(ax)  # mathtext would fail or render differently
    labels = {t.get_text() for t in ax.texts if t.get_gid() != "north_arrow"}
    assert "a \\$x^2\\$ b" in labels and "\\$\\$" in labels
    assert max(len(t) for t in labels) == 40
