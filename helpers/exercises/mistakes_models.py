"""More named mistakes for the implement-its of notebooks 10 to 17 (gradients, normalisation, the online softmax,
the loss, sampling, the cache, RMSNorm and SwiGLU), found by trying realistic wrong answers: each function computes
what one wrong version returns, and its docstring is the hint the learner reads."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax
from ..layers import log_softmax, silu


def _swap(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- 10.1 the softmax's backward pass
def _mean_not_sum(P, dP):
    """the term subtracted is the mean of dP * P over the row; it is the sum, sum(dP * P, axis=-1, keepdims=True)
    (the weights already sum to 1)."""
    return (P * (dP - np.mean(dP * P, axis=-1, keepdims=True)),)


def _diagonal_only(P, dP):
    """that keeps only the diagonal of the Jacobian, p (1 - p): each score also moves the other weights of its row
    (the - p p^T part), which gives the - sum(dP * P) term."""
    return (P * (1 - P) * dP,)


def _p_on_the_sum_only(P, dP):
    """P multiplies only the sum: it multiplies the whole bracket, dS = P * (dP - sum(dP * P, axis=-1,
    keepdims=True)), dP too."""
    return (dP - P * np.sum(dP * P, axis=-1, keepdims=True),)


SOFTMAX_BACKWARD = [_mean_not_sum, _diagonal_only, _p_on_the_sum_only]


# ---------------------------------------------------------------- 10.3 attention's backward pass
def _parts(Q, K, V, dO, forward=None, axis=-1, diagonal=False):
    s = 1 / math.sqrt(Q.shape[-1])
    P = softmax(Q @ _swap(K) * (s if forward is None else forward))
    dP = dO @ _swap(V)
    if diagonal:
        dS = P * (1 - P) * dP
    else:
        dS = P * (dP - np.sum(dP * P, axis=axis, keepdims=True))
    return P, dS, s


def _backward_scaled_twice(Q, K, V, dO):
    """dQ and dK are scaled twice (by 1/d_k): the chain rule through S = Q K^T / sqrt(d_k) gives one factor
    1/sqrt(d_k)."""
    P, dS, s = _parts(Q, K, V, dO)
    return dS @ K * s * s, _swap(dS) @ Q * s * s, _swap(P) @ dO


def _backward_forward_unscaled(Q, K, V, dO):
    """the weights come from unscaled scores: the forward pass is P = softmax(Q K^T / sqrt(d_k)); recompute P with
    the scale."""
    P, dS, s = _parts(Q, K, V, dO, forward=1.0)
    return dS @ K * s, _swap(dS) @ Q * s, _swap(P) @ dO


def _backward_softmax_over_queries(Q, K, V, dO):
    """the softmax's backward sum runs over the queries (axis -2); each row of P is one softmax, so sum dP * P over
    that row (axis=-1)."""
    P, dS, s = _parts(Q, K, V, dO, axis=-2)
    return dS @ K * s, _swap(dS) @ Q * s, _swap(P) @ dO


def _backward_diagonal(Q, K, V, dO):
    """the softmax's backward pass keeps only the Jacobian's diagonal, p (1 - p) dP: use dS = P * (dP - sum(dP * P,
    axis=-1)) (your my_softmax_backward of 10.1)."""
    P, dS, s = _parts(Q, K, V, dO, diagonal=True)
    return dS @ K * s, _swap(dS) @ Q * s, _swap(P) @ dO


def _backward_dq_through_values(Q, K, V, dO):
    """dQ goes through the values (dS V); the scores are Q K^T, so dQ = dS K * scale."""
    P, dS, s = _parts(Q, K, V, dO)
    return dS @ V * s, _swap(dS) @ Q * s, _swap(P) @ dO


BACKWARD = [_backward_scaled_twice, _backward_forward_unscaled, _backward_softmax_over_queries, _backward_diagonal,
            _backward_dq_through_values]  # fmt: skip


def _backward_rescaled(Q, K, V, dO, c):
    P = softmax(Q @ _swap(K) * c)
    dP = dO @ _swap(V)
    dS = P * (dP - np.sum(dP * P, axis=-1, keepdims=True)) * c
    return dS @ K, _swap(dS) @ Q, _swap(P) @ dO


BACKWARD_SCALE = (
    _backward_rescaled,
    "the scores are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}), in the forward pass and in dQ "
    "and dK; the scale is 1/sqrt(d_k), with d_k = Q.shape[-1].",
)


# ---------------------------------------------------------------- 12.1 layer normalisation
def _normalised(x, eps, centre=True, whole=False):
    axis = None if whole else -1
    c = x - x.mean(axis=axis, keepdims=True) if centre else x
    return c / np.sqrt(x.var(axis=axis, keepdims=True) + eps)


def _eps_after_root(x, g, b, eps):
    """eps is added after the square root: it goes inside, sqrt(variance + eps)."""
    c = x - x.mean(-1, keepdims=True)
    return (c / (np.sqrt(c.var(-1, keepdims=True)) + eps) * g + b,)


def _not_centred(x, g, b, eps):
    """the mean is not subtracted: each row becomes (x - mean) / sqrt(variance + eps)."""
    return (_normalised(x, eps, centre=False) * g + b,)


def _gamma_beta_swapped(x, g, b, eps):
    """gamma and beta are swapped: multiply by gamma (the scale), then add beta (the shift)."""
    return (_normalised(x, eps) * b + g,)


def _no_beta(x, g, b, eps):
    """beta is missing: after normalising, multiply by gamma and add beta."""
    return (_normalised(x, eps) * g,)


def _no_gamma(x, g, b, eps):
    """gamma is missing: after normalising, multiply by gamma and add beta."""
    return (_normalised(x, eps) + b,)


def _whole_array(x, g, b, eps):
    """one mean and variance for the whole array: normalise each row on its own (axis=-1, keepdims=True)."""
    return (_normalised(x, eps, whole=True) * g + b,)


LAYER_NORM = [_eps_after_root, _not_centred, _gamma_beta_swapped, _no_beta, _no_gamma, _whole_array]


# ---------------------------------------------------------------- 13.3 the online softmax's update
def _step(top, total, acc, scores, V, new=None, p=None, total_term=None, total_scale=True, top_out=None):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True)) if new is None else new
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
        p = np.exp(scores - new) if p is None else p
        term = p.sum(axis=-1, keepdims=True) if total_term is None else total_term(p)
        return (new if top_out is None else top_out), (total * r if total_scale else total) + term, acc * r + p @ V


def _update_minimum(top, total, acc, scores, V):
    """the running value is the minimum; it is the maximum, np.maximum(top, scores.max(axis=-1, keepdims=True)),
    so that every exp(score - max) is at most 1."""
    with np.errstate(all="ignore"):
        return _step(top, total, acc, scores, V, new=np.minimum(top, scores.min(axis=-1, keepdims=True)))


def _update_total_max(top, total, acc, scores, V):
    """total adds the block's largest term; it adds their sum, p.sum(axis=-1, keepdims=True)."""
    return _step(top, total, acc, scores, V, total_term=lambda p: p.max(axis=-1, keepdims=True))


