"""Run one landasset operation for the QGIS plugin, in the library's own Python.

The plugin starts this file with the Python interpreter that has landasset (QGIS's
own, or a configured virtual environment) and never imports landasset inside QGIS:
QGIS's Python may already hold its own numpy, which the library's compiled wheels
cannot share. Nothing here imports QGIS.

Protocol: one JSON request on stdin, ``{"op": ..., "args": {...}}``; on stdout one
line per message:

``PROGRESS <0-100> <text>``
    how far the run is;
``INFO <text>``
    a note or a library warning, shown in the algorithm's log;
``RESULT <json>``
    the figures the algorithm returns (written once, at the end);
``ERROR <text>``
    why the run stopped: the library's own message.

Exit status: 0 done, 2 the library refused the input (a ``LandassetError``), 1 an
unexpected failure (its traceback goes to the file named by ``debug_log``, never to
the user's screen).
"""

from __future__ import annotations

import json
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_UNEXPECTED, EXIT_INPUT = 0, 1, 2


def emit(kind: str, text: str) -> None:
    """One protocol line on stdout (newlines in ``text`` become spaces)."""
    sys.stdout.write(f"{kind} {' '.join(str(text).splitlines())}\n")
    sys.stdout.flush()


def progress(percent: float, text: str = "") -> None:
    emit("PROGRESS", f"{max(0, min(100, int(percent)))} {text}".rstrip())


def info(text: str) -> None:
    emit("INFO", text)


# -- helpers -------------------------------------------------------------------------------


def _day(value: Any, what: str) -> Any:
    """A day from ``YYYY-MM-DD`` by the library's one date rule; empty means no date."""
    from landasset._dates import to_day_or_none

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_day_or_none(value.strip() if isinstance(value, str) else value, what=what)


def _site(path: str) -> Any:
    from landasset.site import read_site

    progress(2, "reading the site")
    site = read_site(path)
    for problem in site.report.problems:
        if problem.severity in ("warning", "note"):
            info(f"{problem.kind}: {problem.problem} ({problem.fix})")
    return site


@contextmanager
def _stages(path: str) -> Iterator[Any]:
    """The site file's lifecycle ledger, read-only (None when the file has none)."""
    from landasset.lifecycle import Ledger, has_ledger

    if not has_ledger(path):
        yield None
        return
    with Ledger.open(path, read_only=True) as ledger:
        yield ledger


def _write(gdf: Any, output: str, layer: str) -> dict[str, Any]:
    """Write a layer (styled, with Chinese aliases, by the library's writer)."""
    from landasset.io import format_for, write_layer

    progress(95, "writing the output")
    name = layer if format_for(output) == "GPKG" else None
    write_layer(gdf, output, layer=name, overwrite=True)
    info(f"wrote {len(gdf)} rows to {output}" + (f" (layer {name})" if name else ""))
    return {"output": output, "layer": name, "rows": len(gdf)}


def _score(args: dict[str, Any], site: Any, model: Any) -> Any:
    steps = max(1, len(model.measure_specs()))
    done = [0]

    def advance(label: str) -> None:
        done[0] += 1
        progress(5 + 85 * done[0] / steps, f"measure {label}")

    with _stages(args["site"]) as ledger:
        return model.score(
            site, as_of=_day(args.get("as_of"), "as_of"), stages=ledger, progress=advance
        )


def _top(result: Any, n: int = 5) -> list[str]:
    ranked = result[result["rank"].notna()].sort_values(["rank", "score"], ascending=[True, False])
    return [str(i) for i in ranked.index[:n]]


def _records(frame: Any) -> list[dict[str, Any]]:
    """Rows of a table as JSON-safe dicts (numbers as numbers, the rest as text)."""
    import numpy as np
    import pandas as pd

    rows = []
    for key, row in frame.iterrows():
        out: dict[str, Any] = {frame.index.name or "index": str(key)}
        for column, value in row.items():
            if value is None or (isinstance(value, float) and np.isnan(value)):
                out[str(column)] = None
            elif isinstance(value, (bool, np.bool_)):
                out[str(column)] = bool(value)
            elif isinstance(value, (int, np.integer)):
                out[str(column)] = int(value)
            elif isinstance(value, (float, np.floating)):
                out[str(column)] = float(value)
            elif value is pd.NaT:
                out[str(column)] = None
            else:
                out[str(column)] = str(value)
        rows.append(out)
    return rows


