"""Per-mu efficiency schemes (亩均效益评价方案) as reviewable, versioned configuration.

A :class:`Scheme` says which indicators are computed, how each earns points, how the
total is turned into grades, and which flags bar or protect a grade. Schemes differ by
county and year, so they are data: YAML files that round-trip exactly
(:meth:`Scheme.from_yaml` / :meth:`Scheme.to_yaml`) and can be diffed and shared.

The indicators a scheme may name are in :data:`INDICATORS` (each with its source
columns and unit); any other name is a *custom* indicator and must give its
``numerator`` and ``denominator`` columns.

Scoring
    An indicator with a numeric ``benchmark`` earns ``min(value / benchmark, cap) ×
    weight`` points (no cap when ``cap`` is null). An indicator with
    ``benchmark: percentile`` earns ``percentile rank × weight`` points, the percentile
    rank being the share of graded firms (of the same group) whose value is at most
    this firm's, ties sharing their mean rank (pandas ``rank(pct=True)``). Bonus points
    are added for flag columns. The score is the sum.

Grading
    ``by: percentile`` bands are shares of the graded firms counted from the top
    (A ``from: 0, to: 20`` = the best 20 %); ``by: score`` bands are minimum scores,
    the last band open below. Vetoes cap a flagged firm's grade (at best C); exemptions
    floor it (first-year firms at worst C). Vetoes win over exemptions.

Examples
--------
>>> from landasset.efficiency import load_scheme, list_schemes
>>> list_schemes()
['huangyan-2023', 'zhejiang-2018', 'zhejiang-2018-services', 'zhejiang-2018-small']
>>> scheme = load_scheme("zhejiang-2018")
>>> [i.name for i in scheme.indicators][:2]
['tax_per_mu_10k_cny', 'value_added_per_mu_10k_cny']
>>> scheme.grades
('A', 'B', 'C', 'D')
>>> type(scheme).from_yaml(scheme.to_yaml()) == scheme
True
"""

from __future__ import annotations

import html
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from landasset import _config
from landasset._errors import ProfileError

__all__ = [
    "FORMAT_VERSION",
    "INDICATORS",
    "Band",
    "Bonus",
    "Exemption",
    "Grading",
    "Indicator",
    "IndicatorDefinition",
    "Scheme",
    "Scope",
    "Veto",
    "list_schemes",
    "load_scheme",
]

#: The version of the scheme file format this release reads and writes.
FORMAT_VERSION = 1

ZeroRule = Literal["not_graded", "full_points"]
GradeBy = Literal["percentile", "score"]
Size = Literal["any", "above_scale", "small"]

