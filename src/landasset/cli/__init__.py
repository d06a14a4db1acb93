"""The ``landasset`` command for GIS staff (needs the ``[cli]`` extra).

Subcommands are thin wrappers over the Python API, one module each; heavy imports
happen inside the command functions so ``landasset --help`` stays fast.
"""

from __future__ import annotations

try:
    import click  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "the landasset command needs click; install the extra: pip install 'landasset[cli]'"
    ) from exc

from landasset.cli._main import cli, main

__all__ = ["cli", "main"]
