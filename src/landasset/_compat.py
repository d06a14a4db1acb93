"""Old spellings of public parameters, kept one release with a FutureWarning."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["keyword_only", "renamed"]

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])


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


def keyword_only(n_data: int, *names: str) -> Callable[[F], F]:
    """Options that became keyword-only, still taken by position one release with a
    FutureWarning.

    ``n_data`` is how many leading positional parameters are data (``self`` counts);
    ``names`` are the options that used to follow them, in their old order.
    ``inspect.signature`` sees the new, keyword-only signature.

    Examples
    --------
    >>> @keyword_only(1, "as_of")
    ... def idle(ledger, *, as_of=None):
    ...     return ledger, as_of
    >>> idle("L", as_of="2025-12-31")
    ('L', '2025-12-31')
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     idle("L", "2025-12-31")
    ('L', '2025-12-31')
    >>> str(caught[0].message)
    "idle: pass as_of='2025-12-31' by keyword (as_of=...); by position it stops working in the next release"
    """

    def decorate(func: F) -> F:
        where = func.__qualname__

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > n_data:
                extra = args[n_data:]
                if len(extra) > len(names):
                    raise TypeError(
                        f"{where}() takes {n_data} positional argument(s) and the options "
                        f"{', '.join(names)} by keyword; got {len(args)} positional"
                    )
                given = dict(zip(names, extra, strict=False))
                twice = sorted(given.keys() & kwargs.keys())
                if twice:
                    raise TypeError(f"{where}() got multiple values for {', '.join(twice)}")
                shown = ", ".join(f"{k}={v!r}" for k, v in given.items())
                warnings.warn(
                    f"{where}: pass {shown} by keyword ({', '.join(k + '=...' for k in given)}); "
                    "by position it stops working in the next release",
                    FutureWarning,
                    stacklevel=2,
                )
                kwargs.update(given)
                args = args[:n_data]
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