_ZERO_RULES: tuple[str, ...] = ("not_graded", "full_points")
_GRADE_BY: tuple[str, ...] = ("percentile", "score")
_SIZES: tuple[str, ...] = ("any", "above_scale", "small")
_CODE_ITEM = re.compile(r"^(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class IndicatorDefinition:
    """A known indicator: ``numerator / denominator`` of enterprise columns.

    ``land_mu`` as a denominator is the enterprise's land area as found by
    :func:`~landasset.efficiency.evaluate` (its ``land_mu`` column or a share of its
    parcel).
    """

    numerator: str
    denominator: str
    unit: str
    label_zh: str


#: The indicators a scheme may name without giving source columns. Money is in 万元
#: (10k CNY) as in the enterprise layer; ``rnd_intensity`` is a ratio (0.03 = 3 %).
INDICATORS: dict[str, IndicatorDefinition] = {
    "tax_per_mu_10k_cny": IndicatorDefinition(
        "tax_10k_cny", "land_mu", "10k CNY per mu", "亩均税收"
    ),
    "value_added_per_mu_10k_cny": IndicatorDefinition(
        "value_added_10k_cny", "land_mu", "10k CNY per mu", "亩均增加值"
    ),
    "revenue_per_mu_10k_cny": IndicatorDefinition(
        "revenue_10k_cny", "land_mu", "10k CNY per mu", "亩均销售收入"
    ),
    "labour_productivity_10k_cny": IndicatorDefinition(
        "value_added_10k_cny", "employees", "10k CNY per employee", "全员劳动生产率"
    ),
    "value_added_per_tce_10k_cny": IndicatorDefinition(
        "value_added_10k_cny", "energy_tce", "10k CNY per tce", "单位能耗增加值"
    ),
    "value_added_per_t_emission_10k_cny": IndicatorDefinition(
        "value_added_10k_cny", "emissions_t", "10k CNY per tonne emitted", "单位排放增加值"
    ),
    "rnd_intensity": IndicatorDefinition(
        "rnd_10k_cny", "revenue_10k_cny", "ratio", "研发经费支出占主营业务收入比重"
    ),
}

# Column names an evaluation uses itself; a custom indicator may not take them.
_RESERVED = frozenset(
    {
        "parcel_id",
        "industry",
        "land_mu",
        "land_mu_source",
        "bonus_points",
        "score",
        "rank",
        "grade",
        "reasons",
    }
)
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Indicator:
    """One scored indicator of a scheme.

    Attributes
    ----------
    name : str
        A key of :data:`INDICATORS`, or a custom name (then ``numerator`` and
        ``denominator`` are required). Also the evaluation's column name.
    weight : float
        Points for a firm at the benchmark (or at the top percentile).
    benchmark : float or "percentile"
        The value worth ``weight`` points, or ``"percentile"`` to score by rank.
    numerator, denominator : str
        Enterprise columns (``land_mu`` is the land area found by ``evaluate``).
    cap : float or None
        Benchmark indicators only: the largest ``value / benchmark`` ratio counted,
        so the indicator earns at most ``cap × weight`` points.
    zero_denominator : {"not_graded", "full_points"}
        What a zero (or negative) denominator means: the firm is not graded (the
        default), or it earns the indicator's full points (``weight`` for a percentile
        indicator, ``cap × weight`` for a capped benchmark one) — e.g. a firm with no
        pollutant emissions. Never applies to ``land_mu``: zero land is never graded.
    label : str
        A label for reports (Chinese name by default for known indicators).
    """

    name: str
    weight: float
    benchmark: float | Literal["percentile"]
    numerator: str
    denominator: str
    cap: float | None = None
    zero_denominator: ZeroRule = "not_graded"
    label: str = ""

    @property
    def custom(self) -> bool:
        """True when the indicator is not one of :data:`INDICATORS`."""
        return self.name not in INDICATORS


@dataclass(frozen=True)
class Band:
    """One grade band.

    For percentile grading ``from_percent``/``to_percent`` are shares of the graded
    firms counted from the top (0 = best); for score grading ``min_score`` is the
    lowest score of the band (None: no lower limit, only for the last band).
    """

    grade: str
    from_percent: float | None = None
    to_percent: float | None = None
    min_score: float | None = None


@dataclass(frozen=True)
class Grading:
    """How scores become grades: bands listed best first, optional grouping column."""

    by: GradeBy
    bands: tuple[Band, ...]
    group_by: str | None = None


@dataclass(frozen=True)
class Bonus:
    """Extra points for firms whose boolean ``column`` is true (e.g. ``high_tech``)."""

    column: str
    points: float
    label: str = ""


@dataclass(frozen=True)
class Veto:
    """A flag that caps the grade (一票否决): flagged firms get at best ``best_grade``."""

    column: str
    best_grade: str = "C"
    label: str = ""


@dataclass(frozen=True)
class Exemption:
    """A flag that floors the grade: flagged firms get at worst ``worst_grade``."""

    column: str
    worst_grade: str = "C"
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class Scope:
    """Which enterprises a scheme grades; the others are reported as not graded.

    Attributes
    ----------
    industry_codes : tuple of str
        2-digit national economic classification codes (``"27"``) or ranges of them
        (``"13-43"``, both ends included), read against the enterprise's
        ``industry_code`` (``"C3411"`` → ``"34"``). Empty: every industry.
    land_uses : tuple of str
        Land-use codes (``"M1"``, ``"100101"``) or families (``"industrial"``) of the
        enterprise's parcel (its ``land_use``). Empty: any land.
    size : {"any", "above_scale", "small"}
        Above-scale firms (规模以上) only, small firms only, or both. The size is the
        enterprise's boolean ``above_scale`` column where it holds a value; else
        ``revenue_10k_cny ≥ above_scale_revenue_10k_cny`` when that threshold is given.
    above_scale_revenue_10k_cny : float or None
        The yearly main revenue (万元) from which a firm counts as above scale where it
        has no ``above_scale`` value (2000 for industrial firms in China's statistics).
    """

    industry_codes: tuple[str, ...] = ()
    land_uses: tuple[str, ...] = ()
    size: Size = "any"
    above_scale_revenue_10k_cny: float | None = None

    @property
    def everyone(self) -> bool:
        """True when the scope admits every enterprise."""
        return not self.industry_codes and not self.land_uses and self.size == "any"

    def codes(self) -> frozenset[str]:
        """The 2-digit industry codes in scope (empty when every industry is)."""
        out: set[str] = set()
        for item in self.industry_codes:
            match = _CODE_ITEM.match(item)
            if match is None:  # checked when the scheme is built
                continue
            low = int(match.group(1))
            high = int(match.group(2) or low)
            out.update(f"{c:02d}" for c in range(low, high + 1))
        return frozenset(out)

    def describe(self) -> str:
        """The scope in words, for reasons and reports."""
        parts = []
        if self.industry_codes:
            parts.append("industries " + ", ".join(self.industry_codes))
        if self.land_uses:
            parts.append("land " + ", ".join(self.land_uses))
        if self.size != "any":
            parts.append("above-scale firms" if self.size == "above_scale" else "small firms")
        return "; ".join(parts) or "every enterprise"


@dataclass(frozen=True)
class Scheme:
    """A per-mu efficiency scheme: indicators, grading, bonuses, vetoes, exemptions.

    Build one from YAML (:meth:`from_yaml`), load a bundled one (:func:`load_scheme`),
    or construct it directly (it is validated the same way as a file).

    Attributes
    ----------
    name : str
        Short identifier (``"zhejiang-2018"``).
    indicators : tuple of Indicator
    grading : Grading
    bonuses, vetoes, exemptions : tuple
    scope : Scope
        Which enterprises the scheme grades (default: every one).
    title, jurisdiction : str
    year : int or None
        The year the scheme was published or applies to.
    sources : tuple of str
        Documents the scheme follows.
    notes : str

    Examples
    --------
    >>> s = Scheme.from_yaml('''
    ... version: 1
    ... name: small-firms
    ... indicators:
    ...   - {name: tax_per_mu_10k_cny, weight: 100, benchmark: 20, cap: 1.5}
    ... grading:
    ...   by: score
    ...   bands:
    ...     - {grade: A, min: 100}
    ...     - {grade: B, min: 60}
    ...     - {grade: C, min: 30}
    ...     - {grade: D, min: null}
    ... ''')
    >>> s.indicators[0].numerator, s.indicators[0].denominator, s.indicators[0].cap
    ('tax_10k_cny', 'land_mu', 1.5)
    >>> Scheme.from_yaml("version: 1\\nname: x\\nindicators: [{name: tax_per_acre, weight: 1}]")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: scheme 'x', indicators[0].name: 'tax_per_acre' is not a known indicator; use one of: ... or give 'numerator' and 'denominator' columns for a custom indicator
    """

    name: str
    indicators: tuple[Indicator, ...]
    grading: Grading
    bonuses: tuple[Bonus, ...] = ()
    vetoes: tuple[Veto, ...] = ()
    exemptions: tuple[Exemption, ...] = ()
    title: str = ""
    jurisdiction: str = ""
    year: int | None = None
    sources: tuple[str, ...] = ()
    notes: str = ""
    scope: Scope = Scope()

    def __post_init__(self) -> None:
        # one validation path for files and for direct construction
        _Reader(f"scheme {self.name!r}").check_scheme(self)

    # -- derived ---------------------------------------------------------------------
    @property
    def grades(self) -> tuple[str, ...]:
        """Grade labels, best first."""
        return tuple(b.grade for b in self.grading.bands)

    @property
    def columns(self) -> tuple[str, ...]:
        """Every enterprise column the scheme reads (``land_mu`` included)."""
        cols: list[str] = []
        for ind in self.indicators:
            cols += [ind.numerator, ind.denominator]
        cols += [b.column for b in self.bonuses]
        cols += [v.column for v in self.vetoes]
        cols += [e.column for e in self.exemptions]
        if self.grading.group_by:
            cols.append(self.grading.group_by)
        if self.scope.industry_codes:
            cols.append("industry_code")
        if self.scope.size != "any":
            cols.append("above_scale")
            if self.scope.above_scale_revenue_10k_cny is not None:
                cols.append("revenue_10k_cny")
        return tuple(dict.fromkeys(cols))

    # -- YAML ------------------------------------------------------------------------
    @classmethod
    def from_yaml(cls, source: str | os.PathLike[str]) -> Scheme:
        """Read a scheme from a YAML file or from YAML text.

        Parameters
        ----------
        source : str or path-like
            A path (``.yaml``/``.yml``, or any existing file) or the YAML text itself;
            the same rule as :meth:`landasset.SuitabilityModel.from_yaml`.
            Parsed as plain data: Python and custom tags, anchors and aliases, keys
            given twice, nesting deeper than 64 levels and files over 1 MiB or not
            in UTF-8 are refused.

        Raises
        ------
        ProfileError
            The text is not YAML or is refused as above, or a key or value is wrong;
            the message names the key path (``indicators[2].benchmark``) and the valid
            choices.
        LandassetIOError
            A path that does not exist.
        """
        text, origin = _config.read_source(
            source,
            what="scheme",
            missing_hint=f" (or load_scheme(name) for a bundled one: {', '.join(list_schemes())})",
        )
        return _Reader(origin).scheme(_config.load_yaml(text, origin=origin))

    def to_dict(self) -> dict[str, Any]:
        """The scheme as plain data, in the layout of the YAML file."""
        out: dict[str, Any] = {"version": FORMAT_VERSION, "name": self.name}
        for key in ("title", "jurisdiction"):
            if getattr(self, key):
                out[key] = getattr(self, key)
        if self.year is not None:
            out["year"] = self.year
        if self.sources:
            out["sources"] = list(self.sources)
        if self.notes:
            out["notes"] = self.notes
        if not self.scope.everyone or self.scope.above_scale_revenue_10k_cny is not None:
            scope: dict[str, Any] = {}
            if self.scope.industry_codes:
                scope["industry_codes"] = list(self.scope.industry_codes)
            if self.scope.land_uses:
                scope["land_uses"] = list(self.scope.land_uses)
            scope["size"] = self.scope.size
            if self.scope.above_scale_revenue_10k_cny is not None:
                scope["above_scale_revenue_10k_cny"] = self.scope.above_scale_revenue_10k_cny
            out["scope"] = scope
        indicators = []
        for ind in self.indicators:
            item: dict[str, Any] = {
                "name": ind.name,
                "weight": ind.weight,
                "benchmark": ind.benchmark,
            }
            if ind.custom:
                item["numerator"] = ind.numerator
                item["denominator"] = ind.denominator
            if ind.cap is not None:
                item["cap"] = ind.cap
            if ind.zero_denominator != "not_graded":
                item["zero_denominator"] = ind.zero_denominator
            if ind.label:
                item["label"] = ind.label
            indicators.append(item)
        out["indicators"] = indicators
        bands: list[dict[str, Any]] = []
        for band in self.grading.bands:
            if self.grading.by == "percentile":
                bands.append(
                    {"grade": band.grade, "from": band.from_percent, "to": band.to_percent}
                )
            else:
                bands.append({"grade": band.grade, "min": band.min_score})
        grading: dict[str, Any] = {"by": self.grading.by}
        if self.grading.group_by:
            grading["group_by"] = self.grading.group_by
        grading["bands"] = bands
        out["grading"] = grading
        for key, items in (
            ("bonuses", self.bonuses),
            ("vetoes", self.vetoes),
            ("exemptions", self.exemptions),
        ):
            if items:
                out[key] = [
                    {k: v for k, v in vars(item).items() if not (k == "label" and not v)}
                    for item in items
                ]
        return out

    def to_yaml(self, path: str | os.PathLike[str] | None = None) -> str:
        """The scheme as YAML text (with ``version``); also written to ``path`` if given.

        ``Scheme.from_yaml(s.to_yaml()) == s`` for every scheme, and writing the
        result again gives the same text. Comments of the original file are not kept.
        """
        data = self.to_dict()
        # one line per indicator, band, bonus, veto and exemption; other lists in blocks
        for key in ("indicators", "bonuses", "vetoes", "exemptions"):
            if key in data:
                data[key] = [_Flow(item) for item in data[key]]
        data["grading"]["bands"] = [_Flow(band) for band in data["grading"]["bands"]]
        text = yaml.dump(
            data,
            Dumper=_Dumper,
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=False,
            width=100,
        )
        if path is not None:
            _config.write_text(text, path)
        return text

    # -- display ---------------------------------------------------------------------
    def __repr__(self) -> str:
        return (
            f"<Scheme {self.name!r}: {len(self.indicators)} indicators, "
            f"{self.grading.by} grades {'/'.join(self.grades)}>"
        )

    def _repr_html_(self) -> str:
        esc = html.escape
        rows = "".join(
            f"<tr><td>{esc(i.name)}</td><td>{esc(i.label or INDICATORS.get(i.name, _NO_DEF).label_zh)}</td>"
            f"<td>{esc(i.numerator)} / {esc(i.denominator)}</td><td>{i.weight:g}</td>"
            f"<td>{esc(str(i.benchmark))}</td><td>{'' if i.cap is None else f'{i.cap:g}'}</td></tr>"
            for i in self.indicators
        )
        if self.grading.by == "percentile":
            bands = ", ".join(
                f"{b.grade}: {b.from_percent:g}–{b.to_percent:g} %" for b in self.grading.bands
            )
        else:
            bands = ", ".join(
                f"{b.grade}: ≥ {b.min_score:g}" if b.min_score is not None else f"{b.grade}: rest"
                for b in self.grading.bands
            )
        extras = [
            *(f"bonus +{b.points:g} for {esc(b.column)}" for b in self.bonuses),
            *(f"veto {esc(v.column)} → at best {esc(v.best_grade)}" for v in self.vetoes),
            *(
                f"exemption {esc(e.column)} → at worst {esc(e.worst_grade)}"
                for e in self.exemptions
            ),
        ]
        head = "".join(
            f"<th>{h}</th>" for h in ("indicator", "label", "source", "weight", "benchmark", "cap")
        )
        return (
            f"<div><strong>Scheme {esc(self.name)}</strong> {esc(self.title)}"
            f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
            f"<p>Grades {esc(self.scope.describe())}, by {self.grading.by}"
            f"{' within ' + esc(self.grading.group_by) if self.grading.group_by else ''}: {esc(bands)}</p>"
            + (f"<p>{'; '.join(extras)}</p>" if extras else "")
            + "</div>"
        )


_NO_DEF = IndicatorDefinition("", "", "", "")


class _Flow(dict[str, Any]):
    """A mapping written on one line by :meth:`Scheme.to_yaml`."""


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes :class:`_Flow` mappings in flow style, never aliases."""

    def ignore_aliases(self, data: Any) -> bool:  # schemes are read without aliases
        return True


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)


# -- bundled schemes ------------------------------------------------------------------


def list_schemes() -> list[str]:
    """Names of the bundled schemes, sorted.

    >>> "zhejiang-2018" in list_schemes()
    True
    """
    folder = resources.files("landasset.efficiency") / "schemes"
    return sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_scheme(name: str | os.PathLike[str]) -> Scheme:
    """Load a bundled scheme by name (see :func:`list_schemes`), or a scheme file by path.

    A ``Path``, or a string ending in ``.yaml``/``.yml``, is read with
    :meth:`Scheme.from_yaml`.

    Raises
    ------
    ProfileError
        The name is not a bundled scheme (the message lists the names), or the file
        is not a valid scheme.
    LandassetIOError
        The file does not exist.

    Examples
    --------
    >>> load_scheme("huangyan-2023").indicators[0].benchmark
    24.097
    >>> load_scheme("zhejiang")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: 'zhejiang' is not a bundled scheme; use one of: 'huangyan-2023', 'zhejiang-2018', 'zhejiang-2018-services', 'zhejiang-2018-small', or the path of a .yaml file
    """
    if isinstance(name, os.PathLike) or (
        isinstance(name, str) and name.strip().lower().endswith((".yaml", ".yml"))
    ):
        return Scheme.from_yaml(Path(name))
    names = list_schemes()
    if name not in names:
        raise ProfileError(
            f"{name!r} is not a bundled scheme; use one of: {', '.join(map(repr, names))}, "
            "or the path of a .yaml file"
        )
    resource = resources.files("landasset.efficiency") / "schemes" / f"{name}.yaml"
    origin = f"bundled scheme {name!r}"
    return _Reader(origin).scheme(
        _config.load_yaml(resource.read_text(encoding="utf-8"), origin=origin)
    )


# -- reading and validation -----------------------------------------------------------


class _Reader:
    """Turns parsed YAML into a Scheme, naming the key path of every error."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str) -> ProfileError:
        return ProfileError(
            f"{self.origin}, {where}: {message}" if where else f"{self.origin}: {message}"
        )

    # generic value checks ------------------------------------------------------------
    def mapping(
        self, value: Any, where: str, keys: Sequence[str], required: Sequence[str]
    ) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(
                where, f"expected a mapping with keys {', '.join(keys)}, got {_kind(value)}"
            )
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise self.fail(
                f"{where}.{unknown[0]}" if where else str(unknown[0]),
                f"unknown key; use one of: {', '.join(keys)}",
            )
        missing = [k for k in required if k not in value]
        if missing:
            raise self.fail(where, f"missing required key {missing[0]!r}")
        return dict(value)

    def required(self, d: dict[str, Any], key: str) -> Any:
        if key not in d:
            raise self.fail("", f"missing required key {key!r}")
        return d[key]

    def sequence(self, value: Any, where: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(where, f"expected a list, got {_kind(value)}")
        return value

    def number(
        self, value: Any, where: str, *, positive: bool = False, allow_none: bool = False
    ) -> float | None:
        if value is None and allow_none:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise self.fail(
                where, f"expected a {'positive ' if positive else ''}number, got {value!r}"
            )
        if positive and value <= 0:
            raise self.fail(where, f"expected a positive number, got {value!r}")
        return float(value)

    def text(self, value: Any, where: str, *, identifier: bool = False) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"expected a non-empty string, got {value!r}")
        if identifier and not _IDENTIFIER.match(value):
            raise self.fail(where, f"{value!r} is not a valid column name (letters, digits, _)")
        return value

    def choice(self, value: Any, where: str, choices: Sequence[str], what: str) -> str:
        if value not in choices:
            raise self.fail(
                where, f"{value!r} is not {what}; use one of: {', '.join(map(repr, choices))}"
            )
        return str(value)

    # the scheme ------------------------------------------------------------------------
    def scheme(self, data: Any) -> Scheme:
        keys = (
            "version",
            "name",
            "title",
            "jurisdiction",
            "year",
            "sources",
            "notes",
            "scope",
            "indicators",
            "grading",
            "bonuses",
            "vetoes",
            "exemptions",
        )
        d = self.mapping(data, "", keys, ("version", "name"))
        if d["version"] != FORMAT_VERSION or isinstance(d["version"], bool):
            raise self.fail(
                "version",
                f"{d['version']!r} is not a scheme format this release reads; use version: {FORMAT_VERSION}",
            )
        name = self.text(d["name"], "name")
        self.origin = (
            f"{self.origin} ({name!r})"
            if self.origin.startswith("scheme file")
            else f"scheme {name!r}"
        )
        year = d.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise self.fail("year", f"expected a year such as 2023, got {year!r}")
        indicators = tuple(
            self.indicator(item, f"indicators[{i}]")
            for i, item in enumerate(self.sequence(self.required(d, "indicators"), "indicators"))
        )
        grading = self.grading(self.required(d, "grading"), "grading")
        bonuses = tuple(
            self.bonus(item, f"bonuses[{i}]")
            for i, item in enumerate(self.sequence(d.get("bonuses"), "bonuses"))
        )
        vetoes = tuple(
            self.veto(item, f"vetoes[{i}]")
            for i, item in enumerate(self.sequence(d.get("vetoes"), "vetoes"))
        )
        exemptions = tuple(
            self.exemption(item, f"exemptions[{i}]")
            for i, item in enumerate(self.sequence(d.get("exemptions"), "exemptions"))
        )
        sources = tuple(
            self.text(s, f"sources[{i}]")
            for i, s in enumerate(self.sequence(d.get("sources"), "sources"))
        )
        scope = self.scope(d["scope"], "scope") if d.get("scope") is not None else Scope()
        try:
            return Scheme(
                name=name,
                indicators=indicators,
                grading=grading,
                bonuses=bonuses,
                vetoes=vetoes,
                exemptions=exemptions,
                title=str(d.get("title") or ""),
                jurisdiction=str(d.get("jurisdiction") or ""),
                year=year,
                sources=sources,
                notes=str(d.get("notes") or ""),
                scope=scope,
            )
        except ProfileError as err:
            # cross-field checks run in Scheme.__post_init__; name the file they came from
            message, prefix = str(err), f"scheme {name!r}"
            if message.startswith(prefix) and self.origin != prefix:
                raise ProfileError(self.origin + message[len(prefix) :]) from None
            raise

    def indicator(self, item: Any, where: str) -> Indicator:
        keys = (
            "name",
            "weight",
            "benchmark",
            "numerator",
            "denominator",
            "cap",
            "zero_denominator",
            "label",
        )
        d = self.mapping(item, where, keys, ("name", "weight"))
        name = self.text(d["name"], f"{where}.name", identifier=True)
        known = INDICATORS.get(name)
        given = [k for k in ("numerator", "denominator") if k in d]
        if known is None and len(given) < 2:
            raise self.fail(
                f"{where}.name",
                f"{name!r} is not a known indicator; use one of: {', '.join(INDICATORS)}, "
                "or give 'numerator' and 'denominator' columns for a custom indicator",
            )
        if known is not None and given:
            raise self.fail(
                f"{where}.{given[0]}",
                f"{name} is fixed as {known.numerator} / {known.denominator}; drop "
                f"{given[0]!r}, or give the indicator another name to define a custom one",
            )
        numerator = (
            known.numerator
            if known
            else self.text(d["numerator"], f"{where}.numerator", identifier=True)
        )
        denominator = (
            known.denominator
            if known
            else self.text(d["denominator"], f"{where}.denominator", identifier=True)
        )
        benchmark_raw = d.get("benchmark", "percentile")
        benchmark: float | Literal["percentile"]
        if benchmark_raw == "percentile":
            benchmark = "percentile"
        elif isinstance(benchmark_raw, int | float) and not isinstance(benchmark_raw, bool):
            benchmark = cast(float, self.number(benchmark_raw, f"{where}.benchmark", positive=True))
        else:
            raise self.fail(
                f"{where}.benchmark",
                f"{benchmark_raw!r} is not a benchmark; use a positive number (the value worth "
                "the full weight) or 'percentile'",
            )
        return Indicator(
            name=name,
            weight=cast(float, self.number(d["weight"], f"{where}.weight", positive=True)),
            benchmark=benchmark,
            numerator=numerator,
            denominator=denominator,
            cap=self.number(d.get("cap"), f"{where}.cap", positive=True, allow_none=True),
            zero_denominator=cast(
                ZeroRule,
                self.choice(
                    d.get("zero_denominator", "not_graded"),
                    f"{where}.zero_denominator",
                    _ZERO_RULES,
                    "a zero-denominator rule",
                ),
            ),
            label=str(d.get("label") or ""),
        )

    def scope(self, item: Any, where: str) -> Scope:
        keys = ("industry_codes", "land_uses", "size", "above_scale_revenue_10k_cny")
        d = self.mapping(item, where, keys, ())
        codes = tuple(
            str(c) if isinstance(c, int) and not isinstance(c, bool) else c
            for c in self.sequence(d.get("industry_codes"), f"{where}.industry_codes")
        )
        for i, code in enumerate(codes):
            self.text(code, f"{where}.industry_codes[{i}]")
        land_uses = tuple(
            self.text(
                str(u) if isinstance(u, int) and not isinstance(u, bool) else u,
                f"{where}.land_uses[{i}]",
            )
            for i, u in enumerate(self.sequence(d.get("land_uses"), f"{where}.land_uses"))
        )
        return Scope(
            industry_codes=codes,
            land_uses=land_uses,
            size=cast(Size, self.choice(d.get("size", "any"), f"{where}.size", _SIZES, "a size")),
            above_scale_revenue_10k_cny=self.number(
                d.get("above_scale_revenue_10k_cny"),
                f"{where}.above_scale_revenue_10k_cny",
                positive=True,
                allow_none=True,
            ),
        )

    def grading(self, item: Any, where: str) -> Grading:
        d = self.mapping(item, where, ("by", "group_by", "bands"), ("by", "bands"))
        by = cast(GradeBy, self.choice(d["by"], f"{where}.by", _GRADE_BY, "a grading method"))
        group_by = d.get("group_by")
        if group_by is not None:
            group_by = self.text(group_by, f"{where}.group_by", identifier=True)
        bands = []
        for i, band in enumerate(self.sequence(d["bands"], f"{where}.bands")):
            at = f"{where}.bands[{i}]"
            if by == "percentile":
                b = self.mapping(band, at, ("grade", "from", "to"), ("grade", "from", "to"))
                bands.append(
                    Band(
                        grade=self.text(b["grade"], f"{at}.grade"),
                        from_percent=self.number(b["from"], f"{at}.from"),
                        to_percent=self.number(b["to"], f"{at}.to"),
                    )
                )
            else:
                b = self.mapping(band, at, ("grade", "min"), ("grade", "min"))
                bands.append(
                    Band(
                        grade=self.text(b["grade"], f"{at}.grade"),
                        min_score=self.number(b["min"], f"{at}.min", allow_none=True),
                    )
                )
        return Grading(by=by, bands=tuple(bands), group_by=group_by)

    def bonus(self, item: Any, where: str) -> Bonus:
        d = self.mapping(item, where, ("column", "points", "label"), ("column", "points"))
        return Bonus(
            column=self.text(d["column"], f"{where}.column", identifier=True),
            points=cast(float, self.number(d["points"], f"{where}.points")),
            label=str(d.get("label") or ""),
        )

    def veto(self, item: Any, where: str) -> Veto:
        d = self.mapping(item, where, ("column", "best_grade", "label"), ("column",))
        return Veto(
            column=self.text(d["column"], f"{where}.column", identifier=True),
            best_grade=self.text(d.get("best_grade", "C"), f"{where}.best_grade"),
            label=str(d.get("label") or ""),
        )

    def exemption(self, item: Any, where: str) -> Exemption:
        d = self.mapping(item, where, ("column", "worst_grade", "label"), ("column",))
        return Exemption(
            column=self.text(d["column"], f"{where}.column", identifier=True),
            worst_grade=self.text(d.get("worst_grade", "C"), f"{where}.worst_grade"),
            label=str(d.get("label") or ""),
        )

    # cross-field checks (also for schemes built in Python) ----------------------------
    def check_scope(self, scope: Scope) -> None:
        where = "scope"
        if not isinstance(scope, Scope):
            raise self.fail(where, f"expected a Scope, got {_kind(scope)}")
        for i, item in enumerate(scope.industry_codes):
            match = _CODE_ITEM.match(item) if isinstance(item, str) else None
            if match is None or (match.group(2) and match.group(2) < match.group(1)):
                raise self.fail(
                    f"{where}.industry_codes[{i}]",
                    f"{item!r} is not a 2-digit industry code or a range of them; write "
                    "'27' or '13-43' (low-high, quoted)",
                )
        for i, item in enumerate(scope.land_uses):
            if not isinstance(item, str) or not item.strip():
                raise self.fail(
                    f"{where}.land_uses[{i}]",
                    f"expected a land-use code or family such as 'M1' or 'industrial', got {item!r}",
                )
        if scope.size not in _SIZES:
            raise self.fail(
                f"{where}.size",
                f"{scope.size!r} is not a size; use one of: " + ", ".join(map(repr, _SIZES)),
            )
        threshold = scope.above_scale_revenue_10k_cny
        if threshold is not None and not (
            isinstance(threshold, int | float) and not isinstance(threshold, bool) and threshold > 0
        ):
            raise self.fail(
                f"{where}.above_scale_revenue_10k_cny",
                f"expected a positive number (10k CNY), got {threshold!r}",
            )

    def check_scheme(self, s: Scheme) -> None:
        if not s.indicators:
            raise self.fail("indicators", "a scheme needs at least one indicator")
        self.check_scope(s.scope)
        seen: set[str] = set()
        for i, ind in enumerate(s.indicators):
            where = f"indicators[{i}]"
            if ind.name in seen:
                raise self.fail(f"{where}.name", f"{ind.name!r} is listed twice")
            seen.add(ind.name)
            if ind.name in _RESERVED:
                raise self.fail(
                    f"{where}.name", f"{ind.name!r} is an evaluation column; choose another name"
                )
            known = INDICATORS.get(ind.name)
            if known and (ind.numerator, ind.denominator) != (known.numerator, known.denominator):
                raise self.fail(
                    f"{where}.name",
                    f"{ind.name} is {known.numerator} / {known.denominator}; give a custom "
                    "indicator another name",
                )
            if not (isinstance(ind.weight, int | float) and ind.weight > 0):
                raise self.fail(
                    f"{where}.weight", f"expected a positive number, got {ind.weight!r}"
                )
            if ind.benchmark != "percentile" and not (
                isinstance(ind.benchmark, int | float) and ind.benchmark > 0
            ):
                raise self.fail(
                    f"{where}.benchmark",
                    f"{ind.benchmark!r} is not a benchmark; use a positive number or 'percentile'",
                )
            if ind.cap is not None and ind.benchmark == "percentile":
                raise self.fail(
                    f"{where}.cap",
                    "a cap applies to benchmark indicators only (a percentile rank is at most 1); "
                    "drop it or give a benchmark value",
                )
            if ind.zero_denominator not in _ZERO_RULES:
                raise self.fail(
                    f"{where}.zero_denominator",
                    f"{ind.zero_denominator!r} is not a zero-denominator rule; use one of: "
                    + ", ".join(map(repr, _ZERO_RULES)),
                )
            if (
                ind.zero_denominator == "full_points"
                and ind.benchmark != "percentile"
                and ind.cap is None
            ):
                raise self.fail(
                    f"{where}.zero_denominator",
                    "'full_points' on a benchmark indicator needs a cap (full points = cap × weight)",
                )
            if ind.zero_denominator == "full_points" and ind.denominator == "land_mu":
                raise self.fail(
                    f"{where}.zero_denominator",
                    "a firm without land is never graded; use 'not_graded' for per-mu indicators",
                )
        self.check_grading(s.grading)
        grades = s.grades
        for i, v in enumerate(s.vetoes):
            if v.best_grade not in grades:
                raise self.fail(
                    f"vetoes[{i}].best_grade",
                    f"{v.best_grade!r} is not a grade of this scheme; use one of: {', '.join(map(repr, grades))}",
                )
        for i, e in enumerate(s.exemptions):
            if e.worst_grade not in grades:
                raise self.fail(
                    f"exemptions[{i}].worst_grade",
                    f"{e.worst_grade!r} is not a grade of this scheme; use one of: {', '.join(map(repr, grades))}",
                )

    def check_grading(self, g: Grading) -> None:
        where = "grading.bands"
        if g.by not in _GRADE_BY:
            raise self.fail(
                "grading.by", f"{g.by!r} is not a grading method; use one of: 'percentile', 'score'"
            )
        if len(g.bands) < 2:
            raise self.fail(where, "give at least two grade bands, best first")
        labels = [b.grade for b in g.bands]
        dup = [x for x in labels if labels.count(x) > 1]
        if dup:
            raise self.fail(where, f"grade {dup[0]!r} is listed twice")
        if g.by == "percentile":
            previous_end = 0.0
            for i, b in enumerate(g.bands):
                if b.from_percent is None or b.to_percent is None:
                    raise self.fail(f"{where}[{i}]", "a percentile band needs 'from' and 'to'")
                if b.from_percent != previous_end:
                    what = "a gap" if b.from_percent > previous_end else "an overlap"
                    start = "the top (0)" if i == 0 else f"{previous_end:g} %"
                    raise self.fail(
                        f"{where}[{i}].from",
                        f"band {b.grade!r} starts at {b.from_percent:g} % but must start at {start}: "
                        f"{what}. The bands must cover 0–100 % of the graded firms, best first, "
                        "without gaps or overlaps",
                    )
                if b.to_percent <= b.from_percent:
                    raise self.fail(
                        f"{where}[{i}].to",
                        f"band {b.grade!r} ends at {b.to_percent:g} %, not after its start "
                        f"({b.from_percent:g} %)",
                    )
                previous_end = b.to_percent
            if previous_end != 100:
                raise self.fail(
                    f"{where}[{len(g.bands) - 1}].to",
                    f"the last band ends at {previous_end:g} %; the bands must cover 0–100 % of the "
                    "graded firms, so the last one ends at 100",
                )
        else:
            for i, b in enumerate(g.bands[:-1]):
                if b.min_score is None:
                    raise self.fail(
                        f"{where}[{i}].min",
                        "only the last band may have no minimum (min: null)",
                    )
                nxt = g.bands[i + 1].min_score
                if nxt is not None and nxt >= b.min_score:
                    raise self.fail(
                        f"{where}[{i + 1}].min",
                        f"band {g.bands[i + 1].grade!r} has min {nxt:g}, not below the band "
                        f"before it ({b.min_score:g}); list bands best first with falling minima",
                    )
            if g.bands[-1].min_score is not None:
                raise self.fail(
                    f"{where}[{len(g.bands) - 1}].min",
                    "the last band must be open below (min: null) so that every score gets a "
                    "grade: the bands must cover every score without gaps",
                )


def _kind(value: Any) -> str:
    return "nothing" if value is None else f"a {type(value).__name__} ({value!r})"
