"""Every picture has words: text alternatives made from the numbers, attached to static figures and to every widget."""

import base64
import html
import itertools
import re
import struct

import numpy as np
import pytest

from helpers import describe, plots
from helpers import widgets as w
from helpers.app import FIGURES, App, friendly, saved
from helpers.embeddings import load_glove, toy_vectors


# ---------------------------------------------------------------- the words, from the numbers
def test_attention_in_words_is_the_issues_example():
    W = np.array([[0.40, 0.31, 0.29], [0.33, 0.42, 0.25], [0.32, 0.26, 0.43]])
    text = describe.attention(W, ["money", "bank", "grows"], ["money", "bank", "grows"])
    assert (
        text == "Attention weights, 3 queries x 3 keys: money attends most to money (0.40), bank to bank (0.42), grows "
        "to grows (0.43)."
    )


def test_attention_in_words_follows_the_largest_weight_and_skips_masked_cells():
    W = np.array([[0.1, 0.9], [np.nan, 1.0]])
    assert describe.attention(W, ["a", "b"], ["x", "y"]).endswith("a attends most to y (0.90), b to y (1.00).")
    big = np.full((20, 20), 0.05)
    assert "each query's largest weight is 0.05 on average" in describe.attention(big)


def test_heatmap_vectors_bars_lines_in_words():
    assert describe.heatmap([[1.0, -2.0], [0.5, 3.0]], ["a", "b"], ["x", "y"], "t") == (
        "Heatmap 't', 2 rows x 2 columns, values from -2.00 to 3.00. Largest in each row: a x (1.00), b y (3.00)."
    )
    assert describe.vectors([[3.0, 4.0]], ["v"], xlabel="finance", ylabel="nature") == (
        "Arrows from the origin (x: finance, y: nature): v to (3.00, 4.00), length 5.00."
    )
    assert (
        describe.bars([0.2, 0.7, 0.1], ["k0", "k1", "k2"])
        == "Bar chart: k0 0.20, k1 0.70, k2 0.10. Tallest: k1 (0.70)."
    )
    text = describe.lines(
        [1, 2, 4], {"up": [1, 2, 3], "down": [3, 2, 1], "flat": [2, 2.01, 2], "bump": [0, 1, 0]}, "t", "d_k", "entropy"
    )
    assert "'up' goes from 1.00 to 3.00 (rising)" in text and "'down' goes from 3.00 to 1.00 (falling)" in text
    assert (
        "'flat' goes from 2.00 to 2.00 (about flat)" in text
        and "'bump' goes from 0.00 to 0.00 (not steady: highest at point 2 (1.00))" in text
    )
    assert text.startswith("Line chart 't' of entropy against d_k from 1.00 to 4.00")


def test_table_of_numbers_is_escaped_with_header_cells():
    table = describe.table_html([[0.5, 1.0]], ["<b>"], ["x", "y&z"], "caption")
    assert (
        "<b>" not in table.replace("<table", "").replace("<thead>", "") and "&lt;b&gt;" in table and "y&amp;z" in table
    )
    assert table.count('<th scope="col">') == 2 and table.count('<th scope="row">') == 1
    assert "<td>0.50</td><td>1.00</td>" in table and "<caption>caption</caption>" in table


def test_the_numbers_of_a_static_picture_as_tables():
    small = describe.heatmap_table(np.eye(2), ["a", "b"], ["x", "y"], "id")
    assert "<caption>id</caption>" in small and small.count("<td>1.00</td>") == 2
    assert describe.heatmap_table(np.zeros((6, 50))) == ""  # 300 cells: the words summarise them
    x = np.arange(1, 201)
    table = describe.lines_table(x, {"loss": 1 / x, "flat": np.ones(200)}, "step")
    rows = re.findall(r'<th scope="row">([^<]*)</th>', table)
    assert len(rows) == describe.MAX_TABLE_ROWS and rows[0] == "1" and rows[-1] == "200"  # first and last
    assert all(9 <= int(b) - int(a) <= 11 for a, b in itertools.pairwise(rows))  # evenly spread
    assert "at 21 of its 200 points; each row is one step" in table and "<td>0.01</td><td>1.00</td>" in table
    assert re.findall(r'<th scope="row">([^<]*)</th>', describe.lines_table([0.5, 1.5], {"a": [1, 2]})) == [
        "0.50",
        "1.50",
    ]
    assert '<th scope="row">b</th><td>0.70</td>' in describe.bars_table([0.3, 0.7], ["a", "b"], "weight")
    assert '<th scope="col">size</th>' in describe.vectors_table([[1.0, 0.5]], ["v"], "money", "size")
    with pytest.raises(ValueError, match=r"needs \(n,\) x values"):
        describe.lines_table([], {})