def _with_geometry(table: Any, layer: Any) -> Any:
    import geopandas as gpd

    keep = [c for c in ("name", "land_use", "zone") if c in layer.columns and c not in table]
    return gpd.GeoDataFrame(
        table.join(layer[[*keep, layer.geometry.name]], how="inner"),
        geometry=layer.geometry.name,
        crs=layer.crs,
    )


# -- operations ----------------------------------------------------------------------------


def op_probe(args: dict[str, Any]) -> dict[str, Any]:
    """The library's version and bundled names (the plugin checks the environment)."""
    import landasset
    from landasset._stages import STAGE_IDS
    from landasset.suitability import list_profiles

    return {
        "version": landasset.__version__,
        "python": sys.executable,
        "profiles": list_profiles(),
        "stages": list(STAGE_IDS),
    }


def op_validate(args: dict[str, Any]) -> dict[str, Any]:
    from landasset.io import read_layers, write_layers
    from landasset.schema import LAYERS, ValidationReport, validate

    progress(5, "reading the layers")
    layers = read_layers(args["site"])
    kinds = [name for name in layers if name in LAYERS]
    for name in layers:
        if name not in LAYERS:
            info(f"layer {name!r} is not a layer kind; not validated")
    fixed_path = args.get("fixed") or None
    report = ValidationReport()
    fixed: dict[str, Any] = {}
    for i, kind in enumerate(kinds):
        checked = validate(
            layers[kind],
            kind,
            fix=fixed_path is not None,
            overlap_tolerance_m2=float(args.get("overlap_tolerance_m2", 1.0)),
        )
        report.extend(checked)
        if checked.data is not None:
            fixed[kind] = checked.data
        progress(10 + 80 * (i + 1) / max(1, len(kinds)), f"checked {kind}")
    frame = report.to_frame()
    columns = ["severity", "kind", "id", "column", "problem", "fix"]
    problems = (
        [
            {c: (None if row[c] is None else str(row[c])) for c in columns}
            for row in frame[columns].to_dict("records")
        ]
        if len(frame)
        else []
    )
    info(report.summary())
    written = None
    if fixed_path is not None:
        if report.ok and fixed:
            progress(95, "writing the repaired site")
            write_layers(fixed, fixed_path, overwrite=True)
            written = fixed_path
            info(f"wrote the repaired layers to {fixed_path}")
        else:
            info("errors remain after the repairs: the repaired site was not written")
    return {
        "ok": bool(report.ok),
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "repairs": len(report.repairs),
        "layers": kinds,
        "summary": report.summary(),
        "problems": problems,
        "fixed": written,
    }


def op_score(args: dict[str, Any]) -> dict[str, Any]:
    from landasset.suitability import load_profile

    model = load_profile(args["profile"])
    site = _site(args["site"])
    result = _score(args, site, model)
    out = _write(result, args["output"], args.get("layer") or "parcels")
    out.update(
        top=_top(result),
        eligible=int(result["eligible"].sum()),
        profile=model.name,
    )
    return out


