"""Stages, the transition table and the policy parameters."""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from pathlib import Path

import pytest

from landasset import LandassetValueError, TransitionError
from landasset.lifecycle import (
    FIELDS,
    MODES,
    TRANSITIONS,
    Policy,
    Stage,
    allowed_next,
    required_fields,
    transitions_frame,
    transitions_markdown,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lifecycle.md"


def reachable(start: Stage) -> set[Stage]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in allowed_next(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_eleven_stages_in_design_order_with_labels() -> None:
    assert [s.value for s in Stage] == [
        "planned", "acquiring", "reserved", "supply_ready", "supplied", "permitted",
        "under_construction", "completed", "operating", "renewal", "retired",
    ]  # fmt: skip
    assert Stage.planned.label_zh == "储备计划"
    assert Stage.acquiring.label_zh == "收储"
    assert Stage.reserved.label_zh == "入库储备"
    assert Stage.supply_ready.label_zh == "具备供地条件"
    assert Stage.completed.label_zh == "竣工备案"
    assert Stage.renewal.label_zh.startswith("更新改造")
    assert all(s.label and s.label_zh for s in Stage)
    assert Stage.operating == "operating" and str(Stage.operating) == "operating"


def test_parse_lists_the_stages() -> None:
    with pytest.raises(
        TransitionError, match=r"'built' is not a lifecycle stage; use one of: 'planned'"
    ):
        Stage.parse("built")


def test_every_stage_reachable_from_planned_and_retired_final() -> None:
    assert reachable(Stage.planned) == set(Stage)
    assert allowed_next(Stage.retired) == ()
    for s in Stage:
        if s is not Stage.retired:
            assert Stage.retired in allowed_next(s)


def test_renewal_loops_of_the_design() -> None:
    after = set(allowed_next(Stage.renewal))
    assert {Stage.permitted, Stage.under_construction, Stage.reserved, Stage.retired} <= after
    assert Stage.renewal in allowed_next(Stage.operating)
    # renewal leads back round the chain
    assert Stage.operating in reachable(Stage.renewal)


def test_first_events_may_be_any_stage() -> None:
    assert set(allowed_next(None)) == set(Stage)


@pytest.mark.parametrize(
    ("target", "fields"),
    [
        ("supply_ready", {"land_use", "far_max"}),
        ("supplied", {"contract_id", "mode", "price_10k_cny", "agreed_start", "agreed_completion"}),
        ("under_construction", {"started_on"}),
        ("completed", {"accepted_on", "filed_on"}),
    ],
)
def test_required_fields_of_the_issue_on_every_way_in(target: str, fields: set[str]) -> None:
    ways_in = [t for t in TRANSITIONS if t.target == target]
    assert ways_in
    for t in ways_in:
        assert fields <= set(t.required), t


def test_one_row_per_move_and_fields_known() -> None:
    keys = [(t.source, t.target) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    for t in TRANSITIONS:
        assert set(t.required) <= set(FIELDS), t


def test_modes() -> None:
    assert set(MODES) == {"auction", "tender", "listing", "agreement", "allocation"}


def test_required_fields_error_names_the_allowed_moves() -> None:
    with pytest.raises(TransitionError) as err:
        required_fields("reserved", "operating")
    assert "cannot go from 'reserved' to 'operating'" in str(err.value)
    assert "supply_ready (needs land_use, far_max)" in str(err.value)
    with pytest.raises(TransitionError, match="'retired' is final"):
        required_fields("retired", "reserved")


def test_frame_and_markdown_render_the_table() -> None:
    frame = transitions_frame()
    assert len(frame) == len(TRANSITIONS)
    pairs = set(zip(frame.source, frame.target, strict=True))
    assert ("renewal", "reserved") in pairs and ("", "planned") in pairs
    md = transitions_markdown()
    for t in TRANSITIONS:
        if t.target is Stage.retired and t.source is not None:
            continue
        src = "*(first event)*" if t.source is None else f"`{t.source.value}`"
        assert re.search(re.escape(src) + r"[^|]*\| `" + t.target.value + "`", md), t


def test_docs_page_holds_the_generated_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert transitions_markdown() in text, (
        "docs/lifecycle.md is out of date: regenerate the table with "
        "python -c 'from landasset.lifecycle import transitions_markdown; print(transitions_markdown())'"
    )


# -- policy -----------------------------------------------------------------------------------
def test_policy_defaults_and_overrides() -> None:
    p = Policy()
    assert (p.idle_fee_after_years, p.idle_fee_rate, p.repossession_after_years) == (1, 0.2, 2)
    assert (p.permit_start_window_months, p.filing_window_days) == (3, 15)
    assert (p.term_for("M1"), p.term_for("R2"), p.term_for("B1"), p.term_for("Q9")) == (
        50,
        70,
        40,
        None,
    )
    q = Policy(idle_fee_rate=0.1, filing_window_days=30, term_years={"commercial": 30})
    assert (q.idle_fee_rate, q.filing_window_days, q.term_for("B1"), q.term_for("M1")) == (
        0.1,
        30,
        30,
        50,
    )
    with pytest.raises(AttributeError):
        p.idle_fee_rate = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"idle_fee_rate": 20},
        {"filing_window_days": -1},
        {"repossession_after_years": 0},
        {"idle_fee_after_years": 1.5},
    ],
)
def test_policy_refuses_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Policy(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"idle_fee_rate": 20},
            r"idle_fee_rate is a share of the price in \[0, 1\], not 20 \(20 % is 0.2\)",
        ),
        ({"idle_fee_rate": "0.2"}, r"idle_fee_rate is a share.*not '0.2'"),
        (
            {"filing_window_days": -1},
            "filing_window_days is a whole number ≥ 0, not -1; give an int such as 15",
        ),
        ({"idle_fee_after_years": 1.5}, "idle_fee_after_years is a whole number ≥ 0, not 1.5"),
        ({"permit_extensions": True}, "permit_extensions is a whole number ≥ 0, not True"),
        (
            {"repossession_after_years": 0},
            "must not be shorter than idle_fee_after_years \\(0 < 1\\); raise",
        ),
        (
            {"term_years": {"industry": 30}},
            "'industry' in term_years is not a land-use family; use one of: 'industrial', 'warehouse'",
        ),
        (
            {"term_years": {"industrial": -5}},
            r"term_years\['industrial'\] is a whole number of years ≥ 0, not -5",
        ),
        ({"term_years": 30}, "term_years maps land-use families to years"),
    ],
)
def test_policy_errors_are_landasset_value_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(LandassetValueError, match=message) as caught:
        Policy(**kwargs)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)


def test_policy_dates_refuse_a_non_date() -> None:
    with pytest.raises(
        LandassetValueError, match=r"'soon' is not a date; give a datetime\.date or an ISO date"
    ):
        Policy().idle_fee_date("soon")


def test_policy_dates() -> None:
    p = Policy()
    assert p.idle_fee_date("2024-02-29") == dt.date(2025, 2, 28)
    assert p.repossession_date(dt.date(2023, 9, 30)) == dt.date(2025, 9, 30)
    assert p.permit_start_deadline("2024-11-30") == dt.date(2025, 2, 28)
    assert p.permit_start_deadline("2024-01-15", extended=True) == dt.date(2024, 10, 15)
