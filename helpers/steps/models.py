"""Steps of training, the real model and the cost of attention (notebooks 10 to 13)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..attention import previous_token_share
from ..blockwise import online_softmax_steps
from ..checks import check_index
from ..experiments import attention_cost
from .common import MAX_WORDS

COST_NS = (16, 32, 64, 128, 256, 512, 1024, 2048, 4096)


# ---------------------------------------------------------------- 10: watch attention learn
@dataclass(frozen=True, eq=False)
class RecordedStep:
    """step int; losses (steps + 1,) the whole curve; loss at the step; weights (n, n) of the first sentence then; norms
    (2,) of W_q, W_k; share on the previous word."""

    step: int
    losses: np.ndarray
    loss: float
    weights: np.ndarray
    norms: np.ndarray
    previous_share: float


def recorded_step(trajectory, step: int) -> RecordedStep:
    """Notebook 10: what training recorded at one step (nothing is computed again). Trajectory, () -> (n, n)"""
    last = len(trajectory.losses) - 1
    step = check_index(step, 0, last, "step")
    weights = trajectory.weights[step]
    share = float(previous_token_share(weights))
    return RecordedStep(step, trajectory.losses, float(trajectory.losses[step]), weights, trajectory.norms[step], share)


# ---------------------------------------------------------------- 11: a real model's attention
@dataclass(frozen=True, eq=False)
class MiniLMStep:
    """tokens [str] (n,); weights (n, n) of one head; layer 0..n_layers-1; head 0..n_heads-1 (both from 0)."""

    tokens: list
    weights: np.ndarray
    layer: int
    head: int


def minilm_step(model, sentence: str, layer: int, head: int, encode: Callable | None = None) -> MiniLMStep:
    """Notebook 11: the attention weights of layer (0..5) and head (0..11) for a sentence; encode defaults to
    model.encode.
    str -> (n, n)"""
    tokens = model.tokenizer.tokenize(sentence)  # the length is checked before the model runs
    if len(tokens) > 2 + 2 * MAX_WORDS:
        raise ValueError(
            f"{len(tokens)} tokens: please keep the sentence shorter (at most {2 * MAX_WORDS} word pieces)."
        )
    n_layers, n_heads = model.config.n_layers, model.config.n_heads
    layer = check_index(layer, 0, n_layers - 1, "layer")  # layers and heads count from 0
    head = check_index(head, 0, n_heads - 1, "head")
    enc = (model.encode if encode is None else encode)(sentence)
    return MiniLMStep(enc.tokens, enc.attentions[layer, head], layer, head)


# ---------------------------------------------------------------- 13: cost and online softmax
@dataclass(frozen=True, eq=False)
class CostStep:
    """exact and block: attention_cost results, each {n, seconds, peak_bytes} of shape (k,)."""

    exact: dict
    block: dict
    block_size: int


def cost_step(
    largest_n: int, d: int = 64, block_size: int = 256, progress: Callable[[int, int], None] | None = None
) -> CostStep:
    """Notebook 13: time and peak memory of exact and blockwise attention for n up to largest_n. () -> (k,) each"""
    ns = [n for n in COST_NS if n <= largest_n]
    if not ns:
        raise ValueError(f"largest_n must be at least {COST_NS[0]}.")

    def half(first: bool):  # one progress bar over both measurements: the first fills it to half, the second on
        if progress is None:
            return None
        return lambda done, total: progress(done + (0 if first else total), 2 * total)

    exact = attention_cost(ns, d, repeats=5, progress=half(True))
    block = attention_cost(ns, d, repeats=5, block_size=block_size, progress=half(False))
    return CostStep(exact, block, block_size)


@dataclass(frozen=True, eq=False)
class OnlineSoftmaxStep:
    """After `block` blocks: keys seen, running max and sum, the output so far (d_v,), the weights known so far (n,)."""

    block: int
    seen: int
    max: float
    sum: float
    output: np.ndarray
    weights_so_far: np.ndarray


def online_softmax_step(scores, values, block_size: int, block: int) -> OnlineSoftmaxStep:
    """Notebook 13: the state of online softmax after `block` blocks of keys. (n,), (n, d_v) -> (n,), (d_v,)"""
    steps = online_softmax_steps(scores, values, block_size)
    block = check_index(block, 1, len(steps), "block")
    s = steps[block - 1]
    return OnlineSoftmaxStep(block, s["seen"], s["max"], s["sum"], s["output"], s["weights"])
