"""OGC API – Processes for a site: score, explain, per-mu evaluation (and match).

Each process is a pygeoapi ``BaseProcessor`` that calls the library on the served site,
so an HTTP client gets what a Python caller gets:

* ``score`` — :meth:`landasset.SuitabilityModel.score` with a bundled profile on an
  ``as_of`` day (stages from the site's ledger on that day): the parcels by rank;
* ``explain`` — :meth:`landasset.SuitabilityModel.explain` for one parcel;
* ``evaluate`` — :func:`landasset.efficiency.evaluate` (per-mu grades 亩均效益) for a
  ``year`` and a bundled ``scheme``;
* ``match`` — present only when the library has ``landasset.match`` (the project
  matching feature); otherwise the service lists no such process.

The server's process manager runs them synchronously: ``POST
/processes/{id}/execution`` with ``{"inputs": {...}}`` answers with the outputs.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pandas as pd
from pygeoapi.process.base import BaseProcessor, ProcessorExecuteError

from landasset.serve._json import records
from landasset.serve._site import open_ledger, site_for

if TYPE_CHECKING:  # pragma: no cover - typing only
    import geopandas as gpd

__all__ = [
    "EvaluateProcessor",
    "ExplainProcessor",
    "MatchProcessor",
    "ScoreProcessor",
    "score_parcels",
]

_DAY = {"type": "string", "format": "date"}


def _metadata(process_id: str, title: str, description: str, inputs: dict[str, Any]) -> dict:
    return {
        "version": "1.0.0",
        "id": process_id,
        "title": {"en": title},
        "description": {"en": description},
        "jobControlOptions": ["sync-execute"],
        "keywords": ["landasset", process_id],
        "links": [],
        "inputs": inputs,
        "outputs": {
            "result": {
                "title": "Result",
                "description": "The result as JSON",
                "schema": {"type": "object", "contentMediaType": "application/json"},
            }
        },
    }


def _input(title: str, schema: dict[str, Any], *, required: bool) -> dict[str, Any]:
    return {
        "title": title,
        "description": title,
        "schema": schema,
        "minOccurs": 1 if required else 0,
        "maxOccurs": 1,
    }


def _profiles() -> list[str]:
    from landasset.suitability import list_profiles

    return list(list_profiles())


def _day(value: Any, what: str) -> pd.Timestamp | None:
    from landasset._dates import to_day_or_none

    try:
        return to_day_or_none(value, what=what)
    except ValueError as exc:
        raise ProcessorExecuteError(user_msg=str(exc)) from exc


def _required(data: dict[str, Any], key: str, hint: str) -> Any:
    value = data.get(key)
    if value in (None, ""):
        raise ProcessorExecuteError(user_msg=f"input {key!r} is missing; {hint}")
    return value


_SCORES: dict[tuple[str, str, str, int], gpd.GeoDataFrame] = {}
_SCORES_LOCK = threading.Lock()
_SCORES_KEPT = 16


def score_parcels(path: str, profile: str, as_of: pd.Timestamp | None) -> gpd.GeoDataFrame:
    """The site's parcels scored by a bundled profile on ``as_of`` (stages from its ledger).

    Results are kept per (site, profile, day, number of ledger events): the ledger only
    grows, so a new event makes the next call score again.

    Examples
    --------
    >>> from landasset.sample import sample_path
    >>> result = score_parcels(str(sample_path("yunqi")), "aerospace", pd.Timestamp("2025-12-31"))
    >>> result["rank"].idxmin()
    'XH120507-02'
    """
    from landasset.suitability import load_profile

    if profile not in _profiles():
        raise ProcessorExecuteError(
            user_msg=f"{profile!r} is not a bundled profile; use one of {_profiles()}"
        )
    site = site_for(path)
    ledger = open_ledger(path, read_only=True)
    try:
        version = 0 if ledger is None else len(ledger)
        key = (path, profile, "" if as_of is None else str(as_of.date()), version)
        with _SCORES_LOCK:
            if key in _SCORES:
                return _SCORES[key]
        try:
            result = load_profile(profile).score(site, as_of=as_of, stages=ledger)
        except ValueError as exc:
            raise ProcessorExecuteError(user_msg=str(exc)) from exc
    finally:
        if ledger is not None:
            ledger.close()
    with _SCORES_LOCK:
        if len(_SCORES) >= _SCORES_KEPT:
            _SCORES.pop(next(iter(_SCORES)))
        _SCORES[key] = result
    return result


class _SiteProcessor(BaseProcessor):
    def __init__(self, processor_def: dict[str, Any]) -> None:
        super().__init__(processor_def, self.metadata_for())
        self.path = str(processor_def["site"])

    @classmethod
    def metadata_for(cls) -> dict[str, Any]:
        """The process description (inputs, outputs) pygeoapi lists."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__}> {self.path}"


