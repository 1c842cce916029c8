"""The cost-sharing agreement (加装电梯费用分摊协议) as a PDF the owners sign: the project, how the
shares are computed, one row per home with a signature line, and the total.

The document is Chinese whatever the reader's language: it is the paper the owners of a Foshan
stairwell sign and file with the approval. Its Chinese font is embedded
(linli/lib/pdf_fonts.py), so any reader shows it; figures are set in Helvetica.
Before adoption the same document is marked as a draft (草案) for the owners to discuss.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone

from linli.lib.pdf_fonts import cjk_font

from .models import ElevatorProject, MaintenancePlan
from .services import frozen_shares, home_label, maintenance_shares, preview
from .sharing import coefficient_text, yuan

FIGURES = "Helvetica"


@dataclass(frozen=True)
class Row:
    number: int
    home: str
    floor: int
    area: str
    coefficient: str
    amount: str  # yuan, two decimals


def agreement_rows(project: ElevatorProject) -> tuple[list[Row], str]:
    """The rows the agreement lists (frozen shares once adopted, else the plan's preview) and the
    total in yuan. Raises services.ElevatorError when a draft plan cannot be computed."""
    if project.is_editable:
        shares = preview(project=project)
        rows = [(s.label, s.floor, s.area, s.coefficient, s.amount) for s in shares]
        total = project.total_fen
    else:
        shares = list(frozen_shares(project))
        rows = [(home_label(s.home), s.floor, s.area, s.coefficient, s.amount_fen) for s in shares]
        total = sum(s.amount_fen for s in shares)
    return [
        Row(number=i, home=label, floor=floor, area=f"{area:.2f}", coefficient=coefficient_text(c), amount=yuan(fen))
        for i, (label, floor, area, c, fen) in enumerate(rows, start=1)
    ], yuan(total)


def agreement_pdf(project: ElevatorProject) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    CJK = cjk_font()
    rows, total = agreement_rows(project)
    stairwell = project.stairwell
    place = f"{stairwell.building.compound.name} {stairwell.building.name} {stairwell.name}"
    draft = project.is_editable

    title_style = ParagraphStyle("title", fontName=CJK, fontSize=16, leading=22, alignment=1, spaceAfter=4 * mm)
    body = ParagraphStyle("body", fontName=CJK, fontSize=10, leading=15, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)

    story = [Paragraph(("（草案）" if draft else "") + f"{place} 加装电梯费用分摊协议", title_style)]
    facts = [f"项目：{project.title}", f"总造价：人民币 {total} 元"]
    if project.consent_vote_id:
        vote = project.consent_vote
        published = timezone.localdate(vote.published_at).isoformat() if vote.published_at else ""
        facts.append(f"业主表决：{vote.title}（编号 {vote.code}，{published} 公布结果）")
    table = sorted(project.coefficients.items(), key=lambda kv: int(kv[0]))
    facts.append("楼层系数：" + "；".join(f"{floor}层 {c}" for floor, c in table))
    facts.append(
        "分摊办法：每户权重 = 所在楼层系数 × 专有部分面积；每户分摊金额 = 总造价 × 本户权重 ÷ 全部权重之和，"
        "以分为单位按最大余数法取整（余数相同时楼层高者优先），各户金额合计恰等于总造价。系数为 0 的住户不分摊。"
    )
    story += [Paragraph(line, body) for line in facts]
    story.append(Spacer(1, 4 * mm))

    header = ["序号", "房号（栋 / 单元 / 号）", "楼层", "面积(平方米)", "系数", "分摊金额(元)", "业主签字", "日期"]
    data = [header]
    data += [[str(r.number), r.home, str(r.floor), r.area, r.coefficient, r.amount, "", ""] for r in rows]
    data.append(["", "合计", "", "", "", total, "", ""])
    widths = [10 * mm, 44 * mm, 11 * mm, 22 * mm, 14 * mm, 25 * mm, 34 * mm, 20 * mm]
    grid = Table(data, colWidths=widths, repeatRows=1, rowHeights=[8 * mm] + [10 * mm] * (len(data) - 1))
    grid.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), CJK),
                ("FONTNAME", (2, 1), (5, -1), FIGURES),
                ("FONTNAME", (0, 1), (0, -1), FIGURES),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (2, 0), (5, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("FONTNAME", (1, -1), (1, -1), CJK),
            ]
        )
    )
    story.append(grid)
    story.append(Spacer(1, 4 * mm))

    plan = getattr(project, "maintenance", None)
    if plan is not None:
        how = "按上表相同权重分摊" if plan.sharing == MaintenancePlan.Sharing.WEIGHTS else "由系数大于 0 的住户平均分摊"
        line = f"电梯维护：每年维护费用约 {yuan(plan.yearly_fen)} 元，{how}，由 {plan.collector} 收取。"
        if plan.sharing == MaintenancePlan.Sharing.EQUAL:
            amounts = sorted({s.amount for s in maintenance_shares(project)} - {0})
            line += f"每户每年约 {' / '.join(yuan(a) for a in amounts)} 元。"
        story.append(Paragraph(line, body))
    if draft:
        closing = "本分摊方案尚未确定，仅供业主讨论；确定后以正式协议为准。"
    else:
        adopted = timezone.localdate(project.adopted_at).isoformat()
        closing = (
            f"本分摊方案于 {adopted} 确定。各业主签字确认本户分摊金额；本协议一式多份，"
            "业主、实施主体及社区居委会各执一份。"
        )
    story.append(Paragraph(closing, body))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph("实施主体（盖章）：____________________　　社区居委会（盖章）：____________________", body))
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(f"由邻里平台生成于 {generated}，项目编号 {project.pk}。", small))

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(CJK, 8)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{place} 加装电梯费用分摊协议　第 {doc.page} 页")
        canvas.restoreState()

    out = BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"{place} 加装电梯费用分摊协议",
        author="邻里 linli",
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
