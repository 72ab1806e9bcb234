"""The layers of helpers: the math and the steps import without matplotlib or ipywidgets; imports point down only."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parents[1] / "helpers"

BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"matplotlib", "ipywidgets", "seaborn", "PIL"}:
            raise ImportError(f"{name} is not installed here")
sys.meta_path.insert(0, Block())
"""


@pytest.mark.parametrize(
    "module",
    [
        "helpers",
        "helpers.steps",
        "helpers.exercises",
        "helpers.minilm",
        "helpers.experiments",
        "helpers.describe",
        "helpers.training",
    ],
)
def test_imports_without_matplotlib_or_ipywidgets(module):
    code = (
        BLOCK
        + f"import {module}\nimport helpers.steps as s\nprint(s.attention_step(__import__('helpers.embeddings').embeddings.toy_vectors(), 'money bank', 1.0).weights.shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 2)"


def test_the_block_really_blocks():
    done = subprocess.run(
        [sys.executable, "-c", BLOCK + "import helpers.widgets"], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "is not installed here" in done.stderr


# each module may import only the modules below it
LAYERS = {
    "checks": set(),
    "attention": {"checks"},
    "positions": {"checks"},
    "training": {"attention", "checks", "positions"},
    "embeddings": {"attention", "checks"},
    "experiments": {"attention", "checks"},
    "minilm": {"attention"},
    "steps": {"attention", "checks", "embeddings", "experiments", "positions"},
    "describe": set(),
    "plots": {"describe"},
    "app": {"plots"},
    "implement": {"attention", "checks", "positions", "minilm"},
    "exercises": {
        "attention",
        "checks",
        "embeddings",
        "experiments",
        "steps",
        "minilm",
        "implement",
        "positions",
        "training",
    },
    "widgets": {"plots", "steps", "app", "embeddings", "describe", "experiments", "training"},
}


def _helper_imports(path: Path) -> set:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
    return found


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_imports_point_down_only(module):
    assert _helper_imports(HELPERS / f"{module}.py") <= LAYERS[module]


def test_every_module_has_a_layer():
    assert {p.stem for p in HELPERS.glob("*.py")} - {"__init__"} == set(LAYERS)


def test_widgets_holds_only_builders():
    tree = ast.parse((HELPERS / "widgets.py").read_text(encoding="utf-8"))
    public = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")]
    assert public and all(name.endswith("_explorer") for name in public), public
