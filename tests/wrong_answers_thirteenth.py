"""A thirteenth held-out set, like the tenth to twelfth: each answer is modelled on a mistake (or a right answer written
another way) that someone else made and reported in a public issue or pull request, named beside it, written again in
numpy for this series' exercises, and measured before any change made for it. It leans on the exercises the earlier
reported sets reached least (04.5, 05.3, 08.3, 09.4 to 09.6, 10.3, 15.1, 17.2). Each wrong answer is
(exercise, function, words one of which names the mistake); each right one is (exercise, function)."""

import math

import numpy as np

from tests.wrong_answers import _sm, _sT


def _silu(z):
    return z / (1 + np.exp(-z))


# ---------------------------------------------------------------- 04.5 and 05.3: attention
# softmax over the queries' axis (labmlai/annotated_deep_learning_paper_implementations#146)
def w_sa_softmax_over_queries(X):
    w = _sm(X @ _sT(X), axis=-2)
    return w @ X, w


def w_sc_divided_by_d(Q, K, V):  # divided by d_k, the square root missing (delzac/cntkx#10)
    w = _sm(Q @ _sT(K) / Q.shape[-1])
    return w @ V, w


def w_sc_unscaled(Q, K, V):  # the product not normalised by sqrt(head_dim) (microsoft/MInference#69)
    w = _sm(Q @ _sT(K))
    return w @ V, w


def ok_sc_queries_scaled_first(Q, K, V):  # right: q / sqrt(d) before the product (getalp/Flaubert#45)
    w = _sm((Q / math.sqrt(Q.shape[-1])) @ _sT(K))
    return w @ V, w


def ok_sc_fourth_root_each(Q, K, V):  # right: q and k each times d ** -0.25 (openai/improved-diffusion#54)
    s = Q.shape[-1] ** -0.25
    w = _sm((Q * s) @ _sT(K * s))
    return w @ V, w


# ---------------------------------------------------------------- 08.3 and 08.4: masks
# triu(diagonal=1), the positions to hide, returned as allowed (pytorch/tutorials#2250)
def w_cm_subsequent_mask_as_allowed(n):
    return np.triu(np.ones((n, n), dtype=bool), k=1)


def w_cm_itself_excluded(n):  # each token may not attend to itself: diagonal left out (RVC-Boss/GPT-SoVITS#965)
    return np.tril(np.ones((n, n), dtype=bool), k=-1)


# a mask of one kind used as the other: there an additive one where a 0/1 one belonged, here the 0/1 mask added
# (harvard-edge/cs249r_book#1785)
def w_mk_mask_added(Q, K, V, mask):
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]) + mask)
    return w @ V, w


