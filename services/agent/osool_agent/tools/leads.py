"""The qualify_lead tool: a model brain records what the buyer or seller stated (intent and slots); the lead workflow
merges it over the rules' reading of the same message at the end of the turn."""

from __future__ import annotations

from pydantic import BaseModel

from osool_agent.leads.slots import LeadSlots
from osool_agent.tools.context import ToolArgs, ToolContext


class QualifyLeadArgs(LeadSlots, ToolArgs):
    """Only what the person stated; the lead keeps what earlier messages said."""


class LeadNoted(BaseModel):
    ok: bool = True
    noted: list[str]


async def qualify_lead(_: ToolContext, args: QualifyLeadArgs) -> LeadNoted:
    return LeadNoted(noted=sorted(args.stated()))
