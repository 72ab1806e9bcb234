"""The attention math in plain numpy: the only copy, used by every notebook and widget.

Row-vector convention: a sentence is ``X`` of shape ``(n, d)``, one word per row, and a
projection is ``X @ W``. Leading batch dimensions ``(..., n, d)`` are accepted throughout.
Each function is as plain as the one a learner writes; faster paths live in ``helpers.fast``,
gradients in ``helpers.gradients`` and attention without the n x n matrix in ``helpers.blockwise``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .checks import (
    as_float_array,
    check_axis,
    check_biases,
    check_bool,
    check_head_gains,
    check_mask,
    check_mask_size,
    check_positive,
    check_positive_int,
    check_projections,
    check_qkv,
    check_row_stochastic,
    check_seed,
    overflow_error,
)


def _stable_softmax(
    scores: np.ndarray, axis: int = -1, temperature: float = 1.0, neg_inf_is_mask: bool = True
) -> np.ndarray:
    """Softmax of scores / temperature IN PLACE, for arrays the caller made itself. (..., n) -> (..., n)

    ``neg_inf_is_mask``: -inf means masked, so a row of only -inf is a clear error; when False, -inf can
    only be an overflow. Shared by ``softmax``, the attention functions and ``helpers.fast``.
    """
    top = np.max(scores, axis=axis, keepdims=True)
    if not np.isfinite(top).all():
        if np.isnan(top).any() or np.isposinf(top).any() or not neg_inf_is_mask:
            raise overflow_error()  # without a mask, -inf in a whole row can only be an overflow
        where = tuple(int(i) for i in np.argwhere(np.isneginf(top))[0])
        raise ValueError(
            f"a row has every entry masked (-inf), at index {where}: softmax would divide 0 by 0. "
            "Every query must be allowed to see at least one key (e.g. itself)."
        )
    with np.errstate(over="ignore"):  # -1e308 - 1e308 is -inf: a weight of 0, as it should be
        scores -= top
    if temperature != 1.0:  # divided after the shift: scores <= 0, so a tiny temperature gives weight 0, never inf
        with np.errstate(over="ignore", divide="ignore", under="ignore"):
            np.divide(scores, scores.dtype.type(temperature), out=scores, where=scores != 0)
    np.exp(scores, out=scores)
    scores /= np.sum(scores, axis=axis, keepdims=True)
    return scores


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
        with np.errstate(over="ignore", invalid="ignore"):
            out = A @ np.swapaxes(B, -1, -2)  # an overflow is reported just below
    except ValueError:
        raise ValueError(f"the batch dimensions of A {A.shape} and B {B.shape} do not broadcast.") from None
    if not np.all(np.isfinite(out)):
        raise ValueError("the dot products overflowed to inf: the vectors are too large for this dtype (scale down).")
    return out


def cosine_similarity(A, B=None) -> np.ndarray:
    """Dot products of unit-length rows: alignment without length. (n_a, d), (n_b, d) -> (n_a, n_b)

    Introduced in notebook 01.
    """
    A = _unit_rows(as_float_array(A, "A", min_ndim=2), "A")
    B = A if B is None else _unit_rows(as_float_array(B, "B", min_ndim=2), "B")
    return np.clip(dot_similarity(A, B), -1, 1)


def _unit_rows(M: np.ndarray, name: str) -> np.ndarray:
    """Each row divided by its length; each row is first scaled by its largest entry, so 1e200 or 1e-200 neither
    overflow nor vanish.
    (..., d) -> (..., d)"""
    big = np.max(np.abs(M), axis=-1, keepdims=True)
    if (big == 0).any():
        row = int(np.argwhere(big[..., 0] == 0)[0][-1])
        raise ValueError(f"{name} has a zero vector (row {row}): it has no direction, so no cosine.")
    M = M / big
    return M / np.linalg.norm(M, axis=-1, keepdims=True)


def contextual_embeddings(X, weights) -> np.ndarray:
    """The article's weighted sum: new row i = sum_j weights[i, j] * X[j]. (n, d), (n, n) -> (n, d)

    Introduced in notebook 02.
    """
    X = as_float_array(X, "X", min_ndim=2)
    weights = check_row_stochastic(weights)
    if weights.shape[-1] != X.shape[-2]:
        raise ValueError(
            f"weights has {weights.shape[-1]} columns but X has {X.shape[-2]} words (rows): "
            f"weights {weights.shape} cannot mix X {X.shape}."
        )
    try:
        return weights @ X
    except ValueError:
        raise ValueError(f"the batch dimensions of weights {weights.shape} and X {X.shape} do not broadcast.") from None


def self_attention(X, scaled: bool = False):
    """Parameter-free self-attention: softmax(X X^T [/ sqrt(d)]) @ X. (n, d) -> ((n, d), (n, n))

    Introduced in notebook 04.
    """
    X = as_float_array(X, "X", min_ndim=2)
    scaled = check_bool(scaled, "scaled")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the softmax
        scores = dot_similarity(X)
    if scaled:
        scores /= X.dtype.type(np.sqrt(X.shape[-1]))
    weights = _stable_softmax(scores, axis=-1, neg_inf_is_mask=False)
    return weights @ X, weights


def scaled_dot_product_attention(Q, K, V, mask=None, scale=None):
    """softmax(Q K^T * scale, masked) @ V, scale = 1/sqrt(d_k).
    (n_q, d_k), (n_k, d_k), (n_k, d_v) -> ((n_q, d_v), (n_q, n_k))

    Introduced in notebook 05.
    """
    Q, K, V = check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    return _attend(Q, K, V, mask, s)


def _attend(Q, K, V, mask, scale: float, softmax_=_stable_softmax):
    """scaled_dot_product_attention of checked inputs; ``softmax_`` works in place. -> ((n_q, d_v), (n_q, n_k))"""
    dtype = np.result_type(Q, K, V)
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported by the softmax
            scores = (Q * dtype.type(scale)) @ np.swapaxes(K, -1, -2)  # the scale on Q: n*d, not n*n, multiplies
    except ValueError:
        raise ValueError(f"the batch dimensions of Q {Q.shape} and K {K.shape} do not broadcast.") from None
    if mask is not None:
        scores[~check_mask(mask, scores.shape)] = -np.inf  # scores is our own array: the inputs are untouched
    weights = softmax_(scores, -1, 1.0, mask is not None)
    try:
        return weights @ V, weights
    except ValueError:
        raise ValueError(
            f"the batch dimensions of the weights {weights.shape} and V {V.shape} do not broadcast."
        ) from None


def causal_mask(n: int) -> np.ndarray:
    """True where query i may see key j (j <= i): on and below the diagonal. () -> (n, n)

    Introduced in notebook 08.
    """
    n = check_mask_size(check_positive_int(n, "n"))
    return np.tri(n, dtype=bool)


def split_heads(M: np.ndarray, n_heads: int) -> np.ndarray:
    """Cut the features into n_heads contiguous blocks. (..., n, d_model) -> (..., n_heads, n, d_head)

    Introduced in notebook 09.
    """
    M = as_float_array(M, "M", min_ndim=2)
    n_heads = check_positive_int(n_heads, "n_heads")
    if M.shape[-1] % n_heads:
        raise ValueError(
            f"d_model = {M.shape[-1]} is not divisible by n_heads = {n_heads}: each head needs d_head = "
            "d_model // n_heads features."
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


def multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None, biases=None, head_gains=None):
    """Multi-head self-attention; each head gets d_head = d_model // n_heads features.
    (n, d_model) -> ((n, d_model), (n_heads, n, n))

    Introduced in notebook 09. ``biases`` {"b_q", "b_k", "b_v", "b_o"}: each (d_model,), added after its
    projection (trained models have them). ``head_gains`` (n_heads,): each head's output times its gain; 0 = off.
    """
    X, W, n_heads = check_projections(X, (W_q, W_k, W_v, W_o), n_heads)
    b = check_biases(biases, X.shape[-1], np.result_type(X, *W.values()))
    Q = split_heads(X @ W["W_q"] + b["b_q"], n_heads)  # (..., n_heads, n, d_head)
    K = split_heads(X @ W["W_k"] + b["b_k"], n_heads)
    V = split_heads(X @ W["W_v"] + b["b_v"], n_heads)
    out, weights = scaled_dot_product_attention(Q, K, V, mask=_heads_mask(mask, X))  # scale 1/sqrt(d_head)
    if head_gains is not None:
        out = out * check_head_gains(head_gains, n_heads, out.dtype)[:, None, None]  # (..., n_heads, n, d_head)
    return merge_heads(out) @ W["W_o"] + b["b_o"], weights  # (..., n, d_model), (..., n_heads, n, n)


def multi_head_attention_loop(X, W_q, W_k, W_v, W_o, n_heads: int, mask=None):
    """Multi-head attention head by head with column slices, for checking the reshape version.
    (n, d_model) -> ((n, d_model), (n_heads, n, n))

    Introduced in notebook 09.
    """
    X, W, n_heads = check_projections(X, (W_q, W_k, W_v, W_o), n_heads)
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


def _heads_mask(mask, X: np.ndarray):
    """A mask for the weights (..., n_heads, n_q, n_k), broadcast as numpy does; a batch X needs the head axis spelled
    out."""
    if mask is None:
        return None
    try:
        ndim = np.ndim(mask)
    except ValueError:  # a ragged list: check_mask says so
        return mask
    if X.ndim > 2 and 2 < ndim <= X.ndim:
        raise ValueError(
            f"a mask of shape {np.shape(mask)} for a batch X of shape {X.shape} is ambiguous (one per "
            "sentence, or one per head?). "
            "The mask broadcasts against the weights (..., n_heads, n_q, n_k): give one per sentence as "
            "(batch, 1, n_q, n_k) "
            "(e.g. mask[:, None]), one per head as (n_heads, n_q, n_k) with a leading 1 for the batch, or "
            "(n_q, n_k) for all."
        )
    return mask


class Projections(NamedTuple):
    """W_q, W_k, W_v, W_o, each (d_model, d_model); unpacks in that order."""

    W_q: np.ndarray
    W_k: np.ndarray
    W_v: np.ndarray
    W_o: np.ndarray


def random_projections(d_model: int, seed: int = 0, gain: float = 1.0) -> Projections:
    """Seeded W_q, W_k, W_v, W_o with N(0, gain^2/d_model) entries. () -> 4 x (d_model, d_model)

    Introduced in notebook 09.
    """
    d_model = check_positive_int(d_model, "d_model")
    rng = np.random.default_rng(seed)
    return Projections(*(gain * rng.standard_normal((d_model, d_model)) / np.sqrt(d_model) for _ in range(4)))


def sum_normalize(values, axis: int = -1) -> np.ndarray:
    """Divide by the sum (the naive normalisation softmax replaces); a zero sum is an error. (..., n) -> (..., n)

    Introduced in notebook 04.
    """
    x = as_float_array(values, "values", min_ndim=1)
    total = np.sum(x, axis=check_axis(axis, x.ndim), keepdims=True)
    if (total == 0).any():
        raise ValueError("the values sum to 0: dividing by their sum is impossible (softmax never has this problem).")
    return x / total


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
            f"every length must be between 1 and n = {n}, got {lengths.tolist()}: an empty sentence has "
            "nothing to attend to."
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
    P = as_float_array(weights, "weights", min_ndim=1)
    axis = check_axis(axis, P.ndim)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(P > 0, P * np.log(P), 0.0)
    return 0.0 - terms.sum(axis=axis)  # 0.0 - x, not -x: a one-hot row gives 0.0, never -0.0


def previous_token_share(weights, first: int = 1, last=None) -> np.ndarray:
    """Mean weight from query t to key t - 1 over the queries first..last-1 (default: all but the first).
    (..., n, n) -> (...)

    Introduced in notebook 10.
    """
    P = as_float_array(weights, "weights", min_ndim=2)
    rows = np.arange(max(first, 1), P.shape[-2] if last is None else last)
    if rows.size == 0:
        raise ValueError(f"weights of shape {P.shape} have no query with a previous token in rows {first}..{last}.")
    return P[..., rows, rows - 1].mean(axis=-1)


def grouped_query_attention(Q, K, V, mask=None, scale=None):
    """Attention in which each group of n_heads // n_kv_heads query heads shares one key and value head.
    (..., n_heads, n_q, d_k), (..., n_kv_heads, n_k, d_k), (..., n_kv_heads, n_k, d_v)
    -> ((..., n_heads, n_q, d_v), (..., n_heads, n_q, n_k))

    Introduced in notebook 15. n_kv_heads = 1 is multi-query attention, = n_heads multi-head attention. The
    shared keys and values are broadcast to their group, never copied.
    """
    Q, K, V = (as_float_array(a, name, min_ndim=3) for a, name in ((Q, "Q"), (K, "K"), (V, "V")))
    n_heads, n_kv = Q.shape[-3], K.shape[-3]
    if V.shape[-3] != n_kv:
        raise ValueError(f"K and V must have the same number of heads, got {n_kv} and {V.shape[-3]}.")
    if n_heads % n_kv:
        raise ValueError(f"n_kv_heads = {n_kv} must divide n_heads = {n_heads}: each group shares one key/value head.")
    group, (n_q, n_k) = n_heads // n_kv, (Q.shape[-2], K.shape[-2])
    Qg = Q.reshape(*Q.shape[:-3], n_kv, group, n_q, Q.shape[-1])  # query head h belongs to group h // group
    if mask is not None:
        batch = np.broadcast_shapes(Q.shape[:-3], K.shape[:-3])
        mask = check_mask(mask, batch + (n_heads, n_q, n_k)).reshape(batch + (n_kv, group, n_q, n_k))
    out, weights = scaled_dot_product_attention(Qg, K[..., None, :, :], V[..., None, :, :], mask=mask, scale=scale)
    return out.reshape(*out.shape[:-4], n_heads, n_q, -1), weights.reshape(*weights.shape[:-4], n_heads, n_q, n_k)


def sliding_window_mask(n: int, window: int, sinks: int = 0) -> np.ndarray:
    """True where query i may see key j: j <= i and i - j < window, or j among the first `sinks` keys. () -> (n, n)

    Introduced in notebook 15.
    """
    n, window = check_mask_size(check_positive_int(n, "n")), check_positive_int(window, "window")
    sinks = check_seed(sinks, "sinks")  # a whole number >= 0
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    return (j <= i) & ((i - j < window) | (j < sinks))
