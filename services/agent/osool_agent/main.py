"""create_app(): the agent service's FastAPI app: the kit, the clients of the other services, the brains, the breaker,
the cost meter, the lead workflow, contract review, viewings, reservations, saved searches and their routes."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

from osool_agent import __version__
from osool_agent.alerts.api import router as saved_searches_router
from osool_agent.alerts.links import AlertLinks
from osool_agent.alerts.repository import SavedSearchRepository
from osool_agent.alerts.service import SavedSearchService
from osool_agent.api import contracts_router, internal_router, leads_router, reservations_router, router
from osool_agent.brains import ModelBrain, is_model_failure
from osool_agent.clients import AuthClient, ChainClient, HistoryClient, SearchClient
from osool_agent.contract_audit_repository import ContractAuditRepository
from osool_agent.contract_audits import ContractAuditService
from osool_agent.cost import CostMeter, load_price_file
from osool_agent.leads.accuracy import IntentAccuracy
from osool_agent.leads.pipeline import LeadService
from osool_agent.repository import LeadRepository, ReservationRepository, TurnRepository
from osool_agent.reservations import ReservationService
from osool_agent.service import ChatService
from osool_agent.settings import Settings
from osool_agent.tools.context import ToolContext
from osool_agent.viewings.api import router as viewings_router
from osool_agent.viewings.links import ViewingLinks
from osool_agent.viewings.repository import ViewingRepository
from osool_agent.viewings.service import ViewingService
from osool_common.app import Resources, create_service_app
from osool_common.breaker import CircuitBreaker
from osool_common.logging import get_logger
from osool_common.ratelimit import RateLimiter

log = get_logger(__name__)


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)
    # The openai SDK only when a model server is configured, imported here, in the master, once for every worker.
    if settings.openai_api_key is not None or settings.local_llm_url:
        from osool_agent.brains import openai_compatible

    async def setup(app: FastAPI, resources: Resources) -> None:
        search, history, chain = (
            SearchClient(resources.http),
            HistoryClient(resources.http),
            ChainClient(resources.http),
        )

        def breaker(dependency: str) -> CircuitBreaker:
            return CircuitBreaker(
                dependency, resources.redis, fail_max=settings.breaker_fail_max,
                reset_timeout=settings.breaker_reset_seconds, is_failure=is_model_failure,
            )  # fmt: skip

        brains: dict[str, ModelBrain] = {}
        if settings.openai_api_key is not None:
            brains["openai"] = openai_compatible.openai_brain(settings, breaker("openai"))
        if settings.local_llm_url:
            brains["local"] = openai_compatible.local_brain(settings, breaker("local-llm"))
        for brain in brains.values():
            resources.background.push_async_callback(brain.client.close)
            # Every replica shares the breaker: an open one degrades /health, but must not take every replica out.
            resources.health.add(
                f"breaker:{brain.name}", brain.breaker.health_check, critical=False, affects_readiness=False
            )

        auth = AuthClient(resources.http)
        reservations = ReservationService(settings, ReservationRepository(resources.db), search, chain, auth)
        app.state.reservations = reservations
        resources.run_in_background(reservations.run_sweeper(), "agent-reservation-sweeper")

        assert settings.osool_service_key is not None  # a required secret
        viewings = ViewingService(
            settings, ViewingRepository(resources.db), search, auth,
            ViewingLinks(settings.osool_service_key.get_secret_value(), settings.public_url),
        )  # fmt: skip
        app.state.viewings = viewings
        # Every worker of every replica runs it; the reminders' claim and the notices' dedupe keys send each once.
        resources.run_in_background(viewings.run_jobs(), "agent-viewing-reminders")

        saved_searches = SavedSearchService(
            settings, SavedSearchRepository(resources.db), search, auth,
            AlertLinks(settings.osool_service_key.get_secret_value(), settings.public_url), resources.redis,
        )  # fmt: skip
        app.state.saved_searches = saved_searches
        # Every worker of every replica runs it; the cursor's compare-and-set and the digest claims make each once.
        resources.run_in_background(saved_searches.run_jobs(), "agent-alerts")

        def tools() -> ToolContext:
            return ToolContext(search, chain, settings.listing_stale_after_days, settings.cards_per_reply,
                               reservations=reservations, viewings=viewings,
                               saved_searches=saved_searches)  # fmt: skip

        cost = CostMeter(resources.redis, settings.llm_daily_budget_usd, load_price_file(settings.llm_price_file))
        leads = LeadService(settings, LeadRepository(resources.db), search, auth, history)
        service = ChatService(
            settings, search, history, tools, TurnRepository(resources.db), RateLimiter(resources.redis, "agent:turns"),
            cost, brains, leads,
        )  # fmt: skip
        app.state.chat = service
        app.state.leads = leads
        app.state.contract_audits = ContractAuditService(
            ContractAuditRepository(resources.db), RateLimiter(resources.redis, "agent:contract-audits"),
            per_ip_per_minute=settings.contract_audits_per_minute_per_ip,
            per_user_per_minute=settings.contract_audits_per_minute_per_user,
        )  # fmt: skip
        # Every worker of every replica runs it; locked rows make each reassignment happen once.
        resources.run_in_background(leads.run_reassignment(), "agent-lead-reassignment")
        resources.background.push_async_callback(service.aclose)
        accuracy = IntentAccuracy(settings.intent_evaluation_file)
        await accuracy.refresh()
        resources.scrape_hooks.append(accuracy.refresh)

        async def brain_check() -> str:
            chosen = service.default_brain
            if chosen != "rules" and chosen not in brains:
                raise RuntimeError(f"AGENT_BRAIN={chosen} is not configured; the rules brain answers")
            return f"{chosen} ({brains[chosen].model_name})" if chosen in brains else "rules"

        resources.health.add("brain", brain_check, critical=False)
        if "local" in brains and settings.local_llm_warmup:
            resources.run_in_background(_warm_up(brains["local"]), "agent-local-warmup")

    return create_service_app(
        settings,
        version=__version__,
        description="Amr, the AI property consultant: chat (JSON, server-sent events, WebSocket) over real listings.",
        routers=[
            router,
            internal_router,
            leads_router,
            contracts_router,
            reservations_router,
            viewings_router,
            saved_searches_router,
        ],
        redis_critical=False,
        setup=setup,
    )


async def _warm_up(brain: ModelBrain) -> None:
    """One request with the very prefix of a turn (the system prompt and every tool's schema), so the local server has
    it cached before the first buyer: cold, its ~2,000 tokens take 40 s or more on two cores."""
    from pydantic_ai.direct import model_request
    from pydantic_ai.messages import ModelRequest, UserPromptPart
    from pydantic_ai.models import ModelRequestParameters

    from osool_agent.service import load_prompt
    from osool_agent.tools.catalog import pydantic_tools

    await asyncio.sleep(1)
    try:
        request: Any = ModelRequest(parts=[UserPromptPart("hello")], instructions=load_prompt())
        parameters = ModelRequestParameters(
            function_tools=[tool.tool_def for tool in pydantic_tools()], allow_text_output=True
        )
        await model_request(brain.model, [request], model_settings=brain.settings, model_request_parameters=parameters)
        log.info("agent.local_model_warm")
    except Exception as exc:
        log.warning("agent.local_warmup_failed", error=type(exc).__name__)
