"""Minimum investment intensity (投资强度) by region class and industry: one table type.

国土资发〔2008〕24号 (工业项目建设用地控制指标) sets a minimum fixed-asset investment
per unit of site area by region class (地区分类) and industry; provinces and counties
publish their own. The same table serves two checks: the per-parcel land control
indicators (:func:`landasset.efficiency.land_indicators`) and the investment intensity a
标准地 transfer contract commits to (a ``supplied`` event checked against
``Policy.investment_minimums`` in :mod:`landasset.lifecycle`).

The table is the user's: a YAML file read through the configuration kit::

    version: 1
    name: my-county-2024
    example: false            # true marks a table whose figures are not real
    unit: 10k CNY per mu      # or "10k CNY per ha" (万元/公顷, read ÷ 15 into per mu)
    sources: [...]            # optional
    minimums:
      "1":                    # region class, as text; "*" applies in any region
        "27": 400             # 2-digit industry code: minimum; "*" = any industry
        "39": 450
      "*":
        "*": 250

A 2-digit code applies to every longer code under it (``"39"`` to ``"3911"`` and
``"C3911"``). The most specific entry wins: a named region class before ``"*"``, then
a named industry code before ``"*"``. The bundled :func:`example_investment_minimums`
shows the format with made-up figures: EXAMPLE ONLY — NOT OFFICIAL FIGURES.

Examples
--------
>>> from landasset.investment import example_investment_minimums
>>> table = example_investment_minimums()
>>> table.example, table.minimum(region_class="1", industry_code="3911")
(True, 450.0)
>>> table.minimum(region_class="elsewhere", industry_code="3911")
400.0
>>> table.match(region_class="elsewhere", industry_code="2611").where
'minimums.*.*'
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from landasset import _config
from landasset._errors import LandassetValueError, ProfileError

__all__ = [
    "ANY",
    "INVESTMENT_UNITS",
    "InvestmentMinimum",
    "InvestmentMinimums",
    "example_investment_minimums",
    "read_investment_minimums",
]

#: The key that matches any region class or any industry code.
ANY = "*"

#: Units a table may be written in, and the factor to 10k CNY per mu (1 ha = 15 mu).
INVESTMENT_UNITS: dict[str, float] = {"10k CNY per mu": 1.0, "10k CNY per ha": 1.0 / 15.0}

_KEYS = ("version", "name", "title", "example", "unit", "sources", "notes", "minimums")


@dataclass(frozen=True)
class InvestmentMinimum:
    """One entry of a table: a region class, an industry code and its minimum (万元/亩)."""

    region_class: str
    industry_code: str
    minimum: float

    @property
    def where(self) -> str:
        """The entry's key path in the file, such as ``minimums.1.39``."""
        return f"minimums.{self.region_class}.{self.industry_code}"

    def describe(self) -> str:
        """The entry in words (for messages)."""
        return (
            f"{self.where} (region class {self.region_class!r}, industry "
            f"{self.industry_code!r}: {self.minimum:g} 万元/亩)"
        )


