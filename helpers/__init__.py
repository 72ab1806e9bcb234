"""Self-Attention, Step by Step: the tested math, plots and widgets the notebooks call.

The attention math is importable from the package root. Layers, each importing only those below it
(tests/test_layers.py keeps them so):
- checks: input checks shared by the math (clear errors);
- the math: attention (plain, as a learner builds it), fast (the same, faster, for benchmarks),
  gradients, blockwise, positions, layers (LayerNorm, GELU), files (sha256, safetensors),
  embeddings, minilm (the real model), training (the previous-word task), experiments;
- steps: one computation per widget, numpy only;
- views: describe (text alternatives), plots, app (a widget's picture, controls and words);
- widgets (builders) and exercises (the registry and checkers, implement-it ones included).
Only the views and the builders import matplotlib and ipywidgets.
"""

from .attention import (
    causal_mask,
    contextual_embeddings,
    cosine_similarity,
    dot_similarity,
    entropy,
    grouped_query_attention,
    merge_heads,
    multi_head_attention,
    multi_head_attention_loop,
    pad_batch,
    padding_mask,
    previous_token_share,
    random_projections,
    scaled_dot_product_attention,
    self_attention,
    sliding_window_mask,
    softmax,
    split_heads,
    sum_normalize,
)
from .blockwise import blockwise_attention, online_softmax_steps, online_softmax_update
from .gradients import attention_backward, softmax_backward
from .layers import gelu, layer_norm
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
    "gelu",
    "grouped_query_attention",
    "layer_norm",
    "merge_heads",
    "multi_head_attention",
    "multi_head_attention_loop",
    "online_softmax_steps",
    "online_softmax_update",
    "pad_batch",
    "padding_mask",
    "permute",
    "positional_encoding",
    "previous_token_share",
    "random_projections",
    "scaled_dot_product_attention",
    "self_attention",
    "sliding_window_mask",
    "softmax",
    "softmax_backward",
    "split_heads",
    "sum_normalize",
]
