"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

`live_server` needs a transactional database, which pytest-django flushes after every test
(the session seed of tests/conftest.py is gone after the first one). So every browser test
reloads the 2010-2011 inventory (idempotent), the information-sharing conditions and the role
groups, and creates the users it needs. One browser is shared by the whole session; each test
gets a fresh context (cookies, language).

Without Chromium every browser test is skipped, and the terminal summary says so.
"""

from __future__ import annotations

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

from agreements.inventory import load_inventory
from agreements.models import InformationSharingCondition
from jfo_registry.core.roles import Role, sync_role_groups
from tests.conftest import make_user

# Playwright's sync API keeps an event loop in the main thread, which Django would take for
# async code calling the ORM (SynchronousOnlyOperation).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
SKIP_REASON = "Chromium not installed (apt-get install -y chromium): browser tests skipped"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BROWSER_TESTS = Path(__file__).resolve().parent
SCREENSHOTS = BROWSER_TESTS.parent.parent / "var" / "screenshots"
DEFAULT_TIMEOUT_MS = 10_000


# --- No Chromium: skip, and say so --------------------------------------------------------


def _is_browser_test(item) -> bool:
    return BROWSER_TESTS in Path(str(item.path)).resolve().parents


# pytest-playwright 0.10.0 declares its session fixture `base_url` as a method (its concern).
_PLUGIN_WARNING = "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if _is_browser_test(item):
            item.add_marker(pytest.mark.filterwarnings(_PLUGIN_WARNING))
            if not CHROMIUM:
                item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if CHROMIUM:
        return
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if SKIP_REASON in str(report.longrepr)]
    if skipped:
        terminalreporter.write_sep("!", f"{SKIP_REASON} ({len(skipped)} tests)", yellow=True, bold=True)


# --- Playwright: Debian's Chromium, one browser for the session ---------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "en-CA",  # Accept-Language: the pages start in English
        "timezone_id": "America/Toronto",
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


@pytest.fixture
def page(page):
    page.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return page


# --- Database: the seed again for every test ---------------------------------------------


@pytest.fixture(autouse=True)
def seed(live_server, transactional_db):
    """The 2010-2011 inventory, the seven information-sharing conditions and the role groups
    (all wiped by the flush that ends every transactional test)."""
    if Group.objects.filter(name__in=[role.group_name for role in Role]).count() != len(Role):
        sync_role_groups(apps)
    if InformationSharingCondition.objects.count() == 0:
        migration = importlib.import_module("agreements.migrations.0002_information_sharing_conditions")
        migration.create_conditions(apps, None)
    load_inventory()


@pytest.fixture
def sign_in(live_server):
    """Sign `user` in to the browser `context` without the login form (a session cookie)."""
    def sign_in(context, user):
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url}]
        )
        return user

    return sign_in


@pytest.fixture
def manager_user():
    return make_user("browser-manager-gta", Role.REGIONAL_MANAGER, ("GTA",))


@pytest.fixture
def analyst_user():
    return make_user("browser-analyst", Role.HQ_ANALYST)


@pytest.fixture
def manager_page(page, sign_in, manager_user):
    """A page signed in as the GTA regional manager."""
    sign_in(page.context, manager_user)
    return page


@pytest.fixture
def analyst_page(page, sign_in, analyst_user):
    """A page signed in as an HQ analyst."""
    sign_in(page.context, analyst_user)
    return page


# --- Page helpers ------------------------------------------------------------------------


@pytest.fixture
def open_page():
    """Go to `path` and wait for the GC Design System components to be rendered."""

    def open_page(page, path):
        response = page.goto(path)
        wait_for_components(page)
        return response

    return open_page


def wait_for_components(page) -> None:
    page.wait_for_load_state("load")
    page.wait_for_function(
        """() => [...document.querySelectorAll('*')]
              .filter(e => e.localName.startsWith('gcds-'))
              .every(e => e.classList.contains('hydrated'))"""
    )


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def components_ready():
    """Wait for the GC Design System components of the current page to be rendered."""
    return wait_for_components
