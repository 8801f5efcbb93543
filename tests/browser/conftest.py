"""Real-browser journeys: Playwright driving Debian's Chromium against a live server with the demo accounts.

Every page a journey opens is watched: no console error, no request to another host, no Content-Security-Policy
violation, the document in Chinese, and on a phone no sideways scrolling (the document exactly as wide as the viewport,
checked on every load, whatever led to it, and again after each goto, submit and at the end of the journey). The last page of each journey is saved under ``var/screenshots/``.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from conftest import CI

# Playwright's sync API runs an event loop in the test's thread; the ORM calls of the fixtures are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
PASSWORD = "sanlian-demo-browser"
PHONE = {"width": 390, "height": 844}
PHONE_MAX_WIDTH = 640  # the style sheet's phone breakpoint: every narrower viewport is checked for sideways scrolling
WIDTH_MARK = "sanlian-width-check"
# Runs in every document the page loads (goto, a submitted form, a followed link, a redirect): once loaded, it
# reports the document's scroll width against the viewport's through the console, which Watched reads.
WIDTH_SCRIPT = """
if (window.top === window) {
  window.addEventListener("load", () => {
    const root = document.documentElement;
    if (root) console.info("%s " + root.scrollWidth + " " + root.clientWidth + " " + location.pathname + location.search);
  });
}
""" % WIDTH_MARK
DESK = {"width": 1366, "height": 900}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    """The browser: Debian's Chromium (never a download). Off CI a missing one skips; under CI it fails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if CI:
            pytest.fail("Playwright is not installed (requirements-dev.txt)")
        pytest.skip("Playwright is not installed: `make test` installs it")
    if not Path(CHROMIUM).exists():
        if CI:
            pytest.fail("Chromium is not at {} under CI (`make test` installs the Debian package)".format(CHROMIUM))
        pytest.skip("Chromium is not installed at {}: `apt-get install chromium` (make test does)".format(CHROMIUM))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db, settings):
    """The reference data, the targets and one demo account per role (the 2024 list is not imported)."""
    from reports.targets import load_targets
    from societies.services import ensure_demo_accounts, load_reference_data

    load_reference_data()
    load_targets()
    ensure_demo_accounts(password=PASSWORD)
    return PASSWORD


class Watched:
    """A page with its guards; ``problems`` collects every violation seen, checked when the journey ends."""

    def __init__(self, page, host: str, allowed_statuses: set[int], phone: bool = False):
        self.page, self.host, self.problems = page, host, []
        self.allowed_statuses = allowed_statuses
        self.phone = phone
        if phone:
            page.add_init_script(WIDTH_SCRIPT)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append("page error: {}".format(error)))
        page.on("request", self._request)

    def _console(self, message) -> None:
        text = message.text
        if text.startswith(WIDTH_MARK):
            _mark, scroll_width, client_width, path = text.split(" ", 3)
            if int(scroll_width) != int(client_width):
                self.problems.append("sideways scrolling on {}: the document is {} px wide, the viewport {} px"
                                     .format(path, scroll_width, client_width))
            return
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.problems.append("CSP: {}".format(text))
        elif message.type == "error":
            status = re.search(r"status of (\d{3})", text)
            if status and int(status.group(1)) in self.allowed_statuses:
                return  # the page the journey expects to be refused (a 404, a lockout)
            self.problems.append("console error: {}".format(text))

    def _request(self, request) -> None:
        url = urlparse(request.url)
        if url.scheme in ("http", "https") and url.netloc != self.host:
            self.problems.append("request to another host: {}".format(request.url))

    def goto(self, path: str):
        response = self.page.goto(self.url(path))
        self.check_page()
        return response

    def url(self, path: str) -> str:
        return "http://{}{}".format(self.host, path)

    def check_page(self) -> None:
        self.page.wait_for_load_state("load")
        lang = self.page.get_attribute("html", "lang") or ""
        if not lang.lower().startswith("zh"):
            self.problems.append("page {} is not in Chinese (lang={!r})".format(self.page.url, lang))
        self.check_width()

    def check_width(self) -> None:
        """On a phone the document is exactly as wide as the viewport: nothing to scroll sideways."""
        if not self.phone:
            return
        scroll_width, client_width = self.page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        if scroll_width != client_width:
            self.problems.append("sideways scrolling on {}: the document is {} px wide, the viewport {} px"
                                 .format(self.page.url, scroll_width, client_width))

    def submit(self, selector: str):
        """Click what sends a form and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(selector)
        self.check_page()

    def login(self, username: str, password: str) -> None:
        self.goto("/accounts/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", password)
        self.submit("main button[type=submit]")


@pytest.fixture
def open_page(chromium, live_server, request):
    """``open_page(viewport=PHONE, allow_statuses=(404,))`` → a watched page; the guards are asserted at the end and the
    last page is saved as a screenshot named after the test."""
    opened = []

    def factory(*, viewport=DESK, allow_statuses: tuple[int, ...] = ()):
        context = chromium.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        watched = Watched(page, urlparse(live_server.url).netloc, set(allow_statuses),
                          phone=viewport["width"] <= PHONE_MAX_WIDTH)
        opened.append((context, watched))
        return watched

    yield factory
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for index, (context, watched) in enumerate(opened):
        name = request.node.name.replace("/", "_") + ("" if index == 0 else "-{}".format(index))
        try:
            if watched.page.url.startswith("http"):
                watched.check_width()  # the last page as the journey left it (a menu opened, a form filled)
            watched.page.screenshot(path=str(SCREENSHOTS / "{}.png".format(name)), full_page=True)
        finally:
            problems += watched.problems
            context.close()
    assert problems == []
