"""App.save_html: a widget as one self-contained page, its picture and words at each slider position."""

from __future__ import annotations

import html
import json
import re

import ipywidgets as widgets
import pytest

from helpers import standalone
from helpers.embeddings import toy_vectors
from helpers.widgets import attention_explorer


def frames_of(path) -> list:
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r'<script type="application/json" class="sa-frames">(.*?)</script>', text, re.S)[1])


def test_the_page_holds_every_position_with_its_picture_and_words_and_leaves_the_widget_as_it_was(tmp_path):
    app = attention_explorer(toy_vectors(), temperature=1.0)
    before = (app.image.value, app.image.alt, app.controls["temperature"].value)
    path = app.save_html(tmp_path / "attention.html", max_bytes=10**8)
    frames = frames_of(path)
    assert len(frames) == len(standalone.positions(app.controls["temperature"])) == 61
    assert [f["label"] for f in frames][:3] == ["0.03", "0.04", "0.04"] and frames[-1]["label"] == "31.62"
    # the words follow the slider (at its ends the weights saturate, and two positions can read alike)
    assert len({f["alt"] for f in frames}) > 40 and frames[0]["alt"] != frames[-1]["alt"]
    assert all(f["png"] and f["table"].startswith("<") for f in frames)
    start = int(re.search(r'id="sa-position" min="0" max="60" step="1" value="(\d+)"', path.read_text())[1])
    assert frames[start]["label"] == "1.00" and frames[start]["alt"] == before[1]
    assert (app.image.value, app.image.alt, app.controls["temperature"].value) == before
    text = path.read_text()
    assert not re.search(r"(src|href)=\"(https?:)?//", text), "the page must not fetch anything"
    assert '<label for="sa-position">temperature</label>' in text
    assert "sentence = 'money bank grows'" in html.unescape(text)


def test_a_byte_cap_keeps_fewer_positions_evenly_spread_with_the_current_one(tmp_path):
    app = attention_explorer(toy_vectors(), temperature=1.0)
    default = frames_of(app.save_html(tmp_path / "default.html"))
    assert 20 < len(default) < 61 and sum(len(f["png"]) * 3 // 4 for f in default) <= standalone.MAX_BYTES
    one = len(app.image.value)
    frames = frames_of(app.save_html(tmp_path / "small.html", max_bytes=12 * one))
    assert 2 <= len(frames) <= 12 and "1.00" in [f["label"] for f in frames]
    assert sum(len(f["png"]) * 3 // 4 for f in frames) <= 12 * one


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"slider": "speed"}, "no slider 'speed'; this widget's sliders are 'temperature'"),
        ({"max_bytes": 0}, "max_bytes must be a positive whole number"),
        ({"max_bytes": 10}, "even one picture is larger than max_bytes=10"),
    ],
)
def test_bad_arguments_get_a_clear_error(tmp_path, kwargs, says):
    app = attention_explorer(toy_vectors())
    with pytest.raises(ValueError, match=re.escape(says)):
        app.save_html(tmp_path / "x.html", **kwargs)


def test_bad_paths_get_a_clear_error(tmp_path):
    app = attention_explorer(toy_vectors())
    with pytest.raises(ValueError, match="should end in .html"):
        app.save_html(tmp_path / "x.png")
    (tmp_path / "dir.html").mkdir()
    with pytest.raises(ValueError, match="it is a folder"):
        app.save_html(tmp_path / "dir.html")
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="its folder is a file"):
        app.save_html(tmp_path / "file" / "x.html")


def test_a_value_between_two_steps_is_a_position_of_its_own():
    logs = standalone.positions(widgets.FloatLogSlider(value=7.0, base=10, min=-1, max=1, step=0.5))
    assert [label for _, label in logs] == ["0.1", "0.316", "1", "3.16", "7", "10"]
    assert standalone.positions(widgets.IntSlider(value=4, min=2, max=8, step=3)) == [
        (2, "2"),
        (4, "4"),
        (5, "5"),
        (8, "8"),
    ]


def test_the_other_controls_are_stated_as_their_labels_and_readouts_show_them():
    assert (
        standalone.stated("length", widgets.FloatSlider(value=1.5, description="length of b")) == "length of b = 1.50"
    )
    assert standalone.stated("sentence", widgets.Text(value="a b", description="sentence")) == "sentence = 'a b'"
    assert standalone.stated("scaled", widgets.Checkbox(value=False)) == "scaled = False"
    assert standalone.stated("d", widgets.IntSlider(value=3, description="d_k")) == "d_k = 3"


def test_positions_of_each_kind_of_slider():
    assert standalone.positions(widgets.IntSlider(min=2, max=8, step=3)) == [(2, "2"), (5, "5"), (8, "8")]
    floats = standalone.positions(widgets.FloatSlider(min=0, max=1, step=0.25, readout_format=".2f"))
    assert floats == [(0.0, "0.00"), (0.25, "0.25"), (0.5, "0.50"), (0.75, "0.75"), (1.0, "1.00")]
    logs = standalone.positions(widgets.FloatLogSlider(base=10, min=-1, max=1, step=1))
    assert [v for v, _ in logs] == pytest.approx([0.1, 1, 10])
    chosen = standalone.positions(widgets.SelectionSlider(options=[("one", 1), ("two", 2)]))
    assert chosen == [(1, "one"), (2, "two")]
    with pytest.raises(ValueError, match="Text is not a slider"):
        standalone.positions(widgets.Text())
    assert standalone.spread(5, 3, 10) == [0, 1, 2, 3, 4]
    picked = standalone.spread(1000, 123, 11)
    assert 123 in picked and picked[0] == 0 and picked[-1] == 999 and len(picked) <= 11
    assert standalone.spread(1000, 123, 1) == [123]


def test_a_hostile_label_or_width_cannot_break_out_of_the_page():
    """A prompt typed into a writing widget becomes a label and alt text; exported, it must stay text."""
    hostile = '<!--<script>alert(1)</script>"><img src=x onerror=alert(2)>&amp;'
    frames = [standalone.Frame(hostile, None, hostile, "<table></table>", hostile)] * 2
    page = standalone.fragment("sa", hostile, frames, 0, 640)
    script = re.search(r'<script type="application/json" class="sa-frames">(.*?)</script>', page, re.S)[1]
    assert not re.search(r"[<>&]", script), "the frames' JSON holds a character HTML reads"
    assert [f["label"] for f in json.loads(script)] == [hostile, hostile]  # read back as typed
    outside = page.replace(script, "")
    assert "<script>alert" not in outside and "<img src=x" not in outside and "<!--" not in outside
    assert html.escape(hostile) in outside  # shown as text: in the label, the output and the words
    for width in ("640px", '640" onload="alert(3)', 0, 10**6, True):
        with pytest.raises(ValueError, match="css_width must be a whole number of pixels"):
            standalone.fragment("sa", "x", frames, 0, width)
