"""What the export tests share: a downloaded workbook's rows and its "About" sheet."""

import io

from auditlog.models import LogEntry
from openpyxl import load_workbook

from linli.lib.xlsx import XLSX


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(body))


def rows(response) -> list[tuple]:
    """The header and the rows of the first sheet, as values."""
    return list(workbook(response).worksheets[0].iter_rows(values_only=True))


def about(book) -> dict:
    return {str(k): v for k, v in book.worksheets[-1].iter_rows(values_only=True)}


def last_export(key: str) -> LogEntry:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS, additional_data__export=key).latest("pk")
