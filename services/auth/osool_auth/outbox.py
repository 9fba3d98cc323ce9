"""`python -m osool_auth outbox`: the development outbox (the SMS and email that would have been sent), for developers.

The outbox holds every user's codes and links, so no public route shows it: operators read it through the internal
route (service key and an admin token), developers with this command (`make outbox`), which reads the database the
way the service does. Production has no outbox to read.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from osool_auth.repository import AuthRepository
from osool_common.db import create_pool
from osool_common.settings import CommonSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--recipient", help="only messages to this phone (+20...) or email")
    parser.add_argument("--limit", type=int, default=10, help="newest first, at most this many (1-200)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


async def _list(settings: CommonSettings, recipient: str | None, limit: int) -> list[dict[str, object]]:
    pool = await create_pool(settings)
    try:
        rows = await AuthRepository(pool).list_outbox(recipient=recipient, limit=limit)
        return [dict(row) for row in rows]
    finally:
        await pool.close()


def run(settings: CommonSettings, args: argparse.Namespace) -> int:
    if settings.osool_env == "production":
        print("osool-auth: production has no outbox (messages go to the SMS and email providers)", file=sys.stderr)
        return 2
    if not 1 <= args.limit <= 200:
        print("osool-auth: --limit must be between 1 and 200", file=sys.stderr)
        return 2
    messages = asyncio.run(_list(settings, args.recipient, args.limit))
    for message in messages:
        if args.json:
            print(json.dumps(message, default=str, ensure_ascii=False))
        else:
            subject = f" — {message['subject']}" if message.get("subject") else ""
            print(f"{message['created_at']:%Y-%m-%d %H:%M:%S} {message['channel']} to {message['recipient']}{subject}")
            print(f"  {message['body']}")
            for attachment in message.get("attachments") or []:  # type: ignore[attr-defined]
                print(f"  attached: {attachment['filename']} ({attachment['content_type']})")
    if not messages:
        print("the outbox is empty" + (f" for {args.recipient}" if args.recipient else ""), file=sys.stderr)
    return 0
