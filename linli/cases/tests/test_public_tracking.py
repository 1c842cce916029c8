"""A resident follows his case without an account: code plus the phone's last four digits,
or the secret link; rates it, confirms it, or reopens it."""

import pytest
from django.utils import translation

from linli.cases import lifecycle, services
from linli.cases.models import Event, Status

from .test_public_pages import _fresh_limits, english, resolve, submit  # noqa: F401


def look_up(client, code, last4, ip="10.0.0.1"):
    return client.post("/r/track/", {"code": code, "last4": last4}, REMOTE_ADDR=ip)


def test_code_and_last_four_digits_open_the_case(cw, client):
    case, _ = submit(cw)
    response = look_up(client, case.code.lower(), "5678")
    assert response.status_code == 302 and response["Location"] == f"/r/track/{case.code}/"
    html = client.get(response["Location"]).content.decode()
    assert "楼道灯坏了" in html and "设施维修" in html and "1栋 1单元" in html


def test_wrong_digits_or_an_unknown_code_get_the_same_message(cw, client):
    case, _ = submit(cw)
    with translation.override("en"):
        english(client)
        wrong_digits = look_up(client, case.code, "0000")
        unknown_code = look_up(client, "2611-ZZZZZZ", "5678")
    for response in (wrong_digits, unknown_code):
        assert response.status_code == 400
        assert "No case matches this code and these digits." in response.content.decode()
    assert client.get(f"/r/track/{case.code}/").status_code == 302  # still not his


def test_the_case_page_without_a_lookup_sends_to_the_form(cw, client):
    case, _ = submit(cw)
    response = client.get(f"/r/track/{case.code}/")
    assert response.status_code == 302 and response["Location"] == f"/r/track/?code={case.code}"


def test_the_secret_link_opens_the_case_and_a_wrong_one_does_not(cw, client):
    case, secret = submit(cw)
    assert client.get(f"/r/track/{case.code}/{secret}/").status_code == 200
    assert client.get(f"/r/track/{case.code}/{secret}x/").status_code == 404
    assert client.get(f"/r/track/{case.code}/{secret}x/qr.png").status_code == 404


