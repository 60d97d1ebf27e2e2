"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Chromium is looked up in this order: the NEWSROOM_CHROMIUM environment variable (only that
path, when set), /usr/bin/chromium, then `chromium` on PATH. Without it the browser tests are
skipped, except when NEWSROOM_REQUIRE_BROWSER is set (CI sets it): then they fail.
`playwright install` is never needed: Playwright only launches the system's Chromium.
"""

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    sync_playwright,
)

# Playwright's sync API runs an asyncio event loop in the main thread, and that loop stays
# there from the moment Playwright starts until the end of the session (the browser is
# session-scoped). Django sees a running loop and refuses ORM calls from the main thread with
# SynchronousOnlyOperation: the factories in the tests, the database flushes of the
# transactional test database, and every test that runs after the browser tests in the same
# session. Nothing here is async (the live server answers in its own thread), so the check
# is a false alarm; it is turned off for the whole process, at import, for that reason.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS_DIR = PROJECT_ROOT / "test-artifacts"
MISSING_CHROMIUM = (
    "Chromium not found: install Debian's chromium (apt-get install chromium) "
    "or set NEWSROOM_CHROMIUM"
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Reports every Content-Security-Policy violation to the test, in every page and frame of
# the context (popups too), before any of the page's own scripts run.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__newsroomCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `in ${event.documentURI} (${event.sourceFile || "?"}:${event.lineNumber}) ` +
    `${event.sample ? "sample: " + event.sample : ""}`
  );
});
"""


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _browser_required() -> bool:
    value = os.environ.get("NEWSROOM_REQUIRE_BROWSER", "").strip().lower()
    return value not in {"", "0", "false", "no", "off"}


def find_chromium() -> tuple[str | None, str]:
    """The Chromium executable to launch (or None) and, when missing, why."""
    configured = os.environ.get("NEWSROOM_CHROMIUM", "").strip()
    if configured:
        # An explicit choice is never silently replaced by another browser.
        if _is_executable(configured):
            return configured, ""
        return None, f"NEWSROOM_CHROMIUM={configured} is not an executable file"
    if _is_executable("/usr/bin/chromium"):
        return "/usr/bin/chromium", ""
    found = shutil.which("chromium")
    if found:
        return found, ""
    return None, "no /usr/bin/chromium and no chromium on PATH"


@pytest.fixture(scope="session", autouse=True)
def chromium_executable() -> str:
    """Path of Chromium; skips (or, when required, fails) the browser tests without it.

    Autouse and session-scoped so it runs before the live server and the database are set up.
    """
    path, detail = find_chromium()
    if path is None:
        message = f"{MISSING_CHROMIUM} ({detail})"
        if _browser_required():
            pytest.fail(
                f"NEWSROOM_REQUIRE_BROWSER is set, so the browser tests must run, but: {message}",
                pytrace=False,
            )
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test item (item.rep_setup, rep_call, rep_teardown)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _artifact_name(test_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")


def save_artifact(page: Page, filename: str, *, full_page: bool = True) -> Path:
    """Screenshot the page into test-artifacts/ (ignored by git) and return its path."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    path = ARTIFACTS_DIR / filename
    page.screenshot(path=path, full_page=full_page)
    return path


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """``screenshot(page, "name.png")`` keeps a full-page screenshot in test-artifacts/."""
    return save_artifact


@pytest.fixture
def new_page(
    request: pytest.FixtureRequest, browser: Browser, live_server
) -> Iterator[Callable[..., Page]]:
    """Open a page in a fresh browser context: ``new_page(java_script_enabled=False)``.

    Keyword arguments go to ``browser.new_context()``. For every page opened this way:
    - each request it makes is recorded, and at the end of the test every one must have gone
      to the live server (no CDN, web fonts, analytics or other third party);
    - any Content-Security-Policy violation (a ``securitypolicyviolation`` event or the
      console's "Refused to …" error) fails the test, so every browser test checks that the
      pages it visits work under the policy;
    - if the test fails, a full-page screenshot is saved to
      ``test-artifacts/<test name>-failure.png``.
    """
    allowed = urlsplit(live_server.url)
    contexts: list[BrowserContext] = []
    pages: list[Page] = []
    requested: list[str] = []
    violations: list[str] = []

    def record(req: Request) -> None:
        requested.append(req.url)

    def record_console(message: ConsoleMessage) -> None:
        # Also a malformed Permissions-Policy (an unknown feature, a bad allowlist).
        if message.type == "error" and (
            "Content Security Policy" in message.text or "Permissions-Policy" in message.text
        ):
            violations.append(f"console: {message.text}")

    def open_page(**context_options) -> Page:
        context = browser.new_context(**context_options)
        context.expose_binding(
            "__newsroomCspViolation", lambda source, text: violations.append(f"event: {text}")
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", record_console)
        contexts.append(context)
        page = context.new_page()
        page.on("request", record)
        pages.append(page)
        return page

    yield open_page

    try:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            name = _artifact_name(request.node.name)
            for number, page in enumerate(pages):
                suffix = f"-{number + 1}" if len(pages) > 1 else ""
                try:
                    save_artifact(page, f"{name}{suffix}-failure.png")
                except Exception as exc:  # the failure itself matters more than its picture
                    print(f"Could not save a failure screenshot of {page.url}: {exc}")
    finally:
        for context in contexts:
            context.close()

    if violations:
        pytest.fail(
            "Content-Security-Policy violations or Permissions-Policy errors (fix the page, "
            "not the policy, unless the policy is wrong):\n" + "\n".join(dict.fromkeys(violations)),
            pytrace=False,
        )

    elsewhere = [
        url
        for url in requested
        if not url.startswith("data:")
        and (
            urlsplit(url).scheme not in {"http", "https"}
            or (urlsplit(url).hostname, urlsplit(url).port) != (allowed.hostname, allowed.port)
        )
    ]
    if elsewhere:
        pytest.fail(
            f"The page made requests to hosts other than the live server ({allowed.netloc}), "
            f"which would leak readers' visits to third parties: {elsewhere}",
            pytrace=False,
        )


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a new browser context (JavaScript on, 1280×720), for one test."""
    return new_page()
