"""The monthly report (创熟工作月报) as a PDF, in Chinese whatever the reader's language.

`build(level, place, period)` lays out: the title, the staff-edited intro, the indicators of
the period beside the period before and the charts of the twelve months to it, the communities
(or compounds) compared one row each and in a bar chart, a bar chart of the period's cases by
category (report_charts.py draws them; staff may switch each off in the template), the notable
cases (titles only, never names), the closing text and the time it was generated. The figures
come from `indicators.compute`, never from anything typed. The Chinese font is embedded
(linli/lib/pdf_fonts.py), as in the other PDFs of linli.

`write_all(period)` writes the PDFs of the subdistricts and every community under
LINLI_VAR_DIR/reports/<period>/ (the monthly schedule).
"""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import timezone, translation

from linli.cases.models import Case, Status
from linli.lib.pdf_fonts import cjk_font
from linli.places.models import Community, Subdistrict

from . import indicators as ind
from . import report_charts as charts
from .models import ReportTemplate
from .period import Period, custom, month
from .tables import children

CHILD_NAME = {"subdistrict": "社区", "community": "小区"}
COMPARED = (  # the comparison table's columns: what fits across an A4 page
    "cases_received",
    "cases_resolution_rate",
    "cases_satisfied",
    "cases_overdue",
    "volunteer_hours",
    "campaign_reach",
    "homes_visited",
)
CATEGORIES = ("cases_disputes", "cases_hygiene", "cases_public_order", "cases_repairs", "cases_safety", "cases_parking")
NOTABLE = 5
# The built-in words, used when no ReportTemplate row exists (the data migration makes one).
DEFAULT_WORDS = {
    "title": "{place}{month}创熟工作月报",
    "intro": "",
    "closing": "",
    "heading_indicators": "一、主要指标（本月与上月对比）",
    "heading_compare": "二、各{children}情况对比",
    "heading_chart": "三、本月诉求分类",
    "heading_cases": "四、本月重点诉求",
}
CHARTS = ("chart_trend", "chart_compare", "chart_categories")  # switched on unless the template says not
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def substitute(text: str, values: dict) -> str:
    """{name} replaced by values[name] as plain text; anything else left as typed. Nothing in
    the text is evaluated (no attribute access, no format specs, no template tags)."""
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], text or "")


def template_for(level: str, place) -> ReportTemplate | None:
    """The community's own words, else its subdistrict's, else the default."""
    community = place if level == "community" else getattr(place, "community", None)
    subdistrict = place if level == "subdistrict" else getattr(place, "subdistrict", None)
    for q in (
        {"community": community} if community else None,
        {"subdistrict": subdistrict} if subdistrict else None,
        {"subdistrict__isnull": True, "community__isnull": True},
    ):
        if q and (found := ReportTemplate.objects.filter(**q).first()):
            return found
    return None


_ASK = object()


def words(level: str, place, period: Period, generated: dt.datetime, tpl=_ASK) -> dict:
    tpl = template_for(level, place) if tpl is _ASK else tpl
    values = {
        "place": place.name,
        "month": month_text(period),
        "children": CHILD_NAME.get(level, ""),
        "generated": f"{timezone.localtime(generated):%Y-%m-%d %H:%M}",
    }
    return {key: substitute(getattr(tpl, key) if tpl else default, values) for key, default in DEFAULT_WORDS.items()}


def month_text(period: Period) -> str:
    if period.code == f"{period.start:%Y-%m}":
        return f"{period.start.year}年{period.start.month}月"
    return f"{period.start:%Y年%m月%d日}至{period.end:%Y年%m月%d日}"


def previous(period: Period) -> Period:
    """The month before a month; else the same number of days just before."""
    if period.code == f"{period.start:%Y-%m}":
        before = period.start - dt.timedelta(days=1)
        return month(before.year, before.month)
    days = period.end - period.start
    end = period.start - dt.timedelta(days=1)
    return custom(end - days, end)


