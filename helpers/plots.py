"""Heatmaps and vector pictures of what the math computed.

Every function takes arrays and labels, draws on a matplotlib ``Figure`` (never pyplot's global
state, so nothing is shown twice) and returns it. ``update_*`` functions change an existing
drawing in place, which is what keeps a slider fast.
"""

from __future__ import annotations

import base64
import html
import io
import struct

import numpy as np
import seaborn as sns
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from . import describe
from .labels import CachedLabels, _labels_artist, cell_labels, point_labels  # noqa: F401 (plots.cell_labels is the API)

# every attention heatmap names its axes the same way: one row per query, one column per key
QUERY_AXIS = "query (who looks)"
KEY_AXIS = "key (looked at)"
PIXEL_RATIO = 2  # every picture has this many pixels per CSS pixel: sharp on high-density screens
OUTPUT_WIDTH = 8.5  # inches at the figures' 100 dpi: the 850 CSS px of an output at the layout `make lab` opens

# seaborn's "colorblind" palette: distinguishable with the common colour-vision deficiencies.
PALETTE = tuple(sns.color_palette("colorblind").as_hex())
SEQUENTIAL = "viridis"  # weights, 0..1: perceptually uniform and colour-blind safe
DIVERGING = "PuOr"  # signed similarities: colour-blind safe, centred on 0


class DescribedFigure(Figure):
    """A figure with a text alternative (alt_text, made from the numbers it shows) that a notebook displays as an
    image with alt text and a "describe" note; text-only front ends show the text."""

    alt_text = ""
    table = ""  # its numbers as an HTML table (describe.*_table), shown under the words; "" when too many

    def _repr_mimebundle_(self, include=None, exclude=None):
        buf = io.BytesIO()
        self.savefig(buf, format="png", bbox_inches="tight", dpi=self.dpi * PIXEL_RATIO)
        return picture_bundle(buf.getvalue(), self.alt_text or "A figure.", table=self.table)


def picture_bundle(png: bytes, alt: str, css_width: int | None = None, css_class: str = "", table: str = "") -> tuple:
    """A PNG with PIXEL_RATIO pixels per CSS pixel as a notebook output: the image at its CSS size with its text
    alternative and a "describe" note (HTML; with `table`, describe.table_html's numbers, inside it), the bare
    image, and the words for text-only front ends. bytes, str -> (data, metadata)"""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("png must be the bytes of a PNG image.")
    pixels = struct.unpack(">II", png[16:24])  # the PNG header's width and height
    width = pixels[0] // PIXEL_RATIO if css_width is None else int(css_width)
    height = round(pixels[1] * width / pixels[0])
    data = base64.b64encode(png).decode("ascii")
    words = html.escape(alt)
    klass = f' class="{html.escape(css_class)}"' if css_class else ""
    page = (
        f'<figure class="sa-figure" style="margin:0"><img src="data:image/png;base64,{data}" alt="{words}" '
        f'width="{width}"{klass} style="max-width:100%;height:auto">'
        f'<details class="sa-describe"><summary>describe the picture</summary><p>{words}</p>{table}</details></figure>'
    )
    return {"image/png": data, "text/html": page, "text/plain": alt}, {"image/png": {"width": width, "height": height}}


def plain(text) -> str:
    """A label shown as typed: a dollar sign is a dollar sign, never the start of matplotlib's math. () -> str"""
    return str(text).replace("$", r"\$")


def _figure_and_axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = DescribedFigure(figsize=figsize, dpi=100)
    return fig, fig.add_subplot()


def _described(fig, text: str, table: str = ""):
    """Give a figure this module made its text alternative and its numbers (a figure the caller made keeps the
    caller's). -> Figure"""
    if isinstance(fig, DescribedFigure):
        fig.alt_text, fig.table = text, table
    return fig


def shape_label(M) -> str:
    """'(3, 4)' for a (3, 4) array. (...) -> str"""
    return "(" + ", ".join(str(s) for s in np.shape(M)) + ")"


