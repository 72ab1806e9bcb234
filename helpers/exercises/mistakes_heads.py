"""More named mistakes for the heads' implement-its (09.4 split, 09.5 merge, 09.6 multi-head attention), found by
trying realistic wrong answers: each function computes what one wrong version returns, and its docstring is the hint
the learner reads."""

from __future__ import annotations

import math

import numpy as np

from ..attention import merge_heads, softmax, split_heads


def _swap(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- 09.4, 09.5 and 09.6 heads
def _split_heads_reversed(M, h):
    """the heads come in reverse order: head 0 owns the first d_head features, M[..., :d_head]."""
    return (split_heads(M, h)[..., ::-1, :, :],)


def _split_heads_features_first(M, h):
    """each head must own a contiguous block of features with the words before the features: reshape to
    (..., n, n_heads, d_head), then swap axes -3 and -2, giving (..., n_heads, n, d_head)."""
    *b, n, d = M.shape
    return (np.swapaxes(M.reshape(*b, n, d // h, h), -3, -1),)


def _split_all_axes_reversed(M, h):
    """.T reverses every axis: after the reshape to (..., n, n_heads, d_head), swap only the n and n_heads axes,
    np.swapaxes(..., -3, -2)."""
    *b, n, d = M.shape
    return (M.reshape(*b, n, h, d // h).T,)


def _split_d_head_before_heads(M, h):
    """the reshape puts d_head before n_heads, (..., n, d_head, n_heads), so a head takes every n_heads-th feature:
    reshape to (..., n, n_heads, d_head), so each head owns a contiguous block."""
    *b, n, d = M.shape
    return (np.swapaxes(M.reshape(*b, n, d // h, h), -3, -2),)


def _split_words(M, h):
    """that splits the words (axis -2) into n_heads groups; each head takes every word and a slice of the features:
    reshape the last axis into (n_heads, d_head), then move the heads axis before the words."""
    return (np.stack(np.array_split(M, h, axis=-2), axis=-3),)


def _split_stacked_in_front(M, h):
    """the heads are stacked in front of the batch axes (axis=0): the heads axis goes just before the words, at -3,
    np.stack(..., axis=-3), so a batch stays in front."""
    return (np.stack(np.split(M, h, axis=-1), axis=0),)


SPLIT = [
    _split_stacked_in_front,
    _split_words,
    _split_d_head_before_heads,
    _split_heads_reversed,
    _split_heads_features_first,
]
SPLIT += [_split_all_axes_reversed]


def _merge_heads_reversed(M):
    """the heads are merged in reverse order: each word's row is head 0's features first, then head 1's, ..."""
    return (merge_heads(M[..., ::-1, :, :]),)


def _merge_words_stacked(M):
    """the heads are concatenated along the words axis (rows); concatenate them along the features (the last axis):
    each word's row is head 0's d_head features, then head 1's, ..."""
    return (np.concatenate([M[..., i, :, :] for i in range(M.shape[-3])], axis=-2),)


def _merge_features_reversed(M):
    """swapping axes -3 and -1 reverses each word's features and heads: swap the heads and words axes,
    np.swapaxes(M, -3, -2), then reshape."""
    *b, h, n, dh = M.shape
    return (np.swapaxes(M, -3, -1).reshape(*b, n, h * dh),)


def _merge_summed(M):
    """the heads are summed (or averaged); merging concatenates them: each word's row holds every head's d_head
    features, n_heads * d_head in all."""
    return (M.sum(axis=-3),)


def _merge_last_two_swapped(M):
    """that swaps the last two axes (words and features) before the reshape; swap the heads and words axes,
    np.swapaxes(M, -3, -2), then reshape."""
    *b, h, n, dh = M.shape
    return (np.swapaxes(M, -1, -2).reshape(*b, n, h * dh),)


def _merge_first_head_repeated(M):
    """every block of the merged row is head 0's output: take each head in turn, head i's d_head features after head
    i-1's (swap axes -3 and -2, then reshape)."""
    return (np.concatenate([M[..., 0, :, :]] * M.shape[-3], axis=-1),)


def _merge_full_transpose(M):
    """M.T reverses every axis (and the batch's): swap only the heads and words axes, np.swapaxes(M, -3, -2), then
    reshape to (..., n, n_heads * d_head)."""
    *batch, h, n, dh = M.shape
    return (M.T.reshape(*batch, n, h * dh),)


MERGE = [
    _merge_full_transpose,
    _merge_first_head_repeated,
    _merge_last_two_swapped,
    _merge_heads_reversed,
    _merge_words_stacked,
    _merge_features_reversed,
    _merge_summed,
]


def _heads(X, W_q, W_k, W_v, W_o, h, merge=merge_heads, axis=-1, proj_first=False):
    Q, K, V = split_heads(X @ W_q, h), split_heads(X @ W_k, h), split_heads(X @ W_v, h)
    if proj_first:
        V = split_heads(merge_heads(V) @ W_o, h)
    w = softmax(Q @ _swap(K) / math.sqrt(X.shape[-1] // h), axis=axis)
    out = merge(w @ V)
    return (out if proj_first else out @ W_o), w


def _merged_without_transpose(*args):
    """the heads are split right but merged with a plain reshape, which mixes words across heads: swap the heads and
    words axes first (np.swapaxes(out, -3, -2)), then reshape (your my_merge_heads)."""
    return _heads(*args, merge=lambda M: M.reshape(*M.shape[:-3], M.shape[-2], -1))


def _weights_averaged(*args):
    """the weights are averaged over the heads; return each head's weights, shape (n_heads, n, n)."""
    out, w = _heads(*args)
    return out, w.mean(axis=-3)


def _heads_over_queries(*args):
    """each head's softmax runs down the columns (over the queries): each query's row must sum to 1 (axis=-1)."""
    return _heads(*args, axis=-2)


def _w_o_before_attention(*args):
    """W_o multiplies the values before attention; it mixes the heads' outputs after them: merge, then @ W_o."""
    return _heads(*args, proj_first=True)


def _one_big_head(X, W_q, W_k, W_v, W_o, h):
    """that is one head of size d_model with its weights copied n_heads times: split Q, K and V into n_heads heads
    of d_head features (your my_split_heads), each with its own weights."""
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    w = softmax(Q @ _swap(K) / math.sqrt(X.shape[-1] // h))
    return (w @ V) @ W_o, np.repeat(np.expand_dims(w, -3), h, axis=-3)


def _w_o_transposed(X, W_q, W_k, W_v, W_o, h):
    """W_o is used transposed: multiply the merged output (n, d_model) by W_o as given, out @ W_o."""
    return _heads(X, W_q, W_k, W_v, W_o.T, h)


def _w_o_same_rows(X, W_q, W_k, W_v, W_o, h):
    """every head is multiplied by the first d_head rows of W_o; head i takes rows i*d_head to (i+1)*d_head (or merge
    the heads, then multiply by all of W_o)."""
    return _heads(X, W_q, W_k, W_v, np.tile(W_o[: X.shape[-1] // h], (h, 1)), h)


def _one_query_projection(X, W_q, W_k, W_v, W_o, h):
    """every head uses the first d_head columns of W_q: head i takes its own columns, i*d_head to (i+1)*d_head (or
    split X @ W_q into heads, as K and V)."""
    d = X.shape[-1] // h
    return _heads(X, np.tile(W_q[:, :d], (1, h)), W_k, W_v, W_o, h)


def _keys_from_w_q(X, W_q, W_k, W_v, W_o, h):
    """the keys are made with W_q: queries come from X @ W_q, keys from X @ W_k."""
    return _heads(X, W_q, W_q, W_v, W_o, h)


def _heads_averaged(X, W_q, W_k, W_v, W_o, h):
    """the heads' contributions are averaged (divided by n_heads): merge the heads, then @ W_o, which sums each
    head's share with no division."""
    out, w = _heads(X, W_q, W_k, W_v, W_o, h)
    return out / h, w


MHA = [
    _keys_from_w_q,
    _heads_averaged,
    _one_query_projection,
    _w_o_same_rows,
    _w_o_transposed,
    _merged_without_transpose,
    _weights_averaged,
    _heads_over_queries,
    _w_o_before_attention,
    _one_big_head,
]


def _mha_scaled(X, W_q, W_k, W_v, W_o, h, c):
    Q, K, V = split_heads(X @ W_q, h), split_heads(X @ W_k, h), split_heads(X @ W_v, h)
    w = softmax(Q @ _swap(K) * c)
    return merge_heads(w @ V) @ W_o, w


MHA_SCALE = (
    _mha_scaled,
    "each head's scores are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}); the scale is "
    "1/sqrt(d_head), with d_head = d_model // n_heads, the length of one head's queries.",
)
