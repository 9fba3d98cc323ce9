"""Osool search service: verified listings: ingestion, hybrid semantic search with pgvector, market statistics."""

__version__ = "0.1.0"
