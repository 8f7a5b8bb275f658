"""Find and register a Chinese (CJK) font for reportlab.

reportlab's built-in fonts have no Chinese glyphs and print empty boxes, so every document that
may show an address uses a system TrueType font. The font is parsed once per path and cached:
parsing a large .ttc takes around 0.1 s, far too slow to repeat per label.

Order of search: the ``label_font`` setting (``override``), then the usual Debian, Windows and
macOS locations in ``CJK_FONT_CANDIDATES``. reportlab reads TrueType outlines only; a candidate
it cannot read (Noto CJK ships CFF outlines) is skipped and the next one is tried.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError

from app.errors import PrinterError
from app.i18n import QT_TRANSLATE_NOOP
from app.printing.subsetfont import SubsetFont

__all__ = [
    "CJKFontMissing",
    "CJK_FONT_CANDIDATES",
    "find_cjk_font",
    "register_cjk_font",
]


class CJKFontMissing(PrinterError):
    """No usable Chinese font: labels would print empty boxes instead of the address."""


def _windows_fonts() -> Path:
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


# (path, subfontIndex). subfontIndex picks the face inside a .ttc collection; for
# NotoSansCJK-Regular.ttc the faces are JP, KR, SC, TC, HK, so 2 is Simplified Chinese.
CJK_FONT_CANDIDATES: list[tuple[Path, int]] = [
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),  # Debian fonts-wqy-microhei
    (Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),  # Debian fonts-wqy-zenhei
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # Debian fonts-noto-cjk
    (Path("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"), 2),  # Fedora/Arch layout
    (_windows_fonts() / "msyh.ttc", 0),  # Microsoft YaHei
    (_windows_fonts() / "simhei.ttf", 0),
    (_windows_fonts() / "simsun.ttc", 0),
    (Path("/System/Library/Fonts/PingFang.ttc"), 0),
    (Path("/System/Library/Fonts/STHeiti Medium.ttc"), 0),
    (Path("/System/Library/Fonts/STHeiti Light.ttc"), 0),
    (Path("/Library/Fonts/Arial Unicode.ttf"), 0),
]

_MISSING = QT_TRANSLATE_NOOP(
    "Outcome",
    "No Chinese font found: install fonts-wqy-microhei (Debian) or set label_font in the settings",
)

_lock = threading.Lock()
_registered: dict[tuple[str, int], str] = {}  # (resolved path, subfont) -> reportlab font name


def _candidates(override: str | os.PathLike[str] | None) -> list[tuple[Path, int]]:
    if override:
        # An explicit setting is never silently replaced by another font.
        return [(Path(override).expanduser(), 0)]
    return list(CJK_FONT_CANDIDATES)


def find_cjk_font(override: str | os.PathLike[str] | None = None) -> Path | None:
    """The first existing CJK font file: ``override`` if given, else a known system font."""
    for path, _index in _candidates(override):
        if path.is_file():
            return path
    return None


def register_cjk_font(override: str | os.PathLike[str] | None = None) -> str:
    """Register a CJK font with reportlab once and return its reportlab font name.

    Raises CJKFontMissing when no font is found or none can be read.
    """
    tried: list[str] = []
    for path, index in _candidates(override):
        if not path.is_file():
            if override:
                tried.append(f"{path} does not exist")
            continue
        key = (str(path.resolve()), index)
        with _lock:
            name = _registered.get(key)
            if name is not None:
                return name
            name = f"PackGateCJK{len(_registered)}"
            try:
                pdfmetrics.registerFont(SubsetFont(name, key[0], subfontIndex=index))
            except (TTFError, OSError, ValueError) as exc:
                tried.append(f"{path}: {exc}")
                continue
            _registered[key] = name
            return name
    detail = f" ({'; '.join(tried)})" if tried else ""
    raise CJKFontMissing(_MISSING + detail)
