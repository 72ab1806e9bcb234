"""What every widget builder shares: the sentence box and attention pictures in words."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import describe, plots

# how every widget draws attention weights: 0 to 1, keys across, queries down, no colour bar
WEIGHTS_STYLE = {"vmin": 0, "vmax": 1, "cbar": False, "xlabel": plots.KEY_AXIS, "ylabel": plots.QUERY_AXIS}


def _sentence_box(sentence: str) -> widgets.Text:
    return widgets.Text(value=sentence, description="sentence", continuous_update=False)


def _attention_alt_text(prefix: str, weights, queries, keys) -> tuple[str, str]:
    """A heatmap of attention weights in words, and its numbers as a table."""
    return f"{prefix}{describe.attention(weights, queries, keys)}", describe.table_html(
        weights, queries, keys, "attention weights: rows are queries, columns keys"
    )


def _weights_heatmap(ax, labels) -> None:
    """An n x n attention-weights heatmap, 0 to 1, that a widget then updates in place."""
    n = len(labels)
    plots.heatmap(
        np.eye(n),
        labels,
        labels,
        "weights",
        ax=ax,
        vmin=0,
        vmax=1,
        cbar=False,
        xlabel=plots.KEY_AXIS,
        ylabel=plots.QUERY_AXIS,
    )
