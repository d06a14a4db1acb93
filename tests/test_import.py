"""``import landasset`` stays light: no plotting, CLI, dask or web stack."""

import subprocess
import sys

HEAVY = ["matplotlib", "folium", "click", "dask", "fastapi", "IPython"]


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
