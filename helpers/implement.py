"""Checkers for the implement-it exercises: the learner's function is run on several inputs and compared
with the tested helpers, and a wrong result is matched against the mistakes learners make (introduced in 04).

Each ``check_*`` takes the learner's function and returns ``(ok, message)``. The known mistakes are
written here as small functions; when the learner's result equals one of them on every input, the
message names that mistake. A learner's function that raises gets its exception as one line, with a hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from .attention import (
    causal_mask,
    merge_heads,
    multi_head_attention,
    scaled_dot_product_attention,
    self_attention,
    softmax,
    softmax_backward,
    split_heads,
)
from .checks import MalformedAnswer
from .minilm import layer_norm
from .positions import positional_encoding

Case = tuple  # the arguments of one call


def _rng(*salt):
    return np.random.default_rng([2026, *salt])


# ---------------------------------------------------------------- running the learner's function safely
def _copy(args: Case) -> Case:
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _shapes(args: Case) -> str:
    return ", ".join(str(a.shape) if isinstance(a, np.ndarray) else repr(a) for a in args)


class _LearnerError(Exception):
    """The learner's function raised, or returned something that is not an answer; the message is the hint."""


def _call(fn: Callable, args: Case, what: str):
    """The learner's result on a copy of args; raises _LearnerError for an exception or changed inputs."""
    given = _copy(args)
    try:
        with np.errstate(all="ignore"):  # overflow is a mistake the checker names, not a warning to print
            result = fn(*given)
    except Exception as exc:  # the learner's code, whatever it raises, is reported as one line
        text = " ".join(str(exc).split())[:160]
        hint = ""
        if (
            isinstance(exc, ValueError)
            and "matmul" in str(exc)
            and any(isinstance(a, np.ndarray) and a.ndim > 2 for a in args)
        ):
            hint = " With batch dimensions, .T reverses every axis: use np.swapaxes(K, -1, -2) (or K.swapaxes(-1, -2))."
        raise _LearnerError(
            f"your function raised {type(exc).__name__}: {text} (called with {what} of shapes {_shapes(args)}).{hint}"
        ) from None
    for before, after in zip(args, given):
        if isinstance(before, np.ndarray) and not np.array_equal(before, after, equal_nan=True):
            raise _LearnerError(
                f"your function changed its input ({what} of shape {before.shape}) in place: work on a copy, e.g. write scores = scores - m instead of scores -= m."
            )
    if result is None:
        raise _LearnerError("your function returned None: write its body in place of ... and return the result.")
    return result


def _array(value, name: str) -> np.ndarray:
    if isinstance(value, tuple | list) and value and isinstance(value[0], np.ndarray):
        raise _LearnerError(
            f"{name} should be one array; your function returned a {type(value).__name__} of {len(value)} arrays."
        )
    try:
        arr = np.asarray(value)
    except (ValueError, TypeError):
        raise _LearnerError(f"{name} should be an array, got {type(value).__name__}.") from None
    if arr.dtype.kind not in "fbiu":
        raise _LearnerError(f"{name} should be a numeric array, got {type(value).__name__}.")
    return arr


def _pair(value, names=("out", "weights")) -> tuple:
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise _LearnerError(
            f"return two arrays, ({names[0]}, {names[1]}); your function returned {type(value).__name__}."
        )
    return _array(value[0], names[0]), _array(value[1], names[1])