def heatmap(
    matrix,
    row_labels=None,
    col_labels=None,
    title: str = "",
    ax=None,
    annotate=None,
    fmt: str = ".2f",
    cmap=None,
    vmin=None,
    vmax=None,
    cbar: bool = True,
    xlabel: str = "",
    ylabel: str = "",
    xrotation: float = 0,
):
    """An annotated heatmap whose title shows the shape; words as labels. (n_rows, n_cols) -> Figure"""
    M = np.asarray(matrix, dtype=float)
    if M.ndim == 1:
        M = M[None, :]
    if M.ndim != 2:
        raise ValueError(f"a heatmap needs a 2-D matrix, got shape {M.shape}.")
    n_rows, n_cols = M.shape
    if annotate is None:
        annotate = M.size <= 144  # annotating large matrices costs seconds per redraw
    if cmap is None:
        cmap = SEQUENTIAL if np.nanmin(M) >= 0 else DIVERGING  # NaN cells (e.g. masked) are left blank
    if cmap == DIVERGING and vmin is None and vmax is None:
        vmax = float(np.nanmax(np.abs(M))) or 1.0
        vmin = -vmax  # centred on 0
    fig, ax = _figure_and_axes(ax, (min(1.2 + 0.75 * n_cols, OUTPUT_WIDTH), min(1.0 + 0.5 * n_rows, 9)))
    mesh = ax.pcolormesh(
        M, cmap=cmap, vmin=vmin, vmax=vmax, edgecolors="white" if annotate else "none", linewidth=0.5 if annotate else 0
    )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)  # first row on top, as the matrix is printed
    for spine in ax.spines.values():
        spine.set_visible(False)
    step = 5 if n_cols > 16 and col_labels is None else 1
    ax.set_xticks(
        np.arange(0, n_cols, step) + 0.5,
        [plain(c) for c in col_labels] if col_labels is not None else list(range(0, n_cols, step)),
    )
    row_step = 5 if n_rows > 16 and row_labels is None else 1  # numbered rows: every fifth, so the digits fit
    ax.set_yticks(
        np.arange(0, n_rows, row_step) + 0.5,
        [plain(r) for r in row_labels] if row_labels is not None else list(range(0, n_rows, row_step)),
    )
    ax.tick_params(length=0)
    if annotate:
        centers = [(j + 0.5, i + 0.5) for i in range(n_rows) for j in range(n_cols)]
        ax.add_artist(CachedLabels(centers, fontsize=10))
        update_heatmap(ax, M, fmt)
    if cbar:
        fig.colorbar(mesh, ax=ax, fraction=0.05, pad=0.03)
    ax.tick_params(axis="y", labelrotation=0)
    if xrotation:
        ax.tick_params(axis="x", labelrotation=xrotation)
    ax.set_title(plain(f"{title}  shape {shape_label(M)}".strip()))
    ax.set_xlabel(plain(xlabel))
    ax.set_ylabel(plain(ylabel))
    label = f"{title} shape {shape_label(M)}".strip()
    return _described(
        fig,
        describe.heatmap(M, row_labels, col_labels, label),
        describe.heatmap_table(M, row_labels, col_labels, label),
    )


def update_heatmap(ax, matrix, fmt: str = ".2f") -> None:
    """Put new numbers into an existing heatmap of the same shape, in place. (n_rows, n_cols) -> None"""
    M = np.asarray(matrix, dtype=float)
    if M.ndim == 1:
        M = M[None, :]
    mesh = ax.collections[0]
    if mesh.get_array().size != M.size:
        raise ValueError(f"the heatmap holds {mesh.get_array().size} cells, the new matrix {M.shape}.")
    mesh.set_array(M.ravel())
    labels = _labels_artist(ax, "cells")
    if labels:
        rgba = mesh.cmap(mesh.norm(M.ravel()))
        lum = 0.2126 * rgba[:, 0] + 0.7152 * rgba[:, 1] + 0.0722 * rgba[:, 2]
        texts = ["" if np.isnan(v) else format(v, fmt) for v in M.ravel()]
        labels.set_labels(texts, np.where(lum > 0.408, "#000000", "#ffffff").tolist())
    ax.set_title(ax.get_title())


