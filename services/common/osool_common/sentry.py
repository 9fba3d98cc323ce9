"""Sentry error reporting, on only when SENTRY_DSN is set (an unset DSN never breaks a local run)."""

from __future__ import annotations

from osool_common.settings import CommonSettings


def init_sentry(settings: CommonSettings, version: str) -> bool:
    if settings.sentry_dsn is None or not settings.sentry_dsn.get_secret_value():
        return False
    # Imported only when on: sentry_sdk costs every process a tenth of a second of start-up otherwise.
    import sentry_sdk
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=settings.sentry_dsn.get_secret_value(),
        environment=settings.osool_env,
        release=f"osool-{settings.service_name}@{version}",
        server_name=settings.service_name,
        traces_sample_rate=settings.sentry_traces_sample_rate,
    )
    sentry_sdk.set_tag("service", settings.service_name)
    # The framework integration already reports unhandled errors; our log line of the same error would be a twin.
    ignore_logger("osool_common.errors")
    return True
