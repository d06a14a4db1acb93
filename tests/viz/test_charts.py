"""Charts on the sample district (Agg backend)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

import landasset as la
from landasset.viz import charts


def legend_texts(ax: Any) -> list[str]:
    legend = ax.get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


# -- plot_explain -------------------------------------------------------------------------------


def test_plot_explain_bars_are_weights_and_contributions(
    aerospace: Any, scored: gpd.GeoDataFrame, draw: Callable[[Any], None]
) -> None:
    best = scored["rank"].idxmin()
    ax = charts.plot_explain(aerospace, scored, best)
    n = len(aerospace.criteria)
    assert len(ax.patches) == 2 * n
    weights = [p.get_width() for p in ax.containers[0]]
    contributions = [p.get_width() for p in ax.containers[1]]
    assert np.allclose(weights, aerospace.criterion_weights.to_numpy())
    expected = scored.loc[best, [f"c_{c}" for c in aerospace.names]].to_numpy(dtype=float)
    assert np.allclose(contributions, expected)
    assert sum(contributions) == pytest.approx(float(scored.loc[best, "score"]))
    assert ax.get_title() == f"{best}: score {scored.loc[best, 'score']:.3f}, rank 1"
    assert [t.get_text() for t in ax.get_yticklabels()] == aerospace.names
    assert len(legend_texts(ax)) == 2
    draw(ax)


def test_plot_explain_excluded_parcel_names_the_rule(
    aerospace: Any, scored: gpd.GeoDataFrame
) -> None:
    excluded = scored.index[~scored["eligible"].astype(bool)][0]
    ax = charts.plot_explain(aerospace, scored, excluded)
    assert "excluded by" in ax.get_title()


# -- plot_sensitivity --------------------------------------------------------------------------------


def test_plot_sensitivity_shows_the_top_parcels(
    aerospace: Any, sample_site: la.Site, as_of: str, draw: Callable[[Any], None]
) -> None:
    from landasset.suitability import sensitivity

    result = sensitivity(aerospace, sample_site, n=40, top_k=5, as_of=as_of)
    ax = charts.plot_sensitivity(result, top_k=8)
    table = result.parcels.sort_values("rank").head(8)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table.index)
    ranges = next(c for c in ax.collections if c.get_gid() == "rank_range")
    segments = ranges.get_segments()
    assert len(segments) == 8
    assert [s[0][0] for s in segments] == table["rank_best"].tolist()
    assert [s[1][0] for s in segments] == table["rank_worst"].tolist()
    means = next(c for c in ax.collections if c.get_gid() == "mean_rank")
    assert np.allclose(means.get_offsets()[:, 0], table["mean_rank"])
    assert np.allclose(means.get_array(), table["p_top_k"])
    assert len(legend_texts(ax)) == 3
    draw(ax)


def test_plot_sensitivity_from_a_plain_table() -> None:
    frame = pd.DataFrame(
        {"mean_rank": [2.5, 1.2, 3.1], "rank_std": [1.0, 0.5, 0.5], "p_top_k": [0.8, 1.0, 0.6]},
        index=["B", "A", "C"],
    )
    ax = charts.plot_sensitivity(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C"]
    segments = next(c for c in ax.collections if c.get_gid() == "rank_range").get_segments()
    assert [(s[0][0], s[1][0]) for s in segments] == [(0.7, 1.7), (1.5, 3.5), (2.6, 3.6)]


def test_plot_sensitivity_rejects_other_objects() -> None:
    with pytest.raises(TypeError, match="sensitivity"):
        charts.plot_sensitivity(object())


# -- plot_pipeline --------------------------------------------------------------------------------------


def test_pipeline_frame_matches_the_ledger_kpi(sample_site: la.Site, ledger: Any) -> None:
    from landasset.lifecycle import pipeline

    table = charts.pipeline_frame(
        ledger, sample_site, start="2024-01-01", end="2025-12-31", freq="QS"
    )
    assert len(table) == 8
    kpi = pipeline(ledger, sample_site, as_of="2025-10-01")
    for stage in table.columns:
        assert table.loc["2025-10-01", stage] == pytest.approx(kpi.loc[stage, "area_mu"])


def test_plot_pipeline_stacks_the_stages(
    sample_site: la.Site, ledger: Any, draw: Callable[[Any], None]
) -> None:
    ax = charts.plot_pipeline(ledger, sample_site, start="2023-01-01", end="2025-12-31")
    table = charts.pipeline_frame(ledger, sample_site, start="2023-01-01", end="2025-12-31")
    shown = [s for s in table.columns if s not in ("operating", "retired") and table[s].gt(0).any()]
    assert [c.get_gid() for c in ax.collections] == [f"stage_{s}" for s in shown]
    assert len(legend_texts(ax)) == len(shown)
    # the top of the stack on the last date is the land in all the shown stages
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(table[shown].sum(axis=1).max())
    draw(ax)


def test_plot_pipeline_with_chosen_stages(sample_site: la.Site, ledger: Any) -> None:
    ax = charts.plot_pipeline(
        ledger, sample_site, start="2025-01-01", end="2025-12-31", stages=["reserved", "operating"]
    )
    assert [c.get_gid() for c in ax.collections] == ["stage_reserved", "stage_operating"]


def test_plot_pipeline_empty_range_is_an_error(sample_site: la.Site, ledger: Any) -> None:
    with pytest.raises(ValueError, match="widen the range"):
        charts.plot_pipeline(ledger, sample_site, start="2025-02-01", end="2025-02-15")


@pytest.mark.parametrize(
    ("freq", "message"),
    [
        (
            "quarterly",
            r"'quarterly' is not a pandas frequency; use an offset alias such as 'QS' \(quarter starts\), 'MS' \(month starts\) or 'YS' \(year starts\)",
        ),
        ("Q", r"'Q' is not a pandas frequency.*'QS'.*pandas said: .*'QE'"),
        (3, r"3 is not a pandas frequency; use an offset alias such as 'QS'"),
        ("-1QS", r"freq='-1QS' does not step forward in time; use an offset alias such as 'QS'"),
        ("0MS", r"freq='0MS' does not step forward.*'MS' \(month starts\)"),
        (None, r"freq=None does not step forward"),
    ],
)
def test_plot_pipeline_names_a_bad_frequency(sample_site: la.Site, freq: Any, message: str) -> None:
    stages = sample_site.parcels["stage"]
    for call in (charts.plot_pipeline, charts.pipeline_frame):
        with pytest.raises(la.LandassetValueError, match=message) as caught:
            call(stages, sample_site, start="2025-01-01", end="2025-12-31", freq=freq)
        assert isinstance(caught.value, ValueError)


def test_plot_pipeline_takes_other_frequencies(sample_site: la.Site) -> None:
    stages = sample_site.parcels["stage"]
    months = charts.pipeline_frame(
        stages, sample_site, start="2025-01-01", end="2025-12-31", freq="MS"
    )
    assert len(months) == 12
    ax = charts.plot_pipeline(stages, sample_site, start="2023-01-01", end="2025-12-31", freq="YS")
    _low, high = ax.get_xlim()
    assert mdates.num2date(high).year == 2026  # three years plus the closing step


def test_plot_pipeline_checks_the_stages(sample_site: la.Site, ledger: Any) -> None:
    with pytest.raises(
        la.LandassetValueError,
        match=r"'reserve' in stages is not a lifecycle stage; use one of: 'planned', .*'reserved'",
    ):
        charts.plot_pipeline(
            ledger, sample_site, start="2025-01-01", end="2025-12-31", stages=["reserve"]
        )
    ax = charts.plot_pipeline(
        ledger, sample_site, start="2025-01-01", end="2025-12-31", stages="reserved"
    )
    assert [c.get_gid() for c in ax.collections] == ["stage_reserved"]


# -- plot_timeline ----------------------------------------------------------------------------------------


def test_plot_timeline_draws_each_stay(ledger: Any, draw: Callable[[Any], None]) -> None:
    ids = ["XH120205-01", "XH120304-01", "XH120101-08"]
    ax = charts.plot_timeline(ledger, ids, end="2025-12-31")
    timeline = ledger.timeline()
    stays = timeline[timeline["parcel_id"].isin(ids)]
    bars = {c.get_gid(): len(c.get_paths()) for c in ax.collections}
    expected = stays["stage"].astype(str).value_counts()
    assert bars == {f"stage_{s}": n for s, n in expected.items()}
    assert [t.get_text() for t in ax.get_yticklabels()] == ids
    # the aerospace centre's construction bar spans start → acceptance and filing
    row = stays[
        (stays["parcel_id"] == "XH120205-01") & (stays["stage"] == "under_construction")
    ].iloc[0]
    box = next(c for c in ax.collections if c.get_gid() == "stage_under_construction").get_paths()[
        0
    ]
    xs = box.vertices[:, 0]
    assert xs.min() == pytest.approx(mdates.date2num(row["valid_from"]))
    assert xs.max() == pytest.approx(mdates.date2num(row["valid_to"]))
    assert len(legend_texts(ax)) == len(expected)
    draw(ax)


def test_plot_timeline_unknown_parcel(ledger: Any) -> None:
    with pytest.raises(KeyError, match="no lifecycle events for \\['NOPE'\\]"):
        charts.plot_timeline(ledger, ["XH120205-01", "NOPE"])
