"""Exercises on self-attention, queries and keys, positions, scaling, masks and heads (routine answers)."""

from __future__ import annotations

import math

import numpy as np

from ..attention import (
    causal_mask,
    dot_similarity,
    multi_head_attention,
    padding_mask,
    random_projections,
    scaled_dot_product_attention,
    softmax,
    split_heads,
)
from ..embeddings import toy_vectors
from ..positions import apply_rope
from .registry import MalformedAnswer, exercise, read_array, read_number, routine


# ---------------------------------------------------------------- 04 self-attention
def _toy_scores(sentence: str) -> np.ndarray:
    return dot_similarity(toy_vectors().embed(sentence)[1])


routine(
    "04.1",
    "number",
    lambda: float(softmax(_toy_scores("river bank flows"))[1, 0]),
    "bank gives {want:.3f} of its attention to river.",
    "compute weights = softmax(X @ X.T) and read row 'bank', column 'river'.",
    atol=0.005,
)


@exercise("04.2")
def _sharp_temperature(answer):
    t = read_number(answer)
    if not (math.isfinite(t) and t > 0):
        return False, "a temperature must be a finite number > 0."
    w = float(softmax(_toy_scores("river bank flows"), temperature=t)[1, 1])
    if w >= 0.9:  # the question's threshold
        return True, f"at temperature {t:g}, bank keeps {w:.3f} for itself: a low temperature sharpens the weights."
    return False, f"at temperature {t:g} bank keeps only {w:.3f} for itself; try a smaller temperature."


routine(
    "04.3",
    "choice",
    lambda: "b",  # the letter of the right statement in the question
    "the weights depend only on the fixed embeddings: there is nothing to learn yet.",
    "ask what would change if training wanted bank to look more at river: which number could move?",
)


# ---------------------------------------------------------------- 05 queries, keys, values
_QUERY_X, _QUERY_W = np.zeros((5, 8)), np.zeros((8, 3))  # the shapes the question gives
routine(
    "05.1",
    "shape",
    lambda: (_QUERY_X @ _QUERY_W).shape,
    "(n, d_model) @ (d_model, d_k) -> (n, d_k): one query of d_k numbers per word.",
    "in A @ B the result has A's number of rows and B's number of columns.",
    mistakes=lambda want: [
        (_QUERY_W.shape, "X @ W_q keeps X's rows (one per word) and W_q's columns."),
        (want[::-1], "X @ W_q keeps X's rows (one per word) and W_q's columns."),
    ],
)


@exercise("05.2")
def _query_towards_river(answer):
    words, X = toy_vectors().embed(["money", "bank", "river"])
    X2 = X[:, :2]
    W_q = read_array(answer, (2, 2))
    _, w = scaled_dot_product_attention(X2 @ W_q, X2, X2)
    bank = dict(zip(words, w[words.index("bank")]))
    if bank["river"] > bank["money"]:
        return (
            True,
            f"bank now gives river {bank['river']:.2f} and money {bank['money']:.2f}: W_q changed what bank looks for.",
        )
    return (
        False,
        f"bank gives money {bank['money']:.2f} and river {bank['river']:.2f}; make bank's query point towards "
        "nature (the 2nd feature).",
    )


# ---------------------------------------------------------------- 06 word order
_ROPE_Q, _ROPE_K = np.array([[1.0, 2.0, 0.5, -1.0]]), np.array([[0.5, -1.0, 2.0, 1.0]])  # the question's q and k


def _rope_score(m: int, n: int) -> float:
    return float((apply_rope(_ROPE_Q, [m]) @ apply_rope(_ROPE_K, [n]).T)[0, 0])


_ROPE_OFFSETS = range(-8, 9)  # the offsets m - n the question asks about


def _best_rope_offset() -> int:
    return max(_ROPE_OFFSETS, key=lambda o: _rope_score(20 + o, 20))


routine(
    "06.2",
    "number",
    _best_rope_offset,
    lambda want: (
        f"offset {want:+d} (score {_rope_score(20 + want, 20):.3f}): at any positions m and n with m - n = {want}, "
        "because a rotary score depends only on the offset. The unrotated score (offset 0) is "
        f"{_rope_score(0, 0):.3f}."
    ),
    "fix k at any position n, put q at n + offset for each offset from -8 to 8 (apply_rope(q, [n + offset])), and "
    "keep the offset with the largest dot product.",
    mistakes=lambda want: [
        (0, "at offset 0 both are rotated by the same angle, so the score is q . k = -1.5, far from the largest."),
        (-2, "offset -2 scores 2.393, close; one offset scores higher."),
    ],
)


