"""Reading configuration files (suitability profiles, efficiency schemes) safely.

Profiles and schemes are plain data: mappings, lists, numbers and strings. They are
often written by hand or shared between offices, so reading one must never run code
and never exhaust the machine. :func:`load_yaml` parses YAML with a safe loader that
also refuses

* anchors and aliases (``&name`` / ``*name``): a few hundred bytes of nested aliases
  (the "billion laughs") expand to billions of nodes;
* nesting deeper than :data:`MAX_DEPTH` levels, checked while the document is composed,
  before any recursion can run out of stack;
* documents larger than :data:`MAX_BYTES` or holding more than :data:`MAX_NODES`
  keys and values;
* a key given twice in one mapping (a silent override is a review trap);
* Python tags (``!!python/object``) and custom tags.

:func:`read_text` reads a file under the same size cap and decodes it as UTF-8, naming
the byte that is not. Every refusal is a :class:`~landasset.ProfileError` whose message
names the file or text, the line, the limit and what to do.

Examples
--------
>>> from landasset._config import load_yaml
>>> load_yaml("name: ai\\nweights: [1, 2]", origin="profile text")
{'name': 'ai', 'weights': [1, 2]}
>>> load_yaml("a: &x [1]\\nb: *x", origin="profile text")
Traceback (most recent call last):
...
landasset.ProfileError: profile text, line 1: anchors and aliases (&name, *name) are refused in configuration files; write each value out in full
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from landasset._errors import ProfileError

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "load_yaml",
    "read_source",
    "read_text",
    "write_text",
]

#: The largest configuration file or text read, in bytes (1 MiB; profiles are ~5 KiB).
MAX_BYTES = 1 << 20

#: The deepest nesting of mappings and lists (bundled files nest at most 6 levels).
MAX_DEPTH = 64

#: The most nodes (keys, values, lists and mappings) in one document (bundled files hold
#: under 1,000); bounds the time a document within :data:`MAX_BYTES` takes to read.
MAX_NODES = 20_000


def read_source(
    source: str | os.PathLike[str], *, what: str, missing_hint: str = ""
) -> tuple[str, str]:
    """The text of a configuration given as a path or as the YAML text itself, and the
    name messages give it: ``(text, origin)``.

    The one rule for profiles and schemes: a path-like is a file; a string without a
    line break that ends in ``.yaml``/``.yml`` or names an existing file is a file;
    any other string is the YAML text. ``what`` is ``"profile"`` or ``"scheme"``.

    >>> read_source("name: ai", what="profile")
    ('name: ai', 'profile text')
    >>> read_source("no-such.yaml", what="scheme")
    Traceback (most recent call last):
    ...
    landasset.LandassetIOError: no scheme file at 'no-such.yaml'; check the path, or pass the YAML text
    """
    from pathlib import Path

    from landasset._errors import LandassetIOError, LandassetTypeError

    if isinstance(source, os.PathLike):
        path = Path(source)
    elif isinstance(source, str):
        one_line = "\n" not in source
        if not (
            one_line and (source.strip().lower().endswith((".yaml", ".yml")) or _is_file(source))
        ):
            return source, f"{what} text"
        path = Path(source)
    else:
        raise LandassetTypeError(
            f"a {what} is read from a path or from YAML text, not a {type(source).__name__}"
        )
    if not path.is_file():
        raise LandassetIOError(
            f"no {what} file at {str(path)!r}; check the path, or pass the YAML text" + missing_hint
        )
    origin = f"{what} file {path.name!r}"
    return read_text(path, origin=origin), origin


def _is_file(text: str) -> bool:
    try:
        return len(text) < 1024 and os.path.isfile(text)
    except (OSError, ValueError):
        return False


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write a configuration file atomically: a temporary file beside it, then a rename,
    so a failed write leaves the old file as it was."""
    import tempfile
    from pathlib import Path

    from landasset._errors import LandassetIOError

    target = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise LandassetIOError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LandassetIOError(
            f"cannot write {target}: {exc.strerror or exc}; the file is as it was"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_text(path: str | os.PathLike[str], *, origin: str) -> str:
    """The text of a configuration file: at most :data:`MAX_BYTES`, decoded as UTF-8.

    A UTF-8 byte-order mark is dropped. ``origin`` names the file in messages
    (``"profile file 'a.yaml'"``).

    Raises
    ------
    ProfileError
        The file is larger than :data:`MAX_BYTES`, or not UTF-8 text (the message
        gives the byte offset and line of the first byte that does not decode).
    """
    with open(path, "rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ProfileError(
            f"{origin} is larger than {MAX_BYTES:,} bytes (1 MiB), the limit for a "
            "configuration file; profiles and schemes are a few kilobytes — check that "
            "this is the right file"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ProfileError(
            f"{origin} is not UTF-8 text: byte 0x{data[exc.start]:02X} at offset "
            f"{exc.start} (line {line}) does not decode; re-save the file as UTF-8 "
            "(files saved as GBK/GB2312 by Chinese Windows editors are the usual cause)"
        ) from None


def load_yaml(text: str, *, origin: str) -> Any:
    """Parse one YAML document of plain data, within the limits of this module.

    Parameters
    ----------
    text : str
        The YAML text.
    origin : str
        What the text is, for messages: ``"scheme file 'county.yaml'"``,
        ``"profile text"``.

    Raises
    ------
    ProfileError
        The text is not YAML, is too large or too deeply nested, holds an anchor or
        alias, a key twice in one mapping, or a Python or custom tag.
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8")) > MAX_BYTES:
        raise ProfileError(
            f"{origin} is larger than {MAX_BYTES:,} bytes (1 MiB), the limit for a "
            "configuration document; profiles and schemes are a few kilobytes"
        )
    loader = _SafeLoader(text, origin)
    try:
        return loader.get_single_data()
    except yaml.constructor.ConstructorError as exc:
        raise ProfileError(
            f"{origin}{_line(exc.problem_mark)}: {exc.problem}; the loader refuses Python "
            "tags (!!python/...) and custom tags: configuration files are plain data, "
            "write plain mappings, lists, numbers and strings"
        ) from None
    except yaml.YAMLError as exc:
        raise ProfileError(f"{origin} is not valid YAML ({_one_line(exc)})") from None
    finally:
        loader.dispose()


def _line(mark: Any) -> str:
    return f", line {mark.line + 1}" if mark is not None else ""


def _one_line(exc: yaml.YAMLError) -> str:
    return " ".join(part.strip() for part in str(exc).splitlines() if part.strip())


class _SafeLoader(yaml.SafeLoader):
    """YAML's safe loader without anchors or aliases, with a depth cap and unique keys."""

    def __init__(self, stream: str, origin: str) -> None:
        super().__init__(stream)
        self._origin = origin
        self._depth = 0
        self._nodes = 0

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        # ``[`` and ``{`` are counted as they are scanned: the scanner reads up to 1,024
        # characters ahead of the parser, and each nested bracket costs it more
        if self.flow_level >= MAX_DEPTH:
            raise self._too_deep(self.get_mark())
        super().fetch_flow_collection_start(TokenClass)

    def _too_deep(self, mark: Any) -> ProfileError:
        return ProfileError(
            f"{self._origin}{_line(mark)}: nested more than {MAX_DEPTH} levels deep, the "
            "limit for a configuration file; flatten the structure"
        )

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ProfileError(
                f"{self._origin}{_line(event.start_mark)}: anchors and aliases (&name, *name) "
                "are refused in configuration files; write each value out in full"
            )
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise ProfileError(
                f"{self._origin}{_line(event.start_mark)}: more than {MAX_NODES:,} keys and "
                "values, the limit for a configuration file; profiles and schemes hold a few "
                "hundred"
            )
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._too_deep(event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise ProfileError(
                f"{loader._origin}{_line(key_node.start_mark)}: merge keys (<<) are refused in "
                "configuration files; write the keys out in full"
            )
        key = loader.construct_object(key_node, deep=True)
        try:
            duplicate = key in seen
            seen.add(key)
        except TypeError:  # an unhashable key: SafeConstructor refuses it below
            duplicate = False
        if duplicate:
            raise ProfileError(
                f"{loader._origin}{_line(key_node.start_mark)}: the key {key!r} appears twice "
                "in one mapping; keep one"
            )
    return dict(loader.construct_mapping(node, deep=True))


_SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
