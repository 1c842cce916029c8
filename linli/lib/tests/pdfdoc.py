"""Reading the PDFs linli makes with reportlab, for tests: their fonts and the text drawn.

No PDF library is needed: reportlab writes a classic xref table, direct /Length values and
plain dictionaries, so the objects are found by offset and their keys by pattern. The text
is every string shown (Tj, TJ), decoded with the font in force: a TrueType subset through its
/ToUnicode CMap, the CID font STSong-Light as UCS-2, a standard Type 1 font as Latin-1. It is
joined without separators, in drawing order (a table row reads "受理诉求41").

`embedded_chinese(pdf)` is the check issue 9 asks for: the fonts carry their program, no
CID font is left to the reader, and every character drawn has a glyph in the font.
"""

from __future__ import annotations

import base64
import os
import re
import zlib
from dataclasses import dataclass, field

import pytest

from linli.lib import pdf_fonts

NO_FONT = (
    "no TrueType CJK font to embed in PDFs (Debian: apt-get install fonts-wqy-microhei, or set "
    "LINLI_PDF_FONT): linli falls back to the non-embedded STSong-Light"
)


def require_cjk_font() -> None:
    """Skip the test when the machine has no TrueType CJK font; under CI, fail instead."""
    if pdf_fonts.font_path() is None:
        if os.environ.get("CI"):
            pytest.fail(NO_FONT)
        pytest.skip(NO_FONT)


@dataclass
class Font:
    name: str  # the resource name in the content streams, e.g. "F2+0"
    subtype: str  # Type1, TrueType, Type0
    base: str  # e.g. "AAAAAA+WenQuanYiMicroHei-0", "Helvetica", "STSong-Light"
    program: str | None  # FontFile, FontFile2 or FontFile3 when the font program is embedded
    unicode: dict[int, str] = field(default_factory=dict)  # code -> text, from /ToUnicode

    def decode(self, data: bytes) -> str:
        if self.subtype == "Type0":
            return data.decode("utf-16-be", errors="replace")
        if self.unicode:
            return "".join(self.unicode.get(b, "\ufffd") for b in data)
        return data.decode("latin-1")


@dataclass
class Pdf:
    fonts: list[Font]
    runs: list[tuple[Font, str]]  # (font, text) per string shown

    @property
    def text(self) -> str:
        return "".join(text for _font, text in self.runs)


def read(pdf: bytes) -> Pdf:
    objects = _objects(pdf)
    fonts = []
    for dictionary, _stream in objects.values():
        if not re.search(rb"/Type\s*/Font\b", dictionary):
            continue
        name, base = _name(dictionary, "Name"), _name(dictionary, "BaseFont")
        # A Type0 font's descendant and descriptor may be inline (STSong-Light) or referenced.
        subtype = "Type0" if re.search(rb"/Subtype\s*/Type0", dictionary) else _name(dictionary, "Subtype")
        parts = [dictionary]
        if descendant := re.search(rb"/DescendantFonts\s*\[\s*(\d+) 0 R", dictionary):
            parts.append(objects[int(descendant[1])][0])
        parts += [objects[ref][0] for part in list(parts) if (ref := _ref(part, "FontDescriptor"))]
        found = re.search(rb"/(FontFile[23]?)\s+\d+ 0 R", b"".join(parts))
        program = found[1].decode() if found else None
        unicode = {}
        if to_unicode := _ref(dictionary, "ToUnicode"):
            unicode = _cmap(_decoded(*objects[to_unicode]))
        fonts.append(Font(name, subtype, base, program, unicode))
    by_name = {f.name: f for f in fonts}
    runs = []
    for dictionary, _stream in objects.values():
        if not re.search(rb"/Type\s*/Page\b", dictionary):
            continue
        for ref in _refs(dictionary, "Contents"):
            runs += _shown(_decoded(*objects[ref]), by_name)
    return Pdf(fonts, runs)


def text(pdf: bytes) -> str:
    return read(pdf).text


