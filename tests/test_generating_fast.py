"""Generating fast: the key/value cache equals the full forward pass at every step, grouped-query attention equals
multi-head attention with each group's keys and values repeated, and sliding windows against loops."""

import numpy as np
import pytest

import helpers as h
from helpers import gpt
from helpers.exercises import check_exercise
from tests.learner_answers import attend_before_appending, right_attend_with_cache


@pytest.fixture(scope="module")
def model64():
    m = gpt.load_tiny_gpt()
    return gpt.TinyGPT({k: v.astype(np.float64) for k, v in m.params.items()}, m.tokenizer.vocab)


# ---------------------------------------------------------------- grouped-query attention
@pytest.mark.parametrize("n_heads, n_kv", [(4, 4), (4, 2), (4, 1), (6, 3)])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_gqa_equals_mha_with_repeated_keys_and_values_and_a_loop(n_heads, n_kv, batch):
    r = np.random.default_rng([n_heads, n_kv, len(batch)])
    Q = r.normal(size=batch + (n_heads, 5, 4))
    K, V = r.normal(size=batch + (n_kv, 7, 4)), r.normal(size=batch + (n_kv, 7, 3))
    mask = np.tri(5, 7, k=2, dtype=bool)
    out, weights = h.grouped_query_attention(Q, K, V, mask=mask)
    rep = n_heads // n_kv
    ref_out, ref_w = h.scaled_dot_product_attention(
        Q, np.repeat(K, rep, axis=-3), np.repeat(V, rep, axis=-3), mask=mask
    )
    np.testing.assert_allclose(out, ref_out, atol=1e-12)
    np.testing.assert_allclose(weights, ref_w, atol=1e-12)
    for head in range(n_heads):  # head by head, with its group's key/value head
        o, _ = h.scaled_dot_product_attention(
            Q[..., head, :, :], K[..., head // rep, :, :], V[..., head // rep, :, :], mask=mask
        )
        np.testing.assert_allclose(out[..., head, :, :], o, atol=1e-12)


@pytest.mark.parametrize(
    "shapes, words",
    [
        (((4, 3, 2), (3, 3, 2), (3, 3, 2)), "must divide"),
        (((4, 3, 2), (2, 3, 2), (1, 3, 2)), "same number of heads"),
        (((4, 3), (2, 3, 2), (2, 3, 2)), "Q must have"),
    ],
)
def test_gqa_bad_input(shapes, words):
    with pytest.raises(ValueError, match=words):
        h.grouped_query_attention(*(np.ones(s) for s in shapes))


# ---------------------------------------------------------------- sliding windows
@pytest.mark.parametrize("n, window, sinks", [(1, 1, 0), (6, 2, 0), (7, 3, 2), (5, 10, 1), (8, 1, 3)])
def test_sliding_window_mask_against_loops(n, window, sinks):
    loop = np.array([[j <= i and (i - j < window or j < sinks) for j in range(n)] for i in range(n)])
    np.testing.assert_array_equal(h.sliding_window_mask(n, window, sinks), loop)


@pytest.mark.parametrize("window, err", [(0, ValueError), (-2, ValueError), (1.5, TypeError)])
def test_a_window_of_zero_or_below_is_refused(window, err):
    with pytest.raises(err, match="window"):
        h.sliding_window_mask(4, window)


# ---------------------------------------------------------------- the cache
@pytest.mark.parametrize("window, sinks", [(None, 0), (8, 0), (8, 4), (16, 2)])
def test_cached_logits_equal_the_full_pass_at_every_step(model64, window, sinks):
    ids = model64.encode("I was going to the school and the teacher said that he would ")[:60]
    full = gpt.forward(model64.params, ids, window=window, sinks=sinks)[0]
    logits, cache = gpt.prefill(model64.params, ids[:10], window, sinks)
    np.testing.assert_allclose(logits, full[:10], atol=1e-10)
    for t in range(10, len(ids)):
        np.testing.assert_allclose(gpt.decode(model64.params, ids[t], cache), full[t], atol=1e-10)
    expected = 60 if window is None else sinks + window
    assert len(cache) == expected and cache.nbytes() == 2 * 3 * 4 * 32 * expected * 8  # K and V, layers, heads, d_head


def test_generate_with_and_without_the_cache_writes_the_same_text(model64):
    for temperature in (0, 1.0):
        with_cache = gpt.generate(model64, "I was ", 100, temperature=temperature, seed=3)  # past the context too
        assert with_cache == gpt.generate(model64, "I was ", 100, temperature=temperature, seed=3, use_cache=False)


def test_the_cache_errors(model64):
    _, cache = gpt.prefill(model64.params, model64.encode("a" * 64))
    with pytest.raises(ValueError, match="past the model's context"):
        gpt.decode(model64.params, 0, cache)
    _, small = gpt.prefill(model64.params, model64.encode("ab"))
    small.K = small.K[:2]
    with pytest.raises(ValueError, match="layers"):
        gpt.decode(model64.params, 0, small)
    _, other = gpt.prefill(model64.params, model64.encode("ab"))
    other.K = [k[:2] for k in other.K]
    with pytest.raises(ValueError, match="not this model's"):
        gpt.decode(model64.params, 0, other)
    with pytest.raises(ValueError, match="one sequence"):
        gpt.prefill(model64.params, np.zeros((2, 3), int))


def test_shared_heads_mean_pool_each_group(model64):
    shared = gpt.share_key_value_heads(model64.params, 2)
    assert gpt.config_of(shared).n_kv_heads == 2
    W = model64.params["blocks.1.attn.W_k"]
    np.testing.assert_allclose(shared["blocks.1.attn.W_k"][1], (W[2] + W[3]) / 2)
    one = gpt.share_key_value_heads(model64.params, 1)
    assert one["blocks.0.attn.W_v"].shape == (1, 128, 32)
    with pytest.raises(ValueError, match="must divide"):
        gpt.share_key_value_heads(model64.params, 3)
    # grouped models train: the gradients of the shared projections check out against finite differences
    config = gpt.GPTConfig(7, 5, 1, 8, 4, 12, n_kv_heads=2)
    params = gpt.init_params(config, seed=2, dtype=np.float64)
    r = np.random.default_rng(5)
    for k in params:  # away from the small initial values, so the gradient is not lost in rounding
        params[k] = params[k] + 0.3 * r.standard_normal(params[k].shape)
    ids, targets = np.array([[1, 2, 3, 1, 2]]), np.array([[2, 3, 1, 2, 3]])
    _, grads = gpt.loss_and_grads(params, ids, targets)
    W, eps = params["blocks.0.attn.W_k"], 1e-6
    W[1, 3, 1] += eps
    up = h.layers.cross_entropy(gpt.forward(params, ids), targets)
    W[1, 3, 1] -= 2 * eps
    down = h.layers.cross_entropy(gpt.forward(params, ids), targets)
    assert grads["blocks.0.attn.W_k"][1, 3, 1] == pytest.approx((up - down) / (2 * eps), rel=1e-6, abs=1e-10)


# ---------------------------------------------------------------- exercise 15.1
def test_attend_with_cache_exercise_names_the_mistakes():
    assert check_exercise("15.1", right_attend_with_cache).ok

    def by_length(q, Kc, Vc, k, v):
        K, V = np.concatenate([Kc, k[None]]), np.concatenate([Vc, v[None]])
        s = K @ q / np.sqrt(len(K))
        w = np.exp(s - s.max())
        return (w / w.sum()) @ V, K, V

    def wrong_axis(q, Kc, Vc, k, v):
        K = np.concatenate([Kc, k[:, None]], axis=1)
        return right_attend_with_cache(q, Kc, Vc, k, v)[0], K, Vc

    assert "scale is 1/sqrt(d_head)" in check_exercise("15.1", by_length).message
    assert "tokens' axis 0" in check_exercise("15.1", wrong_axis).message
    assert "misses itself" in check_exercise("15.1", attend_before_appending).message
