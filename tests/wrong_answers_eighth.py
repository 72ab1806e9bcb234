"""An eighth held-out set of wrong answers, written as learners write them after the generic diagnoses for "the right
numbers through a simple function, other places, rounded, a factor per line, and where they are wrong" were added, and
measured before any change made for it. Each is (exercise, function, words one of which names the mistake)."""

import math

import numpy as np

from tests.wrong_answers import _silu, _sm, _sT


# ---------------------------------------------------------------- 04.4 my_softmax(scores)
def m_sm_shift_by_mean(s):  # the same numbers on small scores; exp of a score 1000 above the mean overflows
    e = np.exp(s - s.mean(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def m_sm_sum_axis0(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def m_sm_no_keepdims(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


# ---------------------------------------------------------------- 04.5 my_self_attention(X)
def m_sa_x_times_weights(X):
    w = _sm(X @ X.T)
    return X.T @ w, w


def m_sa_feature_scores(X):
    w = _sm(X.T @ X)
    return X @ w, w


# ---------------------------------------------------------------- 05.3 my_scaled_attention(Q, K, V)
def m_sc_sqrt_d_v(Q, K, V):
    w = _sm(Q @ _sT(K) / math.sqrt(V.shape[-1]))
    return w @ V, w


def m_sc_k_not_transposed(Q, K, V):
    w = _sm(Q @ K / math.sqrt(Q.shape[-1]))
    return w @ V, w


def m_sc_scale_after_softmax(Q, K, V):
    w = _sm(Q @ _sT(K)) / math.sqrt(Q.shape[-1])
    return w @ V, w


# ---------------------------------------------------------------- 06.1 my_positional_encoding(n, d)
def m_pe_times_not_divided(n, d):
    pe = np.zeros((n, d))
    pos, i = np.arange(n)[:, None], np.arange(0, d, 2)[None, :]
    pe[:, 0::2] = np.sin(pos * 10000 ** (i / d))
    pe[:, 1::2] = np.cos(pos * 10000 ** (i / d))
    return pe


def m_pe_column_index(n, d):  # each column its own exponent j/d: the odd (cosine) columns are off
    pe = np.zeros((n, d))
    for p in range(n):
        for j in range(d):
            angle = p / 10000 ** (j / d)
            pe[p, j] = math.sin(angle) if j % 2 == 0 else math.cos(angle)
    return pe


# ---------------------------------------------------------------- 06.3 my_rope(x, positions)
def m_rope_overwritten(x, positions):  # the odd features rotated from the already rotated even ones
    d = x.shape[-1]
    theta = positions[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
    out = x.copy()
    out[:, 0::2] = x[:, 0::2] * np.cos(theta) - x[:, 1::2] * np.sin(theta)
    out[:, 1::2] = out[:, 0::2] * np.sin(theta) + x[:, 1::2] * np.cos(theta)
    return out


def m_rope_positions_from_1(x, positions):
    d = x.shape[-1]
    theta = (positions[:, None] + 1) * 10000.0 ** (-np.arange(0, d, 2) / d)
    out = np.empty_like(x)
    out[:, 0::2] = x[:, 0::2] * np.cos(theta) - x[:, 1::2] * np.sin(theta)
    out[:, 1::2] = x[:, 0::2] * np.sin(theta) + x[:, 1::2] * np.cos(theta)
    return out


# ---------------------------------------------------------------- 08.3 my_causal_mask(n)
def m_cm_one_ahead(n):
    return np.tril(np.ones((n, n), dtype=bool), k=1)


def m_cm_loop_from_1(n):
    mask = np.zeros((n, n), dtype=bool)
    for i in range(1, n):
        mask[i, : i + 1] = True
    return mask


def m_cm_right_triu_transposed(n):  # right: the transpose of the upper triangle with its diagonal
    return np.triu(np.ones((n, n), dtype=bool)).T


# ---------------------------------------------------------------- 08.4 my_masked_attention(Q, K, V, mask)
def m_mk_weights_times_mask(Q, K, V, mask):
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1])) * mask
    return w @ V, w


def m_mk_mask_transposed(Q, K, V, mask):
    s = np.where(_sT(mask), Q @ _sT(K) / math.sqrt(Q.shape[-1]), -np.inf)
    w = _sm(s)
    return w @ V, w


# ---------------------------------------------------------------- 09.4 my_split_heads(M, h)
def m_sp_2d_transpose(M, h):
    n, d = M.shape[-2:]
    return M.reshape(n, h, d // h).transpose(1, 0, 2)


def m_sp_head_last(M, h):
    *lead, n, d = M.shape
    return np.moveaxis(M.reshape(*lead, n, d // h, h), -1, -3)


# ---------------------------------------------------------------- 09.5 my_merge_heads(M)
def m_mg_2d_transpose(M):
    h, n, dh = M.shape[-3:]
    return M.transpose(1, 0, 2).reshape(n, h * dh)


def m_mg_wrong_swap(M):
    *lead, h, n, dh = M.shape
    return np.swapaxes(M, -2, -1).reshape(*lead, n, h * dh)


# ------------------------------------------------------------- 09.6 my_multi_head_attention(X, W_q, W_k, W_v, W_o, h)
def _heads(X, W_q, W_k, W_v, h, scale):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        cols = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, cols]) @ _sT(X @ W_k[:, cols]) / scale(d))
        outs.append(w @ (X @ W_v[:, cols]))
        ws.append(w)
    return np.concatenate(outs, axis=-1), np.stack(ws, axis=-3)


def m_mha_sqrt_d_model(X, W_q, W_k, W_v, W_o, h):
    merged, w = _heads(X, W_q, W_k, W_v, h, lambda d: math.sqrt(X.shape[-1]))
    return merged @ W_o, w


def m_mha_no_w_o(X, W_q, W_k, W_v, W_o, h):
    return _heads(X, W_q, W_k, W_v, h, math.sqrt)


def m_mha_right_sum_of_blocks(X, W_q, W_k, W_v, W_o, h):  # right: each head through its rows of W_o, summed
    merged, w = _heads(X, W_q, W_k, W_v, h, math.sqrt)
    d = X.shape[-1] // h
    out = sum(merged[..., i * d : (i + 1) * d] @ W_o[i * d : (i + 1) * d] for i in range(h))
    return out, w


# ---------------------------------------------------------------- 10.1 my_softmax_backward(P, dP)
def m_sb_sign_flipped(P, dP):
    return P * ((P * dP).sum(axis=-1, keepdims=True) - dP)


def m_sb_no_keepdims(P, dP):
    return P * (dP - (P * dP).sum(axis=-1))


def m_sb_right_jacobian_rows(P, dP):  # right: each row's Jacobian diag(p) - p p^T times its dP
    flat_p, flat_d = P.reshape(-1, P.shape[-1]), dP.reshape(-1, P.shape[-1])
    rows = [(np.diag(p) - np.outer(p, p)) @ g for p, g in zip(flat_p, flat_d)]
    return np.array(rows).reshape(P.shape)


# ---------------------------------------------------------------- 10.3 my_attention_backward(Q, K, V, dO)
def _forward(Q, K, V):
    s = math.sqrt(Q.shape[-1])
    return _sm(Q @ _sT(K) / s), s


def m_bw_dv_untransposed(Q, K, V, dO):
    P, s = _forward(Q, K, V)
    dP = dO @ _sT(V)
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True)) / s
    return dS @ K, _sT(dS) @ Q, P @ dO


