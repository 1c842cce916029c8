import logging
import re
from io import BytesIO

import pytest
from PIL import Image, ImageDraw

from linli.lib import posters

URL = "https://linli.example.cn/q/8f3k2m9x"
POSTER = {
    "title_lines": ["有事找我们 · 扫码反映诉求", "富丰新城 1栋 2单元"],
    "url": URL,
    "footer_lines": ["大新社区居委会 电话 0757-8622 1234", "件件有回音、事事有着落、人人有答复"],
}
NOTO_SANS_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


@pytest.fixture(autouse=True)
def _fresh_font_search():
    posters.find_cjk_font.cache_clear()
    posters.load_font.cache_clear()
    yield
    posters.find_cjk_font.cache_clear()
    posters.load_font.cache_clear()


@pytest.fixture
def no_cjk_font(monkeypatch, settings):
    settings.CJK_FONT = ""
    monkeypatch.setattr(posters, "FONT_CANDIDATES", [])
    monkeypatch.setattr(posters, "FONT_DIRS", [])


needs_cjk_font = pytest.mark.skipif(
    posters.find_cjk_font() is None, reason="no CJK font installed (Debian: fonts-noto-cjk)"
)


def png(**overrides) -> Image.Image:
    return Image.open(BytesIO(posters.stairwell_poster(**{**POSTER, **overrides}, fmt="png"))).convert("RGB")


def read_qr(image: Image.Image, modules: int, border: int = posters.QR_BORDER) -> list[list[bool]]:
    """Read the QR modules back from the picture: the code alone is pure black, so its dark
    modules' bounding box gives its place and module size."""
    black = image.convert("L").point(lambda v: 255 if v == 0 else 0)
    left, top, right, bottom = black.getbbox()
    inner = modules - 2 * border
    module = (right - left) / inner
    assert module == (bottom - top) / inner and module >= 4  # square, whole pixels, printable
    matrix = [[False] * modules for _ in range(modules)]
    for r in range(inner):
        for c in range(inner):
            x, y = int(left + (c + 0.5) * module), int(top + (r + 0.5) * module)
            matrix[r + border][c + border] = image.getpixel((x, y)) == (0, 0, 0)
    return matrix


def test_the_png_is_an_a4_page_at_150_dpi():
    data = posters.stairwell_poster(**POSTER, fmt="png")

    image = Image.open(BytesIO(data))
    assert image.format == "PNG"
    assert image.size == (1240, 1754)
    assert round(image.info["dpi"][0]) == 150


def test_the_page_is_white_with_a_coloured_header_band():
    image = png()

    assert image.getpixel((5, 5)) == posters.RED
    assert image.getpixel((5, 900)) == (255, 255, 255)


def test_the_pdf_is_one_a4_page():
    data = posters.stairwell_poster(**POSTER, fmt="pdf")

    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) == 1
    width, height = (float(v) for v in re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data).groups())
    assert (round(width), round(height)) == (595, 842)  # A4 in points


def test_the_qr_code_on_the_poster_reads_back_as_the_url():
    expected = posters.qr_matrix(URL)

    assert read_qr(png(), len(expected)) == expected


def test_the_qr_code_encodes_the_url_it_was_given():
    assert read_qr(png(url="https://linli.example.cn/q/other"), len(posters.qr_matrix(URL))) != posters.qr_matrix(URL)


def test_the_qr_code_decodes_to_the_url_with_a_real_decoder():
    cv2 = pytest.importorskip("cv2")
    import numpy

    image = numpy.array(png())
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(image)

    assert text == URL


def test_the_small_qr_png_holds_the_url():
    expected = posters.qr_matrix(URL)

    image = Image.open(BytesIO(posters.qr_png(URL, box_size=6))).convert("RGB")

    assert image.size == (len(expected) * 6, len(expected) * 6)
    assert read_qr(image, len(expected)) == expected


def render(font, text: str) -> bytes:
    canvas = Image.new("L", (400, 200), 0)
    ImageDraw.Draw(canvas).text((10, 10), text, font=font, fill=255)
    return canvas.tobytes()


@needs_cjk_font
def test_chinese_is_drawn_with_real_glyphs():
    font = posters.load_font(60)

    left, _, right, _ = font.getbbox("单元")
    assert right - left > 60
    # Without Chinese glyphs every character is the same empty box: here they differ.
    assert render(font, "单") != render(font, "元")
    assert render(font, "单") != render(posters.ImageFont.load_default(size=60), "单")


@needs_cjk_font
def test_different_chinese_headings_print_differently():
    first = png(title_lines=["单元单元"]).crop((0, 0, 1240, 300))
    second = png(title_lines=["元单元单"]).crop((0, 0, 1240, 300))

    assert first.tobytes() != second.tobytes()


@pytest.mark.skipif(not posters.os.path.isfile(NOTO_SANS_CJK), reason="Noto Sans CJK not installed")
def test_the_simplified_chinese_face_is_chosen_from_a_font_collection(settings):
    settings.CJK_FONT = NOTO_SANS_CJK

    font_file = posters.find_cjk_font()

    assert font_file == posters.FontFile(NOTO_SANS_CJK, 2)
    assert posters.load_font(40).getname()[0] == "Noto Sans CJK SC"


def test_without_a_cjk_font_the_poster_is_still_made_and_a_warning_logged(no_cjk_font, caplog):
    with caplog.at_level(logging.WARNING, logger="linli.lib.posters"):
        image = Image.open(BytesIO(posters.stairwell_poster(**POSTER, fmt="png")))

    assert image.size == (1240, 1754)
    assert posters.find_cjk_font() is None
    assert "No CJK font found" in caplog.text
    assert posters.stairwell_poster(**POSTER, fmt="pdf").startswith(b"%PDF")


def test_a_missing_configured_font_falls_back_to_an_installed_one(settings, caplog):
    settings.CJK_FONT = "/nonexistent/font.ttf"

    with caplog.at_level(logging.WARNING, logger="linli.lib.posters"):
        found = posters.find_cjk_font()

    assert "/nonexistent/font.ttf does not exist" in caplog.text
    assert found is None or posters.os.path.isfile(found.path)


@pytest.mark.parametrize("font", ["cjk", "fallback"])
def test_long_lines_stay_inside_the_page(font, request):
    if font == "fallback":
        request.getfixturevalue("no_cjk_font")
    elif posters.find_cjk_font() is None:
        pytest.skip("no CJK font installed")
    long = "有事找我们 · 扫码反映诉求 · 请把您遇到的困难和建议告诉我们，我们会尽快处理，谢谢您的支持"

    image = png(
        title_lines=[long, "桂城街道 大新社区 富丰新城花园二期 18栋 3单元 " * 2],
        url="https://linli.example.cn/q/" + "x" * 150,
        footer_lines=[long, "件件有回音、事事有着落、人人有答复"],
    )

    assert image.size == (1240, 1754)
    # No text spills into the side margins: only the bands and the white page are there.
    for left in (0, 1240 - 40):
        colours = {colour for _, colour in image.crop((left, 0, left + 40, 1754)).getcolors()}
        assert colours == {posters.RED, posters.GOLD, (255, 255, 255)}


def test_wrapping_breaks_between_words_and_keeps_punctuation_off_the_line_start():
    font = posters.ImageFont.load_default(size=20)

    lines = posters._wrap(font, "alpha beta gamma delta", width=font.getlength("alpha beta gam"))

    assert lines == ["alpha beta", "gamma delta"]
    assert all(not line.startswith(("，", "。")) for line in posters._wrap(font, "单元，单元。" * 10, width=100))
