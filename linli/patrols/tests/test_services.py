"""Patrols, findings, the one-tap case, inspections and the score history, called as plain
functions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from linli.cases.models import Case, Channel
from linli.patrols import access, services
from linli.patrols.models import Checklist, Finding, Inspection, ItemScore, Patrol, PatrolKind, Severity
from linli.patrols.services import PatrolError
from linli.people.models import Organisation, PropertyServicePeriod

from .conftest import photo

PATROLLERS = ["bob", "grace", "henry", "frank", "carol", "jack", "erin", "root"]
NOT_PATROLLERS = ["alice", "dave", "ivy", "olga"]


@pytest.mark.parametrize("who", PATROLLERS + NOT_PATROLLERS)
def test_who_may_patrol_fufeng(world, who):
    assert access.may_patrol(getattr(world, who), world.fufeng) == (who in PATROLLERS)
    # Nobody of 大新社区 (except the subdistrict and root) patrols 颐景园.
    assert access.may_patrol(getattr(world, who), world.yijing) == (who in ("erin", "root"))


def test_start_patrol_logs_the_team_and_the_starter(world):
    patrol = services.start_patrol(
        user=world.grace,
        compound=world.fufeng,
        kind=PatrolKind.EBIKE,
        organisation=world.team,
        participants=[world.p_frank],
    )
    assert patrol.started_by == world.grace and patrol.organisation == world.team and patrol.is_open
    assert set(patrol.participants.all()) == {world.p_grace, world.p_frank}


def test_resident_cannot_start_a_patrol(world):
    with pytest.raises(PatrolError) as err:
        services.start_patrol(user=world.alice, compound=world.fufeng, kind=PatrolKind.FIRE)
    assert err.value.status_code == 403 and not Patrol.objects.exists()


def test_a_team_of_another_compound_is_refused(world):
    other = Organisation.objects.create(
        kind=Organisation.Kind.VOLUNTEER_TEAM,
        name="颐景园义工队",
        subdistrict=world.guicheng,
        community=world.cuiyi,
        compound=world.yijing,
    )
    with pytest.raises(PatrolError, match="does not serve"):
        services.start_patrol(user=world.grace, compound=world.fufeng, kind=PatrolKind.FIRE, organisation=other)
    assert not Patrol.objects.exists()


@pytest.fixture
def patrol(world):
    return services.start_patrol(user=world.grace, compound=world.fufeng, kind=PatrolKind.EBIKE)


def test_end_patrol_once(world, patrol):
    services.end_patrol(user=world.grace, patrol=patrol)
    with pytest.raises(PatrolError, match="already ended") as err:
        services.end_patrol(user=world.grace, patrol=patrol)
    assert err.value.status_code == 409


def test_finding_with_photo_and_place(world, patrol):
    finding = services.add_finding(
        user=world.grace, patrol=patrol, text="电动车在楼道充电", photo=photo(), stairwell=world.s11, where="一楼楼梯口"
    )
    assert finding.building == world.b1 and finding.photo and finding.photo_width == 40
    assert finding.place_label == f"{world.s11} 一楼楼梯口"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"text": "   "}, "Describe what you found."),
        ({"text": "x" * 2001}, "at most 2000 characters"),
        ({"photo": "not"}, "not a photo"),
        ({"severity": "apocalyptic"}, "how serious"),
    ],
)
def test_bad_findings_change_nothing(world, patrol, kwargs, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    args = {"text": "堆放杂物", **kwargs}
    if args.get("photo") == "not":
        args["photo"] = SimpleUploadedFile("a.jpg", b"plain text, not a picture", content_type="image/jpeg")
    with pytest.raises(PatrolError, match=message):
        services.add_finding(user=world.grace, patrol=patrol, **args)
    assert not Finding.objects.exists()


def test_photo_too_big_is_refused(world, patrol, settings):
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(PatrolError, match="larger than") as err:
        services.add_finding(user=world.grace, patrol=patrol, text="堆放杂物", photo=photo(size=(400, 300)))
    assert err.value.field == "photo" and not Finding.objects.exists()


def test_a_place_in_another_compound_is_refused(world, patrol):
    with pytest.raises(PatrolError, match="not in that compound"):
        services.add_finding(user=world.grace, patrol=patrol, text="堆放杂物", building=world.y1)
    assert not Finding.objects.exists()


def test_database_refuses_a_finding_without_text(world, patrol):
    with pytest.raises(IntegrityError), transaction.atomic():
        Finding.objects.create(patrol=patrol, text="", recorded_by=world.grace)


def test_urgent_finding_tells_the_community_workers(world, patrol, django_capture_on_commit_callbacks):
    from linli.notices.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        services.add_finding(user=world.grace, patrol=patrol, text="消防通道被堵", severity=Severity.HIGH)
    told = set(Notification.objects.filter(kind="patrols.urgent_finding").values_list("user__username", flat=True))
    assert told == {"carol", "jack"}


def test_finding_becomes_a_case_once(world, patrol):
    finding = services.add_finding(
        user=world.grace, patrol=patrol, text="电动车在楼道充电", photo=photo(), stairwell=world.s11
    )
    case = services.finding_to_case(user=world.bob, finding=finding)
    assert case.channel == Channel.PATROL and case.category.code == "e-bikes" and case.stairwell == world.s11
    assert case.recorded_by == world.bob and case.photos.count() == 1 and "电动车在楼道充电" in case.title
    finding.refresh_from_db()
    assert finding.case == case
    with pytest.raises(PatrolError, match="already a case") as err:
        services.finding_to_case(user=world.bob, finding=finding)
    assert err.value.status_code == 409 and Case.objects.count() == 1


@pytest.mark.parametrize("kind, category", [("hygiene", "hygiene"), ("fire", "safety"), ("stairwell", "safety")])
def test_category_follows_the_kind_of_patrol(world, kind, category):
    patrol = services.start_patrol(user=world.carol, compound=world.fufeng, kind=kind)
    finding = services.add_finding(user=world.carol, patrol=patrol, text="问题")
    assert services.finding_to_case(user=world.carol, finding=finding).category.code == category


def test_resident_cannot_turn_a_finding_into_a_case(world, patrol):
    finding = services.add_finding(user=world.grace, patrol=patrol, text="堆放杂物")
    with pytest.raises(PatrolError) as err:
        services.finding_to_case(user=world.alice, finding=finding)
    assert err.value.status_code == 403 and not Case.objects.exists()


# --- inspections ---------------------------------------------------------------------------


def test_default_checklist_comes_from_the_data_migration(world):
    checklist = services.checklist_for(world.fufeng)
    texts = [i.text for i in checklist.items.all()]
    assert texts[:6] == ["楼道地面", "楼梯扶手", "电梯轿厢", "垃圾分类点", "绿化带", "地下车库"]
    assert {i.max_score for i in checklist.items.all()} == {10}


def test_compound_checklist_wins_over_the_default(world):
    own = Checklist.objects.create(name="富丰新城检查表", compound=world.fufeng)
    own.items.create(text="单元门", max_score=5, order=1)
    assert services.checklist_for(world.fufeng) == own
    assert services.checklist_for(world.yijing).compound is None


@pytest.fixture
def inspection(world):
    return services.start_inspection(user=world.grace, compound=world.fufeng, building=world.b1, area="大堂")


def _all(inspection, value):
    return {item.pk: value for item in inspection.checklist.items.all()}


def test_inspection_records_the_company_serving_that_day(world):
    PropertyServicePeriod.objects.filter(compound=world.fufeng).update(end=dt.date(2024, 12, 31))
    new = Organisation.objects.create(
        kind=Organisation.Kind.PROPERTY_COMPANY, name="新物业", subdistrict=world.guicheng
    )
    PropertyServicePeriod.objects.create(company=new, compound=world.fufeng, start=dt.date(2025, 1, 1))
    old = services.start_inspection(user=world.carol, compound=world.fufeng, area="中心花园", date=dt.date(2024, 6, 1))
    now = services.start_inspection(user=world.carol, compound=world.fufeng, area="中心花园", date=dt.date(2025, 6, 1))
    assert old.company == world.company and now.company == new


def test_inspection_needs_an_area_and_a_patroller(world):
    with pytest.raises(PatrolError, match="building or name the area"):
        services.start_inspection(user=world.grace, compound=world.fufeng)
    with pytest.raises(PatrolError) as err:
        services.start_inspection(user=world.dave, compound=world.fufeng, area="大堂")  # the company's own clerk
    assert err.value.status_code == 403 and not Inspection.objects.exists()


@pytest.mark.parametrize("bad", [11, -1, "ten"])
def test_bad_scores_save_nothing(world, inspection, bad):
    items = list(inspection.checklist.items.all())
    with pytest.raises(PatrolError):
        services.score(user=world.grace, inspection=inspection, scores={items[0].pk: 8, items[1].pk: bad})
    assert not ItemScore.objects.exists()


def test_database_refuses_a_score_above_its_maximum(world, inspection):
    item = inspection.checklist.items.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemScore.objects.create(inspection=inspection, item=item, score=11, max_score=10)


def test_submit_needs_every_item_then_freezes(world, inspection):
    items = list(inspection.checklist.items.all())
    services.score(user=world.grace, inspection=inspection, scores={items[0].pk: 8})
    with pytest.raises(PatrolError, match="Not yet scored: 楼梯扶手"):
        services.submit_inspection(user=world.grace, inspection=inspection)
    inspection.refresh_from_db()
    assert not inspection.is_submitted
    scores = _all(inspection, 9) | {items[0].pk: 4}
    services.score(user=world.grace, inspection=inspection, scores=scores)
    services.submit_inspection(user=world.grace, inspection=inspection)
    inspection.refresh_from_db()
    n = len(items)
    assert inspection.total == 4 + 9 * (n - 1) and inspection.max_total == 10 * n
    assert inspection.percent == (Decimal(100) * inspection.total / (10 * n)).quantize(Decimal("0.1"))
    with pytest.raises(PatrolError, match="submitted") as err:
        services.score(user=world.grace, inspection=inspection, scores={items[0].pk: 10})
    assert err.value.status_code == 409 and ItemScore.objects.get(item=items[0]).score == 4


def test_submitting_tells_the_property_company(world, inspection, django_capture_on_commit_callbacks):
    from linli.notices.models import Notification

    services.score(user=world.grace, inspection=inspection, scores=_all(inspection, 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_inspection(user=world.grace, inspection=inspection)
    assert Notification.objects.filter(kind="patrols.inspection_submitted", user=world.dave).count() == 1


def test_low_score_becomes_a_hygiene_case_once(world, inspection):
    items = list(inspection.checklist.items.all())
    services.score(user=world.grace, inspection=inspection, scores=_all(inspection, 9) | {items[3].pk: 2})
    low = ItemScore.objects.get(item=items[3])
    with pytest.raises(PatrolError, match="Submit the inspection"):
        services.score_to_case(user=world.grace, item_score=low)
    services.submit_inspection(user=world.grace, inspection=inspection)
    high = ItemScore.objects.get(item=items[0])
    with pytest.raises(PatrolError, match="below 60%"):
        services.score_to_case(user=world.grace, item_score=high)
    case = services.score_to_case(user=world.grace, item_score=low)
    assert case.category.code == "hygiene" and "垃圾分类点" in case.description and case.building == world.b1
    with pytest.raises(PatrolError, match="already a case"):
        services.score_to_case(user=world.grace, item_score=low)
    assert Case.objects.count() == 1


# --- score history ------------------------------------------------------------------------


def _inspect(world, compound, day, scores_by_position, user=None):
    user = user or world.erin
    inspection = services.start_inspection(user=user, compound=compound, area="全小区", date=day)
    items = list(inspection.checklist.items.all())
    services.score(user=user, inspection=inspection, scores={i.pk: scores_by_position(n) for n, i in enumerate(items)})
    return services.submit_inspection(user=user, inspection=inspection)


def test_score_history_averages_per_month_compound_and_company(world):
    n = services.checklist_for(world.fufeng).items.count()  # 8 items of 10 points
    _inspect(world, world.fufeng, dt.date(2025, 1, 5), lambda i: 10)  # 100%
    _inspect(world, world.fufeng, dt.date(2025, 1, 20), lambda i: 5)  # 50%
    _inspect(world, world.fufeng, dt.date(2025, 3, 1), lambda i: 10 if i == 0 else 7)  # (10 + 7(n-1)) / 10n
    _inspect(world, world.yijing, dt.date(2025, 1, 31), lambda i: 8)  # 80%, no company serves 颐景园
    _inspect(world, world.fufeng, dt.date(2025, 4, 1), lambda i: 0)  # outside the period
    draft = services.start_inspection(user=world.erin, compound=world.fufeng, area="草稿", date=dt.date(2025, 2, 1))
    services.score(user=world.erin, inspection=draft, scores=_all(draft, 0))  # not submitted: not counted

    history = services.score_history(
        compounds=[world.fufeng.pk, world.yijing.pk], start=dt.date(2025, 1, 1), end=dt.date(2025, 3, 31)
    )
    assert history.months == [dt.date(2025, 1, 1), dt.date(2025, 2, 1), dt.date(2025, 3, 1)]
    march = (Decimal(100) * (10 + 7 * (n - 1)) / (10 * n)).quantize(Decimal("0.1"))
    rows = [(r.name, r.month.month, r.inspections, r.average_percent) for r in history.by_compound]
    assert rows == [
        ("富丰新城", 1, 2, Decimal("75.0")),
        ("富丰新城", 3, 1, march),
        ("颐景园", 1, 1, Decimal("80.0")),
    ]
    assert [(r.name, r.month.month, r.average_percent) for r in history.by_company] == [
        ("富丰物业", 1, Decimal("75.0")),
        ("富丰物业", 3, march),
    ]


def test_score_history_refuses_a_backwards_period(world):
    with pytest.raises(PatrolError, match="before its start"):
        services.score_history(compounds=[world.fufeng.pk], start=dt.date(2025, 3, 1), end=dt.date(2025, 1, 1))
