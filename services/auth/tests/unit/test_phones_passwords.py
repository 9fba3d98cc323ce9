"""Phone numbers (Egyptian and E.164) and password rules and hashing."""

from __future__ import annotations

import pytest

from osool_auth.passwords import hash_password, password_problem, verify_password
from osool_auth.phones import InvalidPhoneError, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+201001234567", "+201001234567"),
        ("01001234567", "+201001234567"),
        ("0122 123 4567", "+201221234567"),
        ("+20 100 123 4567", "+201001234567"),
        ("+447911123456", "+447911123456"),
        ("+14155552671", "+14155552671"),
    ],
)
def test_egyptian_and_international_numbers_are_normalised(raw: str, expected: str) -> None:
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12", "not a phone", "+20100", "0100123456789012", "+999123456789", "'; DROP TABLE users;--"]
)
def test_anything_else_is_refused_with_a_clear_error(raw: str) -> None:
    with pytest.raises(InvalidPhoneError) as error:
        normalize_phone(raw)
    assert error.value.status_code == 422


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short", "at least 10"), ("a" * 129, "at most 128"), ("aaaaaaaaaaaa", "too easy"), ("me@osool.eg", None)],
)
def test_password_rules(password: str, problem: str | None) -> None:
    result = password_problem(password, email="someone@osool.eg")
    assert (result is None) if problem is None else (problem in str(result))


def test_password_equal_to_the_email_is_refused() -> None:
    assert password_problem("Someone@Osool.eg", email="someone@osool.eg") is not None


async def test_argon2id_hash_verifies_only_the_right_password() -> None:
    stored = await hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert await verify_password(stored, "correct horse battery")
    assert not await verify_password(stored, "correct horse batterY")
    assert not await verify_password(None, "correct horse battery")  # unknown account: dummy hash, still False
    assert not await verify_password("not-a-hash", "x")


async def test_a_hash_made_with_other_parameters_is_marked_for_rehash() -> None:
    from argon2 import PasswordHasher

    from osool_auth.passwords import needs_rehash

    assert not needs_rehash(await hash_password("correct horse battery"))
    assert needs_rehash(PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("correct horse battery"))