def embedded_chinese(pdf: bytes) -> str:
    """Assert the PDF's Chinese can be read anywhere; return its text.

    Every font that draws a character beyond ASCII is a TrueType font with its program
    embedded (/FontFile2); no CID font is left to the reader; every such character has a glyph
    (not .notdef, the missing-glyph box) in the font linli registered."""
    doc = read(pdf)
    assert any(f.program == "FontFile2" for f in doc.fonts), [f.base for f in doc.fonts]
    assert not [f.base for f in doc.fonts if f.subtype == "Type0" and not f.program]  # e.g. STSong-Light
    cmap = pdf_fonts.char_to_glyph()
    assert cmap, "the registered PDF font is not a TrueType font"
    drawn = set()
    for font, shown in doc.runs:
        wide = {c for c in shown if ord(c) > 0x7E}
        if wide:
            assert font.program == "FontFile2", (font.base, shown)
            drawn |= wide
    # A character the font lacks is drawn as glyph 0 (.notdef), with no Unicode to map back to.
    missing = sorted(c for c in drawn if c == "\ufffd" or not cmap.get(ord(c)))
    assert not missing, f"no glyph for {''.join(missing)}"
    return doc.text


# --- the file's structure -----------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """{number: (dictionary, raw stream or None)} from the xref table."""
    start = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    table = re.match(rb"xref\s+(\d+)\s+(\d+)\s+", pdf[start:])
    count = int(table[2])
    entries = pdf[start + table.end() :]
    out = {}
    for i in range(count):
        entry = entries[20 * i : 20 * i + 20].split()
        if entry[2] != b"n":
            continue
        offset = int(entry[0])
        head = re.match(rb"(\d+)\s+\d+\s+obj\s*", pdf[offset:])
        body_at = offset + head.end()
        stream_at = pdf.find(b"stream", body_at)
        end_at = pdf.find(b"endobj", body_at)
        if 0 <= stream_at < end_at:
            dictionary = pdf[body_at:stream_at]
            data_at = stream_at + len(b"stream") + (2 if pdf[stream_at + 6 : stream_at + 8] == b"\r\n" else 1)
            length = int(re.search(rb"/Length\s+(\d+)(?!\s+\d+\s+R)", dictionary)[1])
            out[int(head[1])] = (dictionary, pdf[data_at : data_at + length])
        else:
            out[int(head[1])] = (pdf[body_at:end_at], None)
    return out


def _decoded(dictionary: bytes, stream: bytes | None) -> bytes:
    data = stream or b""
    filters = re.search(rb"/Filter\s*(\[[^\]]*\]|/\w+)", dictionary)
    for name in re.findall(rb"/(\w+)", filters[1]) if filters else []:
        if name == b"ASCII85Decode":
            data = data.strip()
            data = base64.a85decode(re.sub(rb"\s", b"", data[:-2] if data.endswith(b"~>") else data))
        elif name == b"FlateDecode":
            data = zlib.decompress(data)
    return data


def _name(dictionary: bytes, key: str) -> str:
    found = re.search(rb"/" + key.encode() + rb"\s*/([^\s/\[\]<>()]+)", dictionary)
    return found[1].decode() if found else ""


def _ref(dictionary: bytes, key: str) -> int | None:
    found = re.search(rb"/" + key.encode() + rb"\s+(\d+) 0 R", dictionary)
    return int(found[1]) if found else None


def _refs(dictionary: bytes, key: str) -> list[int]:
    found = re.search(rb"/" + key.encode() + rb"\s*(\[[^\]]*\]|\d+ 0 R)", dictionary)
    return [int(n) for n in re.findall(rb"(\d+) 0 R", found[1])] if found else []


def _cmap(data: bytes) -> dict[int, str]:
    def utf16(hexdigits: bytes) -> str:
        return bytes.fromhex(hexdigits.decode()).decode("utf-16-be", errors="replace")

    out = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
            out[int(code, 16)] = utf16(target)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for n, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                out[code] = chr(int(target, 16) + n)
    return {code: text for code, text in out.items() if text != "\x00"}


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_LITERAL = rb"\((?:\\.|[^\\)])*\)"
_TOKEN = re.compile(
    rb"/([^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf"  # select a font
    rb"|(" + _LITERAL + rb")\s*Tj"  # show a string
    rb"|\[((?:" + _LITERAL + rb"|[^\]()])*)\]\s*TJ",  # show strings with kerning
    re.S,
)


def _unescape(literal: bytes) -> bytes:
    def one(m):
        code = m[1]
        return bytes([int(code, 8) & 0xFF]) if code[:1].isdigit() else _ESCAPES.get(code, code)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal[1:-1], flags=re.S)


def _shown(content: bytes, fonts: dict[str, Font]) -> list[tuple[Font, str]]:
    out, font = [], Font("", "Type1", "", None)
    for m in _TOKEN.finditer(content):
        if m[1] is not None:
            font = fonts.get(m[1].decode(), font)
        else:
            literals = [m[2]] if m[2] is not None else re.findall(_LITERAL, m[3], re.S)
            out += [(font, font.decode(_unescape(lit))) for lit in literals]
    return out
