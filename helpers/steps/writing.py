"""The step of a transformer that writes: the next character's (notebook 14) or token's (notebook 17) probabilities
and one head's attention."""

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
    temperature, top-k and top-p; shown [str] (<= SHOWN,) the prompt's last characters; attention (<= SHOWN,): the
    last position's weights over them, for layer and head."""

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
    top_p: float | None = None


def run_prompt(model, prompt: str) -> tuple[np.ndarray, np.ndarray]:
    """The model on a prompt's last `context` characters: the last position's logits and every head's weights.
    str -> ((vocab,), (n_layers, n_heads, n, n))"""
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("type a prompt of at least one character.")
    ids = model.encode(prompt)[-model.config.context :]
    maps = attention_maps(model.params, ids)[:, 0]  # (L, H, n, n)
    return model.logits(ids)[-1], maps


def next_character_step(
    model, prompt: str, temperature: float, top_k: int, layer: int, head: int, run: Callable | None = None, top_p=None
) -> NextCharacterStep:
    """Notebook 14: what comes next after the prompt, and where one head of the last position looks; top_p None
    or 1.0 keeps every character. str -> (TOP,), (<= SHOWN,); run defaults to run_prompt (a widget passes a cached
    one)."""
    config = model.config
    if not 0 <= layer < config.n_layers or not 0 <= head < config.n_heads:
        raise ValueError(f"layer must be 0 to {config.n_layers - 1} and head 0 to {config.n_heads - 1}.")
    logits, maps = (run or (lambda p: run_prompt(model, p)))(prompt)
    probs = next_token_probs(logits, temperature, top_k, top_p)
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
        top_p,
    )


SHOWN_TOKENS = 12  # the last tokens of the prompt shown under the attention bars (their labels are longer)
MAX_TOKENS = 256  # the most a prompt box runs: each new prompt is one pass, kept well under a second


def token_label(piece: str) -> str:
    """A token's text as a label: spaces and line breaks visible, long tokens cut. str -> str"""
    if not isinstance(piece, str):
        raise TypeError(f"piece must be a str, got {type(piece).__name__}.")
    label = "".join(char_label(c) for c in piece)
    return label if len(label) <= 12 else label[:11] + "…"


def run_tokens(model, prompt: str) -> tuple[np.ndarray, np.ndarray, list]:
    """A token model with .tokenizer.pieces (notebook 17) on a prompt's last MAX_TOKENS tokens: the last
    position's logits, every head's weights and each token's label.
    str -> ((vocab,), (n_layers, n_heads, n, n), [str])"""
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("type a prompt of at least one character.")
    ids = model.encode(prompt)[-MAX_TOKENS:]
    if not ids:
        raise ValueError("the prompt has no tokens: type some text.")
    keep = []
    logits = model.forward(np.array(ids), keep=keep)[0, -1]
    labels = [token_label(p) for p in model.tokenizer.pieces(ids)]
    return logits, np.stack([w[0] for w in keep]), labels


def next_token_step(
    model, prompt: str, temperature: float, top_k: int, layer: int, head: int, run: Callable | None = None, top_p=None
) -> NextCharacterStep:
    """Notebook 17: the ten most likely next tokens after the prompt, and where one head of the last token looks
    (top_chars and shown hold token labels). str -> (TOP,), (<= SHOWN_TOKENS,); run defaults to run_tokens."""
    config = model.config
    if not 0 <= layer < config.n_layers or not 0 <= head < config.n_heads:
        raise ValueError(f"layer must be 0 to {config.n_layers - 1} and head 0 to {config.n_heads - 1}.")
    logits, maps, labels = (run or (lambda p: run_tokens(model, p)))(prompt)
    probs = next_token_probs(logits, temperature, top_k, top_p)
    order = np.argsort(-logits, kind="stable")[:TOP]
    shown = labels[-SHOWN_TOKENS:]
    return NextCharacterStep(
        prompt,
        logits,
        [token_label(p) for p in model.tokenizer.pieces(order)],
        probs[order],
        shown,
        maps[layer, head, -1, -len(shown) :],
        layer,
        head,
        float(temperature),
        top_k,
        top_p,
    )
