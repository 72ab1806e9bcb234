"""What every step shares: the checks of a real number and of a sentence's length."""

from __future__ import annotations

import numbers

import numpy as np

MAX_WORDS = 12  # more words than this make unreadable heatmaps


def _real(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{name} must be a finite real number, got {value!r}.")
    return float(value)


def sentence_vectors(vectors, sentence) -> tuple[list[str], np.ndarray]:
    """A sentence's words and static vectors, at most MAX_WORDS words. str -> ([str], (n, d))"""
    words, X = vectors.embed(sentence)
    if len(words) > MAX_WORDS:
        raise ValueError(f"{len(words)} words: please keep the sentence to {MAX_WORDS} words or fewer.")
    return words, X
