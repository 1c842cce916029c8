"""The result notice (表决结果公告) as a PDF to post in the compound: the electorate, the four
ratios per matter against the frozen thresholds, each candidate, the chain head, and a QR code
to the result page where every owner can check his receipt.

Chinese whatever the reader's language (it is the paper on the notice board), in the
Chinese font embedded in every PDF of linli (linli/lib/pdf_fonts.py)."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from django.utils import timezone, translation

from linli.lib.pdf_fonts import cjk_font

from .models import Item, Vote
from .services import matter_specs

WORDS = {">=": "不少于", ">": "超过"}


def threshold_words(text: str) -> str:
    """ ">=2/3" → "不少于2/3"."""
    op = ">=" if text.startswith(">=") else ">"
    return WORDS[op] + text[len(op) :]


def square_metres(hundredths: int) -> str:
    return f"{Decimal(hundredths) / 100:,.2f}"


def place(vote: Vote) -> str:
    parts = [
        vote.compound.name,
        vote.building.name if vote.building_id else "",
        vote.stairwell.name if vote.stairwell_id else "",
    ]
    return " ".join(p for p in parts if p)


def lines(vote: Vote) -> list[tuple[str, list]]:
    """The notice's content as (heading, rows), shared by the PDF and its tests."""
    result, rules = vote.result, vote.rules
    _, matters = matter_specs(vote)
    candidates = {c.pk: c.name for m in matters.values() for c in m.candidates.all()}
    electorate, part = result["electorate"], result["participation"]
    out = [
        (
            "参与表决情况",
            [
                f"专有部分总面积 {square_metres(electorate['area'])} 平方米，业主总人数 {electorate['heads']} 人"
                f"（{electorate['units']} 户）。",
                f"参与表决的专有部分面积占 {part['area']['percent']}%，人数占 {part['heads']['percent']}%"
                f"（{part['units']['part']} 户）；要求均{threshold_words(rules['participation_area'])}："
                + ("达到。" if part["passed"] else "未达到，本次表决所议事项均不通过。"),
            ],
        )
    ]
    for entry in result["matters"]:
        matter = matters[entry["key"]]
        head = f"事项{matter.position}：{matter.title}"
        with translation.override("zh-hans"):  # the notice is Chinese, whoever prints it
            item = str(Item(matter.item).label)
        rows = [f"类别：{item}；通过要求：面积与人数均{threshold_words(entry['thresholds']['area'])}。"]
        if matter.kind == "proposal":
            a = entry["approval"]
            units = entry["units"]
            rows.append(
                f"同意的专有部分面积占参与表决面积的 {a['area']['percent']}%，同意人数占参与表决人数的 "
                f"{a['heads']['percent']}%"
                f"（同意 {units['yes']} 户，反对 {units['no']} 户，弃权 {units['abstain']} 户）。"
            )
            if entry.get("affected", {}).get("without_consent"):
                rows.append(f"受影响业主中有 {len(entry['affected']['without_consent'])} 户未同意且未签补偿协议。")
            rows.append("结果：通过。" if entry["passed"] else "结果：未通过。")
        else:
            rows.append(f"应选 {matter.seats} 名，任期 {matter.term_years} 年。")
            for c in sorted(entry["candidates"], key=lambda r: (-r["heads"]["part"], -r["area"]["part"])):
                mark = "当选" if c["elected"] else "票数相同，需另行选举" if c["tie"] else "未当选"
                name = candidates.get(c["key"], c["key"])
                rows.append(f"{name}：面积 {c['area']['percent']}%，人数 {c['heads']['percent']}%，{mark}。")
        out.append((head, rows))
    return out


def result_pdf(vote: Vote, *, url: str) -> bytes:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer

    CJK = cjk_font()
    title = ParagraphStyle("title", fontName=CJK, fontSize=17, leading=24, alignment=1, spaceAfter=3 * mm)
    heading = ParagraphStyle("heading", fontName=CJK, fontSize=12, leading=18, spaceBefore=3 * mm)
    body = ParagraphStyle("body", fontName=CJK, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)

    closed = timezone.localtime(vote.closed_at or vote.closes_at)
    opens = timezone.localtime(vote.opens_at)
    story = [
        Paragraph(f"{vote.title}<br/>表决结果公告", title),
        Paragraph(
            f"表决范围：{place(vote)}。"
            f"表决时间：{opens:%Y年%m月%d日 %H:%M} 至 {closed:%Y年%m月%d日 %H:%M}。"
            f"表决规则：{vote.rules.get('name', '')}（公告时锁定）。编号：{vote.code}。",
            body,
        ),
    ]
    for head, rows in lines(vote):
        story.append(Paragraph(head, heading))
        story += [Paragraph(row, body) for row in rows]

    class QR(Flowable):
        size = 32 * mm

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
        Spacer(1, 5 * mm),
        Paragraph(
            "每位业主投票后都收到一个回执码。扫描下方二维码打开结果页，输入回执码即可确认本户选票已按所投计入；"
            "全部选票清单（按回执码排序，不含房号与姓名）及其哈希链可在结果页下载，任何人都可复核上述比例。",
            body,
        ),
        Paragraph(f"选票哈希链末值：{vote.chain_head}", small),
        Spacer(1, 3 * mm),
        QR(),
        Paragraph(url, small),
        Spacer(1, 6 * mm),
        Paragraph(f"公告日期：{timezone.localdate(vote.published_at or timezone.now()):%Y年%m月%d日}", body),
    ]

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{vote.title} 表决结果公告",
        author="邻里 linli",
    )
    doc.build(story)
    return out.getvalue()
