"""Osool shared service kit: what every service uses so that no service repeats it."""

__version__ = "0.1.0"
