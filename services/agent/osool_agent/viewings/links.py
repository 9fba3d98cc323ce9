"""Signed links to cancel or reschedule a viewing without signing in: itsdangerous tokens under a key derived from
the service key (HMAC-SHA256, label "osool viewing links v1"), each naming one viewing and one action."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Literal

from itsdangerous import BadData, URLSafeSerializer

Action = Literal["cancel", "reschedule"]
LABEL = b"osool viewing links v1"


def link_key(service_key: str, label: bytes = LABEL) -> bytes:
    """No secret of its own to provision: a key derived from the service key (one per label: viewing links, alert
    links), useless for anything else."""
    return hmac.new(service_key.encode(), label, hashlib.sha256).digest()


class ViewingLinks:
    def __init__(self, service_key: str, public_url: str) -> None:
        self.serializer = URLSafeSerializer(link_key(service_key), salt="viewing-link")
        self.public_url = public_url.rstrip("/")

    def token(self, viewing_id: uuid.UUID, action: Action) -> str:
        token: str = self.serializer.dumps({"v": str(viewing_id), "a": action})
        return token

    def url(self, viewing_id: uuid.UUID, action: Action) -> str:
        return f"{self.public_url}/viewings/{viewing_id}?action={action}&token={self.token(viewing_id, action)}"

    def valid(self, token: str, viewing_id: uuid.UUID, actions: tuple[Action, ...]) -> bool:
        """The token was signed here for this viewing and one of these actions. (It expires with the viewing's start,
        which the caller checks against the viewing as it is now: a new time keeps the links working.)"""
        try:
            claims = self.serializer.loads(token)
        except BadData:
            return False
        return isinstance(claims, dict) and claims.get("v") == str(viewing_id) and claims.get("a") in actions
