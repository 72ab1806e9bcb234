"""More named mistakes for the implement-its of the loss, sampling, the cache, RMSNorm and SwiGLU, found by trying
realistic wrong answers: each function computes what one wrong version returns, and its docstring is the hint the
learner reads."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax
from ..layers import log_softmax


def _swap(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- 14.1 the cross-entropy
def _loss_of(logp, t):
    return (np.array(float(-np.take_along_axis(logp, t[..., None], axis=-1).mean())),)


def _every_target_everywhere(logits, targets):
    """that takes every position's log-probabilities at every target (logp[:, targets]); pick one per position,
    np.take_along_axis(logp, targets[..., None], axis=-1)."""
    lp = log_softmax(logits).reshape(-1, logits.shape[-1])
    return (np.array(float(-lp[:, targets.reshape(-1)].mean())),)


def _likeliest_not_target(logits, targets):
    """that is -log p of the likeliest character (the max), not of the target: take each position's log-probability
    at its target id."""
    return (np.array(float(-log_softmax(logits).max(axis=-1).mean())),)


def _every_character(logits, targets):
    """that averages -log p over every character of the vocabulary; the loss takes it at the target only, one per
    position."""
    return (np.array(float(-log_softmax(logits).mean())),)


def _target_shifted(logits, targets):
    """that takes the log-probability of the character after the target (targets + 1): index with the targets as
    they are."""
    return _loss_of(log_softmax(logits), (targets + 1) % logits.shape[-1])


def _probability_not_log(logits, targets):
    """that is -p of the target, without the log: the loss is -log p, np.log of the softmax at the target (better, the
    log-softmax: z - max - log(sum(exp(z - max))))."""
    return (np.array(float(-np.take_along_axis(softmax(logits), targets[..., None], axis=-1).mean())),)


def _over_positions(logits, targets):
    """the log-softmax runs over the positions (axis -2): each position's distribution is over the vocabulary, the
    last axis (axis=-1, keepdims=True)."""
    return _loss_of(_swap(log_softmax(_swap(logits))), targets)


def _summed_over_positions(logits, targets):
    """that sums -log p over the positions, then averages over the batch: the loss is the mean over every position
    of every sequence, .mean() of all of them."""
    picked = -np.take_along_axis(log_softmax(logits), targets[..., None], axis=-1)[..., 0]
    return (np.array(float(picked.sum(axis=-1).mean())),)


def _rows_by_target(logits, targets):
    """that indexes the rows (the positions) by the targets, logp[targets]: pick each position's own row at its
    target, np.take_along_axis(logp, targets[..., None], axis=-1)."""
    flat = log_softmax(logits).reshape(-1, logits.shape[-1])
    return (np.array(float(-flat[targets.reshape(-1) % len(flat)].mean())),)


def _unshifted_sum(logits, targets):
    """the max is subtracted from the logit but not inside the sum: exp(1000) overflows there. Use the shifted
    logits in both places: z - log(sum(exp(z))), with z = logits - max."""
    z = logits - logits.max(axis=-1, keepdims=True)
    return _loss_of(z - np.log(np.exp(logits).sum(axis=-1, keepdims=True)), targets)


def _log_of_mean(logits, targets):
    """that is -log of the mean probability; the loss is the mean of each position's -log p, the log taken first."""
    p = np.take_along_axis(softmax(logits), targets[..., None], axis=-1)
    return (np.array(float(-np.log(p.mean()))),)


def _last_position_only(logits, targets):
    """that is the loss of the last position only; every position predicts its next character, so take the mean
    over all of them."""
    return _loss_of(log_softmax(logits)[..., -1:, :], targets[..., -1:])


def _logits_as_log_probabilities(logits, targets):
    """that takes the logits as if they were log-probabilities: take the log-softmax first, logits - max -
    log(sum(exp(logits - max)))."""
    return _loss_of(logits, targets)


def _softmax_twice(logits, targets):
    """that is the loss of softmax(logits) taken as logits: a softmax was applied before the log-softmax, so there are
    two. Take the log-softmax of the raw logits once."""
    return _loss_of(log_softmax(softmax(logits)), targets)


