"""Widget builders: thin wiring from controls to the tested math and an in-place redraw (introduced in 00).

Each builder returns an ``App``: its ``compute`` only calls helpers' math, its ``draw`` only
updates an existing figure, and ``refresh()`` can be called without a browser (the tests do).
A bad value shows a friendly message above the picture instead of a traceback.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots
from .attention import (
    causal_mask,
    contextual_embeddings,
    cosine_similarity,
    dot_similarity,
    entropy,
    multi_head_attention,
    online_softmax_steps,
    scaled_dot_product_attention,
    softmax,
    sum_normalize,
)
from .embeddings import TOY_FEATURES
from .experiments import attention_cost, random_query_keys

MAX_WORDS = 12  # more words than this make unreadable heatmaps


def figure_png(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes. Figure -> bytes"""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_png(buf)
    return buf.getvalue()


class Blitter:
    """Redraws only the artists a control changes, over a cached picture of everything else (axes, ticks, labels)."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self.background = None
        self.artists = []

    def png(self, artists: list) -> bytes:
        """The figure as PNG bytes; a full draw only when the set of changing artists is new. [Artist] -> bytes"""
        from PIL import Image

        same = len(artists) == len(self.artists) and all(a is b for a, b in zip(artists, self.artists))
        if self.background is None or not same:
            for a in self.artists:
                a.set_animated(False)
            for a in artists:
                a.set_animated(True)  # left out of the full draw, which becomes the cached background
            self.canvas.draw()
            self.background = self.canvas.copy_from_bbox(self.fig.bbox)
            self.artists = list(artists)
        else:
            self.canvas.restore_region(self.background)
        for a in artists:
            self.fig.draw_artist(a)
        width, height = self.canvas.get_width_height()
        buf = io.BytesIO()
        Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1).save(buf, format="png")
        return buf.getvalue()


def changing_artists(*axes) -> list:
    """What an update changes in a heatmap or vector picture: its mesh or arrows, its texts, its title. -> [Artist]"""
    out = []
    for ax in axes:
        out += list(ax.collections) + list(ax.texts) + list(ax.patches) + [ax.title]
    return out


def friendly(error: Exception) -> str:
    """An error as a short HTML message for the learner. Exception -> str"""
    return (
        '<div class="sa-message" style="color:#8c2d04;background:#fff5eb;padding:4px 8px;border-radius:4px">'
        f"&#9888; {html.escape(str(error))}</div>"
    )


@dataclass
class App:
    """Controls + a figure shown as a PNG image + a message line; refresh() recomputes and redraws."""

    controls: dict
    figure: Figure
    compute: Callable[..., Any]
    draw: Callable[[Any], None]
    extras: list = field(default_factory=list)  # shown beside the controls, not watched (e.g. a progress bar)
    dynamic: Callable[[], list] | None = None  # the artists an update changes; None = redraw the whole figure
    image: widgets.Image = field(init=False)
    message: widgets.HTML = field(init=False)
    box: widgets.VBox = field(init=False)
    result: Any = field(init=False, default=None)
    error: Exception | None = field(init=False, default=None)

    def __post_init__(self):
        self._blitter = Blitter(self.figure) if self.dynamic is not None else None
        self.image = widgets.Image(format="png")
        self.message = widgets.HTML(value="")
        self.box = widgets.VBox([widgets.HBox(list(self.controls.values()) + list(self.extras)), self.message, self.image])
        for control in self.controls.values():
            if hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # show the whole label, never "temperat..."
            control.observe(lambda change: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict:
        """The controls' current values by name."""
        return {name: c.value for name, c in self.controls.items()}

    def refresh(self):
        """Recompute from the controls and redraw in place; a bad value becomes a message."""
        try:
            result = self.compute(**self.values())
        except (ValueError, TypeError) as exc:
            self.error = exc
            self.message.value = friendly(exc)
            return None
        self.error = None
        self.message.value = ""
        self.result = result
        self.draw(result)
        self.image.value = figure_png(self.figure) if self._blitter is None else self._blitter.png(self.dynamic())
        return result

    def _repr_mimebundle_(self, **kwargs):
        return self.box._repr_mimebundle_(**kwargs)


def _words_and_vectors(vectors, sentence: str):
    words, X = vectors.embed(sentence)
    if len(words) > MAX_WORDS:
        raise ValueError(f"{len(words)} words: please keep the sentence to {MAX_WORDS} words or fewer.")
    return words, X


