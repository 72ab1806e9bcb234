"""Input checks shared by the math: clear errors instead of silent NaNs."""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np


def as_float_array(x, name: str, min_ndim: int = 1, allow_neg_inf: bool = False) -> np.ndarray:
    """Any array-like -> float ndarray (float32 stays float32); raises on bad input. (...) -> (...)"""
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged lists and the like
            raise TypeError(f"{name} must be a numeric array; could not convert it ({exc}).") from None
    kind = arr.dtype.kind
    if kind == "b":
        raise TypeError(f"{name} must be numeric, got a boolean array; convert it with .astype(float).")
    if kind not in "iuf":
        raise TypeError(f"{name} must be a numeric (real) array, got dtype {arr.dtype}.")
    if kind in "iu":
        arr = arr.astype(np.float64)
    elif arr.dtype == np.float16:
        arr = arr.astype(np.float32)
    if arr.ndim < min_ndim:
        want = {1: "(n,)", 2: "(n, d)"}.get(min_ndim, f"at least {min_ndim} dimensions")
        raise ValueError(f"{name} must have shape {want}, got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): an empty sentence has nothing to attend to.")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = ~finite
        if allow_neg_inf:
            bad &= ~np.isneginf(arr)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"{name} contains {arr[where]} at index {where}; NaN and inf are not allowed"
                + (" (-inf is allowed: it means 'masked')." if allow_neg_inf else ".")
            )
    return arr


def check_positive(value, name: str) -> float:
    """A finite number > 0, else a clear error. () -> ()"""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value}.")
    return value


def check_positive_int(value, name: str) -> int:
    """A whole number >= 1, else a clear error. () -> ()"""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {value!r} ({type(value).__name__}).")
    if value < 1:
        raise ValueError(f"{name} must be at least 1, got {value}.")
    return int(value)


def check_index(value, low: int, high: int, name: str) -> int:
    """A whole number from low to high (both included), else a clear error. () -> int"""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number from {low} to {high}, got {value!r} ({type(value).__name__}).")
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}.")
    return int(value)


def check_seed(value, name: str = "seed") -> int:
    """A random seed: a whole number >= 0, else a clear error. () -> int"""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= 0, got {value!r} ({type(value).__name__}).")
    if value < 0:
        raise ValueError(f"{name} must be a whole number >= 0, got {value}.")
    return int(value)


def check_choice(value, choices, name: str):
    """One of the choices, else a clear error naming them. () -> the value"""
    choices = list(choices)
    if isinstance(value, bool) or not any(value == c for c in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}; got {value!r}.")
    return value


def check_bool(value, name: str) -> bool:
    """True or False (numpy's too), else a clear error: "no" is not a boolean. () -> bool"""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {value!r} ({type(value).__name__}).")
    return bool(value)


def check_axis(axis, ndim: int, name: str = "axis") -> int:
    """A whole-number axis in range for ndim dimensions, else a clear error. () -> ()"""
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name} must be a whole number, got {axis!r} ({type(axis).__name__}).")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name} {axis} is out of range for an array of {ndim} dimension(s).")
    return int(axis)


def overflow_error() -> ValueError:
    """The error for scores that overflowed to inf or NaN. () -> ValueError"""
    return ValueError(
        "the scores overflowed to inf or NaN; the inputs are too large for this dtype "
        "(try smaller values, float64, or a smaller scale)."
    )


def check_mask(mask, scores_shape: tuple) -> np.ndarray:
    """A boolean mask broadcastable to the scores, else a clear error. (...) -> (..., n_q, n_k)"""
    try:
        arr = np.asarray(mask)
    except (ValueError, TypeError):  # a ragged list
        raise TypeError(
            "mask must be a rectangular boolean array (True = may attend); its rows have different lengths."
        ) from None
    if arr.dtype != np.bool_:
        if arr.dtype.kind == "f" and np.isneginf(arr).any() and np.isin(arr[np.isfinite(arr)], (0.0,)).all():
            raise TypeError(
                "mask looks additive (0 = may attend, -inf = masked, as PyTorch's float attn_mask); "
                "this series uses boolean masks (True = may attend): convert it with np.isfinite(mask)."
            )
        raise TypeError(
            f"mask must be boolean (True = may attend, False = masked), got dtype {arr.dtype}; "
            "for a 0/1 mask (1 = may attend) use mask.astype(bool)."
        )
    try:
        return np.broadcast_to(arr, scores_shape)
    except ValueError:
        raise ValueError(
            f"mask of shape {arr.shape} cannot be broadcast to the scores' shape {scores_shape}."
        ) from None


