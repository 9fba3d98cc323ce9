"""The search service's own commands: ingest a file, load demo listings, write a demo export, reindex embeddings."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from tqdm import tqdm

from osool_common.cache import create_redis
from osool_common.db import create_pool
from osool_common.logging import configure_logging
from osool_common.migrations import apply_migrations, wait_for_database
from osool_common.settings import CommonSettings
from osool_search.embeddings import create_embedder
from osool_search.repository import ListingRepository
from osool_search.schemas import IngestReport
from osool_search.service import SearchService
from osool_search.settings import Settings
from osool_search.sources import demo_records, records_from_file

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
T = TypeVar("T")


def _with_service(settings: CommonSettings, work: Callable[[SearchService], Awaitable[T]]) -> T:
    assert isinstance(settings, Settings)
    assert settings.database_url is not None
    # stdout carries the report (JSON with --json); the service's log lines go to stderr with the progress bar.
    configure_logging(settings.service_name, settings.log_level, stream=sys.stderr)
    wait_for_database(settings.database_url.get_secret_value())
    apply_migrations(settings, MIGRATIONS)

    async def main() -> T:
        pool = await create_pool(settings)
        redis = create_redis(settings)
        embedder = create_embedder(settings)
        try:
            return await work(SearchService(settings, ListingRepository(pool), embedder, redis))
        finally:
            await embedder.close()
            await redis.aclose()
            await pool.close()

    return asyncio.run(main())


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        print(report.model_dump_json(indent=2))
        return
    print(
        f"{report.source}: read {report.read}, inserted {report.inserted}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {report.rejected} "
        f"(embedded {report.embedded} texts, {report.embedding_cache_hits} from the cache) in {report.seconds:.1f}s"
    )
    for rejection in report.rejections[:50]:
        print(f"  rejected #{rejection.position} {rejection.source_id or '-'}: {rejection.reason}")
    if report.rejected > 50:
        print(f"  ... and {report.rejected - 50} more (--json lists up to 1000)")


# ---- ingest ----


def add_ingest_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="a JSON (list, or object with `properties`) or CSV export")
    parser.add_argument("--format", choices=("json", "csv"), help="default: from the file's extension")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run_ingest(settings: CommonSettings, args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    items = records_from_file(path, args.format)

    async def work(service: SearchService) -> IngestReport:
        with tqdm(total=None, unit=" listings", desc=f"ingest {path.name}", file=sys.stderr) as bar:
            return await service.ingest(items, str(path), progress=bar.update)

    report = _with_service(settings, work)
    _print_report(report, args.json)
    return 0


# ---- demo listings ----


def add_demo_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=3500, help="how many listings (default 3500)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run_load_demo(settings: CommonSettings, args: argparse.Namespace) -> int:
    async def work(service: SearchService) -> IngestReport:
        with tqdm(total=args.count, unit=" listings", desc="demo listings", file=sys.stderr) as bar:
            return await service.ingest(demo_records(args.count), f"demo:{args.count}", progress=bar.update)

    _print_report(_with_service(settings, work), args.json)
    return 0


# ---- reindex ----


def add_reindex_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--batch", type=int, default=500, help="listings per batch")


def run_reindex(settings: CommonSettings, args: argparse.Namespace) -> int:
    async def work(service: SearchService) -> int:
        counts = await service.repository.count_by_model()
        stale = sum(n for model, n in counts.items() if model != service.embedder.model)
        with tqdm(total=stale, unit=" listings", desc=f"reindex -> {service.embedder.model}", file=sys.stderr) as bar:
            return await service.reindex(args.batch, progress=bar.update)

    done = _with_service(settings, work)
    print(f"re-embedded {done} listings")
    return 0
