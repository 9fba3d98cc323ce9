"""HTTP and WebSocket routes of the agent: the chat turn (JSON or server-sent events), the cost report, and the leads
agents work from (list, detail, status, assignment, CSV export, the duty roster), and contract review."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import ValidationError
from sse_starlette import EventSourceResponse
from starlette.datastructures import UploadFile
from starlette.types import Message

from osool_agent.contract_audits import (
    MAX_PDF_BYTES,
    ContractAudit,
    ContractAuditRequest,
    ContractAuditService,
    check_keep,
)
from osool_agent.leads.pipeline import LeadService
from osool_agent.reservations import ReservationService
from osool_agent.schemas import (
    ChatRequest,
    ChatResponse,
    CostReport,
    DutyChange,
    Lead,
    LeadAssignment,
    LeadDetail,
    LeadEvent,
    LeadPage,
    LeadStatusChange,
    Reservation,
    ReservationRequest,
    SalesAgent,
)
from osool_agent.service import Caller, ChatService
from osool_common.auth import Principal, current_principal, optional_principal, require_role
from osool_common.errors import (
    DomainError,
    NotFoundError,
    PayloadTooLargeError,
    UnsupportedMediaTypeError,
    ValidationFailedError,
    error_body,
)
from osool_common.pagination import decode_cursor, encode_cursor
from osool_common.request_guard import MAX_JSON_DEPTH, json_too_deep

router = APIRouter(tags=["chat"])
leads_router = APIRouter(prefix="/api/leads", tags=["leads"])
reservations_router = APIRouter(prefix="/api/reservations", tags=["reservations"])

SessionSecret = Annotated[
    str | None,
    Header(
        alias="X-Session-Secret",
        min_length=20,
        max_length=100,
        description="the anonymous session's secret, as the first answer gave it",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9._:\-]{8,128}$",
        description="a retried request with the same key never writes the turn twice",
    ),
]
EVENTS_DOC = (
    "`Accept: text/event-stream` streams server-sent events: `session` {session_id, session_secret?}, `token` "
    "{text}, `tool_call` {id, name, arguments}, `tool_result` {id, name, ok, summary}, `listings` {listings}, `done` "
    "{brain, model, tokens, cost, latency, time_to_first_token_ms, fallback, ...}, `error` "
    "{status, error}. Otherwise the answer is JSON (ChatResponse)."
)


async def chat_service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


Chat = Annotated[ChatService, Depends(chat_service)]


def _wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


@router.post(
    "/api/chat",
    response_model=ChatResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": EVENTS_DOC},
               401: {"description": "a session id without its secret or a token"},
               404: {"description": "no such session, or not yours"}, 409: {"description": "turn in progress"},
               429: {"description": "too many turns"}},
)  # fmt: skip
async def chat(
    body: ChatRequest,
    request: Request,
    service: Chat,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    secret: SessionSecret = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """One turn with Amr. Anonymous callers get a session and its secret with their first message; signed-in callers
    send their bearer token (a signed-in caller who sends an anonymous session's secret claims that session)."""
    caller = Caller(principal, request.headers.get("authorization"), secret)
    handle = await service.start_turn(body, caller, idempotency_key)
    if _wants_stream(request):

        async def events() -> AsyncIterator[dict[str, str]]:
            async for name, data in handle.events():
                yield {"event": name, "data": json.dumps(data, ensure_ascii=False, default=str)}

        # X-Accel-Buffering: nginx passes each event on at once.
        return EventSourceResponse(events(), headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})
    outcome = await handle.result()
    return JSONResponse(outcome.json_body(), headers={"Idempotent-Replayed": "true"} if handle.replayed else None)


