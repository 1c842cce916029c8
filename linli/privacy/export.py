"""The resident's data as a file: JSON (one object, a list per section) or an Excel workbook
(one sheet per section that has rows)."""

from __future__ import annotations

import io
import json

from django.utils import timezone
from openpyxl import Workbook

from .sections import collect


def as_dict(person, user) -> dict:
    return {
        "generated": timezone.localtime().isoformat(timespec="seconds"),
        "person_id": person.pk,
        "sections": {s["key"]: {"title": s["title"], "rows": s["rows"]} for s in collect(person, user)},
    }


def as_json(person, user) -> bytes:
    return json.dumps(as_dict(person, user), ensure_ascii=False, indent=2).encode()


def as_xlsx(person, user) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for s in collect(person, user):
        if not s["rows"]:
            continue
        sheet = book.create_sheet(s["title"][:31].replace("/", "-").replace(":", "-"))
        sheet.append([label for _key, label in s["columns"]])
        for row in s["rows"]:
            sheet.append([row[key] for key, _label in s["columns"]])
    if not book.sheetnames:
        book.create_sheet("-")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
