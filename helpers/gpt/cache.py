"""Generating fast: a key/value cache. The prompt runs once (prefill) and each layer keeps its keys and values;
then each new token runs alone (decode), attending to the cache. Introduced in notebook 15.

With a sliding window the cache keeps only the first `sinks` tokens and the last `window` (a ring buffer), so
its memory stays flat however long the text. This model's positions are learned for 0..context-1, so it cannot
read past its context either way: decoding past it is a clear error.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np

from ..attention import grouped_query_attention, softmax
from ..checks import as_float_array
from ..layers import gelu, layer_norm
from .model import LN_EPS, _full, check_ids, config_of, forward, param_shapes


@dataclass
class KVCache:
    """Each layer's keys and values (n_kv_heads, n_cached, d_head), in the order they were written, and where
    the next token goes: position (absolute) and, once a window is full, the slot it overwrites."""

    K: list = field(default_factory=list)
    V: list = field(default_factory=list)
    position: int = 0
    window: int | None = None
    sinks: int = 0
    next_slot: int = 0  # in a full window: the oldest slot after the sinks, overwritten next
    config: object = None  # the sizes of the model that made it (checked once, by prefill)

    def __len__(self) -> int:
        return 0 if not self.K else self.K[0].shape[-2]

    def nbytes(self) -> int:
        """The memory the keys and values take. -> bytes"""
        return sum(k.nbytes + v.nbytes for k, v in zip(self.K, self.V))

    def full(self) -> bool:
        """A window's cache holds sinks + window tokens: a new one overwrites the oldest after the sinks."""
        return self.window is not None and len(self) == self.sinks + self.window

    def write(self, layer: int, k: np.ndarray, v: np.ndarray, slot: int | None) -> None:
        """Store one token's key and value (n_kv_heads, d_head) for a layer: appended, or over a slot."""
        if slot is None:
            self.K[layer] = np.concatenate([self.K[layer], k[:, None]], axis=1)
            self.V[layer] = np.concatenate([self.V[layer], v[:, None]], axis=1)
        else:
            self.K[layer][:, slot] = k
            self.V[layer][:, slot] = v


def prefill(params: dict, ids, window: int | None = None, sinks: int = 0) -> tuple[np.ndarray, KVCache]:
    """The prompt in one pass: its logits, and every layer's keys and values cached. (n,) -> ((n, vocab), KVCache)"""
    config = config_of(params)
    ids = check_ids(ids, config)
    if ids.shape[0] != 1:
        raise ValueError(f"prefill takes one sequence, shape (n,), got {ids.shape}.")
    keep = []
    logits = forward(params, ids, keep=keep, window=window, sinks=sinks)[0]
    cache = KVCache(window=window, sinks=sinks, position=ids.shape[1], config=config)
    n = ids.shape[1]
    kept = (
        np.arange(n) if window is None else np.unique(np.r_[np.arange(min(sinks, n)), np.arange(max(0, n - window), n)])
    )
    for store in keep[:-1]:
        cache.K.append(store["K"][0][:, kept].copy())  # (n_kv_heads, n_kept, d_head)
        cache.V.append(store["V"][0][:, kept].copy())
    cache.next_slot = sinks  # once full, the oldest after the sinks is the next to go
    return logits, cache