def figure(value, indicator) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = round(value, 1)
    text = f"{value:,}" if isinstance(value, int) else f"{value}"
    return f"{text}%" if indicator.unit == "percent" else text


def notable_cases(level: str, place, period: Period, now: dt.datetime) -> tuple[list, list]:
    """The period's most supported cases, and the cases overdue now: (title, category, figure)."""
    column = ind.via("compound")[level]
    here = Case.objects.filter(**{column: place.pk}).exclude(status=Status.MERGED).select_related("category")
    supported = here.filter(
        submitted_at__gte=period.start_at, submitted_at__lt=period.end_before, supporters__gt=0
    ).order_by("-supporters", "-submitted_at", "pk")[:NOTABLE]
    overdue = here.overdue(now).order_by("resolve_due", "pk")[:NOTABLE]
    return (
        [(c.title, c.category.name_zh, c.supporters) for c in supported],
        [(c.title, c.category.name_zh, (now - c.resolve_due).days) for c in overdue],
    )


def chart_switches(tpl) -> dict:
    return {key: getattr(tpl, key) if tpl else True for key in CHARTS}


def data(level: str, place, period: Period, now: dt.datetime | None = None, switches: dict | None = None) -> dict:
    """Everything the PDF shows, as plain values (the tests compare these with `compute`)."""
    now = now or timezone.now()
    switches = switches or chart_switches(None)
    before = previous(period)
    shown = [i for i in ind.INDICATORS if level in i.levels]
    this = ind.compute(level, [place.pk], period, now=now)[place.pk]
    last = ind.compute(level, [place.pk], before, now=now)[place.pk]
    kids = children(level, place)
    compared = [ind.BY_KEY[k] for k in COMPARED]
    keys = (*COMPARED, "cases_resolved_on_time")  # the comparison chart's second bar, from the same query
    kid_figures = ind.compute(ind.CHILD[level], [k.pk for k in kids], period, keys=keys, now=now) if kids else {}
    supported, overdue = notable_cases(level, place, period, now)
    return {
        "period": period,
        "before": before,
        "indicators": [(i, this[i.key], last[i.key]) for i in shown],
        "compared": compared,
        "children": [(k, [kid_figures[k.pk][i.key] for i in compared]) for k in kids],
        "categories": [(ind.BY_KEY[k], this[k] or 0) for k in CATEGORIES],
        "supported": supported,
        "overdue": overdue,
        "now": now,
        "switches": switches,
        "months": charts.monthly(level, place, period, now=now) if switches["chart_trend"] else [],
        "kid_cases": [(k.name, kid_figures[k.pk]["cases_received"], kid_figures[k.pk]["cases_resolved_on_time"])
                      for k in kids],
    }  # fmt: skip


def build(level: str, place, period: Period, *, now: dt.datetime | None = None) -> bytes:
    """The report of `place` (a subdistrict or a community; a compound works too) as PDF bytes."""
    now = now or timezone.now()
    tpl = template_for(level, place)
    with translation.override("zh-hans"):
        d = data(level, place, period, now, chart_switches(tpl))
        return _render(level, place, d, words(level, place, period, now, tpl))


