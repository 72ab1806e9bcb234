"""Widget builders: controls -> one step from ``helpers.steps`` -> one view from ``helpers.plots``.

Each builder returns an ``App`` (``helpers.app``): its compute is a step, its draw only updates
an existing figure, and ``refresh()`` runs without a browser (the tests do). A bad value shows
a friendly message above the picture instead of a traceback. One module per part of the series.
"""

from .attention import (
    D_K_CHOICES,
    attention_explorer,
    head_explorer,
    mask_explorer,
    qk_explorer,
    scaling_explorer,
    word_order_explorer,
)
from .models import (
    LEARNING_RATES,
    N_CHOICES,
    cost_explorer,
    minilm_explorer,
    online_softmax_explorer,
    training_explorer,
)
from .vectors import dot_product_explorer, static_vector_explorer, weighted_sum_explorer
from .writing import gpt_explorer, llm_explorer

__all__ = [
    "D_K_CHOICES",
    "LEARNING_RATES",
    "N_CHOICES",
    "attention_explorer",
    "cost_explorer",
    "dot_product_explorer",
    "gpt_explorer",
    "head_explorer",
    "llm_explorer",
    "mask_explorer",
    "minilm_explorer",
    "online_softmax_explorer",
    "qk_explorer",
    "scaling_explorer",
    "static_vector_explorer",
    "training_explorer",
    "weighted_sum_explorer",
    "word_order_explorer",
]
