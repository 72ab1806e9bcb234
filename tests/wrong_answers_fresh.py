"""A second held-out set of wrong answers, written after the checkers were changed to name the first set
(tests/wrong_answers.py) and never used to change them: its share of named mistakes is the honest measure of how
often a learner's new mistake is named. Same form as WRONG there: (exercise, function, words one of which the hint
must hold)."""

import math

import numpy as np


def _sm(s, axis=-1):
    e = np.exp(s - np.max(s, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _T(a):
    return np.swapaxes(a, -1, -2)


def f_sm_sum_squares(s):  # squares in place of exp
    z = (s - s.max(axis=-1, keepdims=True)) ** 2
    return z / z.sum(axis=-1, keepdims=True)


def f_sm_min_shift_overflow(s):  # subtracts the min: exp overflows for wide rows
    e = np.exp(s - s.min(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def f_sa_divided_by_d(X):
    w = _sm(X @ X.T / X.shape[-1])
    return w @ X, w


def f_sa_weights_T_out(X):
    w = _sm(X @ X.T)
    return w.T @ X, w


def f_sc_times_sqrt_dv(Q, K, V):
    w = _sm(Q @ _T(K) * np.sqrt(V.shape[-1]))
    return w @ V, w


def f_sc_out_from_T(Q, K, V):
    w = _sm(Q @ _T(K) / np.sqrt(Q.shape[-1]))
    return _T(w) @ V if w.shape[-1] == w.shape[-2] else w @ V, w


def f_pe_cos_sin_halves(n, d):
    pos = np.arange(n)[:, None]
    i = np.arange((d + 1) // 2)
    a = pos / 10000 ** (2 * i / d)
    pe = np.zeros((n, d))
    h = (d + 1) // 2
    pe[:, :h] = np.cos(a)
    pe[:, h:] = np.sin(a[:, : d - h])
    return pe


def f_pe_base_100(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / 100 ** ((j - j % 2) / d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def f_rope_minus_on_second(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) + b * np.sin(t), -a * np.sin(t) + b * np.cos(t)
    return out


def f_rope_row_index(x, positions):
    d = x.shape[-1]
    t = np.arange(x.shape[0])[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)
    return out


def f_cm_triu_k1_T(n):
    return np.triu(np.ones((n, n), dtype=bool), 1).T


def f_cm_ints_tril(n):
    return np.tril(np.ones((n, n), dtype=int))


def f_mk_mask_multiplies_weights_no_renorm(Q, K, V, mask):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]))
    w = np.where(mask, w, 0.0)
    return w @ V, w


def f_mk_minus_inf_unscaled(Q, K, V, mask):
    w = _sm(np.where(mask, Q @ _T(K), -np.inf))
    return w @ V, w


def f_sp_reshape_only(M, h):
    *b, n, d = M.shape
    return M.reshape(*b, h, n, d // h)


def f_sp_swap_wrong_axes(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, n, h, d // h), -1, -2)


def f_mg_reshape_from_heads(M):
    *b, h, n, dh = M.shape
    return M.reshape(*b, n, h * dh)


def f_mg_stack_last(M):
    *b, h, n, dh = M.shape
    return np.stack([M[..., i, :, :] for i in range(h)], axis=-1).reshape(*b, n, h * dh)


def f_mha_d_model_scale_loop(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(X.shape[-1]))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def f_mha_out_is_heads_sum(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    out, ws = 0, []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        out = out + (w @ (X @ W_v[:, c])) @ W_o[c, :]
        ws.append(w)
    return out + 0 * X, np.stack(ws, -3).mean(-3)


def f_sb_no_p(P, dP):
    return dP - (dP * P).sum(-1, keepdims=True)


def f_sb_sum_all_rows(P, dP):
    return P * (dP - (dP * P).sum())


def f_bw_no_softmax_grad_unscaled(Q, K, V, dO):
    P = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]))
    dP = dO @ _T(V)
    return dP @ K, _T(dP) @ Q, _T(P) @ dO


def f_bw_dv_uses_dO_T(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, _T(P) @ dO * s


def f_ln_std_ddof1_eps_out(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / (x.std(-1, ddof=1, keepdims=True) + eps) * g + b


def f_ln_var_not_sqrt(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / (((x - m) ** 2).mean(-1, keepdims=True) + eps) * g + b


def f_ou_new_block_unshifted_but_rescaled(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - scores.max(-1, keepdims=True))
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def f_ou_swapped_outputs(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, acc * r + p @ V, total * r + p.sum(-1, keepdims=True)


def f_ce_probability_not_log(logits, targets):
    p = _sm(logits)
    return float(-np.take_along_axis(p, targets[..., None], axis=-1).mean())


def f_ce_log10(logits, targets):
    p = _sm(logits)
    with np.errstate(divide="ignore"):
        return float(-np.log10(np.take_along_axis(p, targets[..., None], axis=-1)).mean())


def f_sample_temperature_after_top_k_wrong_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-max(top_k - 1, 1) :]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def f_sample_greedy_when_top_1_only(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))


def f_ca_mean_of_values(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return V.mean(axis=0), K, V


def f_ca_v_scored(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    s = K @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V[::-1]


def f_rms_mean_of_squares_no_sqrt_eps(x, g, eps):
    return x / np.sqrt((x**2).sum(-1, keepdims=True) / (x.shape[-1] - 1) + eps) * g


def f_rms_gain_added(x, g, eps):
    return x / np.sqrt((x**2).mean(-1, keepdims=True) + eps) + g


def f_sw_sigmoid_only_on_up(x, Wg, Wu, Wd):
    u = x @ Wu
    return ((x @ Wg) * u / (1 + np.exp(-u))) @ Wd


def f_sw_gelu_tanh(x, Wg, Wu, Wd):
    z = x @ Wg
    gelu = 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3)))
    return (gelu * (x @ Wu)) @ Wd


FRESH = [
    ("04.4", f_sm_sum_squares, ["exp"]),
    ("04.4", f_sm_min_shift_overflow, ["max", "overflow"]),
    ("04.5", f_sa_divided_by_d, ["scale", "multiplied by"]),
    ("04.5", f_sa_weights_T_out, ["transpose", "weights.T", "column"]),
    ("05.3", f_sc_times_sqrt_dv, ["multiplied by", "scale"]),
    ("05.3", f_sc_out_from_T, ["transpose", "weights.T", "column"]),
    ("06.1", f_pe_cos_sin_halves, ["halves", "interleave", "swapped", "cos"]),
    ("06.1", f_pe_base_100, ["10000", "base"]),
    ("06.3", f_rope_minus_on_second, ["other way", "sign"]),
    ("06.3", f_rope_row_index, ["row number", "positions[row]"]),
    ("08.3", f_cm_triu_k1_T, ["diagonal"]),
    ("08.3", f_cm_ints_tril, ["bool"]),
    ("08.4", f_mk_mask_multiplies_weights_no_renorm, ["after the softmax", "sum to 1"]),
    ("08.4", f_mk_minus_inf_unscaled, ["scale"]),
    ("09.4", f_sp_reshape_only, ["transpose", "mixes", "swap"]),
    ("09.4", f_sp_swap_wrong_axes, ["axes", "swap", "shape"]),
    ("09.5", f_mg_reshape_from_heads, ["transpose", "mixes", "swap"]),
    ("09.5", f_mg_stack_last, ["order", "head 0"]),
    ("09.6", f_mha_d_model_scale_loop, ["d_model", "d_head"]),
    ("09.6", f_mha_out_is_heads_sum, ["each head", "average", "n_heads"]),
    ("10.1", f_sb_no_p, ["multiply by p", "P *"]),
    ("10.1", f_sb_sum_all_rows, ["whole array", "row"]),
    ("10.3", f_bw_no_softmax_grad_unscaled, ["softmax", "dS"]),
    ("10.3", f_bw_dv_uses_dO_T, ["dV", "scale"]),
    ("12.1", f_ln_std_ddof1_eps_out, ["ddof", "variance", "eps"]),
    ("12.1", f_ln_var_not_sqrt, ["standard deviation", "sqrt"]),
    ("13.3", f_ou_new_block_unshifted_but_rescaled, ["m_new", "running max", "old max"]),
    ("13.3", f_ou_swapped_outputs, ["total", "acc", "order"]),
    ("14.1", f_ce_probability_not_log, ["log"]),
    ("14.1", f_ce_log10, ["log10", "natural log", "log("]),
    ("14.2", f_sample_temperature_after_top_k_wrong_k, ["top_k", "k largest", "k - 1", "one too few"]),
    ("14.2", f_sample_greedy_when_top_1_only, ["top_k", "top-k", "ignored"]),
    ("15.1", f_ca_mean_of_values, ["attend", "softmax", "weights"]),
    ("15.1", f_ca_v_scored, ["V_cache", "order", "last"]),
    ("17.1", f_rms_mean_of_squares_no_sqrt_eps, ["mean", "d features"]),
    ("17.1", f_rms_gain_added, ["gain", "multipl"]),
    ("17.2", f_sw_sigmoid_only_on_up, ["swapped", "gate"]),
    ("17.2", f_sw_gelu_tanh, ["gelu", "silu"]),
]


# ---------------------------------------------------------------- a third set, written after the second was named
def g_sm_divide_by_n(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / s.shape[-1]


def g_sm_exp_of_max_only(s):
    return np.exp(s - s.max(-1, keepdims=True))


def g_sa_scores_T_softmax(X):
    w = _sm(X @ X.T, axis=0).T
    return w @ X, w


def g_sa_out_plus_X(X):
    w = _sm(X @ X.T)
    return w @ X + X, w


def g_sc_q_not_transposed_k_both(Q, K, V):
    w = _sm(Q @ _T(K) / math.sqrt(K.shape[-2]))
    return w @ V, w


def g_sc_sqrt_outside_softmax_weights(Q, K, V):
    w = _sm(Q @ _T(K)) ** (1 / math.sqrt(Q.shape[-1]))
    return w @ V, w


def g_pe_sin_cos_all_columns_pos_plus1(n, d):
    pos = np.arange(1, n + 1)[:, None]
    j = np.arange(d)
    a = pos / 10000 ** ((j - j % 2) / d)
    return np.where(j % 2 == 0, np.cos(a), np.sin(a))


def g_pe_float_n_by_d(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / 10000 ** (j // 2 / d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def g_rope_positions_sorted(x, positions):
    d = x.shape[-1]
    t = np.sort(np.asarray(positions, dtype=float))[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)
    return out


def g_rope_rotate_by_degrees(x, positions):
    d = x.shape[-1]
    t = np.radians(np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d))
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)
    return out


def g_cm_lower_strict(n):
    return np.tril(np.ones((n, n), dtype=bool), -1)


def g_cm_upper_incl(n):
    return np.triu(np.ones((n, n), dtype=bool))


def g_mk_where_reversed_args(Q, K, V, mask):
    w = _sm(np.where(mask, -np.inf, Q @ _T(K) / math.sqrt(Q.shape[-1])))
    return w @ V, w


def g_mk_mask_added(Q, K, V, mask):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]) + mask)
    return w @ V, w


def g_sp_transpose_first(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M, -1, -2).reshape(*b, h, d // h, n).swapaxes(-1, -2)


def g_sp_h_is_d_head(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, n, d // h, h), -3, -2)


def g_mg_swap_last_two(M):
    *b, h, n, dh = M.shape
    return np.swapaxes(M, -1, -2).reshape(*b, n, h * dh)


def g_mg_heads_first_then_reshape_T(M):
    *b, h, n, dh = M.shape
    return np.moveaxis(M, -3, -2).reshape(*b, n, h * dh)


def g_mha_w_o_transposed(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o.T, np.stack(ws)


def g_mha_heads_share_q(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, :d]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def g_sb_dp_minus_p(P, dP):
    return P * (dP - P)


def g_sb_transposed_jacobian_sum(P, dP):
    return P * dP - P * (P * dP).sum(-2, keepdims=True)


def g_bw_dk_from_dS(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ K, _T(P) @ dO


def g_bw_dp_with_K(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V) * s
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, _T(P) @ dO


def g_ln_mean_of_abs_dev(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / (np.abs(x - m).mean(-1, keepdims=True) + eps) * g + b


def g_ln_beta_scaled(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return ((x - m) / np.sqrt(x.var(-1, keepdims=True) + eps) + b) * g


def g_ou_total_with_V(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc + p @ V * r


def g_ou_max_over_queries(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(0, keepdims=True).max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def g_ce_last_position_only(logits, targets):
    lp = logits - logits.max(-1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    return float(-lp[..., -1, targets[..., -1]].mean()) if lp.ndim == 2 else float(-lp[..., -1, :].mean())


def g_ce_no_max_sub(logits, targets):
    with np.errstate(all="ignore"):
        lp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def g_sample_argmax_of_probs_times_random(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[np.argmax(p * rng.random(len(keep)))])


def g_sample_T_squared(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature**2
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def g_ca_attend_old_then_append_mean(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    s = K @ q / math.sqrt(len(q))
    return (s / np.abs(s).sum()) @ V, K, V


def g_ca_new_key_only_score(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    s = K_cache @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V_cache + 0 * v_new, K, V


def g_rms_root_of_mean_abs_sq(x, g, eps):
    return x / (np.mean(np.abs(x), -1, keepdims=True) ** 2 + eps) ** 0.5 * g


def g_rms_gain_inside(x, g, eps):
    return x / np.sqrt(((x * g) ** 2).mean(-1, keepdims=True) + eps)


def g_sw_down_before_product(x, Wg, Wu, Wd):
    z = x @ Wg
    return ((z / (1 + np.exp(-z))) @ Wd) * ((x @ Wu) @ Wd)


def g_sw_gate_on_x(x, Wg, Wu, Wd):
    return ((x / (1 + np.exp(-x))) @ Wg * (x @ Wu)) @ Wd


THIRD = [
    ("04.4", g_sm_divide_by_n, ["sum"]),
    ("04.4", g_sm_exp_of_max_only, ["sum", "divide"]),
    ("04.5", g_sa_out_plus_X, ["residual", "+ X", "weighted sum"]),
    ("05.3", g_sc_q_not_transposed_k_both, ["multiplied by", "scale"]),
    ("05.3", g_sc_sqrt_outside_softmax_weights, ["scale", "before the softmax"]),
    ("06.1", g_pe_sin_cos_all_columns_pos_plus1, ["position", "start"]),
    ("06.1", g_pe_float_n_by_d, ["2i", "exponent", "i/d"]),
    ("06.3", g_rope_positions_sorted, ["positions[", "order", "given position"]),
    ("06.3", g_rope_rotate_by_degrees, ["radian", "degree", "angle"]),
    ("08.3", g_cm_lower_strict, ["diagonal", "itself"]),
    ("08.3", g_cm_upper_incl, ["triu", "future"]),
    ("08.4", g_mk_where_reversed_args, ["inverted", "~mask", "true"]),
    ("08.4", g_mk_mask_added, ["-inf", "added", "boolean"]),
    ("09.4", g_sp_h_is_d_head, ["contiguous", "block", "d_head"]),
    ("09.5", g_mg_swap_last_two, ["swap", "axes", "transpose"]),
    ("09.6", g_mha_w_o_transposed, ["W_o", "transpose"]),
    ("09.6", g_mha_heads_share_q, ["W_q", "head", "split"]),
    ("10.1", g_sb_dp_minus_p, ["sum", "dP * P"]),
    ("10.1", g_sb_transposed_jacobian_sum, ["axis", "row", "queries"]),
    ("10.3", g_bw_dk_from_dS, ["dK", "Q"]),
    ("10.3", g_bw_dp_with_K, ["scale", "twice"]),
    ("12.1", g_ln_mean_of_abs_dev, ["standard deviation", "variance", "sqrt"]),
    ("12.1", g_ln_beta_scaled, ["beta", "gamma"]),
    ("13.3", g_ou_total_with_V, ["acc", "rescale"]),
    ("13.3", g_ou_max_over_queries, ["row", "each query", "axis"]),
    ("14.1", g_ce_last_position_only, ["position", "mean", "every"]),
    ("14.1", g_ce_no_max_sub, ["overflow", "max"]),
    ("14.2", g_sample_argmax_of_probs_times_random, ["rng.choice", "probabilit", "frequenc"]),
    ("14.2", g_sample_T_squared, ["temperature", "logits / T"]),
    ("15.1", g_ca_attend_old_then_append_mean, ["softmax", "exp"]),
    ("15.1", g_ca_new_key_only_score, ["itself", "append", "first"]),
    ("17.1", g_rms_root_of_mean_abs_sq, ["square", "mean(x**2"]),
    ("17.1", g_rms_gain_inside, ["gain", "before"]),
    ("17.2", g_sw_down_before_product, ["W_down", "product"]),
    ("17.2", g_sw_gate_on_x, ["gate", "x @ W_gate"]),
]

# Written as wrong answers for the third set, but right: X @ X.T is symmetric, so its column softmax transposed is the
# row softmax; transposing M first groups the features by head just as a reshape does; moving the heads axis to -2
# is the swap of heads and words. The checkers accept them, as they should.
RIGHT_FRESH = [
    ("04.5", g_sa_scores_T_softmax),
    ("09.4", g_sp_transpose_first),
    ("09.5", g_mg_heads_first_then_reshape_T),
]


# ---------------------------------------------------------------- a fourth set, written after the third was named and
# measured before any checker was changed for it
def h_sm_sum_over_whole_array(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum()


def h_sm_shift_by_column_max(s):
    e = np.exp(s - s.max(0, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def h_sa_out_from_scores(X):
    S = X @ X.T
    return S @ X, _sm(S)


def h_sa_softmax_of_X_first(X):
    Xs = _sm(X)
    w = _sm(Xs @ Xs.T)
    return w @ X, w


def h_sc_divided_by_d_k(Q, K, V):
    w = _sm(Q @ _T(K) / Q.shape[-1])
    return w @ V, w


def h_sc_returns_scores_as_weights(Q, K, V):
    s = Q @ _T(K) / math.sqrt(Q.shape[-1])
    return _sm(s) @ V, s


def h_pe_sin_on_odd_columns(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / 10000 ** ((j - j % 2) / d)
    return np.where(j % 2 == 0, np.cos(a), np.sin(a))


def h_pe_exponent_over_n(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / 10000 ** ((j - j % 2) / n)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def h_rope_pairs_i_and_i_plus_half(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., : d // 2], x[..., d // 2 :]
    return np.concatenate([a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)], -1)


def h_rope_exponent_i_over_d(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)
    return out


def h_cm_nested_list(n):
    return [[j <= i for j in range(n)] for i in range(n)]


def h_cm_n_minus_1(n):
    return np.tril(np.ones((n - 1, n - 1), dtype=bool))


def h_mk_weights_returned_unmasked(Q, K, V, mask):
    s = Q @ _T(K) / math.sqrt(Q.shape[-1])
    return _sm(np.where(mask, s, -np.inf)) @ V, _sm(s)


def h_mk_masked_scores_zero(Q, K, V, mask):
    w = _sm(np.where(mask, Q @ _T(K) / math.sqrt(Q.shape[-1]), 0.0))
    return w @ V, w


def h_sp_reshape_without_swap(M, h):
    *b, n, d = M.shape
    return M.reshape(*b, n, h, d // h)


def h_sp_split_the_words(M, h):
    return np.stack(np.array_split(M, h, axis=-2), axis=-3)


def h_mg_features_interleaved(M):
    *b, h, n, dh = M.shape
    return np.moveaxis(M, -3, -1).reshape(*b, n, dh * h)


def h_mg_axes_from_the_front(M):
    return np.swapaxes(M, 0, 1).reshape(M.shape[1], -1)


def h_mha_softmax_across_heads(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    c = [slice(i * d, (i + 1) * d) for i in range(h)]
    S = np.stack([(X @ W_q[:, c[i]]) @ (X @ W_k[:, c[i]]).T / math.sqrt(d) for i in range(h)])
    e = np.exp(S - S.max())
    w = e / e.sum(axis=(0, -1), keepdims=True)
    outs = [w[i] @ (X @ W_v[:, i * d : (i + 1) * d]) for i in range(h)]
    return np.concatenate(outs, -1) @ W_o, w


def h_mha_w_o_first_rows_for_every_head(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    out, ws = 0, []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        out = out + (w @ (X @ W_v[:, c])) @ W_o[:d]
        ws.append(w)
    return out, np.stack(ws)


def h_sb_sum_without_keepdims(P, dP):
    return P * (dP - (P * dP).sum(-1))


def h_sb_softmax_of_P_again(P, dP):
    S = _sm(P)
    return S * (dP - (S * dP).sum(-1, keepdims=True))


def h_bw_dv_dO_T_P(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, _T(_T(dO) @ P)


def h_bw_dq_from_dP(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dP @ K * s, _T(dS) @ Q, _T(P) @ dO


def h_ln_median(x, g, b, eps):
    m = np.median(x, -1, keepdims=True)
    return (x - m) / np.sqrt(((x - m) ** 2).mean(-1, keepdims=True) + eps) * g + b


def h_ln_no_eps(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / x.std(-1, keepdims=True) * g + b


def h_ou_block_against_old_top(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - top)
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def h_ou_base_2(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = 2.0 ** (top - new)
    p = 2.0 ** (scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def h_ce_sum_not_mean(logits, targets):
    lp = logits - logits.max(-1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).sum())


def h_ce_log_softmax_over_positions(logits, targets):
    lp = logits - logits.max(-2, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-2, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def h_sample_smallest_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[: top_k or len(logits)]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def h_sample_temperature_ignored(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-(top_k or len(logits)) :]
    z = logits[keep]
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def h_ca_no_scale(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _sm(K @ q) @ V, K, V


def h_ca_v_cache_not_grown(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _sm(K @ q / math.sqrt(len(q))) @ V, K, V_cache


def h_rms_mean_subtracted(x, g, eps):
    c = x - x.mean(-1, keepdims=True)
    return c / np.sqrt((c**2).mean(-1, keepdims=True) + eps) * g


def h_rms_sum_of_squares(x, g, eps):
    return x / np.sqrt((x**2).sum(-1, keepdims=True) + eps) * g


def h_sw_silu_on_up(x, Wg, Wu, Wd):
    u = x @ Wu
    return ((x @ Wg) * (u / (1 + np.exp(-u)))) @ Wd


def h_sw_sigmoid_sign_flipped(x, Wg, Wu, Wd):
    z = x @ Wg
    return ((z / (1 + np.exp(z))) * (x @ Wu)) @ Wd


FOURTH = [
    ("04.4", h_sm_sum_over_whole_array, ["row", "whole", "axis"]),
    ("04.4", h_sm_shift_by_column_max, ["max", "row", "column"]),
    ("04.5", h_sa_out_from_scores, ["weights", "scores"]),
    ("04.5", h_sa_softmax_of_X_first, ["softmax", "scores", "X"]),
    ("05.3", h_sc_divided_by_d_k, ["sqrt", "scale"]),
    ("05.3", h_sc_returns_scores_as_weights, ["weights", "softmax", "scores"]),
    ("06.1", h_pe_sin_on_odd_columns, ["sin", "cos", "swap", "even"]),
    ("06.1", h_pe_exponent_over_n, ["2i/d", "exponent", "d"]),
    ("06.3", h_rope_pairs_i_and_i_plus_half, ["pair", "half", "adjacent", "2i"]),
    ("06.3", h_rope_exponent_i_over_d, ["2i", "exponent", "frequenc"]),
    ("08.3", h_cm_nested_list, ["array", "list"]),
    ("08.3", h_cm_n_minus_1, ["shape", "n"]),
    ("08.4", h_mk_weights_returned_unmasked, ["weights"]),
    ("08.4", h_mk_masked_scores_zero, ["-inf", "zero", " 0"]),
    ("09.4", h_sp_reshape_without_swap, ["swap", "axes", "order", "transpose"]),
    ("09.4", h_sp_split_the_words, ["feature", "axis", "words"]),
    ("09.5", h_mg_features_interleaved, ["order", "head", "contiguous", "swap", "moved"]),
    ("09.5", h_mg_axes_from_the_front, ["batch", "end"]),
    ("09.6", h_mha_softmax_across_heads, ["head", "softmax"]),
    ("09.6", h_mha_w_o_first_rows_for_every_head, ["W_o", "rows"]),
    ("10.1", h_sb_sum_without_keepdims, ["keepdims", "axis", "row", "broadcast"]),
    ("10.1", h_sb_softmax_of_P_again, ["already", "softmax"]),
    ("10.3", h_bw_dq_from_dP, ["dQ", "dS"]),
    ("12.1", h_ln_median, ["mean", "median"]),
    ("12.1", h_ln_no_eps, ["eps"]),
    ("13.3", h_ou_block_against_old_top, ["new", "maximum", "max"]),
    ("13.3", h_ou_base_2, ["exp", "base", "2"]),
    ("14.1", h_ce_sum_not_mean, ["mean", "sum", "average"]),
    ("14.1", h_ce_log_softmax_over_positions, ["axis", "vocab", "row", "position"]),
    ("14.2", h_sample_smallest_k, ["largest", "top", "smallest"]),
    ("14.2", h_sample_temperature_ignored, ["temperature"]),
    ("15.1", h_ca_no_scale, ["scale", "sqrt"]),
    ("15.1", h_ca_v_cache_not_grown, ["V_cache"]),
    ("17.1", h_rms_mean_subtracted, ["mean", "center", "subtract"]),
    ("17.1", h_rms_sum_of_squares, ["mean", "sum"]),
    ("17.2", h_sw_silu_on_up, ["W_gate", "W_up", "swap", "silu"]),
    ("17.2", h_sw_sigmoid_sign_flipped, ["silu", "sigmoid", "sign"]),
]

# Written as a wrong answer for the fourth set, but right: (dO^T P)^T = P^T dO. Measured before any change: 28 of the
# other 37 named (76%); one, a causal mask returned as a nested Python list, was accepted with no note.
RIGHT_FOURTH = [("10.3", h_bw_dv_dO_T_P)]


# ---------------------------------------------------------------- a fifth set, written after the fourth was named and
# measured before any checker was changed for it
def _rope_with(x, t):
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)
    return out


def i_sm_abs_of_shift(s):
    e = np.exp(np.abs(s - s.max(-1, keepdims=True)))
    return e / e.sum(-1, keepdims=True)


def i_sm_sigmoid(s):
    return 1 / (1 + np.exp(-s))


def i_sa_cosine_scores(X):
    U = X / np.linalg.norm(X, axis=-1, keepdims=True)
    w = _sm(U @ U.T)
    return w @ X, w


def i_sa_out_divided_by_n(X):
    w = _sm(X @ X.T)
    return w @ X / len(X), w


def i_sc_values_are_queries(Q, K, V):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]))
    return w @ Q if Q.shape == V.shape else w @ V[..., : Q.shape[-1]], w


def i_sc_relu_weights(Q, K, V):
    s = np.maximum(Q @ _T(K) / math.sqrt(Q.shape[-1]), 0)
    w = s / (s.sum(-1, keepdims=True) + 1e-12)
    return w @ V, w


def i_pe_positions_over_n(n, d):
    pos = np.arange(n)[:, None] / n
    j = np.arange(d)
    a = pos / 10000 ** ((j - j % 2) / d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def i_pe_integer_division(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / 10000 ** ((2 * (j // 2)) // d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def i_rope_exponent_over_pairs(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / (d // 2))
    return _rope_with(x, t)


def i_rope_one_angle_for_every_pair(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * np.ones(d // 2)
    return _rope_with(x, t)


def i_cm_from_a_bigger_mask(n):
    return np.tril(np.ones((n + 1, n + 1), dtype=bool))[1:, :-1]


def i_cm_window_of_3(n):
    one = np.ones((n, n), dtype=bool)
    return np.tril(one) & np.triu(one, -2)


def i_mk_additive_from_bool(Q, K, V, mask):
    with np.errstate(all="ignore"):
        w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]) + (1 - mask) * -np.inf)
    return w @ V, w


def i_mk_masked_to_row_min(Q, K, V, mask):
    s = Q @ _T(K) / math.sqrt(Q.shape[-1])
    w = _sm(np.where(mask, s, s.min(-1, keepdims=True)))
    return w @ V, w


def i_sp_list_of_heads(M, h):
    d = M.shape[-1] // h
    return [M[..., i * d : (i + 1) * d] for i in range(h)]


def i_sp_swap_last_two(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, n, h, d // h), -1, -2)


def i_mg_transpose_102(M):
    return M.transpose(1, 0, 2).reshape(M.shape[1], -1)


def i_mg_first_head_repeated(M):
    return np.concatenate([M[..., 0, :, :]] * M.shape[-3], -1)


def i_mha_scale_sqrt_h(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(h))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def i_mha_keys_against_queries(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_k[:, c]) @ (X @ W_q[:, c]).T / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def i_sb_sign_flipped(P, dP):
    return -P * (dP - (P * dP).sum(-1, keepdims=True))


def i_sb_sum_of_dP_squared(P, dP):
    return P * (dP - (dP * dP).sum(-1, keepdims=True))


def i_bw_dq_unscaled(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True))
    return dS @ K, _T(dS * s) @ Q, _T(P) @ dO


def i_bw_dv_from_scores(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    S = Q @ _T(K) * s
    P = _sm(S)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, _T(S) @ dO


def i_ln_variance_not_centred(x, g, b, eps):
    return (x - x.mean(-1, keepdims=True)) / np.sqrt((x**2).mean(-1, keepdims=True) + eps) * g + b


def i_ln_by_max_abs(x, g, b, eps):
    c = x - x.mean(-1, keepdims=True)
    return c / (np.abs(c).max(-1, keepdims=True) + eps) * g + b


def i_ou_total_of_scores(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + (scores - new).sum(-1, keepdims=True), acc * r + p @ V


def i_ou_acc_rescaled_twice(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc * r * r + p @ V


def i_ce_mean_over_batch_only(logits, targets):
    lp = logits - logits.max(-1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    picked = -np.take_along_axis(lp, targets[..., None], axis=-1)[..., 0]
    return float(picked.sum(-1).mean())


def i_ce_fancy_index_first_axis(logits, targets):
    lp = logits - logits.max(-1, keepdims=True)
    lp = lp - np.log(np.exp(lp).sum(-1, keepdims=True))
    flat = lp.reshape(-1, lp.shape[-1])
    return float(-flat[targets.reshape(-1) % len(flat)].mean())


def i_sample_temperature_added(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-(top_k or len(logits)) :]
    z = logits[keep] + temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def i_sample_top_k_as_given(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def i_ca_new_at_the_front(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([k_new[None], K_cache]), np.concatenate([v_new[None], V_cache])
    return _sm(K @ q / math.sqrt(len(q))) @ V, K, V


def i_ca_new_key_as_query(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _sm(K @ k_new / math.sqrt(len(q))) @ V, K, V


def i_rms_by_variance(x, g, eps):
    return x / np.sqrt(x.var(-1, keepdims=True) + eps) * g


def i_rms_gain_divides(x, g, eps):
    return x / np.sqrt((x**2).mean(-1, keepdims=True) + eps) / g


def i_sw_sigmoid_gate(x, Wg, Wu, Wd):
    return ((1 / (1 + np.exp(-(x @ Wg)))) * (x @ Wu)) @ Wd


def i_sw_gate_twice(x, Wg, Wu, Wd):
    z = x @ Wg
    return ((z / (1 + np.exp(-z))) * z) @ Wd


FIFTH = [
    ("04.4", i_sm_abs_of_shift, ["exp", "sign", "abs", "minus"]),
    ("04.4", i_sm_sigmoid, ["sum", "sigmoid", "row"]),
    ("04.5", i_sa_cosine_scores, ["dot", "normalis", "length", "cosine"]),
    ("04.5", i_sa_out_divided_by_n, ["divided", "n", "scale", "weighted sum"]),
    ("05.3", i_sc_values_are_queries, ["values", "V"]),
    ("05.3", i_sc_relu_weights, ["softmax", "exp"]),
    ("06.1", i_pe_positions_over_n, ["position", "pos"]),
    ("06.1", i_pe_integer_division, ["integer", "division", "//", "exponent"]),
    ("06.3", i_rope_exponent_over_pairs, ["2i/d", "exponent", "d"]),
    ("06.3", i_rope_one_angle_for_every_pair, ["frequenc", "pair", "10000"]),
    ("08.3", i_cm_from_a_bigger_mask, ["next", "diagonal", "future"]),
    ("08.3", i_cm_window_of_3, ["window", "past", "earlier"]),
    ("08.4", i_mk_additive_from_bool, ["NaN", "0 * -inf", "inf"]),
    ("08.4", i_mk_masked_to_row_min, ["-inf", "min"]),
    ("09.4", i_sp_list_of_heads, ["one array", "stack", "list"]),
    ("09.4", i_sp_swap_last_two, ["swap", "axes", "order"]),
    ("09.5", i_mg_transpose_102, ["batch", "end"]),
    ("09.5", i_mg_first_head_repeated, ["head 0", "first head", "each head"]),
    ("09.6", i_mha_scale_sqrt_h, ["scale", "d_head"]),
    ("09.6", i_mha_keys_against_queries, ["K", "query", "transpos"]),
    ("10.1", i_sb_sign_flipped, ["sign", "minus"]),
    ("10.1", i_sb_sum_of_dP_squared, ["dP * P", "sum"]),
    ("10.3", i_bw_dq_unscaled, ["scale", "dQ"]),
    ("10.3", i_bw_dv_from_scores, ["dV", "weights", "P"]),
    ("12.1", i_ln_variance_not_centred, ["variance", "centre", "centred"]),
    ("12.1", i_ln_by_max_abs, ["variance", "standard deviation", "sqrt"]),
    ("13.3", i_ou_total_of_scores, ["exp", "p"]),
    ("13.3", i_ou_acc_rescaled_twice, ["acc", "rescale", "once"]),
    ("14.1", i_ce_mean_over_batch_only, ["mean", "position"]),
    ("14.1", i_ce_fancy_index_first_axis, ["take_along_axis", "target", "position"]),
    ("14.2", i_sample_temperature_added, ["temperature", "divide"]),
    ("15.1", i_ca_new_at_the_front, ["front", "end", "append", "order"]),
    ("15.1", i_ca_new_key_as_query, ["q", "query"]),
    ("17.1", i_rms_by_variance, ["mean(x**2", "variance", "square"]),
    ("17.1", i_rms_gain_divides, ["gain", "multipl"]),
    ("17.2", i_sw_sigmoid_gate, ["silu", "sigmoid", "z *"]),
    ("17.2", i_sw_gate_twice, ["W_up", "up"]),
]

# Written as a wrong answer for the fifth set (it fails for top_k=None), but right: 14.2's prompt says top_k is a whole
# number from 1 to the number of logits. Measured before any change: 20 of the other 37 named (54%), none accepted.
RIGHT_FIFTH = [("14.2", i_sample_top_k_as_given)]


# ---------------------------------------------------------------- a sixth set, written after the fifth was named and
# measured before any checker was changed for it
def j_sm_no_keepdims(s):
    e = np.exp(s - s.max(-1))
    return e / e.sum(-1)


def j_sm_log_softmax(s):
    z = s - s.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def j_sa_softmax_of_all_scores(X):
    S = X @ X.T
    w = _sm(S.ravel()).reshape(S.shape)
    return w @ X, w


def j_sa_returned_in_the_other_order(X):
    w = _sm(X @ X.T)
    return w, w @ X


def j_sc_q_and_k_both_scaled(Q, K, V):
    d = math.sqrt(Q.shape[-1])
    w = _sm((Q / d) @ _T(K / d))
    return w @ V, w


def j_sc_softmax_axis_1(Q, K, V):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]), axis=1)
    return w @ V, w


def j_pe_sines_only(n, d):
    pos = np.arange(n)[:, None]
    i = np.arange(d // 2)
    return np.sin(pos / 10000 ** (2 * i / d))


def j_pe_base_log_10000(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = pos / np.log(10000) ** ((j - j % 2) / d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def j_rope_pairs_written_as_halves(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    return np.concatenate([a * np.cos(t) - b * np.sin(t), a * np.sin(t) + b * np.cos(t)], -1)


def j_rope_frequencies_reversed(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2)[::-1] / d)
    return _rope_with(x, t)


def j_cm_tril_of_arange(n):
    return np.tril(np.arange(n * n).reshape(n, n)) > 0


def j_cm_tril_indices(n):
    return np.tril_indices(n)


def j_mk_renormalised_by_mask_count(Q, K, V, mask):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1])) * mask
    w = w / mask.sum(-1, keepdims=True)
    return w @ V, w


def j_mk_one_minus_mask(Q, K, V, mask):
    w = _sm(np.where(1 - mask, Q @ _T(K) / math.sqrt(Q.shape[-1]), -np.inf))
    return w @ V, w


def j_sp_2d_transpose(M, h):
    n, d = M.shape[-2:]
    return M.reshape(n, h, d // h).transpose(1, 0, 2)


def j_sp_heads_concatenated(M, h):
    return np.concatenate(np.split(M, h, axis=-1), axis=-2)


def j_mg_hstack(M):
    return np.hstack(list(M))


def j_mg_full_transpose(M):
    *b, h, n, dh = M.shape
    return M.T.reshape(*b, n, h * dh)


def j_mha_scale_by_d_head(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / d)
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def j_mha_weights_as_a_list(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, ws


def j_sb_transposed(P, dP):
    return _T(P * (dP - (P * dP).sum(-1, keepdims=True)))


def j_sb_no_p_factor_on_diag(P, dP):
    return dP * (1 - P)


def j_bw_dk_not_transposed(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, dS @ Q, _T(P) @ dO


def j_bw_dv_p_not_transposed(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, P @ dO


def j_ln_eps_added_after(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    with np.errstate(all="ignore"):
        return ((x - m) / x.std(-1, keepdims=True) + eps) * g + b


def j_ln_mean_of_whole_array(x, g, b, eps):
    c = x - x.mean()
    return c / np.sqrt(x.var(-1, keepdims=True) + eps) * g + b


def j_ou_max_forgets_top(top, total, acc, scores, V):
    new = scores.max(-1, keepdims=True)
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def j_ou_ratio_not_exp(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    with np.errstate(all="ignore"):
        r = top / new
    p = np.exp(scores - new)
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


def j_ce_sum_of_unshifted_exps(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    with np.errstate(all="ignore"):
        lp = z - np.log(np.exp(logits).sum(-1, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def j_ce_log_of_mean_probability(logits, targets):
    p = _sm(logits)
    return float(-np.log(np.take_along_axis(p, targets[..., None], axis=-1).mean()))


def j_sample_greedy_below_1(logits, temperature, top_k, rng):
    if temperature < 1:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def j_sample_cdf_one_past(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    cdf = np.cumsum(p / p.sum())
    return int(keep[min(int(np.searchsorted(cdf, rng.random())) + 1, len(keep) - 1)])


def j_ca_scale_by_cache_length(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _sm(K @ q / math.sqrt(len(K))) @ V, K, V


def j_ca_old_values(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    w = _sm(K @ q / math.sqrt(len(q)))
    return w[:-1] @ V_cache, K, V


def j_rms_no_keepdims(x, g, eps):
    return x / np.sqrt((x**2).mean(-1) + eps) * g


def j_rms_over_columns(x, g, eps):
    return x / np.sqrt((x**2).mean(0, keepdims=True) + eps) * g


def j_sw_silu_of_the_product(x, Wg, Wu, Wd):
    z = (x @ Wg) * (x @ Wu)
    return (z / (1 + np.exp(-z))) @ Wd


def j_sw_down_transposed(x, Wg, Wu, Wd):
    z = x @ Wg
    h = (z / (1 + np.exp(-z))) * (x @ Wu)
    return h @ Wd.T if h.shape[-1] == Wd.shape[-1] else (h @ Wd)[..., ::-1]


def j_mk_log_of_mask(Q, K, V, mask):  # right: log(True) = 0, log(False) = -inf
    with np.errstate(divide="ignore"):
        w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-1]) + np.log(mask))
    return w @ V, w


def j_sample_power_of_probabilities(logits, temperature, top_k, rng):  # right: p ** (1/T), renormalised
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    p = _sm(logits[keep]) ** (1 / temperature)
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def j_sw_sigmoid_times_gate(x, Wg, Wu, Wd):  # right: silu(z) = z * sigmoid(z)
    z = x @ Wg
    return (z * (1 / (1 + np.exp(-z))) * (x @ Wu)) @ Wd


SIXTH = [
    ("04.4", j_sm_no_keepdims, ["keepdims"]),
    ("04.4", j_sm_log_softmax, ["log"]),
    ("04.5", j_sa_softmax_of_all_scores, ["row", "whole", "axis"]),
    ("04.5", j_sa_returned_in_the_other_order, ["order", "swap", "(Y, weights)"]),
    ("05.3", j_sc_q_and_k_both_scaled, ["scale", "1/d", "twice"]),
    ("05.3", j_sc_softmax_axis_1, ["batch", "axis", "end"]),
    ("06.1", j_pe_sines_only, ["shape", "cos"]),
    ("06.1", j_pe_base_log_10000, ["10000", "base"]),
    ("06.3", j_rope_pairs_written_as_halves, ["pair", "2i", "order", "interleav", "halves"]),
    ("06.3", j_rope_frequencies_reversed, ["frequenc", "order", "first pair"]),
    ("08.3", j_cm_tril_of_arange, ["diagonal", "first", "itself"]),
    ("08.3", j_cm_tril_indices, ["boolean", "array", "tril_indices"]),
    ("08.4", j_mk_renormalised_by_mask_count, ["sum", "renormal", "-inf"]),
    ("08.4", j_mk_one_minus_mask, ["~", "logical_not", "invert", "boolean"]),
    ("09.4", j_sp_2d_transpose, ["batch", "end"]),
    ("09.4", j_sp_heads_concatenated, ["stack", "axis", "shape", "new axis"]),
    ("09.5", j_mg_hstack, ["batch", "end"]),
    ("09.5", j_mg_full_transpose, ["transpose", "axes", "swap", "order"]),
    ("09.6", j_mha_scale_by_d_head, ["sqrt", "scale"]),
    ("09.6", j_mha_weights_as_a_list, ["stack", "one array", "list"]),
    ("10.1", j_sb_transposed, ["transpose", "swap", "axes"]),
    ("10.1", j_sb_no_p_factor_on_diag, ["P *", "multipl", "sum"]),
    ("10.3", j_bw_dk_not_transposed, ["dK", "transpose", "dS^T"]),
    ("10.3", j_bw_dv_p_not_transposed, ["dV", "P^T", "transpose"]),
    ("12.1", j_ln_eps_added_after, ["eps", "inside"]),
    ("12.1", j_ln_mean_of_whole_array, ["mean", "row", "axis"]),
    ("13.3", j_ou_max_forgets_top, ["top", "maximum", "running"]),
    ("13.3", j_ou_ratio_not_exp, ["exp"]),
    ("14.1", j_ce_sum_of_unshifted_exps, ["overflow", "max", "shift"]),
    ("14.1", j_ce_log_of_mean_probability, ["log", "mean", "each"]),
    ("14.2", j_sample_greedy_below_1, ["temperature", "sample", "draw"]),
    ("14.2", j_sample_cdf_one_past, ["shift", "one", "next", "off by"]),
    ("15.1", j_ca_scale_by_cache_length, ["scale", "sqrt", "d_head"]),
    ("15.1", j_ca_old_values, ["V", "new value", "append"]),
    ("17.1", j_rms_no_keepdims, ["keepdims"]),
    ("17.1", j_rms_over_columns, ["axis", "row"]),
    ("17.2", j_sw_silu_of_the_product, ["silu", "gate", "product"]),
    ("17.2", j_sw_down_transposed, ["W_down", "transpose"]),
]
# Measured before any change: 20 of 38 named (53%), none accepted; three right answers written another way (the log of
# the mask added to the scores, p ** (1/T) renormalised, z * sigmoid(z)) accepted.
RIGHT_SIXTH = [("08.4", j_mk_log_of_mask), ("14.2", j_sample_power_of_probabilities), ("17.2", j_sw_sigmoid_times_gate)]


# ---------------------------------------------------------------- a seventh set, written after the sixth was named and
# measured before any checker was changed for it
def k_sm_floor_division(s):
    e = np.exp(s - s.max(-1, keepdims=True))
    return e // e.sum(-1, keepdims=True)


def k_sm_normalised_before_exp(s):
    z = s / np.abs(s).sum(-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(-1, keepdims=True)


def k_sa_scaled(X):
    w = _sm(X @ X.T / math.sqrt(X.shape[-1]))
    return w @ X, w


def k_sa_x_times_weights(X):
    w = _sm(X @ X.T)
    return X.T @ w, w


def k_sc_out_from_scores(Q, K, V):
    s = Q @ _T(K) / math.sqrt(Q.shape[-1])
    return s @ V, _sm(s)


def k_sc_scale_by_queries(Q, K, V):
    w = _sm(Q @ _T(K) / math.sqrt(Q.shape[-2]))
    return w @ V, w


def k_pe_position_and_i_swapped(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    a = ((j - j % 2) / 2) / 10000 ** (2 * pos / d)
    return np.where(j % 2 == 0, np.sin(a), np.cos(a))


def k_pe_meshgrid_xy(n, d):
    j, pos = np.meshgrid(np.arange(n), np.arange(d))
    a = j / 10000 ** ((pos - pos % 2) / d)
    return np.where(pos % 2 == 0, np.sin(a), np.cos(a))


def k_rope_second_sign(x, positions):
    d = x.shape[-1]
    t = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = a * np.cos(t) - b * np.sin(t), a * np.sin(t) - b * np.cos(t)
    return out


def k_rope_double_angle(x, positions):
    d = x.shape[-1]
    return _rope_with(x, 2 * np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d))


def k_cm_cumsum_of_eye(n):
    return np.cumsum(np.eye(n), axis=1) > 0


def k_cm_tri_one_column_more(n):
    return np.tri(n, n + 1, dtype=bool)


def k_mk_unshifted_exp_times_mask(Q, K, V, mask):
    with np.errstate(all="ignore"):
        e = np.exp(Q @ _T(K) / math.sqrt(Q.shape[-1])) * mask
        w = e / e.sum(-1, keepdims=True)
    return w @ V, w


def k_mk_mask_given_a_new_axis(Q, K, V, mask):
    w = _sm(np.where(mask[..., None, :, :], Q @ _T(K) / math.sqrt(Q.shape[-1]), -np.inf))
    return w @ V, w


def k_sp_stacked_in_front(M, h):
    return np.stack(np.split(M, h, axis=-1), axis=0)


def k_sp_full_transpose(M, h):
    *b, n, d = M.shape
    return M.reshape(*b, n, h, d // h).T


def k_mg_swap_heads_and_features(M):
    *b, h, n, dh = M.shape
    return np.swapaxes(M, -3, -1).reshape(*b, n, h * dh)


def k_mg_batch_dropped(M):
    *_, h, n, dh = M.shape
    return np.swapaxes(M, -3, -2).reshape(n, h * dh)


def k_mha_keys_from_w_q(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_q[:, c]).T / math.sqrt(d))
        outs.append(w @ (X @ W_v[:, c]))
        ws.append(w)
    return np.concatenate(outs, -1) @ W_o, np.stack(ws)


def k_mha_mean_of_heads(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        c = slice(i * d, (i + 1) * d)
        w = _sm((X @ W_q[:, c]) @ (X @ W_k[:, c]).T / math.sqrt(d))
        outs.append((w @ (X @ W_v[:, c])) @ W_o[c])
        ws.append(w)
    return np.mean(outs, axis=0), np.stack(ws)


def k_sb_p_squared(P, dP):
    return P * dP - P**2 * dP


def k_sb_plus_sum(P, dP):
    return P * (dP + (P * dP).sum(-1, keepdims=True))


def k_bw_dq_with_v(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ V, _T(dS) @ Q, _T(P) @ dO


def k_bw_dv_from_ds(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _T(K) * s)
    dP = dO @ _T(V)
    dS = P * (dP - (dP * P).sum(-1, keepdims=True)) * s
    return dS @ K, _T(dS) @ Q, _T(dS) @ dO


def k_ln_gamma_first(x, g, b, eps):
    y = x * g
    m = y.mean(-1, keepdims=True)
    return (y - m) / np.sqrt(y.var(-1, keepdims=True) + eps) + b


def k_ln_eps_squared(x, g, b, eps):
    m = x.mean(-1, keepdims=True)
    return (x - m) / np.sqrt(x.var(-1, keepdims=True) + eps**2) * g + b


def k_ou_total_rescaled_twice(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r * r + p.sum(-1, keepdims=True), acc * r + p @ V


def k_ou_total_over_queries(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(0, keepdims=True).sum(-1, keepdims=True), acc * r + p @ V


def k_ce_logits_as_log_probabilities(logits, targets):
    return float(-np.take_along_axis(logits, targets[..., None], axis=-1).mean())


def k_ce_log_of_sum_of_logits(logits, targets):
    z = logits - logits.max(-1, keepdims=True)
    with np.errstate(all="ignore"):
        lp = z - np.log(np.abs(z).sum(-1, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def k_sample_top_k_by_size(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(np.abs(logits))[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def k_sample_temperature_subtracted(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] - temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def k_ca_scale_after_softmax(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return (_sm(K @ q) / math.sqrt(len(q))) @ V, K, V


def k_ca_new_value_added_on_top(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _sm(K_cache @ q / math.sqrt(len(q))) @ V_cache + v_new, K, V


def k_rms_max_abs(x, g, eps):
    return x / (np.abs(x).max(-1, keepdims=True) + eps) * g


def k_rms_float16(x, g, eps):
    h = x.astype(np.float16)
    return (h / np.sqrt((h * h).mean(-1, keepdims=True) + eps) * g).astype(x.dtype)


def k_sw_exact_gelu_gate(x, Wg, Wu, Wd):
    z = x @ Wg
    gelu = 0.5 * z * (1 + np.vectorize(math.erf)(z / math.sqrt(2)))
    return (gelu * (x @ Wu)) @ Wd


def k_sw_tanh_for_sigmoid(x, Wg, Wu, Wd):
    z = x @ Wg
    return (z * np.tanh(z) * (x @ Wu)) @ Wd


def k_cm_not_strict_upper(n):  # right: ~triu(ones, 1) is tril(ones)
    return ~np.triu(np.ones((n, n), dtype=bool), 1)


def k_mk_scaled_after_masking(Q, K, V, mask):  # right: -inf / sqrt(d) is -inf
    w = _sm(np.where(mask, Q @ _T(K), -np.inf) / math.sqrt(Q.shape[-1]))
    return w @ V, w


def k_ou_base_2_with_log2e(top, total, acc, scores, V):  # right: 2 ** (x * log2(e)) = exp(x)
    new = np.maximum(top, scores.max(-1, keepdims=True))
    r = 2.0 ** ((top - new) * math.log2(math.e))
    p = 2.0 ** ((scores - new) * math.log2(math.e))
    return new, total * r + p.sum(-1, keepdims=True), acc * r + p @ V


SEVENTH = [
    ("04.4", k_sm_floor_division, ["/", "division", "//"]),
    ("04.4", k_sm_normalised_before_exp, ["exp", "max", "subtract"]),
    ("04.5", k_sa_scaled, ["unscaled", "sqrt", "scale"]),
    ("04.5", k_sa_x_times_weights, ["weights @ X", "order", "X @"]),
    ("05.3", k_sc_out_from_scores, ["weights", "scores", "softmax"]),
    ("05.3", k_sc_scale_by_queries, ["scale", "d_k"]),
    ("06.1", k_pe_position_and_i_swapped, ["pos", "position"]),
    ("06.1", k_pe_meshgrid_xy, ["shape", "transpos", "(n, d)", "swap"]),
    ("06.3", k_rope_second_sign, ["sign", "rotation", "+ b"]),
    ("06.3", k_rope_double_angle, ["angle", "twice", "2"]),
    ("08.3", k_cm_cumsum_of_eye, ["triu", "future", "upper"]),
    ("08.3", k_cm_tri_one_column_more, ["shape"]),
    ("08.4", k_mk_unshifted_exp_times_mask, ["max", "overflow", "nan", "subtract"]),
    ("08.4", k_mk_mask_given_a_new_axis, ["shape", "mask", "broadcast"]),
    ("09.4", k_sp_stacked_in_front, ["batch", "end", "-3"]),
    ("09.4", k_sp_full_transpose, ["transpose", "axes", "swap", "order"]),
    ("09.5", k_mg_swap_heads_and_features, ["swap", "axes", "-3", "-2", "order"]),
    ("09.5", k_mg_batch_dropped, ["batch", "end", "shape"]),
    ("09.6", k_mha_keys_from_w_q, ["W_k", "key"]),
    ("09.6", k_mha_mean_of_heads, ["concat", "merge", "head", "sum", "mean"]),
    ("10.1", k_sb_p_squared, ["sum", "row", "other"]),
    ("10.1", k_sb_plus_sum, ["minus", "subtract", "sign"]),
    ("10.3", k_bw_dq_with_v, ["dQ", "K"]),
    ("10.3", k_bw_dv_from_ds, ["dV", "P"]),
    ("12.1", k_ln_gamma_first, ["gamma", "after"]),
    ("12.1", k_ln_eps_squared, ["eps"]),
    ("13.3", k_ou_total_rescaled_twice, ["total", "once", "rescale"]),
    ("13.3", k_ou_total_over_queries, ["axis", "row", "keepdims", "query"]),
    ("14.1", k_ce_logits_as_log_probabilities, ["log-softmax", "softmax", "logits"]),
    ("14.1", k_ce_log_of_sum_of_logits, ["exp", "log"]),
    ("14.2", k_sample_top_k_by_size, ["largest", "abs", "logits"]),
    ("14.2", k_sample_temperature_subtracted, ["temperature", "divide"]),
    ("15.1", k_ca_scale_after_softmax, ["scale", "before"]),
    ("15.1", k_ca_new_value_added_on_top, ["new", "itself", "softmax"]),
    ("17.1", k_rms_max_abs, ["mean", "square", "root"]),
    ("17.1", k_rms_float16, ["float16", "precision", "dtype"]),
    ("17.2", k_sw_exact_gelu_gate, ["gelu", "silu"]),
    ("17.2", k_sw_tanh_for_sigmoid, ["silu", "sigmoid"]),
]
# Measured before any change: 22 of 38 named (58%), none accepted; three right answers written another way (~triu(1),
# masking before the scale, base 2 with log2(e)) accepted.
RIGHT_SEVENTH = [("08.3", k_cm_not_strict_upper), ("08.4", k_mk_scaled_after_masking), ("13.3", k_ou_base_2_with_log2e)]
