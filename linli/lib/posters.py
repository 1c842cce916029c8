"""A printable A4 poster for a stairwell: a heading, the place, a large QR code and a footer.

Drawn with Pillow so printing needs nothing but this process: PNG at 150 dpi, PDF at 300 dpi.
Most readers are older residents standing at the stairwell door, so the text is large, dark
on white, and the QR code is as big as the page allows.
"""

import functools
import glob
import logging
import os
import re
from dataclasses import dataclass
from io import BytesIO
from typing import Literal

import qrcode
from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

log = logging.getLogger(__name__)

A4_MM = (210, 297)
RED = (183, 28, 28)
GOLD = (242, 193, 78)
INK = (26, 26, 26)
GREY = (90, 90, 90)
QR_INK = (0, 0, 0)  # pure black is kept for the QR code alone, so scanners and tests find it
QR_BORDER = 4  # modules of quiet zone, as the QR standard asks

# Where CJK fonts live on Debian/Ubuntu, Fedora, Arch, macOS and Windows, best first.
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-{weight}.otf",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansSC-{weight}.otf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:/Windows/Fonts/msyh{bold_suffix}.ttc",
    "C:/Windows/Fonts/simhei.ttf",
]
# Searched when none of the above exists, for fonts installed under other names.
FONT_DIRS = ["/usr/share/fonts", "/usr/local/share/fonts", os.path.expanduser("~/.fonts")]
FONT_PATTERNS = ["*CJK*SC*", "*CJK*", "*SourceHanSans*", "*wqy*", "*DroidSansFallback*"]


@dataclass(frozen=True)
class FontFile:
    path: str
    index: int = 0


def stairwell_poster(
    *, title_lines: list[str], url: str, footer_lines: list[str], fmt: Literal["png", "pdf"] = "png"
) -> bytes:
    """One A4 page as PNG (150 dpi, 1240 × 1754) or PDF (300 dpi).

    `title_lines[0]` is the heading, drawn white in the coloured band ("有事找我们 · 扫码反映诉求");
    the other title lines name the place ("富丰新城 1栋 2单元"). `footer_lines` go at the bottom
    (the community's phone, the promise to residents). Lines too long for the page shrink, then wrap.
    """
    if fmt not in ("png", "pdf"):
        raise ValueError(f"unknown poster format: {fmt}")
    dpi = 150 if fmt == "png" else 300
    page = _draw_page(title_lines=title_lines, url=url, footer_lines=footer_lines, dpi=dpi)
    out = BytesIO()
    if fmt == "png":
        page.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    else:
        # Pillow embeds the page as a JPEG: high quality and no chroma subsampling keep the QR
        # modules and the red band's edges sharp in print.
        page.save(out, format="PDF", resolution=dpi, quality=92, subsampling=0, title=" ".join(title_lines[:1]))
    return out.getvalue()


