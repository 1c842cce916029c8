"""The agreement PDF: a real PDF, one row per home with its amount, and the total."""

import base64
import re
import zlib

from linli.elevators import services
from linli.elevators.agreement import agreement_pdf, agreement_rows
from linli.lib.tests import pdfdoc


def page_text(pdf: bytes) -> str:
    """The drawing operations of every page, decompressed: figures are set in Helvetica, so an
    amount appears as "(12649.58) Tj"."""
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = raw.strip()
        if data.endswith(b"~>"):  # reportlab wraps its streams in ASCII85 over Flate
            data = base64.a85decode(re.sub(rb"\s", b"", data[:-2]))
        try:
            out.append(zlib.decompress(data).decode("latin-1"))
        except zlib.error:
            out.append(data.decode("latin-1"))
    return "\n".join(out)


def drawn(text: str) -> list[str]:
    return re.findall(r"\(([^()]*)\) Tj", text)


def test_the_rows_list_every_home_with_its_frozen_amount_in_yuan(ew, adopted):
    rows, total = agreement_rows(adopted)
    assert [(r.number, r.home, r.floor, r.area, r.coefficient, r.amount) for r in rows] == [
        (1, "1栋 1单元 101", 1, "89.50", "0.00", "0.00"),
        (2, "1栋 1单元 102", 1, "89.50", "0.00", "0.00"),
        (3, "1栋 1单元 201", 2, "89.50", "1.00", "126495.81"),
        (4, "1栋 1单元 301", 3, "102.30", "1.20", "173504.19"),
    ]
    assert total == "300000.00"


def test_the_pdf_is_a_pdf_with_a_row_per_home_and_the_total(ew, adopted):
    pdf = agreement_pdf(adopted)
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    figures = [s for s in drawn(page_text(pdf)) if re.fullmatch(r"\d+(\.\d+)?", s)]
    # Row by row: number, floor, area, coefficient, amount; then the total under the amounts.
    rows = [
        ["1", "1", "89.50", "0.00", "0.00"],
        ["2", "1", "89.50", "0.00", "0.00"],
        ["3", "2", "89.50", "1.00", "126495.81"],
        ["4", "3", "102.30", "1.20", "173504.19"],
    ]
    expected = [f for row in rows for f in row] + ["300000.00"]
    start = figures.index("1")
    assert figures[start : start + len(expected)] == expected


def test_the_agreements_chinese_is_in_an_embedded_font(ew, adopted):
    pdfdoc.require_cjk_font()
    drawn = pdfdoc.embedded_chinese(agreement_pdf(adopted))  # the font travels with the file, every glyph in it
    assert "加装电梯费用分摊协议" in drawn and "1栋 1单元 301" in drawn


def test_a_draft_plan_gives_a_draft_agreement_and_a_broken_plan_none(ew, project):
    rows, total = agreement_rows(project)
    assert len(rows) == 4 and total == "300000.00"
    assert agreement_pdf(project).startswith(b"%PDF-")
    ew.h201.area = None
    ew.h201.save()
    try:
        agreement_rows(project)
    except services.ElevatorError as exc:
        assert "201" in exc.message
    else:
        raise AssertionError("a home without area must stop the agreement")
