"""The columns of an import file, reading .xlsx and CSV, and parsing one row into checked
values. Matching rows against the database and writing them is in importing.py."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linli.lib.masking import mask_id_number, mask_phone
from linli.lib.normalize import digits_only, halfwidth, normalize_id_number, normalize_phone
from linli.people.models import Occupancy
from linli.places.models import Compound, Home

# --- the columns --------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header written in the template
    label: str  # English, translated when shown
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""


COLUMNS = (
    Column("compound", "小区", gettext_lazy("compound"), ("compound", "小区名称"), True, "富丰新城"),
    Column("building", "楼栋", gettext_lazy("building"), ("building", "楼号", "栋", "楼"), True, "1栋"),
    Column("stairwell", "单元", gettext_lazy("unit"), ("unit", "stairwell", "楼道"), False, "1单元"),
    Column(
        "number", "房号", gettext_lazy("home number"), ("home number", "home", "number", "room", "门牌号"), True, "101"
    ),
    Column("floor", "楼层", gettext_lazy("floor"), ("floor", "层"), False, "1"),
    Column(
        "area", "面积", gettext_lazy("area (m²)"), ("area", "floor area", "建筑面积", "专有部分面积"), False, "89.5"
    ),
    Column("area_source", "面积来源", gettext_lazy("area source"), ("area source",), False, "产权登记"),
    Column("name", "姓名", gettext_lazy("name"), ("name",), False, "张三"),
    Column("gender", "性别", gettext_lazy("gender"), ("gender", "sex"), False, "男"),
    Column("birth_year", "出生年份", gettext_lazy("year of birth"), ("year of birth", "birth year"), False, "1960"),
    Column(
        "phone", "手机", gettext_lazy("phone"), ("phone", "mobile", "手机号", "电话", "联系电话"), False, "13812345678"
    ),
    Column("id_number", "身份证号", gettext_lazy("ID number"), ("id number", "身份证", "证件号码"), False, ""),
    Column("relation", "关系", gettext_lazy("relation"), ("relation", "与房屋关系"), False, "业主"),
    Column("hukou", "户籍", gettext_lazy("local hukou"), ("hukou", "local hukou", "本地户籍"), False, "是"),
    Column("lives_alone", "独居", gettext_lazy("lives alone"), ("lives alone",), False, "否"),
    Column("disabled", "残疾", gettext_lazy("disabled"), ("disabled",), False, "否"),
)
BY_KEY = {c.key: c for c in COLUMNS}
TEMPLATE_HEADERS = {"area": "面积(㎡)", "relation": "关系(业主/租户/家属)", "hukou": "户籍(是/否)"}
PERSON_ATTRS = {"hukou": "hukou_registered"}  # column key -> Person field, where they differ
PERSON_KEYS = ("gender", "birth_year", "phone", "id_number", "relation", "hukou", "lives_alone", "disabled")


def _header_key(text: str) -> str:
    """面积(㎡), 'Area (m²)', '关系（业主/租户/家属）', '小区*' all reduce to their bare name."""
    value = halfwidth(text).lower()
    value = re.sub(r"\(.*?\)$", "", value.replace("*", "")).strip()
    return re.sub(r"[\s_\-]+", " ", value).strip()


_HEADER_LOOKUP = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key.replace("_", " "), *_column.aliases):
        _HEADER_LOOKUP[_header_key(_name)] = _column.key

_TRUE = {"是", "y", "yes", "1", "true", "t", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "0", "false", "f", "×", "x", "无", "不是"}
_GENDER = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
_RELATION = {
    "业主": Occupancy.Relation.OWNER,
    "owner": Occupancy.Relation.OWNER,
    "产权人": Occupancy.Relation.OWNER,
    "租户": Occupancy.Relation.TENANT,
    "tenant": Occupancy.Relation.TENANT,
    "租客": Occupancy.Relation.TENANT,
    "家属": Occupancy.Relation.FAMILY,
    "family": Occupancy.Relation.FAMILY,
    "family member": Occupancy.Relation.FAMILY,
    "家庭成员": Occupancy.Relation.FAMILY,
}
_AREA_SOURCE = {
    "产权登记": Home.AreaSource.REGISTER,
    "不动产登记": Home.AreaSource.REGISTER,
    "登记": Home.AreaSource.REGISTER,
    "register": Home.AreaSource.REGISTER,
    "property register": Home.AreaSource.REGISTER,
    "测绘": Home.AreaSource.SURVEY,
    "测绘报告": Home.AreaSource.SURVEY,
    "survey": Home.AreaSource.SURVEY,
    "survey report": Home.AreaSource.SURVEY,
    "合同": Home.AreaSource.CONTRACT,
    "购房合同": Home.AreaSource.CONTRACT,
    "contract": Home.AreaSource.CONTRACT,
    "sales contract": Home.AreaSource.CONTRACT,
    "未知": Home.AreaSource.UNKNOWN,
    "unknown": Home.AreaSource.UNKNOWN,
}
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_INTEGER = re.compile(r"^-?\d+(\.0+)?$")


@dataclass
class RowError:
    row: int | None  # the row number as Excel shows it; None for the file as a whole
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value, "message": self.message}


class ImportFileError(Exception):
    """The file as a whole cannot be read: wrong type, too large, empty, unknown encoding."""


# --- reading ------------------------------------------------------------------------------


def cell_text(value) -> str:
    """A cell as text: Excel's 13812345678.0 becomes 13812345678 (full-width is kept here, for
    headers shown as written; row values are made half-width when parsed)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return str(value.year)
    return str(value).strip()


