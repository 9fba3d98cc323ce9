"""The audit_contract tool: the contract-review analyser over text the buyer pasted into the conversation."""

from __future__ import annotations

import asyncio

from pydantic import Field

from osool_agent.contract_audits import count_findings
from osool_agent.contracts import Finding, Language, Severity, review_contract
from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome
from osool_common.validation import PlainText


class AuditContractArgs(ToolArgs):
    text: PlainText = Field(
        min_length=20, max_length=20_000, description="the contract or its clauses, word for word (English or Arabic)"
    )


class ContractAuditResult(ToolOutcome):
    language: Language
    findings: list[Finding]
    summary: dict[Severity, int]
    score: int = Field(description="share of the required clauses present and not risky, in percent")


async def audit_contract(_: ToolContext, args: AuditContractArgs) -> ContractAuditResult:
    """The same analyser as POST /api/contracts/audit, called directly; nothing is stored."""
    review = await asyncio.to_thread(review_contract, args.text)
    count_findings(review)
    return ContractAuditResult(**review.model_dump())