@router.websocket("/api/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """The same turns over a WebSocket: send {"message", "session_id"?, "language"?, "session_secret"?,
    "access_token"?}; receive {"event", "data"} objects, the events of the stream, ending with `done` or `error`."""
    service: ChatService = websocket.app.state.chat
    await websocket.accept()
    token: str | None = None
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    secret: str | None = None
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                if json_too_deep(raw):
                    raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                payload = json.loads(raw)
                if not isinstance(payload, dict):
                    raise ValueError("send a JSON object")
                token = payload.pop("access_token", None) or token
                secret = payload.pop("session_secret", None) or secret
                key = payload.pop("idempotency_key", None)
                request = ChatRequest.model_validate(payload)
                principal = await websocket.app.state.verifier.verify(token) if token else None
                caller = Caller(principal, f"Bearer {token}" if token else None, secret)
                handle = await service.start_turn(request, caller, key)
            except (ValueError, ValidationError) as exc:
                await websocket.send_json({"event": "error", "data": {"status": 422, **error_body(
                    422, str(exc)[:500], "validation_error")}})  # fmt: skip
                continue
            except DomainError as exc:
                await websocket.send_json({"event": "error", "data": {"status": exc.status_code, **error_body(
                    exc.status_code, exc.message, exc.code)}})  # fmt: skip
                continue
            async for name, data in handle.events():
                if name == "session" and data.get("session_secret"):
                    secret = data["session_secret"]
                await websocket.send_json({"event": name, "data": json.loads(json.dumps(data, default=str))})
    except WebSocketDisconnect:
        return


# Reachable only with the service key (the gateway's internal listener): the monitoring service's daily cost report.
internal_router = APIRouter(prefix="/api/agent/internal", tags=["agent (internal)"])


@internal_router.get("/costs", response_model=CostReport, responses={401: {"description": "no service key"}})
async def internal_costs(service: Chat, days: Annotated[int, Query(ge=1, le=7)] = 7) -> dict[str, Any]:
    """The cost report for our own services (the monitoring service's daily report): the same as /api/agent/costs."""
    report: dict[str, Any] = await service.cost.report(days)
    return report


@router.get("/api/agent/costs", response_model=CostReport)
async def costs(
    service: Chat,
    _: Annotated[Principal, Depends(require_role("admin"))],
    days: Annotated[int, Query(ge=1, le=7)] = 7,
) -> dict[str, Any]:
    """Admin: model spend by day, model and purpose (7 days kept), and today's use of the budget."""
    report: dict[str, Any] = await service.cost.report(days)
    return report


# -- leads ---------------------------------------------------------------------------------------------------------
async def lead_service(request: Request) -> LeadService:
    service: LeadService = request.app.state.leads
    return service


Leads = Annotated[LeadService, Depends(lead_service)]
Staff = Annotated[Principal, Depends(require_role("agent", "admin"))]
LEAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid access token"},
    403: {"description": "not an agent or administrator"},
}
ONE_LEAD: dict[int | str, dict[str, Any]] = {
    **LEAD_RESPONSES,
    404: {"description": "no such lead, or (for an agent) assigned to another agent"},
}
CSV_COLUMNS = (
    "id", "created_at", "kind", "intent", "score", "temperature", "status", "assigned_agent_id", "budget_min",
    "budget_max", "areas", "types", "bedrooms", "timeline", "financing", "purpose", "motivation", "condition",
    "price_expectation", "readiness_score", "commitment_score", "contact_consent", "contact_name", "contact_phone",
    "contact_email", "turns", "hot_at", "first_contact_at", "seconds_to_first_contact", "session_ids",
)  # fmt: skip


class LeadFilters:
    """The list's and the export's filters; an agent sees the leads assigned to them and the unassigned ones."""

    def __init__(
        self,
        temperature: Annotated[Literal["HOT", "WARM", "COLD"] | None, Query()] = None,
        status: Annotated[Literal["new", "contacted", "viewing", "negotiating", "won", "lost"] | None, Query()] = None,
        intent: Annotated[Literal["buy", "sell", "rent", "invest"] | None, Query()] = None,
        kind: Annotated[Literal["buyer", "seller"] | None, Query()] = None,
        assigned_to: Annotated[
            str | None,
            Query(pattern=r"^(me|none|[0-9a-fA-F-]{36})$", description="me, none, or an agent's id (administrators)"),
        ] = None,
        min_score: Annotated[int | None, Query(ge=0, le=100)] = None,
        area: Annotated[str | None, Query(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f]+$")] = None,
        sort: Annotated[
            Literal["newest", "score"], Query(description="newest first, or highest score first")
        ] = "newest",
    ) -> None:
        self.values: dict[str, Any] = {"temperature": temperature, "status": status, "intent": intent, "kind": kind,
                                       "min_score": min_score, "area": area}  # fmt: skip
        self.assigned_to = assigned_to
        self.sort = sort

    def for_caller(self, principal: Principal) -> list[dict[str, Any]]:
        """One filter set per scope the caller may see (an agent: theirs, and the unassigned)."""
        me = uuid.UUID(principal.user_id)
        wanted = self.assigned_to
        if principal.role == "admin":
            if wanted == "me":
                return [{**self.values, "assigned_to": me}]
            if wanted is None or wanted == "none":
                return [{**self.values, "assigned_to": wanted}]
            return [{**self.values, "assigned_to": _uuid(wanted, "assigned_to")}]
        if wanted == "me":
            return [{**self.values, "assigned_to": me}]
        if wanted == "none":
            return [{**self.values, "assigned_to": "none"}]
        if wanted is not None and _uuid(wanted, "assigned_to") != me:
            raise ValidationFailedError("an agent sees their own leads and the unassigned ones")
        return [{**self.values, "assigned_to": me}] if wanted else [
            {**self.values, "assigned_to": me}, {**self.values, "assigned_to": "none"}]  # fmt: skip


def _uuid(value: str, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ValidationFailedError(f"{name}: not an id") from None


async def _page(
    service: LeadService, scopes: list[dict[str, Any]], sort: str, limit: int, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    after: tuple[Any, uuid.UUID] | None = None
    if cursor:
        key, lead_id = decode_cursor(cursor, 2)
        try:
            after = (datetime.fromisoformat(key) if sort == "newest" else int(key), uuid.UUID(lead_id))
        except ValueError:
            raise ValidationFailedError("the cursor is not one this service gave out") from None
    rows: list[dict[str, Any]] = []
    for scope in scopes:
        rows.extend(dict(row) for row in await service.repository.page(
            filters=scope, sort=sort, limit=limit + 1, after=after))  # fmt: skip
    column = "created_at" if sort == "newest" else "score"
    rows.sort(key=lambda row: (row[column], row["id"]), reverse=True)
    page, more = rows[:limit], len(rows) > limit
    last = page[-1] if page else None
    next_cursor = None
    if more and last:
        next_cursor = encode_cursor(last[column].isoformat() if sort == "newest" else last[column], last["id"])
    return page, next_cursor


async def _visible(service: LeadService, lead_id: uuid.UUID, principal: Principal) -> dict[str, Any]:
    row = await service.repository.get(lead_id)
    if row is None or (
        principal.role != "admin" and row["assigned_agent_id"] not in (None, uuid.UUID(principal.user_id))
    ):
        raise NotFoundError("no such lead")
    return dict(row)


@leads_router.get("", response_model=LeadPage, responses=LEAD_RESPONSES)
async def list_leads(
    service: Leads,
    principal: Staff,
    filters: Annotated[LeadFilters, Depends()],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")] = None,
) -> dict[str, Any]:
    """Leads, newest first (or by score), each naming its chat sessions; an agent sees theirs and the unassigned."""
    rows, next_cursor = await _page(service, filters.for_caller(principal), filters.sort, limit, cursor)
    await service.publish_stats()
    return {"items": [Lead.from_row(row) for row in rows], "next_cursor": next_cursor}


@leads_router.get(
    "/export.csv",
    responses={**LEAD_RESPONSES, 200: {"content": {"text/csv": {"schema": {"type": "string"}}},
                                       "description": "every lead the filters select, one per line"}},
)  # fmt: skip
async def export_leads(service: Leads, principal: Staff, filters: Annotated[LeadFilters, Depends()]) -> Any:
    """The leads the filters select as CSV (contact details only where the buyer consented), at most 10,000."""
    rows: list[dict[str, Any]] = []
    cursor: str | None = None
    while len(rows) < 10_000:
        page, cursor = await _page(service, filters.for_caller(principal), filters.sort, 500, cursor)
        rows.extend(page)
        if cursor is None:
            break
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows[:10_000]:
        lead = Lead.from_row(row).model_dump(mode="json")
        writer.writerow([
            ";".join(map(str, lead[name])) if isinstance(lead[name], list) else "" if lead[name] is None else lead[name]
            for name in CSV_COLUMNS
        ])  # fmt: skip
    return StreamingResponse(
        iter([buffer.getvalue()]), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="leads.csv"'},
    )  # fmt: skip


@leads_router.get("/agents", response_model=list[SalesAgent], responses=LEAD_RESPONSES)
async def roster(service: Leads, _: Staff) -> list[dict[str, Any]]:
    """The sales agents who take leads, on duty or not, with their open leads."""
    return [dict(row) for row in await service.repository.roster()]


@leads_router.put("/agents/me/duty", response_model=SalesAgent,
                  responses={**LEAD_RESPONSES, 403: {"description": "not an agent"}})  # fmt: skip
async def my_duty(
    body: DutyChange, service: Leads, principal: Annotated[Principal, Depends(require_role("agent"))]
) -> Any:
    """An agent goes on or off duty: HOT leads are assigned round robin among the agents on duty."""
    return dict(await service.repository.set_duty(uuid.UUID(principal.user_id), body.on_duty))


@leads_router.put("/agents/{agent_id}/duty", response_model=SalesAgent,
                  responses={**LEAD_RESPONSES, 403: {"description": "not an administrator"},
                             404: {"description": "no such agent"}})  # fmt: skip
async def agent_duty(
    agent_id: uuid.UUID, body: DutyChange, service: Leads, _: Annotated[Principal, Depends(require_role("admin"))]
) -> Any:
    """Administrators put an agent on or off duty (the user must hold the agent role)."""
    profile = await service.auth.user(agent_id)
    if profile is None or profile.get("role") != "agent":
        raise NotFoundError("no agent with this id")
    return dict(await service.repository.set_duty(agent_id, body.on_duty))


@leads_router.get("/{lead_id}", response_model=LeadDetail, responses=ONE_LEAD)
async def lead_detail(lead_id: uuid.UUID, service: Leads, principal: Staff) -> dict[str, Any]:
    """One lead with its score history, its audit trail and its conversation."""
    await _visible(service, lead_id, principal)
    detail = await service.detail(lead_id)
    events = [LeadEvent.model_validate(event) for event in detail["events"]]
    return {
        "lead": Lead.from_row(detail["lead"]),
        "score_history": [event for event in events if event.kind == "score"],
        "events": [event for event in events if event.kind != "score"],
        "conversation": detail["conversation"],
    }


@leads_router.put("/{lead_id}/status", response_model=Lead, responses=ONE_LEAD)
async def lead_status(lead_id: uuid.UUID, body: LeadStatusChange, service: Leads, principal: Staff) -> Lead:
    """Move a lead along the pipeline (new, contacted, viewing, negotiating, won, lost); the first move past new is
    its first contact. Every change is in the audit trail."""
    await _visible(service, lead_id, principal)
    row, previous = await service.repository.set_status(lead_id, body.status, principal.user_id, body.note)
    if row is None:
        raise NotFoundError("no such lead")
    await service.record_first_contact(row, previous)
    return await _with_sessions(service, lead_id)


@leads_router.put("/{lead_id}/assignment", response_model=Lead,
                  responses={**ONE_LEAD, 422: {"description": "not an agent on the roster"}})  # fmt: skip
async def lead_assignment(lead_id: uuid.UUID, body: LeadAssignment, service: Leads, principal: Staff) -> Lead:
    """Assign a lead: administrators to any agent on the roster, an agent to themselves (an unassigned lead)."""
    await _visible(service, lead_id, principal)
    if principal.role != "admin" and body.agent_id != uuid.UUID(principal.user_id):
        raise ValidationFailedError("an agent can assign a lead only to themselves")
    if body.agent_id not in {row["agent_id"] for row in await service.repository.roster()}:
        raise ValidationFailedError("this agent is not on the roster (PUT /api/leads/agents/me/duty first)")
    if await service.repository.assign(lead_id, body.agent_id, principal.user_id) is None:
        raise NotFoundError("no such lead")
    return await _with_sessions(service, lead_id)


async def _with_sessions(service: LeadService, lead_id: uuid.UUID) -> Lead:
    row = await service.repository.get(lead_id)
    if row is None:
        raise NotFoundError("no such lead")
    return Lead.from_row(dict(row))


# -- contract review ---------------------------------------------------------------------------------------------------
contracts_router = APIRouter(prefix="/api/contracts", tags=["contracts"])
MAX_AUDIT_JSON_BYTES = 1024 * 1024
# A multipart body is the PDF plus its part headers, the boundaries and the `keep` field.
MULTIPART_OVERHEAD_BYTES = 64 * 1024
CONTRACT_AUDIT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ContractAuditRequest.model_json_schema()},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {"type": "string", "format": "binary", "description": "the contract as a PDF with a "
                             "text layer (application/pdf), at most 5 MB"},
                    "keep": {"type": "boolean", "default": False, "description": "keep the review (signed in only)"},
                },
            }
        },
    },
}  # fmt: skip


