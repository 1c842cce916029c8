"""The minutes as a PDF (会议纪要), in Chinese whatever the reader's language: it is the paper
that goes on the notice board and into the file. The Chinese font is embedded
(linli/lib/pdf_fonts.py), as in every PDF of linli.

Who came is told as a count and the organisations present, not as a list of residents' names."""

from __future__ import annotations

from io import BytesIO
from xml.sax.saxutils import escape

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone

from linli.lib.pdf_fonts import cjk_font
from linli.people.models import Membership, Organisation

from . import access
from .models import Meeting, Minutes
from .views import minutes_of, minutes_rows, place_label

KINDS = {
    Meeting.Kind.STAIRWELL: "楼道会议",
    Meeting.Kind.TEA_PARTY: "楼道茶话会",
    Meeting.Kind.HALL: "居民议事厅",
    Meeting.Kind.JOINT: "三方联席会议",
    Meeting.Kind.ASSEMBLY_PREP: "业主大会筹备会",
}
MODES = {Meeting.Mode.OFFLINE: "线下", Meeting.Mode.ONLINE: "线上", Meeting.Mode.BOTH: "线下与线上"}


def organisations_present(meeting: Meeting) -> list[str]:
    """The organisations at least one of whose active members came, by name."""
    people = meeting.attendance.values("person_id")
    orgs = Membership.objects.active(timezone.localdate()).filter(person_id__in=people).values("organisation_id")
    return list(Organisation.objects.filter(pk__in=orgs).order_by("kind", "name").values_list("name", flat=True))


def _when(meeting: Meeting) -> str:
    start, end = timezone.localtime(meeting.starts), timezone.localtime(meeting.ends)
    same_day = start.date() == end.date()
    return (
        f"{start:%Y年%m月%d日 %H:%M} 至 {end:%H:%M}"
        if same_day
        else f"{start:%Y年%m月%d日 %H:%M} 至 {end:%Y年%m月%d日 %H:%M}"
    )


def lines(meeting: Meeting, minutes: Minutes) -> list[tuple[str, list[str]]]:
    """The minutes' content as (heading, rows), shared by the PDF and its tests."""
    # The paper is Chinese whoever prints it: the names of kinds are the ones residents use.
    kind = KINDS.get(meeting.kind, meeting.kind)
    where = meeting.venue.name if meeting.venue_id else meeting.location
    place = place_label(meeting)
    present = meeting.attendance.count()
    orgs = organisations_present(meeting)
    head = [
        f"会议类型：{kind}。范围：{place}。",
        f"时间：{_when(meeting)}。地点：{where or '—'}（{MODES.get(meeting.mode, '')}）。",
        *([f"线上参会链接：{meeting.online_url}"] if meeting.online_url else []),
        f"召集单位：{meeting.organiser.name}。",
        f"到会人数：{present} 人。" + (f"到会单位：{'、'.join(orgs)}。" if orgs else ""),
    ]
    out = [("会议概况", head)]
    if minutes.summary.strip():
        out.append(("纪要摘要", [minutes.summary.strip()]))
    for row in minutes_rows(meeting, minutes):
        item = row["item"]
        rows = []
        if item.case_id:
            rows.append(f"关联诉求：{item.case.code}")
        if item.text.strip():
            rows.append(f"议题说明：{item.text.strip()}")
        for label, key in (("讨论情况", "summary"), ("各方意见", "positions"), ("决定", "decision")):
            if (row.get(key) or "").strip():
                rows.append(f"{label}：{row[key].strip()}")
        out.append((f"议程{item.position}：{item.title}", rows or ["（未记录）"]))
    if minutes.frozen:
        approver = minutes.approved_by.display_name() if minutes.approved_by else "—"
        signed = f"审定人：{approver}。审定时间：{timezone.localtime(minutes.approved_at):%Y年%m月%d日 %H:%M}。"
    else:
        signed = "本纪要尚未审定（草稿）。"
    out.append(("审定", [signed + f"版本：第 {minutes.version} 版。编号：{meeting.code}。"]))
    return out


def minutes_pdf(meeting: Meeting, minutes: Minutes) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    CJK = cjk_font()
    title = ParagraphStyle("title", fontName=CJK, fontSize=17, leading=24, alignment=1, spaceAfter=3 * mm)
    heading = ParagraphStyle("heading", fontName=CJK, fontSize=12, leading=18, spaceBefore=3 * mm)
    body = ParagraphStyle("body", fontName=CJK, fontSize=10.5, leading=16, wordWrap="CJK")

    def para(text, style):
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    story = [para(f"{meeting.title}\n会议纪要", title)]
    for head, rows in lines(meeting, minutes):
        story.append(para(head, heading))
        story += [para(row, body) for row in rows]
    out = BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=f"{meeting.title} 会议纪要", author="邻里 linli",
    )  # fmt: skip
    doc.build(story)
    return out.getvalue()


@login_required
def minutes_pdf_view(request, code):
    """Approved minutes for anyone who sees the meeting; a draft for its organisers only."""
    meeting = access.access_meeting(request.user, code)
    minutes = minutes_of(meeting)
    if minutes is None or not (minutes.frozen or access.can_organise(request.user, meeting)):
        raise Http404
    response = HttpResponse(minutes_pdf(meeting, minutes), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.code}.pdf"'
    return response
