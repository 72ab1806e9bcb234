"""Steps of self-attention and its parts: weights, queries, word order, scaling, masks, heads (notebooks 04 to 09)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..attention import (
    causal_mask,
    contextual_embeddings,
    dot_similarity,
    entropy,
    multi_head_attention,
    padding_mask,
    random_projections,
    scaled_dot_product_attention,
    softmax,
)
from ..checks import as_float_array, check_index
from ..experiments import random_query_keys
from ..positions import apply_rope, positional_encoding
from .common import _real, sentence_vectors

MASK_KINDS = ("none", "causal", "padding", "causal + padding")
PAD = "<pad>"


# ---------------------------------------------------------------- 04: self-attention
@dataclass(frozen=True, eq=False)
class AttentionStep:
    """words [str] (n,); X (n, d); scores (n, n) = X X^T; weights (n, n) = softmax(scores / T); Y (n, d) = weights X."""

    words: list
    X: np.ndarray
    scores: np.ndarray
    weights: np.ndarray
    Y: np.ndarray


def attention_step(vectors, sentence: str, temperature: float) -> AttentionStep:
    """Notebook 04's computation: words, X, scores, weights, Y. str, () -> (n, d), (n, n), (n, n), (n, d)"""
    words, X = sentence_vectors(vectors, sentence)
    scores = dot_similarity(X)
    weights = softmax(scores, temperature=temperature)
    return AttentionStep(words, X, scores, weights, contextual_embeddings(X, weights))


# ---------------------------------------------------------------- 05: a learnable W_q
def rotation_scaling(angle_deg: float, stretch: float) -> np.ndarray:
    """A 2-D matrix that rotates by angle_deg and scales by stretch (row-vector convention). (), () -> (2, 2)"""
    angle_deg, stretch = _real(angle_deg, "angle_deg"), _real(stretch, "stretch")
    t = np.deg2rad(angle_deg)
    return stretch * np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]])


@dataclass(frozen=True, eq=False)
class QKStep:
    """W_q (2, 2); Q (n, 2) = X2 W_q; K (n, 2) = X2; weights (n, n); out (n, 2)."""

    W_q: np.ndarray
    Q: np.ndarray
    K: np.ndarray
    weights: np.ndarray
    out: np.ndarray


def qk_step(X2, angle_deg: float, stretch: float) -> QKStep:
    """Notebook 05: Q = X W_q (W_q rotates and scales), K = V = X; the weights. (n, 2) -> (n, 2), (n, n)"""
    X2 = as_float_array(X2, "X2", min_ndim=2)
    if X2.ndim != 2 or X2.shape[1] != 2:
        raise ValueError(f"X2 must be (n, 2): two features per word, got shape {X2.shape}.")
    W_q = rotation_scaling(angle_deg, stretch)
    Q = X2 @ W_q
    out, weights = scaled_dot_product_attention(Q, X2, X2)
    return QKStep(W_q, Q, X2, weights, out)


# ---------------------------------------------------------------- 06: word order
ENCODINGS = ("none", "sinusoidal", "learned", "rotary")


@dataclass(frozen=True, eq=False)
class WordOrderStep:
    """words [str] (n,) in their new order; Q (n, d) what attention compares (x + p, or x rotated); weights (n, n);
    moved word, its position, its vector Q[position] (d,)."""

    words: list
    Q: np.ndarray
    weights: np.ndarray
    moved: str
    position: int
    vector: np.ndarray
    encoding: str


def word_order_step(vectors, sentence: str, position: int, encoding: str, learned=None) -> WordOrderStep:
    """Notebook 06: move the sentence's first word to `position`, add position information, attend (Q = K = V).
    str -> (n, n)"""
    words, X = sentence_vectors(vectors, sentence)
    n, d = X.shape
    if encoding not in ENCODINGS:
        raise ValueError(f"unknown encoding '{encoding}'; choose one of {', '.join(ENCODINGS)}.")
    position = check_index(position, 0, n - 1, "position")
    order = list(range(1, n))
    order.insert(position, 0)
    Xo = X[order]
    if encoding == "sinusoidal":
        Q = Xo + positional_encoding(n, d)
    elif encoding == "learned":
        if learned is None or np.shape(learned)[0] < n or np.shape(learned)[1] != d:
            raise ValueError(f"the learned encoding needs a position table of at least {n} rows and {d} columns.")
        Q = Xo + np.asarray(learned)[:n]
    elif encoding == "rotary":
        Q = apply_rope(Xo)
    else:
        Q = Xo
    _, weights = scaled_dot_product_attention(Q, Q, Q)
    return WordOrderStep([words[i] for i in order], Q, weights, words[0], position, Q[position], encoding)


# ---------------------------------------------------------------- 07: scaling by sqrt(d_k)
@dataclass(frozen=True, eq=False)
class ScalingStep:
    """weights (n_keys,) of one query; their entropy and its maximum log(n_keys); the largest weight."""

    weights: np.ndarray
    entropy: float
    max_entropy: float
    max_weight: float


def scaling_step(d_k: int, scaled: bool, n_keys: int = 8, seed: int = 0) -> ScalingStep:
    """Notebook 07: one random query against n_keys random keys, with or without / sqrt(d_k). () -> (n_keys,)"""
    q, K = random_query_keys(d_k, n_keys, seed)
    _, weights = scaled_dot_product_attention(q[None, :], K, K, scale=(1 / np.sqrt(d_k)) if scaled else 1.0)
    w = weights[0]
    return ScalingStep(w, float(entropy(w)), float(np.log(n_keys)), float(w.max()))


# ---------------------------------------------------------------- 08: masks
@dataclass(frozen=True, eq=False)
class MaskStep:
    """mask (n, n), True = may attend; weights (n, n); position int; visible (k,) = the keys position may see."""

    mask: np.ndarray
    weights: np.ndarray
    position: int
    visible: np.ndarray


def mask_step(X, n_words: int, kind: str, position: int) -> MaskStep:
    """Notebook 08: weights of a padded sentence under a mask; what one position can see. (n, d) -> (n, n)"""
    n = X.shape[0]
    if kind not in MASK_KINDS:
        raise ValueError(f"unknown mask '{kind}'; choose one of {', '.join(MASK_KINDS)}.")
    position = check_index(position, 0, n - 1, "position")
    mask = np.ones((n, n), dtype=bool)
    if "causal" in kind:
        mask &= causal_mask(n)
    if "padding" in kind:
        mask &= padding_mask([n_words], n)[0]
    _, weights = scaled_dot_product_attention(X, X, X, mask=mask)
    return MaskStep(mask, weights, position, np.flatnonzero(mask[position]))


# ---------------------------------------------------------------- 09: multi-head attention
@dataclass(frozen=True, eq=False)
class HeadsStep:
    """words [str] (n,); weights (n_heads, n, n); out (n, d_model); head int (the one shown)."""

    words: list
    weights: np.ndarray
    out: np.ndarray
    head: int


def heads_step(vectors, sentence: str, n_heads: int, seed: int = 0, gain: float = 3.0, head: int = 0) -> HeadsStep:
    """Notebook 09: every head's weights for a sentence, with seeded random projections. str -> (n_heads, n, n)"""
    words, X = sentence_vectors(vectors, sentence)
    head = check_index(head, 0, n_heads - 1, "head")
    out, weights = multi_head_attention(X, *random_projections(X.shape[1], seed, gain), n_heads=n_heads)
    return HeadsStep(words, weights, out, head)
