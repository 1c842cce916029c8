"""/api/v1/elevators: the same rules as the pages, as JSON."""

import pytest

from linli.elevators.models import CostShare, ElevatorProject

from .test_pages import MANAGERS, OUTSIDERS, RESIDENTS

API = "/api/v1/elevators"


@pytest.mark.parametrize("who", MANAGERS + RESIDENTS + OUTSIDERS)
def test_reading_a_project_by_role(ew, adopted, as_user, who):
    client = as_user(getattr(ew, who))
    detail = client.get(f"{API}/{adopted.pk}")
    listed = [p["id"] for p in client.get(API).json()["items"]]
    preview = client.post(f"{API}/{adopted.pk}/preview", {}, content_type="application/json")
    pdf = client.get(f"{API}/{adopted.pk}/agreement.pdf")
    if who in OUTSIDERS:
        assert detail.status_code == 404 and detail.json()["code"] == "not_found"
        assert listed == [] and preview.status_code == 404 and pdf.status_code == 404
        return
    body = detail.json()
    assert detail.status_code == 200 and listed == [adopted.pk]
    assert body["status"] == "adopted" and body["total_fen"] == 30_000_000 and body["total_yuan"] == "300000.00"
    assert [m["kind"] for m in body["milestones"]] == [
        "consent", "design", "approval", "construction", "acceptance", "in_service",
    ]  # fmt: skip
    amounts = {s["home"]: s["amount_yuan"] for s in body["shares"]}
    if who in MANAGERS:
        assert body["manager"] is True
        assert amounts == {
            "1栋 1单元 101": "0.00",
            "1栋 1单元 102": "0.00",
            "1栋 1单元 201": "126495.81",
            "1栋 1单元 301": "173504.19",
        }
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert preview.status_code == 200  # shares can be previewed any time
    else:
        assert body["manager"] is False
        mine = {"alice": "1栋 1单元 101", "bob": "1栋 1单元 201", "tom": "1栋 1单元 301"}[who]
        assert list(amounts) == [mine]
        assert preview.status_code == 404 and pdf.status_code == 404


def test_from_start_to_adoption(ew, as_user):
    client = as_user(ew.carol)
    answer = client.post(
        API,
        {"stairwell": ew.s11.pk, "title": "1栋1单元加装电梯", "total_fen": 30_000_000},
        content_type="application/json",
    )
    assert answer.status_code == 201
    pid = answer.json()["id"]
    assert answer.json()["coefficients"] == {"1": "0", "2": "1.00", "3": "1.20"}
    plan = {"total_fen": 30_000_000, "coefficients": {"1": "0", "2": "1", "3": "1"}}
    preview = client.post(f"{API}/{pid}/preview", plan, content_type="application/json").json()
    assert [s["amount_fen"] for s in preview["shares"]] == [0, 0, 13_998_957, 16_001_043]
    assert preview["total_fen"] == 30_000_000
    assert client.put(f"{API}/{pid}/plan", plan, content_type="application/json").status_code == 200
    adopted = client.post(f"{API}/{pid}/adopt")
    assert adopted.status_code == 200 and adopted.json()["status"] == "adopted"
    assert sum(CostShare.objects.filter(project_id=pid).values_list("amount_fen", flat=True)) == 30_000_000
    again = client.post(f"{API}/{pid}/adopt")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    changed = client.put(f"{API}/{pid}/plan", plan, content_type="application/json")
    assert changed.status_code == 409


def test_bad_input_is_a_clear_422_and_changes_nothing(ew, project, as_user):
    client = as_user(ew.carol)
    for plan, field, message in [
        ({"total_fen": 0, "coefficients": {"1": "0", "2": "1", "3": "1"}}, "total_fen", "more than zero"),
        ({"total_fen": 100, "coefficients": {"1": "0", "2": "-2", "3": "1"}}, "coefficients", "negative"),
        ({"total_fen": 100, "coefficients": {"1": "0", "2": "0", "3": "0"}}, None, None),  # saved; adoption refuses
    ]:
        answer = client.put(f"{API}/{project.pk}/plan", plan, content_type="application/json")
        if message:
            error = answer.json()["errors"][0]
            assert answer.status_code == 422 and error["field"] == field and message in error["message"]
    project.refresh_from_db()
    assert project.total_fen == 100
    answer = client.post(f"{API}/{project.pk}/adopt")
    assert answer.status_code == 422 and "weight is zero" in answer.json()["errors"][0]["message"]
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.PLANNING and not CostShare.objects.exists()


def test_milestones_and_maintenance(ew, adopted, as_user):
    client = as_user(ew.carol)
    answer = client.put(
        f"{API}/{adopted.pk}/milestones/construction",
        {"planned": "2026-06-01", "actual": "2026-06-03", "notes": "进场施工"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["actual"] == "2026-06-03"
    assert client.put(f"{API}/{adopted.pk}/milestones/launch", {}, content_type="application/json").status_code == 404
    future = client.put(
        f"{API}/{adopted.pk}/milestones/acceptance", {"actual": "2099-01-01"}, content_type="application/json"
    )
    assert future.status_code == 422
    answer = client.put(
        f"{API}/{adopted.pk}/maintenance",
        {"yearly_fen": 120_000, "sharing": "weights", "collector": "富丰物业"},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["yearly_yuan"] == "1200.00"
    resident = as_user(ew.tom).get(f"{API}/{adopted.pk}").json()
    assert resident["maintenance"]["collector"] == "富丰物业"
    assert [m["notes"] for m in resident["milestones"] if m["kind"] == "construction"] == ["进场施工"]
    denied = as_user(ew.tom).put(
        f"{API}/{adopted.pk}/maintenance",
        {"yearly_fen": 1, "sharing": "equal", "collector": "我"},
        content_type="application/json",
    )
    assert denied.status_code == 404


def test_starting_outside_ones_area_is_a_404(ew, as_user):
    answer = as_user(ew.carol).post(API, {"stairwell": ew.ys.pk, "title": "x"}, content_type="application/json")
    assert answer.status_code == 404 and not ElevatorProject.objects.exists()
    answer = as_user(ew.alice).post(API, {"stairwell": ew.s11.pk, "title": "x"}, content_type="application/json")
    assert answer.status_code == 404 and not ElevatorProject.objects.exists()


def test_the_list_stays_the_same_few_queries_however_many_projects(ew, project, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.elevators import services

    client = as_user(ew.carol)
    with CaptureQueriesContext(connection) as one:
        assert client.get(API).json()["count"] == 1
    for i in range(5):
        services.create_project(user=ew.carol, stairwell=ew.s12, title=f"第{i}个")
    with CaptureQueriesContext(connection) as six:
        assert client.get(API).json()["count"] == 6
    assert len(six) == len(one) <= 12


def test_the_schema_lists_the_elevator_paths(ew, as_user):
    schema = as_user(ew.carol).get("/api/v1/openapi.json").json()
    assert {
        API,
        f"{API}/{{project_id}}",
        f"{API}/{{project_id}}/plan",
        f"{API}/{{project_id}}/preview",
        f"{API}/{{project_id}}/adopt",
        f"{API}/{{project_id}}/milestones/{{kind}}",
        f"{API}/{{project_id}}/maintenance",
        f"{API}/{{project_id}}/agreement.pdf",
    } <= set(schema["paths"])
    assert {"limit", "offset"} <= {p["name"] for p in schema["paths"][API]["get"]["parameters"]}
