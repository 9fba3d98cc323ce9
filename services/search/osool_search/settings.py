"""Settings of the search service: the common variables plus embeddings, caching, ranking and demo data."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator

from osool_common.settings import CommonSettings

DEFAULT_MODELS = {"local": "all-MiniLM-L6-v2", "openai": "text-embedding-3-small"}


class Settings(CommonSettings):
    service_name: ClassVar[str] = "search"

    upstream_services: str = ""

    # Embeddings: the bundled MiniLM by default (no network); OpenAI's model when asked for.
    embedding_provider: Literal["local", "openai"] = "local"
    embedding_model: str | None = None
    embedding_batch_size: int = Field(default=64, ge=1, le=2048)
    # Threads of the local model per worker process (onnxruntime's intra-op pool, or torch's in the fallback): one,
    # because parallelism comes from the workers and a second thread per worker spins against the other workers'.
    embedding_threads: int = Field(default=1, ge=1, le=64)
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None

    # Search
    search_cache_ttl_seconds: int = Field(default=300, ge=0)
    search_max_query_chars: int = Field(default=500, ge=10, le=10_000)
    search_max_limit: int = Field(default=50, ge=1, le=500)
    # How deep a cursor may page through one ranked result list.
    search_max_depth: int = Field(default=500, ge=10, le=5_000)
    # pgvector HNSW: candidates kept per scan, and how many tuples an iterative scan may visit for a filtered query.
    hnsw_ef_search: int = Field(default=100, ge=10, le=1_000)
    hnsw_max_scan_tuples: int = Field(default=40_000, ge=1_000)

    # Demo listings loaded on first start when the table is empty (0: none).
    demo_listings: int = Field(default=0, ge=0, le=2_000_000)

    @property
    def model_name(self) -> str:
        return self.embedding_model or DEFAULT_MODELS[self.embedding_provider]

    @model_validator(mode="after")
    def _openai_needs_a_key(self) -> Settings:
        if self.embedding_provider == "openai" and self.openai_api_key is None:
            raise ValueError("EMBEDDING_PROVIDER=openai needs OPENAI_API_KEY")
        return self

    def database_session_settings(self) -> dict[str, str]:
        # Iterative index scans (pgvector 0.8): a filtered nearest-neighbour query keeps scanning the HNSW graph
        # until it has enough rows that pass the filters, instead of returning a short page.
        return {
            # A search's best plan depends on its values (New Cairo has 30 times Maadi's listings): a generic plan
            # of a prepared statement, which Postgres may switch to after five runs, measured p50 7.6 ms and p99
            # 42 ms over the evaluation queries at 100,000 listings, against 4.8 / 13 ms planned for each search.
            "plan_cache_mode": "force_custom_plan",
            "hnsw.iterative_scan": "relaxed_order",
            "hnsw.ef_search": str(self.hnsw_ef_search),
            "hnsw.max_scan_tuples": str(self.hnsw_max_scan_tuples),
        }
