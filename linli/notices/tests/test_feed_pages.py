"""The bell in the top bar, the feed, marking read."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from linli.notices.models import Notification


def bell(html: str) -> str:
    match = re.search(r'<a id="bell".*?</a>', html, re.S)
    assert match, "no bell in the page"
    return match.group(0)


def unread_badge(html: str) -> str | None:
    match = re.search(r'<span class="tag">(\d+\+?)<', bell(html))
    return match.group(1) if match else None


def note(user, title="新诉求：楼道灯坏了（富丰新城 1栋1单元）", **kw):
    return Notification.objects.create(user=user, kind="case.submitted", title=title, link="/cases/X/", **kw)


def test_the_bell_shows_how_many_are_unread(cw, login):
    client = login(cw.dave)
    assert unread_badge(client.get("/").content.decode()) is None
    note(cw.dave)
    note(cw.dave)
    note(cw.paul)  # someone else's
    assert unread_badge(client.get("/").content.decode()) == "2"


def test_the_bell_counts_with_one_query(cw, login, django_assert_num_queries):
    from django.template import Context, Template

    note(cw.dave)
    template = Template("{% load notices_ui %}{% unread_count user as n %}{% unread_count user as m %}{{ n }}{{ m }}")
    with django_assert_num_queries(1):
        assert template.render(Context({"user": cw.dave})) == "11"


def test_the_feed_lists_only_my_notifications_newest_first(cw, login):
    older = note(cw.dave, title="较早的通知")
    newer = note(cw.dave, title="较新的通知")
    note(cw.paul, title="别人的通知")
    html = login(cw.dave).get("/notices/").content.decode()
    assert html.index(newer.title) < html.index(older.title)
    assert "别人的通知" not in html


def test_marking_one_read_updates_it_and_the_bell(cw, login):
    client = login(cw.dave)
    first, second = note(cw.dave), note(cw.dave)
    response = client.post(f"/notices/{first.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<li id="notice-{first.pk}" class="notice">' in html
    assert 'hx-swap-oob="true"' in bell(html) and unread_badge(html) == "1"
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_no_one_marks_another_persons_notification(cw, login):
    theirs = note(cw.paul)
    assert login(cw.dave).post(f"/notices/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(cw, login):
    client = login(cw.dave)
    for _ in range(3):
        note(cw.dave)
    mine_elsewhere = note(cw.paul)
    with translation.override("en"):
        response = client.post("/notices/read-all/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert Notification.objects.filter(user=cw.dave).unread().count() == 0
    assert unread_badge(response.content.decode()) is None
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None


def test_opening_a_notification_marks_it_read_and_follows_its_link(cw, login):
    item = note(cw.dave)
    response = login(cw.dave).get(f"/notices/{item.pk}/")
    assert response.status_code == 302 and response["Location"] == "/cases/X/"
    item.refresh_from_db()
    assert item.read_at is not None


def test_a_link_to_another_site_is_not_followed(cw, login):
    item = Notification.objects.create(user=cw.dave, kind="x", title="t", link="https://evil.example/")
    response = login(cw.dave).get(f"/notices/{item.pk}/")
    assert response["Location"] == "/notices/"


def test_the_feed_needs_a_login(client):
    response = client.get("/notices/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_unread_filter(cw, login):
    read = note(cw.dave, title="已读的")
    note(cw.dave, title="未读的")
    client = login(cw.dave)
    client.post(f"/notices/{read.pk}/read/")
    html = client.get("/notices/?show=unread").content.decode()
    assert "未读的" in html and "已读的" not in html


def test_the_feed_costs_the_same_for_many(cw, login):
    client = login(cw.dave)
    note(cw.dave)
    client.get("/notices/")
    with CaptureQueriesContext(connection) as few:
        client.get("/notices/")
    for _ in range(40):
        note(cw.dave)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/notices/").status_code == 200
    assert len(many) == len(few)
