"""Incoming projects (地等项目): their demand, read from reviewable YAML files, and the
floor space available to them.

* :class:`Project` and :class:`Commitments` — an incoming project's demand for land
  or floor space and what it commits to, with :func:`load_project` for the bundled
  samples (:func:`list_projects`) or any file;
* :func:`available_spaces` — which units of the ``spaces`` layer are free on a day;
* :func:`match` — a project's whole demand matched to parcels, assemblies of parcels
  and vacant floor space, as a ranked :class:`MatchResult`.

The package sits above suitability, lifecycle and the fiscal appraisal: a project's
``industry`` names a suitability profile, and the match reads the stages, the
schedule and the appraisal.
"""

from __future__ import annotations

from landasset.projects.matching import (
    CANDIDATE_KINDS,
    CONDITIONS,
    RESERVE_STAGES,
    CandidateExplanation,
    MatchResult,
    match,
)
from landasset.projects.project import (
    FORMAT_VERSION,
    POLLUTION_CLASSES,
    Commitments,
    Project,
    list_projects,
    load_project,
)
from landasset.projects.spaces import available_spaces

__all__ = [
    "CANDIDATE_KINDS",
    "CONDITIONS",
    "FORMAT_VERSION",
    "POLLUTION_CLASSES",
    "RESERVE_STAGES",
    "CandidateExplanation",
    "Commitments",
    "MatchResult",
    "Project",
    "available_spaces",
    "list_projects",
    "load_project",
    "match",
]
