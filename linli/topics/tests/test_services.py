"""The rules of topics, without HTTP: who may propose and support, the threshold, the states,
comments and their moderation. Each refusal has a message and changes nothing."""

import pytest
from django.db import IntegrityError, transaction

from linli.topics import services
from linli.topics.models import Comment, Level, Report, Status, Support, Topic
from linli.topics.services import TopicError

from .conftest import told


def test_a_resident_proposes_for_his_stairwell_and_the_threshold_is_frozen(tw, settings):
    topic = services.propose(user=tw.alice, place=tw.s11, title=" 楼道灯不亮 ", text="三楼的灯坏了")
    assert topic.level == Level.STAIRWELL and topic.title == "楼道灯不亮" and topic.status == Status.OPEN
    # The ancestors come from the stairwell, so they cannot disagree with it.
    assert (topic.building, topic.compound, topic.community) == (tw.b1, tw.fufeng, tw.daxin)
    assert topic.proposer == tw.alice and topic.proposer_person == tw.p_alice
    assert topic.threshold == 2 and topic.code.startswith("YT") and len(topic.code) == 12
    settings.TOPICS_THRESHOLDS = {**settings.TOPICS_THRESHOLDS, "stairwell": 9}
    topic.refresh_from_db()
    assert topic.threshold == 2  # frozen when proposed
    assert services.propose(user=tw.alice, place=tw.daxin, title="社区停车", text="x").threshold == 8


@pytest.mark.parametrize(
    "who, place, allowed",
    [
        ("alice", "s11", True),
        ("alice", "b1", True),
        ("alice", "fufeng", True),
        ("alice", "daxin", True),
        ("alice", "s12", False),  # the next stairwell of her building
        ("alice", "b2", False),
        ("alice", "yijing", False),
        ("bob", "s12", True),  # he leads the whole of 1栋
        ("bob", "b2", False),
        ("carol", "daxin", True),
        ("carol", "s21", True),
        ("carol", "cuiyi", False),
        ("wendy", "fufeng", False),
        ("dave", "fufeng", False),  # a property clerk is not a resident there
        ("erin", "yijing", True),
        ("root", "ys", True),
    ],
)
def test_who_may_propose_where(tw, who, place, allowed):
    user, place = getattr(tw, who), getattr(tw, place)
    if allowed:
        assert services.propose(user=user, place=place, title="议题", text="内容").place == place
    else:
        with pytest.raises(TopicError) as refused:
            services.propose(user=user, place=place, title="议题", text="内容")
        assert refused.value.status_code == 403 and "only for the places" in refused.value.message
        assert not Topic.objects.exists()


def test_a_topic_needs_a_title_and_a_text(tw):
    for title, text in [("", "x"), ("  ", "x"), ("x", ""), ("x" * 81, "x")]:
        with pytest.raises(TopicError) as refused:
            services.propose(user=tw.alice, place=tw.s11, title=title, text=text)
        assert refused.value.status_code == 422
    assert not Topic.objects.exists()


def test_the_database_holds_the_shape_of_the_scope(topic):
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(compound=None)  # a stairwell topic without its compound
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(level=Level.COMMUNITY)
    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.filter(pk=topic.pk).update(status=Status.CLOSED)  # closed without a reason


def test_support_from_outside_the_topics_scope_is_refused_and_changes_nothing(tw, topic):
    for user in (tw.sam, tw.olga, tw.carol, tw.root):  # another stairwell, community; staff living elsewhere
        with pytest.raises(TopicError) as refused:
            services.support(topic=topic, user=user)
        assert refused.value.status_code == 403
        assert refused.value.message == "Only residents of 富丰新城 1栋 1单元 can support this topic."
    assert not Support.objects.exists()
    topic.refresh_from_db()
    assert topic.status == Status.OPEN and topic.version == 1


def test_a_resident_who_moved_out_cannot_support(tw, topic):
    import datetime as dt

    tw.p_neighbour.occupancies.update(end=dt.date(2020, 1, 1))
    with pytest.raises(TopicError):
        services.support(topic=topic, user=tw.nina)
    assert not Support.objects.exists()


def test_one_support_per_person(tw, topic):
    services.support(topic=topic, user=tw.alice)
    with pytest.raises(TopicError) as refused:
        services.support(topic=topic, user=tw.alice)
    assert refused.value.status_code == 409 and refused.value.message == "You already support this topic."
    assert Support.objects.filter(topic=topic).count() == 1
    # The database holds it too, whatever the code above it does.
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(topic=topic, person=tw.p_alice)


