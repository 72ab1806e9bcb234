"""Word order: attention cannot see it, so transformers add it, as sinusoidal or rotary position encodings (introduced
in notebook 06).

Sinusoidal (Vaswani et al., 2017): a fixed vector per position, added to the word's vector.
Rotary, RoPE (Su et al., RoFormer): each pair of query/key features is rotated by an angle proportional to
the position, so the score of two words depends only on how far apart they are.
"""

from __future__ import annotations

import numbers

import numpy as np

from .checks import as_float_array, check_positive, check_positive_int


def _frequencies(d: int, base: float) -> np.ndarray:
    """base ** (-2i / d) for i = 0 .. ceil(d / 2) - 1: one angular speed per pair of features. -> (ceil(d/2),)"""
    return base ** (-np.arange(0, d, 2) / d)


MAX_TABLE_BYTES = 2**30  # 1 GiB: a position table larger than this is a mistake in a notebook, not a lesson


def _angles(p, d: int, base: float) -> np.ndarray:
    """Each position times each pair's speed, checked finite. (n,) -> (n, ceil(d/2))"""
    with np.errstate(over="ignore", invalid="ignore"):
        angles = p[:, None] * _frequencies(d, base)[None, :]
    if not np.all(np.isfinite(angles)):
        raise ValueError(
            f"the angles overflowed (positions up to {np.max(np.abs(p)) if p.size else 0:g}, base {base:g}): use "
            "a base of at least 1 (10000 is usual) and positions well below 1e300."
        )
    return angles


def positional_encoding(n: int, d: int, base: float = 10000.0) -> np.ndarray:
    """PE[p, 2i] = sin(p / base**(2i/d)), PE[p, 2i+1] = cos(p / base**(2i/d)); for odd d the last column is a sine.
    () -> (n, d)

    Introduced in notebook 06.
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be a whole number, got {n!r}.")
    if n < 0:
        raise ValueError(f"n must be at least 0, got {n}.")
    d = check_positive_int(d, "d")
    base = check_positive(base, "base")
    if n * d * 8 > MAX_TABLE_BYTES:
        raise ValueError(
            f"a {n:,} x {d:,} table of float64 would take {n * d * 8 / 2**30:,.1f} GiB; the most this builds is "
            f"{MAX_TABLE_BYTES / 2**30:g} GiB (fewer positions, or a smaller d)."
        )
    angles = _angles(np.arange(n), d, base)  # (n, ceil(d/2))
    pe = np.empty((n, d))
    pe[:, 0::2] = np.sin(angles)
    pe[:, 1::2] = np.cos(angles[:, : d // 2])
    return pe


def apply_rope(X, positions=None, base: float = 10000.0) -> np.ndarray:
    """Rotate each pair (x[2i], x[2i+1]) by the angle p * base**(-2i/d), p the word's position (0..n-1 by default).
    (..., n, d) -> (..., n, d)

    Introduced in notebook 06.
    """
    X = as_float_array(X, "X", min_ndim=2)
    n, d = X.shape[-2], X.shape[-1]
    if d % 2:
        raise ValueError(f"rotary encoding rotates pairs of features, so d must be even; got d = {d}.")
    base = check_positive(base, "base")
    if positions is None:
        p = np.arange(n, dtype=float)
    else:
        p = as_float_array(positions, "positions", min_ndim=1)
        if p.shape != (n,):
            raise ValueError(f"positions must give one position per word: shape ({n},), got {p.shape}.")
    angles = _angles(p, d, base).astype(X.dtype, copy=False)  # (n, d/2)
    cos, sin = np.cos(angles), np.sin(angles)
    x0, x1 = X[..., 0::2], X[..., 1::2]
    out = np.empty_like(X)
    out[..., 0::2] = x0 * cos - x1 * sin
    out[..., 1::2] = x0 * sin + x1 * cos
    return out


def permute(X, order) -> np.ndarray:
    """The rows of X in another order: X[order]. (n, d), (n,) -> (n, d)

    Introduced in notebook 06.
    """
    X = as_float_array(X, "X", min_ndim=2)
    order = np.asarray(order)
    if order.ndim != 1 or order.dtype.kind not in "iu" or sorted(order.tolist()) != list(range(X.shape[-2])):
        raise ValueError(f"order must list each of the {X.shape[-2]} positions once, got {order.tolist()}.")
    return X[..., order, :]


def pca_positions(table, d: int) -> np.ndarray:
    """A learned position table in d dimensions: its d main directions (PCA), rows scaled to the sinusoidal rows' mean
    length sqrt(d/2).
    (n, D) -> (n, d)

    Introduced in notebook 06.
    """
    T = as_float_array(table, "table", min_ndim=2)
    d = check_positive_int(d, "d")
    if T.ndim != 2 or d > min(T.shape):
        raise ValueError(f"table must be (n, D) with n and D at least d = {d}, got {T.shape}.")
    centred = T - T.mean(axis=0)
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    P = centred @ Vt[:d].T
    P *= np.sqrt(d / 2) / np.linalg.norm(P, axis=1).mean()
    return P
