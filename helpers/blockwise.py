"""Exact attention without the n x n matrix: the online softmax and blockwise attention.

Introduced in notebook 13, which measures what the n x n matrix costs.
"""

from __future__ import annotations

import numpy as np

from .checks import as_float_array, check_bool, check_mask, check_positive_int, check_qkv, overflow_error


def blockwise_attention(
    Q, K, V, block_size: int = 512, mask=None, causal: bool = False, query_block_size: int = 1024
) -> np.ndarray:
    """Exact attention without the n_q x n_k matrix: keys in blocks, a running max and sum per query.
    (n_q, d_k), (n_k, d_k), (n_k, d_v) -> (n_q, d_v)

    Introduced in notebook 13.

    ``mask``: None or a boolean array broadcastable to (..., n_q, n_k) (True = may attend). ``causal``: query i
    sees keys 0..i, without any n_q x n_k mask being made (the later key blocks are skipped).
    Peak extra memory is about query_block_size x block_size scores instead of n_q x n_k (notebook 13).
    """
    Q, K, V = check_qkv(Q, K, V)
    block_size = check_positive_int(block_size, "block_size")
    query_block_size = check_positive_int(query_block_size, "query_block_size")
    n_q, n_k = Q.shape[-2], K.shape[-2]
    dtype = np.result_type(Q, K, V)
    try:
        batch = np.broadcast_shapes(Q.shape[:-2], K.shape[:-2], V.shape[:-2])
    except ValueError:
        raise ValueError(
            f"the batch dimensions of Q {Q.shape}, K {K.shape} and V {V.shape} do not broadcast."
        ) from None
    causal = check_bool(causal, "causal")
    if isinstance(mask, str):
        raise TypeError(f"mask must be a boolean array, got '{mask}'; for a causal mask pass causal=True.")
    if mask is not None:
        mask = check_mask(mask, batch + (n_q, n_k))  # a broadcast view: nothing n_q x n_k is allocated
    Qs = Q * dtype.type(1.0 / np.sqrt(Q.shape[-1]))
    Kt = np.swapaxes(K, -1, -2)
    out = np.empty(batch + (n_q, V.shape[-1]), dtype=dtype)
    for q0 in range(0, n_q, query_block_size):
        q1 = min(q0 + query_block_size, n_q)
        Qb = Qs[..., q0:q1, :]
        top = np.full(batch + (q1 - q0, 1), -np.inf, dtype=dtype)  # running max of the scores seen so far
        total = np.zeros(batch + (q1 - q0, 1), dtype=dtype)  # running sum of exp(score - top)
        acc = np.zeros(batch + (q1 - q0, V.shape[-1]), dtype=dtype)  # running sum of exp(score - top) * v
        for k0 in range(0, n_k, block_size):
            k1 = min(k0 + block_size, n_k)
            if causal and k0 > q1 - 1:
                break  # every later key is in the future of every query of this block
            with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
                S = Qb @ Kt[..., :, k0:k1]
            if causal:
                S[..., np.arange(q0, q1)[:, None] < np.arange(k0, k1)[None, :]] = -np.inf
            if mask is not None:
                S[~np.broadcast_to(mask[..., q0:q1, k0:k1], S.shape)] = -np.inf
            tile_top = S.max(axis=-1, keepdims=True)
            if (
                np.isnan(tile_top).any()
                or np.isposinf(tile_top).any()
                or (mask is None and not causal and np.isneginf(tile_top).any())
            ):
                raise overflow_error()  # unmasked, a whole row of -inf can only be an overflow
            top, total, acc = _update(top, total, acc, S, V[..., k0:k1, :])
        if (total == 0).any():
            *batch_index, row = (int(i) for i in np.argwhere(total[..., 0] == 0)[0])
            where = f"query {q0 + row}" + (f" of batch entry {tuple(batch_index)}" if batch_index else "")
            raise ValueError(f"{where} has every key masked: it has nothing to attend to.")
        out[..., q0:q1, :] = acc / total
    return out


def online_softmax_update(top, total, acc, scores, V):
    """One block of keys into a query's running max, sum of exp(score - max) and sum of exp(score - max) * value.
    (..., 1), (..., 1), (..., d_v), (..., b), (..., b, d_v) -> (top, total, acc)

    Introduced in notebook 13. Start from top = -inf, total = 0, acc = 0; at the end, output = acc / total.
    """
    top = as_float_array(top, "top", allow_neg_inf=True)
    total, acc = as_float_array(total, "total"), as_float_array(acc, "acc")
    scores, V = as_float_array(scores, "scores", allow_neg_inf=True), as_float_array(V, "V", min_ndim=2)
    if top.shape[-1:] != (1,) or total.shape != top.shape:
        raise ValueError(f"top and total must have shape (..., 1), the same; got {top.shape} and {total.shape}.")
    if scores.shape[-1] != V.shape[-2] or acc.shape[-1] != V.shape[-1]:
        raise ValueError(
            f"scores (..., b), V (..., b, d_v) and acc (..., d_v) must fit; got {scores.shape}, {V.shape} and "
            f"{acc.shape}."
        )
    if np.isposinf(scores).any() or np.isnan(scores).any() or (total < 0).any():
        raise ValueError("scores must be finite or -inf (masked), and total at least 0.")
    return _update(top, total, acc, scores, V)


def _update(top, total, acc, scores, V):
    """online_softmax_update without the checks, for the loops that call it once per block."""
    new_top = np.maximum(top, np.max(scores, axis=-1, keepdims=True))
    shift = np.where(np.isneginf(new_top), 0, new_top)  # a row with nothing visible yet stays at 0
    p = np.exp(scores - shift)
    rescale = np.exp(top - shift)  # the earlier sums were relative to the old max
    return new_top, total * rescale + p.sum(axis=-1, keepdims=True), acc * rescale + p @ V


def online_softmax_steps(scores, values, block_size: int) -> list:
    """The running max, sum, output and weights so far of online softmax after each block of keys, for one query.
    (n,), (n, d_v) -> [dict]

    Introduced in notebook 13.
    """
    s = as_float_array(scores, "scores", min_ndim=1)
    v = as_float_array(values, "values", min_ndim=2)
    if s.ndim != 1 or v.shape[0] != s.shape[0]:
        raise ValueError(f"scores must be (n,) and values (n, d_v); got {s.shape} and {v.shape}.")
    block_size = check_positive_int(block_size, "block_size")
    top, total, acc, steps = np.array([-np.inf]), np.zeros(1), np.zeros(v.shape[1]), []
    for k0 in range(0, len(s), block_size):
        block = s[k0 : k0 + block_size]
        old_top = top
        top, total, acc = _update(top, total, acc, block, v[k0 : k0 + block_size])
        rescale = float(np.exp(old_top[0] - top[0]))
        seen = k0 + len(block)
        known = np.zeros(len(s))  # the weights as far as they are known: seen keys against the running max and sum
        known[:seen] = np.exp(s[:seen] - top[0]) / total[0]
        steps.append(
            {
                "seen": seen,
                "max": float(top[0]),
                "sum": float(total[0]),
                "rescale": rescale,
                "output": acc / total[0],
                "weights": known,
            }
        )
    return steps