def _render(level: str, place, d: dict, w: dict) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    CJK = cjk_font()
    title = ParagraphStyle("title", fontName=CJK, fontSize=17, leading=24, alignment=1, spaceAfter=3 * mm)
    heading = ParagraphStyle("heading", fontName=CJK, fontSize=12, leading=18, spaceBefore=4 * mm, spaceAfter=2 * mm)
    body = ParagraphStyle("body", fontName=CJK, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=12)

    def para(text, style=body):
        return Paragraph(escape(text).replace("\n", "<br/>"), style)

    def grid(rows, widths, header=1):
        t = Table(rows, colWidths=widths, repeatRows=header)
        t.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), CJK, 9),
                    ("GRID", (0, 0), (-1, -1), 0.4, "#888888"),
                    ("BACKGROUND", (0, 0), (-1, header - 1), "#eeeeee"),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("ALIGN", (1, header), (-1, -1), "RIGHT"),
                ]
            )
        )
        return t

    story = [para(w["title"], title)]
    if w["intro"]:
        story.append(para(w["intro"]))

    story.append(para(w["heading_indicators"], heading))
    rows = [["指标", f"本期（{d['period']}）", f"上期（{d['before']}）", "单位"]]
    rows += [[para(str(i.label), small), figure(a, i), figure(b, i), str(i.unit_label)] for i, a, b in d["indicators"]]
    story.append(grid(rows, [80 * mm, 32 * mm, 32 * mm, 30 * mm]))
    if d["months"]:
        story += [Spacer(1, 3 * mm), charts.trend_chart(d["months"], CJK, 178 * mm)]
        story += [Spacer(1, 2 * mm), charts.hours_chart(d["months"], CJK, 178 * mm)]

    if d["children"]:
        story.append(para(w["heading_compare"], heading))
        rows = [[CHILD_NAME[level]] + [para(str(i.label), small) for i in d["compared"]]]
        rows += [[para(k.name, small)] + [figure(v, i) for v, i in zip(values, d["compared"], strict=True)]
                 for k, values in d["children"]]  # fmt: skip
        story.append(grid(rows, [34 * mm] + [20 * mm] * len(d["compared"])))
        if d["switches"]["chart_compare"]:
            names, received, on_time = zip(*d["kid_cases"], strict=True)
            drawing = charts.compare_chart(list(names), list(received), list(on_time), CJK, 178 * mm, CHILD_NAME[level])
            story += [Spacer(1, 3 * mm), drawing]

    if d["switches"]["chart_categories"]:
        story.append(para(w["heading_chart"], heading))
        story.append(charts.category_chart([(str(i.label), n) for i, n in d["categories"]], CJK))

    story.append(para(w["heading_cases"], heading))
    if d["supported"]:
        rows = [["居民支持最多的诉求", "类别", "支持人数"]]
        rows += [[para(t, small), c, str(n)] for t, c, n in d["supported"]]
        story.append(grid(rows, [110 * mm, 36 * mm, 28 * mm]))
    else:
        story.append(para("本期没有居民联名支持的诉求。", small))
    story.append(Spacer(1, 3 * mm))
    if d["overdue"]:
        rows = [["目前超期的诉求", "类别", "超期天数"]]
        rows += [[para(t, small), c, str(n)] for t, c, n in d["overdue"]]
        story.append(grid(rows, [110 * mm, 36 * mm, 28 * mm]))
    else:
        story.append(para("目前没有超期的诉求。", small))

    if w["closing"]:
        story += [Spacer(1, 5 * mm), para(w["closing"])]
    story += [Spacer(1, 4 * mm), para(f"生成时间：{timezone.localtime(d['now']):%Y-%m-%d %H:%M}", small)]

    out = BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=18 * mm,
        bottomMargin=16 * mm,
        title=w["title"],
        author="邻里 linli",
    ).build(story)
    return out.getvalue()


def reports_dir() -> Path:
    return Path(settings.VAR_DIR) / "reports"


def write_all(period: Period, *, now: dt.datetime | None = None, if_missing: bool = False) -> list[Path]:
    """The PDFs of every subdistrict and every community for `period`, written (replaced if
    there, kept if `if_missing`) under LINLI_VAR_DIR/reports/<period>/; the paths written."""
    folder = reports_dir() / period.code
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    places = [("subdistrict", s) for s in Subdistrict.objects.order_by("pk")]
    places += [("community", c) for c in Community.objects.select_related("subdistrict").order_by("pk")]
    for level, place in places:
        path = folder / f"{level}-{place.pk}.pdf"
        if if_missing and path.exists():
            continue
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(build(level, place, period, now=now))
        tmp.replace(path)  # a reader never sees half a file
        written.append(path)
    return written