def decode(params: dict, token: int, cache: KVCache) -> np.ndarray:
    """One new token through every layer, attending to the cache, which it extends. () -> (vocab,) logits"""
    config = cache.config if cache.config is not None else config_of(params)
    if not isinstance(params, dict) or any(
        np.shape(params.get(name)) != shape
        for name, shape in param_shapes(config).items()
        if name in ("tok_emb", "pos_emb", "blocks.0.attn.W_k")
    ):
        raise ValueError("this cache was made by another model (other sizes): make it with this model's prefill.")
    if len(cache.K) != config.n_layers:
        raise ValueError(f"the cache has {len(cache.K)} layers, the model {config.n_layers}: make it with prefill.")
    if cache.K[0].shape[0] != config.n_kv_heads or cache.K[0].shape[2] != config.d_head:
        raise ValueError(f"the cache holds {cache.K[0].shape[0]} heads of {cache.K[0].shape[2]}: not this model's.")
    if cache.position >= config.context:
        raise ValueError(
            f"position {cache.position} is past the model's context of {config.context}: its positions are learned "
            "only that far (crop the text and prefill again)."
        )
    if isinstance(token, bool) or not isinstance(token, int | np.integer) or not 0 <= token < config.vocab_size:
        raise ValueError(f"the token must be an id from 0 to {config.vocab_size - 1}, got {token!r}.")
    slot = cache.next_slot if cache.full() else None
    x = params["tok_emb"][token] + params["pos_emb"][cache.position]  # (d,)
    for i in range(config.n_layers):
        p = f"blocks.{i}."
        a = layer_norm(x, params[p + "ln1.gamma"], params[p + "ln1.beta"], LN_EPS)
        q = (a @ _full(params[p + "attn.W_q"])).reshape(config.n_heads, 1, config.d_head)  # (H, 1, d_head)
        k, v = ((a @ _full(params[p + f"attn.W_{w}"])).reshape(config.n_kv_heads, config.d_head) for w in "kv")
        cache.write(i, k, v, slot)  # first store, then attend: the new token sees itself
        heads, _ = grouped_query_attention(q, cache.K[i], cache.V[i])  # (H, 1, d_head)
        x = x + heads.reshape(-1) @ params[p + "attn.W_o"].reshape(-1, config.d_model) + params[p + "attn.b_o"]
        c = layer_norm(x, params[p + "ln2.gamma"], params[p + "ln2.beta"], LN_EPS)
        x = x + gelu(c @ params[p + "mlp.W_1"] + params[p + "mlp.b_1"], approximate=True) @ params[p + "mlp.W_2"]
        x = x + params[p + "mlp.b_2"]
    if slot is not None:  # a ring: the next oldest after the sinks
        cache.next_slot = cache.sinks + (slot - cache.sinks + 1) % cache.window
    cache.position += 1
    f = layer_norm(x, params["ln_f.gamma"], params["ln_f.beta"], LN_EPS)
    return f @ params["tok_emb"].T


def attend_with_cache(q, K_cache, V_cache, k_new, v_new) -> tuple:
    """One head, one new token: append its key and value to the cache, then attend with the query.
    (d,), (n, d), (n, d_v), (d,), (d_v,) -> ((d_v,), (n + 1, d), (n + 1, d_v))"""
    q, k_new, v_new = (as_float_array(a, name) for a, name in ((q, "q"), (k_new, "k_new"), (v_new, "v_new")))
    K_cache, V_cache = as_float_array(K_cache, "K_cache", min_ndim=2), as_float_array(V_cache, "V_cache", min_ndim=2)
    if K_cache.shape[1:] != q.shape or k_new.shape != q.shape or V_cache.shape[1:] != v_new.shape:
        raise ValueError(f"shapes do not fit: q {q.shape}, K_cache {K_cache.shape}, k_new {k_new.shape}.")
    K = np.concatenate([K_cache, k_new[None]], axis=0)  # the new token's key joins the cache first
    V = np.concatenate([V_cache, v_new[None]], axis=0)
    weights = softmax(K @ q / q.dtype.type(np.sqrt(q.shape[0])))  # sqrt(d_head), not the cache's length; float32 stays
    return weights @ V, K, V


def share_key_value_heads(params: dict, n_kv_heads: int) -> dict:
    """A copy whose groups of n_heads // n_kv_heads heads share one key and one value projection: each group's
    W_k and W_v mean-pooled, as grouped-query attention's uptraining starts (Ainslie et al., 2023). -> params"""
    config = config_of(params)
    if isinstance(n_kv_heads, bool) or not isinstance(n_kv_heads, numbers.Integral) or n_kv_heads < 1:
        raise ValueError(f"n_kv_heads must be a whole number >= 1, got {n_kv_heads!r}.")
    if config.n_kv_heads % n_kv_heads:
        raise ValueError(f"n_kv_heads = {n_kv_heads} must divide the model's {config.n_kv_heads} key/value heads.")
    shared = {k: v.copy() for k, v in params.items()}
    for i in range(config.n_layers):
        for w in "kv":
            W = params[f"blocks.{i}.attn.W_{w}"]  # (H_kv, d, d_head)
            shared[f"blocks.{i}.attn.W_{w}"] = W.reshape(n_kv_heads, -1, *W.shape[1:]).mean(axis=1)
    return shared
