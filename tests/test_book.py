"""The book's build (scripts/build_book.py) without a browser: which statements an exported widget needs, what a
page of the book shows in place of a widget, the check that no page fetches from another host, and the exported
slider's element (helpers.standalone.fragment)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import nbformat
import pytest

from helpers import standalone

ROOT = Path(__file__).resolve().parents[1]

sys.path.insert(0, str(ROOT / "scripts"))
import build_book  # noqa: E402


def notebook(*sources: str):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def chosen(nb, index: int) -> list[str]:
    return [ast.unparse(s) for _, s in build_book.statements_needed(nb, index)]


def test_only_the_statements_a_widget_needs_are_run_back_to_its_imports():
    nb = notebook(
        "%matplotlib inline\nimport numpy as np\nfrom helpers import gpt\nimport os",
        "text = gpt.load_text()\nprint(len(text))\nslow = gpt.train(text)",
        "model = gpt.load_tiny_gpt()\nloss = gpt.loss(model, text)",
        "model.params['w'] = np.zeros(3)\nunused = 1",
        "explorer(model)",
    )
    assert chosen(nb, 4) == [
        "import numpy as np",
        "from helpers import gpt",
        "model = gpt.load_tiny_gpt()",
        "model.params['w'] = np.zeros(3)",  # a change to what the widget reads is kept
    ]


def test_a_name_bound_twice_keeps_both_and_what_each_reads():
    nb = notebook("a = 1\nb = 2", "a = a + b\nc = 3", "show(a)")
    assert chosen(nb, 2) == ["a = 1", "b = 2", "a = a + b"]


def test_loops_functions_and_with_blocks_count_as_binding():
    nb = notebook("def f(x):\n    return x\nrows = []\nfor i in range(3):\n    rows.append(f(i))", "show(rows, f)")
    assert [line.split("\n")[0] for line in chosen(nb, 1)] == ["def f(x):", "rows = []"]


def test_a_cell_that_is_not_python_is_named():
    nb = notebook("x = (", "show(x)")
    with pytest.raises(build_book.BookError, match="cell 0 is not Python"):
        build_book.statements_needed(nb, 1)


def test_a_widget_output_becomes_its_saved_picture_and_the_test_markers_go():
    cell = nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nexplorer(model)")
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={build_book.WIDGET: {"model_id": "x"}, "text/html": "<figure>picture</figure>", "text/plain": "w"},
        )
    ]
    build_book.page_cell(cell)
    assert cell.source == "explorer(model)"
    assert set(cell.outputs[0]["data"]) == {"text/html", "text/plain"}
    assert cell.outputs[0]["data"]["text/html"] == build_book.SAVED_WIDGET + "<figure>picture</figure>"


@pytest.mark.parametrize(
    "markup",
    [
        '<script src="https://cdn.example.org/x.js"></script>',
        "<script defer src='//cdn.example.org/x.js'></script>",
        '<link rel="stylesheet" href="https://fonts.example.org/css">',
        '<img alt="a" src="http://example.org/a.png">',
        '<iframe title="t" src="https://example.org/"></iframe>',
        "body { background: url('https://example.org/a.png') }",
        '@import url("https://fonts.example.org/css");',
    ],
)
def test_a_page_that_would_fetch_from_another_host_is_found(tmp_path, markup):
    (tmp_path / "page.html").write_text(f"<html><body>{markup}</body></html>")
    assert len(build_book.outside_links(tmp_path)) == 1


def test_links_a_reader_follows_are_not_fetches(tmp_path):
    (tmp_path / "page.html").write_text(
        '<a href="https://github.com/">source</a><link rel="stylesheet" href="_static/book.css">'
        '<script src="_static/mathjax/tex-chtml.js"></script><img alt="x" src="data:image/png;base64,AA==">'
    )
    assert build_book.outside_links(tmp_path) == []


def frames(n: int) -> list:
    return [
        standalone.Frame(str(i), b"\x89PNG" + bytes([i]), f"picture {i}", f"<table><tr><td>{i}</td></tr></table>", "")
        for i in range(n)
    ]


def test_a_fragment_has_its_own_ids_and_a_label_for_its_slider():
    html = standalone.fragment("slider-04", "temperature", frames(3), 1, 400)
    assert '<label for="slider-04-position">temperature</label>' in html
    assert 'id="slider-04-position" min="0" max="2" step="1" value="1"' in html
    assert 'alt="picture 1"' in html and html.count("<script") == 2
    two = standalone.fragment("a", "x", frames(2), 0, 10) + standalone.fragment("b", "x", frames(2), 0, 10)
    assert 'id="a-position"' in two and 'id="b-position"' in two  # two sliders on one page do not collide


@pytest.mark.parametrize("key", ["", "4x", "a b", 'a"><script>', "a/b"])
def test_a_fragment_key_that_is_not_an_id_is_refused(key):
    with pytest.raises(ValueError, match="must start with a letter"):
        standalone.fragment(key, "x", frames(2), 0, 10)


def test_a_fragment_start_outside_its_frames_is_refused():
    with pytest.raises(ValueError, match="not one of the 2 frames"):
        standalone.fragment("a", "x", frames(2), 2, 10)


@pytest.mark.parametrize("number", build_book.REQUIRED)
def test_each_required_lesson_runs_to_a_widget_with_the_slider_named(number):
    path = next(p for p in build_book.lessons() if p.name.startswith(number))
    nb = nbformat.read(path, as_version=4)
    cells = build_book.widget_cells(nb)
    assert cells, f"notebook {number} has no widget"
    app = build_book.run_widget(nb, cells[0], f"notebook {number}")
    sliders = [name for name, c in app.controls.items() if isinstance(c, standalone.SLIDERS)]
    assert sliders and (build_book.CHOSEN.get(number) or sliders[0]) in sliders
    assert build_book.exported_slider(app, "s", build_book.CHOSEN.get(number), number).count('type="range"') == 1
    assert app.error is None and app.image.alt and app.image.table  # the widget as the notebook shows it