@dataclass(frozen=True)
class InvestmentMinimums:
    """A minimum investment intensity table, in 10k CNY per mu (万元/亩).

    Read one with :func:`read_investment_minimums`; the bundled example is
    :func:`example_investment_minimums`.

    Attributes
    ----------
    name : str
        The table's name.
    entries : tuple of InvestmentMinimum
        The minima, converted to 万元/亩, in file order.
    example : bool
        True for a table whose figures are not real (the bundled one).
    unit : str
        The unit the file was written in.
    sources : tuple of str
        Where the figures come from.
    """

    name: str
    entries: tuple[InvestmentMinimum, ...]
    example: bool = False
    unit: str = "10k CNY per mu"
    sources: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.entries)

    def match(
        self, *, region_class: str | None, industry_code: str | None
    ) -> InvestmentMinimum | None:
        """The entry that applies to a region class and industry code, or None.

        Parameters
        ----------
        region_class : str or None
            The region class; None matches only ``"*"`` entries.
        industry_code : str or None
            A national economic classification code (``"39"``, ``"3911"``, ``"C3911"``);
            None matches only ``"*"`` entries.

        Returns
        -------
        InvestmentMinimum or None
            The most specific entry: region class named before ``"*"``, then industry
            code named before ``"*"``.

        Examples
        --------
        >>> table = example_investment_minimums()
        >>> table.match(region_class="2", industry_code="C3911").describe()
        "minimums.2.39 (region class '2', industry '39': 400 万元/亩)"
        """
        lookup = self._by_key()
        region = None if region_class is None else str(region_class).strip()
        code = _two_digit(industry_code)
        for key in _candidates(region, code):
            if key in lookup:
                return lookup[key]
        return None

    def minimum(self, *, region_class: str | None, industry_code: str | None) -> float:
        """The minimum (万元/亩) for a region class and industry code; NaN when none applies.

        Examples
        --------
        >>> table = example_investment_minimums()
        >>> table.minimum(region_class="2", industry_code="27")
        350.0
        >>> table.minimum(region_class="1", industry_code=None)
        250.0
        """
        found = self.match(region_class=region_class, industry_code=industry_code)
        return math.nan if found is None else found.minimum

    def minimums(
        self, *, region_classes: Iterable[Any], industry_codes: Iterable[Any]
    ) -> np.ndarray:
        """The minimum for each (region class, industry code) pair, vectorised; NaN where none.

        Parameters
        ----------
        region_classes, industry_codes : iterables of the same length
            Region classes and industry codes (None/NaN: unknown, matched by ``"*"`` only).

        Returns
        -------
        ndarray of float

        Examples
        --------
        >>> table = example_investment_minimums()
        >>> table.minimums(
        ...     region_classes=["1", "2", "9", None], industry_codes=["3911", "27", "27", "65"]
        ... ).tolist()
        [450.0, 350.0, 250.0, 250.0]
        """
        regions = pd.Series(_values(region_classes), dtype=object)
        codes = pd.Series(_values(industry_codes), dtype=object)
        if len(regions) != len(codes):
            raise LandassetValueError(
                f"{len(regions)} region classes but {len(codes)} industry codes; give one of "
                "each per item"
            )
        named_regions = sorted({e.region_class for e in self.entries} - {ANY})
        named_codes = sorted({e.industry_code for e in self.entries} - {ANY})
        # a grid of minima; the last row and column are the "*" entries
        grid = np.full((len(named_regions) + 1, len(named_codes) + 1), np.nan)
        r_at = {r: i for i, r in enumerate(named_regions)}
        c_at = {c: i for i, c in enumerate(named_codes)}
        for e in self.entries:
            grid[r_at.get(e.region_class, -1), c_at.get(e.industry_code, -1)] = e.minimum
        # each distinct value is normalised once, then every item is a numpy lookup
        r_codes, r_uniques = pd.factorize(regions)
        r_rows = np.array([r_at.get(str(u).strip(), -1) for u in r_uniques] + [-1], dtype=np.intp)
        row = r_rows[r_codes]  # -1: no named region class (its NaN code -1 hits the pad)
        c_codes, c_uniques = pd.factorize(codes)
        c_cols = np.array(
            [c_at.get(_two_digit(u) or "", -1) for u in c_uniques] + [-1], dtype=np.intp
        )
        col = c_cols[c_codes]
        any_row, any_col = len(named_regions), len(named_codes)
        has_row, has_col = row >= 0, col >= 0
        row_or_any = np.where(has_row, row, any_row)
        col_or_any = np.where(has_col, col, any_col)
        result = np.where(has_row & has_col, grid[row_or_any, col_or_any], np.nan)
        for candidate, usable in (
            (grid[row_or_any, any_col], has_row),
            (grid[any_row, col_or_any], has_col),
            (np.full(len(row), grid[any_row, any_col]), np.ones(len(row), dtype=bool)),
        ):
            result = np.where(np.isnan(result) & usable, candidate, result)
        return result

    def to_series(self) -> pd.Series:
        """``investment_min_10k_cny_per_mu`` by (``region_class``, ``industry_code``), sorted.

        Examples
        --------
        >>> float(example_investment_minimums().to_series().loc[("1", "39")])
        450.0
        """
        index = pd.MultiIndex.from_tuples(
            [(e.region_class, e.industry_code) for e in self.entries],
            names=["region_class", "industry_code"],
        )
        series = pd.Series([e.minimum for e in self.entries], index=index, dtype=float)
        return series.rename("investment_min_10k_cny_per_mu").sort_index()

    def to_frame(self) -> pd.DataFrame:
        """The table as columns ``region_class``, ``industry_code``, ``investment_min_10k_cny_per_mu``.

        Examples
        --------
        >>> list(example_investment_minimums().to_frame().columns)
        ['region_class', 'industry_code', 'investment_min_10k_cny_per_mu']
        """
        return self.to_series().reset_index()

    def _by_key(self) -> dict[tuple[str, str], InvestmentMinimum]:
        return {(e.region_class, e.industry_code): e for e in self.entries}


def read_investment_minimums(source: str | os.PathLike[str]) -> InvestmentMinimums:
    """Read a minimum investment intensity table (YAML; see :mod:`landasset.investment`).

    Parameters
    ----------
    source : str or path-like
        A path to the file or the YAML text itself.

    Returns
    -------
    InvestmentMinimums
        Minima converted to 万元/亩 (a table in ``10k CNY per ha`` is read ÷ 15).

    Raises
    ------
    ProfileError
        A key or value is wrong; the message names the key path and what to write.
    LandassetIOError
        A path that does not exist.

    Examples
    --------
    >>> table = read_investment_minimums('''
    ... version: 1
    ... name: county
    ... unit: 10k CNY per ha
    ... minimums: {"1": {"27": 6000, "39": 7500}}
    ... ''')
    >>> table.minimum(region_class="1", industry_code="2711"), table.example
    (400.0, False)
    """
    text, origin = _config.read_source(source, what="investment table")
    return _table(_config.load_yaml(text, origin=origin), origin)


