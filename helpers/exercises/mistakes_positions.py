"""More named mistakes for the position implement-its of notebook 06 (the sinusoidal table and rotary encoding),
found by trying realistic wrong answers: each function computes what one wrong version returns, and its docstring is
the hint the learner reads."""

from __future__ import annotations

import numpy as np


# ---------------------------------------------------------------- 06.1 the sinusoidal table
def _table(n, d, base=10000.0, rate=2.0, halves=False, funcs=(np.sin, np.cos), power=-1.0, div=None, degrees=False,
           step=1.0):  # fmt: skip
    p = np.arange(n)[:, None] * step
    i = np.arange((d + 1) // 2)[None, :]
    angles = p * (base ** (rate * i / (div or d))) ** power
    angles = np.degrees(angles) if degrees else angles
    pe = np.empty((n, d))
    h = (d + 1) // 2
    if halves:
        pe[:, :h], pe[:, h:] = funcs[0](angles), funcs[1](angles[:, : d - h])
    else:
        pe[:, 0::2], pe[:, 1::2] = funcs[0](angles), funcs[1](angles[:, : d // 2])
    return (pe,)


def _pe_base_of(base):
    """A mistake: the table with another base."""

    def _pe_base(n, d):
        """the base is not 10000: angle = pos / 10000 ** (2i / d)."""
        return _table(n, d, base=base)

    return _pe_base


_OTHER_BASES = (1000.0, 100.0, 10.0, 100000.0, float(np.e), float(np.log(10000.0)))


def _pe_cosines_first_halves(n, d):
    """the cosines fill the first half of the columns and the sines the second; they interleave: sines in the even
    columns (0, 2, 4, ...), cosines in the odd ones."""
    return _table(n, d, halves=True, funcs=(np.cos, np.sin))


def _pe_halves(n, d):
    """the sines fill the first half of the columns and the cosines the second; they interleave: sines in the even
    columns (0::2), cosines in the odd ones (1::2)."""
    return _table(n, d, halves=True)


def _pe_floor_divided_rate(n, d):
    """the speeds are exp(-2i), not 10000 ** (-2i / d): in -log(10000) / d // 2 the // binds as tightly as /, so it
    floor-divides -log(10000) / d by 2 (giving -1). Write the exponent with brackets, -log(10000) * 2i / d, or
    10000 ** (-2 * i / d)."""
    return _table(n, d, base=np.e**d)


def _pe_each_column_its_own_angle(n, d):
    """each column j has its own angle pos / 10000 ** (2j / d); columns 2i and 2i+1 share one angle,
    pos / 10000 ** (2i / d), with i counting pairs of columns (take the angles of the even columns for both)."""
    j = np.arange(d)[None, :]
    angles = np.arange(n)[:, None] / 10000.0 ** (2.0 * j / d)
    return (np.where(j % 2 == 0, np.sin(angles), np.cos(angles)),)


def _pe_multiplied(n, d):
    """the position is multiplied by 10000 ** (2i / d); divide by it: angle = pos / 10000 ** (2i / d), slower for
    later columns."""
    return _table(n, d, power=1.0)


def _pe_column_exponent(n, d):
    """each column has its own exponent j / d; columns 2i and 2i+1 share one angle, pos / 10000 ** (2i / d), with i
    counting pairs of columns."""
    p, j = np.arange(n)[:, None], np.arange(d)[None, :]
    angles = p / 10000.0 ** (j / d)
    return (np.where(j % 2 == 0, np.sin(angles), np.cos(angles)),)


def _pe_all_sines(n, d):
    """every column is a sine: the odd columns (1::2) are cosines."""
    return _table(n, d, funcs=(np.sin, np.sin))


def _pe_d_minus_1(n, d):
    """the exponent divides by d - 1; it is 2i / d, with d the number of columns."""
    return _table(n, d, div=max(d - 1, 1))


def _pe_degrees(n, d):
    """the angles are in degrees: np.sin and np.cos take radians, so use pos / 10000 ** (2i / d) as it is."""
    return _table(n, d, degrees=True)


def _pe_positions_over_n(n, d):
    """the positions are divided by n (a fraction of the sentence): angle = pos / 10000 ** (2i / d) with pos the
    word's index, 0, 1, 2, ..."""
    return _table(n, d, step=1 / max(n, 1))


def _pe_integer_exponent(n, d):
    """the exponent 2i // d is an integer division, which makes it 0 for every column: 2 * i / d, a float."""
    return _table(n, d, base=1.0)


def _pe_position_and_i_swapped(n, d):
    """the position and the pair index are swapped: angle = pos / 10000 ** (2i / d), with pos the row (the word) and
    i the column pair."""
    pos = np.arange(n)[:, None]
    i = (np.arange(d) // 2)[None, :]
    angles = i / 10000.0 ** (2 * pos / d)
    return (np.where(np.arange(d) % 2 == 0, np.sin(angles), np.cos(angles)),)


POSITIONAL = [
    _pe_floor_divided_rate,
    _pe_each_column_its_own_angle,
    _pe_position_and_i_swapped,
    _pe_positions_over_n,
    _pe_integer_exponent,
    *[_pe_base_of(b) for b in _OTHER_BASES],
    _pe_cosines_first_halves,
    _pe_halves,
    _pe_multiplied,
    _pe_column_exponent,
    _pe_all_sines,
    _pe_d_minus_1,
    _pe_degrees,
]


# ---------------------------------------------------------------- 06.3 rotary encoding
def _rotated(x, positions, base=10000.0, rate=2.0, shift=0.0, factor=1.0, swap=False, cos_only=False):
    d = x.shape[-1]
    theta = (np.asarray(positions, dtype=float)[:, None] * factor + shift) * base ** (-rate * np.arange(d // 2) / d)
    c, s = np.cos(theta).astype(x.dtype), np.sin(theta).astype(x.dtype)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    first, second = (a * c, b * c) if cos_only else (a * c - b * s, a * s + b * c)
    out[..., 0::2], out[..., 1::2] = (second, first) if swap else (first, second)
    return (out,)


def _rope_base(x, positions):
    """the base is not 10000: pair i turns by position * 10000 ** (-2i / d)."""
    return _rotated(x, positions, base=1000.0)


def _rope_added(x, positions):
    """that adds a sine and cosine to x, as the sinusoidal encoding does; RoPE rotates each pair:
    (a cos - b sin, a sin + b cos)."""
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    pe = np.empty_like(x)
    pe[..., 0::2], pe[..., 1::2] = np.sin(theta), np.cos(theta)
    return (x + pe,)


def _rope_pair_swapped(x, positions):
    """each rotated pair is written back in the wrong order: x'[2i] = a cos - b sin goes in column 2i, and
    x'[2i+1] = a sin + b cos in column 2i+1."""
    return _rotated(x, positions, swap=True)


def _rope_4i(x, positions):
    """the speeds: pair i turns by p * 10000 ** (-2i / d), with i counting pairs (0, 1, ...), not columns."""
    return _rotated(x, positions, rate=4.0)


def _rope_from_1(x, positions):
    """every position is one more than given (off by one): rotate row r by positions[r] itself."""
    return _rotated(x, positions, shift=1.0)


def _rope_half_angle(x, positions):
    """the angles are half what they should be: pair i turns by p * 10000 ** (-2i / d), not half of it."""
    return _rotated(x, positions, factor=0.5)


def _rope_cos_only(x, positions):
    """that multiplies by the cosine only: a rotation also mixes the pair through the sine,
    (a cos - b sin, a sin + b cos)."""
    return _rotated(x, positions, cos_only=True)


def _rope_sorted_positions(x, positions):
    """the positions are sorted first: row r turns by positions[r] as given (the positions may come in any order)."""
    return _rotated(x, np.sort(np.asarray(positions)))


def _rope_radians_converted(x, positions):
    """the angles are converted from degrees (np.radians): p * 10000 ** (-2i / d) is already in radians."""
    return _rotated(x, positions, factor=np.pi / 180)


def _rope_one_angle(x, positions):
    """every pair is turned by the same angle, the position: pair i turns by pos * 10000 ** (-2i / d), a slower
    frequency for each later pair."""
    return _rotated(x, positions, base=1.0)


def _rope_written_as_halves(x, positions):
    """the pairs (2i, 2i+1) are read right but written back as two halves; write each rotated pair where it came
    from, out[..., 0::2] and out[..., 1::2]."""
    (out,) = _rotated(x, positions)
    return (np.concatenate([out[..., 0::2], out[..., 1::2]], axis=-1),)


def _rope_frequencies_reversed(x, positions):
    """the frequencies run the wrong way: pair 0 turns fastest, by position * 10000 ** 0, and pair i by
    position * 10000 ** (-2i / d)."""
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2)[::-1] / d)
    a, b = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    c, s = np.cos(theta).astype(x.dtype), np.sin(theta).astype(x.dtype)
    out[..., 0::2], out[..., 1::2] = a * c - b * s, a * s + b * c
    return (out,)


def _rope_second_sign(x, positions):
    """the second feature of each pair has the wrong sign: a rotation gives (a cos - b sin, a sin + b cos)."""
    (out,) = _rotated(x, positions)
    (back,) = _rotated(x, positions, cos_only=True)  # a cos and b cos
    out[..., 1::2] = out[..., 1::2] - 2 * back[..., 1::2]
    return (out,)


def _rope_double_angle(x, positions):
    """each pair turns by twice its angle: pair i turns by position * 10000 ** (-2i / d), once."""
    return _rotated(x, positions, factor=2.0)


def _rope_overwritten(x, positions):
    """the second feature of each pair is computed from the first one already rotated: both lines need the original
    pair, so keep a = x[..., 0::2] and b = x[..., 1::2] (from x, not from the array being filled) and write
    (a cos - b sin, a sin + b cos)."""
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    c, s = np.cos(theta).astype(x.dtype), np.sin(theta).astype(x.dtype)
    out = x.copy()
    out[..., 0::2] = x[..., 0::2] * c - x[..., 1::2] * s
    out[..., 1::2] = out[..., 0::2] * s + x[..., 1::2] * c
    return (out,)


def _rope_rotate_half_on_neighbours(x, positions):
    """the angles are repeated for neighbouring pairs (x[2i], x[2i+1]), but each feature's partner is taken from the
    other half (rotate_half pairs x[i] with x[i + d/2]): use one pairing; here the pairs are neighbours,
    (x[2i] cos - x[2i+1] sin, x[2i] sin + x[2i+1] cos)."""
    d = x.shape[-1]
    theta = np.asarray(positions, dtype=float)[:, None] * 10000.0 ** (-2 * np.arange(d // 2) / d)
    theta = np.repeat(theta, 2, axis=-1).astype(x.dtype)
    half = np.concatenate([-x[..., d // 2 :], x[..., : d // 2]], axis=-1)
    return (x * np.cos(theta) + half * np.sin(theta),)


ROPE = [
    _rope_overwritten,
    _rope_rotate_half_on_neighbours,
    _rope_second_sign,
    _rope_double_angle,
    _rope_written_as_halves,
    _rope_frequencies_reversed,
    _rope_one_angle,
    _rope_sorted_positions,
    _rope_radians_converted,
    _rope_base,
    _rope_added,
    _rope_pair_swapped,
    _rope_4i,
    _rope_from_1,
    _rope_half_angle,
    _rope_cos_only,
]