# ---------------------------------------------------------------- static figures carry them
@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: plots.heatmap(np.eye(2), ["a", "b"], ["x", "y"], "id"), "Heatmap 'id shape (2, 2)'"),
        (
            lambda: plots.attention_heatmaps([np.eye(2)], [["a", "b"]], [["a", "b"]], ["s"]),
            "a attends most to a (1.00), b to b (1.00)",
        ),
        (lambda: plots.vectors_2d([[1.0, 0.0]], ["v"]), "v to (1.00, 0.00)"),
        (lambda: plots.bars([0.3, 0.7], ["a", "b"]), "Tallest: b (0.70)"),
        (lambda: plots.lines([1, 2], {"a": [2.0, 1.0]}), "'a' goes from 2.00 to 1.00 (falling)"),
        (plots.three_steps_diagram, "static embeddings -> self-attention -> contextual embeddings"),
        (
            lambda: plots.heatmaps_side_by_side([np.eye(2), np.eye(2)], [None, None], [None, None], ["p", "q"]),
            "2 pictures side by side",
        ),
    ],
)
def test_static_figures_show_an_image_with_alt_text(make, words):
    fig = make()
    assert words in fig.alt_text
    bundle, metadata = fig._repr_mimebundle_()
    assert bundle["text/plain"] == fig.alt_text
    png = base64.b64decode(bundle["image/png"])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    alt = re.search(
        r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]*)" width="(\d+)"', bundle["text/html"]
    )
    assert alt and html.unescape(alt.group(1)) == fig.alt_text
    pixels = struct.unpack(">II", png[16:24])  # twice the pixels of the size it is shown at
    shown = (metadata["image/png"]["width"], metadata["image/png"]["height"])
    assert int(alt.group(2)) == shown[0] and pixels[0] // 2 == shown[0] and pixels[1] // 2 == shown[1]
    assert "<details" in bundle["text/html"] and "<summary>describe the picture</summary>" in bundle["text/html"]
    if make is not plots.three_steps_diagram:  # a diagram has no numbers; every other picture shows its table
        assert fig.table.startswith('<table class="sa-numbers">') and fig.table in bundle["text/html"]


def test_attention_tables_say_which_way_they_read():
    fig = plots.attention_heatmaps([np.eye(2), np.eye(2)], [["a", "b"]] * 2, [["a", "b"]] * 2, ["s", ""])
    assert "<caption>s: rows are queries, columns keys</caption>" in fig.table
    assert "<caption>rows are queries, columns keys</caption>" in fig.table


# ---------------------------------------------------------------- widgets: words that follow the picture
def _tiny_gpt():
    from helpers.gpt import load_tiny_gpt

    return load_tiny_gpt()


WIDGETS = [
    (lambda: w.static_vector_explorer(toy_vectors()), "word", "money", "static vector of 'money'"),
    (lambda: w.weighted_sum_explorer(toy_vectors()), "river", 0.9, "new bank = "),
    (w.dot_product_explorer, "angle_deg", 90.0, "a · b = "),
    (lambda: w.attention_explorer(toy_vectors()), "temperature", 0.1, "money attends most to money (0.9"),
    (lambda: w.qk_explorer(toy_vectors()), "angle_deg", 60.0, "turns the queries by 60 degrees"),
    (w.scaling_explorer, "d_k", 1024, "Entropy"),
    (lambda: w.mask_explorer(load_glove()), "position", 4, "'<pad>' can see: the, river, bank, flows, <pad>"),
    (lambda: w.head_explorer(load_glove()), "head", 3, "Head 3 of 5."),
    (
        lambda: w.online_softmax_explorer(np.array([1.0, 3.0, 0.5]), np.eye(3), 2),
        "block",
        2,
        "After 2 of 2 blocks, 3 of 3 keys seen",
    ),
    (lambda: w.word_order_explorer(load_glove()), "position", 2, "Word order: bites, man, dog."),
    (lambda: w.gpt_explorer(_tiny_gpt()), "head", 2, "layer 0, head 2: the last character's attention"),
]