def attention_step(vectors, sentence: str, temperature: float) -> dict:
    """Notebook 04's computation for a widget: words, X, scores, weights, Y. str -> dict of (n, d), (n, n)"""
    words, X = _words_and_vectors(vectors, sentence)
    scores = dot_similarity(X)
    weights = softmax(scores, temperature=temperature)
    return {"words": words, "X": X, "scores": scores, "weights": weights, "Y": contextual_embeddings(X, weights)}


def attention_explorer(vectors, sentence: str = "money bank grows", temperature: float = 1.0) -> App:
    """A sentence box and a temperature slider driving the weights heatmap and the new vectors."""
    controls = {
        "sentence": widgets.Text(value=sentence, description="sentence", continuous_update=False),
        "temperature": widgets.FloatLogSlider(value=temperature, base=10, min=-1.5, max=1.5, step=0.05, description="temperature", continuous_update=True, readout_format=".2f"),
    }
    fig = Figure(figsize=(10, 4), dpi=80)
    ax_w, ax_y = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.22, top=0.88, wspace=0.45)
    state = {"words": None}

    def draw(r):
        same_sentence = state["words"] == r["words"]
        if same_sentence:
            plots.update_heatmap(ax_w, r["weights"])
            plots.update_heatmap(ax_y, r["Y"])
            return
        state["words"] = r["words"]
        ax_w.clear()
        ax_y.clear()
        plots.heatmap(r["weights"], r["words"], r["words"], "weights", ax=ax_w, vmin=0, vmax=1, cbar=False, xlabel="attends to", ylabel="word")
        d = r["Y"].shape[1]
        lim = float(np.abs(r["X"]).max())
        plots.heatmap(r["Y"], r["words"], list(TOY_FEATURES) if d == len(TOY_FEATURES) else None, "new vectors Y", ax=ax_y, cmap=plots.DIVERGING, vmin=-lim, vmax=lim, cbar=False, annotate=d <= 8, xlabel="feature")

    return App(controls, fig, lambda sentence, temperature: attention_step(vectors, sentence, temperature), draw, dynamic=lambda: changing_artists(ax_w, ax_y))


# ---------------------------------------------------------------- 01: a static vector never changes
def static_vector_step(vectors, sentence: str, word: str) -> dict:
    """Notebook 01: the sentence's vectors and the chosen word's (static) vector. str, str -> dict of (n, d), (d,)"""
    words, X = _words_and_vectors(vectors, sentence)
    word = word.strip().lower()
    if word not in words:
        raise ValueError(f"'{word}' is not in the sentence; pick one of: {', '.join(words)}.")
    return {"words": words, "X": X, "word": word, "vector": X[words.index(word)]}


def static_vector_explorer(vectors, sentence: str = "money bank grows", word: str = "bank", limit: float = 2.0) -> App:
    """A sentence box and a word box; the word's static vector is drawn as a one-row heatmap."""
    controls = {
        "sentence": widgets.Text(value=sentence, description="sentence", continuous_update=False),
        "word": widgets.Text(value=word, description="word", continuous_update=False),
    }
    fig = Figure(figsize=(10, 3.6), dpi=80)
    ax_v, ax_x = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 3]})
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.9, hspace=0.7)
    annotate = vectors.dim <= 8
    plots.heatmap(np.zeros(vectors.dim), [word], None, "", ax=ax_v, cmap=plots.DIVERGING, vmin=-limit, vmax=limit, cbar=False, annotate=annotate)
    state = {"words": None}

    def draw(r):
        plots.update_heatmap(ax_v, r["vector"])
        ax_v.set_yticklabels([r["word"]], rotation=0)
        ax_v.set_title(f"static vector of '{r['word']}'  shape ({vectors.dim},): the same in every sentence")
        if state["words"] != r["words"]:
            state["words"] = r["words"]
            ax_x.clear()
            plots.heatmap(r["X"], r["words"], None, "the sentence's static vectors X", ax=ax_x, cmap=plots.DIVERGING, vmin=-limit, vmax=limit, cbar=False, annotate=annotate)

    return App(controls, fig, lambda sentence, word: static_vector_step(vectors, sentence, word), draw)


