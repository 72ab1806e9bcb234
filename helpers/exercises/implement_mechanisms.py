"""Implement-it checkers for mechanisms first shown as helpers: rotary encoding (06), attention's whole backward
pass (10) and the online softmax's running update (13); each names the known mistakes."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax
from ..blockwise import online_softmax_update
from ..gradients import attention_backward, softmax_backward
from ..positions import apply_rope
from . import mistakes_gradients as more_models
from . import mistakes_online as more_online
from . import mistakes_positions as positions
from .learner import case_rng, check_function, named_arrays
from .registry import exercise


# ---------------------------------------------------------------- 06.3 rotary encoding
def _rope_cases() -> list:
    r = case_rng(20)
    return [
        (r.normal(size=(4, 8)), np.array([0, 1, 2, 3])),
        (r.normal(size=(3, 6)), np.array([5, 0, 17])),  # positions in any order, not the row numbers
        (r.normal(size=(1, 4)), np.array([40])),  # one word far along the sentence
        (r.normal(size=(5, 2)), np.array([2, 3, 4, 5, 6])),  # one pair
        (r.normal(size=(3, 8)).astype(np.float32), np.array([1, 9, 4])),
        (r.normal(size=(2, 3, 6)), np.array([4, 0, 7])),  # a batch axis (or heads): one position per word, shared
    ]


def _rotate(x, angles, sign=1.0, halves=False):
    if halves:
        h = x.shape[-1] // 2
        x0, x1 = x[..., :h], x[..., h:]
    else:
        x0, x1 = x[..., 0::2], x[..., 1::2]
    cos, sin = np.cos(angles).astype(x.dtype), sign * np.sin(angles).astype(x.dtype)
    out = np.empty_like(x)
    a, b = x0 * cos - x1 * sin, x0 * sin + x1 * cos
    if halves:
        out[..., :h], out[..., h:] = a, b
    else:
        out[..., 0::2], out[..., 1::2] = a, b
    return out


def _angles(n_or_positions, d, rate=2.0):
    p = np.asarray(n_or_positions, dtype=float)
    return p[:, None] * 10000.0 ** (-rate * np.arange(d // 2) / d)[None, :]


def _rope_other_way(x, positions):
    """that rotates the other way: x'[2i] = x[2i] cos - x[2i+1] sin and x'[2i+1] = x[2i] sin + x[2i+1] cos."""
    return (_rotate(x, _angles(positions, x.shape[-1]), sign=-1.0),)


def _rope_halves(x, positions):
    """that pairs feature i with feature i + d/2 (the two halves); this notebook pairs neighbours,
    (x[2i], x[2i+1]), that is x[..., 0::2] with x[..., 1::2]."""
    return (_rotate(x, _angles(positions, x.shape[-1]), halves=True),)


def _rope_exponent_i_over_d(x, positions):
    """the speeds: pair i turns by p * 10000**(-2i/d), with 2i in the exponent, not i."""
    return (_rotate(x, _angles(positions, x.shape[-1], rate=1.0)),)


def _rope_row_numbers(x, positions):
    """that rotates each row by its row number (0, 1, 2, ...); rotate it by its given position, positions[row]."""
    return (_rotate(x, _angles(np.arange(x.shape[-2]), x.shape[-1])),)


ROPE_MISTAKES = [_rope_other_way, _rope_halves, _rope_exponent_i_over_d, _rope_row_numbers]


@exercise("06.3", writes="`my_rope(x, positions)`: rotate each pair of features by its position's angle")
def check_rope(fn) -> tuple:
    """my_rope(x, positions): each pair (x[..., r, 2i], x[..., r, 2i+1]) of row r rotated by
    positions[r] * 10000**(-2i/d); leading axes pass through."""
    what = "my_rope(x, positions)"
    covers = "positions 0..3, positions in any order, one word, one pair, float32, a batch axis"
    return check_function(
        fn, _rope_cases(), lambda x, p: (apply_rope(x, p),), ROPE_MISTAKES + positions.ROPE, what, covers
    )


# ---------------------------------------------------------------- 10.3 attention's backward pass
def _backward_cases() -> list:
    r = case_rng(21)
    return [
        tuple(r.normal(size=s) for s in ((4, 3), (4, 3), (4, 2), (4, 2))),
        tuple(r.normal(size=s) for s in ((5, 4), (5, 4), (5, 3), (5, 3))),  # d_v != d_k
        tuple(r.normal(size=s) for s in ((2, 3, 4), (2, 3, 4), (2, 3, 2), (2, 3, 2))),  # batch axes
        tuple(r.normal(size=s).astype(np.float32) for s in ((3, 4), (3, 4), (3, 2), (3, 2))),
    ]


def _backward_parts(Q, K, V, dO, scale=None):
    s = 1 / math.sqrt(Q.shape[-1]) if scale is None else scale
    P = softmax(Q @ np.swapaxes(K, -1, -2) * s)
    return P, dO @ np.swapaxes(V, -1, -2), s


def _backward_no_scale(Q, K, V, dO):
    """dQ and dK miss the scale: S = Q K^T / sqrt(d_k), so dQ = dS K / sqrt(d_k) and dK = dS^T Q / sqrt(d_k)."""
    P, dP, _ = _backward_parts(Q, K, V, dO)
    dS = softmax_backward(P, dP)
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, np.swapaxes(P, -1, -2) @ dO


def _backward_skips_softmax(Q, K, V, dO):
    """that skips the softmax: dS is not dP; go through each row's softmax, dS = P * (dP - sum(dP * P, axis=-1))
    (your my_softmax_backward of 10.1)."""
    P, dP, s = _backward_parts(Q, K, V, dO)
    return dP @ K * s, np.swapaxes(dP, -1, -2) @ Q * s, np.swapaxes(P, -1, -2) @ dO


def _backward_dv_not_transposed(Q, K, V, dO):
    """dV: out = P V, so dV = P^T dO (each key's value collects from every query that looked at it), not P dO."""
    P, dP, s = _backward_parts(Q, K, V, dO)
    dS = softmax_backward(P, dP) * s
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, P @ dO


def _backward_dk_not_transposed(Q, K, V, dO):
    """dK: S = Q K^T, so dK = dS^T Q (transpose dS, np.swapaxes(dS, -1, -2)), not dS Q."""
    P, dP, s = _backward_parts(Q, K, V, dO)
    dS = softmax_backward(P, dP) * s
    return dS @ K, dS @ Q, np.swapaxes(P, -1, -2) @ dO


def _backward_dq_dk_swapped(Q, K, V, dO):
    """dQ and dK are swapped: the query's gradient comes through the keys, dQ = dS K * scale, and
    dK = dS^T Q * scale."""
    P, dP, s = _backward_parts(Q, K, V, dO)
    dS = softmax_backward(P, dP) * s
    return np.swapaxes(dS, -1, -2) @ Q, dS @ K, np.swapaxes(P, -1, -2) @ dO


def _gradients(result):
    return named_arrays(result, ("dQ", "dK", "dV"))


BACKWARD_MISTAKES = [
    _backward_no_scale,
    _backward_skips_softmax,
    _backward_dv_not_transposed,
    _backward_dk_not_transposed,
    _backward_dq_dk_swapped,
]


@exercise("10.3", writes="`my_attention_backward(Q, K, V, dO) -> (dQ, dK, dV)`: the gradients through attention")
def check_attention_backward(fn) -> tuple:
    """my_attention_backward(Q, K, V, dO) -> (dQ, dK, dV) for out = softmax(Q K^T / sqrt(d_k)) V."""
    what, covers = "my_attention_backward(Q, K, V, dO)", "d_v = d_k, d_v != d_k, batch axes, float32"
    return check_function(
        fn,
        _backward_cases(),
        attention_backward,
        BACKWARD_MISTAKES + more_models.BACKWARD,
        what,
        covers,
        _gradients,
        tol=1e-5,
        names=("dQ", "dK", "dV"),
        rescaled=more_models.BACKWARD_SCALE,
    )


# ---------------------------------------------------------------- 13.3 the online softmax's update
def _start(n_q, d_v):
    return np.full((n_q, 1), -np.inf), np.zeros((n_q, 1)), np.zeros((n_q, d_v))


def _after(scores, V):
    """The state after one block, from the start: the input of a second block's case."""
    return online_softmax_update(*_start(scores.shape[0], V.shape[-1]), scores, V)


def _update_cases() -> list:
    r = case_rng(22)
    first_s, first_v = r.normal(size=(3, 4)), r.normal(size=(4, 2))
    low = _after(first_s, first_v)
    high = _after(first_s + 5.0, first_v)
    big = _after(np.array([[1000.0, 998.0]]), np.ones((2, 1)))
    return [
        (*_start(3, 2), first_s, first_v),  # the first block: nothing earlier
        (*low, first_s + 3.0, r.normal(size=(4, 2))),  # the new block raises the max: rescale
        (*high, r.normal(size=(3, 5)), r.normal(size=(5, 2))),  # the max stays: rescale by 1
        (*big, np.array([[1003.0, 990.0, 1001.0]]), np.ones((3, 1))),  # scores of 1000: exp overflows unshifted
        (
            *_start(2, 2),
            -1e5 + r.normal(size=(2, 3)),
            r.normal(size=(3, 2)),
        ),  # far below 0: no -1e4 for -inf
    ]


def _update_not_rescaled(top, total, acc, scores, V):
    """the earlier sum and acc are not rescaled: when the max grows from m_old to m_new, multiply both by
    exp(m_old - m_new) before adding the new block's terms."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    p = np.exp(scores - new)
    return new, total + p.sum(axis=-1, keepdims=True), acc + p @ V


def _update_acc_not_rescaled(top, total, acc, scores, V):
    """sum is rescaled but acc is not: both were measured against the old max, so multiply both by
    exp(m_old - m_new)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    p = np.exp(scores - new)
    return new, total * np.exp(top - new) + p.sum(axis=-1, keepdims=True), acc + p @ V


def _update_rescale_upside_down(top, total, acc, scores, V):
    """the rescale is upside down: multiply by exp(m_old - m_new), which is at most 1, not exp(m_new - m_old)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    p = np.exp(scores - new)
    up = np.where(np.isneginf(top), 0.0, np.exp(new - top))
    return new, total * up + p.sum(axis=-1, keepdims=True), acc * up + p @ V


def _update_rescale_upside_down_unguarded(top, total, acc, scores, V):
    """the rescale is upside down: multiply by exp(m_old - m_new), which is at most 1, not exp(m_new - m_old) (on the
    first block m_old is -inf, so exp(m_new - m_old) is inf and 0 * inf gives NaN)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        up = np.exp(new - top)
        p = np.exp(scores - new)
        return new, total * up + p.sum(axis=-1, keepdims=True), acc * up + p @ V


def _update_scored_against_old_max(top, total, acc, scores, V):
    """the new block's terms are measured against the old max: take exp(scores - m_new), with m_new the larger of the
    old max and the block's (on the first block the old max is -inf, and exp(scores + inf) is inf)."""
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        p = np.exp(scores - top)
        rescale = np.exp(top - new)
        return new, total * rescale + p.sum(axis=-1, keepdims=True), acc * rescale + p @ V


def _update_block_max_only(top, total, acc, scores, V):
    """the new max is the block's own max; the running max is the larger of the old one and the block's,
    np.maximum(top, scores.max(axis=-1, keepdims=True))."""
    new = scores.max(axis=-1, keepdims=True)
    p = np.exp(scores - new)
    rescale = np.exp(top - new)
    return new, total * rescale + p.sum(axis=-1, keepdims=True), acc * rescale + p @ V


def _update_not_shifted(top, total, acc, scores, V):
    """that takes exp(score) itself: the sums are of exp(score - max), measured against the running max (which
    also keeps exp of a score of 1000 from overflowing)."""
    p = np.exp(scores)
    return np.maximum(top, scores.max(axis=-1, keepdims=True)), total + p.sum(axis=-1, keepdims=True), acc + p @ V


def _state(result):
    return named_arrays(result, ("top", "total", "acc"))


UPDATE_MISTAKES = [
    _update_not_shifted,
    _update_not_rescaled,
    _update_acc_not_rescaled,
    _update_rescale_upside_down,
    _update_rescale_upside_down_unguarded,
    _update_scored_against_old_max,
    _update_block_max_only,
]


@exercise("13.3", writes="`my_online_update(top, total, acc, scores, V)`: one block into the running max and sums")
def check_online_update(fn) -> tuple:
    """my_online_update(top, total, acc, scores, V) -> (top, total, acc), the online softmax's step for one block."""
    what = "my_online_update(top, total, acc, scores, V)"
    covers = "the first block, a block that raises the max, one that does not, scores of 1000 and of -100000"
    return check_function(
        fn,
        _update_cases(),
        online_softmax_update,
        UPDATE_MISTAKES + more_online.UPDATE,
        what,
        covers,
        _state,
        dtype=False,
        names=("top", "total", "acc"),
    )
