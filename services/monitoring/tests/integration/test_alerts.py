"""Alertmanager's webhook through the internal gateway: each alert stored once per occurrence, repeats counted,
resolution recorded, administrators told once when it fires (email, SMS too when critical) and once when it
resolves; the alerts listed for administrators on the public listener."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers, read_outbox, service_headers, user_headers
from osool_common.service_auth import HEADER

pytestmark = pytest.mark.stack


def webhook(stack: LocalStack) -> str:
    return f"{stack.config.internal_url}/monitoring/api/monitoring/internal/alerts"


def bearer(stack: LocalStack) -> dict[str, str]:
    """The service key as Alertmanager sends it."""
    return {"Authorization": f"Bearer {service_headers(stack)[HEADER]}"}


def delivery(status: str, fingerprint: str, started: datetime, *, severity: str = "critical",
             ended: datetime | None = None) -> dict[str, Any]:  # fmt: skip
    alert = {
        "status": status,
        "labels": {"alertname": "ServiceDown", "service": "chat-history", "severity": severity},
        "annotations": {
            "summary": "chat-history: no replica answers its scrape",
            "description": "Every replica failed its scrape for a minute.",
            "runbook": "make status; read the service's log.",
        },
        "startsAt": started.isoformat().replace("+00:00", "Z"),
        "endsAt": (ended.isoformat().replace("+00:00", "Z") if ended else "0001-01-01T00:00:00Z"),
        "generatorURL": "http://127.0.0.1:9090/graph?g0.expr=up",
        "fingerprint": fingerprint,
    }
    return {
        "version": "4", "groupKey": '{}:{alertname="ServiceDown"}', "truncatedAlerts": 0, "status": status,
        "receiver": "monitoring", "groupLabels": {"alertname": "ServiceDown"}, "commonLabels": alert["labels"],
        "commonAnnotations": alert["annotations"], "externalURL": "http://127.0.0.1:9093", "alerts": [alert],
    }  # fmt: skip


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> tuple[dict[str, str], str]:
    headers = admin_headers(stack, "on-call")
    email = httpx.get(f"{stack.config.public_url}/api/auth/me", headers=headers, timeout=30).json()["email"]
    return headers, email


def alert_mail(stack: LocalStack, email: str, fingerprint_marker: str) -> list[dict[str, Any]]:
    return [m for m in read_outbox(stack, email) if "ServiceDown" in (m.get("subject") or "")
            and fingerprint_marker in m["body"]]  # fmt: skip


def test_an_alert_is_stored_once_told_once_and_resolved(stack: LocalStack, admin: tuple[dict[str, str], str]) -> None:
    headers, email = admin
    fingerprint = uuid.uuid4().hex[:16]
    started = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    first = httpx.post(webhook(stack), json=delivery("firing", fingerprint, started), headers=bearer(stack), timeout=30)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 1, "new": 1, "resolved": 0, "notified": 1}
    # Alertmanager repeats a firing alert: the same occurrence, counted, not told again.
    again = httpx.post(webhook(stack), json=delivery("firing", fingerprint, started), headers=bearer(stack), timeout=30)
    assert again.json() == {"received": 1, "new": 0, "resolved": 0, "notified": 0}
    listed = httpx.get(f"{stack.config.public_url}/api/monitoring/alerts", params={"status": "firing"},
                       headers=headers, timeout=30).json()["items"]  # fmt: skip
    [stored] = [a for a in listed if a["fingerprint"] == fingerprint]
    assert (stored["alertname"], stored["service"], stored["severity"], stored["receipts"]) == (
        "ServiceDown", "chat-history", "critical", 2)  # fmt: skip
    assert stored["notified_firing_at"] and stored["resolved_at"] is None and stored["ends_at"] is None
    mails = read_outbox(stack, email)
    fired = [m for m in mails if m.get("subject", "").startswith("[CRITICAL] ServiceDown")]
    assert len(fired) == 1, [m.get("subject") for m in mails]
    assert "What to do: make status" in fired[0]["body"] and "service=chat-history" in fired[0]["body"]

    ended = datetime.now(UTC).replace(microsecond=0)
    done = httpx.post(webhook(stack), json=delivery("resolved", fingerprint, started, ended=ended),
                      headers=bearer(stack), timeout=30)  # fmt: skip
    assert done.json() == {"received": 1, "new": 0, "resolved": 1, "notified": 1}
    repeat = httpx.post(webhook(stack), json=delivery("resolved", fingerprint, started, ended=ended),
                        headers=bearer(stack), timeout=30)  # fmt: skip
    assert repeat.json() == {"received": 1, "new": 0, "resolved": 0, "notified": 0}
    listed = httpx.get(f"{stack.config.public_url}/api/monitoring/alerts", params={"status": "resolved"},
                       headers=headers, timeout=30).json()["items"]  # fmt: skip
    [stored] = [a for a in listed if a["fingerprint"] == fingerprint]
    assert stored["resolved_at"] and stored["notified_resolved_at"] and stored["receipts"] == 4
    assert datetime.fromisoformat(stored["ends_at"]) == ended
    subjects = [m.get("subject", "") for m in read_outbox(stack, email)]
    assert sum(s.startswith("[RESOLVED] ServiceDown") for s in subjects) == 1
    assert sum(s.startswith("[CRITICAL] ServiceDown") for s in subjects) == 1


def test_a_later_firing_of_the_same_alert_is_a_new_occurrence(stack: LocalStack,
                                                              admin: tuple[dict[str, str], str]) -> None:  # fmt: skip
    fingerprint = uuid.uuid4().hex[:16]
    now = datetime.now(UTC).replace(microsecond=0)
    for started in (now - timedelta(hours=1), now):
        answer = httpx.post(webhook(stack), json=delivery("firing", fingerprint, started, severity="warning"),
                            headers=bearer(stack), timeout=30)  # fmt: skip
        assert answer.json()["new"] == 1


def test_the_webhook_needs_the_service_key_and_a_valid_delivery(stack: LocalStack) -> None:
    body = delivery("firing", uuid.uuid4().hex[:16], datetime.now(UTC))
    assert httpx.post(webhook(stack), json=body, timeout=30).status_code == 401
    assert (
        httpx.post(webhook(stack), json=body, headers={"Authorization": "Bearer nope"}, timeout=30).status_code == 401
    )
    # Only through the internal listener: the public one does not route internal paths.
    public = httpx.post(f"{stack.config.public_url}/api/monitoring/internal/alerts", json=body, headers=bearer(stack))
    assert public.status_code == 404
    for broken in ({**body, "version": "3"}, {**body, "alerts": []},
                   {**body, "alerts": [{**body["alerts"][0], "fingerprint": "not hex!"}]},
                   {**body, "alerts": [{**body["alerts"][0], "status": "pending"}]}):  # fmt: skip
        answer = httpx.post(webhook(stack), json=broken, headers=bearer(stack), timeout=30)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "validation_error"


def test_only_administrators_read_the_alerts(stack: LocalStack) -> None:
    url = f"{stack.config.public_url}/api/monitoring/alerts"
    assert httpx.get(url, timeout=30).status_code == 401
    assert httpx.get(url, headers=user_headers(stack), timeout=30).status_code == 403
    assert httpx.get(url, params={"status": "pending"}, headers=admin_headers(stack), timeout=30).status_code == 422