def op_explain(args: dict[str, Any]) -> dict[str, Any]:
    import difflib

    from landasset._errors import LandassetValueError
    from landasset.suitability import load_profile

    model = load_profile(args["profile"])
    site = _site(args["site"])
    parcel_id = str(args["parcel_id"]).strip()
    ids = [str(i) for i in site.parcels.index]
    if parcel_id not in ids:
        close = difflib.get_close_matches(parcel_id, ids, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise LandassetValueError(f"no parcel {parcel_id!r} in the site ({len(ids)} parcels){hint}")
    result = _score(args, site, model)
    table = model.explain(result, parcel_id)
    facts = table.attrs
    table = table.drop(columns=[c for c in ("transform",) if c in table.columns])
    table.index.name = "criterion"
    rank = facts.get("rank")
    return {
        "parcel_id": parcel_id,
        "score": float(facts["score"]),
        "rank": None if rank is None else int(rank),
        "excluded_by": facts.get("excluded_by") or None,
        "profile": model.name,
        "criteria": _records(table),
    }


def op_best_fit(args: dict[str, Any]) -> dict[str, Any]:
    from landasset._errors import LandassetValueError
    from landasset.suitability import best_fit, load_profile

    names = [p.strip() for p in str(args["profiles"]).replace(";", ",").split(",") if p.strip()]
    if not names:
        raise LandassetValueError("name at least one profile, e.g. aerospace,ai")
    models = [load_profile(name) for name in names]
    site = _site(args["site"])
    progress(10, f"scoring {len(models)} profiles")
    with _stages(args["site"]) as ledger:
        fit = best_fit(
            site,
            models,
            margin=float(args.get("margin", 0.05)),
            min_score=float(args.get("min_score", 0.0)),
            as_of=_day(args.get("as_of"), "as_of"),
            stages=ledger,
        )
    retired = fit.attrs.get("retired_parcels") or []
    if retired:
        info(f"left out {len(retired)} retired parcel(s) (split or merged)")
    out = _write(_with_geometry(fit, site.parcels), args["output"], args.get("layer") or "best_fit")
    out["wins"] = {str(k): int(v) for k, v in fit["best"].value_counts().items()}
    return out


def op_assemble(args: dict[str, Any]) -> dict[str, Any]:
    from landasset.suitability import assemble, load_profile

    model = load_profile(args["profile"])
    site = _site(args["site"])
    result = _score(args, site, model)
    progress(90, "assembling adjacent parcels")
    with _stages(args["site"]) as ledger:
        sites = assemble(
            result,
            demand_mu=float(args["demand_mu"]),
            max_parcels=int(args.get("max_parcels", 5)),
            min_score=float(args.get("min_score", 0.0)),
            tolerance_m=float(args.get("tolerance_m", 1.0)),
            limit=int(args.get("limit", 50)),
            disjoint=not bool(args.get("overlapping", False)),
            stages=ledger,
            as_of=_day(args.get("as_of"), "as_of"),
        )
    if sites.empty:
        info(f"no group of adjacent parcels reaches {args['demand_mu']} mu")
    out = _write(sites, args["output"], args.get("layer") or "candidate_sites")
    out["limit_reached"] = bool(sites.attrs.get("limit_reached", False))
    return out


def op_record(args: dict[str, Any]) -> dict[str, Any]:
    from landasset._errors import LandassetValueError
    from landasset.io import list_layers, read_layer
    from landasset.lifecycle import Ledger

    path = args["site"]
    data: dict[str, Any] = {}
    for item in str(args.get("fields") or "").replace("\n", ";").split(";"):
        if not item.strip():
            continue
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise LandassetValueError(
                f"{item.strip()!r} is not KEY=VALUE; write fields as "
                "contract_id=3301-2024-007;mode=listing"
            )
        if key.strip() in data:
            raise LandassetValueError(f"the field {key.strip()} is given twice")
        data[key.strip()] = value.strip()
    day = _day(args.get("on"), "on")
    if day is None:
        raise LandassetValueError("the day of the event is missing; write it as YYYY-MM-DD")
    known = None
    if "parcels" in list_layers(path):
        parcels = read_layer(path, layer="parcels")
        ids = parcels["parcel_id"] if "parcel_id" in parcels.columns else parcels.index
        known = [str(p) for p in ids]
    progress(50, "recording")
    with Ledger.open(path, known_parcels=known) as ledger:
        event = ledger.record(
            str(args["parcel_id"]).strip(),
            str(args["stage"]),
            day.date(),
            actor=str(args.get("actor") or "landasset"),
            **data,
        )
    info(f"recorded event {event.event_id}: {event.parcel_id} → {event.stage} on {event.date}")
    return {
        "event_id": int(event.event_id),
        "parcel_id": str(event.parcel_id),
        "stage": str(event.stage),
        "date": str(event.date),
    }


def op_idle_land(args: dict[str, Any]) -> dict[str, Any]:
    from landasset.io import read_layer
    from landasset.lifecycle import Ledger, idle_land

    path = args["site"]
    progress(10, "reading the ledger")
    with Ledger.open(path, read_only=True) as ledger:
        table = idle_land(ledger, as_of=_day(args.get("as_of"), "as_of"))
    parcels = read_layer(path, "parcels")
    out = _write(_with_geometry(table, parcels), args["output"], args.get("layer") or "idle_land")
    out["status"] = {str(k): int(v) for k, v in table["status"].value_counts().items()}
    return out


def op_low_efficiency(args: dict[str, Any]) -> dict[str, Any]:
    from landasset.efficiency import by_parcel, evaluate
    from landasset.lifecycle import LOW_EFFICIENCY, Ledger, low_efficiency

    site = _site(args["site"])
    evaluation = None
    if args.get("year"):
        progress(20, "grading the enterprises")
        buildings = site.buildings if "buildings" in site else None
        graded = evaluate(
            site.enterprises,
            site.parcels,
            year=int(args["year"]),
            scheme=args.get("scheme") or "zhejiang-2018",
            buildings=buildings,
        )
        evaluation = by_parcel(graded, site.parcels)
    progress(50, "reading the ledger")
    with Ledger.open(args["site"], read_only=True) as ledger:
        table = low_efficiency(
            ledger, site, as_of=_day(args.get("as_of"), "as_of"), evaluation=evaluation
        )
    flags = [c for c in LOW_EFFICIENCY if c in table.columns]
    flagged = table[table[flags].any(axis=1)] if flags else table.iloc[:0]
    out = _write(
        _with_geometry(flagged, site.parcels), args["output"], args.get("layer") or "low_efficiency"
    )
    out["categories"] = {c: int(table[c].sum()) for c in flags}
    return out


def op_efficiency(args: dict[str, Any]) -> dict[str, Any]:
    from landasset._errors import LandassetValueError
    from landasset.efficiency import by_parcel, evaluate, load_scheme, with_geometry

    by = args.get("by") or "enterprise"
    if by not in ("enterprise", "parcel"):
        raise LandassetValueError(f"{by!r} is not a level; use one of: 'enterprise', 'parcel'")
    scheme = load_scheme(args.get("scheme") or "zhejiang-2018")
    site = _site(args["site"])
    progress(30, "grading the enterprises")
    buildings = site.buildings if "buildings" in site else None
    graded = evaluate(
        site.enterprises, site.parcels, year=int(args["year"]), scheme=scheme, buildings=buildings
    )
    if by == "enterprise":
        layer = with_geometry(graded, site.enterprises, keep=())
    else:
        layer = with_geometry(by_parcel(graded, site.parcels), site.parcels)
    out = _write(layer, args["output"], args.get("layer") or "efficiency")
    out["grades"] = {
        str(k): int(v)
        for k, v in graded["grade"]
        .value_counts()
        .reindex(list(scheme.grades), fill_value=0)
        .items()
    }
    out["ungraded"] = int(graded["grade"].isna().sum())
    return out


def op_report(args: dict[str, Any]) -> dict[str, Any]:
    from landasset._errors import LandassetValueError

    try:
        import matplotlib
    except ImportError:
        raise LandassetValueError(
            "the report draws its maps with matplotlib, which is not installed in the "
            "landasset environment; install the viz extra: pip install 'landasset[viz]'"
        ) from None
    matplotlib.use("Agg")

    from landasset.efficiency import evaluate
    from landasset.suitability import load_profile
    from landasset.viz import report

    profile = (args.get("profile") or "").strip()
    model = load_profile(profile) if profile else None
    site = _site(args["site"])
    evaluation = None
    if args.get("year"):
        progress(20, "grading the enterprises")
        buildings = site.buildings if "buildings" in site else None
        evaluation = evaluate(
            site.enterprises,
            site.parcels,
            year=int(args["year"]),
            scheme=args.get("scheme") or "zhejiang-2018",
            buildings=buildings,
        )
    progress(40, "drawing the report")
    with _stages(args["site"]) as ledger:
        path = report(
            site,
            model=model,
            ledger=ledger,
            evaluation=evaluation,
            as_of=_day(args.get("as_of"), "as_of"),
            path=args["output"],
            title=(args.get("title") or None),
            top_k=int(args.get("top", 20)),
            overwrite=True,
        )
    return {"output": str(path)}


def op_match(args: dict[str, Any]) -> dict[str, Any]:
    """A project matched to the site's land and space: the shortlist layer (and a memo)."""
    from pathlib import Path

    from landasset._errors import LandassetValueError
    from landasset.projects import list_projects, load_project, match

    given = str(args.get("project") or "").strip()
    if not given:
        raise LandassetValueError(
            f"give a project: a project YAML file or a bundled name ({', '.join(list_projects())})"
        )
    memo = str(args.get("memo") or "").strip()
    if memo and Path(memo).suffix.lower() not in (".html", ".htm"):
        raise LandassetValueError(f"{Path(memo).name} is not an .html file; name the memo *.html")
    project = load_project(Path(given) if Path(given).suffix else given)
    site = _site(args["site"])
    progress(20, "matching the project")
    with _stages(args["site"]) as ledger:
        result = match(
            project,
            site,
            as_of=_day(args.get("as_of"), "as_of"),
            stages=ledger,
            limit=int(args.get("limit", 20)),
        )
    offered = result.offered
    info(
        f"{int(offered['candidates']):,} candidates checked, {int(offered['passing']):,} pass "
        f"every condition; keeping {len(result)}"
    )
    progress(90, "writing the shortlist")
    output = args["output"]
    result.to_file(output, overwrite=True)
    info(f"wrote {len(result)} candidates to {output}")
    out: dict[str, Any] = {
        "output": output,
        "layer": "shortlist" if output.lower().endswith(".gpkg") else None,
        "rows": len(result),
        "candidates": [str(i) for i in result.candidates.index],
        "memo": None,
    }
    if memo:
        try:
            import matplotlib
        except ImportError:
            raise LandassetValueError(
                "the memo draws its map with matplotlib, which is not installed in the "
                "landasset environment; install the viz extra: pip install 'landasset[viz]'"
            ) from None
        matplotlib.use("Agg")
        from landasset.viz import match_memo

        progress(95, "writing the memo")
        match_memo(result, site, memo, top_k=int(args.get("top", 5)), overwrite=True)
        out["memo"] = memo
    return out


OPERATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "probe": op_probe,
    "validate": op_validate,
    "score": op_score,
    "explain": op_explain,
    "best_fit": op_best_fit,
    "assemble": op_assemble,
    "record": op_record,
    "idle_land": op_idle_land,
    "low_efficiency": op_low_efficiency,
    "efficiency": op_efficiency,
    "report": op_report,
    "match": op_match,
}


