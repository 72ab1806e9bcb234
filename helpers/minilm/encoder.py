"""The encoder's forward pass in numpy: embeddings, then six layers of attention and feed-forward networks.

The attention inside every layer is ``helpers.attention.multi_head_attention``, the one a learner
builds; LayerNorm and GELU are ``helpers.layers``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ..attention import multi_head_attention, padding_mask
from ..files import ModelFileError, read_safetensors, verify
from ..layers import gelu, layer_norm
from .files import REINSTALL, SHA256, Config, expected_shapes, model_dir
from .tokenizer import WordPieceTokenizer


@dataclass(frozen=True)
class Encoding:
    """What the model computed for one sentence."""

    tokens: list  # [CLS], word pieces, [SEP]
    hidden_states: np.ndarray  # (n_layers + 1, n_tokens, 384): the embedding output, then each layer
    attentions: np.ndarray  # (n_layers, n_heads, n_tokens, n_tokens)


@dataclass(frozen=True, eq=False)
class Layer:
    """One encoder layer's parameters in row-vector form (x @ W): attention, then the feed-forward network."""

    W_q: np.ndarray  # (d_model, d_model)
    W_k: np.ndarray  # (d_model, d_model)
    W_v: np.ndarray  # (d_model, d_model)
    W_o: np.ndarray  # (d_model, d_model)
    biases: dict  # b_q, b_k, b_v, b_o, each (d_model,): multi_head_attention's biases
    norm_attention: tuple  # LayerNorm after attention: gamma (d_model,), beta (d_model,)
    W_1: np.ndarray  # (d_model, d_ff)
    b_1: np.ndarray  # (d_ff,)
    W_2: np.ndarray  # (d_ff, d_model)
    b_2: np.ndarray  # (d_model,)
    norm_ffn: tuple  # LayerNorm after the feed-forward network: gamma, beta


