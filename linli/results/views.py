"""The results pages: the staff table with the rows behind each figure, and the public page
of a compound or a community (aggregates only, no names)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from linli.lib import exports as lib_exports
from linli.places.models import Community, Compound

from . import access, exports, series, summaries
from . import indicators as ind
from .period import Period, last_full_month, parse
from .tables import children, parse_place, table, withhold_small_figures

PAGE_SIZE = 50


def _period(request) -> tuple[Period, str]:
    """The period asked for, or the last full month with the reason why not."""
    try:
        return parse(request.GET.get("period"), start=request.GET.get("from"), end=request.GET.get("to")), ""
    except ValidationError as exc:
        return last_full_month(), exc.messages[0]


def _place(request):
    level, pk = parse_place(request.GET.get("place"))
    if not level:
        if request.GET.get("place"):
            raise Http404
        level, place = access.default_place(request.user)
        if place is None:
            raise PermissionDenied
        return level, place
    return level, access.access(request.user, level, pk)


def _choices(user):
    """The places to choose from, by level (communities with their compounds)."""
    subdistricts = list(access.places(user, "subdistrict").order_by("name"))
    communities = list(access.places(user, "community").order_by("name"))
    compounds = list(access.places(user, "compound").order_by("community_id", "name"))
    return subdistricts, communities, compounds


def _figure(request, key):
    """A figure's indicator, place and period as asked for, for staff who may read that place."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    indicator = ind.get(key)
    if indicator is None:
        raise Http404
    level, place = _place(request)
    return (indicator, level, place, *_period(request))


def _staff_page(request):
    """The prologue of a staff page: staff only, then the place and period asked for."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    level, place = _place(request)
    return (level, place, *_period(request))


@login_required
@never_cache
def index(request):
    level, place, period, period_error = _staff_page(request)
    subdistricts, communities, compounds = _choices(request.user)
    context = {
        "level": level,
        "place": place,
        "ref": f"{level}:{place.pk}",
        "period": period,
        "period_error": period_error,
        "subdistricts": subdistricts,
        "communities": communities,
        "compounds": compounds,
        **table(level, place, period),
        "summarised_at": _summarised_at(level, place, [period]),
    }
    return render(request, "results/index.html", context)


@login_required
@never_cache
def rows(request, key):
    indicator, level, place, period, period_error = _figure(request, key)
    qs = indicator.rows(level, [place.pk], period)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    columns = indicator.row_columns
    lines = [[(label, str(fn(obj))) for label, fn in columns] for obj in page.object_list]
    context = {
        "indicator": indicator,
        "level": level,
        "place": place,
        "ref": f"{level}:{place.pk}",
        "period": period,
        "period_error": period_error,
        "value": indicator.value(level, [place.pk], period),
        "headers": [label for label, _fn in columns],
        "lines": lines,
        "page": page,
    }
    return render(request, "results/rows.html", context)


def _public(request, level, place):
    period, period_error = _period(request)
    context = {
        "level": level,
        "place": place,
        "period": period,
        "period_error": period_error,
        "public": True,
        "public_children": level == "community" and bool(children(level, place)),
        **withhold_small_figures(table(level, place, period, public_only=True), period),
    }
    context |= _dashboard_context(request, level, place, period, public_only=True)
    if _partial(request):
        return render(request, "results/_dashboard.html", context)
    return render(request, "results/public.html", context)


def public_compound(request, pk):
    return _public(request, "compound", get_object_or_404(Compound, pk=pk))


def public_community(request, pk):
    return _public(request, "community", get_object_or_404(Community, pk=pk))


# --- exports (Excel for staff, open data for anyone) ---------------------------------------


def _download(content: bytes, content_type: str, filename: str, *, as_attachment: bool = True) -> HttpResponse:
    headers = {"Content-Disposition": content_disposition_header(as_attachment, filename)}
    return HttpResponse(content, content_type=content_type, headers=headers)


@login_required
@never_cache
def export_table(request):
    """The results table as on the page (same place, period and access), as an .xlsx file."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    level, place = _place(request)
    period, _error = _period(request)
    tab = table(level, place, period)
    content = exports.table_workbook(level, place, period, tab)
    lines = sum(len(rows) for _section, rows in tab["sections"])
    lib_exports.record(
        request, key="results", title=_("Results"), model=Compound, filters=lib_exports.filters_of(request), rows=lines
    )
    return _download(content, exports.XLSX, f"results-{level}-{place.pk}-{period.code}.xlsx")


@login_required
@never_cache
def export_rows(request, indicator):
    """Every row behind a figure (not only the page's fifty), masked as on the page."""
    found, level, place, period, _error = _figure(request, indicator)
    qs = found.rows(level, [place.pk], period)
    value = found.value(level, [place.pk], period)
    content = exports.rows_workbook(found, level, place, period, value, qs)
    filters = lib_exports.filters_of(request) | {"indicator": found.key}
    lib_exports.record(
        request, key="results_rows", title=str(found.label), model=qs.model, filters=filters, rows=qs.count()
    )
    return _download(content, exports.XLSX, f"{found.key}-{level}-{place.pk}-{period.code}.xlsx")


def _open_period(code: str) -> Period:
    try:
        return parse(code)
    except ValidationError:
        raise Http404 from None


def open_csv(request, period):
    chosen = _open_period(period)
    text = exports.open_csv(exports.open_data(chosen))
    return _download(text.encode("utf-8"), "text/csv; charset=utf-8", f"linli-results-{chosen.code}.csv")