CROSS_ENTROPY = [
    _logits_as_log_probabilities,
    _softmax_twice,
    _last_position_only,
    _unshifted_sum,
    _log_of_mean,
    _summed_over_positions,
    _rows_by_target,
    _over_positions,
    _probability_not_log,
    _every_target_everywhere,
    _likeliest_not_target,
    _every_character,
    _target_shifted,
]
CROSS_ENTROPY_SCALE = (
    lambda lg, t, c: _loss_of(log_softmax(lg * c), t),
    "that is the loss of the logits times {name} (= {value:.4g} for inputs of shapes {shapes}): take the "
    "log-softmax of the logits as they are, with no temperature or factor.",
    {"1/2": 0.5, "2": 2.0, "-1 (a minus sign)": -1.0},
)


# ---------------------------------------------------------------- 14.2 sampling (probabilities from the logits)
def _kept(logits, top_k):
    return np.argsort(logits)[-top_k:] if top_k is not None else np.arange(len(logits))


def _probs(logits, temperature, top_k, z=None, uniform=False, extra=0):
    keep = _kept(logits, min(top_k + extra, len(logits)))
    p = np.zeros(len(logits))
    if uniform:
        p[keep] = 1 / len(keep)
        return p
    z = logits[keep] / temperature if z is None else z(logits[keep])
    e = np.exp(z - z.max())
    p[keep] = e / e.sum()
    return p


def _multiplied_by_t(logits, temperature, top_k):
    """the logits are multiplied by the temperature; divide them by it: softmax(logits / T), so a high T flattens
    the distribution."""
    return _probs(logits, temperature, top_k, z=lambda z: z * temperature)


def _uniform_among_top_k(logits, temperature, top_k):
    """every kept character is drawn equally often; draw with the probabilities softmax(logits / T) of the kept ones
    (rng.choice(keep, p=p))."""
    return _probs(logits, temperature, top_k, uniform=True)


def _one_too_many(logits, temperature, top_k):
    """that keeps k + 1 characters, one too many: np.argsort(logits)[-top_k:] keeps the k largest."""
    return _probs(logits, temperature, top_k, extra=1)


def _sqrt_t(logits, temperature, top_k):
    """the logits are divided by sqrt(T); the temperature divides them as it is: softmax(logits / T)."""
    return _probs(logits, temperature, top_k, z=lambda z: z / math.sqrt(temperature))


def _temperature_twice(logits, temperature, top_k):
    """the logits are divided by the temperature twice, by T ** 2; divide them once: softmax(logits / T)."""
    return _probs(logits, temperature, top_k, z=lambda z: z / temperature**2)


def _one_too_few(logits, temperature, top_k):
    """that keeps k - 1 characters, one too few: np.argsort(logits)[-top_k:] keeps the k largest."""
    return _probs(logits, temperature, top_k, extra=-1 if top_k > 1 else 0)


def _one_past(logits, temperature, top_k):
    """the draw lands one past its id (searchsorted + 1): np.searchsorted(cdf, u) is already the index of the id
    drawn."""
    p, keep = _probs(logits, temperature, top_k), _kept(logits, top_k)
    q = np.zeros(len(logits))
    for j, k in enumerate(keep):
        q[keep[min(j + 1, len(keep) - 1)]] += p[k]
    return q


def _filtered_to_zero(logits, temperature, top_k):
    """the logits outside the top k are set to 0 (or a tiny number such as 1e-10), not -inf, so they are still drawn
    (a negative one more often than before): set them to -np.inf, or draw only among np.argsort(logits)[-top_k:]."""
    kept = np.isin(np.arange(len(logits)), _kept(logits, top_k))
    return _probs(np.where(kept, logits, 0.0), temperature, len(logits))


def _top_k_removed(logits, temperature, top_k):
    """the k most likely ids are removed and the others kept: top-k keeps the k largest logits,
    np.argsort(logits)[-top_k:], and sets the others to -inf."""
    if top_k >= len(logits):
        return _probs(logits, temperature, top_k)
    rest = np.argsort(logits)[: len(logits) - top_k]
    p = np.zeros(len(logits))
    p[rest] = _probs(logits[rest], temperature, len(rest))
    return p


SAMPLE = [_filtered_to_zero, _top_k_removed, _one_past, _multiplied_by_t, _uniform_among_top_k, _one_too_many]
SAMPLE += [_one_too_few, _sqrt_t, _temperature_twice]


# ---------------------------------------------------------------- 15.1 the cache
def _grown(K_cache, V_cache, k_new, v_new):
    return np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])