# ---------------------------------------------------------------- 02: a word as a weighted sum
def weighted_sum_step(words, X2, raw_weights) -> dict:
    """Notebook 02: raw slider values -> weights summing to 1 -> the new vector. [str], (n, 2), (n,) -> dict"""
    weights = sum_normalize(np.asarray(raw_weights, dtype=float))
    if (weights < 0).any():
        raise ValueError("weights must be >= 0.")
    new = contextual_embeddings(X2, weights[None, :])[0]
    return {"words": list(words), "weights": weights, "new": new}


def weighted_sum_explorer(vectors, words=("money", "bank", "river"), target: str = "bank", features=(0, 1), start=(0.2, 0.7, 0.1)) -> App:
    """One slider per word; the weights are kept summing to 1 and the new target vector moves in 2-D."""
    words = list(words)
    _, X = vectors.embed(words)
    X2 = X[:, list(features)]
    controls = {
        w: widgets.FloatSlider(value=v, min=0.0, max=1.0, step=0.05, description=w, continuous_update=True, readout_format=".2f")
        for w, v in zip(words, start)
    }
    fig = Figure(figsize=(5.5, 5), dpi=80)
    ax = fig.add_subplot()
    names = [TOY_FEATURES[f] if vectors.dim == len(TOY_FEATURES) else f"feature {f}" for f in features]
    colors = [plots.PALETTE[i] for i in range(len(words))] + ["#000000"]
    plots.vectors_2d(np.vstack([X2, X2[words.index(target)]]), words + [f"new {target}"], ax=ax, colors=colors, lim=1.05, xlabel=names[0], ylabel=names[1])

    def draw(r):
        plots.update_vectors(ax, np.vstack([X2, r["new"]]))
        terms = " + ".join(f"{w:.2f} {name}" for w, name in zip(r["weights"], r["words"]))
        ax.set_title(f"new {target} = {terms}", fontsize=10)

    def compute(**raw):
        return weighted_sum_step(words, X2, [raw[w] for w in words])

    return App(controls, fig, compute, draw)


# ---------------------------------------------------------------- 03: the dot product as similarity
def dot_product_step(a, angle_deg: float, length: float) -> dict:
    """Notebook 03: b from an angle and a length; a.b and cos(a, b). (2,), (), () -> dict"""
    a = np.asarray(a, dtype=float)
    theta = np.deg2rad(angle_deg)
    b = length * np.array([np.cos(theta), np.sin(theta)])
    if length <= 0:
        raise ValueError("b has length 0: it points nowhere, so it has no direction to compare.")
    return {"a": a, "b": b, "dot": float(dot_similarity(a[None], b[None])[0, 0]), "cos": float(cosine_similarity(a[None], b[None])[0, 0])}


def dot_product_explorer(a=(2.0, 1.0), angle: float = 60.0, length: float = 1.5) -> App:
    """Sliders for the angle and length of b; the arrows and a.b (and the cosine) update."""
    controls = {
        "angle_deg": widgets.FloatSlider(value=angle, min=0, max=360, step=5, description="angle (deg)", continuous_update=True),
        "length": widgets.FloatSlider(value=length, min=0.0, max=3.0, step=0.1, description="length of b", continuous_update=True),
    }
    fig = Figure(figsize=(5, 5), dpi=80)
    ax = fig.add_subplot()
    plots.vectors_2d(np.array([a, a]), ["a", "b"], ax=ax, colors=[plots.PALETTE[0], plots.PALETTE[3]], lim=3.2)

    def draw(r):
        plots.update_vectors(ax, np.vstack([r["a"], r["b"]]))
        ax.set_title(f"a · b = {r['dot']:.2f}    cos(a, b) = {r['cos']:.2f}")

    return App(controls, fig, lambda angle_deg, length: dot_product_step(a, angle_deg, length), draw)


# ---------------------------------------------------------------- 05: a learnable W_q
def rotation_scaling(angle_deg: float, stretch: float) -> np.ndarray:
    """A 2-D matrix that rotates by angle_deg and scales by stretch (row-vector convention). () -> (2, 2)"""
    t = np.deg2rad(angle_deg)
    return stretch * np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])


def qk_step(X2, angle_deg: float, stretch: float) -> dict:
    """Notebook 05: Q = X W_q (W_q rotates and scales), K = V = X; the weights. (n, 2) -> dict"""
    W_q = rotation_scaling(angle_deg, stretch)
    Q = X2 @ W_q
    out, weights = scaled_dot_product_attention(Q, X2, X2)
    return {"W_q": W_q, "Q": Q, "K": X2, "weights": weights, "out": out}