def open_json(request, period):
    data = exports.open_data(_open_period(period))
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@login_required
@never_cache
def report_pdf(request):
    """The monthly report of a place the user may read (404 for any other place)."""
    from . import report

    if not access.is_staff(request.user):
        raise Http404
    level = request.GET.get("level") or ""
    if level or request.GET.get("place", "").isdigit():
        level, place = level, access.access(request.user, level, request.GET.get("place"))
    else:
        level, place = _place(request)
    try:
        period = parse(request.GET.get("period"))
    except ValidationError:
        raise Http404 from None
    name = f"report-{level}-{place.pk}-{period.code}.pdf"
    return _download(report.build(level, place, period), "application/pdf", name, as_attachment=False)


# --- dashboards: trends, comparison, the building grid -------------------------------------


def _as_json(data: dict) -> str:
    """A chart's data for its data-chart attribute (the template escapes it). Not a <script>
    element: the CSP forbids inline scripts and htmx drops script elements it swaps in."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _chart_data(trend: dict, groups) -> list[dict]:
    """The charts of a dashboard: one per group of indicators sharing a unit, with the values
    the template prints as a table and the JSON the script draws."""
    by_key = {s.indicator.key: s for s in trend["series"]}
    labels = [m.code for m in trend["months"]]
    charts = []
    for slug, title, keys in groups:
        series = [by_key[k] for k in keys if k in by_key]
        if not series:
            continue
        charts.append(
            {
                "id": f"r-chart-{slug}",
                "title": title,
                "series": series,
                "rows": [(m, [(s.indicator, s.values[n]) for s in series]) for n, m in enumerate(trend["months"])],
                "json": _as_json(
                    {
                        "kind": "line",
                        "xlabel": str(MONTH),
                        "labels": labels,
                        "unit": series[0].indicator.unit,
                        "series": [{"label": str(s.indicator.label), "values": s.points} for s in series],
                    }
                ),
            }
        )
    return charts


MONTH, PLACE = _("Month"), _("Place")
TREND_GROUPS = [
    ("cases", _("Cases per month"), ["cases_received", "cases_replied_on_time", "cases_resolved_on_time"]),
    ("rates", _("Resolution and satisfaction, in percent"), ["cases_resolution_rate", "cases_satisfied"]),
    ("action", _("Mediations and votes"), ["disputes_mediated", "votes_held"]),
    ("hours", _("Volunteer hours"), ["volunteer_hours"]),
    ("visits", _("Homes visited"), ["homes_visited"]),
]


def _comparison_context(request, level, place, period, *, public_only=False) -> dict:
    choices = series.compare_indicators(level, public_only=public_only)
    if not choices:
        return {"compare_choices": []}
    keys = [i.key for i in choices]
    key = request.GET.get("indicator") if request.GET.get("indicator") in keys else keys[0]
    chosen = ind.get(key)
    items = series.comparison(level, place, key, period, public_only=public_only)
    return {
        "compare_choices": choices,
        "compare_indicator": chosen,
        "compare_items": items,
        "compare_json": _as_json(
            {
                "kind": "bars",
                "xlabel": str(PLACE),
                "labels": [kid.name for kid, _v in items],
                "unit": chosen.unit,
                "series": [
                    {"label": str(chosen.label), "values": [float(v) if v is not None else None for _k, v in items]}
                ],
            }
        ),
    }


def _summarised_at(level, place, periods):
    """When the summaries a staff page read were counted (None: everything on it is live)."""
    codes = [p.code for p in periods if summaries.applies(level, p)]
    return summaries.computed_at(level, place.pk, codes) if codes else None


def _dashboard_context(request, level, place, period, *, public_only=False) -> dict:
    trend = series.trends(level, [place.pk], period, public_only=public_only)
    return {
        "summarised_at": None if public_only else _summarised_at(level, place, [*trend["months"], period]),
        "level": level,
        "place": place,
        "ref": f"{level}:{place.pk}",
        "period": period,
        "months": trend["months"],
        "charts": _chart_data(trend, TREND_GROUPS),
        **_comparison_context(request, level, place, period, public_only=public_only),
    }


def _partial(request) -> bool:
    """An HTMX request for the dashboard's body only (the form switched indicator or period)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "r-dash"


@login_required
@never_cache
def dashboard(request):
    """Trends by month, the comparison of the child places, a link to the building grid."""
    level, place, period, period_error = _staff_page(request)
    context = _dashboard_context(request, level, place, period)
    context["period_error"] = period_error
    if _partial(request):
        return render(request, "results/_dashboard.html", context)
    subdistricts, communities, compounds = _choices(request.user)
    context |= {"subdistricts": subdistricts, "communities": communities, "compounds": compounds}
    return render(request, "results/dashboard.html", context)


@login_required
@never_cache
def buildings(request):
    """The building grid of a compound: a table with coloured cells that say their value too."""
    if not access.is_staff(request.user):
        raise PermissionDenied
    level, place = _place(request)
    if level != "compound":
        raise Http404
    period, period_error = _period(request)
    grid = series.building_grid(place, period)
    context = {
        "level": level,
        "place": place,
        "ref": f"{level}:{place.pk}",
        "period": period,
        "period_error": period_error,
        "grid": [(row, series.band(row.visited_percent), series.band(row.recorded_percent)) for row in grid],
    }
    return render(request, "results/buildings.html", context)
