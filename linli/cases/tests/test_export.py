"""The queue's Excel export: the filtered cases (all of them, not one page), scoped like the
page, recorded in the audit log."""

import datetime as dt

from linli.cases.models import Status
from linli.lib.tests.xlsx_support import about, last_export, rows, workbook

from .conftest import MONDAY


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
