"""The built site in a real browser: charts render, nothing leaves localhost, no console errors, links resolve.

Drives Debian's Chromium through Playwright (``executable_path="/usr/bin/chromium"``); ``make test``
installs Chromium where it is missing. Screenshots of every chapter go to ``_build/screenshots/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from analysis.build import REPO_ROOT

pytestmark = pytest.mark.build
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture(scope="module")
def server(built_site):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (make test does it)")
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass


def _pages(built_site: Path) -> list[str]:
    pages = ["index.html"] + sorted(str(p.relative_to(built_site)) for p in (built_site / "book").glob("*.html"))
    return pages


def test_every_page_in_a_real_browser(server, built_site):
    from playwright.sync_api import sync_playwright

    screenshots = REPO_ROOT / "_build" / "screenshots"
    screenshots.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for page_path in _pages(built_site):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            outside: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on(
                "request",
                lambda r, outside=outside: (
                    outside.append(r.url)
                    if urlparse(r.url).hostname not in ("127.0.0.1", "localhost") and not r.url.startswith("data:")
                    else None
                ),
            )
            url = urljoin(server, page_path)
            page.goto(url, wait_until="networkidle")
            charts = page.locator(".vega-chart")
            n_charts = charts.count()
            if n_charts:
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.vega-chart')].every(e => e.querySelector('svg, canvas'))",
                    timeout=15_000,
                )
            rendered = page.locator(".vega-chart svg, .vega-chart canvas").count()
            if rendered < n_charts:
                problems.append(f"{page_path}: {n_charts - rendered} of {n_charts} charts did not render")
            if errors:
                problems.append(f"{page_path}: console errors {errors}")
            if outside:
                problems.append(f"{page_path}: requests left localhost {outside}")
            final_path = urlparse(page.url).path.lstrip("/")  # index.html redirects to the first page
            for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                problem = _check_link(built_site, final_path, href)
                if problem:
                    problems.append(problem)
            if page_path.startswith("book/") and n_charts:
                page.screenshot(path=str(screenshots / (Path(page_path).stem + ".png")), full_page=True)
            page.close()
        browser.close()
    assert not problems, "\n".join(problems)
    assert {"business_models.png", "pricing.png", "survival.png"} <= {p.name for p in screenshots.glob("*.png")}


def _check_link(root: Path, page_path: str, href: str) -> str | None:
    """None if an internal link's file (and anchor) exists; a message otherwise. External links are not followed."""
    if re.match(r"^(https?:|mailto:|javascript:)", href):
        return None
    target, _, fragment = urljoin("/" + page_path, href).partition("#")
    path = root / target.lstrip("/")
    if target.endswith("/"):
        path = path / "index.html"
    if not path.exists():
        return f"{page_path}: link {href!r} points to a missing file"
    if fragment and path.suffix == ".html" and f'id="{fragment}"' not in path.read_text(encoding="utf-8"):
        return f"{page_path}: link {href!r} points to a missing anchor"
    return None