async def contract_audits(request: Request) -> ContractAuditService:
    service: ContractAuditService = request.app.state.contract_audits
    return service


ContractAudits = Annotated[ContractAuditService, Depends(contract_audits)]


def client_ip(request: Request) -> str:
    # Services are reachable only through the gateway, which sets X-Real-IP to the caller's address.
    return request.headers.get("x-real-ip") or (request.client.host if request.client else "unknown")


async def _read_body(request: Request, limit: int, too_large: str) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLargeError(too_large)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise PayloadTooLargeError(too_large)
    return bytes(body)


def _form_flag(value: object) -> bool:
    text = value.strip().lower() if isinstance(value, str) else ""
    if value is None or text in ("", "false", "0", "no", "off"):
        return False
    if text in ("true", "1", "yes", "on"):
        return True
    raise ValidationFailedError("keep: send true or false")


@contracts_router.post(
    "/audit",
    response_model=ContractAudit,
    openapi_extra={"requestBody": CONTRACT_AUDIT_BODY},
    responses={401: {"description": "keep=true without signing in, or an invalid token"},
               413: {"description": "a PDF over 5 MB (or a JSON body over 1 MB)"},
               415: {"description": "neither JSON nor a multipart upload of a PDF"},
               422: {"description": "text outside 20..100,000 characters, a PDF that cannot be read (invalid_pdf), "
                                    "or one with no text layer (no_text_layer)"},
               429: {"description": "more reviews a minute than CONTRACT_AUDITS_PER_MINUTE_PER_IP (anonymous) or "
                                    "_PER_USER allow"}},
)  # fmt: skip
async def audit_contract(
    request: Request, service: ContractAudits, principal: Annotated[Principal | None, Depends(optional_principal)]
) -> ContractAudit:
    """Review a contract for the clauses an Egyptian buyer must see (payment schedule and its total, delivery date,
    late-delivery penalty, maintenance deposit, finishing, area, registration, cancellation and refund, developer
    obligations, disputes) and risky wording. JSON `{"text", "keep"}` or a PDF (multipart `file`, `keep`). Anyone may
    ask; nothing is stored unless a signed-in caller sends keep=true."""
    await service.admit(principal, client_ip(request))
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        limit = MAX_PDF_BYTES + MULTIPART_OVERHEAD_BYTES
        body = await _read_body(request, limit, f"a PDF is at most {MAX_PDF_BYTES // (1024 * 1024)} MB")

        async def replay() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        form = await Request(request.scope, replay).form(max_files=1, max_fields=4)
        try:
            upload, keep = form.get("file"), _form_flag(form.get("keep"))
            if not isinstance(upload, UploadFile):
                raise ValidationFailedError("send the contract as the `file` part (a PDF)")
            data = await upload.read()
        finally:
            await form.close()
        if len(data) > MAX_PDF_BYTES:
            raise PayloadTooLargeError(f"a PDF is at most {MAX_PDF_BYTES // (1024 * 1024)} MB")
        check_keep(keep, principal)  # before reading the PDF
        text = await service.pdf_text(data)
        return await service.audit(text, principal=principal, keep=keep, source="pdf")
    if media_type in ("", "application/json") or media_type.endswith("+json"):
        body = await _read_body(request, MAX_AUDIT_JSON_BYTES, "a JSON body is at most 1 MB: send a PDF instead")
        try:
            payload = ContractAuditRequest.model_validate_json(body)
        except ValidationError as exc:
            raise RequestValidationError(
                [{**error, "loc": ("body", *error["loc"])} for error in exc.errors(include_url=False)]
            ) from None
        return await service.audit(payload.text, principal=principal, keep=payload.keep, source="text")
    raise UnsupportedMediaTypeError('send JSON {"text": ...} or a PDF as multipart/form-data (the `file` part)')


