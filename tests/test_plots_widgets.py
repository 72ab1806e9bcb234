"""Plots draw what the math computed; widget callbacks recompute and redraw in place (Agg backend)."""

import numpy as np
import pytest

import helpers as h
from helpers import plots
from helpers.app import App, HeatmapView, figure_png
from helpers.embeddings import load_glove, toy_vectors
from helpers.gpt import load_tiny_gpt
from helpers.steps import attention_step, dot_product_step, static_vector_step, weighted_sum_step
from helpers.widgets import (
    attention_explorer,
    dot_product_explorer,
    gpt_explorer,
    head_explorer,
    mask_explorer,
    online_softmax_explorer,
    qk_explorer,
    scaling_explorer,
    static_vector_explorer,
    weighted_sum_explorer,
    word_order_explorer,
)


def test_heatmap_shows_values_labels_and_shape():
    W = np.array([[0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
    fig = plots.heatmap(W, ["a", "b"], ["x", "y", "z"], "weights")
    ax = fig.axes[0]
    np.testing.assert_allclose(ax.collections[0].get_array().reshape(2, 3), W)
    assert plots.cell_labels(ax) == ["0.20", "0.70", "0.10", "0.30", "0.30", "0.40"]
    assert "(2, 3)" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]


def test_heatmap_signed_values_use_the_diverging_palette():
    fig = plots.heatmap([[-1.0, 2.0]])
    mesh = fig.axes[0].collections[0]
    zero = mesh.cmap(mesh.norm(0.0))
    assert min(zero[:3]) > 0.9  # centred: 0 is the light middle of the diverging map


def test_update_heatmap_in_place():
    fig = plots.heatmap(np.zeros((2, 2)), vmin=0, vmax=1)
    ax = fig.axes[0]
    mesh = ax.collections[0]
    plots.update_heatmap(ax, [[1.0, 0.0], [0.25, 0.75]])
    assert ax.collections[0] is mesh
    np.testing.assert_allclose(mesh.get_array(), [1.0, 0.0, 0.25, 0.75])
    assert plots.cell_labels(ax) == ["1.00", "0.00", "0.25", "0.75"]
    with pytest.raises(ValueError, match="cells"):
        plots.update_heatmap(ax, np.zeros((3, 3)))


def test_cell_labels_look_like_matplotlib_texts():
    """The cached label pixels land where ax.text(ha=va='center') would draw, in the same colours."""
    from helpers.app import figure_png
    from tests.conftest import png_pixels

    W = np.array([[0.2, 0.9], [0.55, 0.05]])
    cached = plots.heatmap(W, ["a", "b"], ["x", "y"], vmin=0, vmax=1, cbar=False)
    texts = plots.heatmap(W, ["a", "b"], ["x", "y"], vmin=0, vmax=1, cbar=False)
    ax = texts.axes[0]
    ax.artists[0].set_visible(False)  # the same heatmap, its numbers drawn as matplotlib texts instead
    labels = cached.axes[0].artists[0]
    for (x, y), text, color in zip(labels.centers, labels.texts, labels.colors):
        ax.text(x, y, text, ha="center", va="center", fontsize=10, color=color)
    a, b = png_pixels(figure_png(cached)).astype(int), png_pixels(figure_png(texts)).astype(int)
    assert np.abs(a - b).max(axis=-1).mean() < 1.0  # sub-pixel placement differs by at most a few edge pixels
    shifted = [np.abs(a - np.roll(b, s, axis=ax_)).sum() for ax_ in (0, 1) for s in (-1, 1)]
    assert np.abs(a - b).sum() < min(shifted)  # not off by a whole pixel
    assert labels.colors == ["#ffffff", "#000000", "#000000", "#ffffff"]  # dark cells get white numbers


def test_arrow_words_land_where_annotate_puts_them():
    from helpers.app import figure_png
    from tests.conftest import png_pixels

    V, words = np.array([[1.0, 0.5], [-0.5, 0.8]]), ["money", "bank"]
    cached = plots.vectors_2d(V, words, colors=["#0173b2", "#de8f05"], lim=1.2)
    texts = plots.vectors_2d(V, words, colors=["#0173b2", "#de8f05"], lim=1.2)
    ax = texts.axes[0]
    next(a for a in ax.artists if isinstance(a, plots.CachedLabels)).set_visible(False)
    for (x, y), word, c in zip(V, words, ["#0173b2", "#de8f05"]):
        ax.annotate(word, (x, y), xytext=(4, 4), textcoords="offset points", color=c, fontsize=11, fontweight="bold")
    a, b = png_pixels(figure_png(cached)).astype(int), png_pixels(figure_png(texts)).astype(int)
    assert np.abs(a - b).max(axis=-1).mean() < 1.0
    shifted = [np.abs(a - np.roll(b, s, axis=ax_)).sum() for ax_ in (0, 1) for s in (-1, 1)]
    assert np.abs(a - b).sum() < min(shifted)


def test_large_heatmaps_are_not_annotated():
    fig = plots.heatmap(np.zeros((20, 20)))
    assert plots.cell_labels(fig.axes[0]) == []


def test_vectors_2d_and_update():
    fig = plots.vectors_2d([[1.0, 0.0], [0.5, 0.5]], ["money", "bank"])
    ax = fig.axes[0]
    assert plots.point_labels(ax) == [("money", (1.0, 0.0)), ("bank", (0.5, 0.5))]
    plots.update_vectors(ax, [[0.0, 1.0], [0.2, 0.3]])
    np.testing.assert_allclose(ax.collections[0].U, [0.0, 0.2])
    np.testing.assert_allclose(ax.collections[0].V, [1.0, 0.3])
    assert plots.point_labels(ax)[1] == ("bank", (0.2, 0.3))
    with pytest.raises(ValueError, match="2-D vectors"):
        plots.vectors_2d([[1.0, 2.0, 3.0]], ["x"])


def test_three_steps_diagram_has_the_three_steps():
    fig = plots.three_steps_diagram()
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["static embeddings", "self-attention", "contextual embeddings"]


def test_figure_png_is_a_png():
    assert figure_png(plots.heatmap([[1.0]]))[:8] == b"\x89PNG\r\n\x1a\n"


def test_attention_step_is_the_math(toy):
    r = attention_step(toy, "money bank grows", 0.5)
    _, X = toy.embed("money bank grows")
    np.testing.assert_allclose(r.weights, h.softmax(X @ X.T / 0.5))
    np.testing.assert_allclose(r.Y, r.weights @ X)


def test_attention_explorer_slider_redraws_in_place(toy):
    app = attention_explorer(toy)
    ax = app.figure.axes[0]
    mesh = ax.collections[0]
    png = app.image.value
    app.controls["temperature"].value = 0.1
    assert ax.collections[0] is mesh  # same artist: updated, not redrawn
    _, X = toy.embed("money bank grows")
    expected = h.softmax(X @ X.T, temperature=0.1)
    np.testing.assert_allclose(mesh.get_array().reshape(3, 3), expected)
    np.testing.assert_allclose(app.result.weights, expected)
    assert app.image.value != png
    assert plots.cell_labels(ax)[0] == f"{expected[0, 0]:.2f}"


def test_attention_explorer_new_sentence_redraws_labels(glove):
    app = attention_explorer(glove, "money bank grows")
    app.controls["sentence"].value = "we sat on the river bank"
    assert app.result.weights.shape == (6, 6)
    assert [t.get_text() for t in app.figure.axes[0].get_xticklabels()] == ["we", "sat", "on", "the", "river", "bank"]
    np.testing.assert_allclose(app.figure.axes[0].collections[0].get_array().reshape(6, 6), app.result.weights)


@pytest.mark.parametrize("sentence, words", [("money bnak", "Did you mean"), ("", "empty"), ("bank " * 13, "12 words")])
def test_attention_explorer_bad_sentence_shows_a_message(sentence, words, toy):
    app = attention_explorer(toy)
    before = app.result
    png = app.image.value
    app.controls["sentence"].value = sentence
    assert words in app.message.value
    assert app.result is before and app.image.value == png  # the last good picture stays
    app.controls["sentence"].value = "river bank flows"
    assert app.message.value == "" and app.result.words == ["river", "bank", "flows"]


def test_app_only_catches_learner_errors():
    def compute(x):
        raise RuntimeError("a bug, not a bad value")

    import ipywidgets as widgets
    from matplotlib.figure import Figure

    with pytest.raises(RuntimeError):
        App({"x": widgets.IntSlider()}, Figure(), compute, lambda r: None, lambda r: ("", ""))


# ---------------------------------------------------------------- widgets of notebooks 01-03


def test_static_vector_step_is_the_table_row(glove):
    g = glove
    r = static_vector_step(g, "We sat on the river bank", "Bank")
    np.testing.assert_array_equal(r.vector, g.vector("bank"))
    assert r.words == ["we", "sat", "on", "the", "river", "bank"]
    with pytest.raises(ValueError, match="not in the sentence"):
        static_vector_step(g, "money grows", "bank")


def test_static_vector_explorer_row_never_changes(toy):
    app = static_vector_explorer(toy, "money bank grows", "bank")
    ax_v = app.figure.axes[0]
    first = ax_v.collections[0].get_array().copy()
    app.controls["sentence"].value = "river bank flows"
    np.testing.assert_array_equal(ax_v.collections[0].get_array(), first)
    assert [t.get_text() for t in app.figure.axes[1].get_yticklabels()] == ["river", "bank", "flows"]
    app.controls["word"].value = "river"
    np.testing.assert_allclose(ax_v.collections[0].get_array(), toy.vector("river"))
    app.controls["word"].value = "money"
    assert "not in the sentence" in app.message.value


def test_weighted_sum_step_normalises_and_mixes():
    X2 = np.array([[0.9, 0.0], [0.6, 0.2], [0.0, 0.9]])
    r = weighted_sum_step(["money", "bank", "river"], X2, [2.0, 1.0, 1.0])
    np.testing.assert_allclose(r.weights, [0.5, 0.25, 0.25])
    np.testing.assert_allclose(r.new, 0.5 * X2[0] + 0.25 * X2[1] + 0.25 * X2[2])
    with pytest.raises(ValueError, match="sum to 0"):
        weighted_sum_step(["a", "b", "c"], X2, [0.0, 0.0, 0.0])


def test_weighted_sum_explorer_moves_the_new_arrow(toy):
    app = weighted_sum_explorer(toy, words=("money", "bank", "river"), start=(0.2, 0.7, 0.1))
    ax = app.figure.axes[0]
    app.controls["river"].value = 1.0
    app.controls["money"].value = 0.0
    app.controls["bank"].value = 0.0
    q = ax.collections[0]
    np.testing.assert_allclose([q.U[-1], q.V[-1]], toy.vector("river")[:2])
    assert "1.00 river" in ax.get_title()
    app.controls["river"].value = 0.0  # all three at 0: a message, no NaN arrow
    assert "sum to 0" in app.message.value
    assert np.isfinite(q.U).all()


def test_dot_product_step_and_explorer():
    r = dot_product_step((2.0, 1.0), 90.0, 2.0)
    np.testing.assert_allclose(r.b, [0.0, 2.0], atol=1e-12)
    assert r.dot == pytest.approx(2.0) and r.cos == pytest.approx(1 / np.sqrt(5))
    app = dot_product_explorer()
    app.controls["angle_deg"].value = 0.0
    app.controls["length"].value = 2.0
    assert app.result.dot == pytest.approx(4.0)
    assert "a · b = 4.00" in app.figure.axes[0].get_title()
    app.controls["length"].value = 0.0
    assert "length 0" in app.message.value


# ---------------------------------------------------------------- blitting shows exactly what a full redraw shows
@pytest.mark.parametrize(
    "build, changes",
    [
        (
            lambda: attention_explorer(load_glove(), "we sat on the river bank", 7.0),
            [("temperature", 0.3), ("temperature", 12.0), ("sentence", "money bank grows"), ("temperature", 2.0)],
        ),
        (lambda: qk_explorer(toy_vectors()), [("angle_deg", 60.0), ("stretch", 3.0)]),
        (lambda: mask_explorer(load_glove()), [("position", 4), ("kind", "padding")]),
        (lambda: head_explorer(load_glove()), [("head", 3), ("sentence", "the bank")]),
        (lambda: weighted_sum_explorer(toy_vectors()), [("river", 0.9), ("money", 0.0)]),
        (dot_product_explorer, [("angle_deg", 200.0), ("length", 2.5)]),
        (scaling_explorer, [("d_k", 1024), ("scaled", True)]),
        (lambda: word_order_explorer(load_glove()), [("position", 2), ("encoding", "rotary"), ("position", 1)]),
        (
            lambda: online_softmax_explorer(np.array([1.0, 3.0, 0.5, 2.0, 4.0]), np.eye(5), 2),
            [("block", 2), ("block", 3)],
        ),
        (
            lambda: gpt_explorer(load_tiny_gpt()),
            [
                ("temperature", 0.5),
                ("top_k", 3),
                ("head", 1),
                ("layer", 2),
                ("prompt", "The cat"),
                ("top_k", 20),
                ("top_p", 0.6),
            ],
        ),
    ],
)
def test_blitted_picture_equals_a_full_redraw(build, changes, assert_blit_equals_full_redraw):
    assert_blit_equals_full_redraw(build(), changes)


def test_heatmap_view_redraws_only_when_labels_or_shape_change():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    view = HeatmapView(ax)
    assert view.show(np.eye(2), ["a", "b"], ["a", "b"], "w", vmin=0, vmax=1)
    mesh = ax.collections[0]
    assert not view.show(np.ones((2, 2)) / 2, ["a", "b"], ["a", "b"])
    assert ax.collections[0] is mesh and plots.cell_labels(ax) == ["0.50"] * 4
    assert view.show(np.eye(2), ["a", "c"], ["a", "c"])  # new labels: drawn anew
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "c"]
    assert view.show(np.eye(3), ["a", "b", "c"], ["a", "b", "c"])  # new shape: drawn anew
    assert ax.collections[0].get_array().size == 9


def test_attention_heatmaps_label_queries_and_keys_with_a_colour_bar_when_not_annotated():
    W = np.full((3, 3), 1 / 3)
    fig = plots.attention_heatmaps([W, W], [["a", "b", "c"]] * 2, [["a", "b", "c"]] * 2, ["one", "two"], annotate=False)
    heat = [ax for ax in fig.axes if ax.get_xlabel()]
    assert len(heat) == 2 and all(
        ax.get_ylabel() == plots.QUERY_AXIS and ax.get_xlabel() == plots.KEY_AXIS for ax in heat
    )
    assert len(fig.axes) == 3  # the two heatmaps and one shared colour bar
    mesh = heat[0].collections[0]
    assert mesh.norm.vmin == 0 and mesh.norm.vmax == 1
    small = plots.attention_heatmaps([W], [["a", "b", "c"]], [["a", "b", "c"]], ["numbers"])
    assert (
        len(small.axes) == 1 and plots.cell_labels(small.axes[0]) == ["0.33"] * 9
    )  # numbers in the cells: no bar needed


def test_gpt_explorer_appends_a_sampled_character_and_reports_a_bad_prompt():
    model = load_tiny_gpt()
    app = gpt_explorer(model, "I was ", temperature=0.0)
    expected = model.decode([int(np.argmax(model.logits(model.encode("I was "))[-1]))])
    app.extras[0].click()  # the button: at temperature 0 it appends the most likely character
    assert app.controls["prompt"].value == "I was " + expected
    assert app.result.prompt == "I was " + expected and app.error is None
    app.controls["prompt"].value = "I was \u00e9"
    assert "not in the vocabulary" in app.message.value
    app.extras[0].click()  # nothing to sample from: nothing happens, no traceback
    assert app.controls["prompt"].value == "I was \u00e9"
    np.testing.assert_allclose(sum(app.result.top_probs), 1.0, atol=1e-6)  # the last good result: top-10 of 10


def test_gpt_explorer_top_p_keeps_the_smallest_set_of_likeliest_characters_reaching_p():
    model = load_tiny_gpt()
    app = gpt_explorer(model, "I was ", temperature=1.0, top_k=78)
    logits = model.logits(model.encode("I was "))[-1].astype(float)
    p = np.exp(logits - logits.max())
    p /= p.sum()
    order = np.argsort(-p, kind="stable")
    for top_p in (0.3, 0.6, 1.0):
        app.controls["top_p"].value = top_p
        kept = order[: int(np.searchsorted(np.cumsum(p[order]), top_p - 1e-12)) + 1]  # reach at least top_p
        want = np.zeros_like(p)
        want[kept] = p[kept] / p[kept].sum()
        np.testing.assert_allclose(app.result.top_probs, want[order[:10]], atol=1e-6)
        assert app.result.top_p == top_p and app.error is None
    app.controls["top_p"].value = 0.3
    app.controls["temperature"].value = 0.0
    app.extras[0].click()  # greedy whatever the nucleus: the likeliest character
    assert app.controls["prompt"].value == "I was " + model.decode([int(order[0])])


# ---------------------------------------------------------------- the widgets' PNG encoder
@pytest.mark.parametrize("shape", [(1, 1, 4), (7, 5, 4), (640, 1600, 4)])
def test_encode_png_round_trips_through_pillow(shape):
    import io

    from PIL import Image

    from helpers.app import encode_png

    rgba = np.random.default_rng(sum(shape)).integers(0, 256, shape, dtype=np.uint8)
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(rgba))))
    assert decoded.shape == shape and np.array_equal(decoded, rgba)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((4, 4, 4)), np.zeros((0, 4, 4), np.uint8)])
