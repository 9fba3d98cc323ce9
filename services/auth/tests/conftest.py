"""Local stand-ins for Twilio and SendGrid that speak their wire protocol, served on loopback for the real SDKs.

The fakes live here rather than in an importable module: pytest runs with --import-mode=importlib, which puts no
test directory on sys.path, so tests reach them through the `fake_twilio` and `fake_sendgrid` fixtures.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from devstack.testing import ThreadedServer

E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@dataclass(frozen=True)
class SentSms:
    to: str
    from_: str
    body: str


@dataclass(frozen=True)
class SentEmail:
    to: list[str]
    from_email: str
    subject: str
    text: str
    payload: dict[str, Any] = field(repr=False)


def _twilio_error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}", "status": status},
        status_code=status,
    )


def _sendgrid_error(status: int, message: str, field_name: str | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "field": field_name, "help": None}]}, status_code=status)


class FakeTwilio:
    """Twilio's Messages API (2010-04-01): HTTP Basic auth, form-encoded fields, Twilio's JSON errors.

    `messages` records every accepted message; `delay_seconds` makes each answer slow (latency, timeouts).
    """

    def __init__(self, account_sid: str | None = None, auth_token: str | None = None) -> None:
        self.account_sid = account_sid or "AC" + secrets.token_hex(16)
        self.auth_token = auth_token or secrets.token_hex(16)
        self.messages: list[SentSms] = []
        self.delay_seconds = 0.0
        app = FastAPI()

        @app.post("/2010-04-01/Accounts/{account_sid}/Messages.json")
        async def create_message(account_sid: str, request: Request) -> Response:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            if not self._authenticated(request.headers.get("authorization", "")):
                response = _twilio_error(401, 20003, "Authenticate")
                response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
                return response
            if account_sid != self.account_sid:
                return _twilio_error(
                    404, 20404, f"The requested resource /2010-04-01/Accounts/{account_sid}/Messages.json was not found"
                )
            form = {key: values[0] for key, values in parse_qs((await request.body()).decode()).items()}
            to, from_, body = form.get("To"), form.get("From"), form.get("Body")
            if not to:
                return _twilio_error(400, 21604, "A 'To' phone number is required.")
            if not from_:
                return _twilio_error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required.")
            if not body:
                return _twilio_error(400, 21602, "Message body is required.")
            if not E164.match(to):
                return _twilio_error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
            self.messages.append(SentSms(to=to, from_=from_, body=body))
            return JSONResponse(self._message_resource(to, from_, body), status_code=201)

        self.server = ThreadedServer(app)
        self.url = self.server.url

    def _authenticated(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(user, self.account_sid) and secrets.compare_digest(password, self.auth_token)

    def _message_resource(self, to: str, from_: str, body: str) -> dict[str, Any]:
        sid = "SM" + secrets.token_hex(16)
        now = format_datetime(datetime.now(UTC))
        path = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": body,
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": None,
            "num_media": "0",
            "num_segments": "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "queued",
            "subresource_uris": {"media": f"{path}/Media.json"},
            "to": to,
            "uri": f"{path}.json",
        }

    def __enter__(self) -> FakeTwilio:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


class FakeSendGrid:
    """SendGrid's v3 Mail Send API: Bearer auth, the v3 JSON payload, 202 with an X-Message-Id header.

    `messages` records every accepted email; `delay_seconds` makes each answer slow (latency, timeouts).
    """

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key or "SG." + secrets.token_urlsafe(16) + "." + secrets.token_urlsafe(32)
        self.messages: list[SentEmail] = []
        self.delay_seconds = 0.0
        app = FastAPI()

        @app.post("/v3/mail/send")
        async def send(request: Request) -> Response:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            expected = f"Bearer {self.api_key}"
            if not secrets.compare_digest(request.headers.get("authorization", ""), expected):
                return _sendgrid_error(401, "The provided authorization grant is invalid, expired, or revoked")
            try:
                payload = json.loads(await request.body())
            except ValueError:
                return _sendgrid_error(400, "Bad Request")
            if not isinstance(payload, dict):
                return _sendgrid_error(400, "Bad Request")
            problem = self._problem(payload)
            if problem is not None:
                return _sendgrid_error(400, *problem)
            personalizations = payload["personalizations"]
            self.messages.append(
                SentEmail(
                    to=[recipient["email"] for p in personalizations for recipient in p["to"]],
                    from_email=payload["from"]["email"],
                    subject=personalizations[0].get("subject") or payload["subject"],
                    text=next((c["value"] for c in payload["content"] if c.get("type") == "text/plain"), ""),
                    payload=payload,
                )
            )
            return Response(status_code=202, headers={"X-Message-Id": secrets.token_urlsafe(16)[:22]})

        self.server = ThreadedServer(app)
        self.url = self.server.url

    @staticmethod
    def _problem(payload: dict[str, Any]) -> tuple[str, str] | None:
        """What SendGrid would say is wrong with the payload (message, field), or None."""
        personalizations = payload.get("personalizations")
        if not isinstance(personalizations, list) or not personalizations:
            return (
                "The personalizations field is required and must have at least one personalization.",
                "personalizations",
            )
        for index, personalization in enumerate(personalizations):
            if not isinstance(personalization, dict) or not personalization.get("to"):
                return "The to array is required for all personalization objects.", f"personalizations.{index}.to"
            if not all(isinstance(r, dict) and r.get("email") for r in personalization["to"]):
                return "Does not contain a valid address.", f"personalizations.{index}.to"
        if not isinstance(payload.get("from"), dict) or not payload["from"].get("email"):
            return "The from object must be provided for every email send.", "from"
        if not payload.get("subject") and not all(p.get("subject") for p in personalizations):
            return "The subject is required.", "subject"
        content = payload.get("content")
        if not isinstance(content, list) or not content:
            return "Unless a valid template_id is provided, the content parameter is required.", "content"
        for index, attachment in enumerate(payload.get("attachments") or []):
            if not isinstance(attachment, dict) or not attachment.get("filename"):
                return "The attachment filename parameter is required.", f"attachments.{index}.filename"
            try:
                base64.b64decode(attachment.get("content") or "", validate=True)
            except (binascii.Error, ValueError):
                return "The attachment content must be base64 encoded.", f"attachments.{index}.content"
            if not attachment.get("content"):
                return "The attachment content is required.", f"attachments.{index}.content"
        return None

    def __enter__(self) -> FakeSendGrid:
        self.server.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.__exit__(*exc)


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def fake_sendgrid() -> Iterator[FakeSendGrid]:
    with FakeSendGrid() as fake:
        yield fake
