"""helpers.experiments: the seeded experiments behind the scaling pictures."""

import numpy as np
import pytest

import helpers as h
from helpers import experiments


def test_dot_product_variance_is_d_k():
    v = experiments.dot_product_variance([1, 16, 256], n_samples=40_000, seed=3)
    np.testing.assert_allclose(v / [1, 16, 256], 1.0, rtol=0.05)


def test_saturation_without_scaling_collapses_and_scaling_fixes_it():
    d_ks = [1, 64, 1024]
    raw = experiments.saturation(d_ks, scaled=False, seed=1)
    scaled = experiments.saturation(d_ks, scaled=True, seed=1)
    assert raw["entropy"][0] > 2 * raw["entropy"][-1]
    assert raw["max_weight"][-1] > 0.9 and raw["gradient"][-1] < 0.2
    assert np.ptp(scaled["entropy"]) < 0.3  # about the same at every size
    np.testing.assert_allclose(raw["entropy"][0], scaled["entropy"][0])  # d_k = 1: scaling by 1 changes nothing


def test_softmax_jacobian_matches_finite_differences():
    s = np.array([0.3, -1.0, 2.0])
    w = h.softmax(s)
    J = experiments.softmax_jacobian(w)
    eps = 1e-6
    for j in range(3):
        ds = np.zeros(3)
        ds[j] = eps
        np.testing.assert_allclose((h.softmax(s + ds) - h.softmax(s - ds)) / (2 * eps), J[:, j], atol=1e-8)


def test_random_query_keys_are_seeded():
    a = experiments.random_query_keys(8, 4, seed=2)
    b = experiments.random_query_keys(8, 4, seed=2)
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError):
        experiments.random_query_keys(0, 4)