class MiniLM:
    """The encoder's parameters in row-vector form (projections are x @ W) and its forward pass."""

    def __init__(self, tensors: dict, vocab: list, config: Config):
        self.config = config
        if len(vocab) != config.vocab_size:
            raise ModelFileError(f"vocab.txt has {len(vocab)} word pieces, config.json says {config.vocab_size}.")
        self.tokenizer = WordPieceTokenizer(vocab, max_tokens=config.max_tokens)
        expected = expected_shapes(config)
        missing = [name for name in expected if name not in tensors]
        if missing:
            raise ModelFileError(
                f"the model file has no tensor {missing[0]} ({len(missing)} missing): is this all-MiniLM-L6-v2?"
            )
        wrong = [
            f"{name} {tuple(tensors[name].shape)} (expected {shape})"
            for name, shape in expected.items()
            if tuple(tensors[name].shape) != shape
        ]
        if wrong:
            raise ModelFileError(f"tensors whose shape does not match config.json: {'; '.join(wrong)}.")
        self.unused_tensors = tuple(
            sorted(set(tensors) - set(expected))
        )  # e.g. the pooler, which the encoder does not use

        def t(name):
            return np.asarray(tensors[name], dtype=np.float32)

        def linear(prefix):  # torch stores (out, in); we use x @ W with W (in, out)
            return np.ascontiguousarray(t(prefix + ".weight").T), t(prefix + ".bias")

        def norm(prefix):
            return t(prefix + ".weight"), t(prefix + ".bias")

        self.word_embeddings = t("embeddings.word_embeddings.weight")
        self.position_embeddings = t("embeddings.position_embeddings.weight")
        self.token_type_embeddings = t("embeddings.token_type_embeddings.weight")
        self.embedding_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(config.n_layers):
            p = f"encoder.layer.{i}."
            (W_q, b_q), (W_k, b_k), (W_v, b_v) = (linear(p + f"attention.self.{n}") for n in ("query", "key", "value"))
            W_o, b_o = linear(p + "attention.output.dense")
            W_1, b_1 = linear(p + "intermediate.dense")
            W_2, b_2 = linear(p + "output.dense")
            biases = {"b_q": b_q, "b_k": b_k, "b_v": b_v, "b_o": b_o}
            self.layers.append(
                Layer(
                    W_q,
                    W_k,
                    W_v,
                    W_o,
                    biases,
                    norm(p + "attention.output.LayerNorm"),
                    W_1,
                    b_1,
                    W_2,
                    b_2,
                    norm(p + "output.LayerNorm"),
                )
            )

    def head_gains(self, ablate) -> list:
        """For each layer, None or (n_heads,) gains, 0 for the switched-off heads.
        [(layer, head)] (0-based) -> [None | (n_heads,)]"""
        if isinstance(ablate, str | bytes) or not hasattr(ablate, "__iter__"):
            raise TypeError(f"ablate must be a list of (layer, head) pairs, 0-based, e.g. [(0, 2)]; got {ablate!r}.")
        gains = [None] * self.config.n_layers
        for pair in ablate:
            if (
                not isinstance(pair, tuple | list)
                or len(pair) != 2
                or not all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in pair)
            ):
                raise TypeError(f"each item of ablate must be a (layer, head) pair of whole numbers, got {pair!r}.")
            layer, head = int(pair[0]), int(pair[1])
            if not 0 <= layer < self.config.n_layers or not 0 <= head < self.config.n_heads:
                raise ValueError(
                    f"({layer}, {head}) is not a head: layers are 0 to {self.config.n_layers - 1}, heads 0 to "
                    f"{self.config.n_heads - 1} (0-based)."
                )
            if gains[layer] is None:
                gains[layer] = np.ones(self.config.n_heads, dtype=np.float32)
            gains[layer][head] = 0.0
        return gains

    def forward(self, ids: np.ndarray, mask=None, ablate=()):
        """Hidden states of every layer and every layer's attention weights.
        (..., n) ids -> ((L+1, ..., n, d_model), (L, ..., n_heads, n, n))"""
        ids = self.check_ids(ids)
        head_gains = self.head_gains(ablate)
        n = ids.shape[-1]
        eps = self.config.layer_norm_eps
        h = self.word_embeddings[ids] + self.position_embeddings[:n] + self.token_type_embeddings[0]
        h = layer_norm(h, *self.embedding_norm, eps)
        hidden, attentions = self.run_layers(h, mask, 0, head_gains)
        return np.stack([h, *hidden]), np.stack(attentions)

    def run_layers(self, h: np.ndarray, mask=None, first: int = 0, head_gains=None) -> tuple:
        """Layers first .. n_layers - 1 on hidden states h (the input of layer `first`).
        (..., n, d_model) -> ([(..., n, d_model)], [(..., n_heads, n, n)])"""
        eps = self.config.layer_norm_eps
        if np.shape(h)[-1:] != (self.config.d_model,) or np.ndim(h) < 2:
            raise ValueError(f"h must be (..., n, {self.config.d_model}), got shape {np.shape(h)}.")
        if not 0 <= first < self.config.n_layers:
            raise ValueError(f"first must be a layer index, 0 to {self.config.n_layers - 1}, got {first}.")
        head_gains = [None] * self.config.n_layers if head_gains is None else head_gains
        hidden, attentions = [], []
        # 1 BLAS thread is 5-30x faster than 2 on these small matrices; the limit ends with this block
        with threadpool_limits(limits=1, user_api="blas"):
            for layer, gains in zip(self.layers[first:], head_gains[first:]):
                attn, weights = multi_head_attention(
                    h,
                    layer.W_q,
                    layer.W_k,
                    layer.W_v,
                    layer.W_o,
                    n_heads=self.config.n_heads,
                    mask=mask,
                    biases=layer.biases,
                    head_gains=gains,
                )
                h = layer_norm(h + attn, *layer.norm_attention, eps)
                h = layer_norm(h + gelu(h @ layer.W_1 + layer.b_1) @ layer.W_2 + layer.b_2, *layer.norm_ffn, eps)
                hidden.append(h)
                # a head switched off shows zero weights, as Hugging Face's head_mask returns them
                attentions.append(weights if gains is None else weights * np.asarray(gains)[:, None, None])
        return hidden, attentions

    def check_ids(self, ids) -> np.ndarray:
        """Token ids as whole numbers in the vocabulary, at most max_tokens per row, else a clear error.
        (..., n) -> (..., n)"""
        try:
            arr = np.asarray(ids)
        except (ValueError, TypeError):
            raise TypeError("ids must be a rectangular array of whole numbers (token ids).") from None
        if arr.size == 0:
            raise ValueError(f"ids must be (..., n) with at least one token, got shape {arr.shape}.")
        if arr.dtype.kind not in "iu" or arr.dtype == np.bool_:
            raise TypeError(f"ids must be whole numbers (token ids), got dtype {arr.dtype}.")
        if arr.ndim < 1 or arr.shape[-1] == 0:
            raise ValueError(f"ids must be (..., n) with at least one token, got shape {arr.shape}.")
        if arr.shape[-1] > self.config.max_tokens:
            raise ValueError(f"{arr.shape[-1]} tokens: the model has positions for at most {self.config.max_tokens}.")
        bad = (arr < 0) | (arr >= self.config.vocab_size)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(
                f"token id {arr[where]} at {where} is not in the vocabulary (0 to {self.config.vocab_size - 1})."
            )
        return arr

    def encode(self, sentence: str, ablate=()) -> Encoding:
        """Tokens, hidden states and attention weights for one sentence; ablate: (layer, head) pairs (0-based) switched
        off.
        str -> Encoding"""
        tokens, ids = self.tokenizer.encode(sentence)
        hidden, attentions = self.forward(ids, ablate=ablate)
        return Encoding(tokens, hidden, attentions)

    def encode_batch(self, sentences, ablate=()) -> list:
        """Several sentences at once, padded with [PAD] and a padding mask; the same results as encode.
        [str] -> [Encoding]"""
        if isinstance(sentences, str) or not isinstance(sentences, list | tuple):
            raise TypeError(
                f"encode_batch takes a list of sentences (str), got {type(sentences).__name__}; for one "
                "sentence use encode."
            )
        encoded = [self.tokenizer.encode(s) for s in sentences]
        if not encoded:
            raise ValueError("give at least one sentence.")
        lengths = [len(tokens) for tokens, _ in encoded]
        n = max(lengths)
        ids = np.zeros((len(encoded), n), dtype=np.int64)  # [PAD] has id 0
        for i, (_, token_ids) in enumerate(encoded):
            ids[i, : len(token_ids)] = token_ids
        mask = padding_mask(lengths, n)[:, None]  # (batch, 1, 1, n): padded keys are never attended to, by any head
        hidden, attentions = self.forward(ids, mask=mask, ablate=ablate)
        return [
            Encoding(tokens, hidden[:, i, :k], attentions[:, i, :, :k, :k])
            for i, ((tokens, _), k) in enumerate(zip(encoded, lengths))
        ]


def load(directory=None) -> MiniLM:
    """The model from the installed package, both files verified by sha256 first. () -> MiniLM"""
    directory = model_dir() if directory is None else Path(directory)
    tensors_path, vocab_path, config_path = (directory / f for f in ("model.safetensors", "vocab.txt", "config.json"))
    verify(vocab_path, SHA256["vocab.txt"], REINSTALL)
    verify(tensors_path, SHA256["model.safetensors"], REINSTALL)
    if not config_path.exists():
        raise ModelFileError(f"{config_path} is missing. {REINSTALL}")
    try:
        config = Config.from_json(json.loads(config_path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{config_path} is not valid JSON ({exc}). {REINSTALL}") from None
    vocab = vocab_path.read_text(encoding="utf-8").split("\n")
    if vocab and vocab[-1] == "":
        vocab.pop()
    return MiniLM(read_safetensors(tensors_path), vocab, config)
