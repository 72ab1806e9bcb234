"""A tenth held-out set of wrong answers, each modelled on a mistake that someone else made and reported in a public
issue or pull request (named beside it), written again in numpy for this series' exercises, and measured before any
change made for it. These mistakes were not chosen by the hand that writes the checkers. Each is (exercise, function,
words one of which names the mistake)."""

import math

import numpy as np

from tests.wrong_answers import _sm, _sT


# ---------------------------------------------------------------- 06.1: sinusoidal tables as reported
def t_pe_sin_then_cos_halves(n, d):  # sines in the first half, cosines in the second (allenai/allennlp#2993)
    h = (d + 1) // 2
    angles = np.arange(n)[:, None] * 10000.0 ** (-2 * np.arange(h) / d)
    return np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)[:, :d]


def t_pe_floor_in_the_rate(n, d):  # -log(10000) / d // 2: the // binds first (zju3dv/LoFTR#41)
    rate = np.exp(np.arange(0, d, 2) * (-math.log(10000.0) / d // 2))
    pe = np.zeros((n, d))
    pe[:, 0::2] = np.sin(np.arange(n)[:, None] * rate)
    pe[:, 1::2] = np.cos(np.arange(n)[:, None] * rate[: d // 2])
    return pe


def t_pe_every_column_its_own_2i(n, d):  # pos / 10000 ** (2i / d) for every column i (shenweichen/DeepCTR#379)
    angles = np.array([[p / np.power(10000, 2.0 * i / d) for i in range(d)] for p in range(n)])
    pe = angles.copy()
    pe[:, 0::2], pe[:, 1::2] = np.sin(angles[:, 0::2]), np.cos(angles[:, 1::2])
    return pe


def t_pe_odd_d_fails(
    n, d
):  # one rate per sine column, so the cosines do not fit when d is odd (gc-os-ai/pyaptamer#607)
    rate = 10000.0 ** (-np.arange(0, d, 2) / d)
    pe = np.zeros((n, d))
    pe[:, 0::2] = np.sin(np.arange(n)[:, None] * rate)
    pe[:, 1::2] = np.cos(np.arange(n)[:, None] * rate)
    return pe


# ---------------------------------------------------------------- 06.3: rotary encoding as reported
def t_rope_halves_convention(x, positions):  # cat(freqs, freqs) with rotate_half: the halves' pairing (#834)
    d = x.shape[-1]
    angles = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-np.arange(0, d, 2) / d)
    angles = np.concatenate([angles, angles], axis=-1)
    half = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], axis=-1)
    return x * np.cos(angles) + half * np.sin(angles)


# ---------------------------------------------------------------- 08.4: masks as reported
def t_mk_mask_after_softmax(
    Q, K, V, mask
):  # the mask applied after the softmax (huggingface/pytorch-image-models#2236)
    w = np.where(mask, _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1])), 0.0)
    return w @ V, w


def t_mk_fill_where_true(Q, K, V, mask):  # masked_fill where the mask is True: inverted (lucidrains/halonet-pytorch#4)
    w = _sm(np.where(mask, -np.inf, Q @ _sT(K) / math.sqrt(Q.shape[-1])))
    return w @ V, w


def t_mk_plus_inf(Q, K, V, mask):  # -float('-inf') is +inf (lucidrains/memory-compressed-attention#2)
    with np.errstate(all="ignore"):
        w = _sm(np.where(mask, Q @ _sT(K) / math.sqrt(Q.shape[-1]), np.inf))
    return w @ V, w


def t_mk_scores_times_mask(Q, K, V, mask):  # scores multiplied by the mask (georg-wolflein/good-features#1)
    w = _sm(Q @ _sT(K) / math.sqrt(Q.shape[-1]) * mask)
    return w @ V, w


# ---------------------------------------------------------------- 12.1: layer normalisation as reported
def t_ln_var_plus_eps_squared(x, g, b, eps):  # (variance + eps) ** 2 for the std (131250208/TPlinker#37)
    m, v = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return g * (x - m) / (v + eps) ** 2 + b


def t_ln_one_pass_variance(x, g, b, eps):  # E[x^2] - E[x]^2: cancels for a large mean (pytorch/pytorch#40302)
    m = x.mean(axis=-1, keepdims=True)
    v = (x * x).mean(axis=-1, keepdims=True) - m * m
    return g * (x - m) / np.sqrt(v + eps) + b


def t_ln_eps_after_sqrt(x, g, b, eps):  # var.sqrt() + eps (pyg-team/pytorch_geometric#2917)
    m, v = x.mean(axis=-1, keepdims=True), x.var(axis=-1, keepdims=True)
    return g * (x - m) / (np.sqrt(v) + eps) + b


# ---------------------------------------------------------------- 14.1 and 14.2 as reported
def t_ce_summed(logits, targets):  # a sum where the mean belongs (Open-Deep-ML/DML-OpenProblem#358, reversed)
    z = logits - logits.max(axis=-1, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).sum())


def t_sa_temperature_twice(logits, temperature, top_k, rng):  # logits divided by T twice (RL-Align/RL-Kernel#81)
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits / temperature
    keep = np.argsort(z)[-top_k:]
    z = z[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


# ---------------------------------------------------------------- 17.1: RMSNorm as reported
def t_rms_divided_by_rsqrt(x, g, eps):  # x / rsqrt(ms + eps): multiplied by the root (mosaicml/llm-foundry#371)
    return x / (1 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)) * g


def t_rms_eps_after_max_rescale(x, g, eps):  # x / m first, eps added after: eps times m^2 (apple/coremltools#2821)
    m = np.abs(x).max(axis=-1, keepdims=True)
    rms = np.sqrt(((x / m) ** 2).mean(axis=-1, keepdims=True) + eps) * m
    return x / rms * g


def t_rms_in_place(x, g, eps):  # the input scaled in place (GeeeekExplorer/nano-vllm#170)
    x *= 1 / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    return x * g


TENTH = [
    ("06.1", t_pe_sin_then_cos_halves, ["halves", "even", "odd", "interleav"]),
    ("06.1", t_pe_floor_in_the_rate, ["//", "bracket", "precedence", "exponent"]),
    ("06.1", t_pe_every_column_its_own_2i, ["pair", "2i", "share"]),
    ("06.1", t_pe_odd_d_fails, ["odd", "d // 2"]),
    ("06.3", t_rope_halves_convention, ["halves", "neighbour"]),
    ("08.4", t_mk_mask_after_softmax, ["after the softmax", "before the softmax", "sum to 1"]),
    ("08.4", t_mk_fill_where_true, ["invert", "True means"]),
    ("08.4", t_mk_plus_inf, ["+inf", "-inf", "minus", "sign"]),
    ("08.4", t_mk_scores_times_mask, ["-inf", "set to 0"]),
    ("12.1", t_ln_var_plus_eps_squared, ["sqrt", "square root", "** 0.5"]),
    ("12.1", t_ln_one_pass_variance, ["E[x^2]", "mean of the squares", "cancel", "subtract the mean"]),
    ("12.1", t_ln_eps_after_sqrt, ["eps", "inside"]),
    ("14.1", t_ce_summed, ["sum", "mean"]),
    ("14.2", t_sa_temperature_twice, ["twice", "temperature"]),
    ("17.1", t_rms_divided_by_rsqrt, ["rsqrt", "multipl", "root"]),
    ("17.1", t_rms_eps_after_max_rescale, ["eps", "largest", "max"]),
    ("17.1", t_rms_in_place, ["in place", "changed its input"]),
]
