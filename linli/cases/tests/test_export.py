"""The queue's Excel export: the filtered cases (all of them, not one page), scoped like the
page, recorded in the audit log."""

import datetime as dt

from auditlog.models import LogEntry

from linli.cases.models import Status
from linli.lib.tests.xlsx_support import about, last_export, rows, workbook
from linli.lib.xlsx import XLSX

from .conftest import MONDAY, resolve, revisit_for


def test_the_export_holds_the_rows_the_filtered_page_shows(cw, new_case, en):
    kept = new_case(title="楼道灯坏了")
    other = new_case(title="电梯异响", category=cw.cat.neighbour_dispute)
    closed = new_case(title="已办结的")
    closed.status = Status.CLOSED
    closed.save(update_fields=["status"])
    client = en(cw.carol)
    params = {"show": "all", "group": "open", "category": cw.cat.maintenance.pk}
    page = client.get("/cases/", params).content.decode()
    assert kept.code in page and other.code not in page and closed.code not in page
    assert 'href="/cases/export.xlsx?' in page

    lines = rows(client.get("/cases/export.xlsx", params))
    assert lines[0][:4] == ("Code", "Category", "Title", "Place")
    assert [line[0] for line in lines[1:]] == [kept.code]
    assert lines[1][2] == "楼道灯坏了" and lines[1][3] == "富丰新城 1栋 1单元"
    assert isinstance(lines[1][6], dt.datetime)  # a real Excel date, in Beijing time
    assert lines[1][6] == MONDAY.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)

    entry = last_export("cases")
    assert entry.actor == cw.carol and entry.additional_data["rows"] == 1
    assert entry.additional_data["filters"]["category"] == str(cw.cat.maintenance.pk)


def test_the_export_keeps_the_pages_scope(cw, new_case, en):
    ours = new_case(title="富丰的", compound=cw.fufeng, stairwell=cw.s11)
    theirs = new_case(title="颐景园的", compound=cw.yijing, stairwell=cw.ys)
    book = workbook(en(cw.carol).get("/cases/export.xlsx", {"show": "all", "group": "all"}))
    codes = [r[0] for r in list(book.worksheets[0].iter_rows(values_only=True))[1:]]
    assert theirs.code not in codes and len(codes) == 1
    assert about(book)["Rows"] == 1 and about(book)["Exported by"] == "社工己"
    # 颐景园's property company sees its own compound's case only, as on its queue.
    theirs_only = [r[0] for r in rows(en(cw.paul).get("/cases/export.xlsx", {"show": "all", "group": "all"}))[1:]]
    assert theirs_only == [theirs.code] and ours.code not in theirs_only
    assert en(cw.paul).get("/cases/", {"show": "all", "group": "all"}).content.decode().count(ours.code) == 0


def test_the_export_costs_the_same_queries_for_one_case_or_many(cw, new_case, en, django_assert_max_num_queries):
    client = en(cw.carol)
    new_case()
    with django_assert_max_num_queries(40) as one:
        client.get("/cases/export.xlsx", {"show": "all"})
    for _ in range(5):
        new_case()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(rows(client.get("/cases/export.xlsx", {"show": "all"}))) == 7


# --- revisits ------------------------------------------------------------------------------------


def test_the_revisits_export_lists_every_revisit_to_do_then_done_phones_masked(cw, now_case, en):
    later = revisit_for(resolve(now_case(title="电梯异响"), cw.dave, reply="已处理"), days=5)
    sooner = revisit_for(resolve(now_case(title="楼道灯坏了"), cw.dave, reply="已处理"), days=1)
    done = revisit_for(resolve(now_case(title="水管漏水"), cw.dave, reply="已处理"))
    client = en(cw.carol)
    client.post(f"/cases/revisits/{done.pk}/", {f"r{done.pk}-outcome": "已修好，满意", f"r{done.pk}-stars": "5"})
    theirs = resolve(now_case(compound=cw.yijing, stairwell=cw.ys, reporter=cw.p_olga), cw.paul, reply="已处理")
    revisit_for(theirs)

    page = client.get("/cases/revisits/").content.decode()
    assert 'href="/cases/revisits/export.xlsx"' in page
    lines = rows(client.get("/cases/revisits/export.xlsx"))
    assert lines[0] == (
        "Code",
        "Title",
        "Place",
        "Resident",
        "Phone",
        "Resolved",
        "Call by",
        "Done",
        "By",
        "What the resident said",
    )
    assert [line[0] for line in lines[1:]] == [sooner.case.code, later.case.code, done.case.code]
    assert theirs.code not in [line[0] for line in lines[1:]]  # 颐景园's: not carol's community
    assert {line[4] for line in lines[1:]} == {"138****0001"} and "13800000001" not in str(lines)
    assert lines[1][7] is None and isinstance(lines[3][7], dt.datetime)
    assert lines[3][8:] == ("社工己", "已修好，满意")
    assert last_export("revisits").additional_data["rows"] == 3


def test_no_revisits_file_for_those_who_do_not_do_revisits(cw, en):
    for user in (cw.dave, cw.alice, cw.bob):
        response = en(user).get("/cases/revisits/export.xlsx")
        assert response.status_code == 403 and response["Content-Type"] != XLSX
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_the_revisits_export_costs_the_same_queries_for_one_or_many(cw, now_case, en, django_assert_max_num_queries):
    client = en(cw.carol)
    revisit_for(resolve(now_case(), cw.dave, reply="已处理"))
    with django_assert_max_num_queries(40) as one:
        client.get("/cases/revisits/export.xlsx")
    for _ in range(4):
        revisit_for(resolve(now_case(), cw.dave, reply="已处理"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(rows(client.get("/cases/revisits/export.xlsx"))) == 6
