"""Implement-it checkers of a real language model (notebook 17): RMSNorm and the SwiGLU feed-forward network; and the
size of SmolLM2's cache per token. Each names the known mistakes."""

from __future__ import annotations

import numpy as np

from ..layers import gelu, rms_norm, silu, swiglu
from . import mistakes_llm as more
from .learner import case_rng, check_function
from .registry import exercise, routine


# ---------------------------------------------------------------- RMSNorm
def _rms_norm_cases() -> list:
    r = case_rng(17, 1)
    float32 = (r.normal(size=(4, 6)), r.normal(size=6))
    return [
        (r.normal(2.0, 3.0, size=(3, 8)), r.normal(size=8), 1e-5),  # rows with a mean far from 0
        (r.normal(size=(2, 3, 5)), r.uniform(0.5, 2.0, size=5), 1e-6),  # batch axes
        (np.full((2, 4), 1e-3) * r.normal(size=(2, 4)), np.ones(4), 1e-5),  # tiny rows: eps matters
        (*(a.astype(np.float32) for a in float32), 1e-5),
    ]


def _mean_removed(x, g, eps):
    """that subtracts each row's mean, as LayerNorm does; RMSNorm only divides by the root mean square,
    sqrt(mean(x**2) + eps), and keeps the mean."""
    c = x - x.mean(axis=-1, keepdims=True)
    return (c / np.sqrt((c * c).mean(axis=-1, keepdims=True) + eps) * g,)


def _no_eps(x, g, eps):
    """eps is missing: add it under the square root, sqrt(mean(x**2) + eps). Without it a row of tiny numbers is
    blown up far too much (and a row of zeros gives 0/0)."""
    with np.errstate(all="ignore"):
        return (x / np.sqrt((x * x).mean(axis=-1, keepdims=True)) * g,)


def _gain_first(x, g, eps):
    """the gain multiplies before normalising, so normalising undoes part of it: divide x by its root mean square
    first, then multiply by the gain."""
    y = x * g
    return (y / np.sqrt((y * y).mean(axis=-1, keepdims=True) + eps),)


def _no_square_root(x, g, eps):
    """divide by the root mean square, sqrt(mean(x**2) + eps), not by the mean square itself."""
    return (x / ((x * x).mean(axis=-1, keepdims=True) + eps) * g,)


def _sum_not_mean(x, g, eps):
    """that divides by the root of the sum of squares; RMSNorm takes their mean over the row's d features."""
    return (x / np.sqrt((x * x).sum(axis=-1, keepdims=True) + eps) * g,)


def _down_the_columns(x, g, eps):
    """the mean runs down the columns: each token's row (its features, the last axis) is normalised on its own."""
    return (x / np.sqrt((x * x).mean(axis=0, keepdims=True) + eps) * g,)


RMS_NORM_MISTAKES = [_mean_removed, _no_eps, _gain_first, _no_square_root, _sum_not_mean, _down_the_columns]


@exercise("17.1", writes="`my_rms_norm(x, gain, eps)`: each row divided by its root mean square, then `gain`")
def check_rms_norm(fn) -> tuple:
    """my_rms_norm(x, gain, eps): x / sqrt(mean(x**2 over the row) + eps) * gain."""
    cases, reference = _rms_norm_cases(), lambda x, g, eps: (rms_norm(x, g, eps),)
    what, covers = "my_rms_norm(x, gain, eps)", "rows far from mean 0, a batch, tiny rows, float32"
    return check_function(fn, cases, reference, RMS_NORM_MISTAKES + more.RMS_NORM, what, covers, tol=1e-5)


# ---------------------------------------------------------------- SwiGLU
def _swiglu_cases() -> list:
    r = case_rng(17, 2)
    d, f = 6, 10
    weights = lambda s: (r.normal(0, s, (d, f)), r.normal(0, s, (d, f)), r.normal(0, s, (f, d)))  # noqa: E731
    float32 = (r.normal(size=(3, d)), *weights(0.5))
    return [
        (r.normal(size=(4, d)), *weights(0.5)),
        (r.normal(size=(2, 3, d)), *weights(1.0)),  # batch axes
        (3 * r.normal(size=(2, d)), *weights(2.0)),  # large pre-activations: SiLU and GELU differ more
        tuple(a.astype(np.float32) for a in float32),
    ]


def _swapped(x, Wg, Wu, Wd):
    """the gate and the up projection are swapped: SiLU goes on x @ W_gate (the gate), and x @ W_up is
    multiplied in as it is."""
    return (swiglu(x, Wu, Wg, Wd),)


def _gelu(x, Wg, Wu, Wd):
    """that is GELU; Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return ((gelu(x @ Wg) * (x @ Wu)) @ Wd,)


def _sigmoid(x, Wg, Wu, Wd):
    """that is the sigmoid; SiLU is x times the sigmoid: x / (1 + exp(-x))."""
    g = x @ Wg
    return ((1 / (1 + np.exp(-g)) * (x @ Wu)) @ Wd,)


def _product_first(x, Wg, Wu, Wd):
    """the activation comes after the product: apply SiLU to the gate alone, silu(x @ W_gate), then multiply by
    x @ W_up."""
    return (silu((x @ Wg) * (x @ Wu)) @ Wd,)


def _no_gate(x, Wg, Wu, Wd):
    """the gate is missing: multiply silu(x @ W_gate) by the up projection x @ W_up, elementwise."""
    return (silu(x @ Wg) @ Wd,)


SWIGLU_MISTAKES = [_swapped, _gelu, _sigmoid, _product_first, _no_gate]


@exercise("17.2", writes="`my_swiglu(x, W_gate, W_up, W_down)`: Llama's gated feed-forward network")
def check_swiglu(fn) -> tuple:
    """my_swiglu(x, W_gate, W_up, W_down): (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    what, covers = "my_swiglu(x, W_gate, W_up, W_down)", "rows, a batch, large pre-activations, float32"
    return check_function(
        fn, _swiglu_cases(), lambda *a: (swiglu(*a),), SWIGLU_MISTAKES + more.SWIGLU, what, covers, tol=1e-5
    )


# ---------------------------------------------------------------- the cache per token
_SMOLLM2 = {"n_layers": 30, "n_kv_heads": 3, "d_head": 64, "n_heads": 9}  # the sizes its file's metadata holds
routine(
    "17.3",
    "number",
    lambda: 2 * _SMOLLM2["n_layers"] * _SMOLLM2["n_kv_heads"] * _SMOLLM2["d_head"] * 4,
    "{want:,} bytes: 2 (keys and values) x 30 layers x 3 key/value heads x 64 x 4 bytes.",
    "2 * n_layers * n_kv_heads * d_head * 4 bytes (float32) for each token the cache holds.",
    mistakes=lambda want: [
        (want / 2, "half the answer: the cache holds keys and values (times 2), each a float32 of 4 bytes."),
        (want * 3, "the cache holds the 3 key/value heads, not the 9 query heads: grouped-query attention."),
        (want / 4, "that counts numbers, not bytes: each float32 takes 4 bytes."),
    ],
    atol=0.5,
)
