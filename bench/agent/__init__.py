"""bench/agent: Amr's own time per turn over a zero-latency scripted model, full rules-brain turns, the local model's
time to first token, and the memory of each agent worker."""
