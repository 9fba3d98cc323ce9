"""Ingestion: validated listings in, embedded (through the cache) and upserted by source_id, with a report out.

The file formats and field aliases are ingest_records' business; this module only sees canonical listings and
rejections, so the command and the admin endpoint share every step after parsing."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from osool_common.logging import get_logger
from osool_search import metrics
from osool_search.embeddings import Embedder
from osool_search.features import listing_features
from osool_search.ingest_records import Rejection
from osool_search.listing import ListingIn
from osool_search.repository import LISTING_COLUMNS, ListingRepository

log = get_logger(__name__)

CHUNK = 1000
MAX_REPORTED_REJECTIONS = 1000


@dataclass
class IngestTally:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    embedded: int = 0
    embedding_cache_hits: int = 0
    rejections: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, position: int, source_id: str | None, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < MAX_REPORTED_REJECTIONS:
            self.rejections.append({"position": position, "source_id": source_id, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def text_digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def content_hash(listing: ListingIn, embedding_text: str) -> str:
    canonical = json.dumps(listing.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(f"{canonical}\n{embedding_text}".encode()).hexdigest()


class EmbeddingStore:
    """Embeddings through the cache: a text already embedded by this model is read back, never embedded again."""

    def __init__(self, repository: ListingRepository, embedder: Embedder, batch_size: int) -> None:
        self.repository = repository
        self.embedder = embedder
        self.batch_size = batch_size

    async def vectors_for(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> tuple[list[np.ndarray], int, int]:
        """Vectors in the order of the texts, with (embedded, cache_hits) counts."""
        model = self.embedder.model
        digests = [text_digest(t) for t in texts]
        known = await self.repository.cached_embeddings(model, list(set(digests)))
        missing: dict[bytes, str] = {}
        for digest, text in zip(digests, texts, strict=True):
            if digest not in known:
                missing.setdefault(digest, text)
        hits = sum(1 for d in digests if d in known)
        pending = list(missing.items())
        for start in range(0, len(pending), self.batch_size):
            batch = pending[start : start + self.batch_size]
            vectors = await self.embedder.embed([text for _, text in batch])
            fresh = [(digest, vectors[i]) for i, (digest, _) in enumerate(batch)]
            await self.repository.cache_embeddings(model, fresh)
            known.update(fresh)
            metrics.EMBEDDED_TEXTS.labels(model).inc(len(batch))
            if progress:
                progress(len(batch))
        return [known[d] for d in digests], len(missing), hits


class Ingestor:
    def __init__(self, repository: ListingRepository, embeddings: EmbeddingStore) -> None:
        self.repository = repository
        self.embeddings = embeddings

    async def ingest(
        self,
        items: Iterable[ListingIn | Rejection],
        source: str,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[Any, IngestTally, float]:
        """Every item is a validated listing or a rejection; returns (run id, tally, seconds). Chunks are written in
        their own transactions, so a very large file makes steady progress and a crash loses at most one chunk."""
        started = time.perf_counter()
        run_id = await self.repository.start_run(source)
        tally = IngestTally()
        seen: dict[str, int] = {}
        chunk: list[tuple[int, ListingIn]] = []
        for position, item in enumerate(items, start=1):
            tally.read += 1
            if isinstance(item, Rejection):
                tally.reject(item.position, item.source_id, item.reason)
                continue
            if item.source_id in seen:
                tally.reject(
                    position, item.source_id, f"source_id repeats the record at position {seen[item.source_id]}"
                )
                continue
            seen[item.source_id] = position
            chunk.append((position, item))
            if len(chunk) >= CHUNK:
                await self._write(chunk, tally, progress)
                chunk = []
        if chunk:
            await self._write(chunk, tally, progress)
        seconds = time.perf_counter() - started
        await self.repository.finish_run(run_id, tally.as_dict())
        for outcome in ("inserted", "updated", "unchanged", "rejected"):
            metrics.INGESTED.labels(outcome).inc(getattr(tally, outcome))
        log.info("ingest.finished", source=source, seconds=round(seconds, 2), **{
            k: v for k, v in tally.as_dict().items() if k != "rejections"
        })  # fmt: skip
        return run_id, tally, seconds

    async def _write(
        self, chunk: list[tuple[int, ListingIn]], tally: IngestTally, progress: Callable[[int], None] | None
    ) -> None:
        model = self.embeddings.embedder.model
        existing = await self.repository.existing([listing.source_id for _, listing in chunk])
        changed: list[tuple[ListingIn, list[str], str, str]] = []
        for _, stated in chunk:
            features = listing_features(stated.title, stated.description, stated.features)
            listing = stated.model_copy(update={"features": features})
            text = listing.embedding_text()
            digest = content_hash(listing, text)
            before = existing.get(listing.source_id)
            if before is not None and before.content_hash == digest and before.embedding_model == model:
                tally.unchanged += 1
            else:
                changed.append((listing, stated.features, text, digest))
        if changed:
            vectors, embedded, hits = await self.embeddings.vectors_for([text for _, _, text, _ in changed])
            tally.embedded += embedded
            tally.embedding_cache_hits += hits
            rows = [
                (*_listing_values(listing), words, digest, text, model, vector)
                for (listing, words, text, digest), vector in zip(changed, vectors, strict=True)
            ]
            inserted, updated = await self.repository.upsert_many(rows)
            tally.inserted += inserted
            tally.updated += updated
            # Rows the upsert left alone: another run wrote the same content between our read and our write.
            tally.unchanged += len(changed) - inserted - updated
        if progress:
            progress(len(chunk))


def _listing_values(listing: ListingIn) -> tuple[Any, ...]:
    data = listing.model_dump()
    for url in ("image_url", "source_url"):
        if data[url] is not None:
            data[url] = str(data[url])
    return tuple(data[column] for column in LISTING_COLUMNS)