def _same(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(np.all(np.isfinite(a))) and np.allclose(a, b, rtol=tol, atol=tol)


def _like(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    """A learner's result equals a mistake's, NaN where it has NaN (e.g. a row left with nothing to attend to)."""
    return a.shape == b.shape and np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


def _loose_softmax(s, axis=-1):
    """A softmax that returns NaN for an empty row instead of raising: what a mistaken mask computes."""
    with np.errstate(all="ignore"):
        e = np.exp(s - np.max(s, axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)


def _check(
    fn,
    cases: list,
    reference: Callable,
    mistakes: list,
    unpack: Callable,
    what: str,
    covers: str,
    tol_of=lambda args: 1e-6,
) -> tuple:
    """Run fn on every case; right if it equals the reference everywhere, else name the first mistake it equals."""
    if not callable(fn):
        name = what.split("(", maxsplit=1)[0]
        raise MalformedAnswer(
            f"answer with your function itself, not its result: check_exercise(..., {name}), without brackets after {name}"
        )
    try:
        got = [unpack(_call(fn, args, what.split("(", maxsplit=1)[0])) for args in cases]
    except _LearnerError as exc:
        return False, str(exc)
    want = [reference(*args) for args in cases]
    mismatch = [
        i
        for i, (g, w) in enumerate(zip(got, want))
        if not all(_same(np.asarray(a), np.asarray(b), tol_of(cases[i])) for a, b in zip(g, w))
    ]
    if not mismatch:
        dtypes = [
            np.asarray(g[0]).dtype
            for g, args in zip(got, cases)
            if any(isinstance(a, np.ndarray) and a.dtype == np.float32 for a in args)
        ]
        if any(d == np.float64 for d in dtypes):
            return (
                True,
                f"right on all {len(cases)} inputs ({covers}), but float32 in gives float64 out: a numpy float64 such as np.sqrt(d) turns float32 arrays into float64 (use d ** 0.5 or math.sqrt(d)).",
            )
        return True, f"right on all {len(cases)} inputs ({covers})."
    for mistake, hint in mistakes:
        with np.errstate(all="ignore"):
            expected = [mistake(*args) for args in cases]
        if all(
            all(_like(np.asarray(a), np.asarray(b), tol_of(args)) for a, b in zip(g, e))
            for g, e, args in zip(got, expected, cases)
        ):
            return False, hint
    i = mismatch[0]
    g, w = got[i], want[i]
    for name, a, b in zip(("the result" if len(g) == 1 else "out", "weights"), g, w):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False, f"{name} has shape {a.shape}, expected {b.shape} (for inputs of shapes {_shapes(cases[i])})."
        if not np.all(np.isfinite(a)):
            return (
                False,
                f"{name} contains inf or NaN for inputs of shapes {_shapes(cases[i])}: something overflowed or divided by 0.",
            )
    return (
        False,
        f"not the expected numbers for inputs of shapes {_shapes(cases[i])}; compare your steps with the notebook's, one at a time.",
    )


def _one(result):
    return (_array(result, "the result"),)


# ---------------------------------------------------------------- 04: softmax and self-attention
def _softmax_cases() -> list:
    r = _rng(1)
    return [
        (r.normal(size=(3, 5)),),
        (
            np.array([[1000.0, 999.0, 0.0], [-1000.0, -1001.0, -999.0]]),
        ),  # large scores: exp overflows without the max subtraction
        (r.normal(size=(2, 3, 4)),),  # batch dimensions
        (np.array([[3.0]]),),  # one word
        (r.normal(size=(4, 6)).astype(np.float32),),
    ]


def _softmax_axis0(s):
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True),)


def _softmax_whole(s):
    e = np.exp(s - s.max())
    return (e / e.sum(),)


def _softmax_sum_normalize(s):
    return (s / s.sum(axis=-1, keepdims=True),)


SOFTMAX_MISTAKES = [
    (
        _softmax_axis0,
        "each column sums to 1, not each row: take the max and the sum over the last axis (axis=-1, keepdims=True).",
    ),
    (_softmax_whole, "the whole array sums to 1: normalise each row on its own (axis=-1, keepdims=True)."),
    (
        _softmax_sum_normalize,
        "that divides the scores by their sum; softmax takes exp first, then divides by the sum of the exps.",
    ),
]


def check_softmax(fn) -> tuple:
    """04.4: my_softmax(scores), a stable softmax over the last axis."""
    cases = _softmax_cases()
    if callable(fn):  # no max subtraction: right on small scores, inf or NaN on large ones
        try:
            small, large = _call(fn, cases[0], "scores"), _call(fn, cases[1], "scores")
            if _same(_array(small, "the result"), softmax(cases[0][0]), 1e-6) and not np.all(
                np.isfinite(_array(large, "the result"))
            ):
                return (
                    False,
                    "right on small scores, but exp(1000) overflows to inf and the result has NaN: subtract each row's max before exp (it cancels out).",
                )
        except _LearnerError:
            pass  # _check reports it
    return _check(
        fn,
        cases,
        lambda s: (softmax(s),),
        SOFTMAX_MISTAKES,
        _one,
        "my_softmax(scores)",
        "scores of 1000, a batch, one word, float32",
    )


def _self_attention_cases() -> list:
    r = _rng(2)
    return [
        (np.array([[0.9, 0.0, 0.3, 0.1], [0.6, 0.2, 0.1, 0.7], [0.4, 0.3, 0.8, 0.0]]),),  # money bank grows
        (r.normal(size=(5, 8)),),
        (np.array([[0.6, 0.2, 0.1, 0.7]]),),  # one word
        (r.normal(size=(4, 3)).astype(np.float32),),
    ]


SELF_ATTENTION_MISTAKES = [
    (
        lambda X: (softmax(X @ X.T / math.sqrt(X.shape[-1])) @ X, softmax(X @ X.T / math.sqrt(X.shape[-1]))),
        "that is scaled by 1/sqrt(d); notebook 04's version (the article's) does not scale: weights = softmax(X @ X.T).",
    ),
    (
        lambda X: (softmax(X @ X.T).T @ X, softmax(X @ X.T).T),
        "the weights are transposed: row i (the query) must sum to 1, so take the softmax over the last axis and do not transpose it.",
    ),
    (
        lambda X: (softmax(X @ X.T, axis=0) @ X, softmax(X @ X.T, axis=0)),
        "the softmax runs down the columns: each row of weights (one per word) must sum to 1 (axis=-1).",
    ),
    (
        lambda X: (X @ X.T @ X, X @ X.T),
        "the weights are the raw dot products: turn them into weights with softmax first.",
    ),
]


def check_self_attention(fn) -> tuple:
    """04.5: my_self_attention(X) -> (Y, weights), unscaled: softmax(X @ X.T) @ X."""
    return _check(
        fn,
        _self_attention_cases(),
        self_attention,
        SELF_ATTENTION_MISTAKES,
        lambda r: _pair(r, ("Y", "weights")),
        "my_self_attention(X)",
        "the toy sentence, random vectors, one word, float32",
    )


# ---------------------------------------------------------------- 06: position encoding
def _pe_variant(n, d, first=0, rate=2, swap=False):
    p = np.arange(first, first + n)[:, None]
    i = np.arange((d + 1) // 2)[None, :]
    angles = p / 10000.0 ** (rate * i / d)
    pe = np.empty((n, d))
    a, b = (np.cos, np.sin) if swap else (np.sin, np.cos)
    pe[:, 0::2] = a(angles)
    pe[:, 1::2] = b(angles[:, : d // 2])
    return (pe,)


PE_MISTAKES = [
    (
        lambda n, d: _pe_variant(n, d, swap=True),
        "sine and cosine are swapped: the even columns (0, 2, ...) are sines, the odd ones cosines.",
    ),
    (
        lambda n, d: _pe_variant(n, d, rate=1),
        "the exponent is i/d; it is 2i/d, where i counts pairs of columns (i = 0, 1, ...), so columns 2i and 2i+1 share one angle.",
    ),
    (
        lambda n, d: _pe_variant(n, d, first=1),
        "the positions start at 1; they start at 0 (the first word's encoding is sin 0 = 0, cos 0 = 1).",
    ),
]


def check_positional_encoding(fn) -> tuple:
    """06.1: my_positional_encoding(n, d), the sinusoidal table of Vaswani et al."""
    cases = [(4, 6), (10, 16), (1, 4), (5, 7)]
    return _check(
        fn,
        cases,
        lambda n, d: (positional_encoding(n, d),),
        PE_MISTAKES,
        lambda r: (_array(r, "the table"),),
        "my_positional_encoding(n, d)",
        "n = 1 to 10, d even and odd",
    )


# ---------------------------------------------------------------- 10: the softmax's backward pass
def _softmax_backward_cases() -> list:
    r = _rng(8)
    return [
        (softmax(r.normal(size=(4, 5))), r.normal(size=(4, 5))),
        (softmax(3 * r.normal(size=(2, 3, 4))), r.normal(size=(2, 3, 4))),  # batch axes
        (np.array([[1.0]]), np.array([[0.7]])),  # one key: the weight is always 1, the gradient 0
        (softmax(r.normal(size=(3, 6))).astype(np.float32), r.normal(size=(3, 6)).astype(np.float32)),
    ]


SOFTMAX_BACKWARD_MISTAKES = [
    (
        lambda P, dP: (P * dP,),
        "the '- sum(dP * P)' term is missing: every score also changes the other weights through the row's sum.",
    ),
    (
        lambda P, dP: (P * (dP - np.sum(dP * P, axis=-2, keepdims=True)),),
        "the sum runs over the wrong axis: sum dP * P over each row's keys (axis=-1, keepdims=True).",
    ),
    (
        lambda P, dP: (P * (dP - np.sum(dP, axis=-1, keepdims=True)),),
        "the sum must be weighted by P: subtract sum(dP * P) over the row, not sum(dP).",
    ),
    (lambda P, dP: (dP - np.sum(dP * P, axis=-1, keepdims=True),), "multiply by P: dS = P * (dP - sum(dP * P))."),
]


def check_softmax_backward(fn) -> tuple:
    """10.1: my_softmax_backward(P, dP) -> dS, the gradient through a row-wise softmax."""
    return _check(
        fn,
        _softmax_backward_cases(),
        lambda P, dP: (softmax_backward(P, dP),),
        SOFTMAX_BACKWARD_MISTAKES,
        _one,
        "my_softmax_backward(P, dP)",
        "random rows, batch axes, one key, float32",
    )


# ---------------------------------------------------------------- 12: layer normalisation
def _layer_norm_cases() -> list:
    r = _rng(9)
    return [
        (r.normal(2.0, 3.0, size=(3, 8)), r.normal(size=8), r.normal(size=8), 1e-12),
        (r.normal(size=(2, 4, 6)), np.ones(6), np.zeros(6), 1e-5),  # batch axes
        (
            np.array([[1.0, 1.0, 1.0, 1.0]]),
            r.normal(size=4),
            r.normal(size=4),
            1e-5,
        ),  # a constant row: only eps keeps it finite
        (
            r.normal(size=(4, 5)).astype(np.float32),
            r.normal(size=5).astype(np.float32),
            r.normal(size=5).astype(np.float32),
            1e-6,
        ),
    ]


LAYER_NORM_MISTAKES = [
    (
        lambda x, g, b, eps: (
            (x - x.mean(axis=0, keepdims=True)) / np.sqrt(x.var(axis=0, keepdims=True) + eps) * g + b,
        ),
        "normalised down the columns: each token's row (its features, the last axis) gets mean 0 and variance 1.",
    ),
    (
        lambda x, g, b, eps: (
            (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps) * g + b,
        ),
        "that is the sample variance (ddof=1); LayerNorm divides by n: np.var(x, axis=-1) or ((x - mean) ** 2).mean(axis=-1).",
    ),
    (
        lambda x, g, b, eps: ((x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps),),
        "gamma and beta are missing: scale by gamma and shift by beta after normalising.",
    ),
    (
        lambda x, g, b, eps: ((x - x.mean(-1, keepdims=True)) / (x.var(-1, keepdims=True) + eps) * g + b,),
        "divide by the standard deviation, sqrt(variance + eps), not by the variance.",
    ),
]


def check_layer_norm(fn) -> tuple:
    """12.1: my_layer_norm(x, gamma, beta, eps): each row to mean 0 and variance 1, then times gamma plus beta."""
    return _check(
        fn,
        _layer_norm_cases(),
        lambda x, g, b, eps: (layer_norm(x, g, b, eps),),
        LAYER_NORM_MISTAKES,
        _one,
        "my_layer_norm(x, gamma, beta, eps)",
        "shifted and scaled rows, a batch, a constant row, float32",
        tol_of=lambda args: 1e-5,
    )


# ---------------------------------------------------------------- 05: scaled attention
def _qkv_cases(salt: int) -> list:
    r = _rng(3, salt)
    return [
        (r.normal(size=(4, 8)), r.normal(size=(5, 8)), r.normal(size=(5, 3))),  # n_q != n_k, d_v != d_k
        (30 * r.normal(size=(3, 16)), 30 * r.normal(size=(3, 16)), r.normal(size=(3, 2))),  # large scores
        (r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4)), r.normal(size=(2, 3, 4))),  # batch dimensions
        (r.normal(size=(1, 4)), r.normal(size=(1, 4)), r.normal(size=(1, 4))),  # one word
        tuple(a.astype(np.float32) for a in (r.normal(size=(3, 4)), r.normal(size=(3, 4)), r.normal(size=(3, 2)))),
    ]


def _attend(Q, K, V, scale, mask=None, axis=-1):
    S = Q @ np.swapaxes(K, -1, -2) * scale
    if mask is not None:
        S = np.where(mask, S, -np.inf)
    W = _loose_softmax(S, axis=axis)
    return W @ V, W


SCALED_MISTAKES = [
    (
        lambda Q, K, V: _attend(Q, K, V, 1.0),
        "no scale: divide the scores by sqrt(d_k), the length of the query and key vectors (Q.shape[-1]).",
    ),
    (
        lambda Q, K, V: _attend(Q, K, V, math.sqrt(Q.shape[-1])),
        "the scores are multiplied by sqrt(d_k); they must be divided by it (times 1/sqrt(d_k)).",
    ),
    (
        lambda Q, K, V: _attend(Q, K, V, 1 / math.sqrt(K.shape[-2])),
        "that divides by sqrt(n), the number of words; the scale is 1/sqrt(d_k), the number of features of a query (Q.shape[-1]).",
    ),
    (lambda Q, K, V: _attend(Q, K, V, 1 / Q.shape[-1]), "that divides by d_k; the scale is 1/sqrt(d_k)."),
    (
        lambda Q, K, V: (
            _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]))[0],
            np.swapaxes(_attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]))[1], -1, -2),
        ),
        "the weights are returned transposed: row i is query i, column j is key j (shape (n_q, n_k)).",
    ),
    (
        lambda Q, K, V: _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), axis=-2),
        "the softmax runs over the queries (axis -2): each query's row of weights must sum to 1 (axis=-1).",
    ),
]


