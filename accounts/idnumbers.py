"""Chinese resident identity numbers (GB 11643-1999): 17 digits, then an ISO 7064 MOD 11-2 check digit; the
real names that go with them; and how a purchaser's number and real name are masked wherever they are
shown."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.crypto import keyed_hash

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def id_number_normalize(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def id_number_validate(value: str) -> str:
    """Return the normalised number or raise ValidationError saying what is wrong with it."""
    number = id_number_normalize(value)
    if not _SHAPE.match(number):
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a final digit or X."), code="id_shape"
        )
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The date of birth in this ID number is not a real date."), code="id_date"
        ) from None
    if id_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong; please check each digit."), code="id_check_digit"
        )
    return number


# Han ideographs (the basic block, extension A, the supplementary planes' extensions, compatibility forms).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A Chinese name: 2 to 15 characters, all Han, the parts of a minority name joined by a middle dot (阿依·买买提).
_CHINESE_NAME = re.compile(rf"^[{_HAN}]+(?:·[{_HAN}]+)*$")
CHINESE_NAME_MAX = 15
# A Latin name: letters (accented ones too), words joined by one space, a hyphen or an apostrophe.
_LATIN_LETTERS = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
_LATIN_NAME = re.compile(rf"^[{_LATIN_LETTERS}]+(?:[ '\-][{_LATIN_LETTERS}]+)*$")
LATIN_NAME_MAX = 40
# The middle dots input methods type for the one an ID card prints.
_MIDDLE_DOTS = str.maketrans({"\u30fb": "·", "\u2022": "·", "\uff0e": "·", "\u2027": "·"})


def real_name_validate(value: str) -> str:
    """Return the name as an ID card prints it (trimmed, single spaces) or raise ValidationError: Chinese
    names of 2 to 15 Han characters, or Latin names of letters and spaces; no digits, markup, emoji or a
    mix of scripts."""
    name = unicodedata.normalize("NFC", value or "").translate(_MIDDLE_DOTS)
    name = " ".join(name.split())
    if _CHINESE_NAME.match(name) and 2 <= len(name) <= CHINESE_NAME_MAX:
        return name
    if _LATIN_NAME.match(name) and 2 <= len(name) <= LATIN_NAME_MAX:
        return name
    raise ValidationError(
        _(
            "Enter the real name exactly as on the ID card: 2 to 15 Chinese characters, or a name in Latin "
            "letters with spaces. Digits, symbols and emoji are not part of a name."
        ),
        code="real_name",
    )


def id_number_mask(number: str) -> str:
    """Keep the first and last character: 1**************X. Nothing in between is ever shown."""
    if not number:
        return ""
    return number[0] + "*" * (len(number) - 2) + number[-1]


def real_name_mask(name: str) -> str:
    """Keep the first character: 张** (the surname). Anything else of a real name is never shown."""
    return name if len(name) <= 1 else name[0] + "*" * (len(name) - 1)


def id_number_hash(number: str) -> str:
    """The keyed hash an ID number is found and deduplicated by (core.crypto): the same for every way of
    typing the same number."""
    return keyed_hash(id_number_normalize(number))
