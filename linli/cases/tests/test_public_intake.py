"""Reporting a problem from a phone: the form, the poster's QR link, photos, similar cases,
support, and every kind of bad input refused with a message and nothing written."""

from io import BytesIO

import pytest
from django.utils import translation
from PIL import ExifTags, Image

from linli.cases.models import Case, Channel, Event, Photo, Status, Support
from linli.people.models import Person

from .test_public_pages import _fresh_limits, english, intake_data, jpeg_with_gps, photo_upload, submit  # noqa: F401


def post_poster(client, cw, **kw):
    return client.post(f"/r/s/{cw.s11.pk}/", intake_data(cw, **kw))


def test_the_poster_link_prefills_the_place_and_records_the_channel(cw, client):
    page = client.get(f"/r/s/{cw.s11.pk}/")
    html = page.content.decode()
    assert "富丰新城 1栋 1单元" in html
    assert f'<option value="{cw.s11.pk}" selected>' in html
    assert f'<option value="{cw.b1.pk}" selected>' in html

    response = post_poster(client, cw)

    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/r/done/{case.code}/"
    assert case.channel == Channel.POSTER
    assert (case.compound, case.building, case.stairwell) == (cw.fufeng, cw.b1, cw.s11)
    assert case.reporter.name == "张三" and case.phone_last4 == "5678"
    assert case.on_public_board and not case.public_details


def test_the_plain_form_records_the_mobile_channel(cw, client):
    response = client.post(f"/r/new/?compound={cw.fufeng.pk}", intake_data(cw))
    assert response.status_code == 302
    assert Case.objects.get().channel == Channel.MOBILE


def test_without_a_compound_the_form_first_asks_for_it(cw, client):
    html = client.get("/r/new/").content.decode()
    assert 'name="compound"' in html and "富丰新城" in html and "颐景园" in html
    assert 'name="title"' not in html


def test_an_unknown_compound_is_asked_again(cw, client):
    with translation.override("en"):
        response = english(client).get("/r/new/?compound=999999")
    assert response.status_code == 400
    assert "Please choose your compound from the list." in response.content.decode()


def test_an_unknown_poster_code_is_a_friendly_404_in_the_users_language(cw, client):
    response = client.get("/r/s/999999/")
    assert response.status_code == 404
    assert '<html lang="zh-Hans">' in response.content.decode()
    response = english(client).get("/r/s/999999/")
    assert response.status_code == 404
    assert "code is not recognised" in response.content.decode()


