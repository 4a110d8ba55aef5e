"""Browser tests (issue 23): Playwright for Python drives Debian's Chromium (no browser
downloads) against pytest-django's `live_server`, signing in as a person does, second factor
included. Screenshots go to build/screenshots/ (git-ignored; CI keeps them as artifacts: README,
Development)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from config.seeds import seeds_sync

CHROMIUM = os.environ.get("MEDSUPP_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(settings.BASE_DIR) / "build" / "screenshots"
PASSWORD = "browser-Test-pw-1"


def _chromium_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return (
            f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium "
            "(apt-get install -y chromium); set MEDSUPP_CHROMIUM to use another"
        )
    return None


def pytest_collection_modifyitems(config, items):
    reason = _chromium_missing()
    if reason is None:
        return
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="module")
def live_server(request):
    """pytest-django's live server for one module only (its own fixture lives for the session): a
    server thread left running would be a second thread (and database connection) in every
    later test."""
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one module, and the migrated database's seeds (read before the browser starts;
    see `demo`). Playwright's sync API keeps an event loop running in this thread meanwhile, and
    Django refuses ORM calls from such a thread unless told it is safe (it is: the loop only
    waits for the browser); the other tests run without that permission."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # the database as migrated, serialized at setup because these tests ask for
    # serialized_rollback; read here, before the browser's loop runs: from inside it Django's own
    # restore did not find it (and would clash with the roles a plain flush re-creates)
    seeds = getattr(connections["default"], "_test_serialized_contents", None)
    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--lang=zh-CN"])
            chromium.seeds = seeds
            yield chromium
            chromium.close()
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture
def demo(browser, transactional_db, settings, tmp_path, monkeypatch):
    """The demo of `make run` (demo accounts with a known password, a small city, last year
    closed and this year running), built in the live server's database; only its first scheme
    (Ordos, with a reserve), which keeps each test's setup short."""
    from django.core.management import call_command
    from django.db import connection

    from audit.roles import ROLES
    from audit.services import user_ensure
    from claims import demo as claims_demo
    from claims.demo import demo_claims_ensure
    from insurance.services.demo import demo_city_ensure

    # The database as it was after migrating (what the post_migrate hooks seed), then the seed
    # commands: a transactional test before this one emptied the tables.
    assert browser.seeds, "the browser tests need a serialized test database (serialized_rollback)"
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(browser.seeds)
    seeds_sync()  # what a deploy runs after migrate (plans, roles, bands)
    monkeypatch.setattr(claims_demo, "SCHEMES", claims_demo.SCHEMES[:1])
    settings.MEDIA_ROOT = tmp_path / "media"
    for code in ROLES:
        user_ensure(username=f"demo_{code}", role_code=code, password=PASSWORD)
    demo_city_ensure(people=60, seed=1)
    demo_claims_ensure()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# The page's own words (headings, labels, buttons, column heads, menu, help and messages), not
# the data it lists; icon ligatures (Material Symbols) are not words.
OWN_WORDS_JS = """() => {
  const sel = 'h1,h2,h3,h4,thead th,label,button,legend,aside a,.helptext,.messagelist li,'
    + 'input[type=submit],#workflow a,#workflow th';
  return Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null).map(e => {
    const c = e.cloneNode(true);
    c.querySelectorAll('[class*=material-symbols],script,style,code').forEach(x => x.remove());
    return (c.innerText || c.value || '').trim();
  }).filter(Boolean);
}"""
# a word of three letters or more, not part of a code such as TS20261204B8DF40 or DEMO-EMP-2025
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z_]{2,}(?![A-Za-z0-9_-])")
# Words a Chinese page may show as they are.
NOT_ENGLISH = {"PDF", "CSV", "XLSX", "Excel", "API", "SHA", "JSON", "URL", "TOTP", "UTF", "GBK"}


def english_on_page(page, allowed: set[str] = frozenset()) -> set[str]:
    words = set()
    for text in page.evaluate(OWN_WORDS_JS):
        words |= set(LATIN_WORD.findall(text))
    return words - NOT_ENGLISH - set(allowed)


class Person:
    """One person at one browser: a signed-in page, and every page refused to them."""

    def __init__(self, context, username: str):
        self.context, self.username = context, username
        self.page = context.new_page()
        self.refused: list[str] = []
        self.page.on("response", self._note)

    def _note(self, response):
        if response.request.is_navigation_request() and response.status in (403, 500):
            self.refused.append(f"{response.status} {response.url}")

    def sign_in(self):
        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        page = self.page
        page.goto("/admin/")  # the sign-in page, back to the dashboard after
        page.locator("input[name=username]").fill(self.username)
        page.locator("input[name=password]").fill(PASSWORD)
        role = self.username.removeprefix("demo_")
        shot(page, f"{role}-sign-in")
        page.locator("input[name=password]").press("Enter")
        page.wait_for_load_state()
        if "/account/2fa/" in page.url:
            # the authenticator app: the code of the device the page set up (first sign-in)
            device = TOTPDevice.objects.get(user__username=self.username)
            code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
            page.get_by_label("动态验证码").fill(f"{code:06d}")
            shot(page, f"{role}-two-factor")
            page.get_by_role("button", name="验证").click()
            page.wait_for_load_state()
        assert "/admin/login/" not in page.url and "/account/2fa/" not in page.url, page.url
        return self

    def open(self, url: str):
        response = self.page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        return self.page


@pytest.fixture
def person(browser, live_server, demo):
    """`person("demo_finance")`: signed in, in a browser window of their own."""
    contexts = []

    def sign_in(username: str) -> Person:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1366, "height": 860}
        )
        context.set_default_timeout(8000)
        contexts.append(context)
        return Person(context, username).sign_in()

    yield sign_in
    for context in contexts:
        context.close()


# How a form field looks: the "styles that make a field visible" (computed, not classes).
FIELDS_JS = """() => Array.from(document.querySelectorAll(
    'form input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]),'
    + 'form select, form textarea'
  )).filter(e => e.offsetParent !== null && e.getBoundingClientRect().width > 0).map(e => {
    const s = getComputedStyle(e);
    const label = (e.id && document.querySelector(`label[for="${e.id}"]`)) || e.closest('label');
    return {
      name: e.name, border: parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth),
      borderStyle: s.borderTopStyle, borderColour: s.borderTopColor, background: s.backgroundColor,
      label: label ? label.innerText.trim() : '',
    };
  })"""


def visible_fields(page, *, some: bool = True) -> list[dict]:
    """The form's fields a person types into, each with a visible border and its label; asserts
    it, and returns them (`some`: at least one)."""
    fields = page.evaluate(FIELDS_JS)
    assert fields or not some, page.url
    for field in fields:
        assert field["border"] >= 1 and field["borderStyle"] != "none", field
        assert field["borderColour"] not in ("transparent", "rgba(0, 0, 0, 0)"), field
        assert field["borderColour"] != field["background"], field
        assert field["label"], field
    return fields


def error_beside(page, field_label: str, words: str) -> None:
    """A field's error is shown beside that field (within a field's height or two of it), not
    only at the top of the page."""
    field = page.get_by_label(field_label).first.bounding_box()
    error = page.get_by_text(words).last
    assert error.is_visible(), words
    box = error.bounding_box()
    assert abs(box["y"] - field["y"]) < 4 * max(field["height"], 30), (field, box)
