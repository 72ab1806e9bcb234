"""Widgets on self-attention and its parts: weights, queries, word order, scaling, masks, heads (notebooks 04 to 09)."""

from __future__ import annotations

from functools import partial

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .. import describe, plots, steps
from ..app import App, HeatmapView, changing_artists
from ..checks import check_choice
from ..embeddings import TOY_FEATURES
from .common import WEIGHTS_STYLE, _attention_alt_text, _sentence_box, _weights_heatmap

D_K_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


# ---------------------------------------------------------------- 04: self-attention
def attention_explorer(vectors, sentence: str = "money bank grows", temperature: float = 1.0) -> App:
    """A sentence box and a temperature slider driving the weights heatmap and the new vectors."""
    controls = {
        "sentence": _sentence_box(sentence),
        "temperature": widgets.FloatLogSlider(
            value=temperature,
            base=10,
            min=-1.5,
            max=1.5,
            step=0.05,
            description="temperature",
            continuous_update=True,
            readout_format=".2f",
        ),
    }
    fig = Figure(figsize=(10, 4), dpi=80)
    ax_w, ax_y = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.22, top=0.88, wspace=0.45)
    weights_view, y_view = HeatmapView(ax_w), HeatmapView(ax_y)

    def draw(r: steps.AttentionStep):
        weights_view.show(r.weights, r.words, r.words, "weights", **WEIGHTS_STYLE)
        d = r.Y.shape[1]
        lim = float(np.abs(r.X).max())
        features = list(TOY_FEATURES) if d == len(TOY_FEATURES) else None
        y_view.show(
            r.Y,
            r.words,
            features,
            "new vectors Y",
            cmap=plots.DIVERGING,
            vmin=-lim,
            vmax=lim,
            cbar=False,
            annotate=d <= 8,
            xlabel="feature",
        )

    # the titles change only with the sentence, which draws the heatmaps anew (and so the cached background)
    def alt_text(r: steps.AttentionStep):
        alt, table = _attention_alt_text("", r.weights, r.words, r.words)
        d = r.Y.shape[1]
        features = list(TOY_FEATURES) if d == len(TOY_FEATURES) else None
        return f"{alt} Right: {describe.heatmap(r.Y, r.words, features, 'new vectors Y')}", table

    def compute(sentence, temperature):
        return steps.attention_step(vectors, sentence, temperature)

    changing = partial(changing_artists, ax_w, ax_y, titles=False)
    return App(controls, fig, compute, draw, alt_text, name="attention", dynamic=changing)


# ---------------------------------------------------------------- 05: a learnable W_q
def qk_explorer(
    vectors, words=("money", "bank", "river"), features=(0, 1), angle: float = 0.0, stretch: float = 1.0
) -> App:
    """Sliders rotate and stretch a 2-D W_q; the queries move and the weights heatmap follows."""
    words = list(words)
    _, X = vectors.embed(words)
    X2 = X[:, list(features)]
    controls = {
        "angle_deg": widgets.FloatSlider(
            value=angle, min=-180, max=180, step=5, description="rotate W_q", continuous_update=True
        ),
        "stretch": widgets.FloatSlider(
            value=stretch, min=0.0, max=4.0, step=0.25, description="stretch W_q", continuous_update=True
        ),
    }
    fig = Figure(figsize=(10, 4.2), dpi=80)
    ax_v, ax_w = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.07, right=0.97, bottom=0.15, top=0.88, wspace=0.35)
    labels = [f"k {w}" for w in words] + [f"q {w}" for w in words]
    colors = [plots.PALETTE[i] for i in range(len(words))] * 2
    plots.vectors_2d(np.vstack([X2, X2]), labels, "keys k (fixed) and queries q = x W_q", ax=ax_v, colors=colors)
    reach = 4.0 * float(np.abs(X2).max()) * 1.15  # the longest a query can get
    ax_v.set_xlim(-reach, reach)
    ax_v.set_ylim(-reach, reach)
    weights_view = HeatmapView(ax_w)

    def draw(r: steps.QKStep):
        plots.update_vectors(ax_v, np.vstack([r.K, r.Q]))
        weights_view.show(r.weights, words, words, "weights", **WEIGHTS_STYLE)

    def alt_text(r: steps.QKStep):
        angle = float(np.degrees(np.arctan2(r.W_q[0, 1], r.W_q[0, 0])))
        stretch = float(np.hypot(r.W_q[0, 0], r.W_q[0, 1]))
        prefix = f"W_q turns the queries by {angle:.0f} degrees and stretches them by {stretch:.2f}. "
        return _attention_alt_text(prefix, r.weights, words, words)

    def compute(angle_deg, stretch):
        return steps.qk_step(X2, angle_deg, stretch)

    changing = partial(changing_artists, ax_v, ax_w, titles=False)
    return App(controls, fig, compute, draw, alt_text, name="queries_keys", dynamic=changing)


