"""个人信息查阅: a resident sees everything held about him, and nothing about anyone else; the
workers' queue of requests to correct or delete as Excel."""

import datetime as dt
import io
import json

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from openpyxl import load_workbook

from linli.cases import services as cases
from linli.cases.models import Category
from linli.lib.tests.xlsx_support import last_export, rows
from linli.notices.models import Notification
from linli.people.services import reveal
from linli.privacy import services
from linli.privacy.models import CorrectionRequest, DeletionRequest


def _case(w, person, title):
    category = Category.objects.filter(active=True).order_by("pk").first()
    case, _secret = cases.submit(
        compound=w.fufeng, category=category, title=title, description="详情", building=w.b1, stairwell=w.s11,
        reporter=person, recorded_by=w.carol, reporter_phone=person.phone,
    )  # fmt: skip
    return case


@pytest.fixture
def data(w):
    _case(w, w.p_alice, "爱丽报修楼道灯")
    _case(w, w.p_husband, "家明反映噪音")
    _case(w, w.p_neighbour, "邻居投诉漏水")
    Notification.objects.create(user=w.alice, kind="case.reply", title="给爱丽的回复")
    Notification.objects.create(user=w.husband, kind="case.reply", title="给家明的回复")
    reveal(user=w.carol, person=w.p_alice, field="phone", reason="回访报修")
    reveal(user=w.carol, person=w.p_husband, field="phone", reason="核对家明")
    return w


def test_the_export_holds_my_data_and_nothing_of_my_household_or_neighbour(data, login):
    w = data
    client = login(w.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.get("/privacy/export.json")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    body = response.content.decode()
    exported = json.loads(body)["sections"]
    # Mine, unmasked to me.
    assert exported["person"]["rows"][0]["phone"] == "13800000001"
    assert exported["person"]["rows"][0]["id_number"] == "440605199001011236"
    assert [r["title"] for r in exported["cases"]["rows"]] == ["爱丽报修楼道灯"]
    assert [r["title"] for r in exported["notifications"]["rows"]] == ["给爱丽的回复"]
    assert [r["home"] for r in exported["homes"]["rows"]] == [str(w.h101)]
    # Who saw my phone: the worker, by name, organisation and reason.
    (entry,) = exported["access_log"]["rows"]
    assert entry["by"] == "社工己" and "大新社区居委会" in entry["role"] and entry["reason"] == "回访报修"
    # Nothing of my husband (same home) or my neighbour.
    for other in ("李家明", "13800000021", "44060519880101123X", "家明反映噪音", "给家明的回复", "核对家明",
                  "王邻", "13800000002", "邻居投诉漏水"):  # fmt: skip
        assert other not in body, other


def test_the_page_and_the_spreadsheet_show_the_same(data, login):
    client = login(data.alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = client.get("/privacy/").content.decode()
    assert "爱丽报修楼道灯" in page and "13800000001" in page and "Who saw my private data" in page
    assert "家明反映噪音" not in page
    response = client.get("/privacy/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    cells = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row}
    assert "爱丽报修楼道灯" in cells and "社工己" in cells
    assert "家明反映噪音" not in cells and "李家明" not in cells


def test_a_user_without_a_record_gets_no_export(w, login):
    client = login(w.root)
    assert client.get("/privacy/export.json").status_code == 404
    assert client.get("/privacy/").status_code == 200


# --- the requests queue (community workers) ------------------------------------------------------


def test_the_requests_queue_exports_waiting_then_decided_never_the_corrected_value(w, login):
    decided = services.ask_correction(user=w.alice, field="gender", value="女")
    services.decide_correction(user=w.carol, pk=decided.pk, accept=True)
    services.ask_correction(user=w.neighbour, field="phone", value="13800000088")
    services.ask_deletion(user=w.husband, note="搬走了")
    services.ask_correction(user=w.olga, field="name", value="欧阳一")  # 翠颐社区: wendy's, not carol's
    client = login(w.carol)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'href="/privacy/requests/export.xlsx"' in client.get("/privacy/requests/").content.decode()
    lines = rows(client.get("/privacy/requests/export.xlsx"))
    assert lines[0] == ("Request", "Person", "Field", "Community", "Asked on", "Status", "Decided on")
    assert [line[:4] for line in lines[1:]] == [
        ("Deletion request", "李家明", None, "大新社区"),
        ("Correction request", "王邻", "phone", "大新社区"),
        ("Correction request", "李爱丽", "gender", "大新社区"),
    ]
    assert (
        lines[1][5:] == ("waiting for a decision", None)
        and lines[3][5] == "accepted"
        and isinstance(lines[3][6], dt.datetime)
    )
    assert "13800000088" not in str(lines) and "欧阳" not in str(lines)
    assert last_export("privacy_requests").additional_data["rows"] == 3


def test_no_requests_file_for_those_who_do_not_decide(w, login):
    services.ask_deletion(user=w.alice)
    for user in (w.alice, w.bob, w.dave):
        assert login(user).get("/privacy/requests/export.xlsx").status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    olgas = [line[1] for line in rows(login(w.wendy).get("/privacy/requests/export.xlsx"))[1:]]
    assert olgas == []  # wendy decides 翠颐社区's requests: none of 大新社区's


def test_the_requests_export_costs_the_same_for_many_requests(w, login, django_assert_max_num_queries):
    def ask(person):
        CorrectionRequest.objects.create(person=person, community=w.daxin, field="name", value="新名")
        DeletionRequest.objects.create(person=person, community=w.daxin)

    client = login(w.carol)
    ask(w.p_alice)
    with django_assert_max_num_queries(40) as one:
        client.get("/privacy/requests/export.xlsx")
    for person in (w.p_neighbour, w.p_b2, w.p_s12):
        ask(person)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(rows(client.get("/privacy/requests/export.xlsx"))) == 9
