"""SMS and email delivery through the real Twilio and SendGrid SDKs, against local fakes of their HTTP APIs.

The fakes come from tests/conftest.py as fixtures (importlib mode cannot import that module by name, hence `Any`).
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import Any

import pytest

from devstack.config import free_port
from osool_auth.delivery import DeliveryError, EmailAttachment, SendGridEmailSender, TwilioSmsSender

FROM_NUMBER = "+15005550006"
FROM_EMAIL = "no-reply@osool.test"
OTP_BODY = "Your Osool code is 493817. It expires in 5 minutes."
RESET_TEXT = "Open this link to choose a new password: http://127.0.0.1:8080/reset-password?token=s3cr3t-t0ken"


def _sms_sender(fake: Any, **overrides: Any) -> TwilioSmsSender:
    options: dict[str, Any] = {
        "account_sid": fake.account_sid,
        "auth_token": fake.auth_token,
        "from_number": FROM_NUMBER,
        "api_base_url": fake.url,
    }
    return TwilioSmsSender(**(options | overrides))


def _email_sender(fake: Any, **overrides: Any) -> SendGridEmailSender:
    options: dict[str, Any] = {"api_key": fake.api_key, "from_email": FROM_EMAIL, "host": fake.url}
    return SendGridEmailSender(**(options | overrides))


async def test_sms_reaches_twilio_with_to_from_and_body_and_returns_its_sid(fake_twilio: Any) -> None:
    sid = await _sms_sender(fake_twilio).send_sms("+971501234567", OTP_BODY)

    assert [(m.to, m.from_, m.body) for m in fake_twilio.messages] == [("+971501234567", FROM_NUMBER, OTP_BODY)]
    assert sid.startswith("SM") and len(sid) == 34


async def test_invalid_number_is_a_400_delivery_error_that_does_not_contain_the_body(fake_twilio: Any) -> None:
    with pytest.raises(DeliveryError) as caught:
        await _sms_sender(fake_twilio).send_sms("0501234567", OTP_BODY)

    assert (caught.value.provider, caught.value.status) == ("twilio", 400)
    assert "21211" in str(caught.value)
    assert "493817" not in str(caught.value) and "493817" not in repr(caught.value)
    assert caught.value.__suppress_context__  # the SDK exception, which holds the request, is not shown with it
    assert fake_twilio.messages == []


async def test_wrong_twilio_credentials_are_a_401_delivery_error(fake_twilio: Any) -> None:
    with pytest.raises(DeliveryError) as caught:
        await _sms_sender(fake_twilio, auth_token="not-the-token").send_sms("+971501234567", OTP_BODY)

    assert (caught.value.provider, caught.value.status) == ("twilio", 401)
    assert "493817" not in str(caught.value)
    assert fake_twilio.messages == []


async def test_email_reaches_sendgrid_with_to_from_subject_and_text_and_returns_the_message_id(
    fake_sendgrid: Any,
) -> None:
    message_id = await _email_sender(fake_sendgrid).send_email("layla@example.com", "Reset your password", RESET_TEXT)

    [sent] = fake_sendgrid.messages
    assert (sent.to, sent.from_email, sent.subject, sent.text) == (
        ["layla@example.com"],
        FROM_EMAIL,
        "Reset your password",
        RESET_TEXT,
    )
    assert message_id and len(message_id) == 22


async def test_an_attachment_reaches_sendgrid_base64_encoded_with_its_name_and_type(fake_sendgrid: Any) -> None:
    invite = EmailAttachment("viewing.ics", "text/calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    await _email_sender(fake_sendgrid).send_email("layla@example.com", "Your viewing", "See you there.", [invite])

    [sent] = fake_sendgrid.messages
    [attached] = sent.payload["attachments"]
    assert (attached["filename"], attached["type"], attached["disposition"]) == (
        "viewing.ics",
        "text/calendar",
        "attachment",
    )
    assert base64.b64decode(attached["content"]) == invite.content


async def test_wrong_sendgrid_key_is_a_401_delivery_error(fake_sendgrid: Any) -> None:
    with pytest.raises(DeliveryError) as caught:
        await _email_sender(fake_sendgrid, api_key="SG.wrong").send_email("layla@example.com", "Reset", RESET_TEXT)

    assert (caught.value.provider, caught.value.status) == ("sendgrid", 401)
    assert "s3cr3t-t0ken" not in str(caught.value)
    assert fake_sendgrid.messages == []


async def test_unreachable_twilio_is_a_delivery_error_without_status() -> None:
    sender = TwilioSmsSender(
        account_sid="AC" + "0" * 32,
        auth_token="token",
        from_number=FROM_NUMBER,
        api_base_url=f"http://127.0.0.1:{free_port()}",
    )
    with pytest.raises(DeliveryError) as caught:
        await sender.send_sms("+971501234567", OTP_BODY)

    assert (caught.value.provider, caught.value.status) == ("twilio", None)
    assert "493817" not in str(caught.value)


async def test_unreachable_sendgrid_is_a_delivery_error_without_status() -> None:
    sender = SendGridEmailSender(api_key="SG.key", from_email=FROM_EMAIL, host=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(DeliveryError) as caught:
        await sender.send_email("layla@example.com", "Reset", RESET_TEXT)

    assert (caught.value.provider, caught.value.status) == ("sendgrid", None)
    assert "s3cr3t-t0ken" not in str(caught.value)


async def test_slow_twilio_is_given_up_after_the_timeout(fake_twilio: Any) -> None:
    fake_twilio.delay_seconds = 1.0
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await _sms_sender(fake_twilio, timeout_seconds=0.2).send_sms("+971501234567", OTP_BODY)

    assert caught.value.status is None
    assert time.monotonic() - started < 0.9


async def test_slow_sendgrid_is_given_up_after_the_timeout(fake_sendgrid: Any) -> None:
    fake_sendgrid.delay_seconds = 1.0
    started = time.monotonic()
    with pytest.raises(DeliveryError) as caught:
        await _email_sender(fake_sendgrid, timeout_seconds=0.2).send_email("layla@example.com", "Reset", RESET_TEXT)

    assert caught.value.status is None
    assert time.monotonic() - started < 0.9


async def test_ten_concurrent_sends_complete_while_the_event_loop_keeps_ticking(
    fake_twilio: Any, fake_sendgrid: Any
) -> None:
    # Each answer takes 0.3 s: a send that blocked the loop would freeze the ticker for that long, and ten sends
    # made one after the other would take 3 s.
    fake_twilio.delay_seconds = fake_sendgrid.delay_seconds = 0.3
    sms, email = _sms_sender(fake_twilio), _email_sender(fake_sendgrid)
    gaps: list[float] = []

    async def ticker() -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticking = asyncio.create_task(ticker())
    started = time.monotonic()
    try:
        ids = await asyncio.gather(
            *(sms.send_sms(f"+97150123450{n}", f"Your Osool code is 00000{n}.") for n in range(5)),
            *(email.send_email(f"user{n}@example.com", "Verify", f"link {n}") for n in range(5)),
        )
    finally:
        ticking.cancel()
    elapsed = time.monotonic() - started

    assert len(set(ids)) == 10 and all(ids)
    assert sorted(m.to for m in fake_twilio.messages) == [f"+97150123450{n}" for n in range(5)]
    assert sorted(m.to[0] for m in fake_sendgrid.messages) == [f"user{n}@example.com" for n in range(5)]
    assert elapsed < 1.5
    assert len(gaps) >= 10 and max(gaps) < 0.15