# ---------------------------------------------------------------- 06: word order
def word_order_explorer(
    vectors, sentence: str = "dog bites man", encoding: str = "none", position: int = 0, learned=None
) -> App:
    """An encoding selector and a slider that moves the first word along the sentence: the weights and its vector."""
    n = len(steps.sentence_vectors(vectors, sentence)[0])
    controls = {
        "encoding": widgets.ToggleButtons(
            options=list(steps.ENCODINGS),
            value=check_choice(encoding, steps.ENCODINGS, "encoding"),
            description="positions",
        ),
        "position": widgets.IntSlider(
            value=position, min=0, max=n - 1, description="move the first word to", continuous_update=True
        ),
    }
    fig = Figure(figsize=(7, 5.2), dpi=80)
    ax_w, ax_v = fig.subplots(2, 1, gridspec_kw={"height_ratios": [4, 1]})
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.1, top=0.9, hspace=0.55)
    slots = [f"position {i}" for i in range(n)]  # fixed labels: moving the word changes only colours and numbers
    _weights_heatmap(ax_w, slots)
    plots.heatmap(
        np.zeros(vectors.dim),
        ["vector"],
        None,
        "",
        ax=ax_v,
        cmap=plots.DIVERGING,
        vmin=-6,
        vmax=6,
        cbar=False,
        annotate=False,
    )

    def draw(r: steps.WordOrderStep):
        plots.update_heatmap(ax_w, r.weights)
        ax_w.set_title(f"{r.encoding}: " + "  ".join(f"{i}:{w}" for i, w in enumerate(r.words)), fontsize=11)
        plots.update_heatmap(ax_v, r.vector)
        ax_v.set_title(f"what attention sees of '{r.moved}' at position {r.position}", fontsize=10)

    def alt_text(r: steps.WordOrderStep):
        labels = [f"{w} (position {i})" for i, w in enumerate(r.words)]
        return _attention_alt_text(
            f"Encoding: {r.encoding}. Word order: {', '.join(r.words)}. ", r.weights, labels, labels
        )

    def compute(encoding, position):
        return steps.word_order_step(vectors, sentence, position, encoding, learned)

    return App(controls, fig, compute, draw, alt_text, name="word_order", dynamic=lambda: changing_artists(ax_w, ax_v))


