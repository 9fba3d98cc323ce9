"""The local stack without containers: PostgreSQL+pgvector, Valkey, nginx and every service under supervisor.

`make run` / `make up` use it with the repository's .osool/ directory; the tests use it in a temporary one.
"""