@contracts_router.get(
    "/audits/{audit_id}",
    response_model=ContractAudit,
    responses={404: {"description": "no such review, or kept by someone else"}},
)
async def kept_contract_audit(
    audit_id: uuid.UUID, service: ContractAudits, principal: Annotated[Principal, Depends(current_principal)]
) -> ContractAudit:
    """A contract review its owner kept (keep=true); anyone else gets 404."""
    return await service.kept(audit_id, principal)


# -- reservations ----------------------------------------------------------------------------------------------------
async def reservation_service(request: Request) -> ReservationService:
    service: ReservationService = request.app.state.reservations
    return service


Reservations = Annotated[ReservationService, Depends(reservation_service)]
Buyer = Annotated[Principal, Depends(require_role("user", "agent", "admin"))]
RESERVATION_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "sign in to reserve"},
    404: {"description": "no such listing or reservation (or not yours)"},
    409: {"description": "the unit is reserved, sold or withdrawn; or the reservation's state forbids it"},
    503: {"description": "the property registry is unavailable"},
}


@reservations_router.post("", status_code=201, response_model=Reservation, responses=RESERVATION_RESPONSES)
async def reserve(body: ReservationRequest, service: Reservations, principal: Buyer) -> Any:
    """Reserve an available unit: a deposit holds it until `expires_at`, and the registry records it. The status is
    pending until the chain confirms (or refuses); follow it at GET /api/reservations/{id}."""
    row = await service.reserve(uuid.UUID(principal.user_id), body.listing_id)
    return dict(row)


