"""An eleventh held-out set, like the tenth: each wrong answer is modelled on a mistake someone else made and reported
in a public issue or pull request (named beside it), written again in numpy for this series' exercises, and measured
before any change made for it. Each is (exercise, function, words one of which names the mistake); the right answers
are reported mistakes that turned out right."""

import math

import numpy as np

from tests.wrong_answers import _silu, _sm, _sT


# ---------------------------------------------------------------- 05.3 and 09.6: the scale
def e_sc_quarter_power_on_q_only(
    Q, K, V
):  # d ** -0.25 on q alone, misreading a split scale (openai/guided-diffusion#38)
    w = _sm((Q * Q.shape[-1] ** -0.25) @ _sT(K))
    return w @ V, w


def e_sc_right_quarter_power_on_both(Q, K, V):  # right: d ** -0.25 on q and on k is d ** -0.5 on the scores
    s = Q.shape[-1] ** -0.25
    w = _sm((Q * s) @ _sT(K * s))
    return w @ V, w


def e_sc_right_scaled_queries(Q, K, V):  # right: q / sqrt(d) before the product (facebookresearch/XLM#357)
    w = _sm((Q / math.sqrt(Q.shape[-1])) @ _sT(K))
    return w @ V, w


def _mha(X, W_q, W_k, W_v, W_o, h, scale):
    d = X.shape[-1] // h
    heads = [
        _sm((X @ W_q[:, i * d : (i + 1) * d]) @ _sT(X @ W_k[:, i * d : (i + 1) * d]) * scale(X.shape[-1], d))
        for i in range(h)
    ]
    outs = [w @ (X @ W_v[:, i * d : (i + 1) * d]) for i, w in enumerate(heads)]
    return np.concatenate(outs, axis=-1) @ W_o, np.stack(heads, axis=-3)


def e_mha_scale_by_d_model(X, W_q, W_k, W_v, W_o, h):  # dim ** -0.5 with dim = d_model (lucidrains/vit-pytorch#65)
    return _mha(X, W_q, W_k, W_v, W_o, h, lambda d_model, d_head: d_model**-0.5)


# ---------------------------------------------------------------- 08.3: the causal mask
def e_cm_strict_upper_as_allowed(n):  # triu(..., diagonal=1) used as the allowed positions (pytorch/tutorials#2250)
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def e_cm_diagonal_masked(n):  # the diagonal masked too: each word blind to itself (RVC-Boss/GPT-SoVITS#965)
    return np.tril(np.ones((n, n), dtype=bool), k=-1)


# ---------------------------------------------------------------- 09.4 and 09.5: heads
def e_sp_heads_before_batch(M, h):  # transpose [2, 0, 1, 3]: heads in front of the batch (lsdefine/...-keras#36)
    *lead, n, d = M.shape
    x = M.reshape(*lead, n, h, d // h)
    return np.moveaxis(x, -2, 0)


def e_mg_reshape_without_permute(M):  # reshape without the permute first (jsbaan/transformer-from-scratch#6)
    *lead, h, n, dh = M.shape
    return M.reshape(*lead, n, h * dh)


# ---------------------------------------------------------------- 10.1: the softmax's backward pass
def e_sb_diagonal_only(P, dP):  # only output * (1 - output), the Jacobian's diagonal (deeplearning4j/libnd4j#440)
    return dP * P * (1 - P)


def e_sb_log_softmax_backward(P, dP):  # the log-softmax's backward pass in its place (mlpack/mlpack#2360)
    return dP - P * dP.sum(axis=-1, keepdims=True)


def e_sb_twice(P, dP):  # off by a factor of two (markroxor/fromscratchtoml#65)
    return 2 * P * (dP - (P * dP).sum(axis=-1, keepdims=True))


# ---------------------------------------------------------------- 13.3: the online update
def e_ou_rescale_exp_new_minus_old(top, total, acc, scores, V):  # exp(m_new - m_old) (deepseek-ai/FlashMLA#177)
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        r = np.where(np.isneginf(top), 0.0, np.exp(new - top))
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


def e_ou_acc_divided_by_rescale(top, total, acc, scores, V):  # diag(...)^-1 on the output (flash-attention#991)
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    with np.errstate(all="ignore"):
        r = np.exp(top - new)
        acc = np.where(np.isneginf(top), 0.0, acc / r)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc + p @ V


def e_ou_finite_minus_infinity(top, total, acc, scores, V):  # -5e4 standing for -inf (flashinfer-ai/flashinfer#4267)
    new = np.maximum(np.maximum(top, -5e4), scores.max(axis=-1, keepdims=True))
    r = np.exp(np.maximum(top, -5e4) - new)
    p = np.exp(scores - new)
    return new, total * r + p.sum(axis=-1, keepdims=True), acc * r + p @ V


# ---------------------------------------------------------------- 17.2: SwiGLU
def e_sw_silu_of_the_product(x, Wg, Wu, Wd):  # silu(w1(x) * w3(x)) (Nijikadesu/breakdown-minimind#3)
    return _silu((x @ Wg) * (x @ Wu)) @ Wd


def e_sw_silu_on_up(x, Wg, Wu, Wd):  # silu(x) * gate: the arguments the other way (ml-explore/mlx-lm#767)
    return (_silu(x @ Wu) * (x @ Wg)) @ Wd


def e_sw_silu_only(x, Wg, Wu, Wd):  # swiglu mapped to silu: no up projection (google-research/timesfm#493)
    return _silu(x @ Wg) @ Wd


ELEVENTH = [
    ("05.3", e_sc_quarter_power_on_q_only, ["sqrt(sqrt", "1/sqrt(", "scale"]),
    ("09.6", e_mha_scale_by_d_model, ["d_head", "d_model", "n_heads"]),
    ("08.3", e_cm_strict_upper_as_allowed, ["invert", "triu", "future"]),
    ("08.3", e_cm_diagonal_masked, ["itself", "diagonal"]),
    ("09.4", e_sp_heads_before_batch, ["batch", "front"]),
    ("09.5", e_mg_reshape_without_permute, ["transpose", "swap", "reshape"]),
    ("10.1", e_sb_diagonal_only, ["diagonal", "p (1 - p)", "sum"]),
    ("10.1", e_sb_log_softmax_backward, ["log-softmax", "P * dP", "weighted"]),
    ("10.1", e_sb_twice, ["times 2", "factor"]),
    ("13.3", e_ou_rescale_exp_new_minus_old, ["upside down", "exp(top - new)", "old - new"]),
    ("13.3", e_ou_acc_divided_by_rescale, ["divid", "multipl", "acc"]),
    ("13.3", e_ou_finite_minus_infinity, ["-inf", "finite"]),
    ("17.2", e_sw_silu_of_the_product, ["product", "after", "gate"]),
    ("17.2", e_sw_silu_on_up, ["gate", "up"]),
    ("17.2", e_sw_silu_only, ["up", "W_up"]),
]

RIGHT_ELEVENTH = [("05.3", e_sc_right_quarter_power_on_both), ("05.3", e_sc_right_scaled_queries)]
