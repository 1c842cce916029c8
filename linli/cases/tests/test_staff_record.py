"""Recording a case on a resident's behalf (phone call, stairwell meeting, visit, walk-in)."""

import pytest
from django.urls import reverse

from linli.cases.models import Case, Channel
from linli.people.models import Person

from .conftest import HX, image_upload

NEW = reverse("cases:new")


def form_data(cw, **kw):
    data = {
        "channel": Channel.MEETING,
        "compound": cw.fufeng.pk,
        "place": f"s-{cw.s11.pk}",
        "category": cw.cat.maintenance.pk,
        "title": "电梯异响",
        "description": "1单元电梯运行时有异响",
        "on_public_board": "on",
    }
    data.update(kw)
    return data


def test_bob_finds_alice_and_records_her_request(cw, login):
    client = login(cw.bob)
    html = client.get(NEW, {"who": "李爱"}).content.decode()
    assert f'name="person" value="{cw.p_alice.pk}"' in html and "138****0001" in html
    response = client.post(NEW, form_data(cw, person=cw.p_alice.pk))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:case", args=[case.code])
    assert case.reporter == cw.p_alice and case.recorded_by == cw.bob
    assert case.channel == Channel.MEETING and case.stairwell == cw.s11 and case.building == cw.b1
    assert case.organisation == cw.company
    assert case.code in client.get(response["Location"]).content.decode()


def test_people_search_finds_by_phone_and_only_within_reach(cw, login):
    client = login(cw.bob)
    html = client.get(reverse("cases:new_people"), {"who": "13800000001"}, **HX).content.decode()
    assert "李爱丽" in html and "<html" not in html
    assert "欧阳颐" not in client.get(reverse("cases:new_people"), {"who": "欧阳"}, **HX).content.decode()


def test_a_person_out_of_reach_cannot_be_posted(cw, en):
    response = en(cw.bob).post(NEW, form_data(cw, person=cw.p_olga.pk))
    assert response.status_code == 400
    assert "Choose the resident again." in response.content.decode()
    assert not Case.objects.exists()


def test_dave_records_a_phone_call_from_a_new_resident(cw, login):
    typed = {"reporter_name": "新住户", "reporter_phone": "139 1234 5678"}
    response = login(cw.dave).post(NEW, form_data(cw, channel=Channel.PHONE_CALL, place=f"b-{cw.b2.pk}", **typed))
    case = Case.objects.get()
    assert response.status_code == 302
    assert case.reporter_name == "新住户" and case.reporter_phone == "13912345678"
    assert case.reporter == Person.objects.get(name="新住户")
    assert case.building == cw.b2 and case.stairwell is None and case.channel == Channel.PHONE_CALL
    assert case.recorded_by == cw.dave and case.organisation == cw.company


def test_a_photo_goes_with_the_case(cw, login):
    login(cw.carol).post(NEW, form_data(cw, person=cw.p_alice.pk, photos=[image_upload("lift.jpg")]))
    assert Case.objects.get().photos.count() == 1


def test_a_bad_phone_number_is_a_field_error_and_nothing_is_recorded(cw, en):
    response = en(cw.dave).post(NEW, form_data(cw, reporter_name="张三", reporter_phone="12345"))
    assert response.status_code == 400
    assert "Phone number must be 11 digits" in response.content.decode()
    assert not Case.objects.exists()


def test_the_resident_is_required(cw, en):
    response = en(cw.dave).post(NEW, form_data(cw))
    assert response.status_code == 400
    assert "Find the resident, or type his name." in response.content.decode()


def test_a_stairwell_of_another_compound_is_refused(cw, en):
    response = en(cw.carol).post(NEW, form_data(cw, person=cw.p_alice.pk, place=f"s-{cw.ys.pk}"))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_dave_cannot_record_in_a_compound_his_company_does_not_serve(cw, login):
    response = login(cw.dave).post(NEW, form_data(cw, compound=cw.yijing.pk, place="", reporter_name="x"))
    assert response.status_code == 400
    assert not Case.objects.exists()


@pytest.mark.parametrize("actor", ["alice", "grace"])
def test_residents_and_volunteers_cannot_record_for_others(cw, login, actor):
    client = login(getattr(cw, actor))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, form_data(cw, reporter_name="x")).status_code == 403


def test_frank_records_for_the_homes_he_contacts(cw, login):
    response = login(cw.frank).post(NEW, form_data(cw, person=cw.p_s12.pk, place=f"s-{cw.s12.pk}"))
    assert response.status_code == 302
    assert Case.objects.get().reporter == cw.p_s12


def test_choosing_a_compound_lists_its_buildings_and_stairwells(cw, login):
    client = login(cw.erin)
    html = client.get(reverse("cases:new_places"), {"compound": cw.yijing.pk}, **HX).content.decode()
    assert f"s-{cw.ys.pk}" in html and f"s-{cw.s11.pk}" not in html
    # Without JavaScript the same is a press of "Show its buildings": the form is redrawn, kept.
    html = client.post(NEW, {"step": "place", "compound": cw.yijing.pk, "title": "留着"}).content.decode()
    assert f"s-{cw.ys.pk}" in html and 'value="留着"' in html
    assert not Case.objects.exists()


def test_a_leader_with_one_compound_gets_it_chosen(cw, login):
    html = login(cw.bob).get(NEW).content.decode()
    assert f"s-{cw.s11.pk}" in html and f"b-{cw.b2.pk}" in html


def test_script_typed_in_the_search_is_escaped(cw, login):
    html = login(cw.carol).get(NEW, {"who": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in html
