"""Settings of the auth service: the common variables plus keys, providers and abuse limits."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, SecretStr, model_validator

from osool_common.settings import CommonSettings


class Settings(CommonSettings):
    service_name: ClassVar[str] = "auth"
    required_secrets: ClassVar[tuple[str, ...]] = ("database_url", "redis_url", "auth_jwt_keys")

    upstream_services: str = ""
    # "kid:base64(PEM of an RSA private key)", comma-separated; the first signs, all are published in the JWKS,
    # so a new key can be published before it signs and an old one kept until its tokens expire.
    auth_jwt_keys: SecretStr | None = None
    access_token_minutes: int = 15
    refresh_token_days: int = 30
    public_base_url: str = "http://127.0.0.1:8080"

    # Google sign-in (off when GOOGLE_CLIENT_ID is unset).
    google_client_id: str | None = None
    google_jwks_url: str = "https://www.googleapis.com/oauth2/v3/certs"
    # Where the web client sends people to choose their Google account (OpenID Connect, response_type=id_token).
    google_authorization_url: str = "https://accounts.google.com/o/oauth2/v2/auth"
    # How long a nonce from GET /api/auth/google/nonce waits for the ID token naming it (choosing an account).
    google_nonce_ttl_seconds: int = Field(default=600, ge=30, le=3600)

    # Sign-In with Ethereum: what a message must name to be accepted.
    siwe_domain: str = "127.0.0.1:8080"
    siwe_uri: str = "http://127.0.0.1:8080"
    siwe_chain_id: int = 1
    siwe_nonce_ttl_seconds: int = 300

    # SMS (Twilio) and email (SendGrid). Outside production, unset means: write to the outbox table.
    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from_number: str | None = None
    twilio_api_base_url: str | None = None
    sendgrid_api_key: SecretStr | None = None
    sendgrid_from_email: str | None = None
    sendgrid_host: str | None = None

    # Abuse limits (OWASP ASVS 5.0 chapter V6), keyed so no third party can lock an owner out (see throttle.py).
    otp_ttl_seconds: int = 300
    otp_max_attempts: int = 5
    otp_sends_per_phone_and_ip_per_hour: int = 3
    # The ceiling for one phone from every address that has not signed in with it before.
    otp_sends_per_phone_per_hour: int = 10
    otp_sends_per_ip_per_hour: int = 20
    # Per account and client address: the growing delay starts after this many failures in an hour.
    login_failures_before_delay: int = 5
    login_max_delay_seconds: int = 900
    # Per account from every address: past this many failures in an hour, only known addresses may try.
    login_account_failures_before_known_only: int = 20
    # An address that signed in to an account (or with a phone) stays known for this long.
    known_address_days: int = 30
    email_token_hours: int = 24

    @model_validator(mode="after")
    def _providers_in_production(self) -> Settings:
        if self.osool_env == "production":
            needed = {
                "TWILIO_ACCOUNT_SID": self.twilio_account_sid,
                "TWILIO_AUTH_TOKEN": self.twilio_auth_token,
                "TWILIO_FROM_NUMBER": self.twilio_from_number,
                "SENDGRID_API_KEY": self.sendgrid_api_key,
                "SENDGRID_FROM_EMAIL": self.sendgrid_from_email,
            }
            for name, value in needed.items():
                if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                    raise ValueError(f"{name} is not set; in production auth sends real SMS and email")
        return self

    @property
    def sms_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from_number)

    @property
    def email_configured(self) -> bool:
        return bool(self.sendgrid_api_key and self.sendgrid_from_email)
