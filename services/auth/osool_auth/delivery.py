"""How auth reaches people: SMS through Twilio (OTP codes) and email through SendGrid (verification, reset links)."""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

import requests
from python_http_client.exceptions import HTTPError
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import Attachment, Disposition, FileContent, FileName, FileType, Mail
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.rest import Client as TwilioClient

# python_http_client logs the whole request at DEBUG: the JSON payload (a reset link is a credential) and the
# headers (the API key). Those lines must not appear even when someone turns the root logger to DEBUG.
logging.getLogger("python_http_client.client").setLevel(logging.INFO)

SENDGRID_DEFAULT_HOST = "https://api.sendgrid.com"


class DeliveryError(Exception):
    """A provider refused a message or could not be reached.

    The message names the provider and what went wrong, never the text being sent: an SMS body holds an OTP and an
    email holds a single-use link, and this exception may be logged or reported.
    """

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status


class SmsSender(Protocol):
    async def send_sms(self, to: str, body: str) -> str:
        """Send `body` to the E.164 number `to`; return the provider's message id."""
        ...


@dataclass(frozen=True)
class EmailAttachment:
    """A file sent with an email (a calendar invitation): its name, media type and bytes."""

    filename: str
    content_type: str
    content: bytes


class EmailSender(Protocol):
    async def send_email(self, to: str, subject: str, text: str, attachments: Sequence[EmailAttachment] = ()) -> str:
        """Send a plain-text email (with files attached, if any); return the provider's message id."""
        ...


class _RedirectingTwilioHttpClient(TwilioHttpClient):
    """The SDK's own HTTP client, with every request sent to `api_base_url` (a local fake, a proxy) when one is set.

    Only the scheme and host change: the SDK still builds the path, auth, headers and form body, so what reaches
    the other end is exactly what Twilio would receive. Every URL is redirected, not just api.twilio.com, because
    TWILIO_REGION / TWILIO_EDGE in the environment make the SDK pick regional hosts.
    """

    def __init__(self, *, api_base_url: str | None, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self._base = urlsplit(api_base_url.rstrip("/")) if api_base_url else None

    def request(
        self,
        method: str,
        url: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        if self._base is not None:
            original = urlsplit(url)
            url = urlunsplit(
                (self._base.scheme, self._base.netloc, self._base.path + original.path, original.query, "")
            )
        return super().request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            auth=auth,
            timeout=timeout,
            allow_redirects=allow_redirects,
        )


class TwilioSmsSender:
    """SmsSender over Twilio's Programmable Messaging API."""

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str,
        api_base_url: str | None = None,
        timeout_seconds: float = 10.0,
    ) -> None:
        self._from_number = from_number
        http_client = _RedirectingTwilioHttpClient(api_base_url=api_base_url, timeout=timeout_seconds)
        self._client = TwilioClient(account_sid, auth_token, http_client=http_client)

    async def send_sms(self, to: str, body: str) -> str:
        # The SDK blocks on its HTTP call; a thread keeps the event loop serving other requests meanwhile.
        return await asyncio.to_thread(self._send, to, body)

    def _send(self, to: str, body: str) -> str:
        try:
            message = self._client.messages.create(to=to, from_=self._from_number, body=body)
        except TwilioException as exc:
            status = getattr(exc, "status", None)
            code = getattr(exc, "code", None)
            # Twilio's own text is left out: the error code says the same and cannot echo anything we sent.
            raise DeliveryError(
                f"twilio refused the message: HTTP {status}, error code {code}", provider="twilio", status=status
            ) from None
        except requests.RequestException as exc:
            raise DeliveryError(
                f"twilio could not be reached: {type(exc).__name__}", provider="twilio", status=None
            ) from None
        except json.JSONDecodeError:
            raise DeliveryError(
                "twilio answered with something that is not a message resource", provider="twilio", status=None
            ) from None
        return str(message.sid or "")


class SendGridEmailSender:
    """EmailSender over SendGrid's v3 Mail Send API."""

    def __init__(
        self, *, api_key: str, from_email: str, host: str | None = None, timeout_seconds: float = 10.0
    ) -> None:
        self._api_key = api_key
        self._from_email = from_email
        self._host = host or SENDGRID_DEFAULT_HOST
        self._timeout = timeout_seconds

    async def send_email(self, to: str, subject: str, text: str, attachments: Sequence[EmailAttachment] = ()) -> str:
        # The SDK blocks on urllib; a thread keeps the event loop serving other requests meanwhile.
        return await asyncio.to_thread(self._send, to, subject, text, attachments)

    def _send(self, to: str, subject: str, text: str, attachments: Sequence[EmailAttachment] = ()) -> str:
        # A client per send: the SDK's client mutates its header dict on every call, so sharing one across the
        # threads above is not safe, and urllib keeps no connection that a shared client could reuse.
        client = SendGridAPIClient(api_key=self._api_key, host=self._host)
        client.client.timeout = self._timeout  # the SDK has no timeout argument; its HTTP client reads this one
        message = Mail(from_email=self._from_email, to_emails=to, subject=subject, plain_text_content=text)
        for attachment in attachments:
            message.add_attachment(
                Attachment(
                    FileContent(base64.b64encode(attachment.content).decode("ascii")),
                    FileName(attachment.filename),
                    FileType(attachment.content_type),
                    Disposition("attachment"),
                )
            )
        try:
            response = client.send(message)
        except HTTPError as exc:
            raise DeliveryError(
                f"sendgrid refused the email: HTTP {exc.status_code} {exc.reason}",
                provider="sendgrid",
                status=int(exc.status_code),
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            # URLError (refused, DNS, TLS) and socket timeouts are OSErrors; a garbled answer is an HTTPException.
            raise DeliveryError(
                f"sendgrid could not be reached: {type(exc).__name__}", provider="sendgrid", status=None
            ) from None
        status = int(response.status_code)
        if not 200 <= status < 300:
            raise DeliveryError(f"sendgrid refused the email: HTTP {status}", provider="sendgrid", status=status)
        return str(response.headers.get("X-Message-Id") or "")
