"""Shared fixtures: the word tables, the model, and a check that a blitted picture equals a full redraw."""

import inspect
import io
import re

import matplotlib

matplotlib.use("Agg")  # headless: widget callbacks and plots are tested without a browser

import numpy as np
import pytest


@pytest.fixture(scope="session")
def glove():
    from helpers.embeddings import load_glove

    return load_glove()


@pytest.fixture(scope="session")
def toy():
    from helpers.embeddings import toy_vectors

    return toy_vectors()


@pytest.fixture(scope="session")
def model():
    from helpers import minilm

    return minilm.load()


@pytest.fixture(scope="session")
def smollm2():
    from helpers.llm import load_smollm2

    return load_smollm2()


def png_pixels(png: bytes) -> np.ndarray:
    """PNG bytes -> (height, width, 4) RGBA pixels."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.fixture
def assert_blit_equals_full_redraw():
    """Apply control changes one by one; after each, the blitted PNG must equal a full redraw (to 1 level of 255)."""
    from helpers.app import figure_png

    def check(app, changes):
        assert app.dynamic is not None, "this widget does not blit"
        for name, value in changes:
            app.controls[name].value = value
            assert app.error is None, app.error
            blitted = png_pixels(app.image.value)
            for artist in app.figure.findobj():
                artist.set_animated(False)
            full = png_pixels(figure_png(app.figure))
            app.invalidate()  # the next update re-caches with the animated flags set again
            assert blitted.shape == full.shape
            assert np.abs(blitted.astype(int) - full.astype(int)).max() <= 1, (
                f"after {name}={value!r} the blitted picture differs"
            )

    return check


def pytest_make_parametrize_id(config, val, argname):
    """Readable test ids: a lambda by its body ("lambda s: s / s.sum()"), a list of control changes by its values."""
    if callable(val) and getattr(val, "__name__", "") == "<lambda>":
        try:
            found = re.search(r"lambda([^:]*):\s*(.*)", inspect.getsource(val))
        except (OSError, TypeError):
            return None
        return " ".join(found.group(0).split())[:60].rstrip(",") if found else None
    if isinstance(val, list) and val and all(isinstance(v, tuple) and len(v) == 2 for v in val):
        return ",".join(f"{k}={v!r}" for k, v in val)[:60]
    return None