# ---------------------------------------------------------------- 07: scaling by sqrt(d_k)
def scaling_explorer(d_k: int = 64, scaled: bool = False, n_keys: int = 8, seed: int = 0) -> App:
    """A d_k slider and a scaling toggle; one query's weights over 8 keys and their entropy."""
    controls = {
        "d_k": widgets.SelectionSlider(
            options=list(D_K_CHOICES),
            value=check_choice(d_k, D_K_CHOICES, "d_k"),
            description="d_k",
            continuous_update=True,
        ),
        "scaled": widgets.Checkbox(value=scaled, description="divide by sqrt(d_k)"),
    }
    fig = Figure(figsize=(6, 3.4), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.86)
    plots.bars(np.zeros(n_keys), [f"k{i}" for i in range(n_keys)], ax=ax)

    def draw(r: steps.ScalingStep):
        plots.update_bars(ax, r.weights)
        ax.set_title(f"entropy {r.entropy:.2f} of max {r.max_entropy:.2f}   largest weight {r.max_weight:.2f}")

    keys = [f"k{i}" for i in range(n_keys)]

    def alt_text(r: steps.ScalingStep):
        alt = (
            describe.bars(r.weights, keys, f"one query's weights over {n_keys} keys")
            + f" Entropy {r.entropy:.2f} of at most {r.max_entropy:.2f}."
        )
        return alt, describe.table_html(r.weights[None, :], ["weight"], keys, "one query's weights")

    def compute(d_k, scaled):
        return steps.scaling_step(d_k, scaled, n_keys, seed)

    return App(controls, fig, compute, draw, alt_text, name="scaling", dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 08: masks
def mask_explorer(
    vectors, sentence: str = "the river bank flows", n_pad: int = 2, kind: str = "causal", position: int = 2
) -> App:
    """A mask selector and a position slider: the weights heatmap, with the chosen word's row outlined."""
    words, X = vectors.embed(sentence)
    n_words = len(words)
    labels = words + [steps.PAD] * n_pad
    Xp = np.vstack([X, np.zeros((n_pad, X.shape[1]))])
    n = len(labels)
    controls = {
        "kind": widgets.ToggleButtons(
            options=list(steps.MASK_KINDS), value=check_choice(kind, steps.MASK_KINDS, "kind"), description="mask"
        ),
        "position": widgets.IntSlider(value=position, min=0, max=n - 1, description="position", continuous_update=True),
    }
    fig = Figure(figsize=(6.5, 5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.18, right=0.97, bottom=0.14, top=0.88)
    _weights_heatmap(ax, labels)
    box = ax.add_patch(Rectangle((0, 0), n, 1, fill=False, ec=plots.PALETTE[3], lw=3))
    box.set_gid("keep")

    def draw(r: steps.MaskStep):
        plots.update_heatmap(ax, r.weights)
        box.set_y(r.position)
        seen = ", ".join(labels[j] for j in r.visible)
        ax.set_title(f"'{labels[r.position]}' can see: {seen}", fontsize=10)

    def alt_text(r: steps.MaskStep):
        seen = ", ".join(labels[j] for j in r.visible)
        return _attention_alt_text(f"'{labels[r.position]}' can see: {seen}. ", r.weights, labels, labels)

    def compute(kind, position):
        return steps.mask_step(Xp, n_words, kind, position)

    return App(controls, fig, compute, draw, alt_text, name="masks", dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 09: multi-head attention
def head_explorer(
    vectors, sentence: str = "we sat on the river bank", n_heads: int = 5, head: int = 0, seed: int = 0
) -> App:
    """A sentence box and a head selector: that head's weights heatmap."""
    controls = {
        "sentence": _sentence_box(sentence),
        "head": widgets.ToggleButtons(options=list(range(n_heads)), value=head, description="head"),
    }
    fig = Figure(figsize=(6, 5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.16, top=0.9)
    view = HeatmapView(ax)

    def draw(r: steps.HeadsStep):
        w = r.weights[r.head]
        view.show(w, r.words, r.words, vmin=0, vmax=1, cbar=False, xlabel=plots.KEY_AXIS, ylabel=plots.QUERY_AXIS)
        ax.set_title(f"head {r.head} of {n_heads}   weights shape {w.shape}")

    def alt_text(r: steps.HeadsStep):
        return _attention_alt_text(f"Head {r.head} of {n_heads}. ", r.weights[r.head], r.words, r.words)

    def compute(sentence, head):
        return steps.heads_step(vectors, sentence, n_heads, seed, head=head)

    return App(controls, fig, compute, draw, alt_text, name="heads", dynamic=lambda: changing_artists(ax))
