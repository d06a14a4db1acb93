"""Incoming projects (地等项目): their demand, read from reviewable YAML files, and the
floor space available to them.

* :class:`Project` and :class:`Commitments` — an incoming project's demand for land
  or floor space and what it commits to, with :func:`load_project` for the bundled
  samples (:func:`list_projects`) or any file;
* :func:`available_spaces` — which units of the ``spaces`` layer are free on a day.

The package sits above suitability (a project's ``industry`` names a suitability
profile); it never imports lifecycle or efficiency.
"""

from __future__ import annotations

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
    "FORMAT_VERSION",
    "POLLUTION_CLASSES",
    "Commitments",
    "Project",
    "available_spaces",
    "list_projects",
    "load_project",
]
