"""Faster paths for large inputs, tested equal to ``helpers.attention`` (tests/test_fast.py).

The functions a learner reads are in ``helpers.attention``; these give the same numbers with
more machinery: a softmax that works on blocks of rows still in the processor's cache, and
multi-head attention that runs groups of heads in threads, one BLAS thread each. The
benchmarks (``make benchmark``) use them; no notebook needs them.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from .attention import _attend, _heads_mask, _stable_softmax
from .checks import (
    as_float_array,
    check_axis,
    check_biases,
    check_head_gains,
    check_mask,
    check_positive,
    check_projections,
    check_qkv,
)

# rows are normalised in blocks of about this many entries (1 MB of float32), so that the five passes of a
# softmax (max, shift, exp, sum, divide) run on data still in the processor's cache
BLOCK_ENTRIES = 1 << 18
# attention larger than this many weights runs its heads in parallel threads (make benchmark measures the gain)
PARALLEL_WEIGHTS = 1 << 20


def _blocked_softmax(
    scores: np.ndarray, axis: int = -1, temperature: float = 1.0, neg_inf_is_mask: bool = True
) -> np.ndarray:
    """_stable_softmax in blocks of rows that fit in the cache, IN PLACE. (..., n) -> (..., n)"""
    if axis not in (-1, scores.ndim - 1) or not scores.flags.c_contiguous or scores.size <= BLOCK_ENTRIES:
        return _stable_softmax(scores, axis, temperature, neg_inf_is_mask)
    rows = scores.reshape(-1, scores.shape[-1])
    step = max(1, BLOCK_ENTRIES // scores.shape[-1])
    for r0 in range(0, rows.shape[0], step):
        block = rows[r0 : r0 + step]
        if neg_inf_is_mask and np.isneginf(block.max(axis=-1)).any():  # name the row in the whole array, not the block
            row = r0 + int(np.flatnonzero(np.isneginf(block.max(axis=-1)))[0])
            where = tuple(int(i) for i in np.unravel_index(row, scores.shape[:-1])) + (0,)
            raise ValueError(
                f"a row has every entry masked (-inf), at index {where}: softmax would divide 0 by 0. "
                "Every query must be allowed to see at least one key (e.g. itself)."
            )
        _stable_softmax(block, -1, temperature, neg_inf_is_mask)
    return scores


def softmax(scores, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """attention.softmax with the cache-blocked pass for large arrays. (..., n) -> (..., n)"""
    z = as_float_array(scores, "scores", min_ndim=1, allow_neg_inf=True)
    return _blocked_softmax(z.copy(), check_axis(axis, z.ndim), check_positive(temperature, "temperature"))


def scaled_dot_product_attention(Q, K, V, mask=None, scale=None):
    """attention.scaled_dot_product_attention with the cache-blocked softmax. -> ((n_q, d_v), (n_q, n_k))"""
    Q, K, V = check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    return _attend(Q, K, V, mask, s, softmax_=_blocked_softmax)


def workers(n_weights: int, n_heads: int) -> int:
    """How many threads multi-head attention uses: 1 for small inputs, else one per core, at most one per head."""
    if n_weights < PARALLEL_WEIGHTS or n_heads < 2:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(n_heads, cores))


def multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None, biases=None, head_gains=None):
    """attention.multi_head_attention with groups of heads in threads for large inputs.
    (n, d_model) -> ((n, d_model), (n_heads, n, n))"""
    X, Ws, n_heads = check_projections(X, (W_q, W_k, W_v, W_o), n_heads)
    d_model, dtype = X.shape[-1], np.result_type(X, *Ws.values())
    b = check_biases(biases, d_model, dtype)
    gains = None if head_gains is None else check_head_gains(head_gains, n_heads, dtype)
    d_head, n = d_model // n_heads, X.shape[-2]
    weights = np.empty(X.shape[:-2] + (n_heads, n, n), dtype=dtype)
    mask = _heads_mask(mask, X)
    mask = None if mask is None else check_mask(mask, weights.shape)
    concat = np.empty(X.shape, dtype=dtype)  # the heads' outputs side by side, (..., n, d_model)
    out = np.empty(X.shape, dtype=dtype)
    scale = 1.0 / np.sqrt(d_head)

    def heads(first, last):  # heads first..last-1 own the feature columns first*d_head .. last*d_head - 1
        cols = slice(first * d_head, last * d_head)
        Q, K, V = (
            np.swapaxes(
                (X @ Ws[f"W_{p}"][:, cols] + b[f"b_{p}"][cols]).reshape(*X.shape[:-1], last - first, d_head), -3, -2
            )
            for p in "qkv"
        )
        part_mask = None if mask is None else mask[..., first:last, :, :]
        part, w = _attend(Q, K, V, part_mask, scale, softmax_=_blocked_softmax)
        weights[..., first:last, :, :] = w
        if gains is not None:
            part = part * gains[first:last, None, None]
        concat[..., cols] = np.swapaxes(part, -3, -2).reshape(*X.shape[:-1], (last - first) * d_head)

    def output(cols):
        out[..., cols] = concat @ Ws["W_o"][:, cols] + b["b_o"][cols]

    count = workers(weights.size, n_heads)
    if count == 1:
        heads(0, n_heads)
        output(slice(None))
        return out, weights
    # each thread takes a group of heads with one BLAS thread, so none is left spinning on a core another needs
    bounds = np.linspace(0, n_heads, count + 1).round().astype(int)
    col_bounds = np.linspace(0, d_model, count + 1).round().astype(int)
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(count) as pool:
        list(pool.map(heads, bounds[:-1], bounds[1:]))
        list(pool.map(output, [slice(a, z) for a, z in itertools.pairwise(col_bounds)]))
    return out, weights
