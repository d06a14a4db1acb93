"""The one way a landasset module loads names on first use.

A package that re-exports names from heavier modules (or from optional ones) lists
them in one table, name → module, and gets its module-level ``__getattr__`` and
``__dir__`` from :func:`attach`::

    __getattr__, __dir__ = attach(__name__, {"Site": "landasset.site"}, submodules={"io"})

``getattr`` then imports the module on first use and returns its attribute (always
the module's current one: nothing is copied into the package); ``dir()`` lists the
package's ``__all__`` and its submodules, not the names its code happens to import.
Type checkers and IDEs see the names through an ``if TYPE_CHECKING:`` import block
beside the table.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["attach"]


def attach(
    package: str,
    names: Mapping[str, str],
    *,
    submodules: Iterable[str] = (),
    moved: Mapping[str, str] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Module-level ``__getattr__`` and ``__dir__`` that load ``names`` on first use.

    Parameters
    ----------
    package : str
        The ``__name__`` of the module that assigns the two functions.
    names : mapping of str to str
        Attribute name → the module that defines an attribute of that name.
    submodules : iterable of str, optional
        Submodules of ``package`` reachable as attributes (``landasset.sample``)
        without importing them at ``import package`` time.
    moved : mapping of str to str, optional
        Attribute name → where it is now: asking for it raises an ``AttributeError``
        that says so (a name that lives in a higher layer, say).

    Returns
    -------
    (__getattr__, __dir__)
        Assign them at module level, after ``__all__``.

    Examples
    --------
    >>> getattr_, dir_ = attach("landasset", {"MU_M2": "landasset.units"})
    >>> round(getattr_("MU_M2"), 3)
    666.667
    >>> getattr_("nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'landasset' has no attribute 'nothing'
    >>> getattr_, _ = attach("landasset.io", {}, moved={"read_site": "use landasset.read_site"})
    >>> getattr_("read_site")
    Traceback (most recent call last):
    ...
    AttributeError: landasset.io has no read_site: use landasset.read_site
    """
    table = dict(names)
    subs = frozenset(submodules)
    elsewhere = dict(moved or {})
    clash = sorted(subs & table.keys())
    if clash:  # a name and a module of the same name: one would hide the other
        raise ValueError(f"{package}: {clash} are both lazy names and submodules")

    def __getattr__(name: str) -> Any:
        if name in table:
            return getattr(importlib.import_module(table[name]), name)
        if name in subs:
            return importlib.import_module(f"{package}.{name}")
        if name in elsewhere:
            raise AttributeError(f"{package} has no {name}: {elsewhere[name]}")
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        public = getattr(sys.modules[package], "__all__", ())
        return sorted({*public, *subs})

    return __getattr__, __dir__
