"""The vote pages: who sees which (owner, staff, outsider, anonymous), casting on the form,
refusals that change nothing, paper ballots entered by two workers, the public result with
the receipt check, and lists whose queries do not grow with the number of homes."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from linli.people.models import Occupancy
from linli.places.models import Home
from linli.votes import chain, services
from linli.votes.models import Ballot, BallotRecord, Correction, Elector, Item, Matter, PaperEntry, Proxy, Vote

HX = {"HTTP_HX_REQUEST": "true"}


def jpeg(name="ballot.jpg"):
    out = BytesIO()
    Image.new("RGB", (64, 48), (200, 200, 190)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def en(client):
    """en(user) -> the test client logged in as `user` (or anonymous), pages in English."""

    def _client(user=None):
        if user is not None:
            client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return _client


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def make_vote(world, *, title="续聘物业", election=False):
    """A vote of 富丰新城 (5 homes of 89.50 m²) whose voting window holds the present moment."""
    now = timezone.now()
    v = services.create_vote(
        user=world.carol,
        compound=world.fufeng,
        title=title,
        opens_at=now - dt.timedelta(hours=1),
        closes_at=now + dt.timedelta(days=7),
    )
    services.add_matter(vote=v, title="续聘富丰物业三年", item=Item.PROPERTY)
    if election:
        services.add_matter(
            vote=v, title="选举第二届业委会", kind=Matter.Kind.ELECTION, item=Item.COMMITTEE, seats=5, term_years=5,
            candidates=["甲", "乙", "丙", "丁", "戊", "己"],
        )  # fmt: skip
    return v


def announce(v, world):
    # The notice went out three weeks ago (announce takes the moment it is done).
    return services.announce(vote=v, user=world.carol, now=v.opens_at - dt.timedelta(days=21))


def open_(v, world):
    announce(v, world)
    return services.open_vote(vote=v)


@pytest.fixture
def vote(world):
    return open_(make_vote(world), world)


def elector(v, home):
    return Elector.objects.get(vote=v, home=home)


def proposal(v):
    return v.matters.get(kind=Matter.Kind.PROPOSAL)


def url(name, v, *args):
    return reverse(name, args=[v.code, *args])


# --- who sees what ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in_for_the_owners_pages(world, vote, client):
    for path in (
        reverse("votes:index"),
        url("votes:vote", vote),
        url("votes:receipt", vote),
        url("votes:manage", vote),
    ):
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"]
    # The notice is public.
    assert client.get(url("vote_public:notice", vote)).status_code == 200


def test_an_owner_sees_his_compounds_votes_but_not_drafts(world, vote, en):
    draft = make_vote(world, title="草稿中的表决")
    page = en(world.alice).get(reverse("votes:index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "续聘物业" in text and "Voting now" in text and "草稿中的表决" not in text
    assert en(world.alice).get(url("votes:vote", draft)).status_code == 404


def test_a_resident_of_another_compound_gets_404(world, vote, en):
    client = en(world.olga)
    assert "续聘物业" not in client.get(reverse("votes:index")).content.decode()
    for name in ("votes:vote", "votes:receipt", "votes:electorate", "votes:manage", "votes:turnout", "votes:paper"):
        assert client.get(url(name, vote)).status_code == 404, name
    assert client.post(url("votes:cast", vote), {"homes": [1]}).status_code == 404


def test_those_who_do_not_run_the_vote_get_404_on_its_staff_pages(world, vote, en):
    e = elector(vote, world.h102)
    for user in (world.alice, world.bob, world.dave):
        client = en(user)
        assert client.get(reverse("votes:new")).status_code == 404
        for path in (
            url("votes:manage", vote),
            url("votes:turnout", vote),
            url("votes:paper", vote),
            url("votes:elector", vote, e.pk),
        ):
            assert client.get(path).status_code == 404, (user, path)
        assert client.post(url("votes:act", vote, "close")).status_code == 404
        assert client.post(url("votes:correct", vote, e.pk), {f"c{e.pk}-field": "area"}).status_code == 404
    # The electorate is shown to the owners in it (masked), for objections, not to others.
    assert en(world.alice).get(url("votes:electorate", vote)).status_code == 200
    assert en(world.dave).get(url("votes:electorate", vote)).status_code == 404
    vote.refresh_from_db()
    assert vote.status == Vote.Status.OPEN


def test_those_who_run_the_vote_see_its_staff_pages(world, vote, en):
    for user in (world.carol, world.jack, world.ivy, world.erin):
        client = en(user)
        assert client.get(url("votes:manage", vote)).status_code == 200, user
        assert client.get(url("votes:turnout", vote)).status_code == 200, user


# --- casting --------------------------------------------------------------------------------


def test_an_owner_casts_on_one_screen_and_sees_his_receipt(world, vote, en):
    client = en(world.alice)
    page = client.get(url("votes:vote", vote)).content.decode()
    assert "Cast my vote" in page and 'value="yes"' in page and "You vote for 1栋 1单元 101" in page
    e = elector(vote, world.h101)
    response = client.post(url("votes:cast", vote), {"homes": [e.pk], f"m{proposal(vote).pk}": "yes"})
    assert response.status_code == 302 and response["Location"] == url("votes:receipt", vote)
    ballot = Ballot.objects.get(elector=e)
    assert ballot.choices == {str(proposal(vote).pk): "yes"} and ballot.channel == "online"
    receipt = client.get(url("votes:receipt", vote)).content.decode()
    assert ballot.receipt in receipt and "For" in receipt
    assert "You may change it until " + timezone.localtime(vote.closes_at).strftime("%Y-%m-%d %H:%M") in receipt


def test_the_first_ballot_after_the_opening_time_opens_the_vote(world, en):
    v = announce(make_vote(world), world)  # its opening time has come, no tick has run yet
    client = en(world.alice)
    assert "Voting now" in client.get(reverse("votes:index")).content.decode()
    assert "Cast my vote" in client.get(url("votes:vote", v)).content.decode()
    response = client.post(url("votes:cast", v), {"homes": [elector(v, world.h101).pk], f"m{proposal(v).pk}": "yes"})
    assert response.status_code == 302
    v.refresh_from_db()
    assert v.status == Vote.Status.OPEN and Ballot.objects.filter(vote=v).count() == 1


def test_before_the_opening_time_there_is_no_ballot(world, en):
    v = make_vote(world)
    Vote.objects.filter(pk=v.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=16), closes_at=timezone.now() + dt.timedelta(days=20)
    )
    v = services.announce(vote=Vote.objects.get(pk=v.pk), user=world.carol)
    page = en(world.alice).get(url("votes:vote", v)).content.decode()
    assert "Cast my vote" not in page and "Voting opens at" in page
    refused = en(world.alice).post(
        url("votes:cast", v), {"homes": [elector(v, world.h101).pk], f"m{proposal(v).pk}": "yes"}
    )
    assert refused.status_code == 409 and "Voting has not opened yet." in refused.content.decode()
    assert not Ballot.objects.exists()


def test_casting_again_changes_the_ballot_and_keeps_the_history(world, vote, en):
    client = en(world.alice)
    e, m = elector(vote, world.h101), proposal(vote)
    client.post(url("votes:cast", vote), {"homes": [e.pk], f"m{m.pk}": "yes"})
    first = Ballot.objects.get(elector=e).receipt
    page = client.get(url("votes:vote", vote)).content.decode()
    assert "Change my vote" in page and "You have voted for 1 home" in page
    client.post(url("votes:cast", vote), {"homes": [e.pk], f"m{m.pk}": "no"})
    ballot = Ballot.objects.get(elector=e)
    assert ballot.choices[str(m.pk)] == "no" and ballot.changes == 1 and ballot.receipt != first
    assert BallotRecord.objects.filter(elector=e).count() == 2
    assert services.receipt_status(vote, first)["status"] == "replaced"


def test_an_owner_of_two_homes_casts_for_both_at_once(world, en):
    second = Home.objects.create(stairwell=world.s12, number="102", floor=1, area=Decimal("60.25"))
    Occupancy.objects.create(person=world.p_alice, home=second, relation=Occupancy.Relation.OWNER)
    v = open_(make_vote(world), world)
    e1, e2 = elector(v, world.h101), elector(v, second)
    client = en(world.alice)
    page = client.get(url("votes:vote", v)).content.decode()
    assert "1栋 1单元 101" in page and "1栋 2单元 102" in page
    response = client.post(url("votes:cast", v), {"homes": [e1.pk, e2.pk], f"m{proposal(v).pk}": "abstain"})
    assert response.status_code == 302
    assert Ballot.objects.filter(vote=v).count() == 2
    receipt = client.get(url("votes:receipt", v)).content.decode()
    for b in Ballot.objects.filter(vote=v):
        assert b.receipt in receipt


def test_bad_ballots_show_the_message_and_change_nothing(world, en):
    v = open_(make_vote(world, election=True), world)
    client = en(world.alice)
    e = elector(v, world.h101)
    m = proposal(v)
    election = v.matters.get(kind=Matter.Kind.ELECTION)
    six = list(election.candidates.values_list("pk", flat=True))

    unanswered = client.post(url("votes:cast", v), {"homes": [e.pk], f"m{election.pk}": six[:2]})
    assert unanswered.status_code == 400
    assert "Answer every matter: for, against or abstain (续聘富丰物业三年)." in unanswered.content.decode()
    # What was ticked stays ticked.
    assert f'value="{six[0]}"' in unanswered.content.decode() and "checked" in unanswered.content.decode()

    too_many = client.post(url("votes:cast", v), {"homes": [e.pk], f"m{m.pk}": "yes", f"m{election.pk}": six})
    assert too_many.status_code == 400 and "Choose at most 5 candidates." in too_many.content.decode()

    other = elector(v, world.h102)  # 王邻's home: not alice's to vote for
    not_hers = client.post(url("votes:cast", v), {"homes": [other.pk], f"m{m.pk}": "yes", f"m{election.pk}": []})
    assert not_hers.status_code == 400

    no_home = client.post(url("votes:cast", v), {f"m{m.pk}": "yes"})
    assert no_home.status_code == 400 and "Tick at least one home to vote for." in no_home.content.decode()
    assert not Ballot.objects.filter(vote=v).exists() and not BallotRecord.objects.filter(vote=v).exists()

    good = client.post(url("votes:cast", v), {"homes": [e.pk], f"m{m.pk}": "yes", f"m{election.pk}": six[2:5]})
    assert good.status_code == 302
    assert Ballot.objects.get(vote=v).choices == {str(m.pk): "yes", str(election.pk): sorted(six[2:5])}
    receipt = client.get(url("votes:receipt", v)).content.decode()
    assert "丙、丁、戊" in receipt

    services.close(vote=v)
    late = client.post(url("votes:cast", v), {"homes": [e.pk], f"m{m.pk}": "no", f"m{election.pk}": []})
    assert late.status_code == 409 and "Voting is closed." in late.content.decode()
    assert Ballot.objects.get(vote=v).choices[str(m.pk)] == "yes" and BallotRecord.objects.filter(vote=v).count() == 1


def test_someone_who_votes_for_no_home_is_told_so(world, vote, en):
    page = en(world.carol).get(url("votes:vote", vote)).content.decode()
    assert "You are not the designated voter of a home in this vote." in page
    response = en(world.carol).post(url("votes:cast", vote), {"homes": [elector(vote, world.h101).pk]})
    assert response.status_code == 403 and not Ballot.objects.exists()


# --- running a vote -------------------------------------------------------------------------


def test_staff_draft_a_vote_add_matters_and_announce_it(world, en):
    client = en(world.carol)
    now = timezone.localtime()
    form = client.get(reverse("votes:new") + f"?compound={world.fufeng.pk}").content.decode()
    assert "颐景园" not in form and "2栋" in form  # only the compounds carol runs; buildings of the chosen one
    places = client.get(reverse("votes:new_places") + f"?compound={world.fufeng.pk}", **HX).content.decode()
    assert "1单元" in places and "<html" not in places
    assert client.get(reverse("votes:new_places") + f"?compound={world.yijing.pk}", **HX).status_code == 404

    soon = {
        "title": "加装充电桩",
        "kind": "assembly",
        "compound": world.fufeng.pk,
        "opens_at": (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M"),
    }
    backwards = client.post(reverse("votes:new"), {**soon, "closes_at": soon["opens_at"]})
    assert backwards.status_code == 400 and "Voting must close after it opens." in backwards.content.decode()
    assert not Vote.objects.exists()
    elsewhere = client.post(reverse("votes:new"), {**soon, "compound": world.yijing.pk})
    assert elsewhere.status_code == 400 and not Vote.objects.exists()

    # Without JavaScript, "Show its buildings" redraws the form with what was typed.
    shown = client.post(reverse("votes:new"), {**soon, "show": "1"})
    assert shown.status_code == 200 and 'value="加装充电桩"' in shown.content.decode() and not Vote.objects.exists()

    response = client.post(reverse("votes:new"), soon)
    v = Vote.objects.get()
    assert response.status_code == 302 and response["Location"] == url("votes:manage", v)

    added = client.post(
        url("votes:add_matter", v),
        {"matter-kind": "proposal", "matter-item": Item.COMMON_USE, "matter-title": "在地面停车场加装充电桩"},
    )
    assert added.status_code == 302
    bad_election = client.post(
        url("votes:add_matter", v),
        {
            "matter-kind": "election", "matter-item": Item.COMMITTEE, "matter-title": "选举业委会",
            "matter-seats": 4, "matter-term_years": 5, "matter-candidates": "甲\n乙",
        },
    )  # fmt: skip
    assert bad_election.status_code == 400
    assert "An owners&#x27; committee has an odd number of seats from 5 to 11." in bad_election.content.decode()
    client.post(
        url("votes:add_matter", v),
        {
            "matter-kind": "election", "matter-item": Item.COMMITTEE, "matter-title": "选举业委会",
            "matter-seats": 5, "matter-term_years": 5, "matter-candidates": "甲\n乙\n\n丙\n丁\n戊\n己\n",
        },
    )  # fmt: skip
    assert v.matters.count() == 2 and v.matters.get(kind="election").candidates.count() == 6

    doc = client.post(url("votes:add_document", v), {"doc-title": "充电桩方案", "doc-file": jpeg("plan.jpg")})
    assert doc.status_code == 302 and v.documents.count() == 1
    assert client.get(url("vote_public:document", v, v.documents.get().pk)).status_code == 404  # a draft is not public

    # Three days' notice is too short: the page says the rule, nothing changes.
    manage = client.get(url("votes:manage", v)).content.decode()
    assert "at least 15 days before voting opens" in manage
    refused = client.post(url("votes:act", v, "announce"))
    assert refused.status_code == 400
    assert "The notice must be published at least 15 days before voting opens." in refused.content.decode()
    v.refresh_from_db()
    assert v.status == Vote.Status.DRAFT and not v.electorate.exists()

    Vote.objects.filter(pk=v.pk).update(
        opens_at=timezone.now() + dt.timedelta(days=16), closes_at=timezone.now() + dt.timedelta(days=20)
    )
    assert client.post(url("votes:act", v, "announce")).status_code == 302
    v.refresh_from_db()
    assert v.status == Vote.Status.ANNOUNCED and v.electorate.count() == 5
    assert client.get(url("vote_public:document", v, v.documents.get().pk)).status_code == 200
    # A PDF is kept under a name of our own, which decides the type it is served as.
    client.post(
        url("votes:add_document", v),
        {"doc-title": "业主大会议事规则", "doc-file": SimpleUploadedFile("规则.pdf", b"%PDF-1.4 fake", "text/html")},
    )
    pdf = v.documents.get(title="业主大会议事规则")
    served = client.get(url("vote_public:document", v, pdf.pk))
    assert served["Content-Type"] == "application/pdf" and pdf.file.name.endswith(".pdf")
    for name, content, message in (
        ("page.html", b"%PDF-1.4", "A document must be a PDF, a picture (JPEG, PNG), a Word or an Excel file."),
        ("fake.pdf", b"<html>", "This file is not a PDF."),
    ):
        refused = client.post(
            url("votes:add_document", v), {"doc-title": "x", "doc-file": SimpleUploadedFile(name, content)}
        )
        assert refused.status_code == 400 and message in refused.content.decode()
    assert v.documents.count() == 2


def test_open_close_publish_and_cancel_by_the_buttons(world, en):
    client = en(world.carol)
    v = announce(make_vote(world), world)
    page = client.get(url("votes:manage", v)).content.decode()
    assert "Open voting" in page and "Yes: Open voting" in page
    assert client.post(url("votes:act", v, "open")).status_code == 302
    services.cast_online(vote=v, user=world.alice, elector=elector(v, world.h101), choices={str(proposal(v).pk): "yes"})
    assert client.post(url("votes:act", v, "publish")).status_code == 400  # not closed yet
    assert client.post(url("votes:act", v, "close")).status_code == 302
    assert client.post(url("votes:act", v, "publish")).status_code == 302
    v.refresh_from_db()
    assert v.status == Vote.Status.PUBLISHED and v.result["participation"]["units"]["part"] == 1
    assert client.get(url("votes:act", v, "close")).status_code == 405  # never by a GET

    other = make_vote(world, title="另一表决")
    no_reason = client.post(url("votes:act", other, "cancel"), {"cancel-reason": " "})
    assert no_reason.status_code == 400 and "Give the reason for cancelling." in no_reason.content.decode()
    assert client.post(url("votes:act", other, "cancel"), {"cancel-reason": "议题合并"}).status_code == 302
    other.refresh_from_db()
    assert other.status == Vote.Status.CANCELLED


def test_the_electorate_list_masks_names_searches_and_takes_corrections(world, en):
    v = announce(make_vote(world), world)
    client = en(world.carol)
    page = client.get(url("votes:electorate", v)).content.decode()
    assert "李**" in page and "李爱丽" not in page and "13800000001" not in page and "89.50" in page
    found = client.get(url("votes:electorate", v) + "?q=201").content.decode()
    assert "沈*" in found and "李**" not in found

    e = elector(v, world.h101)
    refused = client.post(
        url("votes:correct", v, e.pk), {f"c{e.pk}-field": "area", f"c{e.pk}-value": "0", f"c{e.pk}-reason": "测绘"}
    )
    assert refused.status_code == 400 and "An area must be more than zero" in refused.content.decode()
    no_reason = client.post(url("votes:correct", v, e.pk), {f"c{e.pk}-field": "area", f"c{e.pk}-value": "95.20"})
    assert no_reason.status_code == 400 and "Give the reason for the correction." in no_reason.content.decode()
    assert not Correction.objects.exists()

    done = client.post(
        url("votes:correct", v, e.pk),
        {f"c{e.pk}-field": "area", f"c{e.pk}-value": "95.20", f"c{e.pk}-reason": "按不动产登记簿", "q": "101"},
    )
    assert done.status_code == 302 and done["Location"].endswith("?q=101")
    e.refresh_from_db()
    assert e.area == Decimal("95.20")
    client.post(
        url("votes:correct", v, e.pk),
        {f"c{e.pk}-field": "affected", f"c{e.pk}-value": "yes", f"c{e.pk}-reason": "一楼采光受影响"},
    )
    e.refresh_from_db()
    assert e.affected
    from_page = client.post(
        url("votes:correct", v, e.pk),
        {
            f"c{e.pk}-field": "compensation_agreed",
            f"c{e.pk}-value": "是",
            f"c{e.pk}-reason": "补偿协议已签",
            "next": "elector",
        },
    )
    assert from_page["Location"] == url("votes:elector", v, e.pk)
    refused_there = client.post(
        url("votes:correct", v, e.pk),
        {f"c{e.pk}-field": "voter", f"c{e.pk}-reason": "共有人协商", "next": "elector"},
    )
    assert refused_there.status_code == 400
    assert "The designated voter must be one of the home&#x27;s owners." in refused_there.content.decode()
    assert "Correct the electorate" in refused_there.content.decode()  # the home's own page
    e.refresh_from_db()
    assert e.compensation_agreed
    log = client.get(url("votes:electorate", v)).content.decode()
    assert "按不动产登记簿" in log and "95.20" in log and "一楼采光受影响" in log
    # An owner in the vote sees the list (for objections) without the forms or the log.
    mine = en(world.alice).get(url("votes:electorate", v)).content.decode()
    assert "95.20" in mine and "按不动产登记簿" not in mine and "/correct/" not in mine

    # While voting runs, only a compensation agreement may still be recorded.
    services.open_vote(vote=v)
    running = en(world.carol).get(url("votes:electorate", v)).content.decode()
    assert 'value="compensation_agreed"' in running and 'value="area"' not in running
    late = en(world.carol).post(
        url("votes:correct", v, e.pk), {f"c{e.pk}-field": "area", f"c{e.pk}-value": "99", f"c{e.pk}-reason": "迟到"}
    )
    assert late.status_code == 400 and "The electorate can no longer be corrected." in late.content.decode()


def test_a_proxy_needs_the_signed_authorisation(world, vote, en):
    client = en(world.carol)
    e = elector(vote, world.h102)
    refused = client.post(url("votes:proxy", vote, e.pk), {"proxy-name": "沈霞"})
    assert refused.status_code == 400 and "Attach the signed written authorisation." in refused.content.decode()
    unknown = client.post(
        url("votes:proxy", vote, e.pk), {"proxy-name": "沈霞", "proxy-phone": "13700000000", "proxy-document": jpeg()}
    )
    assert unknown.status_code == 400 and not Proxy.objects.exists()
    done = client.post(
        url("votes:proxy", vote, e.pk), {"proxy-name": "沈霞", "proxy-phone": "13900000001", "proxy-document": jpeg()}
    )
    assert done.status_code == 302
    assert Proxy.objects.get(elector=e).person == world.p_bob
    assert client.get(url("votes:proxy_document", vote, e.pk))["Content-Type"] == "image/jpeg"
    assert en(world.bob).get(url("votes:proxy_document", vote, e.pk)).status_code == 404
    # Bob now votes for that home on his phone, in its owner's name.
    page = en(world.bob).get(url("votes:vote", vote)).content.decode()
    assert "1栋 1单元 102" in page


def test_paper_ballots_count_when_two_workers_agree_and_differences_are_flagged(world, vote, en):
    m = proposal(vote)
    e = elector(vote, world.h102)
    carol, jack, ivy = en(world.carol), None, None
    found = carol.get(url("votes:paper", vote) + "?q=102").content.decode()
    assert url("votes:elector", vote, e.pk) in found
    form = carol.get(url("votes:elector", vote, e.pk)).content.decode()
    assert "王*" in form and "王邻" not in form and "Enter a paper ballot" in form

    def enter(client, choice, home=e, photo=True):
        data = {"paper-voter": home.voter_id, f"paper-m{m.pk}": choice}
        if photo:
            data["paper-photo"] = jpeg()
        return client.post(url("votes:paper_enter", vote, home.pk), data, follow=True)

    no_photo = enter(carol, "yes", photo=False)
    assert "Attach a photo of the signed ballot." in no_photo.content.decode()
    assert not PaperEntry.objects.exists()

    first = enter(carol, "yes").content.decode()
    assert "It counts once a second worker enters the ballot the same way." in first
    assert "waits for a second worker" in first
    again = enter(carol, "yes")
    assert "You have entered this ballot already: a second worker must enter it." in again.content.decode()
    assert PaperEntry.objects.count() == 1 and not Ballot.objects.exists()

    jack = en(world.jack)
    second = enter(jack, "yes").content.decode()
    ballot = Ballot.objects.get(elector=e)
    assert f"the paper ballot now counts (receipt {ballot.receipt})" in second
    assert ballot.channel == "paper" and ballot.voter == world.p_neighbour

    # Another home: the second worker reads the ballot differently.
    other = elector(vote, world.h_s12)
    enter(en(world.carol), "yes", home=other)
    ivy = en(world.ivy)
    flagged = enter(ivy, "no", home=other).content.decode()
    assert "This entry differs from the earlier one: it is flagged." in flagged
    assert not Ballot.objects.filter(elector=other).exists()
    listing = ivy.get(url("votes:paper", vote)).content.decode()
    assert url("votes:elector", vote, other.pk) in listing
    entry = PaperEntry.objects.filter(elector=other).first()
    assert ivy.get(url("votes:paper_photo", vote, entry.pk)).status_code == 200


def test_turnout_by_building_refreshes_itself(world, vote, en):
    services.cast_online(
        vote=vote, user=world.alice, elector=elector(vote, world.h101), choices={str(proposal(vote).pk): "yes"}
    )
    client = en(world.carol)
    page = client.get(url("votes:turnout", vote)).content.decode()
    assert 'hx-trigger="every 30s"' in page and "1 of 5 homes have voted (20.00%" in page
    assert "1 / 4" in page and "0 / 1" in page  # 1栋 has 4 homes, 2栋 one
    partial = client.get(url("votes:turnout", vote), **HX).content.decode()
    assert partial.lstrip().startswith('<div id="turnout"') and "<html" not in partial


# --- query counts -----------------------------------------------------------------------------


def _more_homes(world, n):
    homes = [Home(stairwell=world.s21, number=f"{300 + i}", floor=3, area=Decimal("70.00")) for i in range(n)]
    Home.objects.bulk_create(homes)
    for home in Home.objects.filter(stairwell=world.s21, number__gte="300"):
        person = world.p_b2.__class__.objects.create(name=f"业主{home.number}", phone=f"135{home.pk:08d}")
        Occupancy.objects.create(person=person, home=home, relation=Occupancy.Relation.OWNER)


def _queries(client, path, **kw):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, **kw).status_code == 200
    return len(ctx.captured_queries)


def test_the_electorate_and_turnout_pages_take_as_many_queries_for_many_homes(world, en, django_assert_max_num_queries):
    small = open_(make_vote(world, title="小"), world)
    client = en(world.carol)
    few_list = _queries(client, url("votes:electorate", small))
    few_turnout = _queries(client, url("votes:turnout", small))
    _more_homes(world, 40)
    big = open_(make_vote(world, title="大"), world)
    assert big.electorate.count() == 45
    with django_assert_max_num_queries(few_list):
        page = client.get(url("votes:electorate", big))
    assert page.status_code == 200 and len(page.content) < 100_000  # a full page of rows with their forms
    with django_assert_max_num_queries(few_turnout):
        assert client.get(url("votes:turnout", big)).status_code == 200


# --- the public pages -------------------------------------------------------------------------


def test_the_result_shows_the_four_ratios_and_checks_receipts(world, en, client):
    v = open_(make_vote(world, election=True), world)
    m = proposal(v)
    election = v.matters.get(kind=Matter.Kind.ELECTION)
    names = dict(election.candidates.values_list("name", "pk"))
    five = [names[n] for n in "甲乙丙丁戊"]
    for user, home in ((world.alice, world.h101), (world.bob, world.h201)):
        services.cast_online(
            vote=v, user=user, elector=elector(v, home), choices={str(m.pk): "yes", str(election.pk): five}
        )
    services.enter_paper(
        vote=v, elector=elector(v, world.h102), user=world.carol, choices={str(m.pk): "no", str(election.pk): five},
        photo=jpeg(),
    )  # fmt: skip
    services.enter_paper(
        vote=v, elector=elector(v, world.h102), user=world.jack, choices={str(m.pk): "no", str(election.pk): five},
        photo=jpeg(),
    )  # fmt: skip
    first_alice = Ballot.objects.get(elector__home=world.h101).receipt
    services.cast_online(
        vote=v, user=world.alice, elector=elector(v, world.h101), choices={str(m.pk): "yes", str(election.pk): five}
    )
    alice = Ballot.objects.get(elector__home=world.h101).receipt

    public = en()
    assert public.get(url("vote_public:result", v)).status_code == 404  # not before closing
    assert public.get(url("vote_public:ballots", v)).status_code == 404
    services.close(vote=v)
    page = public.get(url("vote_public:result", v)).content.decode()
    # 3 of 5 homes, 3 of 5 owners: 60.00% of the area and of the heads, below 2/3: nothing passes.
    assert page.count("60.00%") == 2 and "at least 2/3" in page
    assert "66.66%" in page  # 2 of 3 approving, cut (not rounded) to two decimals
    assert "more than 1/2" in page and "Participation is not enough" in page and "Not passed" in page
    assert v.code in page and Vote.objects.get(pk=v.pk).chain_head in page
    for candidate in "甲乙丙丁戊己":
        assert candidate in page

    counted = public.post(url("vote_public:result", v), {"code": alice.lower()})
    assert "Counted:" in counted.content.decode()
    assert (
        "Replaced by a later ballot"
        in public.post(url("vote_public:result", v), {"code": first_alice}).content.decode()
    )
    assert "Unknown:" in public.post(url("vote_public:result", v), {"code": "ZZZZZZZZZZ"}).content.decode()
    assert public.post(url("vote_public:result", v), {"code": ""}).status_code == 400

    listing = public.get(url("vote_public:ballots", v))
    assert listing["Content-Type"].startswith("text/plain")
    lines = listing.content.decode().splitlines()
    assert len(lines) == 3 and any(line.startswith(alice + "|") for line in lines)
    assert chain.head(v.code, lines) == Vote.objects.get(pk=v.pk).chain_head


def test_the_receipt_check_is_rate_limited(world, vote, en, settings):
    settings.VOTES_RECEIPT_CHECKS_PER_HOUR = 3
    services.close(vote=vote)
    public = en()
    for _ in range(3):
        assert public.post(url("vote_public:result", vote), {"code": "ZZZZZZZZZZ"}).status_code == 200
    limited = public.post(url("vote_public:result", vote), {"code": "ZZZZZZZZZZ"})
    assert limited.status_code == 429 and "Too many checks" in limited.content.decode()


def test_a_draft_has_no_public_page(world, en):
    v = make_vote(world)
    assert en().get(url("vote_public:notice", v)).status_code == 404
    assert en().get(url("vote_public:result", v)).status_code == 404


def test_pages_stay_small(world, vote, en):
    for path in (url("votes:vote", vote), url("vote_public:notice", vote)):
        assert len(en(world.alice).get(path).content) < 100_000
