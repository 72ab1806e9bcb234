"""Widget builders: controls -> one step from ``helpers.steps`` -> one view from ``helpers.plots`` (introduced in 00).

Each builder returns an ``App`` (``helpers.app``): its compute is a step, its draw only updates
an existing figure, and ``refresh()`` runs without a browser (the tests do). A bad value shows
a friendly message above the picture instead of a traceback.
"""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from . import describe, plots, steps
from .app import App, HeatmapView, changing_artists
from .embeddings import TOY_FEATURES
from .experiments import loglog_slope

D_K_CHOICES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
N_CHOICES = (256, 512, 1024, 2048, 4096)


def _sentence_box(sentence: str) -> widgets.Text:
    return widgets.Text(value=sentence, description="sentence", continuous_update=False)


def _attention_words(prefix: str, weights, queries, keys) -> tuple[str, str]:
    """A heatmap of attention weights in words, and its numbers as a table."""
    return f"{prefix}{describe.attention(weights, queries, keys)}", describe.table_html(
        weights, queries, keys, "attention weights: rows are queries, columns keys"
    )


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
    def words(r: steps.StaticVectorStep):
        alt = (
            f"The static vector of '{r.word}' ({vectors.dim} numbers), the same in every sentence. "
            + describe.heatmap(r.X, r.words, None, "the sentence's static vectors X")
        )
        return alt, describe.table_html(r.vector[None, :], [r.word], features, f"the static vector of '{r.word}'")

    features = list(TOY_FEATURES) if vectors.dim == len(TOY_FEATURES) else None
    return App(
        controls,
        fig,
        lambda sentence, word: steps.static_vector_step(vectors, sentence, word),
        draw,
        words,
        name="static_vector",
    )


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

    def in_words(r: steps.WeightedSumStep):
        terms = " + ".join(f"{w:.2f} {name}" for w, name in zip(r.weights, r.words))
        V = np.vstack([X2, r.new])
        alt = f"new {target} = {terms}. " + describe.vectors(V, words + [f"new {target}"], "", names[0], names[1])
        table = np.c_[np.r_[r.weights, np.nan], V]
        return alt, describe.table_html(table, words + [f"new {target}"], ["weight", *names], "weights and vectors")

    return App(
        controls,
        fig,
        lambda **raw: steps.weighted_sum_step(words, X2, [raw[w] for w in words]),
        draw,
        in_words,
        name="weighted_sum",
        dynamic=lambda: changing_artists(ax),
    )


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

    def words(r: steps.DotProductStep):
        alt = f"a · b = {r.dot:.2f}, cos(a, b) = {r.cos:.2f}. " + describe.vectors(np.vstack([r.a, r.b]), ["a", "b"])
        return alt, describe.table_html(np.vstack([r.a, r.b]), ["a", "b"], ["x", "y"], f"a · b = {r.dot:.2f}")

    return App(
        controls,
        fig,
        lambda angle_deg, length: steps.dot_product_step(a, angle_deg, length),
        draw,
        words,
        name="dot_product",
        dynamic=lambda: changing_artists(ax),
    )


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
        weights_view.show(
            r.weights,
            r.words,
            r.words,
            "weights",
            vmin=0,
            vmax=1,
            cbar=False,
            xlabel=plots.KEY_AXIS,
            ylabel=plots.QUERY_AXIS,
        )
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
    def words(r: steps.AttentionStep):
        alt, table = _attention_words("", r.weights, r.words, r.words)
        d = r.Y.shape[1]
        features = list(TOY_FEATURES) if d == len(TOY_FEATURES) else None
        return f"{alt} Right: {describe.heatmap(r.Y, r.words, features, 'new vectors Y')}", table

    return App(
        controls,
        fig,
        lambda sentence, temperature: steps.attention_step(vectors, sentence, temperature),
        draw,
        words,
        name="attention",
        dynamic=lambda: changing_artists(ax_w, ax_y, titles=False),
    )


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
        weights_view.show(
            r.weights,
            words,
            words,
            "weights",
            vmin=0,
            vmax=1,
            cbar=False,
            xlabel=plots.KEY_AXIS,
            ylabel=plots.QUERY_AXIS,
        )

    def in_words(r: steps.QKStep):
        angle = float(np.degrees(np.arctan2(r.W_q[0, 1], r.W_q[0, 0])))
        stretch = float(np.hypot(r.W_q[0, 0], r.W_q[0, 1]))
        prefix = f"W_q turns the queries by {angle:.0f} degrees and stretches them by {stretch:.2f}. "
        return _attention_words(prefix, r.weights, words, words)

    return App(
        controls,
        fig,
        lambda angle_deg, stretch: steps.qk_step(X2, angle_deg, stretch),
        draw,
        in_words,
        name="queries_keys",
        dynamic=lambda: changing_artists(ax_v, ax_w, titles=False),
    )


