"""Implement-it checkers: position encoding, splitting and merging heads, multi-head attention, the softmax's
backward pass and layer normalisation; each names the known mistakes."""

from __future__ import annotations

import math

import numpy as np

from ..attention import merge_heads, multi_head_attention, softmax, split_heads
from ..gradients import softmax_backward
from ..layers import layer_norm
from ..positions import positional_encoding
from . import mistakes_gradients as more_models
from . import mistakes_heads as more
from . import mistakes_positions as positions
from .learner import case_rng, check_function, learner_array, two_arrays
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


def _sin_cos_swapped(n, d):
    """sine and cosine are swapped: the even columns (0, 2, ...) are sines, the odd ones cosines."""
    return _pe_variant(n, d, swap=True)


def _exponent_i_over_d(n, d):
    """the angles are pos / 10000 ** (i / d) (or, the same numbers, a base of 100 with 2i/d): they are
    pos / 10000 ** (2i/d), where i counts pairs of columns (i = 0, 1, ...), so columns 2i and 2i+1 share one angle."""
    return _pe_variant(n, d, rate=1)


def _positions_from_1(n, d):
    """the positions start at 1; they start at 0 (the first word's encoding is sin 0 = 0, cos 0 = 1)."""
    return _pe_variant(n, d, first=1)


PE_MISTAKES = [_sin_cos_swapped, _exponent_i_over_d, _positions_from_1]


def _the_table(result):
    return (learner_array(result, "the table"),)


@exercise("06.1", writes="`my_positional_encoding(n, d)`: the sinusoidal table")
def check_positional_encoding(fn) -> tuple:
    """my_positional_encoding(n, d), the sinusoidal table of Vaswani et al."""
    cases, reference = [(4, 6), (10, 16), (1, 4), (5, 7)], lambda n, d: (positional_encoding(n, d),)
    what, covers = "my_positional_encoding(n, d)", "n = 1 to 10, d even and odd"
    ok, message = check_function(fn, cases, reference, PE_MISTAKES + positions.POSITIONAL, what, covers, _the_table)
    if not ok and "broadcast" in message and "shapes 5, 7" in message:  # d odd: one more sine column than cosines
        message += (
            " With d odd (7) there are 4 sine columns (0::2) and 3 cosine columns (1::2): the cosines take the first "
            "d // 2 angles, angles[:, : d // 2]."
        )
    return ok, message


# ---------------------------------------------------------------- the softmax's backward pass
def _softmax_backward_cases() -> list:
    r = case_rng(8)
    return [
        (softmax(r.normal(size=(4, 5))), r.normal(size=(4, 5))),
        (softmax(3 * r.normal(size=(2, 3, 4))), r.normal(size=(2, 3, 4))),  # batch axes
        (np.array([[1.0]]), np.array([[0.7]])),  # one key: the weight is always 1, the gradient 0
        (softmax(r.normal(size=(3, 6))).astype(np.float32), r.normal(size=(3, 6)).astype(np.float32)),
    ]


def _no_sum_term(P, dP):
    """the '- sum(dP * P)' term is missing: every score also changes the other weights through the row's sum."""
    return (P * dP,)


def _sum_over_queries(P, dP):
    """the sum runs over the wrong axis: sum dP * P over each row's keys (axis=-1, keepdims=True)."""
    return (P * (dP - np.sum(dP * P, axis=-2, keepdims=True)),)


def _unweighted_sum(P, dP):
    """the sum must be weighted by P: subtract sum(dP * P) over the row, not sum(dP)."""
    return (P * (dP - np.sum(dP, axis=-1, keepdims=True)),)


def _no_p_factor(P, dP):
    """multiply by P: dS = P * (dP - sum(dP * P))."""
    return (dP - np.sum(dP * P, axis=-1, keepdims=True),)


def _sum_over_everything(P, dP):
    """the sum runs over the whole array: each row is its own softmax, so sum dP * P over that row only
    (axis=-1, keepdims=True)."""
    return (P * (dP - np.sum(dP * P)),)


def _wrong_sign(P, dP):
    """the sign is flipped: dS = P * (dP - sum(dP * P)), the row's weighted mean subtracted from dP, not the other
    way round."""
    return (P * (np.sum(dP * P, axis=-1, keepdims=True) - dP),)


SOFTMAX_BACKWARD_MISTAKES = [
    _no_sum_term,
    _sum_over_queries,
    _unweighted_sum,
    _no_p_factor,
    _sum_over_everything,
    _wrong_sign,
]


