"""Operation analytics: per-mu efficiency (亩均效益), tenant quality, land control.

Zhejiang evaluates industrial enterprises and their land by output per mu (亩均论英雄);
operators use the grades to decide which tenants to keep and which old parks to renew
(腾笼换鸟). The scoring scheme is configuration (:class:`Scheme`, YAML files), versioned
by jurisdiction and year.

* :func:`evaluate` — grade every enterprise (A–D) under a scheme;
  :func:`by_parcel` — the same per parcel, weighted by land area;
* :func:`land_indicators` — FAR (storeys over 8 m twice), building coverage, green
  ratio, office/living share and investment intensity against the national industrial
  land control indicators (国土资发〔2008〕24号), investment minima from
  :func:`landasset.investment.read_investment_minimums`;
* :func:`tenant_quality` — high-tech, 专精特新 and leading-industry flags;
* :func:`renewal_candidates` — operating parcels with worst-grade tenants or land below
  standard, ranked by the gain if they reached the park median;
* :func:`industry_mix` — enterprises, floor area and output per industry and zone.

Examples
--------
>>> import landasset as la
>>> from landasset import efficiency as eff
>>> site = la.sample.load("yunqi")
>>> evaluation = eff.evaluate(site.enterprises, site.parcels, year=2025, buildings=site.buildings)
>>> sorted(evaluation["grade"].dropna().unique())
['A', 'B', 'C', 'D']
>>> candidates = eff.renewal_candidates(site, evaluation)
>>> candidates["zone"].iloc[0]  # the old park heads the list
'老园区'
"""

from landasset._errors import NoEnterpriseForYearWarning
from landasset.efficiency.grading import LAND_MU_SOURCES, by_parcel, evaluate, with_geometry
from landasset.efficiency.land import (
    COVERAGE_MIN,
    FAR_MIN_BY_INDUSTRY,
    GREEN_MAX,
    OFFICE_LIVING_MAX,
    OFFICE_LIVING_USES,
    RENEWAL_METRICS,
    far_minimum,
    industry_mix,
    land_indicators,
    renewal_candidates,
    tenant_quality,
)
from landasset.efficiency.scheme import (
    FORMAT_VERSION,
    INDICATORS,
    Band,
    Bonus,
    Exemption,
    Grading,
    Indicator,
    IndicatorDefinition,
    Scheme,
    Scope,
    Veto,
    list_schemes,
    load_scheme,
)

__all__ = [
    "COVERAGE_MIN",
    "FAR_MIN_BY_INDUSTRY",
    "FORMAT_VERSION",
    "GREEN_MAX",
    "INDICATORS",
    "LAND_MU_SOURCES",
    "OFFICE_LIVING_MAX",
    "OFFICE_LIVING_USES",
    "RENEWAL_METRICS",
    "Band",
    "Bonus",
    "Exemption",
    "Grading",
    "Indicator",
    "IndicatorDefinition",
    "NoEnterpriseForYearWarning",
    "Scheme",
    "Scope",
    "Veto",
    "by_parcel",
    "evaluate",
    "far_minimum",
    "industry_mix",
    "land_indicators",
    "list_schemes",
    "load_scheme",
    "renewal_candidates",
    "tenant_quality",
    "with_geometry",
]
