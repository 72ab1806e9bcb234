"""The front door: a README of at most 150 lines that points each reader to a guide in docs/, every guide a page of
the book, the README's picture drawn by the helpers with the text alternative the README gives it, and links into
a guide that land on one of its headings."""

from __future__ import annotations

import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import build_book  # noqa: E402
import make_nav  # noqa: E402
import make_readme_picture  # noqa: E402

README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDES = sorted(p.stem for p in (ROOT / "docs").glob("*.md"))


def test_the_readme_is_short_and_points_each_reader_to_a_guide():
    assert len(README.splitlines()) <= 150, f"the README has {len(README.splitlines())} lines"
    for heading in ("## Two commands", "## The series", "## Read it on the web", "## Guides"):
        assert heading in README
    assert "make lab" in README and "make test" in README
    guides = re.findall(r"^- \*\*\w+\*\*: .*\]\(docs/(\w+)\.md\)$", README, flags=re.M)
    assert sorted(guides) == GUIDES == sorted(build_book.GUIDES), (guides, GUIDES)


def test_the_readme_picture_is_the_helpers_drawing_with_its_words():
    alt, path = re.search(r"^!\[([^\]]+)\]\((docs/images/[\w-]+\.png)\)$", README, flags=re.M).groups()
    assert ROOT / path == make_readme_picture.PICTURE
    fig = make_readme_picture.figure()
    assert alt == fig.alt_text
    png = make_readme_picture.PICTURE.read_bytes()
    width = struct.unpack(">I", png[16:20])[0]
    assert width >= fig.get_figwidth() * fig.dpi * 2 * 0.9, "the picture should have 2x pixels"


def test_a_guide_becomes_a_page_whose_links_are_pages_or_text():
    page = build_book.guide_page(
        "[a](../notebooks/04_x.ipynb#y) [b](../notebooks/solutions/04_s.ipynb) [c](../README.md#the-series) "
        "[`cfg`](../classroom/jupyterhub_config.py) [d](teachers.md#binder) [e](https://example.org)"
    )
    assert page == (
        "[a](../04_x.ipynb#y) [b](../solutions/04_s.ipynb) [c](../00_contents.ipynb) `cfg` "
        "[d](teachers.md#binder) [e](https://example.org)"
    )


def test_a_link_to_a_heading_a_guide_lacks_is_found(tmp_path, monkeypatch):
    monkeypatch.setattr(make_nav, "ROOT", tmp_path)
    (tmp_path / "guide.md").write_text("# A guide\n\n## `make test` in detail\n\n## Grading: nbgrader\n")
    page = tmp_path / "README.md"
    good = "[a](guide.md#make-test-in-detail) [b](guide.md#grading-nbgrader)"
    assert make_nav.broken_links(page, good) == []
    assert make_nav.broken_links(page, "[c](guide.md#grading)") == [
        "README.md: link to a heading guide.md does not have: #grading"
    ]
