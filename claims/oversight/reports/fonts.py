"""The one CJK font of every PDF: a free TrueType font embedded in the file (settings
`PDF_FONT_PATH`, `PDF_FONT_INDEX`; Debian's fonts-wqy-microhei by default), so any reader shows
the Chinese text. Without it, the CID font STSong-Light, which only readers with Adobe's Asian
fonts can show: a warning says so."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

FALLBACK = "STSong-Light"
_registered: dict[tuple[str, int], str] = {}


def pdf_font() -> str:
    """The registered name of the font to write with: the embedded one when it can be read."""
    path, index = str(settings.PDF_FONT_PATH), int(settings.PDF_FONT_INDEX)
    if (path, index) in _registered:
        return _registered[(path, index)]
    name = FALLBACK
    if Path(path).is_file():
        try:
            pdfmetrics.registerFont(TTFont(f"CJK{len(_registered)}", path, subfontIndex=index))
            name = f"CJK{len(_registered)}"
        except TTFError:
            log.warning("PDF font %s (index %s) cannot be embedded; using %s", path, index, name)
    else:
        log.warning(
            "PDF font %s not found (install fonts-wqy-microhei or set MEDSUPP_PDF_FONT); "
            "PDFs use %s, which is not embedded",
            path,
            name,
        )
    if name == FALLBACK and FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    _registered[(path, index)] = name
    return name
