"""The public API keeps its shape: data first, options keyword-only, one spelling per
concept, a docstring everywhere, every error class in one place.

The walk covers ``landasset.__all__`` and the ``__all__`` of every public module and
subpackage: functions, classes and the public methods classes define.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import landasset

#: Parameters that carry the data a call works on (layers, frames, the site, the
#: ledger, a result, a model, a file), or that name the one thing it is about (a
#: parcel id, a layer kind, a profile name): these may come positionally, and may
#: be optional (``Scheme.to_yaml(path=None)`` returns the text). Anything else is an
#: option and must be keyword-only.
DATA_PARAMS = frozenset(
    {
        # layers, frames and the objects built from them
        "parcels",
        "buildings",
        "axes",
        "streets",
        "stations",
        "amenities",
        "constraints",
        "enterprises",
        "spaces",
        "features",
        "points",
        "targets",
        "origins",
        "graph",
        "geometries",
        "geometry",
        "bbox_or_geometry",
        "gdf",
        "layers",
        "frame",
        "table",
        "site",
        "ledger",
        "result",
        "model",
        "evaluation",
        "sensitivity",
        "best_fit_frame",
        "assembled_sites",
        "result_or_site",
        "measures",
        "store",
        "profiles",
        "other",
        "rows",
        "page",
        "caught",
        # files and parsed file content
        "path",
        "path_or_text",
        "name_or_path",
        "source",
        "data",
        "spec",
        "specs",
        "styles",
        "tables",
        # a database (a PostgreSQL URL, like a path) and the login role a grant is for
        "url",
        "login",
        # numbers and arrays a function transforms
        "matrix",
        "weights",
        "order_weights",
        "benefit",
        "ranks",
        "values",
        "value",
        "codes",
        "columns",
        "lon",
        "lat",
        "crs",
        "obj",
        "spread",
        "m",
        "n_parcels",
        # what the call is about
        "name",
        "function",
        "kind",
        "layer",
        "theme",
        "datum",
        "parcel_id",
        "parcel_ids",
        "event_id",
        "stage",
        "target",
        "current",
        "land_use",
        "agreed_start",
        "permitted_on",
        # the definition of a measure: which column, which industry, how far
        "column",
        "industry",
        "radius",
        # the fields of a lifecycle event: record(parcel_id, stage, on), split(..., into, on)
        "into",
        # the service: whose token, which action a role may take, the configuration served
        "token",
        "action",
        "config",
        "on",
        # a transform is its parameters: linear(best, worst), gaussian(ideal, sigma), ...
        "best",
        "worst",
        "ideal",
        "sigma",
        "mid",
        "steepness",
        "mapping",
        # the fiscal appraisal and the forward schedule: a project, its candidates
        "project",
        "candidates",
        "schedule",
        # a match's result: one candidate explained
        "candidate_id",
    }
)

#: Classes whose constructor takes the fields of a value record (frozen dataclasses
#: read from files or returned as results): their fields are their data.
RECORDS = frozenset(
    {
        "AHPResult", "AxisSegments", "Band", "Bonus", "BuildingOverlaps", "Criterion",
        "DissolvedConstraints", "EdgeSnap", "Event", "Exemption", "FeatureTree", "FieldSpec",
        "Grading", "Indicator", "IndicatorDefinition", "LayerRule", "LayerSpec", "LayerStyle",
        "MeasureRule", "PointTree", "Policy", "Problem", "Scheme", "SensitivityResult",
        "StageRule", "StreetGraph", "SuitabilityModel", "TargetDistances", "Transition", "ValidationReport", "Veto",
        "Appraisal", "FiscalPolicy",
        "MatchResult", "CandidateExplanation",
        "InvestmentMinimum", "InvestmentMinimums",
    }
)  # fmt: skip

#: Positional options on their way to keyword-only (none left: ``as_of`` of the ledger
#: and the KPIs is keyword-only, by position with a FutureWarning for one release).
PENDING: frozenset[str] = frozenset()

#: One concept, one spelling: every other spelling in a group is refused.
SPELLINGS = {
    "top_k": {"top", "n_top", "top_n", "n_best", "topk"},
    "as_of": {"asof", "at", "when", "on_date"},
    "overwrite": {"force", "replace"},
    "max_distance": {"max_dist", "maxdist", "cutoff"},
}

#: ``k`` means a number of classes (mapclassify's spelling) and nothing else.
K_MEANS_CLASSES = {"classify", "plot_scores"}

#: Old spellings kept one release with a FutureWarning (CONVENTIONS, deprecation).
DEPRECATED = {
    "ParcelIndex.nearest:k",
    "plot_sensitivity:top",
    "plot_sites:top",
    "report:top",
}


def _public_modules() -> list[str]:
    names = ["landasset"]
    for info in pkgutil.iter_modules(landasset.__path__):
        if not info.name.startswith("_") and info.name != "cli":  # cli: click commands
            names.append(f"landasset.{info.name}")
    return names


def _callables() -> Iterator[tuple[str, Callable[..., object]]]:
    """``(qualified name, function)`` for every public function and method, once."""
    seen: set[int] = set()
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if inspect.isclass(obj):
                if issubclass(obj, BaseException):
                    continue
                members = [
                    (f"{name}.{key}", value)
                    for key, value in vars(obj).items()
                    if not key.startswith("_") or key == "__init__"
                ]
                for qual, member in members:
                    func = (
                        member.__func__
                        if isinstance(member, classmethod | staticmethod)
                        else member
                    )
                    if not inspect.isfunction(func):
                        continue
                    if qual.endswith(".__init__") and name in RECORDS:
                        assert dataclasses.is_dataclass(obj) or name == "ValidationReport", name
                        continue
                    if id(func) not in seen:
                        seen.add(id(func))
                        yield qual, func
            elif inspect.isfunction(obj) and id(obj) not in seen:
                seen.add(id(obj))
                yield name, obj


CALLABLES = dict(_callables())


def _options_given_positionally() -> list[str]:
    bad = []
    for qual, func in CALLABLES.items():
        for param in inspect.signature(func).parameters.values():
            if param.name in ("self", "cls"):
                continue
            if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD):
                continue
            key = f"{qual}:{param.name}"
            if key in PENDING:
                continue
            if param.name not in DATA_PARAMS:
                bad.append(key)
    return bad


def test_the_walk_finds_the_api() -> None:
    """The walk is not empty: it sees functions, methods and constructors."""
    assert len(CALLABLES) > 150
    for name in ("read_site", "Site.__init__", "Ledger.record", "evaluate", "walk_distance"):
        assert name in CALLABLES


def test_options_are_keyword_only() -> None:
    assert _options_given_positionally() == []


def test_site_takes_its_layers_by_keyword() -> None:
    from landasset import Site

    params = inspect.signature(Site.__init__).parameters
    assert all(p.kind is p.KEYWORD_ONLY for n, p in params.items() if n != "self")
    with pytest.raises(TypeError):
        Site(None)  # type: ignore[misc]


def test_pending_entries_are_still_pending() -> None:
    """Once ``as_of`` is keyword-only, its entry here must go."""
    still = set()
    for key in PENDING:
        qual, param = key.split(":")
        p = inspect.signature(CALLABLES[qual]).parameters[param]
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            still.add(key)
    assert still == PENDING


def test_one_spelling_per_concept() -> None:
    bad = []
    for qual, func in CALLABLES.items():
        for name in inspect.signature(func).parameters:
            key = f"{qual}:{name}"
            if key in DEPRECATED:
                continue
            for canonical, others in SPELLINGS.items():
                if name in others:
                    bad.append(f"{key} (spell it {canonical})")
            if name == "k" and qual not in K_MEANS_CLASSES:
                bad.append(f"{key} (k is a number of classes; a number of best ones is top_k)")
    assert bad == []


def test_deprecated_spellings_still_work_with_a_warning() -> None:
    for key in DEPRECATED:
        qual, old = key.split(":")
        params = inspect.signature(CALLABLES[qual]).parameters
        assert params[old].kind is params[old].KEYWORD_ONLY, key
        assert params[old].default is None, key
        assert "top_k" in params, key
        assert "Deprecated spelling of ``top_k``" in (CALLABLES[qual].__doc__ or ""), key


def test_every_public_function_has_a_docstring() -> None:
    missing = [
        qual
        for qual, func in CALLABLES.items()
        if not qual.endswith(".__init__") and not (func.__doc__ or "").strip()
    ]
    assert missing == []


# -- errors -----------------------------------------------------------------------------


def _error_classes() -> dict[str, type]:
    from landasset import _errors

    return {
        name: obj
        for name, obj in vars(_errors).items()
        if inspect.isclass(obj) and issubclass(obj, Exception | Warning)
    }


def test_every_error_class_is_defined_in_errors() -> None:
    """``class ...Error`` / ``class ...Warning`` appear in ``_errors.py`` only."""
    src = Path(landasset.__file__).parent
    pattern = re.compile(r"^\s*class (\w+(?:Error|Warning))\b", re.MULTILINE)
    elsewhere = {
        f"{path.relative_to(src)}:{name}"
        for path in src.rglob("*.py")
        if path.name != "_errors.py"
        for name in pattern.findall(path.read_text(encoding="utf-8"))
    }
    # the command line's own error is a click exception: click renders it and sets the
    # exit status; defining it in _errors would make `import landasset` import click
    assert elsewhere == {"cli/_common.py:InputError"}
    assert set(_errors_all()) == set(_error_classes())


def _errors_all() -> list[str]:
    from landasset import _errors

    return list(_errors.__all__)


def test_error_classes_report_the_top_level_module() -> None:
    for name, cls in _error_classes().items():
        assert cls.__module__ == "landasset", name
        assert getattr(landasset, name) is cls, f"landasset.{name} is not exported"
        assert name in landasset.__all__


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("landasset.measures", "MeasureError"),
        ("landasset.measures", "UnreachableWarning"),
        ("landasset.suitability", "ConsistencyWarning"),
        ("landasset.suitability", "MissingValueWarning"),
        ("landasset.io", "OutsideChinaWarning"),
        ("landasset.index", "ParcelIndexError"),
        ("landasset.efficiency", "NoEnterpriseForYearWarning"),
    ],
)
def test_errors_are_re_exported_where_they_were(module: str, name: str) -> None:
    assert getattr(importlib.import_module(module), name) is getattr(landasset, name)


def test_argument_errors_are_value_errors() -> None:
    assert issubclass(landasset.MeasureError, landasset.LandassetValueError)
    assert issubclass(landasset.ParcelIndexError, landasset.LandassetValueError)
    assert not issubclass(landasset.MeasureError, landasset.ProfileError)


def test_an_argument_error_is_not_a_profile_error() -> None:
    """Arguments of functions are not profile files: a wrong one is a value error."""
    import numpy as np

    from landasset.suitability import topsis, wlc

    with pytest.raises(
        landasset.LandassetValueError, match="'minmax2' is not a normalisation"
    ) as info:
        topsis(np.ones((2, 2)), [1, 1], [True, True], normalization="minmax2")
    assert not isinstance(info.value, landasset.ProfileError)
    with pytest.raises(landasset.LandassetValueError, match="3 weights for 2 criteria") as info:
        wlc(np.ones((2, 2)), [1, 1, 1])
    assert not isinstance(info.value, landasset.ProfileError)