def test_reaching_the_threshold_makes_it_ready_and_tells_the_organisers(tw, topic, committed):
    with committed():
        topic = services.support(topic=topic, user=tw.alice)
    assert topic.status == Status.OPEN and topic.support_count == 1
    assert told(tw.carol) == []
    with committed():
        topic = services.support(topic=topic, user=tw.nina)
    assert topic.status == Status.READY and topic.ready_at is not None and topic.version == 2
    # The community's staff, the building's leader and the proposer; nobody else.
    for user in (tw.carol, tw.jack, tw.bob, tw.alice):
        assert [t[0] for t in told(user)] == ["topic.ready"], user
        assert told(user)[0][1] == "Ready for an agenda: 楼道堆放杂物 (富丰新城 1栋 1单元)"
    for user in (tw.wendy, tw.erin, tw.dave, tw.sam, tw.nina, tw.olga):
        assert told(user) == [], user
    with committed():  # a third support: still ready, nobody told twice
        topic = services.support(topic=topic, user=tw.bob)
    assert topic.status == Status.READY and topic.support_count == 3
    assert len(told(tw.carol)) == 1


def test_the_proposer_withdraws_before_the_agenda(tw, topic):
    with pytest.raises(TopicError) as refused:
        services.withdraw(topic=topic, user=tw.bob)
    assert refused.value.status_code == 403
    with pytest.raises(TopicError) as stale:
        services.withdraw(topic=topic, user=tw.alice, version=7)
    assert stale.value.status_code == 409
    topic = services.withdraw(topic=topic, user=tw.alice, version=1)
    assert topic.status == Status.WITHDRAWN
    with pytest.raises(TopicError) as ended:
        services.support(topic=topic, user=tw.nina)
    assert ended.value.status_code == 409 and "no longer collects support" in ended.value.message


def test_an_organiser_picks_a_topic_for_an_agenda_before_the_threshold(tw, topic, committed):
    services.support(topic=topic, user=tw.nina)
    with pytest.raises(TopicError) as refused:
        services.mark_on_agenda(topic, "1栋楼道会议", tw.alice)  # the proposer is not an organiser
    assert refused.value.status_code == 403
    with pytest.raises(TopicError):
        services.mark_on_agenda(topic, "1栋楼道会议", tw.wendy)
    topic.refresh_from_db()
    assert topic.status == Status.OPEN
    with committed():
        topic = services.mark_on_agenda(topic, "1栋楼道会议 12月5日", tw.bob)  # the building's leader
    assert topic.status == Status.ON_AGENDA and topic.picked and topic.meeting_title == "1栋楼道会议 12月5日"
    assert [t[0] for t in told(tw.alice)] == ["topic.on_agenda"] and [t[0] for t in told(tw.nina)] == [
        "topic.on_agenda"
    ]
    assert told(tw.bob) == []  # who acted is not told
    with pytest.raises(TopicError) as withdraw:
        services.withdraw(topic=topic, user=tw.alice)
    assert withdraw.value.status_code == 409
    with committed():
        topic = services.settle(topic=topic, user=tw.carol, outcome="物业三天内清理，楼长每周巡查")
    assert topic.status == Status.SETTLED and topic.outcome.startswith("物业")
    assert [t[0] for t in told(tw.alice)] == ["topic.on_agenda", "topic.settled"]
    with pytest.raises(TopicError):
        services.mark_on_agenda(topic, "再议", tw.carol)


def test_a_ready_topic_on_an_agenda_was_not_picked(tw, topic):
    services.support(topic=topic, user=tw.alice)
    services.support(topic=topic, user=tw.nina)
    topic = services.mark_on_agenda(topic, "楼道会议", None)  # the meetings app, acting for the organiser
    assert topic.status == Status.ON_AGENDA and not topic.picked


def test_closing_needs_a_reason_and_an_organiser_and_tells_the_proposer(tw, topic, committed):
    with pytest.raises(TopicError) as no_reason:
        services.close(topic=topic, user=tw.carol, reason="  ")
    assert no_reason.value.status_code == 422
    with pytest.raises(TopicError) as not_organiser:
        services.close(topic=topic, user=tw.nina, reason="重复")
    assert not_organiser.value.status_code == 403
    with pytest.raises(TopicError):
        services.close(topic=topic, user=tw.wendy, reason="重复")
    topic.refresh_from_db()
    assert topic.status == Status.OPEN
    with committed():
        topic = services.close(topic=topic, user=tw.carol, reason="已由物业处理完毕")
    assert topic.status == Status.CLOSED and topic.closed_reason == "已由物业处理完毕" and topic.decided_by == tw.carol
    assert told(tw.alice, "topic.closed")[0][2] == "Reason: 已由物业处理完毕"
    with pytest.raises(TopicError) as again:
        services.close(topic=topic, user=tw.carol, reason="x")
    assert again.value.status_code == 409
    with pytest.raises(TopicError):
        services.comment(topic=topic, user=tw.alice, text="还有问题")


