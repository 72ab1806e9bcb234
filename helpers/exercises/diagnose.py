"""Generic diagnoses of a wrong numeric answer, tried after an exercise's own named mistakes: the right numbers with
the sign flipped, times a constant (named when it is sqrt(d), 1/sqrt(d), d, log 2...), in reverse order or shifted by
one position along an axis, or with two axes swapped. Each says what the learner's numbers are, measured."""

from __future__ import annotations

import math
import re

import numpy as np


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=tol, atol=tol)


def constants(sizes) -> dict:
    """The constants a scale mistake is made of, by name: sqrt(d), 1/sqrt(d), d, 1/d for each size d of the inputs,
    2, 1/2, log(2), 1/log(2), log(10), 1/log(10). (sizes) -> {name: value}"""
    named = {}  # the inputs' sizes first: 0.5 with a size of 4 is 1/sqrt(4) before it is 1/2
    for d in sorted({int(s) for s in sizes if int(s) > 1}):
        named.update({f"sqrt({d})": d**0.5, f"1/sqrt({d})": d**-0.5, f"{d}": float(d), f"1/{d}": 1 / d})
    logs = {"log(2)": math.log(2), "1/log(2)": 1 / math.log(2), "log(10)": math.log(10), "1/log(10)": 1 / math.log(10)}
    for name, value in {"2": 2.0, "1/2": 0.5, **logs}.items():
        named.setdefault(name, value)
    return named


def diagnose(got, want, sizes=(), tol: float = 1e-5) -> str | None:
    """What the learner's array is, if it is the right one changed in a simple way, else None. (...), (...) -> str"""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    tol = max(tol, 1e-5)
    if got.shape == want.shape and not _close(got, want, tol):
        if np.any(want != 0) and _close(got, -want, tol):
            return (
                "the right numbers with the sign flipped: look for a minus sign, or a subtraction the wrong way round"
            )
        with np.errstate(all="ignore"):
            if np.all(want > 0) and _close(got, np.log(want), tol):
                return "the log of the right numbers: np.log (or a log-softmax) where the numbers themselves belong"
            if _close(got, np.exp(want), tol):
                return "the exp of the right numbers: np.exp where the numbers themselves belong"
        nonzero = np.abs(want) > 1e-9
        if nonzero.any():
            ratio = float(np.median(got[nonzero] / want[nonzero]))
            if math.isfinite(ratio) and ratio not in (0.0, 1.0) and _close(got, ratio * want, tol):
                name = next((n for n, v in constants(sizes).items() if abs(ratio / v - 1) < 0.01), None)
                if got.size == 1 and name is None:  # one number is always some multiple of another: say nothing
                    return None
                named = f" = {name}" if name else ""
                if name in ("log(2)", "1/log(2)", "log(10)", "1/log(10)"):
                    return (
                        f"the right numbers times {ratio:.4g}{named}: np.log2 or np.log10 where the natural log np.log "
                        "belongs?"
                    )
                return f"the right numbers times {ratio:.4g}{named}: check the scale (what you divide or multiply by)"
        for axis in range(got.ndim):
            n = got.shape[axis]
            if n < 3:  # with two entries a reversal or a shift is too often something else (softmax(-x) of two)
                continue
            if _close(got, np.flip(want, axis), tol):
                return f"the right numbers in reverse order along axis {axis}"
            head, tail = range(n - 1), range(1, n)
            late = _close(np.take(got, tail, axis), np.take(want, head, axis), tol)
            if late or _close(np.take(got, head, axis), np.take(want, tail, axis), tol):
                return f"the right numbers shifted by one position along axis {axis}: check where the sequence starts"
    for i in range(want.ndim):
        for j in range(i + 1, want.ndim):
            swapped = np.swapaxes(want, i, j)
            if swapped.shape != want.shape or not _close(swapped, want, tol):
                if _close(got, swapped, tol):
                    return (
                        f"the right numbers with axes {i} and {j} swapped (shape {got.shape}, expected {want.shape}): "
                        "np.swapaxes or a transpose where none belongs, or one missing"
                    )
    return None


_POWERS = {0.0: "1 (not scaled at all)", -0.5: "1/sqrt({s})", -1.0: "1/{s}", -0.25: "1/sqrt(sqrt({s}))",
           0.5: "sqrt({s})", 1.0: "{s}"}  # fmt: skip


def scale_candidates(cases: list, arg_names, fixed: dict | None = None) -> list:
    """Each scale a learner may have used, with the same meaning on every case: no scale, a size of an input (the same
    axis of the same argument, or an integer argument) to the power -1, -1/2, -1/4, 1/2 or 1, and the fixed
    constants. -> [(name, [value])]"""
    found, seen = [], set()

    def add(name, values):
        key = tuple(round(float(v), 9) for v in values)
        if key not in seen:
            seen.add(key)
            found.append((name, [float(v) for v in values]))

    add(_POWERS[0.0], [1.0] * len(cases))
    for name, value in (fixed or {}).items():
        add(name, [value] * len(cases))
    for i, arg in enumerate(arg_names):
        counts = [c[i] if i < len(c) and isinstance(c[i], int | np.integer) and not isinstance(c[i], bool) else None
                  for c in cases]  # fmt: skip
        if all(v is not None and v > 0 for v in counts) and any(v > 1 for v in counts):  # a count such as n_heads
            for p, form in _POWERS.items():
                if p:
                    add(form.format(s=arg), [v**p for v in counts])
            for j, other in enumerate(arg_names):  # a size shared out by that count, such as d_model / n_heads
                sizes = [c[j].shape[-1] / v if isinstance(c[j], np.ndarray) and c[j].ndim else None
                         for c, v in zip(cases, counts)]  # fmt: skip
                if all(s is not None for s in sizes):
                    for p, form in _POWERS.items():
                        if p:
                            add(form.format(s=f"({other}.shape[-1] / {arg})"), [s**p for s in sizes])
        arrays = [c[i] if i < len(c) and isinstance(c[i], np.ndarray) else None for c in cases]
        if any(a is None for a in arrays):
            continue
        for k in range(1, min(a.ndim for a in arrays) + 1):
            sizes = [a.shape[-k] for a in arrays]
            if all(s == 1 for s in sizes):
                continue
            for p, form in _POWERS.items():
                if p:
                    add(form.format(s=f"{arg}.shape[-{k}]"), [s**p for s in sizes])
    return found


