"""Osool auth service: identity: every way to sign in, tokens, JWKS, roles."""

__version__ = "0.1.0"
