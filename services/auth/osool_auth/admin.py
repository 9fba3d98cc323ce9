"""`python -m osool_auth create-admin`: the first administrator (or, with `--role agent`, a sales agent), created or
promoted from the command line."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from email_validator import EmailNotValidError, validate_email

from osool_auth.passwords import hash_password, password_problem
from osool_auth.repository import AuthRepository
from osool_common.db import create_pool
from osool_common.settings import CommonSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", required=True, help="the administrator's email address")
    parser.add_argument(
        "--role", choices=("admin", "agent"), default="admin", help="admin (the default), or agent for a sales agent"
    )
    parser.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input (else: prompt)"
    )


async def _create_or_promote(settings: CommonSettings, email: str, password: str, role: str = "admin") -> str:
    pool = await create_pool(settings)
    try:
        repository = AuthRepository(pool)
        existing = await repository.user_by_email(email)
        if existing is not None:
            await repository.set_role(existing["id"], role)
            await repository.set_password_hash(existing["id"], await hash_password(password))
            await repository.mark_email_verified(existing["id"])
            return f"promoted {email} to {role}"
        user = await repository.insert_user(
            email=email, password_hash=await hash_password(password), email_verified=True, role=role
        )
        assert user is not None
        return f"created {role} {email}"
    finally:
        await pool.close()


def run(settings: CommonSettings, args: argparse.Namespace) -> int:
    try:
        email = validate_email(args.email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        print(f"osool-auth: {exc}", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif os.isatty(0):
        password = getpass.getpass(f"password for the {args.role}: ")
    else:
        print("osool-auth: give the password on standard input with --password-stdin", file=sys.stderr)
        return 2
    problem = password_problem(password, email=email)
    if problem:
        print(f"osool-auth: password refused: {problem}", file=sys.stderr)
        return 2
    print(asyncio.run(_create_or_promote(settings, email, password, args.role)))
    return 0
