"""The committed notebooks stay small: each picture is stored in one place (its output, not again in another output
or in a saved widget state), and the lessons stay under the sizes the maintainers' guide states
(docs/maintainers.md, "Notebook size")."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("*.ipynb"))
LESSON_MB, LESSONS_MB, SOLUTIONS_KB = 1.0, 10.0, 100  # the limits docs/maintainers.md states
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def pictures(nb) -> list[str]:
    """The sha256 of every PNG a notebook stores, once per place it is stored in: each output (its image/png and the
    picture in its HTML are that output's two forms of one picture) and each binary buffer of a saved widget state.
    -> [hex digest]"""

    def digest(text: str) -> str:
        return hashlib.sha256("".join(text.split()).encode()).hexdigest()

    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            here = {digest(m.group(1)) for m in DATA_URI.finditer(data.get("text/html", ""))}
            here |= {digest(data["image/png"])} if "image/png" in data else set()
            found += sorted(here)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    found += [digest(buffer.get("data", "")) for model in state.values() for buffer in model.get("buffers", [])]
    return found


@pytest.mark.parametrize("path", LESSONS + SOLUTIONS, ids=lambda p: p.name)
def test_no_notebook_stores_a_picture_twice_or_a_widget_state(path):
    nb = nbformat.read(path, as_version=4)
    twice = [digest[:12] for digest, count in Counter(pictures(nb)).items() if count > 1]
    assert not twice, f"{path.name} stores {len(twice)} picture(s) twice: re-execute it with make notebooks"
    assert "widgets" not in nb.metadata, (
        f"{path.name} carries a saved widget state (the pictures again): execute with "
        "--ExecutePreprocessor.store_widget_state=False, as make notebooks does"
    )


def test_the_picture_check_finds_a_picture_stored_twice():
    png = "iVBORw0KGgo" + "A" * 40
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                outputs=[
                    nbformat.v4.new_output(
                        "display_data", data={"text/html": f'<img src="data:image/png;base64,{png}">'}
                    )
                ]
            )
        ]
    )
    nb.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {"state": {"m": {"buffers": [{"data": png}]}}}
    }
    assert len(pictures(nb)) == 2 and len(set(pictures(nb))) == 1


def test_the_lessons_stay_under_the_sizes_the_guide_states():
    sizes = {p.name: p.stat().st_size for p in LESSONS}
    large = {name: round(size / 1e6, 2) for name, size in sizes.items() if size > LESSON_MB * 1e6}
    assert not large, f"lessons over {LESSON_MB} MB: {large}"
    assert sum(sizes.values()) <= LESSONS_MB * 1e6, f"the lessons take {sum(sizes.values()) / 1e6:.2f} MB"
    heavy = {p.name: p.stat().st_size for p in SOLUTIONS if p.stat().st_size > SOLUTIONS_KB * 1e3}
    assert not heavy, f"solutions notebooks over {SOLUTIONS_KB} KB: {heavy}"
    guide = (ROOT / "docs" / "maintainers.md").read_text(encoding="utf-8")
    for limit in (f"{LESSON_MB:g} MB", f"{LESSONS_MB:g} MB", f"{SOLUTIONS_KB} KB"):
        assert limit in guide, f"docs/maintainers.md should state the limit {limit}"