@exercise("10.1", writes="`my_softmax_backward(P, dP) -> dS`: the gradient through each row's softmax")
def check_softmax_backward(fn) -> tuple:
    """my_softmax_backward(P, dP) -> dS, the gradient through a row-wise softmax."""
    cases, reference = _softmax_backward_cases(), lambda P, dP: (softmax_backward(P, dP),)
    what, covers = "my_softmax_backward(P, dP)", "random rows, batch axes, one key, float32"
    return check_function(fn, cases, reference, SOFTMAX_BACKWARD_MISTAKES + more_models.SOFTMAX_BACKWARD, what, covers)


# ---------------------------------------------------------------- layer normalisation
def _layer_norm_cases() -> list:
    r = case_rng(9)
    constant = np.array([[1.0, 1.0, 1.0, 1.0]])  # a constant row: only eps keeps it finite
    float32 = (r.normal(size=(4, 5)), r.normal(size=5), r.normal(size=5))
    return [
        (r.normal(2.0, 3.0, size=(3, 8)), r.normal(size=8), r.normal(size=8), 1e-12),
        (r.normal(size=(2, 4, 6)), np.ones(6), np.zeros(6), 1e-5),  # batch axes
        (constant, r.normal(size=4), r.normal(size=4), 1e-5),
        (*(a.astype(np.float32) for a in float32), 1e-6),
        (0.1 * r.normal(size=(2, 5)), r.normal(size=5), r.normal(size=5), 0.5),  # a large eps: where it goes shows
        (
            1e8 + r.normal(size=(2, 6)),
            r.normal(size=6),
            r.normal(size=6),
            1e-5,
        ),  # a large mean: mean(x**2) - m**2 fails
    ]


def _normalised_columns(x, g, b, eps):
    """normalised down the columns: each token's row (its features, the last axis) gets mean 0 and variance 1."""
    return ((x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) * g + b,)


def _sample_variance(x, g, b, eps):
    """that is the sample variance (ddof=1); LayerNorm divides by n: np.var(x, axis=-1) or
    ((x - mean) ** 2).mean(axis=-1)."""
    return ((x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps) * g + b,)


def _sample_std_plus_eps(x, g, b, eps):
    """that divides by x.std(ddof=1) + eps, as many transformer tutorials do: the sample standard deviation (ddof=1,
    torch's .std() default) with eps outside the root. LayerNorm divides by sqrt(np.var(x, axis=-1) + eps)."""
    c = x - x.mean(-1, keepdims=True)
    return (c / (x.std(-1, ddof=1, keepdims=True) + eps) * g + b,)


def _no_gamma_beta(x, g, b, eps):
    """gamma and beta are missing: scale by gamma and shift by beta after normalising."""
    return ((x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps),)


def _divided_by_variance(x, g, b, eps):
    """divide by the standard deviation, sqrt(variance + eps), not by the variance."""
    return ((x - x.mean(-1, keepdims=True)) / (x.var(-1, keepdims=True) + eps) * g + b,)


LAYER_NORM_MISTAKES = [
    _normalised_columns,
    _sample_variance,
    _sample_std_plus_eps,
    _no_gamma_beta,
    _divided_by_variance,
]


@exercise("12.1", writes="`my_layer_norm(x, gamma, beta, eps)`: each row to mean 0, variance 1, then `gamma`, `beta`")
def check_layer_norm(fn) -> tuple:
    """my_layer_norm(x, gamma, beta, eps): each row to mean 0 and variance 1, then times gamma plus beta."""
    cases, reference = _layer_norm_cases(), lambda x, g, b, eps: (layer_norm(x, g, b, eps),)
    what, covers = (
        "my_layer_norm(x, gamma, beta, eps)",
        "shifted and scaled rows, a batch, a constant row, float32, eps 0.5, a mean of 1e8",
    )
    return check_function(fn, cases, reference, LAYER_NORM_MISTAKES + more_models.LAYER_NORM, what, covers, tol=1e-5)


# ---------------------------------------------------------------- heads
def _split_cases() -> list:
    r = case_rng(5)
    return [
        (r.normal(size=(3, 8)), 2),
        (r.normal(size=(2, 6, 12)), 3),  # 6 words split evenly into 3: splitting the words shows
        (r.normal(size=(1, 4)), 4),
        (r.normal(size=(5, 6)).astype(np.float32), 2),
    ]


