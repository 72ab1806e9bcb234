"""helpers.fast gives the numbers helpers.attention gives: the cache-blocked softmax and threaded heads."""

import numpy as np
import pytest

import helpers as h
from helpers import fast
from tests import reference as ref


def rng(*salt):
    return np.random.default_rng([7, *salt])


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of 8 entries and threads from 1 weight on: every test input takes the fast paths."""
    monkeypatch.setattr(fast, "BLOCK_ENTRIES", 8)
    monkeypatch.setattr(fast, "PARALLEL_WEIGHTS", 1)


@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 6), (1, 40), (9, 1)])
@pytest.mark.parametrize("temperature", [0.5, 1.0])
def test_blocked_softmax_equals_plain(tiny_blocks, shape, temperature):
    S = rng(*shape).normal(scale=30, size=shape)
    np.testing.assert_allclose(
        fast.softmax(S, temperature=temperature), h.softmax(S, temperature=temperature), atol=1e-15
    )
    np.testing.assert_allclose(fast.softmax(S)[..., 0], ref.softmax(S)[..., 0], atol=1e-12)


def test_blocked_softmax_names_the_masked_row_in_the_whole_array(tiny_blocks):
    S = np.zeros((2, 6, 4))
    S[1, 4] = -np.inf  # entry 10 of 12 rows: in the third block of two rows
    with pytest.raises(ValueError, match=r"index \(1, 4, 0\)"):
        fast.softmax(S)
    with pytest.raises(ValueError, match=r"index \(1, 4, 0\)"):
        h.softmax(S)


@pytest.mark.parametrize("masked", [False, True])
def test_fast_sdpa_equals_plain(tiny_blocks, masked):
    r = rng(3)
    Q, K, V = r.normal(size=(2, 5, 4)), r.normal(size=(2, 6, 4)), r.normal(size=(2, 6, 3))
    mask = r.random((5, 6)) > 0.3 if masked else None
    if masked:
        mask[:, 0] = True
    for a, b in zip(
        fast.scaled_dot_product_attention(Q, K, V, mask=mask), h.scaled_dot_product_attention(Q, K, V, mask=mask)
    ):
        np.testing.assert_allclose(a, b, atol=1e-14)


@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mha_in_threads_equals_the_plain_one(monkeypatch, tiny_blocks, batch, dtype):
    r = rng(99, len(batch))
    X = r.normal(size=batch + (6, 12)).astype(dtype)
    Ws = [r.normal(scale=12**-0.5, size=(12, 12)).astype(dtype) for _ in range(4)]
    biases = {k: r.normal(size=12) for k in ("b_q", "b_k", "b_v", "b_o")}
    gains = np.array([1.0, 0.0, 0.5, 2.0])
    mask = h.causal_mask(6)
    monkeypatch.setattr(fast.os, "sched_getaffinity", lambda pid: {0, 1, 2}, raising=False)  # 3 threads, 4 heads
    assert fast.workers(10, 4) == 3
    plain = h.multi_head_attention(X, *Ws, n_heads=4, mask=mask, biases=biases, head_gains=gains)
    threaded = fast.multi_head_attention(X, *Ws, n_heads=4, mask=mask, biases=biases, head_gains=gains)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    for a, b in zip(plain, threaded):
        assert b.dtype == dtype
        np.testing.assert_allclose(b, a, rtol=0, atol=tol)
    loop_out, loop_w = h.multi_head_attention_loop(X, *Ws, n_heads=4, mask=mask)
    out, w = fast.multi_head_attention(X, *Ws, n_heads=4, mask=mask)
    np.testing.assert_allclose(w, loop_w, atol=tol)
    np.testing.assert_allclose(out, loop_out, atol=tol)
    with pytest.raises(ValueError, match="every entry masked"):  # errors in a thread reach the caller
        fast.multi_head_attention(X, *Ws, n_heads=4, mask=np.zeros((6, 6), bool))


def test_small_inputs_run_in_one_thread():
    assert fast.workers(fast.PARALLEL_WEIGHTS - 1, 12) == 1
    assert fast.workers(fast.PARALLEL_WEIGHTS, 1) == 1