def check_file(*, name: str, size: int) -> None:
    """Raise ImportFileError when the file's name or size rules it out before reading."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ImportFileError(
            _("“%(name)s” is not an Excel (.xlsx) or CSV file. Save it as .xlsx or .csv and upload it again.")
            % {"name": name}
        )
    if size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB. Split it into several files.")
            % {"size": round(size / 1048576, 1), "limit": round(settings.IMPORT_MAX_BYTES / 1048576, 1)}
        )
    if size == 0:
        raise ImportFileError(_("The file is empty."))


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(_("The file could not be read as an Excel workbook (.xlsx).")) from exc
    try:
        sheet = workbook.worksheets[0]
        return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    # Excel on Chinese Windows saves CSV in GBK; everything else is UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost any byte sequence
        raise ImportFileError(_("The text encoding of the file is not recognised; save it as UTF-8 CSV."))
    if "\x00" in text:
        raise ImportFileError(_("The file is not a text CSV file."))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    try:
        return [[cell_text(v) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file could not be read: %(error)s") % {"error": exc}) from exc


@dataclass
class Table:
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number as Excel shows it, cells)


def read_table(path: Path, name: str) -> Table:
    check_file(name=name, size=path.stat().st_size)
    lines = _read_xlsx(path) if Path(name).suffix.lower() == ".xlsx" else _read_csv(path)
    # The header is the first row with at least two known column names: registers often
    # carry a title row ("富丰新城住户登记表") above it.
    header_index = None
    for index, cells in enumerate(lines[:10]):
        if sum(1 for c in cells if _header_key(c) in _HEADER_LOOKUP) >= 2:
            header_index = index
            break
    if header_index is None:
        if not any(any(cells) for cells in lines):
            raise ImportFileError(_("The file is empty."))
        raise ImportFileError(
            _("No header row was found. The first row must name the columns, e.g. %(headers)s.")
            % {"headers": "、".join(c.header for c in COLUMNS[:4])}
        )
    headers = lines[header_index]
    rows = [(i + 1, cells) for i, cells in enumerate(lines) if i > header_index and any(cells)]
    return Table(header_row=header_index + 1, headers=headers, rows=rows)


# --- parsing one row ----------------------------------------------------------------------


@dataclass
class Row:
    number: int
    cells: dict[str, str]
    compound: Compound | None = None
    building: str = ""
    stairwell: str = ""
    home_number: str = ""
    floor: int | None = None
    area: Decimal | None = None
    area_source: str = ""
    name: str = ""
    gender: str | None = None
    birth_year: int | None = None
    phone: str = ""
    id_number: str = ""
    relation: str = ""
    hukou: bool | None = None
    lives_alone: bool | None = None
    disabled: bool | None = None
    home_key: tuple = ()
    person_key: tuple | None = None


class RowErrors:
    def __init__(self, header_names: dict[str, str]):
        self.items: list[RowError] = []
        self.header_names = header_names

    def add(self, row: int | None, key: str | None, message: str, value: str = ""):
        column = self.header_names.get(key, BY_KEY[key].header) if key else ""
        if key == "id_number":
            value = mask_id_number(value)
        elif key == "phone":
            value = mask_phone(value)
        self.items.append(RowError(row=row, column=column, value=value, message=message))


def map_headers(table: Table, errors: RowErrors, *, compound_chosen: bool) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, header in enumerate(table.headers):
        if not header:
            continue
        key = _HEADER_LOOKUP.get(_header_key(header))
        if key is None:
            errors.items.append(
                RowError(
                    table.header_row,
                    header,
                    header,
                    _("Unknown column “%(header)s”. Use the column names of the import template.") % {"header": header},
                )
            )
        elif key in positions:
            errors.items.append(
                RowError(table.header_row, header, header, _("Column “%(header)s” appears twice.") % {"header": header})
            )
        else:
            positions[key] = index
            errors.header_names[key] = header
    for column in COLUMNS:
        if column.required and column.key not in positions and not (column.key == "compound" and compound_chosen):
            errors.items.append(
                RowError(
                    table.header_row,
                    column.header,
                    "",
                    _("The required column “%(header)s” is missing.") % {"header": column.header},
                )
            )
    return positions


def _place_name(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _parse_bool(row: Row, key: str, errors: RowErrors) -> bool | None:
    raw = row.cells.get(key, "")
    value = raw.lower()
    if not value:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    errors.add(row.number, key, _("Write 是 or 否 (yes or no)."), raw)
    return None


def _parse_int(raw: str) -> int | None:
    return int(Decimal(raw)) if _INTEGER.match(raw) else None


def parse_row(row: Row, errors: RowErrors) -> None:
    c = row.cells
    row.building = _place_name(c.get("building", ""))
    row.stairwell = _place_name(c.get("stairwell", ""))
    row.home_number = _place_name(c.get("number", ""))
    if not row.building:
        errors.add(row.number, "building", _("The building is missing."))
    if not row.home_number:
        errors.add(row.number, "number", _("The home number is missing."))
    for key, limit in (("building", 40), ("stairwell", 40), ("number", 20)):
        if len(_place_name(c.get(key, ""))) > limit:
            errors.add(row.number, key, _("Too long: at most %(limit)s characters.") % {"limit": limit}, c[key])

    if raw := c.get("floor", ""):
        row.floor = _parse_int(raw)
        if row.floor is None or not -10 <= row.floor <= 200:
            errors.add(row.number, "floor", _("The floor must be a whole number."), raw)
    if raw := c.get("area", ""):
        cleaned = re.sub(r"(m2|㎡|平方米|平米|平)$", "", raw.lower().replace(",", "")).strip()
        try:
            row.area = Decimal(cleaned).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors.add(row.number, "area", _("The area must be a number of square metres, e.g. 89.5."), raw)
        else:
            if row.area <= 0:
                errors.add(row.number, "area", _("The area must be greater than 0."), raw)
            elif row.area >= Decimal("1000000"):
                errors.add(row.number, "area", _("The area is too large."), raw)
    if raw := c.get("area_source", ""):
        row.area_source = _AREA_SOURCE.get(raw.lower(), "")
        if not row.area_source:
            errors.add(row.number, "area_source", _("Unknown area source: write 产权登记, 测绘, 合同 or 未知."), raw)

    row.name = re.sub(r"\s+", " ", c.get("name", "")).strip()
    if not row.name:
        given = [key for key in PERSON_KEYS if c.get(key) and c[key].lower() not in _FALSE]
        if given:
            errors.add(row.number, "name", _("The name is missing, but the row has details of a person."))
        return
    if len(row.name) > 50:
        errors.add(row.number, "name", _("Too long: at most %(limit)s characters.") % {"limit": 50}, row.name)
    if raw := c.get("gender", ""):
        row.gender = _GENDER.get(raw.lower())
        if row.gender is None:
            errors.add(row.number, "gender", _("Write 男 or 女 (male or female)."), raw)
    if raw := c.get("birth_year", ""):
        row.birth_year = _parse_int(raw)
        if row.birth_year is None or not 1900 <= row.birth_year <= timezone.localdate().year:
            errors.add(row.number, "birth_year", _("The year of birth must be a year such as 1960."), raw)
            row.birth_year = None
    if raw := c.get("phone", ""):
        try:
            row.phone = normalize_phone(raw)
        except ValueError:
            errors.add(row.number, "phone", _("The mobile number must be 11 digits starting with 1."), raw)
    if raw := c.get("id_number", ""):
        try:
            row.id_number = normalize_id_number(raw)
        except ValueError:
            if _ID_SHAPE.match(digits_only(raw).upper()):
                message = _("The ID number is wrong: its check digit does not match. Check for a typing error.")
            else:
                message = _("The ID number must be 18 characters: 17 digits and a digit or X.")
            errors.add(row.number, "id_number", message, raw)
    if raw := c.get("relation", ""):
        row.relation = _RELATION.get(raw.lower(), "")
        if not row.relation:
            errors.add(row.number, "relation", _("Unknown relation: write 业主, 租户 or 家属."), raw)
    row.hukou = _parse_bool(row, "hukou", errors)
    row.lives_alone = _parse_bool(row, "lives_alone", errors)
    row.disabled = _parse_bool(row, "disabled", errors)