def check_scaled_attention(fn) -> tuple:
    """05.3: my_scaled_attention(Q, K, V) -> (out, weights), scores scaled by 1/sqrt(d_k)."""
    return _check(
        fn,
        _qkv_cases(0),
        scaled_dot_product_attention,
        SCALED_MISTAKES,
        _pair,
        "my_scaled_attention(Q, K, V)",
        "n_q != n_k, large scores, a batch, one word, float32",
    )


# ---------------------------------------------------------------- 07: masks
CAUSAL_MISTAKES = [
    (
        lambda n: (np.triu(np.ones((n, n), dtype=bool)),),
        "that is np.triu: True on and above the diagonal lets each word see the future. Use np.tril: word i may see words 0..i.",
    ),
    (
        lambda n: (~np.tri(n, dtype=bool),),
        "the boolean is inverted: True marks the blocked positions (the future, what np.triu(..., k=1) gives), but in this series True means 'may attend': np.tril(np.ones((n, n), dtype=bool)).",
    ),
    (
        lambda n: (np.tri(n, k=-1, dtype=bool),),
        "the diagonal is False: a word may always see itself (np.tril with k=0).",
    ),
]


def check_causal_mask(fn) -> tuple:
    """08.3: my_causal_mask(n), boolean (n, n), True where a query may attend."""
    if callable(fn):
        try:
            got = _array(_call(fn, (4,), "n"), "the mask")
            if got.dtype != np.bool_ and got.shape == (4, 4) and np.array_equal(got.astype(bool), causal_mask(4)):
                return (
                    False,
                    f"the right pattern, but of dtype {got.dtype}: return a boolean array (dtype=bool), e.g. np.tril(np.ones((n, n), dtype=bool)).",
                )
        except _LearnerError:
            pass  # _check reports it
    cases = [(1,), (3,), (6,)]
    return _check(
        fn,
        cases,
        lambda n: (causal_mask(n),),
        CAUSAL_MISTAKES,
        lambda r: (_array(r, "the mask"),),
        "my_causal_mask(n)",
        "n = 1, 3 and 6",
        tol_of=lambda args: 0,
    )


