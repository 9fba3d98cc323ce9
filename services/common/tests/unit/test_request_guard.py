"""The JSON nesting limit: brackets counted outside strings only, the boundary exact, and linear on hostile input."""

from __future__ import annotations

import json

from osool_common.request_guard import _JSON_NUL, MAX_JSON_DEPTH, json_too_deep


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def test_the_limit_is_exact() -> None:
    assert not json_too_deep(nested(MAX_JSON_DEPTH))
    assert json_too_deep(nested(MAX_JSON_DEPTH + 1))
    assert json_too_deep(b'{"a":' * 100 + b"1" + b"}" * 100)


def test_mixed_objects_and_arrays_count_together() -> None:
    body = json.dumps(json.loads(b'{"a":[' * 40 + b"1" + b"]}" * 40)).encode()  # 80 levels, with spaces
    assert json_too_deep(body)
    assert not json_too_deep(body, limit=80)


def test_brackets_inside_strings_are_not_nesting() -> None:
    body = json.dumps({"query": "[" * 5000 + "{" * 5000, "note": 'a \\" quote ["'}).encode()
    assert not json_too_deep(body)
    assert not json_too_deep(body.decode())  # WebSocket text frames are str


def test_many_shallow_brackets_are_fine() -> None:
    assert not json_too_deep(json.dumps([[i] for i in range(10_000)]).encode())


def test_an_unterminated_string_ends_the_scan_with_the_depth_before_it() -> None:
    assert not json_too_deep(nested(10)[:10] + b'"' + b"[" * 1000)  # the parser fails at the string
    assert json_too_deep(b"[" * 100 + b'"unterminated')


def test_hostile_quotes_and_escapes_stay_linear() -> None:
    # A body of escaped quotes that never closes: a searching regex would restart at every quote (quadratic).
    assert not json_too_deep(b"[]" * 200 + b'"' + b'\\"' * 200_000)
    assert not json_too_deep(b"[]" * 200_000)


def test_a_nul_escape_is_found_and_a_literal_backslash_u_is_not() -> None:
    assert _JSON_NUL.search(json.dumps({"q": "a\x00b"}).encode())
    assert not _JSON_NUL.search(json.dumps({"q": "a\\u0000b"}).encode())  # the text backslash-u-0-0-0-0
    assert _JSON_NUL.search(json.dumps({"q": "a\\\x00b"}).encode())  # a backslash, then a NUL
    assert not _JSON_NUL.search(json.dumps({"q": "caf\u00e9"}).encode())
