"""The certificate of volunteer hours (志愿服务时长证明) as a PDF, in Chinese whatever the
reader's language, in the Chinese font embedded in every PDF of linli (linli/lib/pdf_fonts.py), with
the verification code and a QR code to the public page that checks it."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone

from linli.lib.pdf_fonts import cjk_font

from .models import Certificate


def hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def certificate_pdf(cert: Certificate, *, url: str) -> bytes:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    CJK = cjk_font()
    title = ParagraphStyle("title", fontName=CJK, fontSize=20, leading=28, alignment=1, spaceAfter=6 * mm)
    body = ParagraphStyle("body", fontName=CJK, fontSize=12, leading=20, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13)

    period = f"{cert.period_start:%Y年%m月%d日}至{cert.period_end:%Y年%m月%d日}"
    story = [
        Paragraph("志愿服务时长证明", title),
        Paragraph(
            f"兹证明 {cert.person.name} 同志"
            + (f"（{cert.teams}）" if cert.teams else "")
            + f"于{period}期间参加志愿服务，累计服务时长 {hours_text(cert.total_minutes)} 小时"
            f"（{cert.total_minutes} 分钟）。",
            body,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [["日期", "活动", "时长（小时）"]] + [
        [r["on"], Paragraph(r["title"], small), hours_text(r["minutes"])] for r in cert.activities
    ]
    table = Table(rows, colWidths=[32 * mm, 110 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), CJK, 10),
                ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
            ]
        )
    )

    class QR(Flowable):
        size = 28 * mm

        def wrap(self, *args):
            return self.size, self.size

        def draw(self):
            widget = QrCodeWidget(url)
            x0, y0, x1, y1 = widget.getBounds()
            drawing = Drawing(
                self.size, self.size, transform=[self.size / (x1 - x0), 0, 0, self.size / (y1 - y0), 0, 0]
            )
            drawing.add(widget)
            renderPDF.draw(drawing, self.canv, 0, 0)

    story += [
        table,
        Spacer(1, 8 * mm),
        Paragraph(f"出具单位：{cert.community_name}", body),
        Paragraph(f"出具日期：{timezone.localdate(cert.issued_at):%Y年%m月%d日}", body),
        Paragraph(f"验证码：{cert.code}（扫描二维码或访问下方网址核验本证明）", body),
        Spacer(1, 3 * mm),
        QR(),
        Paragraph(url, small),
    ]
    out = BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title="志愿服务时长证明",
        author="邻里 linli",
    ).build(story)
    return out.getvalue()
