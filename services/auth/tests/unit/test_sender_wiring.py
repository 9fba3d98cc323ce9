"""Which senders the auth service builds from its settings: the real SDK senders when a provider is configured
(here pointed at the local fakes of Twilio and SendGrid), the outbox otherwise."""

from __future__ import annotations

from typing import Any

from osool_auth.delivery import SendGridEmailSender, TwilioSmsSender
from osool_auth.main import build_senders
from osool_auth.service import OutboxDelivery
from osool_auth.settings import Settings
from osool_auth.tokens import generate_signing_key_entry

BASE = {
    "database_url": "postgresql://osool:x@127.0.0.1:1/osool",
    "redis_url": "redis://127.0.0.1:1/0",
    "auth_jwt_keys": generate_signing_key_entry(),
}


async def test_configured_providers_deliver_through_their_sdks(fake_twilio: Any, fake_sendgrid: Any) -> None:
    settings = Settings(
        **BASE,  # type: ignore[arg-type]
        twilio_account_sid=fake_twilio.account_sid,
        twilio_auth_token=fake_twilio.auth_token,
        twilio_from_number="+15005550006",
        twilio_api_base_url=fake_twilio.url,
        sendgrid_api_key=fake_sendgrid.api_key,
        sendgrid_from_email="no-reply@osool.example",
        sendgrid_host=fake_sendgrid.url,
    )
    sms, email = build_senders(settings, repository=None)  # type: ignore[arg-type]
    assert isinstance(sms, TwilioSmsSender) and isinstance(email, SendGridEmailSender)
    await sms.send_sms("+201001234567", "Your Osool code is 123456.")
    await email.send_email("buyer@osool.example", "Verify your email", "Open this link")
    assert [(m.to, m.body) for m in fake_twilio.messages] == [("+201001234567", "Your Osool code is 123456.")]
    assert fake_sendgrid.messages[0].to == ["buyer@osool.example"]
    assert fake_sendgrid.messages[0].subject == "Verify your email"


def test_without_providers_messages_go_to_the_outbox() -> None:
    sms, email = build_senders(Settings(**BASE), repository=None)  # type: ignore[arg-type]
    assert isinstance(sms, OutboxDelivery) and isinstance(email, OutboxDelivery)
