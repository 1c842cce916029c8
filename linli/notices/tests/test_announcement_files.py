"""Files sent with an announcement: checked before anything is saved, photos re-encoded without
their metadata, served only to those who may read the announcement."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from linli.notices import announcements as ann
from linli.notices.models import Announcement, AnnouncementAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def photo_with_gps(name="门口.jpg"):
    image = Image.new("RGB", (64, 48), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (23.0, 1.0, 2.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def pdf(name="停水通知.pdf", data=PDF):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def publish(cw, files, **kw):
    return ann.publish(user=cw.carol, level="building", place=cw.b1, title="停水", body="b", files=files, **kw)


def test_a_photo_is_stored_without_its_metadata_and_a_pdf_as_it_is(cw):
    a = publish(cw, [photo_with_gps(), pdf()])
    photo, doc = a.attachments.all()
    assert (photo.name, photo.content_type) == ("门口.jpg", "image/jpeg")
    stored = Image.open(photo.file.open("rb"))
    assert stored.size == (64, 48) and not stored.getexif()
    assert (doc.name, doc.content_type, doc.size) == ("停水通知.pdf", "application/pdf", len(PDF))
    assert doc.file.read() == PDF
    assert "停水通知" not in doc.file.name and "门口" not in photo.file.name  # stored under names of our own


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf"), "cannot be attached"),
        (pdf("notice.pdf", b"<html><script>alert(1)</script>"), "is not the kind of file its name says"),
        (SimpleUploadedFile("plan.xlsx", PDF, content_type="application/vnd.ms-excel"), "is not the kind of file"),
        (SimpleUploadedFile("broken.jpg", b"not a photo", content_type="image/jpeg"), "broken.jpg"),
    ],
)
def test_a_bad_file_refuses_the_announcement_and_nothing_is_saved(cw, upload, message):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        publish(cw, [pdf(), upload])
    assert message in " ".join(err.value.messages)
    assert not Announcement.objects.exists() and not AnnouncementAttachment.objects.exists()


def test_size_and_number_limits_come_from_settings(cw, settings):
    settings.NOTICES_ATTACHMENT_MAX_BYTES = 20
    with translation.override("en"), pytest.raises(ValidationError) as err:
        publish(cw, [pdf()])
    assert "“停水通知.pdf” is larger than" in err.value.messages[0]
    settings.NOTICES_ATTACHMENT_MAX_BYTES = 1024 * 1024
    settings.NOTICES_ATTACHMENTS_MAX = 2
    with translation.override("en"), pytest.raises(ValidationError) as err:
        publish(cw, [pdf(), pdf(), pdf()])
    assert err.value.messages == ["At most 2 files can be attached."]
    assert not Announcement.objects.exists()


def test_the_composer_uploads_files_and_the_page_lists_them(cw, login):
    client = login(cw.bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/notices/announcements/new/",
        {"place": f"building:{cw.b1.pk}", "title": "电梯检修", "body": "见附件。", "files": [pdf(), photo_with_gps()]},
    )
    a = Announcement.objects.get()
    assert response.status_code == 302
    doc, photo = a.attachments.order_by("pk")
    html = login(cw.alice).get(f"/notices/announcements/{a.pk}/").content.decode()
    assert "停水通知.pdf" in html and f"/notices/announcements/{a.pk}/files/{doc.pk}/" in html
    assert f'<img src="/notices/announcements/{a.pk}/files/{photo.pk}/"' in html


def test_a_bad_file_in_the_composer_shows_why_and_publishes_nothing(cw, login):
    client = login(cw.bob)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        "/notices/announcements/new/",
        {"place": f"building:{cw.b1.pk}", "title": "电梯检修", "body": "b", "files": [pdf(), pdf("x.docx")]},
    )
    assert response.status_code == 400
    assert "“x.docx” is not the kind of file its name says (.docx)." in response.content.decode()
    assert not Announcement.objects.exists()


def test_only_readers_fetch_a_file(cw, login):
    a = publish(cw, [pdf(), photo_with_gps()])
    doc, photo = a.attachments.order_by("pk")
    url = f"/notices/announcements/{a.pk}/files/{doc.pk}/"
    response = login(cw.alice).get(url)  # lives in 1栋
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    image = login(cw.alice).get(f"/notices/announcements/{a.pk}/files/{photo.pk}/")
    assert image["Content-Type"] == "image/jpeg" and "inline" in image["Content-Disposition"]
    assert login(cw.olga).get(url).status_code == 404  # lives in 颐景园
    assert login(cw.alice).get(f"/notices/announcements/{a.pk}/files/{doc.pk + 100}/").status_code == 404
    other = publish(cw, [])
    assert login(cw.alice).get(f"/notices/announcements/{other.pk}/files/{doc.pk}/").status_code == 404


def test_files_over_the_api(cw, client):
    from linli.accounts.models import ApiToken

    a = publish(cw, [pdf()])
    (doc,) = a.attachments.all()
    _, key = ApiToken.issue(user=cw.alice, name="phone")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    body = client.get(f"/api/v1/notices/announcements/{a.pk}").json()
    url = f"/api/v1/notices/announcements/{a.pk}/attachments/{doc.pk}"
    assert body["attachments"] == [
        {"id": doc.pk, "name": "停水通知.pdf", "content_type": "application/pdf", "size": len(PDF), "url": url}
    ]
    assert b"".join(client.get(url).streaming_content) == PDF
    _, key = ApiToken.issue(user=cw.olga, name="phone")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    assert client.get(url).status_code == 404


def test_publishing_with_files_over_the_api(cw, client):
    from linli.accounts.models import ApiToken

    _, key = ApiToken.issue(user=cw.carol, name="desk")
    client.defaults.update(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")
    form = {"level": "building", "place": cw.b1.pk, "title": "停水", "body": "周三停水"}
    r = client.post("/api/v1/notices/announcements/with-files", {**form, "files": [pdf(), photo_with_gps()]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert [f["name"] for f in body["attachments"]] == ["停水通知.pdf", "门口.jpg"]
    assert Announcement.objects.get(pk=body["id"]).attachments.count() == 2

    bad = SimpleUploadedFile("run.exe", b"MZ\x90\x00", content_type="application/pdf")
    before = (Announcement.objects.count(), AnnouncementAttachment.objects.count())
    r = client.post("/api/v1/notices/announcements/with-files", {**form, "title": "第二", "files": [pdf(), bad]})
    assert r.status_code == 422 and "run.exe" in r.content.decode() and "files" in r.content.decode()
    assert (Announcement.objects.count(), AnnouncementAttachment.objects.count()) == before
