"""Functions a learner might write for the implement-it exercises: right ones (some the slow way) and a few wrong.

Shared by tests/test_implement.py (every mistake named) and tests/test_exercises.py (every exercise answered).
"""

import math

import numpy as np


def right_softmax(scores):
    z = scores - np.max(scores, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


def right_positional_encoding(n, d):
    pe = np.zeros((n, d))
    for p in range(n):
        for j in range(d):
            angle = p / 10000 ** (2 * (j // 2) / d)
            pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


def right_self_attention(X):
    weights = right_softmax(X @ X.T)
    return weights @ X, weights


def right_scaled(Q, K, V):
    weights = right_softmax(Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1]))
    return weights @ V, weights


def right_masked(Q, K, V, mask):
    scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
    weights = right_softmax(np.where(mask, scores, -np.inf))
    return weights @ V, weights


def mask_after_softmax(Q, K, V, mask):
    weights = right_softmax(Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])) * mask
    return weights @ V, weights


def right_split(M, n_heads):
    *batch, n, d_model = M.shape
    return np.swapaxes(M.reshape(*batch, n, n_heads, d_model // n_heads), -3, -2)


def right_merge(M):
    *batch, n_heads, n, d_head = M.shape
    return np.swapaxes(M, -3, -2).reshape(*batch, n, n_heads * d_head)


def right_mha(X, W_q, W_k, W_v, W_o, n_heads):
    Q, K, V = (right_split(X @ W, n_heads) for W in (W_q, W_k, W_v))
    out, weights = right_scaled(Q, K, V)
    return right_merge(out) @ W_o, weights


def mha_no_transpose(X, W_q, W_k, W_v, W_o, n_heads):
    n, d = X.shape
    Q, K, V = ((X @ W).reshape(n_heads, n, d // n_heads) for W in (W_q, W_k, W_v))
    out, weights = right_scaled(Q, K, V)
    return out.reshape(n, d) @ W_o, weights


def right_layer_norm(x, gamma, beta, eps):
    """Row by row with plain Python sums: an independent reference for helpers.layers.layer_norm."""
    x = np.asarray(x)
    out = np.empty(x.shape, dtype=np.result_type(x, np.float32))
    for idx in np.ndindex(x.shape[:-1]):
        row = [float(v) for v in x[idx]]
        mean = sum(row) / len(row)
        var = sum((v - mean) ** 2 for v in row) / len(row)
        out[idx] = [(v - mean) / math.sqrt(var + eps) * g + b for v, g, b in zip(row, gamma, beta)]
    return out


def right_cross_entropy(logits, targets):
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(logp, targets[..., None], axis=-1).mean())


def _draw_among(logits, keep, temperature, rng):
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def right_sample(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    return _draw_among(logits, np.argsort(logits)[-top_k:], temperature, rng)


def sample_top_k_smallest(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    return _draw_among(logits, np.argsort(logits)[:top_k], temperature, rng)  # the k least likely


def sample_not_renormalised(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    p = np.exp(z - z.max())
    p = p / p.sum()
    p[np.argsort(logits)[:-top_k]] = 0  # the others set to 0, but the kept ones not divided by their new sum
    return int(rng.choice(len(p), p=p))


def right_attend_with_cache(q, K_cache, V_cache, k_new, v_new):
    K = np.concatenate([K_cache, k_new[None]], axis=0)
    V = np.concatenate([V_cache, v_new[None]], axis=0)
    s = K @ q / np.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V


def right_rms_norm(x, gain, eps):
    return x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) * gain


def right_swiglu(x, W_gate, W_up, W_down):
    g = x @ W_gate
    return (g * (1 / (1 + np.exp(-g))) * (x @ W_up)) @ W_down


def attend_before_appending(q, K_cache, V_cache, k_new, v_new):
    s = K_cache @ q / np.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V_cache, np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])


def right_rope(x, positions):
    """Rotary encoding with loops over rows and pairs, as a learner might write it; leading axes pass through."""
    out = np.array(x, copy=True)
    d = x.shape[-1]
    for r, p in enumerate(positions):
        for i in range(d // 2):
            angle = p * 10000 ** (-2 * i / d)
            a, b = x[..., r, 2 * i], x[..., r, 2 * i + 1]
            out[..., r, 2 * i] = a * math.cos(angle) - b * math.sin(angle)
            out[..., r, 2 * i + 1] = a * math.sin(angle) + b * math.cos(angle)
    return out


def right_attention_backward(Q, K, V, dO):
    scale = 1 / math.sqrt(Q.shape[-1])
    P = right_softmax(Q @ np.swapaxes(K, -1, -2) * scale)
    dV = np.swapaxes(P, -1, -2) @ dO
    dP = dO @ np.swapaxes(V, -1, -2)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True)) * scale
    return dS @ K, np.swapaxes(dS, -1, -2) @ Q, dV


def right_online_update(top, total, acc, scores, V):
    new_top = np.maximum(top, scores.max(axis=-1, keepdims=True))
    rescale = np.exp(top - new_top)
    p = np.exp(scores - new_top)
    return new_top, total * rescale + p.sum(axis=-1, keepdims=True), acc * rescale + p @ V
