"""The search service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter, Histogram

SEARCHES = Counter("osool_search_searches_total", "Searches answered", ["cache"])
STAGE_SECONDS = Histogram(
    "osool_search_stage_seconds",
    "Time spent in each stage of a search",
    ["stage"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)
RESULTS = Histogram("osool_search_results", "Results returned per search", buckets=(0, 1, 2, 5, 10, 20, 50, 100))
EXACT_FALLBACKS = Counter(
    "osool_search_exact_fallbacks_total", "Filtered searches the HNSW scan left short, answered by an exact scan"
)
UNMATCHED_FEATURES = Counter(
    "osool_search_unmatched_features_total", "Features asked for that no listing passing the rest of a search has"
)
EMPTY_SEARCHES = Counter(
    "osool_search_empty_searches_total",
    "Searches whose first page was empty, by whether giving up one group of their filters would find listings",
    ["relaxation"],
)
QUERY_EMBEDDING_CACHE = Counter(
    "osool_search_query_embedding_cache_total", "Query embeddings by cache result", ["result"]
)
INGESTED = Counter("osool_search_ingested_records_total", "Ingested records by outcome", ["outcome"])
EMBEDDED_TEXTS = Counter("osool_search_embedded_texts_total", "Texts embedded by the model (cache misses)", ["model"])
# Redis errors a search survives (the caches are skipped): counted here, logged at most once a minute per operation.
REDIS_ERRORS = Counter("osool_search_redis_errors_total", "Redis errors searches survived, by operation", ["operation"])