def test_settling_only_from_an_agenda(tw, topic):
    with pytest.raises(TopicError) as refused:
        services.settle(topic=topic, user=tw.carol)
    assert refused.value.status_code == 409


def test_comments_by_those_who_see_the_topic(tw, topic):
    c = services.comment(topic=topic, user=tw.nina, text="我家门口也堆了")
    assert c.author == tw.nina and not c.hidden
    assert services.comment(topic=topic, user=tw.carol, text="已通知物业").author == tw.carol
    with pytest.raises(TopicError) as outside:
        services.comment(topic=topic, user=tw.sam, text="x")
    assert outside.value.status_code == 404
    with pytest.raises(TopicError):
        services.comment(topic=topic, user=tw.nina, text=" ")
    assert Comment.objects.count() == 2


def test_reports_once_per_person_and_never_ones_own(tw, topic):
    c = services.comment(topic=topic, user=tw.nina, text="某某是骗子")
    services.report(comment=c, user=tw.alice, reason="人身攻击")
    with pytest.raises(TopicError) as twice:
        services.report(comment=c, user=tw.alice, reason="人身攻击")
    assert twice.value.status_code == 409
    with pytest.raises(TopicError) as own:
        services.report(comment=c, user=tw.nina, reason="x")
    assert own.value.status_code == 422
    with pytest.raises(TopicError):
        services.report(comment=c, user=tw.bob, reason="")
    assert Report.objects.count() == 1


def test_hiding_needs_a_reason_and_a_moderator_and_tells_the_author(tw, topic, committed):
    c = services.comment(topic=topic, user=tw.nina, text="某某是骗子")
    services.report(comment=c, user=tw.alice, reason="人身攻击")
    for user in (tw.bob, tw.alice, tw.wendy):  # a leader does not moderate; nor another community's worker
        with pytest.raises(TopicError) as refused:
            services.hide(comment=c, user=user, reason="人身攻击")
        assert refused.value.status_code == 403
    with pytest.raises(TopicError) as no_reason:
        services.hide(comment=c, user=tw.carol, reason="")
    assert no_reason.value.status_code == 422
    c.refresh_from_db()
    assert not c.hidden
    with committed():
        c = services.hide(comment=c, user=tw.carol, reason="含人身攻击内容")
    assert c.hidden and c.hidden_reason == "含人身攻击内容" and c.hidden_by == tw.carol
    assert not Report.objects.filter(resolved=False).exists()  # the report left the queue
    assert told(tw.nina) == [
        ("topic.comment_hidden", "Your comment was hidden: 楼道堆放杂物", "Reason: 含人身攻击内容")
    ]
    with pytest.raises(TopicError) as again:
        services.hide(comment=c, user=tw.jack, reason="x")
    assert again.value.status_code == 409
    c = services.unhide(comment=c, user=tw.erin)
    assert not c.hidden and c.hidden_reason == ""


def test_keeping_a_comment_clears_its_reports(tw, topic):
    c = services.comment(topic=topic, user=tw.nina, text="意见")
    services.report(comment=c, user=tw.alice, reason="广告")
    services.report(comment=c, user=tw.bob, reason="广告")
    with pytest.raises(TopicError):
        services.keep(comment=c, user=tw.bob)
    assert services.keep(comment=c, user=tw.carol) == 2
    assert not Report.objects.filter(resolved=False).exists()


def test_the_topics_an_organiser_may_put_on_an_agenda(tw, topic):
    from linli.topics.access import organised_topics

    compound = services.propose(user=tw.alice, place=tw.fufeng, title="停车", text="x")
    other = services.propose(user=tw.olga, place=tw.ys, title="颐景园", text="x")
    assert set(organised_topics(tw.carol)) == {topic, compound}
    assert set(organised_topics(tw.bob)) == {topic}  # his building's stairwell, not the compound
    assert set(organised_topics(tw.wendy)) == {other}
    assert set(organised_topics(tw.root)) == {topic, compound, other}
    assert not organised_topics(tw.alice).exists() and not organised_topics(tw.dave).exists()
