"""Password hashing with argon2id, off the event loop (it is deliberately slow)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 128

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters (RFC 9106 low-memory)
# A real hash to verify against when the account does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("osool-timing-equaliser")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """Why a new password is refused, or None (ASVS: length over composition rules)."""
    if len(password) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if email and password.lower() == email.lower():
        return "the password cannot be your email address"
    if len(set(password)) < 4:
        return "the password is too easy to guess"
    return None
