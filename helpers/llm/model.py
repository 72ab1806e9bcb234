"""SmolLM2-135M-Instruct run by the series' own functions: RMSNorm, RoPE, grouped-query attention, SwiGLU.

Each of its 30 blocks is ``x + attention(rms_norm(x))``, then ``+ swiglu(rms_norm(.))``, as notebook 14's GPT
with three changes inside and no biases anywhere. The output is tied to the token embedding.

RoPE here rotates adjacent pairs (2i, 2i+1), notebook 06's ``apply_rope``: Hugging Face's Llama rotates the two
halves of each head instead, and llama.cpp's converter reorders the rows of W_q and W_k when it writes a GGUF
file so that the adjacent-pair rotation gives the same scores. With these weights the halves would be wrong.
"""

from __future__ import annotations

import time

import numpy as np

from ..attention import grouped_query_attention, merge_heads, split_heads
from ..files import ModelFileError
from ..gpt.cache import KVCache
from ..gpt.model import ABLATIONS, _head_gains, _switch_off
from ..layers import rms_norm, swiglu
from ..positions import apply_rope
from .fast import decode_fast
from .files import LlamaConfig, check_shapes, read_model
from .tokenizer import ByteBPETokenizer

SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")  # the three a chat uses; the file marks 17 as control
CONTROL = 3  # llama.cpp's token type of a control (special) token
LAYER_TENSORS = ("attn_norm", "ffn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down")


