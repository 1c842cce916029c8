"""The pages: lists and detail by role, starting a patrol, a finding with a photo, the
one-tap case, the scoring screen and the history table and chart."""

import datetime as dt

import pytest
from django.urls import reverse

from linli.cases.models import Case
from linli.patrols import services
from linli.patrols.models import Finding, Inspection, ItemScore, Patrol

from .conftest import photo


@pytest.fixture
def patrol(world):
    return services.start_patrol(user=world.grace, compound=world.fufeng, kind="hygiene")


@pytest.mark.parametrize("who", ["alice", "bob", "grace", "carol", "dave", "olga"])
def test_who_sees_the_patrol(world, patrol, login, who):
    client = login(getattr(world, who))
    listed = client.get(reverse("patrols:list")).content.decode()
    page = client.get(reverse("patrols:detail", args=[patrol.pk]))
    if who == "olga":  # 颐景园 sees nothing of 富丰新城
        assert page.status_code == 404 and "富丰新城" not in listed
    else:
        assert page.status_code == 200 and "hygiene walk · 富丰新城" in listed
        text = page.content.decode()
        may = who in ("bob", "grace", "carol")
        assert ("Add a finding" in text) == may and ("Start a patrol" in listed) == may


def test_anonymous_is_sent_to_log_in(world, patrol, client):
    answer = client.get(reverse("patrols:detail", args=[patrol.pk]))
    assert answer.status_code == 302 and "login" in answer["Location"]


def test_start_a_patrol_from_the_page(world, login):
    client = login(world.grace)
    form = client.get(reverse("patrols:new")).content.decode()
    assert "e-bike safety patrol" in form and "大新之心" in form
    answer = client.post(
        reverse("patrols:new"), {"p-compound": world.fufeng.pk, "p-kind": "ebike", "p-organisation": world.team.pk}
    )
    patrol = Patrol.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse("patrols:detail", args=[patrol.pk])
    assert patrol.organisation == world.team


def test_resident_has_no_start_page(world, login):
    assert login(world.alice).get(reverse("patrols:new")).status_code == 404


def test_add_a_finding_with_a_photo_then_turn_it_into_a_case(world, patrol, login):
    client = login(world.grace)
    url = reverse("patrols:add_finding", args=[patrol.pk])
    answer = client.post(
        url, {"f-text": "垃圾桶满溢", "f-photo": photo(), "f-stairwell": world.s21.pk, "f-severity": "medium"}
    )
    assert answer.status_code == 302
    finding = Finding.objects.get()
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert "垃圾桶满溢" in page and reverse("patrols:finding_photo", args=[finding.pk]) in page
    assert client.get(reverse("patrols:finding_photo", args=[finding.pk]))["Content-Type"] == "image/jpeg"
    case_url = reverse("patrols:finding_case", args=[finding.pk])
    assert "Turn into a case" in page and case_url in page
    assert client.post(case_url).status_code == 302
    case = Case.objects.get()
    page = client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()
    assert case.code in page and case_url not in page and case.photos.count() == 1
    again = client.post(case_url)
    assert again.status_code == 409 and "already a case" in again.content.decode() and Case.objects.count() == 1


def test_finding_without_text_shows_the_message(world, patrol, login):
    answer = login(world.grace).post(
        reverse("patrols:add_finding", args=[patrol.pk]), {"f-text": " ", "f-severity": "low"}
    )
    assert answer.status_code == 422 and "Describe what you found." in answer.content.decode()
    assert not Finding.objects.exists()


