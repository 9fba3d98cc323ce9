"""Typed HTTP clients of the services the agent uses (search, chat-history, chain, auth), always through the gateway."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from osool_common.errors import DomainError, NotFoundError, UnavailableError
from osool_common.http_client import ServiceClient


class UpstreamError(UnavailableError):
    """Another service failed or answered something the agent cannot use."""

    code = "upstream_unavailable"


def _json(response: httpx.Response, what: str) -> Any:
    if response.status_code >= 500:
        raise UpstreamError(f"{what} is unavailable ({response.status_code})")
    if response.status_code >= 400:
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        failure = NotFoundError if response.status_code == 404 else DomainError
        exc = failure(str(error.get("message") or f"{what} answered {response.status_code}"))
        exc.status_code = response.status_code
        if error.get("code"):
            exc.code = str(error["code"])
        raise exc
    return response.json()


async def _call(http: ServiceClient, service: str, method: str, path: str, what: str, **kwargs: Any) -> Any:
    try:
        response = await http.request(service, method, path, **kwargs)
    except httpx.HTTPError as exc:
        raise UpstreamError(f"{what} is unreachable: {type(exc).__name__}") from None
    return _json(response, what)


class SearchClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def search(
        self, query: str, filters: dict[str, Any] | None, limit: int, *, order: str | None = None,
        relax: list[str] | None = None, homes_only: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        # Amr says what giving up a filter would find when nothing matches (relaxations): asked for explicitly.
        body: dict[str, Any] = {"query": query, "limit": limit, "explain_empty": True}
        if filters:
            body["filters"] = filters
        if relax:  # a relaxation offered, taken: those groups of filters given up, whoever stated them
            body["relax"] = relax
        if order is not None:  # without one, the order the buyer's words ask for ("the cheapest"), else relevance
            body["order"] = order
        if homes_only:  # no type named: offices, shops and clinics left out (search applies it, and says so)
            body["homes_only"] = True
        result: dict[str, Any] = await _call(self.http, "search", "POST", "/api/properties/search", "search", json=body)
        return result

    async def listing(self, listing_id: uuid.UUID) -> dict[str, Any]:
        result: dict[str, Any] = await _call(self.http, "search", "GET", f"/api/properties/{listing_id}", "search")
        return result

    async def listing_by_source(self, source_id: str) -> dict[str, Any]:
        path = f"/api/properties/source/{source_id}"
        result: dict[str, Any] = await _call(self.http, "search", "GET", path, "search")
        return result

    async def parse(self, text: str) -> dict[str, Any]:
        body = {"query": text}
        result: dict[str, Any] = await _call(self.http, "search", "POST", "/api/properties/parse", "search", json=body)
        return result

    async def changes(self, after: int | None, limit: int) -> dict[str, Any]:
        """The catalogue's change log (new listings, price drops) after a seq; without one, where it stands."""
        params: dict[str, Any] = {"limit": limit} if after is None else {"after": after, "limit": limit}
        result: dict[str, Any] = await _call(
            self.http, "search", "GET", "/api/properties/internal/changes", "search", params=params
        )
        return result

    async def market_stats(
        self, location: str | None, property_type: str | None, max_price: int | None = None,
        places: list[str] | None = None, bedrooms: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """An area's figures; with `places`, those places set side by side ("New Cairo or Zayed?"); with `bedrooms`,
        of the listings with that many bedrooms only."""
        pairs = (("location", location), ("type", property_type), ("max_price", max_price), ("places", places))
        params: dict[str, Any] = {key: value for key, value in pairs if value}
        if bedrooms is not None:
            params["bedrooms"] = bedrooms
        result: dict[str, Any] = await _call(
            self.http, "search", "GET", "/api/market/stats", "market statistics", params=params
        )
        return result

    async def comparables(
        self, location: str, property_type: str, size_sqm: float, bedrooms: int | None, limit: int,
        finishing: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        params: dict[str, Any] = {"location": location, "type": property_type, "size_sqm": size_sqm, "limit": limit}
        if bedrooms is not None:
            params["bedrooms"] = bedrooms
        if finishing is not None:
            params["finishing"] = finishing
        result: dict[str, Any] = await _call(
            self.http, "search", "GET", "/api/market/comparables", "comparables", params=params
        )
        return result


class HistoryClient:
    """chat-history: access is checked there (the caller's token and session secret are passed on as given)."""

    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    @staticmethod
    def _headers(authorization: str | None, secret: str | None) -> dict[str, str]:
        headers = {}
        if authorization:
            headers["Authorization"] = authorization
        if secret:
            headers["X-Session-Secret"] = secret
        return headers

    async def create_session(self, authorization: str | None, title: str | None) -> dict[str, Any]:
        result: dict[str, Any] = await _call(
            self.http, "chat-history", "POST", "/api/history/sessions", "chat history",
            json={"title": title}, headers=self._headers(authorization, None),
        )  # fmt: skip
        return result

    async def session(self, session_id: uuid.UUID, authorization: str | None, secret: str | None) -> dict[str, Any]:
        result: dict[str, Any] = await _call(
            self.http, "chat-history", "GET", f"/api/history/sessions/{session_id}", "chat history",
            headers=self._headers(authorization, secret),
        )  # fmt: skip
        return result

    async def claim(self, session_id: uuid.UUID, authorization: str, secret: str) -> dict[str, Any]:
        result: dict[str, Any] = await _call(
            self.http, "chat-history", "POST", f"/api/history/sessions/{session_id}/claim", "chat history",
            headers=self._headers(authorization, secret),
        )  # fmt: skip
        return result

    async def recent_messages(self, session_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
        page = await _call(
            self.http, "chat-history", "GET", f"/api/history/internal/sessions/{session_id}/messages", "chat history",
            params={"limit": limit},
        )  # fmt: skip
        messages: list[dict[str, Any]] = page["messages"]
        return messages

    async def append(self, session_id: uuid.UUID, messages: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await _call(
            self.http, "chat-history", "POST", f"/api/history/internal/sessions/{session_id}/messages", "chat history",
            json={"messages": messages}, headers={"Idempotency-Key": key},
        )  # fmt: skip
        return result


class ChainClient:
    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def statuses(self, listing_ids: list[str]) -> dict[str, str]:
        """Each listing's registry status in one call: available, reserved, sold, pending or not_registered."""
        params = [("id", listing_id) for listing_id in listing_ids]
        body = await _call(self.http, "chain", "GET", "/api/chain/listings", "the property registry", params=params)
        # A reservation or sale accepted but not yet mined counts already: such a unit is never offered as available.
        return {
            item["listing_id"]: item["pending_status"] if item.get("pending_status") in ("reserved", "sold")
            else item["status"]
            for item in body["listings"]
        }  # fmt: skip

    async def reserve(
        self, listing_id: str, buyer: str, price_egp: int, document_hash: str, key: str
    ) -> dict[str, Any]:
        """Record a reservation (registering the listing first when it never was); the reserve transaction."""
        body = {"listing_id": listing_id, "buyer": buyer, "price_egp": price_egp, "document_hash": document_hash}
        result: dict[str, Any] = await _call(
            self.http, "chain", "POST", "/api/chain/internal/reservations", "the property registry", json=body,
            headers={"Idempotency-Key": key},
        )  # fmt: skip
        return result

    async def release(self, listing_id: str, key: str) -> dict[str, Any]:
        result: dict[str, Any] = await _call(
            self.http, "chain", "POST", f"/api/chain/internal/listings/{listing_id}/cancel", "the property registry",
            headers={"Idempotency-Key": key},
        )  # fmt: skip
        return result

    async def transaction(self, tx_id: uuid.UUID) -> dict[str, Any]:
        result: dict[str, Any] = await _call(
            self.http, "chain", "GET", f"/api/chain/transactions/{tx_id}", "the property registry"
        )
        return result

    async def listing(self, listing_id: str) -> dict[str, Any] | None:
        """The on-chain record of a listing, or None when it was never registered."""
        try:
            result: dict[str, Any] = await _call(
                self.http, "chain", "GET", f"/api/chain/listings/{listing_id}", "the property registry"
            )
        except NotFoundError:
            return None
        return result


class AuthClient:
    """auth: a user's verified contact, and delivery (email and SMS, the outbox locally) to a user by id."""

    def __init__(self, http: ServiceClient) -> None:
        self.http = http

    async def user(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = await _call(
                self.http, "auth", "GET", f"/api/auth/internal/users/{user_id}", "the auth service"
            )
        except NotFoundError:
            return None
        return result

    async def notify(
        self, user_id: uuid.UUID, subject: str, text: str, channels: list[str], dedupe_key: str,
        attachments: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """`attachments` ({"filename", "content_type", "content_base64"}) go with the email only."""
        body: dict[str, Any] = {"user_id": str(user_id), "subject": subject, "text": text, "channels": channels,
                                "dedupe_key": dedupe_key}  # fmt: skip
        if attachments:
            body["attachments"] = attachments
        result: dict[str, Any] = await _call(
            self.http, "auth", "POST", "/api/auth/internal/notify", "the auth service", json=body
        )
        return result
