"""Implement-it checkers of a transformer that writes: the cross-entropy loss, sampling the next character, and
attending with a key/value cache."""

from __future__ import annotations

import numbers

import numpy as np

from ..gpt.cache import attend_with_cache
from ..gpt.sample import next_token_probs
from ..layers import cross_entropy
from . import mistakes_models as more
from .learner import LearnerError, call_learner, case_rng, check_function, hint, named_arrays
from .registry import MalformedAnswer, exercise


# ---------------------------------------------------------------- the loss
def _cross_entropy_cases() -> list:
    r = case_rng(14, 1)
    return [
        (r.normal(size=(2, 5, 7)), r.integers(0, 7, size=(2, 5))),
        (np.array([[1000.0, 0.0, -1000.0], [0.0, 2000.0, 0.0]]), np.array([1, 1])),  # exp(1000) overflows
        (r.normal(size=(1, 4)), np.array([2])),  # one position
        (r.normal(size=(3, 6)).astype(np.float32), r.integers(0, 6, size=3)),
        (np.array([[0.0, 0.5, -1000.0]]), np.array([0])),  # a far logit not picked: its probability underflows to 0
    ]


def _loss(result):
    if isinstance(result, np.ndarray) and result.size == 1:
        result = result.item()
    if isinstance(result, bool) or not isinstance(result, numbers.Real):
        raise LearnerError(f"return the loss as one number (a float), got {type(result).__name__}.")
    return (np.array(float(result)),)


def _picked(logits, targets):
    return np.take_along_axis(logits, np.asarray(targets)[..., None], axis=-1)[..., 0]


def _unstable(logits, targets):
    """exp(1000) overflows to inf: subtract each row's largest logit before exp (log-softmax = z - max - log(sum(exp(z
    - max))))."""
    with np.errstate(all="ignore"):
        logp = np.log(np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True))
    return (np.array(-_picked(logp, targets).mean()),)


def _one_hot_times_log(logits, targets):
    """a probability underflows to 0 (exp(-1000)), and one_hot * log(p) is then 0 * -inf = NaN, even where the one-hot
    is 0: pick each target's log-probability instead, computed directly as z - max - log(sum(exp(z - max)))."""
    z = logits - logits.max(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        one_hot = np.eye(logits.shape[-1])[targets]
        return (np.array(-(one_hot * np.log(p)).sum(axis=-1).mean()),)


def _wrong_axis(logits, targets):
    """the softmax runs over the wrong axis: each position's logits (the last axis, one per character) must turn into
    probabilities that sum to 1."""
    z = logits - logits.max(axis=0, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=0, keepdims=True))
    return (np.array(-_picked(logp, targets).mean()),)


def _probabilities_not_logits(logits, targets):
    """the logits are not probabilities: take the log-softmax of the logits first, then -log p of each target."""
    with np.errstate(all="ignore"):
        return (np.array(-np.log(_picked(logits, targets)).mean()),)


