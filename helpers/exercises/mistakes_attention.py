"""More named mistakes for the attention implement-its of notebooks 05 and 08 (scaled and masked attention, the causal
mask), found by trying realistic wrong answers: each function computes what one wrong version returns, and its
docstring is the hint the learner reads."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax
from .learner import loose_softmax


def _swap(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- 05.3 and 08.4 scaled and masked attention
def _weights(Q, K, mask=None, scale=None, axis=-1):
    s = Q @ _swap(K) * (1 / math.sqrt(Q.shape[-1]) if scale is None else scale)
    return loose_softmax(s if mask is None else np.where(mask, s, -np.inf), axis=axis)


def _scaled_after_softmax(Q, K, V):
    """the weights are divided by sqrt(d_k) after the softmax, so a row no longer sums to 1: divide the scores,
    before the softmax."""
    w = _weights(Q, K, scale=1.0) / math.sqrt(Q.shape[-1])
    return w @ V, w


def _output_scaled(Q, K, V):
    """the output is divided by sqrt(d_k), not the scores: the scale goes on Q @ K^T, before the softmax."""
    w = _weights(Q, K, scale=1.0)
    return w @ V / math.sqrt(Q.shape[-1]), w


def _log_weights(Q, K, V):
    """the weights returned are their log (a log-softmax): return the softmax itself, each row summing to 1."""
    w = _weights(Q, K)
    with np.errstate(divide="ignore"):
        return w @ V, np.log(w)


def _keys_as_values(Q, K, V):
    """the weights average the keys (weights @ K); the output averages the values: out = weights @ V."""
    w = _weights(Q, K)
    return w @ K, w


def _out_from_transposed(Q, K, V):
    """out is computed from the transposed weights (np.swapaxes(weights, -1, -2) @ V): row i of the weights is query
    i's mix of the keys, so out = weights @ V."""
    w = _weights(Q, K)
    return _swap(w) @ V, w


def _masked_to_plus_inf(Q, K, V, mask):
    """masked scores set to +inf (as -float('-inf') gives): exp(inf) is inf and inf / inf is NaN; set them to -inf,
    np.where(mask, scores, -np.inf)."""
    with np.errstate(all="ignore"):
        w = loose_softmax(np.where(mask, Q @ _swap(K) / math.sqrt(Q.shape[-1]), np.inf))
        return w @ V, w


def _weights_to_a_power(Q, K, V):
    """the weights are raised to the power 1/sqrt(d_k) after the softmax: the scale divides the scores before the
    softmax, softmax(Q @ K^T / sqrt(d_k)), so each row still sums to 1."""
    w = _weights(Q, K, scale=1.0) ** (1 / math.sqrt(Q.shape[-1]))
    return w @ V, w


SCALED = [
    _scaled_after_softmax,
    _output_scaled,
    _log_weights,
    _keys_as_values,
    _out_from_transposed,
    _weights_to_a_power,
]
ATTENTION_SCALE = (
    "the scores are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}); the scale is 1/sqrt(d_k), "
    "with d_k = Q.shape[-1], the length of the query and key vectors."
)
SCALED_SCALE = (lambda Q, K, V, c: ((w := _weights(Q, K, scale=c)) @ V, w), ATTENTION_SCALE)
MATMUL_HINT = (
    " The scores are Q @ K^T (K transposed, np.swapaxes(K, -1, -2)), shape (..., n_q, n_k); out = weights @ V."
)


def _mask_transposed(Q, K, V, mask):
    """the mask is used transposed: row i of the mask is query i, column j key j, as in the scores; use mask, not
    mask.T."""
    w = _weights(Q, K, _swap(mask))
    return w @ V, w


def _allowed_pushed_down_by_a_lot(Q, K, V, mask):
    """the mask is inverted: the scores where the mask is True (may attend) were pushed down (scores - mask * 1e9);
    push down where it is False, np.where(mask, scores, -np.inf)."""
    w = softmax(Q @ _swap(K) / math.sqrt(Q.shape[-1]) - mask * 1e9)
    return w @ V, w


