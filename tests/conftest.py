"""Suite-wide settings: the real-browser tests run last; Hypothesis never times a test.

Quick failures come first, and Playwright's sync API (which keeps an event loop running in
the main thread from its first use to the end of the session) cannot disturb tests that
run their own asyncio loop, such as the training dashboard's play loop.

Hypothesis fails an example that takes over 200 ms (its deadline) and a test whose examples
are slow to generate (the too_slow health check): both are wall-clock limits that a busy
machine breaks. This profile turns them off for every property test, including those that
set other settings of their own.
"""

from pathlib import Path

from hypothesis import HealthCheck, settings

settings.register_profile(
    "backprop-widgets", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("backprop-widgets")

E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: E2E in Path(item.path).resolve().parents)
