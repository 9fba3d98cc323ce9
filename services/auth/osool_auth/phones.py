"""Phone numbers: Egyptian (+20, or the local 01x form) and international E.164, normalised to E.164."""

from __future__ import annotations

import phonenumbers

from osool_common.errors import DomainError


class InvalidPhoneError(DomainError):
    status_code = 422
    code = "invalid_phone"


def normalize_phone(raw: str) -> str:
    text = raw.strip()
    if not text or len(text) > 32 or any(ch.isalpha() for ch in text):
        raise InvalidPhoneError("give a phone number like +201001234567 or 01001234567")
    # Without a leading +, a number is read as Egyptian (01x mobile numbers), the market Osool serves.
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else "EG")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneError("this is not a phone number; use +<country code><number>") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneError("this phone number is not valid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