def example_investment_minimums() -> InvestmentMinimums:
    """The bundled EXAMPLE table: the file format, NOT official figures.

    Its ``example`` is True; the file is
    ``landasset/tables/investment-minimums-example.yaml``.

    Examples
    --------
    >>> table = example_investment_minimums()
    >>> table.example, table.name
    (True, 'investment-minimums-example')
    """
    resource = resources.files("landasset") / "tables" / "investment-minimums-example.yaml"
    origin = "bundled investment table 'investment-minimums-example'"
    return _table(_config.load_yaml(resource.read_text(encoding="utf-8"), origin=origin), origin)


def _candidates(region: str | None, code: str | None) -> list[tuple[str, str]]:
    """The keys that may apply, most specific first."""
    regions = ([region] if region is not None and region != ANY else []) + [ANY]
    codes = ([code] if code is not None else []) + [ANY]
    return [(r, c) for r in regions for c in codes]


def _two_digit(code: object) -> str | None:
    """The 2-digit industry division of a code (``"C3911"`` → ``"39"``), or None."""
    if code is None or (isinstance(code, float) and math.isnan(code)):
        return None
    text = str(code).strip()
    if text[:1].isalpha():
        text = text[1:]
    head = text[:2]
    return head if len(head) == 2 and head.isdigit() else None


def _values(items: Iterable[Any]) -> Any:
    """An array-like of the items, without copying arrays and Series item by item."""
    if isinstance(items, np.ndarray | pd.Series | pd.Index):
        return np.asarray(items, dtype=object)
    return list(items)


def _table(data: Any, origin: str) -> InvestmentMinimums:
    def fail(where: str, message: str) -> ProfileError:
        return ProfileError(f"{origin}, {where}: {message}" if where else f"{origin}: {message}")

    if not isinstance(data, Mapping):
        raise fail("", f"expected a mapping with keys {', '.join(_KEYS)}")
    unknown = [k for k in data if k not in _KEYS]
    if unknown:
        raise fail(str(unknown[0]), f"unknown key; use one of: {', '.join(_KEYS)}")
    for key in ("version", "name", "unit", "minimums"):
        if key not in data:
            raise fail("", f"missing required key {key!r}")
    if data["version"] != 1 or isinstance(data["version"], bool):
        raise fail(
            "version",
            f"{data['version']!r} is not a table format this release reads; use version: 1",
        )
    unit = data["unit"]
    if unit not in INVESTMENT_UNITS:
        raise fail(
            "unit", f"{unit!r} is not a unit; use one of: " + ", ".join(map(repr, INVESTMENT_UNITS))
        )
    example = data.get("example", False)
    if not isinstance(example, bool):
        raise fail("example", f"expected true or false, got {example!r}")
    sources = data.get("sources") or []
    if not isinstance(sources, list):
        raise fail("sources", f"expected a list of texts, got {sources!r}")
    minimums = data["minimums"]
    if not isinstance(minimums, Mapping) or not minimums:
        raise fail("minimums", "expected a mapping of region class to {industry code: minimum}")
    entries: dict[tuple[str, str], InvestmentMinimum] = {}
    for region, by_code in minimums.items():
        region_text = str(region).strip()
        if isinstance(region, bool) or not region_text:
            raise fail(
                "minimums", f"{region!r} is not a region class; use text such as '1', or '*'"
            )
        where = f"minimums.{region_text}"
        if not isinstance(by_code, Mapping) or not by_code:
            raise fail(where, "expected a mapping of 2-digit industry code (or '*') to minimum")
        for code, value in by_code.items():
            code_text = str(code).strip()
            if code_text != ANY and (
                isinstance(code, bool) or not (code_text.isdigit() and len(code_text) <= 2)
            ):
                raise fail(
                    where,
                    f'{code!r} is not a 2-digit industry code; quote it, as "27" (it also '
                    'applies to the 4-digit codes under it), or "*" for any industry',
                )
            code_text = code_text if code_text == ANY else code_text.zfill(2)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not np.isfinite(value)
                or value <= 0
            ):
                raise fail(f"{where}.{code_text}", f"expected a positive number, got {value!r}")
            if (region_text, code_text) in entries:
                raise fail(f"{where}.{code_text}", "listed twice")
            entries[(region_text, code_text)] = InvestmentMinimum(
                region_text, code_text, float(value) * INVESTMENT_UNITS[unit]
            )
    return InvestmentMinimums(
        name=str(data["name"]),
        entries=tuple(entries.values()),
        example=example,
        unit=unit,
        sources=tuple(str(x) for x in sources),
    )
