"""Self-Attention, Step by Step: the tested math, plots and widgets the notebooks call.

The math is importable from the package root; plots live in ``helpers.plots`` and widget
builders in ``helpers.widgets`` (they import matplotlib and ipywidgets only when asked for).
"""

from .attention import (
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
    split_heads,
    sum_normalize,
)

__all__ = [
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
    "scaled_dot_product_attention",
    "self_attention",
    "softmax",
    "split_heads",
    "sum_normalize",
]
