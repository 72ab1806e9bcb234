"""The series as a static website (scripts/build_book.py), built with the network switched off where the machine
allows it, served from 127.0.0.1 as any static host would, and read in Chromium: the home page and every lesson
and solutions page open with no request leaving the machine and none failing, axe-core finds nothing (in light
and in dark mode), every image has its text alternative, every widget shows its picture with its words and
numbers, the pages link in the series' order and reflow at 320 px, each exported slider moved with the keyboard
changes the picture and its words, and search finds the lessons."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.browser.lab import AXE, CHROMIUM, CHROMIUM_ARGS, ROOT, missing_browser_reason

sys.path.insert(0, str(ROOT / "scripts"))
import build_book

REASON = missing_browser_reason()
if REASON is not None and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run in CI: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")

ARTIFACTS = ROOT / "artifacts" / "book"


def offline_prefix() -> list[str]:
    """`unshare --net` (a network namespace with only a loopback that is down) where this machine allows it."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], check=False, capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The book built by `make book` (without a network where possible) and served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("book") / "site"
    prefix = offline_prefix()
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run(  # `make book` as a reader types it, its setup already done by `make test`
        [*prefix, "make", "--no-print-directory", "book", f"BOOK_OUT={out}"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )
    assert done.returncode == 0, f"the book did not build:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.txt").write_text(
        f"built {'without a network (unshare --net)' if prefix else 'with the network on'}\n{done.stdout}"
    )
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}", report, bool(prefix)
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def lesson_pages() -> list[str]:
    return [p.stem + ".html" for p in build_book.lessons()]


def solution_pages() -> list[str]:
    return [f"solutions/{p.stem}.html" for p in build_book.solutions()]


