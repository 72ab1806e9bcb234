"""More named mistakes for the implement-its of notebook 17 (RMSNorm and SwiGLU), found by trying realistic wrong
answers: each function computes what one wrong version returns, and its docstring is the hint the learner reads."""

from __future__ import annotations

import math

import numpy as np

from ..layers import silu


# ---------------------------------------------------------------- 17.1 RMSNorm
def _rms(x, eps, axis=-1):
    return np.sqrt((x * x).mean(axis=axis, keepdims=True) + eps)


def _rms_eps_after_root(x, g, eps):
    """eps is added after the square root: it goes inside, sqrt(mean(x**2) + eps)."""
    return (x / (np.sqrt((x * x).mean(axis=-1, keepdims=True)) + eps) * g,)


def _rms_mean_abs(x, g, eps):
    """that divides by the mean of |x|; RMSNorm divides by the root of the mean of the squares, sqrt(mean(x**2) +
    eps)."""
    return (x / (np.abs(x).mean(axis=-1, keepdims=True) + eps) * g,)


def _rms_std(x, g, eps):
    """that divides by the standard deviation (np.var subtracts the mean); RMSNorm takes the mean of x**2 itself,
    sqrt(mean(x**2) + eps)."""
    return (x / np.sqrt(x.var(axis=-1, keepdims=True) + eps) * g,)


def _rms_whole_array(x, g, eps):
    """one root mean square for the whole array: each row (each token) is normalised on its own (axis=-1,
    keepdims=True)."""
    return (x / _rms(x, eps, axis=None) * g,)


def _rms_no_gain(x, g, eps):
    """the gain is missing: multiply the normalised row by gain."""
    return (x / _rms(x, eps),)


def _rms_gain_plus_one(x, g, eps):
    """that multiplies by 1 + gain (Gemma's convention); SmolLM2's RMSNorm multiplies by the gain itself."""
    return (x / _rms(x, eps) * (1 + g),)


def _rms_multiplied(x, g, eps):
    """that multiplies by the root mean square; divide by it: x / sqrt(mean(x**2) + eps) * gain."""
    return (x * _rms(x, eps) * g,)


def _rms_norm_of_row(x, g, eps):
    """that divides by the row's length (its norm, the root of the sum of squares); RMSNorm takes the mean of the
    squares, which is the norm / sqrt(d)."""
    return (x / (np.linalg.norm(x, axis=-1, keepdims=True) + eps) * g,)


def _rms_gain_added(x, g, eps):
    """the gain is added; it multiplies: x / sqrt(mean(x**2) + eps) * gain."""
    return (x / _rms(x, eps) + g,)


def _rms_gain_inside(x, g, eps):
    """the gain multiplies x before the root mean square is taken, so normalising undoes it: divide x by its own root
    mean square, then multiply by the gain."""
    return (x / _rms(x * g, eps),)


def _rms_gain_divides(x, g, eps):
    """the gain divides: multiply the normalised row by the gain, x / sqrt(mean(x**2) + eps) * g."""
    return (x / _rms(x, eps) / g,)


def _rms_unbiased(x, g, eps):
    """that divides the sum of squares by d - 1; RMSNorm takes the mean, (x**2).mean(axis=-1, keepdims=True)."""
    d = x.shape[-1]
    return (x / np.sqrt((x * x).sum(axis=-1, keepdims=True) / max(d - 1, 1) + eps) * g,)


def _rms_mean_abs_squared(x, g, eps):
    """that is the mean of |x|, squared; RMSNorm takes the mean of the squares, sqrt(mean(x**2) + eps)."""
    return (x / np.sqrt(np.abs(x).mean(axis=-1, keepdims=True) ** 2 + eps) * g,)


def _rms_eps_scaled_by_max(x, g, eps):
    """eps is added after x is divided by its largest |x|, which multiplies eps by max|x| ** 2: add eps to the mean
    square of x itself, sqrt(mean(x**2) + eps)."""
    m = np.abs(x).max(axis=-1, keepdims=True)
    return (x / (np.sqrt(((x / m) ** 2).mean(axis=-1, keepdims=True) + eps) * m) * g,)


def _rms_max_abs(x, g, eps):
    """that divides by the row's largest |x|; RMSNorm divides by the root of the mean square, sqrt(mean(x**2) +
    eps)."""
    return (x / (np.abs(x).max(axis=-1, keepdims=True) + eps) * g,)


