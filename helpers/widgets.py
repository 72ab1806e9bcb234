"""Widget builders: thin wiring from controls to the tested math and an in-place redraw (introduced in 00).

Each builder returns an ``App``: its ``compute`` only calls helpers' math, its ``draw`` only
updates an existing figure, and ``refresh()`` can be called without a browser (the tests do).
A bad value shows a friendly message above the picture instead of a traceback.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from typing import Any, Callable

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots
from .attention import contextual_embeddings, dot_similarity, softmax

MAX_WORDS = 12  # more words than this make unreadable heatmaps


def figure_png(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes. Figure -> bytes"""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    buf = io.BytesIO()
    canvas.print_png(buf)
    return buf.getvalue()


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
    image: widgets.Image = field(init=False)
    message: widgets.HTML = field(init=False)
    box: widgets.VBox = field(init=False)
    result: Any = field(init=False, default=None)
    error: Exception | None = field(init=False, default=None)

    def __post_init__(self):
        self.image = widgets.Image(format="png")
        self.message = widgets.HTML(value="")
        self.box = widgets.VBox([widgets.HBox(list(self.controls.values())), self.message, self.image])
        for control in self.controls.values():
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
        self.image.value = figure_png(self.figure)
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
        plots.heatmap(r["Y"], r["words"], None if d > 8 else [str(i) for i in range(d)], "new vectors Y", ax=ax_y, cmap=plots.DIVERGING, vmin=-lim, vmax=lim, cbar=False, annotate=d <= 8, xlabel="feature")

    return App(controls, fig, lambda sentence, temperature: attention_step(vectors, sentence, temperature), draw)
