"""The lifecycle stage identifiers, in pipeline order, without any import.

:class:`landasset.lifecycle.Stage` is the full description (labels, phases,
transitions); this tuple lets light modules — the command line's option choices,
suitability's ``{stage: [...]}`` rules — name the stages without importing the
lifecycle package. A test keeps the two equal.
"""

from __future__ import annotations

__all__ = ["STAGE_IDS"]

STAGE_IDS: tuple[str, ...] = (
    "planned",
    "acquiring",
    "reserved",
    "supply_ready",
    "supplied",
    "permitted",
    "under_construction",
    "completed",
    "operating",
    "renewal",
    "retired",
)