# ---------------------------------------------------------------- 07 scaling
_ENTRY_VARIANCE, _VARIANCE_D_K = 3, 32  # the question's entries (variance 3, not 1) and d_k
routine(
    "07.1",
    "number",
    lambda: _VARIANCE_D_K * _ENTRY_VARIANCE**2,
    "{want:.0f}: each product q_i k_i has variance 3 x 3 = 9 (independent, mean 0), and 32 of them add up.",
    "a product of two independent mean-0 numbers has the product of their variances; independent variances add.",
    mistakes=lambda want: [
        (_VARIANCE_D_K, "that is for entries of variance 1; here each product q_i k_i has variance 3 x 3 = 9."),
        (_VARIANCE_D_K * _ENTRY_VARIANCE, "that counts the variance 3 once; each product has variance 3 x 3 = 9."),
        (math.sqrt(want), "that is the standard deviation (the spread); the question asks for the variance."),
        (_ENTRY_VARIANCE**2, "that is one product's variance; q . k adds 32 of them."),
    ],
    rtol=0.05,
)

_D_ROPE_K = 256  # the question's d_k
routine(
    "07.2",
    "number",
    lambda: 1 / math.sqrt(_D_ROPE_K),
    "1/sqrt(256) = {want}: dividing by 16 is multiplying by 16 ** -1 = 256 ** -0.5.",
    "the scale is 1 / sqrt(d_k).",
    mistakes=lambda want: [
        (
            1 / want,
            f"{1 / want:g} = sqrt(256), but the scores are divided by it, not multiplied: multiplying makes "
            "saturation worse.",
        )
    ],
    atol=1e-3,
)


# ---------------------------------------------------------------- 08 masks
_CAUSAL_N = 6  # the question's n
routine(
    "08.1",
    "number",
    lambda: int(causal_mask(_CAUSAL_N).sum()),
    "{want} = 6 * 7 / 2: word i sees i + 1 words (itself and those before it).",
    "count the True entries on and below the diagonal of a 6 x 6 matrix.",
    mistakes=lambda want: [
        (want - _CAUSAL_N, f"{want - _CAUSAL_N} leaves out the diagonal; a word may always see itself.")
    ],
)


@exercise("08.2")
def _padding_mask_answer(answer):
    want = padding_mask([3, 1], 3)  # the lengths and n the question gives
    try:
        got = np.asarray(answer) if isinstance(answer, (list, tuple, np.ndarray)) else None
    except ValueError:
        raise MalformedAnswer("a mask is a rectangular array: every row as long as the others") from None
    if got is None or got.dtype != np.bool_:
        return False, "a mask is boolean: True = a real word that may be seen, False = padding."
    if got.size == want.size and np.array_equal(got.reshape(want.shape), want):
        return True, "sentence 0 shows all 3 keys, sentence 1 only its first."
    return False, "row i is True for the first lengths[i] positions and False after them."


# ---------------------------------------------------------------- 09 multi-head attention
routine(
    "09.1",
    "number",
    lambda: split_heads(np.zeros((1, 512)), 8).shape[-1],  # the question's d_model and n_heads
    "d_head = d_model // n_heads = {want} features per head; the 8 heads together have 512 again.",
    "split the d_model features evenly between the heads.",
)

_BATCH_X = np.zeros((2, 7, 8))  # the question's batch of 2 sentences of 7 words; 4 heads
routine(
    "09.2",
    "shape",
    lambda: multi_head_attention(_BATCH_X, *[np.eye(8)] * 4, n_heads=4)[1].shape,
    "(batch, n_heads, n, n): one n x n weights matrix per head and per sentence.",
    "the weights are (batch, n_heads, n_queries, n_keys).",
    mistakes=lambda want: [(want[:1] + want[2:], "every head has its own weights: there is one more axis.")],
)

routine(
    "09.3",
    "number",
    lambda: sum(W.size for W in random_projections(512)),
    "4 * 512 * 512 = {want:,}, whatever n_heads is: heads split the features, they do not add parameters.",
    "W_q, W_k, W_v and W_o are each (d_model, d_model).",
    mistakes=lambda want: [
        (want // 8, "each W is (d_model, d_model) = (512, 512), not per head: the heads share it as column blocks.")
    ],
)
