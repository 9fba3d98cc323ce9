"""bench/history: append and "last 20 messages" through the gateway with a million stored messages."""
