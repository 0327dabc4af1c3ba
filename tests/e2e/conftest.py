"""Pytest wiring for the real-browser tests: servers, Chromium, and a fresh page per test.

Fixtures (helpers to drive them are in ``tests/e2e/jupyter.py``):

* ``lab_server`` / ``notebook_server`` (session): a JupyterLab 4 / Notebook 7 server on a
  temporary root; ``server.root`` is where tests put notebooks, ``server.url`` / ``.token``.
* ``browser`` (session): Debian's Chromium via Playwright's sync API.
* ``page`` (function): a new browser context and page; full-page screenshot into
  ``test-artifacts/e2e/<test>.png`` if the test fails (or always, with
  ``BPW_E2E_SCREENSHOTS=1`` in the environment, to look at what passing tests saw).
* ``page_errors`` (function): the list of ``pageerror``s the ``page`` fixture recorded.

Every test in this directory is marked ``e2e``. Kernel sessions of the servers a test used
are deleted before and after it, so each test's notebook starts with a fresh kernel.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.jupyter import (
    ARTIFACTS_DIR,
    CHROMIUM_MISSING,
    delete_all_sessions,
    launch_chromium,
    start_server,
    stop_server,
)

E2E_DIR = Path(__file__).resolve().parent
VIEWPORT = {"width": 1280, "height": 900}
SERVER_FIXTURES = ("lab_server", "notebook_server")


def pytest_collection_modifyitems(config, items):
    """Mark the tests under tests/e2e as ``e2e`` (this hook sees every collected item)."""
    for item in items:
        if E2E_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.rep_call``) for the page fixture."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory):
    """A JupyterLab 4 server for the whole session, stopped by killing its process group."""
    server = start_server("lab", tmp_path_factory.mktemp("lab"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory):
    """A Jupyter Notebook 7 server for the whole session, for "renders there too" checks."""
    server = start_server("notebook", tmp_path_factory.mktemp("notebook"))
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium; fails with the apt command when it is not installed."""
    if shutil.which("chromium") is None:
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _fresh_kernels(request):
    """Delete kernel sessions of the servers this test uses, before and after it.

    Opening a notebook path that still has a session reuses its kernel (and its state).
    Only servers the test asked for are touched, so a Lab-only test starts no Notebook 7.
    """
    servers = [request.getfixturevalue(n) for n in SERVER_FIXTURES if n in request.fixturenames]
    for server in servers:
        delete_all_sessions(server)
    yield
    for server in servers:
        delete_all_sessions(server)


@pytest.fixture
def page_errors():
    """Uncaught JS errors (``pageerror``) of this test's ``page``; assert on them in tests."""
    return []


expect.set_options(timeout=30_000)  # for every test: see page() below


@pytest.fixture
def page(browser, page_errors, request):
    """A page in a fresh browser context; screenshot into test-artifacts/e2e/ on failure."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    # Generous waits (Playwright's defaults: 5 s for expect, 30 s for actions): a wait ends as
    # soon as its condition holds, and a busy 2-core machine can take seconds per step.
    page.set_default_timeout(60_000)
    # Playwright cannot wrap a builtin like list.append as a handler: use a plain function.
    page.on("pageerror", lambda error: page_errors.append(error))
    yield page
    try:
        report = getattr(request.node, "rep_call", None)
        failed = report is not None and report.failed
        if failed or os.environ.get("BPW_E2E_SCREENSHOTS") == "1":
            save_artifacts(page, request.node.name, page_errors)
    finally:
        context.close()


def save_artifacts(page, test_name: str, page_errors: list) -> None:
    """Full-page screenshot (and the page errors, if any) named after the test.

    Lab and Notebook 7 scroll inside their own panels, so "full page" is the viewport:
    scroll the element of interest into view in the test if the screenshot should show it.
    """
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    path = ARTIFACTS_DIR / f"{stem}.png"
    page.screenshot(path=path, full_page=True)
    print(f"e2e screenshot: {path}")
    if page_errors:
        (ARTIFACTS_DIR / f"{stem}.pageerrors.txt").write_text(
            "\n\n".join(str(e) for e in page_errors)
        )
        print(f"page errors: {page_errors}")
