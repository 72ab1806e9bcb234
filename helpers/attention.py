"""The attention math in plain numpy: the only copy, used by every notebook and widget.

Row-vector convention: a sentence is ``X`` of shape ``(n, d)``, one word per row, and a
projection is ``X @ W``. Leading batch dimensions ``(..., n, d)`` are accepted throughout.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from threadpoolctl import threadpool_limits

from .checks import (
    as_float_array,
    check_axis,
    check_bool,
    check_mask,
    check_positive,
    check_positive_int,
    overflow_error,
)

# rows are normalised in blocks of about this many entries (1 MB of float32), so that the five passes of a
# softmax (max, shift, exp, sum, divide) run on data still in the processor's cache
_BLOCK_ENTRIES = 1 << 18


def _stable_softmax(z: np.ndarray, axis: int, temperature: float = 1.0, masked: bool = True) -> np.ndarray:
    """Softmax of z / temperature IN PLACE of an array the caller owns; -inf is masked (masked=True) or an overflow. (...) -> (...)"""
    if axis in (-1, z.ndim - 1) and z.flags.c_contiguous and z.size > _BLOCK_ENTRIES:
        rows = z.reshape(-1, z.shape[-1])
        step = max(1, _BLOCK_ENTRIES // z.shape[-1])
        for r0 in range(0, rows.shape[0], step):
            _softmax_block(rows[r0 : r0 + step], -1, temperature, masked, z.shape, r0)
    else:
        _softmax_block(z, axis, temperature, masked, z.shape, 0)
    return z


def _softmax_block(z: np.ndarray, axis: int, temperature: float, masked: bool, shape: tuple, first_row: int) -> None:
    top = np.max(z, axis=axis, keepdims=True)
    if not np.isfinite(top).all():
        if np.isnan(top).any() or np.isposinf(top).any() or not masked:
            raise overflow_error()  # without a mask, -inf in a whole row can only be an overflow
        local = np.argwhere(np.isneginf(top))[0]
        if first_row or z.ndim != len(shape):  # a block of rows of a larger array: say where in that array
            where = (*np.unravel_index(first_row + int(local[0]), shape[:-1]), 0)
        else:
            where = local
        where = tuple(int(i) for i in where)
        raise ValueError(
            f"a row has every entry masked (-inf), at index {where}: softmax would divide 0 by 0. "
            "Every query must be allowed to see at least one key (e.g. itself)."
        )
    with np.errstate(over="ignore"):  # -1e308 - 1e308 is -inf: a weight of 0, as it should be
        z -= top  # in place: every caller passes an array it made itself, never the user's input
    if temperature != 1.0:  # divided after the shift: z <= 0, so a tiny temperature gives -inf (weight 0), never +inf
        with np.errstate(over="ignore", divide="ignore", under="ignore"):
            np.divide(z, z.dtype.type(temperature), out=z, where=z != 0)
    np.exp(z, out=z)
    z /= np.sum(z, axis=axis, keepdims=True)


def softmax(scores, axis: int = -1, temperature: float = 1.0) -> np.ndarray:
    """Numerically stable softmax of scores / temperature along axis; -inf means masked. (..., n) -> (..., n)

    Introduced in notebook 04.
    """
    z = as_float_array(scores, "scores", min_ndim=1, allow_neg_inf=True)
    t = check_positive(temperature, "temperature")
    axis = check_axis(axis, z.ndim)
    return _stable_softmax(z.copy(), axis, t)  # a copy: the caller's scores are never changed


def dot_similarity(A, B=None) -> np.ndarray:
    """Every row of A dotted with every row of B (B defaults to A). (n_a, d), (n_b, d) -> (n_a, n_b)

    Introduced in notebook 03.
    """
    A = as_float_array(A, "A", min_ndim=2)
    B = A if B is None else as_float_array(B, "B", min_ndim=2)
    if A.shape[-1] != B.shape[-1]:
        raise ValueError(
            f"A and B must have the same vector length d: A is {A.shape}, B is {B.shape} "
            f"({A.shape[-1]} != {B.shape[-1]})."
        )
    try:
        return A @ np.swapaxes(B, -1, -2)
    except ValueError:
        raise ValueError(f"the batch dimensions of A {A.shape} and B {B.shape} do not broadcast.") from None


def cosine_similarity(A, B=None) -> np.ndarray:
    """Dot products of unit-length rows: alignment without length. (n_a, d), (n_b, d) -> (n_a, n_b)

    Introduced in notebook 01.
    """
    A = _unit_rows(as_float_array(A, "A", min_ndim=2), "A")
    B = A if B is None else _unit_rows(as_float_array(B, "B", min_ndim=2), "B")
    return np.clip(dot_similarity(A, B), -1, 1)


def _unit_rows(M: np.ndarray, name: str) -> np.ndarray:
    """Each row divided by its length; each row is first scaled by its largest entry, so 1e200 or 1e-200 neither overflow nor vanish. (..., d) -> (..., d)"""
    big = np.max(np.abs(M), axis=-1, keepdims=True)
    if (big == 0).any():
        row = int(np.argwhere(big[..., 0] == 0)[0][-1])
        raise ValueError(f"{name} has a zero vector (row {row}): it has no direction, so no cosine.")
    M = M / big
    return M / np.linalg.norm(M, axis=-1, keepdims=True)


def check_row_stochastic(weights, name: str = "weights") -> np.ndarray:
    """Weights that are >= 0 with rows summing to 1, else a clear error. (..., n_q, n_k) -> (..., n_q, n_k)

    Introduced in notebook 02.
    """
    W = as_float_array(weights, name, min_ndim=2)
    # float32's precision whatever the dtype: weights made in float32 and cast to float64 are still weights
    tol = 1e-6 + W.shape[-1] * float(np.finfo(np.float32).eps)
    if (W < 0).any():
        where = tuple(int(i) for i in np.argwhere(W < 0)[0])
        raise ValueError(f"{name} must be >= 0, but {name}{list(where)} = {W[where]:.4g}.")
    sums = W.sum(axis=-1)
    off = np.abs(sums - 1) > tol
    if off.any():
        where = tuple(int(i) for i in np.argwhere(off)[0])
        raise ValueError(
            f"every row of {name} must sum to 1, but row {list(where)} sums to {sums[where]:.10g}; "
            "normalise it (e.g. with softmax)."
        )
    return W


def contextual_embeddings(X, weights) -> np.ndarray:
    """The article's weighted sum: new row i = sum_j weights[i, j] * X[j]. (n, d), (n, n) -> (n, d)

    Introduced in notebook 02.
    """
    X = as_float_array(X, "X", min_ndim=2)
    W = check_row_stochastic(weights)
    if W.shape[-1] != X.shape[-2]:
        raise ValueError(
            f"weights has {W.shape[-1]} columns but X has {X.shape[-2]} words (rows): "
            f"weights {W.shape} cannot mix X {X.shape}."
        )
    try:
        return W @ X
    except ValueError:
        raise ValueError(f"the batch dimensions of weights {W.shape} and X {X.shape} do not broadcast.") from None


def self_attention(X, scale: bool = False):
    """Parameter-free self-attention: softmax(X X^T [/ sqrt(d)]) @ X. (n, d) -> ((n, d), (n, n))

    Introduced in notebook 04.
    """
    X = as_float_array(X, "X", min_ndim=2)
    scale = check_bool(scale, "scale")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the softmax
        scores = dot_similarity(X)
    if scale:
        scores /= X.dtype.type(np.sqrt(X.shape[-1]))
    weights = _stable_softmax(scores, axis=-1, masked=False)
    return weights @ X, weights


def _check_qkv(Q, K, V):
    """Float arrays with matching sizes, else a clear error. (n_q, d_k), (n_k, d_k), (n_k, d_v) -> the same"""
    Q = as_float_array(Q, "Q", min_ndim=2)
    K = as_float_array(K, "K", min_ndim=2)
    V = as_float_array(V, "V", min_ndim=2)
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must share d_k: Q is {Q.shape}, K is {K.shape}.")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V must have the same number of keys n_k: K is {K.shape}, V is {V.shape}.")
    return Q, K, V


def scaled_dot_product_attention(Q, K, V, mask=None, scale=None):
    """softmax(Q K^T * scale, masked) @ V, scale = 1/sqrt(d_k). (n_q, d_k), (n_k, d_k), (n_k, d_v) -> ((n_q, d_v), (n_q, n_k))

    Introduced in notebook 05.
    """
    Q, K, V = _check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    return _attend(Q, K, V, mask, s)


def attention_backward(Q, K, V, grad_out, mask=None, scale=None):
    """Gradients of a loss through out = softmax(Q K^T * scale, masked) @ V, given d loss / d out. (..., n_q, d_k), (..., n_k, d_k), (..., n_k, d_v), (..., n_q, d_v) -> (dQ, dK, dV)

    Introduced in notebook 10.
    """
    Q, K, V = _check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    _, P = _attend(Q, K, V, mask, s)  # the forward pass again: the weights, with the same checks and errors
    dtype = P.dtype
    dO = as_float_array(grad_out, "grad_out", min_ndim=2).astype(dtype, copy=False)
    expected = np.broadcast_shapes(P.shape[:-1], V.shape[:-2] + (1,)) + (V.shape[-1],)
    if dO.shape != expected:
        raise ValueError(f"grad_out must have the output's shape {expected}, got {dO.shape}.")
    dV = np.swapaxes(P, -1, -2) @ dO  # out = P V
    dP = dO @ np.swapaxes(V, -1, -2)
    dS = softmax_backward(P, dP)
    dS *= dtype.type(s)  # S = Q K^T * scale; masked entries have P = 0, so dS = 0 there
    dQ = dS @ K
    dK = np.swapaxes(dS, -1, -2) @ Q
    return _sum_to(dQ, Q.shape), _sum_to(dK, K.shape), _sum_to(dV, V.shape)


def softmax_backward(P, dP) -> np.ndarray:
    """The gradient through a row-wise softmax: dS = P * (dP - sum(dP * P) over each row), from its Jacobian diag(p) - p p^T. (..., n), (..., n) -> (..., n)

    Introduced in notebook 10.
    """
    P = as_float_array(P, "P", min_ndim=1)
    dP = as_float_array(dP, "dP", min_ndim=1)
    if P.shape != dP.shape:
        raise ValueError(f"P and dP must have the same shape, got {P.shape} and {dP.shape}.")
    return P * (dP - np.sum(dP * P, axis=-1, keepdims=True))


def _sum_to(G: np.ndarray, shape: tuple) -> np.ndarray:
    """A gradient summed over the batch axes its input was broadcast along. (...) -> shape"""
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    axes = tuple(i for i, (g, s) in enumerate(zip(G.shape, shape)) if s == 1 and g != 1)
    return G.sum(axis=axes, keepdims=True) if axes else G


def _attend(Q, K, V, mask, s: float, weights_out=None):
    """scaled_dot_product_attention without its input checks, for callers that made Q, K, V from checked inputs;
    the weights are written into weights_out when given."""
    dtype = np.result_type(Q, K, V)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the softmax
            scores = np.matmul(
                Q * dtype.type(s), np.swapaxes(K, -1, -2), out=weights_out
            )  # the scale folded into Q: n*d, not n*n, multiplies
    except ValueError:
        raise ValueError(f"the batch dimensions of Q {Q.shape} and K {K.shape} do not broadcast.") from None
    if mask is not None:
        m = check_mask(mask, scores.shape)
        scores[~m] = -np.inf  # scores is our own array: the caller's inputs are untouched
    weights = _stable_softmax(scores, axis=-1, masked=mask is not None)
    try:
        out = weights @ V
    except ValueError:
        raise ValueError(
            f"the batch dimensions of the weights {weights.shape} and V {V.shape} do not broadcast."
        ) from None
    return out, weights


def causal_mask(n: int) -> np.ndarray:
    """True where query i may see key j (j <= i): on and below the diagonal. () -> (n, n)

    Introduced in notebook 08.
    """
    n = check_positive_int(n, "n")
    return np.tri(n, dtype=bool)


def split_heads(M: np.ndarray, n_heads: int) -> np.ndarray:
    """Cut the features into n_heads contiguous blocks. (..., n, d_model) -> (..., n_heads, n, d_head)

    Introduced in notebook 09.
    """
    M = as_float_array(M, "M", min_ndim=2)
    n_heads = check_positive_int(n_heads, "n_heads")
    if M.shape[-1] % n_heads:
        raise ValueError(
            f"d_model = {M.shape[-1]} is not divisible by n_heads = {n_heads}: each head needs d_head = d_model // n_heads features."
        )
    return _split(M, n_heads)


def _split(M: np.ndarray, n_heads: int) -> np.ndarray:
    *batch, n, d_model = M.shape
    return np.swapaxes(M.reshape(*batch, n, n_heads, d_model // n_heads), -3, -2)


def merge_heads(M: np.ndarray) -> np.ndarray:
    """Concatenate the heads back side by side. (..., n_heads, n, d_head) -> (..., n, n_heads * d_head)

    Introduced in notebook 09.
    """
    return _merge(as_float_array(M, "M", min_ndim=3))


def _merge(M: np.ndarray) -> np.ndarray:
    *batch, n_heads, n, d_head = M.shape
    return np.swapaxes(M, -3, -2).reshape(*batch, n, n_heads * d_head)


def multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None, biases=None, head_mask=None):
    """Multi-head self-attention; each head gets d_head = d_model // n_heads features. (n, d_model) -> ((n, d_model), (n_heads, n, n))

    Introduced in notebook 09.

    ``biases``, optional: {"b_q", "b_k", "b_v", "b_o"} of shape (d_model,), added after each projection
    (trained models such as BERT have them; notebook 11). ``head_mask``, optional, (n_heads,): each head's
    output is multiplied by its entry before the output projection; 0 switches a head off (notebook 12).
    """
    X, Ws, n_heads = _check_projections(X, (W_q, W_k, W_v, W_o), n_heads)
    d_model, dtype = X.shape[-1], np.result_type(X, *Ws.values())
    if biases is not None and not isinstance(biases, Mapping):
        raise TypeError(f"biases must be a dict such as {{'b_q': (d_model,), ...}}, got {type(biases).__name__}.")
    b = {}
    for name, value in (biases or {}).items():
        if name not in ("b_q", "b_k", "b_v", "b_o"):
            raise ValueError(f"unknown bias '{name}': use b_q, b_k, b_v or b_o.")
        value = as_float_array(value, name, min_ndim=1)
        if value.shape != (d_model,):
            raise ValueError(f"{name} must be (d_model,) = ({d_model},), got {value.shape}.")
        b[name] = value.astype(dtype, copy=False)  # float32 in, float32 out, whatever the biases were given as
    mask = _heads_mask(mask, X)
    if head_mask is not None:
        head_mask = as_float_array(head_mask, "head_mask", min_ndim=1)
        if head_mask.shape != (n_heads,):
            raise ValueError(f"head_mask must have one entry per head, shape ({n_heads},), got {head_mask.shape}.")
        head_mask = head_mask.astype(dtype, copy=False)
    d_head, n = d_model // n_heads, X.shape[-2]
    weights = np.empty(X.shape[:-2] + (n_heads, n, n), dtype=dtype)
    mask = None if mask is None else check_mask(mask, weights.shape)
    concat = np.empty(X.shape, dtype=dtype)  # the heads' outputs side by side, (..., n, d_model)
    out = np.empty(X.shape, dtype=dtype)

    def project(name, cols):  # X @ W[:, cols] (+ b[cols]): the columns that belong to some of the heads
        P = X @ Ws["W_" + name][:, cols]
        return P + b["b_" + name][cols] if "b_" + name in b else P

    def heads(first, last):  # heads first..last-1 own the feature columns first*d_head .. last*d_head - 1
        cols = slice(first * d_head, last * d_head)
        Q, K, V = (_split(project(name, cols), last - first) for name in "qkv")
        part_mask = None if mask is None else mask[..., first:last, :, :]
        part, _ = _attend(
            Q, K, V, part_mask, 1.0 / np.sqrt(d_head), weights_out=weights[..., first:last, :, :]
        )  # scale 1/sqrt(d_head)
        if head_mask is not None:
            part = part * head_mask[first:last, None, None]  # (..., heads, n, d_head): a 0 switches a head's output off
        concat[..., cols] = _merge(part)

    def output(cols):
        out[..., cols] = concat @ Ws["W_o"][:, cols] + (b["b_o"][cols] if "b_o" in b else 0)

    workers = _workers(weights.size, n_heads)
    if workers == 1:
        heads(0, n_heads)
        output(slice(None))
        return out, weights
    # large: each thread takes a group of heads (projections, scores, softmax, outputs) with one BLAS thread
    # each, so no BLAS thread is left spinning on a core the other group needs
    bounds = np.linspace(0, n_heads, workers + 1).round().astype(int)
    col_bounds = np.linspace(0, d_model, workers + 1).round().astype(int)
    with threadpool_limits(limits=1, user_api="blas"), ThreadPoolExecutor(workers) as pool:
        list(pool.map(heads, bounds[:-1], bounds[1:]))
        list(pool.map(output, [slice(a, z) for a, z in itertools.pairwise(col_bounds)]))
    return out, weights


# attention larger than this many weights runs its heads in parallel threads (notebook 13 measures the gain)
_PARALLEL_WEIGHTS = 1 << 20


def _workers(n_weights: int, n_heads: int) -> int:
    """How many threads multi-head attention uses: 1 for small inputs, else one per core, at most one per head."""
    if n_weights < _PARALLEL_WEIGHTS or n_heads < 2:
        return 1
    return max(
        1, min(n_heads, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )


def _check_projections(X, Ws, n_heads):
    """X (..., n, d_model), four (d_model, d_model) matrices and n_heads dividing d_model, else a clear error."""
    X = as_float_array(X, "X", min_ndim=2)
    d_model = X.shape[-1]
    n_heads = check_positive_int(n_heads, "n_heads")
    if d_model % n_heads:
        raise ValueError(
            f"d_model = {d_model} is not divisible by n_heads = {n_heads}: "
            f"each head needs d_head = d_model // n_heads features."
        )
    checked = {}
    for name, W in zip(("W_q", "W_k", "W_v", "W_o"), Ws):
        W = as_float_array(W, name, min_ndim=2)
        if W.shape != (d_model, d_model):
            raise ValueError(f"{name} must be (d_model, d_model) = ({d_model}, {d_model}), got {W.shape}.")
        checked[name] = W
    return X, checked, n_heads


def _heads_mask(mask, X: np.ndarray):
    """A mask for the weights (..., n_heads, n_q, n_k), broadcast as numpy does; a batch X needs the head axis spelled out."""
    if mask is None:
        return None
    try:
        ndim = np.ndim(mask)
    except ValueError:  # a ragged list: check_mask says so
        return mask
    if X.ndim > 2 and 2 < ndim <= X.ndim:
        raise ValueError(
            f"a mask of shape {np.shape(mask)} for a batch X of shape {X.shape} is ambiguous (one per sentence, or one per head?). "
            "The mask broadcasts against the weights (..., n_heads, n_q, n_k): give one per sentence as (batch, 1, n_q, n_k) "
            "(e.g. mask[:, None]), one per head as (n_heads, n_q, n_k) with a leading 1 for the batch, or (n_q, n_k) for all."
        )
    return mask


def sum_normalize(values, axis: int = -1) -> np.ndarray:
    """Divide by the sum (the naive normalisation softmax replaces); a zero sum is an error. (..., n) -> (..., n)

    Introduced in notebook 04.
    """
    x = as_float_array(values, "values", min_ndim=1)
    total = np.sum(x, axis=check_axis(axis, x.ndim), keepdims=True)
    if (total == 0).any():
        raise ValueError("the values sum to 0: dividing by their sum is impossible (softmax never has this problem).")
    return x / total


def multi_head_attention_loop(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None):
    """Multi-head attention head by head with column slices, for checking the reshape version. (n, d_model) -> ((n, d_model), (n_heads, n, n))

    Introduced in notebook 09.
    """
    X, W, n_heads = _check_projections(X, (W_q, W_k, W_v, W_o), n_heads)
    mask = _heads_mask(mask, X)
    d_head = X.shape[-1] // n_heads
    Q, K, V = X @ W["W_q"], X @ W["W_k"], X @ W["W_v"]
    outputs, weights = [], []
    for h in range(n_heads):
        cols = slice(h * d_head, (h + 1) * d_head)  # head h owns features h*d_head .. (h+1)*d_head - 1
        out_h, w_h = scaled_dot_product_attention(Q[..., cols], K[..., cols], V[..., cols], mask=mask)
        outputs.append(out_h)
        weights.append(w_h)
    return np.concatenate(outputs, axis=-1) @ W["W_o"], np.stack(weights, axis=-3)


def padding_mask(lengths, n: int) -> np.ndarray:
    """Keys that are real words (True) vs padding (False), per sentence. (batch,) -> (batch, 1, n)

    Introduced in notebook 08.
    """
    n = check_positive_int(n, "n")
    lengths = np.asarray(lengths)
    if lengths.ndim != 1 or lengths.size == 0 or lengths.dtype.kind not in "iu":
        raise TypeError(f"lengths must be a non-empty list of whole numbers, got {lengths!r}.")
    if (lengths < 1).any() or (lengths > n).any():
        raise ValueError(
            f"every length must be between 1 and n = {n}, got {lengths.tolist()}: an empty sentence has nothing to attend to."
        )
    return (np.arange(n)[None, :] < lengths[:, None])[:, None, :]


def pad_batch(sentences) -> tuple[np.ndarray, np.ndarray]:
    """Stack sentences of different lengths, padding with zero rows. [(n_i, d)] -> ((batch, n_max, d), (batch,))

    Introduced in notebook 08.
    """
    arrays = [as_float_array(X, f"sentence {i}", min_ndim=2) for i, X in enumerate(sentences)]
    if not arrays:
        raise ValueError("the batch is empty: give at least one sentence.")
    d = {X.shape[-1] for X in arrays}
    if len(d) != 1 or any(X.ndim != 2 for X in arrays):
        raise ValueError(f"every sentence must be (n_i, d) with the same d, got shapes {[X.shape for X in arrays]}.")
    lengths = np.array([X.shape[0] for X in arrays])
    out = np.zeros((len(arrays), lengths.max(), d.pop()), dtype=np.result_type(*arrays))
    for i, X in enumerate(arrays):
        out[i, : len(X)] = X
    return out, lengths


def entropy(weights, axis: int = -1) -> np.ndarray:
    """Entropy in nats of each row of weights: 0 = all on one key, log(n) = spread evenly. (..., n) -> (...)

    Introduced in notebook 07.
    """
    W = as_float_array(weights, "weights", min_ndim=1)
    axis = check_axis(axis, W.ndim)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(W > 0, W * np.log(W), 0.0)
    return 0.0 - terms.sum(axis=axis)  # 0.0 - x, not -x: a one-hot row gives 0.0, never -0.0


def blockwise_attention(Q, K, V, block_size: int = 512, mask=None, query_block_size: int = 1024) -> np.ndarray:
    """Exact attention without the n_q x n_k matrix: keys in blocks, a running max and sum per query. (n_q, d_k), (n_k, d_k), (n_k, d_v) -> (n_q, d_v)

    Introduced in notebook 13.

    ``mask``: None, a boolean array broadcastable to (..., n_q, n_k) (True = may attend), or "causal".
    Peak extra memory is about query_block_size x block_size scores instead of n_q x n_k (notebook 13).
    """
    Q, K, V = _check_qkv(Q, K, V)
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
    causal = isinstance(mask, str)
    if causal and mask != "causal":
        raise ValueError(f"mask must be a boolean array or 'causal', got '{mask}'.")
    if mask is not None and not causal:
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
            elif mask is not None:
                S[~np.broadcast_to(mask[..., q0:q1, k0:k1], S.shape)] = -np.inf
            tile_top = S.max(axis=-1, keepdims=True)
            if (
                np.isnan(tile_top).any()
                or np.isposinf(tile_top).any()
                or (mask is None and np.isneginf(tile_top).any())
            ):
                raise overflow_error()  # unmasked, a whole row of -inf can only be an overflow
            new_top = np.maximum(top, tile_top)
            shift = np.where(np.isneginf(new_top), 0, new_top)  # rows with nothing visible yet stay at 0
            S -= shift
            np.exp(S, out=S)
            rescale = np.exp(top - shift)  # earlier sums were relative to the old max
            total = total * rescale + S.sum(axis=-1, keepdims=True)
            acc = acc * rescale + S @ V[..., k0:k1, :]
            top = new_top
        if (total == 0).any():
            where = tuple(int(i) for i in np.argwhere(total[..., 0] == 0)[0])
            raise ValueError(f"a query has every key masked (query block row {where}): it has nothing to attend to.")
        out[..., q0:q1, :] = acc / total
    return out


def online_softmax_steps(scores, values, block_size: int) -> list:
    """The running max, sum, output and weights so far of online softmax after each block of keys, for one query. (n,), (n, d_v) -> [dict]

    Introduced in notebook 13.
    """
    s = as_float_array(scores, "scores", min_ndim=1)
    v = as_float_array(values, "values", min_ndim=2)
    if s.ndim != 1 or v.shape[0] != s.shape[0]:
        raise ValueError(f"scores must be (n,) and values (n, d_v); got {s.shape} and {v.shape}.")
    block_size = check_positive_int(block_size, "block_size")
    top, total, acc, steps = -np.inf, 0.0, np.zeros(v.shape[1]), []
    for k0 in range(0, len(s), block_size):
        block = s[k0 : k0 + block_size]
        new_top = max(top, float(block.max()))
        p = np.exp(block - new_top)
        rescale = float(np.exp(top - new_top))
        total = total * rescale + float(p.sum())
        acc = acc * rescale + p @ v[k0 : k0 + block_size]
        top = new_top
        seen = k0 + len(block)
        known = np.zeros(len(s))  # the weights as far as they are known: seen keys against the running max and sum
        known[:seen] = np.exp(s[:seen] - top) / total
        steps.append(
            {"seen": seen, "max": top, "sum": total, "rescale": rescale, "output": acc / total, "weights": known}
        )
    return steps