def _split_no_transpose(M, h):
    """a reshape without the transpose mixes words across heads: reshape to (..., n, n_heads, d_head) first, then
    swap the n and n_heads axes."""
    *batch, n, d = M.shape
    return (M.reshape(*batch, h, n, d // h),)


def _split_interleaved(M, h):
    """each head must own a contiguous block of features (head 0: features 0..d_head-1): reshape to
    (..., n, n_heads, d_head), not (..., n, d_head, n_heads)."""
    *batch, n, d = M.shape
    return (np.moveaxis(M.reshape(*batch, n, d // h, h), -1, -3),)


SPLIT_MISTAKES = [_split_no_transpose, _split_interleaved]


@exercise("09.4", writes="`my_split_heads(M, n_heads)`: `(..., n, d_model) -> (..., n_heads, n, d_head)`")
def check_split_heads(fn) -> tuple:
    """my_split_heads(M, n_heads): (..., n, d_model) -> (..., n_heads, n, d_head)."""
    what, covers = "my_split_heads(M, n_heads)", "2 to 4 heads, a batch, one word, float32"
    return check_function(
        fn, _split_cases(), lambda M, h: (split_heads(M, h),), SPLIT_MISTAKES + more.SPLIT, what, covers, tol=0
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
    """a reshape without the transpose mixes words across heads: swap the n_heads and n axes first
    (np.swapaxes(M, -3, -2)), then reshape."""
    *batch, h, n, dh = M.shape
    return (M.reshape(*batch, n, h * dh),)


def _merge_wrong_order(M):
    """the heads are merged in the wrong order: each word's row must be head 0's d_head features, then head 1's,
    ... (swap axes -3 and -2, then reshape)."""
    *batch, h, n, dh = M.shape
    return (np.moveaxis(M, -3, -1).reshape(*batch, n, h * dh),)


MERGE_MISTAKES = [_merge_no_transpose, _merge_wrong_order]


@exercise("09.5", writes="`my_merge_heads(M)`: its inverse")
def check_merge_heads(fn) -> tuple:
    """my_merge_heads(M): (..., n_heads, n, d_head) -> (..., n, n_heads * d_head)."""
    what, covers = "my_merge_heads(M)", "2 to 4 heads, a batch, one word, float32"
    return check_function(
        fn, _merge_cases(), lambda M: (merge_heads(M),), MERGE_MISTAKES + more.MERGE, what, covers, tol=0
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


def _mha_variant(X, W_q, W_k, W_v, W_o, h, scale=None, split=None, merge=None, out_proj=True, transpose=False):
    split = split or split_heads
    merge = merge or merge_heads
    d_model = X.shape[-1]
    Q, K, V = split(X @ W_q, h), split(X @ W_k, h), split(X @ W_v, h)
    s = 1 / math.sqrt(d_model // h) if scale is None else scale
    weights = softmax(Q @ np.swapaxes(K, -1, -2) * s)
    out = merge(weights @ V)
    out = out @ W_o if out_proj else out
    return out, (np.swapaxes(weights, -1, -2) if transpose else weights)


def _scaled_by_d_model(*args):
    """the scores are divided by sqrt(d_model); each head's queries have d_head = d_model // n_heads features, so
    divide by sqrt(d_head)."""
    return _mha_variant(*args, scale=1 / math.sqrt(args[0].shape[-1]))


def _heads_not_scaled(*args):
    """no scale: divide each head's scores by sqrt(d_head)."""
    return _mha_variant(*args, scale=1.0)


def _heads_without_transpose(*args):
    """a reshape without the transpose mixes words across heads: split with reshape then swapaxes (your
    my_split_heads), and merge back the same way."""
    return _mha_variant(
        *args, split=lambda M, h: _split_no_transpose(M, h)[0], merge=lambda M: _merge_no_transpose(M)[0]
    )


def _no_output_projection(*args):
    """the heads' outputs are not mixed by W_o: multiply the merged output by W_o."""
    return _mha_variant(*args, out_proj=False)


MHA_MISTAKES = [
    _scaled_by_d_model,
    _heads_not_scaled,
    _heads_without_transpose,
    _no_output_projection,
]


@exercise(
    "09.6", writes="`my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (out, weights)` from the pieces above"
)
def check_multi_head_attention(fn) -> tuple:
    """my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (out, weights (n_heads, n, n))."""

    def reference(X, W_q, W_k, W_v, W_o, n_heads):
        return multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=n_heads)

    what, covers = "my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads)", "1 to 3 heads, one word, float32"
    mistakes = MHA_MISTAKES + more.MHA
    return check_function(fn, _mha_cases(), reference, mistakes, what, covers, two_arrays, rescaled=more.MHA_SCALE)