def _sum_not_mean(logits, targets):
    """that is the sum over the positions; the loss is their mean (nats per character)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    return (np.array(-_picked(logp, targets).sum()),)


def _log_of_probabilities(logits, targets):
    """the softmax is stable, but its probabilities underflow: exp(-1000) is 0 and log(0) is -inf, so the loss is inf.
    Nothing overflowed; compute the log-probabilities directly: z - max - log(sum(exp(z - max)))."""
    z = logits - logits.max(axis=-1, keepdims=True)
    with np.errstate(all="ignore"):
        p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
        return (np.array(-np.log(_picked(p, targets)).mean()),)


CROSS_ENTROPY_MISTAKES = [
    _unstable, _one_hot_times_log, _log_of_probabilities, _wrong_axis, _probabilities_not_logits, _sum_not_mean,
]  # fmt: skip


@exercise("14.1", writes="`my_cross_entropy(logits, targets)`: the mean of -log softmax(logits) at the targets")
def check_cross_entropy(fn) -> tuple:
    """my_cross_entropy(logits, targets) -> float, the mean over positions of -log p(target), p = softmax(logits)."""
    what, covers = "my_cross_entropy(logits, targets)", "a batch, logits of 1000 and -1000, one position, float32"
    reference = lambda lg, t: (np.array(cross_entropy(lg, t)),)  # noqa: E731
    cases, mistakes = _cross_entropy_cases(), CROSS_ENTROPY_MISTAKES + more.CROSS_ENTROPY
    return check_function(
        fn, cases, reference, mistakes, what, covers, _loss, 1e-5, dtype=False, rescaled=more.CROSS_ENTROPY_SCALE
    )


# ---------------------------------------------------------------- sampling
DRAWS = 3000  # draws per case: frequencies within about 0.03 of the probabilities
_LOGITS = np.array([0.0, 2.0, -1.0, 1.0, -0.5, 0.5])  # unsorted: a position in a sorted list is not an id
_SAMPLE_CASES = [(0.5, 3), (1.0, 6), (2.0, 4), (1.0, 1)]  # (temperature, top_k)


def _after_softmax(logits, temperature, top_k):
    """the temperature must divide the logits before the softmax: softmax(logits / T). Dividing the probabilities
    by T and renormalising changes nothing."""
    return next_token_probs(logits, 1.0, top_k)


def _smallest_k(logits, temperature, top_k):
    """top-k keeps the k most likely characters, the largest logits (np.argsort(logits)[-k:]), not the smallest."""
    keep = np.argsort(logits, kind="stable")[:top_k]
    p = np.zeros(logits.shape)
    p[keep] = next_token_probs(logits[keep], temperature)
    return p


def _no_top_k(logits, temperature, top_k):
    """top_k is ignored: keep only the k most likely characters, set the others to probability 0, renormalise."""
    return next_token_probs(logits, temperature)


def _position_in_top_k(logits, temperature, top_k):
    """that returns the position inside the top-k list, not the token id: keep = np.argsort(logits)[-top_k:] holds the
    ids, and the draw picks one of them (keep[i])."""
    probs = np.sort(next_token_probs(logits, temperature, top_k))[::-1]
    return probs  # position 0 as often as the likeliest id


def _first_k(logits, temperature, top_k):
    """that keeps the first k logits (logits[:top_k]), not the k largest: np.argsort(logits)[-top_k:] finds them."""
    p = np.zeros(logits.shape)
    p[:top_k] = next_token_probs(logits[:top_k], temperature)
    return p


SAMPLE_MISTAKES = [_after_softmax, _smallest_k, _no_top_k, _position_in_top_k, _first_k]


def _draw(fn, temperature, top_k, rng) -> int:
    got = call_learner(fn, (_LOGITS, temperature, top_k, rng), "my_sample")
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Integral) or not 0 <= got < _LOGITS.shape[0]:
        shown = repr(got) if len(repr(got)) < 40 else type(got).__name__
        raise LearnerError(f"return one token id, a whole number from 0 to {_LOGITS.shape[0] - 1}; got {shown}.")
    return int(got)


def _greedy_hint(fn) -> str:
    """What to add when the learner's function fails at temperature 0 only: it means greedy. -> str"""
    try:
        _draw(fn, 1.0, 6, np.random.default_rng(0))
    except LearnerError:
        return ""
    return (
        " It runs at temperature 1, so temperature 0 is the case to handle: T = 0 means greedy, so return "
        "int(np.argmax(logits)) before dividing by the temperature."
    )


def _frequencies(fn, temperature, top_k, seed) -> np.ndarray:
    rng = np.random.default_rng(seed)
    draws = [_draw(fn, temperature, top_k, rng) for _ in range(DRAWS)]
    return np.bincount(draws, minlength=_LOGITS.shape[0]) / DRAWS


@exercise("14.2", writes="`my_sample(logits, temperature, top_k, rng)`: one character drawn with temperature and top-k")
def check_sample(fn) -> tuple:
    """my_sample(logits, temperature, top_k, rng) -> int, drawn from softmax(logits / T) over the top_k most likely."""
    if not callable(fn):
        raise MalformedAnswer("answer with your function itself: check_exercise('14.2', my_sample), without brackets")
    likeliest = int(np.argmax(_LOGITS))
    try:
        greedy = {_draw(fn, 0.0, 6, np.random.default_rng(k)) for k in range(20)}
    except LearnerError as exc:
        return False, f"{exc}{_greedy_hint(fn)}"
    try:
        twice = [[_draw(fn, 1.0, 6, np.random.default_rng(7)) for _ in range(40)] for _ in range(2)]
        seen = [_frequencies(fn, t, k, seed) for seed, (t, k) in enumerate(_SAMPLE_CASES)]
    except LearnerError as exc:
        return False, str(exc)
    if greedy != {likeliest}:
        return False, f"at temperature 0 it must always return the most likely id ({likeliest}), got {sorted(greedy)}."
    if twice[0] != twice[1]:
        return False, (
            "two runs with rngs of the same seed drew different ids: draw with the rng you are given (rng.choice), "
            "not np.random, so that a seed gives the same text every time."
        )
    for mistake in [None, *SAMPLE_MISTAKES, *more.SAMPLE]:
        expected = [(mistake or next_token_probs)(_LOGITS, t, k) for t, k in _SAMPLE_CASES]
        if all(np.abs(f - p).sum() / 2 < 0.05 for f, p in zip(seen, expected)):  # total variation distance
            if mistake is None:
                return True, f"right: {DRAWS} draws per setting follow softmax(logits / T) over the top k (T 0.5 to 2)."
            return False, hint(mistake)
    return False, "the frequencies of your draws do not follow softmax(logits / T) over the k most likely ids." + (
        _outside_top_k(seen)
    )


