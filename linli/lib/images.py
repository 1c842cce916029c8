"""Safe photo uploads: check that a file really is a photo, then keep only its pixels.

Residents photograph a leaking pipe or a blocked fire lane from their phone. A phone photo
carries EXIF with the GPS position of the home it was taken in, so the stored copy is
re-encoded from pixels alone: no EXIF, no XMP, no comments, and a random name.
"""

import logging
import secrets
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

log = logging.getLogger(__name__)

# 64 megapixels covers every phone camera in its usual modes (a 50 MP phone gives 8160 × 6120);
# a larger picture is most likely a decompression bomb, a tiny file that decodes to gigabytes.
MAX_PIXELS = 64_000_000
DEFAULT_MAX_SIDE = 1600
JPEG_QUALITY = 82

# The decoders allowed to look at an upload. The JPEG one also opens MPO, a JPEG with extra
# frames (some phones add a depth map) whose first frame is the photo. HEIF only when a plugin
# (pillow-heif) reads it here.
_ACCEPTED = ("JPEG", "PNG", "WEBP")
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    name: str
    width: int
    height: int
    content_type: str = "image/jpeg"


def clean_photo(
    uploaded_file,
    *,
    max_bytes: int | None = None,
    max_side: int = DEFAULT_MAX_SIDE,
    max_pixels: int = MAX_PIXELS,
) -> CleanPhoto:
    """The photo as a JPEG of at most `max_side` pixels a side, upright, with no metadata.

    `uploaded_file` is a Django UploadedFile or any binary file object. Raises ValidationError
    with a message for the person who chose the file. `max_bytes` defaults to
    settings.PHOTO_MAX_BYTES.
    """
    if max_bytes is None:
        max_bytes = settings.PHOTO_MAX_BYTES
    data = _read_limited(uploaded_file, max_bytes)
    image = _open(data, max_pixels)
    try:
        image = _upright_and_small(image, max_side)
    except ValidationError:
        raise
    except Exception as exc:  # Pillow raises many kinds of error on a damaged file
        log.info("photo could not be decoded: %r", exc)
        raise _damaged() from exc
    return _encode(image)


def _read_limited(uploaded_file, max_bytes: int) -> bytes:
    too_large = ValidationError(
        _("The photo is larger than %(limit)s. Please choose a smaller photo."),
        code="too_large",
        params={"limit": _megabytes(max_bytes)},
    )
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > max_bytes:
        raise too_large
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(max_bytes + 1)  # never more than the limit, whatever size claims
    if len(data) > max_bytes:
        raise too_large
    if not data:
        raise _not_a_photo()
    return data


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open the file with only the accepted decoders; the browser's content type and the name are not trusted."""
    formats = list(_ACCEPTED) + (["HEIF"] if _heif_readable() else [])
    try:
        # Pillow warns on a suspiciously large picture and raises on a larger one: both refuse here.
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=formats)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(max_pixels) from exc
    except Exception as exc:
        raise _unaccepted(data) from exc
    if image.width * image.height > max_pixels:
        raise _too_many_pixels(max_pixels, image.size)
    if getattr(image, "is_animated", False) and image.format != "MPO":
        raise ValidationError(
            _("Animated images cannot be used. Please choose a still photo in JPEG, PNG or WebP."),
            code="animated",
        )
    return image


def _upright_and_small(image: Image.Image, max_side: int) -> Image.Image:
    icc = image.info.get("icc_profile")
    if image.format in ("JPEG", "MPO"):
        # Let libjpeg decode at 1/2, 1/4 or 1/8 scale when the photo is much larger than we keep:
        # a 50 MP photo then costs a fraction of the memory and time.
        image.draft("RGB", (max_side, max_side))
    image.load()
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # A fresh image holds the pixels only: EXIF, XMP, comments and the rest of info stay behind.
    clean = Image.new("RGB", image.size, "white")
    clean.paste(image, mask=image if has_alpha else None)
    # A colour profile says how to show the colours (Display P3 on iPhones) and says nothing about
    # the person; keep it only when it describes RGB, as the pixels now are.
    if icc and isinstance(icc, bytes) and icc[16:20] == b"RGB " and len(icc) <= 256 * 1024:
        clean.info["icc_profile"] = icc
    return clean


def _encode(image: Image.Image) -> CleanPhoto:
    out = BytesIO()
    image.save(
        out,
        format="JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        icc_profile=image.info.get("icc_profile"),
    )
    return CleanPhoto(
        content=out.getvalue(),
        name=f"{secrets.token_hex(16)}.jpg",
        width=image.width,
        height=image.height,
    )


def _heif_readable() -> bool:
    Image.init()
    return "HEIF" in Image.OPEN


def _looks_like_heif(data: bytes) -> bool:
    return data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS


def _unaccepted(data: bytes) -> ValidationError:
    """Say what the file is when it is a picture in another format; else that it is not a photo."""
    if _looks_like_heif(data):
        return ValidationError(
            _(
                "HEIC photos (the iPhone default) cannot be read here. Please choose a JPEG photo, "
                "or set the iPhone camera to “Most Compatible” (Settings › Camera › Formats)."
            ),
            code="heic",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            other = Image.open(BytesIO(data)).format  # reads the header only
    except Exception:
        other = None
    if other:
        return ValidationError(
            _("%(format)s images cannot be used. Please choose a JPEG, PNG or WebP image."),
            code="format",
            params={"format": other},
        )
    return _not_a_photo()


def _not_a_photo() -> ValidationError:
    return ValidationError(_("This file is not a photo. Please choose a JPEG, PNG or WebP image."), code="not_image")


def _damaged() -> ValidationError:
    return ValidationError(
        _("The photo could not be read; the file may be damaged. Please choose another photo."), code="damaged"
    )


def _too_many_pixels(max_pixels: int, size: tuple[int, int] | None = None) -> ValidationError:
    if size:
        return ValidationError(
            _(
                "The picture is too large (%(width)s × %(height)s pixels). "
                "Please choose a photo of at most %(megapixels)s megapixels."
            ),
            code="too_many_pixels",
            params={"width": size[0], "height": size[1], "megapixels": max_pixels // 1_000_000},
        )
    return ValidationError(
        _("The picture is too large. Please choose a photo of at most %(megapixels)s megapixels."),
        code="too_many_pixels",
        params={"megapixels": max_pixels // 1_000_000},
    )


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"
