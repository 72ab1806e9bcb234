"""The implement-it checkers accept a right function and name each listed mistake, written here as a learner would."""

import math

import numpy as np
import pytest

from helpers.exercises import check_exercise
from tests.learner_answers import (
    mask_after_softmax,
    mha_no_transpose,
    right_attend_with_cache,
    right_attention_backward,
    right_cross_entropy,
    right_layer_norm,
    right_masked,
    right_merge,
    right_mha,
    right_online_update,
    right_positional_encoding,
    right_rope,
    right_sample,
    right_scaled,
    right_self_attention,
    right_softmax,
    right_split,
    sample_not_renormalised,
    sample_top_k_smallest,
)


def hint(exercise, fn):
    fb = check_exercise(exercise, fn)
    assert not fb.ok, f"{exercise} accepted a wrong function"
    return fb.message


# ---------------------------------------------------------------- 04.4 softmax


def softmax_loops(scores):  # right too, the slow way
    s = np.asarray(scores)
    out = np.empty_like(s)
    for idx in np.ndindex(s.shape[:-1]):
        row = s[idx]
        m = max(row)
        e = [math.exp(v - m) for v in row]
        out[idx] = [v / sum(e) for v in e]
    return out


def test_softmax_right_and_in_place():
    assert check_exercise("04.4", right_softmax).ok and check_exercise("04.4", softmax_loops).ok

    def in_place(scores):
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        return scores

    assert "changed its input" in hint("04.4", in_place)


# ---------------------------------------------------------------- 06.1 positional encoding


