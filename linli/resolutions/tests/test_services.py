"""A meeting's decision followed to done, in public."""

import datetime as dt

import pytest
from django.utils import timezone

from linli.cases import taxonomy
from linli.cases.models import Case, Category
from linli.meetings import services as meetings
from linli.meetings.models import Meeting
from linli.resolutions import services
from linli.resolutions.models import Progress, Resolution
from linli.resolutions.services import ResolutionError

NOW = timezone.make_aware(dt.datetime(2026, 12, 2, 10, 0))
TODAY = NOW.date()


@pytest.fixture
def meeting(world):
    start = NOW - dt.timedelta(days=1)
    return meetings.plan(
        user=world.carol, kind=Meeting.Kind.JOINT, title="三方联席会议", organiser=world.committee,
        compound=world.fufeng, starts=start, ends=start + dt.timedelta(hours=2), location="居委会",
    )  # fmt: skip


@pytest.fixture
def resolution(world, meeting):
    return services.create(
        user=world.carol, meeting=meeting, title="更换1栋电梯减震垫", owner=world.company,
        due=TODAY + dt.timedelta(days=14), now=NOW,
    )  # fmt: skip


def test_a_resolution_takes_its_place_from_the_meeting(world, resolution):
    assert (resolution.community, resolution.compound) == (world.daxin, world.fufeng)
    assert resolution.status == Resolution.Status.PLANNED and resolution.percent == 0


def test_bad_resolutions_are_refused(world, meeting):
    base = dict(meeting=meeting, owner=world.company, now=NOW)
    with pytest.raises(ResolutionError, match="resolved"):
        services.create(user=world.carol, title=" ", due=TODAY, **base)
    with pytest.raises(ResolutionError, match="passed"):
        services.create(user=world.carol, title="x", due=TODAY - dt.timedelta(days=1), **base)
    with pytest.raises(ResolutionError, match="may not"):
        services.create(user=world.alice, title="x", due=TODAY, **base)
    with pytest.raises(ResolutionError, match="may not"):
        services.create(user=world.olga, title="x", due=TODAY, **base)
    assert not Resolution.objects.exists()


def test_the_responsible_organisation_reports_progress_to_done(world, resolution):
    with pytest.raises(ResolutionError, match="responsible organisation"):
        services.report(resolution=resolution, user=world.alice, percent=50, text="我觉得好了一半")
    for bad in (-1, 101, "half"):
        with pytest.raises(ResolutionError, match="0 to 100"):
            services.report(resolution=resolution, user=world.dave, percent=bad, text="x")
    services.report(resolution=resolution, user=world.dave, percent=40, text="减震垫已到货", now=NOW)
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.IN_PROGRESS and resolution.percent == 40
    services.report(resolution=resolution, user=world.dave, percent=100, text="已更换，夜间噪音明显减小", now=NOW)
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DONE and resolution.done_at == NOW
    with pytest.raises(ResolutionError, match="closed"):
        services.report(resolution=resolution, user=world.dave, percent=90, text="x")
    assert Progress.objects.filter(resolution=resolution).count() == 2


def test_done_means_one_hundred_percent_in_the_database(world, resolution):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Resolution.objects.filter(pk=resolution.pk).update(status="done", percent=60)


def test_dropping_needs_a_reason_and_the_maker(world, resolution):
    with pytest.raises(ResolutionError, match="reason"):
        services.drop(resolution=resolution, user=world.carol, reason="")
    with pytest.raises(ResolutionError, match="Only those"):
        services.drop(resolution=resolution, user=world.dave, reason="不想做")
    services.drop(resolution=resolution, user=world.carol, reason="电梯整体更换，另行表决")
    resolution.refresh_from_db()
    assert resolution.status == Resolution.Status.DROPPED


def test_a_resolution_opens_a_case_and_a_vote(world, resolution):
    taxonomy.ensure()
    case = services.open_case(resolution=resolution, user=world.dave, category=Category.objects.get(code="elevator"))
    assert case.channel == "meeting" and case.compound == world.fufeng
    opens = timezone.now() + dt.timedelta(days=20)
    vote = services.open_vote(
        resolution=resolution, user=world.carol, opens_at=opens, closes_at=opens + dt.timedelta(days=7), item=5
    )
    resolution.refresh_from_db()
    assert resolution.case == case and resolution.vote == vote
    assert vote.status == "draft" and vote.matters.get().item == 5
    assert Case.objects.count() == 1


def test_who_sees_resolutions(world, resolution):
    hidden = services.create(
        user=world.carol, meeting=resolution.meeting, title="内部事项", owner=world.association,
        due=TODAY, public=False, now=NOW,
    )  # fmt: skip
    seen = {
        who: set(services.visible_resolutions(getattr(world, who)).values_list("title", flat=True))
        for who in ["alice", "dave", "henry", "carol", "olga"]
    }
    assert seen["alice"] == {"更换1栋电梯减震垫"}  # public ones of her compound
    assert seen["dave"] == {"更换1栋电梯减震垫"}  # his company's
    assert seen["henry"] == {"更换1栋电梯减震垫", "内部事项"}  # his association's, public or not
    assert seen["carol"] == {"更换1栋电梯减震垫", "内部事项"}  # she organised the meeting
    assert seen["olga"] == set()
    assert list(services.public_resolutions(world.fufeng)) == [resolution]
    assert hidden not in services.public_resolutions(world.fufeng)


def test_the_owner_is_told_when_assigned_and_once_when_overdue(world, meeting, django_capture_on_commit_callbacks):
    from linli.notices.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        r = services.create(
            user=world.carol, meeting=meeting, title="清理楼道杂物", owner=world.company, due=TODAY, now=NOW
        )
    assert Notification.objects.filter(user=world.dave, kind="resolution.assigned").count() == 1
    later = NOW + dt.timedelta(days=3)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert services.tick(now=later) == 1
    assert Notification.objects.filter(user=world.dave, kind="resolution.overdue").count() == 1
    assert r.title in Notification.objects.get(user=world.dave, kind="resolution.overdue").title