class ScoreProcessor(_SiteProcessor):
    """``score``: the parcels ranked by a bundled profile on a day.

    Inputs ``profile`` (a bundled profile name), ``as_of`` (YYYY-MM-DD, optional) and
    ``top`` (how many ranked parcels to return, optional: all). Output: ``profile``,
    ``as_of``, ``ranked`` (the number of ranked parcels) and ``parcels``, each with
    ``parcel_id``, ``rank``, ``score``, ``eligible`` and ``excluded_by``, best first.
    """

    @classmethod
    def metadata_for(cls) -> dict[str, Any]:
        return _metadata(
            "score",
            "Score parcels for an industry profile",
            "Suitability of every parcel for a bundled industry profile, on a day",
            {
                "profile": _input(
                    "Bundled profile", {"type": "string", "enum": _profiles()}, required=True
                ),
                "as_of": _input("The day of the scoring", _DAY, required=False),
                "top": _input(
                    "How many of the best parcels",
                    {"type": "integer", "minimum": 1},
                    required=False,
                ),
            },
        )

    def execute(self, data: dict[str, Any], outputs: Any = None) -> tuple[str, dict[str, Any]]:
        """Score the site (see the class)."""
        profile = str(_required(data, "profile", f"name one of {_profiles()}"))
        as_of = _day(data.get("as_of"), "as_of")
        result = score_parcels(self.path, profile, as_of)
        ranked = result[result["rank"].notna()].sort_values(
            ["rank", "score"], ascending=[True, False]
        )
        unranked = result[result["rank"].isna()]
        table = pd.concat([ranked, unranked])
        top = data.get("top")
        if top is not None:
            if not isinstance(top, int) or isinstance(top, bool) or top < 1:
                raise ProcessorExecuteError(
                    user_msg=f"'top' is a whole number above 0, not {top!r}"
                )
            table = table.head(top)
        columns = ["rank", "score", "eligible", "excluded_by"]
        rows = (
            table[columns].reset_index().rename(columns={table.index.name or "index": "parcel_id"})
        )
        return "application/json", {
            "profile": profile,
            "as_of": None if as_of is None else str(as_of.date()),
            "ranked": len(ranked),
            "parcels": records(rows),
        }


class ExplainProcessor(_SiteProcessor):
    """``explain``: how one parcel's score is made, one row per criterion.

    Inputs ``parcel_id``, ``profile`` and ``as_of`` (optional). Output: the parcel's
    ``score``, ``rank``, ``eligible``, ``excluded_by`` and ``criteria`` (criterion,
    measure, raw, value, weight, contribution, share, criterion_rank, transform).
    """

    @classmethod
    def metadata_for(cls) -> dict[str, Any]:
        return _metadata(
            "explain",
            "Explain a parcel's score",
            "The criteria behind one parcel's suitability score",
            {
                "parcel_id": _input("The parcel", {"type": "string"}, required=True),
                "profile": _input(
                    "Bundled profile", {"type": "string", "enum": _profiles()}, required=True
                ),
                "as_of": _input("The day of the scoring", _DAY, required=False),
            },
        )

    def execute(self, data: dict[str, Any], outputs: Any = None) -> tuple[str, dict[str, Any]]:
        """Explain one parcel's score (see the class)."""
        from landasset.suitability import load_profile

        parcel_id = str(_required(data, "parcel_id", "name a parcel of the site"))
        profile = str(_required(data, "profile", f"name one of {_profiles()}"))
        as_of = _day(data.get("as_of"), "as_of")
        result = score_parcels(self.path, profile, as_of)
        try:
            table = load_profile(profile).explain(result, parcel_id)
        except (KeyError, ValueError) as exc:
            raise ProcessorExecuteError(user_msg=str(exc).strip("'\"")) from exc
        criteria = table.reset_index().rename(columns={table.index.name or "index": "criterion"})
        attrs = {k: table.attrs.get(k) for k in ("score", "rank", "eligible", "excluded_by")}
        plain = records(pd.DataFrame([attrs]))[0]
        return "application/json", {
            "parcel_id": parcel_id,
            "profile": profile,
            "as_of": None if as_of is None else str(as_of.date()),
            **plain,
            "criteria": records(criteria),
        }