def _masked_cases() -> list:
    r = _rng(4)
    Q, K, V = r.normal(size=(4, 8)), r.normal(size=(4, 8)), r.normal(size=(4, 3))
    pad = np.array([True, True, True, False])[None, :] & np.ones((4, 1), dtype=bool)
    return [
        (Q, K, V, causal_mask(4)),
        (Q, K, V, pad),  # a padding mask
        (
            r.normal(size=(2, 3, 4)),
            r.normal(size=(2, 3, 4)),
            r.normal(size=(2, 3, 2)),
            causal_mask(3),
        ),  # batch dimensions
        (r.normal(size=(1, 4)), r.normal(size=(1, 4)), r.normal(size=(1, 4)), np.ones((1, 1), dtype=bool)),  # one word
        tuple(a.astype(np.float32) for a in (Q, K, V)) + (causal_mask(4),),
    ]


def _zero_masked(Q, K, V, mask):
    S = np.where(mask, Q @ np.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1]), 0.0)
    W = softmax(S)
    return W @ V, W


def _mask_after(Q, K, V, mask):
    _, W = _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]))
    W = W * mask
    return W @ V, W


MASKED_MISTAKES = [
    (
        _zero_masked,
        "masked scores set to 0: exp(0) = 1, so the masked keys still get weight. Set them to -inf (np.where(mask, scores, -np.inf)) before the softmax.",
    ),
    (
        _mask_after,
        "the mask is applied after the softmax, so the rows no longer sum to 1: set masked scores to -inf before the softmax (or divide each row by its new sum).",
    ),
    (
        lambda Q, K, V, m: _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), ~m),
        "the mask is inverted: True means 'may attend', so set the scores to -inf where the mask is False (~mask).",
    ),
    (
        lambda Q, K, V, m: _attend(Q, K, V, 1.0, m),
        "the masking is right but the scale is missing: divide the scores by sqrt(d_k) as in 05.3.",
    ),
    (
        lambda Q, K, V, m: (
            _attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), m)[0],
            np.swapaxes(_attend(Q, K, V, 1 / math.sqrt(Q.shape[-1]), m)[1], -1, -2),
        ),
        "the weights are returned transposed: row i is query i (shape (n_q, n_k)).",
    ),
]