class SmolLM2:
    """A Llama-architecture language model with its tokenizer: .config, .encode, .decode, .logits, .forward,
    .prefill and .decode_step (what ``generate`` calls), .chat_prompt."""

    def __init__(self, config: LlamaConfig, meta: dict, weights: dict):
        """The model from read_model's parts; `weights` is emptied as its arrays are taken."""
        check_shapes(weights, config)
        self.config = config
        self.meta = meta
        special = [
            t for t, kind in zip(meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.token_type"]) if kind == CONTROL
        ]
        self.tokenizer = ByteBPETokenizer(meta["tokenizer.ggml.tokens"], meta["tokenizer.ggml.merges"], special)
        self.bos, self.eos = int(meta["tokenizer.ggml.bos_token_id"]), int(meta["tokenizer.ggml.eos_token_id"])
        # the dict's arrays are taken out of it as they are copied into place, so memory holds one model, not two
        self.tok_emb = weights.pop("token_embd.weight")  # (vocab, d): a token's row in, and the output's matrix
        self.norm = weights.pop("output_norm.weight")
        self.layers = []
        d, dkv = config.d_model, config.n_kv_heads * config.d_head
        for i in range(config.n_layers):
            stored = {name: weights.pop(f"blk.{i}.{name}.weight") for name in LAYER_TENSORS}
            w = {"attn_norm": stored["attn_norm"], "ffn_norm": stored["ffn_norm"]}
            # (in, out) so that x @ W; the matrices that read the same input are kept side by side in one array
            # (one read of memory for the fast path) and W_q, W_k, W_v, W_gate, W_up are views into them
            w["W_qkv"] = np.ascontiguousarray(np.hstack([stored["attn_q"].T, stored["attn_k"].T, stored["attn_v"].T]))
            w["W_q"], w["W_k"], w["W_v"] = w["W_qkv"][:, :d], w["W_qkv"][:, d : d + dkv], w["W_qkv"][:, d + dkv :]
            w["W_gate_up"] = np.ascontiguousarray(np.hstack([stored["ffn_gate"].T, stored["ffn_up"].T]))
            w["W_gate"], w["W_up"] = w["W_gate_up"][:, : config.d_ff], w["W_gate_up"][:, config.d_ff :]
            w["W_o"] = np.ascontiguousarray(stored["attn_output"].T)
            w["W_down"] = np.ascontiguousarray(stored["ffn_down"].T)
            self.layers.append(w)

    def nbytes(self) -> int:
        """The memory the weights take (the tied output counted once). -> bytes"""
        own = ("attn_norm", "ffn_norm", "W_qkv", "W_o", "W_gate_up", "W_down")  # W_q, W_k, ... are views into these
        return self.tok_emb.nbytes + self.norm.nbytes + sum(layer[k].nbytes for layer in self.layers for k in own)

    def encode(self, text: str) -> list[int]:
        """Text -> token ids; no special token is added (typed ones are kept). str -> [int]"""
        return self.tokenizer.encode(text)

    def decode(self, ids) -> str:
        """Token ids -> text. [int] -> str"""
        return self.tokenizer.decode(list(np.asarray(ids).reshape(-1)))

    def chat_prompt(self, messages: list) -> str:
        """The file's chat template written out: a system line if none is given, each message between
        <|im_start|>role and <|im_end|>, then the assistant's turn opened. [{role, content}] -> str"""
        if not isinstance(messages, list) or not messages:
            raise ValueError("messages must be a non-empty list of {'role': ..., 'content': ...} dicts.")
        for m in messages:
            if not isinstance(m, dict) or not isinstance(m.get("role"), str) or not isinstance(m.get("content"), str):
                raise ValueError(f"each message must be a dict with a 'role' and a 'content' string, got {m!r}.")
        text = ""
        if messages[0]["role"] != "system":
            text = (
                "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
            )
        for m in messages:
            text += f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n"
        return text + "<|im_start|>assistant\n"

    def check_ids(self, ids, past: int = 0) -> np.ndarray:
        """Token ids as whole numbers in the vocabulary, within the context after `past` cached. -> (batch, n)"""
        arr = np.asarray(ids)
        if arr.dtype.kind not in "iu" or arr.dtype == np.bool_:
            raise TypeError(f"ids must be whole numbers (token ids), got dtype {arr.dtype}.")
        arr = arr[None] if arr.ndim == 1 else arr
        if arr.ndim != 2 or arr.shape[1] == 0:
            raise ValueError(f"ids must be (n,) or (batch, n) with n >= 1, got shape {np.shape(ids)}.")
        if past + arr.shape[1] > self.config.context:
            raise ValueError(f"{past + arr.shape[1]} tokens: the model was trained on at most {self.config.context}.")
        if arr.min() < 0 or arr.max() >= self.config.vocab_size:
            raise ValueError(f"token ids must be 0 to {self.config.vocab_size - 1}, got {arr.min()} to {arr.max()}.")
        return arr

    def block(self, i: int, x, positions, cache=None, gains=None, ablation="zero", keep=None) -> np.ndarray:
        """Block i on a batch: x + attention(rms_norm(x)), then + swiglu(rms_norm(.)); keys and values appended to
        the cache if one is given. (B, n, d), (n,) -> (B, n, d)"""
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < self.config.n_layers:
            raise ValueError(f"the layer must be a whole number from 0 to {self.config.n_layers - 1}, got {i!r}.")
        c, w = self.config, self.layers[i]
        a = rms_norm(x, w["attn_norm"], c.norm_eps)
        Q = split_heads(a @ w["W_q"], c.n_heads)  # (B, 9, n, 64)
        K = split_heads(a @ w["W_k"], c.n_kv_heads)  # (B, 3, n, 64)
        V = split_heads(a @ w["W_v"], c.n_kv_heads)  # (B, 3, n, 64)
        if cache is not None and cache.window is not None:  # StreamingLLM: positions are places in the cache
            K, V = _keep_sinks_and_window(cache, i, K, V)
            Q = apply_rope(Q, np.arange(K.shape[-2] - Q.shape[-2], K.shape[-2]), c.rope_base)
            K = apply_rope(K, np.arange(K.shape[-2]), c.rope_base)
        else:
            Q = apply_rope(Q, positions, c.rope_base)
            K = apply_rope(K, positions, c.rope_base)  # the cache holds rotated keys: each rotated once, at its place
            if cache is not None:
                if len(cache.K) > i:
                    K = np.concatenate([cache.K[i], K], axis=-2)
                    V = np.concatenate([cache.V[i], V], axis=-2)
                    cache.K[i], cache.V[i] = K, V
                else:
                    cache.K.append(K)
                    cache.V.append(V)
        n, n_k = x.shape[1], K.shape[-2]
        mask = None if n == 1 else np.arange(n_k)[None, :] <= (n_k - n + np.arange(n))[:, None]  # causal
        heads, weights = grouped_query_attention(Q, K, V, mask=mask)  # (B, 9, n, 64), (B, 9, n, n_k)
        if gains is not None:
            heads = _switch_off(heads, gains, ablation)
        if keep is not None:
            keep.append(weights)
        x = x + merge_heads(heads) @ w["W_o"]
        m = rms_norm(x, w["ffn_norm"], c.norm_eps)
        return x + swiglu(m, w["W_gate"], w["W_up"], w["W_down"])

    def forward(
        self, ids, cache: KVCache | None = None, keep=None, ablate=(), ablation: str = "zero", last_only: bool = False
    ) -> np.ndarray:
        """The next token's logits after every position, continuing from a cache if given. ``keep``, a list: each
        layer's attention weights (B, n_heads, n, n_k) appended. ``ablate``: (layer, head) pairs switched off,
        output zero or (``ablation="mean"``) its mean over the batch. ``last_only``: the last position's logits
        only (a batch of long prompts would otherwise make B x n x 49,152 of them). (B, n) or (n,) -> (B, n or 1,
        vocab)"""
        past = 0 if cache is None else cache.position
        ids = self.check_ids(ids, past)
        if cache is not None and cache.window is not None and ids.shape[1] > 1:
            if len(cache) + ids.shape[1] > cache.sinks + cache.window:
                raise ValueError("a sliding-window cache that would drop tokens takes one token at a time.")
        if ablation not in ABLATIONS:
            raise ValueError(f"ablation must be one of {ABLATIONS}, got {ablation!r}.")
        gains = _head_gains(ablate, self.config)
        positions = np.arange(past, past + ids.shape[1])
        x = self.tok_emb[ids]  # (B, n, d): no position table; positions enter through RoPE
        for i in range(self.config.n_layers):
            x = self.block(i, x, positions, cache, gains[i], ablation, keep)
        if cache is not None:
            cache.position += ids.shape[1]
        if last_only:
            x = x[:, -1:]
        return rms_norm(x, self.norm, self.config.norm_eps) @ self.tok_emb.T  # the output tied to the embedding

    def logits(self, ids, ablate=()) -> np.ndarray:
        """The next token's logits after every position of one sequence, float32. (n,) -> (n, vocab)"""
        ids = np.asarray(ids)
        if ids.ndim != 1:
            raise ValueError(f"logits takes one sequence of ids, shape (n,), got {ids.shape}.")
        return self.forward(ids, ablate=ablate)[0]

    def prefill(self, ids) -> tuple[np.ndarray, KVCache]:
        """The prompt in one pass: its logits, and every layer's rotated keys and values cached (3 heads, not 9).
        (n,) or (B, n) -> ((n, vocab) or (B, n, vocab), KVCache)"""
        cache = KVCache(config=self.config)
        logits = self.forward(ids, cache)
        return (logits[0] if np.ndim(ids) == 1 else logits), cache

    def decode_step(self, token, cache: KVCache) -> np.ndarray:
        """One new token per sequence through every layer, attending to the cache it extends: the fast path of
        helpers.llm.fast, tested equal to forward(token, cache). int or (B,) -> (vocab,) or (B, vocab)"""
        if not isinstance(cache, KVCache) or len(cache.K) != self.config.n_layers:
            raise ValueError("the cache must be the KVCache that prefill returned for this model.")
        tokens = np.asarray(token)
        ids = self.check_ids(tokens.reshape(-1, 1), past=cache.position)
        if cache.window is None:
            logits = decode_fast(self, ids[:, 0], cache)  # (B, vocab)
        else:  # StreamingLLM's cache: the plain path
            logits = self.forward(ids, cache)[:, 0]
        return logits[0] if tokens.ndim == 0 else logits


def _keep_sinks_and_window(cache: KVCache, i: int, K: np.ndarray, V: np.ndarray) -> tuple:
    """StreamingLLM's cache (Xiao et al., 2023): keys kept unrotated, the first `sinks` tokens and the last `window`
    kept, the rest dropped; RoPE is then applied by place in the cache. (B, KV, n, d_head) x 2 -> the kept keys
    and values (B, KV, m, d_head)"""
    if len(cache.K) > i:
        K = np.concatenate([cache.K[i], K], axis=-2)
        V = np.concatenate([cache.V[i], V], axis=-2)
    keep = cache.sinks + cache.window
    if K.shape[-2] > keep:
        drop = K.shape[-2] - keep  # the oldest after the sinks
        K = np.concatenate([K[..., : cache.sinks, :], K[..., cache.sinks + drop :, :]], axis=-2)
        V = np.concatenate([V[..., : cache.sinks, :], V[..., cache.sinks + drop :, :]], axis=-2)
    if len(cache.K) > i:
        cache.K[i], cache.V[i] = K, V
    else:
        cache.K.append(K)
        cache.V.append(V)
    return K, V


def load_smollm2(path=None) -> SmolLM2:
    """SmolLM2-135M-Instruct from its package: the file's sha256 checked, read with gguf, dequantised to float32
    once, its sizes from the metadata. Records the seconds it took in .load_seconds. () -> SmolLM2"""
    start = time.perf_counter()
    config, meta, weights = read_model(path)
    try:
        model = SmolLM2(config, meta, weights)
    except (KeyError, ValueError) as exc:
        raise ModelFileError(f"the file does not hold the model its metadata describes ({exc}).") from None
    model.load_seconds = time.perf_counter() - start
    return model