# ---------------------------------------------------------------- 06: word order
def word_order_explorer(
    vectors, sentence: str = "dog bites man", encoding: str = "none", position: int = 0, learned=None
) -> App:
    """An encoding selector and a slider that moves the first word along the sentence: the weights and its vector."""
    n = len(steps.sentence_vectors(vectors, sentence)[0])
    controls = {
        "encoding": widgets.ToggleButtons(options=list(steps.ENCODINGS), value=encoding, description="positions"),
        "position": widgets.IntSlider(
            value=position, min=0, max=n - 1, description="move the first word to", continuous_update=True
        ),
    }
    fig = Figure(figsize=(7, 5.2), dpi=80)
    ax_w, ax_v = fig.subplots(2, 1, gridspec_kw={"height_ratios": [4, 1]})
    fig.subplots_adjust(left=0.16, right=0.97, bottom=0.1, top=0.9, hspace=0.55)
    slots = [
        f"position {i}" for i in range(n)
    ]  # fixed labels, so moving the word only changes colours and numbers (fast)
    plots.heatmap(
        np.eye(n),
        slots,
        slots,
        "weights",
        ax=ax_w,
        vmin=0,
        vmax=1,
        cbar=False,
        xlabel=plots.KEY_AXIS,
        ylabel=plots.QUERY_AXIS,
    )
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

    def words(r: steps.WordOrderStep):
        labels = [f"{w} (position {i})" for i, w in enumerate(r.words)]
        return _attention_words(
            f"Encoding: {r.encoding}. Word order: {', '.join(r.words)}. ", r.weights, labels, labels
        )

    return App(
        controls,
        fig,
        lambda encoding, position: steps.word_order_step(vectors, sentence, position, encoding, learned),
        draw,
        words,
        name="word_order",
        dynamic=lambda: changing_artists(ax_w, ax_v),
    )


