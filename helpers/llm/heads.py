"""What SmolLM2's heads do (notebook 17): attention sinks, previous-token heads, induction heads, and
StreamingLLM's test of a sliding window with and without its sinks. Layers and heads count from 0."""

from __future__ import annotations

import numbers

import numpy as np

from ..attention import previous_token_share
from ..checks import as_float_array
from ..gpt.cache import KVCache
from ..gpt.heads import induction_score
from ..layers import log_softmax

N_CONTROL = 17  # ids 0..16 are control tokens (<|endoftext|>, <|im_start|>, ...): never drawn as random text


def attention_maps(model, ids) -> np.ndarray:
    """Every head's attention weights on one sequence. (n,) -> (n_layers, n_heads, n, n)"""
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"attention_maps takes one sequence of ids, shape (n,), got {ids.shape}.")
    keep = []
    model.forward(ids, keep=keep)
    return np.stack([w[0] for w in keep])


def first_token_share(maps) -> np.ndarray:
    """Each head's mean weight on the first token, over the queries after it. (..., n, n) -> (...)"""
    P = as_float_array(maps, "maps", min_ndim=2)
    if P.shape[-1] != P.shape[-2] or P.shape[-1] < 2:
        raise ValueError(f"maps must be square attention weights of at least 2 tokens, got shape {P.shape}.")
    return P[..., 1:, 0].mean(axis=-1)


def previous_token_scores(maps) -> np.ndarray:
    """Each head's mean weight on the token just before the query. (..., n, n) -> (...)"""
    return previous_token_share(maps)


def _check_length(L, name: str = "L") -> int:
    if isinstance(L, bool) or not isinstance(L, numbers.Integral) or L < 2:
        raise ValueError(f"{name} must be a whole number >= 2, got {L!r}.")
    return int(L)


def repeated_tokens(model, L: int, count: int, seed: int = 0) -> np.ndarray:
    """`count` sequences of <|endoftext|>, then L random tokens, then the same L again. -> (count, 1 + 2L)"""
    L, count = _check_length(L), _check_length(count, "count")
    rng = np.random.default_rng(seed)
    r = rng.integers(N_CONTROL, model.config.vocab_size, size=(count, L))
    return np.concatenate([np.zeros((count, 1), dtype=r.dtype), r, r], axis=1)


def _check_repeated(seqs, L: int) -> np.ndarray:
    seqs, L = np.asarray(seqs), _check_length(L)
    if seqs.ndim != 2 or seqs.shape[1] != 1 + 2 * L or not np.array_equal(seqs[:, 1 : 1 + L], seqs[:, 1 + L :]):
        raise ValueError(f"seqs must be (count, 1 + 2L) = (count, {1 + 2 * L}): a first token, then L tokens twice.")
    return seqs


def induction_scores(model, seqs, L: int) -> np.ndarray:
    """Each head's induction score (gpt.heads.induction_score: weight on the token after the previous occurrence) on
    repeated random tokens, the first token left out, averaged over the sequences. (count, 1 + 2L) -> (layers, heads)"""
    seqs = _check_repeated(seqs, L)
    keep = []
    model.forward(seqs, keep=keep)  # keep: per layer (count, heads, 1 + 2L, 1 + 2L)
    return np.stack([induction_score(w[..., 1:, 1:], L).mean(axis=0) for w in keep])


def copy_losses(model, seqs, L: int, ablate=(), ablation: str = "mean") -> tuple[float, float]:
    """The mean loss (nats) on the first copy's tokens 2..L and on the second copy's same tokens, with the
    heads in ``ablate`` switched off (mean-ablation by default). (count, 1 + 2L) -> (first, second)"""
    seqs = _check_repeated(seqs, L)
    logits = model.forward(seqs, ablate=ablate, ablation=ablation)  # (count, 1 + 2L, vocab)
    nll = np.stack([_losses(lg, s) for lg, s in zip(logits, seqs)])  # nll[:, t]: token t + 1
    return float(nll[:, 1:L].mean()), float(nll[:, L + 1 :].mean())  # a copy's first token cannot be predicted


def token_losses(model, ids) -> np.ndarray:
    """Full attention: each token's loss (nats) given all before it, in one pass. (n,) -> (n - 1,)"""
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"ids must be one sequence of at least 2 tokens, shape (n,), got {ids.shape}.")
    return _losses(model.logits(ids), ids)


def _losses(logits: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """-log p(next token) at each position but the last, 64 rows at a time (a 49,152-wide softmax's temporaries
    stay small). (n, vocab), (n,) -> (n - 1,)"""
    out = []
    for start in range(0, len(ids) - 1, 64):
        rows = np.arange(start, min(start + 64, len(ids) - 1))
        logp = log_softmax(logits[rows])
        out.append(-logp[np.arange(len(rows)), ids[rows + 1]])
    return np.concatenate(out)


def streaming_losses(model, ids, window: int, sinks: int) -> np.ndarray:
    """StreamingLLM's test: each token's loss (nats) when the cache keeps only the first `sinks` tokens and the
    last `window`, positions renumbered inside the cache; one token at a time. (n,) -> (n - 1,)"""
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"ids must be one sequence of at least 2 tokens, shape (n,), got {ids.shape}.")
    window = _check_length(window, "window")
    if isinstance(sinks, bool) or not isinstance(sinks, numbers.Integral) or sinks < 0:
        raise ValueError(f"sinks must be a whole number >= 0, got {sinks!r}.")
    cache = KVCache(window=window, sinks=int(sinks), config=model.config)
    losses = []
    for t in range(len(ids) - 1):
        logp = log_softmax(model.forward(ids[t : t + 1], cache)[0, 0])
        losses.append(-logp[ids[t + 1]])
    return np.array(losses)
