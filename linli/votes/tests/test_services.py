"""A vote from draft to published result, and every refusal on the way."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.people.models import Occupancy
from linli.votes import chain, services
from linli.votes.models import Ballot, BallotRecord, Correction, Elector, Item, Matter, PaperEntry, RuleSet, Vote
from linli.votes.services import VoteError

T0 = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
OPENS = T0 + dt.timedelta(days=16)
CLOSES = OPENS + dt.timedelta(days=7)
DURING = OPENS + dt.timedelta(days=1)


def photo(name="ballot.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff\xe0 not checked here", content_type="image/jpeg")


@pytest.fixture
def vote(world):
    """富丰新城 (5 homes of 89.50 m², each with one owner) votes on hiring a property company."""
    v = services.create_vote(
        user=world.carol, compound=world.fufeng, title="续聘物业", opens_at=OPENS, closes_at=CLOSES
    )
    services.add_matter(vote=v, title="续聘富丰物业三年", item=Item.PROPERTY)
    return v


def announced(vote, world):
    return services.announce(vote=vote, user=world.carol, now=T0)


def opened(vote, world):
    announced(vote, world)
    return services.open_vote(vote=vote, now=OPENS)


def elector(vote, home):
    return Elector.objects.get(vote=vote, home=home)


def yes(vote):
    return {str(vote.matters.get().pk): "yes"}


def test_announcing_freezes_the_rules_and_the_electorate(world, vote):
    vote = announced(vote, world)
    assert vote.status == Vote.Status.ANNOUNCED
    assert vote.rules["participation_area"] == ">=2/3" and vote.rules["special_items"] == [6, 7, 8]
    assert vote.electorate.count() == 5
    e = elector(vote, world.h101)
    assert e.area == Decimal("89.50") and e.voter == world.p_alice
    assert list(e.owners.values_list("person_id", flat=True)) == [world.p_alice.pk]
    # Later edits to the rule set or the homes do not touch the frozen vote.
    RuleSet.objects.filter(pk=vote.rule_set_id).update(participation_area=">=1/2")
    world.h101.area = Decimal("120.00")
    world.h101.save()
    vote.refresh_from_db()
    assert vote.rules["participation_area"] == ">=2/3"
    assert elector(vote, world.h101).area == Decimal("89.50")


def test_the_notice_must_come_fifteen_days_ahead(world):
    v = services.create_vote(
        user=world.carol,
        compound=world.fufeng,
        title="改建车棚",
        opens_at=T0 + dt.timedelta(days=14, hours=23),
        closes_at=T0 + dt.timedelta(days=20),
    )
    services.add_matter(vote=v, title="改建车棚", item=Item.REBUILD)
    with pytest.raises(VoteError, match="15 days"):
        services.announce(vote=v, user=world.carol, now=T0)
    v.refresh_from_db()
    assert v.status == Vote.Status.DRAFT and not v.electorate.exists()


def test_a_vote_needs_a_matter_and_sane_times(world):
    with pytest.raises(VoteError):
        services.create_vote(user=world.carol, compound=world.fufeng, title="x", opens_at=CLOSES, closes_at=OPENS)
    v = services.create_vote(user=world.carol, compound=world.fufeng, title="x", opens_at=OPENS, closes_at=CLOSES)
    with pytest.raises(VoteError, match="matter"):
        services.announce(vote=v, user=world.carol, now=T0)


def test_an_election_has_an_odd_number_of_seats_and_a_term_within_the_rules(world, vote):
    for seats in (4, 3, 13):
        with pytest.raises(VoteError, match="odd number"):
            services.add_matter(
                vote=vote, title="选举", kind=Matter.Kind.ELECTION, item=Item.COMMITTEE, seats=seats, term_years=5,
                candidates=["甲"],
            )  # fmt: skip
    with pytest.raises(VoteError, match="term"):
        services.add_matter(
            vote=vote, title="选举", kind=Matter.Kind.ELECTION, item=Item.COMMITTEE, seats=5, term_years=6,
            candidates=["甲"],
        )  # fmt: skip
    m = services.add_matter(
        vote=vote, title="选举第二届业委会", kind=Matter.Kind.ELECTION, item=Item.COMMITTEE, seats=5, term_years=5,
        candidates=["甲", "乙", "丙", "丁", "戊", "己"],
    )  # fmt: skip
    assert m.candidates.count() == 6 and m.position == 2


def test_corrections_need_a_reason_are_logged_and_stop_when_voting_opens(world, vote):
    vote = announced(vote, world)
    e = elector(vote, world.h101)
    with pytest.raises(VoteError, match="reason"):
        services.correct(elector=e, user=world.carol, field="area", value="95.20", reason=" ")
    for bad in ("0", "-3", "abc", "89.555"):
        with pytest.raises(VoteError):
            services.correct(elector=e, user=world.carol, field="area", value=bad, reason="不动产登记簿")
    services.correct(elector=e, user=world.carol, field="area", value="95.20", reason="按不动产登记簿更正")
    e.refresh_from_db()
    assert e.area == Decimal("95.20")
    c = Correction.objects.get(elector=e)
    assert (c.field, c.old, c.new, c.by) == ("area", "89.50", "95.20", world.carol)

    services.open_vote(vote=vote, now=OPENS)
    with pytest.raises(VoteError, match="no longer"):
        services.correct(elector=e, user=world.carol, field="area", value="100", reason="迟到的异议")
    assert Correction.objects.filter(elector=e).count() == 1


def test_voting_does_not_open_while_a_home_has_no_area(world, vote):
    world.h102.area = None
    world.h102.save()
    vote = announced(vote, world)
    with pytest.raises(VoteError, match="no floor area"):
        services.open_vote(vote=vote, now=OPENS)
    services.correct(
        elector=elector(vote, world.h102), user=world.carol, field="area", value="76.30", reason="测绘报告"
    )
    assert services.open_vote(vote=vote, now=OPENS).status == Vote.Status.OPEN


def test_an_owner_casts_changes_and_the_last_ballot_counts(world, vote):
    vote = opened(vote, world)
    e = elector(vote, world.h101)
    first = services.cast_online(vote=vote, user=world.alice, elector=e, choices=yes(vote), now=DURING)
    second = services.cast_online(
        vote=vote, user=world.alice, elector=e, choices={str(vote.matters.get().pk): "no"}, now=DURING
    )
    assert first.pk == second.pk and second.changes == 1
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert BallotRecord.objects.filter(elector=e).count() == 2
    assert second.choices == {str(vote.matters.get().pk): "no"}
    assert services.receipt_status(vote, second.receipt)["status"] == "current"
    old_receipt = BallotRecord.objects.filter(elector=e).order_by("pk").first().receipt
    assert services.receipt_status(vote, old_receipt)["status"] == "replaced"


def test_refused_ballots_change_nothing(world, vote):
    vote = opened(vote, world)
    mine = elector(vote, world.h101)
    with pytest.raises(VoteError, match="not an owner"):
        services.cast_online(vote=vote, user=world.carol, elector=mine, choices=yes(vote), now=DURING)
    with pytest.raises(VoteError, match="not an owner"):  # a neighbour voting for alice's home
        services.cast_online(vote=vote, user=world.bob, elector=mine, choices=yes(vote), now=DURING)
    with pytest.raises(VoteError):
        services.cast_online(vote=vote, user=world.alice, elector=mine, choices={}, now=DURING)
    with pytest.raises(VoteError):
        services.cast_online(vote=vote, user=world.alice, elector=mine, choices={"999": "yes"}, now=DURING)
    with pytest.raises(services.Closed, match="not opened"):
        services.cast_online(vote=vote, user=world.alice, elector=mine, choices=yes(vote), now=OPENS - dt.timedelta(1))
    with pytest.raises(services.Closed, match="closed"):
        services.cast_online(vote=vote, user=world.alice, elector=mine, choices=yes(vote), now=CLOSES)
    assert not Ballot.objects.exists() and not BallotRecord.objects.exists()


def test_only_the_designated_co_owner_votes_and_a_second_owner_cannot_overwrite(world, vote):
    Occupancy.objects.create(person=world.p_neighbour, home=world.h101, relation=Occupancy.Relation.OWNER)
    vote = opened(vote, world)
    e = elector(vote, world.h101)
    assert e.voter == world.p_alice and e.owners.count() == 2
    from linli.accounts.models import User

    neighbour = User.objects.create_user("wang", person=world.p_neighbour)
    with pytest.raises(VoteError, match="designated voter"):
        services.cast_online(vote=vote, user=neighbour, elector=e, choices=yes(vote), now=DURING)
    services.cast_online(vote=vote, user=world.alice, elector=e, choices=yes(vote), now=DURING)
    # A paper ballot signed by the other co-owner for the same home is refused: no double count.
    services.enter_paper(
        vote=vote, elector=e, user=world.carol, voter=world.p_neighbour, choices=yes(vote), photo=photo(), now=DURING
    )
    with pytest.raises(VoteError, match="already voted"):
        services.enter_paper(
            vote=vote, elector=e, user=world.jack, voter=world.p_neighbour, choices=yes(vote), photo=photo(),
            now=DURING,
        )  # fmt: skip
    assert Ballot.objects.get(elector=e).voter == world.p_alice


def test_a_paper_ballot_counts_when_two_different_workers_agree(world, vote):
    vote = opened(vote, world)
    e = elector(vote, world.h102)
    entry, ballot = services.enter_paper(
        vote=vote, elector=e, user=world.carol, choices=yes(vote), photo=photo(), now=DURING
    )
    assert ballot is None and not Ballot.objects.exists()
    with pytest.raises(VoteError, match="second worker"):
        services.enter_paper(vote=vote, elector=e, user=world.carol, choices=yes(vote), photo=photo(), now=DURING)
    entry, ballot = services.enter_paper(
        vote=vote, elector=e, user=world.jack, choices=yes(vote), photo=photo(), now=DURING
    )
    assert ballot is not None and ballot.channel == "paper" and ballot.voter == world.p_neighbour
    assert PaperEntry.objects.filter(elector=e, counted=True).count() == 2


def test_paper_entries_that_disagree_are_flagged_and_a_third_settles_them(world, vote):
    vote = opened(vote, world)
    e = elector(vote, world.h102)
    no = {str(vote.matters.get().pk): "no"}
    services.enter_paper(vote=vote, elector=e, user=world.carol, choices=yes(vote), photo=photo(), now=DURING)
    entry, ballot = services.enter_paper(vote=vote, elector=e, user=world.jack, choices=no, photo=photo(), now=DURING)
    assert ballot is None and entry.mismatch
    assert PaperEntry.objects.filter(elector=e, mismatch=True).count() == 2 and not Ballot.objects.exists()
    entry, ballot = services.enter_paper(vote=vote, elector=e, user=world.erin, choices=no, photo=photo(), now=DURING)
    assert ballot.choices == no
    assert not PaperEntry.objects.filter(elector=e, mismatch=True).exists()


def test_a_paper_ballot_needs_a_photo_and_an_owner_signature(world, vote):
    vote = opened(vote, world)
    e = elector(vote, world.h102)
    with pytest.raises(VoteError, match="photo"):
        services.enter_paper(vote=vote, elector=e, user=world.carol, choices=yes(vote), photo=None, now=DURING)
    with pytest.raises(VoteError, match="owner"):
        services.enter_paper(
            vote=vote, elector=e, user=world.carol, voter=world.p_alice, choices=yes(vote), photo=photo(), now=DURING
        )
    assert not PaperEntry.objects.exists()


def test_a_proxy_needs_a_written_authorisation(world, vote):
    vote = opened(vote, world)
    e = elector(vote, world.h102)
    with pytest.raises(VoteError, match="authorisation"):
        services.enter_paper(
            vote=vote, elector=e, user=world.carol, choices=yes(vote), photo=photo(), by_proxy=True, now=DURING
        )
    with pytest.raises(VoteError, match="not an owner"):
        services.cast_online(vote=vote, user=world.bob, elector=e, choices=yes(vote), now=DURING)
    with pytest.raises(VoteError, match="authorisation"):
        services.record_proxy(elector=e, user=world.carol, name="沈霞", person=world.p_bob, document=None)
    services.record_proxy(elector=e, user=world.carol, name="沈霞", person=world.p_bob, document=photo("auth.jpg"))
    ballot = services.cast_online(vote=vote, user=world.bob, elector=e, choices=yes(vote), now=DURING)
    assert ballot.channel == "proxy" and ballot.voter == world.p_neighbour


def test_closing_counts_publishes_and_refuses_late_ballots(world, vote):
    vote = opened(vote, world)
    for user, home in [(world.alice, world.h101), (world.bob, world.h201)]:
        services.cast_online(vote=vote, user=user, elector=elector(vote, home), choices=yes(vote), now=DURING)
    for worker in (world.carol, world.jack):
        services.enter_paper(
            vote=vote, elector=elector(vote, world.h102), user=worker, choices=yes(vote), photo=photo(), now=DURING
        )
    services.cast_online(
        vote=vote,
        user=world.alice,
        elector=elector(vote, world.h101),
        choices={str(vote.matters.get().pk): "no"},
        now=DURING,
    )
    vote = services.close(vote=vote, now=CLOSES)
    result = vote.result
    # 3 of 5 units voted: 60% < 2/3, so nothing passes however they voted.
    assert result["participation"]["units"] == {"part": 3, "whole": 5}
    assert result["participation"]["area"]["percent"] == "60.00"
    assert not result["participation"]["passed"]
    assert result["matters"][0]["units"] == {"yes": 2, "no": 1, "abstain": 0}
    assert not result["matters"][0]["passed"]
    with pytest.raises(services.Closed):
        services.cast_online(
            vote=vote, user=world.alice, elector=elector(vote, world.h101), choices=yes(vote), now=DURING
        )
    assert Ballot.objects.filter(vote=vote).count() == 3
    assert services.publish(vote=vote).status == Vote.Status.PUBLISHED


def test_the_chain_lets_anyone_check_the_ballots_and_recount(world, vote):
    vote = opened(vote, world)
    for user, home in [(world.alice, world.h101), (world.bob, world.h201)]:
        services.cast_online(vote=vote, user=user, elector=elector(vote, home), choices=yes(vote), now=DURING)
    for worker in (world.carol, world.jack):
        for home in (world.h102, world.h_s12):
            services.enter_paper(
                vote=vote, elector=elector(vote, home), user=worker, choices=yes(vote), photo=photo(), now=DURING
            )
    vote = services.close(vote=vote, now=CLOSES)
    assert vote.result["matters"][0]["passed"]  # 4 of 5: 80% took part, all for
    published = services.published_lines(vote)
    assert len(published) == 4
    assert chain.head(vote.code, published) == vote.chain_head
    receipt = Ballot.objects.get(elector__home=world.h101).receipt
    assert any(line.startswith(receipt + "|") for line in published)
    matters, _ = services.matter_specs(vote)
    again = chain.recount(vote.rules, matters, published, vote.result["electorate"])
    assert again["participation"] == vote.result["participation"]
    assert again["matters"][0]["approval"] == vote.result["matters"][0]["approval"]
    # Any change to a published line breaks the chain.
    tampered = [published[0].replace('"yes"', '"no"')] + published[1:]
    assert chain.head(vote.code, tampered) != vote.chain_head


def test_tick_opens_and_closes_on_time(world, vote):
    announced(vote, world)
    assert services.tick(now=OPENS - dt.timedelta(minutes=1)) == {"opened": 0, "closed": 0, "reminded": 0}
    assert services.tick(now=OPENS) == {"opened": 1, "closed": 0, "reminded": 0}
    assert services.tick(now=CLOSES) == {"opened": 0, "closed": 1, "reminded": 0}
    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED and vote.result["participation"]["units"]["part"] == 0


def test_an_elevator_vote_is_for_one_stairwell_and_marks_the_ground_floor_affected(world):
    with pytest.raises(VoteError, match="stairwell"):
        services.create_vote(
            user=world.carol, compound=world.fufeng, title="加装电梯", opens_at=OPENS, closes_at=CLOSES,
            kind=RuleSet.Kind.ELEVATOR,
        )  # fmt: skip
    v = services.create_vote(
        user=world.carol, compound=world.fufeng, building=world.b1, stairwell=world.s11, title="1栋1单元加装电梯",
        opens_at=OPENS, closes_at=CLOSES, kind=RuleSet.Kind.ELEVATOR,
    )  # fmt: skip
    services.add_matter(vote=v, title="同意加装电梯", item=Item.REBUILD)
    v = opened(v, world)
    affected = dict(v.electorate.values_list("home__number", "affected"))
    assert affected == {"101": True, "102": True, "201": False}
    m = str(v.matters.get().pk)
    services.cast_online(vote=v, user=world.alice, elector=elector(v, world.h101), choices={m: "yes"}, now=DURING)
    services.cast_online(vote=v, user=world.bob, elector=elector(v, world.h201), choices={m: "yes"}, now=DURING)
    # 102 (ground floor, affected) has not consented: 2 of 3 is exactly 2/3 turnout, approval
    # 100%, but the consent is missing.
    services.correct(
        elector=elector(v, world.h102), user=world.carol, field="compensation_agreed", value=False, reason="未签"
    )
    v = services.close(vote=v, now=CLOSES)
    assert v.result["participation"]["passed"]
    assert not v.result["matters"][0]["passed"]
    assert v.result["matters"][0]["affected"]["without_consent"] == [world.h102.pk]


def test_a_vote_opens_on_time_with_the_first_ballot_even_before_the_tick(world, vote):
    vote = announced(vote, world)
    e = elector(vote, world.h101)
    with pytest.raises(services.Closed, match="not opened"):
        services.cast_online(vote=vote, user=world.alice, elector=e, choices=yes(vote), now=OPENS - dt.timedelta(1))
    services.cast_online(vote=vote, user=world.alice, elector=e, choices=yes(vote), now=OPENS)
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN and Ballot.objects.filter(vote=vote).count() == 1


def test_documents_are_checked_and_added_only_before_voting(world, vote):
    pdf = SimpleUploadedFile("方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    doc = services.add_document(vote=vote, title="续聘方案", upload=pdf)
    assert doc.file.name.endswith(".pdf") and vote.documents.count() == 1
    with pytest.raises(VoteError, match="PDF"):
        services.add_document(vote=vote, title="x", upload=SimpleUploadedFile("run.exe", b"MZ"))
    with pytest.raises(VoteError, match="title"):
        services.add_document(vote=vote, title=" ", upload=pdf)
    opened(vote, world)
    vote.refresh_from_db()
    with pytest.raises(VoteError, match="before voting opens"):
        services.add_document(vote=vote, title="迟到", upload=pdf)
    assert vote.documents.count() == 1


@pytest.mark.parametrize("bad", ["2/3", ">=3/2", ">=0/3", "=>2/3", ">= 2/3", "two thirds", ""])
def test_a_rule_set_refuses_a_threshold_it_cannot_read(db, bad):
    from django.core.exceptions import ValidationError

    rules = RuleSet(name="某社区规则", participation_area=bad)
    with pytest.raises(ValidationError) as caught:
        rules.full_clean()
    assert "participation_area" in caught.value.message_dict


def test_a_rule_set_lists_art_278_items_by_number(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        RuleSet(name="x", special_items=[10]).full_clean()
    RuleSet(name="x", special_items=[6, 7, 8]).full_clean()


def test_a_community_rule_set_is_taken_before_the_default(world):
    own = RuleSet.objects.create(name="大新社区议事规则", community=world.daxin, participation_area=">=3/4")
    v = services.create_vote(user=world.carol, compound=world.fufeng, title="x", opens_at=OPENS, closes_at=CLOSES)
    assert v.rule_set == own
    other = services.create_vote(user=world.carol, compound=world.yijing, title="y", opens_at=OPENS, closes_at=CLOSES)
    assert other.rule_set.community is None and other.rule_set.participation_area == ">=2/3"


def test_owners_are_told_of_the_notice_the_opening_the_last_day_and_the_result(
    world, vote, django_capture_on_commit_callbacks
):
    from linli.notices.models import Notification

    def told(user):
        return list(Notification.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        vote = announced(vote, world)
    assert told(world.alice) == ["vote.announced"] and told(world.bob) == ["vote.announced"]
    assert told(world.olga) == [] and told(world.carol) == []  # not owners in this vote
    with django_capture_on_commit_callbacks(execute=True):
        services.tick(now=OPENS)
    with django_capture_on_commit_callbacks(execute=True):
        services.cast_online(
            vote=vote, user=world.alice, elector=elector(vote, world.h101), choices=yes(vote), now=DURING
        )
    last_day = CLOSES - dt.timedelta(hours=20)
    for _ in range(2):  # the tick runs every minute; the reminder goes once
        with django_capture_on_commit_callbacks(execute=True):
            services.tick(now=last_day)
    assert told(world.alice) == ["vote.announced", "vote.opened"]  # she has voted: no reminder
    assert told(world.bob) == ["vote.announced", "vote.opened", "vote.closing"]
    with django_capture_on_commit_callbacks(execute=True):
        services.close(vote=vote, now=CLOSES)
        services.publish(vote=vote, now=CLOSES)
    assert told(world.alice)[-1] == "vote.published"