# ---------------------------------------------------------------- 07: scaling by sqrt(d_k)
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

    def draw(r: steps.ScalingStep):
        plots.update_bars(ax, r.weights)
        ax.set_title(f"entropy {r.entropy:.2f} of max {r.max_entropy:.2f}   largest weight {r.max_weight:.2f}")

    keys = [f"k{i}" for i in range(n_keys)]

    def words(r: steps.ScalingStep):
        alt = (
            describe.bars(r.weights, keys, f"one query's weights over {n_keys} keys")
            + f" Entropy {r.entropy:.2f} of at most {r.max_entropy:.2f}."
        )
        return alt, describe.table_html(r.weights[None, :], ["weight"], keys, "one query's weights")

    return App(
        controls,
        fig,
        lambda d_k, scaled: steps.scaling_step(d_k, scaled, n_keys, seed),
        draw,
        words,
        name="scaling",
        dynamic=lambda: changing_artists(ax),
    )


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
        "kind": widgets.ToggleButtons(options=list(steps.MASK_KINDS), value=kind, description="mask"),
        "position": widgets.IntSlider(value=position, min=0, max=n - 1, description="position", continuous_update=True),
    }
    fig = Figure(figsize=(6.5, 5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.18, right=0.97, bottom=0.14, top=0.88)
    plots.heatmap(
        np.eye(n),
        labels,
        labels,
        "weights",
        ax=ax,
        vmin=0,
        vmax=1,
        cbar=False,
        xlabel=plots.KEY_AXIS,
        ylabel=plots.QUERY_AXIS,
    )
    box = ax.add_patch(Rectangle((0, 0), n, 1, fill=False, ec=plots.PALETTE[3], lw=3))
    box.set_gid("keep")

    def draw(r: steps.MaskStep):
        plots.update_heatmap(ax, r.weights)
        box.set_y(r.position)
        seen = ", ".join(labels[j] for j in r.visible)
        ax.set_title(f"'{labels[r.position]}' can see: {seen}", fontsize=10)

    def words(r: steps.MaskStep):
        seen = ", ".join(labels[j] for j in r.visible)
        return _attention_words(f"'{labels[r.position]}' can see: {seen}. ", r.weights, labels, labels)

    return App(
        controls,
        fig,
        lambda kind, position: steps.mask_step(Xp, n_words, kind, position),
        draw,
        words,
        name="masks",
        dynamic=lambda: changing_artists(ax),
    )


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

    def words(r: steps.HeadsStep):
        return _attention_words(f"Head {r.head} of {n_heads}. ", r.weights[r.head], r.words, r.words)

    return App(
        controls,
        fig,
        lambda sentence, head: steps.heads_step(vectors, sentence, n_heads, seed, head=head),
        draw,
        words,
        name="heads",
        dynamic=lambda: changing_artists(ax),
    )


# ---------------------------------------------------------------- 10: watch attention learn
LEARNING_RATES = (0.01, 0.02, 0.05, 0.1)


def training_explorer(task, n_steps: int = 300, seed: int = 0, lr: float = 0.05) -> App:
    """Scrub through a recorded training (loss curve, the weights then); another seed or learning rate trains again (about 0.5 s)."""
    from . import training

    controls = {
        "step": widgets.IntSlider(
            value=n_steps, min=0, max=n_steps, description="training step", continuous_update=True
        ),
        "seed": widgets.BoundedIntText(value=seed, min=0, max=999, description="seed"),
        "lr": widgets.Dropdown(options=list(LEARNING_RATES), value=lr, description="learning rate"),
    }
    record = functools.lru_cache(maxsize=8)(lambda seed, lr: training.train(task, steps=n_steps, lr=lr, seed=seed))
    n = task.inputs.shape[1]
    fig = Figure(figsize=(9, 3.6), dpi=80)
    ax_l, ax_w = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.16, top=0.86, wspace=0.35)
    (curve,) = ax_l.semilogy([0], [1.0], color=plots.PALETTE[0], lw=2)
    (marker,) = ax_l.semilogy([0], [1.0], "o", color=plots.PALETTE[3], markersize=8, zorder=3)
    ax_l.set_xlim(0, n_steps)
    ax_l.set_ylim(1e-6, 10)
    ax_l.set_xlabel("training step")
    ax_l.set_ylabel("loss (mean squared error)")
    ax_l.grid(True, color="0.92")
    slots = [f"word {i}" for i in range(n)]
    plots.heatmap(
        np.eye(n), slots, slots, "", ax=ax_w, vmin=0, vmax=1, cbar=False, xlabel=plots.KEY_AXIS, ylabel=plots.QUERY_AXIS
    )
    ax_w.set_title("the first sentence's weights", fontsize=11)
    state = {"curve": None}

    def compute(step, seed, lr):
        return steps.training_step(record(int(seed), float(lr)), step)

    def draw(r):
        if state["curve"] is not r.losses:  # a new training: the curve changes (a slider step only moves the marker)
            curve.set_data(np.arange(len(r.losses)), r.losses)
            state["curve"] = r.losses
        marker.set_data([r.step], [r.loss])
        ax_l.set_title(
            f"step {r.step}: loss {r.loss:.1e}, |W_q| {r.norms[0]:.1f}, |W_k| {r.norms[1]:.1f}, {r.previous_share:.2f} on the word before",
            fontsize=10,
        )
        plots.update_heatmap(ax_w, r.weights)

    def words(r):
        alt = (
            f"Training step {r.step} of {n_steps}: loss {r.loss:.2e} (it started at {r.losses[0]:.2e} and ends at {r.losses[-1]:.2e}); "
            f"norms of W_q {r.norms[0]:.2f} and W_k {r.norms[1]:.2f}. Each word gives on average {r.previous_share:.2f} of its attention to the word before it. "
        ) + describe.attention(r.weights, slots, slots)
        return alt, describe.table_html(r.weights, slots, slots, f"the first sentence's weights at step {r.step}")

    return App(
        controls,
        fig,
        compute,
        draw,
        words,
        name="training",
        dynamic=lambda: changing_artists(ax_l) + changing_artists(ax_w, titles=False),
    )


