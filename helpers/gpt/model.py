"""A tiny GPT: token and position embeddings, pre-LayerNorm blocks of causal multi-head attention and an MLP,
a final LayerNorm, and the output tied to the token embedding.

The attention is the series' own: ``split_heads``, ``scaled_dot_product_attention`` with ``causal_mask`` and
``merge_heads``. Parameters live in a dict of arrays; each head's projections are a slice of their own, as
``W_q`` of shape (n_heads, d_model, d_head), so heads can be read, switched off and shared one by one.
Layers and heads count from 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..attention import causal_mask, grouped_query_attention, merge_heads, sliding_window_mask, split_heads
from ..checks import check_positive_int, check_seed
from ..files import mismatched_shapes
from ..layers import gelu, layer_norm

LN_EPS = 1e-5  # GPT-2's LayerNorm epsilon


@dataclass(frozen=True)
class GPTConfig:
    """The model's sizes (nanoGPT's names in brackets)."""

    vocab_size: int  # characters in the vocabulary
    context: int = 128  # the longest sequence it reads (block_size)
    n_layers: int = 3  # (n_layer)
    d_model: int = 128  # (n_embd)
    n_heads: int = 4  # (n_head)
    d_ff: int = 512  # the MLP's inner width, 4 * d_model; 0: no MLP, attention only
    n_kv_heads: int | None = None  # key/value heads shared by groups of query heads (notebook 15); None = n_heads

    def __post_init__(self):
        if self.n_kv_heads is None:
            object.__setattr__(self, "n_kv_heads", self.n_heads)
        for name in ("vocab_size", "context", "n_layers", "d_model", "n_heads", "n_kv_heads"):
            check_positive_int(getattr(self, name), name)
        attention_only = isinstance(self.d_ff, int | np.integer) and not isinstance(self.d_ff, bool) and self.d_ff == 0
        if not attention_only:  # 0 switches the MLPs off; anything else is the MLP's width
            check_positive_int(self.d_ff, "d_ff")
        if self.d_model % self.n_heads:
            raise ValueError(f"d_model = {self.d_model} is not divisible by n_heads = {self.n_heads}.")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(f"n_kv_heads = {self.n_kv_heads} must divide n_heads = {self.n_heads}.")

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads


def param_shapes(config: GPTConfig) -> dict:
    """Every parameter's name and shape. GPTConfig -> {name: shape}"""
    if not isinstance(config, GPTConfig):
        raise TypeError(f"config must be a GPTConfig, got {type(config).__name__}.")
    d, h, dh, f, kv = config.d_model, config.n_heads, config.d_head, config.d_ff, config.n_kv_heads
    shapes = {"tok_emb": (config.vocab_size, d), "pos_emb": (config.context, d)}
    for i in range(config.n_layers):
        p = f"blocks.{i}."
        shapes |= {p + "ln1.gamma": (d,), p + "ln1.beta": (d,)}
        shapes |= {p + "attn.W_q": (h, d, dh), p + "attn.W_k": (kv, d, dh), p + "attn.W_v": (kv, d, dh)}
        shapes |= {p + "attn.W_o": (h, dh, d), p + "attn.b_o": (d,)}
        if f:  # attention only (d_ff 0): no MLP and no LayerNorm before it
            shapes |= {p + "ln2.gamma": (d,), p + "ln2.beta": (d,)}
            shapes |= {p + "mlp.W_1": (d, f), p + "mlp.b_1": (f,), p + "mlp.W_2": (f, d), p + "mlp.b_2": (d,)}
    return shapes | {"ln_f.gamma": (d,), "ln_f.beta": (d,)}


MAX_PARAM_BYTES = 4 * 2**30  # the largest model init_params builds: 4 GiB of weights


def init_params(config: GPTConfig, seed: int = 0, dtype=np.float32) -> dict:
    """GPT-2's initialisation: N(0, 0.02) weights, the residual projections scaled by 1/sqrt(2 n_layers),
    LayerNorm gains 1, biases 0. GPTConfig -> {name: array}"""
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"dtype must be a float type such as np.float32 (weights of 0.02), got {np.dtype(dtype)}.")
    shapes = param_shapes(config)
    size = sum(math.prod(shape) for shape in shapes.values()) * np.dtype(dtype).itemsize
    if size > MAX_PARAM_BYTES:
        raise ValueError(
            f"this config's weights would take {size / 2**30:,.1f} GiB in {np.dtype(dtype)}; the most this builds is "
            f"{MAX_PARAM_BYTES / 2**30:g} GiB (a smaller vocab_size, d_model or n_layers)."
        )
    rng = np.random.default_rng(check_seed(seed))
    params = {}
    for name, shape in shapes.items():
        if name.endswith("gamma"):
            params[name] = np.ones(shape, dtype)
        elif name.endswith(("beta", "b_o", "b_1", "b_2")):
            params[name] = np.zeros(shape, dtype)
        else:
            std = 0.02 / math.sqrt(2 * config.n_layers) if name.endswith(("W_o", "W_2")) else 0.02
            params[name] = (std * rng.standard_normal(shape)).astype(dtype)
    return params


