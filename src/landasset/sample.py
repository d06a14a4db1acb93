"""The bundled illustrative district (Yunqi), and a synthetic city for benchmarks.

``yunqi`` is a small, *illustrative* district evoking the Yunqi town / Yungu area of
Hangzhou (云栖小镇, 云谷): about 450 parcels on blocks between streets along two golden
axes (荆大路 in Yungu, 山景路 in Yunqi), a metro line with one planned station, an
operating aerospace center with some 200 aerospace firms in and around it, over
3,000 mu of planned industrial land in 云栖 (most of it in the reserve stages), the
supply-ready commercial-aerospace plots ``XH120101-08`` and ``XH120101-09`` (双浦), an
old park due for renewal (腾笼换鸟), amenities, enterprises and constraint areas. The geometry is not surveyed and every name and
figure is invented for teaching; ``sample_data/README.md`` tells its story.

:func:`load` reads the GeoPackage shipped with the package. The generators live in
the private package ``landasset._samplegen`` and load only when used:
:func:`build_yunqi` (the builder of that file) and :func:`synthetic_city` (a district
of any size, one million parcels in seconds, for benchmarks and tests).
``import landasset.sample`` loads neither them nor geopandas.

Examples
--------
>>> from landasset import sample
>>> sample.available()
['yunqi']
>>> site = sample.load("yunqi")
>>> site.crs.to_epsg(), len(site.parcels) >= 300
(4549, True)
>>> site.parcels.loc["XH120101-08", ["land_use", "zone", "stage"]].tolist()
['M0', '双浦', 'supply_ready']
"""

from __future__ import annotations

import importlib
import importlib.resources
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

from landasset._errors import LandassetIOError
from landasset._lazy import attach

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from landasset._samplegen._common import YUNQI_AS_OF
    from landasset._samplegen.synthetic import synthetic_city, write_synthetic_city
    from landasset._samplegen.yunqi import build_yunqi
    from landasset.site import Site

__all__ = [
    "SAMPLE_CRS",
    "YUNQI_AS_OF",
    "available",
    "build_yunqi",
    "load",
    "sample_path",
    "synthetic_city",
    "write_synthetic_city",
]

#: The CRS of the sample district and of :func:`synthetic_city`: CGCS2000 3-degree
#: Gauss-Kruger, central meridian 120°E (Hangzhou).
SAMPLE_CRS: Final = "EPSG:4549"

# The generators and the sample's date (a pandas Timestamp: the date the Yunqi sample
# describes, 2025-12-31) load on first use.
__getattr__, __dir__ = attach(
    __name__,
    {
        "YUNQI_AS_OF": "landasset._samplegen._common",
        "build_yunqi": "landasset._samplegen.yunqi",
        "synthetic_city": "landasset._samplegen.synthetic",
        "write_synthetic_city": "landasset._samplegen.synthetic",
    },
)

# The sample districts, by name: the module that builds each one's layers.
_BUILDERS: Final = {"yunqi": "landasset._samplegen.yunqi"}

# ----------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------


def available() -> list[str]:
    """The names of the bundled sample districts.

    Returns
    -------
    list of str
        Names accepted by :func:`load`, sorted.

    Examples
    --------
    >>> available()
    ['yunqi']
    """
    return sorted(_BUILDERS)


def sample_path(name: str = "yunqi") -> Path:
    """The path of a bundled sample GeoPackage.

    The file shipped inside the package (``landasset/_sample_data/<name>.gpkg``) is
    preferred; in a source checkout (editable install) ``sample_data/<name>.gpkg`` at
    the repository root is used.

    Parameters
    ----------
    name : str, default "yunqi"
        One of :func:`available`.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    LandassetIOError
        ``name`` is not a sample district, or its GeoPackage is not installed
        (rebuild it with ``python sample_data/build_yunqi.py``, or use :func:`load`,
        which then builds the district in memory).

    Examples
    --------
    >>> sample_path("yunqi").name
    'yunqi.gpkg'
    """
    _check_name(name)
    with _packaged_file(name) as packaged:
        if packaged is not None and not _is_temporary(packaged):
            return packaged
    repo = _repo_file(name)
    if repo is not None:
        return repo
    raise LandassetIOError(
        f"the {name!r} sample GeoPackage is not installed (neither in the package nor at "
        f"{_REPO_SAMPLE_DIR}); rebuild it with `python sample_data/build_{name}.py`, or "
        f"call landasset.sample.load({name!r}), which builds the district in memory"
    )


def load(name: str = "yunqi") -> Site:
    """Load a bundled sample district as a validated :class:`~landasset.Site`.

    Looks for the GeoPackage shipped in the package, then for
    ``sample_data/<name>.gpkg`` in a source checkout; when neither exists the district
    is built in memory (same content).

    Parameters
    ----------
    name : str, default "yunqi"
        One of :func:`available`.

    Returns
    -------
    Site
        In EPSG:4549.

    Raises
    ------
    LandassetIOError
        ``name`` is not a sample district (the message lists the available ones).

    Examples
    --------
    >>> site = load("yunqi")
    >>> site.stations.loc["ST06", "name"], str(site.stations.loc["ST06", "opening_date"].date())
    ('云谷北站', '2027-12-28')
    >>> sorted(site.axes.loc[site.axes["kind"] == "golden_axis", "name"])
    ['山景路', '荆大路']
    """
    from landasset.site import Site, read_site

    _check_name(name)
    with _packaged_file(name) as packaged:
        if packaged is not None:
            return read_site(packaged)
    repo = _repo_file(name)
    if repo is not None:
        return read_site(repo)
    builder = importlib.import_module(_BUILDERS[name])
    return Site(**getattr(builder, f"build_{name}")())


# ----------------------------------------------------------------------------------------
# locating the bundled files
# ----------------------------------------------------------------------------------------

_REPO_SAMPLE_DIR: Final = Path(__file__).resolve().parents[2] / "sample_data"


def _check_name(name: str) -> None:
    if name not in _BUILDERS:
        raise LandassetIOError(
            f"{name!r} is not a bundled sample district; use one of: "
            + ", ".join(repr(n) for n in available())
        )


@contextmanager
def _packaged_file(name: str) -> Iterator[Path | None]:
    resource = importlib.resources.files("landasset") / "_sample_data" / f"{name}.gpkg"
    if not resource.is_file():
        yield None
        return
    with importlib.resources.as_file(resource) as path:
        yield path


def _is_temporary(path: Path) -> bool:
    # as_file() extracts zipped resources to a temporary file that disappears on exit
    package_dir = Path(__file__).resolve().parent
    return package_dir not in path.resolve().parents


def _repo_file(name: str) -> Path | None:
    path = _REPO_SAMPLE_DIR / f"{name}.gpkg"
    return path if path.is_file() else None