# ---------------------------------------------------------------- 11: a real model's attention
def minilm_explorer(model, sentence: str = "we sat on the river bank", layer: int = 1, head: int = 0) -> App:
    """A sentence box, a layer slider and a head selector: that head's attention in the real model."""
    controls = {
        "sentence": _sentence_box(sentence),
        "layer": widgets.IntSlider(
            value=layer, min=1, max=model.config.n_layers, description="layer", continuous_update=True
        ),
        "head": widgets.Dropdown(options=list(range(model.config.n_heads)), value=head, description="head"),
    }
    fig = Figure(figsize=(6.5, 5.5), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.2, right=0.97, bottom=0.18, top=0.92)
    view = HeatmapView(ax)
    encode = functools.lru_cache(maxsize=16)(model.encode)  # the layer and head controls reuse the sentence's encoding

    def draw(r: steps.MiniLMStep):
        view.show(
            r.weights,
            r.tokens,
            r.tokens,
            vmin=0,
            vmax=1,
            cbar=False,
            annotate=len(r.tokens) <= 12,
            xlabel=plots.KEY_AXIS,
            ylabel=plots.QUERY_AXIS,
            xrotation=90,
        )
        ax.set_title(f"layer {r.layer}, head {r.head}   weights shape {r.weights.shape}")

    def words(r: steps.MiniLMStep):
        return _attention_words(f"Layer {r.layer}, head {r.head}. ", r.weights, r.tokens, r.tokens)

    return App(
        controls,
        fig,
        lambda sentence, layer, head: steps.minilm_step(model, sentence, layer, head, encode=encode),
        draw,
        words,
        name="minilm_heads",
        dynamic=lambda: changing_artists(ax),
    )


