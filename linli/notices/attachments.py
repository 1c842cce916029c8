"""Files sent with an announcement: photos, PDFs, Word and Excel files.

The browser's content type and the file name are not trusted: the type is read from the first
bytes, a photo is re-encoded from its pixels (no EXIF, no GPS: linli.lib.images) and every file
is stored under a random name. All files are checked before any is kept, so one bad file
refuses the whole announcement and nothing is saved.
"""

from __future__ import annotations

import os
import secrets
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from linli.lib.images import clean_photo

PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
# extension: (content type, accepted first bytes)
_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
}
ACCEPT = ",".join(sorted(PHOTO_TYPES | set(DOCUMENT_TYPES)))


@dataclass(frozen=True)
class CheckedFile:
    content: ContentFile  # named at random
    name: str  # the name shown to readers
    content_type: str
    size: int


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


def _display_name(raw: str) -> str:
    """The sender's file name without its path or control characters, kept for the readers."""
    name = os.path.basename((raw or "").replace("\\", "/"))
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip()
    if len(name) > 120:
        stem, ext = os.path.splitext(name)
        name = stem[: 120 - len(ext)] + ext
    return name or "file"


def check_file(upload) -> CheckedFile:
    name = _display_name(getattr(upload, "name", ""))
    ext = os.path.splitext(name)[1].lower()
    limit = settings.NOTICES_ATTACHMENT_MAX_BYTES
    if ext not in PHOTO_TYPES and ext not in DOCUMENT_TYPES:
        raise ValidationError(
            _("“%(name)s” cannot be attached: only photos (JPEG, PNG, WebP), PDF, Word and Excel files.")
            % {"name": name},
            code="type",
        )
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": _megabytes(limit)}, code="too_large"
        )
    if ext in PHOTO_TYPES:
        try:
            photo = clean_photo(upload, max_bytes=limit)
        except ValidationError as exc:
            raise ValidationError(f"“{name}”: {' '.join(exc.messages)}", code="photo") from None
        shown = os.path.splitext(name)[0] + ".jpg"
        return CheckedFile(ContentFile(photo.content, name=photo.name), shown, "image/jpeg", len(photo.content))
    content_type, magic = DOCUMENT_TYPES[ext]
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.") % {"name": name, "limit": _megabytes(limit)}, code="too_large"
        )
    if not data.startswith(magic):
        raise ValidationError(
            _("“%(name)s” is not the kind of file its name says (%(ext)s).") % {"name": name, "ext": ext},
            code="mismatch",
        )
    stored = ContentFile(data, name=secrets.token_hex(16) + ext)
    return CheckedFile(stored, name, content_type, len(data))


def check_files(uploads) -> list[CheckedFile]:
    """Every file checked, or a ValidationError naming the first bad one (nothing is kept)."""
    uploads = [u for u in (uploads or []) if u]
    most = settings.NOTICES_ATTACHMENTS_MAX
    if len(uploads) > most:
        raise ValidationError(_("At most %(n)s files can be attached.") % {"n": most}, code="too_many")
    return [check_file(u) for u in uploads]
