"""What every widget builder shares: the sentence box and attention pictures in words."""

from __future__ import annotations

import ipywidgets as widgets

from .. import describe


def _sentence_box(sentence: str) -> widgets.Text:
    return widgets.Text(value=sentence, description="sentence", continuous_update=False)


def _attention_alt_text(prefix: str, weights, queries, keys) -> tuple[str, str]:
    """A heatmap of attention weights in words, and its numbers as a table."""
    return f"{prefix}{describe.attention(weights, queries, keys)}", describe.table_html(
        weights, queries, keys, "attention weights: rows are queries, columns keys"
    )
