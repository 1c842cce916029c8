"""The resolution pages: who sees what, reporting progress, the public page of a compound."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from linli.meetings import services as meetings
from linli.meetings.models import Meeting
from linli.resolutions import services
from linli.resolutions.models import Progress, Resolution


def jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (80, 60), "gray").save(buf, "JPEG")
    return SimpleUploadedFile("work.jpg", buf.getvalue(), content_type="image/jpeg")


@pytest.fixture
def meeting(world):
    start = timezone.now() - dt.timedelta(days=1)
    return meetings.plan(
        user=world.carol, kind=Meeting.Kind.JOINT, title="三方联席会议", organiser=world.committee,
        compound=world.fufeng, starts=start, ends=start + dt.timedelta(hours=2), location="居委会",
    )  # fmt: skip


@pytest.fixture
def resolution(world, meeting):
    return services.create(
        user=world.carol, meeting=meeting, title="更换1栋电梯减震垫", owner=world.company,
        due=timezone.localdate() + dt.timedelta(days=14),
    )  # fmt: skip


@pytest.mark.parametrize("who, status", [("alice", 200), ("dave", 200), ("carol", 200), ("olga", 404), ("grace", 404)])
def test_who_opens_a_resolution(world, resolution, client, who, status):
    client.force_login(getattr(world, who))
    assert client.get(f"/resolutions/{resolution.code}/").status_code == status


def test_anonymous_is_sent_to_log_in(resolution, client):
    response = client.get(f"/resolutions/{resolution.code}/")
    assert response.status_code == 302 and "login" in response["location"]


def test_the_responsible_clerk_reports_progress_with_a_photo(world, resolution, client):
    client.force_login(world.dave)
    page = client.get(f"/resolutions/{resolution.code}/")
    assert "Report progress" in page.content.decode() or "报告进度" in page.content.decode()
    response = client.post(f"/resolutions/{resolution.code}/", {"percent": 60, "text": "已更换3台", "photo": jpeg()})
    assert response.status_code == 302
    resolution.refresh_from_db()
    assert resolution.percent == 60 and resolution.status == "in_progress"
    update = Progress.objects.get(resolution=resolution)
    assert update.photo
    client.logout()  # the public sees the photo of a public resolution
    assert client.get(f"/resolutions/{resolution.code}/photos/{update.pk}/").status_code == 200


def test_bad_progress_is_refused_and_changes_nothing(world, resolution, client):
    client.force_login(world.dave)
    response = client.post(f"/resolutions/{resolution.code}/", {"percent": 120, "text": "x"})
    assert response.status_code == 422
    client.force_login(world.alice)  # a resident does not report
    assert client.post(f"/resolutions/{resolution.code}/", {"percent": 50, "text": "x"}).status_code == 404
    assert not Progress.objects.exists() and Resolution.objects.get().percent == 0


def test_an_organiser_makes_a_resolution_from_the_meeting(world, meeting, client):
    client.force_login(world.carol)
    assert client.get(f"/resolutions/new/{meeting.code}/").status_code == 200
    response = client.post(
        f"/resolutions/new/{meeting.code}/",
        {"title": "清理楼道杂物", "owner": world.company.pk, "due": timezone.localdate().isoformat(), "public": "on"},
    )
    assert response.status_code == 302 and Resolution.objects.get().meeting == meeting
    client.force_login(world.alice)
    assert client.get(f"/resolutions/new/{meeting.code}/").status_code == 404


def test_the_public_page_of_a_compound(world, resolution, client, django_assert_max_num_queries):
    services.create(
        user=world.carol, meeting=resolution.meeting, title="内部事项", owner=world.association,
        due=timezone.localdate(), public=False,
    )  # fmt: skip
    services.report(resolution=resolution, user=world.dave, percent=100, text="完成")
    with django_assert_max_num_queries(8):
        page = client.get(f"/resolutions/public/{world.fufeng.pk}/").content.decode()
    assert "更换1栋电梯减震垫" in page and "内部事项" not in page and "完成" in page
    assert client.get(f"/resolutions/public/{world.yijing.pk}/").status_code == 200