def pe_with(first=0, rate=2, swap=False):
    def fn(n, d):
        pe = np.zeros((n, d))
        for p in range(n):
            for j in range(d):
                angle = (p + first) / 10000 ** (rate * (j // 2) / d)
                even, odd = (math.cos, math.sin) if swap else (math.sin, math.cos)
                pe[p, j] = even(angle) if j % 2 == 0 else odd(angle)
        return pe

    return fn


def test_positional_encoding_right():
    assert check_exercise("06.1", right_positional_encoding).ok


# ---------------------------------------------------------------- 04.5 self-attention


def test_self_attention_right():
    assert check_exercise("04.5", right_self_attention).ok


# ---------------------------------------------------------------- 05.3 scaled attention


def test_scaled_attention_right_and_float32():
    assert check_exercise("05.3", right_scaled).ok

    def float64_constant(Q, K, V):
        out, w = right_scaled(Q, K, V)
        return out.astype(np.float64), w

    fb = check_exercise("05.3", float64_constant)
    assert fb.ok and "float32 in gives float64 out" in fb.message and "np.sqrt" in fb.message


# ---------------------------------------------------------------- 08.3 causal mask, 08.4 masked attention


def test_causal_mask_right():
    assert check_exercise("08.3", lambda n: np.tril(np.ones((n, n), dtype=bool))).ok
    assert check_exercise("08.3", lambda n: np.array([[j <= i for j in range(n)] for i in range(n)])).ok


def masked_with(value):
    def fn(Q, K, V, mask):
        scores = Q @ np.swapaxes(K, -1, -2) / np.sqrt(Q.shape[-1])
        weights = right_softmax(np.where(mask, scores, value))
        return weights @ V, weights

    return fn


def test_masked_attention_right():
    assert check_exercise("08.4", right_masked).ok
    assert check_exercise("08.4", masked_with(-1e9)).ok  # a large negative number works too (in float64 and float32)


# ---------------------------------------------------------------- 09.4-09.6 heads


def mha_scaled_by(X, W_q, W_k, W_v, W_o, n_heads, by):
    Q, K, V = (right_split(X @ W, n_heads) for W in (W_q, W_k, W_v))
    weights = right_softmax(Q @ np.swapaxes(K, -1, -2) / by)
    return right_merge(weights @ V) @ W_o, weights


@pytest.mark.parametrize(
    "exercise, fn, words",
    [
        ("09.4", lambda M, h: M.reshape(*M.shape[:-2], h, M.shape[-2], M.shape[-1] // h), "without the transpose"),
        ("09.4", lambda M, h: np.moveaxis(M.reshape(*M.shape[:-1], M.shape[-1] // h, h), -1, -3), "contiguous block"),
        (
            "09.4",
            lambda M, h: np.swapaxes(M.reshape(M.shape[0], h, -1), 0, 1),
            "right on every input without batch axes",
        ),
        (
            "09.4",
            lambda M, h: np.swapaxes(M.reshape(M.shape[-2], h, M.shape[-1] // h), 0, 1),
            "your function raised ValueError: cannot reshape",
        ),
        ("09.5", lambda M: M.reshape(*M.shape[:-3], M.shape[-2], M.shape[-3] * M.shape[-1]), "without the transpose"),
        ("09.5", lambda M: np.moveaxis(M, -3, -1).reshape(*M.shape[:-3], M.shape[-2], -1), "wrong order"),
        (
            "09.6",
            lambda X, Wq, Wk, Wv, Wo, h: mha_scaled_by(X, Wq, Wk, Wv, Wo, h, np.sqrt(X.shape[-1])),
            "sqrt(d_model)",
        ),
        ("09.6", mha_no_transpose, "without the transpose"),
        (
            "09.6",
            lambda X, Wq, Wk, Wv, Wo, h: (
                right_merge(right_scaled(*(right_split(X @ W, h) for W in (Wq, Wk, Wv)))[0]),
                right_mha(X, Wq, Wk, Wv, Wo, h)[1],
            ),
            "W_o",
        ),
        (
            "09.6",
            lambda X, Wq, Wk, Wv, Wo, h: (
                right_mha(X, Wq, Wk, Wv, Wo, h)[0],
                np.swapaxes(right_mha(X, Wq, Wk, Wv, Wo, h)[1], -1, -2),
            ),
            "transposed",
        ),
    ],
)
def test_head_mistakes(exercise, fn, words):
    assert words in hint(exercise, fn)


def test_heads_right():
    assert check_exercise("09.4", right_split).ok
    assert check_exercise("09.5", right_merge).ok
    assert check_exercise("09.6", right_mha).ok


# ---------------------------------------------------------------- never a traceback
@pytest.mark.parametrize(
    "exercise",
    [
        "04.4",
        "04.5",
        "05.3",
        "06.1",
        "06.3",
        "10.1",
        "10.3",
        "12.1",
        "13.3",
        "08.3",
        "08.4",
        "09.4",
        "09.5",
        "09.6",
        "14.1",
        "14.2",
        "15.1",
    ],
)
@pytest.mark.parametrize(
    "answer",
    [
        3,
        "my_softmax",
        None,
        ...,
        lambda *a: None,
        lambda *a: "text",
        lambda *a: (1, 2, 3),
        lambda *a: [np.ones(2), np.ones(2)],
        lambda *a: {},
        lambda: 1,
        lambda *a: np.array(["a"]),
    ],
)
def test_junk_gets_a_hint(exercise, answer):
    fb = check_exercise(exercise, answer)
    assert not fb.ok and fb.message and "\n" not in fb.message and not fb.message.endswith("..")


# ---------------------------------------------------------------- 12.1 LayerNorm


def test_layer_norm_right():
    assert check_exercise("12.1", right_layer_norm).ok


# every mistake each checker names, as a learner would write it
MISTAKES = {
    "04.4": [
        (lambda s: np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True), "subtract each row's max"),
        (lambda s: np.exp(s - s.max(axis=0)) / np.exp(s - s.max(axis=0)).sum(axis=0), "each column sums to 1"),
        (lambda s: np.exp(s - s.max()) / np.exp(s - s.max()).sum(), "the whole array sums to 1"),
    ],
    "06.1": [
        (pe_with(swap=True), "sine and cosine are swapped"),
        (pe_with(rate=1), "2i/d"),
        (pe_with(first=1), "start at 1"),
    ],
    "04.5": [
        (
            lambda X: (right_softmax(X @ X.T / np.sqrt(X.shape[1])) @ X, right_softmax(X @ X.T / np.sqrt(X.shape[1]))),
            "does not scale",
        ),
        (lambda X: (right_softmax(X @ X.T).T @ X, right_softmax(X @ X.T).T), "returned as weights.T"),
        (lambda X: (X @ X.T @ X, X @ X.T), "raw dot products"),
        (lambda X: right_softmax(X @ X.T) @ X, "return two arrays"),
    ],
    "05.3": [
        (
            lambda Q, K, V: (right_softmax(Q @ np.swapaxes(K, -1, -2)) @ V, right_softmax(Q @ np.swapaxes(K, -1, -2))),
            "no scale",
        ),
        (lambda Q, K, V: right_scaled(Q * Q.shape[-1], K, V), "multiplied by sqrt(d_k)"),
        (lambda Q, K, V: right_scaled(Q * np.sqrt(Q.shape[-1] / K.shape[-2]), K, V), "sqrt(n), the number of words"),
        (
            lambda Q, K, V: (right_scaled(Q, K, V)[0], np.swapaxes(right_scaled(Q, K, V)[1], -1, -2)),
            "returned as weights.T",
        ),
        (lambda Q, K, V: right_scaled(Q, K, V) if Q.ndim == 2 else (Q @ K.T, Q), ".T reverses every axis"),
        (lambda Q, K, V: 1 / 0, "your function raised ZeroDivisionError: division by zero"),
    ],
    "08.3": [
        (lambda n: np.triu(np.ones((n, n), dtype=bool)), "np.triu"),
        (lambda n: ~np.tril(np.ones((n, n), dtype=bool)), "inverted"),
        (lambda n: np.triu(np.ones((n, n), dtype=bool), k=1), "True marks the blocked positions"),
        (lambda n: np.tril(np.ones((n, n), dtype=bool), k=-1), "may always see itself"),
        (lambda n: np.tril(np.ones((n, n))), "boolean"),
    ],
    "08.4": [
        (masked_with(0.0), "masked scores set to 0"),
        (mask_after_softmax, "after the softmax"),
        (lambda Q, K, V, mask: right_masked(Q, K, V, ~mask), "inverted"),
        (lambda Q, K, V, mask: right_masked(Q * np.sqrt(Q.shape[-1]), K, V, mask), "scale is missing"),
    ],
    "12.1": [
        (lambda x, g, b, eps: (x - x.mean(0)) / np.sqrt(x.var(0) + eps) * g + b, "down the columns"),
        (
            lambda x, g, b, eps: (
                (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, ddof=1, keepdims=True) + eps) * g + b
            ),
            "ddof=1",
        ),
        (
            lambda x, g, b, eps: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + eps),
            "gamma and beta are missing",
        ),
        (
            lambda x, g, b, eps: (x - x.mean(-1, keepdims=True)) / (x.var(-1, keepdims=True) + eps) * g + b,
            "not by the variance",
        ),
    ],
}


@pytest.mark.parametrize(
    "exercise, fn, words", [(key, fn, words) for key, cases in MISTAKES.items() for fn, words in cases]
)
def test_each_mistake_is_named(exercise, fn, words):
    assert words in hint(exercise, fn)


# ---------------------------------------------------------------- 14.1 cross-entropy, 14.2 sampling
def test_cross_entropy_right_and_mistakes():
    assert check_exercise("14.1", right_cross_entropy).ok
    assert check_exercise("14.1", lambda lg, t: np.float32(right_cross_entropy(lg, t))).ok  # a numpy number is a number

    def unstable(lg, t):
        p = np.exp(lg) / np.exp(lg).sum(axis=-1, keepdims=True)
        return float(-np.log(np.take_along_axis(p, t[..., None], axis=-1)).mean())

    def summed(lg, t):
        return right_cross_entropy(lg, t) * t.size

    def of_probabilities(lg, t):
        return float(-np.log(np.take_along_axis(lg, t[..., None], axis=-1)).mean())

    assert "subtract each row's largest logit" in hint("14.1", unstable)
    assert "sum over the positions" in hint("14.1", summed)
    assert "not probabilities" in hint("14.1", of_probabilities)
    assert "one number" in hint("14.1", lambda lg, t: np.ones(3))


def test_sample_right_and_mistakes():
    assert check_exercise("14.2", right_sample).ok
    assert "the k most likely" in hint("14.2", sample_top_k_smallest)
    assert "divide by their sum" in hint("14.2", sample_not_renormalised)
    after = lambda lg, t, k, rng: right_sample(lg, 1.0 if t else 0.0, k, rng)  # noqa: E731  (T ignored)
    assert "before the softmax" in hint("14.2", after)
    assert "always return the most likely" in hint("14.2", lambda lg, t, k, rng: int(rng.integers(0, 6)))
    assert "one token id" in hint("14.2", lambda lg, t, k, rng: "a")


def _position_in_top_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    z = np.sort(logits)[::-1][:top_k] / temperature  # the top k, sorted, without their ids
    p = np.exp(z - z.max())
    return int(rng.choice(top_k, p=p / p.sum()))


def _first_k(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    z = logits[:top_k] / temperature  # the first k, not the largest k
    p = np.exp(z - z.max())
    return int(rng.choice(top_k, p=p / p.sum()))


def _global_generator(logits, temperature, top_k, rng):
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[-top_k:]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[np.random.choice(top_k, p=p / p.sum())])  # numpy's global generator, not rng


def _inverse_cdf(logits, temperature, top_k, rng):  # another valid algorithm: rng.random() and a cumulative sum
    if temperature == 0:
        return int(np.argmax(logits))
    keep = np.argsort(logits)[::-1][:top_k]
    z = logits[keep] / temperature
    p = np.exp(z - z.max())
    return int(keep[min(int(np.searchsorted(np.cumsum(p / p.sum()), rng.random())), top_k - 1)])


def test_sample_wrong_answers_once_accepted_are_named_and_other_right_ones_pass():
    """The test logits were sorted and only frequencies compared: a position in the top-k list, the first k logits
    and numpy's global generator all passed. They are named now; a loop and an inverse-CDF draw still pass."""
    assert "position inside the top-k list" in hint("14.2", _position_in_top_k)
    assert "the first k logits" in hint("14.2", _first_k)
    assert "same seed drew different ids" in hint("14.2", _global_generator)
    assert check_exercise("14.2", _inverse_cdf).ok


# ---------------------------------------------------------------- weights returned transposed, in every exercise
def _transposed(fn):
    def wrong(*args):
        out, weights = fn(*args)
        return out, np.swapaxes(weights, -1, -2)

    return wrong


@pytest.mark.parametrize(
    "exercise, right",
    [("04.5", right_self_attention), ("05.3", right_scaled), ("08.4", right_masked), ("09.6", right_mha)],
)
def test_weights_returned_transposed_are_named_in_every_exercise(exercise, right):
    assert "weights are transposed (returned as weights.T" in hint(exercise, _transposed(right))


def test_softmax_backward_names_summing_everything_and_the_wrong_sign():
    assert "whole array" in hint("10.1", lambda P, dP: P * (dP - np.sum(dP * P)))
    assert "sign is flipped" in hint("10.1", lambda P, dP: P * (np.sum(dP * P, axis=-1, keepdims=True) - dP))


# ---------------------------------------------------------------- 06.3 rotary, 10.3 backward, 13.3 online update
def rope_with(sign=1.0, rate=2, halves=False, by_row=False):
    """Rotary encoding as a learner might get it wrong: one knob per mistake."""

    def fn(x, positions):
        out = np.array(x, copy=True)
        d = x.shape[-1]
        for r, p in enumerate(positions):
            p = r if by_row else p
            for i in range(d // 2):
                angle = p * 10000 ** (-rate * i / d)
                j, k = (i, i + d // 2) if halves else (2 * i, 2 * i + 1)
                a, b = x[..., r, j], x[..., r, k]
                out[..., r, j] = a * math.cos(angle) - sign * b * math.sin(angle)
                out[..., r, k] = sign * a * math.sin(angle) + b * math.cos(angle)
        return out

    return fn


def backward_with(scale=True, through_softmax=True, dv_t=True, dk_t=True, swap=False):
    def fn(Q, K, V, dO):
        s = 1 / math.sqrt(Q.shape[-1]) if scale else 1.0
        P = right_softmax(Q @ np.swapaxes(K, -1, -2) / math.sqrt(Q.shape[-1]))
        dV = (np.swapaxes(P, -1, -2) if dv_t else P) @ dO
        dP = dO @ np.swapaxes(V, -1, -2)
        dS = (P * (dP - (dP * P).sum(axis=-1, keepdims=True)) if through_softmax else dP) * s
        dQ, dK = dS @ K, (np.swapaxes(dS, -1, -2) if dk_t else dS) @ Q
        return (dK, dQ, dV) if swap else (dQ, dK, dV)

    return fn


def update_with(rescale_total=True, rescale_acc=True, upside_down=False, block_max=False):
    def fn(top, total, acc, scores, V):
        new = scores.max(axis=-1, keepdims=True) if block_max else np.maximum(top, scores.max(axis=-1, keepdims=True))
        factor = np.exp(new - top) if upside_down else np.exp(top - new)
        factor = np.where(np.isfinite(factor), factor, 0.0)
        p = np.exp(scores - new)
        total = (total * factor if rescale_total else total) + p.sum(axis=-1, keepdims=True)
        acc = (acc * factor if rescale_acc else acc) + p @ V
        return new, total, acc

    return fn


@pytest.mark.parametrize(
    "exercise, fn, words",
    [
        ("06.3", rope_with(sign=-1.0), "rotates the other way"),
        ("06.3", rope_with(halves=True), "the two halves"),
        ("06.3", rope_with(rate=1), "with 2i in the exponent"),
        ("06.3", rope_with(by_row=True), "by its row number"),
        ("06.3", lambda x, p: right_rope(x, p)[..., ::2], "has shape"),
        ("10.3", backward_with(scale=False), "miss the scale"),
        ("10.3", backward_with(through_softmax=False), "skips the softmax"),
        ("10.3", backward_with(dv_t=False), "dV = P^T dO"),
        ("10.3", backward_with(dk_t=False), "dK = dS^T Q"),
        ("10.3", backward_with(swap=True), "dQ and dK are swapped"),
        ("10.3", lambda Q, K, V, dO: right_attention_backward(Q, K, V, dO)[:2], "return three arrays"),
        ("13.3", update_with(rescale_total=False, rescale_acc=False), "are not rescaled"),
        ("13.3", update_with(rescale_acc=False), "acc is not"),
        ("13.3", update_with(upside_down=True), "upside down"),
        ("13.3", update_with(block_max=True), "the block's own max"),
        ("13.3", lambda t, s, a, sc, V: (t[:, 0], s, a), "top has shape"),
    ],
)
def test_mechanism_mistakes_are_named(exercise, fn, words):
    assert words in hint(exercise, fn)


def test_mechanisms_right():
    assert check_exercise("06.3", right_rope).ok
    assert check_exercise("10.3", right_attention_backward).ok
    assert check_exercise("13.3", right_online_update).ok


def test_online_update_without_the_max_is_named():
    def unshifted(top, total, acc, scores, V):  # no max at all: exp(1000) is inf
        p = np.exp(scores)
        return np.maximum(top, scores.max(axis=-1, keepdims=True)), total + p.sum(axis=-1, keepdims=True), acc + p @ V

    assert "takes exp(score) itself" in hint("13.3", unshifted)


def _cache_keys_first(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([k_new[None], K_cache]), np.concatenate([v_new[None], V_cache])
    s = K @ q / np.sqrt(len(q))
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V


def _cache_not_grown(q, K_cache, V_cache, k_new, v_new):
    out, _, _ = right_attend_with_cache(q, K_cache, V_cache, k_new, v_new)
    return out, K_cache, V_cache


def _cache_scaled_by_d(q, K_cache, V_cache, k_new, v_new):
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    s = K @ q / len(q)  # by d, not sqrt(d)
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V, K, V


def test_attend_with_cache_names_the_returned_caches_and_sends_only_row_mistakes_to_concatenation():
    assert "go last" in hint("15.1", _cache_keys_first) and hint("15.1", _cache_keys_first).count("k_new[None]") == 1
    grown = hint("15.1", _cache_not_grown)
    assert grown.startswith("out is right, but the caches returned are the old ones") and "appended" in grown
    assert "concatenate" not in hint("15.1", _cache_scaled_by_d)  # a scale mistake is not sent to the rows


def test_a_changed_input_is_named_as_the_learner_named_it_and_an_rng_is_not_a_memory_address():
    def softmax_in_place(logits):
        logits -= logits.max(axis=-1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=-1, keepdims=True)

    message = hint("04.4", softmax_in_place)
    assert "changed its input logits" in message and "logits = logits - m instead of logits -= m" in message

    def crashes(logits, temperature, top_k, rng):
        raise ValueError("boom")

    message = hint("14.2", crashes)
    assert "a random generator" in message and "0x" not in message and "PCG64" not in message


# ---------------------------------------------------------------- generic diagnoses, after the named mistakes
def test_diagnose_names_a_flipped_sign_a_scale_a_reversal_a_shift_and_swapped_axes():
    from helpers.exercises.diagnose import diagnose

    want = np.arange(1.0, 13.0).reshape(3, 4)
    assert "sign flipped" in diagnose(-want, want)
    assert "times 0.5 = 1/sqrt(4)" in diagnose(want / 2, want, sizes=[3, 4])
    assert "times 0.6931 = log(2)" in diagnose(want * np.log(2), want) and "np.log2" in diagnose(want * np.log(2), want)
    assert "times 3.7" in diagnose(want * 3.7, want) and "=" not in diagnose(want * 3.7, want).split(":")[0]
    assert "reverse order along axis 1" in diagnose(want[:, ::-1], want)
    shifted = np.concatenate([np.zeros((1, 4)), want[:-1]])  # one step late, a row of zeros first
    assert "shifted by one position along axis 0" in diagnose(shifted, want)
    assert "axes 0 and 1 swapped" in diagnose(want.T, want)
    for unrelated in (np.sin(want), np.ones((3, 4)), want[:2]):
        assert diagnose(unrelated, want) is None
    assert diagnose(want, want) is None  # right is not a mistake
    two = np.array([0.3, 0.7])  # two entries: a reversal there is too often something else
    assert diagnose(two[::-1], two) is None


def test_diagnose_names_a_function_an_offset_other_places_rounding_and_a_factor_per_line():
    from helpers.exercises.diagnose import diagnose

    want = np.arange(1.0, 13.0).reshape(3, 4) / 7 + 0.05
    assert "squared" in diagnose(want**2, want) and "square root" in diagnose(np.sqrt(want), want)
    assert "1 minus" in diagnose(1 - want, want) and "1 over" in diagnose(1 / want, want)
    assert "absolute values" in diagnose(np.abs(want - 1), want - 1)
    assert "plus 0.25 everywhere" in diagnose(want + 0.25, want)
    assert "in other places" in diagnose(want.ravel()[::-1][np.r_[1:12, 0]].reshape(3, 4), want)
    assert "in shape (4, 3), expected (3, 4)" in diagnose(want.reshape(4, 3), want)
    assert "whole numbers" in diagnose(np.floor(want * 3), want) and "all zeros" in diagnose(0 * want, want)
    assert "float16" in diagnose(want.astype(np.float16).astype(float), want)
    rows = diagnose(want * np.array([[1.0], [2.0], [0.5]]), want)
    assert "same along axis 1" in rows and "from 0.5 to 2" in rows and "normalisation" in rows
    assert "same along axis 0" in diagnose(want * np.array([1.0, 2.0, 3.0, 0.5]), want)
    shifted = diagnose(want + np.array([[1.0], [-2.0], [0.5]]), want)
    assert "plus an amount that is the same along axis 1" in shifted and "log-sum-exp" in shifted
    mask = np.array([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1.0]])  # few distinct values: other places say nothing
    assert diagnose(mask[:, ::-1][:, np.r_[1:4, 0]], mask) is None
    for unrelated in (np.sin(want), want + np.arange(12.0).reshape(3, 4) / 10):
        assert diagnose(unrelated, want) is None


def test_where_wrong_says_which_numbers_differ_when_only_some_do():
    from helpers.exercises.diagnose import where_wrong

    want = np.arange(1.0, 17.0).reshape(4, 4)
    first = want.copy()
    first[0] += 1
    assert where_wrong(first, want) == "wrong only at index 0 (the first) along axis 0: 4 of its 16 numbers are wrong"
    late = want.copy()
    late[:, 2:] = 0
    assert "from index 2 on along axis 1 (right before it)" in where_wrong(late, want)
    diagonal = want + np.eye(4)
    assert where_wrong(diagonal, want).startswith("right everywhere except on the diagonal")
    assert "above the diagonal" in where_wrong(want + np.triu(np.ones((4, 4)), 1), want)
    assert where_wrong(want + 1, want) is None and where_wrong(want, want) is None  # all wrong, or none
    assert where_wrong(want[:3], want) is None


def _log2_cross_entropy(logits, targets):
    return right_cross_entropy(logits, targets) / np.log(2)


def _unscaled_dQ(Q, K, V, dO):
    dQ, dK, dV = right_attention_backward(Q, K, V, dO)
    return dQ * np.sqrt(Q.shape[-1]), dK, dV


def _heads_first_axis_swapped(M, n_heads):
    return np.swapaxes(right_split(M, n_heads), -2, -3)


def test_wrong_answers_that_once_got_a_generic_message_get_their_diagnosis():
    assert "1/log(2)" in hint("14.1", _log2_cross_entropy) and "np.log2" in hint("14.1", _log2_cross_entropy)
    assert hint("10.3", _unscaled_dQ).startswith("dQ holds the right numbers times 1.732 = sqrt(3)")
    assert "axes 0 and 1 swapped" in hint("09.4", _heads_first_axis_swapped)


def _softmax_one_global_max(scores):
    e = np.exp(scores - scores.max())  # one max for the whole array
    return e / e.sum(axis=-1, keepdims=True)


def _log_of_stable_softmax(logits, targets):
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    return float(-np.log(np.take_along_axis(p, targets[..., None], axis=-1)).mean())


def test_a_nan_or_an_inf_is_blamed_on_what_caused_it_not_on_an_overflow():
    one_max = hint("04.4", _softmax_one_global_max)
    assert "one max for the whole array" in one_max and "nothing overflowed" in one_max
    underflow = hint("14.1", _log_of_stable_softmax)
    assert "underflow" in underflow and "log(0)" in underflow and "Nothing overflowed" in underflow


def _online_rescale_upside_down(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    up = np.exp(new - top)  # exp(m_new - m_old): inf on the first block, where m_old is -inf
    p = np.exp(scores - new)
    return new, total * up + p.sum(axis=-1, keepdims=True), acc * up + p @ V


def _online_against_old_max(top, total, acc, scores, V):
    new = np.maximum(top, scores.max(axis=-1, keepdims=True))
    p = np.exp(scores - top)  # the block measured against the old max
    rescale = np.exp(top - new)
    return new, total * rescale + p.sum(axis=-1, keepdims=True), acc * rescale + p @ V


def test_online_update_names_the_two_mistakes_that_once_got_only_inf_or_nan():
    with np.errstate(all="ignore"):
        assert "upside down" in hint("13.3", _online_rescale_upside_down)
        assert "measured against the old max" in hint("13.3", _online_against_old_max)


def test_a_list_with_the_right_numbers_is_right_and_told_to_be_an_array_not_about_float32():
    fb = check_exercise("06.3", lambda x, positions: right_rope(x, positions).tolist())
    assert fb.ok and "returned as a Python list" in fb.message and "float32" not in fb.message.split("(")[0]
    assert "float64" not in fb.message


def _softmax_along_axis_1(scores):
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_the_right_numbers_along_another_axis_are_named_with_the_axis():
    """Right on 2-D scores (axis 1 is the last there); on a batch it runs down axis 1, which the checker names."""
    message = hint("04.4", _softmax_along_axis_1)
    assert "computed along axis 1 instead of the last one" in message and "(2, 3, 4)" in message
