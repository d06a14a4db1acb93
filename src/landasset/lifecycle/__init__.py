"""Parcel lifecycle: stages, an append-only ledger in the GeoPackage, KPIs.

A parcel moves through reserve → develop → operate (储备—开发—运营). The
:class:`Ledger` records each move as an event in the site's GeoPackage, checks it
against the one table of allowed moves (:data:`TRANSITIONS`), answers "what stage
was every parcel in on this date", keeps the lineage of splits and merges and feeds
the KPIs (:func:`pipeline`, :func:`durations`, :func:`idle_land`,
:func:`low_efficiency`, :func:`late_against_contract`, :func:`terms_expiring`,
:func:`contract_compliance`). Policy figures (idle-land fee and repossession, permit
and filing windows, land-use terms, supply modes, the investment minimum table) are
parameters of :class:`Policy`.

Examples
--------
>>> import tempfile, pathlib
>>> import landasset as la
>>> from landasset.lifecycle import Ledger, sample_events, pipeline
>>> site = la.sample.load("yunqi")
>>> tmp = tempfile.TemporaryDirectory()
>>> with Ledger.open(pathlib.Path(tmp.name) / "yunqi-ledger.gpkg") as ledger:
...     _ = ledger.record_many(sample_events(site))
...     table = pipeline(ledger, site, as_of="2025-12-31")
>>> int(table.loc["operating", "parcels"]), int(table.loc["unrecorded", "parcels"])
(277, 0)
>>> tmp.cleanup()
"""

from typing import TYPE_CHECKING

from landasset._lazy import attach
from landasset.lifecycle.contracts import (
    COMMITMENTS,
    COMPLIANCE_STATUSES,
    PENALTY_BASES,
    contract_compliance,
)
from landasset.lifecycle.database import copy_ledger, grant_role, init_database
from landasset.lifecycle.files import has_ledger, read_events_csv
from landasset.lifecycle.kpi import (
    LOW_EFFICIENCY,
    duration_summary,
    durations,
    idle_land,
    late_against_contract,
    low_efficiency,
    pipeline,
    terms_expiring,
)
from landasset.lifecycle.ledger import EVENTS_TABLE, LINEAGE_TABLE, Event, Ledger
from landasset.lifecycle.policy import (
    DEFAULT_LOW_EFFICIENCY_STAGES,
    DEFAULT_SUPPLY_MODES,
    DEFAULT_TERM_YEARS,
    Policy,
)
from landasset.lifecycle.schedule import (
    BASES,
    DEFAULT_DURATIONS,
    MILESTONES,
    expected_delivery,
    forward_schedule,
)
from landasset.lifecycle.source import StageSource, stages_on
from landasset.lifecycle.stages import (
    FIELDS,
    IN_STAGE_EVENTS,
    MODES,
    PHASES,
    TRANSITIONS,
    FieldSpec,
    Stage,
    Transition,
    allowed_next,
    required_fields,
    transitions_frame,
    transitions_markdown,
)

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from landasset._samplegen.history import SAMPLE_AS_OF, sample_events

__all__ = [
    "BASES",
    "COMMITMENTS",
    "COMPLIANCE_STATUSES",
    "DEFAULT_DURATIONS",
    "DEFAULT_LOW_EFFICIENCY_STAGES",
    "DEFAULT_SUPPLY_MODES",
    "DEFAULT_TERM_YEARS",
    "EVENTS_TABLE",
    "FIELDS",
    "IN_STAGE_EVENTS",
    "LINEAGE_TABLE",
    "LOW_EFFICIENCY",
    "MILESTONES",
    "MODES",
    "PENALTY_BASES",
    "PHASES",
    "SAMPLE_AS_OF",
    "TRANSITIONS",
    "Event",
    "FieldSpec",
    "Ledger",
    "Policy",
    "Stage",
    "StageSource",
    "Transition",
    "allowed_next",
    "contract_compliance",
    "copy_ledger",
    "duration_summary",
    "durations",
    "expected_delivery",
    "forward_schedule",
    "grant_role",
    "has_ledger",
    "idle_land",
    "init_database",
    "late_against_contract",
    "low_efficiency",
    "pipeline",
    "read_events_csv",
    "required_fields",
    "sample_events",
    "stages_on",
    "terms_expiring",
    "transitions_frame",
    "transitions_markdown",
]

# The history generator of the sample district loads on first use.
__getattr__, __dir__ = attach(
    __name__,
    {
        "SAMPLE_AS_OF": "landasset._samplegen.history",
        "sample_events": "landasset._samplegen.history",
    },
)