def _update_acc_divided(top, total, acc, scores, V):
    """acc is divided by total at each step; keep acc unnormalised (divide once, at the end, out = acc / total)."""
    m, t, a = _step(top, total, acc, scores, V)
    return m, t, a / t


def _update_block_softmax(top, total, acc, scores, V):
    """the block's terms are its own softmax, normalised within the block; use exp(scores - m_new), measured against
    the running max, so blocks can be added."""
    return _step(top, total, acc, scores, V, p=softmax(scores))


def _update_one_max(top, total, acc, scores, V):
    """one max for the whole block: each query (row) keeps its own running max, scores.max(axis=-1,
    keepdims=True)."""
    return _step(top, total, acc, scores, V, new=np.maximum(top, scores.max()))


def _update_total_not_rescaled(top, total, acc, scores, V):
    """acc is rescaled but total is not: both were measured against the old max, so multiply both by
    exp(m_old - m_new)."""
    return _step(top, total, acc, scores, V, total_scale=False)


def _update_log_total(top, total, acc, scores, V):
    """total is returned as its log: return the sum of exps itself (a log-sum-exp is log(total) + top)."""
    m, t, a = _step(top, total, acc, scores, V)
    return m, np.log(t), a


def _update_old_top(top, total, acc, scores, V):
    """the max returned is the old one: return the new running max, np.maximum(top, scores.max(axis=-1,
    keepdims=True)), that total and acc are now measured against."""
    return _step(top, total, acc, scores, V, top_out=top)


UPDATE = [_update_minimum, _update_total_max, _update_acc_divided, _update_block_softmax, _update_one_max,
          _update_total_not_rescaled, _update_log_total, _update_old_top]  # fmt: skip


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


CROSS_ENTROPY = [_every_target_everywhere, _likeliest_not_target, _every_character, _target_shifted]
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


SAMPLE = [_multiplied_by_t, _uniform_among_top_k, _one_too_many, _sqrt_t]


# ---------------------------------------------------------------- 15.1 the cache
def _grown(K_cache, V_cache, k_new, v_new):
    return np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])


def _only_the_new_value(q, K_cache, V_cache, k_new, v_new):
    """out is the new token's value alone: the new token attends to every token in the cache and to itself,
    out = softmax(K q / sqrt(d_head)) @ V over all n + 1 rows."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    return v_new.copy(), K, V


def _caches_not_grown(q, K_cache, V_cache, k_new, v_new):
    """out is right, but the caches returned are the old ones: return K_cache and V_cache with the new row appended,
    so the next token sees this one."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K_cache, V_cache