# ---------------------------------------------------------------- 09.4 to 09.6: heads
def w_sp_view_without_transpose(M, n_heads):  # view(..., heads, -1, d_head) with no transpose (reczoo/FuxiCTR#30)
    *lead, n, d_model = M.shape
    return M.reshape(*lead, n_heads, n, d_model // n_heads)


# transpose [2, 0, 1, 3]: heads before the batch (lsdefine/attention-is-all-you-need-keras#36)
def w_sp_heads_before_batch(M, n_heads):
    *lead, n, d_model = M.shape
    split = M.reshape(*lead, n, n_heads, d_model // n_heads)
    return np.moveaxis(split, -2, 0)


def w_mg_reshape_without_permute(M):  # a missing permute before the reshape (jsbaan/transformer-from-scratch#6)
    *lead, h, n, d = M.shape
    return M.reshape(*lead, n, h * d)


def _heads(A, h):
    *lead, n, d_model = A.shape
    return np.swapaxes(A.reshape(*lead, n, h, d_model // h), -2, -3)


def _merge(A):
    *lead, h, n, d = A.shape
    return np.swapaxes(A, -2, -3).reshape(*lead, n, h * d)


# sqrt(d_model) for sqrt(d_head) (brightmart/bert_language_understanding#9, chelsea0x3b/dfdx#171)
def w_mha_scaled_by_d_model(X, W_q, W_k, W_v, W_o, h):
    Q, K, V = (_heads(X @ W, h) for W in (W_q, W_k, W_v))
    w = _sm(Q @ _sT(K) / math.sqrt(X.shape[-1]))
    return _merge(w @ V) @ W_o, w


# view(b * heads, -1, d_head) to split and view back to merge (649453932/Chinese-Text-Classification-Pytorch#53)
def w_mha_view_split_and_merge(X, W_q, W_k, W_v, W_o, h):
    *lead, n, d_model = X.shape
    Q, K, V = ((X @ W).reshape(*lead, h, n, d_model // h) for W in (W_q, W_k, W_v))
    w = _sm(Q @ _sT(K) / math.sqrt(d_model // h))
    return (w @ V).reshape(*lead, n, d_model) @ W_o, w


# ---------------------------------------------------------------- 10.3: the backward pass
def w_bw_dq_dk_swapped(Q, K, V, dO):  # dQ and dK swapped (ooples/AiDotNet.Tensors#49)
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _sT(K) * s)
    dP = dO @ _sT(V)
    dS = P * (dP - (dP * P).sum(axis=-1, keepdims=True)) * s
    return _sT(dS) @ Q, dS @ K, _sT(P) @ dO


def ok_bw_flash_d(Q, K, V, dO):  # right: D = rowsum(dO * O), as FlashAttention-2's backward pass computes it
    s = 1 / math.sqrt(Q.shape[-1])
    P = _sm(Q @ _sT(K) * s)
    out = P @ V
    D = (dO * out).sum(axis=-1, keepdims=True)
    dS = P * (dO @ _sT(V) - D) * s
    return dS @ K, _sT(dS) @ Q, _sT(P) @ dO


# ---------------------------------------------------------------- 12.1: layer normalisation
def w_ln_unbiased_variance(x, g, b, eps):  # the unbiased variance estimate (LBANN/lbann#2024)
    mu = x.mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + eps) * g + b


# torch's unbiased std, eps added to it (harvardnlp/annotated-transformer#119)
def w_ln_unbiased_std_plus_eps(x, g, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    return g * (x - mu) / (x.std(axis=-1, ddof=1, keepdims=True) + eps) + b


# ---------------------------------------------------------------- 14.1 and 14.2: the loss and sampling
# probabilities passed where logits belong: two softmaxes (tflearn/tflearn#562)
def w_ce_softmax_twice(logits, targets):
    p = _sm(_sm(logits))
    return float(-np.log(np.take_along_axis(p, targets[..., None], axis=-1)).mean())


def w_sa_filtered_to_tiny(logits, temperature, top_k, rng):  # 1e-10 where -1e10 belongs (karpathy/minGPT#10)
    if temperature == 0:
        return int(np.argmax(logits))
    z = np.array(logits, dtype=float)
    if top_k is not None and top_k < len(z):
        z[z < np.sort(z)[-top_k]] = 1e-10
    z = z / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(z), p=p / p.sum()))


# the top k set to -inf, the tail kept (EricLBuehler/mistral.rs#1316)
def w_sa_top_k_removed(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    z = np.array(logits, dtype=float) / temperature
    if top_k is not None and top_k < len(z):
        z[np.argsort(z)[-top_k:]] = -np.inf
    p = np.exp(z - z.max())
    return int(rng.choice(len(z), p=p / p.sum()))


# ---------------------------------------------------------------- 15.1 and 17.2: the cache and SwiGLU
# the cache lacks the current token (mistral.rs#143)
def w_ca_current_token_not_in_cache(q, K_cache, V_cache, k_new, v_new):
    w = _sm(K_cache @ q / math.sqrt(len(q)))
    return w @ V_cache, np.vstack([K_cache, k_new]), np.vstack([V_cache, v_new])


def w_sw_silu_on_up(x, W_gate, W_up, W_down):  # silu(x) * gate where silu(gate) * x belongs (ml-explore/mlx-lm#767)
    return (_silu(x @ W_up) * (x @ W_gate)) @ W_down


def w_sw_plain_silu(x, W_gate, W_up, W_down):  # swiglu mapped to silu: no gate (google-research/timesfm#493)
    return _silu(x @ W_gate) @ W_down


THIRTEENTH = [
    ("04.5", w_sa_softmax_over_queries, ["axis", "column", "queries"]),
    ("05.3", w_sc_divided_by_d, ["sqrt", "square root"]),
    ("05.3", w_sc_unscaled, ["scale", "sqrt"]),
    ("08.3", w_cm_subsequent_mask_as_allowed, ["invert", "future", "other way", "the opposite"]),
    ("08.3", w_cm_itself_excluded, ["diagonal", "itself"]),
    ("08.4", w_mk_mask_added, ["-inf", "added", "adds"]),
    ("09.4", w_sp_view_without_transpose, ["transpose", "swap", "reshape"]),
    ("09.4", w_sp_heads_before_batch, ["batch", "axes", "order"]),
    ("09.5", w_mg_reshape_without_permute, ["transpose", "swap"]),
    ("09.6", w_mha_scaled_by_d_model, ["d_model", "d_head"]),
    ("09.6", w_mha_view_split_and_merge, ["transpose", "split", "swap"]),
    ("10.3", w_bw_dq_dk_swapped, ["swapped", "the other way"]),
    ("12.1", w_ln_unbiased_variance, ["ddof", "unbiased", "n - 1"]),
    ("12.1", w_ln_unbiased_std_plus_eps, ["ddof", "unbiased", "n - 1", "+ eps"]),  # "eps" matched "steps"
    ("14.1", w_ce_softmax_twice, ["softmax", "twice", "probabilities"]),
    ("14.2", w_sa_filtered_to_tiny, ["-inf", "filtered", "top_k", "top-k"]),
    ("14.2", w_sa_top_k_removed, ["largest", "top", "removed"]),
    ("15.1", w_ca_current_token_not_in_cache, ["new", "append", "before"]),
    ("17.2", w_sw_silu_on_up, ["gate", "swap", "W_up"]),
    ("17.2", w_sw_plain_silu, ["W_up", "gate", "product"]),
]

RIGHT_THIRTEENTH = [
    ("05.3", ok_sc_queries_scaled_first),
    ("05.3", ok_sc_fourth_root_each),
    ("10.3", ok_bw_flash_d),
]
