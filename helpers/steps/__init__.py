"""One computation per widget, in numpy and helpers' math only; each returns a frozen dataclass.

Notebooks call these to print what a widget shows, and the widgets call them on every change.
Nothing on this package's import path needs matplotlib or ipywidgets. One module per part of the series.
"""

from .attention import (
    ENCODINGS,
    MASK_KINDS,
    PAD,
    AttentionStep,
    HeadsStep,
    MaskStep,
    QKStep,
    ScalingStep,
    WordOrderStep,
    attention_step,
    heads_step,
    mask_step,
    qk_step,
    rotation_scaling,
    scaling_step,
    word_order_step,
)
from .common import MAX_WORDS, sentence_vectors
from .models import (
    COST_NS,
    CostStep,
    MiniLMStep,
    OnlineSoftmaxStep,
    RecordedStep,
    cost_step,
    minilm_step,
    online_softmax_step,
    recorded_step,
)
from .vectors import (
    DotProductStep,
    StaticVectorStep,
    WeightedSumStep,
    dot_product_step,
    static_vector_step,
    weighted_sum_step,
)
from .writing import NextCharacterStep, next_character_step, next_token_step, run_prompt, run_tokens, token_label

__all__ = [
    "COST_NS",
    "ENCODINGS",
    "MASK_KINDS",
    "MAX_WORDS",
    "PAD",
    "AttentionStep",
    "CostStep",
    "DotProductStep",
    "HeadsStep",
    "MaskStep",
    "MiniLMStep",
    "NextCharacterStep",
    "OnlineSoftmaxStep",
    "QKStep",
    "RecordedStep",
    "ScalingStep",
    "StaticVectorStep",
    "WeightedSumStep",
    "WordOrderStep",
    "attention_step",
    "cost_step",
    "dot_product_step",
    "heads_step",
    "mask_step",
    "minilm_step",
    "next_character_step",
    "next_token_step",
    "online_softmax_step",
    "qk_step",
    "recorded_step",
    "rotation_scaling",
    "run_prompt",
    "run_tokens",
    "scaling_step",
    "sentence_vectors",
    "static_vector_step",
    "token_label",
    "weighted_sum_step",
    "word_order_step",
]
