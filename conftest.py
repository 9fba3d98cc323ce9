"""Root pytest configuration: the shared fixtures (a real local stack per session) live in devstack.testing."""

pytest_plugins = ["devstack.testing"]