def vectors_2d(vectors, labels, title: str = "", ax=None, colors=None, lim=None, xlabel="", ylabel=""):
    """Arrows from the origin, one per row, labelled with the words. (n, 2) -> Figure"""
    V = np.asarray(vectors, dtype=float)
    if V.ndim != 2 or V.shape[1] != 2:
        raise ValueError(f"vectors_2d draws 2-D vectors: expected shape (n, 2), got {V.shape}.")
    labels = list(labels)
    if len(labels) != len(V):
        raise ValueError(f"{len(labels)} labels for {len(V)} vectors.")
    colors = list(colors) if colors is not None else [PALETTE[i % len(PALETTE)] for i in range(len(V))]
    fig, ax = _figure_and_axes(ax, (4.8, 4.5))
    ax.quiver(
        np.zeros(len(V)),
        np.zeros(len(V)),
        V[:, 0],
        V[:, 1],
        color=colors,
        angles="xy",
        scale_units="xy",
        scale=1,
        width=0.012,
    )
    words = CachedLabels(V, fontsize=11, fontweight="bold", offset_points=(4, 4), role="points")
    words.set_labels(labels, colors)
    ax.add_artist(words)
    if lim is None:
        lim = 1.15 * max(np.abs(V).max(), 1e-9)
    ax.set_xlim(-lim if V[:, 0].min() < 0 else -0.05 * lim, lim)
    ax.set_ylim(-lim if V[:, 1].min() < 0 else -0.05 * lim, lim)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    ax.set_title(plain(title))
    ax.set_xlabel(plain(xlabel))
    ax.set_ylabel(plain(ylabel))
    return _described(
        fig, describe.vectors(V, labels, title, xlabel, ylabel), describe.vectors_table(V, labels, xlabel, ylabel)
    )


def update_vectors(ax, vectors) -> None:
    """Move the arrows and labels of an existing vectors_2d picture, in place. (n, 2) -> None"""
    V = np.asarray(vectors, dtype=float)
    quiver = ax.collections[0]
    if V.shape != (quiver.N, 2):
        raise ValueError(f"the picture has {quiver.N} arrows, the new vectors have shape {V.shape}.")
    quiver.set_UVC(V[:, 0], V[:, 1])
    _labels_artist(ax, "points").set_centers(V)


def three_steps_diagram(
    left: str = "static embeddings", middle: str = "self-attention", right: str = "contextual embeddings"
):
    """The pipeline of the series as three boxes and two arrows. () -> Figure"""
    fig = _described(DescribedFigure(figsize=(8, 1.8), dpi=100), describe.diagram([left, middle, right]))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 2)
    ax.axis("off")
    boxes = [(0.2, left, PALETTE[0]), (3.7, middle, PALETTE[1]), (7.2, right, PALETTE[2])]
    for x, text, colour in boxes:
        r, g, b = to_rgb(colour)
        ax.add_patch(FancyBboxPatch((x, 0.5), 2.6, 1.0, boxstyle="round,pad=0.08", fc=(r, g, b, 0.18), ec=colour, lw=2))
        ax.text(x + 1.3, 1.0, text, ha="center", va="center", fontsize=12, wrap=True)
    for x0, x1 in ((2.9, 3.6), (6.4, 7.1)):
        ax.add_patch(FancyArrowPatch((x0, 1.0), (x1, 1.0), arrowstyle="-|>", mutation_scale=20, lw=2, color="0.3"))
    return fig


def heatmaps_side_by_side(matrices, row_labels, col_labels, titles, colorbar: bool = False, **kwargs):
    """Several heatmaps in one row with shared colours (and one colour bar for all), e.g. one sentence each.
    [(n_i, m_i)] -> Figure"""
    mats = [np.asarray(M, dtype=float) for M in matrices]
    k = len(mats)
    if not (len(row_labels) == len(col_labels) == len(titles) == k):
        raise ValueError(f"{k} matrices need {k} row labels, column labels and titles.")
    if "vmin" not in kwargs and "vmax" not in kwargs:
        lo, hi = min(float(M.min()) for M in mats), max(float(M.max()) for M in mats)
        if lo < 0:
            hi = max(hi, -lo)
            lo = -hi
        kwargs.update(vmin=lo, vmax=hi)
    width = min(sum(min(1.2 + 0.75 * M.shape[-1], 8) for M in mats), OUTPUT_WIDTH)  # never shrunk by the browser
    height = max(min(1.2 + 0.5 * (M.shape[0] if M.ndim == 2 else 1), 6) for M in mats)
    fig = DescribedFigure(figsize=(width, height), dpi=100, layout="constrained")
    axes = fig.subplots(1, k, squeeze=False)[0]
    for ax, M, rows, cols, title in zip(axes, mats, row_labels, col_labels, titles):
        heatmap(M, rows, cols, title, ax=ax, cbar=False, **kwargs)
    if colorbar:
        fig.colorbar(axes[0].collections[0], ax=list(axes), fraction=0.05 / k, pad=0.02)
    labelled = list(zip(mats, row_labels, col_labels, titles))
    return _described(
        fig,
        describe.several(describe.heatmap(M, r, c, t) for M, r, c, t in labelled),
        "".join(describe.heatmap_table(M, r, c, t) for M, r, c, t in labelled),
    )


