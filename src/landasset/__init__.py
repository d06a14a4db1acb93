"""landasset: GIS layers, suitability scoring and lifecycle tracking for industrial land.

The main names are importable from the top level::

    import landasset as la
    site = la.sample.load("yunqi")
    site.summary()

Importing ``landasset`` loads almost nothing: each public name loads its module
(and the geospatial core: numpy, pandas, shapely, geopandas, pyproj) on first use;
maps, the command line and the optional services load only when used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from landasset._errors import (
    ConsistencyWarning,
    CRSError,
    LandassetError,
    LandassetIOError,
    LandassetKeyError,
    LandassetPermissionError,
    LandassetTypeError,
    LandassetValueError,
    LandassetWarning,
    LandUseCodeWarning,
    MeasureError,
    MissingValueWarning,
    NoEnterpriseForYearWarning,
    OutsideChinaWarning,
    ParcelIndexError,
    ProfileError,
    RetiredParcelsWarning,
    SchemaError,
    TransitionError,
    UnreachableWarning,
)
from landasset._lazy import attach

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from landasset.crs import local_crs
    from landasset.efficiency import Scheme, load_scheme
    from landasset.io import read_layer, write_layer
    from landasset.lifecycle import Ledger, Stage
    from landasset.projects import (
        Commitments,
        MatchResult,
        Project,
        available_spaces,
        load_project,
        match,
    )
    from landasset.schema import LAYER_KINDS, ValidationReport, validate
    from landasset.site import Site, read_site
    from landasset.suitability import (
        AHPResult,
        Criterion,
        SuitabilityModel,
        ahp,
        list_profiles,
        load_profile,
    )
    from landasset.suitability.assembly import assemble
    from landasset.suitability.fit import best_fit
    from landasset.suitability.perturbation import sensitivity
    from landasset.units import MU_M2

__version__ = "0.1.0"

__all__ = [
    "LAYER_KINDS",
    "MU_M2",
    "AHPResult",
    "CRSError",
    "Commitments",
    "ConsistencyWarning",
    "Criterion",
    "LandUseCodeWarning",
    "LandassetError",
    "LandassetIOError",
    "LandassetKeyError",
    "LandassetPermissionError",
    "LandassetTypeError",
    "LandassetValueError",
    "LandassetWarning",
    "Ledger",
    "MatchResult",
    "MeasureError",
    "MissingValueWarning",
    "NoEnterpriseForYearWarning",
    "OutsideChinaWarning",
    "ParcelIndexError",
    "ProfileError",
    "Project",
    "RetiredParcelsWarning",
    "SchemaError",
    "Scheme",
    "Site",
    "Stage",
    "SuitabilityModel",
    "TransitionError",
    "UnreachableWarning",
    "ValidationReport",
    "__version__",
    "ahp",
    "assemble",
    "available_spaces",
    "best_fit",
    "list_profiles",
    "load_profile",
    "load_project",
    "load_scheme",
    "local_crs",
    "match",
    "read_layer",
    "read_site",
    "sensitivity",
    "validate",
    "write_layer",
]

# Submodules reachable as attributes (``la.sample.load``) without importing them all
# at ``import landasset``.
_SUBMODULES = (
    "crs",
    "efficiency",
    "fiscal",
    "index",
    "investment",
    "io",
    "landuse",
    "lifecycle",
    "measures",
    "projects",
    "sample",
    "scale",
    "schema",
    "site",
    "styles",
    "suitability",
    "units",
    "viz",
)

# The public names load their module on first use, so ``import landasset`` (and
# ``landasset --help``) stays fast: geopandas, pyogrio and friends load when needed.
_LAZY = {
    "LAYER_KINDS": "landasset.schema",
    "MU_M2": "landasset.units",
    "Site": "landasset.site",
    "ValidationReport": "landasset.schema",
    "local_crs": "landasset.crs",
    "read_layer": "landasset.io",
    "read_site": "landasset.site",
    "validate": "landasset.schema",
    "write_layer": "landasset.io",
    # suitability: the main names of site selection
    "AHPResult": "landasset.suitability",
    "Criterion": "landasset.suitability",
    "SuitabilityModel": "landasset.suitability",
    "ahp": "landasset.suitability",
    "assemble": "landasset.suitability",
    "best_fit": "landasset.suitability",
    "list_profiles": "landasset.suitability",
    "load_profile": "landasset.suitability",
    "sensitivity": "landasset.suitability",
    # lifecycle and per-mu efficiency
    "Ledger": "landasset.lifecycle",
    "Stage": "landasset.lifecycle",
    "Scheme": "landasset.efficiency",
    "load_scheme": "landasset.efficiency",
    # incoming projects and the floor space available to them
    "Project": "landasset.projects",
    "Commitments": "landasset.projects",
    "load_project": "landasset.projects",
    "available_spaces": "landasset.projects",
    "match": "landasset.projects",
    "MatchResult": "landasset.projects",
}

__getattr__, __dir__ = attach(__name__, _LAZY, submodules=_SUBMODULES)
