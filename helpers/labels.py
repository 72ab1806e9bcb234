"""Labels drawn from cached pixels: a heatmap's numbers and the words at arrow tips, fast enough for a slider.

Drawing text through matplotlib costs about a millisecond a label; these draw each distinct label once
and then copy its pixels, which is what keeps a slider step within its budget.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.font_manager import FontProperties


class CachedLabels(Artist):
    """Short texts at points of an axes: a heatmap's numbers (centred in the cells) or the words at the tips of
    arrows (bold, lower left corner 4 points up and right of the tip, as ``annotate`` places them). Each distinct
    (text, colour) is rendered once and its pixels reused, so a slider redraws 36 numbers in about a
    millisecond instead of drawing 36 matplotlib texts (~1 ms each)."""

    def __init__(
        self, centers, fontsize: float = 10, fontweight: str = "normal", offset_points=None, role: str = "cells"
    ):
        super().__init__()
        self.set_zorder(3)  # above the cells and arrows, as texts are
        self.centers = np.asarray(centers, dtype=float).reshape(-1, 2)  # (n, 2), data coordinates
        self.fontsize, self.fontweight, self.role = fontsize, fontweight, role
        self.offset_points = offset_points  # None: centred on the point; (dx, dy): text starts there, on its baseline
        self.texts = [""] * len(self.centers)
        self.colors = ["#000000"] * len(self.centers)
        self._pixels = {}  # (text, colour, dpi) -> (RGBA pixels, width, height, descent); this artist's own cache

    def set_labels(self, texts, colors) -> None:
        """New texts and colours, one per point. [str], [colour] -> None"""
        if len(texts) != len(self.centers) or len(colors) != len(self.centers):
            raise ValueError(f"{len(self.centers)} cells, got {len(texts)} texts and {len(colors)} colours.")
        self.texts, self.colors = list(texts), list(colors)
        self.stale = True

    def set_centers(self, centers) -> None:
        """Move the labels to new points, e.g. the new tips of arrows. (n, 2) -> None"""
        centers = np.asarray(centers, dtype=float)
        if centers.shape != self.centers.shape:
            raise ValueError(f"{len(self.centers)} labels, got points of shape {centers.shape}.")
        self.centers = centers
        self.stale = True

    def _rendered(self, text: str, color: str, dpi: float):
        key = (text, color, dpi)
        if key not in self._pixels:
            prop = FontProperties(size=self.fontsize, weight=self.fontweight)
            probe = RendererAgg(1, 1, dpi)
            w, h, d = probe.get_text_width_height_descent(text, prop, ismath=False)
            _, lp_h, lp_d = probe.get_text_width_height_descent("lp", prop, ismath=False)
            h, d = max(h, lp_h), max(d, lp_d)  # the line box matplotlib centres on, as Text does for one line
            pad = 2
            width, height = math.ceil(w) + 2 * pad, math.ceil(h) + 2 * pad
            renderer = RendererAgg(width, height, dpi)
            gc = renderer.new_gc()
            gc.set_foreground(color)
            renderer.draw_text(
                gc, pad, height - pad - d, text, prop, 0
            )  # y counts down from the top: the baseline sits d above the box's bottom
            gc.restore()
            pixels = np.asarray(renderer.buffer_rgba())[::-1].copy()  # draw_image wants the bottom row first
            self._pixels[key] = (pixels, w + 2 * pad, h + 2 * pad, d)
        return self._pixels[key]

    def boxes(self, dpi: float) -> list:
        """Where each non-empty label is drawn, in display pixels at this dpi. -> [(text, (x0, y0, x1, y1))]"""
        if self.axes is None:
            raise ValueError("these labels are on no axes yet: add them with ax.add_artist(labels) first.")
        if not (isinstance(dpi, int | float) and dpi > 0):
            raise ValueError(f"dpi must be a positive number, got {dpi!r}.")
        out = []
        for (x, y), text, color in zip(self.axes.transData.transform(self.centers), self.texts, self.colors):
            if text:
                _, w, h, d = self._rendered(text, color, dpi)
                left, bottom = self._corner(x, y, w, h, d, dpi)
                out.append((text, (left, bottom, left + w, bottom + h)))
        return out

    def _corner(self, x, y, w, h, d, dpi):
        if self.offset_points is None:  # centred on the point, as ha=va="center"
            return x - w / 2, y - h / 2
        dx, dy = (v * dpi / 72 for v in self.offset_points)  # as annotate(xytext=offset, textcoords="offset points")
        return x + dx - 2, y + dy - d - 2

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        xy = self.axes.transData.transform(self.centers)
        gc = renderer.new_gc()
        for (x, y), text, color in zip(xy, self.texts, self.colors):
            if not text:
                continue
            pixels, w, h, d = self._rendered(text, color, renderer.dpi)
            left, bottom = self._corner(x, y, w, h, d, renderer.dpi)
            renderer.draw_image(gc, round(left), round(bottom), pixels)
        gc.restore()
        self.stale = False


def _labels_artist(ax, role: str):
    found = [a for a in ax.artists if isinstance(a, CachedLabels) and a.role == role]
    return found[0] if found else None


def cell_labels(ax) -> list:
    """The numbers shown in a heatmap's cells, row by row ('' for a blank cell). Axes -> [str]"""
    labels = _labels_artist(ax, "cells")
    return list(labels.texts) if labels else []


def point_labels(ax) -> list:
    """The words at the tips of a vectors_2d picture's arrows, with where they are. Axes -> [(str, (x, y))]"""
    labels = _labels_artist(ax, "points")
    return [(t, (float(x), float(y))) for t, (x, y) in zip(labels.texts, labels.centers)] if labels else []
