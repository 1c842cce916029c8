"""The public case pages open in Chinese and in English; helpers shared by test_public_*.py."""

from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from linli.cases import services

from . import conftest


@pytest.fixture(autouse=True)
def _fresh_limits(fresh_limits, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # photos go to a temporary folder


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def jpeg_with_gps(size=(640, 480)) -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (22.0, 58.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (113.0, 9.0, 30.0),
    }
    out = BytesIO()
    Image.new("RGB", size, (90, 140, 60)).save(out, format="JPEG", exif=exif)
    return out.getvalue()


def photo_upload(data=None, name="photo.jpg"):
    return SimpleUploadedFile(name, data if data is not None else jpeg_with_gps(), content_type="image/jpeg")


def intake_data(cw, **kw):
    data = {
        "compound": cw.fufeng.pk,
        "building": cw.b1.pk,
        "stairwell": cw.s11.pk,
        "category": "maintenance",
        "title": "楼道灯坏了",
        "description": "3楼楼道灯不亮",
        "name": "张三",
        "phone": "13812345678",
        "on_public_board": "on",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def submit(cw, **kw):
    """(case, secret): a case reported by 张三 (phone ending 5678) in 富丰新城 1栋1单元."""
    args = dict(
        compound=cw.fufeng,
        stairwell=cw.s11,
        category=cw.cat.maintenance,
        title="楼道灯坏了",
        description="3楼楼道灯不亮",
        reporter_name="张三",
        reporter_phone="13812345678",
    )
    args.update(kw)
    return services.submit(**args)


def resolve(cw, case, reply="已更换灯泡。"):
    """Resolved by dave, after a public reply."""
    return conftest.resolve(case, cw.dave, reply=reply)


def pages(cw, case, secret):
    return [
        "/r/new/",
        f"/r/new/?compound={cw.fufeng.pk}",
        f"/r/s/{cw.s11.pk}/",
        "/r/track/",
        f"/r/track/{case.code}/{secret}/",
        f"/r/board/{cw.fufeng.pk}/",
        f"/r/board/{cw.fufeng.pk}/{case.code}/",
        f"/r/support/{case.code}/",
    ]


def test_every_public_page_opens_in_chinese(cw, client):
    case, secret = submit(cw)
    for url in pages(cw, case, secret):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="zh-Hans">' in html, url
        assert "跳到正文" in html, url  # the page chrome is in Chinese


def test_every_public_page_opens_in_english(cw, client):
    case, secret = submit(cw)
    english(client)
    expected = {
        "/r/new/": "Report a problem",
        "/r/track/": "Follow your case",
        f"/r/board/{cw.fufeng.pk}/": "public board",
        f"/r/support/{case.code}/": "Support a case",
    }
    for url in pages(cw, case, secret):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert '<html lang="en">' in html, url
        assert "Skip to content" in html, url
        if url in expected:
            assert expected[url] in html, url


def test_category_buttons_use_the_chinese_names(cw, client):
    html = client.get(f"/r/new/?compound={cw.fufeng.pk}").content.decode()
    assert "设施维修" in html and "高空抛物" in html
    english(client)
    html = client.get(f"/r/new/?compound={cw.fufeng.pk}").content.decode()
    assert "Facility maintenance" in html


def test_the_poster_links_snippet_points_at_the_downloads_and_the_form(cw):
    from django.template.loader import render_to_string

    html = render_to_string("cases/public/_poster_links.html", {"stairwell": cw.s11})
    assert f"/r/s/{cw.s11.pk}/poster.pdf" in html
    assert f"/r/s/{cw.s11.pk}/poster.png" in html
    assert f'href="/r/s/{cw.s11.pk}/"' in html
