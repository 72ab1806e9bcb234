"""The widget framework: an App (controls -> one step -> one view), blitting, and the heatmap view .

Builders in ``helpers.widgets`` wire controls to a computation from ``helpers.steps`` and a
drawing from ``helpers.plots`` through the ``App`` here. Nothing in this module computes.
"""

from __future__ import annotations

import html
import numbers
import re
import struct
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from . import plots, standalone

try:  # Intel's ISA-L deflate (requirements.txt): the same zlib stream as the standard library's, about 10x faster
    from isal.isal_zlib import compress as _deflate
except ImportError:  # pragma: no cover - the same PNG, only slower to make
    from zlib import compress as _deflate


def encode_png(rgba) -> bytes:
    """Pixels as a PNG (8-bit RGBA, no row filter, deflate level 1): with isal about 1 ms for a widget's 1600 x 640
    picture, where Pillow takes about 20. (height, width, 4) uint8 -> bytes"""
    rgba = np.asarray(rgba)
    if rgba.ndim != 3 or rgba.shape[-1] != 4 or rgba.dtype != np.uint8 or 0 in rgba.shape:
        raise ValueError(f"rgba must be (height, width, 4) uint8 pixels, got {rgba.dtype} of shape {rgba.shape}.")
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # each row: filter type 0 (none), then its pixels
    rows[:, 1:] = rgba.reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, deflate, no filter, no interlace
    return b"".join(
        [b"\x89PNG\r\n\x1a\n", _chunk(b"IHDR", header), _chunk(b"IDAT", _deflate(rows, 1)), _chunk(b"IEND", b"")]
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def figure_png(fig: Figure) -> bytes:
    """The figure rendered as PNG bytes, at the figure's dpi. Figure -> bytes"""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return encode_png(np.asarray(canvas.buffer_rgba()))


class Blitter:
    """Redraws only the artists a control changes, over a cached picture of everything else (axes, ticks, labels)."""

    def __init__(self, fig: Figure):
        self.fig = fig
        self.canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
        self._background = None
        self._artists = []

    def invalidate(self) -> None:
        """Forget the cached background: the next png() draws the whole figure again."""
        self._background = None

    def png(self, artists: list) -> bytes:
        """The figure as PNG bytes; a full draw only when the set of changing artists is new. [Artist] -> bytes"""
        same = len(artists) == len(self._artists) and all(a is b for a, b in zip(artists, self._artists))
        if self._background is None or not same:
            for a in self._artists:
                a.set_animated(False)
            for a in artists:
                a.set_animated(True)  # left out of the full draw, which becomes the cached background
            self.canvas.draw()
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
            self._artists = list(artists)
        else:
            self.canvas.restore_region(self._background)
        for a in sorted(artists, key=lambda a: a.get_zorder()):  # stacked as a full draw stacks them
            self.fig.draw_artist(a)
        return encode_png(np.asarray(self.canvas.buffer_rgba()))


def changing_artists(*axes, titles: bool = True) -> list:
    """What an update changes in a picture (mesh, arrows, bars, texts, cell numbers, title) and what stacks over it
    (lines, spines). -> [Artist]"""
    out = []
    for ax in axes:
        # and what a full draw stacks over them: lines above zorder 1 (markers) and the frame, so a bar or arrow stays
        # under it
        over = [line for line in ax.lines if line.get_zorder() >= 1] + list(ax.spines.values())
        out += (
            list(ax.collections)
            + list(ax.texts)
            + list(ax.artists)
            + list(ax.patches)
            + over
            + ([ax.title] if titles else [])
        )
    return out


def visible(text: str) -> str:
    """Control and format characters (e.g. U+202E, which reverses what follows) shown as <U+202E>, never obeyed.
    str -> str"""
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cc", "Cf") and c != "\n" else c for c in text)


# the picture of a widget in the browser, its JavaScript and CSS in files beside this module
_HERE = Path(__file__).resolve().parent


class FigureView(anywidget.AnyWidget):
    """A widget's picture with words: PNG value, alt text (announced politely), and the numbers as an HTML table."""

    _esm = (_HERE / "figure_view.js").read_text(encoding="utf-8")
    _css = (_HERE / "figure_view.css").read_text(encoding="utf-8")
    value = traitlets.Bytes(b"").tag(sync=True)
    width = traitlets.Int(0).tag(sync=True)  # CSS pixels: the PNG has PIXEL_RATIO times as many, for sharp screens
    alt = traitlets.Unicode("").tag(sync=True)
    table = traitlets.Unicode("").tag(sync=True)


def friendly(error: Exception) -> str:
    """An error as a short HTML message for the learner, echoing nothing that could rearrange it. Exception -> str"""
    return (
        '<div class="sa-message" style="color:#8c2d04;background:#fff5eb;padding:4px 8px;border-radius:4px">'
        f"&#9888; {html.escape(visible(str(error)))}</div>"
    )


class HeatmapView:
    """One heatmap on one axes: drawn anew when its shape or labels change, else updated in place (fast)."""

    def __init__(self, ax):
        self.ax = ax
        self._key = None

    def show(self, matrix, row_labels, col_labels, title: str = "", **style) -> bool:
        """Show matrix; style (plots.heatmap's keywords) applies when drawn anew. (n_rows, n_cols) -> drawn anew?"""
        rows = None if row_labels is None else tuple(row_labels)
        cols = None if col_labels is None else tuple(col_labels)
        key = (getattr(matrix, "shape", None), rows, cols)
        if key == self._key:
            plots.update_heatmap(self.ax, matrix)
            return False
        for artist in [
            *self.ax.collections,
            *self.ax.artists,
        ]:  # the old cells and numbers; the axes and ticks are reused (faster than clear())
            artist.remove()
        plots.heatmap(matrix, rows, cols, title, ax=self.ax, **style)
        self._key = key
        return True


SLIDER_WIDTH = "560px"  # label and track: the track keeps at least 150 px beside the longest label


def control_rows(controls: list, rest: list) -> list:
    """The controls laid out so that none is squeezed at the width JupyterLab opens with: each slider and each set
    of toggle buttons on a row of its own, the other controls (and rest) together on one row. -> [HBox]"""
    wide = [c for c in controls if "Slider" in type(c).__name__ or isinstance(c, widgets.ToggleButtons)]
    narrow = [c for c in controls if c not in wide]
    for control in wide:
        if not isinstance(control, widgets.ToggleButtons):
            control.layout.width, control.layout.max_width = SLIDER_WIDTH, "100%"
    return [widgets.HBox([control]) for control in wide] + [widgets.HBox(narrow + rest)]


FIGURES = Path("figures")  # where save() writes, relative to the notebook's folder (git ignores it)


def saved(paths) -> str:
    """The note a widget shows after saving its picture. [Path] -> str"""
    return (
        '<div class="sa-note" style="color:#1a3d1a;background:#eef7ee;padding:4px 8px;border-radius:4px">'
        f"Saved {html.escape(' and '.join(str(p) for p in paths))}</div>"
    )


@dataclass
class App:
    """Controls + a figure shown as a described picture + a message line; refresh() recomputes and redraws."""

    controls: dict
    figure: Figure
    compute: Callable[..., Any]
    draw: Callable[[Any], None]
    alt_text: Callable[[Any], tuple[str, str]]  # the result -> (text alternative, HTML table of the numbers)
    name: str = "figure"  # the file name save() uses
    extras: list = field(default_factory=list)  # shown beside the controls, not watched (e.g. a progress bar)
    dynamic: Callable[[], list] | None = None  # the artists an update changes; None = redraw the whole figure
    readout: Callable[[Any], str] | None = None  # the numbers a step changes, as a line of text above the picture
    image: FigureView = field(init=False)
    message: widgets.HTML = field(init=False)
    box: widgets.VBox = field(init=False)
    result: Any = field(init=False, default=None)
    error: Exception | None = field(init=False, default=None)

    def __post_init__(self):
        css_width = round(self.figure.bbox.width)  # the builder's size, in CSS pixels
        self.figure.set_dpi(self.figure.dpi * plots.PIXEL_RATIO)  # drawn with twice the pixels, shown at that size
        self._blitter = Blitter(self.figure) if self.dynamic is not None else None
        self.image = FigureView(width=css_width)
        self.message = widgets.HTML(value="")
        self.status = widgets.HTML(value="")  # the readout: text, cheaper to change than a title in the picture
        self.save_button = widgets.Button(
            description="save figure", tooltip=f"save the picture as {FIGURES / self.name}.png and .svg"
        )
        self.save_button.on_click(lambda button: self._save_clicked())
        self.box = widgets.VBox(
            control_rows(list(self.controls.values()), list(self.extras) + [self.save_button])
            + [self.message]
            + ([self.status] if self.readout else [])
            + [self.image]
        )
        for control in self.controls.values():
            if hasattr(control.style, "description_width"):
                control.style.description_width = "initial"  # show the whole label, never "temperat..."
            control.observe(lambda change: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict:
        """The controls' current values by name."""
        return {name: c.value for name, c in self.controls.items()}

    def invalidate(self) -> None:
        """Forget any cached picture, so the next refresh draws the whole figure."""
        if self._blitter is not None:
            self._blitter.invalidate()

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
        if self.readout is not None:
            self.status.value = f'<span class="sa-readout">{html.escape(visible(self.readout(result)))}</span>'
        alt, table = self.alt_text(result)
        with self.image.hold_sync():  # picture and words change together
            self.image.value = figure_png(self.figure) if self._blitter is None else self._blitter.png(self.dynamic())
            self.image.alt = alt
            self.image.table = table
        return result

    def save(self, name: str | None = None, folder=FIGURES) -> list:
        """Write what the widget shows as PNG and SVG (for slides): folder/name.png and folder/name.svg. -> [Path]"""
        name = self.name if name is None else name
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or name.startswith("."):
            raise ValueError(f"{name!r} is not a plain file name: use letters, digits, '_', '-' and '.'.")
        if len(name) > 100:
            raise ValueError(f"the file name is {len(name)} characters long; use at most 100.")
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise ValueError(f"{folder} is a file, not a folder: save into a folder (the default is {FIGURES}).")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot make the folder {folder}: {exc.strerror or exc}.") from None
        animated = [a for a in self.figure.findobj() if a.get_animated()]
        for a in animated:  # blitting leaves the changing artists out of a plain draw: put them back for the file
            a.set_animated(False)
        try:
            paths = [folder / f"{name}.png", folder / f"{name}.svg"]
            self.figure.savefig(paths[0], format="png", dpi=self.figure.dpi)  # the pixels the widget shows
            self.figure.savefig(paths[1], format="svg", metadata={"Date": None})
        finally:
            for a in animated:
                a.set_animated(True)
            self.invalidate()
        return paths

    def save_html(
        self, path, slider: str | None = None, title: str | None = None, max_bytes: int | None = None
    ) -> Path:
        """Write the widget as one self-contained HTML page: its picture, words and numbers at each position of one
        slider (the first, or `slider` by name), moved by a plain range input; no Python, no network. Positions are
        computed now, at most standalone.MAX_FRAMES of them and `max_bytes` of pictures (standalone.MAX_BYTES),
        evenly spread and always with the slider's current value; the other controls keep their values. -> Path"""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"{path} should end in .html: the file is a web page.")
        if path.is_dir() or (path.parent.exists() and not path.parent.is_dir()):
            raise ValueError(f"cannot write {path}: it is a folder, or its folder is a file.")
        export = self.export_slider(slider, max_bytes)
        text = standalone.page(
            title or self.name, export.label, export.frames, export.start, export.css_width, export.made_with
        )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot write {path}: {exc.strerror or exc}.") from None
        return path

    def export_slider(self, slider: str | None = None, max_bytes: int | None = None) -> standalone.Export:
        """What save_html writes, for a page of one's own: the widget at each kept position of one slider
        (standalone.fragment makes it an element of a page). -> standalone.Export"""
        sliders = {n: c for n, c in self.controls.items() if isinstance(c, standalone.SLIDERS)}
        if not sliders:
            raise ValueError("this widget has no slider to export; save() writes its picture as PNG and SVG.")
        if slider is None:
            slider = next(iter(sliders))
        if slider not in sliders:
            raise ValueError(f"no slider {slider!r}; this widget's sliders are {', '.join(map(repr, sliders))}.")
        limit = standalone.MAX_BYTES if max_bytes is None else max_bytes
        if isinstance(limit, bool) or not isinstance(limit, numbers.Integral) or limit < 1:
            raise ValueError(f"max_bytes must be a positive whole number of bytes, got {max_bytes!r}.")
        control = sliders[slider]
        options = standalone.positions(control)
        original = control.value
        start = standalone.nearest([v for v, _ in options], original)
        chosen = standalone.spread(len(options), start, standalone.MAX_FRAMES)
        frames = []
        try:
            for i in chosen:
                control.value = options[i][0]  # the widget refreshes, as when a learner moves the slider
                if self.error is not None:
                    frames.append(standalone.Frame(options[i][1], None, friendly(self.error), "", ""))
                else:
                    readout = visible(self.readout(self.result)) if self.readout is not None else ""
                    frames.append(
                        standalone.Frame(options[i][1], self.image.value, self.image.alt, self.image.table, readout)
                    )
        finally:
            control.value = original
        start_at = chosen.index(start)
        while (total := sum(len(f.png or b"") for f in frames)) > limit and len(frames) > 1:
            fits = min(len(frames) - 1, max(1, int(len(frames) * limit / total)))  # as many as the bytes allow
            keep = standalone.spread(len(frames), start_at, fits)
            frames = [frames[i] for i in keep]
            start_at = keep.index(start_at)
        if sum(len(f.png or b"") for f in frames) > limit:
            raise ValueError(f"even one picture is larger than max_bytes={limit:,}; allow more bytes.")
        label = getattr(control, "description", "") or slider
        others = ", ".join(standalone.stated(n, c) for n, c in self.controls.items() if n != slider)
        made = f"{len(frames)} positions of the {label} slider, computed beforehand" + (
            f"; {others}." if others else "."
        )
        return standalone.Export(label, frames, start_at, self.image.width, made)

    def _save_clicked(self):
        try:
            self.message.value = saved(self.save())
        except (OSError, ValueError) as exc:
            self.message.value = friendly(exc)

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and its picture, words and numbers as they are now: a notebook saved with its outputs
        shows them where the widget cannot run (not yet run, untrusted, or a page that only shows the file)."""
        data = dict(self.box._repr_mimebundle_(**kwargs))
        saved, metadata = plots.picture_bundle(
            self.image.value, self.image.alt, self.image.width, "sa-saved-picture", self.image.table
        )
        data.update({key: value for key, value in saved.items() if key != "text/plain"})
        data["text/plain"] = self.image.alt
        return data, metadata
