"""What the tiny GPT's heads do: where each head looks, a previous-character score, a copying (induction) score,
and the loss with heads switched off. Layers and heads count from 0."""

from __future__ import annotations

import numbers

import numpy as np

from ..attention import previous_token_share
from ..checks import as_float_array
from ..layers import cross_entropy, log_softmax
from .model import check_ids, config_of, forward


def attention_maps(params: dict, ids) -> np.ndarray:
    """Every layer's and head's attention weights for one or more sequences. (B, n) -> (n_layers, B, n_heads, n, n)"""
    keep = []
    forward(params, ids, keep=keep)
    return np.stack([k["weights"] for k in keep[:-1]])


def previous_token_scores(params: dict, ids) -> np.ndarray:
    """Each head's mean weight from a character to the one just before it. (B, n) -> (n_layers, n_heads)"""
    maps = attention_maps(params, ids)  # (L, B, H, n, n)
    return previous_token_share(maps).mean(axis=1)


def repeated_snippets(ids, length: int, count: int, seed: int = 0) -> np.ndarray:
    """count random snippets of a text, each written twice and then its first token once more: r + r + r[0],
    so that loss_per_position has a target for every position of both copies. (N,) -> (count, 2 * length + 1)"""
    ids = np.asarray(ids)
    if not (isinstance(length, numbers.Integral) and isinstance(count, numbers.Integral)) or length < 1 or count < 1:
        raise ValueError(f"length and count must be whole numbers of at least 1, got {length!r} and {count!r}.")
    if ids.ndim != 1 or len(ids) <= length:
        raise ValueError(f"the text must be one row of more than {length} tokens, got shape {ids.shape}.")
    starts = np.random.default_rng(seed).integers(0, len(ids) - length, size=count)
    snippets = ids[starts[:, None] + np.arange(length)]
    return np.concatenate([snippets, snippets, snippets[:, :1]], axis=1)


def induction_score(weights, L: int) -> np.ndarray:
    """Mean weight, over the L queries of the second copy of r + r, on the key just after the query's earlier
    occurrence (query t to key t - L + 1, the diagonal -(L - 1)): where a copying head looks. (..., 2L, 2L) -> (...)

    A head above 0.4 on repeated random tokens counts as an induction head (ARENA's threshold).
    """
    P = as_float_array(weights, "weights", min_ndim=2)
    if isinstance(L, bool) or not isinstance(L, numbers.Integral) or L < 1:
        raise ValueError(f"L must be a whole number of at least 1 (the length of one copy), got {L!r}.")
    if P.shape[-2:] != (2 * L, 2 * L):
        raise ValueError(
            f"weights must be (..., 2L, 2L) = (..., {2 * L}, {2 * L}) for r + r with L = {L}, got {P.shape}."
        )
    rows = np.arange(L, 2 * L)  # the second copy's queries
    return P[..., rows, rows - L + 1].mean(axis=-1)


def induction_scores(params: dict, repeated: np.ndarray) -> np.ndarray:
    """Each head's induction_score on r + r (a trailing r[0] is dropped), averaged over the sequences: the weight from
    each query of the second copy to the token after its earlier occurrence. (B, 2L [+ 1]) -> (n_layers, n_heads)"""
    length = np.shape(repeated)[1] // 2
    repeated = check_ids(np.asarray(repeated)[:, : 2 * length], config_of(params))
    maps = attention_maps(params, repeated)  # (n_layers, B, n_heads, 2L, 2L)
    return induction_score(maps, length).mean(axis=1)


def loss_per_position(params: dict, ids, ablate=()) -> np.ndarray:
    """The loss of predicting each next token, averaged over the sequences. (B, n + 1) -> (n,)"""
    ids = np.asarray(ids)
    if ids.ndim != 2 or ids.shape[1] < 2:
        raise ValueError(f"ids must be (batch, n + 1): n inputs and one more target, got shape {ids.shape}.")
    logp = log_softmax(forward(params, ids[:, :-1], ablate=ablate))
    return -np.take_along_axis(logp, ids[:, 1:, None], axis=-1)[..., 0].mean(axis=0)


def windows(ids: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Every character of a text once: consecutive windows of n inputs and their targets. (N,) -> ((W, n), (W, n))"""
    ids = np.asarray(ids)
    count = (len(ids) - 1) // n
    if count < 1:
        raise ValueError(f"the text has {len(ids)} tokens: at least {n + 1} are needed for one window of {n}.")
    return ids[: count * n].reshape(count, n), ids[1 : count * n + 1].reshape(count, n)


def loss_on(params: dict, ids: np.ndarray, ablate=()) -> float:
    """The mean loss on every character of a text, in windows of the model's context. (N,) -> float (nats)"""
    inputs, targets = windows(ids, params["pos_emb"].shape[0])
    return cross_entropy(forward(params, inputs, ablate=ablate), targets)
