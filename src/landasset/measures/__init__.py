"""Per-parcel measures: shape, built form, proximity, walking distance, clusters.

Each function takes the parcels (a GeoDataFrame or GeoSeries in a projected metric
CRS) and the context layers, and returns a Series named after the measure, with its
unit in the name, aligned on ``parcels.index``. :func:`compute` evaluates a list of
specs on a :class:`~landasset.Site` and shares the intermediates between them.

A measure is one function, registered where it is defined; :data:`MEASURES` is
derived from those functions. Work that several measures share (the street graph,
the parcels' snaps to it, the trees over a layer, the building overlaps, the
dissolved constraints, the distances from the stations) is a keyword-only argument
of each function (``graph=``, ``snapped=``, ``tree=``, ``segments=``, ``overlaps=``,
``dissolved=``, ``from_targets=``), built by a public function (:func:`street_graph`,
:func:`snap_to_edges`, :func:`target_distances`, :func:`feature_tree`,
:func:`point_tree`, :func:`axis_segments`, :func:`building_overlaps`,
:func:`dissolve_constraints`) when you pass nothing; :func:`compute` builds each
one once per call and passes it.

Conventions shared by every measure:

* CRS: every layer must be in a projected metric CRS (geographic or Web Mercator
  input raises :class:`~landasset.CRSError` saying to use a :class:`~landasset.Site`
  or ``to_crs``), and all layers of one call in the same CRS.
* Parcels without geometry (None or empty) raise :class:`~landasset.SchemaError`
  naming them; features of the other layers without geometry are ignored (they have
  no location).
* Empty context layers give defined results: counts 0, sums 0, distances ``inf``,
  ids None, shares 0.
* Results depend only on the parcel itself and the context layers, so measuring a
  subset of the parcels gives the same values as measuring all of them.

Examples
--------
>>> import landasset as la
>>> site = la.sample.load("yunqi")
>>> la.measures.area_mu(site.parcels).name
'area_mu'
>>> sorted(la.measures.MEASURES)[:3]
['area_m2', 'area_mu', 'building_coverage']
"""

from __future__ import annotations

from landasset.measures._common import MeasureError, UnreachableWarning
from landasset.measures.batch import (
    MEASURES,
    REQUIRED,
    Context,
    available_cpus,
    compute,
    hilbert_partitions,
)
from landasset.measures.morphology import (
    ASSIGNMENTS,
    BuildingOverlaps,
    area_m2,
    area_mu,
    assign_buildings,
    building_coverage,
    building_overlaps,
    compactness,
    floor_area_ratio,
    gross_floor_area,
    industrial_floor_area_ratio,
)
from landasset.measures.network import (
    EdgeSnap,
    StreetGraph,
    TargetDistances,
    network_distance,
    snap_to_edges,
    street_graph,
    target_distances,
    walk_distance,
)
from landasset.measures.proximity import (
    ORIGINS,
    AxisSegments,
    DissolvedConstraints,
    FeatureTree,
    PointTree,
    axis_segments,
    cluster_strength,
    constrained_share,
    count_within,
    dissolve_constraints,
    feature_tree,
    frontage,
    nearest_distance,
    nearest_id,
    point_tree,
    sum_within,
)

__all__ = [
    "ASSIGNMENTS",
    "MEASURES",
    "ORIGINS",
    "REQUIRED",
    "AxisSegments",
    "BuildingOverlaps",
    "Context",
    "DissolvedConstraints",
    "EdgeSnap",
    "FeatureTree",
    "MeasureError",
    "PointTree",
    "StreetGraph",
    "TargetDistances",
    "UnreachableWarning",
    "area_m2",
    "area_mu",
    "assign_buildings",
    "available_cpus",
    "axis_segments",
    "building_coverage",
    "building_overlaps",
    "cluster_strength",
    "compactness",
    "compute",
    "constrained_share",
    "count_within",
    "dissolve_constraints",
    "feature_tree",
    "floor_area_ratio",
    "frontage",
    "gross_floor_area",
    "hilbert_partitions",
    "industrial_floor_area_ratio",
    "nearest_distance",
    "nearest_id",
    "network_distance",
    "point_tree",
    "snap_to_edges",
    "street_graph",
    "sum_within",
    "target_distances",
    "walk_distance",
]
