"""Gradients through attention, written out by hand and checked against finite differences.

Introduced in notebook 10, where a previous-word head is trained with them.
"""

from __future__ import annotations

import numpy as np

from .attention import _attend
from .checks import as_float_array, check_positive, check_qkv


def attention_backward(Q, K, V, grad_out, mask=None, scale=None):
    """Gradients of a loss through out = softmax(Q K^T * scale, masked) @ V, given d loss / d out.
    (..., n_q, d_k), (..., n_k, d_k), (..., n_k, d_v), (..., n_q, d_v) -> (dQ, dK, dV)

    Introduced in notebook 10.
    """
    Q, K, V = check_qkv(Q, K, V)
    s = 1.0 / np.sqrt(Q.shape[-1]) if scale is None else check_positive(scale, "scale")
    _, P = _attend(Q, K, V, mask, s)  # the forward pass again: the weights, with the same checks and errors
    dtype = P.dtype
    dO = as_float_array(grad_out, "grad_out", min_ndim=2).astype(dtype, copy=False)
    expected = np.broadcast_shapes(P.shape[:-1], V.shape[:-2] + (1,)) + (V.shape[-1],)
    if dO.shape != expected:
        raise ValueError(f"grad_out must have the output's shape {expected}, got {dO.shape}.")
    dV = np.swapaxes(P, -1, -2) @ dO  # out = P V
    dP = dO @ np.swapaxes(V, -1, -2)
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
