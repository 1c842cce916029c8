"""One case's page: what each role sees and may do, conflicts, replies, notes, reveals, photos."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from linli.cases import services
from linli.cases.lifecycle import perform
from linli.cases.models import Event, Photo, Status
from linli.lib.images import clean_photo
from linli.people.models import RevealLog

from .conftest import HX, case_page, image_upload


def act_url(case, action):
    return reverse("cases:act", args=[case.code, action])


def act(client, case, action, version=None, **fields):
    data = {f"{action}-version": case.version if version is None else version}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(act_url(case, action), data)


@pytest.mark.parametrize(
    "actor, present, absent",
    [
        ("dave", ["accept", "return", "merge"], ["reject", "reassign"]),
        ("carol", ["accept", "reject", "merge"], ["return"]),
        ("bob", [], ["accept", "reject", "merge", "return"]),
        ("alice", [], ["accept", "reject", "merge", "return"]),
    ],
)
def test_the_page_offers_only_the_actions_the_role_allows(cw, login, case, actor, present, absent):
    html = login(getattr(cw, actor)).get(case_page(case)).content.decode()
    for action in present:
        assert act_url(case, action) in html
    for action in absent:
        assert act_url(case, action) not in html


def test_forms_besides_transitions_follow_the_roles(cw, login, case):
    reply, note, reassign = (reverse(f"cases:{n}", args=[case.code]) for n in ("reply", "note", "reassign"))
    carol = login(cw.carol).get(case_page(case)).content.decode()
    assert reply in carol and note in carol and reassign in carol
    dave = login(cw.dave).get(case_page(case)).content.decode()
    assert reply in dave and note in dave and reassign not in dave
    bob = login(cw.bob).get(case_page(case)).content.decode()
    assert reply not in bob and note in bob
    alice = login(cw.alice).get(case_page(case)).content.decode()
    assert reply not in alice and note not in alice


@pytest.mark.parametrize("actor, status", [("paul", 404), ("olga", 404), ("frank", 404), ("grace", 404)])
def test_the_page_is_404_outside_the_scope(cw, login, case, actor, status):
    assert login(getattr(cw, actor)).get(case_page(case)).status_code == status


def test_header_shows_the_case_and_its_clock(cw, en, case):
    html = en(cw.dave).get(case_page(case)).content.decode()
    assert case.code in html and "楼道灯坏了" in html and "富丰新城 1栋 1单元" in html
    assert "富丰物业" in html and "working days left" in html
    assert "1单元3楼楼道灯不亮" in html and "李爱丽" in html
    assert reverse("report:board_case", args=[cw.fufeng.pk, case.code]) in html


def test_accept_records_the_first_receiver(cw, login, case):
    response = act(login(cw.dave), case, "accept")
    assert response.status_code == 302 and response["Location"] == case_page(case)
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED and case.first_receiver == cw.dave


def test_a_stale_page_gets_the_conflict_and_nothing_changes(cw, en, case):
    seen = case.version  # dave's page was loaded now
    perform(case, "accept", user=cw.carol)  # carol acts first
    events = Event.objects.filter(case=case).count()
    response = act(en(cw.dave), case, "accept", version=seen)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this case a moment ago (it is now accepted)" in html
    assert "Nothing was changed." in html
    case.refresh_from_db()
    assert case.first_receiver == cw.carol and case.version == seen + 1
    assert Event.objects.filter(case=case).count() == events


def test_an_action_the_state_does_not_allow_is_409(cw, en, case):
    response = act(en(cw.dave), case, "resolve")
    assert response.status_code == 409
    assert "cannot be given the action" in response.content.decode()


def test_an_action_the_role_does_not_allow_is_403(cw, en, case):
    response = act(en(cw.dave), case, "reject", note="不归我们")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_unknown_action_is_404(cw, login, case):
    assert act(login(cw.dave), case, "explode").status_code == 404


def test_hold_without_a_reason_shows_the_message(cw, en, case):
    client = en(cw.dave)
    act(client, case, "accept")
    case.refresh_from_db()
    response = act(client, case, "hold", note="")
    assert response.status_code == 400
    assert "Please give a reason." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED


def test_resolve_without_a_reply_shows_the_message(cw, en, case):
    client = en(cw.dave)
    for action in ("accept", "start"):
        act(client, case, action)
        case.refresh_from_db()
    response = act(client, case, "resolve", note="")
    assert response.status_code == 400
    assert "Write a reply to the resident before resolving" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.IN_PROGRESS


def test_reply_then_resolve(cw, en, case):
    client = en(cw.dave)
    for action in ("accept", "start"):
        act(client, case, action)
        case.refresh_from_db()
    response = client.post(reverse("cases:reply", args=[case.code]), {"reply-text": "电工明早更换灯管。"})
    assert response.status_code == 302
    response = act(client, case, "resolve", note="")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.first_reply_at is not None
    html = client.get(case_page(case)).content.decode()
    assert "电工明早更换灯管。" in html and "to the resident" in html


def test_resolve_with_the_reply_in_one_go(cw, login, case):
    client = login(cw.dave)
    for action in ("accept", "start"):
        act(client, case, action)
        case.refresh_from_db()
    act(client, case, "resolve", note="灯已更换")
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    assert case.events.filter(type=Event.Type.REPLY, note="灯已更换").exists()


def test_reply_with_a_photo_which_only_those_who_see_the_case_can_open(cw, login, case):
    client = login(cw.dave)
    png = image_upload("light.png")  # stored as a JPEG
    response = client.post(reverse("cases:reply", args=[case.code]), {"reply-text": "修好了", "reply-photos": [png]})
    assert response.status_code == 302
    photo = Photo.objects.get(case=case)
    assert photo.event.type == Event.Type.REPLY
    url = reverse("cases:photo", args=[case.code, photo.pk])
    assert url in client.get(case_page(case)).content.decode()
    assert client.get(url)["Content-Type"] == "image/jpeg"
    assert login(cw.paul).get(url).status_code == 404


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_sent(cw, en, case):
    bad = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = en(cw.dave).post(reverse("cases:reply", args=[case.code]), {"reply-text": "见图", "reply-photos": [bad]})
    assert response.status_code == 400
    assert "This file is not a photo" in response.content.decode()
    assert not case.events.filter(type=Event.Type.REPLY).exists()


def test_reply_to_a_closed_case_is_refused(cw, en, case):
    perform(case, "reject", user=cw.carol, note="重复")
    response = en(cw.carol).post(reverse("cases:reply", args=[case.code]), {"reply-text": "补充"})
    assert response.status_code == 409
    assert "replies are closed" in response.content.decode()


def test_internal_note_is_marked_and_hidden_from_the_resident(cw, en, case):
    response = en(cw.bob).post(reverse("cases:note", args=[case.code]), {"note-text": "此户常投诉，注意沟通"})
    assert response.status_code == 302
    dave = en(cw.dave).get(case_page(case)).content.decode()
    assert "此户常投诉，注意沟通" in dave and "ev-internal" in dave
    alice = en(cw.alice).get(case_page(case)).content.decode()
    assert "此户常投诉" not in alice


def test_dispatch_by_staff_to_another_organisation_with_an_assignee(cw, login, case):
    client = login(cw.carol)
    act(client, case, "accept")
    case.refresh_from_db()
    html = client.get(case_page(case)).content.decode()
    assert "富丰新城街坊会" in html and "颐景物业" not in html
    response = act(client, case, "dispatch", organisation=cw.association.pk, assignee=cw.henry.pk, note="邻里调解")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.organisation == cw.association and case.assignee == cw.henry


def test_a_handler_dispatches_only_within_his_own_organisation(cw, en, case):
    client = en(cw.dave)
    act(client, case, "accept")
    case.refresh_from_db()
    response = act(client, case, "dispatch", organisation=cw.association.pk, note="x")
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.organisation == cw.company and case.status == Status.ACCEPTED
    response = act(client, case, "dispatch", organisation=cw.company.pk, assignee=cw.dave.pk)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DISPATCHED and case.assignee == cw.dave


def test_merge_needs_a_case_the_user_can_see(cw, en, case):
    other = services.submit(
        compound=cw.yijing, stairwell=cw.ys, category=cw.cat.maintenance, title="x", description="y"
    )[0]
    original = services.submit(
        compound=cw.fufeng, stairwell=cw.s11, category=cw.cat.maintenance, title="同一盏灯", description="z"
    )[0]
    client = en(cw.dave)
    response = act(client, case, "merge", target=other.code)
    assert response.status_code == 400
    assert f"No case {other.code} among the cases you can see." in response.content.decode()
    response = act(client, case, "merge", target=original.code.lower())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.MERGED and case.merged_into == original


def test_reassign_by_staff_needs_a_reason(cw, en, case):
    client = en(cw.carol)
    url = reverse("cases:reassign", args=[case.code])
    response = client.post(url, {"reassign-version": case.version, "reassign-organisation": cw.owners.pk})
    assert response.status_code == 400
    response = client.post(
        url,
        {"reassign-version": case.version, "reassign-organisation": cw.owners.pk, "reassign-note": "属于业委会"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.organisation == cw.owners
    assert "属于业委会" in client.get(case_page(case)).content.decode()


def test_reveal_asks_why_then_shows_and_logs(cw, en, case):
    client = en(cw.dave)
    html = client.get(case_page(case)).content.decode()
    assert "138****0001" in html and "13800000001" not in html
    url = reverse("cases:reveal", args=[case.code])
    form = client.get(url, **HX)
    assert form.status_code == 200 and "<form" in form.content.decode()
    response = client.post(url, {"reason": "request"}, **HX)
    assert "13800000001" in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    log = RevealLog.objects.get()
    assert (log.user, log.person, log.field) == (cw.dave, cw.p_alice, "phone")
    assert log.reason.startswith(case.code)


def test_reveal_without_a_reason_shows_nothing_and_logs_nothing(cw, login, case):
    response = login(cw.dave).post(reverse("cases:reveal", args=[case.code]), {})
    assert response.status_code == 422 and "13800000001" not in response.content.decode()
    assert not RevealLog.objects.exists()


def test_a_leader_sees_the_masked_phone_but_may_not_reveal(cw, login, case):
    client = login(cw.bob)
    url = reverse("cases:reveal", args=[case.code])
    html = client.get(case_page(case)).content.decode()
    assert "138****0001" in html and url not in html
    response = client.post(url, {"reason": "request"})
    assert response.status_code == 403 and "13800000001" not in response.content.decode()
    assert not RevealLog.objects.exists()


def test_script_in_title_and_description_is_escaped(cw, login, now_case):
    case = now_case(title="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>")
    html = login(cw.dave).get(case_page(case)).content.decode()
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_case_page_renders_in_chinese(cw, login, case):
    html = login(cw.carol).get(case_page(case)).content.decode()
    assert '<html lang="zh-Hans">' in html and "设施维修" in html


def test_the_page_costs_the_same_queries_for_few_or_many_events(cw, login, case):
    client = login(cw.dave)
    case = perform(case, "accept", user=cw.dave)
    services.reply(case=case, user=cw.dave, text="收到", photos=[clean_photo(image_upload())])
    client.get(case_page(case))  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(case_page(case)).status_code == 200
    for i in range(12):
        services.reply(case=case, user=cw.dave, text=f"回复{i}", photos=[clean_photo(image_upload())])
        services.add_note(case=case, user=cw.dave, text=f"备注{i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(case_page(case)).content.decode()
    assert "回复11" in html and "备注11" in html
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