def test_encode_png_refuses_what_is_not_rgba_pixels(bad):
    from helpers.app import encode_png

    with pytest.raises(ValueError, match="uint8 pixels"):
        encode_png(bad)


def test_encode_png_is_the_same_without_isal(monkeypatch):
    import zlib

    from helpers import app

    rgba = np.random.default_rng(3).integers(0, 256, (9, 11, 4), dtype=np.uint8)
    fast = app.encode_png(rgba)
    monkeypatch.setattr(app, "_deflate", zlib.compress)
    slow = app.encode_png(rgba)
    assert fast[:33] == slow[:33]  # signature and header
    assert zlib.decompress(fast[41:-16]) == zlib.decompress(slow[41:-16])  # the same rows


def test_labels_are_plain_text_not_matplotlib_math():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plots.heatmap(np.eye(2), ["$\\frac{a$", "b"], ["x", "$5"], "costs in $")
    FigureCanvasAgg(fig).draw()  # mathtext would raise on the unclosed \frac
    FigureCanvasAgg(plots.bars([0.5, 0.5], ["$a", "b$"], "a $ title")).draw()


def test_llm_explorer_appends_a_sampled_token_and_reports_a_bad_prompt(smollm2):
    from helpers.widgets import llm_explorer

    app = llm_explorer(smollm2, "The capital of France is", temperature=0.0)
    assert app.result.top_chars[0] == "␣Paris" and app.result.shown[-1] == "␣is"
    app.extras[0].click()  # at temperature 0: the most likely token
    assert app.controls["prompt"].value == "The capital of France is Paris"
    app.controls["layer"].value = 18
    assert app.result.layer == 18 and app.error is None
    np.testing.assert_allclose(app.result.attention.sum(), 1.0, atol=0.05)  # the shown tokens are the whole prompt
    app.controls["prompt"].value = ""
    assert "at least one character" in app.message.value
    app.extras[0].click()  # nothing to sample from: nothing happens, no traceback
    assert app.controls["prompt"].value == ""


def test_llm_explorer_blitted_picture_equals_a_full_redraw(smollm2, assert_blit_equals_full_redraw):
    from helpers.widgets import llm_explorer

    changes = [("temperature", 0.5), ("top_k", 3), ("head", 1), ("layer", 20), ("prompt", "The cat"), ("top_k", 50)]
    assert_blit_equals_full_redraw(llm_explorer(smollm2, "The river bank was"), changes)