def test_not_a_photo_shows_the_message(world, patrol, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("a.jpg", b"hello", content_type="image/jpeg")
    answer = login(world.grace).post(
        reverse("patrols:add_finding", args=[patrol.pk]), {"f-text": "垃圾", "f-photo": bad, "f-severity": "low"}
    )
    assert answer.status_code == 422 and "not a photo" in answer.content.decode() and not Finding.objects.exists()


def test_end_the_patrol(world, patrol, login):
    client = login(world.grace)
    assert client.post(reverse("patrols:end", args=[patrol.pk])).status_code == 302
    patrol.refresh_from_db()
    assert patrol.ended_at is not None
    assert "Add a finding" not in client.get(reverse("patrols:detail", args=[patrol.pk])).content.decode()


def test_inspection_screen_scores_submits_and_files_a_case(world, login):
    client = login(world.henry)
    answer = client.post(
        reverse("patrols:inspection_new"),
        {"i-compound": world.fufeng.pk, "i-building": world.b1.pk, "i-area": "大堂", "i-date": "2025-05-02"},
    )
    inspection = Inspection.objects.get()
    url = reverse("patrols:inspection", args=[inspection.pk])
    assert answer["Location"] == url
    items = list(inspection.checklist.items.all())
    page = client.get(url).content.decode()
    assert all(i.text in page for i in items) and f'name="score_{items[0].pk}"' in page
    scores = {f"score_{i.pk}": "8" for i in items[:-1]}
    missing = client.post(url, scores | {"submit": ""})
    assert missing.status_code == 422 and "Not yet scored: " + items[-1].text in missing.content.decode()
    assert ItemScore.objects.count() == len(items) - 1  # what was given is kept; nothing submitted
    too_high = client.post(url, {f"score_{items[-1].pk}": "12", "save": ""})
    assert too_high.status_code == 422 and "between 0 and 10" in too_high.content.decode()
    answer = client.post(url, {f"score_{items[-1].pk}": "2", f"note_{items[-1].pk}": "积水", "submit": ""})
    assert answer.status_code == 302
    inspection.refresh_from_db()
    assert inspection.is_submitted and inspection.total == 8 * (len(items) - 1) + 2
    page = client.get(url).content.decode()
    score = ItemScore.objects.get(item=items[-1])
    case_url = reverse("patrols:score_case", args=[score.pk])
    assert "low score" in page and case_url in page and f"{inspection.percent}%" in page
    client.post(case_url)
    assert Case.objects.get().category.code == "hygiene"


def test_company_clerk_sees_inspections_but_cannot_score(world, login):
    inspection = services.start_inspection(user=world.carol, compound=world.fufeng, area="中心花园")
    client = login(world.dave)
    assert "中心花园" in client.get(reverse("patrols:inspections")).content.decode()
    url = reverse("patrols:inspection", args=[inspection.pk])
    assert client.get(url).status_code == 200
    item = inspection.checklist.items.first()
    assert client.post(url, {f"score_{item.pk}": "10", "save": ""}).status_code == 403
    assert not ItemScore.objects.exists()
    assert login(world.olga).get(url).status_code == 404


def test_history_page_table_and_chart(world, login):
    for day, value in [(dt.date(2025, 1, 10), 10), (dt.date(2025, 1, 20), 6), (dt.date(2025, 2, 5), 9)]:
        i = services.start_inspection(user=world.carol, compound=world.fufeng, area="全小区", date=day)
        services.score(user=world.carol, inspection=i, scores={it.pk: value for it in i.checklist.items.all()})
        services.submit_inspection(user=world.carol, inspection=i)
    client = login(world.carol)
    page = client.get(reverse("patrols:history"), {"compound": "", "start": "2025-01-01", "end": "2025-03-31"})
    text = page.content.decode()
    assert page.status_code == 200 and "<svg" in text and 'role="img"' in text
    assert "2025-01</th><td>2</td><td>80.0</td>" in text and "2025-02</th><td>1</td><td>90.0</td>" in text
    assert "富丰物业" in text and "<script>" not in text  # no inline script (CSP)
    olga = login(world.olga).get(reverse("patrols:history"), {"start": "2025-01-01", "end": "2025-03-31"})
    assert "富丰" not in olga.content.decode()
    bad = client.get(reverse("patrols:history"), {"start": "2025-03-01", "end": "2025-01-01"})
    assert bad.status_code == 422 and "before its start" in bad.content.decode()


def test_history_page_opens_on_the_last_twelve_months(world, login):
    page = login(world.carol).get(reverse("patrols:history"))
    assert page.status_code == 200 and "No submitted inspection in this period." in page.content.decode()


@pytest.mark.parametrize("name", ["patrols:list", "patrols:new", "patrols:inspections", "patrols:inspection_new"])
def test_pages_render_in_chinese(world, login, settings, name):
    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        page = login(world.carol).get(reverse(name), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200 and 'lang="zh-Hans"' in page.content.decode()
