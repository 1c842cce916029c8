"""A list page to Excel: the rows of the page's own queryset (same filters, same access
scope), every row that matches rather than one page, capped at MAX_ROWS, each export recorded
in the audit log (who, which list, which filters, how many rows).

A list view and its export share one function that builds the queryset from the request, so
that the file can never hold a row the page would not show. Columns are (header, getter)
pairs where the getter returns what the page shows, masked as the page masks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditlog.models import LogEntry
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from . import xlsx
from .api_support import client_ip

MAX_ROWS = 200_000
"""The most rows one export holds; a larger list asks the user to narrow the filters."""

Column = tuple[str, Callable]
SKIP = {"page", "select", "export", "csrfmiddlewaretoken"}


def label(model, field: str) -> str:
    """A column header from a model field's verbose name (already translated everywhere)."""
    return capfirst(str(model._meta.get_field(field).verbose_name))


def filters_of(request) -> dict[str, str]:
    """The filters of the page, as the query string gave them (empty ones left out)."""
    return {k: ", ".join(v for v in request.GET.getlist(k) if v) for k in request.GET if k not in SKIP}


def _filters_text(filters: dict[str, str]) -> str:
    shown = {k: v for k, v in filters.items() if v}
    return "; ".join(f"{k}={v}" for k, v in shown.items()) or _("none (all rows)")


def _who(user) -> str:
    person = getattr(user, "person", None)
    name = getattr(person, "name", "") or user.get_username()
    return name


def record(request, *, key: str, title: str, model, filters: dict, rows: int) -> None:
    """One audit log entry per export: action "access" on the listed model, with the list's
    key, its filters and the number of rows in additional_data."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=str(title)[:200],
        action=LogEntry.Action.ACCESS,
        actor=request.user if request.user.is_authenticated else None,
        remote_addr=client_ip(request) or None,
        changes_text=f"export {key}",
        additional_data={"export": key, "filters": filters, "rows": rows},
    )


def export_list(
    request,
    *,
    key: str,
    title: str,
    queryset,
    columns: Sequence[Column],
    back: str,
    filename: str | None = None,
    model=None,
    filters: dict | None = None,
    lines: Callable | None = None,
):
    """The response of an "Export to Excel" link: the whole filtered list as .xlsx.

    `queryset` is the page's own (a QuerySet, already filtered and scoped, with
    select_related/prefetch so that the getters touch no database; or, for a short list the
    page builds in Python, that list with `model` given); `back` is the page to
    return to with a message when the list exceeds MAX_ROWS. With `lines`, each object gives
    several lines (a home, one per resident) and the columns read those lines; the cap counts
    the objects."""
    filters = filters_of(request) if filters is None else filters
    total = len(queryset) if isinstance(queryset, list) else queryset.count()
    if total > MAX_ROWS:
        messages.error(
            request,
            _("This list has %(count)s rows; an export holds at most %(max)s. Narrow the filters and export again.")
            % {"count": f"{total:,}", "max": f"{MAX_ROWS:,}"},
        )
        query = request.GET.urlencode()
        return redirect(f"{back}?{query}" if query else back)
    model = model or queryset.model if not isinstance(queryset, list) else model
    now = timezone.now()
    sheet = xlsx.Sheet(
        title=str(title),
        headers=[str(header) for header, _get in columns],
        rows=([get(line) for _label, get in columns] for line in _lines(queryset, lines)),
    )
    about = lambda: [  # noqa: E731 (needs the count once the rows are written)
        (_("List"), str(title)),
        (_("Filters"), _filters_text(filters)),
        (_("Exported by"), _who(request.user)),
        (_("Exported at"), now),
        (_("Rows"), sheet.written),
    ]
    content = xlsx.as_file([sheet], about=about)
    record(request, key=key, title=title, model=model, filters=filters, rows=sheet.written)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    return xlsx.response(content, filename or f"{key}-{stamp}.xlsx")


def _lines(queryset, lines):
    # In chunks (prefetch_related lookups run once per chunk), never the whole list at once.
    for obj in queryset if isinstance(queryset, list) else queryset.iterator(chunk_size=2000):
        if lines is None:
            yield obj
        else:
            yield from lines(obj)
