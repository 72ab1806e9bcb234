"""More named mistakes for the implement-its of notebook 04 (softmax and self-attention), found by trying realistic
wrong answers: each function computes what one wrong version returns, and its docstring is the hint the learner
reads."""

from __future__ import annotations

import math

import numpy as np

from ..attention import softmax


# ---------------------------------------------------------------- 04.4 softmax
def _softmax_over_max(s):
    """that divides by the largest exp, not by their sum: softmax divides each exp(s - max) by the row's sum, so the
    row sums to 1."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.max(axis=-1, keepdims=True),)


def _softmax_over_max_unshifted(s):
    """that divides by the largest exp, not by their sum: softmax divides each exp(s - max) by the row's sum, so the
    row sums to 1 (and subtracting the max first keeps exp(1000) from overflowing)."""
    e = np.exp(s)
    return (e / e.max(axis=-1, keepdims=True),)


def _softmax_no_exp(s):
    """there is no exp: the weights are exp(s - max) divided by their sum, not the shifted scores themselves."""
    z = s - s.min(axis=-1, keepdims=True)
    return (z / z.sum(axis=-1, keepdims=True),)


def _softmax_over_n(s):
    """that divides the exps by the number of scores, not by their sum: softmax divides each exp(s - max) by the row's
    sum, so the row sums to 1."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / s.shape[-1],)


def _softmax_whole_array_sum(s):
    """that divides by the sum of the whole array: each row is divided by its own sum, e.sum(axis=-1, keepdims=True),
    so each row sums to 1."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(),)


def _softmax_column_max(s):
    """the max subtracted is each column's (axis 0), which changes the ratios within a row: subtract each row's own
    max, s.max(axis=-1, keepdims=True)."""
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True),)


def _sigmoid(s):
    """that is the sigmoid of each score on its own, 1 / (1 + exp(-s)): softmax takes exp(s - max) and divides by the
    row's sum, so the weights of a row compete and sum to 1."""
    return (1 / (1 + np.exp(-s)),)


def _floor_division(s):
    """// is floor division, which rounds each weight down to 0: divide with /, e / e.sum(axis=-1, keepdims=True)."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e // e.sum(axis=-1, keepdims=True),)


def _max_of_rows_sum_of_columns(s):
    """the max is taken over each row (axis=-1) but the sum over axis 0, the columns: take both over the last axis,
    e / e.sum(axis=-1, keepdims=True)."""
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=0, keepdims=True),)


SOFTMAX = [
    _floor_division,
    _max_of_rows_sum_of_columns,
    _sigmoid,
    _softmax_over_n, _softmax_over_max, _softmax_over_max_unshifted, _softmax_no_exp, _softmax_whole_array_sum,
    _softmax_column_max,
]  # fmt: skip
SOFTMAX_SCALE = (
    lambda s, c: (softmax(s * c),),
    "your numbers are the softmax of the scores times {name} (= {value:.4g} for inputs of shapes {shapes}): softmax "
    "takes the exp of the scores as they are, np.exp(s - max): no scale or temperature, no minus sign, not np.exp2.",
    {"-1 (a minus sign)": -1.0, "log(2) (2 ** s or np.exp2 in place of np.exp: a different base)": math.log(2),
     "1/2": 0.5, "2": 2.0},
)  # fmt: skip


# ---------------------------------------------------------------- 04.5 self-attention
def _raw_weights_returned(X):
    """Y is right, but the weights returned are the raw scores X @ X.T: return the softmax of them, the weights that
    made Y."""
    return softmax(X @ X.T) @ X, X @ X.T


def _y_is_the_weights(X):
    """Y is the weights themselves: each word's new vector is the weighted sum of the words' vectors, weights @ X."""
    w = softmax(X @ X.T)
    return w, w


def _features_not_words(X):
    """X.T @ X compares features (columns) with each other; the words are the rows, so their dot products are
    X @ X.T, shape (n, n), and Y = weights @ X."""
    w = softmax(X.T @ X)
    return X @ w, w


def _self_attention_from_transposed(X):
    """Y is computed from the transposed weights (weights.T @ X): row i of the weights is word i's mix of the words,
    so Y = weights @ X."""
    w = softmax(X @ X.T)
    return w.T @ X, w


def _x_transposed_times_weights(X):
    """Y is X^T @ weights, the features mixed by the weights: row i of Y is word i's weighted sum of the words (rows of
    X), Y = weights @ X, shape (n, d)."""
    w = softmax(X @ X.T)
    return X.T @ w, w


def _plus_x(X):
    """that adds X to the weighted sum (a residual connection); self-attention's output is the weighted sum alone,
    Y = weights @ X."""
    w = softmax(X @ X.T)
    return w @ X + X, w


def _cosine_scores(X):
    """the scores are cosine similarities (each row divided by its length first): the article's score is the plain
    dot product, X @ X.T, so longer vectors score higher."""
    U = X / np.linalg.norm(X, axis=-1, keepdims=True)
    return (w := softmax(U @ U.T)) @ X, w


SELF_ATTENTION = [
    _x_transposed_times_weights,
    _cosine_scores,
    _plus_x,
    _raw_weights_returned,
    _y_is_the_weights,
    _features_not_words,
    _self_attention_from_transposed,
]
SELF_ATTENTION_SCALE = (
    lambda X, c: ((w := softmax(X @ X.T * c)) @ X, w),
    "the scores X @ X.T are multiplied by {name} (= {value:.4g} for inputs of shapes {shapes}); notebook 04's "
    "self-attention (the article's) uses them as they are: weights = softmax(X @ X.T), Y = weights @ X.",
    {"-1 (a minus sign)": -1.0},
)
