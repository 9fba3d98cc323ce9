"""Osool chat-history service: conversations: sessions and messages that survive restarts and follow the user."""

__version__ = "0.1.0"
