"""Steps of static vectors, weighted sums and dot products (notebooks 01 to 03)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..attention import contextual_embeddings, cosine_similarity, dot_similarity, sum_normalize
from .common import _real, sentence_vectors


# ---------------------------------------------------------------- 01: a static vector never changes
@dataclass(frozen=True, eq=False)
class StaticVectorStep:
    """words [str] (n,); X (n, d); word str; vector (d,) = X[words.index(word)]."""

    words: list
    X: np.ndarray
    word: str
    vector: np.ndarray


def static_vector_step(vectors, sentence: str, word: str) -> StaticVectorStep:
    """Notebook 01: the sentence's vectors and the chosen word's (static) vector. str, str -> (n, d), (d,)"""
    words, X = sentence_vectors(vectors, sentence)
    if not isinstance(word, str):
        raise TypeError(f"word must be text, one word of the sentence; got {type(word).__name__}.")
    word = word.strip().lower()
    if word not in words:
        raise ValueError(f"'{word}' is not in the sentence; pick one of: {', '.join(words)}.")
    return StaticVectorStep(words, X, word, X[words.index(word)])


# ---------------------------------------------------------------- 02: a word as a weighted sum
@dataclass(frozen=True, eq=False)
class WeightedSumStep:
    """words [str] (n,); weights (n,) summing to 1; new (2,) = weights @ X2."""

    words: list
    weights: np.ndarray
    new: np.ndarray


def weighted_sum_step(words, X2, raw_weights) -> WeightedSumStep:
    """Notebook 02: raw slider values -> weights summing to 1 -> the new vector. [str], (n, 2), (n,) -> (n,), (2,)"""
    weights = sum_normalize(np.asarray(raw_weights, dtype=float))
    if (weights < 0).any():
        raise ValueError("weights must be >= 0.")
    new = contextual_embeddings(X2, weights[None, :])[0]
    return WeightedSumStep(list(words), weights, new)


# ---------------------------------------------------------------- 03: the dot product as similarity
@dataclass(frozen=True, eq=False)
class DotProductStep:
    """a (2,); b (2,); dot = a . b; cos = cos(a, b)."""

    a: np.ndarray
    b: np.ndarray
    dot: float
    cos: float


def dot_product_step(a, angle_deg: float, length: float) -> DotProductStep:
    """Notebook 03: b from an angle and a length; a . b and cos(a, b). (2,), (), () -> (2,), (), ()"""
    a = np.asarray(a, dtype=float)
    angle_deg, length = _real(angle_deg, "the angle"), _real(length, "the length")
    if length <= 0:
        raise ValueError("b has length 0: it points nowhere, so it has no direction to compare.")
    theta = np.deg2rad(angle_deg)
    b = length * np.array([np.cos(theta), np.sin(theta)])
    return DotProductStep(
        a, b, float(dot_similarity(a[None], b[None])[0, 0]), float(cosine_similarity(a[None], b[None])[0, 0])
    )
