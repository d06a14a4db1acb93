"""Investment-intensity control tables: minimum investment per mu by region and industry.

The national industrial land control indicators (国土资发〔2008〕24号) set a minimum
fixed-asset investment per unit of land by region class and industry; provinces and
counties publish their own. The table is the user's: :func:`read_investment_controls`
reads it from a CSV file with the columns ``region``, ``industry`` and
``min_investment_10k_cny_per_mu`` (and optionally ``note``; lines starting with ``#``
are comments). ``*`` in ``region`` or ``industry`` matches any; ``industry`` is a
2-digit national economic classification code (GB/T 4754) and matches every code
starting with it. The bundled :data:`EXAMPLE_INVESTMENT_CONTROLS` shows the format
with made-up figures: it is an example, not a legal table.

Examples
--------
>>> from landasset.lifecycle import read_investment_controls, EXAMPLE_INVESTMENT_CONTROLS
>>> controls = read_investment_controls(EXAMPLE_INVESTMENT_CONTROLS)
>>> controls.minimum(region="example-county", industry="3911")
(450.0, 3)
>>> controls.minimum(region="elsewhere", industry="2611")
(250.0, 0)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from landasset._errors import LandassetIOError, SchemaError

__all__ = ["EXAMPLE_INVESTMENT_CONTROLS", "InvestmentControls", "read_investment_controls"]

#: The bundled example table (made-up figures; the format, not the law).
EXAMPLE_INVESTMENT_CONTROLS: Path = Path(
    str(resources.files("landasset.lifecycle") / "data" / "investment_controls_example.csv")
)

_COLUMNS = ("region", "industry", "min_investment_10k_cny_per_mu")


@dataclass(frozen=True)
class InvestmentControl:
    """One row of a control table."""

    region: str
    industry: str
    minimum: float
    note: str = ""


class InvestmentControls:
    """A control table: minimum investment per mu (10k CNY) by region and industry.

    Build it with :func:`read_investment_controls` (a file) or from rows
    ``InvestmentControls([("*", "39", 400.0), ...])``.

    Raises
    ------
    SchemaError
        A minimum that is not a number ≥ 0, an industry that is not ``*`` or a
        2-digit code, or two rows for the same region and industry.
    """

    def __init__(self, rows: Iterable[tuple[str, str, float] | tuple[str, str, float, str]]):
        seen: dict[tuple[str, str], int] = {}
        clean: list[InvestmentControl] = []
        for i, row in enumerate(rows):
            region, industry, minimum, *rest = row
            region, industry = str(region).strip(), str(industry).strip()
            if industry.endswith(".0"):  # a code read as a number
                industry = industry[:-2]
            if industry != "*" and not (len(industry) == 2 and industry.isdigit()):
                raise SchemaError(
                    f"row {i}: industry {industry!r} is not a 2-digit national economic "
                    "classification code (such as '39') or '*' for any industry"
                )
            try:
                value = float(minimum)
            except (TypeError, ValueError):
                value = float("nan")
            if not value >= 0:
                raise SchemaError(
                    f"row {i}: min_investment_10k_cny_per_mu {minimum!r} is not a number ≥ 0 "
                    "(10k CNY per mu, such as 300)"
                )
            key = (region, industry)
            if key in seen:
                raise SchemaError(
                    f"rows {seen[key]} and {i} both set the minimum for region {region!r} and "
                    f"industry {industry!r}; keep one"
                )
            seen[key] = i
            note = str(rest[0]) if rest and pd.notna(rest[0]) else ""
            clean.append(InvestmentControl(region, industry, value, note))
        self.rows: tuple[InvestmentControl, ...] = tuple(clean)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"InvestmentControls({len(self.rows)} rows)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, InvestmentControls) and self.rows == other.rows

    __hash__ = None  # type: ignore[assignment]

    def minimum(self, *, region: str | None, industry: str | None) -> tuple[float, int] | None:
        """The minimum for a contract's region and industry code, and its row number.

        The most specific row applies: region and industry both named, then region,
        then industry, then ``*``/``*``. None when no row applies.
        """
        code = "" if industry is None else str(industry).strip()
        place = None if region is None else str(region).strip()
        best: tuple[int, int] | None = None
        for i, row in enumerate(self.rows):
            region_ok = row.region == "*" or (place is not None and row.region == place)
            industry_ok = row.industry == "*" or code[:2] == row.industry
            if not (region_ok and industry_ok):
                continue
            rank = 2 * (row.region != "*") + (row.industry != "*")
            if best is None or rank > best[0]:
                best = (rank, i)
        if best is None:
            return None
        return self.rows[best[1]].minimum, best[1]

    def _describe_row(self, i: int) -> str:
        """Row ``i`` in words (for messages)."""
        row = self.rows[i]
        return (
            f"row {i} (region {row.region!r}, industry {row.industry!r}: {row.minimum:g} 万元/亩)"
        )

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame (columns as in the file)."""
        return pd.DataFrame(
            [(r.region, r.industry, r.minimum, r.note) for r in self.rows],
            columns=[*_COLUMNS, "note"],
        )


def read_investment_controls(source: str | os.PathLike[str] | pd.DataFrame) -> InvestmentControls:
    """Read an investment-intensity control table from a CSV file (or a DataFrame).

    Parameters
    ----------
    source : path-like or DataFrame
        A UTF-8 CSV with the columns ``region``, ``industry``,
        ``min_investment_10k_cny_per_mu`` (and optionally ``note``); ``#`` starts a
        comment line. See :data:`EXAMPLE_INVESTMENT_CONTROLS`.

    Returns
    -------
    InvestmentControls

    Raises
    ------
    LandassetIOError
        The file cannot be read.
    SchemaError
        A column is missing or a row is invalid (the message names it).

    Examples
    --------
    >>> import pandas as pd
    >>> table = read_investment_controls(pd.DataFrame(
    ...     {"region": ["*"], "industry": ["26"], "min_investment_10k_cny_per_mu": [380]}))
    >>> table.minimum(region=None, industry="2614"), table.minimum(region=None, industry="3911")
    ((380.0, 0), None)
    """
    if isinstance(source, pd.DataFrame):
        frame = source
        where = "the table"
    else:
        where = str(source)
        try:
            frame = pd.read_csv(source, comment="#", dtype=str, encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LandassetIOError(
                f"cannot read the investment control table {where}: {exc}; give a UTF-8 CSV"
            ) from exc
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(
            f"{where} lacks the column(s) {missing}; an investment control table has "
            f"{list(_COLUMNS)} (and optionally 'note')"
        )
    notes = frame["note"] if "note" in frame.columns else pd.Series("", index=frame.index)
    return InvestmentControls(
        zip(
            frame["region"].astype(str),
            frame["industry"].astype(str),
            frame["min_investment_10k_cny_per_mu"],
            notes,
            strict=True,
        )
    )
