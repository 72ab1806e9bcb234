"""Blockwise attention (online softmax) against the exact version, its memory, and notebook 13's helpers."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import helpers as h
from helpers import experiments
from helpers.widgets import N_CHOICES, cost_explorer, online_softmax_explorer


def qkv(shape_q, n_k, d_v, dtype, seed):
    r = np.random.default_rng(seed)
    Q = r.standard_normal(shape_q).astype(dtype)
    K = r.standard_normal(shape_q[:-2] + (n_k, shape_q[-1])).astype(dtype)
    V = r.standard_normal(shape_q[:-2] + (n_k, d_v)).astype(dtype)
    return Q, K, V


@settings(max_examples=60, deadline=None)
@given(
    n_q=st.integers(1, 40),
    n_k=st.integers(1, 40),
    d=st.integers(1, 16),
    d_v=st.integers(1, 8),
    block=st.integers(1, 17),
    qblock=st.integers(1, 50),
    batch=st.sampled_from([(), (2,), (2, 3)]),
    seed=st.integers(0, 999),
)
def test_blockwise_equals_exact_float32(n_q, n_k, d, d_v, block, qblock, batch, seed):
    Q, K, V = qkv(batch + (n_q, d), n_k, d_v, np.float32, seed)
    out = h.blockwise_attention(Q, K, V, block_size=block, query_block_size=qblock)
    exact, _ = h.scaled_dot_product_attention(Q, K, V)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, exact, rtol=1e-6, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 40), block=st.integers(1, 17), qblock=st.integers(1, 50), seed=st.integers(0, 999))
def test_blockwise_causal_equals_exact_float32(n, block, qblock, seed):
    Q, K, V = qkv((n, 8), n, 4, np.float32, seed)
    out = h.blockwise_attention(Q, K, V, block_size=block, causal=True, query_block_size=qblock)
    exact, _ = h.scaled_dot_product_attention(Q, K, V, mask=h.causal_mask(n))
    np.testing.assert_allclose(out, exact, rtol=1e-6, atol=1e-6)
    out_array_mask = h.blockwise_attention(Q, K, V, block_size=block, mask=h.causal_mask(n), query_block_size=qblock)
    np.testing.assert_allclose(out_array_mask, exact, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("block", [1, 7, 64, 1000])
def test_blockwise_float64_to_1e12_with_padding_mask(block):
    Q, K, V = qkv((2, 30, 5), 30, 3, np.float64, block)
    mask = h.padding_mask([30, 11], 30)
    out = h.blockwise_attention(Q, K, V, block_size=block, mask=mask)
    exact, _ = h.scaled_dot_product_attention(Q, K, V, mask=mask)
    np.testing.assert_allclose(out, exact, rtol=1e-12, atol=1e-12)


def test_blockwise_large_logits():
    Q = np.array([[100.0, 0.0]] * 3)
    K = np.array([[100.0, 0.0], [0.0, 100.0], [-100.0, 0.0]])
    V = np.eye(3)
    out = h.blockwise_attention(Q * 10, K * 10, V, block_size=1)  # scores of 1e6 / sqrt(2)
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, [[1.0, 0.0, 0.0]] * 3)


def test_blockwise_memory_grows_with_n_times_block_not_n_squared():
    n, d = 2048, 32
    Q, K, V = qkv((n, d), n, d, np.float32, 0)
    tracemalloc.start()
    h.blockwise_attention(Q, K, V, block_size=128, query_block_size=128)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < n * n * 4 / 20  # the n x n float32 scores alone would be 16 MiB


@pytest.mark.parametrize(
    "kwargs, err, words",
    [
        ({"mask": "diagonal"}, TypeError, "causal=True"),
        ({"mask": np.zeros((3, 3), bool)}, ValueError, "every key masked"),
        ({"mask": np.ones((3, 3), int)}, TypeError, "boolean"),
        ({"block_size": 0}, ValueError, "block_size"),
    ],
)
def test_blockwise_bad_input(kwargs, err, words):
    with pytest.raises(err, match=words):
        h.blockwise_attention(np.ones((3, 2)), np.ones((3, 2)), np.ones((3, 2)), **kwargs)


def test_online_softmax_steps_end_at_the_exact_answer():
    s = np.array([1.0, 3.0, 0.5, 2.0, 4.0, -1.0, 0.0])
    v = np.random.default_rng(1).normal(size=(7, 2))
    steps = h.online_softmax_steps(s, v, 3)
    assert [st_["seen"] for st_ in steps] == [3, 6, 7]
    assert [st_["max"] for st_ in steps] == [3.0, 4.0, 4.0]
    assert steps[1]["rescale"] == pytest.approx(np.exp(3.0 - 4.0))
    np.testing.assert_allclose(steps[-1]["output"], h.softmax(s) @ v)
    np.testing.assert_allclose(steps[-1]["sum"], np.exp(s - 4.0).sum())
    for step in steps:  # the weights known so far: seen keys against the running max and sum, unseen keys 0
        seen = step["seen"]
        expected = np.r_[np.exp(s[:seen] - step["max"]) / step["sum"], np.zeros(len(s) - seen)]
        np.testing.assert_allclose(step["weights"], expected)
    np.testing.assert_allclose(steps[-1]["weights"], h.softmax(s))


def test_loglog_slope_and_cost():
    x = np.array([1.0, 2.0, 4.0, 8.0])
    assert experiments.loglog_slope(x, 3 * x**2) == pytest.approx(2.0)
    with pytest.raises(ValueError):
        experiments.loglog_slope([1.0], [1.0])
    calls = []
    r = experiments.attention_cost([64, 256], repeats=1, progress=lambda i, k: calls.append((i, k)))
    assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]  # two timed calls (one round of two sizes), two memory ones
    assert r["peak_bytes"][1] > 5 * r["peak_bytes"][0] and (r["seconds"] > 0).all()


def test_cost_explorer_measures_and_draws():
    app = cost_explorer(256)
    assert app.result.exact["n"].tolist() == [16, 32, 64, 128, 256]
    assert app.extras[0].value == app.extras[0].max == 2 * (5 + 1) * 5  # (5 rounds + memory) x 5 sizes, twice
    app.controls["largest_n"].value = N_CHOICES[1]
    assert app.result.block["n"][-1] == 512
    assert len(app.figure.axes[0].lines) == 3


def test_online_softmax_explorer_bars_follow_the_steps():
    s = np.array([1.0, 3.0, 0.5, 2.0, 4.0])
    v = np.eye(5)
    app = online_softmax_explorer(s, v, block_size=2)
    ax = app.figure.axes[0]
    heights = [p.get_height() for p in ax.patches]
    np.testing.assert_allclose(heights[:2], np.exp(s[:2] - 3.0) / np.exp(s[:2] - 3.0).sum())
    assert heights[2:] == [0.0, 0.0, 0.0]
    app.controls["block"].value = 3
    np.testing.assert_allclose([p.get_height() for p in ax.patches], h.softmax(s))


def test_time_is_the_fastest_call_so_one_slow_call_does_not_spike_the_curve():
    import time

    calls = []

    def sometimes_slow():
        calls.append(None)
        if len(calls) == 3:  # one slow call among the timed ones (the first call is the warm-up)
            time.sleep(0.05)

    (seconds,), _ = experiments.times_and_peaks([sometimes_slow], repeats=4)
    assert len(calls) == 1 + 4 + 1  # warm-up, timed calls, the memory measurement
    assert seconds < 0.01


def test_sizes_are_timed_in_interleaved_rounds():
    order = []
    fns = [lambda: order.append("a"), lambda: order.append("b")]
    experiments.times_and_peaks(fns, repeats=3)
    assert "".join(order) == "ab" + "ab" * 3 + "ab"  # warm-ups, three rounds, the memory measurements


def test_online_update_over_blocks_equals_softmax_by_loops():
    """The update, applied block by block from (-inf, 0, 0), gives softmax(scores) @ V written with loops."""
    r = np.random.default_rng(5)
    scores, V = 3 * r.standard_normal((4, 11)), r.standard_normal((11, 3))
    top, total, acc = np.full((4, 1), -np.inf), np.zeros((4, 1)), np.zeros((4, 3))
    for k0 in range(0, 11, 4):
        top, total, acc = h.online_softmax_update(top, total, acc, scores[:, k0 : k0 + 4], V[k0 : k0 + 4])
    for i in range(4):
        e = [np.exp(s - max(scores[i])) for s in scores[i]]
        want = sum(w * v for w, v in zip(e, V)) / sum(e)
        assert np.allclose(acc[i] / total[i], want, rtol=1e-12, atol=1e-12)
        assert top[i, 0] == max(scores[i])


def test_online_update_keeps_a_row_with_nothing_visible_at_zero():
    top, total, acc = h.online_softmax_update(
        np.full((1, 1), -np.inf), np.zeros((1, 1)), np.zeros((1, 2)), np.full((1, 3), -np.inf), np.ones((3, 2))
    )
    assert np.isneginf(top).all() and (total == 0).all() and (acc == 0).all()
