"""The pages: who sees and does what (role × page), supporting (also through htmx), proposing,
comments, reports and moderation, and the list's query count."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.topics import services
from linli.topics.models import Comment, Status, Support, Topic

from .conftest import told

# For alice's topic of 1栋1单元:
SEE = ["alice", "nina", "bob", "carol", "jack", "erin", "root"]  # residents there, the leader, staff
NOT_SEE = ["sam", "olga", "wendy", "dave", "grace", "henry"]  # next stairwell, other community, clerk, ...
SUPPORT = ["alice", "nina", "bob"]  # live in 1栋1单元 (bob leads the building and lives at 201)
ORGANISE = ["bob", "carol", "jack", "erin", "root"]
MODERATE = ["carol", "jack", "erin", "root"]
HX = {"HTTP_HX_REQUEST": "true"}


def detail(topic):
    return reverse("topics:detail", args=[topic.code])


def act(name, topic):
    return reverse(f"topics:{name}", args=[topic.code])


@pytest.mark.parametrize("who", SEE + NOT_SEE)
def test_who_sees_the_topic(tw, topic, login, who):
    client = login(getattr(tw, who))
    page = client.get(detail(topic))
    listed = topic.title in client.get(reverse("topics:list")).content.decode()
    if who in SEE:
        assert page.status_code == 200 and listed
        text = page.content.decode()
        assert "1单元楼道堆满纸箱" in text and "0 of 2 supports needed" in text
        assert (act("support", topic) in text) == (who in SUPPORT)
        assert (act("close", topic) in text) == (who in ORGANISE)
    else:
        assert page.status_code == 404 and not listed


def test_anonymous_is_sent_to_log_in(tw, topic, client):
    for url in (reverse("topics:list"), detail(topic), reverse("topics:new"), reverse("topics:moderation")):
        answer = client.get(url)
        assert answer.status_code == 302 and "login" in answer["Location"]
    answer = client.post(act("support", topic))
    assert answer.status_code == 302 and not Support.objects.exists()


@pytest.mark.parametrize("who", SEE + NOT_SEE)
def test_who_may_support_from_the_page(tw, topic, login, who):
    answer = login(getattr(tw, who)).post(act("support", topic))
    if who in SUPPORT:
        assert answer.status_code == 302 and Support.objects.filter(topic=topic).count() == 1
    elif who in SEE:  # sees it, lives elsewhere: told why, nothing counted
        assert answer.status_code == 403
        assert "Only residents of 富丰新城 1栋 1单元 can support this topic." in answer.content.decode()
        assert not Support.objects.exists()
    else:
        assert answer.status_code == 404 and not Support.objects.exists()


def test_supporting_through_htmx_swaps_the_block_and_reaches_the_threshold(tw, topic, login, committed):
    client = login(tw.alice)
    answer = client.post(act("support", topic), **HX)
    text = answer.content.decode()
    assert answer.status_code == 200 and 'id="support"' in text and "<html" not in text
    assert "1 of 2 supports needed" in text and "You support this topic." in text
    again = client.post(act("support", topic), **HX)
    assert again.status_code == 422 and "You already support this topic." in again.content.decode()
    with committed():
        login(tw.nina).post(act("support", topic), **HX)
    topic.refresh_from_db()
    assert topic.status == Status.READY and told(tw.carol, "topic.ready")
    page = login(tw.alice).get(detail(topic)).content.decode()
    assert "ready for an agenda" in page and "2 of 2 supports needed" in page


@pytest.mark.parametrize("who", SEE)
def test_who_may_close(tw, topic, login, who):
    answer = login(getattr(tw, who)).post(act("close", topic), {"r-reason": "重复议题"})
    topic.refresh_from_db()
    if who in ORGANISE:
        assert answer.status_code == 302 and topic.status == Status.CLOSED
        assert "Closed by the organisers. Reason: 重复议题" in login(tw.nina).get(detail(topic)).content.decode()
    else:
        assert answer.status_code == 404 and topic.status == Status.OPEN


def test_closing_without_a_reason_is_refused_on_the_page(tw, topic, login):
    answer = login(tw.carol).post(act("close", topic), {"r-reason": ""})
    assert answer.status_code == 422 and "Give the reason for closing the topic" in answer.content.decode()
    topic.refresh_from_db()
    assert topic.status == Status.OPEN


def test_agenda_and_settle_from_the_page(tw, topic, login):
    client = login(tw.bob)
    assert client.post(act("agenda", topic), {"a-meeting_title": "1栋楼道会议"}).status_code == 302
    assert "On the agenda of: 1栋楼道会议" in login(tw.alice).get(detail(topic)).content.decode()
    client = login(tw.carol)
    assert client.post(act("settle", topic), {"s-outcome": "物业清理"}).status_code == 302
    topic.refresh_from_db()
    assert topic.status == Status.SETTLED and topic.outcome == "物业清理"


def test_the_proposer_withdraws_from_the_page(tw, topic, login):
    assert act("withdraw", topic) not in login(tw.nina).get(detail(topic)).content.decode()
    assert login(tw.nina).post(act("withdraw", topic)).status_code == 403
    client = login(tw.alice)
    assert act("withdraw", topic) in client.get(detail(topic)).content.decode()
    assert client.post(act("withdraw", topic)).status_code == 302
    topic.refresh_from_db()
    assert topic.status == Status.WITHDRAWN


def test_proposing_offers_only_ones_own_places(tw, login):
    client = login(tw.alice)
    form = client.get(reverse("topics:new")).content.decode()
    for key in (
        f"stairwell:{tw.s11.pk}",
        f"building:{tw.b1.pk}",
        f"compound:{tw.fufeng.pk}",
        f"community:{tw.daxin.pk}",
    ):
        assert f'value="{key}"' in form
    for key in (f"stairwell:{tw.s12.pk}", f"building:{tw.b2.pk}", f"compound:{tw.yijing.pk}"):
        assert f'value="{key}"' not in form
    answer = client.post(
        reverse("topics:new"), {"t-place": f"stairwell:{tw.s12.pk}", "t-title": "x", "t-text": "y"}
    )  # a place not offered
    assert answer.status_code == 422 and not Topic.objects.exists()
    answer = client.post(
        reverse("topics:new"),
        {"t-place": f"building:{tw.b1.pk}", "t-title": "电动车进楼", "t-text": "有人推电动车进电梯"},
    )
    topic = Topic.objects.get()
    assert answer.status_code == 302 and answer["Location"] == detail(topic)
    assert topic.building == tw.b1 and topic.level == "building" and topic.threshold == 3
    assert login(tw.dave).get(reverse("topics:new")).status_code == 404  # no place to propose for


def test_a_hidden_comment_shows_the_reason_and_its_author_is_told(tw, topic, login, committed):
    client = login(tw.nina)
    assert client.post(act("comment", topic), {"c-text": "楼上那家真缺德"}).status_code == 302
    c = Comment.objects.get()
    # alice reports it; it appears in the moderators' queue.
    assert login(tw.alice).post(reverse("topics:report", args=[c.pk]), {"r-reason": "人身攻击"}).status_code == 302
    queue = login(tw.carol).get(reverse("topics:moderation")).content.decode()
    assert "楼上那家真缺德" in queue and "人身攻击" in queue
    assert "楼上那家真缺德" not in login(tw.wendy).get(reverse("topics:moderation")).content.decode()
    # A leader or the reporter cannot hide it.
    assert login(tw.bob).post(reverse("topics:hide", args=[c.pk]), {"r-reason": "x"}).status_code == 404
    with committed():
        answer = login(tw.carol).post(reverse("topics:hide", args=[c.pk]), {"r-reason": "请文明发言", "next": "queue"})
    assert answer.status_code == 302 and answer["Location"] == reverse("topics:moderation")
    page = login(tw.alice).get(detail(topic)).content.decode()
    assert "Hidden by the moderators. Reason: 请文明发言" in page and "楼上那家真缺德" not in page
    assert told(tw.nina, "topic.comment_hidden")[0][2] == "Reason: 请文明发言"
    assert "楼上那家真缺德" not in login(tw.carol).get(reverse("topics:moderation")).content.decode()


def test_hiding_without_a_reason_is_refused(tw, topic, login):
    c = services.comment(topic=topic, user=tw.nina, text="意见")
    answer = login(tw.carol).post(reverse("topics:hide", args=[c.pk]), {"r-reason": " "})
    assert answer.status_code == 422 and "Give the reason for hiding the comment" in answer.content.decode()
    c.refresh_from_db()
    assert not c.hidden


def test_the_moderation_queue_is_for_moderators(tw, login):
    for who in MODERATE + ["wendy"]:
        assert login(getattr(tw, who)).get(reverse("topics:moderation")).status_code == 200
    for who in ("alice", "bob", "dave", "olga"):
        assert login(getattr(tw, who)).get(reverse("topics:moderation")).status_code == 404


def test_the_list_page_queries_do_not_grow_with_the_topics(tw, login):
    def make(n):
        for i in range(n):
            t = services.propose(
                user=tw.alice, place=[tw.s11, tw.b1, tw.fufeng, tw.daxin][i % 4], title=f"议题{i}", text="x"
            )
            services.support(topic=t, user=tw.alice)

    client = login(tw.alice)
    make(2)
    client.get(reverse("topics:list"))  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("topics:list")).status_code == 200
    make(12)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("topics:list"))
    assert page.content.decode().count('class="card topic"') == 14
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