@pytest.mark.parametrize("build, control, value, words", WIDGETS)
def test_every_widget_describes_what_it_shows_and_updates_the_words(build, control, value, words):
    app = build()
    before = app.image.alt
    assert before and app.image.table.startswith('<table class="sa-numbers">')
    app.controls[control].value = value
    assert app.error is None
    assert words in app.image.alt and app.image.alt != before
    assert app.image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_minilm_widget_describes_its_head(model):
    app = w.minilm_explorer(model, "we sat on the river bank")
    app.controls["layer"].value = 5
    assert app.image.alt.startswith("Layer 5, head 0. Attention weights, 8 queries x 8 keys: [CLS] attends most to")


def test_cost_widget_says_how_time_and_memory_grow():
    app = w.cost_explorer(256)
    assert re.search(r"exact attention's time grows like n\^-?\d\.\d and its memory like n\^\d\.\d", app.image.alt)
    assert '<th scope="row">256</th>' in app.image.table


def test_a_bad_value_keeps_the_last_words(toy):
    app = w.attention_explorer(toy)
    alt = app.image.alt
    app.controls["sentence"].value = "bnak"
    assert "Did you mean" in app.message.value and app.image.alt == alt


# ---------------------------------------------------------------- figures for slides
def test_save_writes_png_and_svg_of_what_the_widget_shows(tmp_path, toy):
    from tests.conftest import png_pixels

    app = w.attention_explorer(toy, temperature=0.3)
    shown = png_pixels(app.image.value)
    png, svg = app.save(folder=tmp_path)
    assert (png.name, svg.name) == ("attention.png", "attention.svg")
    assert png_pixels(png.read_bytes()).shape == shown.shape
    assert (
        np.abs(png_pixels(png.read_bytes()).astype(int) - shown.astype(int)).max() <= 1
    )  # the file is the picture shown
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<?xml") and "<dc:date>" not in text  # no date: saving twice gives the same file
    app.controls["temperature"].value = 2.0  # blitting still works after a save
    assert app.error is None and app.image.value != png.read_bytes()
    with pytest.raises(ValueError, match="plain file name"):
        app.save("../outside", folder=tmp_path)


def test_save_button_says_where_it_saved(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = w.dot_product_explorer()
    app.save_button.click()
    assert (tmp_path / FIGURES / "dot_product.png").exists() and (tmp_path / FIGURES / "dot_product.svg").exists()
    assert "Saved figures/dot_product.png and figures/dot_product.svg" in app.message.value


# ---------------------------------------------------------------- colour contrast of the project's own HTML
def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("markup", [friendly(ValueError("x")), saved(["figures/a.png"])])
def test_messages_meet_wcag_aa_contrast(markup):
    fg = re.search(r"color:(#[0-9a-f]{6})", markup).group(1)
    bg = re.search(r"background:(#[0-9a-f]{6})", markup).group(1)
    assert _contrast(fg, bg) >= 4.5


def test_figure_view_css_meets_wcag_aa_contrast():
    from helpers.app import FigureView

    pairs = re.findall(r"color: (#[0-9a-f]{6}); background: (#[0-9a-f]{6})", FigureView._css)
    assert len(pairs) >= 2 and all(_contrast(fg, bg) >= 4.5 for fg, bg in pairs)


def test_app_checks_its_describe_is_given():
    import ipywidgets as widgets
    from matplotlib.figure import Figure

    with pytest.raises(TypeError):
        App({"x": widgets.IntSlider()}, Figure(), lambda x: x, lambda r: None)  # no describe


def test_a_widget_output_carries_its_picture_words_and_numbers_for_where_it_cannot_run():
    import base64

    from helpers import widgets as w
    from helpers.embeddings import toy_vectors

    app = w.attention_explorer(toy_vectors())
    data, metadata = app._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data  # the live widget, where it can run
    assert base64.b64decode(data["image/png"]) == app.image.value and data["text/plain"] == app.image.alt
    assert 'class="sa-saved-picture"' in data["text/html"] and html.escape(app.image.alt) in data["text/html"]
    assert app.image.table.startswith("<table") and app.image.table in data["text/html"]  # and its numbers
    assert metadata["image/png"]["width"] == app.image.width == 800  # CSS pixels; the PNG has twice as many