def test_confirmation_shows_the_code_and_the_secret_link_once(cw, client):
    post_poster(client, cw)
    case = Case.objects.get()
    first = client.get(f"/r/done/{case.code}/").content.decode()
    assert case.code in first
    secret = first.split(f"/r/track/{case.code}/")[1].split("/")[0]
    assert case.secret_matches(secret)
    qr = client.get(f"/r/track/{case.code}/{secret}/qr.png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png"
    assert Image.open(BytesIO(qr.content)).format == "PNG"

    again = client.get(f"/r/done/{case.code}/").content.decode()
    assert case.code in again and secret not in again


def test_the_confirmation_of_someone_elses_case_is_not_shown(cw, client, django_user_model):
    case, _secret = submit(cw)
    response = client.get(f"/r/done/{case.code}/")
    assert response.status_code == 302 and response["Location"].startswith("/r/track/?code=")


def test_a_photo_is_stored_as_a_clean_jpeg_without_exif(cw, client):
    original = jpeg_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    response = post_poster(client, cw, photos=[photo_upload(original), photo_upload(name="b.png")])

    assert response.status_code == 302
    photos = list(Photo.objects.all())
    assert len(photos) == 2
    stored = photos[0].image.read()
    image = Image.open(BytesIO(stored))
    assert image.format == "JPEG" and photos[0].image.name.endswith(".jpg")
    assert dict(image.getexif()) == {} and b"Exif\x00\x00" not in stored
    assert photos[0].event is None


def test_a_logged_in_resident_reports_as_himself_with_his_home_preselected(cw, login):
    client = login(cw.alice)
    html = client.get("/r/new/").content.decode()
    assert f'<option value="{cw.s11.pk}" selected>' in html
    assert 'name="phone"' not in html  # he is known: no name or number to type

    response = client.post("/r/new/", intake_data(cw, name=None, phone=None, public_details="on", photos=None))

    case = Case.objects.get()
    assert response.status_code == 302
    assert case.reporter == cw.p_alice and case.home == cw.h101 and case.public_details
    assert case.phone_last4 == "0001"
    assert client.get(f"/r/track/{case.code}/").status_code == 200  # his own, without digits


# --- bad input: a message, nothing written -------------------------------------------------


def refused(client, cw, url=None, **kw):
    with translation.override("en"):
        response = english(client).post(url or f"/r/s/{cw.s11.pk}/", intake_data(cw, **kw))
    assert response.status_code == 400
    assert Case.objects.count() == 0 and Photo.objects.count() == 0 and Event.objects.count() == 0
    return response.content.decode()


def test_an_oversize_photo_is_refused(cw, client, settings):
    settings.PHOTO_MAX_BYTES = 2000
    html = refused(client, cw, photos=[photo_upload(jpeg_with_gps(size=(1200, 900)))])
    assert "Photo 1:" in html and "larger than" in html
    assert "choose them again" in html


def test_a_file_that_is_not_an_image_is_refused(cw, client):
    html = refused(client, cw, photos=[photo_upload(b"%PDF-1.4 not a photo", name="x.jpg")])
    assert "This file is not a photo" in html


def test_more_than_six_photos_are_refused(cw, client):
    html = refused(client, cw, photos=[photo_upload() for _ in range(7)])
    assert "At most 6 photos" in html


def test_a_missing_title_is_refused(cw, client):
    html = refused(client, cw, title="")
    assert "Please write a short title." in html


def test_a_bad_phone_is_refused_and_no_person_is_added(cw, client):
    people = Person.objects.count()
    html = refused(client, cw, phone="12345")
    assert "Phone number must be 11 digits" in html
    assert Person.objects.count() == people


def test_name_and_phone_are_required_without_login(cw, client):
    html = refused(client, cw, name="", phone="")
    assert "Please write your name." in html and "Please write your mobile number." in html


def test_an_unknown_category_is_refused(cw, client):
    html = refused(client, cw, category="bribery")
    assert "Please choose one of the kinds of problem shown." in html


def test_an_inactive_category_is_refused(cw, client):
    cw.cat.pets.active = False
    cw.cat.pets.save()
    refused(client, cw, category="pets")


def test_a_stairwell_of_another_compound_is_refused(cw, client):
    html = refused(client, cw, url=f"/r/new/?compound={cw.fufeng.pk}", building=None, stairwell=cw.ys.pk)
    assert "That stairwell is not in this compound." in html


def test_a_stairwell_of_another_building_is_refused(cw, client):
    html = refused(client, cw, url=f"/r/new/?compound={cw.fufeng.pk}", building=cw.b2.pk, stairwell=cw.s11.pk)
    assert "That stairwell is not in the building you chose." in html


def test_scripts_in_the_text_are_shown_as_text(cw, client):
    html = refused(client, cw, title="<script>alert(1)</script>", description="")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_anonymous_reports_are_limited_per_connection(cw, client):
    for _ in range(20):
        assert client.post(f"/r/s/{cw.s11.pk}/", intake_data(cw, title="")).status_code == 400
    response = client.post(f"/r/s/{cw.s11.pk}/", intake_data(cw))
    assert response.status_code == 429
    assert Case.objects.count() == 0


# --- similar cases and support ---------------------------------------------------------------


def test_similar_open_cases_are_shown_without_names(cw, client):
    case, _ = submit(cw, title="灯又坏了", reporter_name="李秘密")
    hidden, _ = submit(cw, title="私下反映", on_public_board=False)
    submit(cw, title="别的类别", category=cw.cat.noise)

    url = f"/r/similar/?compound={cw.fufeng.pk}&stairwell={cw.s11.pk}&category=maintenance"
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "灯又坏了" in html and f"/r/support/{case.code}/" in html
    assert "李秘密" not in html and "5678" not in html
    assert "私下反映" not in html and "别的类别" not in html


def test_similar_cases_are_also_shown_after_a_refused_submission(cw, client):
    submit(cw, title="灯又坏了")
    html = client.post(f"/r/s/{cw.s11.pk}/", intake_data(cw, title="")).content.decode()
    assert "灯又坏了" in html


def test_choosing_a_building_offers_only_its_stairwells(cw, client):
    url = f"/r/new/stairwells/?compound={cw.fufeng.pk}&building={cw.b2.pk}&category=maintenance"
    html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'value="{cw.s21.pk}"' in html and f'value="{cw.s11.pk}"' not in html
    assert 'hx-swap-oob="true"' in html


def test_a_neighbour_supports_a_case_with_name_and_phone(cw, client):
    case, _ = submit(cw)
    response = client.post(f"/r/support/{case.code}/", {"name": "王五", "phone": "139 1111 2222"})
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.supporters == 1
    assert Support.objects.get(case=case).person.phone == "13911112222"

    client.post(f"/r/support/{case.code}/", {"name": "王五", "phone": "13911112222"})
    case.refresh_from_db()
    assert case.supporters == 1  # once per person


def test_a_logged_in_resident_supports_with_one_tap(cw, login):
    case, _ = submit(cw)
    response = login(cw.bob).post(f"/r/support/{case.code}/")
    assert response.status_code == 200
    assert Support.objects.get(case=case).person == cw.p_bob


def test_supporting_ones_own_case_is_refused_and_nothing_is_written(cw, client):
    case, _ = submit(cw)
    with translation.override("en"):
        response = english(client).post(f"/r/support/{case.code}/", {"name": "张三", "phone": "13812345678"})
    assert response.status_code == 409
    assert "This is your own case." in response.content.decode()
    assert Support.objects.count() == 0


def test_support_with_a_bad_phone_writes_nothing(cw, client):
    case, _ = submit(cw)
    people = Person.objects.count()
    response = client.post(f"/r/support/{case.code}/", {"name": "王五", "phone": "555"})
    assert response.status_code == 400
    assert Person.objects.count() == people and Support.objects.count() == 0


@pytest.mark.parametrize("private", [True, False])
def test_a_private_or_resolved_case_cannot_be_supported(cw, client, private):
    from .test_public_pages import resolve

    case, _ = submit(cw, on_public_board=not private)
    if not private:
        case = resolve(cw, case)
        assert case.status == Status.RESOLVED
    response = client.post(f"/r/support/{case.code}/", {"name": "王五", "phone": "13911112222"})
    assert response.status_code == 404
    assert Support.objects.count() == 0


# --- posters ---------------------------------------------------------------------------------


def test_a_leader_downloads_his_stairwells_poster_as_png_and_pdf(cw, login):
    client = login(cw.bob)
    png = client.get(f"/r/s/{cw.s11.pk}/poster.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    assert Image.open(BytesIO(png.content)).size == (1240, 1754)
    pdf = client.get(f"/r/s/{cw.s11.pk}/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_posters_need_login_and_the_stairwell_within_reach(cw, client, login):
    assert client.get(f"/r/s/{cw.s11.pk}/poster.png").status_code == 302  # to the login page
    assert login(cw.bob).get(f"/r/s/{cw.ys.pk}/poster.png").status_code == 404  # another compound


def test_the_poster_qr_code_holds_the_entry_url(cw, login, monkeypatch):
    from linli.lib import posters

    seen = {}

    def fake(**kw):
        seen.update(kw)
        return b"png"

    monkeypatch.setattr(posters, "stairwell_poster", fake)
    login(cw.bob).get(f"/r/s/{cw.s11.pk}/poster.png")
    assert seen["url"] == f"http://testserver/r/s/{cw.s11.pk}/"
    assert "富丰新城 1栋 1单元" in seen["title_lines"]
    assert seen["fmt"] == "png"
