"""Normalising what people type or what Excel saves: full-width digits, spaces, dashes."""

import re
import unicodedata

from django.utils.translation import gettext as _

_PHONE = re.compile(r"^1[3-9]\d{9}$")
_ID = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def halfwidth(text: str) -> str:
    """Full-width digits and letters (１３８, ＡＢ) become ASCII; other text is kept."""
    return unicodedata.normalize("NFKC", text or "").strip()


def digits_only(text: str) -> str:
    return re.sub(r"[\s\-\u2010-\u2015()（）+]", "", halfwidth(text))


def normalize_phone(raw: str) -> str:
    """A mainland mobile number as 11 digits; raises ValueError with a readable message."""
    value = digits_only(str(raw))
    if value.startswith("86") and len(value) == 13:
        value = value[2:]
    if value.endswith(".0"):  # Excel stored the number as a float
        value = value[:-2]
    if not _PHONE.match(value):
        raise ValueError(_("Phone number must be 11 digits starting with 1: %(value)s") % {"value": raw})
    return value


def normalize_id_number(raw: str) -> str:
    """An 18-character resident ID number with a valid check digit."""
    value = digits_only(str(raw)).upper()
    if not _ID.match(value):
        raise ValueError(_("ID number must be 18 characters: %(value)s") % {"value": raw})
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValueError(_("ID number check digit is wrong: %(value)s") % {"value": raw})
    return value


def id_number_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]
