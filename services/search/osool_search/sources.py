"""Where listings come from, as one stream of validated listings and rejections: an uploaded or local export file,
or the demo generator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeAlias

from osool_search.demo_data import generate_listings
from osool_search.ingest_records import Rejection, read_records, validate_record
from osool_search.listing import ListingIn

Item: TypeAlias = ListingIn | Rejection


def records_from_bytes(data: bytes, fmt: str) -> list[Item]:
    """The whole file is read (and a malformed file refused as a whole) before anything is written."""
    return [validate_record(raw, position) for position, raw in read_records(data, fmt)]


def records_from_file(path: Path, fmt: str | None) -> list[Item]:
    return records_from_bytes(path.read_bytes(), fmt or path.name)


def demo_records(count: int, seed: int = 2026) -> Iterator[Item]:
    for record in generate_listings(count, seed):
        yield ListingIn.model_validate(record)
