"""A widget exported with App.save_html, opened in Chromium from a file: nothing leaves the machine, axe-core
finds nothing, the picture has its text alternative, and the slider moved with the keyboard changes the picture
and its words."""

from __future__ import annotations

import os

import pytest

from helpers.embeddings import toy_vectors
from helpers.widgets import attention_explorer
from tests.browser.lab import AXE, CHROMIUM, CHROMIUM_ARGS, missing_browser_reason

REASON = missing_browser_reason()
if REASON is not None and os.environ.get("CI") == "true":
    raise RuntimeError(f"browser tests cannot run in CI: {REASON}")
pytestmark = pytest.mark.skipif(REASON is not None, reason=f"browser tests skipped: {REASON}")


def test_an_exported_slider_moves_without_python_and_is_accessible(tmp_path):
    from playwright.sync_api import sync_playwright

    path = attention_explorer(toy_vectors()).save_html(
        tmp_path / "attention.html", title="Attention weights", max_bytes=10**8
    )
    requests = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 950, "height": 900})  # a notebook's width in JupyterLab
        page.on("request", lambda r: requests.append(r.url))
        page.goto(path.as_uri())
        img = page.locator("#sa-picture")
        before = (img.get_attribute("src"), img.get_attribute("alt"), page.inner_text("#sa-words"))
        assert before[1] and before[1] == before[2], "the picture's text alternative and its words differ"
        page.get_by_label("temperature").focus()
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        after = (img.get_attribute("src"), img.get_attribute("alt"), page.inner_text("#sa-words"))
        assert after[0] != before[0] and after[1] != before[1] and after[1] == after[2]
        assert page.inner_text("#sa-value") == "1.78" and page.get_attribute("#sa-position", "aria-valuetext") == "1.78"
        page.keyboard.press("End")
        assert page.inner_text("#sa-value") == "31.62"
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        violations = page.evaluate(
            """async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}))
                .violations.map(v => v.id + ': ' + v.nodes.map(n => n.html.slice(0, 80)).join(' | '))"""
        )
        assert violations == [], violations
        browser.close()
    outside = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not outside, f"the page asked for {outside}"
