"""helpers.layers: LayerNorm against a loop over rows, GELU and erf against Python's math.erf."""

import math

import numpy as np
import pytest

import helpers as h
from helpers import layers
from tests.learner_answers import right_layer_norm


@pytest.mark.parametrize("shape", [(1, 4), (3, 8), (2, 3, 5)])
@pytest.mark.parametrize("eps", [1e-12, 1e-5])
def test_layer_norm_matches_a_loop_over_rows(shape, eps):
    r = np.random.default_rng(list(shape))
    x = r.normal(2.0, 3.0, size=shape)
    gamma, beta = r.normal(size=shape[-1]), r.normal(size=shape[-1])
    np.testing.assert_allclose(h.layer_norm(x, gamma, beta, eps), right_layer_norm(x, gamma, beta, eps), atol=1e-12)


def test_layer_norm_properties():
    r = np.random.default_rng(1)
    y = h.layer_norm(r.normal(5.0, 10.0, size=(4, 16)), np.ones(16), np.zeros(16), 1e-12)
    np.testing.assert_allclose(y.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(-1), 1, atol=1e-9)
    assert (
        h.layer_norm(np.ones((2, 3), np.float32), np.ones(3, np.float32), np.zeros(3, np.float32)).dtype == np.float32
    )
    np.testing.assert_array_equal(h.layer_norm(np.full((1, 3), 7.0), np.ones(3), np.zeros(3), 1e-5), 0)  # eps: no NaN


def test_erf_and_gelu_match_math_erf():
    x = np.linspace(-6, 6, 1201)
    np.testing.assert_allclose(layers.erf(x), [math.erf(v) for v in x], atol=2e-7)
    np.testing.assert_allclose(h.gelu(x), [v * 0.5 * (1 + math.erf(v / math.sqrt(2))) for v in x], atol=2e-7)
    assert h.gelu(np.ones(2, np.float32)).dtype == np.float32