@reservations_router.get("", response_model=list[Reservation], responses=RESERVATION_RESPONSES)
async def my_reservations(
    service: Reservations, principal: Buyer, limit: Annotated[int, Query(ge=1, le=100)] = 20
) -> Any:
    """The caller's reservations, newest first."""
    rows = await service.repository.mine(uuid.UUID(principal.user_id), limit)
    return [dict(await service.refresh(row)) for row in rows]


@reservations_router.get("/{reservation_id}", response_model=Reservation, responses=RESERVATION_RESPONSES)
async def one_reservation(reservation_id: uuid.UUID, service: Reservations, principal: Buyer) -> Any:
    """A reservation as the chain last reported it (its owner, or an agent or administrator)."""
    staff = principal.role in ("agent", "admin")
    return dict(await service.get(reservation_id, uuid.UUID(principal.user_id), admin=staff))


@reservations_router.post("/{reservation_id}/cancel", response_model=Reservation, responses=RESERVATION_RESPONSES)
async def cancel_reservation(reservation_id: uuid.UUID, service: Reservations, principal: Buyer) -> Any:
    """Cancel a confirmed reservation: the unit is released on chain and available again."""
    staff = principal.role == "admin"
    return dict(await service.cancel(reservation_id, uuid.UUID(principal.user_id), admin=staff))
