"""A ninth held-out set of wrong answers, written as learners write them after the eighth set's changes (a batch case
for 06.3, a function that raises on some inputs and is wrong on others, a flattened array, where the numbers are
wrong), and measured before any change made for it. Each is (exercise, function, words one of which names the
mistake)."""

import math

import numpy as np

from tests.wrong_answers import _silu, _sm, _sT


# ---------------------------------------------------------------- 04.4 my_softmax(scores)
def n_sm_log_sum_exp_unshifted(s):
    return np.exp(s - np.log(np.exp(s).sum(axis=-1, keepdims=True)))


def n_sm_divided_by_norm(s):
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / np.linalg.norm(e, axis=-1, keepdims=True)


# ---------------------------------------------------------------- 04.5 my_self_attention(X)
def n_sa_no_softmax(X):
    w = X @ X.T
    return w @ X, w


def n_sa_softmax_down_columns(X):
    w = _sm(X @ X.T, axis=0)
    return w @ X, w


# ---------------------------------------------------------------- 05.3 my_scaled_attention(Q, K, V)
def n_sc_sqrt_number_of_keys(Q, K, V):
    w = _sm(Q @ _sT(K) / math.sqrt(K.shape[-2]))
    return w @ V, w


def n_sc_out_transposed(Q, K, V):
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]))
    return _sT(V) @ _sT(w), w


# ---------------------------------------------------------------- 06.1 my_positional_encoding(n, d)
def n_pe_cos_first(n, d):
    pe = np.zeros((n, d))
    for p in range(n):
        for i in range(0, d, 2):
            pe[p, i] = math.cos(p / 10000 ** (i / d))
            if i + 1 < d:
                pe[p, i + 1] = math.sin(p / 10000 ** (i / d))
    return pe


def n_pe_pair_index_in_exponent(n, d):
    pe = np.zeros((n, d))
    pos = np.arange(n)[:, None]
    freq = np.exp(-np.log(10000.0) * np.arange((d + 1) // 2) / d)
    pe[:, 0::2] = np.sin(pos * freq)
    pe[:, 1::2] = np.cos(pos * freq[: d // 2])
    return pe


# ---------------------------------------------------------------- 06.3 my_rope(x, positions)
def n_rope_rotate_half_on_pairs(x, positions):  # interleaved angles with the halves' rotate_half
    d = x.shape[-1]
    theta = np.repeat(np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d), 2, axis=-1)
    half = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], axis=-1)
    return x * np.cos(theta) + half * np.sin(theta)


def n_rope_other_way(x, positions):
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
    u, v = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = u * np.cos(theta) + v * np.sin(theta)
    out[..., 1::2] = v * np.cos(theta) - u * np.sin(theta)
    return out


# ---------------------------------------------------------------- 08.3 my_causal_mask(n)
def n_cm_int(n):
    return np.tril(np.ones((n, n), dtype=int))


def n_cm_upper(n):
    return np.triu(np.ones((n, n), dtype=bool))


# ---------------------------------------------------------------- 08.4 my_masked_attention(Q, K, V, mask)
def n_mk_scores_times_mask(Q, K, V, mask):
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]) * mask)
    return w @ V, w


def n_mk_mask_after_softmax_renormalised(Q, K, V, mask):  # right, unless a masked key is far above the others
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1])) * mask
    with np.errstate(all="ignore"):
        w = w / w.sum(axis=-1, keepdims=True)
    return w @ V, w


def n_mk_right_additive(Q, K, V, mask):  # right: 0 where allowed, -inf where not, added
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]) + np.where(mask, 0.0, -np.inf))
    return w @ V, w


# ---------------------------------------------------------------- 09.4 my_split_heads(M, n_heads)
def n_sp_reshape_heads_first(M, h):
    *lead, n, d = M.shape
    return M.reshape(*lead, h, n, d // h)


def n_sp_split_words(M, h):
    return np.stack(np.split(M, h, axis=-2), axis=-3)


# ---------------------------------------------------------------- 09.5 my_merge_heads(M)
def n_mg_concatenate_axis_0(M):
    return np.concatenate(list(M), axis=0)


def n_mg_heads_moved_last(M):
    *lead, h, n, dh = M.shape
    return np.moveaxis(M, -3, -1).reshape(*lead, n, h * dh)


# ------------------------------------------------------------- 09.6 my_multi_head_attention(X, W_q, W_k, W_v, W_o, h)
def _heads(X, W_q, W_k, W_v, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        cols = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, cols]) @ _sT(X @ W_k[:, cols]) / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, cols]))
        ws.append(w)
    return np.concatenate(outs, axis=-1), np.stack(ws, axis=-3)


