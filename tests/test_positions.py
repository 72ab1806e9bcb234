"""Position encodings against loops, their properties (RoPE keeps norms; scores depend only on offsets), bad input."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers as h


@pytest.mark.parametrize("n, d, base", [(1, 1, 10000.0), (5, 4, 10000.0), (7, 5, 100.0), (3, 8, 2.0)])
def test_positional_encoding_matches_the_formula_in_loops(n, d, base):
    pe = h.positional_encoding(n, d, base)
    assert pe.shape == (n, d)
    for p in range(n):
        for j in range(d):
            i = j // 2
            angle = p / base ** (2 * i / d)
            assert pe[p, j] == pytest.approx(math.sin(angle) if j % 2 == 0 else math.cos(angle), abs=1e-12)


def test_odd_d_ends_with_a_sine_and_n_zero_is_empty():
    pe = h.positional_encoding(3, 5)
    np.testing.assert_allclose(pe[:, 4], np.sin(np.arange(3) / 10000 ** (4 / 5)))
    assert h.positional_encoding(0, 4).shape == (0, 4)


def test_sinusoidal_dot_product_depends_only_on_the_offset():
    pe = h.positional_encoding(40, 16)
    for k in (1, 5):
        dots = [pe[p] @ pe[p + k] for p in range(30)]
        np.testing.assert_allclose(dots, dots[0], atol=1e-9)


def rope_loop(X, positions, base=10000.0):
    n, d = X.shape
    out = np.zeros_like(X)
    for r in range(n):
        for i in range(d // 2):
            a = positions[r] * base ** (-2 * i / d)
            x0, x1 = X[r, 2 * i], X[r, 2 * i + 1]
            out[r, 2 * i] = x0 * math.cos(a) - x1 * math.sin(a)
            out[r, 2 * i + 1] = x0 * math.sin(a) + x1 * math.cos(a)
    return out


@pytest.mark.parametrize("n, d", [(1, 2), (4, 6), (6, 8)])
def test_rope_matches_loops(n, d):
    X = np.random.default_rng([n, d]).normal(size=(n, d))
    np.testing.assert_allclose(h.apply_rope(X), rope_loop(X, list(range(n))), atol=1e-12)
    pos = [3.0, 7.5, 0.0, 2.0, 9.0, 1.0][:n]
    np.testing.assert_allclose(h.apply_rope(X, pos), rope_loop(X, pos), atol=1e-12)


def test_rope_batch_and_float32():
    X = np.random.default_rng(1).normal(size=(2, 3, 4)).astype(np.float32)
    out = h.apply_rope(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[1], rope_loop(X[1].astype(float), [0, 1, 2]), atol=1e-5)


@settings(max_examples=50, deadline=None)
@given(m=st.integers(0, 200), n=st.integers(0, 200), shift=st.integers(-50, 50), seed=st.integers(0, 1000))
def test_rope_keeps_norms_and_scores_depend_only_on_the_offset(m, n, shift, seed):
    r = np.random.default_rng(seed)
    q, k = r.normal(size=(1, 8)), r.normal(size=(1, 8))
    qm, kn = h.apply_rope(q, [m]), h.apply_rope(k, [n])
    np.testing.assert_allclose(np.linalg.norm(qm), np.linalg.norm(q), rtol=1e-12)
    moved = (h.apply_rope(q, [m + shift]) @ h.apply_rope(k, [n + shift]).T)[0, 0]
    assert moved == pytest.approx((qm @ kn.T)[0, 0], abs=1e-9)


def test_attention_is_blind_to_order_permutation_equivariance():
    X = np.random.default_rng(2).normal(size=(5, 4))
    order = [3, 0, 4, 1, 2]
    Y, _ = h.self_attention(X)
    Y_perm, _ = h.self_attention(h.permute(X, order))
    np.testing.assert_allclose(Y_perm, Y[order], atol=1e-12)
    P = h.positional_encoding(5, 4)  # with positions added, the same permutation gives other vectors
    Y_pos, _ = h.self_attention(X + P)
    Y_pos_perm, _ = h.self_attention(h.permute(X, order) + P)
    assert not np.allclose(Y_pos_perm, Y_pos[order])


@pytest.mark.parametrize(
    "call, err, words",
    [
        (lambda: h.positional_encoding(-1, 4), ValueError, "at least 0"),
        (lambda: h.positional_encoding(3, 0), ValueError, "at least 1"),
        (lambda: h.positional_encoding(3, 4, base=0), ValueError, "> 0"),
        (lambda: h.positional_encoding(2.5, 4), TypeError, "whole number"),
        (lambda: h.apply_rope(np.ones((3, 5))), ValueError, "even"),
        (lambda: h.apply_rope(np.ones((3, 4)), [0, 1]), ValueError, r"shape \(3,\)"),
        (lambda: h.apply_rope(np.ones((3, 4)), [0, np.nan, 2]), ValueError, "NaN"),
        (lambda: h.apply_rope(np.ones((3, 4)), base=-1.0), ValueError, "> 0"),
        (lambda: h.permute(np.ones((3, 2)), [0, 0, 1]), ValueError, "each of the 3 positions once"),
    ],
)
def test_bad_input(call, err, words):
    with pytest.raises(err, match=words):
        call()


def test_word_order_step_moves_the_first_word_and_encodes_positions(glove):
    from helpers.steps import word_order_step

    none = [word_order_step(glove, "dog bites man", p, "none") for p in range(3)]
    assert [s.words for s in none] == [["dog", "bites", "man"], ["bites", "dog", "man"], ["bites", "man", "dog"]]
    # without positions, moving a word only moves its row and column
    np.testing.assert_allclose(
        none[2].weights, none[0].weights[np.ix_([1, 2, 0], [1, 2, 0])], rtol=1e-5
    )  # float32 GloVe
    sin = [word_order_step(glove, "dog bites man", p, "sinusoidal") for p in range(3)]
    assert not np.allclose(sin[2].weights, sin[0].weights[np.ix_([1, 2, 0], [1, 2, 0])])
    _, X = glove.embed("dog bites man")
    np.testing.assert_allclose(sin[2].vector, X[0] + h.positional_encoding(3, 50)[2], rtol=1e-6)
    np.testing.assert_allclose(
        word_order_step(glove, "dog bites man", 1, "rotary").vector, h.apply_rope(X[[1, 0, 2]])[1], rtol=1e-6
    )


def test_pca_positions_keep_neighbours_alike(model):
    P = h.positions.pca_positions(model.position_embeddings[:64], 50)
    assert P.shape == (64, 50)
    np.testing.assert_allclose(np.linalg.norm(P, axis=1).mean(), 5.0)
    C = h.cosine_similarity(P)
    assert np.mean([C[p, p + 1] for p in range(1, 63)]) > np.mean([C[p, p + 20] for p in range(1, 44)]) + 0.3