def _masked_over_queries(Q, K, V, mask):
    """the softmax runs down the columns (over the queries, axis -2): each query's row must sum to 1 (axis=-1)."""
    w = _weights(Q, K, mask, axis=-2)
    return w @ V, w


def _renormalised_after(Q, K, V, mask):
    """the mask is applied after the softmax and the rows renormalised: a masked key with a large score takes nearly
    all the weight first, the allowed ones underflow to 0, and 0/0 follows. Set masked scores to -inf before the
    softmax."""
    w = _weights(Q, K) * mask
    with np.errstate(all="ignore"):
        w = w / w.sum(axis=-1, keepdims=True)
    return w @ V, w


def _mask_added(Q, K, V, mask):
    """the boolean mask is added to the scores (True counts as 1): blocked keys keep their scores. Set them to -inf,
    np.where(mask, scores, -np.inf)."""
    w = softmax(Q @ _swap(K) / math.sqrt(Q.shape[-1]) + mask)
    return w @ V, w


def _masked_to_row_min(Q, K, V, mask):
    """the masked scores are set to the row's lowest score, which still gets weight: set them to -inf (np.where(mask,
    scores, -np.inf)), so their weight is exactly 0."""
    s = Q @ _swap(K) / math.sqrt(Q.shape[-1])
    return (w := loose_softmax(np.where(mask, s, s.min(axis=-1, keepdims=True)))) @ V, w


MASKED = [
    _masked_to_plus_inf,
    _masked_to_row_min,
    _mask_added,
    _mask_transposed,
    _allowed_pushed_down_by_a_lot,
    _masked_over_queries,
    _renormalised_after,
]
MASKED_SCALE = (lambda Q, K, V, m, c: ((w := _weights(Q, K, m, scale=c)) @ V, w), ATTENTION_SCALE)


# ---------------------------------------------------------------- 08.3 the causal mask
def _all_true(n):
    """every entry is True, so every word sees the future: keep the diagonal and below, np.tril(np.ones((n, n),
    dtype=bool))."""
    return (np.ones((n, n), dtype=bool),)


def _next_word_too(n):
    """that is np.tril(..., k=1): each word also sees the next one (the future); k=0 keeps the diagonal and below."""
    return (np.tril(np.ones((n, n), dtype=bool), k=1),)


def _additive(n):
    """that is an additive mask, 0 where allowed and -inf where blocked; this exercise asks for booleans, True where
    a query may attend (np.tril(np.ones((n, n), dtype=bool)))."""
    return (np.where(np.tril(np.ones((n, n), dtype=bool)), 0.0, -np.inf),)


def _only_itself(n):
    """only the diagonal is True, so each word sees only itself: it may see every earlier word too (np.tril)."""
    return (np.eye(n, dtype=bool),)


def _flipped_left_right(n):
    """the mask is flipped left to right: column j is key j in order, so word i sees columns 0 to i (np.tril)."""
    return (np.fliplr(np.tril(np.ones((n, n), dtype=bool))),)


def _window_of(k):
    """A mistake: word i sees words i - k to i only (a sliding window)."""

    def _window(n):
        """that lets each word see only the last few words (a window): a causal mask lets word i see itself and every
        earlier word, np.tril(np.ones((n, n), dtype=bool))."""
        one = np.ones((n, n), dtype=bool)
        return (np.tril(one) & np.triu(one, -k),)

    return _window


def _first_word_blind(n):
    """the first word cannot see itself (its entry [0, 0] is False, as np.tril of an arange > 0 gives): every word
    sees itself and every earlier word, np.tril(np.ones((n, n), dtype=bool))."""
    mask = np.tri(n, dtype=bool)
    mask[0, 0] = False
    return (mask,)


CAUSAL = (
    [_first_word_blind]
    + [_window_of(k) for k in (1, 2, 3, 4)]
    + [
        _all_true,
        _next_word_too,
        _additive,
        _only_itself,
        _flipped_left_right,
    ]
)
