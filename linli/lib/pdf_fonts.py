"""The one Chinese font of every PDF linli makes (minutes, notices, agreement, certificate, report).

`cjk_font()` registers a TrueType CJK font with reportlab once per process and returns its
name, to use as `fontName`. reportlab embeds a subset of it in each PDF, so any reader shows
the glyphs, even one without Adobe's Asian font pack. reportlab's TTFont reads glyf outlines
only: the CFF/OTF builds of Noto CJK and Source Han do not load, hence WenQuanYi.

The font is settings.PDF_CJK_FONT (env LINLI_PDF_FONT) if set, else the first of the Debian
packages' files below. With none, the PDFs fall back to the built-in CID font STSong-Light (not
embedded: a reader without CJK support shows boxes) and a warning is logged once, so a machine
without the font still makes PDFs.
"""

from __future__ import annotations

import functools
import logging
import os

from django.conf import settings

log = logging.getLogger(__name__)

NAME = "LinliCJK"
FALLBACK = "STSong-Light"
# Debian/Ubuntu: fonts-wqy-microhei, then fonts-wqy-zenhei.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)


def font_path() -> str | None:
    """The TrueType CJK font file to embed: the setting if it names a file, else the first installed."""
    configured = getattr(settings, "PDF_CJK_FONT", "")
    if configured:
        if os.path.isfile(configured):
            return configured
        log.warning("PDF_CJK_FONT %s does not exist; looking for an installed CJK font", configured)
    return next((path for path in CANDIDATES if os.path.isfile(path)), None)


@functools.cache
def cjk_font() -> str:
    """The registered name of the Chinese font for reportlab (`LinliCJK`, or `STSong-Light`)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    path = font_path()
    if path:
        try:
            pdfmetrics.registerFont(TTFont(NAME, path, subfontIndex=0))
        except (TTFError, OSError) as error:  # e.g. CFF outlines, which TTFont cannot read
            log.warning("PDF font %s cannot be embedded (%s)", path, error)
        else:
            # WenQuanYi has no bold face: <b> in a paragraph keeps the same face rather than
            # failing with "can't map determine family/bold/italic".
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(NAME, bold, italic, NAME)
            return NAME
    log.warning(
        "No TrueType CJK font for PDFs: using STSong-Light, which is not embedded (readers without "
        "CJK support show boxes). Install fonts-wqy-microhei or set LINLI_PDF_FONT to a .ttf/.ttc file."
    )
    if FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK


def char_to_glyph(name: str | None = None) -> dict[int, int]:
    """The registered TrueType font's cmap (code point -> glyph id); empty for the CID fallback."""
    from reportlab.pdfbase import pdfmetrics

    face = getattr(pdfmetrics.getFont(name or cjk_font()), "face", None)
    return dict(getattr(face, "charToGlyph", None) or {})
