"""Browser tests: Playwright driving Debian's Chromium, axe-core injected into every visited page."""

import json
import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.conftest import kommune

# Playwright's sync API runs an event loop in this thread; the ORM calls in the tests are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
AXE_SOURCE = AXE.read_text() if AXE.exists() else ""
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser():
    assert Path(CHROMIUM).exists(), "Chromium mangler: kjør scripts/browser_prerequisites.sh (make test gjør det)"
    assert AXE.exists(), "axe-core mangler: kjør scripts/browser_prerequisites.sh (make test gjør det)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nb-NO")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


class Axe:
    """Runs axe-core on a page; collects serious and critical WCAG 2.1 A/AA violations."""

    def __init__(self):
        self.checked: list[str] = []

    def check(self, page) -> None:
        # Evaluated through the DevTools protocol, so a page's Content-Security-Policy cannot block it.
        page.evaluate(AXE_SOURCE)
        # Only the violations are used: `resultTypes` spares axe the details (selectors, HTML) of every passing
        # node, and only they cross back to Python; every rule still runs on every node (the Redoc page:
        # 100 s -> 40 s).
        violations = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})).violations",
            AXE_TAGS,
        )
        bad = [v for v in violations if v["impact"] in ("serious", "critical")]
        self.checked.append(page.url)
        assert not bad, f"axe-core på {page.url}:\n" + json.dumps(
            [{"id": v["id"], "impact": v["impact"], "help": v["help"],
              "nodes": [n["target"] for n in v["nodes"][:5]]} for v in bad],
            indent=2, ensure_ascii=False,
        )


@pytest.fixture
def axe():
    return Axe()


# The kommuner the journeys use, loaded after the kommune register (live-server tests flush it).
@pytest.fixture
def bergen(kommune_data):
    return kommune("4601")


@pytest.fixture
def sunnfjord(kommune_data):
    return kommune("4647")
