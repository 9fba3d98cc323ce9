"""bench/gateway: what the nginx gateway costs in front of a service."""
