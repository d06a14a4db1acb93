"""Suitability scoring: transforms, weights (AHP), WLC/OWA/TOPSIS, models, profiles.

An analyst scores parcels for a target industry with a :class:`SuitabilityModel` —
criteria (a measure, a transform to [0, 1], a weight and a written rationale),
constraint rules and an aggregation method — usually a bundled profile::

    import landasset as la
    from landasset.suitability import load_profile, sensitivity

    site = la.sample.load("yunqi")
    model = load_profile("aerospace")
    result = model.score(site, as_of="2025-12-31")
    model.explain(result, result["rank"].idxmin())

Every number can be traced: ``explain`` shows each criterion's raw value, transformed
value, weight and contribution; ``what_if`` the smallest change into the top k;
:func:`sensitivity` how stable the ranking is under weight perturbation. The method
and its formulas are in ``docs/suitability.md``.

Examples
--------
>>> from landasset.suitability import list_profiles, load_profile
>>> list_profiles()
['aerospace', 'ai', 'life_health', 'smart_manufacturing']
>>> len(load_profile("aerospace").criteria) >= 8
True
"""

from __future__ import annotations

from landasset.suitability._rules import (
    LIFECYCLE_STAGES,
    OPS,
    Criterion,
    LayerRule,
    MeasureRule,
    Rule,
    StageRule,
    measure_label,
)
from landasset.suitability.assembly import assemble
from landasset.suitability.fit import best_fit
from landasset.suitability.methods import METHODS, NORMALIZATIONS, orness, owa, topsis, wlc
from landasset.suitability.model import (
    FORMAT_VERSION,
    LOCAL_MEASURES,
    ConsistencyWarning,
    MissingValueWarning,
    SuitabilityModel,
)
from landasset.suitability.perturbation import (
    SensitivityResult,
    dirichlet_concentration,
    sensitivity,
)
from landasset.suitability.profiles import list_profiles, load_profile, profile_path
from landasset.suitability.transforms import (
    TRANSFORMS,
    Transform,
    categorical,
    gaussian,
    large,
    linear,
    logistic,
    near,
    piecewise,
    small,
    transform_from_dict,
)
from landasset.suitability.weights import (
    AHP_METHODS,
    RANDOM_INDEX,
    AHPResult,
    ahp,
    normalize_weights,
    rank_sum,
)

__all__ = [
    "AHP_METHODS",
    "FORMAT_VERSION",
    "LIFECYCLE_STAGES",
    "LOCAL_MEASURES",
    "METHODS",
    "NORMALIZATIONS",
    "OPS",
    "RANDOM_INDEX",
    "TRANSFORMS",
    "AHPResult",
    "ConsistencyWarning",
    "Criterion",
    "LayerRule",
    "MeasureRule",
    "MissingValueWarning",
    "Rule",
    "SensitivityResult",
    "StageRule",
    "SuitabilityModel",
    "Transform",
    "ahp",
    "assemble",
    "best_fit",
    "categorical",
    "dirichlet_concentration",
    "gaussian",
    "large",
    "linear",
    "list_profiles",
    "load_profile",
    "logistic",
    "measure_label",
    "near",
    "normalize_weights",
    "orness",
    "owa",
    "piecewise",
    "profile_path",
    "rank_sum",
    "sensitivity",
    "small",
    "topsis",
    "transform_from_dict",
    "wlc",
]
