"""Watch attention learn: a task only attention can solve, and gradient descent written out in numpy (introduced in
notebook 10).

The task: every word must output the vector of the word before it (the first word, its own). The inputs are
random word vectors with their sinusoidal positions appended; only W_q and W_k are learned; the values are
the word vectors. The gradients come from ``attention_backward`` and the chain rule; the optimiser is Adam.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .attention import causal_mask, scaled_dot_product_attention
from .checks import check_positive, check_positive_int, check_seed
from .gradients import attention_backward
from .positions import positional_encoding


@dataclass(frozen=True, eq=False)
class Task:
    """inputs (B, n, d_word + d_pos) = words and positions; words (B, n, d_word) = the values; target (B, n, d_word);
    mask (n, n)."""

    inputs: np.ndarray
    words: np.ndarray
    target: np.ndarray
    mask: np.ndarray


def previous_token_task(n_sentences: int = 128, n: int = 8, d_word: int = 8, d_pos: int = 8, seed: int = 0) -> Task:
    """Random sentences whose every word must become the word before it. () -> Task of (B, n, d)"""
    n_sentences, n = check_positive_int(n_sentences, "n_sentences"), check_positive_int(n, "n")
    d_word, d_pos = check_positive_int(d_word, "d_word"), check_positive_int(d_pos, "d_pos")
    rng = np.random.default_rng(check_seed(seed))
    words = rng.standard_normal((n_sentences, n, d_word))
    positions = np.broadcast_to(positional_encoding(n, d_pos, base=20.0), (n_sentences, n, d_pos))
    target = np.concatenate([words[:, :1], words[:, :-1]], axis=1)  # word t must become word t - 1 (word 0 stays)
    return Task(np.concatenate([words, positions], axis=-1), words, target, causal_mask(n))


@dataclass(frozen=True, eq=False)
class Trajectory:
    """What training recorded: losses (steps + 1,), the first sentence's weights (steps + 1, n, n), parameter norms
    (steps + 1, 2) for W_q and W_k, and the size of the gradient on Q and K, sqrt(|dQ|² + |dK|²) (steps + 1,)."""

    losses: np.ndarray
    weights: np.ndarray
    norms: np.ndarray
    score_gradients: np.ndarray
    W_q: np.ndarray
    W_k: np.ndarray


def forward(task: Task, W_q, W_k, scale=None):
    """The model: attention with learned queries and keys over the words. -> (out (B, n, d_word), weights (B, n, n), Q,
    K)"""
    d_in = task.inputs.shape[-1]
    for name, W in (("W_q", W_q), ("W_k", W_k)):
        if np.ndim(W) != 2 or np.shape(W)[0] != d_in:
            raise ValueError(f"{name} must be (d_in, d_k) with d_in = {d_in} (words and positions), got {np.shape(W)}.")
    Q, K = task.inputs @ W_q, task.inputs @ W_k
    out, weights = scaled_dot_product_attention(Q, K, task.words, mask=task.mask, scale=scale)
    return out, weights, Q, K


def loss_and_gradients(task: Task, W_q, W_k, scale=None):
    """Mean squared error and its gradients for W_q and W_k, by the chain rule. -> (loss, dW_q, dW_k, the size of the
    gradient on Q and K: sqrt(|dQ|² + |dK|²))"""
    out, _, Q, K = forward(task, W_q, W_k, scale)
    error = out - task.target
    loss = float(np.mean(error**2))
    grad_out = 2 * error / error.size
    dQ, dK, _ = attention_backward(Q, K, task.words, grad_out, mask=task.mask, scale=scale)
    dW_q = np.einsum("bni,bnk->ik", task.inputs, dQ)  # Q = inputs @ W_q
    dW_k = np.einsum("bni,bnk->ik", task.inputs, dK)
    return loss, dW_q, dW_k, float(np.sqrt(np.sum(dQ**2) + np.sum(dK**2)))


def train(
    task: Task, steps: int = 300, lr: float = 0.05, d_k: int = 8, seed: int = 0, scale=None, init: float = 0.1
) -> Trajectory:
    """Adam on W_q and W_k from small seeded random values; records the trajectory. () -> Trajectory"""
    steps, d_k = check_positive_int(steps, "steps"), check_positive_int(d_k, "d_k")
    lr, init = check_positive(lr, "learning rate"), check_positive(init, "init")
    rng = np.random.default_rng(check_seed(seed))
    d_in = task.inputs.shape[-1]
    params = [init * rng.standard_normal((d_in, d_k)) for _ in range(2)]  # W_q, W_k
    moments = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    losses, weights, norms, grads = [], [], [], []
    for step in range(steps + 1):
        loss, dW_q, dW_k, g = loss_and_gradients(task, *params, scale=scale)
        losses.append(loss)
        weights.append(forward(task, *params, scale=scale)[1][0])
        norms.append([np.linalg.norm(p) for p in params])
        grads.append(g)
        if step == steps:
            break
        adam_step(params, [dW_q, dW_k], *moments, step=step + 1, lr=lr)
    return Trajectory(np.array(losses), np.array(weights), np.array(norms), np.array(grads), params[0], params[1])


def adam_step(
    params, grads, first, second, step: int, lr: float, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
):
    """One Adam update of every parameter IN PLACE, with its running moments; step counts from 1. [(...)] -> None"""
    step, lr = check_positive_int(step, "step"), check_positive(lr, "learning rate")
    for p, g, m, v in zip(params, grads, first, second, strict=True):
        if not p.shape == g.shape == m.shape == v.shape:
            raise ValueError(
                f"a parameter {p.shape}, its gradient {g.shape} and moments {m.shape}, {v.shape} must match."
            )
    for p, g, m, v in zip(params, grads, first, second):
        m *= b1
        m += (1 - b1) * g  # the running mean of the gradient
        v *= b2
        v += (1 - b2) * g**2  # the running mean of its square
        p -= lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + eps)
