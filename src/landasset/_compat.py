"""Old spellings of public parameters, kept one release with a FutureWarning."""

from __future__ import annotations

import warnings
from typing import TypeVar

__all__ = ["renamed"]

T = TypeVar("T")


def renamed(old_value: T | None, new_value: T, *, old: str, new: str, where: str) -> T:
    """The value of a renamed parameter, given by its new name or (with a warning) its old.

    ``new_value`` is the new parameter's value (its default when not given);
    ``old_value`` is the old one's, ``None`` when not given.

    Examples
    --------
    >>> renamed(None, 3, old="top", new="top_k", where="f")
    3
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     renamed(5, 10, old="top", new="top_k", where="f")
    5
    >>> str(caught[0].message)
    'f(top=...) is renamed f(top_k=...); pass top_k='
    """
    if old_value is None:
        return new_value
    warnings.warn(
        f"{where}({old}=...) is renamed {where}({new}=...); pass {new}=",
        FutureWarning,
        stacklevel=3,
    )
    return old_value
