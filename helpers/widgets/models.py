"""Widgets on training, the real model and the cost of attention (notebooks 10, 11, 12 and 13)."""

from __future__ import annotations

import functools

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from .. import describe, plots, steps
from ..app import App, HeatmapView, changing_artists
from ..checks import as_float_array, check_choice, check_positive_int
from ..experiments import loglog_slope
from .common import _attention_alt_text, _sentence_box

N_CHOICES = (256, 512, 1024, 2048, 4096)


# ---------------------------------------------------------------- 10: watch attention learn
LEARNING_RATES = (0.01, 0.02, 0.05, 0.1)


def training_explorer(task, n_steps: int = 300, seed: int = 0, lr: float = 0.05) -> App:
    """Scrub through a recorded training (loss curve, the weights then); another seed or learning rate trains again
    (about 0.5 s)."""
    from .. import training

    controls = {
        "step": widgets.IntSlider(
            value=n_steps, min=0, max=n_steps, description="training step", continuous_update=True
        ),
        "seed": widgets.BoundedIntText(value=seed, min=0, max=999, description="seed"),
        "lr": widgets.Dropdown(
            options=list(LEARNING_RATES), value=check_choice(lr, LEARNING_RATES, "lr"), description="learning rate"
        ),
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
    slots = [str(i) for i in range(n)]  # the words' positions: "word 0 ... word 7" would not fit side by side
    plots.heatmap(
        np.eye(n),
        slots,
        slots,
        "",
        ax=ax_w,
        vmin=0,
        vmax=1,
        cbar=False,
        xlabel="key: word at position",
        ylabel="query: word at position",
    )
    ax_w.set_title("the first sentence's weights", fontsize=11)
    ax_l.set_title("loss while training (the dot: this step)", fontsize=10)
    state = {"curve": None}

    def compute(step, seed, lr):
        return steps.recorded_step(record(int(seed), float(lr)), step)

    def draw(r):
        if state["curve"] is not r.losses:  # a new training: the curve changes (a slider step only moves the marker)
            curve.set_data(np.arange(len(r.losses)), r.losses)
            state["curve"] = r.losses
        marker.set_data([r.step], [r.loss])
        plots.update_heatmap(ax_w, r.weights)

    def readout(r):
        return (
            f"step {r.step}: loss {r.loss:.1e}, |W_q| {r.norms[0]:.1f}, |W_k| {r.norms[1]:.1f}, "
            f"{r.previous_share:.2f} of each word's attention on the word before"
        )

    def alt_text(r):
        alt = (
            f"Training step {r.step} of {n_steps}: loss {r.loss:.2e} (it started at {r.losses[0]:.2e} and ends "
            f"at {r.losses[-1]:.2e}); "
            f"norms of W_q {r.norms[0]:.2f} and W_k {r.norms[1]:.2f}. Each word gives on average "
            f"{r.previous_share:.2f} of its attention to the word before it. "
        ) + describe.attention(r.weights, slots, slots)
        return alt, describe.table_html(r.weights, slots, slots, f"the first sentence's weights at step {r.step}")

    return App(
        controls,
        fig,
        compute,
        draw,
        alt_text,
        name="training",
        dynamic=lambda: changing_artists(ax_l, ax_w, titles=False),
        readout=readout,
    )


# ---------------------------------------------------------------- 11: a real model's attention
def minilm_explorer(model, sentence: str = "we sat on the river bank", layer: int = 0, head: int = 0) -> App:
    """A sentence box, a layer slider and a head selector: that head's attention in the real model."""
    controls = {
        "sentence": _sentence_box(sentence),
        "layer": widgets.IntSlider(
            value=layer, min=0, max=model.config.n_layers - 1, description="layer", continuous_update=True
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

    def alt_text(r: steps.MiniLMStep):
        return _attention_alt_text(f"Layer {r.layer}, head {r.head}. ", r.weights, r.tokens, r.tokens)

    def compute(sentence, layer, head):
        return steps.minilm_step(model, sentence, layer, head, encode=encode)

    return App(controls, fig, compute, draw, alt_text, name="minilm_heads", dynamic=lambda: changing_artists(ax))


# ---------------------------------------------------------------- 13: cost and online softmax
def cost_explorer(largest_n: int = 2048, d: int = 64, block_size: int = 256) -> App:
    """A choice of the largest n; measures time and peak memory of exact and blockwise attention (seconds, with a
    progress bar)."""
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
        ax_t.set_title("time per call (fastest of 5; varies with the machine's load)", fontsize=10)
        ax_m.set_title("peak memory")

    def alt_text(r: steps.CostStep):
        n = r.exact["n"]
        slope = {
            (k, key): loglog_slope(n, getattr(r, k)[key])
            for k in ("exact", "block")
            for key in ("seconds", "peak_bytes")
        }
        alt = (
            f"Time and peak memory of attention on log-log axes, n from {n[0]} to {n[-1]} words: exact "
            "attention's time grows like "
            f"n^{slope['exact', 'seconds']:.1f} and its memory like n^{slope['exact', 'peak_bytes']:.1f}; "
            "blockwise attention's time like "
            f"n^{slope['block', 'seconds']:.1f} and its memory like n^{slope['block', 'peak_bytes']:.1f}. At n "
            f"= {n[-1]}: exact "
            f"{r.exact['seconds'][-1] * 1e3:.1f} ms and {r.exact['peak_bytes'][-1] / 1e6:.1f} MB, blockwise "
            f"{r.block['seconds'][-1] * 1e3:.1f} ms "
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

    def compute(largest_n):
        return steps.cost_step(largest_n, d, block_size, progress=report)

    return App(controls, fig, compute, draw, alt_text, name="cost", extras=[progress])


def online_softmax_explorer(scores, values, block_size: int = 3, labels=None) -> App:
    """A slider over key blocks: the weights online softmax knows so far, against the final ones."""
    scores = as_float_array(scores, "scores", min_ndim=1)
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError(f"scores must be one query's scores, shape (n,) with n >= 1; got shape {scores.shape}.")
    block_size = check_positive_int(block_size, "block_size")
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
    ax.set_title("the weights known so far (bars) and the final weights (marks)", fontsize=10)

    def draw(r: steps.OnlineSoftmaxStep):
        plots.update_bars(ax, r.weights_so_far)

    def readout(r: steps.OnlineSoftmaxStep):
        out = np.array2string(r.output, precision=2)
        return (
            f"after {r.block} of {n_blocks} blocks: {r.seen} keys seen, running max {r.max:.2f}, running sum "
            f"{r.sum:.2f}, output so far {out}"
        )

    def alt_text(r: steps.OnlineSoftmaxStep):
        alt = (
            f"After {r.block} of {n_blocks} blocks, {r.seen} of {n} keys seen, running max {r.max:.2f}, "
            f"running sum {r.sum:.2f}. "
            + describe.bars(r.weights_so_far, labels, "the weights known so far")
            + " Final weights: "
            + ", ".join(f"{label} {w:.2f}" for label, w in zip(labels, final))
            + "."
        )
        return alt, describe.table_html(
            np.vstack([r.weights_so_far, final]), ["known so far", "final"], labels, "weights"
        )

    def compute(block):
        return steps.online_softmax_step(scores, values, block_size, block)

    return App(
        controls,
        fig,
        compute,
        draw,
        alt_text,
        name="online_softmax",
        dynamic=lambda: changing_artists(ax, titles=False),
        readout=readout,
    )
