"""Gradients written out by hand, each checked against finite differences in the tests: through attention
(notebook 10, where a previous-word head is trained with them) and through the other layers of a GPT
(notebook 14): LayerNorm, GELU and the cross-entropy loss.
"""

from __future__ import annotations

import math

import numpy as np

from .attention import _attend, softmax
from .checks import as_float_array, check_positive, check_qkv
from .layers import check_targets, erf


def attention_backward(Q, K, V, grad_out, mask=None, scale=None, weights=None):
    """Gradients of a loss through out = softmax(Q K^T * scale, masked) @ V, given d loss / d out.
    (..., n_q, d_k), (..., n_k, d_k), (..., n_k, d_v), (..., n_q, d_v) -> (dQ, dK, dV)

    Introduced in notebook 10. ``weights``: the forward pass's weights, if it kept them (else computed again).
    """
    Q, K, V = check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    if weights is None:
        _, P = _attend(Q, K, V, mask, s)  # the forward pass again: the weights, with the same checks and errors
    else:
        P = as_float_array(weights, "weights", min_ndim=2)
    dtype = P.dtype
    dO = as_float_array(grad_out, "grad_out", min_ndim=2).astype(dtype, copy=False)
    expected = np.broadcast_shapes(P.shape[:-1], V.shape[:-2] + (1,)) + (V.shape[-1],)
    if dO.shape != expected:
        raise ValueError(f"grad_out must have the output's shape {expected}, got {dO.shape}.")
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is reported just below
        dV = np.swapaxes(P, -1, -2) @ dO  # out = P V
        dP = dO @ np.swapaxes(V, -1, -2)
    if not (np.all(np.isfinite(dP)) and np.all(np.isfinite(dV))):
        raise ValueError("the gradients overflowed to inf: grad_out and V are too large for this dtype (scale down).")
    dS = softmax_backward(P, dP)
    dS *= dtype.type(s)  # S = Q K^T * scale; masked entries have P = 0, so dS = 0 there
    dQ = dS @ K
    dK = np.swapaxes(dS, -1, -2) @ Q
    return _sum_to(dQ, Q.shape), _sum_to(dK, K.shape), _sum_to(dV, V.shape)


def softmax_backward(P, dP) -> np.ndarray:
    """The gradient through a row-wise softmax: dS = P * (dP - sum(dP * P) over each row), from diag(p) - p p^T.
    (..., n), (..., n) -> (..., n)

    Introduced in notebook 10.
    """
    P = as_float_array(P, "P", min_ndim=1)
    dP = as_float_array(dP, "dP", min_ndim=1)
    if P.shape != dP.shape:
        raise ValueError(f"P and dP must have the same shape, got {P.shape} and {dP.shape}.")
    return P * (dP - np.sum(dP * P, axis=-1, keepdims=True))


def _sum_to(G: np.ndarray, shape: tuple) -> np.ndarray:
    """A gradient summed over the batch axes its input was broadcast along. (...) -> shape"""
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    axes = tuple(i for i, (g, s) in enumerate(zip(G.shape, shape)) if s == 1 and g != 1)
    return G.sum(axis=axes, keepdims=True) if axes else G


def layer_norm_backward(x, gamma, dy, eps: float = 1e-12) -> tuple:
    """The gradients through y = layer_norm(x, gamma, beta): for x, gamma and beta.
    (..., d), (d,), (..., d) -> ((..., d), (d,), (d,))

    Introduced in notebook 14.
    """
    x = as_float_array(x, "x", min_ndim=1)
    dy = as_float_array(dy, "dy", min_ndim=1)
    if dy.shape != x.shape or np.shape(gamma) != x.shape[-1:]:
        raise ValueError(
            f"dy must have x's shape {x.shape} and gamma ({x.shape[-1]},); got {dy.shape} and {np.shape(gamma)}."
        )
    gamma, eps = as_float_array(gamma, "gamma"), check_positive(eps, "eps")  # NaN gain, eps <= 0: refused
    mean = x.mean(axis=-1, keepdims=True)
    rstd = 1.0 / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + x.dtype.type(eps))
    xhat = (x - mean) * rstd  # the normalised rows
    d_xhat = dy * gamma
    # xhat's mean is 0 and its variance 1 whatever x was: two directions of d_xhat do not reach x
    dx = rstd * (d_xhat - d_xhat.mean(axis=-1, keepdims=True) - xhat * (d_xhat * xhat).mean(axis=-1, keepdims=True))
    d = x.shape[-1]
    return dx, (dy * xhat).reshape(-1, d).sum(axis=0), dy.reshape(-1, d).sum(axis=0)


def gelu_backward(x, dy, approximate: bool = False) -> np.ndarray:
    """The gradient through y = gelu(x): dy * gelu'(x), exact or of the tanh approximation. (...), (...) -> (...)

    Introduced in notebook 14.
    """
    x, dy = as_float_array(x, "x"), as_float_array(dy, "dy")
    if x.shape != dy.shape:
        raise ValueError(f"x and dy must have the same shape, got {x.shape} and {dy.shape}.")
    if not isinstance(approximate, (bool, np.bool_)):
        raise TypeError(f"approximate must be True or False, got {approximate!r}.")
    if approximate:
        c, k = x.dtype.type(math.sqrt(2.0 / math.pi)), x.dtype.type(0.044715)
        x2 = x * x
        with np.errstate(over="ignore"):  # exp(large) = inf: s = 0, the limit
            s = 1 / (1 + np.exp(-2 * c * x * (1 + k * x2)))  # y = x s, s = sigmoid(2z) = (1 + tanh(z)) / 2
        return dy * (s + 2 * x * s * (1 - s) * c * (1 + 3 * k * x2))
    pdf = np.exp(-0.5 * x * x) / x.dtype.type(math.sqrt(2 * math.pi))
    return dy * (0.5 * (1 + erf(x / x.dtype.type(math.sqrt(2.0)))) + x * pdf)


def cross_entropy_backward(logits, targets) -> np.ndarray:
    """The gradient of the mean cross-entropy for the logits: (softmax - one-hot) / count. (..., V), (...) -> (..., V)

    Introduced in notebook 14.
    """
    P = softmax(logits)
    t = check_targets(targets, P.shape)[..., None]
    np.put_along_axis(P, t, np.take_along_axis(P, t, axis=-1) - 1, axis=-1)  # softmax minus the one-hot target
    return P / (P.size // P.shape[-1])  # the mean over the positions
