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
