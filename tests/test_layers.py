"""The layers of helpers: the math and the steps import without matplotlib or ipywidgets; imports point down only."""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
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
        "helpers.llm",
        "helpers.experiments",
        "helpers.describe",
        "helpers.training",
    ],
)
def test_imports_without_matplotlib_or_ipywidgets(module):
    code = (
        BLOCK + f"import {module}\nimport helpers.steps as "
        "s\nprint(s.attention_step(__import__('helpers.embeddings').embeddings.toy_vectors(), 'money bank', "
        "1.0).weights.shape)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 2)"


def test_the_block_really_blocks():
    done = subprocess.run(
        [sys.executable, "-c", BLOCK + "import helpers.widgets"], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0 and "is not installed here" in done.stderr


# each module (or package) may import only the modules below it
LAYERS = {
    "checks": set(),
    "attention": {"checks"},
    "fast": {"attention", "checks"},
    "gradients": {"attention", "checks", "layers"},
    "blockwise": {"checks"},
    "positions": {"checks"},
    "layers": {"checks"},
    "files": set(),
    "training": {"attention", "gradients", "checks", "positions"},
    "embeddings": {"attention", "checks"},
    "experiments": {"attention", "blockwise", "checks"},
    "minilm": {"attention", "files", "layers"},
    "llm": {"attention", "checks", "files", "gpt", "layers", "positions"},
    "steps": {"attention", "blockwise", "checks", "embeddings", "experiments", "gpt", "positions"},
    "gpt": {"attention", "checks", "files", "gradients", "layers"},
    "describe": set(),
    "labels": set(),
    "plots": {"describe", "labels"},
    "standalone": set(),
    "app": {"plots", "standalone"},
    "exercises": {
        "attention",
        "blockwise",
        "checks",
        "embeddings",
        "experiments",
        "files",
        "gpt",
        "gradients",
        "layers",
        "minilm",
        "positions",
        "training",
    },
    "widgets": {"plots", "steps", "app", "checks", "embeddings", "describe", "experiments", "gpt", "training"},
}


def _files(module: str) -> list:
    package = HELPERS / module
    return sorted(package.glob("*.py")) if package.is_dir() else [HELPERS / f"{module}.py"]


def _helper_imports(module: str) -> set:
    """The helpers modules a module or package imports (a package's imports of its own modules left out)."""
    found = set()
    for path in _files(module):
        top = 1 if path.parent == HELPERS else 2  # the import level that reaches helpers/
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == top:
                found.update([node.module.split(".")[0]] if node.module else [a.name for a in node.names])
    return found


@pytest.mark.parametrize("module", sorted(LAYERS))
def test_imports_point_down_only(module):
    assert _helper_imports(module) <= LAYERS[module]


def test_every_module_has_a_layer():
    found = {p.stem for p in HELPERS.glob("*.py")} | {p.name for p in HELPERS.iterdir() if (p / "__init__.py").exists()}
    assert found - {"__init__"} == set(LAYERS)


def test_no_module_is_over_400_lines():
    long = {
        str(p.relative_to(HELPERS)): n for p in HELPERS.rglob("*.py") if (n := len(p.read_text().splitlines())) > 400
    }
    assert not long, f"split these modules (one job each): {long}"


def test_widgets_holds_only_builders():
    public = []
    for path in _files("widgets"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        public += [
            n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef) and not n.name.startswith("_")
        ]
    assert public and all(name.endswith("_explorer") for name in public), public


def test_gelu_and_layer_norm_take_whole_numbers_as_numbers():
    """An int array is not rounded on the way: gelu's sqrt(2) stays sqrt(2), and LayerNorm's eps stays 1e-12, so a
    constant row of ints gives zeros (it gave NaN when eps was cast to the row's int type)."""
    from helpers.layers import gelu, layer_norm

    ints, floats = np.array([1, 2, -1]), np.array([1.0, 2.0, -1.0])
    np.testing.assert_allclose(gelu(ints), gelu(floats))
    np.testing.assert_allclose(gelu(ints), [0.841345, 1.954500, -0.158655], atol=1e-6)  # x * Phi(x)
    np.testing.assert_allclose(gelu(ints, approximate=True), gelu(floats, approximate=True))
    out = layer_norm(np.array([[3, 3, 3], [1, 2, 3]]), np.ones(3), np.zeros(3))
    assert np.isfinite(out).all() and np.allclose(out[0], 0) and np.allclose(out[1], [-1.2247449, 0, 1.2247449])


def test_layer_norm_of_huge_or_half_precision_rows_stays_finite():
    from helpers.layers import layer_norm

    want = [1.2247449, -1.2247449, 0.0]
    np.testing.assert_allclose(layer_norm(np.array([[1e200, -1e200, 0.0]]), np.ones(3), np.zeros(3))[0], want)
    half = layer_norm(np.array([[300.0, -300.0, 0.0]], dtype=np.float16), np.ones(3), np.zeros(3))
    np.testing.assert_allclose(half[0], want, rtol=1e-3)  # float16's 300**2 would overflow: computed in float32


@pytest.mark.parametrize(
    "call",
    [
        lambda: __import__("helpers").sliding_window_mask(np.int64(6), np.int64(3), sinks=np.int64(1)),
        lambda: __import__("helpers").gpt.lr_at(np.int64(5), np.int64(100), 1e-3, np.int64(10)),
        lambda: __import__("helpers").gpt.heads.repeated_snippets(np.arange(200) % 7, np.int64(5), np.int64(2)),
    ],
)
def test_numpy_integers_are_accepted_as_sizes(call):
    call()  # no TypeError: np.int64(6) is a whole number like 6
