"""Browser tests: Debian's chromium driven by Playwright against the app served on a real port.

Every test here is marked `e2e`. Without /usr/bin/chromium they are skipped, unless
TRIBUNE_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.elections import conftest as election_fixtures

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test of tests/e2e as `e2e` (this hook sees the whole session, so filter by path)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item, so fixtures can tell whether the test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _browser_missing(reason: str):
    if os.environ.get("TRIBUNE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (TRIBUNE_REQUIRE_BROWSER=1, so this is a failure)", pytrace=False)
    pytest.skip(f"{reason}: browser tests skipped")


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium; never a browser downloaded by `playwright install`."""
    if not os.path.exists(CHROMIUM):
        _browser_missing(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        _browser_missing(f"Playwright is not installed ({error})")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def _served_app(app):
    """The suite's app on 127.0.0.1 and a free port, in a daemon thread; yields the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="tribune-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def live_server(_served_app, app, _clean_state):
    """Base URL of the running app, with CSRF checked as in production.

    Depends on `_clean_state` explicitly so it runs after it (that fixture switches CSRF off).
    """
    app.config["WTF_CSRF_ENABLED"] = True
    yield _served_app
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def new_context(browser, request):
    """Open fresh browser contexts (separate cookies); on failure, screenshot their pages to /tmp."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    report = getattr(request.node, "report_call", None)
    failed = report is not None and report.failed
    for index, context in enumerate(contexts):
        if failed:
            for page_index, page in enumerate(context.pages):
                name = re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)
                path = f"/tmp/tribune-e2e-failure-{name}-{index}-{page_index}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                    print(f"screenshot of {page.url} saved to {path}")
                except Exception as error:  # the page may be gone already; the report matters more
                    print(f"no screenshot of {page.url}: {error}")
        context.close()


# The election journeys stand on the elections' own scenes: the same fixtures, named here for this folder.
scene_factory = election_fixtures.scene_factory
voting_scene = election_fixtures.voting_scene
