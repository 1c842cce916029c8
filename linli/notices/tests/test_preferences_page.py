"""The preferences page: which events reach me by email or text message, quiet hours, digest."""

import datetime as dt

from django.utils import translation

from linli.notices import services
from linli.notices.forms import field_name
from linli.notices.models import Preference, Schedule


def page(client):
    with translation.override("en"):
        return client.get("/notices/preferences/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_resident_chooses_for_his_own_cases_a_clerk_also_for_his_work(cw, login):
    alice = page(login(cw.alice))
    assert "A reply to my case" in alice and "A new case for my organisation" not in alice
    dave = page(login(cw.dave))
    assert "A reply to my case" in dave and "A new case for my organisation" in dave


def test_email_is_on_and_text_messages_off_until_changed(cw, login):
    html = page(login(cw.alice))
    email, sms = field_name("case.reply", "email"), field_name("case.reply", "sms")
    assert f'name="{email}" id="id_{email}" checked' in html
    assert f'name="{sms}" id="id_{sms}">' in html


def test_saving_choices_quiet_hours_and_digest(cw, login):
    client = login(cw.alice)
    data = {field_name(code, "email"): "on" for code in ("case.accepted", "case.resolved")}
    data |= {field_name("case.reply", "sms"): "on", "quiet_from": "22:00", "quiet_until": "07:00", "digest": "on"}
    response = client.post("/notices/preferences/", data)
    assert response.status_code == 302
    chosen = services.preferences(cw.alice)
    assert chosen[("case.reply", "sms")] is True
    assert chosen[("case.reply", "email")] is False  # left unticked
    assert chosen[("case.accepted", "email")] is True
    schedule = Schedule.objects.get(user=cw.alice)
    assert (schedule.quiet_from, schedule.quiet_until, schedule.digest) == (dt.time(22), dt.time(7), True)
    # Only what differs from the defaults is stored (the form left the other apps' kinds unticked).
    stored = Preference.objects.filter(user=cw.alice, kind__startswith="case.")
    assert set(stored.values_list("kind", "channel", "enabled")) == {
        ("case.reply", "sms", True),
        ("case.reply", "email", False),
        ("case.rejected", "email", False),
        ("case.returned", "email", False),
        ("case.merged", "email", False),
    }
    html = page(client)
    assert 'value="22:00"' in html and 'value="07:00"' in html


def test_half_quiet_hours_are_refused_and_nothing_is_saved(cw, login):
    client = login(cw.alice)
    with translation.override("en"):
        response = client.post("/notices/preferences/", {"quiet_from": "22:00"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Give both the start and the end of the quiet hours" in response.content.decode()
    assert not Schedule.objects.filter(user=cw.alice).exists()
    assert not Preference.objects.filter(user=cw.alice).exists()


def test_the_page_shows_the_phone_masked(cw, login):
    html = page(login(cw.alice))
    assert "138****0001" in html and "13800000001" not in html


def test_the_page_needs_a_login(client):
    assert client.get("/notices/preferences/").status_code == 302
