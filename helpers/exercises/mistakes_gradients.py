"""More named mistakes for the implement-its of notebooks 10 and 12 (the backward passes and layer normalisation),
found by trying realistic wrong answers: each function computes what one wrong version returns, and its docstring is
the hint the learner reads. Notebook 13's online update has its own module, mistakes_online."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax


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


def _minus_p(P, dP):
    """that subtracts P itself; the term subtracted is the row's sum of dP * P, np.sum(dP * P, axis=-1,
    keepdims=True)."""
    return (P * (dP - P),)


def _softmax_of_p(P, dP):
    """that takes the softmax of P again: P is already the softmax's output; use it as it is, P * (dP - sum(dP * P,
    axis=-1, keepdims=True))."""
    S = softmax(P)
    return (S * (dP - np.sum(dP * S, axis=-1, keepdims=True)),)


def _sum_of_dp_squared(P, dP):
    """the term subtracted sums dP * dP; it is the row's sum of dP * P, np.sum(dP * P, axis=-1, keepdims=True)."""
    return (P * (dP - np.sum(dP * dP, axis=-1, keepdims=True)),)


def _one_minus_p(P, dP):
    """that is dP * (1 - P): the softmax's backward pass multiplies by P, and subtracts the row's sum,
    dS = P * (dP - sum(dP * P, axis=-1, keepdims=True))."""
    return (dP * (1 - P),)


def _plus_sum(P, dP):
    """the row's sum is added; it is subtracted: dS = P * (dP - sum(dP * P, axis=-1, keepdims=True))."""
    return (P * (dP + np.sum(dP * P, axis=-1, keepdims=True)),)


def _mean_of_dp(P, dP):
    """the term subtracted is the plain mean of dP; it is the sum of P * dP over the row (dP weighted by the softmax):
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True))."""
    return (P * (dP - dP.mean(axis=-1, keepdims=True)),)


def _log_softmax_backward(P, dP):
    """that is the log-softmax's backward pass, dP - P * sum(dP); the softmax's weighs dP by P:
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True))."""
    return (dP - P * dP.sum(axis=-1, keepdims=True),)


SOFTMAX_BACKWARD = [
    _log_softmax_backward,
    _mean_of_dp,
    _plus_sum,
    _one_minus_p,
    _sum_of_dp_squared,
    _softmax_of_p,
    _minus_p,
    _mean_not_sum,
    _diagonal_only,
    _p_on_the_sum_only,
]


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


def _backward_dk_through_keys(Q, K, V, dO):
    """dK goes through the keys (dS^T K); the scores are Q K^T, so dK = dS^T Q * scale."""
    P, dS, s = _parts(Q, K, V, dO)
    return dS @ K * s, _swap(dS) @ K * s, _swap(P) @ dO


def _backward_dp_as_ds(Q, K, V, dO):
    """dQ and dK are made from dP itself: the softmax's backward pass is missing, dS = P * (dP - sum(P * dP, axis=-1,
    keepdims=True)), and the scale 1/sqrt(d_k) with it."""
    P = softmax(Q @ _swap(K) / math.sqrt(Q.shape[-1]))
    dP = dO @ _swap(V)
    return dP @ K, _swap(dP) @ Q, _swap(P) @ dO


def _backward_dq_from_transposed(Q, K, V, dO):
    """dQ: S = Q K^T, so dQ = dS K (dS as it is), not dS^T K; it is dK that takes dS transposed."""
    P = softmax(Q @ _swap(K) / math.sqrt(Q.shape[-1]))
    dP = dO @ _swap(V)
    dS = P * (dP - (P * dP).sum(axis=-1, keepdims=True)) / math.sqrt(Q.shape[-1])
    return _swap(dS) @ K, _swap(dS) @ Q, _swap(P) @ dO


