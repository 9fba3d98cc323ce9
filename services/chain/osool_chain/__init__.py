"""Osool chain service: the property registry on Ethereum: reservations, sales, document hashes."""

__version__ = "0.1.0"
