"""The chain service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter, Gauge, Histogram

# outcome: sent (the node accepted it), confirmed (CHAIN_CONFIRMATIONS deep), failed (reverted, refused, or lost).
TRANSACTIONS = Counter("osool_chain_transactions_total", "Transactions by contract function and outcome",
                       ["function", "outcome"])  # fmt: skip
GAS_USED = Histogram(
    "osool_chain_gas_used",
    "Gas used by mined transactions, by contract function",
    ["function"],
    buckets=(25_000, 30_000, 35_000, 40_000, 50_000, 60_000, 75_000, 100_000, 150_000, 250_000, 500_000, 1_000_000,
             2_000_000),
)  # fmt: skip
# outcome: accepted (queued), replayed (same Idempotency-Key), conflict (409: the listing's state forbids it).
WRITES = Counter("osool_chain_writes_total", "Write requests by contract function and outcome", ["function", "outcome"])
# Set by whichever worker currently leads (sender) or indexes; the most recent value across live workers is shown.
INDEXER_LAG = Gauge("osool_chain_indexer_lag_blocks", "Latest block minus the last indexed block",
                    multiprocess_mode="livemostrecent")  # fmt: skip
OUTBOX_DEPTH = Gauge("osool_chain_outbox_depth", "Writes accepted but not yet taken by the node",
                     multiprocess_mode="livemostrecent")  # fmt: skip
# Every call to the node (the sender's, the indexer's, the health check's) says whether it answered: ChainNodeDown.
NODE_UP = Gauge("osool_chain_node_up", "1 when the chain node answered this worker's last call, 0 when it did not",
                multiprocess_mode="livemostrecent")  # fmt: skip
