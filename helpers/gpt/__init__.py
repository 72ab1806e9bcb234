"""A transformer that writes: a tiny character-level GPT in numpy, trained by hand-derived gradients.

Introduced in notebook 14. Modules: ``text`` (Botchan and its characters), ``model`` (the forward pass),
``backward`` (``loss_and_grads``), ``train`` (AdamW, clipping, the schedule, the bigram baseline),
``sample`` (temperature, top-k, top-p, ``generate``), ``tiny`` (the committed model),
``heads`` (what the heads do), ``cache`` (generating fast, notebook 15). Layers and heads count from 0.
"""

from . import heads  # noqa: F401 (gpt.heads)
from .backward import loss_and_grads
from .cache import KVCache, attend_with_cache, decode, prefill, share_key_value_heads
from .model import GPTConfig, config_of, forward, init_params, param_shapes
from .sample import generate, next_token_probs, sample_next
from .text import CharTokenizer, load_text, split_text
from .tiny import TinyGPT, load_tiny_gpt
from .train import AdamW, bigram_loss, clip_by_global_norm, evaluate, get_batch, lr_at, train

__all__ = [
    "AdamW",
    "CharTokenizer",
    "GPTConfig",
    "KVCache",
    "TinyGPT",
    "attend_with_cache",
    "bigram_loss",
    "clip_by_global_norm",
    "config_of",
    "decode",
    "evaluate",
    "forward",
    "generate",
    "get_batch",
    "init_params",
    "load_text",
    "load_tiny_gpt",
    "loss_and_grads",
    "lr_at",
    "next_token_probs",
    "param_shapes",
    "prefill",
    "sample_next",
    "share_key_value_heads",
    "split_text",
    "train",
]