def qk_explorer(vectors, words=("money", "bank", "river"), features=(0, 1), angle: float = 0.0, stretch: float = 1.0) -> App:
    """Sliders rotate and stretch a 2-D W_q; the queries move and the weights heatmap follows."""
    words = list(words)
    _, X = vectors.embed(words)
    X2 = X[:, list(features)]
    controls = {
        "angle_deg": widgets.FloatSlider(value=angle, min=-180, max=180, step=5, description="rotate W_q", continuous_update=True),
        "stretch": widgets.FloatSlider(value=stretch, min=0.0, max=4.0, step=0.25, description="stretch W_q", continuous_update=True),
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
    plots.heatmap(np.eye(len(words)), words, words, "weights", ax=ax_w, vmin=0, vmax=1, cbar=False, xlabel="key", ylabel="query")

    def draw(r):
        plots.update_vectors(ax_v, np.vstack([r["K"], r["Q"]]))
        plots.update_heatmap(ax_w, r["weights"])

    return App(controls, fig, lambda angle_deg, stretch: qk_step(X2, angle_deg, stretch), draw, dynamic=lambda: changing_artists(ax_v, ax_w))


# ---------------------------------------------------------------- 06: scaling by sqrt(d_k)
D_K_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)


def scaling_step(d_k: int, scaled: bool, n_keys: int = 8, seed: int = 0) -> dict:
    """Notebook 06: one random query against n_keys random keys; weights with or without / sqrt(d_k). -> dict"""
    q, K = random_query_keys(d_k, n_keys, seed)
    _, weights = scaled_dot_product_attention(q[None, :], K, K, scale=(1 / np.sqrt(d_k)) if scaled else 1.0)
    w = weights[0]
    return {"weights": w, "entropy": float(entropy(w)), "max_entropy": float(np.log(n_keys)), "max_weight": float(w.max())}


def scaling_explorer(d_k: int = 64, scaled: bool = False, n_keys: int = 8, seed: int = 0) -> App:
    """A d_k slider and a scaling toggle; one query's weights over 8 keys and their entropy."""
    controls = {
        "d_k": widgets.SelectionSlider(options=list(D_K_CHOICES), value=d_k, description="d_k", continuous_update=True),
        "scaled": widgets.Checkbox(value=scaled, description="divide by sqrt(d_k)"),
    }
    fig = Figure(figsize=(6, 3.4), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.12, right=0.97, bottom=0.15, top=0.86)
    plots.bars(np.zeros(n_keys), [f"k{i}" for i in range(n_keys)], ax=ax)

    def draw(r):
        plots.update_bars(ax, r["weights"])
        ax.set_title(f"entropy {r['entropy']:.2f} of max {r['max_entropy']:.2f}   largest weight {r['max_weight']:.2f}")

    return App(controls, fig, lambda d_k, scaled: scaling_step(d_k, scaled, n_keys, seed), draw)


# ---------------------------------------------------------------- 07: masks
MASK_KINDS = ("none", "causal", "padding", "causal + padding")
PAD = "<pad>"


def mask_step(X, n_words: int, kind: str, position: int) -> dict:
    """Notebook 07: weights of a padded sentence under a mask; what one position can see. (n, d) -> dict"""
    n = X.shape[0]
    if kind not in MASK_KINDS:
        raise ValueError(f"unknown mask '{kind}'; choose one of {', '.join(MASK_KINDS)}.")
    if not 0 <= position < n:
        raise ValueError(f"position must be between 0 and {n - 1}.")
    mask = np.ones((n, n), dtype=bool)
    if "causal" in kind:
        mask &= causal_mask(n)
    if "padding" in kind:
        mask &= (np.arange(n) < n_words)[None, :]
    _, weights = scaled_dot_product_attention(X, X, X, mask=mask)
    return {"mask": mask, "weights": weights, "position": position, "visible": np.flatnonzero(mask[position])}


