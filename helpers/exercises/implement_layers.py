"""Implement-it checkers: position encoding, splitting and merging heads, multi-head attention, the softmax's
backward pass and layer normalisation; each names the known mistakes."""

from __future__ import annotations

import math

import numpy as np

from ..attention import merge_heads, multi_head_attention, softmax, split_heads
from ..gradients import softmax_backward
from ..layers import layer_norm
from ..positions import positional_encoding
from .learner import case_rng, check_function, learner_array, one_array, two_arrays
from .registry import exercise


# ---------------------------------------------------------------- position encoding
def _pe_variant(n, d, first=0, rate=2, swap=False):
    p = np.arange(first, first + n)[:, None]
    i = np.arange((d + 1) // 2)[None, :]
    angles = p / 10000.0 ** (rate * i / d)
    pe = np.empty((n, d))
    a, b = (np.cos, np.sin) if swap else (np.sin, np.cos)
    pe[:, 0::2] = a(angles)
    pe[:, 1::2] = b(angles[:, : d // 2])
    return (pe,)


PE_MISTAKES = [
    (
        lambda n, d: _pe_variant(n, d, swap=True),
        "sine and cosine are swapped: the even columns (0, 2, ...) are sines, the odd ones cosines.",
    ),
    (
        lambda n, d: _pe_variant(n, d, rate=1),
        "the exponent is i/d; it is 2i/d, where i counts pairs of columns (i = 0, 1, ...), so columns 2i and 2i+1 share one angle.",
    ),
    (
        lambda n, d: _pe_variant(n, d, first=1),
        "the positions start at 1; they start at 0 (the first word's encoding is sin 0 = 0, cos 0 = 1).",
    ),
]


@exercise("06.1", writes="`my_positional_encoding(n, d)`: the sinusoidal table")
def check_positional_encoding(fn) -> tuple:
    """my_positional_encoding(n, d), the sinusoidal table of Vaswani et al."""
    cases = [(4, 6), (10, 16), (1, 4), (5, 7)]
    return check_function(
        fn,
        cases,
        lambda n, d: (positional_encoding(n, d),),
        PE_MISTAKES,
        lambda r: (learner_array(r, "the table"),),
        "my_positional_encoding(n, d)",
        "n = 1 to 10, d even and odd",
    )


# ---------------------------------------------------------------- the softmax's backward pass
def _softmax_backward_cases() -> list:
    r = case_rng(8)
    return [
        (softmax(r.normal(size=(4, 5))), r.normal(size=(4, 5))),
        (softmax(3 * r.normal(size=(2, 3, 4))), r.normal(size=(2, 3, 4))),  # batch axes
        (np.array([[1.0]]), np.array([[0.7]])),  # one key: the weight is always 1, the gradient 0
        (softmax(r.normal(size=(3, 6))).astype(np.float32), r.normal(size=(3, 6)).astype(np.float32)),
    ]


SOFTMAX_BACKWARD_MISTAKES = [
    (
        lambda P, dP: (P * dP,),
        "the '- sum(dP * P)' term is missing: every score also changes the other weights through the row's sum.",
    ),
    (
        lambda P, dP: (P * (dP - np.sum(dP * P, axis=-2, keepdims=True)),),
        "the sum runs over the wrong axis: sum dP * P over each row's keys (axis=-1, keepdims=True).",
    ),
    (
        lambda P, dP: (P * (dP - np.sum(dP, axis=-1, keepdims=True)),),
        "the sum must be weighted by P: subtract sum(dP * P) over the row, not sum(dP).",
    ),
    (lambda P, dP: (dP - np.sum(dP * P, axis=-1, keepdims=True),), "multiply by P: dS = P * (dP - sum(dP * P))."),
]


@exercise("10.1", writes="`my_softmax_backward(P, dP) -> dS`: the gradient through each row's softmax")
def check_softmax_backward(fn) -> tuple:
    """my_softmax_backward(P, dP) -> dS, the gradient through a row-wise softmax."""
    return check_function(
        fn,
        _softmax_backward_cases(),
        lambda P, dP: (softmax_backward(P, dP),),
        SOFTMAX_BACKWARD_MISTAKES,
        one_array,
        "my_softmax_backward(P, dP)",
        "random rows, batch axes, one key, float32",
    )


# ---------------------------------------------------------------- layer normalisation
def _layer_norm_cases() -> list:
    r = case_rng(9)
    return [
        (r.normal(2.0, 3.0, size=(3, 8)), r.normal(size=8), r.normal(size=8), 1e-12),
        (r.normal(size=(2, 4, 6)), np.ones(6), np.zeros(6), 1e-5),  # batch axes
        (
            np.array([[1.0, 1.0, 1.0, 1.0]]),
            r.normal(size=4),
            r.normal(size=4),
            1e-5,
        ),  # a constant row: only eps keeps it finite
        (
            r.normal(size=(4, 5)).astype(np.float32),
            r.normal(size=5).astype(np.float32),
            r.normal(size=5).astype(np.float32),
            1e-6,
        ),
    ]


LAYER_NORM_MISTAKES = [
    (
        lambda x, g, b, eps: (
            (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) * g + b,
        ),
        "normalised down the columns: each token's row (its features, the last axis) gets mean 0 and variance 1.",
    ),
    (
        lambda x, g, b, eps: (
            (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps) * g + b,
        ),
        "that is the sample variance (ddof=1); LayerNorm divides by n: np.var(x, axis=-1) or ((x - mean) ** 2).mean(axis=-1).",
    ),
    (
        lambda x, g, b, eps: ((x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps),),
        "gamma and beta are missing: scale by gamma and shift by beta after normalising.",
    ),
    (
        lambda x, g, b, eps: ((x - x.mean(-1, keepdims=True)) / (x.var(-1, keepdims=True) + eps) * g + b,),
        "divide by the standard deviation, sqrt(variance + eps), not by the variance.",
    ),
]


@exercise("12.1", writes="`my_layer_norm(x, gamma, beta, eps)`: each row to mean 0, variance 1, then `gamma`, `beta`")
def check_layer_norm(fn) -> tuple:
    """my_layer_norm(x, gamma, beta, eps): each row to mean 0 and variance 1, then times gamma plus beta."""
    return check_function(
        fn,
        _layer_norm_cases(),
        lambda x, g, b, eps: (layer_norm(x, g, b, eps),),
        LAYER_NORM_MISTAKES,
        one_array,
        "my_layer_norm(x, gamma, beta, eps)",
        "shifted and scaled rows, a batch, a constant row, float32",
        tol_of=lambda args: 1e-5,
    )


# ---------------------------------------------------------------- heads
def _split_cases() -> list:
    r = case_rng(5)
    return [
        (r.normal(size=(3, 8)), 2),
        (r.normal(size=(2, 4, 6)), 3),
        (r.normal(size=(1, 4)), 4),
        (r.normal(size=(5, 6)).astype(np.float32), 2),
    ]


def _split_no_transpose(M, h):
    *batch, n, d = M.shape
    return (M.reshape(*batch, h, n, d // h),)


def _split_interleaved(M, h):
    *batch, n, d = M.shape
    return (np.moveaxis(M.reshape(*batch, n, d // h, h), -1, -3),)


SPLIT_MISTAKES = [
    (
        _split_no_transpose,
        "a reshape without the transpose mixes words across heads: reshape to (..., n, n_heads, d_head) first, then swap the n and n_heads axes.",
    ),
    (
        _split_interleaved,
        "each head must own a contiguous block of features (head 0: features 0..d_head-1): reshape to (..., n, n_heads, d_head), not (..., n, d_head, n_heads).",
    ),
]


@exercise("09.4", writes="`my_split_heads(M, n_heads)`: `(..., n, d_model) -> (..., n_heads, n, d_head)`")
def check_split_heads(fn) -> tuple:
    """my_split_heads(M, n_heads): (..., n, d_model) -> (..., n_heads, n, d_head)."""
    return check_function(
        fn,
        _split_cases(),
        lambda M, h: (split_heads(M, h),),
        SPLIT_MISTAKES,
        one_array,
        "my_split_heads(M, n_heads)",
        "2 to 4 heads, a batch, one word, float32",
        tol_of=lambda args: 0,
    )


def _merge_cases() -> list:
    r = case_rng(6)
    return [
        (r.normal(size=(2, 3, 4)),),
        (r.normal(size=(2, 3, 5, 2)),),
        (r.normal(size=(4, 1, 1)),),
        (r.normal(size=(3, 4, 2)).astype(np.float32),),
    ]


def _merge_no_transpose(M):
    *batch, h, n, dh = M.shape
    return (M.reshape(*batch, n, h * dh),)


def _merge_wrong_order(M):
    *batch, h, n, dh = M.shape
    return (np.moveaxis(M, -3, -1).reshape(*batch, n, h * dh),)


MERGE_MISTAKES = [
    (
        _merge_no_transpose,
        "a reshape without the transpose mixes words across heads: swap the n_heads and n axes first (np.swapaxes(M, -3, -2)), then reshape.",
    ),
    (
        _merge_wrong_order,
        "the heads are merged in the wrong order: each word's row must be head 0's d_head features, then head 1's, ... (swap axes -3 and -2, then reshape).",
    ),
]


@exercise("09.5", writes="`my_merge_heads(M)`: its inverse")
def check_merge_heads(fn) -> tuple:
    """my_merge_heads(M): (..., n_heads, n, d_head) -> (..., n, n_heads * d_head)."""
    return check_function(
        fn,
        _merge_cases(),
        lambda M: (merge_heads(M),),
        MERGE_MISTAKES,
        one_array,
        "my_merge_heads(M)",
        "2 to 4 heads, a batch, one word, float32",
        tol_of=lambda args: 0,
    )


def _mha_cases() -> list:
    r = case_rng(7)

    def inputs(shape, d, h, dtype=np.float64):
        X = r.normal(size=shape + (d,)).astype(dtype)
        Ws = [(r.normal(size=(d, d)) / math.sqrt(d)).astype(dtype) for _ in range(4)]
        return (X, *Ws, h)

    return [
        inputs((5,), 8, 2),
        inputs((4,), 12, 3),
        inputs((1,), 4, 2),
        inputs((4,), 6, 3, np.float32),
        inputs((3,), 8, 1),
    ]


def _mha_variant(
    X, W_q, W_k, W_v, W_o, h, scale=None, split=split_heads, merge=merge_heads, out_proj=True, transpose=False
):
    d_model = X.shape[-1]
    Q, K, V = split(X @ W_q, h), split(X @ W_k, h), split(X @ W_v, h)
    s = 1 / math.sqrt(d_model // h) if scale is None else scale(d_model, h)
    S = Q @ np.swapaxes(K, -1, -2) * s
    W = softmax(S)
    out = merge(W @ V)
    out = out @ W_o if out_proj else out
    return out, (np.swapaxes(W, -1, -2) if transpose else W)


MHA_MISTAKES = [
    (
        lambda *a: _mha_variant(*a, scale=lambda d, h: 1 / math.sqrt(d)),
        "the scores are divided by sqrt(d_model); each head's queries have d_head = d_model // n_heads features, so divide by sqrt(d_head).",
    ),
    (lambda *a: _mha_variant(*a, scale=lambda d, h: 1.0), "no scale: divide each head's scores by sqrt(d_head)."),
    (
        lambda *a: _mha_variant(
            *a, split=lambda M, h: _split_no_transpose(M, h)[0], merge=lambda M: _merge_no_transpose(M)[0]
        ),
        "a reshape without the transpose mixes words across heads: split with reshape then swapaxes (your my_split_heads), and merge back the same way.",
    ),
    (
        lambda *a: _mha_variant(*a, out_proj=False),
        "the heads' outputs are not mixed by W_o: multiply the merged output by W_o.",
    ),
    (
        lambda *a: _mha_variant(*a, transpose=True),
        "the weights are returned transposed: each head's row i is query i (shape (n_heads, n, n)).",
    ),
]


@exercise(
    "09.6", writes="`my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (out, weights)` from the pieces above"
)
def check_multi_head_attention(fn) -> tuple:
    """my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (out, weights (n_heads, n, n))."""

    def reference(X, W_q, W_k, W_v, W_o, n_heads):
        return multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=n_heads)

    return check_function(
        fn,
        _mha_cases(),
        reference,
        MHA_MISTAKES,
        two_arrays,
        "my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads)",
        "1 to 3 heads, one word, float32",
    )
