"""The 创熟 indicators over the API, under /api/v1/results (staff within their places):

- `GET /indicators`: every indicator with its label, unit, kind and whether it is public;
- `GET /values?level=&place=&from=&to=` (or `period=2026-11`): the figures of a place and of
  each of its children (communities of a subdistrict, compounds of a community);
- `GET /indicators/{key}/rows?level=&place=&from=&to=&limit=&offset=`: the rows behind a figure;
- `GET /series`, `GET /compare?indicator=`, `GET /buildings?compound=`: the dashboards' trends
  by month, the child places compared, the building grid of a compound.

A place outside the caller's reach is a 404; an unknown indicator a 404 with its own message;
bad dates or from > to a 422 naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from linli.lib.api_support import ApiError, ErrorOut, invalid_input

from . import access, exports, series
from . import indicators as ind
from .period import Period, parse
from .tables import children

router = Router(tags=["results"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class IndicatorOut(Schema):
    key: str
    label: str
    unit: str
    unit_label: str
    kind: str
    kind_label: str
    public: bool
    levels: list[str]
    help: str


class PeriodOut(Schema):
    code: str
    start: dt.date
    end: dt.date


class PlaceValues(Schema):
    level: str
    id: int
    name: str
    values: dict[str, float | int | None]


class PlaceOut(Schema):
    level: str
    id: int
    name: str


class ValuesOut(Schema):
    period: PeriodOut
    place: PlaceValues
    children: list[PlaceValues]


class RowOut(Schema):
    id: int
    cells: list[str]


class RowsOut(Schema):
    indicator: str
    value: float | int | None
    columns: list[str]
    count: int
    items: list[RowOut]


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _staff(request):
    if not access.is_staff(request.user):
        raise PermissionDenied(_("Only community and subdistrict staff read the indicators."))


def _period(period: str | None, start: str | None, end: str | None) -> Period:
    try:
        return parse(period, start=start, end=end)
    except ValidationError as exc:
        field = "period"
        if start or end:
            field = "to"  # both dates read, but in the wrong order: unless one does not read
            for name, text in (("from", start), ("to", end)):
                try:
                    dt.date.fromisoformat((text or "").strip())
                except ValueError:
                    field = name
                    break
        raise invalid_input(field, exc.messages[0]) from None


def _place(request, level: str | None, place: int | None):
    if level is None and place is None:
        level, found = access.default_place(request.user)
        if found is None:
            raise PermissionDenied
        return level, found
    if level not in ind.LEVELS:
        raise invalid_input("level", _("Choose one of: %(choices)s") % {"choices": ", ".join(ind.LEVELS)})
    if place is None:
        raise invalid_input("place", _("This field is required."))
    return level, access.access(request.user, level, place)


@router.get("/indicators", response=list[IndicatorOut])
def indicator_list(request):
    return [
        IndicatorOut(
            key=i.key,
            label=str(i.label),
            unit=i.unit,
            unit_label=str(i.unit_label),
            kind=i.kind,
            kind_label=str(i.kind_label),
            public=i.public,
            levels=list(i.levels),
            help=str(i.help),
        )
        for i in ind.INDICATORS
    ]


@router.get("/values", response={200: ValuesOut, **ERRORS})
def values(
    request,
    level: str | None = None,
    place: int | None = None,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
):
    _staff(request)
    chosen = _period(period, start, end)
    level, found = _place(request, level, place)

    def figures(values):
        return {key: _plain(v) for key, v in values.items()}

    own = ind.compute(level, [found.pk], chosen)[found.pk]
    kids = children(level, found)
    out_children = []
    if kids:
        child_level = ind.CHILD[level]
        per_child = ind.compute(child_level, [k.pk for k in kids], chosen)
        out_children = [
            PlaceValues(level=child_level, id=k.pk, name=k.name, values=figures(per_child[k.pk])) for k in kids
        ]
    return ValuesOut(
        period=PeriodOut(code=chosen.code, start=chosen.start, end=chosen.end),
        place=PlaceValues(level=level, id=found.pk, name=found.name, values=figures(own)),
        children=out_children,
    )


@router.get("/indicators/{key}/rows", response={200: RowsOut, **ERRORS})
def rows(
    request,
    key: str,
    level: str | None = None,
    place: int | None = None,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    limit: int = Query(50, ge=1),
    offset: int = Query(0, ge=0),
):
    _staff(request)
    indicator = ind.get(key)
    if indicator is None:
        raise ApiError(404, "not_found", _("There is no indicator %(key)s.") % {"key": key})
    chosen = _period(period, start, end)
    level, found = _place(request, level, place)
    limit = min(limit, settings.NINJA_PAGINATION_MAX_PER_PAGE_SIZE)
    qs = indicator.rows(level, [found.pk], chosen)
    columns = indicator.row_columns
    return RowsOut(
        indicator=indicator.key,
        value=_plain(indicator.value(level, [found.pk], chosen)),
        columns=[str(label) for label, _fn in columns],
        count=qs.count(),
        items=[
            RowOut(id=obj.pk, cells=[str(fn(obj)) for _label, fn in columns]) for obj in qs[offset : offset + limit]
        ],
    )


@router.get("/open", auth=None, response={200: dict, 422: ErrorOut}, summary="Open data of a period (no login)")
def open_data(request, period: str | None = None):
    """The anonymised aggregates of the public indicators per compound and community, as
    /results/open/<period>.json (schema in docs/results.md, "Open data")."""
    return exports.open_data(_period(period, None, None))


# --- dashboards: trends, comparison, the building grid -------------------------------------


class SeriesOut(Schema):
    key: str
    label: str
    unit: str
    values: list[float | int | None]


class TrendsOut(Schema):
    period: PeriodOut
    place: PlaceOut
    months: list[str]
    series: list[SeriesOut]


class CompareItem(Schema):
    level: str
    id: int
    name: str
    value: float | int | None


class CompareOut(Schema):
    period: PeriodOut
    place: PlaceOut
    indicator: str
    items: list[CompareItem]


class BuildingOut(Schema):
    id: int
    name: str
    homes: int
    homes_visited: int
    residents_recorded: int
    cases_received: int
    cases_open: int
    leaders: int


class BuildingsOut(Schema):
    period: PeriodOut
    place: PlaceOut
    items: list[BuildingOut]


def _period_out(chosen: Period) -> PeriodOut:
    return PeriodOut(code=chosen.code, start=chosen.start, end=chosen.end)


@router.get("/series", response={200: TrendsOut, **ERRORS}, summary="Trends by month")
def trends(
    request,
    level: str | None = None,
    place: int | None = None,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
):
    """The twelve months ending with the period's last month: one value per month for each
    figure that has a meaning per month (cases, rates, mediations, votes, hours, homes visited)."""
    _staff(request)
    chosen = _period(period, start, end)
    level, found = _place(request, level, place)
    trend = series.trends(level, [found.pk], chosen)
    return TrendsOut(
        period=_period_out(chosen),
        place=PlaceOut(level=level, id=found.pk, name=found.name),
        months=[m.code for m in trend["months"]],
        series=[
            SeriesOut(key=s.indicator.key, label=str(s.indicator.label), unit=s.indicator.unit, values=s.points)
            for s in trend["series"]
        ],
    )


@router.get("/compare", response={200: CompareOut, **ERRORS}, summary="The child places compared")
def compare(
    request,
    indicator: str,
    level: str | None = None,
    place: int | None = None,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
):
    """The communities of a subdistrict, or the compounds of a community, on one figure."""
    _staff(request)
    chosen = _period(period, start, end)
    level, found = _place(request, level, place)
    allowed = [i.key for i in series.compare_indicators(level)]
    if indicator not in allowed:
        if ind.get(indicator) is None:
            raise ApiError(404, "not_found", _("There is no indicator %(key)s.") % {"key": indicator})
        raise invalid_input("indicator", _("Choose one of: %(choices)s") % {"choices": ", ".join(allowed) or "—"})
    child_level = ind.CHILD[level]
    items = series.comparison(level, found, indicator, chosen)
    return CompareOut(
        period=_period_out(chosen),
        place=PlaceOut(level=level, id=found.pk, name=found.name),
        indicator=indicator,
        items=[CompareItem(level=child_level, id=k.pk, name=k.name, value=_plain(v)) for k, v in items],
    )


@router.get("/buildings", response={200: BuildingsOut, **ERRORS}, summary="The building grid of a compound")
def buildings(
    request,
    compound: int,
    period: str | None = None,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
):
    """Per building: homes, homes visited in the period, homes with a resident recorded on its
    last day, cases received in the period and open now (those placed on a building), leaders."""
    _staff(request)
    chosen = _period(period, start, end)
    found = access.access(request.user, "compound", compound)
    return BuildingsOut(
        period=_period_out(chosen),
        place=PlaceOut(level="compound", id=found.pk, name=found.name),
        items=[
            BuildingOut(
                id=row.building.pk,
                name=row.building.name,
                homes=row.homes,
                homes_visited=row.visited,
                residents_recorded=row.recorded,
                cases_received=row.received,
                cases_open=row.open,
                leaders=row.leaders,
            )
            for row in series.building_grid(found, chosen)
        ],
    )


# --- the monthly report ------------------------------------------------------------------------

PDF_BODY = {
    "responses": {
        200: {
            "description": "The monthly report as a PDF in Chinese (inline, with a file name)",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/report",
    response={200: None, **ERRORS},
    summary="The monthly report (PDF)",
    openapi_extra=PDF_BODY,
)
def monthly_report(request, level: str | None = None, place: int | None = None, period: str | None = None):
    """The monthly report of a place (as /results/report.pdf): the indicators, charts and
    notable cases of the month (`period=2026-11`; the last full month when left out)."""
    from . import report
    from .views import _download

    _staff(request)
    chosen = _period(period, None, None)
    level, found = _place(request, level, place)
    name = f"report-{level}-{found.pk}-{chosen.code}.pdf"
    return _download(report.build(level, found, chosen), "application/pdf", name, as_attachment=False)
