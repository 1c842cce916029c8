"""The pages: who sees what (role × page), the calculator, adoption, milestones, maintenance, the PDF."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.elevators.models import CostShare, ElevatorProject, MaintenancePlan

MANAGERS = ["carol", "jack", "erin", "ivy", "root"]  # run the votes of 富丰新城
RESIDENTS = ["alice", "bob", "tom"]  # live in 1栋1单元 (bob is also the building leader)
OUTSIDERS = ["dave", "frank", "grace", "henry", "olga"]  # property clerk, other stairwell, volunteer, ...


def url(name, project, **kw):
    return reverse(f"elevators:{name}", kwargs={"pk": project.pk, **kw})


@pytest.mark.parametrize("who", MANAGERS + RESIDENTS + OUTSIDERS)
def test_the_project_page_by_role(ew, adopted, login, who):
    client = login(getattr(ew, who))
    page = client.get(url("detail", adopted))
    calculator = client.get(url("plan", adopted))
    pdf = client.get(url("agreement", adopted))
    listed = adopted.title in client.get(reverse("elevators:list")).content.decode()
    if who in MANAGERS:
        assert page.status_code == 200 and calculator.status_code == 200 and pdf.status_code == 200
        text = page.content.decode()
        assert "126495.81" in text and "173504.19" in text and "300000.00" in text  # every share and the total
        assert listed
    elif who in RESIDENTS:
        assert page.status_code == 200 and listed
        assert calculator.status_code == 404 and pdf.status_code == 404
        text = page.content.decode()
        own = {"alice": "0.00", "bob": "126495.81", "tom": "173504.19"}[who]
        assert own in text
        others = {"126495.81", "173504.19"} - {own}
        assert not any(o in text for o in others)  # only his own share
        assert url("milestone", adopted, kind="design") not in text and url("maintenance", adopted) not in text
    else:
        assert page.status_code == 404 and calculator.status_code == 404 and pdf.status_code == 404
        assert not listed


def test_anonymous_is_sent_to_log_in(ew, project, client):
    answer = client.get(url("detail", project))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_a_resident_cannot_write(ew, project, login):
    client = login(ew.alice)
    assert client.post(url("plan", project), {"plan-total": "1", "action": "adopt"}).status_code == 404
    assert client.post(url("maintenance", project), {"mt-yearly": "100"}).status_code == 404
    assert client.post(url("milestone", project, kind="design"), {"m-design-notes": "x"}).status_code == 404
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.PLANNING and not MaintenancePlan.objects.exists()


def test_starting_a_project_from_the_page(ew, login):
    client = login(ew.carol)
    answer = client.post(
        reverse("elevators:new"),
        {"p-stairwell": ew.s11.pk, "p-title": "1栋1单元加装电梯", "p-total": "480,000.00"},
    )
    project = ElevatorProject.objects.get()
    assert answer.status_code == 302 and answer["Location"] == url("plan", project)
    assert project.total_fen == 48_000_000 and project.created_by == ew.carol
    # A stairwell outside the worker's community is not offered, and posting it is refused.
    answer = client.post(reverse("elevators:new"), {"p-stairwell": ew.ys.pk, "p-title": "x", "p-total": "1"})
    assert answer.status_code == 422 and ElevatorProject.objects.count() == 1
    assert login(ew.alice).get(reverse("elevators:new")).status_code == 404


def plan_data(total="300000.00", **floors):
    data = {"plan-total": total, "plan-floor_1": "0", "plan-floor_2": "1.00", "plan-floor_3": "1.20"}
    data.update({f"plan-floor_{k[1:]}": v for k, v in floors.items()})
    return data


def test_the_calculator_previews_saves_and_adopts(ew, project, login):
    client = login(ew.carol)
    page = client.get(url("plan", project)).content.decode()
    assert "126495.81" in page and "173504.19" in page  # the preview of the saved plan
    # Preview with other coefficients (htmx): the partial alone, nothing saved.
    answer = client.post(url("plan", project), {**plan_data(f3="1.00"), "action": "preview"}, HTTP_HX_REQUEST="true")
    text = answer.content.decode()
    assert answer.status_code == 200 and 'id="preview"' in text and "<html" not in text
    # 89.50 and 102.30 at the same coefficient: 300,000 × 89.50 / 191.80 = 139,989.57…
    assert "139989.57" in text and "160010.43" in text
    project.refresh_from_db()
    assert project.coefficients["3"] == "1.20"
    # A negative coefficient: a clear message, nothing saved.
    answer = client.post(url("plan", project), {**plan_data(f3="-1"), "action": "save"})
    assert answer.status_code == 422 and "negative" in answer.content.decode()
    project.refresh_from_db()
    assert project.coefficients["3"] == "1.20"
    # Adopting needs the box ticked; then the shares are frozen and the calculator closes.
    answer = client.post(url("plan", project), {**plan_data(f3="1.5"), "action": "adopt"})
    assert answer.status_code == 422 and "Tick the box" in answer.content.decode()
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.PLANNING and project.coefficients["3"] == "1.20"
    answer = client.post(url("plan", project), {**plan_data(f3="1.5"), "action": "adopt", "confirm": "1"})
    assert answer.status_code == 302
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.ADOPTED and project.coefficients["3"] == "1.5"
    assert sum(CostShare.objects.filter(project=project).values_list("amount_fen", flat=True)) == 30_000_000
    answer = client.post(url("plan", project), {**plan_data(), "action": "adopt"})
    assert "can no longer be changed" in answer.content.decode()


def test_all_weights_zero_is_refused_on_the_page(ew, project, login):
    answer = login(ew.carol).post(
        url("plan", project), {**plan_data(f2="0", f3="0"), "action": "adopt", "confirm": "1"}
    )
    assert answer.status_code == 422 and "weight is zero" in answer.content.decode()
    project.refresh_from_db()
    assert project.status == ElevatorProject.Status.PLANNING and not CostShare.objects.exists()


def test_milestones_with_evidence_and_the_maintenance_plan(ew, adopted, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(ew.carol)
    answer = client.post(
        url("milestone", adopted, kind="approval"),
        {
            "m-approval-kind": "approval",
            "m-approval-planned": "2026-03-01",
            "m-approval-actual": "2026-03-10",
            "m-approval-notes": "规划许可已批",
            "m-approval-evidence": SimpleUploadedFile("permit.pdf", b"%PDF-1.4 permit", content_type="application/pdf"),
        },
    )
    assert answer.status_code == 302
    answer = client.post(
        url("maintenance", adopted),
        {"mt-yearly": "1200.00", "mt-sharing": "equal", "mt-collector": "富丰物业", "mt-notes": ""},
    )
    assert answer.status_code == 302
    # Tom, a resident, sees the milestone, its evidence and his own yearly upkeep.
    tom = login(ew.tom)
    text = tom.get(url("detail", adopted)).content.decode()
    assert "规划许可已批" in text and "2026-03-10" in text and "富丰物业" in text and "600.00" in text
    evidence = tom.get(url("evidence", adopted, kind="approval"))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content) == b"%PDF-1.4 permit"
    assert evidence["Content-Type"] == "application/pdf"
    assert login(ew.olga).get(url("evidence", adopted, kind="approval")).status_code == 404
    # A day still to come is refused.
    client = login(ew.carol)
    answer = client.post(
        url("milestone", adopted, kind="acceptance"),
        {"m-acceptance-kind": "acceptance", "m-acceptance-actual": "2099-01-01"},
    )
    assert answer.status_code == 422 and "still to come" in answer.content.decode()
    answer = client.post(
        url("milestone", adopted, kind="design"),
        {"m-design-kind": "design", "m-design-evidence": SimpleUploadedFile("x.html", b"<script>", "text/html")},
    )
    assert answer.status_code == 422 and "PDF or a photo" in answer.content.decode()
    assert not adopted.milestones.get(kind="design").evidence
    answer = client.post(url("maintenance", adopted), {"mt-yearly": "0", "mt-sharing": "equal", "mt-collector": "x"})
    assert answer.status_code == 422 and MaintenancePlan.objects.get().yearly_fen == 120_000


def test_the_pdf_download(ew, adopted, login):
    answer = login(ew.carol).get(url("agreement", adopted))
    assert answer["Content-Type"] == "application/pdf" and answer.content.startswith(b"%PDF-")


def test_the_list_page_queries_do_not_grow_with_projects(ew, project, login):
    from linli.elevators import services

    client = login(ew.carol)
    client.get(reverse("elevators:list"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("elevators:list"))
    for i in range(3):
        services.create_project(user=ew.carol, stairwell=ew.s12, title=f"第{i}个")
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("elevators:list"))
    assert len(four) == len(one)


def test_plan_changes_and_adoption_are_in_the_audit_log(ew, project, login):
    import json

    from auditlog.models import LogEntry

    client = login(ew.carol)
    client.post(url("plan", project), {**plan_data(f3="1.5"), "action": "save"})
    client.post(url("plan", project), {**plan_data(f3="1.5"), "action": "adopt", "confirm": "1"})
    entries = LogEntry.objects.get_for_object(project).order_by("timestamp", "pk")
    changes = [e.changes_dict for e in entries if e.action == LogEntry.Action.UPDATE]
    assert all(e.actor == ew.carol for e in entries if e.action == LogEntry.Action.UPDATE)
    assert json.loads(changes[0]["coefficients"][0])["3"] == "1.20"
    assert json.loads(changes[0]["coefficients"][1])["3"] == "1.5"
    assert any("status" in c and c["status"][1] == "adopted" for c in changes)
