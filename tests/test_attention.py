"""The attention math against naive loops, its properties, its stability and its errors."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import helpers as h
from tests import reference as ref

RNG_SEED = 20261128
SHAPES_2D = [(1, 1), (1, 5), (3, 2), (4, 4), (7, 3), (6, 16)]
BATCHES = [(), (2,), (2, 3)]


def rng(*salt):
    return np.random.default_rng([RNG_SEED, *salt])


# ---------------------------------------------------------------- softmax
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n", [1, 2, 5, 9])
@pytest.mark.parametrize("temperature", [0.25, 1.0, 3.0])
def test_softmax_matches_loops(batch, n, temperature):
    s = rng(n, len(batch)).normal(scale=3, size=batch + (n,))
    np.testing.assert_allclose(
        h.softmax(s, temperature=temperature), ref.softmax(s, temperature), rtol=1e-12, atol=1e-15
    )


def test_softmax_other_axis_is_the_transpose():
    s = rng(1).normal(size=(4, 6))
    np.testing.assert_allclose(h.softmax(s, axis=0), ref.softmax(s.T).T, rtol=1e-12)


@pytest.mark.parametrize("big", [1e4, -1e4, 1e6])
def test_softmax_stable_for_huge_scores(big):
    s = np.array([[big, big - 1.0, 0.0, -big], [big, big, big, big]])
    w = h.softmax(s)
    assert np.isfinite(w).all()
    np.testing.assert_allclose(w.sum(-1), 1.0)
    np.testing.assert_allclose(w[1], 0.25)
    if big > 0:
        np.testing.assert_allclose(w[0, :2], [1 / (1 + np.exp(-1)), np.exp(-1) / (1 + np.exp(-1))])


@settings(max_examples=60, deadline=None)
@given(
    s=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=6), elements=st.floats(-1e4, 1e4)),
    t=st.floats(1e-3, 1e3),
)
def test_softmax_properties(s, t):
    w = h.softmax(s, temperature=t)
    assert w.shape == s.shape
    assert np.isfinite(w).all() and (w >= 0).all() and (w <= 1).all()
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-9)
    # order is kept: a larger score never gets a smaller weight
    i = np.argmax(s, axis=-1)[..., None]
    assert (np.take_along_axis(w, i, -1) >= w - 1e-15).all()


def test_softmax_temperature_extremes():
    s = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(h.softmax(s, temperature=1e-3), [0, 0, 1], atol=1e-12)
    np.testing.assert_allclose(h.softmax(s, temperature=1e3), [1 / 3] * 3, atol=1e-3)


def test_softmax_neg_inf_means_masked():
    w = h.softmax([[0.0, -np.inf, 1.0]])
    assert w[0, 1] == 0.0
    np.testing.assert_allclose(w[0, [0, 2]], ref.softmax_row([0.0, 1.0]))


def test_softmax_float32_stays_float32():
    w = h.softmax(np.ones((3, 4), np.float32), temperature=np.float64(2.0))
    assert w.dtype == np.float32


def test_softmax_does_not_modify_input():
    s = np.array([[1.0, 2.0, 3.0]])
    keep = s.copy()
    h.softmax(s, temperature=0.5)
    np.testing.assert_array_equal(s, keep)


@pytest.mark.parametrize(
    "scores, kwargs, err, words",
    [
        ([1.0, np.nan], {}, ValueError, "NaN"),
        ([1.0, np.inf], {}, ValueError, "inf"),
        ([], {}, ValueError, "empty"),
        (np.zeros((2, 0)), {}, ValueError, "empty"),
        (["a", "b"], {}, TypeError, "numeric"),
        ([True, False], {}, TypeError, "boolean"),
        ([[1.0, 2.0], [1.0]], {}, TypeError, "numeric"),
        ([1.0, 2.0], {"temperature": 0}, ValueError, "temperature"),
        ([1.0, 2.0], {"temperature": -1.0}, ValueError, "temperature"),
        ([1.0, 2.0], {"temperature": np.inf}, ValueError, "temperature"),
        ([1.0, 2.0], {"temperature": "hot"}, TypeError, "temperature"),
        ([1.0, 2.0], {"axis": 3}, ValueError, "axis"),
        ([[-np.inf, -np.inf], [0.0, 1.0]], {}, ValueError, "masked"),
    ],
)
def test_softmax_bad_input(scores, kwargs, err, words):
    with pytest.raises(err, match=words):
        h.softmax(scores, **kwargs)


# ---------------------------------------------------------------- dot_similarity
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n_a, n_b, d", [(1, 1, 1), (3, 4, 2), (5, 2, 7)])
def test_dot_similarity_matches_loops(batch, n_a, n_b, d):
    r = rng(n_a, n_b, d, len(batch))
    A, B = r.normal(size=batch + (n_a, d)), r.normal(size=batch + (n_b, d))
    np.testing.assert_allclose(h.dot_similarity(A, B), ref.dot_similarity(A, B), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h.dot_similarity(A), ref.dot_similarity(A, A), rtol=1e-12, atol=1e-12)


def test_dot_similarity_article_example():
    A, B, C = [3, 1, 2], [2, 3, 6], [1, 2, 3]  # notebook 03's worked example
    assert h.dot_similarity([A, B], [C]).tolist() == [[11.0], [26.0]]
    assert h.dot_similarity([[2, 3, 4]], [[1, 2, 5]])[0, 0] == 28


def test_dot_similarity_symmetric_and_float32():
    X = rng(2).normal(size=(5, 3)).astype(np.float32)
    S = h.dot_similarity(X)
    assert S.dtype == np.float32
    np.testing.assert_array_equal(S, S.T)


@pytest.mark.parametrize(
    "A, B, err, words",
    [
        (np.ones((2, 3)), np.ones((2, 4)), ValueError, r"\(2, 3\).*\(2, 4\)"),
        (np.ones(3), None, ValueError, r"\(n, d\)"),
        (np.ones((0, 3)), None, ValueError, "empty"),
        (np.array([[1.0, np.nan]]), None, ValueError, "NaN"),
        (np.ones((2, 2, 3)), np.ones((3, 2, 3)), ValueError, "batch"),
    ],
)
def test_dot_similarity_bad_input(A, B, err, words):
    with pytest.raises(err, match=words):
        h.dot_similarity(A, B)


# ---------------------------------------------------------------- contextual_embeddings
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n, d", [(1, 1), (3, 4), (6, 2)])
def test_contextual_embeddings_matches_loops(batch, n, d):
    r = rng(n, d, len(batch), 7)
    X = r.normal(size=batch + (n, d))
    W = r.random(size=batch + (n, n))
    W /= W.sum(-1, keepdims=True)
    got = h.contextual_embeddings(X, W)
    for idx in np.ndindex(batch):
        np.testing.assert_allclose(got[idx], ref.weighted_sum(W[idx], X[idx]), rtol=1e-12, atol=1e-12)


def test_contextual_embeddings_article_example():
    X = np.array([[0.9, 0.1], [0.6, 0.2], [0.3, 0.8]])  # money, bank, grows
    new_bank = h.contextual_embeddings(X, [[0.2, 0.7, 0.1]])
    np.testing.assert_allclose(new_bank, [[0.2 * 0.9 + 0.7 * 0.6 + 0.1 * 0.3, 0.2 * 0.1 + 0.7 * 0.2 + 0.1 * 0.8]])


@pytest.mark.parametrize(
    "W, words",
    [
        ([[0.5, 0.6], [0.5, 0.5]], "sum to 1"),
        ([[1.5, -0.5], [0.5, 0.5]], ">= 0"),
        ([[1.0, 0.0, 0.0]], "columns"),
        ([[np.nan, 1.0], [0.5, 0.5]], "NaN"),
    ],
)
def test_contextual_embeddings_bad_weights(W, words):
    with pytest.raises(ValueError, match=words):
        h.contextual_embeddings(np.ones((2, 3)), W)


# ---------------------------------------------------------------- self_attention
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n, d", SHAPES_2D)
@pytest.mark.parametrize("scale", [False, True])
def test_self_attention_matches_loops(batch, n, d, scale):
    X = rng(n, d, len(batch), 3).normal(size=batch + (n, d))
    out, w = h.self_attention(X, scaled=scale)
    ref_out, ref_w = ref.attention(X, X, X, scale=(1 / np.sqrt(d) if scale else 1.0))
    np.testing.assert_allclose(w, ref_w, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 5)), elements=st.floats(-5, 5)),
    seed=st.integers(0, 2**16),
)
def test_self_attention_permutation_equivariant(X, seed):
    perm = np.random.default_rng(seed).permutation(X.shape[0])
    out, w = h.self_attention(X)
    out_p, w_p = h.self_attention(X[perm])
    np.testing.assert_allclose(out_p, out[perm], atol=1e-12)
    np.testing.assert_allclose(w_p, w[np.ix_(perm, perm)], atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    X=hnp.arrays(np.float64, st.tuples(st.integers(1, 7), st.integers(1, 5)), elements=st.floats(-5, 5)),
    seed=st.integers(0, 2**16),
)
def test_self_attention_output_in_convex_hull(X, seed):
    out, w = h.self_attention(X)
    np.testing.assert_allclose(w.sum(-1), 1.0)
    assert (w >= 0).all()
    # in the convex hull: along any direction u, no output goes beyond the furthest input
    U = np.random.default_rng(seed).normal(size=(16, X.shape[1]))
    assert ((out @ U.T) <= (X @ U.T).max(axis=0) + 1e-9).all()
    assert ((out @ U.T) >= (X @ U.T).min(axis=0) - 1e-9).all()


def test_self_attention_identical_words_identical_outputs():
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    out, w = h.self_attention(X)
    np.testing.assert_allclose(out[0], out[2])
    np.testing.assert_allclose(w[0], w[2])


def test_self_attention_float32_stays_float32():
    out, w = h.self_attention(np.ones((3, 4), np.float32), scaled=True)
    assert out.dtype == np.float32 and w.dtype == np.float32


# ---------------------------------------------------------------- scaled_dot_product_attention
@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n_q, n_k, d_k, d_v", [(1, 1, 1, 1), (3, 5, 4, 2), (5, 5, 8, 8), (2, 7, 3, 6)])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa_matches_loops(batch, n_q, n_k, d_k, d_v, scale):
    r = rng(n_q, n_k, d_k, d_v, len(batch))
    Q, K, V = r.normal(size=batch + (n_q, d_k)), r.normal(size=batch + (n_k, d_k)), r.normal(size=batch + (n_k, d_v))
    out, w = h.scaled_dot_product_attention(Q, K, V, scale=scale)
    ref_out, ref_w = ref.attention(Q, K, V, scale=scale)
    assert out.shape == batch + (n_q, d_v) and w.shape == batch + (n_q, n_k)
    np.testing.assert_allclose(w, ref_w, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_sdpa_causal_mask_matches_loops_and_zeroes(batch, n):
    r = rng(n, len(batch), 11)
    Q, K, V = (r.normal(size=batch + (n, 3)) for _ in range(3))
    mask = h.causal_mask(n)
    out, w = h.scaled_dot_product_attention(Q, K, V, mask=mask)
    ref_out, ref_w = ref.attention(Q, K, V, mask=mask)
    np.testing.assert_allclose(w, ref_w, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)
    assert (w[..., ~mask] == 0.0).all()  # exactly zero, not merely small
    np.testing.assert_allclose(w.sum(-1), 1.0)


def test_sdpa_padding_mask_per_sequence():
    r = rng(5)
    Q, K, V = (r.normal(size=(2, 4, 3)) for _ in range(3))
    lengths = [4, 2]
    key_ok = np.arange(4)[None, :] < np.array(lengths)[:, None]  # (batch, n_k)
    mask = key_ok[:, None, :]  # (batch, 1, n_k): broadcast over queries
    out, w = h.scaled_dot_product_attention(Q, K, V, mask=mask)
    assert (w[1, :, 2:] == 0).all()
    ref_out, ref_w = ref.attention(Q, K, V, mask=np.broadcast_to(mask, (2, 4, 4)))
    np.testing.assert_allclose(w, ref_w, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(out, ref_out, rtol=1e-10, atol=1e-12)
    # padded keys cannot change anything: garbage in their rows has no effect
    K2, V2 = K.copy(), V.copy()
    K2[1, 2:] = 100.0
    V2[1, 2:] = -100.0
    out2, _ = h.scaled_dot_product_attention(Q, K2, V2, mask=mask)
    np.testing.assert_allclose(out2, out, atol=1e-12)


def test_sdpa_large_logits_stay_finite():
    Q = np.array([[100.0, 0.0], [0.0, 100.0]])  # scores of 1e4 / sqrt(2)
    K = Q.copy()
    V = np.array([[1.0, 2.0], [3.0, 4.0]])
    out, w = h.scaled_dot_product_attention(Q, K, V, scale=1.0)
    assert np.isfinite(out).all() and np.isfinite(w).all()
    np.testing.assert_allclose(w, np.eye(2), atol=1e-300)


def test_sdpa_float32_end_to_end():
    r = rng(6)
    Q, K, V = (r.normal(size=(4, 8)).astype(np.float32) for _ in range(3))
    out, w = h.scaled_dot_product_attention(Q, K, V, mask=h.causal_mask(4))
    assert out.dtype == np.float32 and w.dtype == np.float32
    ref_out, _ = ref.attention(Q, K, V, mask=h.causal_mask(4))
    np.testing.assert_allclose(out, ref_out, rtol=1e-5, atol=1e-6)


def test_sdpa_inputs_untouched():
    r = rng(7)
    Q, K, V = (r.normal(size=(3, 2)) for _ in range(3))
    mask = h.causal_mask(3)
    keep = [a.copy() for a in (Q, K, V, mask)]
    h.scaled_dot_product_attention(Q, K, V, mask=mask)
    for a, b in zip((Q, K, V, mask), keep):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "shapes, mask, kwargs, err, words",
    [
        (((2, 3), (2, 4), (2, 4)), None, {}, ValueError, "d_k"),
        (((2, 3), (4, 3), (5, 3)), None, {}, ValueError, "n_k"),
        (((0, 3), (2, 3), (2, 3)), None, {}, ValueError, "empty"),
        (((2, 3), (2, 3), (2, 3)), np.ones((2, 2), int), {}, TypeError, "boolean"),
        (((2, 3), (2, 3), (2, 3)), np.ones((3, 3), bool), {}, ValueError, "broadcast"),
        (((2, 3), (2, 3), (2, 3)), np.array([[True, False], [False, False]]), {}, ValueError, "masked"),
        (((2, 3), (2, 3), (2, 3)), None, {"scale": 0.0}, ValueError, "scale"),
        (((2, 3), (2, 3), (2, 3)), None, {"scale": np.nan}, ValueError, "scale"),
    ],
)
def test_sdpa_bad_input(shapes, mask, kwargs, err, words):
    Q, K, V = (np.ones(s) for s in shapes)
    with pytest.raises(err, match=words):
        h.scaled_dot_product_attention(Q, K, V, mask=mask, **kwargs)


def test_sdpa_overflow_is_an_error_not_nan():
    big = np.full((2, 2), 1e200)
    with pytest.raises(ValueError, match="overflow"):
        h.scaled_dot_product_attention(big, big, big)


# ---------------------------------------------------------------- causal_mask
@pytest.mark.parametrize("n", [1, 2, 5, 9])
def test_causal_mask_matches_loops(n):
    m = h.causal_mask(n)
    assert m.dtype == np.bool_ and m.shape == (n, n)
    for i, j in itertools.product(range(n), range(n)):
        assert m[i, j] == (j <= i)


@pytest.mark.parametrize("n, err", [(0, ValueError), (-2, ValueError), (2.5, TypeError), ("3", TypeError)])
def test_causal_mask_bad_n(n, err):
    with pytest.raises(err, match="n"):
        h.causal_mask(n)


# ---------------------------------------------------------------- multi_head_attention
def mha_inputs(batch, n, d_model, salt=0):
    r = rng(n, d_model, len(batch), salt, 13)
    X = r.normal(size=batch + (n, d_model))
    Ws = [r.normal(scale=d_model**-0.5, size=(d_model, d_model)) for _ in range(4)]
    return X, Ws


@pytest.mark.parametrize("batch", BATCHES)
@pytest.mark.parametrize("n, d_model, n_heads", [(1, 2, 1), (3, 4, 2), (5, 6, 3), (4, 8, 8), (6, 12, 4)])
@pytest.mark.parametrize("causal", [False, True])
def test_mha_matches_loop_over_heads(batch, n, d_model, n_heads, causal):
    X, Ws = mha_inputs(batch, n, d_model)
    mask = h.causal_mask(n) if causal else None
    out, w = h.multi_head_attention(X, *Ws, n_heads=n_heads, mask=mask)
    assert out.shape == batch + (n, d_model) and w.shape == batch + (n_heads, n, n)
    for idx in np.ndindex(batch):
        ref_out, ref_w = ref.multi_head_attention_2d(X[idx], *Ws, n_heads, mask)
        np.testing.assert_allclose(out[idx], ref_out, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(w[idx], ref_w, rtol=1e-10, atol=1e-13)


def test_mha_one_head_is_sdpa_with_projections():
    X, (W_q, W_k, W_v, W_o) = mha_inputs((), 5, 4, salt=1)
    out, w = h.multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=1)
    o1, w1 = h.scaled_dot_product_attention(X @ W_q, X @ W_k, X @ W_v)
    np.testing.assert_allclose(w[0], w1, atol=1e-14)
    np.testing.assert_allclose(out, o1 @ W_o, atol=1e-14)


def test_mha_padding_mask_per_sequence_in_batch():
    X, Ws = mha_inputs((2,), 4, 6, salt=2)
    key_ok = np.array([[True] * 4, [True, True, False, False]])
    mask = key_ok[
        :, None, None, :
    ]  # (batch, 1 head axis, 1 query axis, n keys): one mask per sentence, shared by the heads
    out, w = h.multi_head_attention(X, *Ws, n_heads=3, mask=mask)
    assert (w[1, :, :, 2:] == 0).all()
    ref_out, _ = ref.multi_head_attention_2d(X[1], *Ws, 3, np.broadcast_to(key_ok[1], (4, 4)))
    np.testing.assert_allclose(out[1], ref_out, atol=1e-12)


def test_mha_mask_broadcasts_against_batch_heads_queries_keys():
    # batch == n_heads == 2: a 3-D mask could mean one per sentence or one per head, so it is refused
    X, Ws = mha_inputs((2,), 4, 6, salt=5)
    per_head = np.stack([h.causal_mask(4), np.ones((4, 4), dtype=bool)])  # head 0 causal, head 1 sees all
    with pytest.raises(ValueError, match="ambiguous"):
        h.multi_head_attention(X, *Ws, n_heads=2, mask=per_head)
    with pytest.raises(ValueError, match="ambiguous"):
        h.multi_head_attention_loop(X, *Ws, n_heads=2, mask=per_head)
    # spelled out, each meaning gives what loops over sentences and heads give
    _, w_heads = h.multi_head_attention(X, *Ws, n_heads=2, mask=per_head[None])  # (1, n_heads, n, n)
    _, w_sents = h.multi_head_attention(X, *Ws, n_heads=2, mask=per_head[:, None])  # (batch, 1, n, n)
    for b in range(2):
        for head in range(2):
            _, w_ref = ref.multi_head_attention_2d(X[b], *Ws, 2, per_head[head])
            np.testing.assert_allclose(w_heads[b, head], w_ref[head], atol=1e-12)
            _, w_ref = ref.multi_head_attention_2d(X[b], *Ws, 2, per_head[b])
            np.testing.assert_allclose(w_sents[b, head], w_ref[head], atol=1e-12)
    # an unbatched X: a 3-D mask is one per head, without ambiguity
    _, w = h.multi_head_attention(X[0], *Ws, n_heads=2, mask=per_head)
    assert (w[0][~h.causal_mask(4)] == 0).all() and (w[1] > 0).all()


def test_mha_split_merge_roundtrip():
    M = np.arange(2 * 3 * 8, dtype=float).reshape(2, 3, 8)
    parts = h.split_heads(M, 4)
    assert parts.shape == (2, 4, 3, 2)
    np.testing.assert_array_equal(parts[:, 1], M[:, :, 2:4])  # head 1 = contiguous features 2..3
    np.testing.assert_array_equal(h.merge_heads(parts), M)


@pytest.mark.parametrize(
    "d_model, n_heads, w_shape, err, words",
    [
        (6, 4, None, ValueError, "divisible"),
        (6, 0, None, ValueError, "n_heads"),
        (6, 2.0, None, TypeError, "n_heads"),
        (6, 2, (6, 4), ValueError, r"W_q.*\(6, 6\)"),
    ],
)
def test_mha_bad_input(d_model, n_heads, w_shape, err, words):
    X, Ws = mha_inputs((), 3, d_model)
    if w_shape is not None:
        Ws[0] = np.ones(w_shape)
    with pytest.raises(err, match=words):
        h.multi_head_attention(X, *Ws, n_heads=n_heads)


def test_mha_float32_stays_float32():
    X, Ws = mha_inputs((), 4, 8)
    out, w = h.multi_head_attention(X.astype(np.float32), *[W.astype(np.float32) for W in Ws], n_heads=2)
    assert out.dtype == np.float32 and w.dtype == np.float32


def test_self_attention_overflow_is_an_error_not_nan():
    with pytest.raises(ValueError, match="overflow"):
        h.self_attention(np.full((2, 2), 1e200))


# ---------------------------------------------------------------- padding and entropy
def test_padding_mask_matches_loops():
    m = h.padding_mask([3, 1, 4], 4)
    assert m.shape == (3, 1, 4) and m.dtype == np.bool_
    for b, length in enumerate([3, 1, 4]):
        for j in range(4):
            assert m[b, 0, j] == (j < length)


@pytest.mark.parametrize(
    "lengths, n, err", [([0, 2], 3, ValueError), ([4], 3, ValueError), ([], 3, TypeError), ([1.5], 3, TypeError)]
)
def test_padding_mask_bad_input(lengths, n, err):
    with pytest.raises(err):
        h.padding_mask(lengths, n)


def test_pad_batch():
    a, b = np.ones((3, 2)), 2 * np.ones((1, 2))
    batch, lengths = h.pad_batch([a, b])
    assert batch.shape == (2, 3, 2) and lengths.tolist() == [3, 1]
    np.testing.assert_array_equal(batch[1], [[2, 2], [0, 0], [0, 0]])
    with pytest.raises(ValueError, match="same d"):
        h.pad_batch([np.ones((2, 2)), np.ones((2, 3))])
    with pytest.raises(ValueError, match="empty"):
        h.pad_batch([])


def test_entropy_matches_loops_and_is_never_negative_zero():
    W = np.array([[0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [0.2, 0.3, 0.5]])
    expected = [-sum(p * np.log(p) for p in row if p > 0) for row in W]
    got = h.entropy(W)
    np.testing.assert_allclose(got, expected)
    assert not np.signbit(got[1])  # a one-hot row prints 0.00, not -0.00


# ---------------------------------------------------------------- the loop reference
@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize("n, d_model, n_heads", [(3, 4, 2), (5, 6, 3), (4, 8, 8)])
def test_mha_loop_equals_vectorised_and_reference(batch, n, d_model, n_heads):
    r = np.random.default_rng([n, d_model, n_heads])
    X = r.normal(size=batch + (n, d_model))
    Ws = [r.normal(size=(d_model, d_model)) / np.sqrt(d_model) for _ in range(4)]
    out_v, w_v = h.multi_head_attention(X, *Ws, n_heads=n_heads, mask=h.causal_mask(n))
    out_l, w_l = h.multi_head_attention_loop(X, *Ws, n_heads=n_heads, mask=h.causal_mask(n))
    np.testing.assert_allclose(out_l, out_v, rtol=0, atol=1e-12)
    np.testing.assert_allclose(w_l, w_v, rtol=0, atol=1e-12)
    if not batch:
        ref_out, _ = ref.multi_head_attention_2d(X, *Ws, n_heads, h.causal_mask(n))
        np.testing.assert_allclose(out_l, ref_out, atol=1e-12)


def test_mha_loop_bad_heads():
    with pytest.raises(ValueError, match="divisible"):
        h.multi_head_attention_loop(np.ones((2, 6)), *[np.eye(6)] * 4, n_heads=4)


def test_mha_biases_are_added_after_each_projection():
    r = np.random.default_rng(9)
    X = r.normal(size=(4, 6))
    Ws = [r.normal(size=(6, 6)) for _ in range(4)]
    b = {k: r.normal(size=6) for k in ("b_q", "b_k", "b_v", "b_o")}
    out, w = h.multi_head_attention(X, *Ws, n_heads=2, biases=b)
    no_bias_out, _ = ref.multi_head_attention_2d(X, *Ws, 2)
    Q, K, V = X @ Ws[0] + b["b_q"], X @ Ws[1] + b["b_k"], X @ Ws[2] + b["b_v"]
    heads = [ref.attention_2d(Q[:, s], K[:, s], V[:, s]) for s in (slice(0, 3), slice(3, 6))]
    expected = np.concatenate([o for o, _ in heads], axis=1) @ Ws[3] + b["b_o"]
    np.testing.assert_allclose(out, expected, atol=1e-12)
    np.testing.assert_allclose(w, np.stack([wh for _, wh in heads]), atol=1e-12)
    assert not np.allclose(out, no_bias_out)  # the biases matter
    with pytest.raises(ValueError, match="b_q"):
        h.multi_head_attention(X, *Ws, n_heads=2, biases={"b_q": np.ones(5)})
    with pytest.raises(ValueError, match="unknown bias"):
        h.multi_head_attention(X, *Ws, n_heads=2, biases={"bias": np.ones(6)})
