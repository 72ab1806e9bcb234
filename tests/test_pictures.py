"""Every picture the helpers draw is readable where the series shows it: no two tick labels or cell numbers
overlap, and no text is smaller than 8 CSS pixels once the picture is fitted to the notebook's width.

The measure is matplotlib's own text extents (and CachedLabels.boxes for the cached cell numbers), taken at
the size the browser shows: a widget's picture at its CSS width, a static figure at its tight box, both
shrunk to OUTPUT_WIDTH when wider (the output area of a notebook at the layout `make lab` opens, about
950 pixels wide with the file browser open, less its prompt column).
"""

import functools
import itertools

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from helpers import plots
from helpers import widgets as w
from helpers.labels import CachedLabels

OUTPUT_WIDTH = round(plots.OUTPUT_WIDTH * 100)  # CSS pixels an output may take before the browser shrinks it
SMALLEST_TEXT = 8  # CSS pixels: the height of the em box of the smallest text
TOLERANCE = 1.0  # CSS pixels of overlap forgiven (anti-aliased edges)


def _css_scale(fig, css_width=None):
    """CSS pixels per figure pixel, shrink to the output width included."""
    renderer = fig.canvas.get_renderer()
    if css_width is None:  # a static figure: shown at its tight box, at its own dpi
        shown = fig.get_tightbbox(renderer).width * fig.dpi
        scale = 1.0
    else:  # a widget: drawn at PIXEL_RATIO times its CSS width
        shown = css_width
        scale = css_width / fig.bbox.width
    return scale * min(1.0, OUTPUT_WIDTH / shown)


def _groups(fig):
    """The texts that must not overlap one another, by group: each axis's tick labels, each heatmap's cell numbers
    (the words at arrow tips may touch when two vectors point alike: the picture is about their directions).
    -> {name: [(text, (x0, y0, x1, y1) in figure pixels)]}"""
    groups = {}
    for i, ax in enumerate(fig.axes):
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            ticks = [t for t in axis._update_ticks() if t.label1.get_visible() and t.label1.get_text().strip()]
            groups[f"axes {i} {name} tick labels"] = [
                (t.label1.get_text(), tuple(t.label1.get_window_extent().extents)) for t in ticks
            ]
        for artist in ax.artists:
            if isinstance(artist, CachedLabels) and artist.get_visible() and artist.role == "cells":
                pad = 2  # CachedLabels pads each label's pixels by 2 on every side
                groups[f"axes {i} {artist.role}"] = [
                    (text, (x0 + pad, y0 + pad, x1 - pad, y1 - pad)) for text, (x0, y0, x1, y1) in artist.boxes(fig.dpi)
                ]
    return groups


def _font_sizes(fig):
    """Every visible text's em size in figure pixels, with what it says. -> [(text, pixels)]"""
    sizes = [
        (t.get_text(), t.get_fontsize() * fig.dpi / 72)
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip() and t.figure is not None
    ]
    for ax in fig.axes:
        for artist in ax.artists:
            if isinstance(artist, CachedLabels) and artist.get_visible():
                sizes += [(text, artist.fontsize * fig.dpi / 72) for text in artist.texts if text]
    return sizes


def problems(fig, css_width=None) -> list:
    """What a learner could not read in this figure: overlapping labels, text under 8 CSS pixels. -> [str]"""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    scale = _css_scale(fig, css_width)
    found = []
    for group, items in _groups(fig).items():
        for (a, ba), (b, bb) in itertools.combinations(items, 2):
            dx = min(ba[2], bb[2]) - max(ba[0], bb[0])
            dy = min(ba[3], bb[3]) - max(ba[1], bb[1])
            if dx * scale > TOLERANCE and dy * scale > TOLERANCE:
                found.append(f"{group}: {a!r} overlaps {b!r} by {dx * scale:.1f} x {dy * scale:.1f} px")
    small = [(text, px * scale) for text, px in _font_sizes(fig) if px * scale < SMALLEST_TEXT]
    found += [f"text {text!r} is {px:.1f} px" for text, px in small[:5]]
    return found


# ---------------------------------------------------------------- the static figures, at the series' sizes
def _words(n, stem="w"):
    return [f"{stem}{i}" for i in range(n)]


STATIC = {
    "toy table 8 x 4": lambda: plots.heatmap(np.random.default_rng(0).random((8, 4)), _words(8), _words(4, "f"), "t"),
    "sinusoidal 50 x 50": lambda: plots.heatmap(
        np.sin(np.arange(2500).reshape(50, 50) / 7), None, None, "s", annotate=False, vmin=-1, vmax=1
    ),
    "learned cosine 64 x 64": lambda: plots.heatmap(
        np.cos(np.arange(4096).reshape(64, 64) / 9), None, None, "c", annotate=False, vmin=-1, vmax=1
    ),
    "head map 6 x 12": lambda: plots.heatmap(
        np.random.default_rng(1).random((6, 12)), _words(6, "layer "), [str(h) for h in range(12)], "h", vmin=0, vmax=1
    ),
    "two 8 x 8 attention maps": lambda: plots.attention_heatmaps(
        [np.full((8, 8), 0.125), np.eye(8)], [None, None], [None, None], ["step 0", "step 300"]
    ),
    "two 8 x 8 token maps": lambda: plots.attention_heatmaps(
        [np.full((8, 8), 0.125)] * 2,
        [["[CLS]", "we", "sat", "on", "the", "river", "bank", "[SEP]"]] * 2,
        [["[CLS]", "we", "sat", "on", "the", "river", "bank", "[SEP]"]] * 2,
        ["layer 0, head 2", "layer 5, head 11"],
        annotate=False,
    ),
    "cross-attention 4 x 6": lambda: plots.attention_heatmaps(
        [np.full((4, 6), 1 / 6)],
        [["where", "is", "the", "money"]],
        [["i", "put", "cash", "in", "the", "bank"]],
        ["cross-attention: question -> passage"],
    ),
    "two sentences 3 x 4": lambda: plots.heatmaps_side_by_side(
        [np.eye(3, 4), np.eye(3, 4)], [_words(3)] * 2, [_words(4, "f")] * 2, ["a", "b"]
    ),
    "bank cosines 6 x 6": lambda: plots.heatmap(
        np.eye(6), _words(6, "money "), _words(6, "money "), "cosine of the last-layer banks", vmin=0.6, vmax=1
    ),
    "lines": lambda: plots.lines(np.arange(201), {"a": np.ones(201), "b": np.ones(201)}, "loss", "step", "loss"),
    "bars": lambda: plots.bars(np.full(8, 0.125), _words(8, "k")),
}


