import struct
import zlib
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image

from linli.lib.images import clean_photo


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def encoded(image: Image.Image, fmt: str, **kwargs) -> bytes:
    out = BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


def phone_photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.Base.Model] = "Camera 12"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (22.0, 58.0, 12.5),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (113.0, 9.0, 30.0),
    }
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    return encoded(Image.new("RGB", (640, 480), (90, 140, 60)), "JPEG", exif=exif, xmp=xmp, comment=b"home 101")


def test_a_phone_photo_loses_its_exif_and_gps_location():
    original = phone_photo_with_gps()
    assert Image.open(BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the photo does carry GPS

    photo = clean_photo(upload(original))

    result = Image.open(BytesIO(photo.content))
    assert result.format == "JPEG"
    assert dict(result.getexif()) == {}
    assert result.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
    assert b"Exif\x00\x00" not in photo.content
    assert b"adobe:ns:meta" not in photo.content
    assert b"home 101" not in photo.content
    assert (photo.width, photo.height, photo.content_type) == (640, 480, "image/jpeg")


def test_the_photo_is_turned_upright_from_its_exif_orientation():
    # Stored sideways, as a phone held upright stores it: left half red, right half blue, and
    # orientation 6 says "turn 90° clockwise to show", which brings the red half to the top.
    sideways = Image.new("RGB", (400, 200), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6

    photo = clean_photo(upload(encoded(sideways, "JPEG", exif=exif, quality=95)))

    result = Image.open(BytesIO(photo.content)).convert("RGB")
    assert result.size == (200, 400) == (photo.width, photo.height)
    top, bottom = result.getpixel((100, 50)), result.getpixel((100, 350))
    assert top[0] > 200 and top[2] < 60
    assert bottom[2] > 200 and bottom[0] < 60


def test_a_large_photo_is_shrunk_to_the_longest_side():
    big = encoded(Image.new("RGB", (3000, 2000), (200, 180, 30)), "JPEG")

    default = clean_photo(upload(big))
    small = clean_photo(upload(big), max_side=500)

    assert (default.width, default.height) == (1600, 1067)
    assert Image.open(BytesIO(default.content)).size == (1600, 1067)
    assert max(Image.open(BytesIO(small.content)).size) == 500


def test_a_small_photo_is_not_enlarged():
    photo = clean_photo(upload(encoded(Image.new("RGB", (300, 200)), "JPEG")))

    assert (photo.width, photo.height) == (300, 200)


def test_a_png_with_transparency_becomes_a_jpeg_on_white():
    image = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    image.paste((0, 128, 0, 255), (60, 0, 120, 80))

    photo = clean_photo(upload(encoded(image, "PNG"), name="drawing.png", content_type="image/png"))

    result = Image.open(BytesIO(photo.content))
    assert result.format == "JPEG" and result.mode == "RGB"
    assert photo.name.endswith(".jpg") and photo.content_type == "image/jpeg"
    assert min(result.getpixel((10, 40))) > 245  # transparent became white, not black
    assert result.getpixel((100, 40))[1] > 100


def test_webp_is_accepted():
    photo = clean_photo(upload(encoded(Image.new("RGB", (50, 40), "teal"), "WEBP"), name="a.webp"))

    assert Image.open(BytesIO(photo.content)).format == "JPEG"


def test_each_photo_gets_a_new_random_name():
    data = encoded(Image.new("RGB", (20, 20)), "JPEG")

    first, second = clean_photo(upload(data, name="IMG_0001.jpg")), clean_photo(upload(data, name="IMG_0001.jpg"))

    assert first.name != second.name
    assert "IMG" not in first.name


@pytest.mark.parametrize("limit", [1000, None])
def test_a_file_over_the_size_limit_is_refused(limit, settings):
    settings.PHOTO_MAX_BYTES = 1024 * 1024
    data = encoded(Image.effect_noise((1200, 1200), 100).convert("RGB"), "JPEG", quality=95)
    assert len(data) > 1024 * 1024

    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(data), max_bytes=limit)

    assert excinfo.value.code == "too_large"
    expected = "0.000953674 MB" if limit == 1000 else "1 MB"
    assert f"The photo is larger than {expected}." in message(excinfo)


def test_the_size_limit_holds_even_when_the_upload_understates_its_size():
    data = encoded(Image.effect_noise((600, 600), 100).convert("RGB"), "JPEG", quality=95)
    file = upload(data)
    file.size = 10

    with pytest.raises(ValidationError, match="larger than"):
        clean_photo(file, max_bytes=len(data) - 1)


def test_a_text_file_named_jpg_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(b"name,phone\nalice,13812345678\n", name="list.jpg", content_type="image/jpeg"))

    assert excinfo.value.code == "not_image"
    assert message(excinfo) == "This file is not a photo. Please choose a JPEG, PNG or WebP image."


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="not a photo"):
        clean_photo(upload(b""))


def test_other_picture_formats_are_named_and_refused():
    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(encoded(Image.new("RGB", (10, 10)), "GIF"), name="a.gif"))

    assert excinfo.value.code == "format"
    assert message(excinfo) == "GIF images cannot be used. Please choose a JPEG, PNG or WebP image."


def test_an_iphone_heic_photo_gets_advice_when_it_cannot_be_read():
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200

    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(heic, name="IMG_0001.HEIC", content_type="image/heic"))

    assert excinfo.value.code == "heic"
    assert "Please choose a JPEG photo" in message(excinfo)


def test_an_animated_image_is_refused():
    frames = [Image.new("RGB", (30, 30), colour) for colour in ("red", "blue")]
    data = encoded(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=200)

    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(data, name="sticker.webp"))

    assert excinfo.value.code == "animated"


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture: what a decompression bomb looks like."""
    data = bytearray(encoded(Image.new("L", (1, 1)), "PNG"))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    "width, height",
    [
        (9000, 9000),  # over our limit, under Pillow's
        (10000, 10000),  # Pillow warns
        (30000, 30000),  # Pillow refuses
    ],
)
def test_a_picture_with_absurd_dimensions_is_refused(width, height):
    data = png_claiming(width, height)
    assert len(data) < 100

    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(data, name="bomb.png"))

    assert excinfo.value.code == "too_many_pixels"
    assert "at most 64 megapixels" in message(excinfo)


def test_a_truncated_photo_is_refused_as_damaged():
    data = encoded(Image.effect_noise((400, 400), 50).convert("RGB"), "JPEG")

    with pytest.raises(ValidationError) as excinfo:
        clean_photo(upload(data[: len(data) // 2]))

    assert excinfo.value.code == "damaged"
    assert "may be damaged" in message(excinfo)
