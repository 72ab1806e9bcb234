"""One computation per widget, in numpy and helpers' math only; each returns a frozen dataclass.

Notebooks call these to print what a widget shows, and the widgets call them on every change.
Nothing on this module's import path needs matplotlib or ipywidgets.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .attention import (
    causal_mask,
    contextual_embeddings,
    cosine_similarity,
    dot_similarity,
    entropy,
    multi_head_attention,
    padding_mask,
    previous_token_share,
    random_projections,
    scaled_dot_product_attention,
    softmax,
    sum_normalize,
)
from .blockwise import online_softmax_steps
from .checks import as_float_array
from .experiments import attention_cost, random_query_keys
from .positions import apply_rope, positional_encoding

MAX_WORDS = 12  # more words than this make unreadable heatmaps
MASK_KINDS = ("none", "causal", "padding", "causal + padding")
PAD = "<pad>"
COST_NS = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


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
    if length <= 0:
        raise ValueError("b has length 0: it points nowhere, so it has no direction to compare.")
    theta = np.deg2rad(angle_deg)
    b = length * np.array([np.cos(theta), np.sin(theta)])
    return DotProductStep(
        a, b, float(dot_similarity(a[None], b[None])[0, 0]), float(cosine_similarity(a[None], b[None])[0, 0])
    )


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
    if not 0 <= position < n:
        raise ValueError(f"position must be between 0 and {n - 1}.")
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
    if not 0 <= position < n:
        raise ValueError(f"position must be between 0 and {n - 1}.")
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
    if not 0 <= head < n_heads:
        raise ValueError(f"head must be between 0 and {n_heads - 1}.")
    out, weights = multi_head_attention(X, *random_projections(X.shape[1], seed, gain), n_heads=n_heads)
    return HeadsStep(words, weights, out, head)


# ---------------------------------------------------------------- 10: watch attention learn
@dataclass(frozen=True, eq=False)
class RecordedStep:
    """step int; losses (steps + 1,) the whole curve; loss at the step; weights (n, n) of the first sentence then; norms
    (2,) of W_q, W_k; share on the previous word."""

    step: int
    losses: np.ndarray
    loss: float
    weights: np.ndarray
    norms: np.ndarray
    previous_share: float


def recorded_step(trajectory, step: int) -> RecordedStep:
    """Notebook 10: what training recorded at one step (nothing is computed again). Trajectory, () -> (n, n)"""
    last = len(trajectory.losses) - 1
    if not 0 <= step <= last:
        raise ValueError(f"step must be between 0 and {last}.")
    weights = trajectory.weights[step]
    share = float(previous_token_share(weights))
    return RecordedStep(step, trajectory.losses, float(trajectory.losses[step]), weights, trajectory.norms[step], share)


# ---------------------------------------------------------------- 11: a real model's attention
@dataclass(frozen=True, eq=False)
class MiniLMStep:
    """tokens [str] (n,); weights (n, n) of one head; layer 0..n_layers-1; head 0..n_heads-1 (both from 0)."""

    tokens: list
    weights: np.ndarray
    layer: int
    head: int


def minilm_step(model, sentence: str, layer: int, head: int, encode: Callable | None = None) -> MiniLMStep:
    """Notebook 11: the attention weights of layer (0..5) and head (0..11) for a sentence; encode defaults to
    model.encode.
    str -> (n, n)"""
    tokens = model.tokenizer.tokenize(sentence)  # the length is checked before the model runs
    if len(tokens) > 2 + 2 * MAX_WORDS:
        raise ValueError(
            f"{len(tokens)} tokens: please keep the sentence shorter (at most {2 * MAX_WORDS} word pieces)."
        )
    n_layers, n_heads = model.config.n_layers, model.config.n_heads
    if not 0 <= layer < n_layers:
        raise ValueError(f"layer must be between 0 and {n_layers - 1} (layers count from 0).")
    if not 0 <= head < n_heads:
        raise ValueError(f"head must be between 0 and {n_heads - 1}.")
    enc = (model.encode if encode is None else encode)(sentence)
    return MiniLMStep(enc.tokens, enc.attentions[layer, head], layer, head)


# ---------------------------------------------------------------- 13: cost and online softmax
@dataclass(frozen=True, eq=False)
class CostStep:
    """exact and block: attention_cost results, each {n, seconds, peak_bytes} of shape (k,)."""

    exact: dict
    block: dict
    block_size: int


def cost_step(
    largest_n: int, d: int = 64, block_size: int = 256, progress: Callable[[int, int], None] | None = None
) -> CostStep:
    """Notebook 13: time and peak memory of exact and blockwise attention for n up to largest_n. () -> (k,) each"""
    ns = [n for n in COST_NS if n <= largest_n]
    if not ns:
        raise ValueError(f"largest_n must be at least {COST_NS[0]}.")
    exact = attention_cost(ns, d, repeats=5, progress=progress)
    block = attention_cost(ns, d, repeats=5, block_size=block_size, progress=progress)
    return CostStep(exact, block, block_size)


@dataclass(frozen=True, eq=False)
class OnlineSoftmaxStep:
    """After `block` blocks: keys seen, running max and sum, the output so far (d_v,), the weights known so far (n,)."""

    block: int
    seen: int
    max: float
    sum: float
    output: np.ndarray
    weights_so_far: np.ndarray


def online_softmax_step(scores, values, block_size: int, block: int) -> OnlineSoftmaxStep:
    """Notebook 13: the state of online softmax after `block` blocks of keys. (n,), (n, d_v) -> (n,), (d_v,)"""
    steps = online_softmax_steps(scores, values, block_size)
    if not 1 <= block <= len(steps):
        raise ValueError(f"block must be between 1 and {len(steps)}.")
    s = steps[block - 1]
    return OnlineSoftmaxStep(block, s["seen"], s["max"], s["sum"], s["output"], s["weights"])
