"""The mediation section of a dispute's staff page: opening a mediation with both sides,
recording sessions, concluding, following up; only for those who may mediate (the parties'
names go no further); bad input named in place with nothing written; follow-ups due on the
revisits page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from linli.cases import mediation as m
from linli.cases.models import Event, Mediation, MediationParty, MediationSession

from .conftest import case_page

PARTY_A, PARTY_B = "402业主老李", "502业主老周"


def url(case, name):
    return reverse(f"cases:mediation_{name}", args=[case.code])


def opening(cw, **kw):
    return {"mopen-mediator": cw.association.pk, "mopen-a1_name": PARTY_A, "mopen-b1_name": PARTY_B, **kw}


def session(**kw):
    held = timezone.localtime() - dt.timedelta(hours=2)
    data = {
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "place": "同心阁调解室",
        "mediators": "会长丙、社工己",
        "attendees": "双方业主",
        "summary": "双方同意请物业检测防水层",
        "next_step": "下周检测",
        **kw,
    }
    return {f"msession-{k}": v for k, v in data.items()}


def conclusion(**kw):
    return {f"mconclude-{k}": v for k, v in kw.items()}


def opened(cw, case):
    return m.open_mediation(
        case=case,
        user=cw.henry,
        mediator=cw.association,
        parties=[{"name": PARTY_A, "side": "a"}, {"name": PARTY_B, "side": "b"}],
    )


def with_session(cw, case):
    med = opened(cw, case)
    m.add_session(
        mediation=med,
        user=cw.henry,
        held_at=timezone.now() - dt.timedelta(hours=1),
        place="同心阁调解室",
        mediators="会长丙",
        summary="谈妥了",
    )
    return med


def concluded(cw, case, follow_up_on):
    med = with_session(cw, case)
    return m.conclude(mediation=med, user=cw.henry, outcome="agreed", agreement="502修防水", follow_up_on=follow_up_on)


def written():
    """Everything a mediation writes, to show that a refused request wrote nothing."""
    return (
        list(Mediation.objects.values_list("outcome", "agreement", "follow_up_on", "follow_up_note")),
        MediationParty.objects.count(),
        MediationSession.objects.count(),
        Event.objects.filter(action="mediation").count(),
    )


# --- the whole way ---------------------------------------------------------------------------


def test_henry_mediates_a_dispute_to_an_agreement_and_carol_follows_it_up(cw, dispute, en):
    chair = en(cw.henry)
    html = chair.get(case_page(dispute)).content.decode()
    assert 'id="mediation"' in html and "Open a mediation" in html and url(dispute, "open") in html
    # The association handling the case is the default mediator; the property company is no choice.
    assert f'<option value="{cw.association.pk}" selected>' in html
    assert f'<option value="{cw.committee.pk}">' in html and f'<option value="{cw.company.pk}"' not in html

    response = chair.post(url(dispute, "open"), opening(cw, **{"mopen-a2_name": "402业主老伴"}))
    assert response.status_code == 302 and response["location"] == case_page(dispute) + "#mediation"
    med = Mediation.objects.get(case=dispute)
    assert (med.mediator, med.outcome) == (cw.association, "open")
    assert list(med.parties.values_list("side", "name")) == [("a", PARTY_A), ("a", "402业主老伴"), ("b", PARTY_B)]
    html = chair.get(case_page(dispute)).content.decode()
    assert PARTY_A in html and PARTY_B in html and "No session recorded yet." in html
    assert url(dispute, "session") in html and url(dispute, "conclude") in html

    assert chair.post(url(dispute, "session"), session()).status_code == 302
    html = chair.get(case_page(dispute)).content.decode()
    for text in ("同心阁调解室", "会长丙、社工己", "双方业主", "双方同意请物业检测防水层", "下周检测", "Recorded by"):
        assert text in html

    follow = timezone.localdate() + dt.timedelta(days=14)
    agreement = "502负责维修防水，402天花板由502修补。"
    done = chair.post(
        url(dispute, "conclude"), conclusion(outcome="agreed", agreement=agreement, follow_up_on=follow.isoformat())
    )
    assert done.status_code == 302
    html = chair.get(case_page(dispute)).content.decode()
    assert "Agreement reached" in html and agreement in html
    assert f"Follow up on {follow:%Y-%m-%d}" in html and url(dispute, "follow_up") in html
    assert url(dispute, "session") not in html and url(dispute, "conclude") not in html

    worker = en(cw.carol)
    assert worker.post(url(dispute, "follow_up"), {"mfollow-note": "回访：已修好，双方满意。"}).status_code == 302
    med.refresh_from_db()
    assert med.follow_up_note == "回访：已修好，双方满意。" and med.followed_up_at is not None
    html = worker.get(case_page(dispute)).content.decode()
    assert "回访：已修好，双方满意。" in html and url(dispute, "follow_up") not in html
    assert dispute.events.filter(action="mediation", public=False).count() == 4


def test_a_party_is_found_among_the_residents_and_put_on_a_side(cw, dispute, en):
    worker = en(cw.carol)
    found = worker.post(url(dispute, "open"), opening(cw, **{"mopen-b1_name": "", "mopen-who": "王邻", "step": "find"}))
    assert found.status_code == 200 and not Mediation.objects.exists()
    html = found.content.decode()
    assert f'name="pick" value="b:{cw.p_neighbour.pk}"' in html and "138****0002" in html
    assert PARTY_A in html  # what was typed stays

    htmx = worker.get(url(dispute, "people"), {"mopen-who": "王邻"}, HTTP_HX_REQUEST="true")
    assert f'value="b:{cw.p_neighbour.pk}"' in htmx.content.decode()

    picked = worker.post(
        url(dispute, "open"), opening(cw, **{"mopen-b1_name": "", "pick": f"b:{cw.p_neighbour.pk}"})
    ).content.decode()
    assert 'name="mopen-b1_name" value="王邻"' in picked and "Resident on file" in picked
    assert f'name="mopen-b1_person" value="{cw.p_neighbour.pk}"' in picked
    data = opening(cw, **{"mopen-b1_name": "王邻", "mopen-b1_person": cw.p_neighbour.pk})
    assert worker.post(url(dispute, "open"), data).status_code == 302
    party = MediationParty.objects.get(side="b")
    assert (party.name, party.person) == ("王邻", cw.p_neighbour)


def test_a_resident_out_of_reach_cannot_be_named_by_his_id(cw, dispute, en):
    data = opening(cw, **{"mopen-b1_name": "欧阳颐", "mopen-b1_person": cw.p_olga.pk})
    response = en(cw.henry).post(url(dispute, "open"), data)
    assert response.status_code == 400 and "Choose the resident again." in response.content.decode()
    assert not Mediation.objects.exists()


# --- who sees it -------------------------------------------------------------------------------


@pytest.mark.parametrize("actor, status", [("alice", 403), ("bob", 403), ("dave", 404), ("olga", 404)])
def test_others_never_see_the_mediation_nor_the_names(cw, dispute, en, actor, status):
    med = with_session(cw, dispute)
    client = en(getattr(cw, actor))
    before = written()
    seen = client.get(case_page(dispute))
    assert seen.status_code == (200 if status == 403 else 404)
    posts = [
        client.post(url(dispute, "open"), opening(cw)),
        client.post(url(dispute, "session"), session()),
        client.post(url(dispute, "conclude"), conclusion(outcome="failed")),
        client.post(url(dispute, "follow_up"), {"mfollow-note": "x"}),
        client.post(url(dispute, "open"), opening(cw, step="find", **{"mopen-who": "王"})),
    ]
    assert [r.status_code for r in posts] == [status] * 5
    assert client.get(url(dispute, "people"), {"mopen-who": "王"}).status_code == status
    for response in [seen, *posts]:
        html = response.content.decode()
        assert PARTY_A not in html and PARTY_B not in html and "谈妥了" not in html
        assert 'id="mediation"' not in html
        assert not any(f'action="{url(dispute, name)}' in html for name in ("open", "session", "conclude", "follow_up"))
    assert written() == before and med.sessions.count() == 1


def test_the_section_is_for_disputes_or_cases_already_in_mediation(cw, dispute, now_case, en):
    lamp = now_case()  # a broken light: dave's company, community staff
    assert 'id="mediation"' not in en(cw.carol).get(case_page(lamp)).content.decode()
    assert 'id="mediation"' not in en(cw.dave).get(case_page(lamp)).content.decode()
    quarrel = now_case(category=cw.cat.noise, kind="dispute", title="吵架")
    assert 'id="mediation"' in en(cw.carol).get(case_page(quarrel)).content.decode()


def test_a_finished_case_cannot_be_opened_for_mediation_but_shows_its_record(cw, dispute, en):
    from linli.cases.lifecycle import perform

    worker = en(cw.carol)
    perform(dispute, "reject", user=cw.carol, note="不属于本社区")
    html = worker.get(case_page(dispute)).content.decode()
    assert 'id="mediation"' in html and url(dispute, "open") not in html
    response = worker.post(url(dispute, "open"), opening(cw))
    assert response.status_code == 409 and not Mediation.objects.exists()


# --- bad input: the message in place, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"mopen-b1_name": ""}, "Name at least one person on each side of the dispute."),
        ({"mopen-a1_name": "  ", "mopen-b2_name": "另一位"}, "Name at least one person on each side of the dispute."),
        ({"mopen-mediator": ""}, "This field is required."),
        ({"mopen-a1_name": "名" * 51}, "Ensure this value has at most 50 characters (it has 51)."),
    ],
)
def test_opening_without_both_sides_or_a_mediator_is_refused(cw, dispute, en, fields, message):
    response = en(cw.henry).post(url(dispute, "open"), opening(cw, **fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and url(dispute, "open") in html
    assert written() == ([], 0, 0, 0)


def test_a_mediator_that_does_not_serve_the_compound_is_no_choice(cw, dispute, en):
    response = en(cw.carol).post(url(dispute, "open"), opening(cw, **{"mopen-mediator": cw.company.pk}))
    assert response.status_code == 400 and "Select a valid choice." in response.content.decode()
    assert written() == ([], 0, 0, 0)


def test_a_session_in_the_future_or_without_what_was_said_is_refused(cw, dispute, en):
    opened(cw, dispute)
    chair = en(cw.henry)
    before = written()
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = chair.post(url(dispute, "session"), session(held_at=tomorrow))
    assert response.status_code == 400
    html = response.content.decode()
    assert "A session is recorded after it was held, not before." in html
    assert "同心阁调解室" in html  # what was typed stays in the form
    assert chair.post(url(dispute, "session"), session(summary="")).status_code == 400
    assert chair.post(url(dispute, "session"), session(held_at="昨天")).status_code == 400
    assert written() == before


@pytest.mark.parametrize(
    "sessions, fields, message",
    [
        (True, {"outcome": "agreed", "agreement": ""}, "Agreement is required."),
        (False, {"outcome": "agreed", "agreement": "502修防水"}, "Record at least one session before the agreement."),
        (
            True,
            {"outcome": "agreed", "agreement": "502修防水", "follow_up_on": "2020-01-01"},
            "The follow-up date is in the past.",
        ),
        (True, {"outcome": "maybe"}, "Select a valid choice. maybe is not one of the available choices."),
    ],
)
def test_a_conclusion_that_breaks_a_rule_is_refused(cw, dispute, en, sessions, fields, message):
    (with_session if sessions else opened)(cw, dispute)
    before = written()
    response = en(cw.henry).post(url(dispute, "conclude"), conclusion(**fields))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and "<details open>" in html  # the form stays open with the message
    assert written() == before


def test_steps_out_of_order_are_conflicts(cw, dispute, en):
    chair = en(cw.henry)
    nothing = chair.post(url(dispute, "session"), session())
    assert nothing.status_code == 409 and "This case is not in mediation." in nothing.content.decode()
    opened(cw, dispute)
    before = written()
    again = chair.post(url(dispute, "open"), opening(cw))
    assert again.status_code == 409 and "This case is already in mediation." in again.content.decode()
    early = chair.post(url(dispute, "follow_up"), {"mfollow-note": "还没谈完"})
    assert early.status_code == 409 and "Conclude the mediation before following up." in early.content.decode()
    assert written() == before


def test_an_empty_follow_up_is_refused(cw, dispute, en):
    concluded(cw, dispute, None)
    before = written()
    response = en(cw.carol).post(url(dispute, "follow_up"), {"mfollow-note": "  "})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert written() == before


# --- languages and the revisits page -----------------------------------------------------------


def test_the_section_reads_in_chinese_and_in_english(cw, dispute, login, en):
    chinese = login(cw.henry).get(case_page(dispute))
    assert chinese.status_code == 200
    html = chinese.content.decode()
    assert 'lang="zh-Hans"' in html and 'id="mediation"' in html and "启动调解" in html and "查找" in html
    concluded(cw, dispute, timezone.localdate() + dt.timedelta(days=3))
    html = login(cw.henry).get(case_page(dispute)).content.decode()
    assert "502修防水" in html and PARTY_B in html and "同心阁调解室" in html
    english = en(cw.henry).get(case_page(dispute)).content.decode()
    assert 'lang="en"' in english and "Agreement reached" in english and "Record the follow-up" in english


def test_follow_ups_appear_on_the_revisits_page_when_due(cw, dispute, login, en):
    revisits = reverse("cases:revisits")
    med = concluded(cw, dispute, timezone.localdate() + dt.timedelta(days=7))
    worker = en(cw.carol)
    html = worker.get(revisits).content.decode()
    assert "Mediation follow-ups due" in html and "No mediation follow-up due." in html
    assert f"{case_page(dispute)}#mediation" not in html

    Mediation.objects.filter(pk=med.pk).update(follow_up_on=timezone.localdate())  # a week later
    html = worker.get(revisits).content.decode()
    assert f'href="{case_page(dispute)}#mediation"' in html and dispute.title in html and "富丰新城街坊会" in html
    assert PARTY_A not in html and PARTY_B not in html

    chinese = login(cw.carol).get(revisits)
    assert chinese.status_code == 200 and f'href="{case_page(dispute)}#mediation"' in chinese.content.decode()

    en(cw.carol).post(url(dispute, "follow_up"), {"mfollow-note": "协议履行良好"})
    assert f"{case_page(dispute)}#mediation" not in en(cw.carol).get(revisits).content.decode()


def test_a_leader_does_not_learn_that_a_dispute_went_to_mediation(cw, new_case, login):
    from linli.cases import mediation as m

    dispute = new_case(category=cw.cat.neighbour_dispute, title="楼上漏水", description="502漏水到402")
    m.open_mediation(
        case=dispute,
        user=cw.henry,
        mediator=cw.association,
        parties=[{"name": "甲方某", "side": "a"}, {"name": "乙方某", "side": "b"}],
    )
    m.add_session(
        mediation=dispute.mediation,
        user=cw.henry,
        held_at=dispute.submitted_at,
        place="同心阁",
        mediators="会长",
        summary="谈",
    )
    page = login(cw.bob).get(f"/cases/{dispute.code}/").content.decode()
    api = login(cw.bob).get(f"/api/v1/cases/{dispute.code}").content.decode()
    for text in (page, api):
        assert "同心阁" not in text and "甲方某" not in text
    assert "同心阁" in login(cw.henry).get(f"/cases/{dispute.code}/").content.decode()