def mask_explorer(vectors, sentence: str = "the river bank flows", n_pad: int = 2, kind: str = "causal", position: int = 2) -> App:
    """A mask selector and a position slider: the weights heatmap, with the chosen word's row outlined."""
    from matplotlib.patches import Rectangle

    words, X = vectors.embed(sentence)
    n_words = len(words)
    labels = words + [PAD] * n_pad
    Xp = np.vstack([X, np.zeros((n_pad, X.shape[1]))])
    n = len(labels)
    controls = {
        "kind": widgets.ToggleButtons(options=list(MASK_KINDS), value=kind, description="mask"),
        "position": widgets.IntSlider(value=position, min=0, max=n - 1, description="position", continuous_update=True),
    }
    fig = Figure(figsize=(6.5, 5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.18, right=0.97, bottom=0.14, top=0.88)
    plots.heatmap(np.eye(n), labels, labels, "weights", ax=ax, vmin=0, vmax=1, cbar=False, xlabel="key (may be seen)", ylabel="query (who looks)")
    box = ax.add_patch(Rectangle((0, 0), n, 1, fill=False, ec=plots.PALETTE[3], lw=3))
    box.set_gid("keep")

    def draw(r):
        plots.update_heatmap(ax, r["weights"])
        box.set_y(r["position"])
        seen = ", ".join(labels[j] for j in r["visible"])
        ax.set_title(f"'{labels[r['position']]}' can see: {seen}", fontsize=10)

    return App(controls, fig, lambda kind, position: mask_step(Xp, n_words, kind, position), draw, dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 08: multi-head attention
def random_weights(d_model: int, seed: int = 0, gain: float = 1.0) -> dict:
    """Seeded W_q, W_k, W_v, W_o with N(0, gain^2/d_model) entries. () -> {name: (d_model, d_model)}"""
    rng = np.random.default_rng(seed)
    return {name: gain * rng.standard_normal((d_model, d_model)) / np.sqrt(d_model) for name in ("W_q", "W_k", "W_v", "W_o")}


def heads_step(vectors, sentence: str, n_heads: int, seed: int = 0, gain: float = 3.0) -> dict:
    """Notebook 08: every head's weights for a sentence, with seeded random projections. str -> dict"""
    words, X = _words_and_vectors(vectors, sentence)
    W = random_weights(X.shape[1], seed, gain)
    out, weights = multi_head_attention(X, W["W_q"], W["W_k"], W["W_v"], W["W_o"], n_heads=n_heads)
    return {"words": words, "weights": weights, "out": out}


def head_explorer(vectors, sentence: str = "we sat on the river bank", n_heads: int = 5, head: int = 0, seed: int = 0) -> App:
    """A sentence box and a head selector: that head's weights heatmap."""
    controls = {
        "sentence": widgets.Text(value=sentence, description="sentence", continuous_update=False),
        "head": widgets.ToggleButtons(options=list(range(n_heads)), value=head, description="head"),
    }
    fig = Figure(figsize=(6, 5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.16, top=0.9)
    state = {"words": None}

    def compute(sentence, head):
        r = heads_step(vectors, sentence, n_heads, seed)
        r["head"] = head
        return r

    def draw(r):
        w = r["weights"][r["head"]]
        if state["words"] != r["words"]:
            state["words"] = r["words"]
            ax.clear()
            plots.heatmap(w, r["words"], r["words"], "", ax=ax, vmin=0, vmax=1, cbar=False, xlabel="key", ylabel="query")
        else:
            plots.update_heatmap(ax, w)
        ax.set_title(f"head {r['head']} of {n_heads}   weights shape {w.shape}")

    return App(controls, fig, compute, draw, dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 09: a real model's attention
def minilm_step(model, sentence: str, layer: int, head: int) -> dict:
    """Notebook 09: the attention weights of layer (1..6) and head (0..11) for a sentence. str -> dict of (n, n)"""
    enc = model.encode(sentence)
    if len(enc.tokens) > 2 + 2 * MAX_WORDS:
        raise ValueError(f"{len(enc.tokens)} tokens: please keep the sentence shorter (at most {2 * MAX_WORDS} word pieces).")
    if not 1 <= layer <= enc.attentions.shape[0]:
        raise ValueError(f"layer must be between 1 and {enc.attentions.shape[0]}.")
    return {"tokens": enc.tokens, "weights": enc.attentions[layer - 1, head], "layer": layer, "head": head}


def minilm_explorer(model, sentence: str = "we sat on the river bank", layer: int = 1, head: int = 0, n_layers: int = 6, n_heads: int = 12) -> App:
    """A sentence box, a layer slider and a head selector: that head's attention in the real model."""
    controls = {
        "sentence": widgets.Text(value=sentence, description="sentence", continuous_update=False),
        "layer": widgets.IntSlider(value=layer, min=1, max=n_layers, description="layer", continuous_update=True),
        "head": widgets.Dropdown(options=list(range(n_heads)), value=head, description="head"),
    }
    fig = Figure(figsize=(6.5, 5.5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.18, top=0.92)
    state = {"tokens": None}

    def draw(r):
        if state["tokens"] != r["tokens"]:
            state["tokens"] = r["tokens"]
            ax.clear()
            plots.heatmap(r["weights"], r["tokens"], r["tokens"], "", ax=ax, vmin=0, vmax=1, cbar=False, annotate=len(r["tokens"]) <= 12, xlabel="key", ylabel="query")
            ax.tick_params(axis="x", labelrotation=90)
        else:
            plots.update_heatmap(ax, r["weights"])
        ax.set_title(f"layer {r['layer']}, head {r['head']}   weights shape {r['weights'].shape}")

    return App(controls, fig, lambda sentence, layer, head: minilm_step(model, sentence, layer, head), draw, dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 10: cost and online softmax
N_CHOICES = (256, 512, 1024, 2048, 4096)


def cost_explorer(largest_n: int = 2048, d: int = 64, block_size: int = 256) -> App:
    """A choice of the largest n; measures time and peak memory of exact and blockwise attention (seconds, with a progress bar)."""
    progress = widgets.IntProgress(value=0, min=0, max=1, description="measuring")
    controls = {"largest_n": widgets.SelectionSlider(options=list(N_CHOICES), value=largest_n, description="largest n", continuous_update=False)}
    fig = Figure(figsize=(10, 4), dpi=80)
    ax_t, ax_m = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.88, wspace=0.3)

    def report(done, total):
        progress.max = total
        progress.value = done

    def compute(largest_n):
        ns = [n for n in (16, 32, 64, 128, 256, 512, 1024, 2048, 4096) if n <= largest_n]
        exact = attention_cost(ns, d, repeats=5, progress=report)
        block = attention_cost(ns, d, repeats=5, block_size=block_size, progress=report)
        return {"exact": exact, "block": block}

    def draw(r):
        for ax, key, unit, scale in ((ax_t, "seconds", "ms", 1e3), (ax_m, "peak_bytes", "MB", 1e-6)):
            ax.clear()
            n = r["exact"]["n"]
            ax.loglog(n, r["exact"][key] * scale, "o-", color=plots.PALETTE[0], label="exact (n x n scores)")
            ax.loglog(n, r["block"][key] * scale, "s-", color=plots.PALETTE[1], label=f"blockwise ({block_size} x {block_size} tiles)")
            top = r["exact"][key][-1] * scale
            ax.loglog(n, top * (n / n[-1]) ** 2, "--", color="0.5", label="slope 2 (n^2)")
            ax.set_xlabel("n (words)")
            ax.set_ylabel(unit)
            ax.legend(frameon=False, fontsize=9)
            ax.grid(True, which="both", color="0.92")
        ax_t.set_title("time per call")
        ax_m.set_title("peak memory")

    return App(controls, fig, compute, draw, extras=[progress])


def online_softmax_explorer(scores, values, block_size: int = 3, labels=None) -> App:
    """A slider over key blocks: the weights online softmax knows so far, against the final ones."""
    scores = np.asarray(scores, dtype=float)
    values = np.asarray(values, dtype=float)
    steps = online_softmax_steps(scores, values, block_size)
    final = softmax(scores)
    n = len(scores)
    labels = [f"k{i}" for i in range(n)] if labels is None else list(labels)
    controls = {"block": widgets.IntSlider(value=1, min=1, max=len(steps), description="blocks seen", continuous_update=True)}
    fig = Figure(figsize=(6.5, 3.6), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.82)
    plots.bars(np.zeros(n), labels, ax=ax)
    ax.plot(np.arange(n), final, "_", color="#000000", markersize=22, mew=2, label="final weights")
    ax.legend(frameon=False, loc="upper left")

    def compute(block):
        step = steps[block - 1]
        known = np.zeros(n)
        seen = step["seen"]
        known[:seen] = np.exp(scores[:seen] - step["max"]) / step["sum"]
        return {**step, "weights_so_far": known, "block": block}

    def draw(r):
        plots.update_bars(ax, r["weights_so_far"])
        out = np.array2string(r["output"], precision=2)
        ax.set_title(f"after {r['block']} block(s): {r['seen']} keys seen, running max {r['max']:.2f},\nrunning sum {r['sum']:.2f}, output so far {out}", fontsize=10)

    return App(controls, fig, compute, draw)
