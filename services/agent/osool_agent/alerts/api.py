"""HTTP routes of saved searches and alerts (/api/saved-searches): save, list, change, delete, the alerts found, and
unsubscribe by a signed link."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from osool_agent.alerts.schemas import (
    AlertList,
    SavedSearch,
    SavedSearchIn,
    SavedSearchList,
    SavedSearchPatch,
    Unsubscribed,
    UnsubscribeIn,
)
from osool_agent.alerts.service import SavedSearchService
from osool_common.auth import Principal, current_principal
from osool_common.responses import model_response

router = APIRouter(prefix="/api/saved-searches", tags=["saved searches"])
# The id routes take a UUID in the path itself: PATCH /alerts is then a 405 naming the methods, not a bad id.


async def saved_search_service(request: Request) -> SavedSearchService:
    service: SavedSearchService = request.app.state.saved_searches
    return service


SavedSearches = Annotated[SavedSearchService, Depends(saved_search_service)]
SignedIn = Annotated[Principal, Depends(current_principal)]
SIGNED_IN: dict[int | str, dict[str, Any]] = {401: {"description": "no valid access token"}}
MINE: dict[int | str, dict[str, Any]] = {**SIGNED_IN, 404: {"description": "no such saved search, or not yours"}}


@router.post(
    "", response_model=SavedSearch, status_code=201,
    responses={**SIGNED_IN, 200: {"description": "the same words were saved already: that search (channel updated)",
                                  "model": SavedSearch},
               409: {"description": "the buyer has the most saved searches allowed"},
               422: {"description": "nothing in the words to match on, or SMS without a verified phone"}},
)  # fmt: skip
async def save(body: SavedSearchIn, service: SavedSearches, principal: SignedIn) -> Response:
    """Save a search: new listings that match it, and price drops on listings the buyer was shown, reach them in a
    digest at most once a day, by email or SMS as they choose."""
    saved, created = await service.save(uuid.UUID(principal.user_id), body)
    return model_response(saved, status_code=201 if created else 200)


@router.get("", response_model=SavedSearchList, responses=SIGNED_IN)
async def list_saved(service: SavedSearches, principal: SignedIn) -> SavedSearchList:
    """The buyer's saved searches, newest first (switched-off ones too)."""
    return SavedSearchList(items=await service.for_user(uuid.UUID(principal.user_id)))


@router.get("/alerts", response_model=AlertList, responses=SIGNED_IN)
async def alerts(service: SavedSearches, principal: SignedIn) -> AlertList:
    """What the alerts found for the buyer, newest first, and whether each has been sent."""
    return AlertList(items=await service.alerts(uuid.UUID(principal.user_id)))


@router.post(
    "/unsubscribe", response_model=Unsubscribed,
    responses={403: {"description": "invalid_link: a token not signed by Osool, or altered"}},
)  # fmt: skip
async def unsubscribe(body: UnsubscribeIn, service: SavedSearches) -> Unsubscribed:
    """The link in every alert (no sign-in needed): switch off the saved search it names, or all of the buyer's."""
    return Unsubscribed(saved_search_ids=await service.unsubscribe(body.token))


@router.patch("/{saved_search_id:uuid}", response_model=SavedSearch, responses=MINE)
async def update(
    saved_search_id: uuid.UUID, body: SavedSearchPatch, service: SavedSearches, principal: SignedIn
) -> SavedSearch:
    """Change the channel, or switch the alerts off (what it found and has not sent is dropped) or on again."""
    return await service.update(uuid.UUID(principal.user_id), saved_search_id, body)


@router.delete("/{saved_search_id:uuid}", status_code=204, responses=MINE)
async def delete(saved_search_id: uuid.UUID, service: SavedSearches, principal: SignedIn) -> Response:
    await service.delete(uuid.UUID(principal.user_id), saved_search_id)
    return Response(status_code=204)
