"""Responses for hot routes: a model already validated by the service layer, serialised once."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import Response
from pydantic import BaseModel


def model_response(model: BaseModel | Sequence[BaseModel], status_code: int = 200) -> Response:
    """FastAPI validates a returned object against `response_model` again before serialising it; for a page of
    messages that second pass costs as much as the rest of the request. The route still declares its
    `response_model`, so the OpenAPI contract is unchanged."""
    if isinstance(model, BaseModel):
        body = model.model_dump_json()
    else:
        body = "[" + ",".join(item.model_dump_json() for item in model) + "]"
    return Response(content=body, status_code=status_code, media_type="application/json")