def n_mha_w_o_transposed(X, W_q, W_k, W_v, W_o, h):
    merged, w = _heads(X, W_q, W_k, W_v, h)
    return merged @ W_o.T, w


def n_mha_weights_averaged(X, W_q, W_k, W_v, W_o, h):
    merged, w = _heads(X, W_q, W_k, W_v, h)
    return merged @ W_o, w.mean(axis=-3)


def n_mha_right_sqrt_d_model_over_h(X, W_q, W_k, W_v, W_o, h):  # right: d_model / h is d_head
    d_model = X.shape[-1]
    Q, K, V = (np.swapaxes((X @ W).reshape(*X.shape[:-1], h, d_model // h), -2, -3) for W in (W_q, W_k, W_v))
    w = _sm(Q @ _sT(K) / math.sqrt(d_model / h))
    merged = np.swapaxes(w @ V, -2, -3).reshape(X.shape)
    return merged @ W_o, w


# ---------------------------------------------------------------- 10.1 my_softmax_backward(P, dP)
def n_sb_no_sum(P, dP):
    return P * dP - P * (P * dP)


def n_sb_mean_of_dp(P, dP):
    return P * (dP - dP.mean(axis=-1, keepdims=True))


# ---------------------------------------------------------------- 10.3 my_attention_backward(Q, K, V, dO)
def _parts(Q, K, V, dO):
    s = math.sqrt(Q.shape[-1])
    P = _sm(Q @ _sT(K) / s)
    dP = dO @ _sT(V)
    return P, P * (dP - (P * dP).sum(axis=-1, keepdims=True)), s


def n_bw_dq_from_ds_transposed(Q, K, V, dO):
    P, dS, s = _parts(Q, K, V, dO)
    return _sT(dS) @ K / s, _sT(dS) @ Q / s, _sT(P) @ dO


def n_bw_dk_unscaled(Q, K, V, dO):
    P, dS, s = _parts(Q, K, V, dO)
    return dS @ K / s, _sT(dS) @ Q, _sT(P) @ dO


# ---------------------------------------------------------------- 12.1 my_layer_norm(x, gamma, beta, eps)
def n_ln_sample_std(x, g, b, eps):
    m = x.mean(axis=-1, keepdims=True)
    v = x.var(axis=-1, keepdims=True, ddof=1) if x.shape[-1] > 1 else np.zeros_like(m)
    return g * (x - m) / np.sqrt(v + eps) + b


def n_ln_no_beta(x, g, b, eps):
    m, v = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return g * (x - m) / np.sqrt(v + eps)


# ---------------------------------------------------------------- 13.3 my_online_update(top, total, acc, scores, V)
def n_ou_one_max_for_all_queries(top, total, acc, scores, V):
    new = np.maximum(top, scores.max())
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def n_ou_total_over_axis_0(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=0), acc * r + p @ V


def n_ou_right_unguarded(top, total, acc, scores, V):  # right: exp(-inf - m) is 0, and 0 * a total of 0 is 0
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


# ---------------------------------------------------------------- 14.1 my_cross_entropy(logits, targets)
def _logp(z, axis=-1):
    z = z - z.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def n_ce_log_softmax_over_positions(logits, targets):
    lp = _logp(logits, axis=-2)
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def n_ce_no_minus(logits, targets):
    return float(np.take_along_axis(_logp(logits), targets[..., None], axis=-1).mean())


# ---------------------------------------------------------------- 14.2 my_sample(logits, temperature, top_k, rng)
def n_sa_argpartition_smallest(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argpartition(logits, top_k)[:top_k] if top_k < len(logits) else np.arange(len(logits))
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def n_sa_uniform_in_top_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    return int(keep[rng.integers(len(keep))])


# ---------------------------------------------------------------- 15.1 my_attend_with_cache
def n_ca_sqrt_d_v(q, K_cache, V_cache, k_new, v_new):
    K, V = np.vstack([K_cache, k_new]), np.vstack([V_cache, v_new])
    w = _sm(K @ q / math.sqrt(len(v_new)))
    return w @ V, K, V


def n_ca_old_caches_returned(q, K_cache, V_cache, k_new, v_new):
    K, V = np.vstack([K_cache, k_new]), np.vstack([V_cache, v_new])
    w = _sm(K @ q / math.sqrt(len(q)))
    return w @ V, K_cache, V_cache


# ---------------------------------------------------------------- 17.1 my_rms_norm(x, gain, eps)
def n_rms_gain_added(x, g, eps):
    return x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) + g


def n_rms_no_root(x, g, eps):
    return x / ((x**2).mean(axis=-1, keepdims=True) + eps) * g


# ---------------------------------------------------------------- 17.2 my_swiglu(x, W_gate, W_up, W_down)
def n_sw_sigmoid_gate(x, Wg, Wu, Wd):
    return ((1 / (1 + np.exp(-(x @ Wg)))) * (x @ Wu)) @ Wd


def n_sw_sum_not_product(x, Wg, Wu, Wd):
    return (_silu(x @ Wg) + x @ Wu) @ Wd


NINTH = [
    ("04.4", n_sm_log_sum_exp_unshifted, ["overflow", "max"]),
    ("04.4", n_sm_divided_by_norm, ["sum", "norm"]),
    ("04.5", n_sa_no_softmax, ["softmax"]),
    ("04.5", n_sa_softmax_down_columns, ["axis", "column"]),
    ("05.3", n_sc_sqrt_number_of_keys, ["d_k", "Q.shape", "K.shape[-1]", "scale"]),
    ("05.3", n_sc_out_transposed, ["transpose", "swapped", "swapaxes"]),
    ("06.1", n_pe_cos_first, ["sin", "cos"]),
    ("06.1", n_pe_pair_index_in_exponent, ["2i", "exponent"]),
    ("06.3", n_rope_rotate_half_on_pairs, ["halves", "neighbour", "pairs"]),
    ("06.3", n_rope_other_way, ["other way", "sign"]),
    ("08.3", n_cm_int, ["bool", "dtype"]),
    ("08.3", n_cm_upper, ["triu", "future", "tril"]),
    ("08.4", n_mk_scores_times_mask, ["-inf", "0"]),
    ("08.4", n_mk_mask_after_softmax_renormalised, ["-inf", "before the softmax", "underflow"]),
    ("09.4", n_sp_reshape_heads_first, ["transpose", "swapaxes"]),
    ("09.4", n_sp_split_words, ["words", "axis=-1", "features"]),
    ("09.5", n_mg_concatenate_axis_0, ["axis", "concatenate", "batch"]),
    ("09.5", n_mg_heads_moved_last, ["interleav", "order", "moved"]),
    ("09.6", n_mha_w_o_transposed, ["W_o", "transpose"]),
    ("09.6", n_mha_weights_averaged, ["weights", "average", "mean"]),
    ("10.1", n_sb_no_sum, ["sum"]),
    ("10.1", n_sb_mean_of_dp, ["mean", "weighted", "P * dP"]),
    ("10.3", n_bw_dq_from_ds_transposed, ["dQ", "dS @ K"]),
    ("10.3", n_bw_dk_unscaled, ["dK", "scale", "sqrt"]),
    ("12.1", n_ln_sample_std, ["ddof", "n - 1", "sample"]),
    ("12.1", n_ln_no_beta, ["beta", "bias"]),
    ("13.3", n_ou_one_max_for_all_queries, ["each query", "row", "axis=-1", "whole"]),
    ("13.3", n_ou_total_over_axis_0, ["axis"]),
    ("14.1", n_ce_log_softmax_over_positions, ["axis", "positions", "vocab"]),
    ("14.1", n_ce_no_minus, ["sign", "minus", "negative"]),
    ("14.2", n_sa_argpartition_smallest, ["smallest", "largest", "argpartition"]),
    ("14.2", n_sa_uniform_in_top_k, ["uniform", "equal", "probabilit"]),
    ("15.1", n_ca_sqrt_d_v, ["d_head", "query", "sqrt"]),
    ("15.1", n_ca_old_caches_returned, ["grown", "append", "new"]),
    ("17.1", n_rms_gain_added, ["gain", "multipl"]),
    ("17.1", n_rms_no_root, ["root", "sqrt"]),
    ("17.2", n_sw_sigmoid_gate, ["silu", "sigmoid", "z *"]),
    ("17.2", n_sw_sum_not_product, ["product", "multipl", "times"]),
]

RIGHT_NINTH = [
    ("08.4", n_mk_right_additive),
    ("09.6", n_mha_right_sqrt_d_model_over_h),
    ("13.3", n_ou_right_unguarded),
]
