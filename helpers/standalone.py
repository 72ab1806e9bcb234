"""A widget as one self-contained HTML page: its picture, words and numbers at each position of one slider,
computed beforehand and moved by a plain HTML range input, so the page needs neither Python nor the network.

App.export_slider (helpers/app.py) computes the frames and App.save_html writes them as a page; the functions
here only list a slider's positions and write the markup: page() for a page of its own, fragment() for an
element of another page (the book, scripts/build_book.py, puts one where each widget was).
"""

from __future__ import annotations

import base64
import html
import json
import math
import numbers
import re
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

MAX_FRAMES = 121  # positions kept at most (evenly spread, the slider's own value always among them)
MAX_BYTES = (
    4_000_000  # a page's pictures at most, in bytes of PNG (the page is a third larger): fewer positions if more
)

SLIDERS = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider, widgets.SelectionSlider)


@dataclass
class Frame:
    """What the widget shows at one position of the slider."""

    label: str  # the slider's value as its readout shows it
    png: bytes | None  # None when the widget shows a message instead of a picture
    alt: str
    table: str  # HTML table of the numbers
    readout: str


@dataclass
class Export:
    """A widget at the kept positions of one slider (App.export_slider): what fragment() and page() show."""

    label: str  # the slider's label
    frames: list[Frame]
    start: int  # the frame of the slider's value when exported
    css_width: int  # the picture's width in CSS pixels
    made_with: str  # how many positions, and the other controls' values


def positions(control) -> list[tuple[object, str]]:
    """Every (value, label) a slider can take, in order, its current value among them. slider -> [(value, str)]"""
    if isinstance(control, widgets.SelectionSlider):
        return [(value, str(label)) for label, value in zip(control._options_labels, control._options_values)]
    if not isinstance(control, SLIDERS):
        raise ValueError(
            f"{type(control).__name__} is not a slider: save_html needs an IntSlider, FloatSlider, "
            "FloatLogSlider or SelectionSlider."
        )
    if isinstance(control, widgets.IntSlider):
        values = list(range(control.min, control.max + 1, control.step))
    else:
        count = math.floor((control.max - control.min) / control.step + 1e-9) + 1
        steps = [round(control.min + i * control.step, 10) for i in range(count)]
        values = [float(control.base) ** s for s in steps] if isinstance(control, widgets.FloatLogSlider) else steps
    value = control.value  # a widget made with a value between two steps holds it: that value is a position too
    if min(abs(v - value) for v in values) > 1e-9 * max(1.0, abs(value)):
        values = sorted([*values, value])
    fmt = getattr(control, "readout_format", "d")
    return [(v, format(v, fmt)) for v in values]


def stated(name: str, control) -> str:
    """A control's value as its label and readout show it: "length of b = 1.5", "sentence = 'a b'". -> str"""
    label = getattr(control, "description", "") or name
    value = control.value
    fmt = getattr(control, "readout_format", None)
    if isinstance(value, str) or fmt is None:
        return f"{label} = {value!r}"
    return f"{label} = {format(value, fmt)}"


def spread(count: int, keep: int, at_most: int) -> list[int]:
    """`at_most` indices out of range(count), evenly spread, always with `keep`. -> sorted [int]"""
    if count <= at_most:
        return list(range(count))
    if at_most <= 1:
        return [keep]
    chosen = {round(float(x)) for x in np.linspace(0, count - 1, at_most - 1)}
    return sorted(chosen | {keep})


def nearest(values: list, value) -> int:
    """The index of the position closest to the slider's current value."""
    try:
        return values.index(value)
    except ValueError:
        return int(np.argmin([abs(float(v) - float(value)) for v in values]))


PAGE_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 1.5rem auto; max-width: 64rem;
  padding: 0 1rem; }
