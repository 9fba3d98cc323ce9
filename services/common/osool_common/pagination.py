"""Opaque cursors for keyset pagination: what a page ended on, base64url-encoded, checked when it comes back."""

from __future__ import annotations

import base64
import binascii

from osool_common.errors import DomainError

_SEPARATOR = "|"


class InvalidCursorError(DomainError):
    status_code = 400
    code = "invalid_cursor"


def encode_cursor(*parts: object) -> str:
    text = _SEPARATOR.join(str(part) for part in parts)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, parts: int) -> list[str]:
    """The `parts` values a cursor holds, or InvalidCursorError (400) for anything this service did not give out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursorError("the cursor is not one this service gave out") from None
    values = text.split(_SEPARATOR)
    if len(values) != parts or not all(values):
        raise InvalidCursorError("the cursor is not one this service gave out")
    return values