def guide_pages() -> list[str]:
    return [f"guides/{name}.html" for name in build_book.GUIDES]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Visit:
    """A page of the site in a fresh tab, with every request it makes recorded; requests to another host are
    refused (and recorded), so the test sees them even where the machine has a network."""

    def __init__(self, browser, base: str):
        self.base = base
        self.outside, self.failed, self.requested = [], [], []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("response", lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
        self.page.on("requestfailed", lambda r: self.failed.append(f"failed {r.url}"))

    def _route(self, route):
        url = route.request.url
        self.requested.append(url)
        if url.startswith((self.base + "/", "data:", "blob:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, path: str):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return self.page

    def axe(self) -> list[str]:
        # the theme's colours fade in (CSS transitions of 0.15 s): check the colours a reader sees once settled
        self.page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
        self.page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        return self.page.evaluate(
            """async () => (await axe.run(document,
                  {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}}))
                .violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ') + ' ' +
                                n.html.slice(0, 100)).join(' | '))"""
        )

    def images_without_words(self) -> list[str]:
        return self.page.evaluate(
            """() => [...document.querySelectorAll('img, svg[role=img], [role=img]')]
                .filter(e => !(e.getAttribute('alt') || e.getAttribute('aria-label') ||
                               e.getAttribute('aria-labelledby') || e.getAttribute('title')) &&
                             e.getAttribute('aria-hidden') !== 'true' && e.getAttribute('role') !== 'presentation' &&
                             !(e.tagName === 'IMG' && e.getAttribute('alt') === '' ))
                .map(e => e.outerHTML.slice(0, 120))"""
        )

    def assert_local(self, where: str) -> None:
        """Nothing was asked of another host, and nothing the page asked for failed."""
        assert not self.outside, f"{where} asked another host for {self.outside}"
        assert not self.failed, f"{where}: {self.failed}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.page.close()


def test_the_book_builds_offline_and_stays_small(site):
    out, _, report, offline = site
    assert report["bytes"] < build_book.MAX_SITE_BYTES, f"the site is {report['bytes'] / 1e6:.1f} MB"
    for page in ["index.html", *lesson_pages(), *solution_pages(), *guide_pages()]:
        assert (out / page).is_file(), f"{page} is not in the book"
    assert {key[:2] for key in report["exported"]} >= set(build_book.REQUIRED)
    assert (out / "_static" / "mathjax" / "tex-chtml.js").is_file()
    if os.environ.get("CI") == "true" and os.geteuid() == 0:
        assert offline, "the build could not be run without a network (unshare --net)"


@pytest.mark.parametrize("path", ["index.html", *lesson_pages(), *solution_pages(), *guide_pages()])
def test_a_page_opens_offline_accessible_and_described(site, browser, path):
    _, base, _, _ = site
    with Visit(browser, base) as visit:
        page = visit.open(path)
        if path == "index.html":  # the home page opens the contents
            page.wait_for_url(f"{base}/00_contents.html")
            assert page.locator("h1").first.inner_text().startswith("Self-Attention, Step by Step")
            links = page.locator("nav a.reference.internal").evaluate_all("es => es.map(e => e.getAttribute('href'))")
            lessons = [h for h in links if h and not h.startswith("#") and "solutions/" not in h]
            assert [h.split("#")[0] for h in lessons][: len(lesson_pages()) - 1] == lesson_pages()[1:], lessons
            assert [h.split("#")[0] for h in links if h and h.startswith("guides/")] == guide_pages(), links
        else:
            assert page.locator("h1").count() >= 1
        visit.assert_local(path)
        assert visit.images_without_words() == [], f"{path}: images without a text alternative"
        violations = visit.axe()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / (path.replace("/", "_") + ".axe.txt")).write_text("\n".join(violations) or "none\n")
        assert violations == [], f"{path}: axe found {violations}"
        name = Path(path).name
        number = name[:2]
        if path in lesson_pages() and number not in ("00", "15"):  # lessons 01 to 14 each have a widget
            moving = page.locator(".sa-standalone")
            saved = page.locator("figure:has(img.sa-saved-picture)")
            assert moving.count() + saved.count() >= 1, f"{path}: the widget's picture is missing"
            assert page.locator(".sa-widget-note").count() == saved.count(), f"{path}: say the widget has controls"
            for widget in [*moving.all(), *saved.all()]:
                assert widget.locator("details table.sa-numbers").count() == 1, f"{path}: the widget's numbers"
        if path in lesson_pages()[1:-1]:  # the theme's previous and next links follow the series
            i = lesson_pages().index(path)
            assert page.locator("a.left-prev").get_attribute("href").endswith(lesson_pages()[i - 1])
            assert page.locator("a.right-next").get_attribute("href").endswith(lesson_pages()[i + 1])
        # the theme follows the reader's system into dark mode: every word keeps its contrast there too
        page.emulate_media(color_scheme="dark")
        page.reload(wait_until="load")
        assert page.evaluate("() => document.documentElement.dataset.theme") == "dark"
        violations = visit.axe()
        assert violations == [], f"{path} in dark mode: axe found {violations}"
        # at 320 CSS px (a phone, or 1280 px zoomed to 400%) the page reflows: no sideways scrolling
        page.set_viewport_size({"width": 320, "height": 800})
        page.reload(wait_until="load")
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= 320, f"{path} is {wide} px wide at 320 px: a reader must scroll sideways"
        visit.assert_local(f"{path} in dark mode and at 320 px")


@pytest.mark.parametrize("number", [f"{n:02d}" for n in range(1, 15)])
def test_each_exported_slider_moves_with_the_keyboard(site, browser, number):
    _, base, _, _ = site
    path = next(p for p in lesson_pages() if p.startswith(number))
    with Visit(browser, base) as visit:
        page = visit.open(path)
        roots = page.locator(".sa-standalone").all()
        if number in build_book.REQUIRED:
            assert roots, f"{path}: the widget's slider was not exported"
        for root in roots:
            slider = root.locator("input[type=range]")
            label = root.locator("label").inner_text()
            assert label and page.get_by_label(label, exact=True).count() >= 1, "the slider has no label"
            img, words = root.locator("img"), root.locator(".sa-words")

            def state(root=root, img=img, words=words):
                return (
                    img.get_attribute("src"),
                    img.get_attribute("alt"),
                    words.inner_text(),
                    root.locator("output").inner_text(),
                    root.locator(".sa-table").inner_html(),
                )

            before = state()
            assert before[1] and before[1] == before[2], "the picture's text alternative and its words differ"
            slider.focus()
            key = "ArrowLeft" if slider.input_value() == slider.get_attribute("max") else "ArrowRight"
            page.keyboard.press(key)
            after = state()
            assert after[0] != before[0], f"{path} {label}: the picture did not change"
            assert after[1] == after[2], f"{path} {label}: the words are not the picture's"
            assert after[3] != before[3] and slider.get_attribute("aria-valuetext") == after[3]
        visit.assert_local(page.url)


def test_search_finds_the_lessons_offline(site, browser):
    _, base, _, _ = site
    with Visit(browser, base) as visit:
        page = visit.open("search.html?q=softmax")
        page.locator("#search-results li").first.wait_for(timeout=15_000)
        found = page.locator("#search-results li a").evaluate_all("es => es.map(e => e.getAttribute('href'))")
        assert any(h.startswith("04_self-attention-from-scratch.html") for h in found), found
        visit.assert_local(page.url)


def test_mathjax_from_the_site_sets_a_formula_offline(site, browser):
    """No lesson has a formula yet; the copy of MathJax is there for the first one: it must work from the site."""
    _, base, _, _ = site
    with Visit(browser, base) as visit:
        page = visit.open("07_scaling.html")
        page.evaluate(
            """() => {
                const p = document.createElement('p');
                p.id = 'formula';
                p.textContent = '\\\\(\\\\boldsymbol{w} = \\\\mathrm{softmax}(q k^\\\\top / \\\\sqrt{d_k})\\\\)';
                document.querySelector('main').prepend(p);
                const s = document.createElement('script');
                s.src = '_static/mathjax/tex-chtml.js';
                document.head.append(s);
            }"""
        )
        page.locator("#formula mjx-container").wait_for(timeout=30_000)
        page.wait_for_load_state("networkidle")
        assert "sqrt" not in page.inner_text("#formula"), "MathJax left the TeX as it was"
        assert any("/_static/mathjax/" in u for u in visit.requested), "the formula's parts came from the site"
        visit.assert_local("the formula")