class EvaluateProcessor(_SiteProcessor):
    """``evaluate``: per-mu efficiency grades (亩均效益) of the site's enterprises.

    Inputs ``year`` and ``scheme`` (a bundled scheme, default ``zhejiang-2018``).
    Output: ``scheme``, ``year``, ``grades`` (count per grade) and ``enterprises``
    (enterprise_id, parcel_id, score, rank, grade, reasons).
    """

    @classmethod
    def metadata_for(cls) -> dict[str, Any]:
        from landasset.efficiency import list_schemes

        return _metadata(
            "evaluate",
            "Per-mu efficiency evaluation (亩均效益)",
            "Grade every enterprise of the site by a bundled per-mu scheme for a year",
            {
                "year": _input("The year evaluated", {"type": "integer"}, required=True),
                "scheme": _input(
                    "Bundled scheme",
                    {"type": "string", "enum": list(list_schemes()), "default": "zhejiang-2018"},
                    required=False,
                ),
            },
        )

    def execute(self, data: dict[str, Any], outputs: Any = None) -> tuple[str, dict[str, Any]]:
        """Grade the enterprises (see the class)."""
        from landasset.efficiency import evaluate, list_schemes

        year = _required(data, "year", "give the year evaluated, e.g. 2025")
        if not isinstance(year, int) or isinstance(year, bool):
            raise ProcessorExecuteError(user_msg=f"'year' is a whole number, not {year!r}")
        scheme = str(data.get("scheme") or "zhejiang-2018")
        if scheme not in list_schemes():
            raise ProcessorExecuteError(
                user_msg=f"{scheme!r} is not a bundled scheme; use one of {list(list_schemes())}"
            )
        site = site_for(self.path)
        if "enterprises" not in site.layers or not len(site.enterprises):
            raise ProcessorExecuteError(user_msg="the site has no enterprises to evaluate")
        buildings = site.buildings if "buildings" in site.layers else None
        try:
            graded = evaluate(
                site.enterprises, site.parcels, year=year, scheme=scheme, buildings=buildings
            )
        except ValueError as exc:
            raise ProcessorExecuteError(user_msg=str(exc)) from exc
        columns = ["parcel_id", "score", "rank", "grade", "reasons"]
        table = graded[columns].reset_index()
        counts = graded["grade"].value_counts().sort_index()
        return "application/json", {
            "scheme": scheme,
            "year": year,
            "grades": {str(k): int(v) for k, v in counts.items()},
            "enterprises": records(table),
        }


class MatchProcessor(_SiteProcessor):
    """``match``: candidates for a project (only where the library has project matching).

    Inputs ``project`` (a bundled project's name, or the project's YAML text; never a
    path on the server), ``as_of`` (YYYY-MM-DD) and ``limit`` (optional, default 20).
    Output: ``as_of``, ``offered`` (what was considered) and ``candidates``, best first
    (the library's columns, geometry left out).
    """

    @classmethod
    def metadata_for(cls) -> dict[str, Any]:
        return _metadata(
            "match",
            "Match a project to land and space",
            "Ranked candidate parcels, assemblies and spaces for a project's demand",
            {
                "project": _input(
                    "A bundled project's name, or the project's YAML text",
                    {"type": "string"},
                    required=True,
                ),
                "as_of": _input("The day of the match", _DAY, required=True),
                "limit": _input(
                    "How many candidates", {"type": "integer", "minimum": 1}, required=False
                ),
            },
        )

    def execute(self, data: dict[str, Any], outputs: Any = None) -> tuple[str, dict[str, Any]]:
        """Match a project (see the class)."""
        from landasset.serve.config import matching

        projects = matching()
        if projects is None:  # pragma: no cover - the process is not offered then
            raise ProcessorExecuteError(user_msg="this installation has no project matching")
        given = str(_required(data, "project", "give a bundled project's name or its YAML text"))
        as_of = _day(_required(data, "as_of", "give the day of the match (YYYY-MM-DD)"), "as_of")
        limit = data.get("limit", 20)
        try:
            if "\n" in given:
                project = projects.Project.from_yaml(given)
            elif given in projects.list_projects():
                project = projects.load_project(given)
            else:
                raise ProcessorExecuteError(
                    user_msg=f"{given!r} is not a bundled project ({list(projects.list_projects())}) "
                    "nor a project's YAML text"
                )
            site = site_for(self.path)
            ledger = open_ledger(self.path, read_only=True)
            try:
                result = projects.match(project, site, as_of=as_of, stages=ledger, limit=limit)
            finally:
                if ledger is not None:
                    ledger.close()
        except (ValueError, TypeError, KeyError) as exc:
            raise ProcessorExecuteError(user_msg=str(exc).strip("'\"")) from exc
        candidates = pd.DataFrame(result.candidates).drop(columns="geometry", errors="ignore")
        return "application/json", {
            "as_of": None if as_of is None else str(as_of.date()),
            "offered": {str(k): int(v) for k, v in dict(result.offered).items()},
            "candidates": records(candidates.reset_index()),
        }
