"""Opaque cursors: what goes in comes out; anything else is a 400, never a crash."""

from __future__ import annotations

import pytest

from osool_common.pagination import InvalidCursorError, decode_cursor, encode_cursor


def test_a_cursor_round_trips_its_parts() -> None:
    cursor = encode_cursor("2026-11-23T10:00:00+00:00", "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e")
    assert "|" not in cursor and "=" not in cursor
    assert decode_cursor(cursor, 2) == ["2026-11-23T10:00:00+00:00", "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"]
    assert decode_cursor(encode_cursor(12345), 1) == ["12345"]


@pytest.mark.parametrize("cursor", ["", "garbage!", "%%%", encode_cursor("only-one"), encode_cursor("a", "b", "c"),
                                    encode_cursor("", "x")])  # fmt: skip
def test_anything_else_is_an_invalid_cursor(cursor: str) -> None:
    with pytest.raises(InvalidCursorError) as error:
        decode_cursor(cursor, 2)
    assert error.value.status_code == 400
