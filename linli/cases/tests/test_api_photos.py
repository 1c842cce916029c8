"""Photos on a case over the API: who may add them and until when (services.add_photos), at
most six on a case, and every photo URL a page that checks access (uploads are not served):
the case's photo page for those who see the case, the board's photo page for the public."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from linli.cases import services
from linli.cases.lifecycle import CaseError, perform
from linli.cases.models import Event, Photo
from linli.lib.images import clean_photo

from .conftest import API, EN, image_upload


def upload(client, case, *files, headers=None):
    return client.post(f"{API}/cases/{case.code}/photos", {"photos": list(files)}, headers=headers or {})


@pytest.fixture(autouse=True)
def media(fresh_limits, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_photos_from_the_reporter_until_work_starts_and_from_handlers_until_closed(cw, case, login):
    resident = login(cw.alice)
    response = upload(resident, case, image_upload(), image_upload("b.jpg"))
    assert response.status_code == 201, response.content
    assert [(p["width"], p["height"]) for p in response.json()] == [(64, 48), (64, 48)]
    assert Photo.objects.filter(case=case).count() == 2
    for action in ("accept", "start"):
        perform(case, action, user=cw.dave)
    late = upload(login(cw.alice), case, image_upload(), headers=EN)
    assert (late.status_code, late.json()["detail"]) == (409, "Photos can no longer be added to this case.")
    clerk = login(cw.dave)
    assert upload(clerk, case, image_upload()).status_code == 201
    assert upload(login(cw.carol), case, image_upload()).status_code == 201  # community staff too
    services.reply(case=case, user=cw.dave, text="修好了")
    perform(case, "resolve", user=cw.dave)
    perform(case, "close", user=cw.carol)
    closed = upload(login(cw.dave), case, image_upload(), headers=EN)
    assert (closed.status_code, closed.json()["code"]) == (409, "invalid_state")
    assert Photo.objects.filter(case=case).count() == 4


@pytest.mark.parametrize("actor, status", [("bob", 403), ("henry", 404), ("paul", 404)])
def test_those_who_do_not_handle_the_case_add_no_photos(cw, case, login, actor, status):
    response = upload(login(getattr(cw, actor)), case, image_upload(), headers=EN)
    assert response.status_code == status
    if status == 403:
        assert response.json()["detail"] == "Your role does not allow you to add photos to this case."
    assert not Photo.objects.exists()


def test_at_most_six_photos_on_a_case_in_all(cw, case, login):
    resident = login(cw.alice)
    assert upload(resident, case, *[image_upload(f"{i}.jpg") for i in range(4)]).status_code == 201
    response = upload(resident, case, *[image_upload(f"{i}.jpg") for i in range(3)], headers=EN)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "body.photos",
            "message": "A case can have at most 6 photos; this one has 4.",
            "type": "too_many_photos",
        }
    ]
    assert Photo.objects.filter(case=case).count() == 4
    assert upload(resident, case, image_upload(), image_upload("b.jpg")).status_code == 201
    assert upload(resident, case, image_upload()).status_code == 422
    assert Photo.objects.filter(case=case).count() == 6


def test_a_file_that_is_not_a_photo_is_refused(cw, case, login):
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = upload(login(cw.alice), case, fake, headers=EN)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "body.photos", "message": "This file is not a photo. Please choose a JPEG, PNG or WebP image."}
    ]
    too_many = upload(login(cw.alice), case, *[image_upload(f"{i}.jpg") for i in range(services.MAX_PHOTOS + 1)])
    assert too_many.status_code == 422
    assert not Photo.objects.exists()


def test_the_resident_through_his_secret_link_adds_photos_until_work_starts(cw, case):
    photos = [clean_photo(image_upload())]
    assert len(services.add_photos(case=case, as_reporter=True, photos=photos)) == 1
    perform(case, "accept", user=cw.dave)
    assert len(services.add_photos(case=case, as_reporter=True, photos=photos)) == 1
    perform(case, "start", user=cw.dave)
    with pytest.raises(CaseError):
        services.add_photos(case=case, as_reporter=True, photos=photos)
    with pytest.raises(PermissionDenied):
        services.add_photos(case=case, user=cw.bob, photos=photos)
    assert case.photos.count() == 2


# --- photo URLs: pages that check access ------------------------------------------------


def test_photo_urls_are_the_case_photo_page_checked_for_access(cw, case, login):
    created = upload(login(cw.alice), case, image_upload()).json()
    url = created[0]["url"]
    assert url == f"/cases/{case.code}/photos/{created[0]['id']}/"
    assert "/media/" not in url
    detail = login(cw.dave).get(f"{API}/cases/{case.code}").json()
    assert [p["url"] for p in detail["photos"]] == [url]
    opened = login(cw.dave).get(url)
    assert opened.status_code == 200 and opened["content-type"] == "image/jpeg"
    assert b"".join(opened.streaming_content)[:2] == b"\xff\xd8"
    assert login(cw.paul).get(url).status_code == 404  # the other company's clerk
    assert Client().get(url).status_code == 302  # to the login page


def test_photos_of_internal_entries_only_for_those_who_work_on_the_case(cw, case, login):
    note = services.add_note(case=case, user=cw.dave, text="现场照片，内部留存")
    clean = clean_photo(image_upload())
    Photo.objects.create(case=case, event=note, image=ContentFile(clean.content, name=clean.name), width=64, height=48)
    assert len(login(cw.dave).get(f"{API}/cases/{case.code}").json()["photos"]) == 1
    assert login(cw.alice).get(f"{API}/cases/{case.code}").json()["photos"] == []


def test_the_public_sees_answers_photos_and_the_residents_own_only_if_agreed(cw, now_case, login):
    private = now_case()
    agreed = now_case(title="楼道堆放杂物", public_details=True, reporter=cw.p_neighbour)
    for case in (private, agreed):
        services.add_photos(case=case, as_reporter=True, photos=[clean_photo(image_upload())])
        perform(case, "accept", user=cw.dave)
        services.reply(case=case, user=cw.dave, text="已处理", photos=[clean_photo(image_upload("r.jpg"))])
    body = Client().get(f"{API}/public/compounds/{cw.fufeng.pk}/board").json()
    items = {c["code"]: c for c in body["items"]}
    reply_photo = Photo.objects.get(case=private, event__type=Event.Type.REPLY)
    assert [p["url"] for p in items[private.code]["photos"]] == [
        f"/r/board/{cw.fufeng.pk}/{private.code}/photo/{reply_photo.pk}/"
    ]
    assert len(items[agreed.code]["photos"]) == 2
    for item in items.values():
        for p in item["photos"]:
            assert Client().get(p["url"]).status_code == 200, p
    own = Photo.objects.get(case=private, event__isnull=True)
    assert Client().get(f"/r/board/{cw.fufeng.pk}/{private.code}/photo/{own.pk}/").status_code == 404
    tracked = Client().post(
        f"{API}/public/track", {"code": private.code, "last4": "0001"}, content_type="application/json"
    )
    assert [p["id"] for p in tracked.json()["photos"]] == [reply_photo.pk]