def _rms_float16(x, g, eps):
    """that computes in float16, which keeps about 3 significant digits: compute in the input's own dtype."""
    h = x.astype(np.float16)
    with np.errstate(all="ignore"):
        return ((h / np.sqrt((h * h).mean(axis=-1, keepdims=True) + eps) * g).astype(x.dtype),)


RMS_NORM = [
    _rms_eps_scaled_by_max,
    _rms_max_abs,
    _rms_float16,
    _rms_unbiased,
    _rms_mean_abs_squared,
    _rms_gain_divides,
    _rms_gain_inside,
    _rms_gain_added,
    _rms_eps_after_root,
    _rms_mean_abs,
    _rms_std,
    _rms_whole_array,
    _rms_no_gain,
    _rms_gain_plus_one,
    _rms_multiplied,
    _rms_norm_of_row,
]


# ---------------------------------------------------------------- 17.2 SwiGLU
def _ffn(x, Wg, Wu, Wd, act=silu, up=lambda u: u, combine=np.multiply):
    return (combine(act(x @ Wg), up(x @ Wu)) @ Wd,)


def _relu_gate(x, Wg, Wu, Wd):
    """that is ReLU; Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: np.maximum(z, 0))


def _gelu_tanh_gate(x, Wg, Wu, Wd):
    """that is GELU (its tanh form); Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))))


def _tanh_gate(x, Wg, Wu, Wd):
    """that is tanh; Llama's gate uses SiLU, x * sigmoid(x) = x / (1 + exp(-x))."""
    return _ffn(x, Wg, Wu, Wd, act=np.tanh)


def _silu_on_up_too(x, Wg, Wu, Wd):
    """SiLU is applied to the up projection too; only the gate goes through SiLU, and x @ W_up is multiplied in as
    it is."""
    return _ffn(x, Wg, Wu, Wd, up=silu)


def _added(x, Wg, Wu, Wd):
    """the gate and the up projection are added; they are multiplied, elementwise: silu(x @ W_gate) * (x @ W_up)."""
    return _ffn(x, Wg, Wu, Wd, combine=np.add)


def _no_down(x, Wg, Wu, Wd):
    """W_down is missing: the product silu(x @ W_gate) * (x @ W_up) has f features; W_down brings it back to d."""
    return (silu(x @ Wg) * (x @ Wu),)


def _silu_last(x, Wg, Wu, Wd):
    """SiLU comes last, after W_down; it goes on the gate alone: (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    return (silu(((x @ Wg) * (x @ Wu)) @ Wd),)


def _silu_sign(x, Wg, Wu, Wd):
    """the sign in the sigmoid is flipped: SiLU is x / (1 + exp(-x)), with exp(-x)."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: z / (1 + np.exp(z)))


def _with_residual(x, Wg, Wu, Wd):
    """that adds x (the residual connection); the block adds it, not the feed-forward network: return only
    (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    return (x + _ffn(x, Wg, Wu, Wd)[0],)


def _down_on_each(x, Wg, Wu, Wd):
    """W_down is applied to the gate and to the up projection apart, then multiplied; it comes once, after their
    product: (silu(x @ W_gate) * (x @ W_up)) @ W_down."""
    return ((silu(x @ Wg) @ Wd) * ((x @ Wu) @ Wd),)


def _silu_on_x(x, Wg, Wu, Wd):
    """SiLU is applied to x before W_gate; it goes on the gate's output, silu(x @ W_gate)."""
    return (((silu(x) @ Wg) * (x @ Wu)) @ Wd,)


def _gate_twice(x, Wg, Wu, Wd):
    """the gate multiplies itself: the product is silu(x @ W_gate) * (x @ W_up), the up projection with W_up."""
    z = x @ Wg
    return ((silu(z) * z) @ Wd,)


def _tanh_for_sigmoid(x, Wg, Wu, Wd):
    """that is z * tanh(z); SiLU is z * sigmoid(z) = z / (1 + exp(-z))."""
    return _ffn(x, Wg, Wu, Wd, act=lambda z: z * np.tanh(z))


SWIGLU = [
    _tanh_for_sigmoid,
    _gate_twice,
    _down_on_each,
    _silu_on_x,
    _relu_gate,
    _gelu_tanh_gate,
    _tanh_gate,
    _silu_on_up_too,
    _added,
    _no_down,
    _silu_last,
    _silu_sign,
    _with_residual,
]