def _caches_swapped(q, K_cache, V_cache, k_new, v_new):
    """out is right, but K_cache and V_cache are returned swapped: return (out, K_cache, V_cache) in that order."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, V, K


def _weights_not_out(q, K_cache, V_cache, k_new, v_new):
    """out is the attention weights; it is their weighted sum of the values, weights @ V."""
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return w / w.sum(), K, V


CACHE = [_only_the_new_value, _caches_not_grown, _caches_swapped, _weights_not_out]


def _cache_rescaled(q, K_cache, V_cache, k_new, v_new, c):
    K, V = _grown(K_cache, V_cache, k_new, v_new)
    s = K @ q * c
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V


CACHE_SCALE = (
    _cache_rescaled,
    "the scores are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}); the scale is 1/sqrt(d_head), "
    "with d_head = len(q), the length of the query and key vectors.",
)


# ---------------------------------------------------------------- 17.1 RMSNorm
def _rms(x, eps, axis=-1):
    return np.sqrt((x * x).mean(axis=axis, keepdims=True) + eps)


def _rms_eps_after_root(x, g, eps):
    """eps is added after the square root: it goes inside, sqrt(mean(x**2) + eps)."""
    return (x / (np.sqrt((x * x).mean(axis=-1, keepdims=True)) + eps) * g,)


def _rms_mean_abs(x, g, eps):
    """that divides by the mean of |x|; RMSNorm divides by the root of the mean of the squares, sqrt(mean(x**2) +
    eps)."""
    return (x / (np.abs(x).mean(axis=-1, keepdims=True) + eps) * g,)


def _rms_std(x, g, eps):
    """that divides by the standard deviation (np.var subtracts the mean); RMSNorm takes the mean of x**2 itself,
    sqrt(mean(x**2) + eps)."""
    return (x / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g,)


def _rms_whole_array(x, g, eps):
    """one root mean square for the whole array: each row (each token) is normalised on its own (axis=-1,
    keepdims=True)."""
    return (x / _rms(x, eps, axis=None) * g,)


def _rms_no_gain(x, g, eps):
    """the gain is missing: multiply the normalised row by gain."""
    return (x / _rms(x, eps),)


def _rms_gain_plus_one(x, g, eps):
    """that multiplies by 1 + gain (Gemma's convention); SmolLM2's RMSNorm multiplies by the gain itself."""
    return (x / _rms(x, eps) * (1 + g),)


def _rms_multiplied(x, g, eps):
    """that multiplies by the root mean square; divide by it: x / sqrt(mean(x**2) + eps) * gain."""
    return (x * _rms(x, eps) * g,)


def _rms_norm_of_row(x, g, eps):
    """that divides by the row's length (its norm, the root of the sum of squares); RMSNorm takes the mean of the
    squares, which is the norm / sqrt(d)."""
    return (x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps) * g,)


RMS_NORM = [_rms_eps_after_root, _rms_mean_abs, _rms_std, _rms_whole_array, _rms_no_gain, _rms_gain_plus_one,
            _rms_multiplied, _rms_norm_of_row]  # fmt: skip


# ---------------------------------------------------------------- 17.2 SwiGLU
def _ffn(x, Wg, Wu, Wd, act=silu, up=lambda u: u, combine=np.multiply):
    return (combine(act(x @ Wg), up(x @ Wu)) @ Wd,)


def _relu_gate(x, Wg, Wu, Wd):
    """that is ReLU; Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: np.maximum(z, 0))


def _tanh_gate(x, Wg, Wu, Wd):
    """that is tanh; Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return _ffn(x, Wg, Wu, Wd, act=np.tanh)


def _silu_on_up_too(x, Wg, Wu, Wd):
    """SiLU is applied to the up projection too; only the gate goes through SiLU, and x @ W_up is multiplied in as
    it is."""
    return _ffn(x, Wg, Wu, Wd, up=silu)


def _added(x, Wg, Wu, Wd):
    """the gate and the up projection are added; they are multiplied, elementwise: silu(x @ W_gate) * (x @ W_up)."""
    return _ffn(x, Wg, Wu, Wd, combine=np.add)


def _no_down(x, Wg, Wu, Wd):
    """W_down is missing: the product silu(x @ W_gate) * (x @ W_up) has f features; W_down brings it back to d."""
    return (silu(x @ Wg) * (x @ Wu),)


def _silu_last(x, Wg, Wu, Wd):
    """SiLU comes last, after W_down; it goes on the gate alone: (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    return (silu(((x @ Wg) * (x @ Wu)) @ Wd),)


def _silu_sign(x, Wg, Wu, Wd):
    """the sign in the sigmoid is flipped: SiLU is x / (1 + exp(-x)), with exp(-x)."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: z / (1 + np.exp(z)))


def _with_residual(x, Wg, Wu, Wd):
    """that adds x (the residual connection); the block adds it, not the feed-forward network: return only
    (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    return (x + _ffn(x, Wg, Wu, Wd)[0],)


SWIGLU = [_relu_gate, _tanh_gate, _silu_on_up_too, _added, _no_down, _silu_last, _silu_sign, _with_residual]