def attention_heatmaps(weights, row_labels, col_labels, titles, annotate=None):
    """Attention weights side by side, drawn the same way everywhere: 0 to 1, queries as rows, keys as columns, and a
    colour bar when the cells carry no numbers.
    [(n_q, n_k)] -> Figure"""
    mats = [np.asarray(W, dtype=float) for W in weights]
    if annotate is None:
        annotate = all(M.size <= 144 for M in mats)
    fig = heatmaps_side_by_side(
        mats,
        row_labels,
        col_labels,
        titles,
        colorbar=not annotate,
        vmin=0,
        vmax=1,
        annotate=annotate,
        xlabel=KEY_AXIS,
        ylabel=QUERY_AXIS,
    )
    return _described(
        fig,
        describe.several(describe.attention(W, r, c, t) for W, r, c, t in zip(mats, row_labels, col_labels, titles)),
        "".join(
            describe.heatmap_table(W, r, c, f"{t}: rows are queries, columns keys".lstrip(": "))
            for W, r, c, t in zip(mats, row_labels, col_labels, titles)
        ),
    )


def lines(
    x,
    series: dict,
    title: str = "",
    xlabel: str = "",
    ylabel: str = "",
    logx: bool = False,
    logy: bool = False,
    ax=None,
    markers: bool = True,
):
    """One line per named series over shared x values. (n,), {name: (n,)} -> Figure"""
    x = np.asarray(x, dtype=float)
    fig, ax = _figure_and_axes(ax, (5.5, 3.8))
    for i, (name, y) in enumerate(series.items()):
        y = np.asarray(y, dtype=float)
        if y.shape != x.shape:
            raise ValueError(f"series '{name}' has shape {y.shape}, x has {x.shape}.")
        ax.plot(x, y, marker="o" if markers else None, color=PALETTE[i % len(PALETTE)], label=plain(name), lw=2)
    if logx:
        ax.set_xscale("log", base=2)
    if logy:
        ax.set_yscale("log", base=2)
    ax.grid(True, color="0.9")
    ax.legend(frameon=False)
    ax.set_title(plain(title))
    ax.set_xlabel(plain(xlabel))
    ax.set_ylabel(plain(ylabel))
    return _described(fig, describe.lines(x, series, title, xlabel, ylabel), describe.lines_table(x, series, xlabel))


def bars(values, labels, title: str = "", ax=None, ylim=(0, 1), ylabel: str = "weight"):
    """A bar per value, labelled, with a fixed y range so an update does not rescale. (n,) -> Figure"""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or len(labels) != len(v):
        raise ValueError(f"bars needs (n,) values and n labels, got {v.shape} and {len(labels)} labels.")
    fig, ax = _figure_and_axes(ax, (5.5, 3.2))
    ax.bar(np.arange(len(v)), v, color=PALETTE[0], tick_label=[plain(lab) for lab in labels])
    ax.set_ylim(*ylim)
    ax.set_title(plain(title))
    ax.set_ylabel(plain(ylabel))
    return _described(fig, describe.bars(v, labels, title, ylabel), describe.bars_table(v, labels, ylabel))


def update_bars(ax, values) -> None:
    """New heights for the bars of an existing bars picture, in place. (n,) -> None"""
    v = np.asarray(values, dtype=float)
    patches = ax.patches
    if len(patches) != v.size:
        raise ValueError(f"the picture has {len(patches)} bars, got {v.size} values.")
    for p, h in zip(patches, v):
        p.set_height(h)