def test_too_many_tries_from_one_address_are_refused(cw, client):
    case, _ = submit(cw)
    for i in range(10):
        assert look_up(client, f"2611-AAAAA{i}", "1234").status_code == 400
    with translation.override("en"):
        response = english(client).post("/r/track/", {"code": case.code, "last4": "5678"}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert look_up(client, case.code, "5678", ip="10.0.0.2").status_code == 302  # another address may


def test_too_many_wrong_digits_lock_the_code_for_everyone(cw, client):
    case, _ = submit(cw)
    for i in range(5):
        assert look_up(client, case.code, f"000{i}", ip=f"10.0.1.{i}").status_code == 400
    response = look_up(client, case.code, "5678", ip="10.0.2.1")  # even with the right digits
    assert response.status_code == 429
    other, _ = submit(cw, reporter_phone="13900009999")
    assert look_up(client, other.code, "9999", ip="10.0.2.1").status_code == 302


def test_the_page_shows_the_public_timeline_and_never_internal_notes(cw, client):
    case, secret = submit(cw)
    case = lifecycle.perform(case, "accept", user=cw.dave)
    services.add_note(case=case, user=cw.dave, text="内部备注：住户脾气大")
    services.reply(case=case, user=cw.dave, text="明天上午派电工上门")
    html = client.get(f"/r/track/{case.code}/{secret}/").content.decode()
    assert "明天上午派电工上门" in html and "富丰物业" in html
    assert "内部备注" not in html
    assert "物业戊" not in html  # the clerk's own name stays inside


def test_the_progress_line_follows_the_closed_loop(cw, client):
    case, secret = submit(cw)
    for action in ("accept", "dispatch"):
        case = lifecycle.perform(case, action, user=cw.dave)
    html = client.get(f"/r/track/{case.code}/{secret}/").content.decode()
    assert 'class="step-accept done"' in html and 'class="step-dispatch done"' in html
    assert 'class="step-handle current"' in html


def test_rating_a_resolved_case_closes_it(cw, client):
    case, secret = submit(cw)
    case = resolve(cw, case)
    page = f"/r/track/{case.code}/{secret}/"
    assert "rate-stars" in client.get(page).content.decode()

    response = client.post(page, {"action": "rate", "rate-stars": "4", "rate-comment": "修得快"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.rating == 4 and case.rating_comment == "修得快"
    assert "修得快" in client.get(page).content.decode()


def test_rating_twice_is_refused(cw, client):
    case, secret = submit(cw)
    resolve(cw, case)
    page = f"/r/track/{case.code}/{secret}/"
    client.post(page, {"action": "rate", "rate-stars": "5"})
    with translation.override("en"):
        response = english(client).post(page, {"action": "rate", "rate-stars": "1"})
    assert response.status_code == 409
    assert "already been rated" in response.content.decode()
    case.refresh_from_db()
    assert case.rating == 5


@pytest.mark.parametrize("stars", ["0", "6", "x", ""])
def test_a_rating_out_of_range_is_refused(cw, client, stars):
    case, secret = submit(cw)
    resolve(cw, case)
    with translation.override("en"):
        response = english(client).post(f"/r/track/{case.code}/{secret}/", {"action": "rate", "rate-stars": stars})
    assert response.status_code == 400
    assert "1 to 5 stars" in response.content.decode()
    case.refresh_from_db()
    assert case.rating is None and case.status == Status.RESOLVED


def test_rating_before_the_case_is_resolved_is_refused(cw, client):
    case, secret = submit(cw)
    response = client.post(f"/r/track/{case.code}/{secret}/", {"action": "rate", "rate-stars": "5"})
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.rating is None


def test_confirming_closes_the_case(cw, client):
    case, secret = submit(cw)
    resolve(cw, case)
    look_up(client, case.code, "5678")
    response = client.post(f"/r/track/{case.code}/", {"action": "close"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.CLOSED


def test_not_resolved_reopens_with_the_reason(cw, client):
    case, secret = submit(cw)
    resolve(cw, case)
    response = client.post(f"/r/track/{case.code}/{secret}/", {"action": "reopen", "reopen-note": "灯还是不亮"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.REOPENED
    event = case.events.filter(type=Event.Type.TRANSITION).last()
    assert event.action == "reopen" and event.note == "灯还是不亮" and event.actor is None


def test_reopening_without_a_reason_is_refused(cw, client):
    case, secret = submit(cw)
    resolve(cw, case)
    with translation.override("en"):
        response = english(client).post(f"/r/track/{case.code}/{secret}/", {"action": "reopen", "reopen-note": " "})
    assert response.status_code == 400
    assert "Please say why the problem is not solved." in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_a_closed_case_can_still_be_rated_and_reopened(cw, client):
    case, secret = submit(cw)
    resolve(cw, case)
    page = f"/r/track/{case.code}/{secret}/"
    client.post(page, {"action": "close"})
    html = client.get(page).content.decode()
    assert "rate-stars" in html and "reopen-note" in html
    client.post(page, {"action": "reopen", "reopen-note": "又坏了"})
    case.refresh_from_db()
    assert case.status == Status.REOPENED


def test_a_logged_in_reporter_follows_without_digits_and_others_cannot(cw, login):
    case, _ = submit(cw, reporter=cw.p_alice, reporter_name="", reporter_phone="")
    assert login(cw.alice).get(f"/r/track/{case.code}/").status_code == 200
    # The clerk may see the case at work, but this page is the resident's.
    assert login(cw.dave).get(f"/r/track/{case.code}/").status_code == 302
    assert login(cw.olga).get(f"/r/track/{case.code}/").status_code == 302


def test_a_session_marker_for_one_case_does_not_open_another(cw, client):
    mine, _ = submit(cw)
    other, _ = submit(cw, reporter_phone="13900005678")  # same last four digits
    look_up(client, mine.code, "5678")
    assert client.get(f"/r/track/{mine.code}/").status_code == 200
    assert client.get(f"/r/track/{other.code}/").status_code == 302


def test_a_tampered_session_marker_is_ignored(cw, client):
    mine, _ = submit(cw)
    other, _ = submit(cw, reporter_phone="13900001111")
    look_up(client, mine.code, "5678")
    session = client.session
    tracked = session["cases_tracked"]
    tracked[other.code] = tracked[mine.code].replace(mine.code, other.code)
    session["cases_tracked"] = tracked
    session.save()
    assert client.get(f"/r/track/{other.code}/").status_code == 302


def test_photos_of_the_case_are_served_only_to_the_resident(cw, client):
    from linli.lib.images import clean_photo

    from .test_public_pages import photo_upload

    case, secret = submit(cw, photos=[clean_photo(photo_upload())])
    photo = case.photos.get()
    url = f"/r/track/{case.code}/photo/{photo.pk}/"
    assert client.get(url).status_code == 404
    client.get(f"/r/track/{case.code}/{secret}/")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_wrong_digits_through_the_api_count_against_the_page_too(cw, client):
    case, _ = submit(cw)
    for i in range(5):
        answer = client.post(
            "/api/v1/public/track",
            {"code": case.code, "last4": f"000{i}"},
            content_type="application/json",
            REMOTE_ADDR=f"10.0.3.{i}",
        )
        assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert look_up(client, case.code, "5678", ip="10.0.4.1").status_code == 429
