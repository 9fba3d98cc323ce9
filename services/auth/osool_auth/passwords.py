"""Password hashing with argon2id, off the event loop (it is deliberately slow)."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 128

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~30 ms a check on this project's 2-core
# machines, against ~140 ms for the library's default profile, which let a handful of sign-ins saturate a server.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# A real hash to verify against when the account does not exist, so both answers take the same time.
_DUMMY_HASH = _hasher.hash("osool-timing-equaliser")


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


def needs_rehash(password_hash: str) -> bool:
    """True when a stored hash was made with other parameters; it is replaced at the next successful sign-in."""
    return _hasher.check_needs_rehash(password_hash)


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
