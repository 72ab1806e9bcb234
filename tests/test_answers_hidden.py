"""No lesson prints the answer to one of its own exercises before the exercise asks for it.

For every exercise whose answer is a number, the text a learner has read and seen when she reaches it (every
markdown cell and every output above the exercise's cell, as committed after Run All) must not hold that number
as the exercise would accept it: an integer of 100 or more, with or without thousands separators; any integer as
a computed value prints it (2.00, 8.0); a fraction at 1 to 3 decimals with at least two significant digits.
Small integers on their own (4 heads, 64 dimensions) are everywhere in the text and say nothing. A value that the
text prints for something else is listed below, with what it is.
"""

import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from tests.test_exercises import right_answers

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
ELSEWHERE = {  # (exercise, text printed before it): what that text is
    ("04.1", "0.31"): "another pair's weight in the heatmap's text (on to on, 0.31); the answer is river to bank's",
    ("10.2", "0.97"): "the run at learning rate 0.05 at step 50; the exercise asks for the run at 0.01 after 300 steps",
}


def printed_forms(answer) -> list[str]:
    """How the text would show a numeric answer a learner could copy. (answer) -> strings"""
    if isinstance(answer, (bool, str, tuple, list)) or callable(answer) or np.ndim(answer) != 0:
        return []  # a choice, a shape, a function or an array: not one number to copy
    value = float(answer)
    if value.is_integer():  # a small one only as a computed value prints it (2.00 GiB, 8.0 times)
        decimals = [f"{value:.1f}", f"{value:.2f}"]
        return [f"{int(value)}", f"{int(value):,}", *decimals] if abs(value) >= 100 else decimals
    forms = []
    for decimals in (1, 2, 3):
        text = f"{value:.{decimals}f}"
        if len(re.sub(r"[^1-9]", "", text)) >= 2:
            forms.append(text)
    return forms


def read_before_each_exercise(path: Path) -> dict[str, str]:
    """For each exercise of a lesson, the markdown and outputs above its cell. -> {exercise id: text}"""
    seen, before = [], {}
    for cell in nbformat.read(path, as_version=4).cells:
        for exercise_id in re.findall(r'check_exercise\("(\d\d\.\d)"', cell.source):
            before[exercise_id] = "\n".join(seen)
        if cell.cell_type == "markdown":
            seen.append(cell.source)
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain", "")
            seen.append("".join(text) if isinstance(text, list) else text)
    return before


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem[:2] for p in LESSONS])
def test_no_lesson_prints_an_answer_before_its_exercise(path):
    answers = right_answers()
    for exercise_id, text in read_before_each_exercise(path).items():
        for form in printed_forms(answers[exercise_id]):
            if (exercise_id, form) in ELSEWHERE:
                continue
            found = re.search(rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)", text)
            assert found is None, (
                f"{path.name} shows {form}, the answer to {exercise_id}, before asking it: "
                f"...{text[max(0, found.start() - 80) : found.end() + 40]}..."
            )


def test_the_check_finds_an_answer_printed_before_its_exercise(tmp_path):
    """The test above fails on a lesson that prints its answer: notebook 15's old 15.2, a row of its table."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("print(table)", outputs=[nbformat.v4.new_output("stream", text="3.12 GiB\n")]),
        nbformat.v4.new_code_cell('check_exercise("15.2", answer_15_2)'),
    ]
    path = tmp_path / "15_x.ipynb"
    nbformat.write(nb, path)
    assert printed_forms(3.125) == ["3.1", "3.12", "3.125"] and printed_forms(64) == ["64.0", "64.00"]
    assert printed_forms(46080) == ["46080", "46,080", "46080.0", "46080.00"]
    with pytest.raises(AssertionError, match="shows 3.12, the answer to 15.2"):
        test_no_lesson_prints_an_answer_before_its_exercise(path)
