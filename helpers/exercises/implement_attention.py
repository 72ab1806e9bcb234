"""Implement-it checkers: softmax, self-attention, scaled attention and masks; each names the known mistakes."""

from __future__ import annotations

import math

import numpy as np

from ..attention import causal_mask, scaled_dot_product_attention, self_attention, softmax
from . import mistakes_attention as more
from . import mistakes_weights as first
from .learner import (
    LearnerError,
    LearnerTimeout,
    call_learner,
    case_rng,
    check_function,
    hint,
    learner_array,
    like,
    loose_softmax,
    same,
    two_arrays,
)
from .registry import exercise


# ---------------------------------------------------------------- softmax and self-attention
def _softmax_cases() -> list:
    r = case_rng(1)
    return [
        (r.normal(size=(3, 5)),),
        (
            np.array([[1000.0, 999.0, 0.0, -1000.0], [-1000.0, -1001.0, -999.0, -1002.0]]),
        ),  # large scores: exp overflows without the max subtraction, or shifted by the mean (750 below the max)
        (r.normal(size=(2, 3, 4)),),  # batch dimensions
        (np.array([[3.0]]),),  # one word
        (r.normal(size=(4, 6)).astype(np.float32),),
    ]


def _softmax_axis0(s):
    """each column sums to 1, not each row: take the max and the sum over the last axis (axis=-1, keepdims=True)."""
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True),)


def _softmax_whole(s):
    """the whole array sums to 1: normalise each row on its own (axis=-1, keepdims=True)."""
    e = np.exp(s - s.max())
    return (e / e.sum(),)


def _softmax_sum_normalize(s):
    """that divides the scores by their sum; softmax takes exp first, then divides by the sum of the exps."""
    return (s / s.sum(axis=-1, keepdims=True),)


def _softmax_one_max(s):
    """one max for the whole array: a row far below it (scores near -1000 when the max is 1000) becomes exp(-2000) = 0
    in every entry, and 0 / 0 is NaN; nothing overflowed. Take each row's own max: s.max(axis=-1, keepdims=True)."""
    with np.errstate(all="ignore"):
        e = np.exp(s - s.max())
        return (e / e.sum(axis=-1, keepdims=True),)


SOFTMAX_MISTAKES = [_softmax_axis0, _softmax_whole, _softmax_sum_normalize, _softmax_one_max]
_ALL_NEGATIVE = np.array([[-1000.0, -1001.0, -999.0]])  # one row, every score far below 0
_NOT_THE_ROWS_MAX = (
    "right on small scores, but a row whose scores are all far below 0 (near -1000) gives NaN: what you subtract is "
    "not that row's own max (max(0, m) is 0 there, so exp(-1000) = 0 everywhere and 0 / 0 is NaN). Subtract the "
    "row's own max, negative or not: s.max(axis=-1, keepdims=True)."
)
_OVERFLOW = (
    "right on small scores, but exp(1000) overflows to inf and the result has NaN: subtract each row's max "
    "before exp (it cancels out)."
)


@exercise("04.4", writes="`my_softmax(scores)`: stable, over the last axis")
def check_softmax(fn) -> tuple:
    """my_softmax(scores), a stable softmax over the last axis."""
    cases = _softmax_cases()
    if callable(fn):  # no max subtraction: right on small scores, inf or NaN on large ones
        try:
            small, large = (learner_array(call_learner(fn, case, "scores"), "the result") for case in cases[:2])
            if same(small, softmax(cases[0][0]), 1e-6) and not np.all(np.isfinite(large)):
                low = learner_array(call_learner(fn, (_ALL_NEGATIVE,), "scores"), "the result")
                if np.all(np.isfinite(large[0])) and not np.all(np.isfinite(low)):  # the shift is not the row's max
                    return False, _NOT_THE_ROWS_MAX
                if like(large, _softmax_one_max(cases[1][0])[0], 1e-6):
                    return False, hint(_softmax_one_max)  # nothing overflowed: a row far below the one max
                return False, _OVERFLOW
        except LearnerTimeout as exc:  # said now: running it again would only take as long again
            return False, str(exc)
        except LearnerError:
            pass  # check_function reports it
    covers = "scores of 1000, a batch, one word, float32"
    return check_function(
        fn,
        cases,
        lambda s: (softmax(s),),
        SOFTMAX_MISTAKES + first.SOFTMAX,
        "my_softmax(scores)",
        covers,
        rescaled=first.SOFTMAX_SCALE,
    )


def _self_attention_cases() -> list:
    r = case_rng(2)
    return [
        (np.array([[0.9, 0.0, 0.3, 0.1], [0.6, 0.2, 0.1, 0.7], [0.4, 0.3, 0.8, 0.0]]),),  # money bank grows
        (r.normal(size=(5, 8)),),
        (np.array([[0.6, 0.2, 0.1, 0.7]]),),  # one word
        (r.normal(size=(4, 3)).astype(np.float32),),
    ]