def config_of(params: dict) -> GPTConfig:
    """The sizes a dict of parameters has, checked against every shape. {name: array} -> GPTConfig"""
    needed = ("tok_emb", "pos_emb", "blocks.0.attn.W_q")
    if not isinstance(params, dict) or any(k not in params for k in needed):
        raise ValueError("params must be the dict of a GPT's arrays (tok_emb, pos_emb, blocks.0.attn.W_q, ...).")
    n_layers = 1 + max(int(k.split(".")[1]) for k in params if k.startswith("blocks."))
    vocab, d = params["tok_emb"].shape
    h = params["blocks.0.attn.W_q"].shape[0]
    kv = params["blocks.0.attn.W_k"].shape[0] if "blocks.0.attn.W_k" in params else h
    d_ff = np.shape(params["blocks.0.mlp.W_1"])[-1] if "blocks.0.mlp.W_1" in params else 0  # 0: attention only
    config = GPTConfig(vocab, params["pos_emb"].shape[0], n_layers, d, h, d_ff, kv)
    problems = mismatched_shapes(params, param_shapes(config))
    if problems:
        raise ValueError(f"parameters that do not fit one model: {'; '.join(problems[:3])}.")
    return config


def check_ids(ids, config: GPTConfig) -> np.ndarray:
    """Token ids as whole numbers in the vocabulary, at most `context` per row, else a clear error. -> (batch, n)"""
    arr = np.asarray(ids)
    if arr.dtype.kind not in "iu" or arr.dtype == np.bool_:
        raise TypeError(f"ids must be whole numbers (token ids), got dtype {arr.dtype}.")
    if arr.ndim == 1:
        arr = arr[None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(f"ids must be (n,) or (batch, n) with n >= 1, got shape {np.shape(ids)}.")
    if arr.shape[1] > config.context:
        raise ValueError(f"{arr.shape[1]} tokens: the model reads at most {config.context} (its context).")
    if arr.min() < 0 or arr.max() >= config.vocab_size:
        raise ValueError(f"token ids must be 0 to {config.vocab_size - 1}, got {int(arr.min())} to {int(arr.max())}.")
    return arr


def _full(W: np.ndarray) -> np.ndarray:
    """A per-head projection as one matrix, heads side by side (for split_heads). (n_heads, d_in, d_head) -> (d_in,
    n_heads * d_head)"""
    return W.transpose(1, 0, 2).reshape(W.shape[1], -1)


def _per_head(W: np.ndarray, n_heads: int) -> np.ndarray:
    """The inverse of full. (d_in, n_heads * d_head) -> (n_heads, d_in, d_head)"""
    return W.reshape(W.shape[0], n_heads, -1).transpose(1, 0, 2)


def _head_gains(ablate, config: GPTConfig) -> list:
    """For each layer, None or (n_heads,) gains with 0 for the heads switched off. [(layer, head)] -> [None |
    (n_heads,)]"""
    gains = [None] * config.n_layers
    for pair in ablate:
        if (
            not isinstance(pair, tuple | list)
            or len(pair) != 2
            or not all(isinstance(v, int | np.integer) for v in pair)
        ):
            raise TypeError(f"each item of ablate must be a (layer, head) pair of whole numbers, got {pair!r}.")
        layer, head = int(pair[0]), int(pair[1])
        if not (0 <= layer < config.n_layers and 0 <= head < config.n_heads):
            raise ValueError(
                f"({layer}, {head}) is not a head: layers 0 to {config.n_layers - 1}, heads 0 to {config.n_heads - 1}."
            )
        if gains[layer] is None:
            gains[layer] = np.ones(config.n_heads)
        gains[layer][head] = 0.0
    return gains


def attention_mask(n: int, window: int | None = None, sinks: int = 0) -> np.ndarray:
    """Causal; with a window, each position sees itself, the window - 1 before it and the first `sinks`. -> (n, n)"""
    return causal_mask(n) if window is None else sliding_window_mask(n, window, sinks)


ABLATIONS = ("zero", "mean")  # what a switched-off head's output becomes: zeros, or its mean over the batch


def _switch_off(heads: np.ndarray, gains: np.ndarray, ablation: str = "zero") -> np.ndarray:
    """The heads with gain 0 switched off: their outputs zero, or (mean) each position's mean over the batch.
    (B, H, n, d_head), (H,) -> (B, H, n, d_head)"""
    if ablation == "zero":
        return heads * gains.astype(heads.dtype)[:, None, None]
    if heads.shape[0] < 2:
        raise ValueError(
            "mean-ablation needs a batch of at least 2 sequences: a head's mean over one is its own output."
        )
    off = gains == 0
    out = heads.copy()
    out[:, off] = heads[:, off].mean(axis=0, keepdims=True)  # what the head writes on average, at each position
    return out


def _block(
    params: dict, i: int, x: np.ndarray, config, gains=None, keep: dict | None = None, mask=None, ablation="zero"
) -> np.ndarray:
    """One pre-LayerNorm block: x + attention(LayerNorm(x)), then + MLP(LayerNorm(.)). (B, n, d) -> (B, n, d)

    ``keep``, a dict: what the backward pass needs is stored in it. ``mask``: causal unless given. With d_ff 0
    the block is attention only: x + attention(LayerNorm(x)).
    """
    p = f"blocks.{i}."
    n = x.shape[-2]
    a = layer_norm(x, params[p + "ln1.gamma"], params[p + "ln1.beta"], LN_EPS)  # (B, n, d)
    Q = split_heads(a @ _full(params[p + "attn.W_q"]), config.n_heads)  # (B, H, n, d_head)
    K, V = (split_heads(a @ _full(params[p + f"attn.W_{w}"]), config.n_kv_heads) for w in "kv")  # (B, H_kv, n, d_head)
    mask = causal_mask(n) if mask is None else mask
    heads, weights = grouped_query_attention(Q, K, V, mask=mask)  # (B, H, n, d_head), (B, H, n, n)
    if gains is not None:
        heads = _switch_off(heads, gains, ablation)
    m = merge_heads(heads)  # (B, n, d)
    x1 = x + m @ params[p + "attn.W_o"].reshape(-1, x.shape[-1]) + params[p + "attn.b_o"]  # the residual add
    if not config.d_ff:  # attention only: no MLP
        if keep is not None:
            keep.update(x=x, a=a, Q=Q, K=K, V=V, weights=weights, heads=heads, m=m, x1=x1)
        return x1
    c = layer_norm(x1, params[p + "ln2.gamma"], params[p + "ln2.beta"], LN_EPS)
    u = c @ params[p + "mlp.W_1"] + params[p + "mlp.b_1"]  # (B, n, d_ff)
    g = gelu(u, approximate=True)
    x2 = x1 + g @ params[p + "mlp.W_2"] + params[p + "mlp.b_2"]
    if keep is not None:
        keep.update(x=x, a=a, Q=Q, K=K, V=V, weights=weights, heads=heads, m=m, x1=x1, c=c, u=u, g=g)
    return x2


def forward(
    params: dict, ids, ablate=(), keep: list | None = None, window=None, sinks: int = 0, ablation: str = "zero"
) -> np.ndarray:
    """Logits of the next token at every position. (batch, n) or (n,) ids -> (batch, n, vocab)

    ``keep``, a list: one dict per block of what the backward pass needs, then one for the end, are appended.
    ``window`` and ``sinks`` (notebook 15): each position sees only the last `window` positions and the first `sinks`.
    ``ablate``: (layer, head) pairs switched off, their output zero or (``ablation="mean"``) their
    mean over the batch at each position.
    """
    config = config_of(params)
    ids = check_ids(ids, config)
    if ablation not in ABLATIONS:
        raise ValueError(f"ablation must be one of {ABLATIONS}, got {ablation!r}.")
    gains = _head_gains(ablate, config)
    mask = attention_mask(ids.shape[1], window, sinks)
    x = params["tok_emb"][ids] + params["pos_emb"][: ids.shape[1]]  # (B, n, d)
    for i in range(config.n_layers):
        store = None if keep is None else {}
        x = _block(params, i, x, config, gains[i], store, mask, ablation)
        if keep is not None:
            keep.append(store)
    f = layer_norm(x, params["ln_f.gamma"], params["ln_f.beta"], LN_EPS)
    if keep is not None:
        keep.append({"x": x, "f": f, "ids": ids})
    return f @ params["tok_emb"].T  # the output tied to the token embedding
