"""Chinese text in matplotlib figures: find a CJK font, or avoid drawing CJK text.

matplotlib's bundled DejaVu fonts have no Chinese glyphs: drawing ``运营`` with them
shows empty boxes and emits ``UserWarning: Glyph ... missing from font``. This module

* looks for an installed CJK font once per process (Noto Sans CJK, Source Han Sans,
  WenQuanYi, and the usual Windows/macOS fonts), registering font files that were
  installed after matplotlib built its font cache;
* gives the plotting functions a font *family list* — the user's own family first,
  the CJK font second — so Latin text keeps its usual look and Chinese glyphs fall
  back to the CJK font (matplotlib ≥ 3.6 falls back glyph by glyph);
* when no CJK font is installed, lets the plotting functions pick English labels and
  ids instead of Chinese text, so no glyph is ever missing.

The environment variable ``LANDASSET_CJK_FONT`` overrides the search: a family name
or a font file path selects that font, ``none`` disables CJK text.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CJK_FAMILIES",
    "cjk_font",
    "context",
    "family",
    "has_cjk",
    "has_cjk_text",
    "label",
    "style_axes",
    "text",
    "use_cjk_font",
]

#: Family names tried in order (Simplified Chinese first). Noto Sans CJK ships as a
#: font collection whose first face matplotlib reads, often named "... JP": every face
#: of the collection holds the full set of CJK ideographs, so any of them will do.
CJK_FAMILIES: tuple[str, ...] = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK KR",
    "Noto Serif CJK SC",
    "Noto Serif CJK JP",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Heiti SC",
    "Sarasa Gothic SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)

# Font file names worth registering when matplotlib's cache predates their install.
_FILE_HINTS = (
    "notosanscjk",
    "notoserifcjk",
    "notosanssc",
    "sourcehansans",
    "wqy",
    "wenquanyi",
    "msyh",
    "simhei",
    "pingfang",
    "sarasa",
    "uming",
    "droidsansfallback",
)

_CJK_RE = re.compile(
    "[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]"
)

_PROBE = "地块运营"  # the glyphs a font must have to count


def has_cjk_text(value: object) -> bool:
    """Whether ``value`` (as a string) contains a CJK character."""
    return bool(_CJK_RE.search(str(value)))


def _covers_cjk(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(ch)) for ch in _PROBE)


def _name_to_path() -> dict[str, str]:
    from matplotlib import font_manager

    return {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, or None.

    Searched once per process. ``LANDASSET_CJK_FONT`` overrides the search (a family
    name, a font file, or ``none``).

    Returns
    -------
    str or None
        A family name matplotlib can find, or None when no CJK font is installed.

    Examples
    --------
    >>> name = cjk_font()
    >>> name is None or isinstance(name, str)
    True
    """
    from matplotlib import font_manager

    override = os.environ.get("LANDASSET_CJK_FONT", "").strip()
    if override.lower() in {"none", "off", "0", "false"}:
        return None
    if override and Path(override).is_file():
        font_manager.fontManager.addfont(override)
        return str(font_manager.FontProperties(fname=override).get_name())
    candidates = (override, *CJK_FAMILIES) if override else CJK_FAMILIES

    found = _first_cjk(candidates, _name_to_path())
    if found is not None:
        return found
    # Fonts installed after matplotlib built its cache are not in it: register them.
    before = set(_name_to_path())
    for path in font_manager.findSystemFonts():
        if any(hint in Path(path).name.lower() for hint in _FILE_HINTS):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    names = _name_to_path()
    found = _first_cjk(candidates, names)
    if found is not None:
        return found
    new = {n: p for n, p in names.items() if n not in before}
    return next((n for n, p in sorted(new.items()) if _covers_cjk(p)), None)


def _first_cjk(candidates: tuple[str, ...], names: dict[str, str]) -> str | None:
    for name in candidates:
        if name in names and _covers_cjk(names[name]):
            return name
    return None


def has_cjk() -> bool:
    """Whether Chinese text can be drawn (a CJK font was found)."""
    return cjk_font() is not None


def family() -> list[str]:
    """The font family list for figures: the user's families, then the CJK font."""
    import matplotlib as mpl

    families = list(mpl.rcParams["font.family"])
    cjk = cjk_font()
    if cjk is not None and cjk not in families:
        families.append(cjk)
    return families


def label(en: str, zh: str) -> str:
    """A bilingual label ``"en zh"`` when Chinese can be drawn, else ``en``.

    >>> label("operating", "运营") in {"operating", "operating 运营"}
    True
    """
    return f"{en} {zh}" if has_cjk() else en


def text(value: object, fallback: object) -> str:
    """``value`` as text, or ``fallback`` when it holds CJK characters no font can draw."""
    s = str(value)
    if has_cjk_text(s) and not has_cjk():
        return str(fallback)
    return s


@contextmanager
def context() -> Iterator[None]:
    """Create artists inside this block with the CJK fallback family.

    Texts created inside it keep the family list after the block ends (tick labels
    are set separately by :func:`style_axes`, as matplotlib creates them lazily).
    """
    import matplotlib as mpl

    with mpl.rc_context({"font.family": family()}):
        yield


def style_axes(ax: Axes) -> None:
    """Give an Axes' title, axis labels and (lazily created) tick labels the CJK family.

    matplotlib creates these texts with the Axes, before any :func:`context` block, so
    they are given the family list afterwards.
    """
    if not has_cjk():
        return
    families = family()
    ax.tick_params(labelfontfamily=families)
    for item in (ax.title, ax.xaxis.label, ax.yaxis.label):
        item.set_fontfamily(families)


def use_cjk_font() -> str | None:
    """Let matplotlib draw Chinese text in your own figures too.

    Appends the installed CJK font to ``rcParams["font.family"]`` (a global setting,
    for the session) so Chinese glyphs fall back to it; Latin text keeps its font.
    landasset's own plotting functions do not need this.

    Returns
    -------
    str or None
        The font's family name, or None when no CJK font is installed (then install
        one: ``apt-get install fonts-noto-cjk`` on Debian/Ubuntu).

    Examples
    --------
    >>> name = use_cjk_font()
    >>> name is None or name in __import__("matplotlib").rcParams["font.family"]
    True
    """
    import matplotlib as mpl

    name = cjk_font()
    if name is not None:
        mpl.rcParams["font.family"] = family()
    return name
