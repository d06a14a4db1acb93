"""The bundled industry profiles: reviewed YAML models for the district's target industries.

=======================  ==============================================================
profile                  industry
=======================  ==============================================================
``aerospace``            空天信息 aerospace information: satellite, commercial-aerospace
                         manufacturing, remote-sensing services
``ai``                   人工智能 artificial intelligence: algorithms, computing, software
``life_health``          生命健康 life and health: biomedicine, medical devices
``smart_manufacturing``  智能制造 smart manufacturing: equipment, robots, electronics
=======================  ==============================================================

Each criterion carries a written ``rationale`` (see ``docs/profiles.md``). The files
are stored in the canonical form :meth:`SuitabilityModel.to_yaml` writes, so
``load_profile(name).to_yaml()`` reproduces the file byte for byte.

Examples
--------
>>> from landasset.suitability import list_profiles, load_profile
>>> list_profiles()
['aerospace', 'ai', 'life_health', 'smart_manufacturing']
>>> model = load_profile("aerospace")
>>> model.name, model.method
('aerospace', 'wlc')
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from landasset._errors import ProfileError
from landasset.suitability.model import SuitabilityModel

__all__ = ["list_profiles", "load_profile", "profile_path"]


def _files() -> dict[str, Path]:
    # the YAML files live in the data folder profiles/ beside this module
    root = importlib.resources.files("landasset.suitability") / "profiles"
    return {
        Path(str(entry)).stem: Path(str(entry))
        for entry in root.iterdir()
        if str(entry).endswith(".yaml")
    }


def list_profiles() -> list[str]:
    """The names of the bundled profiles, sorted.

    >>> "aerospace" in list_profiles()
    True
    """
    return sorted(_files())


def profile_path(name: str) -> Path:
    """The path of a bundled profile's YAML file (to copy and edit).

    >>> profile_path("ai").name
    'ai.yaml'
    """
    files = _files()
    if name not in files:
        raise ProfileError(
            f"{name!r} is not a bundled profile; use one of: "
            + ", ".join(repr(n) for n in sorted(files))
            + " (or SuitabilityModel.from_yaml(path) for your own file)"
        )
    return files[name]


def load_profile(name: str) -> SuitabilityModel:
    """Load a bundled profile by name.

    Parameters
    ----------
    name : str
        One of :func:`list_profiles`.

    Returns
    -------
    SuitabilityModel

    Examples
    --------
    >>> float(load_profile("smart_manufacturing").criterion_weights.sum().round(12))
    1.0
    >>> load_profile("aerospac")
    Traceback (most recent call last):
    ...
    landasset._errors.ProfileError: 'aerospac' is not a bundled profile; use one of: 'aerospace', ...
    """
    return SuitabilityModel.from_yaml(profile_path(name))
