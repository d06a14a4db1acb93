"""``import landasset`` stays light: no plotting, CLI, dask or web stack."""

import subprocess
import sys

import pytest

HEAVY = [
    "matplotlib",
    "folium",
    "click",
    "dask",
    "fastapi",
    "IPython",
    "pygeoapi",
    "flask",
    "starlette",
    "uvicorn",
]


def test_import_landasset_loads_nothing_heavy():
    code = (
        "import sys, landasset, landasset.sample\n"
        f"heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_public_names_are_exported():
    import landasset as la

    for name in la.__all__:
        assert hasattr(la, name), name
    assert issubclass(la.SchemaError, la.LandassetError)
    assert issubclass(la.SchemaError, ValueError)
    assert issubclass(la.LandassetIOError, OSError)
    assert issubclass(la.TransitionError, ValueError)
    assert issubclass(la.CRSError, ValueError)


def test_errors_name_their_builtin():
    import landasset as la
    from landasset._errors import (
        LandassetKeyError,
        LandassetTypeError,
        LandassetValueError,
        LandassetWarning,
    )

    assert issubclass(LandassetValueError, ValueError)
    assert issubclass(LandassetTypeError, TypeError)
    assert issubclass(LandassetKeyError, KeyError)
    assert str(LandassetKeyError("no layer 'x'")) == "no layer 'x'"
    for cls in (LandassetKeyError, LandassetTypeError, LandassetValueError):
        assert issubclass(cls, la.LandassetError)
    from landasset.measures import UnreachableWarning
    from landasset.suitability import ConsistencyWarning, MissingValueWarning

    for warning in (UnreachableWarning, MissingValueWarning, ConsistencyWarning):
        assert issubclass(warning, LandassetWarning)


def test_no_submodule_hides_a_function_of_its_package():
    """Importing any submodule (as doctest collection does) leaves functions in place."""
    import importlib
    import pkgutil

    import landasset

    packages = [
        "landasset.efficiency",
        "landasset.suitability",
        "landasset.measures",
        "landasset.lifecycle",
        "landasset.viz",
    ]
    for name in packages:
        package = importlib.import_module(name)
        public = set(getattr(package, "__all__", ()))
        for info in pkgutil.iter_modules(package.__path__):
            assert info.name not in public, f"{name}.{info.name} is both a module and a name"
    assert landasset.__name__ == "landasset"


def _loaded_after(code: str, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with one of ``prefixes`` loaded by ``code`` in a new process."""
    script = (
        f"import sys\n{code}\n"
        f"print(','.join(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return [m for m in out.stdout.strip().split(",") if m]


def test_import_landasset_sample_loads_no_generator_and_no_geopandas():
    loaded = _loaded_after(
        "import landasset, landasset.sample",
        ("landasset._samplegen", "geopandas", "pandas", "shapely"),
    )
    assert loaded == []


def test_lifecycle_loads_the_sample_history_only_when_asked():
    prefixes = ("landasset._samplegen",)
    assert _loaded_after("import landasset.lifecycle", prefixes) == []
    assert _loaded_after("from landasset.lifecycle import sample_events", prefixes) == [
        "landasset._samplegen",
        "landasset._samplegen._common",
        "landasset._samplegen.history",
    ]


def test_dir_lists_the_public_api_not_implementation_imports():
    import landasset as la

    names = dir(la)
    for name in ("Site", "read_site", "load_profile", "Ledger", "sample", "viz", "__version__"):
        assert name in names, name
    for name in ("importlib", "annotations", "TYPE_CHECKING", "Any", "attach", "_LAZY"):
        assert name not in names, name
    assert set(la.__all__) <= set(names)
    assert names == sorted(names)
    # every listed name resolves
    for name in names:
        getattr(la, name)


def test_subpackages_list_their_public_api():
    import landasset.lifecycle
    import landasset.sample
    import landasset.viz

    assert dir(landasset.viz) == sorted(landasset.viz.__all__)
    assert dir(landasset.sample) == sorted(landasset.sample.__all__)
    assert dir(landasset.lifecycle) == sorted(landasset.lifecycle.__all__)
    assert "sample_events" in dir(landasset.lifecycle)


def test_lazy_names_resolve_to_their_modules():
    import pandas as pd

    import landasset as la
    from landasset._samplegen import history, synthetic, yunqi
    from landasset.lifecycle import SAMPLE_AS_OF, sample_events
    from landasset.sample import YUNQI_AS_OF, build_yunqi, synthetic_city

    assert la.sample.synthetic_city is synthetic_city is synthetic.synthetic_city
    assert build_yunqi is yunqi.build_yunqi
    assert sample_events is history.sample_events
    assert YUNQI_AS_OF == SAMPLE_AS_OF == pd.Timestamp("2025-12-31")
    assert la.viz.plot_scores.__module__ == "landasset.viz.maps"


@pytest.mark.parametrize(
    ("module", "name"),
    [
        ("landasset", "synthetic_city"),
        ("landasset.sample", "nothing"),
        ("landasset.lifecycle", "sample_history"),
        ("landasset.viz", "maps_of_everything"),
        ("landasset.io", "read_sites"),
    ],
)
def test_unknown_names_raise_attribute_error_naming_the_module(module, name):
    import importlib

    mod = importlib.import_module(module)
    with pytest.raises(AttributeError, match=rf"^module '{module}' has no attribute '{name}'$"):
        getattr(mod, name)


def test_a_lazy_name_and_a_submodule_of_the_same_name_are_refused():
    from landasset._lazy import attach

    with pytest.raises(ValueError, match=r"\['io'\] are both lazy names and submodules"):
        attach("landasset", {"io": "landasset.io"}, submodules=["io", "sample"])


def test_one_lazy_import_mechanism():
    """No module writes its own module-level ``__getattr__``: they all use ``_lazy.attach``."""
    import ast
    from pathlib import Path

    import landasset

    root = Path(landasset.__file__).parent
    own = []
    assigned = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in ("__getattr__", "__dir__"):
                own.append(f"{path.relative_to(root)}:{node.name}")
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Tuple) and "__getattr__" in {getattr(e, "id", "") for e in t.elts}
                for t in node.targets
            ):
                assigned.append(str(path.relative_to(root)))
    assert own == []
    assert assigned == [
        "__init__.py",
        "io.py",
        "lifecycle/__init__.py",
        "sample.py",
        "viz/__init__.py",
    ]


def _entry_points():
    import landasset as la
    from landasset import efficiency, lifecycle, suitability, viz

    return {
        "SuitabilityModel.score": suitability.SuitabilityModel.score,
        "SuitabilityModel.what_if": suitability.SuitabilityModel.what_if,
        "SuitabilityModel.explain": suitability.SuitabilityModel.explain,
        "sensitivity": suitability.sensitivity,
        "best_fit": suitability.best_fit,
        "assemble": suitability.assemble,
        "load_profile": suitability.load_profile,
        "idle_land": lifecycle.idle_land,
        "low_efficiency": lifecycle.low_efficiency,
        "renewal_candidates": efficiency.renewal_candidates,
        "pipeline": lifecycle.pipeline,
        "Ledger.record": lifecycle.Ledger.record,
        "Ledger.stages": lifecycle.Ledger.stages,
        "evaluate": efficiency.evaluate,
        "load_scheme": efficiency.load_scheme,
        "viz.report": viz.report,
        "read_site": la.read_site,
        "sample.load": la.sample.load,
    }


@pytest.mark.parametrize("name", sorted(_entry_points()))
def test_every_entry_point_has_a_runnable_example(name):
    # --doctest-modules runs them; this keeps them from disappearing
    doc = _entry_points()[name].__doc__ or ""
    examples = doc.split("Examples\n", 1)
    assert len(examples) == 2, f"{name} has no Examples section"
    assert ">>> " in examples[1], f"{name}'s Examples section has no code to run"


def test_ledger_open_has_a_runnable_example():
    from landasset.lifecycle import Ledger

    doc = Ledger.open.__doc__ or ""
    assert ">>> " in doc.split("Examples\n", 1)[-1] and "Examples\n" in doc
