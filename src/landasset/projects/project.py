"""An incoming project's demand (项目需求), read from a reviewable YAML file.

A :class:`Project` says what an incoming project needs — land in mu or floor space in
m², density and height, clear height, floor load, power, budget, the day it wants to
move in — and the commitments it offers (标准地: investment intensity, output and tax
per mu, 达产 year). It is plain, frozen data: matching it to parcels and spaces is
done elsewhere.

Examples
--------
>>> from landasset.projects import Project
>>> project = Project.from_yaml('''
... version: 1
... id: ai-office
... floor_area_m2: {min: 2500, max: 3500}
... rent_max_cny_m2_month: 80
... wanted_by: 2026-03-31
... ''')
>>> project.kind, project.floor_area_m2_max, project.wanted_by
('space', 3500.0, Timestamp('2026-03-31 00:00:00'))
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import numbers
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from landasset import _config
from landasset._dates import to_day
from landasset._errors import LandassetTypeError, LandassetValueError, ProfileError

__all__ = [
    "FORMAT_VERSION",
    "POLLUTION_CLASSES",
    "Commitments",
    "Project",
    "list_projects",
    "load_project",
]

#: The version of the project file format this release reads and writes.
FORMAT_VERSION = 1

#: The industrial land classes of GB 50137-2011 by interference and pollution, the
#: values of ``pollution_class``: ``M1`` (一类工业用地, little or none), ``M2`` (二类,
#: some), ``M3`` (三类, serious).
POLLUTION_CLASSES: tuple[str, ...] = ("M1", "M2", "M3")

# the range pairs: YAML accepts ``area_mu: {min, max}`` as well as the flat names
_RANGES = ("area_mu", "floor_area_m2", "far")
# positive numbers (float)
_POSITIVE = (
    "area_mu_min",
    "area_mu_max",
    "gfa_m2",
    "floor_area_m2_min",
    "floor_area_m2_max",
    "far_min",
    "far_max",
    "height_max_m",
    "clear_height_m",
    "floor_load_kn_m2",
    "power_kva",
    "water_t_per_day",
    "budget_10k_cny_per_mu",
    "budget_10k_cny",
    "rent_max_cny_m2_month",
)
_COMMITMENT_NUMBERS = (
    "investment_intensity_10k_cny_per_mu",
    "output_per_mu_10k_cny",
    "tax_per_mu_10k_cny",
    "energy_tce_per_10k_cny",
)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _positive(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value):
        raise LandassetTypeError(f"{name} must be a number, not {value!r}")
    number = float(value)
    if not (number > 0 and number < float("inf")):
        raise LandassetValueError(f"{name} must be a finite number above 0, not {value!r}")
    return number


def _whole(value: Any, name: str, low: int, high: int) -> int | None:
    if value is None:
        return None
    if not _is_number(value) or float(value) != int(value):
        raise LandassetTypeError(f"{name} must be a whole number, not {value!r}")
    number = int(value)
    if not low <= number <= high:
        raise LandassetValueError(f"{name} must be between {low} and {high}, not {value!r}")
    return number


@dataclass(frozen=True, kw_only=True)
class Commitments:
    """What a project commits to in its land contract (标准地 indicators).

    Attributes
    ----------
    investment_intensity_10k_cny_per_mu : float, optional
        Fixed-asset investment per mu of land (投资强度, 万元/亩).
    output_per_mu_10k_cny : float, optional
        Output (revenue) per mu at full production (亩均产值, 万元/亩).
    tax_per_mu_10k_cny : float, optional
        Tax per mu at full production (亩均税收, 万元/亩).
    energy_tce_per_10k_cny : float, optional
        Energy use per 10,000 CNY of value added (单位能耗, tce/万元).
    production_year : int, optional
        The year of full production (达产年份).

    Examples
    --------
    >>> Commitments(tax_per_mu_10k_cny=50, production_year=2029).tax_per_mu_10k_cny
    50.0
    """

    investment_intensity_10k_cny_per_mu: float | None = None
    output_per_mu_10k_cny: float | None = None
    tax_per_mu_10k_cny: float | None = None
    energy_tce_per_10k_cny: float | None = None
    production_year: int | None = None

    def __post_init__(self) -> None:
        for name in _COMMITMENT_NUMBERS:
            object.__setattr__(self, name, _positive(getattr(self, name), f"commitments.{name}"))
        object.__setattr__(
            self,
            "production_year",
            _whole(self.production_year, "commitments.production_year", 1900, 2200),
        )

    def to_dict(self) -> dict[str, Any]:
        """The commitments given, as plain data (None left out)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class Project:
    """An incoming project's demand for land or floor space, and its commitments.

    Every field but ``id`` is optional; a project gives a land demand (``area_mu_min``
    and/or ``area_mu_max``), a floor-space demand (``floor_area_m2_min`` and/or
    ``floor_area_m2_max``), or both. Numbers are positive, each ``_min`` is at most
    its ``_max``; ``wanted_by`` is read by the library's one date rule.

    Attributes
    ----------
    id : str
        The project's id.
    name : str, optional
        Its name.
    industry : str, optional
        A bundled suitability profile (:func:`landasset.list_profiles`) or the path of
        a profile file.
    area_mu_min, area_mu_max : float, optional
        Land wanted, in mu (亩).
    gfa_m2 : float, optional
        The gross floor area the project will build, m².
    floor_area_m2_min, floor_area_m2_max : float, optional
        Floor space wanted, m².
    far_min, far_max : float, optional
        Floor-area ratio (容积率) the project plans.
    height_max_m : float, optional
        Highest building it plans, m.
    clear_height_m : float, optional
        Clear height it needs (净高), m.
    floor_load_kn_m2 : float, optional
        Floor load it needs (楼面荷载), kN/m².
    power_kva : float, optional
        Power capacity it needs, kVA.
    water_t_per_day : float, optional
        Water it needs, t/day.
    pollution_class : {"M1", "M2", "M3"}, optional
        The industrial land class (:data:`POLLUTION_CLASSES`) it needs.
    budget_10k_cny_per_mu : float, optional
        The highest land price it pays, 万元/亩.
    budget_10k_cny : float, optional
        Its total budget, 万元.
    rent_max_cny_m2_month : float, optional
        The highest rent it pays, 元/㎡·月.
    wanted_by : Timestamp, optional
        The day it wants to move in (or start building) by.
    jobs : int, optional
        The jobs it brings.
    commitments : Commitments
        What it commits to in its contract (empty by default).

    Raises
    ------
    LandassetValueError
        No demand at all, a number not above zero, a ``_min`` above its ``_max``, an
        unknown pollution class or industry, or a date that is not a day.
    LandassetTypeError
        A value of the wrong type.

    Examples
    --------
    >>> plant = Project(id="p1", area_mu_min=35, area_mu_max=45, industry="aerospace")
    >>> plant.kind, plant.area_mu_max
    ('land', 45.0)
    >>> Project(id="p2")
    Traceback (most recent call last):
    ...
    landasset.LandassetValueError: project 'p2' gives no demand: give area_mu (land, in mu) or floor_area_m2 (floor space, in m²), or both
    """

    id: str
    name: str | None = None
    industry: str | None = None
    area_mu_min: float | None = None
    area_mu_max: float | None = None
    gfa_m2: float | None = None
    floor_area_m2_min: float | None = None
    floor_area_m2_max: float | None = None
    far_min: float | None = None
    far_max: float | None = None
    height_max_m: float | None = None
    clear_height_m: float | None = None
    floor_load_kn_m2: float | None = None
    power_kva: float | None = None
    water_t_per_day: float | None = None
    pollution_class: str | None = None
    budget_10k_cny_per_mu: float | None = None
    budget_10k_cny: float | None = None
    rent_max_cny_m2_month: float | None = None
    wanted_by: pd.Timestamp | None = None
    jobs: int | None = None
    commitments: Commitments = field(default_factory=Commitments)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise LandassetTypeError(f"a project's id must be a non-empty string, not {self.id!r}")
        for name in ("name", "industry"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise LandassetTypeError(f"{name} must be a non-empty string, not {value!r}")
        for name in ("id", "name"):
            value = getattr(self, name)
            if value is not None and not value.isprintable():
                bad = next(c for c in value if not c.isprintable())
                raise LandassetValueError(
                    f"a project's {name} holds the control character U+{ord(bad):04X} "
                    f"({value!r}); write it as plain text on one line"
                )
        for name in _POSITIVE:
            object.__setattr__(self, name, _positive(getattr(self, name), name))
        for pair in _RANGES:
            low, high = getattr(self, f"{pair}_min"), getattr(self, f"{pair}_max")
            if low is not None and high is not None and low > high:
                raise LandassetValueError(
                    f"{pair}: min {low:g} is above max {high:g}; give min <= max"
                )
        if self.pollution_class is not None and self.pollution_class not in POLLUTION_CLASSES:
            raise LandassetValueError(
                f"{self.pollution_class!r} is not a pollution class; use one of: "
                + ", ".join(map(repr, POLLUTION_CLASSES))
                + " (GB 50137-2011 industrial land classes)"
            )
        if self.industry is not None:
            _check_industry(self.industry)
        if self.wanted_by is not None:
            object.__setattr__(self, "wanted_by", to_day(self.wanted_by, what="wanted_by"))
        object.__setattr__(self, "jobs", _whole(self.jobs, "jobs", 0, 10_000_000))
        if not isinstance(self.commitments, Commitments):
            raise LandassetTypeError(
                f"commitments must be a Commitments, not {type(self.commitments).__name__}"
            )
        if not (self.has_land_demand or self.has_space_demand):
            raise LandassetValueError(
                f"project {self.id!r} gives no demand: give area_mu (land, in mu) or "
                "floor_area_m2 (floor space, in m²), or both"
            )

    # -- what it wants -----------------------------------------------------------------
    @property
    def has_land_demand(self) -> bool:
        """True when the project wants land (``area_mu_min`` or ``area_mu_max``)."""
        return self.area_mu_min is not None or self.area_mu_max is not None

    @property
    def has_space_demand(self) -> bool:
        """True when it wants floor space (``floor_area_m2_min`` or ``_max``)."""
        return self.floor_area_m2_min is not None or self.floor_area_m2_max is not None

    @property
    def kind(self) -> str:
        """``"land"``, ``"space"`` or ``"either"`` (both demands given)."""
        if self.has_land_demand and self.has_space_demand:
            return "either"
        return "land" if self.has_land_demand else "space"

    # -- YAML --------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> Project:
        """Read a project from a YAML file or from YAML text.

        Parameters
        ----------
        source : str or path-like
            A path (``.yaml``/``.yml``, or any existing file) or the YAML text itself,
            the same rule as :meth:`landasset.Scheme.from_yaml`. Parsed as plain data
            (no tags, anchors or aliases, no key twice, at most 1 MiB of UTF-8).

        Raises
        ------
        ProfileError
            Not YAML, refused as above, a missing or wrong ``version``, an unknown
            key (named with its key path), or a value out of range.
        LandassetIOError
            A path that does not exist.
        """
        text, origin = _config.read_source(
            source,
            what="project",
            missing_hint=f" (or load_project(name) for a bundled one: {', '.join(list_projects())})",
        )
        base = None if origin == "project text" else Path(os.fspath(source)).parent
        return _read(_config.load_yaml(text, origin=origin), origin, base)

    def to_dict(self) -> dict[str, Any]:
        """The project as plain data in the layout of its YAML file (None left out)."""
        out: dict[str, Any] = {"version": FORMAT_VERSION}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "commitments":
                if value.to_dict():
                    out["commitments"] = value.to_dict()
            elif f.name == "wanted_by":
                if value is not None:
                    out["wanted_by"] = value.date()
            elif value is not None:
                out[f.name] = value
        return out

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The project as YAML text (with ``version``); also written to ``path`` if given.

        ``Project.from_yaml(p.to_yaml()) == p`` for every project. The file is
        written atomically.

        >>> print(Project(id="p1", area_mu_min=35).to_yaml(), end="")
        version: 1
        id: p1
        area_mu_min: 35.0
        """
        text = yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False, width=100)
        if path is not None:
            _config.write_text(text, path)
        return text

    # -- display -----------------------------------------------------------------------
    def _demand_text(self) -> str:
        parts = []
        if self.has_land_demand:
            parts.append(f"land {_range(self.area_mu_min, self.area_mu_max)} mu")
        if self.has_space_demand:
            parts.append(f"floor {_range(self.floor_area_m2_min, self.floor_area_m2_max)} m²")
        return " or ".join(parts)

    def __repr__(self) -> str:
        bits = [self._demand_text()]
        if self.industry:
            bits.append(self.industry)
        if self.wanted_by is not None:
            bits.append(f"wanted by {self.wanted_by.date().isoformat()}")
        return f"<Project {self.id!r} ({self.kind}): {', '.join(bits)}>"

    def _repr_html_(self) -> str:
        esc = html.escape
        data = self.to_dict()
        data.pop("version")
        commitments = data.pop("commitments", {})
        rows = "".join(
            f"<tr><td>{esc(str(k))}</td><td>{esc(str(v))}</td></tr>" for k, v in data.items()
        ) + "".join(
            f"<tr><td>commitments.{esc(str(k))}</td><td>{esc(str(v))}</td></tr>"
            for k, v in commitments.items()
        )
        title = f" {esc(self.name)}" if self.name else ""
        return (
            f"<div><strong>Project {esc(self.id)}</strong>{title} — {esc(self.kind)}: "
            f"{esc(self._demand_text())}<table><tbody>{rows}</tbody></table></div>"
        )


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:,g}–{high:,g}"
    return f"≥ {low:,g}" if low is not None else f"≤ {high:,g}"


def _check_industry(industry: str) -> None:
    from landasset.suitability import list_profiles

    names = list_profiles()
    if industry in names:
        return
    if industry.strip().lower().endswith((".yaml", ".yml")):
        if Path(industry).is_file():
            return
        raise LandassetValueError(
            f"industry {industry!r}: no profile file there; check the path (relative to the "
            "project file or the working folder)"
        )
    raise LandassetValueError(
        f"industry {industry!r} is not a bundled profile; use one of: "
        + ", ".join(map(repr, names))
        + ", or the path of a profile .yaml file"
    )


# -- reading -----------------------------------------------------------------------------

_KEYS = tuple(f.name for f in dataclasses.fields(Project)) + _RANGES + ("version",)
_COMMITMENT_KEYS = tuple(f.name for f in dataclasses.fields(Commitments))


def _read(data: Any, origin: str, base: Path | None) -> Project:
    def fail(where: str, message: str) -> ProfileError:
        return ProfileError(f"{origin}, {where}: {message}" if where else f"{origin}: {message}")

    if not isinstance(data, Mapping):
        raise fail("", f"expected a mapping with keys such as id, area_mu, ..., got {_kind(data)}")
    for key in data:
        if key not in _KEYS:
            raise fail(str(key), f"unknown key; use one of: {', '.join(_KEYS)}")
    if "version" not in data:
        raise fail("version", f"missing; start the file with version: {FORMAT_VERSION}")
    version = data["version"]
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise fail(
            "version",
            f"{version!r} is not a project format this release reads; use version: {FORMAT_VERSION}",
        )
    if "id" not in data:
        raise fail("id", "missing; give the project an id")
    values: dict[str, Any] = {k: v for k, v in data.items() if k not in (*_RANGES, "version")}
    for pair in _RANGES:
        if pair not in data:
            continue
        nested = data[pair]
        if not isinstance(nested, Mapping):
            raise fail(pair, f"expected a mapping {{min: ..., max: ...}}, got {_kind(nested)}")
        for key in nested:
            if key not in ("min", "max"):
                raise fail(f"{pair}.{key}", "unknown key; use min and max")
        for end in ("min", "max"):
            if end in nested:
                flat = f"{pair}_{end}"
                if flat in data:
                    raise fail(pair, f"{end} given twice, as {pair}.{end} and as {flat}; keep one")
                values[flat] = nested[end]
    commitments = values.pop("commitments", None)
    if commitments is not None:
        if not isinstance(commitments, Mapping):
            raise fail("commitments", f"expected a mapping, got {_kind(commitments)}")
        for key in commitments:
            if key not in _COMMITMENT_KEYS:
                raise fail(
                    f"commitments.{key}", f"unknown key; use one of: {', '.join(_COMMITMENT_KEYS)}"
                )
    wanted = values.get("wanted_by")
    if isinstance(wanted, dt.datetime) or (
        wanted is not None and not isinstance(wanted, (str, dt.date))
    ):
        raise fail("wanted_by", f"{wanted!r} is not a day; write it YYYY-MM-DD")
    industry = values.get("industry")
    if base is not None and isinstance(industry, str):
        path = Path(industry)
        beside = industry.strip().lower().endswith((".yaml", ".yml")) and not path.is_absolute()
        if beside and (base / path).is_file():  # a profile beside the project file
            values["industry"] = str(base / path)
    try:
        made = Commitments(**commitments) if commitments is not None else Commitments()
        project = Project(**values, commitments=made)
    except (LandassetValueError, LandassetTypeError) as err:
        raise fail("", str(err)) from None
    return project


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"a {type(value).__name__} ({value!r})"


# -- bundled samples -----------------------------------------------------------------------


def list_projects() -> list[str]:
    """Names of the bundled sample projects, sorted.

    >>> list_projects()
    ['aerospace_plant', 'ai_office', 'life_science_pilot', 'smart_manufacturing_plant']
    """
    folder = resources.files("landasset.projects") / "samples"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_project(name_or_path: str | os.PathLike[str]) -> Project:
    """Load a bundled sample project by name (:func:`list_projects`), or a project file.

    A ``Path``, or a string ending in ``.yaml``/``.yml``, is read with
    :meth:`Project.from_yaml`.

    Raises
    ------
    ProfileError
        The name is not a bundled project (the message lists them), or the file is
        not a valid project.
    LandassetIOError
        The file does not exist.

    Examples
    --------
    >>> plant = load_project("aerospace_plant")
    >>> plant.kind, plant.area_mu_min, plant.area_mu_max, plant.commitments.production_year
    ('land', 35.0, 45.0, 2029)
    >>> load_project("aerospace")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: 'aerospace' is not a bundled project; use one of: 'aerospace_plant', 'ai_office', 'life_science_pilot', 'smart_manufacturing_plant', or the path of a .yaml file
    """
    if isinstance(name_or_path, os.PathLike) or (
        isinstance(name_or_path, str) and name_or_path.strip().lower().endswith((".yaml", ".yml"))
    ):
        return Project.from_yaml(Path(name_or_path))
    names = list_projects()
    if name_or_path not in names:
        raise ProfileError(
            f"{name_or_path!r} is not a bundled project; use one of: "
            f"{', '.join(map(repr, names))}, or the path of a .yaml file"
        )
    resource = resources.files("landasset.projects") / "samples" / f"{name_or_path}.yaml"
    origin = f"bundled project {name_or_path!r}"
    return _read(
        _config.load_yaml(resource.read_text(encoding="utf-8"), origin=origin), origin, None
    )
