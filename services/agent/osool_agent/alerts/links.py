"""Signed unsubscribe links for alerts: itsdangerous tokens under a key derived from the service key (label "osool
alert links v1"), each naming one saved search or all of one buyer's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

from osool_agent.viewings.links import link_key

LABEL = b"osool alert links v1"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: uuid.UUID
    saved_search_id: uuid.UUID | None  # None: every saved search of the buyer


class AlertLinks:
    def __init__(self, service_key: str, public_url: str) -> None:
        self.serializer = URLSafeSerializer(link_key(service_key, LABEL), salt="alert-unsubscribe")
        self.public_url = public_url.rstrip("/")

    def token(self, user_id: uuid.UUID, saved_search_id: uuid.UUID | None) -> str:
        token: str = self.serializer.dumps({"u": str(user_id), "s": str(saved_search_id) if saved_search_id else None})
        return token

    def unsubscribe_url(self, user_id: uuid.UUID, saved_search_id: uuid.UUID | None = None) -> str:
        return f"{self.public_url}/alerts/unsubscribe?token={self.token(user_id, saved_search_id)}"

    def listing_url(self, listing_id: str) -> str:
        return f"{self.public_url}/listings/{listing_id}"

    def read(self, token: str) -> Unsubscribe | None:
        """What a token unsubscribes, or None when it was not signed here (tampered with, or another kind)."""
        try:
            claims = self.serializer.loads(token)
            return Unsubscribe(uuid.UUID(claims["u"]), uuid.UUID(claims["s"]) if claims.get("s") else None)
        except (BadData, KeyError, TypeError, ValueError):
            return None
