"""Contract reviews as a service: the request and response models of /api/contracts, a PDF's text layer, the limits
per address and per user, and keeping a review for the signed-in buyer who asks (no HTTP and no SQL here)."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pypdf import PdfReader
from redis.exceptions import RedisError

from osool_agent import metrics
from osool_agent.contract_audit_repository import ContractAuditRepository
from osool_agent.contracts import ContractReview, Finding, Language, Severity, review_contract
from osool_common.auth import Principal
from osool_common.errors import (
    DomainError,
    NotFoundError,
    RateLimitedError,
    UnauthenticatedError,
    UnsupportedMediaTypeError,
)
from osool_common.logging import get_logger
from osool_common.ratelimit import RateLimiter
from osool_common.validation import PlainText

log = get_logger(__name__)

MIN_TEXT_CHARS = 20
MAX_TEXT_CHARS = 100_000
MAX_PDF_BYTES = 5 * 1024 * 1024
# Pages read from a PDF: a contract is tens of pages; a PDF of thousands is not one, and would hold a worker.
MAX_PDF_PAGES = 200
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ContractAuditRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: PlainText = Field(min_length=MIN_TEXT_CHARS, max_length=MAX_TEXT_CHARS,
                            description="the contract, or the clauses to check, in English or Arabic")  # fmt: skip
    keep: bool = Field(default=False, description="keep the review (signed-in callers only); otherwise none is stored")


class ContractAudit(BaseModel):
    """A contract review: every required clause present, missing or risky, and whether it was kept."""

    language: Language
    findings: list[Finding]
    summary: dict[Severity, int]
    score: int = Field(ge=0, le=100, description="share of the required clauses present and not risky, in percent")
    stored: bool
    id: uuid.UUID | None = Field(description="the kept review's id (GET /api/contracts/audits/{id}); null if not kept")
    created_at: datetime | None = Field(default=None, description="when it was kept")


class NoTextLayerError(DomainError):
    status_code = 422
    code = "no_text_layer"


class InvalidPdfError(DomainError):
    status_code = 422
    code = "invalid_pdf"


class TextLengthError(DomainError):
    status_code = 422
    code = "validation_error"


def text_from_pdf(data: bytes) -> str:
    """The text layer of a PDF (pypdf), pages joined as lines (a clause often runs over a page break). Raises for what
    is not a PDF, a PDF that cannot be read, and one with no text (a scan: it would need OCR, not done here)."""
    if data.lstrip()[:5] != b"%PDF-":
        raise UnsupportedMediaTypeError("the file is not a PDF (send application/pdf, or the text as JSON)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidPdfError("the PDF is password-protected")
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
    except InvalidPdfError:
        raise
    except Exception as exc:  # an untrusted file: whatever breaks the reader is the file's fault
        raise InvalidPdfError(f"the PDF cannot be read ({type(exc).__name__})") from None
    text = _CONTROL.sub(" ", "\n".join(page.strip() for page in pages))
    if len(text.split()) < 3 or len("".join(text.split())) < MIN_TEXT_CHARS:
        raise NoTextLayerError(
            "the PDF has no text layer (a scan?): send a PDF with selectable text, or paste the text"
        )
    return text


def check_keep(keep: bool, principal: Principal | None) -> None:
    if keep and principal is None:
        raise UnauthenticatedError("sign in to keep a contract review (or send keep=false: nothing is stored)")


def count_findings(review: ContractReview) -> None:
    for finding in review.findings:
        metrics.CONTRACT_FINDINGS.labels(finding.clause, finding.severity).inc()


class ContractAuditService:
    def __init__(
        self, repository: ContractAuditRepository, limiter: RateLimiter, *, per_ip_per_minute: int,
        per_user_per_minute: int,
    ) -> None:  # fmt: skip
        self.repository = repository
        self.limiter = limiter
        self.per_ip_per_minute = per_ip_per_minute
        self.per_user_per_minute = per_user_per_minute

    async def admit(self, principal: Principal | None, client_ip: str) -> None:
        """A signed-in caller is counted by user (an office shares one address), anyone else by address."""
        key, limit = (
            (f"user:{principal.user_id}", self.per_user_per_minute)
            if principal is not None
            else (f"ip:{client_ip}", self.per_ip_per_minute)
        )
        try:
            decision = await self.limiter.hit(key, limit=limit, window_seconds=60)
        except RedisError:  # Redis down: the gateway's per-address limit still holds
            log.warning("contracts.rate_limit_unavailable")
            return
        if not decision.allowed:
            raise RateLimitedError(
                f"too many contract reviews; try again in {decision.retry_after_seconds:.0f} s",
                details={"retry_after_seconds": round(decision.retry_after_seconds, 1)},
                retry_after=decision.retry_after_seconds,
            )

    async def pdf_text(self, data: bytes) -> str:
        # pypdf is pure Python and CPU-bound: off the event loop.
        return await asyncio.to_thread(text_from_pdf, data)

    async def audit(
        self, text: str, *, principal: Principal | None, keep: bool, source: Literal["text", "pdf"]
    ) -> ContractAudit:
        check_keep(keep, principal)
        if not MIN_TEXT_CHARS <= len(text) <= MAX_TEXT_CHARS:
            raise TextLengthError(f"the contract's text must be {MIN_TEXT_CHARS} to {MAX_TEXT_CHARS:,} characters")
        review = await asyncio.to_thread(review_contract, text)
        count_findings(review)
        log.info("contracts.reviewed", source=source, language=review.language, score=review.score, kept=keep,
                 **{f"{severity}_findings": count for severity, count in review.summary.items()})  # fmt: skip
        if not keep or principal is None:
            return ContractAudit(**review.model_dump(), stored=False, id=None)
        row = await self.repository.insert(
            uuid.UUID(principal.user_id), source=source, text_sha256=hashlib.sha256(text.encode()).hexdigest(),
            text_chars=len(text), review=review.model_dump(mode="json"),
        )  # fmt: skip
        return ContractAudit(**review.model_dump(), stored=True, id=row["id"], created_at=row["created_at"])

    async def kept(self, audit_id: uuid.UUID, principal: Principal) -> ContractAudit:
        row = await self.repository.get_owned(audit_id, uuid.UUID(principal.user_id))
        if row is None:
            raise NotFoundError("no such contract review")
        record: dict[str, Any] = dict(row)
        return ContractAudit(
            language=record["language"], findings=record["findings"], summary=record["summary"], score=record["score"],
            stored=True, id=record["id"], created_at=record["created_at"],
        )  # fmt: skip
