"""Private validation helpers shared by the suitability modules.

Every helper takes the *key path* of the value it checks (``criteria[2].transform.linear.best``)
so that an error read from a profile file names the exact place to fix. Values are
checked, never evaluated: a string where a number belongs is refused, whatever it says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from numbers import Real
from typing import Any, NoReturn

from landasset._errors import ProfileError

__all__ = [
    "choice",
    "fail",
    "join_path",
    "mapping",
    "number",
    "plain_number",
    "sequence",
    "text",
]


def join_path(path: str, key: str | int) -> str:
    """``join_path("criteria", 2) == "criteria[2]"``; ``join_path("a", "b") == "a.b"``."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def fail(path: str, message: str) -> NoReturn:
    """Raise a :class:`ProfileError` prefixed by the key path."""
    text_ = f"{path}: {message}" if path else message
    raise ProfileError(text_)


def _describe(value: object) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    return f"{type(value).__name__} {value!r}"


def number(
    value: object,
    path: str,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    nonzero: bool = False,
    unit_interval: bool = False,
) -> int | float:
    """A finite real number (int or float, never bool or a string), returned unchanged."""
    if isinstance(value, bool) or not isinstance(value, Real):
        hint = (
            "; expressions and strings are never evaluated, write the number itself"
            if isinstance(value, str)
            else ""
        )
        fail(path, f"expected a number, got {_describe(value)}{hint}")
    result: int | float = int(value) if isinstance(value, int) else float(value)
    if not math.isfinite(result):
        fail(path, f"expected a finite number, got {result!r}")
    if positive and result <= 0:
        fail(path, f"must be > 0, got {result!r}")
    if nonnegative and result < 0:
        fail(path, f"must be >= 0, got {result!r}")
    if nonzero and result == 0:
        fail(path, "must not be 0")
    if unit_interval and not 0 <= result <= 1:
        fail(path, f"must be between 0 and 1, got {result!r}")
    return result


def plain_number(value: float) -> str:
    """A number as a profile would write it: ``2`` for 2.0, ``1e+308`` for 1e308."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(value)


def text(value: object, path: str, *, allow_empty: bool = True) -> str:
    """A string."""
    if not isinstance(value, str):
        fail(path, f"expected text, got {_describe(value)}")
    if not allow_empty and not value.strip():
        fail(path, "must not be empty")
    return value


def choice(value: object, path: str, choices: Iterable[str], *, what: str) -> str:
    """A string that is one of ``choices``; the error lists them."""
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        fail(
            path,
            f"{value!r} is not {what}; use one of: " + ", ".join(repr(c) for c in options),
        )
    return value


def mapping(
    value: object,
    path: str,
    *,
    allowed: Iterable[str] | None = None,
    required: Iterable[str] = (),
) -> Mapping[str, Any]:
    """A mapping with string keys, only ``allowed`` keys (when given) and every ``required`` one."""
    if not isinstance(value, Mapping):
        fail(path, f"expected a mapping (key: value), got {_describe(value)}")
    for key in value:
        if not isinstance(key, str):
            fail(path, f"keys must be text, got {_describe(key)}")
    if allowed is not None:
        options = list(allowed)
        for key in value:
            if key not in options:
                fail(
                    join_path(path, key),
                    "unknown key; use one of: " + ", ".join(repr(c) for c in options),
                )
    for key in required:
        if key not in value:
            fail(path, f"missing the required key {key!r}")
    return value


def sequence(value: object, path: str, *, min_length: int = 0) -> Sequence[Any]:
    """A list or tuple (not a string or a mapping) of at least ``min_length`` items."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Sequence):
        fail(path, f"expected a list, got {_describe(value)}")
    if len(value) < min_length:
        fail(path, f"needs at least {min_length} item(s), got {len(value)}")
    return value
