"""A twelfth held-out set, like the tenth and eleventh: each wrong answer is modelled on a mistake someone else made and
reported in a public issue or pull request (named beside it), written again in numpy for this series' exercises, and
measured before any change made for it. Each is (exercise, function, words one of which names the mistake)."""

import math

import numpy as np

from tests.wrong_answers import _sm


# ---------------------------------------------------------------- 04.4: the softmax
def w_sm_max_with_zero(s):  # max(0, the row's max) subtracted: all-negative rows underflow (FluxML/NNlib.jl#43)
    e = np.exp(s - np.maximum(0.0, s.max(axis=-1, keepdims=True)))
    return e / e.sum(axis=-1, keepdims=True)


def w_sm_max_of_whole_array(s):  # the max of the whole 2-D array, not each row's (manassharma07/crysx_nn#7)
    e = np.exp(s - s.max())
    return e / e.sum(axis=-1, keepdims=True)


# ---------------------------------------------------------------- 10.1: the softmax's backward pass
def w_sb_missing_dot_product(P, dP):  # the sum(dP * P) term missing (HomericIntelligence/Odyssey#2134)
    return P * dP


# ---------------------------------------------------------------- 14.1: the cross-entropy
def w_ce_log_softmax_over_axis_0(logits, targets):  # log_softmax(output, 0): the batch axis (clcarwin/sphereface#24)
    z = logits - logits.max(axis=0, keepdims=True)
    lp = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
    return float(-np.take_along_axis(lp, targets[..., None], axis=-1).mean())


def w_ce_log_of_softmax(
    logits, targets
):  # log(softmax) written by hand: log(0) for a far logit (tensorflow/models#181)
    p = _sm(logits)
    with np.errstate(divide="ignore"):
        return float(-np.log(np.take_along_axis(p, targets[..., None], axis=-1)).mean())


def w_ce_one_hot_times_log(logits, targets):  # -sum(one_hot * log(softmax)): 0 * log(0) is NaN (OpenBMB/ModelCenter#14)
    p = _sm(logits)
    one_hot = np.eye(logits.shape[-1])[targets]
    with np.errstate(all="ignore"):
        return float(-(one_hot * np.log(p)).sum(axis=-1).mean())


# ---------------------------------------------------------------- 14.2: sampling
def w_sa_k_plus_one(logits, temperature, top_k, rng):  # > where >= belongs keeps k + 1 (mesh-transformer-jax#164)
    if temperature == 0:
        return int(np.argmax(logits))
    order = np.argsort(-logits)
    keep = order[np.arange(len(order)) <= top_k]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[rng.choice(len(keep), p=p / p.sum())])


# ---------------------------------------------------------------- 15.1: the cache
def w_ca_cache_reset(q, K_cache, V_cache, k_new, v_new):  # the past keys and values dropped (alex-hh/profam#168)
    K, V = k_new[None], v_new[None]
    w = _sm(K @ q / math.sqrt(len(q)))
    return w @ V, K, V


TWELFTH = [
    ("04.4", w_sm_max_with_zero, ["max(0", "underflow", "each row's own max", "negative"]),
    ("04.4", w_sm_max_of_whole_array, ["each row", "whole array", "one max"]),
    ("10.1", w_sb_missing_dot_product, ["sum", "diagonal"]),
    ("14.1", w_ce_log_softmax_over_axis_0, ["axis", "positions", "vocabulary"]),
    ("14.1", w_ce_log_of_softmax, ["log(0)", "underflow", "log-softmax"]),
    ("14.1", w_ce_one_hot_times_log, ["log(0)", "underflow", "log-softmax", "NaN"]),
    ("14.2", w_sa_k_plus_one, ["k + 1", "one too many"]),
    ("15.1", w_ca_cache_reset, ["cache", "earlier", "append"]),
]