# ---------------------------------------------------------------- 13: cost and online softmax
def cost_explorer(largest_n: int = 2048, d: int = 64, block_size: int = 256) -> App:
    """A choice of the largest n; measures time and peak memory of exact and blockwise attention (seconds, with a progress bar)."""
    progress = widgets.IntProgress(value=0, min=0, max=1, description="measuring")
    controls = {
        "largest_n": widgets.SelectionSlider(
            options=list(N_CHOICES), value=largest_n, description="largest n", continuous_update=False
        )
    }
    fig = Figure(figsize=(10, 4), dpi=80)
    ax_t, ax_m = fig.subplots(1, 2)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.88, wspace=0.3)

    def report(done, total):
        progress.max = total
        progress.value = done

    def draw(r: steps.CostStep):
        for ax, key, unit, scale in ((ax_t, "seconds", "ms", 1e3), (ax_m, "peak_bytes", "MB", 1e-6)):
            ax.clear()
            n = r.exact["n"]
            ax.loglog(n, r.exact[key] * scale, "o-", color=plots.PALETTE[0], label="exact (n x n scores)")
            ax.loglog(
                n,
                r.block[key] * scale,
                "s-",
                color=plots.PALETTE[1],
                label=f"blockwise ({r.block_size} x {r.block_size} tiles)",
            )
            top = r.exact[key][-1] * scale
            ax.loglog(n, top * (n / n[-1]) ** 2, "--", color="0.5", label="slope 2 (n^2)")
            ax.set_xlabel("n (words)")
            ax.set_ylabel(unit)
            ax.legend(frameon=False, fontsize=9)
            ax.grid(True, which="both", color="0.92")
        ax_t.set_title("time per call")
        ax_m.set_title("peak memory")

    def words(r: steps.CostStep):
        n = r.exact["n"]
        slope = {
            (k, key): loglog_slope(n, getattr(r, k)[key])
            for k in ("exact", "block")
            for key in ("seconds", "peak_bytes")
        }
        alt = (
            f"Time and peak memory of attention on log-log axes, n from {n[0]} to {n[-1]} words: exact attention's time grows like "
            f"n^{slope['exact', 'seconds']:.1f} and its memory like n^{slope['exact', 'peak_bytes']:.1f}; blockwise attention's time like "
            f"n^{slope['block', 'seconds']:.1f} and its memory like n^{slope['block', 'peak_bytes']:.1f}. At n = {n[-1]}: exact "
            f"{r.exact['seconds'][-1] * 1e3:.1f} ms and {r.exact['peak_bytes'][-1] / 1e6:.1f} MB, blockwise {r.block['seconds'][-1] * 1e3:.1f} ms "
            f"and {r.block['peak_bytes'][-1] / 1e6:.1f} MB."
        )
        table = np.c_[
            r.exact["seconds"] * 1e3, r.block["seconds"] * 1e3, r.exact["peak_bytes"] / 1e6, r.block["peak_bytes"] / 1e6
        ]
        return alt, describe.table_html(
            table,
            [str(v) for v in n],
            ["exact ms", "blockwise ms", "exact MB", "blockwise MB"],
            "time and peak memory per n",
        )

    return App(
        controls,
        fig,
        lambda largest_n: steps.cost_step(largest_n, d, block_size, progress=report),
        draw,
        words,
        name="cost",
        extras=[progress],
    )


def online_softmax_explorer(scores, values, block_size: int = 3, labels=None) -> App:
    """A slider over key blocks: the weights online softmax knows so far, against the final ones."""
    scores = np.asarray(scores, dtype=float)
    n = len(scores)
    n_blocks = -(-n // block_size)
    labels = [f"k{i}" for i in range(n)] if labels is None else list(labels)
    controls = {
        "block": widgets.IntSlider(value=1, min=1, max=n_blocks, description="blocks seen", continuous_update=True)
    }
    fig = Figure(figsize=(6.5, 3.6), dpi=80)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.1, right=0.97, bottom=0.14, top=0.82)
    plots.bars(np.zeros(n), labels, ax=ax)
    final = steps.online_softmax_step(scores, values, block_size, n_blocks).weights_so_far  # all keys seen: the softmax
    ax.plot(np.arange(n), final, "_", color="#000000", markersize=22, mew=2, label="final weights")
    ax.legend(frameon=False, loc="upper left")

    def draw(r: steps.OnlineSoftmaxStep):
        plots.update_bars(ax, r.weights_so_far)
        out = np.array2string(r.output, precision=2)
        ax.set_title(
            f"after {r.block} block(s): {r.seen} keys seen, running max {r.max:.2f},\nrunning sum {r.sum:.2f}, output so far {out}",
            fontsize=10,
        )

    def words(r: steps.OnlineSoftmaxStep):
        alt = (
            f"After {r.block} of {n_blocks} blocks, {r.seen} of {n} keys seen, running max {r.max:.2f}, running sum {r.sum:.2f}. "
            + describe.bars(r.weights_so_far, labels, "the weights known so far")
            + " Final weights: "
            + ", ".join(f"{label} {w:.2f}" for label, w in zip(labels, final))
            + "."
        )
        return alt, describe.table_html(
            np.vstack([r.weights_so_far, final]), ["known so far", "final"], labels, "weights"
        )

    return App(
        controls,
        fig,
        lambda block: steps.online_softmax_step(scores, values, block_size, block),
        draw,
        words,
        name="online_softmax",
        dynamic=lambda: changing_artists(ax),
    )