def first_line(exc: BaseException) -> str:
    """The message of an exception on one line (a KeyError without its quotes)."""
    message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
    lines = [line.strip() for line in str(message).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    first, rest = lines[0], lines[1:]
    if first.endswith(":") and rest:  # "3 problems:" + the first of them
        first, rest = f"{first} {rest[0]}", rest[1:]
    return first + (f" (+{len(rest)} more)" if rest else "")


def main() -> int:
    request = json.loads(sys.stdin.read() or "{}")
    debug_log = request.get("debug_log")
    try:
        from landasset._errors import LandassetError
    except ImportError as exc:
        emit("ERROR", f"landasset cannot be imported by {sys.executable}: {first_line(exc)}")
        return EXIT_INPUT
    op = request.get("op")
    if op not in OPERATIONS:
        emit("ERROR", f"{op!r} is not an operation; use one of: {', '.join(OPERATIONS)}")
        return EXIT_INPUT
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = OPERATIONS[op](request.get("args") or {})
        seen: set[str] = set()
        for w in caught:
            text = str(w.message).strip().splitlines()[0] if str(w.message).strip() else ""
            if text and text not in seen:
                seen.add(text)
                info(f"warning: {text}")
    except LandassetError as exc:
        for line in str(exc).strip().splitlines()[1:]:
            if line.strip():
                info(line.strip())
        emit("ERROR", first_line(exc))
        return EXIT_INPUT
    except Exception as exc:  # a defect: one line for the user, the traceback to a file
        where = ""
        if debug_log:
            Path(debug_log).write_text(traceback.format_exc(), encoding="utf-8")
            where = f"; details in {debug_log}"
        emit(
            "ERROR",
            f"unexpected error, please report: {type(exc).__name__}: {first_line(exc)}{where}",
        )
        return EXIT_UNEXPECTED
    progress(100, "done")
    emit("RESULT", json.dumps(result, ensure_ascii=False))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