.sa-made { color: #444; font-size: 0.9em; }
"""

STYLE = """
.sa-standalone .sa-control { display: flex; align-items: center; gap: 0.75rem; flex-wrap: wrap; }
.sa-standalone .sa-control input { width: min(32rem, 100%); }
.sa-standalone .sa-control output { font-variant-numeric: tabular-nums; min-width: 5ch; }
.sa-standalone .sa-readout { min-height: 1.5em; }
.sa-standalone img { max-width: 100%; height: auto; }
.sa-standalone .sa-numbers { border-collapse: collapse; margin: 4px 0; }
.sa-standalone .sa-numbers th, .sa-standalone .sa-numbers td { border: 1px solid #b3b3b3; padding: 1px 6px;
  text-align: right; }
.sa-standalone .sa-message { color: #8a1c1c; }
"""

# each exported slider finds its own parts inside its own element, so a page may hold several
SCRIPT = """
(function (root) {
  const frames = JSON.parse(root.querySelector('.sa-frames').textContent);
  const input = root.querySelector('input[type=range]');
  const output = root.querySelector('output');
  const img = root.querySelector('.sa-picture');
  const words = root.querySelector('.sa-words');
  const numbers = root.querySelector('.sa-table');
  const readout = root.querySelector('.sa-readout');
  function show(i) {
    const f = frames[i];
    output.textContent = f.label;
    input.setAttribute('aria-valuetext', f.label);
    if (f.png) { img.src = 'data:image/png;base64,' + f.png; img.hidden = false; } else { img.hidden = true; }
    img.alt = f.alt;
    words.textContent = f.alt;
    numbers.innerHTML = f.table;
    readout.textContent = f.readout;
  }
  input.addEventListener('input', function () { show(Number(input.value)); });
})(document.currentScript.parentElement);
"""


def fragment(key: str, control_label: str, frames: list[Frame], start: int, css_width: int) -> str:
    """The exported slider as an element to place in any page: a labelled range input, the picture with its words
    and numbers, the frames as JSON and the script that moves them; its ids begin with `key`. -> HTML str"""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", key):
        raise ValueError(f"key {key!r} must start with a letter and hold only letters, digits, '_' and '-'.")
    if not frames or not 0 <= start < len(frames):
        raise ValueError(f"start {start} is not one of the {len(frames)} frames.")
    data = [
        {
            "label": f.label,
            "png": base64.b64encode(f.png).decode("ascii") if f.png else "",
            "alt": f.alt,
            "table": f.table,
            "readout": f.readout,
        }
        for f in frames
    ]
    if isinstance(css_width, bool) or not isinstance(css_width, numbers.Integral) or not 0 < css_width <= 10_000:
        raise ValueError(f"css_width must be a whole number of pixels from 1 to 10000, got {css_width!r}.")
    first = frames[start]
    src = f"data:image/png;base64,{data[start]['png']}" if first.png else ""
    # no <, > or & left in the JSON: a label such as "<!--<script>" can neither end the script element nor open
    # a comment that swallows it (JSON reads the \u escapes back as the same characters)
    frames_json = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    e = html.escape
    return (
        f'<div class="sa-standalone" id="{key}"><style>{STYLE}</style>'
        f'<div class="sa-control"><label for="{key}-position">{e(control_label)}</label>'
        f'<input type="range" id="{key}-position" min="0" max="{len(frames) - 1}" step="1" value="{start}" '
        f'aria-valuetext="{e(first.label)}"><output id="{key}-value" for="{key}-position">{e(first.label)}</output>'
        "</div>"
        f'<p id="{key}-readout" class="sa-readout" aria-live="polite">{e(first.readout)}</p>'
        f'<figure style="margin:0"><img id="{key}-picture" class="sa-picture" src="{src}" alt="{e(first.alt)}" '
        f'width="{css_width}"{"" if first.png else " hidden"}>'
        "<figcaption><details open><summary>describe the picture</summary>"
        f'<p id="{key}-words" class="sa-words" aria-live="polite">{e(first.alt)}</p>'
        f'<div id="{key}-numbers" class="sa-table">{first.table}</div>'
        "</details></figcaption></figure>"
        f'<script type="application/json" class="sa-frames">{frames_json}</script>'
        f"<script>{SCRIPT}</script></div>"
    )


def page(title: str, control_label: str, frames: list[Frame], start: int, css_width: int, made_with: str) -> str:
    """The whole page: a title, how it was made, and the fragment (ids beginning with "sa")."""
    e = html.escape
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{PAGE_STYLE}</style></head><body><main>"
        f"<h1>{e(title)}</h1>"
        f'<p class="sa-made">{e(made_with)}</p>'
        f"{fragment('sa', control_label, frames, start, css_width)}</main></body></html>\n"
    )
