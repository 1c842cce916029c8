"""The resident's data as a file: JSON (one object, a list per section) or an Excel workbook
(one sheet per section that has rows)."""

from __future__ import annotations

import json

from django.utils import timezone

from linli.lib import xlsx

from .sections import collect


def as_dict(person, user) -> dict:
    return {
        "generated": timezone.localtime().isoformat(timespec="seconds"),
        "person_id": person.pk,
        "sections": {s["key"]: {"title": s["title"], "rows": s["rows"]} for s in collect(person, user)},
    }


def as_json(person, user) -> bytes:
    return json.dumps(as_dict(person, user), ensure_ascii=False, indent=2).encode()


def _sheet(section: dict) -> xlsx.Sheet:
    keys = [key for key, _label in section["columns"]]
    rows = [[row[key] for key in keys] for row in section["rows"]]
    return xlsx.Sheet(section["title"], [label for _key, label in section["columns"]], rows)


def as_xlsx(person, user) -> bytes:
    return xlsx.as_bytes([_sheet(s) for s in collect(person, user) if s["rows"]])