BACKWARD = [
    _backward_dq_from_transposed,
    _backward_dp_as_ds,
    _backward_dk_through_keys,
    _backward_scaled_twice,
    _backward_forward_unscaled,
    _backward_softmax_over_queries,
    _backward_diagonal,
    _backward_dq_through_values,
]


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
def _variance_squared(x, g, b, eps):
    """the variance plus eps is squared, (var + eps) ** 2; divide by its square root, np.sqrt(var + eps)."""
    c = x - x.mean(axis=-1, keepdims=True)
    return (g * c / (x.var(axis=-1, keepdims=True) + eps) ** 2 + b,)


def _one_pass_variance(x, g, b, eps):
    """the variance as mean(x**2) - mean(x)**2: the two cancel when the mean is large (a row near 1e8 keeps no
    digits of its variance). Subtract the mean first: ((x - mean) ** 2).mean(axis=-1, keepdims=True)."""
    m = x.mean(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        return (g * (x - m) / np.sqrt((x * x).mean(axis=-1, keepdims=True) - m * m + eps) + b,)


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


def _beta_before_gamma(x, g, b, eps):
    """beta is added before gamma multiplies: normalise, multiply by gamma, then add beta."""
    return ((_normalised(x, eps) + b) * g,)


def _median(x, g, b, eps):
    """that centres each row on its median: subtract the mean, x.mean(axis=-1, keepdims=True)."""
    c = x - np.median(x, axis=-1, keepdims=True)
    return (c / np.sqrt(np.mean(c**2, axis=-1, keepdims=True) + eps) * g + b,)


def _no_eps(x, g, b, eps):
    """eps is missing: divide by sqrt(variance + eps), which keeps a row of equal values (variance 0) from giving
    0/0 = NaN."""
    with np.errstate(all="ignore"):
        return (_normalised(x, 0.0) * g + b,)


def _variance_not_centred(x, g, b, eps):
    """the variance is the mean of x**2, not of (x - mean)**2: use the centred values for it too,
    x.var(axis=-1, keepdims=True)."""
    c = x - x.mean(-1, keepdims=True)
    return (c / np.sqrt(np.mean(x**2, axis=-1, keepdims=True) + eps) * g + b,)


def _by_max_abs(x, g, b, eps):
    """that divides by the row's largest |x - mean|; LayerNorm divides by the standard deviation, sqrt(variance +
    eps)."""
    c = x - x.mean(-1, keepdims=True)
    return (c / (np.abs(c).max(axis=-1, keepdims=True) + eps) * g + b,)


def _eps_after_normalising(x, g, b, eps):
    """eps is added after normalising; it goes inside the square root, (x - mean) / sqrt(variance + eps), which
    keeps a row of equal values from giving 0/0."""
    c = x - x.mean(-1, keepdims=True)
    with np.errstate(all="ignore"):
        return ((c / np.sqrt(np.mean(c**2, axis=-1, keepdims=True)) + eps) * g + b,)


def _mean_of_whole_array(x, g, b, eps):
    """the mean subtracted is the whole array's: subtract each row's own mean, x.mean(axis=-1, keepdims=True)."""
    return ((x - x.mean()) / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g + b,)


def _mean_abs_deviation(x, g, b, eps):
    """that divides by the mean |x - mean|; LayerNorm divides by the standard deviation, sqrt(variance + eps)."""
    c = x - x.mean(-1, keepdims=True)
    return (c / (np.abs(c).mean(axis=-1, keepdims=True) + eps) * g + b,)


def _gamma_first(x, g, b, eps):
    """gamma multiplies before normalising, so normalising undoes it: normalise each row, then multiply by gamma and
    add beta."""
    y = x * g
    return ((y - y.mean(-1, keepdims=True)) / np.sqrt(y.var(-1, keepdims=True) + eps) + b,)


LAYER_NORM = [
    _variance_squared,
    _one_pass_variance,
    _gamma_first,
    _mean_abs_deviation,
    _eps_after_normalising,
    _mean_of_whole_array,
    _variance_not_centred,
    _by_max_abs,
    _no_eps,
    _median,
    _beta_before_gamma,
    _eps_after_root,
    _not_centred,
    _gamma_beta_swapped,
    _no_beta,
]
LAYER_NORM += [_no_gamma, _whole_array]
