"""Self-Attention, Step by Step: the tested math, plots and widgets the notebooks call.

The math is importable from the package root. Layers, each importing only those before it:
the math (``attention``, ``positions``, ``embeddings``, ``minilm``, ``experiments``) -> ``steps`` (one
computation per widget, numpy only) -> views (``plots``, ``app``) -> ``widgets`` (builders)
and ``exercises`` (checkers). Only the views and the builders import matplotlib and ipywidgets.
"""

from .attention import (
    attention_backward,
    blockwise_attention,
    causal_mask,
    contextual_embeddings,
    cosine_similarity,
    dot_similarity,
    entropy,
    merge_heads,
    multi_head_attention,
    multi_head_attention_loop,
    online_softmax_steps,
    pad_batch,
    padding_mask,
    scaled_dot_product_attention,
    self_attention,
    softmax,
    softmax_backward,
    split_heads,
    sum_normalize,
)
from .positions import apply_rope, permute, positional_encoding

__all__ = [
    "apply_rope",
    "attention_backward",
    "blockwise_attention",
    "causal_mask",
    "contextual_embeddings",
    "cosine_similarity",
    "dot_similarity",
    "entropy",
    "merge_heads",
    "multi_head_attention",
    "multi_head_attention_loop",
    "online_softmax_steps",
    "pad_batch",
    "padding_mask",
    "permute",
    "positional_encoding",
    "scaled_dot_product_attention",
    "self_attention",
    "softmax",
    "softmax_backward",
    "split_heads",
    "sum_normalize",
]
