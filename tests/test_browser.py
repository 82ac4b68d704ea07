"""The built site in a real browser, as readers open it: over HTTP and from disk (file://), on a laptop
(1366 px) and a phone (390 px), in light and dark mode, printed to A4, and with JavaScript off.

Drives Debian's Chromium through Playwright (``executable_path="/usr/bin/chromium"``); ``make test``
installs Chromium where it is missing. Screenshots and PDFs of every chapter go to ``_build/screenshots/``
(build artefacts, not committed).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from analysis.paths import REPO_ROOT

pytestmark = pytest.mark.build
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip
SCREENSHOTS = REPO_ROOT / "_build" / "screenshots"
CHAPTERS = ("business_models", "pricing", "survival")
WIDTHS = (1366, 390)
SCHEMES = ("light", "dark", "system-dark")  # system-dark: no choice stored, the reader's system prefers dark
# A4 is 210 mm wide; the print stylesheet's page margins are 12 mm each side: 186 mm at 96 px per inch.
A4_PRINTABLE_PX = round(186 / 25.4 * 96)
MIN_CONTRAST = 4.5

# Measured in the page: what a reader would see that is wrong.
MEASURE = """() => {
  const vw = document.documentElement.clientWidth;
  const charts = [...document.querySelectorAll('.vega-chart')];
  const name = (e) => (e.closest('figure, [id]') || e).id || e.tagName;
  const outside = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.left < -1 || r.right > vw + 1); };
  const tables = [...document.querySelectorAll('table.report-table')].filter((t) => t.getClientRects().length);
  return {
    viewport: vw,
    scrollWidth: document.documentElement.scrollWidth,
    charts: charts.length,
    rendered: charts.filter((c) => c.classList.contains('vega-rendered') && c.querySelector('.vega-live svg')).length,
    wideCharts: charts.map((c) => c.querySelector('.vega-live svg') || c).filter(outside).map(name),
    wideTables: tables.filter((t) => outside(t.parentElement)).map(name),
    tablesWithoutScroll: tables.filter((t) => {
      const box = t.parentElement;
      return t.scrollWidth > box.clientWidth + 1 && !(['auto', 'scroll'].includes(getComputedStyle(box).overflowX)
             && box.classList.contains('is-scrolling'));
    }).map(name),
    theme: document.documentElement.dataset.theme,
    findingsTop: (() => { const box = document.querySelector('.key-findings');
      return box ? Math.round(box.getBoundingClientRect().top + window.scrollY) : null; })(),
    searchBoxes: [...document.querySelectorAll('.search-button-field, .search-button')].filter((e) => {
      const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
      return r.width > 0 && r.right > 0 && r.left < vw && s.visibility !== 'hidden';
    }).length,
    captionStyles: [...new Set([...document.querySelectorAll('figcaption, .report-caption, table.report-table > caption')].map((e) => {
      const s = getComputedStyle(e); return [s.color, s.fontSize, s.fontWeight, s.fontStyle, s.textAlign].join(' ');
    }))],
    text: document.body.innerText,
  };
}"""

# WCAG contrast of every visible text element of the article and the edition banner, against the
# background it is drawn on (semi-transparent layers composed up to the first opaque one).
CONTRAST = """(minimum) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = (el) => { const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let bg = [255, 255, 255, 1]; for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg); return bg; };
  const failures = [];
  const seen = new Set();
  for (const root of document.querySelectorAll('.bd-article, .edition-banner')) {
    for (const el of [root, ...root.querySelectorAll('*')]) {
      if (seen.has(el) || el.closest('svg, script, style')) continue;
      seen.add(el);
      const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
      const style = getComputedStyle(el); const box = el.getBoundingClientRect();
      if (!text || style.visibility === 'hidden' || style.display === 'none' || box.width === 0) continue;
      const bg = background(el); const fg = over(parse(style.color), bg);
      const [a, b] = [luminance(fg), luminance(bg)];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      if (ratio < minimum) failures.push(`${ratio.toFixed(2)}:1 ${el.tagName.toLowerCase()}.${el.className} "${text.slice(0, 40)}"`);
    }
  }
  return failures;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep the test output readable
        pass


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (make test does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _pages(built_site: Path) -> list[str]:
    return ["index.html"] + sorted(str(p.relative_to(built_site)) for p in (built_site / "book").glob("*.html"))


def open_page(browser, url: str, width: int, scheme: str, local: tuple[str, ...], javascript: bool = True):
    """A page at ``url`` in a fresh context; returns (page, console errors, requests that left ``local``)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript,
                                  color_scheme="dark" if scheme == "system-dark" else "light")  # fmt: skip
    if scheme == "dark":  # the theme's own switch stores the reader's choice here
        context.add_init_script("localStorage.setItem('mode', 'dark'); localStorage.setItem('theme', 'dark');")
    page = context.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    page.goto(url, wait_until="load")
    if url.endswith("/index.html"):  # the root page only redirects to the first page
        page.wait_for_url(re.compile(r".*/book/intro\.html$"), wait_until="load")
    if javascript and page.locator(".vega-chart").count():
        # A chart that is never drawn is reported by the caller, with the page named.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "() => [...document.querySelectorAll('.vega-chart')].every(c => c.classList.contains('vega-rendered'))",
                timeout=20_000,
            )
    return page, errors, outside


def test_every_page_over_http_and_from_disk_on_laptop_and_phone_in_light_and_dark(server, built_site, browser):
    """Issue 11, items 1, 2, 4, 6 and 13: on every page, opened over HTTP and from file://, at 1366 and 390 px,
    light and dark (the site's switch, and on the phone the system's preference): every chart is drawn live, none is wider than the window, the page never scrolls
    sideways (wide tables scroll in their own box, with the hint showing), no console error, no
    request leaves the host, every text has a contrast of at least 4.5:1, one search box is in view, and
    figure and table captions share one style; the Key findings box of the introduction and of each chapter
    starts on the first screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    visits = 0
    for page_path in _pages(built_site):
        for origin in ("http", "file"):
            url = urljoin(server, page_path) if origin == "http" else (built_site / page_path).as_uri()
            local = (server, "data:", "blob:") if origin == "http" else ("file://", "data:", "blob:")
            for width in WIDTHS:
                for scheme in SCHEMES:
                    if scheme == "system-dark" and width != 390:
                        continue  # the system's preference is checked on the phone, where it is most often dark
                    where = f"{page_path} ({origin}, {width} px, {scheme})"
                    page, errors, outside = open_page(browser, url, width, scheme, local)
                    stem = Path(page_path).stem
                    if stem in (*CHAPTERS, "intro"):
                        # A full-page screenshot resizes the page as a reader's window does: the charts
                        # must follow and none may grow its own container (they did, a pixel a frame).
                        page.screenshot(path=str(SCREENSHOTS / f"{stem}-{width}-{scheme}-{origin}.png"), full_page=True)
                        page.wait_for_timeout(300)
                    seen = page.evaluate(MEASURE)
                    visits += 1
                    if scheme in ("dark", "system-dark") and seen["theme"] != "dark":
                        problems.append(f"{where}: dark mode did not apply ({seen['theme']})")
                    if stem in (*CHAPTERS, "intro") and not (seen["findingsTop"] or 10**6) < 900:
                        problems.append(
                            f"{where}: the Key findings box is not on the first screen ({seen['findingsTop']})"
                        )
                    if seen["searchBoxes"] != 1:
                        problems.append(f"{where}: {seen['searchBoxes']} search boxes in view, not one")
                    if len(seen["captionStyles"]) > 1:
                        problems.append(f"{where}: figure and table captions differ: {seen['captionStyles']}")
                    if seen["rendered"] < seen["charts"]:
                        problems.append(
                            f"{where}: {seen['charts'] - seen['rendered']} of {seen['charts']} charts not drawn"
                        )
                    if seen["scrollWidth"] > seen["viewport"] + 1:
                        problems.append(
                            f"{where}: the page is {seen['scrollWidth']} px wide in a {seen['viewport']} px window"
                        )
                    for key, what in (("wideCharts", "chart wider than the window"),
                                      ("wideTables", "table box wider than the window"),
                                      ("tablesWithoutScroll", "wide table without its own scroll box and hint")):  # fmt: skip
                        problems += [f"{where}: {what}: {name}" for name in seen[key]]
                    for raw in ("{glue", "{numref", "{cite", "{doc}", "{download}"):
                        if raw in seen["text"]:
                            problems.append(f"{where}: raw markup {raw!r} on the page")
                    problems += [f"{where}: contrast {failure}" for failure in page.evaluate(CONTRAST, MIN_CONTRAST)]
                    problems += [f"{where}: console error {e}" for e in errors]
                    problems += [f"{where}: request left the host: {u}" for u in outside]
                    if origin == "http":
                        final_path = urlparse(page.url).path.lstrip("/")  # index.html redirects to the first page
                        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
                            problem = _check_link(built_site, final_path, href)
                            if problem:
                                problems.append(problem)
                    page.context.close()
    assert visits == len(_pages(built_site)) * 10
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(sorted(set(problems)))
    assert {f"{c}-390-dark-file.png" for c in CHAPTERS} <= {p.name for p in SCREENSHOTS.glob("*.png")}


def test_cite_tab_copies_a_complete_citation(server, browser):
    """Issue 11, item 9: the Cite tab's button copies the citation (version, commit, address with anchor)."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(urljoin(server, "book/survival.html"), wait_until="load")
    page.click('label[for="tab-fig-survival-probabilities-cite"]')
    page.click('button.copy-cite[data-target="cite-fig-survival-probabilities"]')
    page.wait_for_function(
        "() => document.querySelector('button[data-target=\"cite-fig-survival-probabilities\"]').textContent"
        " === 'Copied'",
        timeout=5000,
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert re.search(
        r"“Can the labs survive\?”, Figure 3\.1\. Default edition, version \S+ \(commit [0-9a-f]{12}", copied
    )
    assert copied.endswith("/book/survival.html#fig-survival-probabilities"), copied
    context.close()


def test_charts_show_as_static_svgs_without_javascript(built_site, browser):
    """Issue 11, item 1: with JavaScript off (or a script refused), each figure still shows its chart as SVG."""
    for chapter in CHAPTERS:
        url = (built_site / "book" / f"{chapter}.html").as_uri()
        page, errors, _ = open_page(browser, url, 390, "light", ("file://", "data:"), javascript=False)
        shown = page.evaluate(
            "() => [...document.querySelectorAll('.vega-chart')].map(c => {"
            "  const svg = c.querySelector('.vega-static svg'); const r = svg && svg.getBoundingClientRect();"
            "  return r ? [Math.round(r.width), Math.round(r.right)] : null; })"
        )
        assert shown and all(s is not None and s[0] > 300 and s[1] <= 390 for s in shown), (chapter, shown)
        page.context.close()


def test_chapters_print_to_a4_with_every_figure_and_table_inside_the_page(server, built_site, browser):
    """Issue 11, item 3: printed (A4), no figure or table is wider than the printable width, download
    rows are hidden, and the edition banner with the page's address is printed."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for chapter in CHAPTERS:
        page, _, _ = open_page(browser, urljoin(server, f"book/{chapter}.html"), 1366, "light", (server, "data:"))
        pdf = SCREENSHOTS / f"{chapter}.pdf"
        page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
        assert pdf.stat().st_size > 50_000 and pdf.read_bytes().count(b"/Type /Page") > 3, chapter
        page.emulate_media(media="print")
        page.set_viewport_size({"width": A4_PRINTABLE_PX, "height": 1100})
        seen = page.evaluate(
            """(limit) => {
              const wide = [...document.querySelectorAll('figure, table.report-table, .vega-chart svg, img')]
                .filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.right > limit + 1; })
                .map((e) => (e.closest('[id]') || e).id + ' ' + e.tagName);
              const shown = (sel) => [...document.querySelectorAll(sel)].filter((e) => e.getClientRects().length).length;
              return {wide, downloads: shown('.table-downloads, .figure-downloads, details.chart-data'),
                      banner: [...document.querySelectorAll('.edition-banner')].map((e) => e.innerText).join(' ')};
            }""",
            A4_PRINTABLE_PX,
        )
        problems += [f"{chapter}: wider than the printed page: {w}" for w in seen["wide"]]
        if seen["downloads"]:
            problems.append(f"{chapter}: {seen['downloads']} download rows printed")
        if "edition" not in seen["banner"] or f"/book/{chapter}.html" not in seen["banner"]:
            problems.append(f"{chapter}: the printed banner lacks the edition or the address: {seen['banner']!r}")
        page.context.close()
    assert not problems, "\n".join(problems)


def test_a_reader_in_dark_mode_prints_the_light_page(server, built_site, browser):
    """With the system preferring dark, the page is dark on screen, and printing turns it light (white paper, the
    text's contrast kept); after printing it is dark again. Printed dark, the headings and the banner were
    unreadable (seen in a Chromium PDF)."""
    theme = "() => [document.documentElement.dataset.theme, getComputedStyle(document.body).backgroundColor]"
    for scheme in ("system-dark", "dark"):
        page, errors, _ = open_page(browser, urljoin(server, "book/pricing.html"), 1366, scheme, (server, "data:"))
        assert page.evaluate(theme)[0] == "dark", scheme
        page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate(theme) == ["light", "rgb(255, 255, 255)"], scheme
        if scheme == "system-dark":
            page.pdf(path=str(SCREENSHOTS / "pricing-printed-from-dark.pdf"), format="A4", print_background=True)
        page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate(theme)[0] == "dark", scheme
        assert errors == [], errors
        page.context.close()


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