def _self_attention_scaled(X):
    """that is scaled by 1/sqrt(d); notebook 04's version (the article's) does not scale: weights = softmax(X @ X.T)."""
    weights = softmax(X @ X.T / math.sqrt(X.shape[-1]))
    return weights @ X, weights


def _self_attention_columns(X):
    """the softmax runs down the columns: each row of weights (one per word) must sum to 1 (axis=-1)."""
    weights = softmax(X @ X.T, axis=0)
    return weights @ X, weights


def _self_attention_raw(X):
    """the weights are the raw dot products: turn them into weights with softmax first."""
    return X @ X.T @ X, X @ X.T


SELF_ATTENTION_MISTAKES = [
    _self_attention_scaled,
    _self_attention_columns,
    _self_attention_raw,
]


def _y_and_weights(result):
    return two_arrays(result, ("Y", "weights"))


@exercise("04.5", writes="`my_self_attention(X) -> (Y, weights)`: `softmax(X @ X.T) @ X`, unscaled")
def check_self_attention(fn) -> tuple:
    """my_self_attention(X) -> (Y, weights), unscaled: softmax(X @ X.T) @ X."""
    cases, covers = _self_attention_cases(), "the toy sentence, random vectors, one word, float32"
    mistakes = SELF_ATTENTION_MISTAKES + first.SELF_ATTENTION
    what = "my_self_attention(X)"
    return check_function(
        fn,
        cases,
        self_attention,
        mistakes,
        what,
        covers,
        _y_and_weights,
        names=("Y", "weights"),
        rescaled=first.SELF_ATTENTION_SCALE,
    )


# ---------------------------------------------------------------- scaled attention
def _qkv_cases(salt: int) -> list:
    r = case_rng(3, salt)
    return [
        (r.normal(size=(4, 8)), r.normal(size=(5, 8)), r.normal(size=(5, 3))),  # n_q != n_k, d_v != d_k
        (30 * r.normal(size=(3, 16)), 30 * r.normal(size=(3, 16)), r.normal(size=(3, 2))),  # large scores
        (r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4))),  # batch dimensions
        (r.normal(size=(1, 4)), r.normal(size=(1, 4)), r.normal(size=(1, 4))),  # one word
        tuple(a.astype(np.float32) for a in (r.normal(size=(3, 4)), r.normal(size=(3, 4)), r.normal(size=(3, 2)))),
    ]


def _attend(Q, K, V, scale, mask=None, axis=-1):
    scores = Q @ np.swapaxes(K, -1, -2) * scale
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    weights = loose_softmax(scores, axis=axis)
    return weights @ V, weights


def _no_scale(Q, K, V):
    """no scale: divide the scores by sqrt(d_k), the length of the query and key vectors (Q.shape[-1])."""
    return _attend(Q, K, V, 1.0)


def _times_sqrt_d_k(Q, K, V):
    """the scores are multiplied by sqrt(d_k); they must be divided by it (times 1/sqrt(d_k))."""
    return _attend(Q, K, V, math.sqrt(Q.shape[-1]))


def _sqrt_n(Q, K, V):
    """that divides by sqrt(n), the number of words; the scale is 1/sqrt(d_k), the number of features of a query
    (Q.shape[-1])."""
    return _attend(Q, K, V, 1 / math.sqrt(K.shape[-2]))


def _over_d_k(Q, K, V):
    """that divides by d_k; the scale is 1/sqrt(d_k)."""
    return _attend(Q, K, V, 1 / Q.shape[-1])


def _softmax_over_queries(Q, K, V):
    """the softmax runs over the queries (axis -2): each query's row of weights must sum to 1 (axis=-1)."""
    return _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), axis=-2)


SCALED_MISTAKES = [_no_scale, _times_sqrt_d_k, _sqrt_n, _over_d_k, _softmax_over_queries]


@exercise("05.3", writes="`my_scaled_attention(Q, K, V) -> (out, weights)`: scaled by `1/sqrt(d_k)`")
def check_scaled_attention(fn) -> tuple:
    """my_scaled_attention(Q, K, V) -> (out, weights), scores scaled by 1/sqrt(d_k)."""
    what, covers = "my_scaled_attention(Q, K, V)", "n_q != n_k, large scores, a batch, one word, float32"
    ok, message = check_function(
        fn,
        _qkv_cases(0),
        scaled_dot_product_attention,
        SCALED_MISTAKES + more.SCALED,
        what,
        covers,
        two_arrays,
        rescaled=more.SCALED_SCALE,
    )
    return ok, message + (more.MATMUL_HINT if "matmul" in message and "swapaxes" not in message else "")


# ---------------------------------------------------------------- masks
def _triu(n):
    """that is np.triu: True on and above the diagonal lets each word see the future. Use np.tril: word i may see
    words 0..i."""
    return (np.triu(np.ones((n, n), dtype=bool)),)


def _inverted(n):
    """the boolean is inverted: True marks the blocked positions (the future, what np.triu(..., k=1) gives), but in
    this series True means 'may attend': np.tril(np.ones((n, n), dtype=bool))."""
    return (~np.tri(n, dtype=bool),)