def qr_png(url: str, *, box_size: int = 8, border: int = QR_BORDER) -> bytes:
    """A small black-on-white QR code as PNG, for showing on screen next to a stairwell."""
    matrix = qr_matrix(url, border=border)
    n = len(matrix)
    image = Image.new("1", (n, n), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((n * box_size, n * box_size), Image.Resampling.NEAREST)
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def qr_matrix(url: str, *, border: int = QR_BORDER) -> list[list[bool]]:
    """The QR modules for `url`, quiet zone included; True is dark."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


# --- fonts ---


@functools.cache
def find_cjk_font(bold: bool = False) -> FontFile | None:
    """A font file with Chinese glyphs: settings.CJK_FONT if set, else the first one installed."""
    configured = getattr(settings, "CJK_FONT", "")
    if configured:
        if os.path.isfile(configured):
            return FontFile(configured, _simplified_chinese_face(configured))
        log.warning("CJK_FONT %s does not exist; looking for an installed CJK font", configured)
    weight = "Bold" if bold else "Regular"
    for pattern in FONT_CANDIDATES:
        path = pattern.format(weight=weight, bold_suffix="bd" if bold else "")
        if os.path.isfile(path):
            return FontFile(path, _simplified_chinese_face(path))
    for folder in FONT_DIRS:
        for name in FONT_PATTERNS:
            found = sorted(glob.glob(os.path.join(folder, "**", name), recursive=True))
            found = [p for p in found if p.lower().endswith((".ttc", ".otf", ".ttf"))]
            bolder = [p for p in found if "bold" in p.lower()] if bold else []
            if bolder or found:
                path = (bolder or [p for p in found if "bold" not in p.lower()] or found)[0]
                return FontFile(path, _simplified_chinese_face(path))
    log.warning(
        "No CJK font found: posters fall back to a font without Chinese glyphs. "
        "Install fonts-noto-cjk or set LINLI_CJK_FONT to a .ttf/.otf/.ttc file."
    )
    return None


def _simplified_chinese_face(path: str) -> int:
    """The face of a font collection (.ttc) drawn for Simplified Chinese: Noto's "SC" face is index 2."""
    if not path.lower().endswith(".ttc"):
        return 0
    names = []
    for index in range(32):
        try:
            names.append(ImageFont.truetype(path, 12, index=index).getname()[0] or "")
        except OSError:
            break
    for index, name in enumerate(names):
        if re.search(r"\b(SC|GB|CN)\b", name) and "Mono" not in name:
            return index
    for index, name in enumerate(names):
        if "Mono" not in name:
            return index
    return 0


@functools.lru_cache(maxsize=64)
def load_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    font_file = find_cjk_font(bold) or (find_cjk_font(False) if bold else None)
    if font_file:
        try:
            return ImageFont.truetype(font_file.path, size, index=font_file.index)
        except OSError as exc:
            log.warning("Cannot read font %s: %s", font_file.path, exc)
    return ImageFont.load_default(size=size)


# --- layout ---


@dataclass
class _Block:
    lines: list[str]
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    line_height: int

    @property
    def height(self) -> int:
        return self.line_height * len(self.lines)


def _draw_page(*, title_lines: list[str], url: str, footer_lines: list[str], dpi: int) -> Image.Image:
    # Every length below is in pixels at 150 dpi, multiplied by `s` for the page's dpi.
    s = dpi / 150
    width, height = (round(mm / 25.4 * dpi) for mm in A4_MM)
    margin = round(80 * s)
    text_width = width - 2 * margin
    page = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(page)

    heading, place_lines = (title_lines[0], title_lines[1:]) if title_lines else ("", [])
    head = _fit([heading], size=round(96 * s), floor=round(64 * s), width=text_width, bold=True)
    places = _fit(place_lines, size=round(84 * s), floor=round(56 * s), width=text_width, bold=True)
    link = _fit([url], size=round(28 * s), floor=round(18 * s), width=text_width, bold=False)
    footer = _fit(footer_lines, size=round(46 * s), floor=round(32 * s), width=text_width, bold=False)

    # Header band with the heading, a gold rule under it.
    band = max(round(300 * s), head.height + round(120 * s))
    draw.rectangle((0, 0, width, band), fill=RED)
    _write(draw, head, top=(band - head.height) // 2, centre=width // 2, fill="white")
    draw.rectangle((0, band, width, band + round(14 * s)), fill=GOLD)

    y = band + round(14 * s) + round(64 * s)
    if places.lines:
        _write(draw, places, top=y, centre=width // 2, fill=INK)
        y += places.height + round(40 * s)

    # Footer from the bottom up: a thin red band, the lines, a rule above them.
    bottom_band = round(28 * s)
    draw.rectangle((0, height - bottom_band, width, height), fill=RED)
    footer_top = height - bottom_band - round(56 * s) - footer.height
    if footer.lines:
        _write(draw, footer, top=footer_top, centre=width // 2, fill=INK)
        rule_y = footer_top - round(36 * s)
        draw.line((margin, rule_y, width - margin, rule_y), fill=(210, 210, 210), width=max(1, round(2 * s)))
        footer_top = rule_y

    # The QR code takes the room left between, with the url under it.
    room = footer_top - round(40 * s) - link.height - round(16 * s) - y
    side = max(round(300 * s), min(room, text_width, round(820 * s)))
    _draw_qr(draw, url, top=y, centre=width // 2, side=side, s=s)
    _write(draw, link, top=y + side + round(16 * s), centre=width // 2, fill=GREY)
    return page


def _draw_qr(draw: ImageDraw.ImageDraw, url: str, *, top: int, centre: int, side: int, s: float) -> None:
    """A framed QR code centred in a square of `side` pixels, with whole-pixel modules for crisp print."""
    matrix = qr_matrix(url)
    n = len(matrix)
    module = max(1, side // n)
    size = module * n
    left = centre - size // 2
    top += (side - size) // 2
    radius = round(24 * s)
    pad = round(4 * s)
    draw.rounded_rectangle(
        (left - pad, top - pad, left + size + pad, top + size + pad), radius=radius, outline=RED, width=round(6 * s)
    )
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = left + c * module, top + r * module
                draw.rectangle((x, y, x + module - 1, y + module - 1), fill=QR_INK)


def _fit(lines: list[str], *, size: int, floor: int, width: int, bold: bool) -> _Block:
    """The largest size from `size` down to `floor` at which every line fits; else wrap at `floor`."""
    lines = [line.strip() for line in lines if line and line.strip()]
    step = max(1, size // 24)
    for candidate in range(size, floor - 1, -step):
        font = load_font(candidate, bold)
        if all(_text_width(font, line) <= width for line in lines):
            return _Block(lines, font, _line_height(font, candidate))
    font = load_font(floor, bold)
    wrapped = [part for line in lines for part in _wrap(font, line, width)]
    return _Block(wrapped, font, _line_height(font, floor))


_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
# One CJK character, one run of other non-space characters (a word, a number, a url), or spaces.
_TOKEN = re.compile(rf"[{_CJK}]|[^\s{_CJK}]+|\s+")
# Closing punctuation stays at the end of the line before rather than starting a new one.
_NO_LINE_START = set("，。、；：！？）》」』】,.;:!?)·")


def _wrap(font, text: str, width: int) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        while _text_width(font, token) > width and len(token) > 1:
            # A single token wider than the page (a long url): break it by characters.
            cut = len(token) - 1
            while cut > 1 and _text_width(font, token[:cut]) > width:
                cut -= 1
            tokens.append(token[:cut])
            token = token[cut:]
        tokens.append(token)
    lines: list[str] = []
    current = ""
    for token in tokens:
        if not current.strip() or token in _NO_LINE_START or _text_width(font, current + token) <= width:
            current += token
        else:
            # Break at the last space when there is one ("富丰新城 / 18栋 3单元", not "18栋 / 3单元"),
            # unless that leaves the line less than half full.
            head, space, tail = current.rpartition(" ")
            if space and tail and _text_width(font, head) >= width / 2 and _text_width(font, tail + token) <= width:
                lines.append(head.rstrip())
                current = tail + token
            else:
                lines.append(current.rstrip())
                current = token.lstrip()
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _text_width(font, text: str) -> float:
    return font.getlength(text) if text else 0


def _line_height(font, size: int) -> int:
    try:
        ascent, descent = font.getmetrics()
    except AttributeError:
        ascent, descent = size, 0
    return round((ascent + descent) * 1.12)


def _write(draw: ImageDraw.ImageDraw, block: _Block, *, top: int, centre: int, fill) -> None:
    for i, line in enumerate(block.lines):
        draw.text((centre, top + i * block.line_height), line, font=block.font, fill=fill, anchor="ma")
