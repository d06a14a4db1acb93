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
import os
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
            + ", or the path of a .yaml file"
        )
    return files[name]


def load_profile(name: str | os.PathLike[str]) -> SuitabilityModel:
    """Load a bundled profile by name, or a profile YAML file by path.

    Parameters
    ----------
    name : str or PathLike
        One of :func:`list_profiles`, or the path of a ``.yaml``/``.yml`` file (a
        ``Path``, or a string ending in ``.yaml``/``.yml``).

    Returns
    -------
    SuitabilityModel

    Raises
    ------
    ProfileError
        The name is not a bundled profile (the message lists them), or the file is
        not a valid profile (the message names the file and the key path).
    LandassetIOError
        The file does not exist.

    Examples
    --------
    >>> float(load_profile("smart_manufacturing").criterion_weights.sum().round(12))
    1.0
    >>> load_profile(profile_path("ai")).name
    'ai'
    >>> load_profile("aerospac")
    Traceback (most recent call last):
    ...
    landasset.ProfileError: 'aerospac' is not a bundled profile; use one of: 'aerospace', ...
    """
    if isinstance(name, os.PathLike) or (
        isinstance(name, str) and name.strip().lower().endswith((".yaml", ".yml"))
    ):
        path = Path(name)
        try:
            return SuitabilityModel.from_yaml(path)
        except ProfileError as exc:  # name the file when the message does not
            if repr(path.name) in str(exc):
                raise
            raise ProfileError(f"profile file {path.name!r}: {exc}") from exc
    return SuitabilityModel.from_yaml(profile_path(name))
