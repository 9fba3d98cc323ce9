"""Osool monitoring service: operations: health history, alerts, cost reports for every service."""

__version__ = "0.1.0"