def m_bw_dk_untransposed(Q, K, V, dO):
    P, s = _forward(Q, K, V)
    dP = dO @ _sT(V)
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True)) / s
    return dS @ K, dS @ Q, _sT(P) @ dO


# ---------------------------------------------------------------- 12.1 my_layer_norm(x, gain, bias, eps)
def m_ln_eps_outside_sqrt(x, g, b, eps):
    m = x.mean(axis=-1, keepdims=True)
    return g * (x - m) / (x.std(axis=-1, keepdims=True) + eps) + b


def m_ln_gain_bias_swapped(x, g, b, eps):
    m, v = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return b * (x - m) / np.sqrt(v + eps) + g


# ---------------------------------------------------------------- 13.3 my_online_update(top, total, acc, scores, V)
def m_ou_max_no_keepdims(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1))
    with np.errstate(all="ignore"):
        r = np.where(np.isneginf(top), 0.0, np.exp(top - new))
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def m_ou_old_top_returned(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.where(np.isneginf(top), 0.0, np.exp(np.where(np.isneginf(top), 0.0, top - new)))
    p = np.exp(scores - new)
    return top, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


# ---------------------------------------------------------------- 14.1 my_cross_entropy(logits, targets)
def _logp(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def m_ce_every_entry(logits, targets):
    return float(-_logp(logits).mean())


def m_ce_fancy_index(logits, targets):
    return float(-_logp(logits)[..., targets].mean())


# ---------------------------------------------------------------- 14.2 my_sample(logits, temperature, top_k, rng)
def m_sa_temperature_on_probabilities(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    p = np.exp(logits[keep] - logits[keep].max())
    p = p / p.sum() / temperature
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def m_sa_no_greedy_case(logits, temperature, top_k, rng):
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


# ---------------------------------------------------------------- 15.1 my_attend_with_cache
def m_ca_keys_and_values_swapped(q, K_cache, V_cache, k_new, v_new):
    K, V = np.vstack([K_cache, v_new]), np.vstack([V_cache, k_new])
    w = _sm(K @ q / math.sqrt(len(q)))
    return w @ V, K, V


def m_ca_append_flattens(q, K_cache, V_cache, k_new, v_new):
    K, V = np.append(K_cache, k_new), np.append(V_cache, v_new)
    w = _sm(K.reshape(-1, len(q)) @ q / math.sqrt(len(q)))
    return w @ V.reshape(len(w), -1), K, V


# ---------------------------------------------------------------- 17.1 my_rms_norm(x, gain, eps)
def m_rms_l2_norm(x, g, eps):
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps) * g


def m_rms_centred(x, g, eps):
    c = x - x.mean(axis=-1, keepdims=True)
    return c / np.sqrt((c**2).mean(axis=-1, keepdims=True) + eps) * g


# ---------------------------------------------------------------- 17.2 my_swiglu(x, W_gate, W_up, W_down)
def m_sw_silu_on_up(x, Wg, Wu, Wd):
    return ((x @ Wg) * _silu(x @ Wu)) @ Wd


def m_sw_relu(x, Wg, Wu, Wd):
    return (np.maximum(x @ Wg, 0) * (x @ Wu)) @ Wd


EIGHTH = [
    ("04.4", m_sm_shift_by_mean, ["max", "overflow"]),
    ("04.4", m_sm_sum_axis0, ["axis"]),
    ("04.4", m_sm_no_keepdims, ["keepdims"]),
    ("04.5", m_sa_x_times_weights, ["weights @ X", "order", "X.T"]),
    ("04.5", m_sa_feature_scores, ["X @ X.T", "X.T @ X", "features"]),
    ("05.3", m_sc_sqrt_d_v, ["d_k", "K.shape", "Q.shape", "V.shape"]),
    ("05.3", m_sc_k_not_transposed, ["transpose", "K.T", "swapaxes"]),
    ("05.3", m_sc_scale_after_softmax, ["after the softmax", "before the softmax"]),
    ("06.1", m_pe_times_not_divided, ["divide", "10000 **", "negative", "exponent"]),
    ("06.1", m_pe_column_index, ["pair", "2i", "odd"]),
    ("06.3", m_rope_overwritten, ["already", "overwr", "original", "copy"]),
    ("06.3", m_rope_positions_from_1, ["position", "+ 1", "from 1"]),
    ("08.3", m_cm_one_ahead, ["k=1", "ahead", "future", "next"]),
    ("08.3", m_cm_loop_from_1, ["first", "row 0", "itself"]),
    ("08.4", m_mk_weights_times_mask, ["sum to 1", "renormal", "-inf"]),
    ("08.4", m_mk_mask_transposed, ["transpose", "mask.T", "future"]),
    ("09.4", m_sp_2d_transpose, ["batch", "leading"]),
    ("09.4", m_sp_head_last, ["interleav", "order", "(n, h, d_head)", "h, d_head", "n_heads, d_head"]),
    ("09.5", m_mg_2d_transpose, ["batch", "leading"]),
    ("09.5", m_mg_wrong_swap, ["swap", "axes", "-3"]),
    ("09.6", m_mha_sqrt_d_model, ["d_head", "d_model", "sqrt"]),
    ("09.6", m_mha_no_w_o, ["W_o", "output projection"]),
    ("10.1", m_sb_sign_flipped, ["sign"]),
    ("10.1", m_sb_no_keepdims, ["keepdims"]),
    ("10.3", m_bw_dv_untransposed, ["dV", "P.T"]),
    ("10.3", m_bw_dk_untransposed, ["dK", "dS.T"]),
    ("12.1", m_ln_eps_outside_sqrt, ["eps", "sqrt"]),
    ("12.1", m_ln_gain_bias_swapped, ["gain", "bias", "swapped"]),
    ("13.3", m_ou_max_no_keepdims, ["keepdims"]),
    ("13.3", m_ou_old_top_returned, ["top", "running max", "new max"]),
    ("14.1", m_ce_every_entry, ["target", "pick"]),
    ("14.1", m_ce_fancy_index, ["target", "index", "take_along_axis"]),
    ("14.2", m_sa_temperature_on_probabilities, ["temperature", "logits / T", "before the softmax"]),
    ("14.2", m_sa_no_greedy_case, ["temperature 0", "argmax"]),
    ("15.1", m_ca_keys_and_values_swapped, ["k_new", "v_new", "swapped"]),
    ("15.1", m_ca_append_flattens, ["axis", "flat", "np.append"]),
    ("17.1", m_rms_l2_norm, ["norm", "mean", "sqrt"]),
    ("17.1", m_rms_centred, ["mean", "centre", "center", "LayerNorm", "subtract"]),
    ("17.2", m_sw_silu_on_up, ["gate", "up"]),
    ("17.2", m_sw_relu, ["relu", "silu", "sigmoid"]),
]

RIGHT_EIGHTH = [
    ("08.3", m_cm_right_triu_transposed),
    ("09.6", m_mha_right_sum_of_blocks),
    ("10.1", m_sb_right_jacobian_rows),
]
