"""Osool agent service: amr, the AI property consultant: chat (SSE), tools, leads and viewings."""

__version__ = "0.1.0"