def rescaled_as(got: list, cases: list, rescaled, arg_names, tol: float, fixed: dict | None = None):
    """The scale (name, value on the first case) that makes rescaled(*args, scale) give the learner's results on every
    case, or None. got: one tuple of arrays per case. -> (str, float) | None"""
    tol = max(tol, 1e-5)
    for name, values in scale_candidates(cases, arg_names, fixed):
        try:
            with np.errstate(all="ignore"):
                expected = [rescaled(*args, v) for args, v in zip(cases, values)]
        except (ValueError, TypeError, ZeroDivisionError):
            continue
        if all(
            len(g) == len(e)
            and all(
                np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)
                for a, b in zip(g, e)
            )
            for g, e in zip(got, expected)
        ):
            return name, values[0]
    return None


def batched(cases: list) -> list:
    """For each case, whether an array argument has more axes than in some other case (a batch axis). -> [bool]"""
    least = {}
    for args in cases:
        for j, a in enumerate(args):
            if isinstance(a, np.ndarray):
                least[j] = min(least.get(j, a.ndim), a.ndim)
    return [any(isinstance(a, np.ndarray) and a.ndim > least[j] for j, a in enumerate(args)) for args in cases]


def diagnosed(got, want, cases, agree, names, tol):
    """(name of the part, what it holds) when one generic diagnosis fits that part on every case it is wrong on, with
    the same kind of change (the factor may follow the sizes), else None. -> (str, str) | None"""
    wrong = [k for k, ok in enumerate(agree) if not ok]
    for p, part in enumerate(names):
        seen = []
        for k in wrong:
            g, w = np.asarray(got[k][p]), np.asarray(want[k][p])
            if g.shape == w.shape and _close(g, w, tol):
                continue
            sizes = [d for a in cases[k] if isinstance(a, np.ndarray) for d in a.shape]
            seen.append(diagnose(g, w, sizes, tol))
        if sum(1 for s in seen if s) * 2 < len(seen) or not any(seen):  # most wrong cases (a small one may not tell)
            continue
        seen = [s for s in seen if s]
        unnamed = [re.sub(r" = [^:]*:", ":", s) for s in seen]  # the same factor on every case, named or not
        if all(u == unnamed[0] for u in unnamed):
            return part, seen[0] if all(s == seen[0] for s in seen) else unnamed[0]
        kinds = [re.sub(r"[\d.]+", "#", re.sub(r"\([\d, ]*\)", "#", u)) for u in unnamed]  # follows the sizes
        if all(k == kinds[0] for k in kinds):
            return part, seen[0]
    return None


def in_other_order(got, want, tol) -> bool:
    """The learner's two arrays are the right ones returned the other way round, on every input. -> bool"""
    return all(
        g is not None and len(g) == 2 and all(_close(np.asarray(a), np.asarray(b), tol) for a, b in zip(g[::-1], w))
        for g, w in zip(got, want)
    )


def wrong_parts(got, want, names, tol) -> str | None:
    """Which returned arrays are right on every input and which are not, or whose rows of weights do not sum to 1:
    where to look, when no mistake is named. -> str | None"""
    count = len(want[0])
    right = [all(_close(np.asarray(g[k]), np.asarray(w[k]), tol) for g, w in zip(got, want)) for k in range(count)]
    for k in range(count):
        if names[k] == "weights" and not right[k]:
            sums = [np.asarray(g[k], dtype=float).sum(axis=-1) for g in got]
            off = [x for x in sums if x.size and np.all(np.isfinite(x)) and not np.allclose(x, 1, atol=1e-4)]
            if off:
                first = off[0].ravel()[0]
                return f"each row of weights must sum to 1 (a softmax over axis=-1): yours sum to {first:.4g}"
    if 0 < sum(right) < count:
        ok = " and ".join(n for n, r in zip(names, right) if r)
        bad = " and ".join(n for n, r in zip(names, right) if not r)
        return f"{ok}: right on every input; {bad}: not, so the mistake is in the step that makes {bad}"
    return None


def keepdims_hint(message: str) -> str:
    """A hint when numpy could not broadcast an array against the same array reduced over its last axis without
    keepdims: shapes (3, 5) and (3,). -> str"""
    found = re.search(r"broadcast together with shapes \(([\d,]*)\) \(([\d,]*)\)", message)
    if not found:
        return ""
    a, b = (tuple(int(v) for v in g.split(",") if v) for g in found.groups())
    if (len(a) > 1 and a[:-1] in (b, b[:-1])) or (len(b) > 1 and b[:-1] in (a, a[:-1])):
        return (
            " A max, sum or mean over axis=-1 without keepdims=True drops that axis, so it no longer lines up with "
            "the array it came from: add keepdims=True."
        )
    return ""