def check_row_stochastic(weights, name: str = "weights") -> np.ndarray:
    """Weights that are >= 0 with rows summing to 1, else a clear error. (..., n_q, n_k) -> (..., n_q, n_k)"""
    P = as_float_array(weights, name, min_ndim=2)
    # float32's precision whatever the dtype: weights made in float32 and cast to float64 are still weights
    tol = 1e-6 + P.shape[-1] * float(np.finfo(np.float32).eps)
    if (P < 0).any():
        where = tuple(int(i) for i in np.argwhere(P < 0)[0])
        raise ValueError(f"{name} must be >= 0, but {name}{list(where)} = {P[where]:.4g}.")
    sums = P.sum(axis=-1)
    off = np.abs(sums - 1) > tol
    if off.any():
        where = tuple(int(i) for i in np.argwhere(off)[0])
        raise ValueError(
            f"every row of {name} must sum to 1, but row {list(where)} sums to {sums[where]:.10g}; "
            "normalise it (e.g. with softmax)."
        )
    return P


# ---------------------------------------------------------------- the inputs of attention
def check_qkv(Q, K, V):
    """Float arrays with matching sizes, else a clear error. (n_q, d_k), (n_k, d_k), (n_k, d_v) -> the same"""
    Q = as_float_array(Q, "Q", min_ndim=2)
    K = as_float_array(K, "K", min_ndim=2)
    V = as_float_array(V, "V", min_ndim=2)
    if Q.shape[-1] != K.shape[-1]:
        raise ValueError(f"Q and K must share d_k: Q is {Q.shape}, K is {K.shape}.")
    if K.shape[-2] != V.shape[-2]:
        raise ValueError(f"K and V must have the same number of keys n_k: K is {K.shape}, V is {V.shape}.")
    return Q, K, V


def check_projections(X, Ws, n_heads):
    """X (..., n, d_model), four (d_model, d_model) matrices and n_heads dividing d_model, else a clear error."""
    X = as_float_array(X, "X", min_ndim=2)
    d_model = X.shape[-1]
    n_heads = check_positive_int(n_heads, "n_heads")
    if d_model % n_heads:
        raise ValueError(
            f"d_model = {d_model} is not divisible by n_heads = {n_heads}: "
            f"each head needs d_head = d_model // n_heads features."
        )
    checked = {}
    for name, W in zip(("W_q", "W_k", "W_v", "W_o"), Ws):
        W = as_float_array(W, name, min_ndim=2)
        if W.shape != (d_model, d_model):
            raise ValueError(f"{name} must be (d_model, d_model) = ({d_model}, {d_model}), got {W.shape}.")
        checked[name] = W
    return X, checked, n_heads


def check_biases(biases, d_model: int, dtype) -> dict:
    """{"b_q", "b_k", "b_v", "b_o"} -> each a (d_model,) array of dtype, zeros where not given, else a clear error."""
    if biases is not None and not isinstance(biases, Mapping):
        raise TypeError(f"biases must be a dict such as {{'b_q': (d_model,), ...}}, got {type(biases).__name__}.")
    checked = {name: np.zeros(d_model, dtype) for name in ("b_q", "b_k", "b_v", "b_o")}
    for name, value in (biases or {}).items():
        if name not in checked:
            raise ValueError(f"unknown bias '{name}': use b_q, b_k, b_v or b_o.")
        value = as_float_array(value, name, min_ndim=1)
        if value.shape != (d_model,):
            raise ValueError(f"{name} must be (d_model,) = ({d_model},), got {value.shape}.")
        checked[name] = value.astype(dtype, copy=False)  # float32 in, float32 out, whatever the biases were given as
    return checked


def check_head_gains(head_gains, n_heads: int, dtype) -> np.ndarray:
    """One gain per head, else a clear error. (n_heads,) -> (n_heads,)"""
    gains = as_float_array(head_gains, "head_gains", min_ndim=1)
    if gains.shape != (n_heads,):
        raise ValueError(f"head_gains must have one entry per head, shape ({n_heads},), got {gains.shape}.")
    return gains.astype(dtype, copy=False)


MAX_MASK_BYTES = 2**31  # the largest n x n mask built: 2 GiB (n = 46,340), where a larger one would fill the memory


def check_mask_size(n: int) -> int:
    """n, if an n x n mask (one byte per entry, with a few temporaries of its size) fits in MAX_MASK_BYTES. -> n"""
    if n * n > MAX_MASK_BYTES:
        raise ValueError(
            f"an {n:,} x {n:,} mask would take {n * n / 2**30:,.1f} GiB; the most this builds is "
            f"{MAX_MASK_BYTES / 2**30:g} GiB (n up to {int(MAX_MASK_BYTES**0.5):,})."
        )
    return n
