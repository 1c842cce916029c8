"""Excel workbooks (.xlsx) for every export in linli: a header and rows in, a file out.

Written with openpyxl's write-only mode, row by row into a temporary file, so that a list of
100,000+ rows never sits in memory as cells. The header row is bold and frozen; dates and
times are real Excel dates in the local time zone; numbers stay numbers; an optional "About"
sheet says what was exported (filters), by whom and when.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d+)?")
_SHEET_NAME = re.compile(r"[\\/?*\[\]:]")


@dataclass
class Sheet:
    """One sheet: `headers`, then `rows` (any iterable, consumed once, as it comes).

    `title` names the sheet (cut to Excel's 31 characters); with `title_line` it is also
    written above the header in large bold type. `widths` default to the headers' widths."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    widths: Sequence[int] | None = None
    title_line: bool = False
    numbers_from_text: bool = False
    written: int = field(default=0, init=False)


def sheet_name(title: str) -> str:
    return _SHEET_NAME.sub(" ", str(title)).strip()[:31] or "-"


def width(text, least: int = 10) -> int:
    """A column wide enough for `text`: a Chinese character takes about two columns."""
    return max(least, min(60, sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text)) + 2))


def number(value):
    """Text that reads as a plain number ("1.5") becomes one; text with leading zeros or longer
    than fifteen digits (codes, phone and ID numbers) stays text."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return Decimal(value) if "." in value else int(value)
    return value


def cell_value(value):
    """A Python value as an Excel cell holds it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date | dt.time):
        return value
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def _cell(sheet, value, font=None):
    cell = WriteOnlyCell(sheet, value=value)
    if font:
        cell.font = font
    if isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def _row(sheet, values, numbers_from_text: bool):
    out = []
    for value in values:
        value = cell_value(value)
        if numbers_from_text:
            value = number(value)
        out.append(_cell(sheet, value) if isinstance(value, dt.date) else value)
    return out


def _write_sheet(book: Workbook, spec: Sheet) -> None:
    sheet = book.create_sheet(sheet_name(spec.title))
    widths = spec.widths or [width(h, 12) for h in spec.headers]
    for index, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = w
    header_row = 2 if spec.title_line else 1
    sheet.freeze_panes = f"A{header_row + 1}"
    if spec.title_line:
        sheet.append([_cell(sheet, str(spec.title), TITLE)])
    sheet.append([_cell(sheet, str(h), BOLD) for h in spec.headers])
    for values in spec.rows:
        sheet.append(_row(sheet, values, spec.numbers_from_text))
        spec.written += 1


def _write_about(book: Workbook, about: Sequence[tuple[str, object]]) -> None:
    sheet = book.create_sheet(sheet_name(_("About this export")))
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 60
    for label, value in about:
        sheet.append([_cell(sheet, str(label), BOLD), _cell(sheet, cell_value(value))])


def write(out, sheets: Sequence[Sheet], *, about: Sequence[tuple[str, object]] | None = None) -> None:
    """Write the sheets (then an "About" sheet if given) as a workbook into the file `out`.

    `about` may be a callable giving the lines once the sheets are written (so it can say how
    many rows went out)."""
    book = Workbook(write_only=True)
    for spec in sheets:
        _write_sheet(book, spec)
    if callable(about):
        about = about()
    if about:
        _write_about(book, about)
    if not book.worksheets:
        book.create_sheet("-")
    book.save(out)


def as_bytes(sheets: Sequence[Sheet], *, about=None) -> bytes:
    out = io.BytesIO()
    write(out, sheets, about=about)
    return out.getvalue()


def as_file(sheets: Sequence[Sheet], *, about=None):
    """The workbook in a temporary file under VAR_DIR, rewound, for a streaming response."""
    tmp = tempfile.TemporaryFile(dir=settings.VAR_DIR)  # noqa: SIM115 (the response closes it)
    write(tmp, sheets, about=about)
    tmp.seek(0)
    return tmp


def response(content, filename: str, *, no_store: bool = True) -> HttpResponse:
    """An attachment response: bytes as an HttpResponse, a file streamed (FileResponse). The
    filename may be Chinese: the header carries it RFC 6266-encoded."""
    headers = {"Content-Disposition": content_disposition_header(True, filename)}
    if no_store:
        headers["Cache-Control"] = "no-store"
    if isinstance(content, bytes):
        return HttpResponse(content, content_type=XLSX, headers=headers)
    out = FileResponse(content, content_type=XLSX)
    for key, value in headers.items():
        out[key] = value
    return out
