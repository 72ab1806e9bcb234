"""A held-out set of wrong and right answers to every implement-it exercise, written as learners write them.

Written before the checkers were changed to name them (issue 39), and kept apart from tests/learner_answers.py and the
checkers' own lists of mistakes: tests/test_wrong_answers.py measures how many get a hint that names the mistake (at
least 80%), and that none is accepted and no right answer refused. Each wrong answer comes with words its hint must
hold (any one of them, case-insensitive); each exercise has at least 8 wrong answers.
"""

import math

import numpy as np

from tests.learner_answers import right_merge, right_split


def _sm(s, axis=-1):
    e = np.exp(s - np.max(s, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sT(a):
    return np.swapaxes(a, -1, -2)


# ---------------------------------------------------------------- 04.4 my_softmax(scores)
def sm_axis0(s):
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def sm_no_keepdims_T(s):  # the sums broadcast against the wrong axis, "fixed" with .T on a 2-D input
    e = np.exp(s - np.max(s))
    return (e.T / e.sum(axis=-1)).T if s.ndim == 2 else e / e.sum(axis=-1, keepdims=True)


def sm_log2(s):
    e = np.exp2(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def sm_negated(s):
    return _sm(-s)


def sm_over_max(s):
    return np.exp(s) / np.exp(s).max(axis=-1, keepdims=True)


def sm_no_exp(s):
    z = s - s.min(axis=-1, keepdims=True)
    return z / z.sum(axis=-1, keepdims=True)


def sm_temperature(s):
    return _sm(s / 2)


def sm_axis_first_of_3d(s):
    e = np.exp(s - s.max(axis=1, keepdims=True)) if s.ndim == 3 else np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=1 if s.ndim == 3 else -1, keepdims=True)


def sm_right_loops(s):  # right: one row at a time
    s = np.asarray(s, dtype=float)
    flat = s.reshape(-1, s.shape[-1])
    out = np.empty_like(flat)
    for i, row in enumerate(flat):
        m = row.max()
        e = np.exp(row - m)
        out[i] = e / e.sum()
    return out.reshape(s.shape)


def sm_right_logsumexp(s):  # right: another algorithm
    m = s.max(axis=-1, keepdims=True)
    return np.exp(s - m - np.log(np.exp(s - m).sum(axis=-1, keepdims=True)))


# ---------------------------------------------------------------- 04.5 my_self_attention(X) -> (Y, weights)
def sa_scaled_by_n(X):
    w = _sm(X @ X.T / np.sqrt(X.shape[0]))
    return w @ X, w


def sa_weights_times_X_T(X):
    w = _sm(X @ X.T)
    return (X.T @ w).T, w.T


def sa_cols(X):
    w = _sm(X @ X.T, axis=0)
    return w @ X, w


def sa_returns_scores(X):
    s = X @ X.T
    return _sm(s) @ X, s


def sa_out_is_weights(X):
    w = _sm(X @ X.T)
    return w, w


def sa_xtx(X):
    w = _sm(X.T @ X)
    return X @ w, w


def sa_no_softmax_norm(X):
    w = X @ X.T
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ X, w


def sa_minus(X):
    w = _sm(-(X @ X.T))
    return w @ X, w


def sa_right_loops(X):
    n = X.shape[0]
    w = np.zeros((n, n), dtype=X.dtype)
    for i in range(n):
        s = np.array([X[i] @ X[j] for j in range(n)])
        e = np.exp(s - s.max())
        w[i] = e / e.sum()
    return w @ X, w


# ---------------------------------------------------------------- 05.3 my_scaled_attention(Q, K, V)
def sc_d_v(Q, K, V):
    w = _sm(Q @ _sT(K) / np.sqrt(V.shape[-1]))
    return w @ V, w


def sc_sqrt_twice(Q, K, V):
    w = _sm(Q @ _sT(K) / np.sqrt(np.sqrt(Q.shape[-1])))
    return w @ V, w


def sc_scale_after_softmax(Q, K, V):
    w = _sm(Q @ _sT(K)) / np.sqrt(Q.shape[-1])
    return w @ V, w


def sc_out_scaled(Q, K, V):
    w = _sm(Q @ _sT(K))
    return w @ V / np.sqrt(Q.shape[-1]), w


def sc_kq(Q, K, V):  # the scores the wrong way round: K Q^T
    w = _sm(K @ _sT(Q) / np.sqrt(Q.shape[-1]))
    return w @ V, w


def sc_values_are_keys(Q, K, V):
    w = _sm(Q @ _sT(K) / np.sqrt(Q.shape[-1]))
    return w @ K, w


def sc_batch_T(Q, K, V):  # .T reverses every axis: right for 2-D, wrong with a batch axis
    Kt = K.T if K.ndim == 2 else np.transpose(K, (2, 1, 0) if K.ndim == 3 else None)
    w = _sm(Q @ Kt / np.sqrt(Q.shape[-1]))
    return w @ V, w


def sc_log_weights(Q, K, V):
    s = Q @ _sT(K) / np.sqrt(Q.shape[-1])
    w = _sm(s)
    return w @ V, np.log(w)


def sc_right_einsum(Q, K, V):
    s = np.einsum("...qd,...kd->...qk", Q, K) / math.sqrt(Q.shape[-1])
    w = _sm(s)
    return np.einsum("...qk,...kv->...qv", w, V), w


# ---------------------------------------------------------------- 06.1 my_positional_encoding(n, d)
def _pe(n, d, base=10000.0, start=0, rate=2.0, cos_first=False, blocks=False, div=None):
    pos = np.arange(start, start + n)[:, None]
    pe = np.zeros((n, d))
    i = np.arange((d + 1) // 2)
    angles = pos / base ** (rate * i / (div or d))
    a, b = (np.cos, np.sin) if cos_first else (np.sin, np.cos)
    if blocks:
        h = (d + 1) // 2
        pe[:, :h] = a(angles)
        pe[:, h:] = b(angles[:, : d - h])
    else:
        pe[:, 0::2] = a(angles)
        pe[:, 1::2] = b(angles[:, : d // 2])
    return pe


def pe_base_1000(n, d):
    return _pe(n, d, base=1000.0)


def pe_halves(n, d):
    return _pe(n, d, blocks=True)


def pe_transposed(n, d):
    return _pe(n, d).T


def pe_times_exponent(n, d):  # pos * 10000 ** (2i/d): multiplies where it should divide
    pos = np.arange(n)[:, None]
    i = np.arange((d + 1) // 2)
    angles = pos * 10000.0 ** (2 * i / d)
    pe = np.zeros((n, d))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d // 2])
    return pe


def pe_every_column_own_i(n, d):  # exponent j/d with j the column: 2i/d on even columns, (2i+1)/d on odd ones
    pos = np.arange(n)[:, None]
    j = np.arange(d)
    angles = pos / 10000.0 ** (j / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


def pe_all_sin(n, d):
    pos = np.arange(n)[:, None]
    i = np.arange(d) // 2
    return np.sin(pos / 10000.0 ** (2 * i / d))


def pe_d_minus_1(n, d):
    return _pe(n, d, div=d - 1 if d > 1 else 1)


def pe_degrees(n, d):
    pos = np.arange(n)[:, None]
    i = np.arange(d) // 2
    angles = np.degrees(pos / 10000.0 ** (2 * i / d))
    return np.where(np.arange(d) % 2 == 0, np.sin(angles), np.cos(angles))


def pe_right_vectorised(n, d):
    pos = np.arange(n)[:, None]
    j = np.arange(d)[None, :]
    angles = pos / np.power(10000.0, (j - j % 2) / d)
    return np.where(j % 2 == 0, np.sin(angles), np.cos(angles))


# ---------------------------------------------------------------- 06.3 my_rope(x, positions)
def _rope(x, positions, base=10000.0, sign=1.0, rate=2.0, per_feature=False):
    x = np.asarray(x)
    d = x.shape[-1]
    out = np.empty_like(x)
    i = np.arange(d // 2)
    theta = np.asarray(positions, dtype=float)[:, None] * base ** (-rate * i / d)
    if per_feature:
        theta = np.asarray(positions, dtype=float)[:, None] * base ** (-rate * i * 2 / d)
    c, s = np.cos(theta).astype(x.dtype), sign * np.sin(theta).astype(x.dtype)
    a, b = x[..., 0::2], x[..., 1::2]
    out[..., 0::2] = a * c - b * s
    out[..., 1::2] = a * s + b * c
    return out


def rope_base_1000(x, positions):
    return _rope(x, positions, base=1000.0)


def rope_add_angles(x, positions):  # adds the encoding like sinusoidal positions instead of rotating
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    pe = np.empty_like(x)
    pe[..., 0::2], pe[..., 1::2] = np.sin(theta), np.cos(theta)
    return x + pe


def rope_pairs_swapped_output(x, positions):
    out = _rope(x, positions)
    res = np.empty_like(out)
    res[..., 0::2], res[..., 1::2] = out[..., 1::2], out[..., 0::2]
    return res


def rope_4i_over_d(x, positions):
    return _rope(x, positions, per_feature=True)


def rope_position_plus_one(x, positions):
    return _rope(x, np.asarray(positions) + 1)


def rope_half_angle(x, positions):
    return _rope(x, np.asarray(positions) / 2)


def rope_cos_only(x, positions):
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    return x * np.repeat(np.cos(theta), 2, axis=-1).astype(x.dtype)


def rope_negative_positions(x, positions):
    return _rope(x, -np.asarray(positions))


def rope_right_complex(x, positions):  # right: each pair as a complex number times e^(i theta)
    d = x.shape[-1]
    z = x[..., 0::2] + 1j * x[..., 1::2]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    r = z * np.exp(1j * theta)
    out = np.empty_like(x)
    out[..., 0::2], out[..., 1::2] = r.real, r.imag
    return out


# ---------------------------------------------------------------- 08.3 my_causal_mask(n)
def cm_ones(n):
    return np.ones((n, n), dtype=bool)


def cm_ints(n):
    return np.tril(np.ones((n, n)))


def cm_k1(n):
    return np.tril(np.ones((n, n), dtype=bool), k=1)


def cm_minus_inf(n):
    return np.where(np.tril(np.ones((n, n), dtype=bool)), 0.0, -np.inf)


def cm_eye(n):
    return np.eye(n, dtype=bool)


def cm_n_plus_1(n):
    return np.tril(np.ones((n + 1, n + 1), dtype=bool))


def cm_flipped(n):
    return np.fliplr(np.tril(np.ones((n, n), dtype=bool)))


def cm_strict_upper_false(n):  # j >= i: the future
    i, j = np.indices((n, n))
    return j >= i


def cm_right_indices(n):
    i, j = np.indices((n, n))
    return j <= i


# ---------------------------------------------------------------- 08.4 my_masked_attention(Q, K, V, mask)
def _scores(Q, K):
    return Q @ _sT(K) / np.sqrt(Q.shape[-1])


def mk_big_negative_multiplied(Q, K, V, mask):  # scores * mask: masked scores become 0
    w = _sm(_scores(Q, K) * mask)
    return w @ V, w


def mk_nan(Q, K, V, mask):
    w = _sm(np.where(mask, _scores(Q, K), np.nan))
    return w @ V, w


def mk_renormalise_after(Q, K, V, mask):  # right numbers except for fully-masked rows? (here: right for partial)
    w = _sm(_scores(Q, K)) * mask
    w = w / w.sum(axis=-1, keepdims=True)
    return w @ V, w


def mk_minus_large_unscaled(Q, K, V, mask):
    w = _sm(np.where(mask, Q @ _sT(K), -1e9))
    return w @ V, w


def mk_scale_sqrt_n(Q, K, V, mask):
    w = _sm(np.where(mask, Q @ _sT(K) / np.sqrt(K.shape[-2]), -np.inf))
    return w @ V, w


def mk_mask_transposed(Q, K, V, mask):
    w = _sm(np.where(_sT(mask), _scores(Q, K), -np.inf))
    return w @ V, w


def mk_subtract_mask(Q, K, V, mask):  # scores - mask * 1e9: masks the allowed ones
    w = _sm(_scores(Q, K) - mask * 1e9)
    return w @ V, w


def mk_axis0(Q, K, V, mask):
    w = _sm(np.where(mask, _scores(Q, K), -np.inf), axis=-2)
    return w @ V, w


def mk_right_big_negative(Q, K, V, mask):  # right: -1e9 in place of -inf, with the scale
    w = _sm(np.where(mask, _scores(Q, K), -1e9))
    return w @ V, w


# ---------------------------------------------------------------- 09.4 my_split_heads(M, n_heads)
def sp_moveaxis_wrong(M, h):
    *b, n, d = M.shape
    return np.moveaxis(M.reshape(*b, n, h, d // h), -2, -1)


def sp_reshape_heads_last(M, h):
    *b, n, d = M.shape
    return M.reshape(*b, n, h, d // h)


def sp_T_2d(M, h):
    n, d = M.shape[-2:]
    return M.reshape(n, h, d // h).transpose(1, 0, 2)  # forgets the batch axes


def sp_d_head_heads(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, n, d // h, h), -3, -1)


def sp_reshape_then_T(M, h):
    *b, n, d = M.shape
    return M.reshape(*b, n, h, d // h).T


def sp_array_split_features_wrong_axis(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, h, n, d // h), -3, -3)


def sp_heads_reversed(M, h):
    return right_split(M, h)[..., ::-1, :, :]


def sp_d_model_over_h_swapped(M, h):
    *b, n, d = M.shape
    return np.swapaxes(M.reshape(*b, n, h, d // h), -3, -2).reshape(*b, h, d // h, n)


def sp_right_stack(M, h):
    d_head = M.shape[-1] // h
    return np.stack([M[..., i * d_head : (i + 1) * d_head] for i in range(h)], axis=-3)


# ---------------------------------------------------------------- 09.5 my_merge_heads(M)
def mg_plain_reshape(M):
    *b, h, n, dh = M.shape
    return M.reshape(*b, n, h * dh)


def mg_concat_words(M):
    return np.concatenate(list(np.moveaxis(M, -3, 0)), axis=-2)


def mg_sum_heads(M):
    return M.sum(axis=-3)


def mg_mean_heads(M):
    return M.mean(axis=-3)


def mg_transpose_2_1_0(M):
    *b, h, n, dh = M.shape
    return np.swapaxes(M, -3, -1).reshape(*b, n, h * dh)


def mg_heads_reversed(M):
    return right_merge(M[..., ::-1, :, :])


def mg_features_inner(M):
    *b, h, n, dh = M.shape
    return np.moveaxis(M, -3, -1).reshape(*b, n, h * dh)


def mg_2d_only(M):
    h, n, dh = M.shape[-3:]
    return M.transpose(1, 0, 2).reshape(n, h * dh) if M.ndim == 3 else M.reshape(*M.shape[:-3], n, h * dh)


def mg_right_concat(M):
    return np.concatenate([M[..., i, :, :] for i in range(M.shape[-3])], axis=-1)


# ---------------------------------------------------------------- 09.6 my_multi_head_attention
def _mha(
    X, W_q, W_k, W_v, W_o, h, scale="head", merge=right_merge, split=right_split, proj=True, axis=-1, heads_w=True
):
    Q, K, V = (split(X @ W, h) for W in (W_q, W_k, W_v))
    d = {"head": Q.shape[-1], "model": X.shape[-1], "none": 1, "n": X.shape[-2]}[scale]
    w = _sm(Q @ _sT(K) / np.sqrt(d), axis=axis)
    out = merge(w @ V)
    return (out @ W_o if proj else out), (w if heads_w else w.mean(axis=-3))


def mha_scale_model(*a):
    return _mha(*a, scale="model")


def mha_scale_n(*a):
    return _mha(*a, scale="n")


def mha_no_scale(*a):
    return _mha(*a, scale="none")


def mha_merge_plain(*a):
    return _mha(*a, merge=mg_plain_reshape)


def mha_weights_averaged(*a):
    return _mha(*a, heads_w=False)


def mha_no_wo(*a):
    return _mha(*a, proj=False)


def mha_columns(*a):
    return _mha(*a, axis=-2)


def mha_wo_first(X, W_q, W_k, W_v, W_o, h):
    Q, K, V = (right_split(X @ W, h) for W in (W_q, W_k, W_v))
    w = _sm(Q @ _sT(K) / np.sqrt(Q.shape[-1]))
    return right_merge(w @ right_split(right_merge(V) @ W_o, h)), w


def mha_one_head(X, W_q, W_k, W_v, W_o, h):  # one head of size d_model, then weights tiled
    Q, K, V = X @ W_q, X @ W_k, X @ W_v
    w = _sm(Q @ _sT(K) / np.sqrt(Q.shape[-1] // h))
    return (w @ V) @ W_o, np.repeat(np.expand_dims(w, -3), h, axis=-3)


def mha_right_loop(X, W_q, W_k, W_v, W_o, h):
    d = X.shape[-1] // h
    outs, ws = [], []
    for i in range(h):
        cols = slice(i * d, (i + 1) * d)
        Q, K, V = X @ W_q[:, cols], X @ W_k[:, cols], X @ W_v[:, cols]
        w = _sm(Q @ _sT(K) / math.sqrt(d))
        outs.append(w @ V)
        ws.append(w)
    return np.concatenate(outs, axis=-1) @ W_o, np.stack(ws, axis=-3)


# ---------------------------------------------------------------- 10.1 my_softmax_backward(P, dP)
def sb_no_subtract(P, dP):
    return P * dP


def sb_sum_axis0(P, dP):
    return P * (dP - (dP * P).sum(axis=0, keepdims=True))


def sb_mean_not_sum(P, dP):
    return P * (dP - (dP * P).mean(axis=-1, keepdims=True))


def sb_jacobian_transposed_sign(P, dP):
    return P * ((dP * P).sum(axis=-1, keepdims=True) - dP)


def sb_sum_dp_only(P, dP):
    return P * (dP - dP.sum(axis=-1, keepdims=True))


def sb_diag_only(P, dP):
    return P * (1 - P) * dP


def sb_twice(P, dP):
    return 2 * P * (dP - (dP * P).sum(axis=-1, keepdims=True))


def sb_p_on_the_sum_only(P, dP):
    return dP - P * (dP * P).sum(axis=-1, keepdims=True)


def sb_right_jacobian(P, dP):
    out = np.empty_like(dP)
    for idx in np.ndindex(P.shape[:-1]):
        p = P[idx]
        J = np.diag(p) - np.outer(p, p)
        out[idx] = J @ dP[idx]
    return out


# ---------------------------------------------------------------- 10.3 my_attention_backward(Q, K, V, dO)
def _bw(Q, K, V, dO, scale="right", dv="right", ds="right", dk="right"):
    d = Q.shape[-1]
    s = {"right": 1 / math.sqrt(d), "d": 1 / d, "none": 1.0, "sqrt2": 1 / math.sqrt(d)}[scale]
    P = _sm(Q @ _sT(K) * s)
    dV = _sT(P) @ dO if dv == "right" else P @ dO
    dP = dO @ _sT(V)
    if ds == "right":
        dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True))
    elif ds == "axis0":
        dS = P * (dP - (dP * P).sum(axis=-2, keepdims=True))
    else:
        dS = P * (1 - P) * dP
    dS = dS * (s * s if scale == "sqrt2" else s)  # "sqrt2": the backward pass scales twice
    dK = _sT(dS) @ Q if dk == "right" else -(_sT(dS) @ Q)
    return dS @ K, dK, dV


def bw_scale_d(Q, K, V, dO):
    return _bw(Q, K, V, dO, scale="d")


def bw_scale_twice(Q, K, V, dO):
    return _bw(Q, K, V, dO, scale="sqrt2")


def bw_softmax_axis0(Q, K, V, dO):
    return _bw(Q, K, V, dO, ds="axis0")


def bw_softmax_diag(Q, K, V, dO):
    return _bw(Q, K, V, dO, ds="diag")


def bw_dk_sign(Q, K, V, dO):
    return _bw(Q, K, V, dO, dk="neg")


def bw_dv_from_weights_not_T(Q, K, V, dO):
    return _bw(Q, K, V, dO, dv="noT")


def bw_forward_unscaled(Q, K, V, dO):
    P = _sm(Q @ _sT(K))
    s = 1 / math.sqrt(Q.shape[-1])
    dV = _sT(P) @ dO
    dP = dO @ _sT(V)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True)) * s
    return dS @ K, _sT(dS) @ Q, dV


def bw_dq_with_V(Q, K, V, dO):
    _, dK, dV = _bw(Q, K, V, dO)
    P = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]))
    dP = dO @ _sT(V)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True)) / math.sqrt(Q.shape[-1])
    return dS @ V, dK, dV


def bw_right_einsum(Q, K, V, dO):
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(np.einsum("...id,...jd->...ij", Q, K) * s)
    dV = np.einsum("...ij,...iv->...jv", P, dO)
    dP = np.einsum("...iv,...jv->...ij", dO, V)
    dS = P * (dP - np.einsum("...ij,...ij->...i", dP, P)[..., None]) * s
    return np.einsum("...ij,...jd->...id", dS, K), np.einsum("...ij,...id->...jd", dS, Q), dV


# ---------------------------------------------------------------- 12.1 my_layer_norm(x, gamma, beta, eps)
def ln_eps_outside(x, g, b, eps):
    return (x - x.mean(axis=-1, keepdims=True)) / (x.std(axis=-1, keepdims=True) + eps) * g + b


def ln_unbiased(x, g, b, eps):
    return (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True, ddof=1) + eps) * g + b


def ln_axis0(x, g, b, eps):
    return (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) * g + b


def ln_no_center(x, g, b, eps):
    return x / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g + b


def ln_gamma_beta_swapped(x, g, b, eps):
    return (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * b + g


def ln_no_beta(x, g, b, eps):
    return (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g


def ln_no_gamma(x, g, b, eps):
    return (x - x.mean(axis=-1, keepdims=True)) / np.sqrt(x.var(axis=-1, keepdims=True) + eps) + b


def ln_whole_array(x, g, b, eps):
    return (x - x.mean()) / np.sqrt(x.var() + eps) * g + b


def ln_right_loops(x, g, b, eps):
    out = np.empty_like(np.asarray(x, dtype=np.result_type(x, np.float32)))
    for idx in np.ndindex(x.shape[:-1]):
        row = x[idx]
        mu = row.mean()
        var = ((row - mu) ** 2).mean()
        out[idx] = (row - mu) / math.sqrt(var + eps) * g + b
    return out


# ---------------------------------------------------------------- 13.3 my_online_update(top, total, acc, scores, V)
def ou_min_not_max(top, total, acc, scores, V):
    new = np.minimum(top, scores.min(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def ou_total_not_summed(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.max(axis=-1, keepdims=True), acc * r + p @ V


def ou_acc_normalised(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    t = total * r + p.sum(axis=-1, keepdims=True)
    return new, t, (acc * r + p @ V) / t


def ou_softmax_of_block(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = _sm(scores)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def ou_top_not_updated(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return top, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def ou_max_over_all(top, total, acc, scores, V):
    new = np.maximum(top, scores.max())
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def ou_added_not_rescaled_sum(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, total + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def ou_log_total(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.exp(top - new)
    p = np.exp(scores - new)
    return new, np.log(total * r + p.sum(axis=-1, keepdims=True)), acc * r + p @ V


def ou_right_guarded(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    r = np.where(np.isneginf(top), 0.0, np.exp(np.where(np.isneginf(top), 0.0, top - new)))
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


# ---------------------------------------------------------------- 14.1 my_cross_entropy(logits, targets)
def _logp(z):
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def ce_log2(logits, targets):
    return float(-np.take_along_axis(_logp(logits), targets[..., None], axis=-1).mean() / math.log(2))


def ce_positive(logits, targets):
    return float(np.take_along_axis(_logp(logits), targets[..., None], axis=-1).mean())


def ce_all_positions_of_target0(logits, targets):
    lp = _logp(logits).reshape(-1, logits.shape[-1])
    return float(-lp[:, targets.reshape(-1)].mean())


def ce_argmax_target(logits, targets):
    lp = _logp(logits)
    return float(-lp.max(axis=-1).mean())


def ce_mean_over_vocab(logits, targets):
    return float(-_logp(logits).mean())


def ce_one_hot_sum_all(logits, targets):
    one_hot = np.eye(logits.shape[-1])[targets]
    return float(-(one_hot * _logp(logits)).sum())


def ce_off_by_one(logits, targets):
    return float(-np.take_along_axis(_logp(logits), (targets[..., None] + 1) % logits.shape[-1], axis=-1).mean())


def ce_temperature_2(logits, targets):
    return float(-np.take_along_axis(_logp(logits / 2), targets[..., None], axis=-1).mean())


def ce_right_loops(logits, targets):
    flat, t = logits.reshape(-1, logits.shape[-1]), targets.reshape(-1)
    total = 0.0
    for row, k in zip(flat, t):
        m = max(row)
        total += -(row[k] - m - math.log(sum(math.exp(v - m) for v in row)))
    return total / len(t)


# ---------------------------------------------------------------- 14.2 my_sample(logits, temperature, top_k, rng)
def _keep(logits, top_k):
    return np.argsort(logits)[-top_k:] if top_k is not None else np.arange(len(logits))


def sa_greedy_always(logits, temperature, top_k, rng):
    return int(np.argmax(logits))


def sa_times_t(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    z = logits[keep] * temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def sa_uniform_top_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    return int(rng.choice(_keep(logits, top_k)))


def sa_argmax_of_noisy(logits, temperature, top_k, rng):  # right frequencies only by luck? Gumbel without top-k
    if temperature == 0:
        return int(np.argmax(logits))
    return int(np.argmax(logits / temperature + rng.gumbel(size=logits.shape)))


def sa_top_k_plus_one(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-(top_k + 1) :]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def sa_global_rng(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[np.random.choice(len(keep), p=p / p.sum())])


def sa_sqrt_t(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    z = logits[keep] / math.sqrt(temperature)
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


def sa_fresh_rng(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[np.random.default_rng().choice(len(keep), p=p / p.sum())])


def sa_right_gumbel(logits, temperature, top_k, rng):  # right: the Gumbel-max trick over the top k
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    return int(keep[np.argmax(logits[keep] / temperature + rng.gumbel(size=len(keep)))])


def sa_right_cdf(logits, temperature, top_k, rng):  # right: inverse of the cumulative distribution
    if temperature == 0:
        return int(np.argmax(logits))
    keep = _keep(logits, top_k)
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    c = np.cumsum(p / p.sum())
    return int(keep[min(int(np.searchsorted(c, rng.random())), len(keep) - 1)])


# ---------------------------------------------------------------- 15.1 my_attend_with_cache
def _cat(K_cache, k_new):
    return np.concatenate([K_cache, k_new[None]], axis=0)


def _att(q, K, V, scale):
    s = K @ q * scale
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V


def ca_scale_d_v(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    return _att(q, K, V, 1 / math.sqrt(V.shape[-1])), K, V


def ca_only_new(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    return v_new.copy(), K, V


def ca_caches_not_returned_grown(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    return _att(q, K, V, 1 / math.sqrt(len(q))), K_cache, V_cache


def ca_k_v_swapped(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    out = _att(q, K, V, 1 / math.sqrt(len(q)))
    return out, V, K


def ca_no_softmax(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    s = K @ q / math.sqrt(len(q))
    return (s / s.sum()) @ V, K, V


def ca_stacked_new_axis(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    return _att(q, K, V, 1 / math.sqrt(len(q))), K.T, V.T


def ca_weights_returned(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    s = K @ q / math.sqrt(len(q))
    w = np.exp(s - s.max())
    return w / w.sum(), K, V


def ca_scale_cache_length_minus(q, K_cache, V_cache, k_new, v_new):
    K, V = _cat(K_cache, k_new), _cat(V_cache, v_new)
    return _att(q, K, V, 1 / math.sqrt(len(K_cache))), K, V


def ca_right_vstack(q, K_cache, V_cache, k_new, v_new):
    K, V = np.vstack([K_cache, k_new]), np.vstack([V_cache, v_new])
    s = (K @ q) / len(q) ** 0.5
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V


# ---------------------------------------------------------------- 17.1 my_rms_norm(x, gain, eps)
def rms_eps_outside(x, g, eps):
    return x / (np.sqrt((x**2).mean(axis=-1, keepdims=True)) + eps) * g


def rms_abs_mean(x, g, eps):
    return x / (np.abs(x).mean(axis=-1, keepdims=True) + eps) * g


def rms_std(x, g, eps):
    return x / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g


def rms_whole_array(x, g, eps):
    return x / np.sqrt((x**2).mean() + eps) * g


def rms_no_gain(x, g, eps):
    return x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps)


def rms_gain_plus_one(x, g, eps):
    return x / np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) * (1 + g)


def rms_times_rms(x, g, eps):
    return x * np.sqrt((x**2).mean(axis=-1, keepdims=True) + eps) * g


def rms_norm_l2(x, g, eps):
    return x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps) * g


def rms_right_loops(x, g, eps):
    out = np.empty_like(x)
    for idx in np.ndindex(x.shape[:-1]):
        row = x[idx]
        out[idx] = row / math.sqrt(sum(float(v) * float(v) for v in row) / len(row) + eps) * g
    return out


def rms_right_rsqrt(x, g, eps):
    return x * (1.0 / np.sqrt(np.mean(np.square(x), axis=-1, keepdims=True) + eps)) * g


# ---------------------------------------------------------------- 17.2 my_swiglu(x, W_gate, W_up, W_down)
def _silu(z):
    return z / (1 + np.exp(-z))


def sw_relu(x, Wg, Wu, Wd):
    return (np.maximum(x @ Wg, 0) * (x @ Wu)) @ Wd


def sw_silu_on_both(x, Wg, Wu, Wd):
    return (_silu(x @ Wg) * _silu(x @ Wu)) @ Wd


def sw_added(x, Wg, Wu, Wd):
    return (_silu(x @ Wg) + (x @ Wu)) @ Wd


def sw_no_down(x, Wg, Wu, Wd):
    return _silu(x @ Wg) * (x @ Wu)


def sw_silu_after_down(x, Wg, Wu, Wd):
    return _silu(((x @ Wg) * (x @ Wu)) @ Wd)


def sw_silu_minus(x, Wg, Wu, Wd):
    z = x @ Wg
    return (z / (1 + np.exp(z)) * (x @ Wu)) @ Wd


def sw_tanh(x, Wg, Wu, Wd):
    return (np.tanh(x @ Wg) * (x @ Wu)) @ Wd


def sw_residual(x, Wg, Wu, Wd):
    return x + (_silu(x @ Wg) * (x @ Wu)) @ Wd


def sw_right_sigmoid_form(x, Wg, Wu, Wd):
    g = x @ Wg
    sig = 0.5 * (1 + np.tanh(g / 2))  # the sigmoid, written with tanh
    return ((g * sig) * (x @ Wu)) @ Wd


# The held-out set: (exercise, wrong function, words one of which its hint must hold).
WRONG = [
    ("04.4", sm_axis0, ["axis", "column"]),
    ("04.4", sm_no_keepdims_T, ["one max", "whole array"]),
    ("04.4", sm_log2, ["exp2", "base", "log"]),
    ("04.4", sm_negated, ["sign", "minus", "-scores"]),
    ("04.4", sm_over_max, ["sum"]),
    ("04.4", sm_no_exp, ["exp"]),
    ("04.4", sm_temperature, ["scale", "divide", "temperature"]),
    ("04.4", sm_axis_first_of_3d, ["axis"]),
    ("04.5", sa_scaled_by_n, ["sqrt", "scale"]),
    ("04.5", sa_weights_times_X_T, ["transpose"]),
    ("04.5", sa_cols, ["column", "axis"]),
    ("04.5", sa_returns_scores, ["raw", "softmax"]),
    ("04.5", sa_out_is_weights, ["weights @ x", "@ X", "times X", "weighted sum"]),
    ("04.5", sa_xtx, ["X.T @ X", "X @ X.T", "features"]),
    ("04.5", sa_no_softmax_norm, ["softmax", "exp"]),
    ("04.5", sa_minus, ["sign", "minus"]),
    ("05.3", sc_d_v, ["d_v", "sqrt(d_k)", "scale"]),
    ("05.3", sc_sqrt_twice, ["scale", "sqrt"]),
    ("05.3", sc_scale_after_softmax, ["before the softmax", "after the softmax", "sum to 1"]),
    ("05.3", sc_out_scaled, ["scale", "sqrt"]),
    ("05.3", sc_kq, ["K @ Q", "transpose", "Q @ K", "axis", "column"]),
    ("05.3", sc_batch_T, [".T", "swapaxes", "batch"]),
    ("05.3", sc_log_weights, ["log"]),
    ("05.3", sc_values_are_keys, ["V", "values"]),
    ("06.1", pe_base_1000, ["10000", "base"]),
    ("06.1", pe_halves, ["halves", "interleave", "even", "0::2"]),
    ("06.1", pe_transposed, ["transpose", "swapped", "(n, d)"]),
    ("06.1", pe_times_exponent, ["divide", "multipl"]),
    ("06.1", pe_every_column_own_i, ["2i", "share one angle", "pairs"]),
    ("06.1", pe_all_sin, ["cos"]),
    ("06.1", pe_d_minus_1, ["/ d", "2i/d", "d - 1", "exponent"]),
    ("06.1", pe_degrees, ["radian", "degree"]),
    ("06.3", rope_base_1000, ["10000", "base"]),
    ("06.3", rope_add_angles, ["rotate", "add"]),
    ("06.3", rope_pairs_swapped_output, ["swap", "order", "pair"]),
    ("06.3", rope_4i_over_d, ["speed", "exponent", "2i"]),
    ("06.3", rope_position_plus_one, ["position", "off by one", "shifted"]),
    ("06.3", rope_half_angle, ["angle", "half", "speed"]),
    ("06.3", rope_cos_only, ["sin", "rotate"]),
    ("06.3", rope_negative_positions, ["other way", "sign"]),
    ("08.3", cm_ones, ["future", "every", "all true"]),
    ("08.3", cm_ints, ["bool"]),
    ("08.3", cm_k1, ["k=1", "next word", "future", "diagonal"]),
    ("08.3", cm_minus_inf, ["bool", "-inf"]),
    ("08.3", cm_eye, ["only itself", "earlier", "diagonal", "eye"]),
    ("08.3", cm_n_plus_1, ["shape", "(n, n)"]),
    ("08.3", cm_flipped, ["flip", "revers", "order"]),
    ("08.3", cm_strict_upper_false, ["triu", "future"]),
    ("08.4", mk_big_negative_multiplied, ["0", "-inf"]),
    ("08.4", mk_nan, ["nan", "-inf"]),
    ("08.4", mk_renormalise_after, ["before the softmax", "-inf"]),
    ("08.4", mk_minus_large_unscaled, ["scale"]),
    ("08.4", mk_scale_sqrt_n, ["sqrt(n)", "d_k", "scale"]),
    ("08.4", mk_mask_transposed, ["transpose", "mask.T", "mask"]),
    ("08.4", mk_subtract_mask, ["inverted", "true means", "~mask"]),
    ("08.4", mk_axis0, ["axis", "column", "queries"]),
    ("09.4", sp_moveaxis_wrong, ["d_head", "axes", "swap", "transpose"]),
    ("09.4", sp_reshape_heads_last, ["swap", "transpose", "shape"]),
    ("09.4", sp_T_2d, ["batch"]),
    ("09.4", sp_d_head_heads, ["contiguous", "d_head, n_heads", "block"]),
    ("09.4", sp_reshape_then_T, ["transpose", ".T", "axes", "swap"]),
    ("09.4", sp_array_split_features_wrong_axis, ["transpose", "reshape", "mixes"]),
    ("09.4", sp_heads_reversed, ["reverse", "order"]),
    ("09.4", sp_d_model_over_h_swapped, ["shape", "swap", "axes"]),
    ("09.5", mg_plain_reshape, ["transpose", "swap"]),
    ("09.5", mg_concat_words, ["axis", "words", "features"]),
    ("09.5", mg_sum_heads, ["sum", "concatenat", "shape"]),
    ("09.5", mg_mean_heads, ["mean", "average", "concatenat", "shape"]),
    ("09.5", mg_transpose_2_1_0, ["order", "swap", "transpose"]),
    ("09.5", mg_heads_reversed, ["order", "reverse"]),
    ("09.5", mg_features_inner, ["order", "head 0"]),
    ("09.5", mg_2d_only, ["batch"]),
    ("09.6", mha_scale_model, ["d_model", "d_head"]),
    ("09.6", mha_scale_n, ["scale", "sqrt"]),
    ("09.6", mha_no_scale, ["scale"]),
    ("09.6", mha_merge_plain, ["transpose", "merge", "swap"]),
    ("09.6", mha_weights_averaged, ["each head", "per head", "n_heads", "average"]),
    ("09.6", mha_no_wo, ["W_o"]),
    ("09.6", mha_columns, ["column", "axis", "queries"]),
    ("09.6", mha_wo_first, ["W_o"]),
    ("09.6", mha_one_head, ["split", "one head", "heads"]),
    ("10.1", sb_no_subtract, ["sum", "subtract"]),
    ("10.1", sb_sum_axis0, ["axis", "column", "row"]),
    ("10.1", sb_mean_not_sum, ["mean", "sum"]),
    ("10.1", sb_jacobian_transposed_sign, ["sign"]),
    ("10.1", sb_sum_dp_only, ["dp * p", "weighted", "sum(dP * P"]),
    ("10.1", sb_diag_only, ["diagonal", "p p^t", "other"]),
    ("10.1", sb_twice, ["times 2", "scale", "2"]),
    ("10.1", sb_p_on_the_sum_only, ["multiply by p", "p * (dp"]),
    ("10.3", bw_scale_d, ["scale", "sqrt"]),
    ("10.3", bw_scale_twice, ["scale", "twice"]),
    ("10.3", bw_softmax_axis0, ["axis", "row"]),
    ("10.3", bw_softmax_diag, ["softmax", "p p^t", "diagonal"]),
    ("10.3", bw_dk_sign, ["sign"]),
    ("10.3", bw_dv_from_weights_not_T, ["dV", "P^T"]),
    ("10.3", bw_forward_unscaled, ["scale", "forward"]),
    ("10.3", bw_dq_with_V, ["dQ", "K"]),
    ("12.1", ln_eps_outside, ["eps", "square root"]),
    ("12.1", ln_unbiased, ["ddof", "n - 1", "variance"]),
    ("12.1", ln_axis0, ["axis", "column", "row"]),
    ("12.1", ln_no_center, ["mean", "subtract"]),
    ("12.1", ln_gamma_beta_swapped, ["gamma", "beta"]),
    ("12.1", ln_no_beta, ["beta"]),
    ("12.1", ln_no_gamma, ["gamma"]),
    ("12.1", ln_whole_array, ["whole", "each row", "row"]),
    ("13.3", ou_min_not_max, ["max"]),
    ("13.3", ou_total_not_summed, ["sum"]),
    ("13.3", ou_acc_normalised, ["divide", "normalis", "acc"]),
    ("13.3", ou_softmax_of_block, ["softmax", "exp(scores - m", "running max"]),
    ("13.3", ou_top_not_updated, ["top", "max"]),
    ("13.3", ou_max_over_all, ["row", "axis", "each"]),
    ("13.3", ou_added_not_rescaled_sum, ["rescale", "total"]),
    ("13.3", ou_log_total, ["log", "total"]),
    ("14.1", ce_log2, ["log2", "log(2)", "bits"]),
    ("14.1", ce_positive, ["sign", "minus", "-log"]),
    ("14.1", ce_all_positions_of_target0, ["take_along_axis", "each position", "target"]),
    ("14.1", ce_argmax_target, ["target"]),
    ("14.1", ce_mean_over_vocab, ["target", "every character", "vocab"]),
    ("14.1", ce_one_hot_sum_all, ["sum", "mean"]),
    ("14.1", ce_off_by_one, ["target", "off by one", "shifted"]),
    ("14.1", ce_temperature_2, ["temperature", "logits", "scale"]),
    ("14.2", sa_greedy_always, ["argmax", "always", "draw"]),
    ("14.2", sa_times_t, ["divide", "temperature"]),
    ("14.2", sa_uniform_top_k, ["uniform", "equally", "probabilit"]),
    ("14.2", sa_argmax_of_noisy, ["top_k", "top-k", "k most"]),
    ("14.2", sa_top_k_plus_one, ["k + 1", "one too many", "top_k", "top-k"]),
    ("14.2", sa_global_rng, ["rng", "np.random"]),
    ("14.2", sa_sqrt_t, ["temperature", "sqrt"]),
    ("14.2", sa_fresh_rng, ["rng", "seed"]),
    ("15.1", ca_scale_d_v, ["d_v", "d_head", "scale"]),
    ("15.1", ca_only_new, ["v_new", "attend", "cache"]),
    ("15.1", ca_caches_not_returned_grown, ["return", "grown", "append", "K_cache"]),
    ("15.1", ca_k_v_swapped, ["swapped", "K_cache", "V_cache"]),
    ("15.1", ca_no_softmax, ["softmax", "exp"]),
    ("15.1", ca_stacked_new_axis, ["rows", "transpose", "K_cache"]),
    ("15.1", ca_weights_returned, ["weights", "@ V", "out"]),
    ("15.1", ca_scale_cache_length_minus, ["scale", "length", "d_head"]),
    ("17.1", rms_eps_outside, ["eps", "square root"]),
    ("17.1", rms_abs_mean, ["square", "root mean square"]),
    ("17.1", rms_std, ["mean", "variance", "std"]),
    ("17.1", rms_whole_array, ["row", "whole", "each"]),
    ("17.1", rms_no_gain, ["gain"]),
    ("17.1", rms_gain_plus_one, ["gain", "1 +"]),
    ("17.1", rms_times_rms, ["divide", "multipl"]),
    ("17.1", rms_norm_l2, ["mean", "sqrt(d)", "norm", "sum"]),
    ("17.2", sw_relu, ["relu", "silu"]),
    ("17.2", sw_silu_on_both, ["up", "as it is"]),
    ("17.2", sw_added, ["multipl", "product", "elementwise"]),
    ("17.2", sw_no_down, ["W_down"]),
    ("17.2", sw_silu_after_down, ["silu", "gate", "after"]),
    ("17.2", sw_silu_minus, ["sign", "exp(-x)", "sigmoid"]),
    ("17.2", sw_tanh, ["tanh", "silu"]),
    ("17.2", sw_residual, ["residual", "x +"]),
]

# Right answers written another way: each must get "right" (or "correct").
RIGHT = [
    ("04.4", sm_right_loops),
    ("04.4", sm_right_logsumexp),
    ("04.5", sa_right_loops),
    ("05.3", sc_right_einsum),
    ("06.1", pe_right_vectorised),
    ("06.3", rope_right_complex),
    ("08.3", cm_right_indices),
    ("08.4", mk_right_big_negative),
    ("09.4", sp_right_stack),
    ("09.5", mg_right_concat),
    ("09.6", mha_right_loop),
    ("10.1", sb_right_jacobian),
    ("10.3", bw_right_einsum),
    ("12.1", ln_right_loops),
    ("13.3", ou_right_guarded),
    ("14.1", ce_right_loops),
    ("14.2", sa_right_gumbel),
    ("14.2", sa_right_cdf),
    ("15.1", ca_right_vstack),
    ("17.1", rms_right_loops),
    ("17.1", rms_right_rsqrt),
    ("17.2", sw_right_sigmoid_form),
]
