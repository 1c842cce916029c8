"""Import of homes and residents from .xlsx and CSV: reading, checking, natural keys."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from linli.lib.normalize import id_number_check_digit
from linli.people.importing import import_file
from linli.people.models import Occupancy, Person
from linli.places.models import Building, Home, Stairwell

HEADERS = ["小区", "楼栋", "单元", "房号", "楼层", "面积(㎡)", "面积来源", "姓名", "性别", "出生年份", "手机",
           "身份证号", "关系(业主/租户/家属)", "户籍(是/否)", "独居", "残疾"]  # fmt: skip


def id_number(serial: int, birth: str = "19500101") -> str:
    first17 = f"440605{birth}{serial % 1000:03d}"
    return first17 + id_number_check_digit(first17)


def row(**values):
    keys = ["compound", "building", "unit", "number", "floor", "area", "source", "name", "gender", "birth", "phone",
            "id", "relation", "hukou", "alone", "disabled"]  # fmt: skip
    defaults = {"compound": "富丰新城", "building": "3栋", "unit": "1单元", "number": "101"}
    return [values.get(k, defaults.get(k, "")) for k in keys]


def write_csv(path, rows, *, encoding="utf-8-sig", headers=HEADERS):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, rows, headers=HEADERS):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    workbook.save(path)
    return path


def run(user, path, *, commit=True, compound=None):
    with translation.override("en"):
        return import_file(user=user, path=path, file_name=path.name, compound=compound, commit=commit)


def counts():
    return (Home.objects.count(), Person.objects.count(), Occupancy.objects.count(), Building.objects.count())


@pytest.fixture
def family():
    return [
        row(
            floor="1",
            area="89.5",
            source="产权登记",
            name="张三",
            gender="男",
            birth="1950",
            phone="13812345678",
            id=id_number(1),
            relation="业主",
            hukou="是",
            alone="否",
            disabled="否",
        ),  # fmt: skip
        row(name="李四", gender="女", birth="1952", relation="家属"),
        row(number="102", floor="1", area="75"),
    ]


def test_utf8_bom_csv_creates_homes_people_and_residences(world, tmp_path, family):
    result = run(world.carol, write_csv(tmp_path / "register.csv", family))
    assert result.errors == []
    assert result.summary["buildings_created"] == 1
    assert result.summary["homes_created"] == 2
    assert result.summary["people_created"] == 2
    assert result.summary["occupancies_created"] == 2
    home = Home.objects.get(stairwell__building__name="3栋", number="101")
    assert (home.floor, home.area, home.area_source) == (1, Decimal("89.50"), Home.AreaSource.REGISTER)
    assert home.stairwell.name == "1单元" and home.stairwell.building.compound == world.fufeng
    zhang = Person.objects.get(name="张三")
    assert (zhang.gender, zhang.birth_year, zhang.phone, zhang.hukou_registered) == ("M", 1950, "13812345678", True)
    assert zhang.id_number == id_number(1) and zhang.id_hash  # hashes set although written in bulk
    assert Person.objects.get(phone_hash=zhang.phone_hash) == zhang
    assert zhang.occupancies.get().relation == Occupancy.Relation.OWNER
    assert Person.objects.get(name="李四").occupancies.get().relation == Occupancy.Relation.FAMILY
    assert not Home.objects.get(number="102", stairwell__building__name="3栋").occupancies.exists()


def test_gbk_csv_is_read(world, tmp_path, family):
    result = run(world.carol, write_csv(tmp_path / "gbk.csv", family, encoding="gbk"))
    assert result.errors == []
    assert Person.objects.filter(name__in=["张三", "李四"]).count() == 2


def test_plain_utf8_csv_and_english_headers_are_read(world, tmp_path):
    headers = ["Compound", "Building", "Unit", "Home number", "Floor", "Area", "Name", "Phone", "Relation"]
    path = tmp_path / "en.csv"
    write_csv(path, [["富丰新城", "3栋", "1单元", "301", "3", "60", "Wang Wu", "13912345678", "tenant"]],
              encoding="utf-8", headers=headers)  # fmt: skip
    result = run(world.carol, path)
    assert result.errors == []
    assert Person.objects.get(name="Wang Wu").occupancies.get().relation == Occupancy.Relation.TENANT


def test_xlsx_with_excel_numbers_is_read(world, tmp_path):
    rows = [row(number=1201, floor=12, area=89.5, name="王五", phone=13812345678.0, birth=1960.0)]
    result = run(world.carol, write_xlsx(tmp_path / "register.xlsx", rows))
    assert result.errors == []
    wang = Person.objects.get(name="王五")
    assert (wang.phone, wang.birth_year) == ("13812345678", 1960)
    assert Home.objects.get(number="1201").area == Decimal("89.50")


def test_xlsx_title_row_above_the_header_is_skipped(world, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["富丰新城住户登记表"])
    sheet.append(HEADERS)
    sheet.append(row(number="105", floor="1", name="赵六"))
    workbook.save(tmp_path / "titled.xlsx")
    result = run(world.carol, tmp_path / "titled.xlsx")
    assert result.errors == [] and result.summary["people_created"] == 1


def test_full_width_digits_and_spaces_are_normalised(world, tmp_path):
    rows = [row(building="３栋", unit="１单元", number="１０１", floor="１", area="８９．５", name="张 三",
                phone="１３８ １２３４ ５６７８", id=id_number(2).replace("4", "４"), relation="业主")]  # fmt: skip
    result = run(world.carol, write_csv(tmp_path / "fw.csv", rows))
    assert result.errors == []
    person = Person.objects.get(name="张 三")
    assert person.phone == "13812345678" and person.id_number == id_number(2)
    assert Home.objects.filter(stairwell__building__name="3栋", number="101", area=Decimal("89.5")).exists()


def test_reimporting_the_same_file_changes_nothing(world, tmp_path, family):
    path = write_csv(tmp_path / "register.csv", family)
    run(world.carol, path)
    before = counts()
    again = run(world.carol, path)
    assert again.errors == []
    created_or_updated = {k: v for k, v in again.summary.items() if k.endswith(("_created", "_updated"))}
    assert set(created_or_updated.values()) == {0}
    assert again.summary["homes_unchanged"] == 2 and again.summary["people_unchanged"] == 2
    assert counts() == before


def test_existing_homes_and_people_are_matched_and_updated(world, tmp_path):
    rows = [
        # alice by her ID number: her home is matched by bare numbers "1" -> 1栋, 1单元.
        row(
            building="1",
            unit="1",
            number="101",
            area="92",
            name="李爱丽",
            id="440605199001011236",
            relation="业主",
            alone="是",
        ),  # fmt: skip
        # 王邻 in 102 without an ID: matched by (name, phone) within the home.
        row(building="1栋", unit="1单元", number="102", name="王邻", phone="13800000002", birth="1970"),
    ]
    before = counts()
    result = run(world.carol, write_csv(tmp_path / "update.csv", rows))
    assert result.errors == []
    assert counts() == before
    assert result.summary["homes_updated"] == 1 and result.summary["homes_unchanged"] == 1
    assert result.summary["people_updated"] == 2 and result.summary["occupancies_created"] == 0
    world.h101.refresh_from_db()
    world.p_alice.refresh_from_db()
    world.p_neighbour.refresh_from_db()
    assert world.h101.area == Decimal("92.00") and world.h101.floor == 1
    assert world.p_alice.lives_alone is True
    assert world.p_neighbour.birth_year == 1970


def test_a_resident_without_id_gets_it_on_a_later_import(world, tmp_path):
    rows = [row(building="1栋", unit="1单元", number="102", name="王邻", id=id_number(7))]
    result = run(world.carol, write_csv(tmp_path / "ids.csv", rows))
    assert result.errors == [] and result.summary["people_created"] == 0
    world.p_neighbour.refresh_from_db()
    assert world.p_neighbour.id_number == id_number(7)


def test_floor_is_read_from_the_home_number_when_missing(world, tmp_path):
    result = run(world.carol, write_csv(tmp_path / "f.csv", [row(number="1203")]))
    assert result.errors == []
    assert Home.objects.get(number="1203").floor == 12


def test_unit_defaults_to_the_only_unit_of_a_building(world, tmp_path):
    result = run(world.carol, write_csv(tmp_path / "u.csv", [row(building="2栋", unit="", number="101", name="赵二栋",
                                                               phone="13800000003")]))  # fmt: skip
    assert result.errors == [] and result.summary["people_unchanged"] == 1 and result.summary["homes_created"] == 0


def test_new_buildings_and_units_given_as_numbers_get_their_suffix(world, tmp_path):
    rows = [row(building="5", unit="2", number="101"), row(building="5栋", unit="2单元", number="102")]
    result = run(world.carol, write_csv(tmp_path / "n.csv", rows))
    assert result.errors == [] and result.summary["buildings_created"] == 1
    assert result.summary["stairwells_created"] == 1
    assert Stairwell.objects.get(building__compound=world.fufeng, building__name="5栋").name == "2单元"
    assert Home.objects.filter(stairwell__building__name="5栋").count() == 2


def test_dry_run_writes_nothing_but_reports(world, tmp_path, family):
    before = counts()
    result = run(world.carol, write_csv(tmp_path / "r.csv", family), commit=False)
    assert result.errors == [] and result.summary["people_created"] == 2 and not result.committed
    assert counts() == before


BAD_ROWS = [
    ({"compound": ""}, "小区", "The compound is missing."),
    ({"building": ""}, "楼栋", "The building is missing."),
    ({"number": ""}, "房号", "The home number is missing."),
    ({"compound": "没有小区"}, "小区", "was not found among the compounds you may import into"),
    ({"compound": "颐景园"}, "小区", "was not found among the compounds you may import into"),
    ({"area": "八十"}, "面积(㎡)", "The area must be a number"),
    ({"area": "0"}, "面积(㎡)", "The area must be greater than 0."),
    ({"area": "-5"}, "面积(㎡)", "The area must be greater than 0."),
    ({"floor": "2.5"}, "楼层", "The floor must be a whole number."),
    ({"number": "A", "floor": "一楼"}, "楼层", "The floor must be a whole number."),
    ({"number": "A", "floor": ""}, "楼层", "cannot be read from the home number"),
    ({"name": "甲", "phone": "1381234567"}, "手机", "must be 11 digits"),
    ({"name": "甲", "id": "44060519500101"}, "身份证号", "must be 18 characters"),
    ({"name": "甲", "id": id_number(3)[:-1] + ("0" if id_number(3)[-1] != "0" else "1")}, "身份证号", "check digit"),
    ({"name": "甲", "relation": "朋友"}, "关系(业主/租户/家属)", "Unknown relation"),
    ({"name": "甲", "gender": "?"}, "性别", "Write 男 or 女"),
    ({"name": "甲", "birth": "1850"}, "出生年份", "year of birth"),
    ({"name": "甲", "hukou": "也许"}, "户籍(是/否)", "Write 是 or 否"),
    ({"phone": "13812345678"}, "姓名", "The name is missing"),
    # alice's ID number under another name.
    ({"name": "冒名", "id": "440605199001011236"}, "身份证号", "already belongs to a person with a different name"),
]


@pytest.mark.parametrize(("values", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_and_nothing_is_written(world, tmp_path, values, column, message):
    good = row(number="501", floor="5", name="好人", phone="13811112222")
    bad = row(**{"floor": "1", **values})
    before = counts()
    result = run(world.carol, write_csv(tmp_path / "bad.csv", [good, bad]))
    assert counts() == before
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message


def test_private_values_are_masked_in_errors(world, tmp_path):
    bad_id = "440605195001010000"
    result = run(world.carol, write_csv(tmp_path / "m.csv", [row(name="甲", id=bad_id, phone="12345")]))
    values = {e.column: e.value for e in result.errors}
    assert values["身份证号"] == "4406**********0000"
    assert "12345" not in values["手机"]
    assert all(bad_id not in e.message for e in result.errors)


def test_duplicate_id_number_in_the_same_home_is_an_error(world, tmp_path):
    rows = [row(name="张三", id=id_number(4)), row(name="张三", id=id_number(4))]
    before = counts()
    result = run(world.carol, write_csv(tmp_path / "dup.csv", rows))
    assert counts() == before
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号")]
    assert result.errors[0].message == "The same ID number is already in row 2."


def test_duplicate_id_number_with_another_name_is_an_error(world, tmp_path):
    rows = [row(name="张三", id=id_number(4)), row(number="102", name="张四", id=id_number(4))]
    result = run(world.carol, write_csv(tmp_path / "dup.csv", rows))
    assert [e.message for e in result.errors] == ["The same ID number is already in row 2."]


def test_one_person_may_be_listed_in_two_homes(world, tmp_path):
    rows = [row(name="张三", id=id_number(4), relation="业主"), row(number="102", name="张三", id=id_number(4),
                                                                   relation="业主")]  # fmt: skip
    result = run(world.carol, write_csv(tmp_path / "two.csv", rows))
    assert result.errors == []
    assert result.summary["people_created"] == 1 and result.summary["occupancies_created"] == 2


def test_same_person_twice_in_one_home_without_id_is_an_error(world, tmp_path):
    result = run(world.carol, write_csv(tmp_path / "twice.csv", [row(name="张三"), row(name="张三")]))
    assert [e.row for e in result.errors] == [3]
    assert "already listed for this home in row 2" in result.errors[0].message


def test_conflicting_home_details_are_an_error(world, tmp_path):
    rows = [row(name="张三", area="80"), row(name="李四", area="90")]
    result = run(world.carol, write_csv(tmp_path / "c.csv", rows))
    assert [(e.row, e.column) for e in result.errors] == [(3, "面积(㎡)")]


def test_unknown_and_missing_headers(world, tmp_path):
    path = write_csv(tmp_path / "h.csv", [["富丰新城", "101", "x"]], headers=["小区", "房号", "微信"])
    before = counts()
    result = run(world.carol, path)
    assert counts() == before
    messages = [e.message for e in result.errors]
    assert "Unknown column “微信”. Use the column names of the import template." in messages
    assert "The required column “楼栋” is missing." in messages


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\n,,\n", "The file is empty."),
        ("headers.csv", "小区,楼栋,房号\n".encode(), "header row but no rows"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "is not an Excel (.xlsx) or CSV file"),
        ("fake.xlsx", b"not a zip", "could not be read as an Excel workbook"),
        ("notes.csv", b"hello,world\n1,2\n", "No header row was found"),
    ],
)
def test_unreadable_files_are_reported(world, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    result = run(world.carol, path)
    assert len(result.errors) == 1 and message in result.errors[0].message


def test_a_file_over_the_size_limit_is_refused(world, tmp_path, settings, family):
    settings.IMPORT_MAX_BYTES = 100
    result = run(world.carol, write_csv(tmp_path / "big.csv", family))
    assert "too large" in result.errors[0].message
    assert counts()[1] == Person.objects.count()


def test_carol_cannot_import_into_another_community(world, tmp_path):
    rows = [row(compound="颐景园", building="1座", number="101", name="欧阳颐", phone="13800000005")]
    result = run(world.carol, write_csv(tmp_path / "yj.csv", rows))
    assert "was not found among the compounds you may import into" in result.errors[0].message
    result = run(world.carol, write_csv(tmp_path / "yj2.csv", rows), compound=world.yijing)
    assert result.errors[0].message == "You may not import into this compound."


def test_subdistrict_admin_imports_into_any_compound_of_the_subdistrict(world, tmp_path):
    rows = [row(compound="颐景园", building="1座", number="102", floor="1", name="新住户")]
    result = run(world.erin, write_csv(tmp_path / "yj.csv", rows))
    assert result.errors == [] and Home.objects.filter(stairwell=world.ys, number="102").exists()


@pytest.mark.parametrize("actor", ["alice", "bob", "henry", "ivy", "dave", "grace"])
def test_residents_and_leaders_cannot_import(world, tmp_path, family, actor):
    before = counts()
    result = run(getattr(world, actor), write_csv(tmp_path / "r.csv", family))
    assert counts() == before
    assert result.errors[0].message == "Your role does not allow importing homes and residents."


def test_chosen_compound_fills_empty_compound_cells(world, tmp_path):
    rows = [row(compound="", number="601", floor="6", name="甲乙")]
    result = run(world.carol, write_csv(tmp_path / "c.csv", rows), compound=world.fufeng)
    assert result.errors == [] and Home.objects.get(number="601").stairwell.building.compound == world.fufeng


def generated_rows(n: int, building_count: int = 10):
    rows = []
    for i in range(n):
        building, rest = divmod(i, n // building_count)
        unit, home = divmod(rest, max(1, n // building_count // 2))
        floor = home // 4 + 1
        number = f"{floor}{home % 4 + 1:02d}"
        rows.append(
            row(
                building=f"{building + 11}栋",
                unit=f"{unit + 1}单元",
                number=number,
                floor=str(floor),
                area=f"{80 + i % 40}.5",
                name=f"居民{i}",
                phone=f"139{i:08d}",
                id=id_number(i // 40, f"19{50 + i % 40}0101"),
                relation="业主",
            )  # fmt: skip
        )
    return rows


def test_two_thousand_generated_rows_import_and_reimport(world, tmp_path):
    rows = generated_rows(2000)
    assert len({r[11] for r in rows}) == 2000
    path = write_csv(tmp_path / "big.csv", rows)
    homes, people, occupancies, _buildings = counts()
    result = run(world.carol, path)
    assert result.errors == []
    assert result.summary["people_created"] == 2000 and result.summary["occupancies_created"] == 2000
    assert Person.objects.count() == people + 2000
    assert Occupancy.objects.count() == occupancies + 2000
    assert Home.objects.count() == homes + result.summary["homes_created"]
    assert Building.objects.filter(compound=world.fufeng).count() == 12
    assert Stairwell.objects.filter(building__name="15栋").count() == 2
    sample = Person.objects.get(name="居民1234")
    assert sample.id_number == rows[1234][11] and sample.phone == "13900001234"
    again = run(world.carol, path)
    assert again.summary["people_unchanged"] == 2000 and again.summary["people_created"] == 0
    assert again.summary["homes_created"] == again.summary["homes_updated"] == 0


def test_queries_do_not_grow_with_the_number_of_rows(world, tmp_path):
    def queries(n):
        path = write_csv(tmp_path / f"q{n}.csv", generated_rows(n, building_count=2))
        with CaptureQueriesContext(connection) as ctx:
            assert run(world.carol, path, commit=False).errors == []
        return len(ctx.captured_queries)

    queries(10)  # the user's scope is computed once, then cached on the user
    assert queries(40) == queries(400)