def _no_diagonal(n):
    """the diagonal is False: a word may always see itself (np.tril with k=0)."""
    return (np.tri(n, k=-1, dtype=bool),)


CAUSAL_MISTAKES = [_triu, _inverted, _no_diagonal]


def _the_mask(result):
    return (learner_array(result, "the mask"),)


@exercise("08.3", writes="`my_causal_mask(n)`: boolean, True where a query may attend")
def check_causal_mask(fn) -> tuple:
    """my_causal_mask(n), boolean (n, n), True where a query may attend."""
    if callable(fn):
        try:
            raw = call_learner(fn, (4,), "n")
            got = learner_array(raw, "the mask")
            if isinstance(raw, list) and got.shape == (4, 4) and np.array_equal(got, causal_mask(4)):
                return False, (
                    "the right pattern, but as a Python list: return a numpy boolean array, which ~mask and "
                    "np.where understand, e.g. np.tril(np.ones((n, n), dtype=bool)) or np.array(rows)."
                )
            if got.dtype != np.bool_ and got.shape == (4, 4) and np.array_equal(got.astype(bool), causal_mask(4)):
                return False, (
                    f"the right pattern, but of dtype {got.dtype}: return a boolean array (dtype=bool), "
                    "e.g. np.tril(np.ones((n, n), dtype=bool))."
                )
        except LearnerTimeout as exc:  # said now: running it again would only take as long again
            return False, str(exc)
        except LearnerError:
            pass  # check_function reports it
    cases, reference = [(1,), (3,), (6,)], lambda n: (causal_mask(n),)
    return check_function(
        fn, cases, reference, CAUSAL_MISTAKES + more.CAUSAL, "my_causal_mask(n)", "n = 1, 3 and 6", _the_mask, 0
    )


def _masked_cases() -> list:
    r = case_rng(4)
    Q, K, V = r.normal(size=(4, 8)), r.normal(size=(4, 8)), r.normal(size=(4, 3))
    pad = np.array([True, True, True, False])[None, :] & np.ones((4, 1), dtype=bool)
    batch = (r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 2)), causal_mask(3))
    return [
        (Q, K, V, causal_mask(4)),
        (Q, K, V, pad),  # a padding mask
        batch,  # batch dimensions
        (r.normal(size=(1, 4)), r.normal(size=(1, 4)), r.normal(size=(1, 4)), np.ones((1, 1), dtype=bool)),  # one word
        tuple(a.astype(np.float32) for a in (Q, K, V)) + (causal_mask(4),),
        (Q[:3], _loud_future(Q[:3], K[:3]), V[:3], causal_mask(3)),  # a masked key far above the allowed one
    ]


def _loud_future(Q, K):
    """Keys whose last one scores 2000 above the first for the first query, which may not see it: exp of the
    allowed score underflows to 0 unless the masked one is set to -inf before the softmax."""
    K = K.copy()
    K[-1] = K[0] + 2000 * math.sqrt(Q.shape[-1]) * Q[0] / (Q[0] @ Q[0])
    return K


def _zero_masked(Q, K, V, mask):
    """masked scores set to 0: exp(0) = 1, so the masked keys still get weight. Set them to -inf
    (np.where(mask, scores, -np.inf)) before the softmax."""
    weights = softmax(np.where(mask, Q @ np.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1]), 0.0))
    return weights @ V, weights


def _mask_after(Q, K, V, mask):
    """the mask is applied after the softmax, so the rows no longer sum to 1: set masked scores to -inf before the
    softmax (or divide each row by its new sum)."""
    weights = _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]))[1] * mask
    return weights @ V, weights


def _mask_inverted(Q, K, V, mask):
    """the mask is inverted: True means 'may attend', so set the scores to -inf where the mask is False (~mask)."""
    return _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), ~mask)


def _masked_no_scale(Q, K, V, mask):
    """the masking is right but the scale is missing: divide the scores by sqrt(d_k) as in 05.3."""
    return _attend(Q, K, V, 1.0, mask)


MASKED_MISTAKES = [_zero_masked, _mask_after, _mask_inverted, _masked_no_scale]


@exercise("08.4", writes="`my_masked_attention(Q, K, V, mask) -> (out, weights)`: `-inf` before the softmax")
def check_masked_attention(fn) -> tuple:
    """my_masked_attention(Q, K, V, mask) -> (out, weights), -inf before the softmax where mask is False."""
    what, covers = (
        "my_masked_attention(Q, K, V, mask)",
        "a causal and a padding mask, a batch, one word, float32, a masked score 2000 above",
    )
    reference = lambda Q, K, V, m: scaled_dot_product_attention(Q, K, V, mask=m)  # noqa: E731
    mistakes = MASKED_MISTAKES + more.MASKED
    return check_function(
        fn, _masked_cases(), reference, mistakes, what, covers, two_arrays, rescaled=more.MASKED_SCALE
    )
