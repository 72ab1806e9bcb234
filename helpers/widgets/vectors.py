"""Widgets on static vectors, weighted sums and dot products (notebooks 01 to 03)."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import describe, plots, steps
from ..app import App, HeatmapView, changing_artists
from ..embeddings import TOY_FEATURES
from .common import _sentence_box


# ---------------------------------------------------------------- 01: a static vector never changes
def static_vector_explorer(vectors, sentence: str = "money bank grows", word: str = "bank", limit: float = 2.0) -> App:
    """A sentence box and a word box; the word's static vector is drawn as a one-row heatmap."""
    controls = {
        "sentence": _sentence_box(sentence),
        "word": widgets.Text(value=word, description="word", continuous_update=False),
    }
    fig = Figure(figsize=(10, 3.6), dpi=80)
    ax_v, ax_x = fig.subplots(2, 1, gridspec_kw={"height_ratios": [1, 3]})
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.9, hspace=0.7)
    style = {"cmap": plots.DIVERGING, "vmin": -limit, "vmax": limit, "cbar": False, "annotate": vectors.dim <= 8}
    plots.heatmap(np.zeros(vectors.dim), [word], None, ax=ax_v, **style)  # one row, always this shape: updated in place
    sentence_view = HeatmapView(ax_x)

    def draw(r: steps.StaticVectorStep):
        plots.update_heatmap(ax_v, r.vector)
        ax_v.set_yticklabels([r.word], rotation=0)
        ax_v.set_title(f"static vector of '{r.word}'  shape ({vectors.dim},): the same in every sentence")
        sentence_view.show(r.X, r.words, None, "the sentence's static vectors X", **style)

    # no blitting: the word is a tick label, part of what blitting caches
    def alt_text(r: steps.StaticVectorStep):
        alt = (
            f"The static vector of '{r.word}' ({vectors.dim} numbers), the same in every sentence. "
            + describe.heatmap(r.X, r.words, None, "the sentence's static vectors X")
        )
        return alt, describe.table_html(r.vector[None, :], [r.word], features, f"the static vector of '{r.word}'")

    features = list(TOY_FEATURES) if vectors.dim == len(TOY_FEATURES) else None

    def compute(sentence, word):
        return steps.static_vector_step(vectors, sentence, word)

    return App(controls, fig, compute, draw, alt_text, name="static_vector")


# ---------------------------------------------------------------- 02: a word as a weighted sum
def weighted_sum_explorer(
    vectors, words=("money", "bank", "river"), target: str = "bank", features=(0, 1), start=(0.2, 0.7, 0.1)
) -> App:
    """One slider per word; the weights are kept summing to 1 and the new target vector moves in 2-D."""
    words = list(words)
    _, X = vectors.embed(words)
    X2 = X[:, list(features)]
    controls = {
        w: widgets.FloatSlider(
            value=v, min=0.0, max=1.0, step=0.05, description=w, continuous_update=True, readout_format=".2f"
        )
        for w, v in zip(words, start)
    }
    fig = Figure(figsize=(5.5, 5), dpi=80)
    ax = fig.add_subplot()
    names = [TOY_FEATURES[f] if vectors.dim == len(TOY_FEATURES) else f"feature {f}" for f in features]
    colors = [plots.PALETTE[i] for i in range(len(words))] + ["#000000"]
    plots.vectors_2d(
        np.vstack([X2, X2[words.index(target)]]),
        words + [f"new {target}"],
        ax=ax,
        colors=colors,
        lim=1.05,
        xlabel=names[0],
        ylabel=names[1],
    )

    def draw(r: steps.WeightedSumStep):
        plots.update_vectors(ax, np.vstack([X2, r.new]))
        terms = " + ".join(f"{w:.2f} {name}" for w, name in zip(r.weights, r.words))
        ax.set_title(f"new {target} = {terms}", fontsize=10)

    def alt_text(r: steps.WeightedSumStep):
        terms = " + ".join(f"{w:.2f} {name}" for w, name in zip(r.weights, r.words))
        V = np.vstack([X2, r.new])
        alt = f"new {target} = {terms}. " + describe.vectors(V, words + [f"new {target}"], "", names[0], names[1])
        table = np.c_[np.r_[r.weights, np.nan], V]
        return alt, describe.table_html(table, words + [f"new {target}"], ["weight", *names], "weights and vectors")

    def compute(**raw):
        return steps.weighted_sum_step(words, X2, [raw[w] for w in words])

    return App(controls, fig, compute, draw, alt_text, name="weighted_sum", dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 03: the dot product as similarity
def dot_product_explorer(a=(2.0, 1.0), angle: float = 60.0, length: float = 1.5) -> App:
    """Sliders for the angle and length of b; the arrows and a.b (and the cosine) update."""
    controls = {
        "angle_deg": widgets.FloatSlider(
            value=angle, min=0, max=360, step=5, description="angle (deg)", continuous_update=True
        ),
        "length": widgets.FloatSlider(
            value=length, min=0.0, max=3.0, step=0.1, description="length of b", continuous_update=True
        ),
    }
    fig = Figure(figsize=(5, 5), dpi=80)
    ax = fig.add_subplot()
    plots.vectors_2d(np.array([a, a]), ["a", "b"], ax=ax, colors=[plots.PALETTE[0], plots.PALETTE[3]], lim=3.2)

    def draw(r: steps.DotProductStep):
        plots.update_vectors(ax, np.vstack([r.a, r.b]))
        ax.set_title(f"a · b = {r.dot:.2f}    cos(a, b) = {r.cos:.2f}")

    def alt_text(r: steps.DotProductStep):
        alt = f"a · b = {r.dot:.2f}, cos(a, b) = {r.cos:.2f}. " + describe.vectors(np.vstack([r.a, r.b]), ["a", "b"])
        return alt, describe.table_html(np.vstack([r.a, r.b]), ["a", "b"], ["x", "y"], f"a · b = {r.dot:.2f}")

    def compute(angle_deg, length):
        return steps.dot_product_step(a, angle_deg, length)

    return App(controls, fig, compute, draw, alt_text, name="dot_product", dynamic=lambda: changing_artists(ax))
