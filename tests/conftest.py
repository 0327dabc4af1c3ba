"""Suite-wide ordering: the real-browser tests run last.

Quick failures come first, and Playwright's sync API (which keeps an event loop running in
the main thread from its first use to the end of the session) cannot disturb tests that
run their own asyncio loop, such as the training dashboard's play loop.
"""

from pathlib import Path

E2E = Path(__file__).resolve().parent / "e2e"


def pytest_collection_modifyitems(session, config, items):
    items.sort(key=lambda item: E2E in Path(item.path).resolve().parents)