@pytest.mark.parametrize("name", list(STATIC))
def test_static_figures_are_readable(name):
    assert problems(STATIC[name]()) == []


# ---------------------------------------------------------------- every widget, at its defaults and extremes
def _builders():
    from helpers import minilm
    from helpers.embeddings import load_glove, toy_vectors
    from helpers.gpt import load_tiny_gpt
    from helpers.positions import pca_positions
    from helpers.training import previous_token_task

    glove, toy = load_glove(), toy_vectors()
    return {
        "01 static vector": lambda: w.static_vector_explorer(glove, "we sat on the river bank", "bank"),
        "02 weighted sum": lambda: w.weighted_sum_explorer(toy),
        "03 dot product": w.dot_product_explorer,
        "04 attention": lambda: w.attention_explorer(toy),
        "04 attention, 6 words": lambda: w.attention_explorer(glove, "we sat on the river bank", 7.0),
        "05 Q/K": lambda: w.qk_explorer(toy),
        "06 word order": lambda: w.word_order_explorer(
            glove, learned=pca_positions(minilm.load().position_embeddings[1:65], 50)
        ),
        "07 scaling": w.scaling_explorer,
        "08 masks": lambda: w.mask_explorer(glove, "the river bank flows", n_pad=2),
        "09 heads": lambda: w.head_explorer(glove),
        "10 training": lambda: w.training_explorer(previous_token_task(n_sentences=16)),
        "11 MiniLM": lambda: w.minilm_explorer(minilm.load(), "we sat on the river bank"),
        "13 online softmax": lambda: w.online_softmax_explorer(
            np.array([1.0, 3.0, 0.5, 2.0, 4.0, -1.0, 0.0, 2.5]), np.eye(8)[:, :2], 3
        ),
        "14 GPT": lambda: w.gpt_explorer(load_tiny_gpt()),
        "17 LLM": lambda: w.llm_explorer(_smollm2(), "The river bank was covered in moss, and the"),
    }


@functools.cache
def _smollm2():
    from helpers.llm import load_smollm2

    return load_smollm2()


def _extremes(control):
    """The values a control can take at its ends: a slider's min and max, a choice's first and last option."""
    if hasattr(control, "options") and control.options:
        values = [o[1] if isinstance(o, tuple) else o for o in control.options]
        return [values[0], values[-1]]
    if hasattr(control, "min") and hasattr(control, "max") and not hasattr(control, "placeholder"):
        return [control.min, control.max]
    return []  # text boxes: their defaults


@pytest.fixture(scope="module")
def builders():
    return _builders()


WIDGETS = [
    "01 static vector",
    "02 weighted sum",
    "03 dot product",
    "04 attention",
    "04 attention, 6 words",
    "05 Q/K",
    "06 word order",
    "07 scaling",
    "08 masks",
    "09 heads",
    "10 training",
    "11 MiniLM",
    "13 online softmax",
    "14 GPT",
    "17 LLM",
]


def test_every_widget_builder_is_looked_at():
    """Each explorer in helpers.widgets is in WIDGETS, except cost_explorer, whose picture is a measurement
    (its labels are checked by its own test at the sizes it plots)."""
    explorers = {name for name in dir(w) if name.endswith("_explorer")} - {"cost_explorer"}
    assert len(explorers) == len({name.split(" ", 1)[1].split(",")[0] for name in WIDGETS})


@pytest.mark.parametrize("name", WIDGETS)
def test_widget_pictures_are_readable_at_defaults_and_extremes(builders, name):
    app = builders[name]()
    found = [f"defaults: {p}" for p in problems(app.figure, app.image.width)]
    for key, control in app.controls.items():
        if key in ("seed", "lr", "largest_n"):
            continue  # another training or measurement run: the same picture, new numbers
        start = control.value
        for value in _extremes(control):
            control.value = value
            if app.error is not None:  # a value the widget refuses with a message (a vector of length 0)
                continue
            found += [f"{key}={value!r}: {p}" for p in problems(app.figure, app.image.width)]
        control.value = start
    assert found == []


def test_the_check_finds_crowded_labels_and_small_text():
    """The check itself: 40 long row labels in a short figure overlap; 5-point text is under 8 px."""
    crowded = plots.heatmap(np.eye(40), _words(40, "a long label "), None, "crowded", annotate=False)
    crowded.set_size_inches(6, 3)
    assert any("overlaps" in p for p in problems(crowded))
    tiny = plots.bars(np.full(3, 0.3), ["a", "b", "c"])
    tiny.axes[0].set_title("tiny", fontsize=5)
    assert any("'tiny' is" in p for p in problems(tiny))
    numbers = plots.heatmap(np.full((4, 30), 0.5), None, None, "numbers", annotate=True)
    numbers.set_size_inches(4, 2)
    assert any("cells" in p for p in problems(numbers))
