"""The math a transformer block adds around attention: layer normalisation and GELU.

MiniLM's encoder (notebooks 11 and 12) and the exercise checkers use them; neither needs the model to.
"""

from __future__ import annotations

import math

import numpy as np

# Numerical Recipes' erfc(z) = t exp(-z^2 + P(t)) with t = 1 / (1 + z/2), P's coefficients from t^0 up
_ERFC_COEFFICIENTS = (
    -1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806,
    0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277,
)  # fmt: skip


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    """Normalise each row to mean 0 and variance 1, then scale and shift. (..., d) -> (..., d)

    Introduced in notebook 12.
    """
    d = np.shape(x)[-1]
    if np.shape(gamma) != (d,) or np.shape(beta) != (d,):
        raise ValueError(
            f"gamma and beta must be ({d},) for x of shape {np.shape(x)}, got {np.shape(gamma)} and {np.shape(beta)}."
        )
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + x.dtype.type(eps)) * gamma + beta


def erf(x: np.ndarray) -> np.ndarray:
    """The error function to about 1.2e-7 (Numerical Recipes' erfc), elementwise. (...) -> (...)"""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = np.zeros_like(t)
    for c in reversed(_ERFC_COEFFICIENTS):  # Horner's rule
        poly = poly * t + c
    r = 1.0 - t * np.exp(-z * z + poly)
    return np.where(x >= 0, r, -r).astype(x.dtype, copy=False)


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x). (...) -> (...)

    Introduced in notebook 12.
    """
    return 0.5 * x * (1.0 + erf(x / x.dtype.type(math.sqrt(2.0))))