def _outside_top_k(seen: list) -> str:
    """How often the draws of a case with top_k below the vocabulary fell outside its k most likely ids. -> str"""
    for freq, (_, k) in zip(seen, _SAMPLE_CASES):
        outside = 1.0 - float(freq[np.argsort(_LOGITS)[-k:]].sum())
        if k < _LOGITS.shape[0] and outside > 0.02:  # 3,000 draws: a few stray ones are not noise
            return (
                f" At top_k = {k}, {outside:.0%} of your draws were ids outside the {k} most likely: only "
                "np.argsort(logits)[-top_k:] may be drawn."
            )
    return ""


# ---------------------------------------------------------------- attending with a key/value cache
def _cache_cases() -> list:
    r = case_rng(15, 1)
    return [
        (r.normal(size=4), r.normal(size=(5, 4)), r.normal(size=(5, 3)), r.normal(size=4), r.normal(size=3)),
        (r.normal(size=8), r.normal(size=(1, 8)), r.normal(size=(1, 8)), r.normal(size=8), r.normal(size=8)),
        (r.normal(size=4), r.normal(size=(4, 4)), r.normal(size=(4, 4)), 3 * r.normal(size=4), r.normal(size=4)),
        tuple(a.astype(np.float32) for a in (r.normal(size=6), r.normal(size=(3, 6)), r.normal(size=(3, 2)),
                                               r.normal(size=6), r.normal(size=2))),
    ]  # fmt: skip


def _attend(q, K, V, scale):
    s = K @ q * scale
    w = np.exp(s - s.max())
    return (w / w.sum()) @ V


def _before_appending(q, K_cache, V_cache, k_new, v_new):
    """the new token misses itself: append its key and value to the cache first, then attend over all n + 1."""
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _attend(q, K_cache, V_cache, 1 / np.sqrt(q.shape[0])), K, V


def _scaled_by_length(q, K_cache, V_cache, k_new, v_new):
    """the scores are divided by sqrt(the cache's length); the scale is 1/sqrt(d_head), the size of a query."""
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _attend(q, K, V, 1 / np.sqrt(K.shape[0])), K, V


def _unscaled(q, K_cache, V_cache, k_new, v_new):
    """no scale: divide the scores by sqrt(d_head), as scaled dot-product attention does."""
    K, V = np.concatenate([K_cache, k_new[None]]), np.concatenate([V_cache, v_new[None]])
    return _attend(q, K, V, 1.0), K, V


def _at_the_front(q, K_cache, V_cache, k_new, v_new):
    """the new key and value go last: the caches keep the tokens in the order they came, so the new row is the last
    one (np.concatenate([K_cache, k_new[None]])), not the first."""
    K, V = np.concatenate([k_new[None], K_cache]), np.concatenate([v_new[None], V_cache])
    return _attend(q, K, V, 1 / np.sqrt(q.shape[0])), K, V


CACHE_MISTAKES = [_before_appending, _scaled_by_length, _unscaled, _at_the_front]


def _three(result):
    return named_arrays(result, ("out", "K_cache", "V_cache"))


@exercise("15.1", writes="`my_attend_with_cache(q, K_cache, V_cache, k_new, v_new)`: append, then attend")
def check_attend_with_cache(fn) -> tuple:
    """my_attend_with_cache(q, K_cache, V_cache, k_new, v_new) -> (out, K_cache, V_cache), one head, one new token."""
    what, covers = "my_attend_with_cache(q, K_cache, V_cache, k_new, v_new)", "caches of 1 to 5 tokens, float32"
    names = ("out", "K_cache", "V_cache")
    ok, message = check_function(
        fn,
        _cache_cases(),
        attend_with_cache,
        CACHE_MISTAKES + more.CACHE,
        what,
        covers,
        _three,
        names=names,
        rescaled=more.CACHE_SCALE,
    )
    about_rows = "concatenat" in message or "same number of dimensions" in message or "_cache has shape" in message
    if not ok and about_rows and "np.concatenate(" not in message:  # a cache's rows went wrong, not said yet
        message += (
            " Keys and values are rows: concatenate along the tokens' axis 0 (np.concatenate([K_cache, k_new[None]]))."
        )
    return ok, message
