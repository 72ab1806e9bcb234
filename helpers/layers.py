"""The math a transformer block adds around attention: layer normalisation, GELU, and the loss of a language model.

MiniLM's encoder (notebooks 11 and 12), the tiny GPT (notebook 14) and the exercise checkers use them; SmolLM2
(notebook 17) uses RMS normalisation and the SwiGLU feed-forward network instead.
"""

from __future__ import annotations

import math

import numpy as np

from .checks import as_float_array, check_positive

# Numerical Recipes' erfc(z) = t exp(-z^2 + P(t)) with t = 1 / (1 + z/2), P's coefficients from t^0 up
_ERFC_COEFFICIENTS = (
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
)  # fmt: skip


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Normalise each row to mean 0 and variance 1, then scale and shift. (..., d) -> (..., d)

    Introduced in notebook 12.
    """
    x = as_float_array(x, "x", min_ndim=1)  # ints become floats: eps is never rounded to 0
    d = x.shape[-1]
    if np.shape(gamma) != (d,) or np.shape(beta) != (d,):
        raise ValueError(
            f"gamma and beta must be ({d},) for x of shape {np.shape(x)}, got {np.shape(gamma)} and {np.shape(beta)}."
        )
    gamma, beta = as_float_array(gamma, "gamma"), as_float_array(beta, "beta")
    eps = check_positive(eps, "eps")
    centred = x - x.mean(axis=-1, keepdims=True)
    with np.errstate(over="ignore"):
        var = (centred**2).mean(axis=-1, keepdims=True)
    if not np.isfinite(var).all():  # rows so large (1e200) that their squares overflow: the same, scaled first
        top = np.abs(centred).max(axis=-1, keepdims=True)
        top = np.where(top > 0, top, 1)
        centred = centred / top
        var, eps = (centred**2).mean(axis=-1, keepdims=True), eps / top / top  # eps / top**2, which underflows
    return centred / np.sqrt(var + eps) * gamma + beta


def rms_norm(x: np.ndarray, gain: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Divide each row by its root mean square, then scale: no mean removed, no shift. (..., d) -> (..., d)

    Introduced in notebook 17 (Llama's normalisation; Zhang and Sennrich, 2019).
    """
    x = as_float_array(x, "x", min_ndim=1)
    d = x.shape[-1]
    if np.shape(gain) != (d,):
        raise ValueError(f"gain must be ({d},) for x of shape {x.shape}, got {np.shape(gain)}.")
    eps = check_positive(eps, "eps")
    x64 = x.astype(np.float64, copy=False)  # float32's squares overflow past 1.8e19
    ms = (x64 * x64).mean(axis=-1, keepdims=True)
    return (x64 / np.sqrt(ms + eps)).astype(x.dtype, copy=False) * gain


def silu(x: np.ndarray) -> np.ndarray:
    """SiLU (swish), x * sigmoid(x) = x / (1 + exp(-x)), elementwise. (...) -> (...)

    Introduced in notebook 17.
    """
    x = as_float_array(x, "x", min_ndim=0)
    with np.errstate(over="ignore"):  # exp(large) = inf gives x / inf = 0: SiLU's limit for very negative x
        return x / (1 + np.exp(-x))


def swiglu(x: np.ndarray, W_gate: np.ndarray, W_up: np.ndarray, W_down: np.ndarray) -> np.ndarray:
    """The gated feed-forward network of Llama: (silu(x W_gate) * (x W_up)) W_down. (..., d), (d, f), (d, f), (f, d)
    -> (..., d)

    Introduced in notebook 17 (Shazeer, 2020).
    """
    x = as_float_array(x, "x", min_ndim=1)
    d = x.shape[-1]
    if np.shape(W_gate) != np.shape(W_up) or np.ndim(W_gate) != 2 or np.shape(W_gate)[0] != d:
        raise ValueError(f"W_gate and W_up must both be ({d}, f), got {np.shape(W_gate)} and {np.shape(W_up)}.")
    if np.shape(W_down) != (np.shape(W_gate)[1], d):
        raise ValueError(f"W_down must be ({np.shape(W_gate)[1]}, {d}), got {np.shape(W_down)}.")
    return (silu(x @ W_gate) * (x @ W_up)) @ W_down


def erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1.2e-7 (Numerical Recipes' erfc), elementwise. (...) -> (...)"""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.zeros_like(t)
    for c in reversed(_ERFC_COEFFICIENTS):  # Horner's rule
        poly = poly * t + c
    r = 1.0 - t * np.exp(-z * z + poly)
    return np.where(x >= 0, r, -r).astype(x.dtype, copy=False)


def gelu(x: np.ndarray, approximate: bool = False) -> np.ndarray:
    """GELU, x * Phi(x): exact (BERT's), or GPT-2's tanh approximation. (...) -> (...)

    Introduced in notebook 12; the approximation in notebook 14.
    """
    if not isinstance(approximate, (bool, np.bool_)):
        raise TypeError(f"approximate must be True or False, got {approximate!r}.")
    x = as_float_array(x, "x", min_ndim=0)  # an int array would turn sqrt(2) into 1
    if approximate:
        z = x.dtype.type(math.sqrt(2.0 / math.pi)) * x * (1 + x.dtype.type(0.044715) * x * x)
        with np.errstate(over="ignore"):  # exp(large) = inf gives x / inf = 0: GELU's limit for very negative x
            return x / (1 + np.exp(-2 * z))  # = 0.5 x (1 + tanh(z)), with exp, which numpy computes faster than tanh
    return 0.5 * x * (1.0 + erf(x / x.dtype.type(math.sqrt(2.0))))


def log_softmax(logits) -> np.ndarray:
    """log(softmax(logits)) along the last axis, stable: logits - max - log(sum(exp(logits - max))). (..., V) -> (...,
    V)

    Introduced in notebook 14.
    """
    z = as_float_array(logits, "logits", min_ndim=1)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def cross_entropy(logits, targets) -> float:
    """The mean of -log p(target) in nats, p = softmax(logits) at each position. (..., V), (...) -> float

    Introduced in notebook 14.
    """
    logp = log_softmax(logits)
    t = check_targets(targets, logp.shape)
    return float(-np.take_along_axis(logp, t[..., None], axis=-1).mean())


def check_targets(targets, logits_shape: tuple) -> np.ndarray:
    """Token ids, one per position of the logits, each in the vocabulary, else a clear error. (...) -> (...)"""
    t = np.asarray(targets)
    if t.dtype.kind not in "iu" or t.shape != tuple(logits_shape[:-1]):
        raise ValueError(f"targets must be whole numbers of shape {tuple(logits_shape[:-1])}, got {t.dtype} {t.shape}.")
    if t.size and (t.min() < 0 or t.max() >= logits_shape[-1]):
        raise ValueError(
            f"targets must be token ids 0 to {logits_shape[-1] - 1}, got {int(t.min())} to {int(t.max())}."
        )
    return t
