"""The Chinese font of every PDF: found, registered once, embedded in the file with a glyph for
every character drawn; without it, the PDFs still come out (STSong-Light) with one warning."""

import logging
from io import BytesIO

import pytest

from linli.lib import pdf_fonts
from linli.lib.tests import pdfdoc

TEXT = "邻里议事：楼道灯坏了，已报修 3 次（富丰新城）"


@pytest.fixture(autouse=True)
def _fresh_font():
    pdf_fonts.cjk_font.cache_clear()
    yield
    pdf_fonts.cjk_font.cache_clear()  # the next test registers the machine's font again


def drawn(text: str) -> bytes:
    from reportlab.pdfgen.canvas import Canvas

    out = BytesIO()
    canvas = Canvas(out)
    canvas.setFont(pdf_fonts.cjk_font(), 12)
    canvas.drawString(72, 720, text)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(72, 700, "12.50")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_the_installed_font_is_registered_once_and_embedded_with_every_glyph(caplog):
    pdfdoc.require_cjk_font()
    with caplog.at_level(logging.WARNING, logger="linli.lib.pdf_fonts"):
        assert pdf_fonts.cjk_font() == pdf_fonts.cjk_font() == pdf_fonts.NAME
    assert not caplog.records
    pdf = drawn(TEXT)
    assert pdfdoc.embedded_chinese(pdf) == TEXT + "12.50"
    doc = pdfdoc.read(pdf)
    chinese = [f for f in doc.fonts if f.program == "FontFile2"]
    assert chinese and chinese[0].subtype == "TrueType" and "+" in chinese[0].base  # a subset, embedded
    assert b"/STSong-Light" not in pdf


def test_a_character_the_font_lacks_is_caught_as_a_missing_glyph():
    pdfdoc.require_cjk_font()
    rare = "\U00020000"  # CJK Extension B: not in WenQuanYi, so it would print as a box
    assert not pdf_fonts.char_to_glyph().get(ord(rare))
    with pytest.raises(AssertionError, match="no glyph for"):
        pdfdoc.embedded_chinese(drawn(f"邻里{rare}"))


def test_the_setting_names_the_font_file(settings, caplog):
    pdfdoc.require_cjk_font()
    installed = pdf_fonts.font_path()
    settings.PDF_CJK_FONT = installed
    assert pdf_fonts.font_path() == installed
    settings.PDF_CJK_FONT = "/nonexistent/font.ttf"
    with caplog.at_level(logging.WARNING, logger="linli.lib.pdf_fonts"):
        assert pdf_fonts.font_path() == installed  # the installed one, with a warning
    assert "PDF_CJK_FONT /nonexistent/font.ttf does not exist" in caplog.text


def test_without_a_font_the_pdfs_use_stsong_and_warn_once(settings, monkeypatch, caplog):
    settings.PDF_CJK_FONT = ""
    monkeypatch.setattr(pdf_fonts, "CANDIDATES", ())
    with caplog.at_level(logging.WARNING, logger="linli.lib.pdf_fonts"):
        assert pdf_fonts.cjk_font() == pdf_fonts.FALLBACK
        pdf = drawn(TEXT)
        pdf_fonts.cjk_font()
    assert [r.getMessage()[:30] for r in caplog.records] == ["No TrueType CJK font for PDFs:"]
    assert "fonts-wqy-microhei" in caplog.text
    assert pdfdoc.text(pdf) == TEXT + "12.50"  # still readable where the reader has the font...
    with pytest.raises(AssertionError):
        pdfdoc.embedded_chinese(pdf)  # ...but not embedded


def test_a_font_reportlab_cannot_embed_falls_back_with_a_warning(settings, tmp_path, caplog):
    not_truetype = tmp_path / "NotoSansCJK-Regular.otf"
    not_truetype.write_bytes(b"OTTO" + bytes(60))  # a CFF font's signature, which TTFont refuses
    settings.PDF_CJK_FONT = str(not_truetype)
    with caplog.at_level(logging.WARNING, logger="linli.lib.pdf_fonts"):
        assert pdf_fonts.cjk_font() == pdf_fonts.FALLBACK
    assert f"PDF font {not_truetype} cannot be embedded" in caplog.text


def test_without_the_font_the_pdf_checks_skip_with_the_reason_and_fail_under_ci(monkeypatch):
    monkeypatch.setattr(pdf_fonts, "font_path", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install fonts-wqy-microhei"):
        pdfdoc.require_cjk_font()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="no TrueType CJK font to embed in PDFs"):
        pdfdoc.require_cjk_font()
