"""Area units used by land operators: square metres, mu (亩) and hectares.

1 mu is exactly 2000/3 m², so 1 ha = 15 mu and 1 km² = 1,500 mu. Every function
accepts a scalar, a numpy array or a pandas Series and returns the same kind
(a Series keeps its index; its name is left to the caller).

Examples
--------
>>> from landasset.units import m2_to_mu, mu_to_ha
>>> float(m2_to_mu(100 * 100))
15.0
>>> float(mu_to_ha(15))
1.0
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from landasset import _vocab

__all__ = [
    "HA_M2",
    "KM2_M2",
    "MU_M2",
    "MU_PER_HA",
    "ha_to_m2",
    "ha_to_mu",
    "m2_to_ha",
    "m2_to_mu",
    "mu_to_ha",
    "mu_to_m2",
]

# The numbers live with the rest of the vocabulary (landasset._vocab); this module
# publishes them with the conversions.

#: Square metres in one mu (亩), exactly 2000/3.
MU_M2: float = _vocab.MU_M2
#: Square metres in one hectare.
HA_M2: float = _vocab.HA_M2
#: Square metres in one square kilometre.
KM2_M2: float = _vocab.KM2_M2
#: Mu in one hectare (exactly 15).
MU_PER_HA: float = _vocab.MU_PER_HA

Area = TypeVar("Area", float, int, "npt.NDArray[np.floating]", pd.Series)


def _scale(value: Area, numerator: float, denominator: float = 1.0) -> Area:
    # multiply then divide: 10_000 m² * 3 / 2000 is exactly 15.0, whereas
    # 10_000 * (3 / 2000) is not
    if isinstance(value, pd.Series):
        return value * numerator / denominator
    return np.divide(np.multiply(value, numerator), denominator)


def m2_to_mu(value: Area) -> Area:
    """Square metres to mu (÷ 2000/3).

    >>> float(m2_to_mu(2000 / 3))
    1.0
    """
    return _scale(value, 3.0, 2000.0)


def mu_to_m2(value: Area) -> Area:
    """Mu to square metres (× 2000/3).

    >>> round(float(mu_to_m2(15)), 6)
    10000.0
    """
    return _scale(value, 2000.0, 3.0)


def m2_to_ha(value: Area) -> Area:
    """Square metres to hectares.

    >>> float(m2_to_ha(25_000))
    2.5
    """
    return _scale(value, 1.0, HA_M2)


def ha_to_m2(value: Area) -> Area:
    """Hectares to square metres.

    >>> float(ha_to_m2(2.5))
    25000.0
    """
    return _scale(value, HA_M2)


def mu_to_ha(value: Area) -> Area:
    """Mu to hectares (÷ 15).

    >>> float(mu_to_ha(30))
    2.0
    """
    return _scale(value, 1.0, MU_PER_HA)


def ha_to_mu(value: Area) -> Area:
    """Hectares to mu (× 15).

    >>> float(ha_to_mu(2))
    30.0
    """
    return _scale(value, MU_PER_HA)