def _attend(K, V, query, d_head):
    """softmax(K query / sqrt(d_head)) @ V: the weighted sum a step of the cache returns. -> (d_v,)"""
    return softmax(K @ query / math.sqrt(d_head)) @ V


def _only_the_new_value(q, K_cache, V_cache, k_new, v_new):
    """out is the new token's value alone: the new token attends to every token in the cache and to itself,
    out = softmax(K q / sqrt(d_head)) @ V over all n + 1 rows."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return v_new.copy(), K, V


def _caches_not_grown(q, K_cache, V_cache, k_new, v_new):
    """out is right, but the caches returned are the old ones: return K_cache and V_cache with the new row appended,
    so the next token sees this one."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return _attend(K, V, q, len(q)), K_cache, V_cache


def _caches_swapped(q, K_cache, V_cache, k_new, v_new):
    """out is right, but K_cache and V_cache are returned swapped: return (out, K_cache, V_cache) in that order."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return _attend(K, V, q, len(q)), V, K


def _new_rows_swapped(q, K_cache, V_cache, k_new, v_new):
    """k_new is appended to the values and v_new to the keys (which fails where keys and values differ in size): the
    new key goes under the cached keys, np.concatenate([K_cache, k_new[None]]), and the new value under the values."""
    K, V = _grown(K_cache, V_cache, v_new, k_new)
    return _attend(K, V, q, len(q)), K, V


def _cache_replaced(q, K_cache, V_cache, k_new, v_new):
    """the caches hold only the new token: the earlier keys and values are dropped. Append the new row to the cached
    ones, np.concatenate([K_cache, k_new[None]]), so the new token attends to every earlier token and to itself."""
    K, V = k_new[None], v_new[None]
    return _attend(K, V, q, len(q)), K, V


def _weights_not_out(q, K_cache, V_cache, k_new, v_new):
    """out is the attention weights; it is their weighted sum of the values, weights @ V."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return softmax(K @ q / math.sqrt(len(q))), K, V


def _values_averaged(q, K_cache, V_cache, k_new, v_new):
    """out is the plain mean of the values: the new token attends, weighting each value by softmax(K q / sqrt(d_head))
    over all n + 1 keys."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return V.mean(axis=0), K, V


def _scores_normalised_without_exp(q, K_cache, V_cache, k_new, v_new):
    """the scores are divided by their sum, without a softmax: take exp(s - max) first, then divide by the sum of the
    exps, so every weight is positive."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q / math.sqrt(len(q))
    return (s / s.sum()) @ V, K, V


def _scores_over_absolute_sum(q, K_cache, V_cache, k_new, v_new):
    """the scores are divided by the sum of their absolute values, without a softmax: take exp(s - max) first, then
    divide by the sum of the exps, so every weight is positive."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q / math.sqrt(len(q))
    return (s / np.abs(s).sum()) @ V, K, V


def _new_key_as_query(q, K_cache, V_cache, k_new, v_new):
    """the scores use the new key k_new as the query: the query is q, scores = K @ q / sqrt(d_head)."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return _attend(K, V, k_new, len(q)), K, V


def _scaled_after_softmax(q, K_cache, V_cache, k_new, v_new):
    """the weights are divided by sqrt(d_head) after the softmax, so they no longer sum to 1: scale the scores before
    it, softmax(K q / sqrt(d_head))."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return (softmax(K @ q) / math.sqrt(len(q))) @ V, K, V


def _new_value_added(q, K_cache, V_cache, k_new, v_new):
    """the new value is added on top of attention over the old cache: the new token is one of the keys it attends
    to, softmax over all n + 1 scores, then weights @ V."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return _attend(K_cache, V_cache, q, len(q)) + v_new, K, V


CACHE = [
    _scaled_after_softmax,
    _new_value_added,
    _new_key_as_query,
    _scores_normalised_without_exp,
    _scores_over_absolute_sum,
    _values_averaged,
    _only_the_new_value,
    _caches_not_grown,
    _caches_swapped,
    _new_rows_swapped,
    _cache_replaced,
    _weights_not_out,
]


def _cache_rescaled(q, K_cache, V_cache, k_new, v_new, c):
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return softmax(K @ q * c) @ V, K, V


CACHE_SCALE = (
    _cache_rescaled,
    "the scores are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}); the scale is 1/sqrt(d_head), "
    "with d_head = len(q), the length of the query and key vectors.",
)
