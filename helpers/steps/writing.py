"""The step of a transformer that writes (notebook 14): the next character's probabilities and one head's attention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..gpt.heads import attention_maps
from ..gpt.sample import next_token_probs

SHOWN = 24  # the last characters of the prompt shown under the attention bars
TOP = 10  # the most likely next characters shown as bars


def char_label(char: str) -> str:
    """A character as a label: a space and a line break get a sign of their own. str -> str"""
    return {" ": "␣", "\n": "⏎"}.get(char, char)


@dataclass(frozen=True, eq=False)
class NextCharacterStep:
    """prompt str (what the model read); logits (vocab,); top_chars [str] (TOP,) by logit; top_probs (TOP,) after
    temperature and top-k; shown [str] (<= SHOWN,) the prompt's last characters; attention (<= SHOWN,): the last
    position's weights over them, for layer and head."""

    prompt: str
    logits: np.ndarray
    top_chars: list
    top_probs: np.ndarray
    shown: list
    attention: np.ndarray
    layer: int
    head: int
    temperature: float
    top_k: int


def run_prompt(model, prompt: str) -> tuple[np.ndarray, np.ndarray]:
    """The model on a prompt's last `context` characters: the last position's logits and every head's weights.
    str -> ((vocab,), (n_layers, n_heads, n, n))"""
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("type a prompt of at least one character.")
    ids = model.encode(prompt)[-model.config.context :]
    maps = attention_maps(model.params, ids)[:, 0]  # (L, H, n, n)
    return model.logits(ids)[-1], maps


def next_character_step(
    model, prompt: str, temperature: float, top_k: int, layer: int, head: int, run: Callable | None = None
) -> NextCharacterStep:
    """Notebook 14: what comes next after the prompt, and where one head of the last position looks.
    str -> (TOP,), (<= SHOWN,); run defaults to run_prompt (a widget passes a cached one)."""
    config = model.config
    if not 0 <= layer < config.n_layers or not 0 <= head < config.n_heads:
        raise ValueError(f"layer must be 0 to {config.n_layers - 1} and head 0 to {config.n_heads - 1}.")
    logits, maps = (run or (lambda p: run_prompt(model, p)))(prompt)
    probs = next_token_probs(logits, temperature, top_k)
    order = np.argsort(-logits, kind="stable")[:TOP]
    window = prompt[-config.context :]
    shown = window[-SHOWN:]
    weights = maps[layer, head, -1, -len(shown) :]
    return NextCharacterStep(
        window,
        logits,
        [char_label(model.decode([i])) for i in order],
        probs[order],
        [char_label(c) for c in shown],
        weights,
        layer,
        head,
        float(temperature),
        top_k,
    )