def check_masked_attention(fn) -> tuple:
    """08.4: my_masked_attention(Q, K, V, mask) -> (out, weights), -inf before the softmax where mask is False."""
    return _check(
        fn,
        _masked_cases(),
        lambda Q, K, V, m: scaled_dot_product_attention(Q, K, V, mask=m),
        MASKED_MISTAKES,
        _pair,
        "my_masked_attention(Q, K, V, mask)",
        "a causal and a padding mask, a batch, one word, float32",
    )


# ---------------------------------------------------------------- 08: heads
def _split_cases() -> list:
    r = _rng(5)
    return [
        (r.normal(size=(3, 8)), 2),
        (r.normal(size=(2, 4, 6)), 3),
        (r.normal(size=(1, 4)), 4),
        (r.normal(size=(5, 6)).astype(np.float32), 2),
    ]


def _split_no_transpose(M, h):
    *batch, n, d = M.shape
    return (M.reshape(*batch, h, n, d // h),)


def _split_interleaved(M, h):
    *batch, n, d = M.shape
    return (np.moveaxis(M.reshape(*batch, n, d // h, h), -1, -3),)


SPLIT_MISTAKES = [
    (
        _split_no_transpose,
        "a reshape without the transpose mixes words across heads: reshape to (..., n, n_heads, d_head) first, then swap the n and n_heads axes.",
    ),
    (
        _split_interleaved,
        "each head must own a contiguous block of features (head 0: features 0..d_head-1): reshape to (..., n, n_heads, d_head), not (..., n, d_head, n_heads).",
    ),
]


def check_split_heads(fn) -> tuple:
    """09.4: my_split_heads(M, n_heads): (..., n, d_model) -> (..., n_heads, n, d_head)."""
    return _check(
        fn,
        _split_cases(),
        lambda M, h: (split_heads(M, h),),
        SPLIT_MISTAKES,
        _one,
        "my_split_heads(M, n_heads)",
        "2 to 4 heads, a batch, one word, float32",
        tol_of=lambda args: 0,
    )


def _merge_cases() -> list:
    r = _rng(6)
    return [
        (r.normal(size=(2, 3, 4)),),
        (r.normal(size=(2, 3, 5, 2)),),
        (r.normal(size=(4, 1, 1)),),
        (r.normal(size=(3, 4, 2)).astype(np.float32),),
    ]


def _merge_no_transpose(M):
    *batch, h, n, dh = M.shape
    return (M.reshape(*batch, n, h * dh),)


def _merge_wrong_order(M):
    *batch, h, n, dh = M.shape
    return (np.moveaxis(M, -3, -1).reshape(*batch, n, h * dh),)


MERGE_MISTAKES = [
    (
        _merge_no_transpose,
        "a reshape without the transpose mixes words across heads: swap the n_heads and n axes first (np.swapaxes(M, -3, -2)), then reshape.",
    ),
    (
        _merge_wrong_order,
        "the heads are merged in the wrong order: each word's row must be head 0's d_head features, then head 1's, ... (swap axes -3 and -2, then reshape).",
    ),
]


def check_merge_heads(fn) -> tuple:
    """09.5: my_merge_heads(M): (..., n_heads, n, d_head) -> (..., n, n_heads * d_head)."""
    return _check(
        fn,
        _merge_cases(),
        lambda M: (merge_heads(M),),
        MERGE_MISTAKES,
        _one,
        "my_merge_heads(M)",
        "2 to 4 heads, a batch, one word, float32",
        tol_of=lambda args: 0,
    )


def _mha_cases() -> list:
    r = _rng(7)

    def inputs(shape, d, h, dtype=np.float64):
        X = r.normal(size=shape + (d,)).astype(dtype)
        Ws = [(r.normal(size=(d, d)) / math.sqrt(d)).astype(dtype) for _ in range(4)]
        return (X, *Ws, h)

    return [
        inputs((5,), 8, 2),
        inputs((4,), 12, 3),
        inputs((1,), 4, 2),
        inputs((4,), 6, 3, np.float32),
        inputs((3,), 8, 1),
    ]


def _mha_variant(
    X, W_q, W_k, W_v, W_o, h, scale=None, split=split_heads, merge=merge_heads, out_proj=True, transpose=False
):
    d_model = X.shape[-1]
    Q, K, V = split(X @ W_q, h), split(X @ W_k, h), split(X @ W_v, h)
    s = 1 / math.sqrt(d_model // h) if scale is None else scale(d_model, h)
    S = Q @ np.swapaxes(K, -1, -2) * s
    W = softmax(S)
    out = merge(W @ V)
    out = out @ W_o if out_proj else out
    return out, (np.swapaxes(W, -1, -2) if transpose else W)


MHA_MISTAKES = [
    (
        lambda *a: _mha_variant(*a, scale=lambda d, h: 1 / math.sqrt(d)),
        "the scores are divided by sqrt(d_model); each head's queries have d_head = d_model // n_heads features, so divide by sqrt(d_head).",
    ),
    (lambda *a: _mha_variant(*a, scale=lambda d, h: 1.0), "no scale: divide each head's scores by sqrt(d_head)."),
    (
        lambda *a: _mha_variant(
            *a, split=lambda M, h: _split_no_transpose(M, h)[0], merge=lambda M: _merge_no_transpose(M)[0]
        ),
        "a reshape without the transpose mixes words across heads: split with reshape then swapaxes (your my_split_heads), and merge back the same way.",
    ),
    (
        lambda *a: _mha_variant(*a, out_proj=False),
        "the heads' outputs are not mixed by W_o: multiply the merged output by W_o.",
    ),
    (
        lambda *a: _mha_variant(*a, transpose=True),
        "the weights are returned transposed: each head's row i is query i (shape (n_heads, n, n)).",
    ),
]


def check_multi_head_attention(fn) -> tuple:
    """09.6: my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads) -> (out, weights (n_heads, n, n))."""

    def reference(X, W_q, W_k, W_v, W_o, n_heads):
        return multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads=n_heads)

    return _check(
        fn,
        _mha_cases(),
        reference,
        MHA_MISTAKES,
        _pair,
        "my_multi_head_attention(X, W_q, W_k, W_v, W_o, n_heads)",
        "1 to 3 heads, one word, float32",
    )
