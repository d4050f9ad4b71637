"""Headless Chromium for the browser tests, driven by Playwright's sync API.

Nothing is downloaded: Playwright launches the system Chromium (/usr/bin/chromium,
Debian package `chromium`). When it or the playwright package is missing the browser
tests are skipped, unless MUSQAT_REQUIRE_BROWSER=1 (as in CI), which makes them fail.

The demo data is seeded once per test module into the live server's database, and the
module removes it again at the end (a flush, as a transactional test would).
"""

import importlib.util
import io
import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REPO = Path(__file__).resolve().parents[2]


def _missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def _browser_required() -> bool:
    return os.environ.get("MUSQAT_REQUIRE_BROWSER", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", autouse=True)
def _chromium_available():
    """Skip (or, with MUSQAT_REQUIRE_BROWSER=1, fail) before anything is seeded or launched."""
    reason = _missing()
    if reason is None:
        return
    if _browser_required():
        pytest.fail(f"MUSQAT_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where the screenshots go: $MUSQAT_ARTIFACTS, by default <repo>/artifacts/browser."""
    folder = Path(os.environ.get("MUSQAT_ARTIFACTS", REPO / "artifacts" / "browser"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser(site):
    """Chromium for the module, started after `site` and closed before it.

    Playwright's sync API runs an asyncio event loop in this thread while it is alive, and
    Django refuses ORM calls from a thread with a running loop (SynchronousOnlyOperation);
    this order keeps the seeding and the flush outside it, so DJANGO_ALLOW_ASYNC_UNSAFE is
    not needed.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, live_server) -> str:
    """The live server's base URL, serving the demo data seeded once for this module."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=io.StringIO())
        # Anonymous pages are cached; nothing rendered before the seeding may be served.
        cache.clear()
        yield live_server.url
        call_command("flush", interactive=False, verbosity=0)
        cache.clear()
        connections.close_all()


@pytest.fixture
def transactional_db(site):
    """Stands in for pytest-django's fixture, which `live_server` requests for every test.

    The original flushes the database after each test, which would throw the seeded demo
    data away after the first test of the module; `site` flushes once, at the module's end.
    The database stays unblocked (for the live server's thread too) while `site` is alive.
    """
    return None
